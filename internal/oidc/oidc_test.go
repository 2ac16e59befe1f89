package oidc

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/oauth2"
)

// The tests run a real OpenID Provider in-process: the example OP of
// github.com/zitadel/oidc (an OpenID-certified library), with its in-memory
// storage and its HTML login page. It listens on plain HTTP on 127.0.0.1:
// the example OP is built with op.WithAllowInsecure, which permits an http
// issuer, and its web clients are in dev mode, which permits an http
// redirect URI; Config accepts http only on loopback addresses. Plain HTTP
// spares the tests a CA and keeps every request on 127.0.0.1.
//
// A "browser" (an http.Client with a cookie jar, no JavaScript) follows the
// redirects, fills in the OP's login form, and stops at attesta's callback,
// served by a test handler, where it reads code and state.

// TestMain quiets the example OP, which logs every request to slog's
// default logger, down to its warnings.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(m.Run())
}

const (
	clientID     = "attesta"
	clientSecret = "client-secret-that-must-not-leak"
	callbackPath = "/login/oidc/callback"
	// A user of the example storage (storage.NewUserStore).
	username = "test-user2"
	password = "verysecure"
)

var wantIdentity = Identity{
	Subject:       "id2",
	Email:         "test-user2@zitadel.ch",
	EmailVerified: true,
	GivenName:     "Test",
	FamilyName:    "User2",
}

// startRP serves attesta's callback, which only has to answer so that the
// browser stops there, and returns the redirect URL.
func startRP(t *testing.T) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+callbackPath, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "signed in")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + callbackPath
}

// startOP runs the example OP with the given clients and returns its issuer.
func startOP(t *testing.T, clients ...*storage.Client) string {
	t.Helper()
	return serveOP(t, newStorage(clients...))
}

// newStorage returns the example OP's in-memory storage, with its users,
// the given clients, and a fresh signing key.
func newStorage(clients ...*storage.Client) *storage.Storage {
	registered := make(map[string]*storage.Client)
	for _, c := range clients {
		registered[c.GetID()] = c
	}
	return storage.NewStorageWithClients(storage.NewUserStore("http://127.0.0.1"), registered)
}

// serveOP runs the example OP on st and returns its issuer.
func serveOP(t *testing.T, st *storage.Storage) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	srv.Config.Handler = exampleop.SetupServer(issuer, st, nil, false)
	srv.Start()
	t.Cleanup(srv.Close)
	return issuer
}

// spy is the back channel's transport: it records the ID tokens of token
// responses and, when swap is set, replaces them, as a malicious or confused
// provider (or a man in the middle) would.
type spy struct {
	mu       sync.Mutex
	idTokens []string
	access   []string
	swap     func(idToken string) string
}

func (s *spy) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		s.mu.Lock()
		if tok, ok := m["id_token"].(string); ok {
			s.idTokens = append(s.idTokens, tok)
			if s.swap != nil {
				m["id_token"] = s.swap(tok)
				body, _ = json.Marshal(m)
			}
		}
		if tok, ok := m["access_token"].(string); ok {
			s.access = append(s.access, tok)
		}
		s.mu.Unlock()
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func (s *spy) secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(append([]string{clientSecret}, s.idTokens...), s.access...)
}

func (s *spy) lastIDToken(t *testing.T) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.idTokens) == 0 {
		t.Fatal("no ID token seen")
	}
	return s.idTokens[len(s.idTokens)-1]
}

func newProvider(t *testing.T, issuer, id, redirectURL string, s *spy) *Provider {
	t.Helper()
	p, err := New(t.Context(), Config{
		Name:         "Test IdP",
		Issuer:       issuer,
		ClientID:     id,
		ClientSecret: clientSecret,
		RedirectURL:  redirectURL,
		HTTPClient:   &http.Client{Transport: s},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// env is one OP with attesta registered, and attesta's Provider for it.
type env struct {
	issuer, redirect string
	st               *storage.Storage
	spy              *spy
	p                *Provider
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{redirect: startRP(t), spy: &spy{}}
	e.st = newStorage(
		storage.WebClient(clientID, clientSecret, e.redirect),
		storage.WebClient("other", clientSecret, e.redirect))
	e.issuer = serveOP(t, e.st)
	e.p = newProvider(t, e.issuer, clientID, e.redirect, e.spy)
	return e
}

var (
	formAction = regexp.MustCompile(`<form method="POST" action="([^"]+)"`)
	formID     = regexp.MustCompile(`<input type="hidden" name="id" value="([^"]*)">`)
)

// browse drives a browser from authURL through the OP's login page to the
// callback, and returns the query that the callback received.
func browse(t *testing.T, authURL string) url.Values {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	page := func(resp *http.Response, err error) (*url.URL, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s: %s", resp.Request.URL, resp.Status, body)
		}
		return resp.Request.URL, string(body)
	}

	at, body := page(b.Get(authURL))
	if at.Path == callbackPath { // the OP answered at once
		return at.Query()
	}
	action, id := formAction.FindStringSubmatch(body), formID.FindStringSubmatch(body)
	if action == nil || id == nil {
		t.Fatalf("no login form at %s:\n%s", at, body)
	}
	target, err := at.Parse(html.UnescapeString(action[1]))
	if err != nil {
		t.Fatal(err)
	}
	at, body = page(b.PostForm(target.String(), url.Values{
		"id":       {html.UnescapeString(id[1])},
		"username": {username},
		"password": {password},
	}))
	if at.Path != callbackPath {
		t.Fatalf("browser ended at %s, not the callback:\n%s", at, body)
	}
	return at.Query()
}

// signIn starts a sign-in, lets the browser through, and reads the callback.
func signIn(t *testing.T, p *Provider) (st State, state, code string) {
	t.Helper()
	authURL, st, err := p.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	state, code, err = p.Callback(browse(t, authURL))
	if err != nil {
		t.Fatal(err)
	}
	return st, state, code
}

// refused checks that err is the expected refusal and gives nothing away.
func refused(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("accepted")
	}
	t.Logf("refused: %v", err)
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q reveals a secret", err)
		}
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	st, state, code := signIn(t, e.p)
	id, err := e.p.Finish(t.Context(), st, state, code)
	if err != nil {
		t.Fatal(err)
	}
	want := wantIdentity
	want.Issuer = e.issuer
	if id != want {
		t.Errorf("identity = %+v, want %+v", id, want)
	}
	if e.p.Name() != "Test IdP" || e.p.Issuer() != e.issuer {
		t.Errorf("Name, Issuer = %q, %q", e.p.Name(), e.p.Issuer())
	}
}

// TestBadCallback refuses callbacks that do not belong to the sign-in, and
// shows that they spend nothing: the genuine callback still succeeds.
func TestBadCallback(t *testing.T) {
	e := newEnv(t)
	st, state, code := signIn(t, e.p)
	tampered := []byte(state)
	tampered[0] ^= 1
	tests := []struct {
		name        string
		st          State
		state, code string
		want        error
	}{
		{"tampered state", st, string(tampered), code, ErrStateMismatch},
		{"truncated state", st, state[:len(state)-1], code, ErrStateMismatch},
		{"no state", st, "", code, ErrMissingState},
		{"no code", st, state, "", ErrMissingCode},
		{"no sign-in", State{}, "", code, ErrNoSignIn},
		{"sign-in lost, state forged", State{}, state, code, ErrNoSignIn},
		{"another sign-in's state", State{State: strings.Repeat("A", 43), Nonce: st.Nonce, Verifier: st.Verifier}, state, code, ErrStateMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.p.Finish(t.Context(), tt.st, tt.state, tt.code)
			refused(t, err, code, state, st.Verifier, clientSecret)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := e.p.Finish(t.Context(), st, state, code); err != nil {
		t.Fatalf("genuine callback after refused ones: %v", err)
	}
}

func TestReplayedCode(t *testing.T) {
	e := newEnv(t)
	st, state, code := signIn(t, e.p)
	if _, err := e.p.Finish(t.Context(), st, state, code); err != nil {
		t.Fatal(err)
	}
	_, err := e.p.Finish(t.Context(), st, state, code)
	refused(t, err, append(e.spy.secrets(), code)...)
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.Endpoint != "token" || pe.Code != "invalid_grant" {
		t.Errorf("err = %v, want the token endpoint's invalid_grant", err)
	}
}

// TestWrongVerifier shows PKCE at work: a code stolen from the callback is
// useless without the verifier of the browser's sign-in.
func TestWrongVerifier(t *testing.T) {
	e := newEnv(t)
	st, state, code := signIn(t, e.p)
	_, other, err := e.p.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Verifier = other.Verifier
	_, err = e.p.Finish(t.Context(), st, state, code)
	refused(t, err, code, st.Verifier, clientSecret)
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.Code != "invalid_grant" {
		t.Errorf("err = %v, want the token endpoint's invalid_grant", err)
	}
}

func TestWrongNonce(t *testing.T) {
	e := newEnv(t)
	st, state, code := signIn(t, e.p)
	_, other, err := e.p.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Nonce = other.Nonce
	_, err = e.p.Finish(t.Context(), st, state, code)
	refused(t, err, append(e.spy.secrets(), code, st.Nonce)...)
	if !errors.Is(err, ErrNonceMismatch) {
		t.Errorf("err = %v, want %v", err, ErrNonceMismatch)
	}
}

// TestForeignIDToken makes the token endpoint answer with an ID token that
// is not for this sign-in: one that the OP issued to another client, one
// that another OP issued to attesta, one whose claims were altered, and one
// that has expired. Each is a real token from a real OP; the sign-in's
// nonce is set to the foreign token's, so that nothing but the check under
// test can refuse it.
func TestForeignIDToken(t *testing.T) {
	e := newEnv(t)

	// A token for the client "other", from the same OP.
	otherSpy := &spy{}
	other := newProvider(t, e.issuer, "other", e.redirect, otherSpy)
	otherSt, state, code := signIn(t, other)
	if _, err := other.Finish(t.Context(), otherSt, state, code); err != nil {
		t.Fatal(err)
	}
	otherClientToken := otherSpy.lastIDToken(t)

	// A token for attesta from another OP, with its own keys.
	elsewhere := startOP(t, storage.WebClient(clientID, clientSecret, e.redirect))
	elseSt, elseToken := foreignSignIn(t, elsewhere, e.redirect)

	// A token for attesta from another OP that signs with the same keys, as
	// two tenants of one IdP might: only the issuer tells them apart.
	twin := serveOP(t, e.st)
	twinSt, twinToken := foreignSignIn(t, twin, e.redirect)

	tests := []struct {
		name  string
		swap  func(string) string
		nonce string // "" keeps the sign-in's
		now   time.Time
		want  string
	}{
		{"another client", func(string) string { return otherClientToken }, otherSt.Nonce, time.Time{}, `expected audience "attesta"`},
		{"another issuer", func(string) string { return elseToken }, elseSt.Nonce, time.Time{}, "failed to verify signature"},
		{"another issuer, same keys", func(string) string { return twinToken }, twinSt.Nonce, time.Time{}, "issued by a different provider"},
		{"altered claims", func(tok string) string { return alter(t, tok, "sub", "id1") }, "", time.Time{}, "failed to verify signature"},
		{"unsigned", func(tok string) string { return unsign(t, tok) }, "", time.Time{}, "malformed jwt"},
		{"expired", nil, "", time.Now().Add(2 * time.Hour), "token is expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &spy{swap: tt.swap}
			p := newProvider(t, e.issuer, clientID, e.redirect, s)
			if !tt.now.IsZero() {
				p.now = func() time.Time { return tt.now }
			}
			st, state, code := signIn(t, p)
			if tt.nonce != "" {
				st.Nonce = tt.nonce
			}
			_, err := p.Finish(t.Context(), st, state, code)
			refused(t, err, append(s.secrets(), code, otherClientToken, elseToken, twinToken)...)
			if err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if tt.name == "expired" {
				var expired *gooidc.TokenExpiredError
				if !errors.As(err, &expired) {
					t.Errorf("err = %v, want a *TokenExpiredError", err)
				}
			}
		})
	}
}

// foreignSignIn signs in at another issuer and returns the sign-in's State
// and the ID token it produced.
func foreignSignIn(t *testing.T, issuer, redirect string) (State, string) {
	t.Helper()
	s := &spy{}
	p := newProvider(t, issuer, clientID, redirect, s)
	st, state, code := signIn(t, p)
	id, err := p.Finish(t.Context(), st, state, code)
	if err != nil {
		t.Fatal(err)
	}
	if id.Issuer != issuer {
		t.Fatalf("signed in at %s, identity from %s", issuer, id.Issuer)
	}
	return st, s.lastIDToken(t)
}

// alter sets a claim of a JWT and keeps its signature.
func alter(t *testing.T, jwt, claim, value string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	m[claim] = value
	payload, _ = json.Marshal(m)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

// unsign turns a JWT into an unsecured one (alg none).
func unsign(t *testing.T, jwt string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	return header + "." + parts[1] + "."
}

// TestProviderRefusal has the OP answer the authorization request with an
// error (login_required, for prompt=none without a session).
func TestProviderRefusal(t *testing.T) {
	e := newEnv(t)
	authURL, _, err := e.p.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = e.p.Callback(browse(t, authURL+"&prompt=none"))
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.Endpoint != "authorization" || pe.Code != "login_required" {
		t.Fatalf("err = %v, want the authorization endpoint's login_required", err)
	}
}

func TestCallback(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name  string
		query string
		want  error // nil: accepted
	}{
		{"ok", "state=s&code=c", nil},
		{"ok with iss", "state=s&code=c&iss=" + url.QueryEscape(e.issuer), nil},
		{"no state", "code=c", ErrMissingState},
		{"no code", "state=s", ErrMissingCode},
		{"empty code", "state=s&code=", ErrMissingCode},
		{"repeated code", "state=s&code=c&code=d", ErrMalformed},
		{"long code", "state=s&code=" + strings.Repeat("c", maxParam+1), ErrMalformed},
		{"mix-up", "state=s&code=c&iss=https%3A%2F%2Fevil.example", ErrIssuerMismatch},
		{"provider error", "state=s&error=access_denied&error_description=the+user+said+no", &ProviderError{}},
		{"provider error, empty", "state=s&error=", &ProviderError{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			state, code, err := e.p.Callback(q)
			switch want := tt.want.(type) {
			case nil:
				if err != nil || state != "s" || code != "c" {
					t.Errorf("= %q, %q, %v", state, code, err)
				}
			case *ProviderError:
				var pe *ProviderError
				if !errors.As(err, &pe) || pe.Code != q.Get("error") || pe.Description != q.Get("error_description") {
					t.Errorf("err = %#v", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want %v", err, want)
				}
			}
		})
	}

	// A provider that announces RFC 9207 must send iss.
	e.p.issParam = true
	if _, _, err := e.p.Callback(url.Values{"state": {"s"}, "code": {"c"}}); !errors.Is(err, ErrIssuerMismatch) {
		t.Errorf("missing iss: err = %v", err)
	}
}

func TestProviderErrorText(t *testing.T) {
	q := url.Values{"error": {"access_denied"}, "error_description": {"line\nforged log line " + strings.Repeat("x", 500)}}
	p := &Provider{issuer: "https://idp.example"}
	_, _, err := p.Callback(q)
	if s := err.Error(); strings.ContainsAny(s, "\n\r") || len(s) > 300 {
		t.Errorf("error not cleaned: %q", s)
	}
}

// sequence is a deterministic source of "randomness" for Start.
type sequence byte

func (s *sequence) Read(p []byte) (int, error) {
	for i := range p {
		*s++
		p[i] = byte(*s)
	}
	return len(p), nil
}

func TestStart(t *testing.T) {
	e := newEnv(t)
	var rnd sequence
	authURL, st, err := e.p.Start(&rnd)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{st.State, st.Nonce, st.Verifier} {
		if b, err := base64.RawURLEncoding.DecodeString(v); err != nil || len(b) != 32 {
			t.Errorf("%q is not 32 bytes in base64url", v)
		}
	}
	if st.State == st.Nonce || st.Nonce == st.Verifier || st.State == st.Verifier {
		t.Errorf("values repeat: %+v", st)
	}
	if want := base64.RawURLEncoding.EncodeToString([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}); st.State != want {
		t.Errorf("State = %q, want %q (from the given reader)", st.State, want)
	}

	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	challenge := sha256.Sum256([]byte(st.Verifier))
	want := map[string]string{
		"response_type":         "code",
		"client_id":             clientID,
		"redirect_uri":          e.redirect,
		"scope":                 "openid email profile",
		"state":                 st.State,
		"nonce":                 st.Nonce,
		"code_challenge":        base64.RawURLEncoding.EncodeToString(challenge[:]),
		"code_challenge_method": "S256",
	}
	q := u.Query()
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if q.Has("code_verifier") || strings.Contains(authURL, st.Verifier) || strings.Contains(authURL, clientSecret) {
		t.Errorf("authURL reveals the verifier or the secret: %s", authURL)
	}
	if !strings.HasPrefix(authURL, e.issuer+"/") {
		t.Errorf("authURL %s is not at the issuer", authURL)
	}

	if _, _, err := e.p.Start(iotest.ErrReader(errors.New("no entropy"))); err == nil {
		t.Error("Start with a failing reader succeeded")
	}
	if _, _, err := e.p.Start(bytes.NewReader(make([]byte, 40))); err == nil {
		t.Error("Start with a short reader succeeded")
	}
}

func TestNewRefuses(t *testing.T) {
	e := newEnv(t)
	good := Config{Issuer: e.issuer, ClientID: clientID, ClientSecret: clientSecret, RedirectURL: e.redirect}
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"issuer": %q, "padding": %q}`, "http://"+r.Host, strings.Repeat("x", 2<<20))
	}))
	defer big.Close()
	redirecting := httptest.NewServer(http.RedirectHandler(e.issuer+"/.well-known/openid-configuration", http.StatusFound))
	defer redirecting.Close()

	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no issuer", func(c *Config) { c.Issuer = "" }, "no issuer"},
		{"no client ID", func(c *Config) { c.ClientID = "" }, "no client ID"},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, "no client secret"},
		{"no redirect", func(c *Config) { c.RedirectURL = "" }, "no redirect URL"},
		{"http issuer", func(c *Config) { c.Issuer = "http://idp.example" }, "not https"},
		{"http redirect", func(c *Config) { c.RedirectURL = "http://attesta.example/cb" }, "not https"},
		{"relative redirect", func(c *Config) { c.RedirectURL = "/cb" }, "not an absolute URL"},
		{"issuer differs from discovery", func(c *Config) { c.Issuer += "/" }, "names issuer"},
		{"no discovery", func(c *Config) { c.Issuer += "/nothing" }, "404"},
		{"huge discovery", func(c *Config) { c.Issuer = big.URL }, "larger than"},
		{"redirected discovery", func(c *Config) { c.Issuer = redirecting.URL }, "302"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.change(&c)
			_, err := New(t.Context(), c)
			refused(t, err, clientSecret)
			if err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if len(err.Error()) > 500 {
				t.Errorf("error of %d bytes", len(err.Error()))
			}
		})
	}
}

func TestConfigHidesSecret(t *testing.T) {
	c := Config{Name: "SPID/CIE", Issuer: "https://idp.example", ClientID: "attesta", ClientSecret: clientSecret}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("configured", "provider", c)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprint(&Provider{name: c.Name, issuer: c.Issuer, oauth: oauth2.Config{ClientSecret: clientSecret}}), buf.String()} {
		if strings.Contains(s, clientSecret) {
			t.Errorf("secret in %q", s)
		}
		if !strings.Contains(s, "idp.example") {
			t.Errorf("issuer missing from %q", s)
		}
	}
}

func TestLimitedBody(t *testing.T) {
	for _, size := range []int{0, 1, maxResponse - 1, maxResponse, maxResponse + 1, 3 * maxResponse} {
		b := &limitedBody{ReadCloser: io.NopCloser(bytes.NewReader(make([]byte, size))), left: maxResponse}
		n, err := io.Copy(io.Discard, b)
		if size <= maxResponse && (err != nil || n != int64(size)) {
			t.Errorf("%d bytes: read %d, %v", size, n, err)
		}
		if size > maxResponse && (!errors.Is(err, errTooLarge) || n != maxResponse) {
			t.Errorf("%d bytes: read %d, %v; want %d, %v", size, n, err, maxResponse, errTooLarge)
		}
	}
}

func TestFlexBool(t *testing.T) {
	for in, want := range map[string]bool{`true`: true, `false`: false, `"true"`: true, `"false"`: false, `null`: false} {
		var b flexBool
		if err := json.Unmarshal([]byte(in), &b); err != nil || bool(b) != want {
			t.Errorf("%s: %v, %v", in, b, err)
		}
	}
	var b flexBool
	if err := json.Unmarshal([]byte(`1`), &b); err == nil {
		t.Error("1 accepted as a boolean")
	}
}
