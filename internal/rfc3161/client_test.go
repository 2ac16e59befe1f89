package rfc3161

import (
	"context"
	"crypto"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestClientHTTP checks the client's handling of HTTP without a TSA: the
// request it sends, and replies it must refuse.
func TestClientHTTP(t *testing.T) {
	resp, digest, _ := golden(t)
	var reply func(w http.ResponseWriter)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/timestamp-query" ||
			r.Header.Get("Accept") != "application/timestamp-reply" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		reply(w)
	}))
	defer srv.Close()
	c := &Client{URL: srv.URL, HTTP: srv.Client()}

	for _, tc := range []struct {
		name  string
		reply func(w http.ResponseWriter)
		want  string
		is    error
	}{
		{"server error", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusInternalServerError) },
			"timestamp: TSA replied 500 Internal Server Error", nil},
		{"content type", func(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/plain"); w.Write(resp) },
			`timestamp: TSA replied with content type "text/plain", want application/timestamp-reply`, nil},
		{"too large", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/timestamp-reply")
			w.Write(make([]byte, MaxSize+1))
		}, "timestamp: reply larger than 65536 bytes", nil},
		{"not DER", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/timestamp-reply")
			w.Write([]byte("<html>"))
		}, "timestamp: malformed response: truncated element", ErrMalformed},
		{"replayed token", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/timestamp-reply; charset=binary")
			w.Write(resp)
		}, "timestamp: nonce does not match: the reply has ", ErrNonceMismatch},
		{"refusal", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/timestamp-reply")
			w.Write([]byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05})
		}, "timestamp: TSA returned status revocationNotification", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reply = tc.reply
			_, err := c.Timestamp(context.Background(), digest)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}

	var se *StatusError
	if _, err := c.Timestamp(context.Background(), digest); !errors.As(err, &se) || se.Status != RevocationNotification {
		t.Errorf("got %v, want a *StatusError", err)
	}
	if _, err := (&Client{URL: srv.URL, Hash: crypto.SHA1}).Timestamp(context.Background(), digest[:20]); err == nil {
		t.Error("SHA-1: no error")
	}
	if _, err := (&Client{URL: srv.URL, Hash: crypto.SHA384}).Timestamp(context.Background(), digest); err == nil {
		t.Error("SHA-256 digest with Hash SHA-384: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Timestamp(ctx, digest); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: got %v", err)
	}
}
