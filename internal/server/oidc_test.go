package server_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/oidc"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/people"
)

// TestOIDCSignIn signs in to a running attesta through a real OpenID
// provider running locally (zitadel's OpenID-certified library, its example
// OP with in-memory users), as a browser without JavaScript would: the
// sign-in button, the provider's login form, the callback, the dashboard.
// The provider's user test-user2 has the verified address
// test-user2@zitadel.ch, which a school gave a role; test-user's address
// belongs to nobody in attesta and is refused.
func TestOIDCSignIn(t *testing.T) {
	const clientID, secret = "attesta", "oidc-client-secret"
	// attesta's address must be known before the provider is told it.
	front := httptest.NewUnstartedServer(nil)
	base := "http://" + front.Listener.Addr().String()
	callback := base + "/login/oidc/callback"

	op := httptest.NewUnstartedServer(nil)
	issuer := "http://" + op.Listener.Addr().String()
	st := storage.NewStorageWithClients(storage.NewUserStore(issuer), map[string]*storage.Client{
		clientID: storage.WebClient(clientID, secret, callback),
	})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	op.Config.Handler = exampleop.SetupServer(issuer, st, quiet, false)
	op.Start()
	t.Cleanup(op.Close)

	srv := testserver.NewWith(t, func(o *server.Options) {
		o.OIDC = &oidc.Config{Name: "SPID/CIE (test)", Issuer: issuer, ClientID: clientID, ClientSecret: secret, RedirectURL: callback}
	})
	front.Config.Handler = srv
	front.Start()
	t.Cleanup(front.Close)

	ctx := context.Background()
	admin, err := srv.Services().People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Services().People.AddMember(ctx, admin, "mitf01000a", people.Person{GivenName: "Test", FamilyName: "User2", Email: "test-user2@zitadel.ch"}, auth.SchoolTutor); err != nil {
		t.Fatal(err)
	}

	// The sign-in page offers the provider.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, body := fetch(t, browser, "GET", base+"/login", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `href="/login/oidc"`) || !strings.Contains(body, "SPID/CIE (test)") {
		t.Fatalf("the sign-in page does not offer the provider: %d", resp.StatusCode)
	}
	resp, body = throughProvider(t, browser, base, "test-user2")
	if resp.Request.URL.Path != "/dashboard" || resp.StatusCode != 200 {
		t.Fatalf("after the provider: %s %d", resp.Request.URL, resp.StatusCode)
	}
	if !strings.Contains(body, "Test User2") || !strings.Contains(body, "ITIS Giacomo Feltrinelli") {
		t.Errorf("the dashboard does not show the signed-in tutor")
	}
	// The identity is linked: the same subject signs in again.
	jar2, _ := cookiejar.New(nil)
	resp, _ = throughProvider(t, &http.Client{Jar: jar2, Timeout: 10 * time.Second}, base, "test-user2")
	if resp.Request.URL.Path != "/dashboard" {
		t.Errorf("second sign-in ended at %s", resp.Request.URL)
	}

	// A provider user whom no organisation invited is refused, precisely.
	jar3, _ := cookiejar.New(nil)
	resp, body = throughProvider(t, &http.Client{Jar: jar3, Timeout: 10 * time.Second}, base, "test-user@"+strings.Split(op.Listener.Addr().String(), ":")[0])
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "test-user@zitadel.ch") {
		t.Errorf("an uninvited identity: %d\n%s", resp.StatusCode, snippet(body))
	}
	if r, _ := fetch(t, &http.Client{Jar: jar3, CheckRedirect: noRedirect}, "GET", base+"/dashboard", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("an uninvited identity reached the dashboard: %d", r.StatusCode)
	}

	// A callback without the sign-in's cookie is refused.
	r, _ := fetch(t, &http.Client{CheckRedirect: noRedirect}, "GET", base+"/login/oidc/callback?state=x&code=y", nil)
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("a callback with no sign-in in progress: %d", r.StatusCode)
	}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

var (
	opFormAction = regexp.MustCompile(`<form method="POST" action="([^"]+)"`)
	opFormID     = regexp.MustCompile(`<input type="hidden" name="id" value="([^"]*)">`)
)

// throughProvider clicks "sign in with the provider", fills in the
// provider's login form as user, and follows the redirects back.
func throughProvider(t *testing.T, b *http.Client, base, user string) (*http.Response, string) {
	t.Helper()
	resp, body := fetch(t, b, "GET", base+"/login/oidc", nil)
	action, id := opFormAction.FindStringSubmatch(body), opFormID.FindStringSubmatch(body)
	if action == nil || id == nil {
		t.Fatalf("no login form at the provider (%s)", resp.Request.URL)
	}
	target, err := resp.Request.URL.Parse(html.UnescapeString(action[1]))
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"id": {html.UnescapeString(id[1])}, "username": {user}, "password": {"verysecure"}}
	return fetch(t, b, "POST", target.String(), form)
}

func fetch(t *testing.T, b *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}
