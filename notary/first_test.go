package notary_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/notary"
)

// FirstReceipt proves an entry against the first published checkpoint that
// includes it — never one that was not published (a witness was down) —
// and the receipt says when the quorum of witnesses had cosigned it.
func TestFirstReceipt(t *testing.T) {
	ctx := context.Background()
	w := startWitness(t, "cciaa-torino.example/witness")
	e := newEnv(t, func(o *notary.Options) {
		o.Witnesses = []notary.Witness{w.config()}
		o.Quorum = 1
	})
	w.follow(t, e.log)
	sequence := func() {
		t.Helper()
		if _, err := e.log.SequenceAll(ctx); err != nil {
			t.Fatal(err)
		}
		e.log.Notarize(ctx)
	}
	first := e.issue(t, 3)
	if _, err := e.log.FirstReceipt(ctx, 0); !errors.Is(err, notary.ErrNotYetSequenced) {
		t.Fatalf("the first receipt of an entry in no checkpoint: %v", err)
	}
	sequence() // size 3, published
	w.down.Store(true)
	second := e.issue(t, 2)
	sequence() // size 5, not cosigned: never published
	w.down.Store(false)
	third := e.issue(t, 1)
	sequence() // size 6, published
	policy := notary.ReceiptPolicy{LogKey: vkey(t, e.log), Witnesses: []string{w.vkey()}, Quorum: 1}
	for _, tc := range []struct {
		index, size int64
		id          string
		body        []byte
	}{{0, 3, first[0].ID, first[0].Body}, {2, 3, first[2].ID, first[2].Body}, {3, 6, second[0].ID, second[0].Body}, {5, 6, third[0].ID, third[0].Body}} {
		r, err := e.log.FirstReceipt(ctx, tc.index)
		if err != nil {
			t.Fatalf("entry %d: %v", tc.index, err)
		}
		v, err := r.Verify(tc.id, tc.body, policy)
		if err != nil {
			t.Fatalf("entry %d: %v", tc.index, err)
		}
		if v.Size != tc.size || v.Witnessed.IsZero() || len(v.Witnesses) != 1 {
			t.Errorf("entry %d: proven in the checkpoint of size %d, cosigned %v by %v; want size %d", tc.index, v.Size, v.Witnessed, v.Witnesses, tc.size)
		}
		c, _ := checkpoint.Parse([]byte(r.Checkpoint[:strings.Index(r.Checkpoint, "\n\n")+1]))
		if c == nil || c.Size != tc.size {
			t.Errorf("entry %d: the receipt's checkpoint is %v", tc.index, c)
		}
	}
	// Without witnesses the cosignature time is not known.
	v, err := mustFirst(t, e.log, 0).Verify(first[0].ID, first[0].Body, notary.ReceiptPolicy{LogKey: policy.LogKey})
	if err != nil || !v.Witnessed.IsZero() {
		t.Errorf("a policy without witnesses: %v, witnessed %v", err, v)
	}
}

func mustFirst(t *testing.T, l *notary.Log, index int64) *notary.Receipt {
	t.Helper()
	r, err := l.FirstReceipt(context.Background(), index)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
