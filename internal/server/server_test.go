package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/demo"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/sqlite"
)

func clock() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }

func newDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "attesta.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// testKEK is the key-encryption key of every test database: a database
// prepared with one options value and served with another must open its keys.
var testKEK, _, _ = issuer.GenerateKeyEncryptionKey()

func options(log *bytes.Buffer) Options {
	return Options{Version: "test", Log: slog.New(slog.NewTextHandler(log, nil)), Clock: clock, ShutdownTimeout: time.Second,
		PublicURL: "https://attesta.example", KEK: testKEK}
}

func sectors(t *testing.T, db Database) int {
	t.Helper()
	infos, err := competence.NewService(db.Standards(), clock).Versions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(infos)
}

func TestPrepareLoadsTheDatasetOnlyIntoANewDatabase(t *testing.T) {
	ctx := context.Background()
	var log bytes.Buffer
	db := newDB(t)
	if err := Prepare(ctx, db, options(&log)); err != nil {
		t.Fatal(err)
	}
	if n := sectors(t, db); n != 6 {
		t.Fatalf("%d standard versions after first start, want the 6 bundled", n)
	}
	if err := Prepare(ctx, db, options(&log)); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if strings.Count(log.String(), "loaded the bundled standards") != 1 {
		t.Errorf("dataset loaded more than once:\n%s", log.String())
	}
}

func TestPrepareNoDemoLeavesTheDatabaseEmpty(t *testing.T) {
	ctx := context.Background()
	var log bytes.Buffer
	db := newDB(t)
	opts := options(&log)
	opts.NoDemo = true
	if err := Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	if n := sectors(t, db); n != 0 {
		t.Fatalf("%d standard versions with NoDemo", n)
	}
	// A later start without NoDemo does not fill a database that was
	// deliberately left empty.
	if err := Prepare(ctx, db, options(&log)); err != nil {
		t.Fatal(err)
	}
	if n := sectors(t, db); n != 0 {
		t.Fatalf("%d standard versions after restarting a NoDemo database", n)
	}
}

func TestReadiness(t *testing.T) {
	var log bytes.Buffer
	db := newDB(t) // not migrated
	srv, err := New(db, options(&log))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) int {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code
	}
	if code := get("/healthz"); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	if code := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("readyz on an unmigrated database: %d, want 503", code)
	}
	if err := Prepare(context.Background(), db, options(&log)); err != nil {
		t.Fatal(err)
	}
	if code := get("/readyz"); code != 200 {
		t.Errorf("readyz after migrating: %d", code)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	var log bytes.Buffer
	db := newDB(t)
	if err := Prepare(context.Background(), db, options(&log)); err != nil {
		t.Fatal(err)
	}
	srv, err := New(db, options(&log))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/sectors/nessuno", "/api/v1/sectors", "/static/attesta.css", "/no/such/route", "/metrics"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		h := rec.Header()
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}

func TestPanicBecomes500AndIsLogged(t *testing.T) {
	var log bytes.Buffer
	s := &Server{opts: options(&log)}
	h := s.recover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("%d %q", rec.Code, rec.Body.String())
	}
	if !strings.Contains(log.String(), "panic serving request") || !strings.Contains(log.String(), "boom") {
		t.Errorf("log: %s", log.String())
	}
}

func TestRequestBodiesAreLimited(t *testing.T) {
	var log bytes.Buffer
	s := &Server{opts: options(&log)}
	s.opts.MaxBodyBytes = 10
	var readErr error
	h := s.secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, readErr = r.Body.Read(make([]byte, 100))
		_, readErr = r.Body.Read(make([]byte, 100))
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/x", strings.NewReader(strings.Repeat("a", 100))))
	if readErr == nil || !strings.Contains(readErr.Error(), "too large") {
		t.Errorf("reading an oversized body: %v", readErr)
	}
}

// The transparency log holds no personal data: after the demo is loaded,
// no entry contains a learner's identifier, a credential id or any text of
// a credential — only kinds, times and digests.
func TestLogHoldsNoPersonalData(t *testing.T) {
	ctx := context.Background()
	var log bytes.Buffer
	db := newDB(t)
	if err := Prepare(ctx, db, options(&log)); err != nil {
		t.Fatal(err)
	}
	n, _, err := db.Log().Sizes(ctx)
	if err != nil || n != 6 { // 4 credentials, 1 suspension, 1 revocation
		t.Fatalf("log has %d entries, %v; want 6", n, err)
	}
	entries, err := db.Log().Entries(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := append([]string{"studente", "Giulia", "Verbale", "cciaa", "urn:uuid", "sha256$"}, demo.Learners...)
	kinds := map[notary.Kind]int{}
	for i, e := range entries {
		parsed, err := notary.ParseEntry(e)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		kinds[parsed.Kind]++
		for _, f := range forbidden {
			if bytes.Contains(bytes.ToLower(e), bytes.ToLower([]byte(f))) {
				t.Errorf("entry %d contains %q", i, f)
			}
		}
	}
	if kinds[notary.Issue] != 4 || kinds[notary.Suspend] != 1 || kinds[notary.Revoke] != 1 {
		t.Errorf("entry kinds %v", kinds)
	}
}
