package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/attesta/attesta/internal/oid4vci"
	"github.com/attesta/attesta/wallet"
)

// The wallet pickup's endpoints: OpenID for Verifiable Credential Issuance
// 1.0 in the Pre-Authorized Code Flow (package wallet, docs/design/wallet.md).
// They are public: the wallet is anonymous, and is authorized by the
// pre-authorized code and its transaction code, then by the access token
// they give. Errors are the specification's JSON objects, not problem
// documents.

// walletRoutes are the OpenID4VCI endpoints.
func (a *API) walletRoutes() []Route {
	pub := func(pattern string, h http.HandlerFunc) Route {
		return Route{Pattern: pattern, Handler: h, Public: true}
	}
	return []Route{
		pub("GET "+oid4vci.IssuerMetadataPath, a.issuerMetadata),
		pub("GET "+oid4vci.AuthorizationServerMetadataPath, a.authorizationServerMetadata),
		pub("POST "+wallet.TokenPath, a.walletToken),
		pub("POST "+wallet.NoncePath, a.walletNonce),
		pub("POST "+wallet.CredentialPath, a.walletCredential),
	}
}

func (a *API) issuerMetadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	a.oauthJSON(w, http.StatusOK, a.creds.Wallet.IssuerMetadata())
}

func (a *API) authorizationServerMetadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	a.oauthJSON(w, http.StatusOK, a.creds.Wallet.AuthorizationServerMetadata())
}

// walletToken is the Token Endpoint: a form, in the Pre-Authorized Code
// grant.
func (a *API) walletToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		a.oauthFail(w, r, oid4vci.Errorf(oid4vci.InvalidRequest, "the request is not a form"))
		return
	}
	req, e := oid4vci.ParseTokenRequest(r.PostForm)
	if e != nil {
		a.oauthFail(w, r, e)
		return
	}
	resp, err := a.creds.Wallet.Token(r.Context(), req)
	if err != nil {
		a.oauthFail(w, r, err)
		return
	}
	a.oauthJSON(w, http.StatusOK, resp)
}

// walletNonce is the Nonce Endpoint.
func (a *API) walletNonce(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	n, err := a.creds.Wallet.Nonce(r.Context())
	if err != nil {
		a.oauthFail(w, r, err)
		return
	}
	a.oauthJSON(w, http.StatusOK, oid4vci.NonceResponse{CNonce: n})
}

// walletCredential is the Credential Endpoint: the access token, then the
// request.
func (a *API) walletCredential(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	tok, ok := bearer(r)
	if !ok || tok == "" {
		w.Header().Set("WWW-Authenticate", oid4vci.WWWAuthenticate(nil))
		a.oauthJSON(w, http.StatusUnauthorized, oid4vci.Errorf(oid4vci.InvalidToken, "an access token is required"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, oid4vci.MaxCredentialRequest+1))
	if err != nil {
		a.oauthFail(w, r, oid4vci.Errorf(oid4vci.InvalidCredentialRequest, "the request could not be read"))
		return
	}
	cred, err := a.creds.Wallet.Credential(r.Context(), tok, body)
	if err != nil {
		a.oauthFail(w, r, err)
		return
	}
	a.oauthJSON(w, http.StatusOK, oid4vci.CredentialResponse{Credentials: []oid4vci.IssuedCredential{{Credential: cred}}})
}

// oauthFail answers an OAuth error: the specification's error object, with
// its status; any other error is a server error, logged.
func (a *API) oauthFail(w http.ResponseWriter, r *http.Request, err error) {
	var e *oid4vci.Error
	if !errors.As(err, &e) {
		a.log.ErrorContext(r.Context(), "wallet request failed", "path", r.URL.Path, "err", err)
		a.oauthJSON(w, http.StatusInternalServerError, oid4vci.Error{Code: "server_error"})
		return
	}
	if e.Code == oid4vci.InvalidToken {
		w.Header().Set("WWW-Authenticate", oid4vci.WWWAuthenticate(e))
	}
	a.oauthJSON(w, e.Status(), e)
}

func (a *API) oauthJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		a.log.Warn("writing response", "err", err)
	}
}
