package credential_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/sqlite"
)

type env struct {
	db       *sqlite.DB
	path     string
	kek      *issuer.KeyEncryptionKey
	issuers  *issuer.Service
	creds    *credential.Service
	verifier *credential.Verifier
	now      time.Time
}

var operator = credential.Actor{Name: "operatore@cciaa-milano"}

// admin is the national body, which may rotate any issuer's keys.
var admin = &auth.Principal{Person: "admin", Name: "Amministratore", Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{path: filepath.Join(t.TempDir(), "attesta.db"), now: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return e.now }
	db, err := sqlite.Open(ctx, e.path, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e.db = db
	standards := competence.NewService(db.Standards(), clock)
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := standards.Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	if e.kek, _, err = issuer.GenerateKeyEncryptionKey(); err != nil {
		t.Fatal(err)
	}
	e.issuers, err = issuer.NewService(db.Issuers(), issuer.Options{PublicURL: "https://attesta.example", KEK: e.kek, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"cciaa-milano", "cciaa-torino"} {
		if _, err := e.issuers.Create(ctx, id, issuer.Profile{Name: "Camera di Commercio " + id,
			Address: issuer.Address{Region: "Lombardia", CountryCode: "IT"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.issuers.CreateService(ctx, "vc-api", "attesta VC-API"); err != nil {
		t.Fatal(err)
	}
	suite, err := credential.NewSuite()
	if err != nil {
		t.Fatal(err)
	}
	e.creds = credential.NewService(db.Credentials(), e.issuers, standards, credential.ServiceOptions{
		Suite: suite, BaseURL: "https://attesta.example", TitleHolder: credential.Party{Name: "Unioncamere"}, Clock: clock,
		GenericIssuer: "vc-api",
	})
	e.verifier = &credential.Verifier{Suite: suite, Registry: e.issuers, Status: e.creds, Clock: clock, JWT: &credential.JWTVerifier{}}
	return e
}

func request(issuerID string, format credential.Format) credential.IssueRequest {
	return credential.IssueRequest{
		IssuerID: issuerID, Sector: "meccatronica", Version: 1, Competence: "C1",
		Learner:  credential.Learner{Identity: "studente-0042"},
		Results:  []credential.Result{{Name: "Test online", Type: "Percent", Min: "0", Max: "100", Value: "81"}},
		Decision: credential.Decision{Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC), Reference: "Verbale n. 3/2026"},
		Format:   format,
	}
}

func (e *env) issue(t *testing.T, format credential.Format) credential.Record {
	t.Helper()
	rec, err := e.creds.Issue(context.Background(), operator, request("cciaa-milano", format))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func check(t *testing.T, rep *credential.Report, id credential.CheckID, want credential.Outcome) credential.Check {
	t.Helper()
	c, ok := rep.Check(id)
	if !ok || c.Outcome != want {
		t.Fatalf("check %s = %+v, want %s; all: %+v", id, c, want, rep.Checks)
	}
	return c
}

func TestIssueThenRevoke(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, f := range []credential.Format{credential.RDFC, credential.JCS, credential.JWT} {
		rec := e.issue(t, f)
		rep := e.verifier.Verify(ctx, rec.Body)
		if !rep.Verified || !rep.Trusted {
			t.Fatalf("%s: fresh credential: %+v", f, rep.Checks)
		}
		check(t, rep, credential.CheckIssuer, credential.Pass)

		const reason = "Rilasciata per errore"
		if _, err := e.creds.ChangeStatus(ctx, operator, rec.ID, credential.Revoke, reason); err != nil {
			t.Fatal(err)
		}
		rep = e.verifier.Verify(ctx, rec.Body)
		c := check(t, rep, credential.CheckStatus, credential.Fail)
		if rep.Verified || !rep.Revoked || !strings.Contains(c.Reason.IT, reason) || c.Reason.Key != "verify.status.revoked" {
			t.Errorf("%s: after revocation: verified=%t revoked=%t reason=%+v", f, rep.Verified, rep.Revoked, c.Reason)
		}
		evs, err := e.creds.Events(ctx, operator, rec.ID)
		if err != nil || len(evs) != 1 || evs[0].Action != credential.Revoke || evs[0].Actor != operator.Name || evs[0].Reason != reason {
			t.Errorf("%s: audit trail %+v, %v", f, evs, err)
		}
	}
}

func TestSuspendAndReinstate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := e.issue(t, credential.RDFC)
	if _, err := e.creds.ChangeStatus(ctx, operator, rec.ID, credential.Suspend, "Verifica del dossier"); err != nil {
		t.Fatal(err)
	}
	rep := e.verifier.Verify(ctx, rec.Body)
	check(t, rep, credential.CheckStatus, credential.Fail)
	if !rep.Suspended || rep.Revoked {
		t.Errorf("suspended=%t revoked=%t", rep.Suspended, rep.Revoked)
	}
	if _, err := e.creds.ChangeStatus(ctx, operator, rec.ID, credential.Reinstate, "Dossier verificato"); err != nil {
		t.Fatal(err)
	}
	if rep := e.verifier.Verify(ctx, rec.Body); !rep.Verified {
		t.Errorf("reinstated credential does not verify: %+v", rep.Checks)
	}

	// Transitions that are not allowed change nothing.
	rules := []struct {
		action credential.Action
		reason string
		code   attesta.Code
	}{
		{credential.Reinstate, "non sospesa", attesta.Conflict},
		{credential.Suspend, "", attesta.Invalid},
		{credential.Suspend, strings.Repeat("x", credential.MaxReason+1), attesta.Invalid},
		{"cancel", "motivo", attesta.Invalid},
	}
	for _, r := range rules {
		if _, err := e.creds.ChangeStatus(ctx, operator, rec.ID, r.action, r.reason); attesta.ErrorCode(err) != r.code {
			t.Errorf("%s %q: %v, want %s", r.action, r.reason, err, r.code)
		}
	}
	e.creds.ChangeStatus(ctx, operator, rec.ID, credential.Revoke, "Revocata")
	for _, a := range []credential.Action{credential.Reinstate, credential.Suspend, credential.Revoke} {
		if _, err := e.creds.ChangeStatus(ctx, operator, rec.ID, a, "dopo la revoca"); attesta.ErrorCode(err) != attesta.Conflict {
			t.Errorf("%s after revocation: %v, want a conflict", a, err)
		}
	}
	evs, _ := e.creds.Events(ctx, operator, rec.ID)
	if len(evs) != 3 {
		t.Errorf("audit trail has %d events, want suspend, reinstate, revoke: %+v", len(evs), evs)
	}
}

// Concurrent issuance never gives two credentials the same status position.
func TestConcurrentIssuanceUniquePositions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 60
	var mu sync.Mutex
	seen := map[credential.Position]string{}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			iss := []string{"cciaa-milano", "cciaa-torino"}[i%2]
			rec, err := e.creds.Issue(ctx, operator, request(iss, credential.RDFC))
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			pos := credential.Position{List: rec.List, Index: rec.Index}
			if other, dup := seen[pos]; dup && strings.HasPrefix(other, iss) {
				errs <- fmt.Errorf("position given twice: %s and %s", other, rec.ID)
			}
			seen[pos] = iss + " " + rec.ID
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestStatusListCredential(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, b := e.issue(t, credential.RDFC), e.issue(t, credential.RDFC)
	first, err := e.creds.StatusListCredential(ctx, "cciaa-milano", 1, statuslist.Revocation)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := e.creds.StatusListCredential(ctx, "cciaa-milano", 1, statuslist.Revocation)
	if !bytes.Equal(first.Body, again.Body) {
		t.Error("an unchanged list was signed again")
	}
	e.now = e.now.Add(time.Hour)
	e.creds.ChangeStatus(ctx, operator, a.ID, credential.Revoke, "Errore materiale")
	list, err := e.creds.StatusListCredential(ctx, "cciaa-milano", 1, statuslist.Revocation)
	if err != nil {
		t.Fatal(err)
	}
	if list.Version <= first.Version || bytes.Equal(list.Body, first.Body) {
		t.Fatal("the list was not re-signed after a revocation")
	}
	rep := e.verifier.Verify(ctx, list.Body)
	if c, _ := rep.Check(credential.CheckProof); c.Outcome != credential.Pass {
		t.Errorf("status list credential proof: %+v", c)
	}
	var doc struct {
		ID                string `json:"id"`
		CredentialSubject struct{ EncodedList, StatusPurpose string }
	}
	json.Unmarshal(list.Body, &doc)
	bits, err := statuslist.Decode(doc.CredentialSubject.EncodedList)
	if err != nil {
		t.Fatal(err)
	}
	if set, _ := bits.Get(a.Index); !set {
		t.Error("the revoked credential's bit is not set")
	}
	if set, _ := bits.Get(b.Index); set {
		t.Error("a valid credential's bit is set")
	}
	if doc.ID != credential.StatusListURL("https://attesta.example", "cciaa-milano", 1, statuslist.Revocation) || doc.CredentialSubject.StatusPurpose != "revocation" {
		t.Errorf("list id %s purpose %s", doc.ID, doc.CredentialSubject.StatusPurpose)
	}
	if _, err := e.creds.StatusListCredential(ctx, "cciaa-milano", 1, "message"); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("unknown purpose: %v", err)
	}
}

// Keys on disk cannot be read without the key-encryption key.
func TestKeysSealedAtRest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.issue(t, credential.RDFC)
	keys, err := e.db.Issuers().Keys(ctx, "cciaa-milano")
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	seed, err := e.kek.Open(keys[0].Sealed, keys[0].VerificationMethod)
	if err != nil {
		t.Fatal(err)
	}
	e.db.Close()
	for _, name := range []string{e.path, e.path + "-wal"} {
		data, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		if bytes.Contains(data, seed) {
			t.Errorf("%s holds the private key in clear", name)
		}
	}
	other, _, _ := issuer.GenerateKeyEncryptionKey()
	if _, err := other.Open(keys[0].Sealed, keys[0].VerificationMethod); err == nil || !strings.Contains(err.Error(), "wrong key-encryption key") {
		t.Errorf("another key-encryption key opened the key: %v", err)
	}
	if _, err := e.kek.Open(keys[0].Sealed, "did:web:elsewhere#key"); err == nil {
		t.Error("a sealed key opened for another verification method")
	}
}

// ownLog stands for attesta's own log, as a NotarySource: each credential
// it holds was appended when it was issued, and is pending.
type ownLog map[string]time.Time

func (l ownLog) Notarization(_ context.Context, id string, _ []byte) (credential.Notarization, error) {
	t, ok := l[id]
	if !ok {
		return credential.Notarization{}, nil
	}
	return credential.Notarization{Known: true, Pending: true, Own: true, Logged: t}, nil
}

// A rotation keeps the credentials signed before it valid, as the log
// proves they were logged before the retired key's end; without the log,
// that is unproven.
func TestRotationKeepsEarlierCredentialsValid(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before := e.issue(t, credential.RDFC)
	e.now = e.now.Add(time.Hour)
	if _, err := e.issuers.Rotate(ctx, admin, "cciaa-milano", issuer.Rotation{Reason: "rotazione periodica"}); err != nil {
		t.Fatal(err)
	}
	after := e.issue(t, credential.RDFC)
	v := *e.verifier
	v.Notary = ownLog{before.ID: before.IssuedAt, after.ID: after.IssuedAt}
	for _, rec := range []credential.Record{before, after} {
		if rep := v.Verify(ctx, rec.Body); !rep.Verified {
			t.Errorf("%s after rotation: %+v", rec.ID, rep.Checks)
		}
	}
	c := check(t, v.Verify(ctx, before.Body), credential.CheckKey, credential.Pass)
	if c.Reason.Key != "verify.key.logged" || !strings.Contains(c.Reason.EN, "The signing key was retired on 1 July 2026, 12:00:00; the credential was recorded in the transparency log on 1 July 2026, 11:00:00") {
		t.Errorf("the retired key's check: %+v", c)
	}
	if _, ok := v.Verify(ctx, after.Body).Check(credential.CheckKey); ok {
		t.Error("a credential of the current key has a key check")
	}
	// Without the log, the credential of the retired key is not proven.
	rep := e.verifier.Verify(ctx, before.Body)
	if c := check(t, rep, credential.CheckKey, credential.Skip); rep.Verified || c.Reason.Key != "verify.key.unproven" {
		t.Errorf("without the log: verified=%t %+v", rep.Verified, c)
	}
	doc, _ := e.issuers.Document(ctx, "cciaa-milano")
	if len(doc.VerificationMethod) != 2 || len(doc.AssertionMethod) != 2 || doc.VerificationMethod[0].Expires != "2026-07-01T10:00:00Z" ||
		doc.VerificationMethod[0].Revoked != "" || doc.VerificationMethod[1].Expires != "" {
		t.Errorf("DID document after rotation: %+v", doc)
	}
	var p1, p2 struct {
		Proof struct{ VerificationMethod string }
	}
	json.Unmarshal(before.Body, &p1)
	json.Unmarshal(after.Body, &p2)
	if p1.Proof.VerificationMethod == p2.Proof.VerificationMethod {
		t.Error("the rotated key still signs")
	}
}

// An issuer unknown to the registry: the signature is valid, the issuer is
// not trusted — reported distinctly.
func TestUnregisteredIssuer(t *testing.T) {
	e := newEnv(t)
	rec := e.issue(t, credential.RDFC)
	v := *e.verifier
	v.Registry = nil
	rep := v.Verify(context.Background(), rec.Body)
	check(t, rep, credential.CheckProof, credential.Pass)
	c := check(t, rep, credential.CheckIssuer, credential.Fail)
	if c.Reason.Key != "verify.issuer.unknown" {
		t.Errorf("reason %+v", c.Reason)
	}
	v.Trust = []credential.Trust{{Issuer: "did:web:attesta.example:issuers:cciaa-milano"}}
	rep = v.Verify(context.Background(), rec.Body)
	check(t, rep, credential.CheckIssuer, credential.Pass)
}

// A credential that names a registered Chamber as issuer but is signed with
// a key the Chamber never had is a forgery, not an unknown issuer.
func TestForeignKeyForRegisteredIssuer(t *testing.T) {
	e := newEnv(t)
	rec := e.issue(t, credential.RDFC)
	var m map[string]any
	json.Unmarshal(rec.Body, &m)
	delete(m, "proof")
	unsigned, _ := json.Marshal(m)
	forger := issuer.Issuer{DID: "did:web:attesta.example:issuers:cciaa-milano"}
	pub, priv, _ := ed25519.GenerateKey(nil)
	vm := forger.DID + "#" + did.EncodePublicKey(pub)
	forged, err := e.verifier.Suite.Sign(unsigned, issuer.NewSigner(forger, vm, priv), dataintegrity.Options{VerificationMethod: vm, Created: e.now})
	if err != nil {
		t.Fatal(err)
	}
	rep := e.verifier.Verify(context.Background(), forged)
	check(t, rep, credential.CheckProof, credential.Pass)
	c := check(t, rep, credential.CheckIssuer, credential.Fail)
	if c.Reason.Key != "verify.issuer.notkey" || rep.Trusted {
		t.Errorf("forged key: %+v", c)
	}
}

func TestAuthorizationAcrossIssuers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := e.issue(t, credential.RDFC)
	torino := credential.Actor{Name: "operatore@cciaa-torino", Issuers: []string{"cciaa-torino"}}
	if _, err := e.creds.Issue(ctx, torino, request("cciaa-milano", credential.RDFC)); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("issuing for another Chamber: %v, want not found", err)
	}
	for _, a := range []credential.Action{credential.Revoke, credential.Suspend} {
		if _, err := e.creds.ChangeStatus(ctx, torino, rec.ID, a, "tentativo"); attesta.ErrorCode(err) != attesta.NotFound {
			t.Errorf("%s of another Chamber's credential: %v, want not found", a, err)
		}
	}
	if _, err := e.creds.Record(ctx, torino, rec.ID); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("reading another Chamber's credential: %v", err)
	}
	if _, err := e.creds.Issue(ctx, credential.Actor{}, request("cciaa-milano", credential.RDFC)); attesta.ErrorCode(err) != attesta.Unauthenticated {
		t.Errorf("anonymous issuing: %v", err)
	}
	if _, err := e.creds.Issue(ctx, torino, request("cciaa-torino", credential.RDFC)); err != nil {
		t.Errorf("issuing for its own Chamber: %v", err)
	}
}

// Bad input is refused before any status position is used.
func TestBadRequestsChangeNothing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bad := []func(*credential.IssueRequest){
		func(r *credential.IssueRequest) { r.Competence = "C99" },
		func(r *credential.IssueRequest) { r.Learner = credential.Learner{} },
		func(r *credential.IssueRequest) { r.Decision.Reference = "" },
		func(r *credential.IssueRequest) { r.Format = "ldp" },
	}
	for i, change := range bad {
		req := request("cciaa-milano", credential.RDFC)
		change(&req)
		if _, err := e.creds.Issue(ctx, operator, req); attesta.ErrorCode(err) != attesta.Invalid {
			t.Errorf("bad request %d: %v, want invalid", i, err)
		}
	}
	if _, err := e.db.Credentials().StatusList(ctx, "cciaa-milano", 1); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a status list was opened by refused requests: %v", err)
	}
	_, err := e.creds.IssueDocument(ctx, operator, []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
		"type":["VerifiableCredential","OpenBadgeCredential"],"name":"x","issuer":{"id":"did:web:attesta.example:issuers:vc-api","type":["Profile"],"name":"x"},
		"credentialSubject":{"id":"did:example:1","type":["AchievementSubject"],"undefinedTerm":1,"achievement":{"id":"urn:x:1","type":["Achievement"],"name":"a","description":"d","criteria":{"narrative":"n"}}}}`), credential.RDFC)
	if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.credential.doc.invalid" || !strings.Contains(err.Error(), "undefinedTerm") {
		t.Errorf("VC-API credential with an undefined term: %v", err)
	}
	if _, err := e.db.Credentials().StatusList(ctx, "vc-api", 1); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a status list was opened by a refused document: %v", err)
	}
}

func TestIssueDocument(t *testing.T) {
	e := newEnv(t)
	doc := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
		"type":["VerifiableCredential","OpenBadgeCredential"],"name":"Badge","issuer":{"id":"did:web:attesta.example:issuers:vc-api","type":["Profile"],"name":"attesta"},
		"credentialSubject":{"id":"did:example:1","type":["AchievementSubject"],"achievement":{"id":"urn:x:1","type":["Achievement"],"name":"a","description":"d","criteria":{"narrative":"n"}}}}`)
	rec, err := e.creds.IssueDocument(context.Background(), operator, doc, credential.JCS)
	if err != nil {
		t.Fatal(err)
	}
	if rep := e.verifier.Verify(context.Background(), rec.Body); !rep.Verified || rep.Chamber {
		t.Errorf("VC-API issued credential: chamber %t, %+v", rep.Chamber, rep.Checks)
	}
	if !strings.HasPrefix(rec.ID, "urn:uuid:") || !bytes.Contains(rec.Body, []byte("BitstringStatusListEntry")) || rec.IssuerID != "vc-api" {
		t.Errorf("record %s of %s lacks an id or status", rec.ID, rec.IssuerID)
	}
}

// The validity dates are said as people write them, the day it is in
// Rome: a credential valid until 23:30 UTC on 31 December expired on 1
// January in Italy.
func TestValidityDatesInWords(t *testing.T) {
	e := newEnv(t)
	req := request("cciaa-milano", credential.RDFC)
	req.ValidUntil = time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	rec, err := e.creds.Issue(context.Background(), operator, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now              time.Time
		key, it, en, det string
	}{
		{time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC), "verify.validity.early",
			"La credenziale non è ancora valida (valida dal 1° luglio 2026)", "The credential is not valid yet (valid from 1 July 2026)", "2026-07-01T09:00:00Z"},
		{time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), "verify.validity.expired",
			"La credenziale è scaduta il 1° gennaio 2027", "The credential expired on 1 January 2027", "2026-12-31T23:30:00Z"},
	} {
		v := *e.verifier
		v.Clock = func() time.Time { return tc.now }
		c := check(t, v.Verify(context.Background(), rec.Body), credential.CheckValidity, credential.Fail)
		if c.Reason.Key != tc.key || c.Reason.IT != tc.it || c.Reason.EN != tc.en || c.Detail != tc.det {
			t.Errorf("at %s: %+v, want %q, %q, %q", tc.now, c, tc.it, tc.en, tc.det)
		}
	}
}

// failingNotary is a notary source whose receipt does not verify.
type failingNotary struct{ err error }

func (n failingNotary) Notarization(context.Context, string, []byte) (credential.Notarization, error) {
	return credential.Notarization{}, n.err
}

// A notarization that does not hold says which check of the receipt
// failed, in the reader's language; a credential that differs from its
// record says so; the detail is the technical English.
func TestNotarizationFailureSaid(t *testing.T) {
	e := newEnv(t)
	rec := e.issue(t, credential.RDFC)
	for _, tc := range []struct {
		err         error
		key, it, en string
	}{
		{fmt.Errorf("receipt: %w", attesta.E(attesta.Invalid, "err.notary.receipt.unsigned", "attesta.example/log")), "verify.notary.receipt",
			"La ricevuta di notarizzazione non è verificata: checkpoint: non firmato con la chiave del registro attesta.example/log",
			"The notarization receipt does not verify: checkpoint: not signed by the log key attesta.example/log"},
		{fmt.Errorf("receipt: %w", notary.ErrNotRecorded), "verify.notary.mismatch",
			"La credenziale non corrisponde alla sua registrazione nel registro di trasparenza",
			"The credential does not match its record in the transparency log"},
		{errors.New("log unavailable"), "verify.notary.mismatch",
			"La credenziale non corrisponde alla sua registrazione nel registro di trasparenza",
			"The credential does not match its record in the transparency log"},
	} {
		v := *e.verifier
		v.Notary = failingNotary{tc.err}
		c := check(t, v.Verify(context.Background(), rec.Body), credential.CheckNotarization, credential.Fail)
		if c.Reason.Key != tc.key || c.Reason.IT != tc.it || c.Reason.EN != tc.en || c.Detail != tc.err.Error() {
			t.Errorf("%v: %+v", tc.err, c)
		}
	}
}

// TestIssueAndStatusChangesAreInTheAuditTrail: issuing a credential and
// each change of its status are entries of the audit trail, written with
// them, saying who asked (the API token, the command line), about which
// credential of which Chamber, and the change; a refused change writes
// none.
func TestIssueAndStatusChangesAreInTheAuditTrail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := e.issue(t, credential.RDFC)
	for _, c := range []struct {
		action credential.Action
		reason string
	}{{credential.Suspend, "Verifica del dossier"}, {credential.Reinstate, "Dossier verificato"}, {credential.Revoke, "Errore materiale"}} {
		if _, err := e.creds.ChangeStatus(ctx, operator, rec.ID, c.action, c.reason); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.creds.ChangeStatus(ctx, operator, rec.ID, credential.Revoke, "Ancora"); attesta.ErrorCode(err) != attesta.Conflict {
		t.Fatalf("a second revocation: %v", err)
	}
	admin := &auth.Principal{Person: "p-admin", Name: "Admin", Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}
	entries, err := audit.NewService(e.db.Audit()).List(ctx, admin, audit.Filter{ObjectKind: auth.CredentialObject, ObjectID: rec.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		got = append(got, en.Action)
		if en.ActorName != operator.Name || en.Actor != "" || en.Org != "cciaa-milano" || !en.At.Equal(e.now) {
			t.Errorf("entry %s: %+v", en.Action, en)
		}
	}
	if want := "credential.revoke credential.reinstate credential.suspend credential.issue"; strings.Join(got, " ") != want {
		t.Fatalf("the trail says %v, want %s", got, want)
	}
	issued, revoked := entries[3], entries[0]
	for _, s := range []string{`"chamber":"cciaa-milano"`, `"achievement":"meccatronica/v1/C1"`, `"digest":"` + rec.Digest + `"`} {
		if !strings.Contains(string(issued.After), s) {
			t.Errorf("the issue's entry %s does not say %s", issued.After, s)
		}
	}
	if string(revoked.Before) != `{"revoked":false}` || string(revoked.After) != `{"reason":"Errore materiale","revoked":true}` {
		t.Errorf("the revocation's entry: %s → %s", revoked.Before, revoked.After)
	}
	// The Chamber sees its credentials' entries; another does not.
	milano := &auth.Principal{Person: "p-mi", Name: "Operatore", Membership: auth.Membership{Org: "cciaa-milano", Role: auth.ChamberOperator, OrgKind: auth.Chamber, Provinces: []string{"MI"}}}
	torino := &auth.Principal{Person: "p-to", Name: "Operatore", Membership: auth.Membership{Org: "cciaa-torino", Role: auth.ChamberOperator, OrgKind: auth.Chamber, Provinces: []string{"TO"}}}
	if es, err := audit.NewService(e.db.Audit()).List(ctx, milano, audit.Filter{ObjectKind: auth.CredentialObject}); err != nil || len(es) != 4 {
		t.Errorf("the issuing Chamber sees %d entries: %v", len(es), err)
	}
	if es, err := audit.NewService(e.db.Audit()).List(ctx, torino, audit.Filter{ObjectKind: auth.CredentialObject}); err != nil || len(es) != 0 {
		t.Errorf("another Chamber sees %d entries: %v", len(es), err)
	}
}
