package browsertest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// tick ticks a box or a radio button as a click does.
func tick(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`(e => { if (!e.checked) e.click() })(document.querySelector(`+"`"+sel+"`"+`))`))
}

// choose picks the option of a select by its value.
func choose(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	do(t, ctx, chromedp.SetValue(chromedp.CSS(sel), value))
}

// TestItemBankInBrowser: the national body writes a multiple-choice item
// with partial credit in the editor, changing the kind and the scoring
// with the form's own buttons (no JavaScript); a save without a title is
// refused, beside the field, with everything typed kept; saved, it is
// sent for review, and its author's approval is refused with the reason.
// The second person approves it. axe-core finds nothing on any of the
// bank's pages.
func TestItemBankInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	signIn(t, ctx, ts.URL, "admin@unioncamere.example", demo.Password, dashboard)

	// The bank, from the header's navigation.
	press(t, ctx, `nav .nav-wide a[href="/items"]`, "#items")
	if n := count(t, ctx, "#items tbody tr"); n < 9 {
		t.Errorf("the bank lists %d items", n)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "items-1-bank")
	press(t, ctx, "#item-new", "#item-form")
	noViolations(t, ctx)

	// A multiple choice with partial credit, on C2.
	choose(t, ctx, "#f-competence", "C2")
	choose(t, ctx, "#f-kind", "multiple_choice")
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#f-prompt"), "Quali strumenti misurano un diametro al centesimo di millimetro?"))
	press(t, ctx, "#item-change-kind", "#item-form")
	choose(t, ctx, "#f-scoring", "map_response")
	press(t, ctx, "#item-change-scoring", "#f-choices-0-points")
	if v := value(t, ctx, "#f-prompt"); !strings.Contains(v, "centesimo") {
		t.Errorf("the prompt typed was lost changing the kind: %q", v)
	}
	options := []struct{ text, points string }{
		{"Micrometro centesimale", "1"}, {"Comparatore centesimale", "1"}, {"Metro a nastro", "-1"}, {"Calibro a corsoio ventesimale", "-1"},
	}
	for i, o := range options {
		n := string(rune('0' + i))
		retype(t, ctx, "#f-choices-"+n+"-text", o.text)
		retype(t, ctx, "#f-choices-"+n+"-points", o.points)
	}
	tick(t, ctx, "#f-correct-0")
	tick(t, ctx, "#f-correct-1")
	retype(t, ctx, "#f-map-lower", "0")

	// No title: refused, beside the field, nothing lost.
	press(t, ctx, "#item-save", "#f-title-error")
	if !strings.Contains(text(t, ctx, "#item-error"), "Non è stato salvato nulla") {
		t.Errorf("the refusal: %q", text(t, ctx, "#item-error"))
	}
	for i, o := range options {
		n := string(rune('0' + i))
		if v := value(t, ctx, "#f-choices-"+n+"-text"); v != o.text {
			t.Errorf("option %d typed was lost: %q", i+1, v)
		}
		if v := value(t, ctx, "#f-choices-"+n+"-points"); v != o.points {
			t.Errorf("the points of option %d typed were lost: %q", i+1, v)
		}
	}
	if n := count(t, ctx, "#f-correct-0:checked, #f-correct-1:checked"); n != 2 {
		t.Errorf("%d correct options still ticked, want 2", n)
	}
	if v := value(t, ctx, "#f-competence"); v != "C2" {
		t.Errorf("the competence chosen was lost: %q", v)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "items-2-refused")

	// Saved, then sent for review.
	retype(t, ctx, "#f-title", "Strumenti di misura centesimali")
	press(t, ctx, "#item-save", "#item-done")
	key := text(t, ctx, "#item-key")
	if !strings.Contains(key, "punteggio massimo 2") || !strings.Contains(key, "Micrometro centesimale") {
		t.Errorf("the key: %q", key)
	}
	if preview := text(t, ctx, "#item-preview"); strings.Contains(preview, "corretta") || !strings.Contains(preview, "Metro a nastro") {
		t.Errorf("the preview: %q", preview)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "items-3-draft")
	itemURL := location(t, ctx)
	itemURL = itemURL[:strings.Index(itemURL, "?")]
	press(t, ctx, "#item-submit", "#item-done")
	if s := text(t, ctx, "#item-status"); s != "in revisione" {
		t.Errorf("after sending it for review: %q", s)
	}

	// Its author may not approve it.
	press(t, ctx, "#item-approve", "#item-act-error")
	if msg := text(t, ctx, "#item-act-error"); !strings.Contains(msg, "un'altra persona") {
		t.Errorf("the author's approval refused with %q", msg)
	}
	if s := text(t, ctx, "#item-status"); s != "in revisione" {
		t.Errorf("after the refusal: %q", s)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "items-4-own-approval")
	signOut(t, ctx)

	// The second person approves it.
	signIn(t, ctx, ts.URL, demo.Reviewer.Email, demo.Password, dashboard)
	do(t, ctx, chromedp.Navigate(itemURL), chromedp.WaitVisible(chromedp.CSS("#item-approve")))
	noViolations(t, ctx)
	press(t, ctx, "#item-approve", "#item-done")
	if s := text(t, ctx, "#item-status"); s != "approvato" {
		t.Errorf("after the approval: %q", s)
	}
	if v := text(t, ctx, "#item-versions"); !strings.Contains(v, "Paolo Greco") || !strings.Contains(v, "Giovanna Ferri") {
		t.Errorf("the versions: %q", v)
	}
	noViolations(t, ctx)
	browsertest.Screenshot(t, ctx, "items-5-approved")

	// The import page.
	do(t, ctx, chromedp.Navigate(ts.URL+"/items/import"), chromedp.WaitVisible(chromedp.CSS("#import-form")))
	noViolations(t, ctx)
}
