package notary_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/internal/tlog/witness"
	"github.com/attesta/attesta/notary"
)

// testWitness is a C2SP tlog-witness served over HTTP, which can be made
// unavailable.
type testWitness struct {
	w     *witness.Witness
	store *witness.MemoryStore
	url   string
	down  atomic.Bool
}

func startWitness(t *testing.T, name string) *testWitness {
	t.Helper()
	_, key, _ := ed25519.GenerateKey(nil)
	cosigner, err := checkpoint.CosignerFor(name, key)
	if err != nil {
		t.Fatal(err)
	}
	tw := &testWitness{store: &witness.MemoryStore{}}
	tw.w = &witness.Witness{Cosigner: cosigner, Store: tw.store, Logs: map[string][]checkpoint.Verifier{},
		Logger: slog.New(slog.DiscardHandler)}
	h := tw.w.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if tw.down.Load() {
			http.Error(rw, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(rw, r)
	}))
	t.Cleanup(ts.Close)
	tw.url = ts.URL
	return tw
}

func (tw *testWitness) config() notary.Witness {
	return notary.Witness{URL: tw.url, Key: tw.w.Cosigner.Verifier()}
}

func (tw *testWitness) vkey() string { return tw.w.Cosigner.Verifier().String() }

// follow makes the witness follow the log of e.
func (tw *testWitness) follow(t *testing.T, l *notary.Log) {
	t.Helper()
	v, err := checkpoint.ParseVerifierKey(vkey(t, l))
	if err != nil {
		t.Fatal(err)
	}
	tw.w.Logs[l.Origin()] = []checkpoint.Verifier{v}
}

func TestWitnessedCheckpoints(t *testing.T) {
	ctx := context.Background()
	w1, w2 := startWitness(t, "cciaa-torino.example/witness"), startWitness(t, "cciaa-napoli.example/witness")
	e := newEnv(t, func(o *notary.Options) {
		o.Witnesses = []notary.Witness{w1.config(), w2.config()}
		o.Quorum = 2
	})
	w1.follow(t, e.log)
	w2.follow(t, e.log)
	recs := e.issue(t, 10)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	// Signed but not yet cosigned: not published, no receipt.
	if _, err := e.log.Checkpoint(ctx); attesta.ErrorCode(err) != attesta.NotFound {
		t.Fatalf("an uncosigned checkpoint is published: %v", err)
	}
	if _, err := e.log.Receipt(ctx, 3); !errors.Is(err, notary.ErrNotYetSequenced) {
		t.Fatalf("receipt before cosigning: %v", err)
	}
	if err := e.log.Notarize(ctx); err != nil {
		t.Fatal(err)
	}
	cp, err := e.log.Checkpoint(ctx)
	if err != nil || cp.Size != 10 {
		t.Fatalf("published checkpoint %d, %v", cp.Size, err)
	}
	policy := notary.ReceiptPolicy{LogKey: vkey(t, e.log), Witnesses: []string{w1.vkey(), w2.vkey()}, Quorum: 2}
	idx, _ := e.db.Credentials().LogIndex(ctx, recs[3].ID)
	r, err := e.log.Receipt(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	v, err := r.Verify(recs[3].ID, recs[3].Body, policy)
	if err != nil {
		t.Fatalf("cosigned receipt: %v", err)
	}
	if want := []string{"cciaa-torino.example/witness", "cciaa-napoli.example/witness"}; !slices.Equal(v.Witnesses, want) {
		t.Errorf("cosigned by %v, want %v", v.Witnesses, want)
	}
	// A verifier trusting a witness that did not cosign cannot reach its quorum.
	w3 := startWitness(t, "cciaa-bari.example/witness")
	strict := notary.ReceiptPolicy{LogKey: policy.LogKey, Witnesses: []string{w1.vkey(), w3.vkey()}, Quorum: 2}
	_, err = r.Verify(recs[3].ID, recs[3].Body, strict)
	refused(t, "quorum not reached", err, "err.notary.receipt.cosigned", []any{1, 2, 2})
	// A cosignature line altered in the receipt is caught.
	bad := *r
	bad.Checkpoint = strings.Replace(r.Checkpoint, "— cciaa-napoli.example/witness ", "— cciaa-napoli.example/witness AAAA", 1)
	_, err = bad.Verify(recs[3].ID, recs[3].Body, policy)
	refused(t, "an altered cosignature", err, "err.notary.receipt.cosigned", []any{1, 2, 2})

	// One witness down: the new checkpoint is signed and cosigned by the
	// other, but not published until the quorum is reached.
	w2.down.Store(true)
	more := e.issue(t, 5)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	err = e.log.Notarize(ctx)
	if err == nil || !strings.Contains(err.Error(), "witness cciaa-napoli.example/witness") || strings.Contains(err.Error(), "torino") {
		t.Fatalf("Notarize with a witness down: %v", err)
	}
	if cp, _ := e.log.Checkpoint(ctx); cp.Size != 10 {
		t.Errorf("published size %d with one witness down, want 10", cp.Size)
	}
	w2.down.Store(false)
	if err := e.log.Notarize(ctx); err != nil {
		t.Fatal(err)
	}
	if cp, _ := e.log.Checkpoint(ctx); cp.Size != 15 {
		t.Errorf("published size %d once both cosigned, want 15", cp.Size)
	}

	// A restarted log does not know the witnesses' sizes: it learns them
	// from their answers and proves consistency from there.
	restarted, err := notary.Open(ctx, e.db.Log(), notary.Options{Origin: "attesta.example/log", KEK: e.kek,
		Witnesses: []notary.Witness{w1.config(), w2.config()}, Quorum: 2})
	if err != nil {
		t.Fatal(err)
	}
	last := e.issue(t, 7)
	if _, err := restarted.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := restarted.Notarize(ctx); err != nil {
		t.Fatal(err)
	}
	idx, _ = e.db.Credentials().LogIndex(ctx, last[6].ID)
	r, err = restarted.Receipt(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Verify(last[6].ID, last[6].Body, policy); err != nil {
		t.Errorf("receipt after restart: %v", err)
	}
	idx, _ = e.db.Credentials().LogIndex(ctx, more[0].ID)
	if r, err := restarted.Receipt(ctx, idx); err != nil {
		t.Error(err)
	} else if _, err := r.Verify(more[0].ID, more[0].Body, policy); err != nil {
		t.Errorf("receipt of an earlier entry: %v", err)
	}
}

// A fork: another log with the same key and origin but other entries. The
// witness that cosigned the first refuses the second's checkpoints, and its
// view of the log does not change.
func TestWitnessRefusesForkedLog(t *testing.T) {
	ctx := context.Background()
	w := startWitness(t, "cciaa-torino.example/witness")
	honest := newEnv(t, func(o *notary.Options) { o.Witnesses, o.Quorum = []notary.Witness{w.config()}, 1 })
	w.follow(t, honest.log)
	honest.issue(t, 12)
	if _, err := honest.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := honest.log.Notarize(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := w.store.Note("attesta.example/log")

	for _, n := range []int{12, 20} { // the same size with another root; a longer tree that does not extend it
		forked := newEnv(t)
		sealed, _, err := honest.db.Log().LogKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := forked.db.Log().SetLogKey(ctx, sealed); err != nil {
			t.Fatal(err)
		}
		fork, err := notary.Open(ctx, forked.db.Log(), notary.Options{Origin: "attesta.example/log", KEK: honest.kek,
			Witnesses: []notary.Witness{w.config()}, Quorum: 1})
		if err != nil {
			t.Fatal(err)
		}
		if vkey(t, fork) != vkey(t, honest.log) {
			t.Fatal("the fork does not have the honest log's key")
		}
		forked.issue(t, n)
		if _, err := fork.SequenceAll(ctx); err != nil {
			t.Fatal(err)
		}
		err = fork.Notarize(ctx)
		want := witness.ErrInconsistent
		if n == 12 {
			want = witness.ErrRootMismatch
		}
		if !errors.Is(err, want) {
			t.Errorf("fork of size %d: Notarize = %v, want %v", n, err, want)
		}
		if _, err := fork.Checkpoint(ctx); attesta.ErrorCode(err) != attesta.NotFound {
			t.Errorf("fork of size %d: a checkpoint was published: %v", n, err)
		}
		if after, _ := w.store.Note("attesta.example/log"); string(after) != string(before) {
			t.Errorf("fork of size %d changed the witness's state", n)
		}
	}
}
