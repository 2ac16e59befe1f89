package browsertest_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
)

// experienceHref returns the address of the experience titled title, from
// the list of experiences.
func experienceHref(t *testing.T, ctx context.Context, base, title string) string {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+"/experiences"), chromedp.WaitVisible(chromedp.CSS("#experiences")))
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`([...document.querySelectorAll('#experiences a')].find(a => a.textContent.includes(`+"`"+title+"`"+`)) || {pathname: ''}).pathname`))
	if err != nil || href == "" {
		t.Fatalf("no experience %q in the list: %v", title, err)
	}
	return base + href
}

// post sends a form the page does not offer, as a tampered or stale page
// would, and waits for the answer's element wait.
func post(t *testing.T, ctx context.Context, path string, form url.Values, wait string) {
	t.Helper()
	js := `(() => { const f = document.createElement('form'); f.method = 'post'; f.action = ` + "`" + path + "`" + `;
		for (const [k, v] of new URLSearchParams(` + "`" + form.Encode() + "`" + `)) { const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }
		document.body.append(f); f.submit(); })()`
	do(t, ctx, chromedp.Evaluate[chromedp.Void](js))
	waitFor(t, ctx, wait)
}

// fetchText returns the body of a page's link, as the browser downloads it.
func fetchText(t *testing.T, ctx context.Context, path string) string {
	t.Helper()
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+"`"+path+"`"+`).then(r => r.ok ? r.text() : 'status ' + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// waitFor waits for an element a little, and says what the page shows
// instead when it does not come.
func waitFor(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(wctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("%s: no %s (%v); the page says:\n%s", location(t, ctx), sel, err, text(t, ctx, "main"))
	}
}

// clean runs axe-core and fails the test for any violation at all, and
// for any message the catalogue lacks (i18n.T's marker, ‹key›).
func clean(t *testing.T, ctx context.Context) {
	t.Helper()
	if vs := browsertest.Axe(t, ctx); len(vs) > 0 {
		t.Errorf("%s: %d axe-core violation(s)", location(t, ctx), len(vs))
	}
	missing, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new Set(document.documentElement.outerHTML.match(/‹[^‹›<>\s]+›/g) || [])]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("%s: messages missing from the catalogue: %q", location(t, ctx), missing)
	}
}

// TestSheetInBrowser: in the demo's Turin experience, the company tutor
// fills Giulia Romano's observation sheet on a phone (360 × 740, no
// sideways scrolling), competence by competence; a refused save keeps
// what was typed and says the problem beside its row; the tutor submits
// it, and the sheet is locked (the page no longer offers to edit it, and a
// POST is refused). The school tutor countersigns, the Chamber reopens it
// with a reason, both versions are visible, the company submits again and
// the school countersigns version 2. axe-core checks every page.
func TestSheetInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	phone := browsertest.New(t)
	do(t, phone, chromedp.EmulateViewport(360, 740))
	signIn(t, phone, ts.URL, "tutor@officine-torinesi.example", demo.Password, dashboard)
	expURL := experienceHref(t, phone, ts.URL, "Assemblaggio di gruppi meccanici")
	do(t, phone, chromedp.Navigate(expURL), chromedp.WaitVisible(chromedp.CSS("#student-files")))
	if files := text(t, phone, "#student-files"); !strings.Contains(files, "Romano") || !strings.Contains(files, "in compilazione") {
		t.Errorf("the experience's sheets: %q", files)
	}
	noSideways(t, phone, 360)
	clean(t, phone)
	do(t, phone, chromedp.Click(chromedp.CSS(`#student-files a[href^="/sheets/"]`)), chromedp.WaitVisible(chromedp.CSS("#sheet-form")))
	sheetURL := location(t, phone)
	sheetPath := strings.TrimPrefix(sheetURL, ts.URL)
	noSideways(t, phone, 360)
	clean(t, phone)
	browsertest.Screenshot(t, phone, "sheet-1-draft-phone")

	// Competence by competence: each tab shows its rows only.
	tabs, err := chromedp.Run(phone, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#sheet-tabs a')].map(a => a.getAttribute('href'))`))
	if err != nil || len(tabs) == 0 {
		t.Fatalf("the competences' tabs: %v %v", tabs, err)
	}
	var firstBlank string
	for _, tab := range tabs {
		do(t, phone, chromedp.Navigate(ts.URL+tab), chromedp.WaitVisible(chromedp.CSS("#sheet-form")))
		blank, err := chromedp.Run(phone, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#sheet-form fieldset.sheet-row')].filter(f => !f.querySelector('input:checked')).map(f => f.id.slice(4))`))
		if err != nil {
			t.Fatal(err)
		}
		if len(blank) == 0 {
			continue
		}
		// The first blank row: a period outside the experience's dates,
		// and a note; the others a level, or "not observed".
		firstBlank = blank[0]
		do(t, phone,
			chromedp.Click(chromedp.CSS("#row-"+firstBlank+" summary")),
			chromedp.WaitVisible(chromedp.CSS("#from-"+firstBlank)),
			chromedp.SetValue(chromedp.CSS("#from-"+firstBlank), "2026-01-12"),
			chromedp.SendKeys(chromedp.CSS("#note-"+firstBlank), "Montaggio di un riduttore in autonomia"),
			chromedp.Click(chromedp.CSS(`label[for="lv-`+firstBlank+`-3"]`)))
		for i, id := range blank[1:] {
			level := "2"
			if i == len(blank)-2 {
				level = "none"
			}
			do(t, phone, chromedp.Click(chromedp.CSS(`label[for="lv-`+id+`-`+level+`"]`)))
		}
		noSideways(t, phone, 360)
		do(t, phone, chromedp.Click(chromedp.CSS("#sheet-save")), chromedp.WaitVisible(chromedp.CSS("#sheet-errors, #sheet-saved")))
		if count(t, phone, "#sheet-errors") == 0 {
			t.Fatalf("a period before the experience was saved: %q", text(t, phone, "main"))
		}
		if msg := text(t, phone, "#row-"+firstBlank+" .invalid-feedback"); !strings.Contains(msg, "periodo") {
			t.Errorf("the problem beside the row: %q", msg)
		}
		if n := count(t, phone, "#sheet-form fieldset.sheet-row:not(:has(input:checked))"); n != 0 {
			t.Errorf("%d rows lost their level after the refusal", n)
		}
		if v := value(t, phone, "#note-"+firstBlank); v != "Montaggio di un riduttore in autonomia" {
			t.Errorf("the note after the refusal: %q", v)
		}
		noSideways(t, phone, 360)
		clean(t, phone)
		browsertest.Screenshot(t, phone, "sheet-2-refused-phone")
		do(t, phone, chromedp.SetValue(chromedp.CSS("#from-"+firstBlank), "2027-02-15"),
			chromedp.Click(chromedp.CSS("#sheet-save")), chromedp.WaitVisible(chromedp.CSS("#sheet-saved")))
	}
	if firstBlank == "" {
		t.Fatal("the demo's draft has no blank row")
	}
	if n := count(t, phone, "#sheet-form fieldset.sheet-row:not(:has(input:checked))"); n != 0 {
		t.Errorf("%d rows without a level after the save", n)
	}
	noSideways(t, phone, 360)
	clean(t, phone)
	do(t, phone, chromedp.Click(chromedp.CSS("#sheet-submit")), chromedp.WaitVisible(chromedp.CSS("#sheet-submitted")))
	if s := text(t, phone, "#sheet-state"); s != "inviata" {
		t.Errorf("after submitting the sheet is %q", s)
	}
	if s := text(t, phone, "#sheet-submitted"); !strings.Contains(s, "Tutor aziendale") {
		t.Errorf("the submission is not attributed: %q", s)
	}
	if n := count(t, phone, "#sheet-form, #sheet-submit"); n != 0 {
		t.Errorf("a submitted sheet still offers %d forms to edit it", n)
	}
	if row := text(t, phone, "#row-"+firstBlank); !strings.Contains(row, "Montaggio di un riduttore") || !strings.Contains(row, "15") {
		t.Errorf("the submitted row: %q", row)
	}
	key := text(t, phone, "#row-"+firstBlank+" .text-muted")
	post(t, phone, sheetPath, url.Values{"version": {"1"}, "row": {key}, "level:" + key: {"1"}}, "#sheet-error")
	if msg := text(t, phone, "#sheet-error"); !strings.Contains(msg, "non si modifica più") {
		t.Errorf("a save of the submitted sheet: %q", msg)
	}
	if row := text(t, phone, "#row-"+firstBlank); !strings.Contains(row, "3 ·") {
		t.Errorf("the submitted row after a refused save: %q", row)
	}
	noSideways(t, phone, 360)
	clean(t, phone)
	browsertest.Screenshot(t, phone, "sheet-3-submitted-phone")

	// The school tutor countersigns.
	desk := browsertest.New(t)
	signIn(t, desk, ts.URL, "docente@ferraris.example", demo.Password, dashboard)
	do(t, desk, chromedp.Navigate(sheetURL), chromedp.WaitVisible(chromedp.CSS("#sheet-countersign")))
	clean(t, desk)
	do(t, desk, chromedp.Click(chromedp.CSS("#sheet-countersign")), chromedp.WaitVisible(chromedp.CSS("#sheet-countersigned")))
	if s := text(t, desk, "#sheet-state"); s != "controfirmata" {
		t.Errorf("after the countersignature the sheet is %q", s)
	}
	clean(t, desk)
	signOut(t, desk)

	// The Chamber reopens it: a reason too short is refused, beside the
	// field; then version 2 is a draft, and version 1 is kept as it was.
	signIn(t, desk, ts.URL, "operatore@to.example", demo.Password, dashboard)
	do(t, desk, chromedp.Navigate(sheetURL), chromedp.WaitVisible(chromedp.CSS("#sheet-reopen")),
		chromedp.Click(chromedp.CSS("#sheet-reopen summary")), chromedp.WaitVisible(chromedp.CSS("#reopen-reason")),
		chromedp.SendKeys(chromedp.CSS("#reopen-reason"), "Breve"),
		chromedp.Click(chromedp.CSS("#sheet-reopen-submit")), chromedp.WaitVisible(chromedp.CSS("#sheet-reopen .invalid-feedback")))
	if v := value(t, desk, "#reopen-reason"); v != "Breve" {
		t.Errorf("the reason after the refusal: %q", v)
	}
	clean(t, desk)
	const reason = "La data di inizio osservazione della prima riga è errata."
	do(t, desk, chromedp.Evaluate[chromedp.Void](`document.querySelector('#reopen-reason').value = ''`), chromedp.SendKeys(chromedp.CSS("#reopen-reason"), reason),
		chromedp.Click(chromedp.CSS("#sheet-reopen-submit")))
	waitFor(t, desk, "#sheet-reopened")
	if s := text(t, desk, "#sheet-state"); s != "in compilazione" {
		t.Errorf("after reopening the sheet is %q", s)
	}
	if s := text(t, desk, "#sheet-reopened"); !strings.Contains(s, reason) || !strings.Contains(s, "Operatore camerale") {
		t.Errorf("the reopening: %q", s)
	}
	if n := count(t, desk, "#sheet-versions li"); n != 2 {
		t.Errorf("%d versions listed, want 2", n)
	}
	clean(t, desk)
	do(t, desk, chromedp.Click(chromedp.CSS(`#sheet-versions a[href*="version=1"]`)), chromedp.WaitVisible(chromedp.CSS("#sheet-countersigned")))
	if v := text(t, desk, "#sheet-version"); !strings.HasPrefix(v, "1 di 2") {
		t.Errorf("the old version: %q", v)
	}
	if n := count(t, desk, "#sheet-form, #sheet-reopen"); n != 0 {
		t.Errorf("an old version offers %d forms", n)
	}
	clean(t, desk)
	browsertest.Screenshot(t, desk, "sheet-4-version-1")
	signOut(t, desk)

	// The company submits version 2, the school countersigns it.
	do(t, phone, chromedp.Navigate(sheetURL), chromedp.WaitVisible(chromedp.CSS("#sheet-submit")))
	if v := text(t, phone, "#sheet-version"); !strings.HasPrefix(v, "2 di 2") {
		t.Errorf("the reopened sheet: %q", v)
	}
	noSideways(t, phone, 360)
	do(t, phone, chromedp.Click(chromedp.CSS("#sheet-submit")), chromedp.WaitVisible(chromedp.CSS("#sheet-submitted")))
	signIn(t, desk, ts.URL, "docente@ferraris.example", demo.Password, dashboard)
	do(t, desk, chromedp.Navigate(sheetURL), chromedp.WaitVisible(chromedp.CSS("#sheet-countersign")),
		chromedp.Click(chromedp.CSS("#sheet-countersign")), chromedp.WaitVisible(chromedp.CSS("#sheet-countersigned")))
	if v := text(t, desk, "#sheet-version"); !strings.HasPrefix(v, "2 di 2") {
		t.Errorf("the countersigned sheet: %q", v)
	}
	if list := text(t, desk, "#sheet-versions"); strings.Count(list, "controfirmata") != 2 {
		t.Errorf("the versions: %q", list)
	}
	clean(t, desk)
}

// closedExperience makes, through the services as the demo's Milan tutors,
// a short experience for Sofia Moretti that is closed with its hours and
// its countersigned sheet: its dossier lacks nothing.
func closedExperience(t *testing.T, srv *server.Server) {
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
	classes, err := svc.People.Classes(ctx, school, "mitf01000a")
	if err != nil || len(classes) == 0 {
		t.Fatalf("the demo class: %v", err)
	}
	class, err := svc.People.Class(ctx, school, classes[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var student string
	for _, e := range class.Students {
		if e.Person.FamilyName == "Moretti" {
			student = e.Person.ID
		}
	}
	e, err := svc.Experiences.Create(ctx, school, experience.New{Company: "co-09712340562", Class: classes[0].ID, Sector: "meccatronica", Design: experience.Design{
		Title: "Settimana in ufficio tecnico", Path: "progettazione", Students: []string{student}, SchoolTutor: school.Person, CompanyTutor: company.Person,
		Start: "2026-09-14", End: "2026-09-18", PlannedHours: 40, HoursException: "Settimana di orientamento: le altre ore sono nel percorso di primavera.",
		Competences: []experience.PlannedCompetence{{Code: "C1", Activities: []experience.PlannedActivity{{ADA: "ADA.10.02.02", Result: "RA1", Activity: 1, Evidences: []int{1}}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	steps := []func() error{
		func() (err error) { _, err = svc.Experiences.SignOff(ctx, school, e.ID, 1); return },
		func() (err error) { _, err = svc.Experiences.SignOff(ctx, company, e.ID, 1); return },
		func() (err error) { _, err = svc.Experiences.Start(ctx, company, e.ID, 1); return },
		func() (err error) {
			_, err = svc.Experiences.RecordHours(ctx, company, e.ID, experience.HoursInput{Student: student, Day: "2026-09-14", Weekly: true, Minutes: 40 * 60, Activity: "Affiancamento all'ufficio tecnico"})
			return
		},
		func() error {
			v, err := svc.Sheets.Sheet(ctx, company, e.ID, student)
			if err != nil {
				return err
			}
			rows := v.Current().Rows
			for i := range rows {
				rows[i].Level = 3
			}
			if _, err := svc.Sheets.Save(ctx, company, e.ID, student, 1, rows); err != nil {
				return err
			}
			if _, err := svc.Sheets.Submit(ctx, company, e.ID, student, 1); err != nil {
				return err
			}
			_, err = svc.Sheets.Countersign(ctx, school, e.ID, student, 1)
			return err
		},
		func() (err error) { _, err = svc.Experiences.Close(ctx, school, e.ID, 1); return },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d of the closed experience: %v", i+1, err)
		}
	}
}

// TestDossierInBrowser: the Chamber of Milan sees what the dossier of a
// student of an experience in progress lacks, precisely, and is not
// offered to lock it (a POST is refused too); the dossier of a closed
// experience with its hours and countersigned sheet lacks nothing, and
// the Chamber locks it: the page shows the digest and the log index, and
// the document it downloads has that digest. The school tutor sees the
// notes form of an open dossier. axe-core checks every page.
func TestDossierInBrowser(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	closedExperience(t, srv)
	ctx := browsertest.New(t)
	signIn(t, ctx, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	do(t, ctx, chromedp.Navigate(experienceHref(t, ctx, ts.URL, "Progettazione CAD di attrezzature")), chromedp.WaitVisible(chromedp.CSS("#student-files")),
		chromedp.Click(chromedp.CSS(`#student-files li:first-child a[href^="/dossiers/"]`)), chromedp.WaitVisible(chromedp.CSS("#dossier-missing")))
	if missing := text(t, ctx, "#dossier-missing"); !strings.Contains(missing, "in corso, non concluso") || !strings.Contains(missing, "ore registrate 16 su 200 previste") {
		t.Errorf("what the dossier lacks: %q", missing)
	}
	if n := count(t, ctx, "#dossier-lock-form"); n != 0 {
		t.Error("a dossier that lacks something offers the lock")
	}
	path := strings.TrimPrefix(location(t, ctx), ts.URL)
	post(t, ctx, strings.Replace(path, "?", "/lock?", 1), url.Values{}, "#dossier-error")
	if msg := text(t, ctx, "#dossier-error"); !strings.Contains(msg, "non si può chiudere") {
		t.Errorf("locking a dossier that lacks something: %q", msg)
	}
	clean(t, ctx)
	browsertest.Screenshot(t, ctx, "dossier-1-missing")

	do(t, ctx, chromedp.Navigate(experienceHref(t, ctx, ts.URL, "Settimana in ufficio tecnico")), chromedp.WaitVisible(chromedp.CSS("#student-files")),
		chromedp.Click(chromedp.CSS(`#student-files a[href^="/dossiers/"]`)), chromedp.WaitVisible(chromedp.CSS("#dossier-complete")))
	clean(t, ctx)
	do(t, ctx, chromedp.Submit(chromedp.CSS("#dossier-lock-form")))
	waitFor(t, ctx, "#dossier-digest")
	digest := text(t, ctx, "#dossier-digest")
	if !strings.HasPrefix(digest, "sha256:") {
		t.Errorf("the digest: %q", digest)
	}
	if s := text(t, ctx, "#dossier-state"); s != "chiuso per la commissione" {
		t.Errorf("after the lock the dossier is %q", s)
	}
	if n := count(t, ctx, "#dossier-lock-form, #dossier-return-form"); n != 0 {
		t.Errorf("a locked dossier offers %d forms", n)
	}
	doc := fetchText(t, ctx, attr(t, ctx, "#dossier-document", "href"))
	if got := dossier.Digest([]byte(doc)); got != digest {
		t.Errorf("the document downloaded has digest %s, the page says %s\n%s", got, digest, doc)
	}
	clean(t, ctx)
	browsertest.Screenshot(t, ctx, "dossier-2-locked")
	signOut(t, ctx)

	// The school tutor writes notes on an open dossier.
	signIn(t, ctx, ts.URL, "docente@feltrinelli.example", demo.Password, dashboard)
	asRole(t, ctx, "mitf01000a", "school_tutor")
	do(t, ctx, chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.CSS("#dossier-notes-form")))
	clean(t, ctx)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#notes-text"), "Partecipazione costante; il percorso prosegue."),
		chromedp.Click(chromedp.CSS("#dossier-notes-form button[type=submit]")))
	waitFor(t, ctx, "#dossier-saved")
	if n := text(t, ctx, "#dossier-notes"); n != "Partecipazione costante; il percorso prosegue." {
		t.Errorf("the notes: %q", n)
	}
	clean(t, ctx)
}
