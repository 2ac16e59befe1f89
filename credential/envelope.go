package credential

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// envelopedPrefix starts the id of an enveloped VC-JOSE credential: a data:
// URL of media type application/vc+jwt holding the compact JWT.
const envelopedPrefix = "data:application/vc+jwt,"

// enveloped reads an EnvelopedVerifiableCredential (VC Data Model 2.0, §4.13):
// the JSON object attesta's API returns a JWT credential in, whose id is a
// data: URL with the compact JWT. ok is false when data is not such an
// object; err says why an envelope does not hold a JWT attesta can read.
func enveloped(data []byte) (jwt string, ok bool, err error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' || !bytes.Contains(data, []byte("EnvelopedVerifiableCredential")) {
		return "", false, nil
	}
	var env struct {
		Context json.RawMessage `json:"@context"`
		Type    json.RawMessage `json:"type"`
		ID      string          `json:"id"`
	}
	if json.Unmarshal(data, &env) != nil {
		return "", false, nil
	}
	var types []string
	var one string
	if json.Unmarshal(env.Type, &one) == nil {
		types = []string{one}
	} else if json.Unmarshal(env.Type, &types) != nil {
		return "", false, nil
	}
	isEnvelope := false
	for _, t := range types {
		isEnvelope = isEnvelope || t == "EnvelopedVerifiableCredential"
	}
	if !isEnvelope {
		return "", false, nil
	}
	// The context is a URL or a list of them (VC 2.0's examples write it
	// as the one URL).
	var contexts []string
	if json.Unmarshal(env.Context, &one) == nil {
		contexts = []string{one}
	} else {
		json.Unmarshal(env.Context, &contexts)
	}
	if len(contexts) == 0 || contexts[0] != ContextVC {
		return "", true, fmt.Errorf("an EnvelopedVerifiableCredential's @context must start with %s", ContextVC)
	}
	jwt, found := strings.CutPrefix(env.ID, envelopedPrefix)
	if !found {
		mediaType, _, _ := strings.Cut(env.ID, ",")
		return "", true, fmt.Errorf("the envelope's id is %.40q, not a data: URL of media type application/vc+jwt (%s…)", mediaType, envelopedPrefix)
	}
	return jwt, true, nil
}

// Unwrap returns the credential a VC-API request carries as its
// verifiableCredential, for Verify: an object as it is (a credential
// secured with an embedded proof, or an EnvelopedVerifiableCredential, which
// Verify opens), and the compact JWT of a JSON string holding one (attesta's
// own shorthand). Any other string is returned as it is, for the verifier to
// refuse: a string that is not a JWT is not a credential, even if it spells
// one.
func Unwrap(raw json.RawMessage) []byte {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil && isCompactJWS(s) {
		return []byte(s)
	}
	return raw
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
