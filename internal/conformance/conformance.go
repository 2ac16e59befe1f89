// Package conformance gives tests the standards test vectors kept in the
// repository, in testdata/conformance at its root: the W3C RDFC-1.0 suite,
// the W3C vc-di-eddsa vectors, 1EdTech's Open Badges 3.0 test vector and
// validator fixtures, the European Learning Model sample, the JSON-LD
// contexts they need and attesta's reference credential. Its README says
// where each comes from, at which commit, under which licence; SHA256SUMS
// pins every byte.
//
// The vectors are part of the repository, so a missing or unreadable one
// fails the test that wants it: nothing here skips. Several packages read
// them (internal/vc/..., credential, cmd/attesta, internal/interop), which is
// why they live at the root rather than in one package's testdata.
package conformance

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	dirOnce sync.Once
	dir     string
	dirErr  error
)

// locate finds testdata/conformance in the module root, the first directory
// holding a go.mod on the way up from the working directory (go test runs a
// package's tests in its directory).
func locate() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			root := filepath.Join(d, "testdata", "conformance")
			if _, err := os.Stat(filepath.Join(root, "SHA256SUMS")); err != nil {
				return "", errors.New("the module at " + d + " has no testdata/conformance/SHA256SUMS: the conformance vectors are missing from the checkout")
			}
			return root, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no go.mod above " + wd + ": cannot find the repository's testdata/conformance")
		}
	}
}

// Dir returns the absolute path of testdata/conformance, failing tb if it
// cannot be found.
func Dir(tb testing.TB) string {
	tb.Helper()
	dirOnce.Do(func() { dir, dirErr = locate() })
	if dirErr != nil {
		tb.Fatalf("conformance vectors: %v", dirErr)
	}
	return dir
}

// Path returns the path of a file or folder of the vectors, named by its
// slash-separated path under testdata/conformance, failing tb if it does not
// exist.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(Dir(tb), filepath.FromSlash(name))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("conformance vector missing: %v", err)
	}
	return p
}

// Read returns the contents of a file of the vectors, failing tb if it
// cannot be read.
func Read(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(Dir(tb), filepath.FromSlash(name)))
	if err != nil {
		tb.Fatalf("conformance vector missing: %v", err)
	}
	return data
}

// Glob returns the files of the vectors that match pattern (slash-separated,
// under testdata/conformance), failing tb if none does.
func Glob(tb testing.TB, pattern string) []string {
	tb.Helper()
	m, err := filepath.Glob(filepath.Join(Dir(tb), filepath.FromSlash(pattern)))
	if err != nil {
		tb.Fatal(err)
	}
	if len(m) == 0 {
		tb.Fatalf("no conformance vector matches %s", pattern)
	}
	return m
}

// Context is a JSON-LD context of contexts/index.json: its bytes and the
// hex SHA-256 they must have.
type Context struct {
	Data   []byte
	SHA256 string
}

// Contexts returns every context of contexts/index.json by URL.
func Contexts(tb testing.TB) map[string]Context {
	tb.Helper()
	var index map[string]struct {
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(Read(tb, "contexts/index.json"), &index); err != nil {
		tb.Fatalf("contexts/index.json: %v", err)
	}
	out := make(map[string]Context, len(index))
	for url, e := range index {
		out[url] = Context{Data: Read(tb, "contexts/"+e.File), SHA256: e.SHA256}
	}
	return out
}
