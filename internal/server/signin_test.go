package server_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// TestSignInThrottled: over HTTP, an account locks after MaxFailures wrong
// passwords in a row (even the right one is then refused, with 429), and
// one address may not try more than MaxPerAddress times a minute.
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
	if got := post("referente@feltrinelli.example", demo.Password); got != http.StatusTooManyRequests {
		t.Errorf("the right password on a locked account: %d, want 429", got)
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
