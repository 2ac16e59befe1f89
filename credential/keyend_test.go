package credential_test

import (
	"context"
	"testing"
	"time"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/issuer"
)

// notarized is a NotarySource that says the same of every credential.
type notarized credential.Notarization

func (n notarized) Notarization(context.Context, string, []byte) (credential.Notarization, error) {
	return credential.Notarization(n), nil
}

// The end of a compromised key, against what a credential's notarization
// proves: its timestamp or its witnesses' cosignatures before the end
// prove it, and so does the log's own record for the log's own verifier;
// a record after the end refutes it; later proofs alone leave it unproven.
func TestKeyEndEvidence(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := e.issue(t, credential.RDFC) // 09:00, signed with key 1
	e.now = e.now.Add(2 * time.Hour)
	end := rec.IssuedAt.Add(30 * time.Minute) // 09:30
	if _, err := e.issuers.Rotate(ctx, admin, "cciaa-milano", issuer.Rotation{Reason: "chiave sottratta", CompromisedSince: end}); err != nil {
		t.Fatal(err)
	}
	early, late := end.Add(-time.Minute), end.Add(time.Minute)
	for _, tc := range []struct {
		name    string
		n       credential.Notarization
		outcome credential.Outcome
		key     string
	}{
		{"timestamped before", credential.Notarization{Known: true, Timestamp: early, Logged: late}, credential.Pass, "verify.key.timestamped"},
		{"timestamped at the end", credential.Notarization{Known: true, Timestamp: end}, credential.Pass, "verify.key.timestamped"},
		{"cosigned before", credential.Notarization{Known: true, Timestamp: late, Witnessed: early}, credential.Pass, "verify.key.witnessed"},
		{"the own log's record before", credential.Notarization{Known: true, Own: true, Pending: true, Logged: early}, credential.Pass, "verify.key.logged"},
		{"a receipt's record before, proven only after", credential.Notarization{Known: true, Logged: early, Timestamp: late}, credential.Skip, "verify.key.unproven"},
		{"a record before, nothing proven", credential.Notarization{Known: true, Logged: early}, credential.Skip, "verify.key.unproven"},
		{"recorded after the end", credential.Notarization{Known: true, Own: true, Logged: late, Timestamp: late}, credential.Fail, "verify.key.late"},
		{"not in the log at hand", credential.Notarization{}, credential.Skip, "verify.key.unproven"},
	} {
		v := *e.verifier
		v.Notary = notarized(tc.n)
		rep := v.Verify(ctx, rec.Body)
		c, ok := rep.Check(credential.CheckKey)
		if !ok || c.Outcome != tc.outcome || c.Reason.Key != tc.key {
			t.Errorf("%s: %+v, want %s %s", tc.name, c, tc.outcome, tc.key)
		}
		if c.Outcome != credential.Pass && rep.Verified {
			t.Errorf("%s: verified", tc.name)
		}
	}
}

// Without the registry, the ends come from the issuer's DID document, as
// the command line's --did gives it.
func TestKeyEndFromDIDDocument(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rec := e.issue(t, credential.RDFC)
	e.now = e.now.Add(time.Hour)
	if _, err := e.issuers.Rotate(ctx, admin, "cciaa-milano", issuer.Rotation{Reason: "chiave sottratta", CompromisedSince: rec.IssuedAt.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	doc, err := e.issuers.Document(ctx, "cciaa-milano")
	if err != nil {
		t.Fatal(err)
	}
	offline := credential.Verifier{Suite: e.verifier.Suite, Clock: e.verifier.Clock, Status: e.creds, Trust: []credential.Trust{{Issuer: doc.ID}}}
	if rep := offline.Verify(ctx, rec.Body); !rep.Verified {
		t.Fatalf("offline, without the DID document: %+v", rep.Checks)
	}
	offline.Ends = credential.DIDDocuments{doc}
	rep := offline.Verify(ctx, rec.Body)
	if c, _ := rep.Check(credential.CheckKey); rep.Verified || c.Outcome != credential.Fail || c.Reason.Key != "verify.key.after" ||
		c.Reason.Args[0].(credential.Message).Key != "verify.key.compromised" {
		t.Errorf("offline, with the DID document: verified=%t %+v", rep.Verified, c)
	}
}
