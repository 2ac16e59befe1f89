package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/web"
)

// tasksOf returns the list of a dashboard's tasks with that id
// (tasks-fill…), "" when the dashboard has none.
func tasksOf(page, id string) string {
	i := strings.Index(page, `id="tasks-`+id+`"`)
	if i < 0 {
		return ""
	}
	return page[i : i+strings.Index(page[i:], "</ul>")]
}

// href is how a page writes a link to a student's sheet or dossier.
func href(kind, id, experienceID, student string) string {
	q := url.Values{"experience": {experienceID}, "student": {student}}.Encode()
	return `href="/` + kind + `/` + id + `?` + strings.ReplaceAll(q, "&", "&amp;") + `"`
}

func sheetHref(e *experience.Experience, student string) string {
	return href("sheets", observation.SheetID(e.ID, student), e.ID, student)
}

func dossierHref(e *experience.Experience, student string) string {
	return href("dossiers", dossier.ID(e.ID, student), e.ID, student)
}

// TestDashboardTasks: each role's dashboard lists its next tasks, each
// linked to the page where it is done, and a role of another organisation
// or territory does not see them. From the demo: the company tutors' sheets
// to fill, the Chambers' dossiers not locked yet (not the locked one, not
// the designs awaiting sign-off in their territory), the national body's
// standard drafts; then, as the work goes on, a sheet to countersign, a
// reopened sheet, dossiers returned to the school and to the company, and
// a dossier ready to lock.
func TestDashboardTasks(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	as := func(email, org string, role auth.Role) *auth.Principal {
		p, err := svc.People.PrincipalByEmail(ctx, email, org, role)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	admin := as("admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	companyMI := as("tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	schoolMI := as("docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	chamberMI := as("operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	all, err := svc.Experiences.List(ctx, admin, experience.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]*experience.Experience{}
	for i := range all {
		byTitle[all[i].Design.Title] = &all[i]
	}
	cad, orientation, assembly := byTitle["Progettazione CAD di attrezzature"], byTitle["Orientamento in officina"], byTitle["Assemblaggio di gruppi meccanici"]
	if cad == nil || orientation == nil || assembly == nil || byTitle["Progettazione di un banco prova"] == nil {
		t.Fatalf("the demo's experiences: %v", byTitle)
	}
	esposito, marino, lombardi, romano := cad.Design.Students[0], cad.Design.Students[1], orientation.Design.Students[0], assembly.Design.Students[0]

	company := signedIn(t, ts, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	companyTO := signedIn(t, ts, "tutor@officine-torinesi.example", "co-05832710965", auth.CompanyTutor)
	school := signedIn(t, ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	schoolTO := signedIn(t, ts, "docente@ferraris.example", "tori03000b", auth.SchoolTutor)
	chamber := signedIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	chamberTO := signedIn(t, ts, "operatore@to.example", "cciaa-torino", auth.ChamberOperator)
	national := signedIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	dashboard := func(b *browser) string {
		t.Helper()
		code, page := b.get("/dashboard")
		if code != 200 {
			t.Fatalf("dashboard: %d", code)
		}
		return page
	}
	type want struct {
		list, has string
		ok        bool
	}
	check := func(who string, b *browser, wants ...want) {
		t.Helper()
		page := dashboard(b)
		for _, w := range wants {
			if got := strings.Contains(tasksOf(page, w.list), w.has); got != w.ok {
				t.Errorf("%s: tasks-%s has %s: %v, want %v", who, w.list, w.has, got, w.ok)
			}
		}
	}

	// The demo: Marino's sheet is being filled in Milan, Romano's in Turin.
	check("the Milan company", company,
		want{"fill", sheetHref(cad, marino), true}, want{"fill", "Marino", true}, want{"fill", "righe senza valore", true},
		want{"fill", sheetHref(cad, esposito), false}, want{"fill", sheetHref(assembly, romano), false})
	check("the Turin company", companyTO, want{"fill", sheetHref(assembly, romano), true}, want{"fill", sheetHref(cad, marino), false})
	// The Chambers: the dossiers of their territory's experiences in
	// progress, with what they miss; not the locked one, not a design
	// awaiting sign-off.
	check("the Milan Chamber", chamber,
		want{"dossiers", dossierHref(cad, esposito), true}, want{"dossiers", dossierHref(cad, marino), true},
		want{"dossiers", "elementi mancanti:", true}, want{"dossiers", dossierHref(orientation, lombardi), false},
		want{"dossiers", dossierHref(assembly, romano), false}, want{"signoffs", "/experiences/", false}, want{"fill", "/sheets/", false})
	check("the Turin Chamber", chamberTO, want{"dossiers", dossierHref(assembly, romano), true}, want{"dossiers", dossierHref(cad, marino), false})
	if page := dashboard(chamber); !strings.Contains(page, `id="tasks"`) || strings.Contains(page, `id="tasks-signoffs"`) {
		t.Error("the Chamber's dashboard has no tasks, or asks for a sign-off")
	}
	// The national body: its standard drafts, to the editor.
	check("the national body", national, want{"standards", `href="/sectors/agroalimentare/draft"`, true}, want{"standards", "Versione 1 (bozza)", true})
	check("a Chamber", chamber, want{"standards", "/draft", false})
	// The school has no sheet to countersign nor dossier returned yet.
	if page := dashboard(school); tasksOf(page, "countersign") != "" || tasksOf(page, "returned") != "" {
		t.Error("the school has tasks the demo does not give it")
	}

	// Marino's sheet submitted: the Milan school countersigns it, not Turin's;
	// the company no longer fills it.
	v, err := svc.Sheets.Sheet(ctx, companyMI, cad.ID, marino)
	if err != nil {
		t.Fatal(err)
	}
	var rows []observation.Observation
	for _, r := range v.Current().Rows {
		rows = append(rows, observation.Observation{Row: r.Row, Level: 2})
	}
	if _, err := svc.Sheets.Save(ctx, companyMI, cad.ID, marino, 1, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Sheets.Submit(ctx, companyMI, cad.ID, marino, 1); err != nil {
		t.Fatal(err)
	}
	check("the Milan school", school, want{"countersign", sheetHref(cad, marino), true}, want{"countersign", "inviata da Paolo Ricci", true})
	check("the Turin school", schoolTO, want{"countersign", sheetHref(cad, marino), false})
	check("the Milan company", company, want{"fill", sheetHref(cad, marino), false})

	// Esposito's sheet reopened by the Chamber: the company fills version 2.
	if _, err := svc.Sheets.Reopen(ctx, chamberMI, cad.ID, esposito, 1, "Il livello dell'evidenza E2 va rivisto con la scuola."); err != nil {
		t.Fatal(err)
	}
	check("the Milan company", company, want{"fill", sheetHref(cad, esposito), true}, want{"fill", "riaperta: versione 2", true})

	// Dossiers returned: Esposito's to the school, Marino's to the company.
	if _, err := svc.Dossiers.Return(ctx, chamberMI, cad.ID, esposito, "school", "Mancano le note sul percorso ridotto."); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Dossiers.Return(ctx, chamberMI, cad.ID, marino, "company", "Allegate la relazione dell'azienda."); err != nil {
		t.Fatal(err)
	}
	check("the Milan school", school, want{"returned", dossierHref(cad, esposito), true}, want{"returned", "Mancano le note sul percorso ridotto.", true},
		want{"returned", dossierHref(cad, marino), false})
	check("the Milan company", company, want{"returned", dossierHref(cad, marino), true}, want{"returned", "Luca Colombo", true},
		want{"returned", dossierHref(cad, esposito), false})
	check("the Turin school", schoolTO, want{"returned", "/dossiers/", false})
	check("the Turin company", companyTO, want{"returned", "/dossiers/", false})
	check("the Milan Chamber", chamber, want{"dossiers", "restituito alla scuola", true}, want{"dossiers", "restituito all&#39;azienda", true})

	// A short experience, closed with its sheet countersigned and its
	// hours: its dossier is ready to lock, first in the Chamber's list;
	// once locked, it is no task.
	c1 := []experience.PlannedCompetence{{Code: "C1", Activities: []experience.PlannedActivity{
		{ADA: "ADA.10.02.02", Result: "RA1", Activity: 1, Evidences: []int{1, 2}}}}}
	moretti := byTitle["Progettazione di un banco prova"].Design.Students[1]
	e, err := svc.Experiences.Create(ctx, schoolMI, experience.New{Company: "co-09712340562", Class: cad.Class, Sector: "meccatronica", Design: experience.Design{
		Title: "Visita ai reparti", Path: "progettazione", Students: []string{moretti}, SchoolTutor: schoolMI.Person, CompanyTutor: companyMI.Person,
		Start: "2026-09-14", End: "2026-09-18", PlannedHours: 40, HoursException: "Settimana di orientamento concordata con il consiglio di classe.", Competences: c1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*auth.Principal{schoolMI, companyMI} {
		if _, err := svc.Experiences.SignOff(ctx, p, e.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Experiences.Start(ctx, companyMI, e.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Experiences.RecordHours(ctx, companyMI, e.ID, experience.HoursInput{Student: moretti, Day: "2026-09-14", Weekly: true, Minutes: 40 * 60}); err != nil {
		t.Fatal(err)
	}
	sv, err := svc.Sheets.Sheet(ctx, companyMI, e.ID, moretti)
	if err != nil {
		t.Fatal(err)
	}
	rows = nil
	for _, r := range sv.Current().Rows {
		rows = append(rows, observation.Observation{Row: r.Row, Level: 3})
	}
	for _, step := range []func() error{
		func() error { _, err := svc.Sheets.Save(ctx, companyMI, e.ID, moretti, 1, rows); return err },
		func() error { _, err := svc.Sheets.Submit(ctx, companyMI, e.ID, moretti, 1); return err },
		func() error { _, err := svc.Sheets.Countersign(ctx, schoolMI, e.ID, moretti, 1); return err },
		func() error { _, err := svc.Experiences.Close(ctx, schoolMI, e.ID, 1); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	page := dashboard(chamber)
	list := tasksOf(page, "dossiers")
	first := strings.Index(list, "<li>")
	if !strings.Contains(list[first:first+strings.Index(list[first:], "</li>")], dossierHref(e, moretti)) || !strings.Contains(list, "pronto per la chiusura") {
		t.Errorf("the dossier ready to lock is not first, or not said ready: %s", list)
	}
	check("the Turin Chamber", chamberTO, want{"dossiers", dossierHref(e, moretti), false})
	if _, err := svc.Dossiers.Lock(ctx, chamberMI, e.ID, moretti); err != nil {
		t.Fatal(err)
	}
	check("the Milan Chamber", chamber, want{"dossiers", dossierHref(e, moretti), false}, want{"dossiers", dossierHref(cad, marino), true})
}

// TestDashboardTasksBounded: the dashboard reads the files of so many
// experiences in progress or closed, the newest, and says when there were
// more.
func TestDashboardTasksBounded(t *testing.T) {
	ts, _ := testserver.StartServer(t)
	web.SetMaxTaskExperiences(t, 1)
	// Milan has two experiences with dossiers (created at the same time
	// by the demo: which is read depends on their ids), Turin one.
	_, page := signedIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator).get("/dashboard")
	if !strings.Contains(page, `id="tasks-partial"`) || !strings.Contains(page, "delle 1 esperienze") {
		t.Error("the Milan Chamber's dashboard does not say it stopped at the newest experience")
	}
	_, page = signedIn(t, ts, "operatore@to.example", "cciaa-torino", auth.ChamberOperator).get("/dashboard")
	if strings.Contains(page, `id="tasks-partial"`) || tasksOf(page, "dossiers") == "" {
		t.Error("the Turin Chamber's dashboard says it stopped, or lists no dossier")
	}
}
