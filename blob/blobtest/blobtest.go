// Package blobtest checks that a blob.Store keeps the contract of package
// blob; every implementation's tests run it.
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/attesta/attesta/blob"
)

// Contract checks s, which must be empty: a Get of nothing is
// fs.ErrNotExist, a Put replaces the object whole (longer, shorter, empty,
// binary), names are kept apart, and a name the package refuses is refused
// by both operations without being taken for a missing object.
func Contract(t *testing.T, s blob.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Get(ctx, "tile/0/000"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("get of nothing: %v, want fs.ErrNotExist", err)
	}
	binary := make([]byte, 70000)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	for _, data := range [][]byte{[]byte("first"), []byte("second, longer"), {}, binary, []byte("last")} {
		if err := s.Put(ctx, "tile/0/x001/234.p/5", data); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "tile/0/x001/234.p/5")
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("got %d bytes, %v; want %d bytes", len(got), err, len(data))
		}
	}
	if err := s.Put(ctx, "tile/entries/000", []byte("bundle")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "checkpoint", []byte("cp")); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"tile/entries/000": "bundle", "checkpoint": "cp", "tile/0/x001/234.p/5": "last"} {
		if got, err := s.Get(ctx, name); err != nil || string(got) != want {
			t.Errorf("Get(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	if _, err := s.Get(ctx, "tile/entries"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a name's parent: %v, want fs.ErrNotExist", err)
	}
	for _, bad := range []string{"", "/abs", "a/../b", "a//b", "./a", "a/", "a b", "a\\b", "é", "a\x00b"} {
		if err := s.Put(ctx, bad, nil); err == nil {
			t.Errorf("Put(%q) accepted", bad)
		}
		if _, err := s.Get(ctx, bad); err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Get(%q): %v, want an error that is not fs.ErrNotExist", bad, err)
		}
	}
	if !blob.ValidName("tile/0/x001/234.p/5") {
		t.Error("ValidName refuses a tile's name")
	}
}
