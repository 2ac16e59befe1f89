package browsertest_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// TestCoursesInBrowser: the Chamber's courses for tutors — the list with
// the form of a new course and the Chamber's settings, a refused course
// shown again with its problems, the demo's closed course with its
// participant's tutor badge — and the participant's own view of it; each
// page axe-core clean.
func TestCoursesInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	signIn(t, ctx, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	do(t, ctx, chromedp.Navigate(ts.URL+"/courses"), chromedp.WaitVisible(chromedp.CSS("#create-form")))
	clean(t, ctx)
	browsertest.Screenshot(t, ctx, "courses-1-list")
	do(t, ctx, chromedp.Click(chromedp.CSS("#create-submit")))
	waitFor(t, ctx, "#create-form .invalid-feedback")
	clean(t, ctx)
	do(t, ctx, chromedp.Navigate(ts.URL+"/courses"), chromedp.WaitVisible(chromedp.CSS("#courses")),
		chromedp.Click(chromedp.CSS(`#courses a[href^="/courses/"]`)), chromedp.WaitVisible(chromedp.CSS("#participants-table")))
	if s := text(t, ctx, "#participants-table"); !strings.Contains(s, "Paolo Ricci") {
		t.Errorf("the demo course's participants: %q", s)
	}
	course := location(t, ctx)
	clean(t, ctx)
	browsertest.Screenshot(t, ctx, "courses-2-course")
	signOut(t, ctx)

	signIn(t, ctx, ts.URL, "tutor@meccanica-lombarda.example", demo.Password, dashboard)
	do(t, ctx, chromedp.Navigate(course), chromedp.WaitVisible(chromedp.CSS("#course-facts")))
	if n := count(t, ctx, "#enrol-form, #close-form, #start-form"); n != 0 {
		t.Errorf("the participant is offered %d of the Chamber's forms", n)
	}
	clean(t, ctx)
}
