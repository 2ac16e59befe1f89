// Package trust is the trust bundle: everything a verifier needs to check
// attesta's credentials with no network and no database, published by a
// deployment and signed with a key of its own.
//
// A [Bundle] holds the registry of issuers — the Chambers and the
// deployment's own service issuer — with the history of their keys (when
// each was made, when it ended and whether it was compromised), the
// transparency log's key, the witnesses and quorum the deployment applies,
// the roots of its timestamp authority, and a snapshot of the status of
// every credential: each issuer's status list credentials as served, with
// the time they were taken, and the reasons of the revocations and
// suspensions, sealed so that only the holder of a credential reads its
// own.
//
// # Signature
//
// [Sign] wraps a bundle in an envelope whose signature is Ed25519 over the
// RFC 8785 canonical form of the bundle's JSON, by the deployment's bundle
// key, named in the envelope as a did:key. [Open] takes the key the reader
// pinned, refuses a bundle signed by any other or whose signature does not
// verify, then checks everything in it: the keys decode, every status list
// credential is signed by its issuer with a key of the bundle that had not
// ended when it signed. [Publisher] builds and signs the bundle a server
// serves, at most once per [DefaultMaxAge].
//
// docs/design/trust.md says what a bundle lets a verifier say, and what not.
package trust

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/jcs"
	"github.com/attesta/attesta/notary"
)

// Type identifies the bundle's format, inside the signed bundle.
const Type = "attesta-trust-bundle/v1"

// MaxSize bounds a signed bundle: every status list of a deployment of a
// hundred Chambers is far less.
const MaxSize = 32 << 20

// Bundle is what a verifier trusts, as a deployment says it.
type Bundle struct {
	Type string `json:"type"`
	// Generated is when the bundle was made.
	Generated time.Time `json:"generated"`
	// Deployment is the public URL of the attesta that made it.
	Deployment string `json:"deployment"`
	// MarkOwner is the national owner of the «Competenza Certificata»
	// mark, named in every badge of the Chambers.
	MarkOwner Party `json:"mark_owner"`
	// Issuers is the registry of issuers.
	Issuers []Issuer `json:"issuers"`
	// Log is what a notarization receipt is checked against.
	Log Log `json:"log"`
	// Status is the snapshot of the status of every credential.
	Status Status `json:"status"`
}

// Party is an organisation named by a bundle.
type Party struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// The kinds of issuer a bundle names.
const (
	KindChamber = "chamber" // a Chamber of Commerce (issuer.Chamber)
	KindService = "service" // the deployment's own issuer of generic credentials (issuer.ServiceIssuer)
)

// Issuer is one issuer of the registry.
type Issuer struct {
	ID   string `json:"id"`
	DID  string `json:"did"`
	Name string `json:"name"`
	Kind string `json:"kind"` // KindChamber or KindService
	// Keys are every key the issuer has had, oldest first.
	Keys []Key `json:"keys"`
}

// Key is one key of an issuer, as its DID document says it.
type Key struct {
	ID                 string    `json:"id"` // the verification method
	PublicKeyMultibase string    `json:"publicKeyMultibase"`
	Created            time.Time `json:"created"`
	// Expires is the end of a key retired by a rotation, Revoked of one
	// retired because it was compromised; both zero for the current key.
	// What the key signed after its end does not verify.
	Expires time.Time `json:"expires,omitzero"`
	Revoked time.Time `json:"revoked,omitzero"`
}

// end returns the key's end (zero if current) and whether it was
// compromised.
func (k Key) end() (time.Time, bool) {
	if !k.Revoked.IsZero() {
		return k.Revoked, true
	}
	return k.Expires, false
}

// Log is the transparency log and what the deployment requires of its
// checkpoints.
type Log struct {
	Origin string `json:"origin"`
	// Key is the log's verifier key (C2SP signed note).
	Key string `json:"key"`
	// Witnesses are the verifier keys (cosignature/v1) of the witnesses
	// the deployment asks, of which Quorum must cosign a checkpoint.
	Witnesses []string `json:"witnesses"`
	Quorum    int      `json:"quorum"`
	// TSARoots are the root certificates of the timestamp authority, PEM;
	// empty when the deployment has none: then a receipt's timestamp is
	// not required.
	TSARoots string `json:"tsa_roots,omitempty"`
}

// Status is a snapshot of the status of every credential of the
// deployment.
type Status struct {
	// Taken is when the snapshot was taken: the status a verifier reads
	// from the bundle is the status then.
	Taken time.Time `json:"taken"`
	// Lists are the status list credentials of every issuer, as served at
	// their URLs, each signed by its issuer.
	Lists []json.RawMessage `json:"lists"`
	// Changes are the reasons of the revocations and suspensions.
	Changes []Change `json:"changes"`
}

// Change is the reason of a revocation or suspension, sealed with a key
// derived from the credential's id: only who holds the credential reads it
// (sealReason).
type Change struct {
	// ID is base64url(SHA-256(changeIDPrefix ‖ credential id)).
	ID string `json:"id"`
	// Reason is base64url(nonce ‖ AES-256-GCM(key, reason)), with the key
	// SHA-256(reasonKeyPrefix ‖ credential id) and ID as associated data.
	Reason string `json:"reason"`
}

// Envelope is a signed bundle as published.
type Envelope struct {
	// Bundle is the bundle's JSON, in its RFC 8785 canonical form (Open
	// canonicalizes it again, so any form of the same JSON verifies).
	Bundle    json.RawMessage `json:"bundle"`
	Signature Signature       `json:"signature"`
}

// Signature is the signature of an envelope.
type Signature struct {
	Alg string `json:"alg"` // "Ed25519"
	// Key is the bundle key, as a did:key.
	Key string `json:"key"`
	// Value is the Ed25519 signature over the canonical bundle, base64url
	// without padding.
	Value string `json:"value"`
}

// Sign signs b with key and returns the envelope's JSON.
func Sign(b *Bundle, key ed25519.PrivateKey) ([]byte, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode the trust bundle: %w", err)
	}
	canon, err := jcs.Canonicalize(raw)
	if err != nil {
		return nil, fmt.Errorf("canonicalize the trust bundle: %w", err)
	}
	env := Envelope{Bundle: canon, Signature: Signature{Alg: "Ed25519", Key: KeyID(key.Public().(ed25519.PublicKey)),
		Value: base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, canon))}}
	out, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("encode the trust bundle: %w", err)
	}
	return append(out, '\n'), nil
}

// KeyID names a bundle key: its did:key.
func KeyID(pub ed25519.PublicKey) string { return did.KeyDID(pub) }

// ParseKey reads a bundle key as a did:key, or as its publicKeyMultibase
// (z6Mk…).
func ParseKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	mb, _, _ := strings.Cut(strings.TrimPrefix(s, "did:key:"), "#")
	pub, err := did.DecodePublicKey(mb)
	if err != nil {
		return nil, attesta.Wrap(err, attesta.Invalid, "err.trust.key.form", s)
	}
	return pub, nil
}

// decodeEnvelope reads a signed bundle's envelope.
func decodeEnvelope(data []byte) (*Envelope, ed25519.PublicKey, error) {
	if len(data) > MaxSize {
		return nil, nil, attesta.E(attesta.Invalid, "err.trust.large", MaxSize)
	}
	var env Envelope
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		return nil, nil, attesta.Wrap(err, attesta.Invalid, "err.trust.json", err.Error())
	}
	if dec.More() {
		return nil, nil, attesta.E(attesta.Invalid, "err.trust.json", "data after the bundle")
	}
	if env.Signature.Alg != "Ed25519" || len(env.Bundle) == 0 {
		return nil, nil, attesta.E(attesta.Invalid, "err.trust.json", "no bundle, or a signature that is not Ed25519")
	}
	pub, err := ParseKey(env.Signature.Key)
	if err != nil || !strings.HasPrefix(env.Signature.Key, "did:key:") {
		return nil, nil, attesta.E(attesta.Invalid, "err.trust.json", "the signature's key is not a did:key")
	}
	return &env, pub, nil
}

// Claims are what a signed bundle says of itself before it is verified:
// the key it is signed with and the deployment it is of. A reader that has
// pinned no key is shown them, to check with the deployment; one that
// has pinned keys for several deployments finds which one to open it with.
type Claims struct {
	Key        ed25519.PublicKey
	Deployment string
}

// Peek returns what a signed bundle claims, verifying nothing.
func Peek(data []byte) (Claims, error) {
	env, pub, err := decodeEnvelope(data)
	if err != nil {
		return Claims{}, err
	}
	var b struct {
		Deployment string `json:"deployment"`
	}
	if err := json.Unmarshal(env.Bundle, &b); err != nil {
		return Claims{}, attesta.Wrap(err, attesta.Invalid, "err.trust.json", err.Error())
	}
	return Claims{Key: pub, Deployment: b.Deployment}, nil
}

// ErrOtherKey is the refusal of a bundle signed by a key other than the one
// pinned; ErrSignature of a bundle whose signature does not verify: it was
// altered after it was signed.
var (
	ErrOtherKey  = errors.New("trust bundle signed by another key")
	ErrSignature = errors.New("trust bundle signature does not verify")
)

// Open verifies a signed bundle against the key the reader pinned and
// checks everything in it (Verified): a bundle signed by another key, one
// whose signature does not verify, or one that holds anything malformed or
// a status list its issuer did not sign is refused, each with a
// *attesta.Error of code Invalid saying which.
func Open(ctx context.Context, data []byte, pinned ed25519.PublicKey) (*Verified, error) {
	env, pub, err := decodeEnvelope(data)
	if err != nil {
		return nil, err
	}
	if !pub.Equal(pinned) {
		return nil, attesta.Wrap(ErrOtherKey, attesta.Invalid, "err.trust.otherkey", KeyID(pub), KeyID(pinned))
	}
	canon, err := jcs.Canonicalize(env.Bundle)
	if err != nil {
		return nil, attesta.Wrap(err, attesta.Invalid, "err.trust.json", err.Error())
	}
	sig, err := base64.RawURLEncoding.DecodeString(env.Signature.Value)
	if err != nil || !ed25519.Verify(pub, canon, sig) {
		return nil, attesta.Wrap(ErrSignature, attesta.Invalid, "err.trust.signature", KeyID(pub))
	}
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(env.Bundle))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, attesta.Wrap(err, attesta.Invalid, "err.trust.json", err.Error())
	}
	return verify(ctx, &b, pub)
}

// check checks what a bundle holds, but its status lists.
func (b *Bundle) check() error {
	bad := func(format string, args ...any) error {
		return attesta.E(attesta.Invalid, "err.trust.invalid", fmt.Sprintf(format, args...))
	}
	if b.Type != Type {
		return attesta.E(attesta.Invalid, "err.trust.type", b.Type, Type)
	}
	if b.Generated.IsZero() || b.Status.Taken.IsZero() {
		return bad("no time of generation or of the status snapshot")
	}
	if u, err := url.Parse(b.Deployment); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad("deployment %q is not an http(s) URL", b.Deployment)
	}
	dids := map[string]bool{}
	for _, iss := range b.Issuers {
		if iss.DID == "" || dids[iss.DID] {
			return bad("issuer %q: no DID, or one listed twice", iss.ID)
		}
		dids[iss.DID] = true
		if iss.Kind != KindChamber && iss.Kind != KindService {
			return bad("issuer %q: kind %q is neither %s nor %s", iss.ID, iss.Kind, KindChamber, KindService)
		}
		for _, k := range iss.Keys {
			if !strings.HasPrefix(k.ID, iss.DID+"#") {
				return bad("issuer %q: key %q is not one of its DID", iss.ID, k.ID)
			}
			if _, err := did.DecodePublicKey(k.PublicKeyMultibase); err != nil {
				return bad("issuer %q: key %q: %v", iss.ID, k.ID, err)
			}
		}
	}
	if _, err := b.Policy(); err != nil {
		return err
	}
	return nil
}

// Policy is what a notarization receipt is checked against: the log's key,
// the witnesses and quorum, the TSA roots.
func (b *Bundle) Policy() (notary.ReceiptPolicy, error) {
	p := notary.ReceiptPolicy{LogKey: b.Log.Key, Witnesses: b.Log.Witnesses, Quorum: b.Log.Quorum}
	if b.Log.TSARoots != "" {
		certs, err := ParseRoots([]byte(b.Log.TSARoots))
		if err != nil {
			return p, err
		}
		p.TSARoots = x509.NewCertPool()
		for _, c := range certs {
			p.TSARoots.AddCert(c)
		}
	}
	bad := func(what string, err error) error {
		return attesta.Wrap(err, attesta.Invalid, "err.trust.invalid", what+": "+err.Error())
	}
	logKey, err := checkpoint.ParseVerifierKey(b.Log.Key)
	if err != nil {
		return p, bad("the log key", err)
	}
	if logKey.Name() != b.Log.Origin {
		return p, bad("the log key", fmt.Errorf("it names %q, not the log's origin %q", logKey.Name(), b.Log.Origin))
	}
	for _, w := range b.Log.Witnesses {
		if _, err := checkpoint.ParseCosignatureVerifierKey(w); err != nil {
			return p, bad("a witness key", err)
		}
	}
	if b.Log.Quorum < 0 || b.Log.Quorum > len(b.Log.Witnesses) {
		return p, bad("the quorum", fmt.Errorf("%d of %d witnesses", b.Log.Quorum, len(b.Log.Witnesses)))
	}
	return p, nil
}

// ParseRoots reads PEM certificates: at least one, nothing else.
func ParseRoots(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if block.Type != "CERTIFICATE" || err != nil {
			return nil, attesta.E(attesta.Invalid, "err.trust.invalid", "a TSA root is not a PEM certificate")
		}
		out = append(out, c)
	}
	if len(out) == 0 || len(bytes.TrimSpace(rest)) > 0 {
		return nil, attesta.E(attesta.Invalid, "err.trust.invalid", "the TSA roots are not PEM certificates")
	}
	return out, nil
}

// EncodeRoots writes certificates as PEM.
func EncodeRoots(certs []*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}
