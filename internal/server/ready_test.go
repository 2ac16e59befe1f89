package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attesta/attesta/issuer"
)

// A server whose key-encryption key does not open every key sealed in its
// database is not ready: built on such a database, or after another
// process (configured with another key) sealed a key in it.
func TestReadinessChecksTheKeyEncryptionKey(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	db := newDB(t)
	opts := options(&logs)
	if err := Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	srv, err := New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	readyz := func(srv *Server) (int, string) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := readyz(srv); code != 200 || body != "ready\n" {
		t.Fatalf("readyz: %d %q", code, body)
	}

	// Served with another key-encryption key without Prepare's check.
	wrong := opts
	wrong.KEK, _, _ = issuer.GenerateKeyEncryptionKey()
	unchecked, err := New(db, wrong)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := readyz(unchecked); code != http.StatusServiceUnavailable || !strings.Contains(body, "key-encryption key") {
		t.Errorf("readyz with another key-encryption key: %d %q, want 503", code, body)
	}

	// Another process, with another key, seals a key in the database: the
	// running server cannot sign with it, and says it is not ready.
	other, err := issuer.NewService(db.Issuers(), issuer.Options{PublicURL: opts.PublicURL, KEK: wrong.KEK, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Create(ctx, "cciaa-roma", issuer.Profile{Name: "CCIAA Roma", Address: issuer.Address{Region: "Lazio", CountryCode: "IT"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Signer(ctx, "cciaa-roma"); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Services().Issuers.Signer(ctx, "cciaa-roma"); err == nil {
		t.Fatal("the server signs with a key sealed with another key-encryption key")
	}
	if code, body := readyz(srv); code != http.StatusServiceUnavailable {
		t.Errorf("readyz after another process sealed a key with another key-encryption key: %d %q, want 503", code, body)
	}
	if !strings.Contains(logs.String(), "key 1 of cciaa-roma (sealed with "+wrong.KEK.ID()+")") {
		t.Errorf("the log does not say which key:\n%s", logs.String())
	}
}
