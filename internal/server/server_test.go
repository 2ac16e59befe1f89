package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
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
	national := &auth.Principal{Person: "p", Membership: auth.Membership{Role: auth.NationalAdmin}}
	infos, err := competence.NewService(db.Standards(), clock).Versions(context.Background(), national)
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
	z, err := db.Log().Sizes(ctx)
	n := z.Entries
	// 6 credentials (one a commission's badge, one a course's tutor
	// badge), 1 suspension, 1 revocation, 1 dossier locked, 1 session's
	// minutes.
	if err != nil || n != 10 {
		t.Fatalf("log has %d entries, %v; want 10", n, err)
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
	if kinds[notary.Issue] != 6 || kinds[notary.Suspend] != 1 || kinds[notary.Revoke] != 1 || kinds[notary.Dossier] != 1 || kinds[notary.Minutes] != 1 {
		t.Errorf("entry kinds %v", kinds)
	}
}

// The verifier reports the notarization check from this attesta's own log:
// pending until the checkpoint, then proven; for a JWT too; and a credential
// signed with a registered issuer's key outside attesta fails it.
func TestVerifierReportsNotarization(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	db := newDB(t)
	opts := options(&logs)
	opts.NoDemo = true
	if err := Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	svc, err := NewServices(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := competence.Bundled()
	if _, err := svc.Standards.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Issuers.Create(ctx, "cciaa-milano", issuer.Profile{Name: "CCIAA Milano", Address: issuer.Address{Region: "Lombardia", CountryCode: "IT"}}); err != nil {
		t.Fatal(err)
	}
	issue := func(format credential.Format) credential.Record {
		rec, err := svc.Credentials.Issue(ctx, credential.Actor{Name: "test"}, credential.IssueRequest{
			IssuerID: "cciaa-milano", Sector: "meccatronica", Version: 1, Competence: "C1", Format: format,
			Learner:  credential.Learner{Identity: "studente-n"},
			Decision: credential.Decision{Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC), Reference: "Verbale n. 5/2026"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	notarization := func(body []byte) (credential.Check, bool) {
		r := svc.Verifier.Verify(ctx, body)
		c, ok := r.Check(credential.CheckNotarization)
		return c, ok
	}
	rec := issue(credential.RDFC)
	if c, ok := notarization(rec.Body); !ok || c.Outcome != credential.Pass || c.Reason.Key != "verify.notary.pending" {
		t.Errorf("before the checkpoint: %+v", c)
	}
	jwt := issue(credential.JWT)
	if _, err := svc.Log.SequenceAll(ctx); err != nil {
		t.Fatal(err)
	}
	if c, ok := notarization(rec.Body); !ok || c.Outcome != credential.Pass || c.Detail != "entry 0 of attesta.example/log, proven in the checkpoint of size 2" {
		t.Errorf("after the checkpoint: %+v", c)
	}
	if c, ok := notarization(jwt.Body); !ok || c.Outcome != credential.Pass || !strings.Contains(c.Detail, "entry 1 of") {
		t.Errorf("a JWT: %+v", c)
	}
	// Signed with the issuer's key but not through attesta: not in the log.
	var doc map[string]any
	json.Unmarshal(rec.Body, &doc)
	delete(doc, "proof")
	doc["id"] = "urn:uuid:00000000-0000-4000-8000-00000000beef"
	unsigned, _ := json.Marshal(doc)
	signer, err := svc.Issuers.Signer(ctx, "cciaa-milano")
	if err != nil {
		t.Fatal(err)
	}
	suite, _ := credential.NewSuite()
	forged, err := suite.Sign(unsigned, signer, dataintegrity.Options{Cryptosuite: dataintegrity.EdDSARDFC2022, VerificationMethod: signer.VerificationMethod, Created: clock()})
	if err != nil {
		t.Fatal(err)
	}
	r := svc.Verifier.Verify(ctx, forged)
	c, ok := r.Check(credential.CheckNotarization)
	if p, _ := r.Check(credential.CheckProof); p.Outcome != credential.Pass {
		t.Fatalf("the forged credential's proof: %+v", p)
	}
	if !ok || c.Outcome != credential.Fail || c.Reason.Key != "verify.notary.unknown" || r.Verified {
		t.Errorf("a credential signed outside attesta: %+v verified=%t", c, r.Verified)
	}
}

// TestPrepareRecordsPublicURL: each start records the public URL it serves
// at, where the command line finds it (RecordedPublicURL).
func TestPrepareRecordsPublicURL(t *testing.T) {
	ctx := context.Background()
	var log bytes.Buffer
	db := newDB(t)
	if _, _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := RecordedPublicURL(ctx, db); ok || err != nil {
		t.Fatalf("before any start: %v %v", ok, err)
	}
	opts := options(&log)
	for _, u := range []string{"https://attesta.example", "https://competenze.example"} {
		opts.PublicURL = u
		if err := Prepare(ctx, db, opts); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := RecordedPublicURL(ctx, db); got != u || !ok || err != nil {
			t.Errorf("after a start at %s: %q %v %v", u, got, ok, err)
		}
	}
}
