package conformance

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSums checks every file of testdata/conformance against SHA256SUMS,
// and that SHA256SUMS lists every file: the vectors are pinned, and a
// changed or added one must be changed in SHA256SUMS (and in the README
// that says where it comes from) too.
func TestSums(t *testing.T) {
	want := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(Read(t, "SHA256SUMS")))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("SHA256SUMS: malformed line %q", sc.Text())
		}
		want[name] = sum
	}
	root := Dir(t)
	seen := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, _ := filepath.Rel(root, p)
		name = filepath.ToSlash(name)
		if name == "SHA256SUMS" || name == "README.md" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		switch w, ok := want[name]; {
		case !ok:
			t.Errorf("%s is not in SHA256SUMS", name)
		case w != hex.EncodeToString(sum[:]):
			t.Errorf("%s: sha256 %x, SHA256SUMS says %s", name, sum, w)
		}
		delete(want, name)
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range want {
		t.Errorf("%s is in SHA256SUMS but missing", name)
	}
	t.Logf("%d files match SHA256SUMS", seen)
}

// Each context of the index has the bytes its SHA-256 names.
func TestContexts(t *testing.T) {
	ctxs := Contexts(t)
	if len(ctxs) == 0 {
		t.Fatal("no contexts")
	}
	for url, c := range ctxs {
		if sum := sha256.Sum256(c.Data); hex.EncodeToString(sum[:]) != c.SHA256 {
			t.Errorf("%s: sha256 %x, index says %s", url, sum, c.SHA256)
		}
	}
}
