// Package oidc is the Relying Party side of OpenID Connect sign-in: it sends
// a person's browser to an OpenID Provider (a SPID/CIE gateway, an
// enterprise IdP) and turns what comes back into a verified [Identity].
//
// It implements the authorization code flow of [OpenID Connect Core] for a
// confidential web client, with [PKCE] and nothing else: no implicit or
// hybrid flow, no refresh tokens, no logout. Sessions are the caller's.
//
// # The flow
//
//  1. At start-up, [New] reads the provider's discovery document at
//     Issuer + "/.well-known/openid-configuration" and checks that it names
//     the same issuer.
//  2. When a person clicks the sign-in button, [Provider.Start] returns the
//     URL to redirect the browser to and a [State]: three fresh random
//     values that the caller keeps on the server side (or in a signed,
//     encrypted, short-lived, HttpOnly cookie) until the browser returns.
//  3. The provider authenticates the person and redirects the browser to the
//     RedirectURL with a code and the state. [Provider.Callback] reads that
//     query, including an error the provider may have reported instead.
//  4. [Provider.Finish] checks the state, exchanges the code at the token
//     endpoint (server to server), verifies the ID token, fetches the
//     claims that the ID token lacks from the UserInfo endpoint, and returns
//     the [Identity]. The caller then starts its own session, keyed by
//     Identity.Issuer and Identity.Subject, never by the e-mail address.
//
// # Security choices
//
//   - The state (against login CSRF) is compared in constant time before
//     anything is sent to the provider, so a forged callback cannot spend a
//     code. An empty State is refused: no sign-in, no match.
//   - PKCE with S256 binds the code to the browser that started the sign-in;
//     a provider whose discovery document lists code challenge methods
//     without S256 is refused at start-up.
//   - The ID token is checked for its signature (keys from the provider's
//     JWKS, algorithms from discovery, never "none" or HMAC), issuer,
//     audience, authorized party, expiry and not-before, the nonce of this
//     sign-in (in constant time), and at_hash when present. Claims taken
//     from the UserInfo endpoint must carry the ID token's subject.
//   - If the callback carries an iss parameter ([RFC 9207]), or the provider
//     announces that it always does, it must name this provider's issuer:
//     this defeats mix-up attacks when several providers are configured.
//   - The back channel (discovery, JWKS, token, UserInfo) uses an HTTP
//     client with a timeout, that follows no redirects and reads at most
//     1 MiB of any response.
//   - Errors say which step failed and why, in terms fit for a log line; they
//     never contain the client secret, the code, the state, or any token,
//     and text quoted from the provider is cut short. Nothing is logged here.
//   - The client authenticates to the token endpoint with client_secret_basic,
//     or client_secret_post when that is all the provider supports.
//
// # Not covered
//
// The OpenID Connect Federation profile of SPID and CIE (trust chains,
// private_key_jwt, signed request objects) is not implemented: this package
// assumes a gateway or IdP that speaks plain OpenID Connect.
//
// [OpenID Connect Core]: https://openid.net/specs/openid-connect-core-1_0.html
// [PKCE]: https://www.rfc-editor.org/rfc/rfc7636
// [RFC 9207]: https://www.rfc-editor.org/rfc/rfc9207
package oidc

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config describes one OpenID Provider and attesta's registration with it.
// Its String and LogValue methods leave out the client secret.
type Config struct {
	// Name is shown on the sign-in button, e.g. "SPID/CIE". Default: the
	// issuer's host.
	Name string
	// Issuer is the provider's issuer URL, exactly as its discovery document
	// at Issuer + "/.well-known/openid-configuration" states it. It must be
	// https, except on a loopback address (development and tests).
	Issuer string
	// ClientID and ClientSecret are attesta's registration with the provider.
	// The secret is never logged nor put in an error.
	ClientID     string
	ClientSecret string
	// RedirectURL is attesta's callback, registered with the provider, e.g.
	// https://host/login/oidc/callback. It must be https, except on a
	// loopback address.
	RedirectURL string
	// Scopes requested. Default: openid email profile; openid is added if
	// missing.
	Scopes []string
	// HTTPClient is used for the back channel (optional, for tests). It is
	// copied, not modified: the copy gets a timeout if it has none, follows
	// no redirects, and reads at most 1 MiB of a response.
	HTTPClient *http.Client
}

// String describes c without its secret.
func (c Config) String() string {
	return fmt.Sprintf("oidc.Config{Name: %q, Issuer: %q, ClientID: %q, RedirectURL: %q, Scopes: %q}",
		c.Name, c.Issuer, c.ClientID, c.RedirectURL, c.Scopes)
}

// LogValue describes c to log/slog without its secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", c.Name),
		slog.String("issuer", c.Issuer),
		slog.String("client_id", c.ClientID),
		slog.String("redirect_url", c.RedirectURL),
		slog.Any("scopes", c.Scopes),
	)
}

const (
	// httpTimeout bounds each back-channel request.
	httpTimeout = 10 * time.Second
	// maxResponse bounds each back-channel response body.
	maxResponse = 1 << 20
	// maxParam bounds each callback parameter we accept.
	maxParam = 4096
	// maxErrText bounds the text quoted from a provider or library in an error.
	maxErrText = 200
)

// Provider is one configured OpenID Provider. It is safe for concurrent use.
type Provider struct {
	name     string
	issuer   string
	clientID string
	oauth    oauth2.Config
	op       *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	client   *http.Client
	// issParam is set when the provider announces that its authorization
	// responses always carry iss (RFC 9207).
	issParam bool
	// now is the clock for ID token expiry; tests move it.
	now func() time.Time
}

// New reads the discovery document of the provider that c describes and
// returns it ready for sign-ins.
func New(ctx context.Context, c Config) (*Provider, error) {
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("oidc: configuring provider %q: %w", cmp.Or(c.Name, c.Issuer), err)
	}
	client := backChannel(c.HTTPClient)
	wellKnown := strings.TrimSuffix(c.Issuer, "/") + "/.well-known/openid-configuration"
	op, err := gooidc.NewProvider(gooidc.ClientContext(ctx, client), c.Issuer)
	if err != nil {
		if mismatch, ok := errors.AsType[*gooidc.IssuerMismatchError](err); ok {
			return nil, fmt.Errorf("oidc: discovery at %s names issuer %q, configured %q", wellKnown, mismatch.Discovered, mismatch.Provided)
		}
		return nil, fmt.Errorf("oidc: discovery at %s: %w", wellKnown, quote(err))
	}
	var meta struct {
		AuthorizationURL string   `json:"authorization_endpoint"`
		TokenURL         string   `json:"token_endpoint"`
		JWKSURL          string   `json:"jwks_uri"`
		UserInfoURL      string   `json:"userinfo_endpoint"`
		ResponseTypes    []string `json:"response_types_supported"`
		AuthMethods      []string `json:"token_endpoint_auth_methods_supported"`
		ChallengeMethods []string `json:"code_challenge_methods_supported"`
		IssParameter     bool     `json:"authorization_response_iss_parameter_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, fmt.Errorf("oidc: discovery at %s: decoding: %w", wellKnown, quote(err))
	}
	for what, u := range map[string]string{
		"authorization_endpoint": meta.AuthorizationURL,
		"token_endpoint":         meta.TokenURL,
		"jwks_uri":               meta.JWKSURL,
	} {
		if err := checkURL(u); err != nil {
			return nil, fmt.Errorf("oidc: discovery at %s: %s: %w", wellKnown, what, err)
		}
	}
	if meta.UserInfoURL != "" {
		if err := checkURL(meta.UserInfoURL); err != nil {
			return nil, fmt.Errorf("oidc: discovery at %s: userinfo_endpoint: %w", wellKnown, err)
		}
	}
	if len(meta.ChallengeMethods) > 0 && !slices.Contains(meta.ChallengeMethods, "S256") {
		return nil, fmt.Errorf("oidc: discovery at %s: provider does not support PKCE with S256 (code_challenge_methods_supported: %q)", wellKnown, meta.ChallengeMethods)
	}
	if len(meta.ResponseTypes) > 0 && !slices.Contains(meta.ResponseTypes, "code") {
		return nil, fmt.Errorf("oidc: discovery at %s: provider does not support the authorization code flow", wellKnown)
	}
	style, err := authStyle(meta.AuthMethods)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery at %s: %w", wellKnown, err)
	}

	p := &Provider{
		name:     c.Name,
		issuer:   c.Issuer,
		clientID: c.ClientID,
		op:       op,
		client:   client,
		issParam: meta.IssParameter,
		now:      time.Now,
	}
	if p.name == "" {
		u, _ := url.Parse(c.Issuer)
		p.name = u.Host
	}
	endpoint := op.Endpoint()
	endpoint.AuthStyle = style
	p.oauth = oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint:     endpoint,
		RedirectURL:  c.RedirectURL,
		Scopes:       scopes(c.Scopes),
	}
	p.verifier = op.Verifier(&gooidc.Config{
		ClientID: c.ClientID,
		Now:      func() time.Time { return p.now() },
	})
	return p, nil
}

// check reports what is missing or unsafe in c.
func (c Config) check() error {
	switch {
	case c.Issuer == "":
		return errors.New("no issuer")
	case c.ClientID == "":
		return errors.New("no client ID")
	case c.ClientSecret == "":
		return errors.New("no client secret")
	case c.RedirectURL == "":
		return errors.New("no redirect URL")
	}
	if err := checkURL(c.Issuer); err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	if u, _ := url.Parse(c.Issuer); u.RawQuery != "" || u.Fragment != "" {
		return errors.New("issuer: has a query or fragment")
	}
	if err := checkURL(c.RedirectURL); err != nil {
		return fmt.Errorf("redirect URL: %w", err)
	}
	return nil
}

// checkURL accepts an absolute https URL, or http on a loopback address.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	switch {
	case u.Host == "":
		return fmt.Errorf("%q is not an absolute URL", s)
	case u.User != nil:
		return fmt.Errorf("%q carries credentials", u.Redacted())
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && loopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("%q is not https", s)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authStyle chooses how the client authenticates to the token endpoint from
// token_endpoint_auth_methods_supported, whose default is
// client_secret_basic.
func authStyle(methods []string) (oauth2.AuthStyle, error) {
	switch {
	case len(methods) == 0 || slices.Contains(methods, "client_secret_basic"):
		return oauth2.AuthStyleInHeader, nil
	case slices.Contains(methods, "client_secret_post"):
		return oauth2.AuthStyleInParams, nil
	}
	return 0, fmt.Errorf("provider supports neither client_secret_basic nor client_secret_post (token_endpoint_auth_methods_supported: %q)", methods)
}

func scopes(s []string) []string {
	if len(s) == 0 {
		return []string{gooidc.ScopeOpenID, "email", "profile"}
	}
	if !slices.Contains(s, gooidc.ScopeOpenID) {
		return append([]string{gooidc.ScopeOpenID}, s...)
	}
	return slices.Clone(s)
}

// Name is the name to show on the sign-in button.
func (p *Provider) Name() string { return p.name }

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.issuer }

// String names p without its secret.
func (p *Provider) String() string { return fmt.Sprintf("oidc.Provider{%q, %s}", p.name, p.issuer) }

// State is what the caller keeps between [Provider.Start] and
// [Provider.Finish] for one sign-in. Each field is 256 random bits, base64url
// without padding. Keep it where the browser cannot read or change it (on
// the server, or in an encrypted and authenticated cookie), for a few
// minutes at most, and use it once.
type State struct {
	// State is sent to the provider and must come back in the callback.
	State string
	// Nonce is sent to the provider and must come back in the ID token.
	Nonce string
	// Verifier is the PKCE code verifier; only its SHA-256 is sent at the
	// start, the verifier itself with the code at the end.
	Verifier string
}

// Start begins a sign-in: it returns the URL to redirect the browser to and
// the state to keep server-side (or in a signed and encrypted short-lived
// cookie) until the callback. The random values come from rand; nil means
// crypto/rand.
func (p *Provider) Start(rand io.Reader) (authURL string, st State, err error) {
	for _, f := range []*string{&st.State, &st.Nonce, &st.Verifier} {
		if *f, err = random(rand); err != nil {
			return "", State{}, fmt.Errorf("oidc: starting sign-in: %w", err)
		}
	}
	authURL = p.oauth.AuthCodeURL(st.State,
		gooidc.Nonce(st.Nonce),
		oauth2.S256ChallengeOption(st.Verifier))
	return authURL, st, nil
}

func random(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [32]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Errors of a callback, for [errors.Is]. A provider's refusal is a
// [*ProviderError].
var (
	ErrNoSignIn        = errors.New("oidc: no sign-in was started (empty State)")
	ErrMissingState    = errors.New("oidc: callback has no state")
	ErrStateMismatch   = errors.New("oidc: callback state does not match the sign-in started in this browser")
	ErrMissingCode     = errors.New("oidc: callback has no code")
	ErrIssuerMismatch  = errors.New("oidc: callback iss does not name this provider")
	ErrMalformed       = errors.New("oidc: malformed callback")
	ErrNoIDToken       = errors.New("oidc: token response has no id_token")
	ErrNonceMismatch   = errors.New("oidc: ID token nonce does not match the sign-in started in this browser")
	ErrAudience        = errors.New("oidc: ID token was issued to another client")
	ErrAccessTokenHash = errors.New("oidc: ID token at_hash does not match the access token")
	ErrSubjectMismatch = errors.New("oidc: UserInfo subject differs from the ID token's")
	ErrNoSubject       = errors.New("oidc: ID token has no subject")
)

// ProviderError is an error that the provider reported, at its authorization
// endpoint (in the callback) or at its token endpoint. Its fields are the
// provider's text, cut short and stripped of control characters.
type ProviderError struct {
	Endpoint    string // "authorization" or "token"
	Status      int    // HTTP status of a token endpoint error
	Code        string // the OAuth error code, e.g. access_denied, invalid_grant
	Description string // error_description, if any
}

func (e *ProviderError) Error() string {
	s := "oidc: provider's " + e.Endpoint + " endpoint"
	if e.Status != 0 {
		s += fmt.Sprintf(" answered HTTP %d", e.Status)
	}
	if e.Code != "" {
		s += fmt.Sprintf(" reported %q", e.Code)
	}
	if e.Description != "" {
		s += fmt.Sprintf(": %q", e.Description)
	}
	return s
}

// Callback reads the query of a request to the RedirectURL. It returns the
// state and code to pass to [Provider.Finish], or the error the provider
// reported ([*ProviderError], e.g. access_denied when the person cancelled),
// or why the query is unusable.
func (p *Provider) Callback(q url.Values) (state, code string, err error) {
	for k, v := range q {
		if len(v) > 1 {
			return "", "", fmt.Errorf("%w: parameter %q repeated", ErrMalformed, clip(k))
		}
		if len(v[0]) > maxParam {
			return "", "", fmt.Errorf("%w: parameter %q longer than %d bytes", ErrMalformed, clip(k), maxParam)
		}
	}
	if iss, ok := q["iss"]; ok || p.issParam {
		if !ok || iss[0] != p.issuer {
			return "", "", ErrIssuerMismatch
		}
	}
	if q.Has("error") {
		return "", "", &ProviderError{
			Endpoint:    "authorization",
			Code:        clip(q.Get("error")),
			Description: clip(q.Get("error_description")),
		}
	}
	state, code = q.Get("state"), q.Get("code")
	switch {
	case state == "":
		return "", "", ErrMissingState
	case code == "":
		return "", "", ErrMissingCode
	}
	return state, code, nil
}

// Identity is who signed in, as the provider asserts it.
type Identity struct {
	// Issuer and Subject together identify the person, forever.
	Issuer, Subject string
	// Email may be empty (SPID, for one, need not release it) and, unless
	// EmailVerified, is only what the person typed.
	Email         string
	EmailVerified bool
	GivenName     string
	FamilyName    string
}

// Finish completes a sign-in started with st: it checks that returnedState
// equals st.State (in constant time), exchanges the code with the PKCE
// verifier, verifies the ID token (signature via JWKS, issuer, audience,
// expiry, nonce == st.Nonce), and returns the identity. The caller must
// discard st whatever the outcome.
func (p *Provider) Finish(ctx context.Context, st State, returnedState, code string) (Identity, error) {
	switch {
	case st.State == "" || st.Nonce == "" || st.Verifier == "":
		return Identity{}, ErrNoSignIn
	case returnedState == "":
		return Identity{}, ErrMissingState
	case subtle.ConstantTimeCompare([]byte(st.State), []byte(returnedState)) != 1:
		return Identity{}, ErrStateMismatch
	case code == "":
		return Identity{}, ErrMissingCode
	}
	ctx = context.WithValue(gooidc.ClientContext(ctx, p.client), oauth2.HTTPClient, p.client)

	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("oidc: exchanging the code: %w", exchangeError(err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, ErrNoIDToken
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		if _, ok := errors.AsType[*gooidc.TokenExpiredError](err); ok {
			return Identity{}, fmt.Errorf("oidc: verifying the ID token: %w", err)
		}
		return Identity{}, fmt.Errorf("oidc: verifying the ID token: %w", quote(err, raw, tok.AccessToken))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return Identity{}, ErrNonceMismatch
	}
	var c claims
	if err := idt.Claims(&c); err != nil {
		return Identity{}, fmt.Errorf("oidc: decoding the ID token's claims: %w", quote(err, raw))
	}
	// OpenID Connect Core 3.1.3.7, steps 4 and 5.
	if (len(idt.Audience) > 1 || c.AuthorizedParty != "") && c.AuthorizedParty != p.clientID {
		return Identity{}, fmt.Errorf("%w (azp %q)", ErrAudience, clip(c.AuthorizedParty))
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return Identity{}, ErrAccessTokenHash
		}
	}
	if idt.Subject == "" {
		return Identity{}, ErrNoSubject
	}
	id := Identity{
		Issuer:        idt.Issuer,
		Subject:       idt.Subject,
		Email:         c.Email,
		EmailVerified: bool(c.EmailVerified),
		GivenName:     c.GivenName,
		FamilyName:    c.FamilyName,
	}
	if (id.Email == "" || id.GivenName == "" || id.FamilyName == "") && p.op.UserInfoEndpoint() != "" && tok.AccessToken != "" {
		if err := p.userInfo(ctx, tok, &id, raw); err != nil {
			return Identity{}, err
		}
	}
	return id, nil
}

// userInfo fills the claims that id lacks from the UserInfo endpoint
// (OpenID Connect Core 5.3). Claims of the ID token take precedence.
func (p *Provider) userInfo(ctx context.Context, tok *oauth2.Token, id *Identity, rawIDToken string) error {
	info, err := p.op.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("oidc: fetching UserInfo: %w", quote(err, tok.AccessToken, rawIDToken))
	}
	// 5.3.2: the sub of the UserInfo response must be the ID token's, or
	// the response may belong to someone else.
	if subtle.ConstantTimeCompare([]byte(info.Subject), []byte(id.Subject)) != 1 {
		return ErrSubjectMismatch
	}
	var c claims
	if err := info.Claims(&c); err != nil {
		return fmt.Errorf("oidc: decoding UserInfo claims: %w", quote(err, tok.AccessToken))
	}
	if id.Email == "" {
		id.Email, id.EmailVerified = c.Email, bool(c.EmailVerified)
	}
	if id.GivenName == "" {
		id.GivenName = c.GivenName
	}
	if id.FamilyName == "" {
		id.FamilyName = c.FamilyName
	}
	return nil
}

// claims are the standard claims read from the ID token and UserInfo.
type claims struct {
	AuthorizedParty string   `json:"azp"`
	Email           string   `json:"email"`
	EmailVerified   flexBool `json:"email_verified"`
	GivenName       string   `json:"given_name"`
	FamilyName      string   `json:"family_name"`
}

// flexBool is a boolean claim that some providers send as a string.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case bool:
		*b = flexBool(v)
	case string:
		*b = flexBool(v == "true")
	case nil:
		*b = false
	default:
		return fmt.Errorf("boolean claim of type %T", v)
	}
	return nil
}

// exchangeError restates an error of the token endpoint without the raw
// response, which oauth2 would otherwise quote.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return quote(err)
	}
	e := &ProviderError{Endpoint: "token", Code: clip(re.ErrorCode), Description: clip(re.ErrorDescription)}
	if re.Response != nil {
		e.Status = re.Response.StatusCode
	}
	return e
}

// quotedError is an error of a library whose message may quote what a
// server answered: cut short, with given values (tokens) blotted out. It
// does not unwrap, so that the full message cannot escape.
type quotedError string

func (e quotedError) Error() string { return string(e) }

func quote(err error, secrets ...string) error {
	s := err.Error()
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return quotedError(clip(s))
}

// clip cuts s to maxErrText bytes and replaces control characters, so that
// text from outside cannot flood or forge log lines.
func clip(s string) string {
	if len(s) > maxErrText {
		s = strings.ToValidUTF8(s[:maxErrText], "") + "…"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// backChannel returns a copy of c (or a new client) with a timeout, no
// redirects, and bounded response bodies.
func backChannel(c *http.Client) *http.Client {
	var client http.Client
	if c != nil {
		client = *c
	}
	if client.Timeout == 0 {
		client.Timeout = httpTimeout
	}
	base := client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	client.Transport = limitTransport{base}
	client.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	return &client
}

type limitTransport struct{ base http.RoundTripper }

func (t limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: maxResponse}
	return resp, nil
}

// errTooLarge is returned by a read past maxResponse.
var errTooLarge = fmt.Errorf("oidc: response larger than %d bytes", maxResponse)

type limitedBody struct {
	io.ReadCloser
	left int64
	err  error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	if int64(n) <= b.left {
		b.left -= int64(n)
		return n, err
	}
	n, b.left, b.err = int(b.left), 0, errTooLarge
	return n, b.err
}
