// Package issuer keeps the credential issuers — the Chambers of Commerce —
// their public profiles, DID identities and signing keys, and is the registry
// of trusted issuers the verifier consults.
//
// # Keys
//
// Each issuer signs with Ed25519 keys generated on demand when it first
// issues. Private keys are stored only sealed with the [KeyEncryptionKey]
// from configuration and are unsealed in memory when needed; they are never
// logged or returned by any API. [KeyEncryptionKey.Check] refuses a
// key-encryption key that does not open every key sealed in the database
// ([SealedKeys], and the log's and the witness's), before it seals anything.
// Rotating adds a new key and retires the previous one: a retired key signs
// nothing new but stays in the issuer's DID document, with its end, so
// credentials it signed before the end keep verifying. A key retired
// because it was compromised ends when the compromise began
// ([Rotation].CompromisedSince), with every key in force after that: what
// was signed with them afterwards no longer verifies, and the transparency
// log tells which side of the end a credential is on. A running server
// notices a rotation made elsewhere (another process, the command line) at
// its next signature: [Service.Signer] checks the current key each time.
//
// # Identity
//
// An issuer is identified by a did:web identifier under the address attesta
// is published at (https://host/issuers/{id}/did.json). Its DID document is
// built from its keys by [Service.Document].
package issuer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/vc/did"
)

// Issuer is an organisation that signs credentials.
type Issuer struct {
	ID        string    `json:"id"`  // stable slug, e.g. "cciaa-milano"
	DID       string    `json:"did"` // its DID, e.g. did:web:attesta.example:issuers:cciaa-milano
	Kind      Kind      `json:"kind,omitempty"`
	Profile   Profile   `json:"profile"`
	CreatedAt time.Time `json:"created_at"`
}

// Profile is what a credential says about its issuer (an Open Badges
// Profile): the awarding body and its country and region, which the EU
// micro-credential standard requires.
type Profile struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	URL         string       `json:"url,omitempty"`
	Email       string       `json:"email,omitempty"`
	Address     Address      `json:"address"`
	Identifiers []Identifier `json:"identifiers,omitempty"`
}

// Address is a postal address; CountryCode (ISO 3166-1 alpha-2) and Region
// are required.
type Address struct {
	Street      string `json:"street,omitempty"`
	Locality    string `json:"locality,omitempty"`
	Region      string `json:"region"`
	PostalCode  string `json:"postal_code,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code"`
}

// Identifier is an official identifier of the issuer, e.g. its codice fiscale.
type Identifier struct {
	Type  string `json:"type"` // e.g. "codiceFiscale", "ipaCode"
	Value string `json:"value"`
}

// Key is one signing key of an issuer.
type Key struct {
	IssuerID           string
	Seq                int    // 1 for the first key, then 2, …
	VerificationMethod string // DID URL of the key: {did}#{publicKeyMultibase}
	Public             ed25519.PublicKey
	Sealed             []byte // the private key's seed sealed with the key-encryption key
	KEKID              string // fingerprint of the key-encryption key that sealed it
	CreatedAt          time.Time
	// RetiredAt is the key's end: what it signed after then does not
	// verify. It is when the next key was made, or earlier for a
	// compromised key (when the compromise began). Zero for the current key.
	RetiredAt time.Time
}

// Current reports whether k is the key new credentials are signed with.
func (k Key) Current() bool { return k.RetiredAt.IsZero() }

// Compromised reports whether k, followed by the issuer's key next, ended
// before next was made: it was retired because it was compromised.
func (k Key) Compromised(next Key) bool {
	return !k.Current() && k.RetiredAt.Before(next.CreatedAt)
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateID checks an issuer id: lower-case letters, digits and dashes.
func ValidateID(id string) error {
	if !slugRE.MatchString(id) {
		return attesta.E(attesta.Invalid, "err.issuer.id.form", id)
	}
	return nil
}

// Validate checks a profile. The problems are not said with the profile's
// fields: each message names what it is about.
func (p Profile) Validate() error {
	var fe attesta.FieldErrors
	if strings.TrimSpace(p.Name) == "" {
		fe.Problem("", "err.issuer.name.required")
	}
	if len(p.Name) > 300 || len(p.Description) > 4000 {
		fe.Problem("", "err.issuer.name.long")
	}
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fe.Problem("", "err.issuer.url.form", p.URL)
		}
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
			fe.Problem("", "err.issuer.email.form", p.Email)
		}
	}
	if len(p.Address.CountryCode) != 2 || strings.ToUpper(p.Address.CountryCode) != p.Address.CountryCode {
		fe.Problem("", "err.issuer.country.form")
	}
	if strings.TrimSpace(p.Address.Region) == "" {
		fe.Problem("", "err.issuer.region.required")
	}
	for _, id := range p.Identifiers {
		if id.Type == "" || id.Value == "" {
			fe.Problem("", "err.issuer.identifiers.form")
			break
		}
	}
	if len(fe) > 0 {
		return attesta.Wrap(fe, attesta.Invalid, "err.issuer.profile", fe)
	}
	return nil
}

// Store keeps issuers and their keys. Implementations: storage/sqlite and
// storage/postgres.
type Store interface {
	// CreateIssuer stores a new issuer; a Conflict error if the id or DID exists.
	CreateIssuer(ctx context.Context, iss Issuer) error
	// UpdateProfile replaces an issuer's profile; NotFound if there is none.
	UpdateProfile(ctx context.Context, id string, p Profile) error
	// Issuer returns an issuer by id; NotFound if there is none.
	Issuer(ctx context.Context, id string) (Issuer, error)
	// IssuerByDID returns an issuer by DID; NotFound if there is none.
	IssuerByDID(ctx context.Context, did string) (Issuer, error)
	// Issuers lists all issuers by id.
	Issuers(ctx context.Context) ([]Issuer, error)
	// Keys returns an issuer's keys, oldest first.
	Keys(ctx context.Context, issuerID string) ([]Key, error)
	// AddKey stores k, whose Seq must be one more than the issuer's last
	// key, and ends at end every key of the issuer that is current or ends
	// after end (end is k.CreatedAt for an ordinary rotation, earlier for
	// a compromise), and appends record to the audit trail if it is not
	// nil, in one transaction. A Conflict error if another key took the
	// sequence number first.
	AddKey(ctx context.Context, k Key, end time.Time, record *audit.Entry) error
}

// Signer signs with an issuer's current key.
type Signer struct {
	Issuer             Issuer
	VerificationMethod string
	key                ed25519.PrivateKey
}

// Sign signs message with Ed25519.
func (s *Signer) Sign(message []byte) []byte { return ed25519.Sign(s.key, message) }

// Public is the signer's public key.
func (s *Signer) Public() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// String never shows the key.
func (s *Signer) String() string { return "Signer(" + s.VerificationMethod + ")" }

// NewSigner returns a signer for a key held outside any store (a did:key
// development key, or a test key).
func NewSigner(iss Issuer, verificationMethod string, key ed25519.PrivateKey) *Signer {
	return &Signer{Issuer: iss, VerificationMethod: verificationMethod, key: key}
}

// Service manages issuers and their keys.
type Service struct {
	store Store
	kek   *KeyEncryptionKey
	clock attesta.Clock
	rand  io.Reader
	host  string // host[:port] attesta is published at, for did:web

	mu      sync.Mutex
	signers map[string]*Signer // current signer by issuer id
}

// Options configures a Service.
type Options struct {
	// PublicURL is the address attesta is reached at; issuers get did:web
	// identifiers under its host.
	PublicURL string
	// KEK seals private keys; required.
	KEK *KeyEncryptionKey
	// Clock and Rand default to the system clock and crypto/rand.
	Clock attesta.Clock
	Rand  io.Reader
}

// NewService returns a Service on store.
func NewService(store Store, opts Options) (*Service, error) {
	if opts.KEK == nil {
		return nil, fmt.Errorf("issuer service: a key-encryption key is required")
	}
	u, err := url.Parse(opts.PublicURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("issuer service: public URL %q must be http(s)://host[:port] without a path", opts.PublicURL)
	}
	if opts.Clock == nil {
		opts.Clock = attesta.SystemClock
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	return &Service{store: store, kek: opts.KEK, clock: opts.Clock, rand: opts.Rand, host: u.Host, signers: map[string]*Signer{}}, nil
}

// DID returns the did:web identifier of the issuer with the given id.
func (s *Service) DID(id string) string { return did.WebDID(s.host, "issuers", id) }

// Create registers a new issuer.
func (s *Service) Create(ctx context.Context, id string, p Profile) (Issuer, error) {
	if err := ValidateID(id); err != nil {
		return Issuer{}, err
	}
	if err := p.Validate(); err != nil {
		return Issuer{}, err
	}
	iss := Issuer{ID: id, DID: s.DID(id), Profile: p, CreatedAt: s.clock()}
	if err := s.store.CreateIssuer(ctx, iss); err != nil {
		return Issuer{}, fmt.Errorf("create issuer %s: %w", id, err)
	}
	return iss, nil
}

// UpdateProfile changes what future credentials say about the issuer.
func (s *Service) UpdateProfile(ctx context.Context, id string, p Profile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.store.UpdateProfile(ctx, id, p); err != nil {
		return fmt.Errorf("update issuer %s: %w", id, err)
	}
	s.mu.Lock()
	delete(s.signers, id)
	s.mu.Unlock()
	return nil
}

// Issuer returns an issuer.
func (s *Service) Issuer(ctx context.Context, id string) (Issuer, error) {
	return s.store.Issuer(ctx, id)
}

// Issuers lists the issuers.
func (s *Service) Issuers(ctx context.Context) ([]Issuer, error) { return s.store.Issuers(ctx) }

// Signer returns a signer with the issuer's current key, generating the
// issuer's first key if it has none. It reads which key is current each
// time, so that a key rotated by another process (the command line, another
// server on the same database) stops signing at once; the unsealed key is
// kept while it stays current.
func (s *Service) Signer(ctx context.Context, issuerID string) (*Signer, error) {
	keys, err := s.store.Keys(ctx, issuerID)
	if err != nil {
		return nil, fmt.Errorf("signer of %s: %w", issuerID, err)
	}
	var cur Key
	if n := len(keys); n > 0 && keys[n-1].Current() {
		cur = keys[n-1]
		s.mu.Lock()
		sg := s.signers[issuerID]
		s.mu.Unlock()
		if sg != nil && sg.VerificationMethod == cur.VerificationMethod {
			return sg, nil
		}
	}
	iss, err := s.store.Issuer(ctx, issuerID)
	if err != nil {
		return nil, fmt.Errorf("signer of %s: %w", issuerID, err)
	}
	if cur.VerificationMethod == "" {
		cur, err = s.addKey(ctx, iss, len(keys)+1, time.Time{}, nil)
		if attesta.ErrorCode(err) == attesta.Conflict {
			return s.Signer(ctx, issuerID) // another process generated it first
		}
		if err != nil {
			return nil, err
		}
	}
	seed, err := s.kek.Open(cur.Sealed, cur.VerificationMethod)
	if err != nil {
		return nil, fmt.Errorf("signer of %s: key sealed with %s: %w", issuerID, cur.KEKID, err)
	}
	sg := &Signer{Issuer: iss, VerificationMethod: cur.VerificationMethod, key: ed25519.NewKeyFromSeed(seed)}
	s.mu.Lock()
	s.signers[issuerID] = sg
	s.mu.Unlock()
	return sg, nil
}

// Rotation says why an issuer gets a new key, and whether its keys were
// compromised.
type Rotation struct {
	// Reason is why, kept in the audit trail: required, at most
	// MaxRotationReason characters.
	Reason string `json:"reason"`
	// CompromisedSince, when set, says that the issuer's keys are
	// compromised since then: every key in force after it ends at it, so
	// that what was signed with them afterwards does not verify. It must
	// not be in the future. Zero: an ordinary rotation, the current key
	// ends now.
	CompromisedSince time.Time `json:"compromised_since,omitzero"`
}

// MaxRotationReason bounds the reason of a rotation.
const MaxRotationReason = 500

// KeysObject is an issuer's keys as authorization sees them: they belong to
// the Chamber whose organisation has the issuer's id, so that only its
// operators, and the national body, may rotate them.
func KeysObject(issuerID string) auth.Object {
	return auth.Object{Kind: auth.IssuerObject, ID: issuerID, Places: []auth.Place{{Org: issuerID}}, OrgKind: auth.Chamber}
}

// Rotate gives the issuer a new current key and ends the previous one: now,
// or for a compromise at r.CompromisedSince, with every key in force after
// it. p must be the national body or an operator of the issuer's Chamber
// (auth.KeyRotate); the command line acts as the national body. It refuses,
// changing nothing, when the service's key-encryption key cannot open the
// current key. The rotation is recorded in the audit trail with its reason.
func (s *Service) Rotate(ctx context.Context, p *auth.Principal, issuerID string, r Rotation) (Key, error) {
	if err := auth.Decide(p, auth.KeyRotate, KeysObject(issuerID)); err != nil {
		if attesta.ErrorCode(err) == attesta.NotFound {
			return Key{}, attesta.E(attesta.NotFound, "err.credential.issuer.notfound", issuerID)
		}
		return Key{}, err
	}
	now := s.clock()
	r.Reason = strings.TrimSpace(r.Reason)
	var fe attesta.FieldErrors
	switch {
	case r.Reason == "":
		fe.Problem("reason", "err.issuer.rotate.reason")
	case utf8.RuneCountInString(r.Reason) > MaxRotationReason || !utf8.ValidString(r.Reason):
		fe.Problem("reason", "err.issuer.rotate.reason.long", MaxRotationReason)
	}
	if r.CompromisedSince.After(now) {
		fe.Problem("compromised_since", "err.issuer.rotate.future", attesta.DateTime(r.CompromisedSince))
	}
	if len(fe) > 0 {
		return Key{}, fe.Err()
	}
	iss, err := s.store.Issuer(ctx, issuerID)
	if err != nil {
		return Key{}, fmt.Errorf("rotate key of %s: %w", issuerID, err)
	}
	keys, err := s.store.Keys(ctx, issuerID)
	if err != nil {
		return Key{}, fmt.Errorf("rotate key of %s: %w", issuerID, err)
	}
	// A key-encryption key that cannot open the current key is not the one
	// the issuer's keys are sealed with: the new key would be sealed with
	// it, and the right one could not sign with it.
	if n := len(keys); n > 0 && keys[n-1].Current() {
		cur := keys[n-1]
		if _, err := s.kek.Open(cur.Sealed, cur.VerificationMethod); err != nil {
			return Key{}, attesta.Wrap(err, attesta.Invalid, "err.issuer.rotate.kek", s.kek.ID(), cur.Seq, issuerID, cur.KEKID)
		}
	}
	end := now
	if !r.CompromisedSince.IsZero() {
		end = r.CompromisedSince.UTC()
	}
	type ended struct {
		Key string    `json:"key"`
		End time.Time `json:"end"`
	}
	var before []ended
	for _, k := range keys {
		if k.Current() || k.RetiredAt.After(end) {
			before = append(before, ended{k.VerificationMethod, k.RetiredAt})
		}
	}
	record := func(k Key) (*audit.Entry, error) {
		after := map[string]any{"reason": r.Reason, "new_key": k.VerificationMethod, "end": end}
		if !r.CompromisedSince.IsZero() {
			after["compromised_since"] = end
		}
		return audit.New(p, now, "issuer.rotate", KeysObject(issuerID), map[string]any{"keys": before}, after)
	}
	k, err := s.addKey(ctx, iss, len(keys)+1, end, record)
	if err != nil {
		return Key{}, err
	}
	s.mu.Lock()
	delete(s.signers, issuerID)
	s.mu.Unlock()
	return k, nil
}

// addKey makes, seals and stores key seq of iss, ending the earlier keys at
// end (zero: when it is made) with the audit entry record makes, if any.
func (s *Service) addKey(ctx context.Context, iss Issuer, seq int, end time.Time, record func(Key) (*audit.Entry, error)) (Key, error) {
	pub, priv, err := ed25519.GenerateKey(s.rand)
	if err != nil {
		return Key{}, fmt.Errorf("generate key for %s: %w", iss.ID, err)
	}
	vm := did.NewMultikey(iss.DID, pub)
	sealed, err := s.kek.Seal(priv.Seed(), vm.ID)
	if err != nil {
		return Key{}, err
	}
	k := Key{IssuerID: iss.ID, Seq: seq, VerificationMethod: vm.ID, Public: pub, Sealed: sealed, KEKID: s.kek.ID(), CreatedAt: s.clock()}
	if end.IsZero() {
		end = k.CreatedAt
	}
	var e *audit.Entry
	if record != nil {
		if e, err = record(k); err != nil {
			return Key{}, err
		}
	}
	if err := s.store.AddKey(ctx, k, end, e); err != nil {
		return Key{}, fmt.Errorf("store key of %s: %w", iss.ID, err)
	}
	return k, nil
}

// Document returns the DID document of an issuer: every key it has had, so
// that credentials signed with retired keys still verify, each retired one
// with its end — "expires" for a key retired by a rotation, "revoked" for
// a compromised one (W3C Controlled Identifiers, as the Multikey context
// defines them): proofs made after then are not valid.
func (s *Service) Document(ctx context.Context, issuerID string) (did.Document, error) {
	iss, err := s.store.Issuer(ctx, issuerID)
	if err != nil {
		return did.Document{}, err
	}
	keys, err := s.store.Keys(ctx, issuerID)
	if err != nil {
		return did.Document{}, err
	}
	pubs := make([]ed25519.PublicKey, len(keys))
	for i, k := range keys {
		pubs[i] = k.Public
	}
	doc := did.NewDocument(iss.DID, pubs...)
	for i, k := range keys {
		if k.Current() {
			continue
		}
		end := k.RetiredAt.UTC().Format(time.RFC3339)
		if i+1 < len(keys) && k.Compromised(keys[i+1]) {
			doc.VerificationMethod[i].Revoked = end
		} else {
			doc.VerificationMethod[i].Expires = end
		}
	}
	return doc, nil
}

// KeyEnd returns when the key of a verification method of a registered
// issuer ended (zero if it is current) and whether it was compromised; a
// NotFound error if no registered issuer has it. The verifier asks it of
// the key that signed a credential (credential.KeyEnds).
func (s *Service) KeyEnd(ctx context.Context, verificationMethod string) (time.Time, bool, error) {
	controller, _, _ := strings.Cut(verificationMethod, "#")
	iss, err := s.store.IssuerByDID(ctx, controller)
	if err != nil {
		return time.Time{}, false, err
	}
	keys, err := s.store.Keys(ctx, iss.ID)
	if err != nil {
		return time.Time{}, false, err
	}
	for i, k := range keys {
		if k.VerificationMethod != verificationMethod {
			continue
		}
		compromised := i+1 < len(keys) && k.Compromised(keys[i+1])
		return k.RetiredAt, compromised, nil
	}
	return time.Time{}, false, attesta.E(attesta.NotFound, "err.issuer.key.notfound", verificationMethod, iss.ID)
}

// Resolve finds a verification method among the registered issuers: the
// issuer it belongs to and its public key. A NotFound error means the key is
// not one of a registered issuer — which is not the same as an invalid
// signature.
func (s *Service) Resolve(ctx context.Context, verificationMethod string) (Issuer, ed25519.PublicKey, error) {
	controller, _, ok := strings.Cut(verificationMethod, "#")
	if !ok {
		return Issuer{}, nil, attesta.E(attesta.NotFound, "err.issuer.key.nofragment", verificationMethod)
	}
	iss, err := s.store.IssuerByDID(ctx, controller)
	if err != nil {
		return Issuer{}, nil, err
	}
	keys, err := s.store.Keys(ctx, iss.ID)
	if err != nil {
		return Issuer{}, nil, err
	}
	for _, k := range keys {
		if k.VerificationMethod == verificationMethod {
			return iss, k.Public, nil
		}
	}
	return Issuer{}, nil, attesta.E(attesta.NotFound, "err.issuer.key.notfound", verificationMethod, iss.ID)
}

// IssuerByDID returns the issuer with the given DID.
func (s *Service) IssuerByDID(ctx context.Context, id string) (Issuer, error) {
	return s.store.IssuerByDID(ctx, id)
}

// PublicKey is one key of an issuer's history, without its private part.
type PublicKey struct {
	VerificationMethod string
	Public             ed25519.PublicKey
	CreatedAt          time.Time
	// End is when the key ended (zero for the current key) and
	// Compromised whether it was retired because it was compromised, as
	// the DID document says them (expires, revoked) and KeyEnd.
	End         time.Time
	Compromised bool
}

// History returns every key the issuer has had, oldest first, with its
// end: what a verifier needs to judge a credential signed with a key
// since retired.
func (s *Service) History(ctx context.Context, issuerID string) ([]PublicKey, error) {
	keys, err := s.store.Keys(ctx, issuerID)
	if err != nil {
		return nil, fmt.Errorf("keys of %s: %w", issuerID, err)
	}
	out := make([]PublicKey, len(keys))
	for i, k := range keys {
		out[i] = PublicKey{VerificationMethod: k.VerificationMethod, Public: k.Public, CreatedAt: k.CreatedAt, End: k.RetiredAt,
			Compromised: i+1 < len(keys) && k.Compromised(keys[i+1])}
	}
	return out, nil
}
