package browsertest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/notary"
)

// codesigned co-designs, for Sara Esposito, a week of design at Meccanica
// Lombarda whose observation sheet the company tutor submits and the
// school tutor countersigns — C1's three evidences observed at 3, 2 and 2
// — with its hours: what the browser tests of the design and of the sheet
// already show page by page. It returns the experience's id.
func codesigned(t *testing.T, srv *server.Server) (string, string) {
	t.Helper()
	ctx, svc := context.Background(), srv.Services()
	as := func(email, org string, role auth.Role) *auth.Principal {
		p, err := svc.People.PrincipalByEmail(ctx, email, org, role)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	school := as("docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	company := as("tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	student := as("studente@feltrinelli.example", "mitf01000a", auth.Student).Person
	classes, err := svc.People.Classes(ctx, school, "mitf01000a")
	if err != nil || len(classes) == 0 {
		t.Fatalf("the demo class: %v", err)
	}
	e, err := svc.Experiences.Create(ctx, school, experience.New{Company: "co-09712340562", Class: classes[0].ID, Sector: "meccatronica", Design: experience.Design{
		Title: "Settimana di progettazione", Path: "progettazione", Students: []string{student}, SchoolTutor: school.Person, CompanyTutor: company.Person,
		Start: "2026-09-14", End: "2026-09-18", PlannedHours: 40, HoursException: "Settimana intensiva prima del percorso annuale.",
		Competences: []experience.PlannedCompetence{{Code: "C1", Activities: []experience.PlannedActivity{{ADA: "ADA.10.02.02", Result: "RA1", Activity: 1, Evidences: []int{1, 2, 3}}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() (err error) { _, err = svc.Experiences.SignOff(ctx, school, e.ID, 1); return },
		func() (err error) { _, err = svc.Experiences.SignOff(ctx, company, e.ID, 1); return },
		func() (err error) { _, err = svc.Experiences.Start(ctx, company, e.ID, 1); return },
		func() (err error) {
			_, err = svc.Experiences.RecordHours(ctx, company, e.ID, experience.HoursInput{Student: student, Day: "2026-09-14", Weekly: true, Minutes: 40 * 60, Activity: "Progettazione CAD in ufficio tecnico"})
			return
		},
		func() error {
			v, err := svc.Sheets.Sheet(ctx, company, e.ID, student)
			if err != nil {
				return err
			}
			rows := v.Current().Rows
			for i := range rows {
				rows[i].Level = 2
			}
			rows[0].Level = 3
			if _, err := svc.Sheets.Save(ctx, company, e.ID, student, 1, rows); err != nil {
				return err
			}
			if _, err := svc.Sheets.Submit(ctx, company, e.ID, student, 1); err != nil {
				return err
			}
			_, err = svc.Sheets.Countersign(ctx, school, e.ID, student, 1)
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d of the co-designed experience: %v", i+1, err)
		}
	}
	return e.ID, student
}

// member signs a member of the demo commission in, as a member of the
// Milan Chamber's commission, and opens the session's page.
func member(t *testing.T, ctx context.Context, base, email, session, wait string) {
	t.Helper()
	signIn(t, ctx, base, email, demo.Password, dashboard)
	asRole(t, ctx, "cciaa-milano", "commission_member")
	do(t, ctx, chromedp.Navigate(base+session))
	waitFor(t, ctx, wait)
}

// TestCommissionInBrowser is the whole path on the demo data, in
// Chromium: a co-designed experience whose sheet is countersigned is
// closed by the school; the student takes the online test; the school
// ends the sitting and the Chamber releases the results and locks the
// dossier; the Chamber opens a session of its commission, whose only
// candidate is Sara Esposito. A member who has not declared sees no
// candidate (nor her page); the sector expert, who works for her host
// company, declares and still does not see her (recused by attesta), and
// the substitute takes his seat. The secretary records attendance, the
// president fixes the criteria and decides C1 with its reason; every
// member present signs the minutes (a signature without the confirmation
// is refused). The badge is issued: the Chamber sees the issuance's
// progress, the student her badge, which verifies with attesta's
// verifier, carries the observation levels, and whose receipt verifies
// offline against the log's key. axe-core checks every new page.
func TestCommissionInBrowser(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	experienceID, student := codesigned(t, srv)
	admin, err := svc.People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.New(t)

	// The school closes the experience.
	signIn(t, b, ts.URL, "docente@feltrinelli.example", demo.Password, dashboard)
	asRole(t, b, "mitf01000a", "school_tutor")
	do(t, b, chromedp.Navigate(ts.URL+"/experiences/"+experienceID), chromedp.WaitVisible(chromedp.CSS("#close")))
	do(t, b, chromedp.Click(chromedp.CSS("#close")), chromedp.WaitNotPresent(chromedp.CSS("#close")))
	waitFor(t, b, "#experience-state")
	if s := text(t, b, "#experience-state"); !strings.Contains(strings.ToLower(s), "conclus") {
		t.Errorf("after closing, the experience is %q", s)
	}
	signOut(t, b)

	// The student takes the test of the demo's open sitting.
	sittings, err := svc.Tests.Sittings(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	var sittingID, code string
	for _, st := range sittings {
		if st.Ended.IsZero() {
			sittingID = st.ID
			sv, err := svc.Tests.GetSitting(ctx, admin, st.ID)
			if err != nil {
				t.Fatal(err)
			}
			code = sv.Code
		}
	}
	signIn(t, b, ts.URL, "studente@feltrinelli.example", demo.Password, dashboard)
	do(t, b, chromedp.Navigate(ts.URL+"/sittings/"+sittingID), chromedp.WaitVisible(chromedp.CSS("#start-code")))
	do(t, b, chromedp.SendKeys(chromedp.CSS("#start-code"), code), chromedp.Click(chromedp.CSS("#start-submit")))
	waitFor(t, b, current(1))
	attemptID := strings.TrimPrefix(location(t, b), ts.URL+"/attempts/")
	attemptID, _, _ = strings.Cut(attemptID, "?")
	full, err := svc.Tests.GetAttempt(ctx, admin, attemptID)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]item.Item{}
	for _, it := range full.Items {
		items[it.ID] = it
	}
	for n, fi := range full.Form.Items {
		wait := current(n + 2)
		if n+1 == len(full.Form.Items) {
			wait = "#submit-form"
		}
		answerItem(t, b, items[fi.Item], wait)
	}
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="submit-confirm"]`)), chromedp.Click(chromedp.CSS("#submit")))
	waitFor(t, b, "#attempt-done")
	signOut(t, b)

	// The school's proctor ends the sitting; the Chamber releases the
	// results, then locks the dossier.
	signIn(t, b, ts.URL, "docente@feltrinelli.example", demo.Password, dashboard)
	asRole(t, b, "mitf01000a", "school_tutor")
	do(t, b, chromedp.Navigate(ts.URL+"/sittings/"+sittingID), chromedp.WaitVisible(chromedp.CSS("#end-form")))
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="end-confirm"]`)), chromedp.Click(chromedp.CSS("#end-submit")), chromedp.WaitNotPresent(chromedp.CSS("#end-form")))
	signOut(t, b)
	signIn(t, b, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	do(t, b, chromedp.Navigate(ts.URL+"/sittings/"+sittingID), chromedp.WaitVisible(chromedp.CSS("#release-form")))
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="release-confirm"]`)), chromedp.Click(chromedp.CSS("#release-submit")),
		chromedp.WaitNotPresent(chromedp.CSS("#release-form")))
	do(t, b, chromedp.Navigate(ts.URL+"/experiences/"+experienceID), chromedp.WaitVisible(chromedp.CSS("#student-files")),
		chromedp.Click(chromedp.CSS(`#student-files a[href^="/dossiers/"]`)), chromedp.WaitVisible(chromedp.CSS("#dossier-lock-form")))
	do(t, b, chromedp.Submit(chromedp.CSS("#dossier-lock-form")))
	waitFor(t, b, "#dossier-digest")

	// The Chamber opens a session of its commission.
	do(t, b, chromedp.Navigate(ts.URL+"/commissions"), chromedp.WaitVisible(chromedp.CSS("#commissions")))
	clean(t, b)
	browsertest.Screenshot(t, b, "commission-1-list")
	do(t, b, chromedp.Click(chromedp.CSS(`#commissions a[href^="/commissions/"]`)), chromedp.WaitVisible(chromedp.CSS("#open-form")))
	clean(t, b)
	do(t, b, chromedp.Click(chromedp.CSS("#open-submit")))
	waitFor(t, b, "#session-done")
	session := strings.TrimPrefix(location(t, b), ts.URL)
	session, _, _ = strings.Cut(session, "?")
	if s := text(t, b, "#candidates-table"); !strings.Contains(s, "Sara Esposito") || strings.Contains(s, "Lombardi") {
		t.Errorf("the session's candidates: %q", s)
	}
	clean(t, b)
	browsertest.Screenshot(t, b, "commission-2-session-opened")
	signOut(t, b)
	candidate := session + "/candidate?person=" + student

	// A member who has not declared sees no candidate, nor her page; the
	// dashboard says the session waits for the declaration.
	signIn(t, b, ts.URL, "valutatrice@milomb.example", demo.Password, "#tasks-sessions")
	if s := text(t, b, "#tasks-sessions"); !strings.Contains(s, "Seduta n. 2") || !strings.Contains(s, "dichiara") {
		t.Errorf("the member's dashboard: %q", s)
	}
	clean(t, b)
	signOut(t, b)
	member(t, b, ts.URL, "valutatrice@milomb.example", session, "#declaration-form")
	if n := count(t, b, "#candidates-table"); n != 0 {
		t.Error("a member who has not declared sees the candidates")
	}
	waitFor(t, b, "#candidates-hidden")
	clean(t, b)
	browsertest.Screenshot(t, b, "commission-3-undeclared")
	if s := refused(t, b, ts.URL+candidate); !strings.Contains(s, "dichiara prima l'assenza di conflitti") {
		t.Errorf("a member who has not declared opens the candidate's page: %q", s)
	}
	do(t, b, chromedp.Navigate(ts.URL+session))
	waitFor(t, b, "#declaration-form")
	do(t, b, chromedp.Click(chromedp.CSS("#declaration-submit")))
	waitFor(t, b, "#declaration-confirm-error")
	clean(t, b)
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="declaration-confirm"]`)), chromedp.Click(chromedp.CSS("#declaration-submit")))
	waitFor(t, b, "#candidates-table")
	if s := text(t, b, "#candidates-table"); !strings.Contains(s, "Sara Esposito") {
		t.Errorf("after the declaration: %q", s)
	}
	clean(t, b)
	signOut(t, b)

	// The sector expert works for her host company: recused by attesta.
	member(t, b, ts.URL, "esperto@meccanica-lombarda.example", session, "#declaration-form")
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="declaration-confirm"]`)), chromedp.Click(chromedp.CSS("#declaration-submit")))
	waitFor(t, b, "#session-done")
	if s := text(t, b, "#candidates"); strings.Contains(s, "Sara Esposito") {
		t.Errorf("the recused expert sees the candidate: %q", s)
	}
	if s := text(t, b, "#session-facts"); !strings.Contains(s, "1 non visibili a te") {
		t.Errorf("the expert's session facts: %q", s)
	}
	if s := refused(t, b, ts.URL+candidate); !strings.Contains(s, "Pagina non trovata") {
		t.Errorf("the recused expert opens the candidate's page: %q", s)
	}
	signOut(t, b)

	// The substitute declares; the secretary declares and records
	// attendance; the president declares and fixes the criteria.
	member(t, b, ts.URL, "supplente@milomb.example", session, "#declaration-form")
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="declaration-confirm"]`)), chromedp.Click(chromedp.CSS("#declaration-submit")))
	waitFor(t, b, "#candidates-table")
	signOut(t, b)
	member(t, b, ts.URL, "segreteria@milomb.example", session, "#declaration-form")
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="declaration-confirm"]`)), chromedp.Click(chromedp.CSS("#declaration-submit")))
	waitFor(t, b, "#attendance-form")
	clean(t, b)
	do(t, b, chromedp.Click(chromedp.CSS("#attendance-submit")))
	waitFor(t, b, "#session-done")
	signOut(t, b)
	member(t, b, ts.URL, "presidente@milomb.example", session, "#declaration-form")
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="declaration-confirm"]`)), chromedp.Click(chromedp.CSS("#declaration-submit")))
	waitFor(t, b, "#criteria-form")
	clean(t, b)
	do(t, b, chromedp.Click(chromedp.CSS("#criteria-submit")))
	waitFor(t, b, "#proposals")
	if s := text(t, b, "#session-criteria"); !strings.Contains(s, "Versione 1") {
		t.Errorf("the criteria: %q", s)
	}
	clean(t, b)
	browsertest.Screenshot(t, b, "commission-4-criteria")

	// The president decides C1 on the candidate's page: the substitute
	// sits in the expert's seat.
	do(t, b, chromedp.Navigate(ts.URL+candidate), chromedp.WaitVisible(chromedp.CSS("#decide-C1")))
	clean(t, b)
	browsertest.Screenshot(t, b, "commission-5-candidate")
	if s := text(t, b, "#candidate-facts"); !strings.Contains(s, "Franco Testa") || !strings.Contains(s, "Andrea Fontana") {
		t.Errorf("who votes and who is recused: %q", s)
	}
	// The exact paper: every question, her answers and the right ones.
	do(t, b, chromedp.Click(chromedp.CSS("#paper-link")))
	waitFor(t, b, "#paper")
	if n := count(t, b, "#paper > li"); n != len(full.Form.Items) {
		t.Errorf("the paper shows %d questions of %d", n, len(full.Form.Items))
	}
	if n := count(t, b, "#paper strong"); n < len(full.Form.Items)-1 {
		t.Errorf("the paper shows %d of the candidate's answers", n)
	}
	clean(t, b)
	browsertest.Screenshot(t, b, "commission-5-paper")
	do(t, b, chromedp.Navigate(ts.URL+candidate), chromedp.WaitVisible(chromedp.CSS("#decide-C1")))
	do(t, b, chromedp.Click(chromedp.CSS("#decide-C1-submit")))
	waitFor(t, b, "#reason-C1-error")
	clean(t, b)
	do(t, b, chromedp.SendKeys(chromedp.CSS("#reason-C1"), "Evidenze osservate ai livelli attesi; prova superata."),
		chromedp.Click(chromedp.CSS("#decide-C1-submit")))
	waitFor(t, b, "#outcome-C1")
	if s := text(t, b, "#outcome-C1"); !strings.Contains(s, "Certificata") || !strings.Contains(s, "unanimità") {
		t.Errorf("the decision: %q", s)
	}
	clean(t, b)

	// Every member present signs; the last signature closes the minutes.
	do(t, b, chromedp.Navigate(ts.URL+session), chromedp.WaitVisible(chromedp.CSS("#signature-form")))
	clean(t, b)
	do(t, b, chromedp.Click(chromedp.CSS("#signature-submit")))
	waitFor(t, b, "#signature-confirm-error")
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="signature-confirm"]`)), chromedp.Click(chromedp.CSS("#signature-submit")))
	waitFor(t, b, "#session-done")
	signOut(t, b)
	for _, email := range []string{"segreteria@milomb.example", "valutatrice@milomb.example", "esperto@meccanica-lombarda.example", "supplente@milomb.example"} {
		member(t, b, ts.URL, email, session, "#signature-form")
		do(t, b, chromedp.Click(chromedp.CSS(`label[for="signature-confirm"]`)), chromedp.Click(chromedp.CSS("#signature-submit")))
		waitFor(t, b, "#session-done")
		signOut(t, b)
	}

	// The Chamber sees the minutes closed and the badge issued.
	signIn(t, b, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	deadline := time.Now().Add(30 * time.Second)
	for {
		do(t, b, chromedp.Navigate(ts.URL+session))
		waitFor(t, b, "#session-state")
		if count(t, b, "#issuance-progress") > 0 && strings.Contains(text(t, b, "#issuance-progress"), "1 di 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the badge was not issued: %q", text(t, b, "main"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if s := text(t, b, "#session-state"); s != "Verbale firmato" {
		t.Errorf("the session after the signatures: %q", s)
	}
	clean(t, b)
	browsertest.Screenshot(t, b, "commission-6-issued")
	minutes := fetchText(t, b, session+"/minutes.pdf")
	if !strings.HasPrefix(minutes, "%PDF-") {
		t.Errorf("the minutes are not a PDF: %.40q", minutes)
	}
	signOut(t, b)

	// The student is told on her dashboard, and sees her badge.
	signIn(t, b, ts.URL, "studente@feltrinelli.example", demo.Password, "#tasks-notices")
	clean(t, b)
	do(t, b, chromedp.Navigate(ts.URL+"/badges"), chromedp.WaitVisible(chromedp.CSS("#badge-C1")))
	if s := text(t, b, "#notices"); !strings.Contains(s, "Commissione Meccatronica 2026/27") {
		t.Errorf("the student's notices: %q", s)
	}
	clean(t, b)
	browsertest.Screenshot(t, b, "commission-7-badges")
	href := attr(t, b, "#badge-C1 a.badge-json", "href")
	body := fetchText(t, b, href)

	// The badge verifies, says the observation levels, and its receipt
	// verifies offline against the log's key.
	if r := svc.Verifier.Verify(ctx, []byte(body)); !r.Verified || !r.Chamber {
		t.Fatalf("the badge does not verify: %+v", r.Checks)
	}
	var cred struct {
		ID                string `json:"id"`
		CredentialSubject struct {
			Result []struct {
				AchievedLevel string `json:"achievedLevel"`
			} `json:"result"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal([]byte(body), &cred); err != nil {
		t.Fatal(err)
	}
	levels := 0
	for _, r := range cred.CredentialSubject.Result {
		if r.AchievedLevel != "" {
			levels++
		}
	}
	if levels != 3 {
		t.Errorf("the badge says %d observation levels, want 3: %s", levels, body)
	}
	if _, err := srv.SequenceLog(ctx); err != nil {
		t.Fatal(err)
	}
	rec, err := svc.Receipts.Receipt(ctx, cred.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(rec)
	parsed, err := notary.ParseReceipt(raw)
	if err != nil {
		t.Fatal(err)
	}
	key, err := svc.Log.VerifierKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parsed.Verify(cred.ID, []byte(body), notary.ReceiptPolicy{LogKey: key})
	if err != nil || got.Entry.Kind != notary.Issue {
		t.Errorf("the badge's receipt does not verify offline: %+v %v", got, err)
	}
	if _, err := svc.Credentials.Record(ctx, credential.Actor{Name: "test"}, cred.ID); err != nil {
		t.Error(err)
	}
}

// refused opens a page that must be refused and returns what the error
// page says.
func refused(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url))
	waitFor(t, ctx, "main h1")
	return text(t, ctx, "main")
}
