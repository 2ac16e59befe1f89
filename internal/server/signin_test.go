package server_test

import (
	"context"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/people"
)

// TestSignInThrottled: over HTTP, an account locks after MaxFailures wrong
// passwords in a row (even the right one is then refused, as a wrong one
// is), and one address may not try more than MaxPerAddress times a minute
// (429).
func TestSignInThrottled(t *testing.T) {
	ts := testserver.Start(t)
	post := func(email, password string) int {
		resp, err := (&http.Client{CheckRedirect: noRedirect}).PostForm(ts.URL+"/login", url.Values{"email": {email}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range account.MaxFailures {
		if got := post("referente@feltrinelli.example", "wrong password"); got != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i+1, got)
		}
	}
	// Locked: the right password gets the answer an unknown address gets.
	if got := post("referente@feltrinelli.example", demo.Password); got != http.StatusUnauthorized {
		t.Errorf("the right password on a locked account: %d, want 401", got)
	}
	// Another account from the same address: allowed until the address's
	// limit, then refused whatever the password.
	codes := map[int]int{}
	for range account.MaxPerAddress {
		codes[post("docente@feltrinelli.example", demo.Password)]++
	}
	if codes[http.StatusTooManyRequests] == 0 || codes[http.StatusSeeOther] == 0 {
		t.Errorf("the address limit: %v", codes)
	}
}

// TestPasswordChangeEndsSessions: changing the password on the account page
// ends the person's other sessions; the browser that changed it stays
// signed in with a new session.
func TestPasswordChangeEndsSessions(t *testing.T) {
	ts := testserver.Start(t)
	browser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: noRedirect}
		resp, err := c.PostForm(ts.URL+"/login", url.Values{"email": {"operatore@milomb.example"}, "password": {demo.Password}})
		if err != nil || resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("signing in: %v %v", resp, err)
		}
		resp.Body.Close()
		return c
	}
	signedIn := func(c *http.Client) bool {
		resp, err := c.Get(ts.URL + "/dashboard")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	a, b := browser(), browser()
	if !signedIn(a) || !signedIn(b) {
		t.Fatal("not signed in")
	}
	const next = "una password nuova e lunga"
	resp, body := fetch(t, a, "POST", ts.URL+"/account/password", url.Values{"current": {"wrong"}, "password": {next}, "confirm": {next}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "password attuale non è corretta") {
		t.Errorf("a wrong current password: %d", resp.StatusCode)
	}
	if !signedIn(b) {
		t.Fatal("a refused change ended the other session")
	}
	resp, _ = fetch(t, a, "POST", ts.URL+"/account/password", url.Values{"current": {demo.Password}, "password": {next}, "confirm": {next}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("changing the password: %d", resp.StatusCode)
	}
	if signedIn(b) {
		t.Error("the other browser is still signed in after the password changed")
	}
	if !signedIn(a) {
		t.Error("the browser that changed the password was signed out")
	}
	resp, _ = fetch(t, &http.Client{CheckRedirect: noRedirect}, "POST", ts.URL+"/login", url.Values{"email": {"operatore@milomb.example"}, "password": {demo.Password}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password still signs in: %d", resp.StatusCode)
	}
}

// TestPasswordChangeThrottled: the account page answers a wrong current
// password with 400 and the form, and too many of them with 429 (the
// status of the code Throttled, as everywhere), said in the page's
// language.
func TestPasswordChangeThrottled(t *testing.T) {
	ts := testserver.Start(t)
	c := &http.Client{Jar: signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator), CheckRedirect: noRedirect}
	const next = "una password nuova e lunga"
	form := url.Values{"current": {"wrong"}, "password": {next}, "confirm": {next}}
	for i := range account.MaxFailures {
		if resp, _ := fetch(t, c, "POST", ts.URL+"/account/password", form); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("wrong current password %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body := fetch(t, c, "POST", ts.URL+"/account/password", form)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, html.EscapeString(i18n.T("it", "err.account.password.throttled"))) {
		t.Errorf("too many wrong current passwords: %d", resp.StatusCode)
	}
}

// TestInvitationAndResetLinks: the links in the outbox's messages open the
// page that sets a password, which signs the person in; each works once.
func TestInvitationAndResetLinks(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := t.Context()
	svc := srv.Services()
	admin, err := svc.People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	person, err := svc.People.AddMember(ctx, admin, "mitf01000a", people.Person{GivenName: "Nina", FamilyName: "Serra", Email: "nina@feltrinelli.example"}, auth.SchoolTutor)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Accounts.Invite(ctx, admin, person.ID); err != nil {
		t.Fatal(err)
	}
	link := func() string {
		t.Helper()
		var mail []account.Mail
		if _, err := svc.Accounts.Deliver(ctx, mailbox(func(m account.Mail) { mail = append(mail, m) })); err != nil || len(mail) != 1 {
			t.Fatalf("the outbox: %v %v", mail, err)
		}
		i := strings.Index(mail[0].Body, testserver.PublicURL)
		if i < 0 {
			t.Fatalf("no link in %q", mail[0].Body)
		}
		return ts.URL + strings.TrimPrefix(strings.Fields(mail[0].Body[i:])[0], testserver.PublicURL)
	}
	use := func(u, password string) (*http.Response, *http.Client) {
		t.Helper()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: noRedirect}
		if resp, _ := fetch(t, c, "GET", u, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("opening %s: %d", u, resp.StatusCode)
		}
		resp, _ := fetch(t, c, "POST", u, url.Values{"password": {password}})
		return resp, c
	}
	invite := link()
	if !strings.Contains(invite, "/account/password/invite/set?token=") {
		t.Fatalf("invitation link %s", invite)
	}
	resp, c := use(invite, "la mia prima password")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("setting the password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if r, body := fetch(t, c, "GET", ts.URL+"/dashboard", nil); r.StatusCode != 200 || !strings.Contains(body, "Nina Serra") {
		t.Errorf("after the invitation: %d", r.StatusCode)
	}
	if r, _ := fetch(t, &http.Client{CheckRedirect: noRedirect}, "POST", invite, url.Values{"password": {"un'altra password"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("an invitation used twice: %d", r.StatusCode)
	}

	// A reset: asked for on the page, received, used; the old password no
	// longer signs in.
	if r, body := fetch(t, &http.Client{}, "POST", ts.URL+"/account/password/reset", url.Values{"email": {"nina@feltrinelli.example"}}); r.StatusCode != 200 || !strings.Contains(body, "riceverai") {
		t.Fatalf("asking for a reset: %d", r.StatusCode)
	}
	reset := link()
	if resp, _ := use(reset, "una password dimenticata"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resetting: %d", resp.StatusCode)
	}
	if r, _ := fetch(t, &http.Client{CheckRedirect: noRedirect}, "POST", ts.URL+"/login", url.Values{"email": {"nina@feltrinelli.example"}, "password": {"la mia prima password"}}); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old password after a reset: %d", r.StatusCode)
	}
}

type mailbox func(account.Mail)

func (m mailbox) Send(_ context.Context, mail account.Mail) error { m(mail); return nil }

// TestRefusalSaidAndInputKept: a Chamber registering a school outside its
// provinces is refused in the page's language, and the form comes back
// with what was typed.
func TestRefusalSaidAndInputKept(t *testing.T) {
	ts := testserver.Start(t)
	jar := signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	c := &http.Client{Jar: jar, CheckRedirect: noRedirect}
	form := url.Values{"kind": {"school"}, "name": {"Istituto Tecnico Sommeiller"}, "province": {"TO"}, "school_code": {"TOTD01000A"}, "school_type": {"tecnico"}}
	resp, body := fetch(t, c, "POST", ts.URL+"/orgs", form)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "fuori dal tuo territorio") {
		t.Errorf("outside the territory: %d, not said in Italian", resp.StatusCode)
	}
	if !strings.Contains(body, `value="Istituto Tecnico Sommeiller"`) || !strings.Contains(body, `value="TOTD01000A"`) {
		t.Error("the typed values were lost")
	}
	resp, body = fetch(t, c, "POST", ts.URL+"/orgs?lang=en", form)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "outside your territory") {
		t.Errorf("in English: %d", resp.StatusCode)
	}
}

// The audit trail reads as words: actions and objects named, times in
// Rome, changes as fields, no raw identifiers of actions and no JSON.
func TestAuditTrailInWords(t *testing.T) {
	ts := testserver.Start(t)
	jar := signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	c := &http.Client{Jar: jar, CheckRedirect: noRedirect}
	form := url.Values{"kind": {"company"}, "name": {"Rinaldi Meccanica S.r.l."}, "province": {"MI"}, "tax_code": {"12345678903"}}
	if resp, body := fetch(t, c, "POST", ts.URL+"/orgs", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("registering a company: %d %s", resp.StatusCode, body)
	}
	for lang, words := range map[string][]string{
		"it": {"Organizzazione registrata", "Organizzazione: Rinaldi Meccanica S.r.l.", "Provincia", "Milano (MI)", "Impresa o ente ospitante", " alle "},
		"en": {"Organisation registered", "Organisation: Rinaldi Meccanica S.r.l.", "Province", "Milano (MI)"},
	} {
		resp, body := fetch(t, c, "GET", ts.URL+"/audit?lang="+lang, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", lang, resp.StatusCode)
		}
		for _, w := range words {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the trail does not say %q", lang, w)
			}
		}
		for _, raw := range []string{">organisation.create<", "<code>", `{&#34;`, `{"`, " UTC<"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: the trail shows %q", lang, raw)
			}
		}
	}
}
