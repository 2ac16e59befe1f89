package browsertest_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// TestTestDesignInBrowser: the Milan Chamber opens the tests' page from
// the header, chooses Meccatronica 1, types a pass mark out of range and
// sees the problem beside it with the counts kept, corrects it and creates
// the test, which is listed. axe-core finds nothing on the page, before and
// after.
func TestTestDesignInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	signIn(t, ctx, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	press(t, ctx, `nav .nav-wide a[href="/tests"]`, "#tests")
	noViolations(t, ctx)
	choose(t, ctx, "#design-standard-choice", "meccatronica/1")
	press(t, ctx, `#design-standard button[type="submit"]`, "#design-form")
	noViolations(t, ctx)
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#design-title-input"), "Prova di C1 (browser)"),
		chromedp.SetValue(chromedp.CSS(`[id="count:C1:knowledge"]`), "3"),
		chromedp.SetValue(chromedp.CSS(`[id="count:C1:skill"]`), "2"),
		chromedp.SetValue(chromedp.CSS(`[id="threshold:C1"]`), "120"))
	press(t, ctx, "#design-submit", "#design-errors")
	noViolations(t, ctx)
	if v := value(t, ctx, `[id="count:C1:knowledge"]`); v != "3" {
		t.Errorf("the count typed was lost: %q", v)
	}
	if !strings.Contains(text(t, ctx, `[id="threshold:C1"] + .invalid-feedback`), "1") {
		t.Errorf("no problem beside the pass mark")
	}
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`[id="threshold:C1"]`), "60"))
	press(t, ctx, "#design-submit", "#test-created")
	noViolations(t, ctx)
	if !strings.Contains(text(t, ctx, "#tests"), "Prova di C1 (browser)") {
		t.Errorf("the new test is not listed")
	}
}

// TestItemAnalysisInBrowser: the national body opens the item analysis from
// the header and chooses Meccatronica 1; axe-core finds nothing.
func TestItemAnalysisInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	signIn(t, ctx, ts.URL, "admin@unioncamere.example", demo.Password, dashboard)
	press(t, ctx, `nav .nav-wide a[href="/statistics/items"]`, "#analysis-standard")
	noViolations(t, ctx)
	choose(t, ctx, "#analysis-standard-choice", "meccatronica/1")
	press(t, ctx, `#analysis-standard button[type="submit"]`, "#analysis-items")
	noViolations(t, ctx)
	if n := count(t, ctx, "#analysis-items tbody tr"); n != 6 {
		t.Errorf("%d items analysed, want the test's six", n)
	}
}
