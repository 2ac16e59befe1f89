package trust_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/trust"
)

var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))

func testPub() ed25519.PublicKey { return testKey.Public().(ed25519.PublicKey) }

// served returns the bundle a test server serves, its key, and the bundle
// decoded, to alter and sign again with testKey.
func served(t *testing.T) ([]byte, ed25519.PublicKey, *trust.Bundle) {
	t.Helper()
	srv := testserver.New(t)
	ctx := context.Background()
	body, fresh, err := srv.Services().Trust.Bundle(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fresh != trust.DefaultMaxAge {
		t.Errorf("a new bundle may be cached for %v, want %v", fresh, trust.DefaultMaxAge)
	}
	k, err := srv.Services().Trust.Key(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := trust.ParseKey(k)
	if err != nil {
		t.Fatal(err)
	}
	var env trust.Envelope
	var b trust.Bundle
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(env.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	return body, pub, &b
}

// The bundle a server serves opens with its key and holds its registry,
// the keys of its issuers, its log's key and every status list.
func TestServedBundle(t *testing.T) {
	body, pub, _ := served(t)
	v, err := trust.Open(context.Background(), body, pub)
	if err != nil {
		t.Fatal(err)
	}
	b := v.Bundle
	if b.Deployment != testserver.PublicURL || !b.Status.Taken.Equal(testserver.Clock()) || b.MarkOwner.Name != "Unioncamere" {
		t.Errorf("bundle: deployment %s, taken %v, mark owner %+v", b.Deployment, b.Status.Taken, b.MarkOwner)
	}
	kinds := map[string]string{}
	for _, iss := range b.Issuers {
		kinds[iss.ID] = iss.Kind
		if iss.ID == "cciaa-milano" && (len(iss.Keys) == 0 || !strings.HasPrefix(iss.Keys[0].ID, iss.DID+"#z6Mk")) {
			t.Errorf("cciaa-milano's keys: %+v", iss.Keys)
		}
	}
	if kinds["cciaa-milano"] != trust.KindChamber || kinds["cciaa-torino"] != trust.KindChamber || kinds[testserver.GenericIssuer] != trust.KindService {
		t.Errorf("issuers' kinds: %v", kinds)
	}
	if !strings.HasPrefix(b.Log.Key, "attesta.example/log+") || b.Log.Origin != "attesta.example/log" || len(b.Status.Lists) == 0 {
		t.Errorf("log %+v, %d lists", b.Log, len(b.Status.Lists))
	}
	ctx := context.Background()
	iss, err := v.IssuerByDID(ctx, "did:web:attesta.example:issuers:cciaa-milano")
	if err != nil || !iss.Chamber() || iss.Profile.Name == "" {
		t.Errorf("IssuerByDID: %+v %v", iss, err)
	}
	if _, err := v.IssuerByDID(ctx, "did:web:elsewhere.example"); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("an unknown issuer: %v", err)
	}
}

// Open refuses a bundle signed by another key, one altered after it was
// signed, and one that is signed but holds what a verifier cannot use.
func TestOpenRefuses(t *testing.T) {
	body, pub, b := served(t)
	ctx := context.Background()
	if _, err := trust.Open(ctx, body, testPub()); !errors.Is(err, trust.ErrOtherKey) || attesta.ErrorKey(err) != "err.trust.otherkey" {
		t.Errorf("another key: %v", err)
	}
	altered := bytes.Replace(body, []byte(`"quorum":0`), []byte(`"quorum":1`), 1)
	if bytes.Equal(altered, body) {
		t.Fatal("nothing altered")
	}
	if _, err := trust.Open(ctx, altered, pub); !errors.Is(err, trust.ErrSignature) {
		t.Errorf("altered: %v", err)
	}
	// The same JSON in another form verifies: the canonical form is signed.
	var env map[string]json.RawMessage
	json.Unmarshal(body, &env)
	var indented bytes.Buffer
	json.Indent(&indented, env["bundle"], "", "  ")
	env["bundle"] = indented.Bytes()
	reformatted, _ := json.MarshalIndent(env, "", "\t")
	if _, err := trust.Open(ctx, reformatted, pub); err != nil {
		t.Errorf("re-indented: %v", err)
	}
	if _, err := trust.Open(ctx, append(bytes.Repeat([]byte(" "), trust.MaxSize), body...), pub); attesta.ErrorKey(err) != "err.trust.large" {
		t.Errorf("too large: %v", err)
	}

	resign := func(change func(b *trust.Bundle)) error {
		t.Helper()
		data, _ := json.Marshal(b)
		var c trust.Bundle
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		change(&c)
		signed, err := trust.Sign(&c, testKey)
		if err != nil {
			t.Fatal(err)
		}
		_, err = trust.Open(ctx, signed, testPub())
		return err
	}
	if err := resign(func(*trust.Bundle) {}); err != nil {
		t.Fatalf("signed again unchanged: %v", err)
	}
	otherLog, _ := checkpoint.NewVerifier("elsewhere.example/log", testPub())
	for _, tc := range []struct {
		name   string
		change func(b *trust.Bundle)
		key    string
		want   string
	}{
		{"another type", func(b *trust.Bundle) { b.Type = "attesta-trust-bundle/v9" }, "err.trust.type", ""},
		{"no snapshot time", func(b *trust.Bundle) { b.Status.Taken = time.Time{} }, "err.trust.invalid", "no time"},
		{"an issuer twice", func(b *trust.Bundle) { b.Issuers = append(b.Issuers, b.Issuers[0]) }, "err.trust.invalid", "listed twice"},
		{"a key of another DID", func(b *trust.Bundle) { b.Issuers[0].Keys[0].ID = "did:web:elsewhere.example#z6Mk" }, "err.trust.invalid", "not one of its DID"},
		{"a log key of another origin", func(b *trust.Bundle) { b.Log.Key = otherLog.String() }, "err.trust.invalid", "not the log's origin"},
		{"a quorum of more witnesses than there are", func(b *trust.Bundle) { b.Log.Quorum = 1 }, "err.trust.invalid", "the quorum"},
		{"a malformed witness key", func(b *trust.Bundle) { b.Log.Witnesses = []string{"x"}; b.Log.Quorum = 1 }, "err.trust.invalid", "a witness key"},
		{"TSA roots that are not certificates", func(b *trust.Bundle) {
			b.Log.TSARoots = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
		}, "err.trust.invalid", "TSA root"},
		{"a status list of an issuer not in the bundle", func(b *trust.Bundle) {
			b.Issuers = b.Issuers[1:]
		}, "err.trust.list", "not in the bundle"},
		{"a status list altered", func(b *trust.Bundle) {
			var l map[string]any
			json.Unmarshal(b.Status.Lists[0], &l)
			bits := statuslist.NewBitstring()
			bits.Set(7, true)
			l["credentialSubject"].(map[string]any)["encodedList"] = bits.Encode()
			b.Status.Lists[0], _ = json.Marshal(l)
		}, "err.trust.list", "not signed by its issuer"},
		{"a status list signed after its key ended", func(b *trust.Bundle) {
			for i := range b.Issuers {
				for j := range b.Issuers[i].Keys {
					b.Issuers[i].Keys[j].Revoked = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
				}
			}
		}, "err.trust.list", "with a key in force"},
	} {
		err := resign(tc.change)
		if attesta.ErrorKey(err) != tc.key || !strings.Contains(attesta.MessageIn(err, "en"), tc.want) {
			t.Errorf("%s: %v, want %s %q", tc.name, err, tc.key, tc.want)
		}
	}
}

// The bundle carries each key's history as the DID document says it: a
// compromised key's end as revoked, and the verifier reads it.
func TestKeyHistory(t *testing.T) {
	srv := testserver.New(t)
	ctx := context.Background()
	svc := srv.Services()
	admin := &auth.Principal{Person: "test", Name: "test", Membership: auth.Membership{Role: auth.NationalAdmin, OrgKind: auth.National}}
	since := testserver.Clock().Add(-time.Hour)
	if _, err := svc.Issuers.Rotate(ctx, admin, "cciaa-torino", issuer.Rotation{Reason: "chiave sottratta", CompromisedSince: since}); err != nil {
		t.Fatal(err)
	}
	b, err := svc.Trust.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := svc.Issuers.Document(ctx, "cciaa-torino")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := trust.Sign(b, testKey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := trust.Open(ctx, signed, testPub())
	if err != nil {
		t.Fatal(err)
	}
	for _, iss := range b.Issuers {
		if iss.ID != "cciaa-torino" {
			continue
		}
		if len(iss.Keys) != len(doc.VerificationMethod) || len(iss.Keys) < 2 {
			t.Fatalf("keys %+v, the DID document's %+v", iss.Keys, doc.VerificationMethod)
		}
		for i, k := range iss.Keys {
			m := doc.VerificationMethod[i]
			if k.ID != m.ID || k.PublicKeyMultibase != m.PublicKeyMultibase {
				t.Errorf("key %d: %+v, the DID document's %+v", i, k, m)
			}
			end, compromised, err := v.KeyEnd(ctx, k.ID)
			switch {
			case i == len(iss.Keys)-1:
				if !end.IsZero() || err != nil {
					t.Errorf("the current key ends %v %v", end, err)
				}
			case m.Revoked == "" || !k.Revoked.Equal(since) || !end.Equal(since) || !compromised || err != nil:
				t.Errorf("key %d: revoked %v (DID document %q), end %v %t %v", i, k.Revoked, m.Revoked, end, compromised, err)
			}
		}
	}
}

// A reason is read only with its credential's id: the bundle holds it
// sealed.
func TestReasonSealed(t *testing.T) {
	srv := testserver.New(t)
	ctx := context.Background()
	svc := srv.Services()
	rec, err := svc.Credentials.Issue(ctx, credential.Actor{Name: "test"}, credential.IssueRequest{
		IssuerID: "cciaa-milano", Sector: "meccatronica", Version: 1, Competence: "C2", Learner: credential.Learner{Identity: "r1"},
		Decision: credential.Decision{Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC), Reference: "Verbale n. 12/2026"},
	})
	if err != nil {
		t.Fatal(err)
	}
	const reason = "Verbale annullato: Mario Rossi"
	if _, err := svc.Credentials.ChangeStatus(ctx, credential.Actor{Name: "test"}, rec.ID, credential.Revoke, reason); err != nil {
		t.Fatal(err)
	}
	b, err := svc.Trust.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := trust.Sign(b, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(signed, []byte("Mario Rossi")) || bytes.Contains(signed, []byte(rec.ID)) {
		t.Error("the bundle holds the reason or the credential's id in clear")
	}
	v, err := trust.Open(ctx, signed, testPub())
	if err != nil {
		t.Fatal(err)
	}
	e := credential.StatusEntry{CredentialID: rec.ID, ListURL: credential.StatusListURL(testserver.PublicURL, "cciaa-milano", rec.List, statuslist.Revocation),
		Index: rec.Index, Purpose: statuslist.Revocation}
	if set, got, err := v.Status(ctx, e); !set || got != reason || err != nil {
		t.Errorf("status: %t %q %v", set, got, err)
	}
	e.CredentialID = "urn:uuid:00000000-0000-4000-8000-000000000000"
	if set, got, err := v.Status(ctx, e); !set || got != "reason not published" || err != nil {
		t.Errorf("another id at the same position: %t %q %v", set, got, err)
	}
	e.Purpose = statuslist.Suspension
	if _, _, err := v.Status(ctx, e); err == nil {
		t.Error("a suspension entry in a revocation list")
	}
	// A list is found by its path, whatever host the credential names.
	e = credential.StatusEntry{CredentialID: rec.ID, ListURL: credential.StatusListURL("https://old.example", "cciaa-milano", rec.List, statuslist.Revocation),
		Index: rec.Index, Purpose: statuslist.Revocation}
	if set, _, err := v.Status(ctx, e); !set || err != nil {
		t.Errorf("by the list's path: %t %v", set, err)
	}
}

// minimal is a bundle of no issuer, for the tests of the format alone.
func minimal(t testing.TB) *trust.Bundle {
	logKey, err := checkpoint.NewVerifier("attesta.example/log", testPub())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	return &trust.Bundle{Type: trust.Type, Generated: at, Deployment: "https://attesta.example", MarkOwner: trust.Party{Name: "Unioncamere"},
		Issuers: []trust.Issuer{}, Log: trust.Log{Origin: "attesta.example/log", Key: logKey.String(), Witnesses: []string{}},
		Status: trust.Status{Taken: at, Lists: []json.RawMessage{}, Changes: []trust.Change{}}}
}

// The TSA's roots travel as PEM, and a receipt's timestamp is then required.
func TestTSARoots(t *testing.T) {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "TSA root"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, testPub(), testKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	b := minimal(t)
	b.Log.TSARoots = trust.EncodeRoots([]*x509.Certificate{cert})
	signed, err := trust.Sign(b, testKey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := trust.Open(context.Background(), signed, testPub())
	if err != nil {
		t.Fatal(err)
	}
	if p := v.Policy(); p.TSARoots == nil || p.LogKey != b.Log.Key || p.Quorum != 0 {
		t.Errorf("policy %+v", p)
	}
	certs, err := trust.ParseRoots([]byte(v.Bundle.Log.TSARoots))
	if err != nil || len(certs) != 1 || !certs[0].Equal(cert) {
		t.Errorf("roots: %v %v", certs, err)
	}
}

func TestParseKey(t *testing.T) {
	id := trust.KeyID(testPub())
	for _, s := range []string{id, strings.TrimPrefix(id, "did:key:"), id + "#" + strings.TrimPrefix(id, "did:key:"), " " + id + "\n"} {
		if k, err := trust.ParseKey(s); err != nil || !k.Equal(testPub()) {
			t.Errorf("ParseKey(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "z6Mk", "did:web:attesta.example"} {
		if _, err := trust.ParseKey(s); attesta.ErrorKey(err) != "err.trust.key.form" {
			t.Errorf("ParseKey(%q): %v", s, err)
		}
	}
}

// FuzzOpen: whatever a bundle file holds, Open refuses it or returns a
// bundle that checks, and never panics.
func FuzzOpen(f *testing.F) {
	signed, err := trust.Sign(minimal(f), testKey)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed)
	f.Add([]byte(`{"bundle":{},"signature":{"alg":"Ed25519","key":"` + trust.KeyID(testPub()) + `","value":""}}`))
	f.Add([]byte(`{"bundle":[],"signature":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := trust.Open(context.Background(), data, testPub())
		if err != nil {
			return
		}
		if v.Bundle.Type != trust.Type || v.Taken().IsZero() {
			t.Errorf("opened a bundle that does not check: %+v", v.Bundle)
		}
		if _, err := trust.Peek(data); err != nil {
			t.Errorf("Open accepts what Peek refuses: %v", err)
		}
	})
}
