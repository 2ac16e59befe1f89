// Package did names credential issuers with Decentralized Identifiers and
// describes their keys: the did:key and did:web methods, DID documents with
// Multikey verification methods, and the Multikey / multibase encodings.
//
// # Methods
//
// A Chamber of Commerce issues under a did:web identifier whose DID document
// attesta serves (see [WebDocumentURL]); did:key, whose document is derived
// from the identifier itself, is for development and tests. Nothing here
// fetches anything from the network.
//
// # Rotation
//
// A DID document lists every key its controller has used: a rotated key stays
// as a verification method and in assertionMethod, so credentials signed before
// the rotation still verify. Only a compromised key is taken out.
package did

import (
	"crypto/ed25519"
	"fmt"
	"net/url"
	"strings"
)

// Contexts of a DID document with Multikey verification methods.
const (
	ContextDIDv1     = "https://www.w3.org/ns/did/v1"
	ContextMultikey1 = "https://w3id.org/security/multikey/v1"
)

// Document is a DID document as attesta serves it.
type Document struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	AlsoKnownAs        []string             `json:"alsoKnownAs,omitempty"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	AssertionMethod    []string             `json:"assertionMethod"`
}

// VerificationMethod is a Multikey verification method.
type VerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"` // "Multikey"
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase"`
	// Expires and Revoked, when set, are the end of the key (an XML Schema
	// dateTimeStamp, as W3C Controlled Identifiers 1.0 and the Multikey
	// context define them): proofs made at or after then are not valid.
	// Expires is a key retired in the ordinary way, Revoked a compromised one.
	Expires string `json:"expires,omitempty"`
	Revoked string `json:"revoked,omitempty"`
}

// PublicKey decodes the method's Ed25519 key.
func (m VerificationMethod) PublicKey() (ed25519.PublicKey, error) {
	if m.Type != "Multikey" {
		return nil, fmt.Errorf("verification method %s: type %q, want Multikey", m.ID, m.Type)
	}
	return DecodePublicKey(m.PublicKeyMultibase)
}

// NewMultikey returns the verification method for pub controlled by
// controller, identified by the controller and the key's multibase fragment.
func NewMultikey(controller string, pub ed25519.PublicKey) VerificationMethod {
	mb := EncodePublicKey(pub)
	return VerificationMethod{ID: controller + "#" + mb, Type: "Multikey", Controller: controller, PublicKeyMultibase: mb}
}

// NewDocument returns the DID document of id listing keys, oldest first; every
// key is an assertion method.
func NewDocument(id string, keys ...ed25519.PublicKey) Document {
	doc := Document{Context: []string{ContextDIDv1, ContextMultikey1}, ID: id}
	for _, k := range keys {
		vm := NewMultikey(id, k)
		doc.VerificationMethod = append(doc.VerificationMethod, vm)
		doc.AssertionMethod = append(doc.AssertionMethod, vm.ID)
	}
	return doc
}

// AssertionKey returns the verification method id of doc if doc lists it
// as an assertion method.
func (d Document) AssertionKey(id string) (VerificationMethod, bool) {
	asserts := false
	for _, a := range d.AssertionMethod {
		if a == id {
			asserts = true
			break
		}
	}
	if !asserts {
		return VerificationMethod{}, false
	}
	for _, vm := range d.VerificationMethod {
		if vm.ID == id {
			return vm, true
		}
	}
	return VerificationMethod{}, false
}

// KeyDID returns the did:key identifier of an Ed25519 public key.
func KeyDID(pub ed25519.PublicKey) string { return "did:key:" + EncodePublicKey(pub) }

// ResolveKey returns the DID document of a did:key identifier. It needs no
// network: the key is in the identifier.
func ResolveKey(id string) (Document, error) {
	mb, ok := strings.CutPrefix(id, "did:key:")
	if !ok {
		return Document{}, fmt.Errorf("resolve %s: not a did:key", short(id))
	}
	pub, err := DecodePublicKey(mb)
	if err != nil {
		return Document{}, fmt.Errorf("resolve %s: %w", short(id), err)
	}
	return NewDocument(id, pub), nil
}

// Method returns the method name of a DID ("key", "web"), or an error if id
// is not a DID.
func Method(id string) (string, error) {
	rest, ok := strings.CutPrefix(id, "did:")
	if !ok {
		return "", fmt.Errorf("%q is not a DID", short(id))
	}
	method, specific, ok := strings.Cut(rest, ":")
	if !ok || method == "" || specific == "" {
		return "", fmt.Errorf("%q is not a DID: want did:<method>:<identifier>", short(id))
	}
	for _, c := range []byte(method) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return "", fmt.Errorf("%q is not a DID: invalid method name", short(id))
		}
	}
	return method, nil
}

// WebDID returns the did:web identifier for a host (with an optional port)
// and path segments, e.g. WebDID("attesta.example:8443", "issuers", "mi") is
// did:web:attesta.example%3A8443:issuers:mi.
func WebDID(host string, path ...string) string {
	var b strings.Builder
	b.WriteString("did:web:")
	b.WriteString(strings.ReplaceAll(host, ":", "%3A"))
	for _, p := range path {
		b.WriteByte(':')
		b.WriteString(url.PathEscape(p))
	}
	return b.String()
}

// WebDocumentURL returns the HTTPS URL of a did:web identifier's document, as
// the did:web method specification derives it.
func WebDocumentURL(id string) (string, error) {
	rest, ok := strings.CutPrefix(id, "did:web:")
	if !ok || rest == "" {
		return "", fmt.Errorf("%q is not a did:web", short(id))
	}
	if i := strings.IndexAny(rest, "#?/"); i >= 0 {
		return "", fmt.Errorf("did:web %q: the identifier must not contain %q", short(id), rest[i])
	}
	parts := strings.Split(rest, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil || host == "" || strings.ContainsAny(host, "/@") {
		return "", fmt.Errorf("did:web %q: invalid host", short(id))
	}
	u := "https://" + host
	if len(parts) == 1 {
		return u + "/.well-known/did.json", nil
	}
	for _, p := range parts[1:] {
		if p == "" {
			return "", fmt.Errorf("did:web %q: empty path segment", short(id))
		}
		seg, err := url.PathUnescape(p)
		if err != nil || seg == "." || seg == ".." {
			return "", fmt.Errorf("did:web %q: invalid path segment %q", short(id), p)
		}
		u += "/" + url.PathEscape(seg)
	}
	return u + "/did.json", nil
}
