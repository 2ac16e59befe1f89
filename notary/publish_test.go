package notary_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/notary"
)

func withBlobs(b blob.Store) func(*notary.Options) {
	return func(o *notary.Options) { o.Blobs = b }
}

// The published log is a C2SP tlog-tiles tree of static files: the
// auditor, reading only the blob store, verifies every tile and entry
// against the checkpoint, which is the one the server shows; a later
// publication extends it.
func TestPublishedTiles(t *testing.T) {
	blobs := &blob.Memory{}
	e := newEnv(t, withBlobs(blobs))
	ctx := context.Background()
	e.issue(t, 300)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	cp, err := e.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := blobs.Get(ctx, "checkpoint")
	if err != nil || !bytes.Equal(pub, cp.Note) || cp.Size != 300 {
		t.Fatalf("published %q (%v), shown %q", pub, err, cp.Note)
	}
	vk := vkey(t, e.log)
	state, err := notary.Audit(ctx, notary.BlobLogSource(blobs), vk, nil)
	if err != nil || state.Size != 300 {
		t.Fatalf("audit of the blob store: %+v %v", state, err)
	}
	for _, name := range []string{"tile/0/000", "tile/0/001.p/44", "tile/1/000.p/1", "tile/entries/000", "tile/entries/001.p/44"} {
		if !slices.Contains(blobs.Names(), name) {
			t.Errorf("%s not published; published: %v", name, blobs.Names())
		}
	}
	e.issue(t, 5)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if state, err = notary.Audit(ctx, notary.BlobLogSource(blobs), vk, state); err != nil || state.Size != 305 {
		t.Fatalf("second audit: %+v %v", state, err)
	}
}

// A checkpoint is never shown before it is published: while the blob store
// refuses writes, the log signs and stores the checkpoint but shows the one
// published before, and publishes the new one (tiles first) once it can.
func TestCheckpointShownOncePublished(t *testing.T) {
	blobs := &blob.Memory{}
	e := newEnv(t, withBlobs(blobs))
	ctx := context.Background()
	e.issue(t, 3)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	var order []string
	blobs.Fail = func(name string) error {
		order = append(order, name)
		return attesta.E(attesta.Unavailable, "err.internal")
	}
	e.issue(t, 2)
	if _, err := e.log.SequenceAll(ctx); err == nil {
		t.Fatal("sequenced with a blob store that refuses every write")
	}
	if cp, err := e.log.Checkpoint(ctx); err != nil || cp.Size != 3 {
		t.Fatalf("shown %d, %v; want the published 3", cp.Size, err)
	}
	order = nil
	blobs.Fail = func(name string) error { order = append(order, name); return nil }
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if cp, err := e.log.Checkpoint(ctx); err != nil || cp.Size != 5 {
		t.Fatalf("shown %d, %v; want 5", cp.Size, err)
	}
	if len(order) < 2 || order[len(order)-1] != "checkpoint" || slices.Index(order, "checkpoint") != len(order)-1 {
		t.Fatalf("written in the order %v: the checkpoint must come last", order)
	}
}

// A database restored from a copy taken before more credentials were issued
// is behind the published log: Check says so with both sizes, the log
// signs nothing and publishes nothing, and the checkpoint it published
// stays the one shown.
func TestRollbackDetected(t *testing.T) {
	blobs := &blob.Memory{}
	e := newEnv(t, withBlobs(blobs))
	ctx := context.Background()
	e.issue(t, 10)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := e.db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	e.issue(t, 7)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	published, _ := blobs.Get(ctx, "checkpoint")
	e.db.Close()

	r := openEnv(t, backup, e.kek, withBlobs(blobs))
	err := r.log.Check(ctx)
	var ae *attesta.Error
	if !errors.As(err, &ae) || ae.Code != attesta.Unavailable || ae.Key != "err.notary.rollback" ||
		!reflect.DeepEqual(ae.Args, []any{int64(10), int64(17)}) {
		t.Fatalf("Check: %v", err)
	}
	if !strings.Contains(ae.In("en"), "attesta log recover") || !strings.Contains(ae.In("it"), "attesta log recover") {
		t.Errorf("the refusal does not name the recovery: %s", ae.In("en"))
	}
	if r.log.Writable(ctx) != err {
		t.Fatalf("writable: %v", r.log.Writable(ctx))
	}
	// The restored database goes on issuing (before the server gates it)
	// and sequencing is asked for: nothing is signed.
	r.issue(t, 3)
	if _, err := r.log.SequenceAll(ctx); attesta.ErrorKey(err) != "err.notary.rollback" {
		t.Fatalf("sequence on the restored database: %v", err)
	}
	if sizes, _ := r.db.Log().Checkpoints(ctx); !slices.Equal(sizes, []int64{10}) {
		t.Fatalf("checkpoints of the restored database: %v", sizes)
	}
	if now, _ := blobs.Get(ctx, "checkpoint"); !bytes.Equal(now, published) {
		t.Fatal("the published checkpoint changed")
	}
}
