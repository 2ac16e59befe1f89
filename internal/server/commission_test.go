package server_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	jobs "github.com/attesta/attesta/job"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/sqlite"
)

// issued waits for the issuance of session id to end, and returns the
// session as p sees it.
func issued(t *testing.T, svc *server.Services, p *auth.Principal, id string) *commission.SessionView {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		v, err := svc.Commissions.GetSession(ctx, p, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Progress != nil && v.Progress.State.Ended() {
			if v.Progress.State != jobs.Done {
				t.Fatalf("the issuance of session %s ended %s", id, v.Progress.State)
			}
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("the issuance of session %s did not end: %+v", id, v.Progress)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The demo's commission: its closed session issued Francesca Lombardi's
// badge of C1 from the decision; the badge verifies, says the observation
// levels on the standard's scale, the test result, the dossier's digest
// and the minutes; the minutes are in the log; the decisions no longer
// change, by the service or by any write to the database.
func TestDemoCommissionIssuesFromTheDecision(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "attesta.db"), testserver.Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := testserver.NewOn(t, db, nil)
	ctx := context.Background()
	svc := srv.Services()
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := svc.Commissions.Commissions(ctx, chamber)
	if err != nil || len(cs) != 1 {
		t.Fatalf("the demo commission: %v %v", cs, err)
	}
	cv, err := svc.Commissions.Get(ctx, chamber, cs[0].ID)
	if err != nil || len(cv.Sessions) != 1 || cv.Sessions[0].Closed.IsZero() {
		t.Fatalf("the demo session: %+v %v", cv, err)
	}
	v := issued(t, svc, chamber, cv.Sessions[0].ID)
	if len(v.Decisions) != 1 || v.Decisions[0].Outcome != commission.Certified || len(v.Badges) != 1 || v.Progress.Issued != 1 {
		t.Fatalf("decisions %+v, badges %+v, progress %+v", v.Decisions, v.Badges, v.Progress)
	}
	// The sector expert works for the host company: recused, and the
	// substitute sat in his seat.
	d := v.Decisions[0]
	expert, substitute := v.Commission.Members[1], v.Commission.Members[4]
	if !v.RecusedFor(expert.Person, d.Candidate) || len(d.For) != 3 || d.For[2] != substitute.Person {
		t.Errorf("recusal and substitute: %+v recused %v", d, v.Recused)
	}

	rec, err := svc.Credentials.Record(ctx, credential.Actor{Name: "test"}, v.Badges[0].Credential)
	if err != nil {
		t.Fatal(err)
	}
	if r := svc.Verifier.Verify(ctx, rec.Body); !r.Verified || !r.Chamber {
		t.Fatalf("the badge does not verify: %+v", r.Checks)
	}
	var cred struct {
		CredentialSubject struct {
			Result []struct {
				AchievedLevel string `json:"achievedLevel"`
				Value         string `json:"value"`
			} `json:"result"`
			Achievement struct {
				HumanCode         string `json:"humanCode"`
				ResultDescription []struct {
					Name                 string `json:"name"`
					ResultType           string `json:"resultType"`
					RubricCriterionLevel []struct {
						Name string `json:"name"`
					} `json:"rubricCriterionLevel"`
				} `json:"resultDescription"`
			} `json:"achievement"`
		} `json:"credentialSubject"`
		Evidence []struct {
			Digest string `json:"digestMultibase"`
		} `json:"evidence"`
		Decision struct {
			DecisionReference string `json:"decisionReference"`
			Commission        string `json:"commission"`
		} `json:"commissionDecision"`
	}
	if err := json.Unmarshal(rec.Body, &cred); err != nil {
		t.Fatal(err)
	}
	subj := cred.CredentialSubject
	rubrics, levels, dimensions := 0, 0, 0
	for i, rd := range subj.Achievement.ResultDescription {
		if (rd.Name == "Test online C1 · conoscenze" || rd.Name == "Test online C1 · abilità" || rd.Name == "Test online C1 · competenze trasversali") && rd.ResultType == "Percent" {
			dimensions++
		}
		if rd.ResultType == "RubricCriterionLevel" {
			rubrics++
			achieved := subj.Result[i].AchievedLevel
			if len(rd.RubricCriterionLevel) == 3 && (strings.HasSuffix(achieved, "-level-3") || strings.HasSuffix(achieved, "-level-2")) {
				levels++
			}
		}
	}
	// Five of Lombardi's six rows of C1 were observed, at 3 or 2; the
	// test, and its three dimensions (knowledge, skill, soft skill).
	if subj.Achievement.HumanCode != "C1" || rubrics != 5 || levels != 5 || dimensions != 3 || len(subj.Result) != 9 || subj.Result[5].Value == "" {
		t.Errorf("results: %s", rec.Body)
	}
	if cred.Decision.DecisionReference != "Verbale n. 1/2026" || cred.Decision.Commission != "Commissione Meccatronica 2026/27" {
		t.Errorf("decision: %+v", cred.Decision)
	}
	sum, _ := hex.DecodeString(strings.TrimPrefix(v.Candidates[0].DossierDigest, "sha256:"))
	if want := "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, sum...)); len(cred.Evidence) != 1 || cred.Evidence[0].Digest != want {
		t.Errorf("the badge's evidence %+v is not the dossier's digest %s", cred.Evidence, want)
	}

	// The minutes are in the log.
	e, err := svc.Log.Entry(ctx, v.LogIndex)
	if err != nil || e.Kind != notary.Minutes {
		t.Fatalf("the minutes' log entry: %+v %v", e, err)
	}
	m, _, err := svc.Commissions.Minutes(ctx, chamber, v.ID)
	if err != nil || !e.Matches(m.ID, m.Marshal()) || commission.Digest(m.Marshal()) != v.MinutesDigest {
		t.Errorf("the log entry does not record the minutes: %v", err)
	}

	// The decisions no longer change.
	president, err := svc.People.PrincipalByEmail(ctx, "presidente@milomb.example", "cciaa-milano", auth.CommissionMember)
	if err != nil {
		t.Fatal(err)
	}
	changed := d
	changed.Outcome, changed.Reason, changed.ByCriteria = commission.NotCertified, "Ripensamento dopo la firma del verbale.", false
	if _, err := svc.Commissions.Decide(ctx, president, v.ID, changed); attesta.ErrorKey(err) != "err.commission.closed" {
		t.Errorf("a decision after the minutes are signed: %v", err)
	}
	err = db.Commissions().Update(ctx, func(w commission.Writer) error { return w.PutDecisions(ctx, v.ID, []commission.Decision{changed}) })
	if err == nil || !strings.Contains(err.Error(), "never change") {
		t.Errorf("the database changed a signed decision: %v", err)
	}
	after, err := svc.Commissions.GetSession(ctx, chamber, v.ID)
	if err != nil || after.Decisions[0].Outcome != commission.Certified {
		t.Errorf("the decision after the refusals: %+v %v", after.Decisions, err)
	}
	// An area credential needs every competence of the area: refused,
	// naming the missing ones, and nothing recorded.
	_, err = svc.Commissions.Stack(ctx, chamber, svc.Credentials, d.Candidate, "meccatronica", 1, "progettazione")
	if attesta.ErrorCode(err) != attesta.Invalid || !strings.Contains(attesta.MessageIn(err, "en"), "C7") {
		t.Errorf("an area with one competence of six: %v", err)
	}
	if rec, err := svc.Commissions.Record(ctx, chamber, d.Candidate); err != nil || len(rec.Stacks) != 0 || len(rec.Badges) != 1 {
		t.Errorf("the learner's record after the refusal: %+v %v", rec, err)
	}
	// Nothing is left to issue, and issuing again issues nothing.
	if _, err := svc.Commissions.Resume(ctx, chamber, v.ID); attesta.ErrorKey(err) != "err.commission.issued" {
		t.Errorf("resuming a finished issuance: %v", err)
	}
}

// A Chamber nominates a commission with a person not on attesta yet: she
// is invited, with the commission member role at the Chamber, and sits on
// it. A refused nomination invites nobody; an unknown address without the
// names is said beside its row.
func TestNominationInvites(t *testing.T) {
	srv := testserver.New(t)
	ctx := context.Background()
	svc := srv.Services()
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	members := []commission.Nominee{
		{Email: "presidente@milomb.example", Role: commission.President},
		{Email: "valutatrice@milomb.example", Role: commission.SectorExpert},
		{Email: "nuova.esperta@example.org", GivenName: "Nadia", FamilyName: "Ferrara", Role: commission.AssessmentExpert},
	}
	// No secretary: refused, and nobody invited.
	_, err = svc.Commissions.Nominate(ctx, chamber, commission.NewCommission{Sector: "meccatronica", Title: "Commissione di prova", Act: "Det. 1/2027", Members: members})
	if attesta.ErrorCode(err) != attesta.Invalid || !strings.Contains(attesta.MessageIn(err, "en"), "secretary") {
		t.Fatalf("a nomination without a secretary: %v", err)
	}
	if _, err := svc.People.PrincipalByEmail(ctx, "nuova.esperta@example.org", "", ""); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a refused nomination invited someone: %v", err)
	}
	// An unknown address without names.
	noNames := append(slices.Clone(members), commission.Nominee{Email: "sconosciuto@example.org", Role: commission.Secretary})
	_, err = svc.Commissions.Nominate(ctx, chamber, commission.NewCommission{Sector: "meccatronica", Title: "Commissione di prova", Act: "Det. 1/2027", Members: noNames})
	var fe attesta.FieldErrors
	if !errors.As(err, &fe) || !slices.ContainsFunc(fe, func(e attesta.FieldError) bool {
		return e.Field == "members[3].person" && e.Key == "err.commission.person.names"
	}) {
		t.Errorf("an unknown address without names: %v", err)
	}
	members = append(members, commission.Nominee{Email: "segreteria@milomb.example", Role: commission.Secretary})
	c, err := svc.Commissions.Nominate(ctx, chamber, commission.NewCommission{Sector: "meccatronica", Title: "Commissione di prova", Act: "Det. 1/2027", Members: members})
	if err != nil {
		t.Fatal(err)
	}
	nadia, err := svc.People.PrincipalByEmail(ctx, "nuova.esperta@example.org", "cciaa-milano", auth.CommissionMember)
	if err != nil {
		t.Fatalf("the invited expert: %v", err)
	}
	if m := c.Member(nadia.Person); m == nil || m.Name != "Nadia Ferrara" || m.Role != commission.AssessmentExpert {
		t.Errorf("the invited expert on the commission: %+v", c.Members)
	}
	if cs, err := svc.Commissions.Commissions(ctx, nadia); err != nil || len(cs) != 1 || cs[0].ID != c.ID {
		t.Errorf("the invited expert's commissions: %v %v", cs, err)
	}
}
