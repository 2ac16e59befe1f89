package credential

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Unwrap returns the credential a VC-API request carries as its
// verifiableCredential: an object secured with an embedded proof as it is;
// the compact JWT of an EnvelopedVerifiableCredential (VC 2.0 §4.13.1), or
// of a JSON string holding one (attesta's own shorthand). Anything else is
// returned as it is, for the verifier to refuse: a string that is not a JWT
// is not a credential, even if it spells one.
func Unwrap(raw json.RawMessage) []byte {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if isCompactJWS(s) {
			return []byte(s)
		}
		return raw
	}
	var env struct {
		Context any    `json:"@context"`
		Type    any    `json:"type"`
		ID      string `json:"id"`
	}
	if json.Unmarshal(raw, &env) != nil || !hasType(env.Type, "EnvelopedVerifiableCredential") {
		return raw
	}
	if jwt, ok := envelopedJWT(env.Context, env.ID); ok {
		return []byte(jwt)
	}
	return raw
}

// envelopedJWT returns the JWT of an enveloped credential: its @context
// begins with the VC 2.0 context and its id is a data: URL of a VC-JOSE
// media type.
func envelopedJWT(ctx any, id string) (string, bool) {
	if list := asList(ctx); len(list) == 0 || list[0] != ContextVC {
		return "", false
	}
	for _, prefix := range []string{"data:application/vc+jwt,", "data:application/vc-ld+jwt,", "data:application/jwt,"} {
		if jwt, ok := strings.CutPrefix(id, prefix); ok && isCompactJWS(jwt) {
			return jwt, true
		}
	}
	return "", false
}

// isCompactJWS reports whether s has the form of a compact JWS: three
// base64url parts.
func isCompactJWS(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for _, p := range parts {
		for _, c := range p {
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func hasType(v any, want string) bool {
	for _, t := range asList(v) {
		if t == want {
			return true
		}
	}
	return false
}
