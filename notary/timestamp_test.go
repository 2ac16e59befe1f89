package notary_test

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/rfc3161"
	"github.com/attesta/attesta/internal/rfc3161/tsatest"
	"github.com/attesta/attesta/notary"
)

func TestMain(m *testing.M) {
	code := m.Run()
	tsatest.Cleanup()
	os.Exit(code)
}

// Checkpoints timestamped by a real TSA (OpenSSL's `ts -reply`): the token
// is stored with the checkpoint, travels in the receipt and is verified
// against the TSA's roots; without it the checkpoint is not published.
func TestTimestampedCheckpoints(t *testing.T) {
	ctx := context.Background()
	tsa := tsatest.Start(t)
	var down atomic.Bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), "POST", tsa.URL, r.Body)
		req.Header = r.Header.Clone()
		resp, err := tsa.HTTP.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, io.LimitReader(resp.Body, rfc3161.MaxSize))
	}))
	t.Cleanup(proxy.Close)
	e := newEnv(t, func(o *notary.Options) {
		o.TSA = &rfc3161.Client{URL: proxy.URL}
		o.TSARoots = tsa.Roots
	})
	recs := e.issue(t, 4)
	down.Store(true)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.log.Notarize(ctx); err == nil || !strings.Contains(err.Error(), "timestamp authority") {
		t.Fatalf("Notarize with the TSA down: %v", err)
	}
	if _, err := e.log.Checkpoint(ctx); attesta.ErrorCode(err) != attesta.NotFound {
		t.Fatalf("a checkpoint without its timestamp was published: %v", err)
	}
	down.Store(false)
	if err := e.log.Notarize(ctx); err != nil {
		t.Fatal(err)
	}
	cp, err := e.log.Checkpoint(ctx)
	if err != nil || len(cp.Timestamp) == 0 {
		t.Fatalf("published checkpoint %d with a token of %d bytes: %v", cp.Size, len(cp.Timestamp), err)
	}
	idx, _ := e.db.Credentials().LogIndex(ctx, recs[2].ID)
	r, err := e.log.Receipt(ctx, idx)
	if err != nil {
		t.Fatal(err)
	}
	policy := notary.ReceiptPolicy{LogKey: vkey(t, e.log), TSARoots: tsa.Roots}
	v, err := r.Verify(recs[2].ID, recs[2].Body, policy)
	if err != nil {
		t.Fatal(err)
	}
	if v.Timestamp == nil || v.Timestamp.GenTime.IsZero() {
		t.Fatal("no verified timestamp")
	}
	// A token over another checkpoint does not verify for this one.
	e.issue(t, 1)
	if _, err := e.log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.log.Notarize(ctx); err != nil {
		t.Fatal(err)
	}
	later, _ := e.log.Receipt(ctx, idx)
	swapped := *r
	swapped.Timestamp = later.Timestamp
	_, err = swapped.Verify(recs[2].ID, recs[2].Body, policy)
	refused(t, "a token of another checkpoint", err, "err.notary.receipt.timestamp", []any{})
	if !errors.Is(err, rfc3161.ErrImprintMismatch) {
		t.Errorf("a token of another checkpoint: %v", err)
	}
	// A receipt without a token fails for a verifier that requires one.
	bare := *r
	bare.Timestamp = nil
	_, err = bare.Verify(recs[2].ID, recs[2].Body, policy)
	refused(t, "a receipt without its token", err, "err.notary.receipt.notimestamp", []any{})
	// Roots that are not the TSA's do not verify it.
	_, err = r.Verify(recs[2].ID, recs[2].Body, notary.ReceiptPolicy{LogKey: policy.LogKey, TSARoots: x509.NewCertPool()})
	refused(t, "a token checked against other roots", err, "err.notary.receipt.timestamp", []any{})
	// A token that is not one.
	garbled := *r
	garbled.Timestamp = []byte("not DER")
	_, err = garbled.Verify(recs[2].ID, recs[2].Body, policy)
	refused(t, "a garbled token", err, "err.notary.receipt.timestamp", []any{})
}
