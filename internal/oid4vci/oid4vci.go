// Package oid4vci implements what a Credential Issuer needs of OpenID for
// Verifiable Credential Issuance 1.0 ([OID4VCI]) in the Pre-Authorized Code
// Flow: the Credential Offer and its URI, the metadata documents, the
// requests and responses of the Token, Nonce and Credential Endpoints, their
// error codes, and the verification of a key proof of the jwt proof type
// (holder binding to a did:key, a did:jwk or a bare JWK).
//
// It knows nothing of what is issued, nor of who may have it: package
// wallet keeps the offers and decides; the API serves the endpoints.
//
// # What is not here
//
// The Authorization Code Flow, deferred issuance, the Notification
// Endpoint, batch issuance, encrypted requests and responses, signed
// metadata, DPoP, key attestations, and the di_vp and attestation proof
// types.
//
// [OID4VCI]: https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html
package oid4vci

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Identifiers of the specification.
const (
	// PreAuthorizedCodeGrant is the grant type of the Pre-Authorized Code
	// Flow.
	PreAuthorizedCodeGrant = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	// OfferScheme is the scheme of a Credential Offer URI that a wallet on
	// the same device opens (a deep link), and that a QR code carries.
	OfferScheme = "openid-credential-offer://"
	// ProofJWTType is the typ of a key proof JWT.
	ProofJWTType = "openid4vci-proof+jwt"
	// FormatLDPVC is the Credential Format of a W3C Verifiable Credential
	// secured with Data Integrity over canonicalized JSON-LD.
	FormatLDPVC = "ldp_vc"
	// IssuerMetadataPath and AuthorizationServerMetadataPath are where a
	// Credential Issuer whose identifier has no path publishes its
	// metadata and its Authorization Server's (RFC 8414).
	IssuerMetadataPath              = "/.well-known/openid-credential-issuer"
	AuthorizationServerMetadataPath = "/.well-known/oauth-authorization-server"
	// ProofTypeJWT is the jwt proof type.
	ProofTypeJWT = "jwt"
)

// The error codes of the Token Endpoint (RFC 6749, §5.2, and OID4VCI §6.3)
// and of the Credential Endpoint (RFC 6750, §3.1, and OID4VCI §8.3.1).
const (
	InvalidRequest                 = "invalid_request"
	InvalidGrant                   = "invalid_grant"
	UnsupportedGrantType           = "unsupported_grant_type"
	InvalidToken                   = "invalid_token"
	InvalidCredentialRequest       = "invalid_credential_request"
	UnknownCredentialConfiguration = "unknown_credential_configuration"
	UnknownCredentialIdentifier    = "unknown_credential_identifier"
	InvalidProof                   = "invalid_proof"
	InvalidNonce                   = "invalid_nonce"
	InvalidEncryptionParameters    = "invalid_encryption_parameters"
	CredentialRequestDenied        = "credential_request_denied"
)

// Error is an error response of an endpoint: its code and an optional
// description, ASCII only as the specification requires.
type Error struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// Errorf returns the Error of code with a description.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Description: ascii(fmt.Sprintf(format, args...))}
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// Status is the HTTP status of the error: 401 for an access token that
// is missing or not valid, 400 for everything else.
func (e *Error) Status() int {
	if e.Code == InvalidToken {
		return http.StatusUnauthorized
	}
	return http.StatusBadRequest
}

// ascii keeps the characters an error_description may hold (%x20-21,
// %x23-5B, %x5D-7E), replacing the others with '?', and bounds it.
func ascii(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			b[i] = '?'
		}
	}
	if len(b) > 300 {
		b = b[:300]
	}
	return string(b)
}

// CredentialOffer is the Credential Offer object (§4.1.1).
type CredentialOffer struct {
	CredentialIssuer           string   `json:"credential_issuer"`
	CredentialConfigurationIDs []string `json:"credential_configuration_ids"`
	Grants                     Grants   `json:"grants"`
}

// Grants are the grants an offer may be redeemed with: here only the
// Pre-Authorized Code.
type Grants struct {
	PreAuthorizedCode *PreAuthorizedCode `json:"urn:ietf:params:oauth:grant-type:pre-authorized_code,omitempty"`
}

// PreAuthorizedCode is the grant of the Pre-Authorized Code Flow: the code,
// and the transaction code it must be presented with.
type PreAuthorizedCode struct {
	Code   string  `json:"pre-authorized_code"`
	TxCode *TxCode `json:"tx_code,omitempty"`
}

// TxCode says what the transaction code is like, for the wallet's input
// screen.
type TxCode struct {
	InputMode   string `json:"input_mode,omitempty"` // "numeric" or "text"
	Length      int    `json:"length,omitempty"`
	Description string `json:"description,omitempty"` // at most 300 characters
}

// MaxTxDescription bounds a transaction code's description.
const MaxTxDescription = 300

// URI returns the offer passed by value, as a QR code or a link opening the
// wallet carries it: openid-credential-offer://?credential_offer=….
func (o CredentialOffer) URI() (string, error) {
	if o.Grants.PreAuthorizedCode != nil && o.Grants.PreAuthorizedCode.TxCode != nil &&
		len([]rune(o.Grants.PreAuthorizedCode.TxCode.Description)) > MaxTxDescription {
		return "", fmt.Errorf("credential offer: the transaction code's description is longer than %d characters", MaxTxDescription)
	}
	b, err := marshal(o)
	if err != nil {
		return "", fmt.Errorf("credential offer: %w", err)
	}
	// Spaces as %20, not +, which not every wallet reads as a space.
	return OfferScheme + "?credential_offer=" + strings.ReplaceAll(url.QueryEscape(string(b)), "+", "%20"), nil
}

// ParseOfferURI reads an offer passed by value back from its URI.
func ParseOfferURI(uri string) (CredentialOffer, error) {
	var o CredentialOffer
	u, err := url.Parse(uri)
	if err != nil {
		return o, fmt.Errorf("credential offer URI: %w", err)
	}
	raw := u.Query().Get("credential_offer")
	if raw == "" {
		return o, fmt.Errorf("credential offer URI: no credential_offer")
	}
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return o, fmt.Errorf("credential offer URI: %w", err)
	}
	return o, nil
}

// IssuerMetadata is the Credential Issuer Metadata (§12.2).
type IssuerMetadata struct {
	CredentialIssuer                  string                             `json:"credential_issuer"`
	CredentialEndpoint                string                             `json:"credential_endpoint"`
	NonceEndpoint                     string                             `json:"nonce_endpoint,omitempty"`
	Display                           []Display                          `json:"display,omitempty"`
	CredentialConfigurationsSupported map[string]CredentialConfiguration `json:"credential_configurations_supported"`
}

// Display is how a wallet names the issuer in one language.
type Display struct {
	Name   string `json:"name"`
	Locale string `json:"locale,omitempty"`
	Logo   *Logo  `json:"logo,omitempty"`
}

// Logo is an image a wallet shows.
type Logo struct {
	URI     string `json:"uri"`
	AltText string `json:"alt_text,omitempty"`
}

// CredentialConfiguration describes one kind of credential the issuer
// issues (an entry of credential_configurations_supported).
type CredentialConfiguration struct {
	Format                               string                     `json:"format"`
	CredentialSigningAlgValuesSupported  []string                   `json:"credential_signing_alg_values_supported,omitempty"`
	CryptographicBindingMethodsSupported []string                   `json:"cryptographic_binding_methods_supported,omitempty"`
	ProofTypesSupported                  map[string]ProofTypeInfo   `json:"proof_types_supported,omitempty"`
	CredentialDefinition                 *CredentialDefinition      `json:"credential_definition,omitempty"`
	CredentialMetadata                   *CredentialMetadataDisplay `json:"credential_metadata,omitempty"`
}

// ProofTypeInfo says which algorithms a proof type may be signed with.
type ProofTypeInfo struct {
	ProofSigningAlgValuesSupported []string `json:"proof_signing_alg_values_supported"`
}

// CredentialDefinition is the ldp_vc format's description of the
// credential: its contexts and types (Appendix A.1.2).
type CredentialDefinition struct {
	Context []string `json:"@context"`
	Type    []string `json:"type"`
}

// CredentialMetadataDisplay is how a wallet shows the credential, per
// language.
type CredentialMetadataDisplay struct {
	Display []CredentialDisplay `json:"display,omitempty"`
}

// CredentialDisplay is how a wallet shows a credential in one language.
type CredentialDisplay struct {
	Name            string `json:"name"`
	Locale          string `json:"locale,omitempty"`
	Description     string `json:"description,omitempty"`
	BackgroundColor string `json:"background_color,omitempty"`
	TextColor       string `json:"text_color,omitempty"`
	Logo            *Logo  `json:"logo,omitempty"`
}

// AuthorizationServerMetadata is the OAuth 2.0 Authorization Server
// Metadata (RFC 8414) of an issuer that is its own Authorization Server and
// supports only the Pre-Authorized Code grant, without client
// authentication (§12.3).
type AuthorizationServerMetadata struct {
	Issuer                                     string   `json:"issuer"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	PreAuthorizedGrantAnonymousAccessSupported bool     `json:"pre-authorized_grant_anonymous_access_supported"`
}

// TokenResponse is a successful Token Response (RFC 6749, §5.1).
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// NonceResponse is the Nonce Endpoint's answer (§7.2).
type NonceResponse struct {
	CNonce string `json:"c_nonce"`
}

// CredentialResponse is an immediate Credential Response (§8.3).
type CredentialResponse struct {
	Credentials []IssuedCredential `json:"credentials"`
}

// IssuedCredential is one credential of a response: for ldp_vc, the
// credential's JSON object as issued.
type IssuedCredential struct {
	Credential json.RawMessage `json:"credential"`
}

// TokenRequest is what the Token Endpoint reads of a request in the
// Pre-Authorized Code Flow.
type TokenRequest struct {
	GrantType         string
	PreAuthorizedCode string
	TxCode            string
	HasTxCode         bool // tx_code was sent, even empty
}

// ParseTokenRequest reads a Token Request's form. A grant type other than
// the Pre-Authorized Code's is unsupported_grant_type; a parameter missing
// or given twice is invalid_request.
func ParseTokenRequest(form url.Values) (TokenRequest, *Error) {
	for _, k := range []string{"grant_type", "pre-authorized_code", "tx_code"} {
		if len(form[k]) > 1 {
			return TokenRequest{}, Errorf(InvalidRequest, "%s is given more than once", k)
		}
	}
	t := TokenRequest{GrantType: form.Get("grant_type"), PreAuthorizedCode: form.Get("pre-authorized_code"), TxCode: form.Get("tx_code")}
	_, t.HasTxCode = form["tx_code"]
	switch {
	case t.GrantType == "":
		return t, Errorf(InvalidRequest, "grant_type is missing")
	case t.GrantType != PreAuthorizedCodeGrant:
		return t, Errorf(UnsupportedGrantType, "only the pre-authorized code grant is supported")
	case t.PreAuthorizedCode == "":
		return t, Errorf(InvalidRequest, "pre-authorized_code is missing")
	}
	return t, nil
}

// CredentialRequest is a Credential Request (§8.2), its proofs of the jwt
// proof type.
type CredentialRequest struct {
	CredentialIdentifier      string
	CredentialConfigurationID string
	// ProofJWTs are the jwt proofs; nil when the request has no proofs
	// parameter, or proofs of another type (OtherProofType names it).
	ProofJWTs      []string
	OtherProofType string
	// Encryption is set when the request asks for an encrypted response.
	Encryption bool
}

// MaxCredentialRequest bounds a Credential Request's body.
const MaxCredentialRequest = 64 << 10

// ParseCredentialRequest reads a Credential Request's JSON body. A body that
// is not a JSON object, a parameter given twice or of the wrong type, or
// both credential_identifier and credential_configuration_id, is
// invalid_credential_request; unknown parameters are ignored, as §8.2 says.
func ParseCredentialRequest(body []byte) (CredentialRequest, *Error) {
	var req CredentialRequest
	if len(body) > MaxCredentialRequest {
		return req, Errorf(InvalidCredentialRequest, "the request is larger than %d bytes", MaxCredentialRequest)
	}
	members, err := objectMembers(body)
	if err != nil {
		return req, Errorf(InvalidCredentialRequest, "the request is not a JSON object: %v", err)
	}
	str := func(name string, dst *string) *Error {
		raw, ok := members[name]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil || *dst == "" {
			return Errorf(InvalidCredentialRequest, "%s is not a non-empty string", name)
		}
		return nil
	}
	if e := str("credential_identifier", &req.CredentialIdentifier); e != nil {
		return req, e
	}
	if e := str("credential_configuration_id", &req.CredentialConfigurationID); e != nil {
		return req, e
	}
	if (req.CredentialIdentifier == "") == (req.CredentialConfigurationID == "") {
		return req, Errorf(InvalidCredentialRequest, "exactly one of credential_identifier and credential_configuration_id is required")
	}
	_, req.Encryption = members["credential_response_encryption"]
	raw, ok := members["proofs"]
	if !ok {
		return req, nil
	}
	proofs, err := objectMembers(raw)
	if err != nil || len(proofs) != 1 {
		return req, Errorf(InvalidProof, "proofs must be an object with exactly one proof type")
	}
	for typ, v := range proofs {
		if typ != ProofTypeJWT {
			req.OtherProofType = typ
			return req, nil
		}
		if err := json.Unmarshal(v, &req.ProofJWTs); err != nil || len(req.ProofJWTs) == 0 {
			return req, Errorf(InvalidProof, "proofs.jwt must be a non-empty array of strings")
		}
	}
	return req, nil
}

// objectMembers reads a JSON object's members, refusing one given twice.
func objectMembers(data []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not an object")
	}
	out := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%s is given more than once", key)
		}
		out[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("data after the object")
	}
	return out, nil
}

// WWWAuthenticate is the challenge of a 401 answer of the Credential
// Endpoint (RFC 6750, §3): with the error when a token was presented,
// without it when none was.
func WWWAuthenticate(e *Error) string {
	if e == nil {
		return "Bearer"
	}
	s := `Bearer error="` + e.Code + `"`
	if e.Description != "" {
		s += `, error_description="` + strings.ReplaceAll(e.Description, `"`, "'") + `"`
	}
	return s
}

// marshal encodes v as JSON without escaping HTML characters.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
