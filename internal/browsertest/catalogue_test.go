package browsertest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/testserver"
)

// TestCatalogueInBrowser walks home → Meccatronica → C1 in real Chromium,
// switches to English, and checks every page with axe-core.
func TestCatalogueInBrowser(t *testing.T) {
	ctx := browsertest.New(t)
	ts := testserver.Start(t)

	do(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#active-title")))
	if lang, active := attr(t, ctx, "html", "lang"), text(t, ctx, "#active-title"); lang != "it" || active != "Settori attivi" {
		t.Fatalf("home: lang %q, heading %q", lang, active)
	}
	browsertest.Axe(t, ctx)

	do(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/sectors/meccatronica"]`)), chromedp.WaitVisible(chromedp.CSS("#paths-title")))
	body := text(t, ctx, "main")
	for _, area := range []string{"Area Progettazione", "Area Produzione/Assemblaggio", "Area Manutenzione/Assistenza", "Area Gestione produzione/dati"} {
		if !strings.Contains(body, area) {
			t.Errorf("sector page lacks %s", area)
		}
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...new Set([...document.querySelectorAll('a[href^="/sectors/meccatronica/competences/"]')].map(a => a.getAttribute('href').split('/').pop()))]`))
	if err != nil || len(links) != 15 {
		t.Errorf("sector page links %d competences, want C1–C15: %v %v", len(links), links, err)
	}
	browsertest.Axe(t, ctx)

	do(t, ctx, chromedp.Click(chromedp.CSS(`table a[href="/sectors/meccatronica/competences/C1"]`)), chromedp.WaitVisible(chromedp.CSS("#ada-title")))
	if h1 := text(t, ctx, "h1"); !strings.HasPrefix(h1, "C1") || !strings.Contains(text(t, ctx, "main"), "Evidenze osservabili") {
		t.Errorf("C1 page: h1 %q", h1)
	}
	browsertest.Axe(t, ctx)

	do(t, ctx, chromedp.Click(chromedp.CSS(`a[hreflang="en"]`)), chromedp.WaitVisible(chromedp.CSS(`span[lang="en"][aria-current]`)))
	lang, h1 := attr(t, ctx, "html", "lang"), text(t, ctx, "h1")
	if lang != "en" || !strings.Contains(h1, "Use advanced computer-aided mechanical drawing tools") || !strings.Contains(text(t, ctx, "main"), "Observable evidences") {
		t.Errorf("English C1 page: lang %q, h1 %q", lang, h1)
	}
	browsertest.Axe(t, ctx)

	// The choice is remembered.
	do(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#active-title")))
	if active := text(t, ctx, "#active-title"); active != "Active sectors" {
		t.Errorf("after switching to English, home says %q", active)
	}
	browsertest.Axe(t, ctx)
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
