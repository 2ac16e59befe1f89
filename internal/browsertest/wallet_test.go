package browsertest_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// TestWalletInBrowser: the school's referent opens the wallet pickup of the
// demo's badge and makes an offer: the page shows the QR code (an
// accessible image) and the link, and not the transaction code, which went
// to the learner's address; reloaded, it shows the offer's state. Each page
// axe-core clean, in Italian and in English. (A learner with no address:
// TestWalletOfferRefused.)
func TestWalletInBrowser(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	page := ts.URL + "/badges/" + url.PathEscape(testserver.DemoBadge(t, srv)) + "/wallet"

	bctx := browsertest.New(t)
	signIn(t, bctx, ts.URL, "referente@feltrinelli.example", demo.Password, dashboard)
	for _, lang := range []string{"it", "en"} {
		do(t, bctx, chromedp.Navigate(page+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#wallet-form")))
		clean(t, bctx)
		do(t, bctx, chromedp.Click(chromedp.CSS("#wallet-submit")), chromedp.WaitVisible(chromedp.CSS("#wallet-qr svg")))
		clean(t, bctx)
		browsertest.Screenshot(t, bctx, "wallet-offer-"+lang)
		if href := attr(t, bctx, "#wallet-link", "href"); !strings.HasPrefix(href, "openid-credential-offer://?credential_offer=") {
			t.Errorf("the wallet link is %q", href)
		}
		// Its title is the image's accessible name (axe's svg-img-alt
		// checks it is there).
		title, err := chromedp.Run(bctx, chromedp.TextContent(chromedp.CSS("#wallet-qr svg title")))
		if err != nil || title == "" {
			t.Error("the QR code has no accessible name")
		}
		if s := text(t, bctx, "#wallet-offer"); !strings.Contains(s, "l•••@feltrinelli.example") {
			t.Errorf("the page does not say where the code went: %q", s)
		}
		do(t, bctx, chromedp.Navigate(page+"?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#wallet-last")))
		clean(t, bctx)
	}
}
