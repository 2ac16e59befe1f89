package server_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/notary"
)

// The demo's locked dossier: its receipt, served over the API, verifies
// with the receipt verifier credentials use, against the log's pinned key,
// for its document and for no other; the log audit of the published log
// still passes with the dossier's entry in it.
func TestDossierReceiptVerifies(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	es, err := svc.Experiences.List(ctx, chamber, experience.Filter{State: experience.Closed})
	if err != nil || len(es) != 1 {
		t.Fatalf("the demo's closed experience: %v %v", es, err)
	}
	e := es[0]
	v, err := svc.Dossiers.Get(ctx, chamber, e.ID, e.Design.Students[0])
	if err != nil || v.Lock == nil {
		t.Fatalf("the demo's locked dossier: %+v %v", v, err)
	}
	if _, err := srv.SequenceLog(ctx); err != nil {
		t.Fatal(err)
	}
	_, token := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/dossiers/"+v.ID+"/receipt", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("receipt: %d %v", resp.StatusCode, err)
	}
	rec, err := notary.ParseReceipt(raw)
	if err != nil {
		t.Fatal(err)
	}
	key, err := srv.Services().Log.VerifierKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	policy := notary.ReceiptPolicy{LogKey: key}
	got, err := rec.Verify(v.Document.ID, v.Lock.Document, policy)
	if err != nil {
		t.Fatalf("the dossier's receipt does not verify: %v", err)
	}
	if got.Entry.Kind != notary.Dossier || got.LeafIndex != v.Lock.LogIndex || "sha256:"+hex.EncodeToString(got.Entry.BodyDigest[:]) != v.Lock.Digest {
		t.Fatalf("verified %+v, lock %+v", got, v.Lock)
	}
	// Another document under the same id does not verify.
	tampered := strings.Replace(string(v.Lock.Document), `"minutes":4800`, `"minutes":4860`, 1)
	if tampered == string(v.Lock.Document) {
		t.Fatal("the document has no 4,800 minutes to tamper with")
	}
	if _, err := rec.Verify(v.Document.ID, []byte(tampered), policy); err == nil {
		t.Error("a tampered dossier verifies")
	}
	if dossier.Digest([]byte(tampered)) == v.Lock.Digest {
		t.Error("a tampered dossier has the same digest")
	}
	if _, err := notary.Audit(ctx, notary.HTTPLogSource(ts.URL, ts.Client()), key, nil); err != nil {
		t.Fatalf("log audit with a dossier entry: %v", err)
	}
}

// TestDossierHoldsTestResults: a candidate's released result at the online
// test on the experience's standard is in their dossier's document (so in
// its digest once locked): Matteo Moretti's, from the demo's sitting ended
// and released.
func TestDossierHoldsTestResults(t *testing.T) {
	_, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	es, err := svc.Experiences.List(ctx, chamber, experience.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range es {
		if e.Design.Title != "Progettazione di stampi" {
			continue
		}
		v, err := svc.Dossiers.Get(ctx, chamber, e.ID, e.Design.Students[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Document.Tests) != 1 || len(v.Document.Tests[0].Competences) != 1 || v.Document.Tests[0].Competences[0].Competence != "C1" ||
			v.Document.Tests[0].Max != 8 { // six items, one of them worth 3 (partial credit)
			t.Fatalf("the dossier's tests: %+v", v.Document.Tests)
		}
		if !strings.Contains(string(v.Document.Marshal()), `"tests":[{"test":"bp-`) {
			t.Errorf("the document does not hold the test: %s", v.Document.Marshal())
		}
		found = true
	}
	if !found {
		t.Fatal("no demo experience «Progettazione di stampi»")
	}
}
