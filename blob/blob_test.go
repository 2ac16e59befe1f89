package blob_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/attesta/attesta/blob"
)

// Both stores keep the contract: Get of nothing is fs.ErrNotExist, Put
// replaces whole, bad names are refused.
func TestStores(t *testing.T) {
	for name, s := range map[string]blob.Store{"dir": blob.Dir(t.TempDir()), "memory": &blob.Memory{}} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if _, err := s.Get(ctx, "tile/0/000"); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("get of nothing: %v", err)
			}
			for _, data := range []string{"first", "second, longer", ""} {
				if err := s.Put(ctx, "tile/0/x001/234.p/5", []byte(data)); err != nil {
					t.Fatal(err)
				}
				got, err := s.Get(ctx, "tile/0/x001/234.p/5")
				if err != nil || string(got) != data {
					t.Fatalf("got %q, %v; want %q", got, err, data)
				}
			}
			for _, bad := range []string{"", "/abs", "a/../b", "a//b", "./a", "a/", "a b", "a\\b", "é"} {
				if err := s.Put(ctx, bad, nil); err == nil {
					t.Errorf("Put(%q) accepted", bad)
				}
				if _, err := s.Get(ctx, bad); err == nil || errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Get(%q): %v", bad, err)
				}
			}
		})
	}
}

// A Dir leaves no temporary file behind, and an object is a plain file at
// its name: a static web server can serve the directory as it is.
func TestDirLayout(t *testing.T) {
	dir := t.TempDir()
	s := blob.Dir(dir)
	ctx := context.Background()
	for range 3 {
		if err := s.Put(ctx, "checkpoint", []byte("cp")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Put(ctx, "tile/entries/000", []byte("bundle")); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if len(files) != 2 || files[0] != "checkpoint" || files[1] != "tile/entries/000" {
		t.Fatalf("files %v", files)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "tile", "entries", "000")); string(data) != "bundle" {
		t.Fatalf("file holds %q", data)
	}
}
