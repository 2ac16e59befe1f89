package browsertest_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/pdf/pdftext"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
)

// fetchBytes downloads path with the page's cookies.
func fetchBytes(t *testing.T, ctx context.Context, path string) []byte {
	t.Helper()
	js := `(async () => {
		const r = await fetch(` + "`" + path + "`" + `);
		if (!r.ok) return 'status ' + r.status;
		const b = new Uint8Array(await r.arrayBuffer());
		let s = ''; for (const c of b) s += String.fromCharCode(c);
		return btoa(s);
	})()`
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(out)
	if err != nil {
		t.Fatalf("%s: %s", path, out)
	}
	return b
}

// TestBadgesInBrowser: Francesca Lombardi, whose C1 the demo commission
// certified, opens My badges: her badge with its results, the EU elements
// and its status. She downloads the attestato — read back with Poppler:
// the title, her name, the competence, the Chamber, the EQF level, the
// minutes' reference, and the QR code (decoded from the rendered page by
// ZBar) pointing to the credential's verification — and the baked PNG.
// She turns sharing on: refused without a consent, then on with her
// guardian's, showing her name and not her results. A visitor opens the
// link and sees the shared fields only, with OpenGraph and LinkedIn's "add
// to profile"; with JavaScript off, uploads the PNG on the verification
// page and sees every check pass. The Chamber revokes the badge on its
// session's page: the
// verification says revoked with the reason, and the shared page no longer
// shows the badge as valid. axe-core checks every page.
func TestBadgesInBrowser(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	// Links and codes say the server's public address; the browser
	// reaches it at ts.URL.
	here := func(u string) string { return ts.URL + strings.TrimPrefix(u, testserver.PublicURL) }
	ctx := context.Background()
	svc := srv.Services()
	b := browsertest.New(t)

	signIn(t, b, ts.URL, "lombardi@feltrinelli.example", demo.Password, dashboard)
	do(t, b, chromedp.Navigate(ts.URL+"/badges"), chromedp.WaitVisible(chromedp.CSS("#badge-C1")))
	clean(t, b)
	browsertest.Screenshot(t, b, "badges-1-mine")
	card := text(t, b, "#badge-C1")
	for _, want := range []string{"C1 Saper utilizzare strumenti avanzati di disegno meccanico assistito", "Camera di Commercio di Milano", "valido"} {
		if !strings.Contains(card, want) {
			t.Errorf("the badge's card lacks %q: %q", want, card)
		}
	}
	if n := count(t, b, "#badge-C1 details"); n != 2 {
		t.Errorf("the card shows %d folds (results, EU elements), want 2", n)
	}
	id := strings.TrimPrefix(attr(t, b, "#badge-C1 a.badge-json", "href"), "/badges/")

	// The attestato, read back.
	doc := fetchBytes(t, b, attr(t, b, "#badge-C1 a.badge-pdf", "href"))
	txt := strings.Join(strings.Fields(pdftext.Text(t, doc)), " ")
	for _, want := range []string{"Attestato di competenza", "Francesca Lombardi", "C1 Saper utilizzare strumenti avanzati di disegno meccanico assistito",
		"Camera di Commercio di Milano Monza Brianza Lodi", "EQF 4", "Verbale n. ", "Unioncamere", id} {
		if !strings.Contains(txt, want) {
			t.Errorf("the attestato lacks %q", want)
		}
	}
	if info := pdftext.Info(t, doc); !strings.HasPrefix(info["Page size"], "595.") {
		t.Errorf("the attestato is not A4: %q", info["Page size"])
	}
	verifyURL := testserver.PublicURL + "/verify?" + url.Values{"credential": {id}}.Encode()
	if codes := pdftext.QRCodes(t, doc); len(codes) != 1 || codes[0] != verifyURL {
		t.Errorf("the attestato's QR code says %q, want %q", codes, verifyURL)
	}
	en := strings.Join(strings.Fields(pdftext.Text(t, fetchBytes(t, b, attr(t, b, "#badge-C1 a.badge-pdf", "href")+"?lang=en"))), " ")
	for _, want := range []string{"Certificate of competence", "C1 Use advanced computer-aided mechanical drawing tools", "Learning outcomes",
		"Observation C1/ADA.10.02.02/RA1/A1/E1", "(level 3 of 3)", "Notional workload", "Scan the QR code"} {
		if !strings.Contains(en, want) {
			t.Errorf("the attestato in English lacks %q", want)
		}
	}
	fetchBytes(t, b, attr(t, b, "#badge-C1 a.badge-pdf", "href")+"?lang=it") // back to Italian
	if r := svc.Verifier.Verify(ctx, doc); !r.Verified || r.Input != "pdf" {
		t.Errorf("the attestato's embedded credential does not verify: %+v", r.Checks)
	}

	// The baked PNG.
	png := fetchBytes(t, b, attr(t, b, "#badge-C1 a.badge-png", "href"))
	if r := svc.Verifier.Verify(ctx, png); !r.Verified || r.Input != "png" || r.CredentialID != id {
		t.Fatalf("the baked PNG does not verify: %+v", r.Checks)
	}
	pngFile := filepath.Join(t.TempDir(), "badge-C1.png")
	if err := os.WriteFile(pngFile, png, 0o600); err != nil {
		t.Fatal(err)
	}

	// The JWT form: made once, verified, its own credential.
	jwt := fetchBytes(t, b, attr(t, b, "#badge-C1 a.badge-jwt", "href"))
	if r := svc.Verifier.Verify(ctx, jwt); !r.Verified || r.Input != "jwt" || r.CredentialID == id {
		t.Errorf("the JWT form does not verify: %s %+v", r.CredentialID, r.Checks)
	}
	if again := fetchBytes(t, b, attr(t, b, "#badge-C1 a.badge-jwt", "href")); string(again) != string(jwt) {
		t.Error("the JWT form is made anew at each download")
	}
	if n := count(t, b, "#badge-C1 a.badge-wallet"); n != 1 {
		t.Error("no way to the wallet pickup from the badge")
	}

	// The Europass export.
	if elm := string(fetchBytes(t, b, attr(t, b, "#badge-C1 a.badge-europass", "href"))); !strings.Contains(elm, `"LearningAchievement"`) || !strings.Contains(elm, "LearningAssessment") {
		t.Errorf("the Europass export: %.300s", elm)
	}

	// Sharing: a consent first.
	do(t, b, chromedp.Click(chromedp.CSS("#badge-C1 a.badge-share")), chromedp.WaitVisible(chromedp.CSS("#share-form")))
	if count(t, b, "#share-off") != 1 {
		t.Errorf("a badge never shared is not off: %q", text(t, b, "main"))
	}
	clean(t, b)
	send(t, b, "#share-submit", "#share-consent-error, #share-done")
	if count(t, b, "#share-consent-error") != 1 {
		t.Fatalf("sharing without a consent: %q", text(t, b, "main"))
	}
	clean(t, b)
	do(t, b, chromedp.Click(chromedp.CSS(`label[for="share-minor"]`)), chromedp.SendKeys(chromedp.CSS("#share-guardian"), "Laura Lombardi"))
	send(t, b, "#share-submit", "#share-done, #share-error")
	link := text(t, b, "#share-url")
	if !strings.HasPrefix(link, testserver.PublicURL+"/s/") || !strings.Contains(text(t, b, "#share-expiry"), "non scade") {
		t.Fatalf("the link: %q, %q", link, text(t, b, "main"))
	}
	clean(t, b)
	browsertest.Screenshot(t, b, "badges-2-share")
	signOut(t, b)

	// A visitor opens the link: the shared fields, and only those.
	v, done := browsertest.Incognito(t, b)
	defer done()
	do(t, v, chromedp.Navigate(here(link)), chromedp.WaitVisible(chromedp.CSS("#shared-valid")))
	clean(t, v)
	browsertest.Screenshot(t, v, "badges-3-shared")
	if s := text(t, v, "#shared-name"); s != "Francesca Lombardi" {
		t.Errorf("the shared name: %q", s)
	}
	if n := count(t, v, "#shared-results, #shared-download"); n != 0 {
		t.Errorf("the page shows %d fields the learner did not share", n)
	}
	if og := attr(t, v, `meta[property="og:title"]`, "content"); !strings.HasPrefix(og, "C1 ") {
		t.Errorf("og:title %q", og)
	}
	li, err := url.Parse(attr(t, v, "#shared-linkedin", "href"))
	if err != nil || li.Host != "www.linkedin.com" || li.Query().Get("certUrl") != link || li.Query().Get("certId") != id ||
		li.Query().Get("organizationName") != "Camera di Commercio di Milano Monza Brianza Lodi" || li.Query().Get("issueYear") == "" {
		t.Errorf("LinkedIn's link: %v %v", li, err)
	}

	// The verification page, with JavaScript off.
	nojs, done2 := browsertest.Incognito(t, b)
	defer done2()
	do(t, nojs, chromedp.Navigate("about:blank"))
	if _, err := chromedp.Call(nojs, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	verify := func(want string) string {
		t.Helper()
		do(t, nojs, chromedp.Navigate(ts.URL+"/verify"), chromedp.WaitVisible(chromedp.CSS("#verify-file")),
			chromedp.SetUploadFiles(chromedp.CSS("#verify-file"), []string{pngFile}),
			chromedp.Click(chromedp.CSS("#verify-submit")), chromedp.WaitVisible(chromedp.CSS("#verdict-"+want)))
		return text(t, nojs, "#checks")
	}
	checks := verify("valid")
	for _, c := range []string{"Firma · superato", "Emittente · superato", "Date di validità · superato", "Stato · superato", "Notarizzazione · superato", "Decisione della commissione · superato"} {
		if !strings.Contains(checks, c) {
			t.Errorf("the verification lacks %q: %q", c, checks)
		}
	}
	do(t, v, chromedp.Navigate(ts.URL+"/verify"), chromedp.WaitVisible(chromedp.CSS("#verify-file")),
		chromedp.SetUploadFiles(chromedp.CSS("#verify-file"), []string{pngFile}), chromedp.Click(chromedp.CSS("#verify-submit")),
		chromedp.WaitVisible(chromedp.CSS("#verdict-valid")))
	clean(t, v)
	browsertest.Screenshot(t, v, "badges-4-verified")
	if s := text(t, v, "#verify-owner"); s != "Unioncamere · il titolare nazionale del marchio" {
		t.Errorf("the owner of the mark: %q", s)
	}
	if s := text(t, v, "#explanation"); !strings.Contains(s, "ADA.10.02.02") || !strings.Contains(s, "Avanzato") {
		t.Errorf("the explanation: %q", s)
	}

	// The Chamber revokes, on its session's page.
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := svc.Commissions.Record(ctx, chamber, studentOf(t, svc, "lombardi@feltrinelli.example"))
	if err != nil || len(rec.Badges) != 1 {
		t.Fatalf("her record: %v", err)
	}
	row := "#badge-C1-" + rec.Badges[0].Candidate
	signIn(t, b, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	do(t, b, chromedp.Navigate(ts.URL+"/commission-sessions/"+rec.Badges[0].Session), chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(row+" summary")),
		chromedp.SetValue(chromedp.CSS(row+" select[name=action]"), "revoke"),
		chromedp.SendKeys(chromedp.CSS(row+" input[name=act]"), "Determina n. 7/2026"),
		chromedp.SendKeys(chromedp.CSS(row+" input[name=reason]"), "Evidenze non autentiche"))
	send(t, b, row+" form button", row)
	if s := text(t, b, row); !strings.Contains(s, "revocato") {
		t.Fatalf("after the revocation: %q", s)
	}
	verify("revoked")
	if r := svc.Verifier.Verify(ctx, jwt); !r.Revoked {
		t.Errorf("the JWT form is not revoked with its badge: %+v", r.Checks)
	}
	if s := text(t, nojs, "#verdict"); !strings.Contains(s, "Evidenze non autentiche") {
		t.Errorf("the revoked verdict lacks the reason: %q", s)
	}
	do(t, v, chromedp.Navigate(here(link)), chromedp.WaitVisible(chromedp.CSS("#shared-revoked")))
	if n := count(t, v, "#shared-valid, #shared-linkedin"); n != 0 {
		t.Errorf("a revoked badge's page still shows it as valid")
	}
	if s := text(t, v, "#shared-revoked"); !strings.Contains(s, "Evidenze non autentiche") {
		t.Errorf("the shared page's revocation: %q", s)
	}
	clean(t, v)
	browsertest.Screenshot(t, v, "badges-5-revoked")
}

// studentOf is the person id of a student's account.
func studentOf(t *testing.T, svc *server.Services, email string) string {
	t.Helper()
	p, err := svc.People.PrincipalByEmail(context.Background(), email, "mitf01000a", auth.Student)
	if err != nil {
		t.Fatal(err)
	}
	return p.Person
}
