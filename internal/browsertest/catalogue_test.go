package browsertest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/testserver"
)

// TestCatalogueInBrowser walks home → Meccatronica → C1 in real Chromium,
// switches to English, checks that the choice is remembered, and checks
// every page with axe-core.
func TestCatalogueInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)

	// Home, in Italian: Meccatronica is among the active sectors.
	const sectorLink = `section[aria-labelledby="active-title"] a[href="/sectors/meccatronica"]`
	do(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#active-title")))
	if lang := attr(t, ctx, "html", "lang"); lang != "it" {
		t.Errorf("home: html lang %q, want it", lang)
	}
	if active := text(t, ctx, "#active-title"); active != "Settori attivi" {
		t.Errorf("home: active sectors heading %q, want Settori attivi", active)
	}
	if name := text(t, ctx, sectorLink); name != "Meccatronica" {
		t.Errorf("home: link to /sectors/meccatronica under Settori attivi reads %q", name)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "1-home-it")

	// The sector: its four areas and links to its fifteen competences.
	do(t, ctx, chromedp.Click(chromedp.CSS(sectorLink)), chromedp.WaitVisible(chromedp.CSS("#paths-title")))
	if url := location(t, ctx); url != ts.URL+"/sectors/meccatronica" {
		t.Errorf("the Meccatronica card leads to %s", url)
	}
	main := text(t, ctx, "main")
	for _, area := range []string{"Area Progettazione", "Area Produzione/Assemblaggio", "Area Manutenzione/Assistenza", "Area Gestione produzione/dati"} {
		if !strings.Contains(main, area) {
			t.Errorf("sector page lacks %s", area)
		}
	}
	codes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...new Set([...document.querySelectorAll('main a[href^="/sectors/meccatronica/competences/"]')].map(a => a.pathname.split('/').pop()))]`))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 1; i <= 15; i++ {
		want = append(want, fmt.Sprintf("C%d", i))
	}
	slices.Sort(codes)
	slices.Sort(want)
	if !slices.Equal(codes, want) {
		t.Errorf("sector page links competences %v, want C1–C15", codes)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "2-sector-it")

	// A competence, from the table of its area.
	do(t, ctx, chromedp.Click(chromedp.CSS(`table a[href="/sectors/meccatronica/competences/C1"]`)), chromedp.WaitVisible(chromedp.CSS("#ada-title")))
	if h1 := text(t, ctx, "h1"); !strings.Contains(h1, "C1") {
		t.Errorf("C1 page: h1 %q", h1)
	}
	if !strings.Contains(text(t, ctx, "main"), "Evidenze osservabili") {
		t.Error(`C1 page lacks "Evidenze osservabili"`)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "3-competence-it")

	// The same page in English, from the language switch.
	do(t, ctx, chromedp.Click(chromedp.CSS(`nav[aria-label="Lingua"] a[hreflang="en"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #ada-title`)))
	if h1 := text(t, ctx, "h1"); !strings.Contains(h1, "C1") || !strings.Contains(h1, "Use advanced computer-aided mechanical drawing tools") {
		t.Errorf("English C1 page: h1 %q", h1)
	}
	if !strings.Contains(text(t, ctx, "main"), "Observable evidences") {
		t.Error(`English C1 page lacks "Observable evidences"`)
	}
	if it := text(t, ctx, `nav[aria-label="Language"] a[hreflang="it"]`); it != "Italiano" {
		t.Errorf("English C1 page: link back to Italian reads %q", it)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "4-competence-en")

	// The choice is remembered: home, without ?lang, is in English.
	do(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#active-title")))
	if lang := attr(t, ctx, "html", "lang"); lang != "en" {
		t.Errorf("after switching to English, home has html lang %q", lang)
	}
	if active := text(t, ctx, "#active-title"); active != "Active sectors" {
		t.Errorf("after switching to English, home says %q", active)
	}
	browsertest.Axe(t, ctx)
	browsertest.Screenshot(t, ctx, "5-home-en")
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		t.Fatalf("%s of %s: %v", name, sel, err)
	}
	return r.Value
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return url
}
