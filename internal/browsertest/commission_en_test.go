package browsertest_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// TestCommissionInEnglish: the commission's pages on the demo's closed
// session, in English, for the Chamber (the list, the commission, the
// session with its badge, the candidate, the paper) and for the learner
// (her outcomes): no Italian-only text, dates the English way, axe-core
// clean.
func TestCommissionInEnglish(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	leaks := italianOnly()
	signIn(t, ctx, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	do(t, ctx, chromedp.Click(chromedp.CSS(`header nav a[hreflang="en"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] `+dashboard)))
	do(t, ctx, chromedp.Navigate(ts.URL+"/commissions"), chromedp.WaitVisible(chromedp.CSS("#commissions")))
	english(t, ctx, leaks, map[string]string{"main h1": "commissions.title", "#nominate-title": "commission.nominate.title"})
	do(t, ctx, chromedp.Click(chromedp.CSS(`#commissions a[href^="/commissions/"]`)), chromedp.WaitVisible(chromedp.CSS("#open-form")))
	english(t, ctx, leaks, map[string]string{"#sessions-title": "commission.sessions", "#open-title": "session.open.title"})
	do(t, ctx, chromedp.Click(chromedp.CSS(`#sessions a[href^="/commission-sessions/"]`)), chromedp.WaitVisible(chromedp.CSS("#badges")))
	page := english(t, ctx, leaks, map[string]string{"#session-state": "session.closed", "#badges-title": "session.badges"})
	if !englishDate.MatchString(page) {
		t.Errorf("the session's page has no date written the English way: %q", page)
	}
	browsertest.Screenshot(t, ctx, "en-commission-session")
	do(t, ctx, chromedp.Click(chromedp.CSS(`#candidates-table a[href*="/candidate?"]`)), chromedp.WaitVisible(chromedp.CSS("#candidate-facts")))
	english(t, ctx, leaks, nil)
	// The paper: its frame in English; its questions are the bank's, in
	// the language they were written in.
	do(t, ctx, chromedp.Click(chromedp.CSS("#paper-link")), chromedp.WaitVisible(chromedp.CSS("#paper")))
	if h := text(t, ctx, "main h1"); !strings.HasPrefix(h, "Paper of ") || !strings.Contains(text(t, ctx, "#paper"), "Question 1") {
		t.Errorf("the paper in English: %q", h)
	}
	clean(t, ctx)
	signOut(t, ctx)

	signIn(t, ctx, ts.URL, "studente@feltrinelli.example", demo.Password, `html[lang="en"] `+dashboard)
	do(t, ctx, chromedp.Navigate(ts.URL+"/badges"), chromedp.WaitVisible(chromedp.CSS("#my-badges")))
	b := english(t, ctx, leaks, map[string]string{"main h1": "badges.title", "#decisions-title": "badges.decisions"})
	if !strings.Contains(b, "No badges yet.") {
		t.Errorf("the student's badges: %q", b)
	}
}
