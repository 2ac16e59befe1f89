package browsertest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// noViolations runs axe-core on the page and fails the test for any
// violation at all, minor ones included: the editor's pages are new, and
// start clean.
func noViolations(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, v := range browsertest.Axe(t, ctx) {
		if !v.Serious() { // serious ones already failed the test
			t.Errorf("axe: %s violation %s: %s", v.Impact, v.ID, v.Help)
		}
	}
}

// retype replaces the text of a field as a person would.
func retype(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	do(t, ctx, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// press activates a button or a link as a click does, and waits for an
// element of the page that follows. It clicks from the page's script
// rather than at the element's place on the screen: Bootstrap Italia
// scrolls smoothly, and on a long form a click at coordinates taken during
// the scroll can miss. The wait is a step of its own, after the click: the
// page that follows may have the same address, and a wait begun with the
// click could look at the page being left.
func press(t *testing.T, ctx context.Context, sel, wait string) {
	t.Helper()
	// The document is marked before the click, and the wait is for a
	// document without the mark: the element waited for is often on the
	// page before the click too, and a busy machine would let the test act
	// on the old page as the new one arrives.
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`window.__pressed = true; document.querySelector(`+"`"+sel+"`"+`).click()`))
	nctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	chromedp.Run(nctx, chromedp.Poll[chromedp.Void](`!window.__pressed && document.readyState === "complete"`, chromedp.WithPollingInterval(50*time.Millisecond)))
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(wait)))
}

// TestStandardEditorInBrowser: the national body makes a draft of
// Meccatronica, changes a descriptor of the observation scale and an
// evidence of C1, types an EQF level out of range and sees the problem
// beside the field with everything typed kept, fixes it, sees the
// difference from the published version and publishes; the previous
// version is superseded. axe-core finds nothing on any of the editor's
// pages.
func TestStandardEditorInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	signIn(t, ctx, ts.URL, "admin@unioncamere.example", demo.Password, dashboard)

	// A new draft from the published version.
	do(t, ctx, chromedp.Navigate(ts.URL+"/sectors/meccatronica"), chromedp.WaitVisible(chromedp.CSS("#new-draft")))
	noViolations(t, ctx)
	press(t, ctx, "#new-draft", "#header-title")
	if loc := location(t, ctx); loc != ts.URL+"/sectors/meccatronica/draft" {
		t.Fatalf("after making a draft: %s", loc)
	}
	if h1 := text(t, ctx, "main h1"); !strings.Contains(h1, "bozza della versione 2") {
		t.Errorf("the draft's page: %q", h1)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "standards-1-draft")

	// The descriptor of the first level of the scale.
	const descriptor = "L'evidenza è osservata in parte, sempre con la guida del tutor."
	retype(t, ctx, "#f-observation-scale-0-description-it", descriptor)
	press(t, ctx, "#header-form button[type=submit]", "#draft-saved")
	if v := value(t, ctx, "#f-observation-scale-0-description-it"); v != descriptor {
		t.Errorf("the saved descriptor reads %q", v)
	}

	// A path's page.
	press(t, ctx, `#draft-paths a[href="/sectors/meccatronica/draft/paths/progettazione"]`, "#path-form")
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "standards-2-path")

	// C1: an evidence reworded, and an EQF level out of range.
	do(t, ctx, chromedp.Navigate(ts.URL+"/sectors/meccatronica/draft"), chromedp.WaitVisible(chromedp.CSS("#draft-competences")))
	press(t, ctx, `#draft-competences a[href="/sectors/meccatronica/draft/competences/C1"]`, "#competence-form")
	noViolations(t, ctx)
	const evidence = "#f-ada-0-results-0-activities-0-evidences-0-text-it"
	const reworded = "Lo studente riconosce una distinta base e la confronta con il disegno d'assieme"
	retype(t, ctx, evidence, reworded)
	retype(t, ctx, "#f-microcredential-eqf-level", "12")
	press(t, ctx, "#competence-form button[type=submit]", "#f-microcredential-eqf-level-error")
	if msg := text(t, ctx, "#f-microcredential-eqf-level-error"); !strings.Contains(msg, "12") {
		t.Errorf("the problem beside the EQF level: %q", msg)
	}
	if !strings.Contains(text(t, ctx, "#competence-error"), "Non è stato salvato nulla") {
		t.Error("the refusal does not say that nothing was saved")
	}
	if v := value(t, ctx, "#f-microcredential-eqf-level"); v != "12" {
		t.Errorf("the EQF level typed was lost: %q", v)
	}
	if v := value(t, ctx, evidence); v != reworded {
		t.Errorf("the evidence typed was lost: %q", v)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "standards-3-competence-error")

	// Fixed: the competence inherits the sector's level again.
	do(t, ctx, chromedp.Clear(chromedp.CSS("#f-microcredential-eqf-level")))
	press(t, ctx, "#competence-form button[type=submit]", "#draft-saved")
	if v := value(t, ctx, evidence); v != reworded {
		t.Errorf("the saved evidence reads %q", v)
	}

	// The difference from the published version.
	do(t, ctx, chromedp.Navigate(ts.URL+"/sectors/meccatronica/draft"), chromedp.WaitVisible(chromedp.CSS("#draft-diff")))
	press(t, ctx, "#draft-diff", "#diff-changes")
	changes := text(t, ctx, "#diff-changes")
	for _, want := range []string{reworded, descriptor, "Evidenza osservabile", "Livello della scala", "Modificato"} {
		if !strings.Contains(changes, want) {
			t.Errorf("the diff lacks %q:\n%s", want, changes)
		}
	}
	if n := count(t, ctx, "#diff-changes tbody tr"); n != 2 {
		t.Errorf("the diff has %d changes, want 2", n)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "standards-4-diff")

	// Publish: version 2 is published, version 1 superseded.
	do(t, ctx, chromedp.Navigate(ts.URL+"/sectors/meccatronica/draft"), chromedp.WaitVisible(chromedp.CSS("#draft-publish")))
	press(t, ctx, "#draft-publish", "#versions-title")
	if loc := location(t, ctx); loc != ts.URL+"/sectors/meccatronica?version=2" {
		t.Errorf("after publishing: %s", loc)
	}
	versions := text(t, ctx, `section[aria-labelledby="versions-title"]`)
	if !strings.Contains(versions, "Versione 2") || !strings.Contains(versions, "Pubblicato") || !strings.Contains(versions, "Sostituito") {
		t.Errorf("the versions after publishing: %q", versions)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "standards-5-published")
	signOut(t, ctx)

	// For a visitor, the published version 2 is the current one.
	do(t, ctx, chromedp.Navigate(ts.URL+"/sectors/meccatronica/competences/C1"), chromedp.WaitVisible(chromedp.CSS("#ada-title")))
	if !strings.Contains(text(t, ctx, "main"), reworded) {
		t.Error("the published evidence is not public")
	}
}
