package web_test

import (
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestItemAnalysisPage: the national body chooses Meccatronica 1 and sees
// the demo's test with its reliability and each item drawn, with its
// facility and why it cannot be judged yet (three first attempts); a
// Chamber may not open the page.
func TestItemAnalysisPage(t *testing.T) {
	ts := testserver.Start(t)
	admin := signedIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	code, page := admin.get("/statistics/items")
	if code != 200 || !strings.Contains(page, `id="analysis-standard"`) || strings.Contains(page, `id="analysis-items"`) {
		t.Fatalf("the page before a choice: %d", code)
	}
	code, page = admin.get("/statistics/items?standard=meccatronica/1")
	if code != 200 {
		t.Fatalf("%d", code)
	}
	for _, want := range []string{"Primi tentativi analizzati: 3.", "Meccatronica · C1, disegno meccanico assistito", `href="/items/MEC-C1-K01"`,
		"troppo poche risposte per giudicare"} {
		if !strings.Contains(page, want) {
			t.Errorf("the analysis lacks %q", want)
		}
	}
	if n := strings.Count(between(page, "analysis-items"), "<tr>"); n != 1+6 {
		t.Errorf("%d rows in the items' table, want the header and the test's six items", n)
	}
	chamber := signedIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if code, _ := chamber.get("/statistics/items?standard=meccatronica/1"); code != 403 {
		t.Errorf("a Chamber opens the analysis: %d", code)
	}
}
