package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/internal/tlog/witness"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

// keysServer is a served attesta with the demo data, for the rotation
// tests: its database, options, handler and services.
type keysServer struct {
	db   Database
	opts Options
	srv  *Server
	now  time.Time
	mu   sync.Mutex
}

const keysAPIToken = "api-token"

func newKeysServer(t *testing.T) *keysServer {
	t.Helper()
	var logs bytes.Buffer
	ks := &keysServer{db: newDB(t), now: clock()}
	ks.opts = options(&logs)
	ks.opts.Clock = ks.clock
	ks.opts.APITokenSHA256 = api.HashToken(keysAPIToken)
	if err := Prepare(context.Background(), ks.db, ks.opts); err != nil {
		t.Fatal(err)
	}
	var err error
	if ks.srv, err = New(ks.db, ks.opts); err != nil {
		t.Fatal(err)
	}
	return ks
}

func (ks *keysServer) clock() time.Time {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.now
}

func (ks *keysServer) advance(d time.Duration) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.now = ks.now.Add(d)
}

// do sends a JSON request to the server.
func (ks *keysServer) do(t *testing.T, method, path, token string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body != nil {
		data, _ := json.Marshal(body)
		r = httptest.NewRequest(method, path, bytes.NewReader(data))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	ks.srv.ServeHTTP(rec, r)
	return rec
}

// issue issues a credential over the API and returns its verification
// method and body.
func (ks *keysServer) issue(t *testing.T) (vm string, body []byte) {
	t.Helper()
	rec := ks.do(t, "POST", "/api/v1/credentials", keysAPIToken, map[string]any{
		"issuer": "cciaa-milano", "sector": "meccatronica", "version": 1, "competence": "C7",
		"learner":  map[string]any{"identity": "studente-chiavi"},
		"decision": map[string]any{"date": "2026-06-25T00:00:00Z", "reference": "Verbale n. 9/2026"},
	})
	if rec.Code != 201 {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	var out struct {
		Credential struct {
			Proof struct {
				VerificationMethod string `json:"verificationMethod"`
			} `json:"proof"`
		} `json:"credential"`
		Raw json.RawMessage `json:"-"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	var raw struct {
		Credential json.RawMessage `json:"credential"`
	}
	json.Unmarshal(rec.Body.Bytes(), &raw)
	return out.Credential.Proof.VerificationMethod, raw.Credential
}

// token makes a read-write personal access token for a demo account.
func (ks *keysServer) token(t *testing.T, email, org string, role auth.Role) string {
	t.Helper()
	ctx := context.Background()
	p, err := ks.srv.Services().People.PrincipalByEmail(ctx, email, org, role)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := ks.srv.Services().Accounts.CreateToken(ctx, p, "chiavi", []auth.Scope{auth.ScopeRead, auth.ScopeWrite}, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// didDocument is the issuer's DID document as served.
func (ks *keysServer) didDocument(t *testing.T) []map[string]string {
	t.Helper()
	rec := ks.do(t, "GET", "/issuers/cciaa-milano/did.json", "", nil)
	var doc struct {
		VerificationMethod []map[string]string `json:"verificationMethod"`
		AssertionMethod    []string            `json:"assertionMethod"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != 200 {
		t.Fatalf("DID document: %d %s", rec.Code, rec.Body)
	}
	if len(doc.AssertionMethod) != len(doc.VerificationMethod) {
		t.Errorf("DID document: %d keys, %d assertion methods", len(doc.VerificationMethod), len(doc.AssertionMethod))
	}
	return doc.VerificationMethod
}

// A rotation reaches a running server without a restart: made by another
// process on the same database (the command line), or through the server's
// own route by the Chamber's operator, the next credential is signed with
// the new key, and the DID document lists every key, the retired ones with
// their end.
func TestRotationReachesARunningServer(t *testing.T) {
	ctx := context.Background()
	ks := newKeysServer(t)
	vm1, _ := ks.issue(t)

	// attesta issuer rotate: another process, its own services.
	ks.advance(time.Minute)
	cli, err := NewServices(ks.db, ks.opts)
	if err != nil {
		t.Fatal(err)
	}
	nationalBody := &auth.Principal{Person: "cli", Name: "cli:test", Membership: auth.Membership{Role: auth.NationalAdmin, OrgKind: auth.National}}
	k2, err := cli.Issuers.Rotate(ctx, nationalBody, "cciaa-milano", issuer.Rotation{Reason: "rotazione periodica"})
	if err != nil {
		t.Fatal(err)
	}
	vm2, _ := ks.issue(t)
	if vm2 != k2.VerificationMethod || vm2 == vm1 {
		t.Errorf("after a rotation by another process the server signs with %s, want the new key %s", vm2, k2.VerificationMethod)
	}

	// Through the server, by the Chamber's operator.
	ks.advance(time.Minute)
	operator := ks.token(t, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if rec := ks.do(t, "POST", "/api/v1/issuers/cciaa-milano/keys", operator, map[string]any{}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "reason: the reason for replacing the key is required") {
		t.Errorf("a rotation without a reason: %d %s", rec.Code, rec.Body)
	}
	turin := ks.token(t, "operatore@to.example", "cciaa-torino", auth.ChamberOperator)
	if rec := ks.do(t, "POST", "/api/v1/issuers/cciaa-milano/keys", turin, map[string]any{"reason": "prova"}); rec.Code != 404 {
		t.Errorf("another Chamber's operator rotates Milan's key: %d %s", rec.Code, rec.Body)
	}
	rec := ks.do(t, "POST", "/api/v1/issuers/cciaa-milano/keys", operator, map[string]any{"reason": "rotazione annuale"})
	if rec.Code != 201 || rec.Header().Get("Location") != "/issuers/cciaa-milano/did.json" {
		t.Fatalf("rotate through the server: %d %s", rec.Code, rec.Body)
	}
	var out struct {
		Key struct{ ID string } `json:"key"`
	}
	json.Unmarshal(rec.Body.Bytes(), &out)
	if vm3, _ := ks.issue(t); vm3 != out.Key.ID || vm3 == vm2 {
		t.Errorf("after a rotation through the server it signs with %s, want %s", vm3, out.Key.ID)
	}
	doc := ks.didDocument(t)
	want := []map[string]string{
		{"id": vm1, "expires": "2026-11-02T10:01:00Z"},
		{"id": vm2, "expires": "2026-11-02T10:02:00Z"},
		{"id": out.Key.ID},
	}
	if len(doc) != len(want) {
		t.Fatalf("DID document keys: %v", doc)
	}
	for i, w := range want {
		if doc[i]["id"] != w["id"] || doc[i]["expires"] != w["expires"] || doc[i]["revoked"] != "" {
			t.Errorf("DID document key %d: %v, want %v", i+1, doc[i], w)
		}
	}
	// Both rotations are in the audit trail, with who and why.
	admin, _ := ks.srv.Services().People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	rec = ks.do(t, "GET", "/api/v1/audit?action=issuer.rotate", ks.token(t, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin), nil)
	if admin == nil || rec.Code != 200 || strings.Count(rec.Body.String(), `"action": "issuer.rotate"`) != 2 ||
		!strings.Contains(rec.Body.String(), "rotazione annuale") || !strings.Contains(rec.Body.String(), `"actor_name": "cli:test"`) {
		t.Errorf("the audit trail of the rotations: %d %s", rec.Code, rec.Body)
	}
}

// startWitness serves a witness that cosigns at the time of clock.
func startWitness(t *testing.T, clock func() time.Time) (*witness.Witness, notary.Witness) {
	t.Helper()
	_, key, _ := ed25519.GenerateKey(nil)
	cosigner, err := checkpoint.CosignerFor("cciaa-torino.example/witness", key)
	if err != nil {
		t.Fatal(err)
	}
	w := &witness.Witness{Cosigner: cosigner, Store: &witness.MemoryStore{}, Logs: map[string][]checkpoint.Verifier{},
		Clock: clock, Logger: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(w.Handler())
	t.Cleanup(ts.Close)
	return w, notary.Witness{URL: ts.URL, Key: cosigner.Verifier()}
}

// A compromised key's end in the past between two issuances: the
// credential logged before it still verifies — proven by the witness's
// cosignature of the first checkpoint that includes it, online and offline
// with its receipt — and the one logged after does not; nor does a forgery
// with the key, whatever date its proof says. The DID document says the
// key was revoked, and the new key signs.
func TestCompromisedKeyEndsInThePast(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	db := newDB(t)
	now := clock()
	var mu sync.Mutex
	at := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	w, wcfg := startWitness(t, at)
	opts := options(&logs)
	opts.Clock, opts.Witnesses, opts.WitnessQuorum = at, []notary.Witness{wcfg}, 1
	if err := Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	svc, err := NewServices(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	logKey, err := svc.Log.VerifierKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := checkpoint.ParseVerifierKey(logKey)
	w.Logs[v.Name()] = []checkpoint.Verifier{v}
	issue := func() credential.Record {
		t.Helper()
		rec, err := svc.Credentials.Issue(ctx, credential.Actor{Name: "test"}, credential.IssueRequest{
			IssuerID: "cciaa-milano", Sector: "meccatronica", Version: 1, Competence: "C1",
			Learner:  credential.Learner{Identity: "studente-compromesso"},
			Decision: credential.Decision{Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC), Reference: "Verbale n. 7/2026"},
		})
		if err != nil {
			t.Fatal(err)
		}
		// Logged, then sequenced and cosigned a minute later.
		advance(time.Minute)
		if _, err := svc.Log.SequenceAll(ctx); err != nil {
			t.Fatal(err)
		}
		if err := svc.Log.Notarize(ctx); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	honest := issue() // 10:00, cosigned 10:01
	advance(time.Hour)
	late := issue() // 11:01, cosigned 11:02
	signer, err := svc.Issuers.Signer(ctx, "cciaa-milano")
	if err != nil {
		t.Fatal(err)
	}
	stolen := signer.VerificationMethod
	advance(time.Hour)

	// 12:02: the Chamber finds its key was stolen at 10:30.
	since := clock().Add(30 * time.Minute)
	operator, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Issuers.Rotate(ctx, operator, "cciaa-milano", issuer.Rotation{Reason: "chiave sottratta", CompromisedSince: at().Add(time.Hour)}); err == nil {
		t.Fatal("a compromise said to begin in the future was accepted")
	}
	if _, err := svc.Issuers.Rotate(ctx, operator, "cciaa-milano", issuer.Rotation{Reason: "chiave sottratta", CompromisedSince: since}); err != nil {
		t.Fatal(err)
	}
	after := issue()

	// Online: the server's verifier, with its own log.
	keyCheck := func(rep *credential.Report) credential.Check {
		c, _ := rep.Check(credential.CheckKey)
		return c
	}
	rep := svc.Verifier.Verify(ctx, honest.Body)
	if c := keyCheck(rep); !rep.Verified || c.Outcome != credential.Pass || c.Reason.Key != "verify.key.witnessed" ||
		!strings.Contains(c.Reason.EN, "The signing key was revoked as compromised on 2 November 2026, 11:30:00; the credential was in the transparency log by 2 November 2026, 11:01:00") {
		t.Errorf("the credential logged before the end: verified=%t %+v", rep.Verified, c)
	}
	rep = svc.Verifier.Verify(ctx, late.Body)
	if c := keyCheck(rep); rep.Verified || c.Outcome != credential.Fail || c.Reason.Key != "verify.key.after" {
		t.Errorf("the credential logged after the end: verified=%t %+v", rep.Verified, c)
	}
	if rep := svc.Verifier.Verify(ctx, after.Body); !rep.Verified {
		t.Errorf("a credential of the new key: %+v", rep.Checks)
	}
	if _, ok := svc.Verifier.Verify(ctx, after.Body).Check(credential.CheckKey); ok {
		t.Error("a credential of the current key has a key check")
	}

	// Offline, with each credential's first receipt, pinning the log's and
	// the witness's keys: the receipt's cosignature proves the time.
	policy := notary.ReceiptPolicy{LogKey: logKey, Witnesses: []string{wcfg.Key.String()}, Quorum: 1}
	offline := *svc.Verifier
	receipts := func(rec credential.Record) (first, latest *notary.Receipt) {
		t.Helper()
		idx, err := db.Credentials().LogIndex(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if first, err = svc.Log.FirstReceipt(ctx, idx); err != nil {
			t.Fatal(err)
		}
		if latest, err = svc.Log.Receipt(ctx, idx); err != nil {
			t.Fatal(err)
		}
		return first, latest
	}
	first, latest := receipts(honest)
	if first.Checkpoint == latest.Checkpoint {
		t.Error("the first receipt of the first credential is against the latest checkpoint")
	}
	offline.Notary = receiptSource{first, policy}
	if rep := offline.Verify(ctx, honest.Body); !rep.Verified || keyCheck(rep).Reason.Key != "verify.key.witnessed" {
		t.Errorf("the credential logged before the end, offline with its first receipt: verified=%t %+v", rep.Verified, keyCheck(rep))
	}
	// A receipt against a later checkpoint proves only a later time.
	offline.Notary = receiptSource{latest, policy}
	if rep := offline.Verify(ctx, honest.Body); rep.Verified || keyCheck(rep).Outcome != credential.Skip || keyCheck(rep).Reason.Key != "verify.key.unproven" {
		t.Errorf("the credential logged before the end, offline with a later receipt: verified=%t %+v", rep.Verified, keyCheck(rep))
	}
	first, _ = receipts(late)
	offline.Notary = receiptSource{first, policy}
	if rep := offline.Verify(ctx, late.Body); rep.Verified || keyCheck(rep).Reason.Key != "verify.key.after" {
		t.Errorf("the credential logged after the end, offline: verified=%t %+v", rep.Verified, keyCheck(rep))
	}

	// Forgeries with the stolen key: not in the log, whatever their date.
	var doc map[string]any
	json.Unmarshal(honest.Body, &doc)
	delete(doc, "proof")
	doc["id"] = "urn:uuid:00000000-0000-4000-8000-0000000f0e9e"
	unsigned, _ := json.Marshal(doc)
	suite, _ := credential.NewSuite()
	for _, created := range []time.Time{clock(), at()} {
		forged, err := suite.Sign(unsigned, signer, dataintegrity.Options{Cryptosuite: dataintegrity.EdDSARDFC2022, VerificationMethod: stolen, Created: created})
		if err != nil {
			t.Fatal(err)
		}
		rep := svc.Verifier.Verify(ctx, forged)
		want := "verify.key.unproven"
		if created.After(since) {
			want = "verify.key.after"
		}
		if c := keyCheck(rep); rep.Verified || c.Reason.Key != want {
			t.Errorf("a forgery dated %s: verified=%t %+v", created, rep.Verified, c)
		}
	}

	// The DID document: the stolen key revoked since the compromise.
	d, err := svc.Issuers.Document(ctx, "cciaa-milano")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.VerificationMethod) != 2 || d.VerificationMethod[0].Revoked != "2026-11-02T10:30:00Z" || d.VerificationMethod[0].Expires != "" ||
		d.VerificationMethod[1].Revoked != "" || d.VerificationMethod[1].Expires != "" {
		t.Errorf("DID document after the compromise: %+v", d.VerificationMethod)
	}
}

// receiptSource is a verifier's notary source from one receipt, as the
// command line's --receipt.
type receiptSource struct {
	r *notary.Receipt
	p notary.ReceiptPolicy
}

func (s receiptSource) Notarization(_ context.Context, id string, body []byte) (credential.Notarization, error) {
	v, err := s.r.Verify(id, body, s.p)
	if err != nil {
		return credential.Notarization{}, err
	}
	return credential.Notarization{Known: true, Origin: v.Origin, LeafIndex: v.LeafIndex, Size: v.Size, Witnesses: v.Witnesses,
		Witnessed: v.Witnessed, Logged: v.Entry.Time}, nil
}
