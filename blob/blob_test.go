package blob_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/blob/blobtest"
)

// Both stores keep the contract (the S3 bucket's tests run it too).
func TestStores(t *testing.T) {
	for name, s := range map[string]blob.Store{"dir": blob.Dir(t.TempDir()), "memory": &blob.Memory{}} {
		t.Run(name, func(t *testing.T) { blobtest.Contract(t, s) })
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
