package oid4vci

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/vc/did"
)

const aud = "https://issuer.example"

var now = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

var opts = ProofOptions{Audience: aud, Now: now, MaxAge: 10 * time.Minute, Skew: time.Minute}

// sign makes a compact JWS of header and claims with key (an
// ed25519.PrivateKey or an *ecdsa.PrivateKey).
func sign(t testing.TB, key any, header, claims map[string]any) string {
	t.Helper()
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	var sig []byte
	switch k := key.(type) {
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, []byte(input))
	case *ecdsa.PrivateKey:
		d := sha256.Sum256([]byte(input))
		r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	}
	return input + "." + b64(sig)
}

func p256DIDKey(t testing.TB, k *ecdsa.PrivateKey) string {
	b, err := k.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	x, y := b[1:33], b[33:]
	c := elliptic.MarshalCompressed(elliptic.P256(), new(big.Int).SetBytes(x), new(big.Int).SetBytes(y))
	return "did:key:z" + did.EncodeBase58(append([]byte{0x80, 0x24}, c...))
}

func TestVerifyProof(t *testing.T) {
	edPriv := ed25519.NewKeyFromSeed(make([]byte, 32))
	edPub := edPriv.Public().(ed25519.PublicKey)
	edDID := did.KeyDID(edPub)
	ecPriv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDID := p256DIDKey(t, ecPriv)
	ecBytes, _ := ecPriv.PublicKey.Bytes()
	ecJWK := map[string]any{"kty": "EC", "crv": "P-256", "x": b64(ecBytes[1:33]), "y": b64(ecBytes[33:])}
	edJWK := map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(edPub)}
	edJWKJSON, _ := json.Marshal(map[string]any{"crv": "Ed25519", "kty": "OKP", "x": b64(edPub)})
	jwkDID := "did:jwk:" + b64(edJWKJSON)
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"aud": aud, "iat": now.Unix(), "nonce": "n-1"}
		if mod != nil {
			mod(c)
		}
		return c
	}
	hdr := func(alg string, mod func(map[string]any)) map[string]any {
		h := map[string]any{"typ": ProofJWTType, "alg": alg}
		if mod != nil {
			mod(h)
		}
		return h
	}
	wrongKey := ed25519.NewKeyFromSeed([]byte("0123456789abcdef0123456789abcdef"))
	cases := []struct {
		name   string
		token  string
		holder string
		bad    string // a word of the refusal, "" for none
	}{
		{"did:key Ed25519", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID + "#" + strings.TrimPrefix(edDID, "did:key:") }), claims(nil)), edDID, ""},
		{"did:key Ed25519, no fragment", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID }), claims(nil)), edDID, ""},
		{"did:key P-256", sign(t, ecPriv, hdr("ES256", func(h map[string]any) { h["kid"] = ecDID }), claims(nil)), ecDID, ""},
		{"jwk Ed25519", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["jwk"] = edJWK }), claims(nil)), jwkDID, ""},
		{"jwk P-256", sign(t, ecPriv, hdr("ES256", func(h map[string]any) { h["jwk"] = ecJWK }), claims(nil)), "did:jwk:", ""},
		{"did:jwk", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = jwkDID + "#0" }), claims(nil)), jwkDID, ""},
		{"aud as array", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID }), claims(func(c map[string]any) { c["aud"] = []string{"x", aud} })), edDID, ""},
		{"wrong typ", sign(t, edPriv, map[string]any{"typ": "JWT", "alg": "EdDSA", "kid": edDID}, claims(nil)), "", "typ"},
		{"alg none", sign(t, edPriv, hdr("none", func(h map[string]any) { h["kid"] = edDID }), claims(nil)), "", "alg"},
		{"alg mismatch", sign(t, edPriv, hdr("ES256", func(h map[string]any) { h["kid"] = edDID }), claims(nil)), "", "match"},
		{"bad signature", sign(t, wrongKey, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID }), claims(nil)), "", "signature"},
		{"kid and jwk", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID; h["jwk"] = edJWK }), claims(nil)), "", "both"},
		{"x5c", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["x5c"] = []string{"MII"} }), claims(nil)), "", "x5c"},
		{"no key", sign(t, edPriv, hdr("EdDSA", nil), claims(nil)), "", "no key"},
		{"private jwk", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) {
			h["jwk"] = map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(edPub), "d": "x"}
		}), claims(nil)), "", "private"},
		{"did:web", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = "did:web:example.com#k" }), claims(nil)), "", "neither"},
		{"wrong fragment", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID + "#other" }), claims(nil)), "", "fragment"},
		{"wrong aud", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID }), claims(func(c map[string]any) { c["aud"] = "https://other.example" })), "", "aud"},
		{"no iat", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID }), claims(func(c map[string]any) { delete(c, "iat") })), "", "iat"},
		{"old", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID }), claims(func(c map[string]any) { c["iat"] = now.Add(-time.Hour).Unix() })), "", "ago"},
		{"future", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID }), claims(func(c map[string]any) { c["iat"] = now.Add(time.Hour).Unix() })), "", "future"},
		{"expired", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID }), claims(func(c map[string]any) { c["exp"] = now.Add(-time.Second).Unix() })), "", "expired"},
		{"crit", sign(t, edPriv, hdr("EdDSA", func(h map[string]any) { h["kid"] = edDID; h["crit"] = []string{"x"} }), claims(nil)), "", "crit"},
		{"not a JWS", "a.b", "", "compact"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := VerifyProof(c.token, opts)
			if c.bad != "" {
				var e *Error
				if !errors.As(err, &e) || e.Code != InvalidProof || !strings.Contains(e.Description, c.bad) {
					t.Fatalf("got %v, want invalid_proof about %q", err, c.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(p.Holder, c.holder) || strings.Contains(p.Holder, "#") || p.Nonce != "n-1" {
				t.Fatalf("holder %q nonce %q, want %q", p.Holder, p.Nonce, c.holder)
			}
			// The holder's DID names the same key again.
			k, err := ResolveKey(p.KeyID)
			if err != nil || k.DID != p.Holder || k.Alg() != p.Alg {
				t.Fatalf("resolving %s: %+v %v", p.KeyID, k, err)
			}
		})
	}
}

func TestOfferURI(t *testing.T) {
	o := CredentialOffer{CredentialIssuer: aud, CredentialConfigurationIDs: []string{"OpenBadgeCredential"},
		Grants: Grants{PreAuthorizedCode: &PreAuthorizedCode{Code: "abc", TxCode: &TxCode{InputMode: "numeric", Length: 6, Description: "Codice & code"}}}}
	uri, err := o.URI()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(uri, "openid-credential-offer://?credential_offer=%7B") {
		t.Fatalf("uri %s", uri)
	}
	back, err := ParseOfferURI(uri)
	if err != nil || back.Grants.PreAuthorizedCode.Code != "abc" || back.Grants.PreAuthorizedCode.TxCode.Description != "Codice & code" {
		t.Fatalf("%+v %v", back, err)
	}
	o.Grants.PreAuthorizedCode.TxCode.Description = strings.Repeat("x", 301)
	if _, err := o.URI(); err == nil {
		t.Fatal("a description over 300 characters was accepted")
	}
}

func TestParseTokenRequest(t *testing.T) {
	cases := []struct {
		form string
		code string
	}{
		{"grant_type=" + url.QueryEscape(PreAuthorizedCodeGrant) + "&pre-authorized_code=x&tx_code=1", ""},
		{"grant_type=authorization_code&code=x", UnsupportedGrantType},
		{"pre-authorized_code=x", InvalidRequest},
		{"grant_type=" + url.QueryEscape(PreAuthorizedCodeGrant), InvalidRequest},
		{"grant_type=" + url.QueryEscape(PreAuthorizedCodeGrant) + "&pre-authorized_code=x&pre-authorized_code=y", InvalidRequest},
	}
	for _, c := range cases {
		f, _ := url.ParseQuery(c.form)
		_, e := ParseTokenRequest(f)
		if (e == nil) != (c.code == "") || (e != nil && e.Code != c.code) {
			t.Errorf("%s: %v, want %q", c.form, e, c.code)
		}
	}
}

func TestParseCredentialRequest(t *testing.T) {
	cases := []struct {
		body string
		code string
	}{
		{`{"credential_configuration_id":"a","proofs":{"jwt":["x"]}}`, ""},
		{`{"credential_configuration_id":"a"}`, ""},
		{`{"credential_configuration_id":"a","proofs":{"di_vp":[{}]}}`, ""},
		{`{"credential_configuration_id":"a","credential_identifier":"b"}`, InvalidCredentialRequest},
		{`{}`, InvalidCredentialRequest},
		{`[]`, InvalidCredentialRequest},
		{`{"credential_configuration_id":"a","credential_configuration_id":"b"}`, InvalidCredentialRequest},
		{`{"credential_configuration_id":1}`, InvalidCredentialRequest},
		{`{"credential_configuration_id":"a"} {}`, InvalidCredentialRequest},
		{`{"credential_configuration_id":"a","proofs":{"jwt":[]}}`, InvalidProof},
		{`{"credential_configuration_id":"a","proofs":{"jwt":["x"],"di_vp":[]}}`, InvalidProof},
	}
	for _, c := range cases {
		_, e := ParseCredentialRequest([]byte(c.body))
		if (e == nil) != (c.code == "") || (e != nil && e.Code != c.code) {
			t.Errorf("%s: %v, want %q", c.body, e, c.code)
		}
	}
}

func TestErrorDescriptionIsASCII(t *testing.T) {
	e := Errorf(InvalidProof, "perché \"x\" \\ \n")
	for _, c := range []byte(e.Description) {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			t.Fatalf("description %q", e.Description)
		}
	}
	if e.Status() != 400 || Errorf(InvalidToken, "").Status() != 401 {
		t.Fatal("statuses")
	}
}

// FuzzVerifyProof: any input is refused or verified, never a panic; a
// verified one names its holder.
func FuzzVerifyProof(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	id := did.KeyDID(priv.Public().(ed25519.PublicKey))
	f.Add(sign(f, priv, map[string]any{"typ": ProofJWTType, "alg": "EdDSA", "kid": id}, map[string]any{"aud": aud, "iat": now.Unix(), "nonce": "n"}))
	f.Add(sign(f, priv, map[string]any{"typ": ProofJWTType, "alg": "EdDSA", "jwk": map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "AA"}}, map[string]any{}))
	f.Add("e30.e30.")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"openid4vci-proof+jwt","alg":"ES256","kid":"did:key:zDnae"}`)) + ".e30.AA")
	f.Fuzz(func(t *testing.T, token string) {
		p, err := VerifyProof(token, opts)
		if err == nil && (p.Holder == "" || p.KeyID == "") {
			t.Fatalf("verified without a holder: %+v", p)
		}
		var e *Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("not an Error: %v", err)
		}
	})
}

// FuzzParseCredentialRequest: never a panic.
func FuzzParseCredentialRequest(f *testing.F) {
	f.Add([]byte(`{"credential_configuration_id":"a","proofs":{"jwt":["x"]}}`))
	f.Add([]byte(`{"proofs":{"jwt":[1]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, e := ParseCredentialRequest(body)
		if e == nil && (req.CredentialConfigurationID == "") == (req.CredentialIdentifier == "") {
			t.Fatalf("accepted %s", body)
		}
	})
}
