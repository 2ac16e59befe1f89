package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/rights"
	"github.com/attesta/attesta/share"
)

// TestDataRights: a learner's copy of her data and her erasure, on both
// engines. The copy holds her person, her outcomes and her badges as
// issued. Asking without confirming changes nothing; asking closes her
// links at once, and a second request is refused. Another territory's
// Chamber neither sees nor completes it; hers does, after a refusal
// without confirmation that changed nothing: she is a pseudonym, cannot
// sign in, her badge still verifies and never named her, and the trail says
// it was done without saying whose name it was.
func TestDataRights(t *testing.T) {
	onBothEngines(t, "rights", func(t *testing.T, newServer func(func(*server.Options)) *server.Server) {
		testDataRights(t, newServer(nil))
	})
}

func testDataRights(t *testing.T, srv *server.Server) {
	ctx := context.Background()
	svc := srv.Services()
	as := func(email, org string, role auth.Role) *auth.Principal {
		p, err := svc.People.PrincipalByEmail(ctx, email, org, role)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	learner := as("lombardi@feltrinelli.example", "mitf01000a", auth.Student)
	milan := as("operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	turin := as("operatore@to.example", "cciaa-torino", auth.ChamberOperator)
	src := rights.Sources{People: svc.People, Outcomes: svc.Commissions, Credentials: svc.Credentials, Links: svc.Shares, Experiences: svc.Experiences}

	out, err := svc.Rights.Export(ctx, learner, src)
	if err != nil {
		t.Fatal(err)
	}
	if out.Format != rights.ExportFormat || out.Person.Name() != "Francesca Lombardi" || out.Student == nil || len(out.Badges) != 1 ||
		len(out.Decisions) == 0 || len(out.Experiences) == 0 || !json.Valid(out.Badges[0].Signed) {
		t.Fatalf("the copy: %+v", out)
	}
	id := out.Badges[0].Credential
	if _, err := svc.Rights.Export(ctx, milan, src); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("a Chamber takes a learner's copy as its own: %v", err)
	}
	l, err := svc.Shares.Share(ctx, learner, id, share.Settings{On: true, Adult: true, Fields: share.Fields{Name: true}})
	if err != nil {
		t.Fatal(err)
	}

	var fe attesta.FieldErrors
	if _, err := svc.Rights.Ask(ctx, learner, "", false); !errors.As(err, &fe) || fe[0].Field != "confirm" {
		t.Errorf("asked without confirming: %v", err)
	}
	if r, _ := svc.Rights.Mine(ctx, learner); r != nil {
		t.Fatal("a refused request was stored")
	}
	if _, err := svc.Shares.Public(ctx, l.Token); err != nil {
		t.Fatal("a refused request closed the link")
	}
	req, err := svc.Rights.Ask(ctx, learner, "Non voglio più essere su attesta", true)
	if err != nil || req.State != rights.Requested || req.Province != "MI" {
		t.Fatalf("asked: %+v %v", req, err)
	}
	if _, err := svc.Shares.Public(ctx, l.Token); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("the link is still open after the request: %v", err)
	}
	if _, err := svc.Rights.Ask(ctx, learner, "", true); attesta.ErrorCode(err) != attesta.Conflict {
		t.Errorf("a second request: %v", err)
	}

	if rs, err := svc.Rights.Requests(ctx, turin); err != nil || len(rs) != 0 {
		t.Errorf("Turin's Chamber sees %d requests: %v", len(rs), err)
	}
	if _, err := svc.Rights.Complete(ctx, turin, req.ID, "", true); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("Turin's Chamber completes Milan's request: %v", err)
	}
	if _, err := svc.Rights.Complete(ctx, learner, req.ID, "", true); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("the learner completes her own request: %v", err)
	}
	rs, err := svc.Rights.Requests(ctx, milan)
	if err != nil || len(rs) != 1 || rs[0].ID != req.ID || rs[0].Name != "Francesca Lombardi" {
		t.Fatalf("Milan's requests: %+v %v", rs, err)
	}
	if _, err := svc.Rights.Complete(ctx, milan, req.ID, "", false); !errors.As(err, &fe) {
		t.Errorf("completed without confirming: %v", err)
	}
	if p, err := svc.People.Profile(ctx, milan, learner.Person); err != nil || p.Person.Name() != "Francesca Lombardi" {
		t.Fatalf("a refused completion changed her: %+v %v", p, err)
	}

	done, err := svc.Rights.Complete(ctx, milan, req.ID, "Verificata l'identità", true)
	if err != nil || done.State != rights.Completed || done.Name != rights.Pseudonym.Name() || done.Reason != "" {
		t.Fatalf("completed: %+v %v", done, err)
	}
	p, err := svc.People.Profile(ctx, milan, learner.Person)
	if err != nil || p.Person.Name() != "Persona cancellata" || p.Person.Email != "" || p.Student == nil || p.Student.Contact != "" {
		t.Errorf("after the erasure: %+v %v", p, err)
	}
	if _, err := svc.Accounts.SignIn(ctx, "lombardi@feltrinelli.example", demo.Password, "127.0.0.1"); err == nil {
		t.Error("she still signs in")
	}
	if _, err := svc.Rights.Complete(ctx, milan, req.ID, "", true); attesta.ErrorCode(err) != attesta.Conflict {
		t.Errorf("completed twice: %v", err)
	}
	rec, err := svc.Credentials.Record(ctx, credential.Actor{Name: "test"}, id)
	if err != nil {
		t.Fatal(err)
	}
	if r := svc.Verifier.Verify(ctx, rec.Body); !r.Verified {
		t.Errorf("her badge no longer verifies: %+v", r.Checks)
	}
	if strings.Contains(string(rec.Body), "Francesca") || strings.Contains(string(rec.Body), "lombardi@") {
		t.Error("her badge names her")
	}
	entries, err := svc.Audit.List(ctx, milan, audit.Filter{ObjectID: learner.Person, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var asked, erased bool
	for _, e := range entries {
		// What the entries say of the request; who acted is the trail's
		// own record, kept (docs/design/rights.md).
		raw, _ := json.Marshal([]any{e.Before, e.After})
		switch e.Action {
		case string(auth.DataRequest):
			asked = true
		case string(auth.DataErase):
			erased = true
		default:
			continue
		}
		if strings.Contains(string(raw), "Francesca") || strings.Contains(string(raw), "Non voglio") {
			t.Errorf("the erasure's trail names her or quotes her: %s", raw)
		}
	}
	if !asked || !erased {
		t.Errorf("the trail: asked %t, erased %t", asked, erased)
	}
}
