package browsertest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// signIn fills in the sign-in form as a person would.
// It waits for the element wait of the page that follows.
func signIn(t *testing.T, ctx context.Context, base, email, password, wait string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(wait)))
}

// dashboard is an element only the dashboard has.
const dashboard = `main a[href="/account"]`

// signOut uses the button in the header.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#active-title")))
}

// TestPlatformInBrowser: a school referent signs in (after a wrong
// password), finds the school's class and its students, imports a class
// from a CSV file with one bad row (named precisely; nothing imported),
// fixes it, previews, confirms and sees the new class's students; a company
// tutor of another organisation signs in and reaches none of them (the
// pages do not exist for them). Every page is checked with axe-core.
func TestPlatformInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)

	// A wrong password: a precise message, and the address is kept.
	signIn(t, ctx, ts.URL, "referente@feltrinelli.example", "not the password", "#login-error")
	if msg := text(t, ctx, "#login-error"); !strings.Contains(msg, "password errati") {
		t.Errorf("wrong password: %q", msg)
	}
	if v := value(t, ctx, "#email"); v != "referente@feltrinelli.example" {
		t.Errorf("the address typed was lost: %q", v)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-1-login-error")

	do(t, ctx, chromedp.Clear(chromedp.CSS("#password")))
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(dashboard)))
	if loc := location(t, ctx); loc != ts.URL+"/dashboard" {
		t.Fatalf("after signing in: %s", loc)
	}
	if h1 := text(t, ctx, "main h1"); !strings.Contains(h1, "Laura Bianchi") {
		t.Errorf("dashboard: %q", h1)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-2-dashboard")

	// The school, its class, the class's students.
	do(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/orgs/mitf01000a"]`)), chromedp.WaitVisible(chromedp.CSS("#classes-title")))
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-3-school")
	do(t, ctx, chromedp.Click(chromedp.CSS(`#classes table a`)), chromedp.WaitVisible(chromedp.CSS("#students")))
	classURL := location(t, ctx)
	students := text(t, ctx, "#students")
	for _, s := range []string{"Esposito", "Marino", "Lombardi", "Moretti", "2026-0101", "Anna Esposito"} {
		if !strings.Contains(students, s) {
			t.Errorf("the class page lacks %q", s)
		}
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-4-class")

	// Import a class from CSV: one bad row is named precisely and nothing
	// is imported; fixed, the file is previewed, confirmed and imported.
	dir := t.TempDir()
	bad := filepath.Join(dir, "5a-mec.csv")
	good := filepath.Join(dir, "5a-mec-corretto.csv")
	const header = "anno_scolastico;classe;matricola;cognome;nome;recapito;consenso_di\r\n"
	os.WriteFile(bad, []byte(header+"2026/27;5A MEC;2026-0201;Rinaldi;Giorgio;;Maria Rinaldi\r\n2026/27;5A MEC;2026-0202;;Elisa;;\r\n2026/27;5A MEC;2026-0203;Ferrara;Luca;+39 333 1112223;\r\n"), 0o644)
	os.WriteFile(good, []byte(header+"2026/27;5A MEC;2026-0201;Rinaldi;Giorgio;;Maria Rinaldi\r\n2026/27;5A MEC;2026-0202;Caruso;Elisa;;\r\n2026/27;5A MEC;2026-0203;Ferrara;Luca;+39 333 1112223;\r\n"), 0o644)
	upload := func(path string) {
		t.Helper()
		do(t, ctx, chromedp.Navigate(ts.URL+"/orgs/mitf01000a"), chromedp.WaitVisible(chromedp.CSS("#import-classes-title")),
			chromedp.SetUploadFiles(chromedp.CSS("#file-classes"), []string{path}),
			chromedp.Click(chromedp.CSS(`form[action="/orgs/mitf01000a/import/classes"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#import-errors, #job-confirm")))
	}
	upload(bad)
	if row := text(t, ctx, "#import-errors tbody tr"); !strings.Contains(row, "3") || !strings.Contains(row, "cognome") || !strings.Contains(row, "obbligatorio") {
		t.Errorf("the bad row is reported as %q, want row 3, column cognome", row)
	}
	if n := count(t, ctx, "#import-errors tbody tr"); n != 1 {
		t.Errorf("%d problems reported, want 1", n)
	}
	if !strings.Contains(text(t, ctx, "#import-error"), "Non è stato importato nulla") {
		t.Error("the refusal does not say that nothing was imported")
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-5-import-error")
	do(t, ctx, chromedp.Navigate(ts.URL+"/orgs/mitf01000a"), chromedp.WaitVisible(chromedp.CSS("#classes-title")))
	if strings.Contains(text(t, ctx, "#classes"), "5A MEC") {
		t.Fatal("a refused file created its class")
	}
	upload(good)
	if c := text(t, ctx, "#job-counts"); !strings.Contains(c, "3 da creare") {
		t.Errorf("preview: %q", c)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-6-import-preview")
	do(t, ctx, chromedp.Click(chromedp.CSS("#job-confirm")), chromedp.WaitVisible(chromedp.CSS("#job-result")))
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-7-import-done")
	// The link back leads to the school's classes (#classes): the page
	// scrolls there once loaded, so the new class is followed by its
	// address rather than clicked where it was a moment before.
	do(t, ctx, chromedp.Click(chromedp.CSS("#job-back")), chromedp.WaitVisible(chromedp.CSS("#classes-title")))
	newClass := attr(t, ctx, `#classes a[href^="/classes/"]:not([href="`+strings.TrimPrefix(classURL, ts.URL)+`"])`, "href")
	do(t, ctx, chromedp.Navigate(ts.URL+newClass), chromedp.WaitVisible(chromedp.CSS("#students")))
	newClassURL := location(t, ctx)
	if h1 := text(t, ctx, "main h1"); !strings.Contains(h1, "5A MEC") {
		t.Errorf("the imported class page: %q", h1)
	}
	imported := text(t, ctx, "#students")
	for _, s := range []string{"Rinaldi", "Caruso", "Ferrara", "2026-0202", "Maria Rinaldi"} {
		if !strings.Contains(imported, s) {
			t.Errorf("the imported class lacks %q", s)
		}
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-8-imported-class")

	signOut(t, ctx)

	// A company tutor of another organisation cannot reach the class or
	// the school: they do not exist for them.
	signIn(t, ctx, ts.URL, "tutor@officine-torinesi.example", demo.Password, dashboard)
	for _, u := range []string{classURL, newClassURL, ts.URL + "/orgs/mitf01000a"} {
		do(t, ctx, chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if h1 := text(t, ctx, "main h1"); h1 != "Pagina non trovata" {
			t.Errorf("a company tutor of another organisation at %s sees %q", u, h1)
		}
		if m := text(t, ctx, "main"); strings.Contains(m, "Esposito") || strings.Contains(m, "Caruso") {
			t.Errorf("a student's name shown to another organisation at %s", u)
		}
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-5-not-found")
}

func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

func count(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
	if err != nil {
		t.Fatalf("counting %s: %v", sel, err)
	}
	return n
}

// TestTableInBrowser: a school referent opens the territorial table the
// school sits at, with its members and minutes; axe-core checks the pages.
func TestTableInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	signIn(t, ctx, ts.URL, "referente@feltrinelli.example", demo.Password, dashboard)
	// The territorial table the school sits at, with its minutes.
	do(t, ctx, chromedp.Click(chromedp.CSS(`main a[href="/tables"]`)), chromedp.WaitVisible(chromedp.CSS("#tables")),
		chromedp.Click(chromedp.CSS(`#tables a`)), chromedp.WaitVisible(chromedp.CSS("#meetings-title")))
	if m := text(t, ctx, "main"); !strings.Contains(m, "ITIS Giacomo Feltrinelli") || !strings.Contains(m, "verbale-2026-10-15.pdf") {
		t.Errorf("the table page lacks its members or minutes")
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "platform-4b-table")
}
