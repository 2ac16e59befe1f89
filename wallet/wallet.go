// Package wallet takes a learner's badge into their wallet with OpenID for
// Verifiable Credential Issuance 1.0, in the Pre-Authorized Code Flow
// (docs/design/wallet.md).
//
// # Offers
//
// The learner — or a referent or a tutor of their school, when the
// learner asks them to — makes an [Offer] of one badge (a competence badge
// or an area credential): a random pre-authorized code, carried by the
// Credential Offer that the page shows as a QR code and a link, and a
// numeric transaction code, sent to the learner's address by e-mail (the
// outbox) and shown nowhere near the offer. Both are kept only as SHA-256
// digests. An offer is short-lived (OfferLifetime), is redeemed once, and
// dies after MaxAttempts wrong transaction codes; a new offer of the badge
// replaces the live one, which stops working.
//
// # Issuance
//
// The wallet redeems the code and the transaction code for an access token
// bound to the offer ([Service.Token]), asks for a nonce ([Service.Nonce]),
// and presents the token with a key proof ([Service.Credential]): the
// credential service then issues a copy of the badge bound to the wallet's
// DID (credential.Service.PrepareCopy), stored with the offer in one
// transaction and sharing the badge's status from then on. Every step is
// audited; the protocol's refusals carry the error codes of the
// specification ([oid4vci.Error]).
package wallet

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/mail"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/internal/oid4vci"
	"github.com/attesta/attesta/people"
)

// State is where an offer is in its life.
type State string

// The states of an offer. Offered and Redeemed are live; the others are
// ended.
const (
	Offered   State = "offered"   // waiting for the wallet's token request
	Redeemed  State = "redeemed"  // the wallet holds its access token
	Issued    State = "issued"    // the copy is issued: done
	Replaced  State = "replaced"  // a newer offer of the badge replaced it
	Exhausted State = "exhausted" // too many wrong transaction codes
	Replayed  State = "replayed"  // its code came back after it was redeemed: its token is void
	Expired   State = "expired"   // it ended unused
)

// States lists every state.
var States = []State{Offered, Redeemed, Issued, Replaced, Exhausted, Replayed, Expired}

// Offer is one badge's credential offer to its learner's wallet.
type Offer struct {
	ID         string `json:"id"`
	Credential string `json:"credential"` // the badge's credential
	Person     string `json:"person"`     // the learner
	Issuer     string `json:"issuer"`     // the badge's issuer
	// CodeHash and TxHash are the SHA-256 digests of the pre-authorized
	// code and of the transaction code (keyed by the code); TokenHash of
	// the access token, once redeemed.
	CodeHash string `json:"-"`
	TxHash   string `json:"-"`
	// SentTo is the address the transaction code was sent to.
	SentTo         string    `json:"sent_to"`
	CreatedBy      string    `json:"created_by"`
	CreatedByName  string    `json:"created_by_name"`
	CreatedAt      time.Time `json:"created_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	Attempts       int       `json:"attempts"` // wrong transaction codes
	State          State     `json:"state"`
	TokenHash      string    `json:"-"`
	TokenExpiresAt time.Time `json:"token_expires_at,omitzero"`
	// Copy is the copy issued to the wallet, Holder the wallet's DID it is
	// bound to.
	Copy    string    `json:"copy,omitempty"`
	Holder  string    `json:"holder,omitempty"`
	EndedAt time.Time `json:"ended_at,omitzero"`
}

// Live reports whether the offer can still be redeemed or its token used
// at now.
func (o *Offer) Live(now time.Time) bool {
	switch o.State {
	case Offered:
		return now.Before(o.ExpiresAt)
	case Redeemed:
		return now.Before(o.TokenExpiresAt)
	}
	return false
}

// Reader reads offers and what they are about, inside a transaction.
type Reader interface {
	// Badge returns the competence badge of a credential, Stack the area
	// credential; NotFound if it is not one.
	Badge(ctx context.Context, credential string) (*commission.Badge, error)
	Stack(ctx context.Context, credential string) (*commission.Stacked, error)
	Person(ctx context.Context, id string) (*people.Person, error)
	// Student returns a person's record as a student; NotFound if none.
	Student(ctx context.Context, person string) (*people.Student, error)
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
	// Offers lists a credential's offers, newest first.
	Offers(ctx context.Context, credential string) ([]Offer, error)
	// OfferByCode and OfferByToken return the offer of a pre-authorized
	// code's or an access token's digest, locked for the transaction;
	// NotFound if none.
	OfferByCode(ctx context.Context, codeHash string) (*Offer, error)
	OfferByToken(ctx context.Context, tokenHash string) (*Offer, error)
	// CredentialRecord returns a credential's record, locked for the
	// transaction (a status change waits for it); NotFound if none.
	CredentialRecord(ctx context.Context, id string) (credential.Record, error)
}

// Writer changes offers inside a transaction, with the outbox, the audit
// trail and the credentials.
type Writer interface {
	Reader
	// InsertOffer adds an offer: a Conflict if the credential has a live
	// one (Offered or Redeemed) already.
	InsertOffer(ctx context.Context, o *Offer) error
	// PutOffer writes an offer's state, attempts, token, copy and end.
	PutOffer(ctx context.Context, o *Offer) error
	QueueMail(ctx context.Context, m *account.Mail) error
	Record(ctx context.Context, e *audit.Entry) error
	// InsertCredential stores a prepared credential with its log and audit
	// entries (credential.Store.Insert, in this transaction).
	InsertCredential(ctx context.Context, p credential.Prepared) error
}

// Store keeps offers; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Copier prepares a badge's copy bound to a holder's DID.
// credential.Service is one.
type Copier interface {
	PrepareCopy(ctx context.Context, actor credential.Actor, id, holder string) (credential.Prepared, error)
}

// Sealer seals and opens small secrets bound to a context:
// issuer.KeyEncryptionKey is one, shared by every attesta process on a
// database, so a nonce handed out by one is good at another.
type Sealer interface {
	Seal(secret []byte, context string) ([]byte, error)
	Open(blob []byte, context string) ([]byte, error)
}

// Options configure the Service; their zero values take the defaults.
type Options struct {
	// IssuerURL is the Credential Issuer Identifier: attesta's public URL.
	IssuerURL string
	// OfferLifetime is how long an offer may be redeemed (10 minutes);
	// TokenLifetime how long its access token lasts (5 minutes);
	// NonceLifetime how long a c_nonce is good for (5 minutes).
	OfferLifetime, TokenLifetime, NonceLifetime time.Duration
	// MaxAttempts is how many wrong transaction codes end an offer (3).
	MaxAttempts int
	// TxCodeLength is the number of digits of a transaction code (6).
	TxCodeLength int
	Clock        attesta.Clock
	Rand         io.Reader // nil: crypto/rand
	Sealer       Sealer
}

// The defaults of Options.
const (
	DefaultOfferLifetime = 10 * time.Minute
	DefaultTokenLifetime = 5 * time.Minute
	DefaultNonceLifetime = 5 * time.Minute
	DefaultMaxAttempts   = 3
	DefaultTxCodeLength  = 6
)

// Service is the wallet pickup's use-cases.
type Service struct {
	store  Store
	copier Copier
	o      Options
}

// NewService returns the service.
func NewService(store Store, copier Copier, o Options) *Service {
	if o.OfferLifetime <= 0 {
		o.OfferLifetime = DefaultOfferLifetime
	}
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = DefaultTokenLifetime
	}
	if o.NonceLifetime <= 0 {
		o.NonceLifetime = DefaultNonceLifetime
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.TxCodeLength < 4 || o.TxCodeLength > 12 {
		o.TxCodeLength = DefaultTxCodeLength
	}
	if o.Clock == nil {
		o.Clock = attesta.SystemClock
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	o.IssuerURL = strings.TrimSuffix(o.IssuerURL, "/")
	return &Service{store: store, copier: copier, o: o}
}

// OfferLifetime is how long an offer may be redeemed.
func (s *Service) OfferLifetime() time.Duration { return s.o.OfferLifetime }

// Badge is the badge an offer is about, as the page names it.
type Badge struct {
	Credential string `json:"credential"`
	Person     string `json:"person"`
	Learner    string `json:"learner"` // the learner's name
	// Competence is the competence's code, or for an area credential the
	// path; Area says which.
	Competence string `json:"competence"`
	Area       bool   `json:"area,omitempty"`
	Sector     string `json:"sector"`
	Version    int    `json:"version"`
	Issuer     string `json:"issuer"`
	Revoked    bool   `json:"revoked,omitempty"`
	Suspended  bool   `json:"suspended,omitempty"`
}

// View is a badge's wallet pickup as its page shows it.
type View struct {
	Badge Badge `json:"badge"`
	// Offer is the latest offer of the badge, nil if none; Live whether it
	// can still be used.
	Offer *Offer `json:"offer,omitempty"`
	Live  bool   `json:"live"`
	// Address is where a transaction code goes, masked ("" if the learner
	// has none); Own whether the reader is the learner.
	Address string `json:"address,omitempty"`
	Own     bool   `json:"own"`
	// Copies are the copies issued to wallets, oldest first.
	Copies []Offer `json:"copies,omitempty"`
}

// Get returns the wallet pickup of a badge for p: the learner, or a
// referent or tutor of the learner's school.
func (s *Service) Get(ctx context.Context, p *auth.Principal, credentialID string) (*View, error) {
	var v *View
	err := s.store.View(ctx, func(r Reader) error {
		b, err := s.badge(ctx, r, p, credentialID)
		if err != nil {
			return err
		}
		v = &View{Badge: *b, Own: p.Person == b.Person}
		addr, err := address(ctx, r, b.Person)
		if err != nil {
			return err
		}
		v.Address = Mask(addr)
		offers, err := r.Offers(ctx, credentialID)
		if err != nil {
			return err
		}
		if len(offers) > 0 {
			v.Offer = &offers[0]
			v.Live = offers[0].Live(s.o.Clock())
		}
		for i := len(offers) - 1; i >= 0; i-- {
			if offers[i].Copy != "" {
				v.Copies = append(v.Copies, offers[i])
			}
		}
		return nil
	})
	return v, err
}

// badge reads the badge (or area credential) of credentialID and decides
// whether p may take it into the learner's wallet; another's is not found.
func (s *Service) badge(ctx context.Context, r Reader, p *auth.Principal, credentialID string) (*Badge, error) {
	if err := auth.Decide(p, auth.BadgeWallet, auth.Anywhere); err != nil {
		return nil, err
	}
	var b Badge
	switch bd, err := r.Badge(ctx, credentialID); {
	case err == nil:
		b = Badge{Credential: bd.Credential, Person: bd.Candidate, Competence: bd.Competence, Sector: bd.Sector, Version: bd.Version,
			Issuer: bd.Issuer, Revoked: bd.Revoked, Suspended: bd.Suspended}
	case attesta.ErrorCode(err) == attesta.NotFound:
		st, err := r.Stack(ctx, credentialID)
		if err != nil {
			return nil, err
		}
		rec, err := r.CredentialRecord(ctx, credentialID)
		if err != nil {
			return nil, err
		}
		b = Badge{Credential: st.Credential, Person: st.Person, Competence: st.Path, Area: true, Sector: st.Sector, Version: st.Version,
			Issuer: rec.IssuerID, Revoked: rec.Revoked, Suspended: rec.Suspended}
	default:
		return nil, err
	}
	ms, err := r.Memberships(ctx, b.Person)
	if err != nil {
		return nil, err
	}
	if err := auth.Decide(p, auth.BadgeWallet, people.PersonObject(b.Person, ms)); err != nil {
		if attesta.ErrorCode(err) == attesta.NotFound {
			return nil, attesta.E(attesta.NotFound, "err.credential.notfound", credentialID)
		}
		return nil, err
	}
	pr, err := r.Person(ctx, b.Person)
	if err != nil {
		return nil, err
	}
	b.Learner = pr.Name()
	return &b, nil
}

// address is where a learner's transaction codes go: their own e-mail
// address, else the contact of their student record when it is one (theirs
// or a guardian's); "" if none.
func address(ctx context.Context, r Reader, person string) (string, error) {
	pr, err := r.Person(ctx, person)
	if err != nil {
		return "", err
	}
	if pr.Email != "" {
		return pr.Email, nil
	}
	st, err := r.Student(ctx, person)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if a, err := mail.ParseAddress(st.Contact); err == nil && a.Name == "" {
		return a.Address, nil
	}
	return "", nil
}

// Mask shows an address without giving it away: its first letter, and
// its domain ("s•••@feltrinelli.example").
func Mask(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" {
		return ""
	}
	return string([]rune(local)[:1]) + "•••@" + domain
}

// Made is an offer just made: the offer, and its Credential Offer URI,
// which holds the pre-authorized code and is shown once, to whoever made
// it. The transaction code is not here: it went to the learner's address.
type Made struct {
	Offer Offer  `json:"offer"`
	URI   string `json:"uri"`
}

// ConfigurationID is the identifier of attesta's one credential
// configuration: an Open Badges 3.0 credential in the ldp_vc format.
const ConfigurationID = "OpenBadgeCredential_ldp_vc"

// Make makes a new offer of a badge for p — the learner, or a referent or
// tutor of the learner's school resending it — replacing the live one,
// which stops working, and sends the transaction code to the learner's
// address. A revoked or suspended badge is not offered, nor one whose
// learner has no address to send the code to.
func (s *Service) Make(ctx context.Context, p *auth.Principal, credentialID string) (*Made, error) {
	code, err := s.secret()
	if err != nil {
		return nil, err
	}
	tx, err := s.txCode()
	if err != nil {
		return nil, err
	}
	id, err := people.NewID(s.o.Rand, "wof")
	if err != nil {
		return nil, err
	}
	var made *Made
	err = s.store.Update(ctx, func(w Writer) error {
		b, err := s.badge(ctx, w, p, credentialID)
		if err != nil {
			return err
		}
		rec, err := w.CredentialRecord(ctx, credentialID)
		if err != nil {
			return err
		}
		now := s.o.Clock()
		if rec.Revoked || rec.Suspended || (!rec.ValidUntil.IsZero() && !rec.ValidUntil.After(now)) {
			return attesta.E(attesta.Conflict, "err.wallet.badge.invalid", credentialID)
		}
		to, err := address(ctx, w, b.Person)
		if err != nil {
			return err
		}
		if to == "" {
			return attesta.E(attesta.Invalid, "err.wallet.noaddress", b.Learner)
		}
		offers, err := w.Offers(ctx, credentialID)
		if err != nil {
			return err
		}
		for i := range offers {
			o := &offers[i]
			if o.State != Offered && o.State != Redeemed {
				continue
			}
			before := o.State
			o.State, o.EndedAt = Expired, now
			if o.Live(now) {
				o.State = Replaced
			}
			if err := w.PutOffer(ctx, o); err != nil {
				return err
			}
			if o.State == Replaced {
				if err := s.audit(ctx, w, p, "wallet.replace", b, o, map[string]any{"state": before}, map[string]any{"state": o.State}); err != nil {
					return err
				}
			}
		}
		o := &Offer{ID: id, Credential: credentialID, Person: b.Person, Issuer: b.Issuer, CodeHash: digest(code), TxHash: txDigest(code, tx),
			SentTo: to, CreatedBy: p.Person, CreatedByName: p.Name, CreatedAt: now, ExpiresAt: now.Add(s.o.OfferLifetime), State: Offered}
		if err := w.InsertOffer(ctx, o); err != nil {
			return err
		}
		if err := w.QueueMail(ctx, s.txMail(to, b, tx, o.ExpiresAt)); err != nil {
			return err
		}
		if err := s.audit(ctx, w, p, "wallet.offer", b, o, nil, map[string]any{"offer": o.ID, "expires_at": o.ExpiresAt, "sent_to": Mask(to)}); err != nil {
			return err
		}
		uri, err := s.offer(code).URI()
		if err != nil {
			return err
		}
		made = &Made{Offer: *o, URI: uri}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return made, nil
}

// offer is the Credential Offer of a pre-authorized code.
func (s *Service) offer(code string) oid4vci.CredentialOffer {
	return oid4vci.CredentialOffer{CredentialIssuer: s.o.IssuerURL, CredentialConfigurationIDs: []string{ConfigurationID},
		Grants: oid4vci.Grants{PreAuthorizedCode: &oid4vci.PreAuthorizedCode{Code: code, TxCode: &oid4vci.TxCode{
			InputMode: "numeric", Length: s.o.TxCodeLength,
			Description: i18n.T("it", "wallet.tx.description", s.o.TxCodeLength) + " / " + i18n.T("en", "wallet.tx.description", s.o.TxCodeLength)}}}}
}

// txMail is the message carrying a transaction code: apart from the offer,
// in Italian and English.
func (s *Service) txMail(to string, b *Badge, tx string, until time.Time) *account.Mail {
	body := func(lang string) string {
		return attesta.M("wallet.mail.body", b.Learner, b.Competence, tx, attesta.DateTime(until)).In(lang)
	}
	return &account.Mail{To: to, CreatedAt: s.o.Clock(),
		Subject: i18n.T("it", "wallet.mail.subject") + " / " + i18n.T("en", "wallet.mail.subject"),
		Body:    body("it") + "\n\n" + body("en") + "\n"}
}

// audit records an action on an offer, placed with the badge's issuer (the
// Chamber, whose people see it) and the learner's school.
func (s *Service) audit(ctx context.Context, w Writer, p *auth.Principal, walletAction string, b *Badge, o *Offer, before, after any) error {
	obj := auth.Object{Kind: auth.CredentialObject, ID: b.Credential, Places: []auth.Place{{Org: b.Issuer}}}
	e, err := audit.New(p, s.o.Clock(), walletAction, obj, before, after)
	if err != nil {
		return err
	}
	if p == nil {
		e.ActorName = "wallet (OpenID4VCI)"
	}
	return w.Record(ctx, e)
}

// Token redeems a pre-authorized code and its transaction code for an
// access token bound to the offer (the Token Endpoint). The refusals are
// the specification's: invalid_grant for a code that is unknown, expired,
// ended or already redeemed, or a wrong transaction code (the last allowed
// ends the offer); invalid_request for a missing transaction code. A code
// presented again after it was redeemed voids the token it gave.
func (s *Service) Token(ctx context.Context, req oid4vci.TokenRequest) (oid4vci.TokenResponse, error) {
	token, err := s.secret()
	if err != nil {
		return oid4vci.TokenResponse{}, err
	}
	var refusal *oid4vci.Error
	var resp oid4vci.TokenResponse
	err = s.store.Update(ctx, func(w Writer) error {
		o, err := w.OfferByCode(ctx, digest(req.PreAuthorizedCode))
		if attesta.ErrorCode(err) == attesta.NotFound {
			refusal = oid4vci.Errorf(oid4vci.InvalidGrant, "the pre-authorized code is not valid")
			return nil
		}
		if err != nil {
			return err
		}
		now := s.o.Clock()
		b := &Badge{Credential: o.Credential, Issuer: o.Issuer}
		switch {
		case o.State == Redeemed:
			// A code used twice: the token it gave is void (RFC 6749, §4.1.2).
			o.State, o.EndedAt = Replayed, now
			refusal = oid4vci.Errorf(oid4vci.InvalidGrant, "the pre-authorized code was already used")
			if err := w.PutOffer(ctx, o); err != nil {
				return err
			}
			return s.audit(ctx, w, nil, "wallet.replay", b, o, map[string]any{"state": Redeemed}, map[string]any{"state": Replayed})
		case o.State != Offered:
			refusal = oid4vci.Errorf(oid4vci.InvalidGrant, "the pre-authorized code was already used or replaced")
			return nil
		case !now.Before(o.ExpiresAt):
			o.State, o.EndedAt = Expired, now
			refusal = oid4vci.Errorf(oid4vci.InvalidGrant, "the pre-authorized code has expired")
			return w.PutOffer(ctx, o)
		case !req.HasTxCode:
			refusal = oid4vci.Errorf(oid4vci.InvalidRequest, "the transaction code (tx_code) is required")
			return nil
		}
		if subtle.ConstantTimeCompare([]byte(txDigest(req.PreAuthorizedCode, req.TxCode)), []byte(o.TxHash)) != 1 {
			o.Attempts++
			refusal = oid4vci.Errorf(oid4vci.InvalidGrant, "the transaction code is wrong")
			if o.Attempts >= s.o.MaxAttempts {
				o.State, o.EndedAt = Exhausted, now
				refusal = oid4vci.Errorf(oid4vci.InvalidGrant, "the transaction code is wrong; the offer has ended after %d wrong codes", o.Attempts)
			}
			if err := w.PutOffer(ctx, o); err != nil {
				return err
			}
			if o.State == Exhausted {
				return s.audit(ctx, w, nil, "wallet.exhaust", b, o, map[string]any{"state": Offered}, map[string]any{"state": Exhausted, "attempts": o.Attempts})
			}
			return nil
		}
		o.State, o.TokenHash, o.TokenExpiresAt = Redeemed, digest(token), now.Add(s.o.TokenLifetime)
		if err := w.PutOffer(ctx, o); err != nil {
			return err
		}
		resp = oid4vci.TokenResponse{AccessToken: token, TokenType: "Bearer", ExpiresIn: int(s.o.TokenLifetime / time.Second)}
		return s.audit(ctx, w, nil, "wallet.redeem", b, o, map[string]any{"state": Offered}, map[string]any{"state": Redeemed})
	})
	if err != nil {
		return oid4vci.TokenResponse{}, err
	}
	if refusal != nil {
		return oid4vci.TokenResponse{}, refusal
	}
	return resp, nil
}

// nonceContext binds a sealed c_nonce to its use.
const nonceContext = "attesta oid4vci c_nonce v1"

// Nonce returns a fresh c_nonce (the Nonce Endpoint): its expiry sealed
// with the Sealer, so that any attesta process on the database checks it
// without keeping it.
func (s *Service) Nonce(ctx context.Context) (string, error) {
	if s.o.Sealer == nil {
		return "", errors.New("nonce: no sealer")
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(s.o.Clock().Add(s.o.NonceLifetime).Unix()))
	sealed, err := s.o.Sealer.Seal(b[:], nonceContext)
	if err != nil {
		return "", fmt.Errorf("nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// checkNonce reports whether a c_nonce is one this attesta handed out and
// it has not expired.
func (s *Service) checkNonce(nonce string) bool {
	if s.o.Sealer == nil || len(nonce) > 200 {
		return false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil {
		return false
	}
	b, err := s.o.Sealer.Open(sealed, nonceContext)
	if err != nil || len(b) != 8 {
		return false
	}
	return s.o.Clock().Unix() < int64(binary.BigEndian.Uint64(b))
}

// Proof times: how old a key proof may be, and how far ahead of attesta's
// clock a wallet's may run.
const (
	ProofMaxAge = 10 * time.Minute
	ProofSkew   = 2 * time.Minute
)

// Credential issues the copy of the offer's badge bound to the wallet's
// key (the Credential Endpoint), for the holder of the access token: the
// request must name attesta's credential configuration and carry one key
// proof of the jwt type with a c_nonce of Nonce. It returns the copy as
// issued. The token is checked first (invalid_token), then the request
// (body, a JSON Credential Request). The token is spent: a second request
// with it is invalid_token.
func (s *Service) Credential(ctx context.Context, accessToken string, body []byte) (json.RawMessage, error) {
	var o *Offer
	err := s.store.View(ctx, func(r Reader) error {
		var err error
		o, err = r.OfferByToken(ctx, digest(accessToken))
		return err
	})
	now := s.o.Clock()
	switch {
	case attesta.ErrorCode(err) == attesta.NotFound || (err == nil && (o.State != Redeemed || !now.Before(o.TokenExpiresAt))):
		return nil, oid4vci.Errorf(oid4vci.InvalidToken, "the access token is not valid")
	case err != nil:
		return nil, err
	}
	req, e := oid4vci.ParseCredentialRequest(body)
	switch {
	case e != nil:
		return nil, e
	case req.CredentialIdentifier != "":
		return nil, oid4vci.Errorf(oid4vci.InvalidCredentialRequest, "credential_identifier was not given in the token response: use credential_configuration_id")
	case req.CredentialConfigurationID != ConfigurationID:
		return nil, oid4vci.Errorf(oid4vci.UnknownCredentialConfiguration, "the credential configuration is %s", ConfigurationID)
	case req.Encryption:
		return nil, oid4vci.Errorf(oid4vci.InvalidEncryptionParameters, "encrypted responses are not supported")
	case req.OtherProofType != "":
		return nil, oid4vci.Errorf(oid4vci.InvalidProof, "the proof type %s is not supported: use jwt", req.OtherProofType)
	case len(req.ProofJWTs) == 0:
		return nil, oid4vci.Errorf(oid4vci.InvalidProof, "a key proof (proofs.jwt) is required")
	case len(req.ProofJWTs) > 1:
		return nil, oid4vci.Errorf(oid4vci.InvalidCredentialRequest, "one key proof: batch issuance is not supported")
	}
	proof, err := oid4vci.VerifyProof(req.ProofJWTs[0], oid4vci.ProofOptions{Audience: s.o.IssuerURL, Now: now, MaxAge: ProofMaxAge, Skew: ProofSkew})
	if err != nil {
		return nil, err
	}
	if proof.Nonce == "" {
		return nil, oid4vci.Errorf(oid4vci.InvalidProof, "the key proof carries no nonce: get a c_nonce from the nonce endpoint")
	}
	if !s.checkNonce(proof.Nonce) {
		return nil, oid4vci.Errorf(oid4vci.InvalidNonce, "the nonce is not valid or has expired: get a new c_nonce")
	}
	p, err := s.copier.PrepareCopy(ctx, credential.Actor{Name: "wallet (OpenID4VCI)", Issuers: []string{o.Issuer}}, o.Credential, proof.Holder)
	if attesta.ErrorCode(err) == attesta.Conflict {
		return nil, oid4vci.Errorf(oid4vci.CredentialRequestDenied, "the badge is no longer valid")
	}
	if err != nil {
		return nil, fmt.Errorf("wallet offer %s: %w", o.ID, err)
	}
	var refusal *oid4vci.Error
	err = s.store.Update(ctx, func(w Writer) error {
		cur, err := w.OfferByToken(ctx, digest(accessToken))
		if err != nil {
			return err
		}
		if cur.State != Redeemed || !s.o.Clock().Before(cur.TokenExpiresAt) {
			refusal = oid4vci.Errorf(oid4vci.InvalidToken, "the access token is not valid")
			return nil
		}
		// The badge is read again, locked: a status change waits, and then
		// changes the copy with it.
		rec, err := w.CredentialRecord(ctx, cur.Credential)
		if err != nil {
			return err
		}
		if rec.Revoked || rec.Suspended {
			refusal = oid4vci.Errorf(oid4vci.CredentialRequestDenied, "the badge is no longer valid")
			return nil
		}
		if err := w.InsertCredential(ctx, p); err != nil {
			return err
		}
		cur.State, cur.Copy, cur.Holder, cur.EndedAt = Issued, p.Record.ID, proof.Holder, s.o.Clock()
		if err := w.PutOffer(ctx, cur); err != nil {
			return err
		}
		return s.audit(ctx, w, nil, "wallet.issue", &Badge{Credential: cur.Credential, Issuer: cur.Issuer}, cur,
			map[string]any{"state": Redeemed}, map[string]any{"state": Issued, "copy": p.Record.ID, "holder": proof.Holder})
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return json.RawMessage(p.Record.Body), nil
}

// IssuerMetadata is the Credential Issuer Metadata: attesta's endpoints
// and its one credential configuration, an Open Badges 3.0 credential in
// the ldp_vc format bound to a did:key or did:jwk by a jwt proof.
func (s *Service) IssuerMetadata() oid4vci.IssuerMetadata {
	display := func(lang string) oid4vci.CredentialDisplay {
		return oid4vci.CredentialDisplay{Name: i18n.T(lang, "wallet.meta.name"), Locale: lang, Description: i18n.T(lang, "wallet.meta.description"),
			BackgroundColor: "#0066cc", TextColor: "#ffffff"}
	}
	return oid4vci.IssuerMetadata{
		CredentialIssuer:   s.o.IssuerURL,
		CredentialEndpoint: s.o.IssuerURL + CredentialPath,
		NonceEndpoint:      s.o.IssuerURL + NoncePath,
		Display: []oid4vci.Display{{Name: i18n.T("it", "wallet.meta.issuer"), Locale: "it"},
			{Name: i18n.T("en", "wallet.meta.issuer"), Locale: "en"}},
		CredentialConfigurationsSupported: map[string]oid4vci.CredentialConfiguration{
			ConfigurationID: {
				Format:                               oid4vci.FormatLDPVC,
				CredentialSigningAlgValuesSupported:  []string{"eddsa-rdfc-2022"},
				CryptographicBindingMethodsSupported: []string{oid4vci.BindingDIDKey, oid4vci.BindingDIDJWK},
				ProofTypesSupported: map[string]oid4vci.ProofTypeInfo{
					oid4vci.ProofTypeJWT: {ProofSigningAlgValuesSupported: []string{oid4vci.AlgEdDSA, oid4vci.AlgES256}}},
				CredentialDefinition: &oid4vci.CredentialDefinition{
					Context: []string{credential.ContextVC, credential.ContextOB, credential.ContextAttesta},
					Type:    []string{"VerifiableCredential", "OpenBadgeCredential"}},
				CredentialMetadata: &oid4vci.CredentialMetadataDisplay{Display: []oid4vci.CredentialDisplay{display("it"), display("en")}},
			},
		},
	}
}

// The endpoints' paths under the issuer's URL.
const (
	TokenPath      = "/oid4vci/token"
	NoncePath      = "/oid4vci/nonce"
	CredentialPath = "/oid4vci/credential"
)

// AuthorizationServerMetadata is the metadata of attesta as its own
// Authorization Server: the Token Endpoint of the Pre-Authorized Code
// grant, which takes anonymous requests.
func (s *Service) AuthorizationServerMetadata() oid4vci.AuthorizationServerMetadata {
	return oid4vci.AuthorizationServerMetadata{Issuer: s.o.IssuerURL, TokenEndpoint: s.o.IssuerURL + TokenPath,
		GrantTypesSupported: []string{oid4vci.PreAuthorizedCodeGrant}, TokenEndpointAuthMethodsSupported: []string{"none"},
		PreAuthorizedGrantAnonymousAccessSupported: true}
}

// secret returns a random 256-bit secret, base64url: a pre-authorized code
// or an access token.
func (s *Service) secret() (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(s.o.Rand, b[:]); err != nil {
		return "", fmt.Errorf("wallet: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// txCode returns a random numeric transaction code, uniform over its
// digits.
func (s *Service) txCode() (string, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s.o.TxCodeLength)), nil)
	n, err := rand.Int(s.o.Rand, limit)
	if err != nil {
		return "", fmt.Errorf("wallet: %w", err)
	}
	return fmt.Sprintf("%0*d", s.o.TxCodeLength, n), nil
}

// digest is the SHA-256 of a secret, hex: what is kept of it.
func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// txDigest is what is kept of a transaction code: its SHA-256 keyed by the
// pre-authorized code, so that the short code cannot be found from the
// database without the code, which is kept only as its digest.
func txDigest(code, tx string) string {
	return digest(code + "\x00" + tx)
}
