package interop

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
)

// TestCommissionBadgeVerifiesInJS: a badge issued from a commission's
// decision — the demo's, issued through the session's issuance as every
// badge is — verifies with Digital Bazaar's stack, against its Chamber's
// DID document as attesta publishes it; and with its result entries (the
// observation levels) it is still the credential the commission decided.
func TestCommissionBadgeVerifiesInJS(t *testing.T) {
	svc, rec := demoBadge(t)
	ctx := context.Background()
	var body struct {
		CredentialSubject struct {
			Result []struct {
				AchievedLevel string `json:"achievedLevel"`
			} `json:"result"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(rec.Body, &body); err != nil || len(body.CredentialSubject.Result) == 0 || body.CredentialSubject.Result[0].AchievedLevel == "" {
		t.Fatalf("the badge carries no observation level: %s", rec.Body)
	}
	doc, err := svc.Issuers.Document(ctx, rec.IssuerID)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	didFile, badge := filepath.Join(dir, "did.json"), filepath.Join(dir, "badge.json")
	data, _ := json.Marshal(doc)
	if err := os.WriteFile(didFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(badge, rec.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	res := runNode(t, node(t, "verify", "--now", "2026-12-01T00:00:00Z", "--context", attestaContextArg, "--did", didFile, badge))
	if r, ok := res[badge]; !ok || !r.Verified {
		t.Fatalf("the commission's badge is not verified by @digitalbazaar/vc: %+v", r)
	}
}

// demoBadge returns the services of a demo server and the record of the
// badge the demo's commission issued, through the session's issuance as
// every badge is.
func demoBadge(t *testing.T) (*server.Services, credential.Record) {
	t.Helper()
	srv := testserver.New(t)
	svc := srv.Services()
	rec, err := svc.Credentials.Record(context.Background(), credential.Actor{Name: "interop"}, testserver.DemoBadge(t, srv))
	if err != nil {
		t.Fatal(err)
	}
	return svc, rec
}
