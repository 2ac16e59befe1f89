package browsertest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/rights"
)

// TestDataRightsInBrowser: Francesca Lombardi finds "My data" in the
// menu, downloads a copy of her data (her person and her badge as issued),
// asks for erasure — refused until she confirms, her words kept — and sees
// it pending. The Milan Chamber's operator sees her request, is refused
// without confirming, completes it, and sees it completed under a
// pseudonym. She can no longer sign in. axe-core checks every page.
func TestDataRightsInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	b := browsertest.New(t)

	signIn(t, b, ts.URL, "lombardi@feltrinelli.example", demo.Password, dashboard)
	if count(t, b, `.nav-wide a[href="/my-data"]`) != 1 {
		t.Error("the menu has no link to her data")
	}
	do(t, b, chromedp.Navigate(ts.URL+"/my-data"), chromedp.WaitVisible(chromedp.CSS("#rights-form")))
	clean(t, b)
	var copy rights.Export
	if err := json.Unmarshal(fetchBytes(t, b, "/my-data/export.json"), &copy); err != nil || copy.Format != rights.ExportFormat ||
		copy.Person.Name() != "Francesca Lombardi" || len(copy.Badges) != 1 || len(copy.Badges[0].Signed) == 0 {
		t.Fatalf("the copy of her data: %+v %v", copy, err)
	}
	do(t, b, chromedp.SendKeys(chromedp.CSS("#rights-reason"), "Ho finito la scuola"))
	send(t, b, "#rights-submit", "#rights-confirm-error, #rights-done")
	if count(t, b, "#rights-confirm-error") != 1 || value(t, b, "#rights-reason") != "Ho finito la scuola" {
		t.Fatalf("asked without confirming: %q", text(t, b, "main"))
	}
	clean(t, b)
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="rights-confirm"]`)))
	send(t, b, "#rights-submit", "#rights-done, #rights-error")
	if count(t, b, "#rights-pending") != 1 {
		t.Fatalf("after asking: %q", text(t, b, "main"))
	}
	clean(t, b)
	signOut(t, b)

	signIn(t, b, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	if count(t, b, `.nav-wide a[href="/data-requests"]`) != 1 {
		t.Error("the menu has no link to the requests")
	}
	do(t, b, chromedp.Navigate(ts.URL+"/data-requests"), chromedp.WaitVisible(chromedp.CSS(".request-form")))
	clean(t, b)
	if s := text(t, b, "main"); !strings.Contains(s, "Francesca Lombardi") || !strings.Contains(s, "Ho finito la scuola") {
		t.Errorf("the Chamber's requests: %q", s)
	}
	send(t, b, ".request-form button", ".invalid-feedback, #requests-done")
	if count(t, b, ".request-form .is-invalid") != 1 {
		t.Fatalf("completed without confirming: %q", text(t, b, "main"))
	}
	clean(t, b)
	do(t, b, chromedp.Click(chromedp.CSS(`.request-form .form-check-label`)))
	send(t, b, ".request-form button", "#requests-done, .alert-danger")
	if s := text(t, b, "main"); count(t, b, "#requests-done") != 1 || !strings.Contains(s, "Persona cancellata") || strings.Contains(s, "Francesca") {
		t.Errorf("after completing: %q", s)
	}
	clean(t, b)
	browsertest.Screenshot(t, b, "rights-completed")
	signOut(t, b)

	do(t, b, chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "lombardi@feltrinelli.example"), chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
		chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#login-error")))
}
