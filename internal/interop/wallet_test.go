package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/people"
)

type mailbox func(account.Mail)

func (m mailbox) Send(_ context.Context, mail account.Mail) error { m(mail); return nil }

// TestWalletPickupWithIndependentClient: a wallet built on OpenWallet
// Foundation's @openid4vc/openid4vci (oid4vc-ts), which attesta did not
// write, takes the demo's badge through the pre-authorized code flow of
// OpenID4VCI 1.0 — the offer the school's tutor made, the transaction code
// e-mailed to the learner's family, the nonce, a proof by a fresh holder
// key (Ed25519, then P-256) as a did:key — and the copy it receives
// verifies with attesta's verifier, bound to the holder's DID.
func TestWalletPickupWithIndependentClient(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	badge := testserver.DemoBadge(t, srv)
	school, _ := svc.People.PrincipalByEmail(ctx, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	classes, err := svc.People.Classes(ctx, school, "mitf01000a")
	if err != nil || len(classes) == 0 {
		t.Fatal(err)
	}
	if _, err := svc.People.Enrol(ctx, school, classes[0].ID, people.StudentInput{Person: people.Person{GivenName: "Francesca", FamilyName: "Lombardi"},
		Student: people.Student{Number: "2026-0103", Contact: "famiglia.lombardi@example.it"}}); err != nil {
		t.Fatal(err)
	}
	tutor, err := svc.People.PrincipalByEmail(ctx, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"Ed25519", "P-256"} {
		t.Run(key, func(t *testing.T) {
			made, err := svc.Wallet.Make(ctx, tutor, badge)
			if err != nil {
				t.Fatal(err)
			}
			var mail []account.Mail
			if _, err := svc.Accounts.Deliver(ctx, mailbox(func(m account.Mail) { mail = append(mail, m) })); err != nil || len(mail) != 1 {
				t.Fatalf("the transaction code's message: %v %v", mail, err)
			}
			tx := regexp.MustCompile(`\b\d{6}\b`).FindString(mail[0].Body)
			args := []string{"oid4vci.mjs", "--map", testserver.PublicURL + "=" + ts.URL, "--now", testserver.Clock().Format(time.RFC3339)}
			if key == "P-256" {
				args = append(args, "--p256")
			}
			cmd := exec.Command("node", append(args, made.URI, tx)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			var res struct {
				Holder       string          `json:"holder"`
				Credential   json.RawMessage `json:"credential"`
				DraftVersion string          `json:"draftVersion"`
				Version      string          `json:"version"`
				Error        string          `json:"error"`
				Body         string          `json:"body"`
			}
			if jerr := json.Unmarshal(out, &res); err != nil || jerr != nil || res.Error != "" {
				t.Fatalf("the client failed: %v %v\n%s\n%s", err, jerr, out, stderr.String())
			}
			t.Logf("@openid4vc/openid4vci %s, read attesta's metadata as OpenID4VCI %s; holder %s", res.Version, res.DraftVersion, res.Holder)
			if res.DraftVersion != "V1" {
				t.Errorf("the client took attesta's metadata for %s, not 1.0", res.DraftVersion)
			}
			if _, err := srv.SequenceLog(ctx); err != nil {
				t.Fatal(err)
			}
			rep := svc.Verifier.Verify(ctx, res.Credential)
			if !rep.Verified || !rep.Chamber {
				t.Fatalf("the credential the client received does not verify: %+v", rep)
			}
			var doc struct {
				ID                string `json:"id"`
				CredentialSubject struct {
					ID string `json:"id"`
				} `json:"credentialSubject"`
			}
			if err := json.Unmarshal(res.Credential, &doc); err != nil || doc.CredentialSubject.ID != res.Holder || res.Holder == "" {
				t.Fatalf("credentialSubject.id %q, the holder %q", doc.CredentialSubject.ID, res.Holder)
			}
			rec, err := svc.Credentials.Record(ctx, credential.Actor{Name: "interop"}, doc.ID)
			if err != nil || rec.CopyOf != badge {
				t.Fatalf("the copy's record: %+v %v", rec, err)
			}
			// And Digital Bazaar's stack verifies it too, against the
			// Chamber's DID document as attesta publishes it.
			did, err := svc.Issuers.Document(ctx, rec.IssuerID)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			didFile, copyFile := filepath.Join(dir, "did.json"), filepath.Join(dir, "copy.json")
			data, _ := json.Marshal(did)
			if err := os.WriteFile(didFile, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(copyFile, res.Credential, 0o644); err != nil {
				t.Fatal(err)
			}
			vr := runNode(t, node(t, "verify", "--now", "2026-12-01T00:00:00Z", "--context", attestaContextArg, "--did", didFile, copyFile))
			if r, ok := vr[copyFile]; !ok || !r.Verified {
				t.Fatalf("the copy is not verified by @digitalbazaar/vc: %+v", r)
			}
		})
	}
}
