package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/tlog/witness"
)

// testWitnessState: the witnessed state of each log is a compare-and-swap
// on its size, that never goes back, per origin.
func testWitnessState(t *testing.T, open Opener) {
	ctx := context.Background()
	db, _ := migrated(t, open, NewClock())
	w := db.Witness()
	const a, b = "cciaa-torino.example/log", "cciaa-bari.example/log"
	if size, _, found, err := w.Latest(ctx, a); err != nil || found || size != 0 {
		t.Fatalf("a log never witnessed: %d %v %v", size, found, err)
	}
	root5, root9 := [32]byte{5}, [32]byte{9}
	if err := w.Update(ctx, a, 3, 5, root5, []byte("note 5")); !errors.Is(err, witness.ErrConflict) {
		t.Fatalf("update from a size never stored: %v", err)
	}
	if err := w.Update(ctx, a, 0, 5, root5, []byte("note 5")); err != nil {
		t.Fatal(err)
	}
	if err := w.Update(ctx, a, 0, 7, root9, []byte("note 7")); !errors.Is(err, witness.ErrConflict) {
		t.Fatalf("a second first update: %v", err)
	}
	wantCode(t, w.Update(ctx, a, 5, 4, root9, []byte("note 4")), attesta.Invalid)
	wantCode(t, w.Update(ctx, a, 5, 9, root9, nil), attesta.Invalid)
	wantCode(t, w.Update(ctx, "", 0, 9, root9, []byte("x")), attesta.Invalid)
	if size, root, found, err := w.Latest(ctx, a); err != nil || !found || size != 5 || root != root5 {
		t.Fatalf("after refused updates: %d %x %v %v", size, root[:1], found, err)
	}
	if err := w.Update(ctx, a, 5, 9, root9, []byte("note 9")); err != nil {
		t.Fatal(err)
	}
	if size, root, _, _ := w.Latest(ctx, a); size != 9 || root != root9 {
		t.Fatalf("after the update: %d %x", size, root[:1])
	}
	// Origins are independent.
	if _, _, found, _ := w.Latest(ctx, b); found {
		t.Fatal("another origin is witnessed")
	}
	if err := w.Update(ctx, b, 0, 1, root5, []byte("b 1")); err != nil {
		t.Fatal(err)
	}
	if size, _, _, _ := w.Latest(ctx, a); size != 9 {
		t.Fatalf("another origin's update moved this one to %d", size)
	}
}

// testWitnessStateConcurrent: of concurrent updates from the same size, one
// wins.
func testWitnessStateConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	db, _ := migrated(t, open, NewClock())
	w := db.Witness()
	const origin = "cciaa-torino.example/log"
	var old int64
	for range 2 {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				size := old + 100 + int64(i)
				errs[i] = w.Update(ctx, origin, old, size, [32]byte{byte(i)}, fmt.Appendf(nil, "note %d", size))
			})
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, witness.ErrConflict):
				t.Fatalf("from %d: %v", old, err)
			}
		}
		if won != 1 {
			t.Fatalf("from %d: %d updates won, want 1", old, won)
		}
		size, _, _, _ := w.Latest(ctx, origin)
		if size < old+100 || size >= old+108 {
			t.Fatalf("from %d: size %d", old, size)
		}
		old = size
	}
}

func testWitnessKey(t *testing.T, open Opener) {
	ctx := context.Background()
	db, _ := migrated(t, open, NewClock())
	w := db.Witness()
	if sealed, found, err := w.Key(ctx); err != nil || found || sealed != nil {
		t.Fatalf("no key yet: %x, %v, %v", sealed, found, err)
	}
	wantCode(t, w.SetKey(ctx, nil), attesta.Invalid)
	key := []byte{0, 1, 2, 0xff, 'w'}
	if err := w.SetKey(ctx, key); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.SetKey(ctx, []byte("another")), attesta.Conflict)
	if sealed, found, err := w.Key(ctx); err != nil || !found || string(sealed) != string(key) {
		t.Fatalf("key: %x, %v, %v; want %x", sealed, found, err, key)
	}
	// The log's key is another row.
	if _, found, _ := db.Log().LogKey(ctx); found {
		t.Fatal("setting the witness key set the log key")
	}
}
