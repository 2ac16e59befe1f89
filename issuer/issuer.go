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
// nothing new but stays in the issuer's DID document, so credentials it
// signed keep verifying.
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

	"github.com/attesta/attesta"
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
	RetiredAt          time.Time // zero for the current key
}

// Current reports whether k is the key new credentials are signed with.
func (k Key) Current() bool { return k.RetiredAt.IsZero() }

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
	// AddKey stores k, whose Seq must be one more than the issuer's last key,
	// and retires that key at k.CreatedAt, in one transaction. A Conflict error
	// if another key took the sequence number first.
	AddKey(ctx context.Context, k Key) error
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
// issuer's first key if it has none.
func (s *Service) Signer(ctx context.Context, issuerID string) (*Signer, error) {
	s.mu.Lock()
	sg := s.signers[issuerID]
	s.mu.Unlock()
	if sg != nil {
		return sg, nil
	}
	iss, err := s.store.Issuer(ctx, issuerID)
	if err != nil {
		return nil, fmt.Errorf("signer of %s: %w", issuerID, err)
	}
	keys, err := s.store.Keys(ctx, issuerID)
	if err != nil {
		return nil, fmt.Errorf("signer of %s: %w", issuerID, err)
	}
	var cur Key
	if len(keys) > 0 && keys[len(keys)-1].Current() {
		cur = keys[len(keys)-1]
	} else {
		cur, err = s.addKey(ctx, iss, len(keys)+1)
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
	sg = &Signer{Issuer: iss, VerificationMethod: cur.VerificationMethod, key: ed25519.NewKeyFromSeed(seed)}
	s.mu.Lock()
	s.signers[issuerID] = sg
	s.mu.Unlock()
	return sg, nil
}

// Rotate gives the issuer a new current key and retires the previous one.
// It refuses, changing nothing, when the service's key-encryption key
// cannot open the current key.
func (s *Service) Rotate(ctx context.Context, issuerID string) (Key, error) {
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
	k, err := s.addKey(ctx, iss, len(keys)+1)
	if err != nil {
		return Key{}, err
	}
	s.mu.Lock()
	delete(s.signers, issuerID)
	s.mu.Unlock()
	return k, nil
}

func (s *Service) addKey(ctx context.Context, iss Issuer, seq int) (Key, error) {
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
	if err := s.store.AddKey(ctx, k); err != nil {
		return Key{}, fmt.Errorf("store key of %s: %w", iss.ID, err)
	}
	return k, nil
}

// Document returns the DID document of an issuer: every key it has had, so
// that credentials signed with retired keys still verify.
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
	return did.NewDocument(iss.DID, pubs...), nil
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
