package browsertest_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// optionValue returns the value of the option of select sel whose text
// contains label.
func optionValue(t *testing.T, ctx context.Context, sel, label string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`([...document.querySelectorAll(`+"`"+sel+` option`+"`"+`)].find(o => o.textContent.includes(`+"`"+label+"`"+`)) || {value: ''}).value`))
	if err != nil || v == "" {
		t.Fatalf("no option %q in %s: %v", label, sel, err)
	}
	return v
}

// checkboxFor returns the id of the checkbox whose label contains label,
// within the element sel.
func checkboxFor(t *testing.T, ctx context.Context, sel, label string) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`([...document.querySelectorAll(`+"`"+sel+` label`+"`"+`)].find(l => l.textContent.includes(`+"`"+label+"`"+`)) || {htmlFor: ''}).htmlFor`))
	if err != nil || id == "" {
		t.Fatalf("no checkbox %q in %s: %v", label, sel, err)
	}
	return id
}

// noSideways fails the test when the page scrolls horizontally.
func noSideways(t *testing.T, ctx context.Context, width int) {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.scrollingElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if w > width {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > `+strconv.Itoa(width)+` && ![...e.children].some(c => c.getBoundingClientRect().right > `+strconv.Itoa(width)+`)).slice(0, 5).map(e => e.outerHTML.slice(0, 120)).join('\n')`))
		t.Errorf("%s scrolls sideways at %d px: %d px wide, because of\n%s", location(t, ctx), width, w, wide)
	}
}

// asRole switches the signed-in person to a role of theirs, from the
// dashboard, unless they act in it already.
func asRole(t *testing.T, ctx context.Context, org, role string) {
	t.Helper()
	sel := `form[action="/account/switch"]:has(input[name="org"][value="` + org + `"]):has(input[name="role"][value="` + role + `"]) button`
	if count(t, ctx, sel) > 0 {
		do(t, ctx, chromedp.Click(chromedp.CSS(sel)), chromedp.WaitNotPresent(chromedp.CSS(sel)))
	}
}

// TestExperienceInBrowser: the school tutor designs an experience for two
// students of 4A MEC with Meccanica Lombarda by ticking the standard's
// evidences (a refused form keeps every tick); the company tutor and then
// the school tutor sign it off and it is co-designed; a change after the
// sign-off is revision 2, which the comparison shows; the company tutor
// starts it and records hours on a phone-sized screen without sideways
// scrolling. axe-core checks every page.
func TestExperienceInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)

	signIn(t, ctx, ts.URL, "docente@feltrinelli.example", demo.Password, dashboard)
	asRole(t, ctx, "mitf01000a", "school_tutor")
	if n := count(t, ctx, `.it-header-navbar-wrapper .nav-wide a[href="/experiences"]`); n != 1 {
		t.Errorf("the header's navigation has %d links to the experiences", n)
	}
	browsertest.Axe(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.CSS(`.nav-wide a[href="/experiences"]`)), chromedp.WaitVisible(chromedp.CSS("#experiences")))
	if list := text(t, ctx, "#experiences"); !strings.Contains(list, "Progettazione CAD di attrezzature") || !strings.Contains(list, "in corso") {
		t.Errorf("the list: %q", list)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "experience-1-list")

	// The choices, then the design form.
	do(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/experiences/new"]`)), chromedp.WaitVisible(chromedp.CSS("#choices")))
	browsertest.Axe(t, ctx)
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#choice-company"), optionValue(t, ctx, "#choice-company", "Meccanica Lombarda")),
		chromedp.SetValue(chromedp.CSS("#choice-class"), optionValue(t, ctx, "#choice-class", "4A MEC")),
		chromedp.SetValue(chromedp.CSS("#choice-area"), "meccatronica|progettazione"),
		chromedp.Click(chromedp.CSS("#choices button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#design")))
	const ev1, ev2 = "C1|ADA.10.02.02|RA1|1|1", "C1|ADA.10.02.03|RA2|1|2"
	label := func(value string) string {
		return `label[for="ev-` + strings.NewReplacer("|", "-", ".", "-").Replace(value) + `"]`
	}
	esposito, marino := checkboxFor(t, ctx, "#design-students", "Esposito"), checkboxFor(t, ctx, "#design-students", "Marino")
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#design-start"), "2026-10-05"),
		chromedp.SetValue(chromedp.CSS("#design-end"), "2027-03-31"),
		chromedp.SetValue(chromedp.CSS("#design-planned_hours"), "120"),
		chromedp.Click(chromedp.CSS(`label[for="`+esposito+`"]`)),
		chromedp.Click(chromedp.CSS(`label[for="`+marino+`"]`)),
		chromedp.SetValue(chromedp.CSS("#design-company_tutor"), optionValue(t, ctx, "#design-company_tutor", "Paolo Ricci")),
		chromedp.Click(chromedp.CSS(label(ev1))),
		chromedp.Click(chromedp.CSS(label(ev2))))
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "experience-2-design")
	// Without a title the form comes back with the problem, and every tick.
	do(t, ctx, chromedp.Click(chromedp.CSS("#design button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#design-errors")))
	if msg := text(t, ctx, "#design-title-error"); msg == "" {
		t.Error("the missing title is not said beside the field")
	}
	if n := count(t, ctx, `#design input[name="evidence"]:checked`); n != 2 {
		t.Errorf("%d evidences ticked after the refusal, want 2", n)
	}
	if n := count(t, ctx, `#design input[name="student"]:checked`); n != 2 {
		t.Errorf("%d students ticked after the refusal, want 2", n)
	}
	if v := value(t, ctx, "#design-planned_hours"); v != "120" {
		t.Errorf("the planned hours after the refusal: %q", v)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "experience-3-design-refused")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#design-title"), "Manutenzione di attrezzature"),
		chromedp.Click(chromedp.CSS("#design button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#experience-state")))
	expURL := location(t, ctx)
	if s := text(t, ctx, "#experience-state"); s != "in bozza" {
		t.Errorf("a new experience is %q", s)
	}
	if planned := text(t, ctx, "#planned"); !strings.Contains(planned, "C1/ADA.10.02.02/RA1/A1/E1") || !strings.Contains(planned, "C1/ADA.10.02.03/RA2/A1/E2") {
		t.Errorf("the planned evidences: %q", planned)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "experience-4-draft")
	signOut(t, ctx)

	// The company tutor signs off first, from the dashboard's task.
	signIn(t, ctx, ts.URL, "tutor@meccanica-lombarda.example", demo.Password, dashboard)
	if tasks := text(t, ctx, "#tasks-signoffs"); !strings.Contains(tasks, "Manutenzione di attrezzature") {
		t.Errorf("the company's tasks: %q", tasks)
	}
	browsertest.Axe(t, ctx)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#tasks-signoffs a[href="`+strings.TrimPrefix(expURL, ts.URL)+`"]`)), chromedp.WaitVisible(chromedp.CSS("#sign-off")),
		chromedp.Click(chromedp.CSS("#sign-off")), chromedp.WaitNotPresent(chromedp.CSS("#sign-off")))
	if s := text(t, ctx, "#revisions tbody tr:last-child"); !strings.Contains(s, "Paolo Ricci") || !strings.Contains(s, "Tutor aziendale") {
		t.Errorf("the company's sign-off is not shown: %q", s)
	}
	signOut(t, ctx)

	// The school tutor signs off: co-designed. A change makes revision 2.
	signIn(t, ctx, ts.URL, "docente@feltrinelli.example", demo.Password, dashboard)
	asRole(t, ctx, "mitf01000a", "school_tutor")
	do(t, ctx, chromedp.Navigate(expURL), chromedp.WaitVisible(chromedp.CSS("#sign-off")),
		chromedp.Click(chromedp.CSS("#sign-off")), chromedp.WaitNotPresent(chromedp.CSS("#sign-off")))
	if s := text(t, ctx, "#experience-state"); s != "co-progettato" {
		t.Errorf("after both sign-offs the experience is %q", s)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "experience-5-codesigned")
	do(t, ctx, chromedp.Click(chromedp.CSS("#edit")), chromedp.WaitVisible(chromedp.CSS("#design")))
	browsertest.Axe(t, ctx)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#design-planned_hours"), "160"),
		chromedp.Click(chromedp.CSS(label("C1|ADA.10.02.02|RA1|1|2"))),
		chromedp.Click(chromedp.CSS("#design button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#experience-revision")))
	if r := text(t, ctx, "#experience-revision"); !strings.HasPrefix(r, "2") {
		t.Errorf("after a change to a signed-off design: revision %q", r)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`#revisions a[href*="/compare?from=1"]`)), chromedp.WaitVisible(chromedp.CSS("#changes")))
	if changes := text(t, ctx, "#changes"); !strings.Contains(changes, "Ore previste per studente") || !strings.Contains(changes, "160") || !strings.Contains(changes, "Evidenze di") {
		t.Errorf("the comparison: %q", changes)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "experience-6-compare")
	do(t, ctx, chromedp.Navigate(expURL), chromedp.WaitVisible(chromedp.CSS("#sign-off")),
		chromedp.Click(chromedp.CSS("#sign-off")), chromedp.WaitNotPresent(chromedp.CSS("#sign-off")))
	signOut(t, ctx)

	// The company tutor signs revision 2 off, starts the experience and
	// records hours on a phone: a browser of their own, with its own time.
	ctx = browsertest.New(t)
	do(t, ctx, chromedp.EmulateViewport(360, 740))
	signIn(t, ctx, ts.URL, "tutor@meccanica-lombarda.example", demo.Password, dashboard)
	noSideways(t, ctx, 360)
	do(t, ctx, chromedp.Navigate(expURL), chromedp.WaitVisible(chromedp.CSS("#sign-off")),
		chromedp.Click(chromedp.CSS("#sign-off")), chromedp.WaitNotPresent(chromedp.CSS("#sign-off")),
		chromedp.Click(chromedp.CSS("#start")), chromedp.WaitVisible(chromedp.CSS("#record-hours")))
	if s := text(t, ctx, "#experience-state"); s != "in corso" {
		t.Errorf("after the start the experience is %q", s)
	}
	noSideways(t, ctx, 360)
	browsertest.Axe(t, ctx)
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#hours-student"), optionValue(t, ctx, "#hours-student", "Marino")),
		chromedp.SetValue(chromedp.CSS("#hours-day"), "2026-10-26"),
		chromedp.SendKeys(chromedp.CSS("#hours-hours"), "7,5"),
		chromedp.SendKeys(chromedp.CSS("#hours-activity"), "Smontaggio e verifica di un'attrezzatura"),
		chromedp.Submit(chromedp.CSS("#record-hours")),
		chromedp.WaitVisible(chromedp.CSS(`#records tr[id^="record-"], #hours-error, #record-hours .invalid-feedback`)))
	if n := count(t, ctx, "#hours-error, #record-hours .invalid-feedback"); n > 0 {
		t.Fatalf("recording hours was refused: %q", text(t, ctx, "#hours"))
	}
	if rec := text(t, ctx, "#records tbody"); !strings.Contains(rec, "7,5 h") || !strings.Contains(rec, "Davide Marino") || !strings.Contains(rec, "Paolo Ricci") {
		t.Errorf("the records: %q", rec)
	}
	if tot := text(t, ctx, "#totals tbody"); !strings.Contains(tot, "7,5 h") {
		t.Errorf("the totals: %q", tot)
	}
	noSideways(t, ctx, 360)
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "experience-7-hours-phone")
	// The header's navigation opens without JavaScript on a phone.
	do(t, ctx, chromedp.Click(chromedp.CSS(".nav-toggle summary")), chromedp.WaitVisible(chromedp.CSS(`.nav-toggle a[href="/experiences"]`)))
	noSideways(t, ctx, 360)
	browsertest.Axe(t, ctx)
}
