package credential

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

// Standards gives the published competence standard versions credentials
// are built from. competence.Service is one; it is asked as anyone would
// ask (a nil principal), so that a draft is not found.
type Standards interface {
	Version(ctx context.Context, p *auth.Principal, sector string, version int) (*competence.Standard, error)
}

// Issuers gives issuers and their signers. issuer.Service is one.
type Issuers interface {
	Issuer(ctx context.Context, id string) (issuer.Issuer, error)
	IssuerByDID(ctx context.Context, did string) (issuer.Issuer, error)
	Signer(ctx context.Context, issuerID string) (*issuer.Signer, error)
}

// Service issues credentials and changes their status.
type Service struct {
	store       Store
	issuers     Issuers
	standards   Standards
	suite       *dataintegrity.Suite
	clock       attesta.Clock
	rand        io.Reader
	baseURL     string
	titleHolder Party
	generic     string

	reservations *Reservations
	gate         Gate
}

// A Gate says whether credentials may be issued and their status changed
// and shown now: notary.Log is one, which stops them while the database is
// behind the log it published (a restored backup), until a recovery.
type Gate interface {
	Writable(ctx context.Context) error
}

// ServiceOptions configures a Service.
type ServiceOptions struct {
	Suite       *dataintegrity.Suite
	BaseURL     string // public address of attesta
	TitleHolder Party  // the public body that owns the certification
	Clock       attesta.Clock
	Rand        io.Reader // ids, salts and permutation keys; default crypto/rand
	// GenericIssuer is the id of the issuer that signs the VC-API's generic
	// credentials (IssueDocument); empty: they are refused.
	GenericIssuer string
	// Reservations, if set, reserve status positions apart from the
	// database before they are handed out (see Reservations).
	Reservations *Reservations
	// Gate, if set, is asked before a credential is issued, its status
	// changed or a status list shown.
	Gate Gate
}

// NewService returns a Service.
func NewService(store Store, issuers Issuers, standards Standards, opts ServiceOptions) *Service {
	if opts.Clock == nil {
		opts.Clock = attesta.SystemClock
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	return &Service{store: store, issuers: issuers, standards: standards, suite: opts.Suite, clock: opts.Clock,
		rand: opts.Rand, baseURL: strings.TrimSuffix(opts.BaseURL, "/"), titleHolder: opts.TitleHolder,
		reservations: opts.Reservations, gate: opts.Gate, generic: opts.GenericIssuer}
}

// open returns the gate's refusal, if any.
func (s *Service) open(ctx context.Context) error {
	if s.gate == nil {
		return nil
	}
	return s.gate.Writable(ctx)
}

// allocate takes a status position of the issuer, reserved first when the
// service has reservations.
func (s *Service) allocate(ctx context.Context, issuerID string) (Position, error) {
	var reserve Reserve
	if s.reservations != nil {
		reserve = s.reservations.For(issuerID)
	}
	pos, err := s.store.Allocate(ctx, issuerID, s.permutationKey, reserve)
	if err != nil {
		return Position{}, fmt.Errorf("issue: allocate status: %w", err)
	}
	return pos, nil
}

// IssueRequest asks for the credential of one certified competence.
type IssueRequest struct {
	IssuerID   string           `json:"issuer"`
	Sector     string           `json:"sector"`
	Version    int              `json:"version"`
	Competence string           `json:"competence"`
	Learner    Learner          `json:"learner"`
	Results    []Result         `json:"results,omitempty"`
	Evidence   *EvidenceSummary `json:"evidence,omitempty"`
	Decision   Decision         `json:"decision"`
	ValidUntil time.Time        `json:"valid_until,omitzero"`
	Activity   Period           `json:"activity,omitzero"`
	Format     Format           `json:"format,omitempty"` // default RDFC
}

// Issue builds, signs and stores a credential.
func (s *Service) Issue(ctx context.Context, actor Actor, req IssueRequest) (Record, error) {
	if err := actor.authorize(req.IssuerID); err != nil {
		return Record{}, err
	}
	if err := s.open(ctx); err != nil {
		return Record{}, err
	}
	if req.Format == "" {
		req.Format = RDFC
	}
	if !req.Format.Valid() {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.format", req.Format, RDFC, JCS, JWT)
	}
	std, err := s.standards.Version(ctx, nil, req.Sector, req.Version)
	if err != nil {
		return Record{}, fmt.Errorf("issue: %w", err)
	}
	iss, err := s.issuers.Issuer(ctx, req.IssuerID)
	if err != nil {
		return Record{}, fmt.Errorf("issue: %w", err)
	}
	s.learner(&req.Learner)
	if req.Decision.ID == "" {
		req.Decision.ID = s.uuidURN()
	}
	now := s.clock().Truncate(time.Second)
	award := Award{
		ID: s.uuidURN(), Issuer: iss, Standard: std, Competence: req.Competence, Learner: req.Learner,
		Results: req.Results, Evidence: req.Evidence, Decision: req.Decision, ValidFrom: now, ValidUntil: req.ValidUntil,
		Activity: req.Activity, TitleHolder: s.titleHolder, BaseURL: s.baseURL, Status: Position{List: 1},
	}
	return s.issue(ctx, actor, req.Format, func(pos Position) ([]byte, error) {
		award.Status = pos
		return Build(award)
	}, Record{ID: award.ID, IssuerID: iss.ID, Achievement: fmt.Sprintf("%s/v%d/%s", std.Sector, std.Version, req.Competence),
		IssuedAt: now, ValidUntil: req.ValidUntil})
}

// issue builds a credential with build at a status position, validating
// it first at a position of no list so that bad input takes none, then
// allocates its position, signs it with its issuer's key and stores it
// as rec says (its id, issuer, achievement, dates): the steps every kind
// of credential attesta issues one at a time goes through.
func (s *Service) issue(ctx context.Context, actor Actor, format Format, build func(Position) ([]byte, error), rec Record) (Record, error) {
	rec, err := s.signed(ctx, format, build, rec)
	if err != nil {
		return Record{}, err
	}
	return s.insert(ctx, actor, rec)
}

// signed builds a credential with build at a status position, validating
// it first at a position of no list so that bad input takes none, then
// allocates its position and signs it with its issuer's key: rec with its
// position, format and body, to be stored.
func (s *Service) signed(ctx context.Context, format Format, build func(Position) ([]byte, error), rec Record) (Record, error) {
	if _, err := build(Position{List: 1}); err != nil {
		return Record{}, err
	}
	signer, err := s.issuers.Signer(ctx, rec.IssuerID)
	if err != nil {
		return Record{}, fmt.Errorf("issue: %w", err)
	}
	pos, err := s.allocate(ctx, rec.IssuerID)
	if err != nil {
		return Record{}, err
	}
	unsigned, err := build(pos)
	if err != nil {
		return Record{}, err
	}
	body, err := s.secure(unsigned, signer, format, rec.IssuedAt)
	if err != nil {
		return Record{}, fmt.Errorf("issue: %w", err)
	}
	rec.List, rec.Index, rec.Format, rec.Body = pos.List, pos.Index, format, body
	return rec, nil
}

// learner completes a learner identified by an identifier: a fresh salt
// for its hash, and its type (systemId) when the request gives none.
func (s *Service) learner(l *Learner) {
	if l.Identity != "" && l.Salt == "" {
		l.Salt = s.token(16)
	}
	if l.Identity != "" && l.IdentityType == "" {
		l.IdentityType = "systemId"
	}
}

// insert stores an issued credential with its digest, its log entry and
// its entry in the audit trail: the one way every credential attesta
// issues, a Chamber's badge or a generic one, is recorded.
func (s *Service) insert(ctx context.Context, actor Actor, rec Record) (Record, error) {
	p, err := prepared(actor, rec)
	if err != nil {
		return Record{}, err
	}
	if err := s.store.Insert(ctx, p.Record, p.Entry, p.Trail); err != nil {
		return Record{}, fmt.Errorf("issue: store: %w", err)
	}
	return p.Record, nil
}

// issued is what the audit trail keeps of an issued credential: what it
// certifies and its digest, not its content.
type issued struct {
	Chamber     string    `json:"chamber"`
	Achievement string    `json:"achievement"`
	Format      Format    `json:"format"`
	Digest      string    `json:"digest"`
	ValidUntil  time.Time `json:"valid_until,omitzero"`
}

// auditObject places a credential in the audit trail: it belongs to its
// issuer, a Chamber, whose people see its entries.
func auditObject(r Record) auth.Object {
	return auth.Object{Kind: auth.CredentialObject, ID: r.ID, Places: []auth.Place{{Org: r.IssuerID}}}
}

func (s *Service) secure(unsigned []byte, signer *issuer.Signer, f Format, now time.Time) ([]byte, error) {
	switch f {
	case JWT:
		tok, err := SignJWT(unsigned, signer.VerificationMethod, signer.Sign)
		return []byte(tok), err
	default:
		return s.suite.Sign(unsigned, signer, dataintegrity.Options{
			Cryptosuite: string(f), VerificationMethod: signer.VerificationMethod, Created: now,
		})
	}
}

// Record returns an issued credential.
func (s *Service) Record(ctx context.Context, actor Actor, id string) (Record, error) {
	r, err := s.store.Record(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if err := actor.authorize(r.IssuerID); err != nil {
		if attesta.ErrorCode(err) == attesta.NotFound {
			return Record{}, attesta.E(attesta.NotFound, "err.credential.notfound", id)
		}
		return Record{}, err
	}
	return r, nil
}

// Events returns the status changes of a credential.
func (s *Service) Events(ctx context.Context, actor Actor, id string) ([]StatusEvent, error) {
	if _, err := s.Record(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.store.Events(ctx, id)
}

// MaxReason bounds the reason of a status change.
const MaxReason = 500

// ChangeStatus revokes, suspends or reinstates a credential. A revoked
// credential stays revoked; only a suspended one can be reinstated. The
// reason is required and kept with the change and in the audit trail.
func (s *Service) ChangeStatus(ctx context.Context, actor Actor, id string, action Action, reason string) (Record, error) {
	rec, err := s.Record(ctx, actor, id)
	if err != nil {
		return Record{}, err
	}
	if rec.CopyOf != "" {
		return Record{}, attesta.E(attesta.Conflict, "err.credential.copy.status", id, rec.CopyOf)
	}
	if err := s.open(ctx); err != nil {
		return Record{}, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Record{}, attesta.E(attesta.Invalid, "err.credential.reason.required", actionVerb(action))
	case utf8.RuneCountInString(reason) > MaxReason || !utf8.ValidString(reason):
		return Record{}, attesta.E(attesta.Invalid, "err.credential.reason.long", MaxReason)
	}
	// The field the action changes, and its value after: the change
	// succeeds only from the other value, so the trail says both.
	field, value := "suspended", action == Suspend
	if action == Revoke {
		field, value = "revoked", true
	}
	at := s.clock()
	trail, err := audit.New(nil, at, "credential."+string(action), auditObject(rec),
		map[string]any{field: !value}, map[string]any{field: value, "reason": reason})
	if err != nil {
		return Record{}, err
	}
	trail.ActorName = actor.Name
	ev := StatusEvent{CredentialID: id, Action: action, Reason: reason, Actor: actor.Name, At: at}
	kind := map[Action]notary.Kind{Revoke: notary.Revoke, Suspend: notary.Suspend, Reinstate: notary.Reinstate}[action]
	// decide is called with the credential, then with each of its copies,
	// which change with it.
	return s.store.ChangeStatus(ctx, id, ev, trail, func(r Record) (Record, []byte, error) {
		if r.CopyOf != "" && r.CopyOf != id {
			return r, nil, attesta.E(attesta.Conflict, "err.credential.copy.status", r.ID, r.CopyOf)
		}
		switch action {
		case Revoke:
			if r.Revoked {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.revoked.already", id)
			}
			r.Revoked = true
		case Suspend:
			if r.Revoked {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.revoked.nosuspend", id)
			}
			if r.Suspended {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.suspended.already", id)
			}
			r.Suspended = true
		case Reinstate:
			if r.Revoked {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.revoked.final", id)
			}
			if !r.Suspended {
				return r, nil, attesta.E(attesta.Conflict, "err.credential.suspended.not", id)
			}
			r.Suspended = false
		default:
			return r, nil, attesta.E(attesta.Invalid, "err.credential.action.unknown", action)
		}
		r.Reason, r.ChangedAt = reason, at
		return r, notary.NewEntry(kind, r.ID, r.Body, at).Marshal(), nil
	})
}

// StatusListCredential returns the signed status list credential of an
// issuer's list for a purpose, signing a new one if the list changed since
// the last was signed.
func (s *Service) StatusListCredential(ctx context.Context, issuerID string, list int, purpose statuslist.Purpose) (SignedList, error) {
	if !purpose.Valid() {
		return SignedList{}, attesta.E(attesta.NotFound, "err.credential.purpose.unknown", purpose)
	}
	// A restored database may not know a revocation made after its copy.
	if err := s.open(ctx); err != nil {
		return SignedList{}, err
	}
	sl, err := s.store.StatusList(ctx, issuerID, list)
	if err != nil {
		return SignedList{}, err
	}
	signed, err := s.store.SignedList(ctx, issuerID, list, purpose)
	if err == nil && signed.Version >= sl.Version {
		return signed, nil
	}
	if err != nil && attesta.ErrorCode(err) != attesta.NotFound {
		return SignedList{}, err
	}
	bits := statuslist.NewBitstring()
	set := sl.Revoked
	if purpose == statuslist.Suspension {
		set = sl.Suspended
	}
	for _, i := range set {
		if err := bits.Set(i, true); err != nil {
			return SignedList{}, fmt.Errorf("status list %s/%d: %w", issuerID, list, err)
		}
	}
	signer, err := s.issuers.Signer(ctx, issuerID)
	if err != nil {
		return SignedList{}, err
	}
	listURL := StatusListURL(s.baseURL, issuerID, list, purpose)
	doc := map[string]any{
		"@context":  []string{ContextVC},
		"id":        listURL,
		"type":      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    signer.Issuer.DID,
		"validFrom": sl.UpdatedAt.UTC().Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id": listURL + "#list", "type": "BitstringStatusList", "statusPurpose": string(purpose), "encodedList": bits.Encode(),
		},
	}
	unsigned, err := marshal(doc)
	if err != nil {
		return SignedList{}, err
	}
	now := s.clock().Truncate(time.Second)
	body, err := s.suite.Sign(unsigned, signer, dataintegrity.Options{VerificationMethod: signer.VerificationMethod, Created: now})
	if err != nil {
		return SignedList{}, fmt.Errorf("sign status list %s: %w", listURL, err)
	}
	out := SignedList{IssuerID: issuerID, List: list, Purpose: purpose, Version: sl.Version, Body: body, SignedAt: now}
	if err := s.store.SaveSignedList(ctx, out); err != nil {
		return SignedList{}, err
	}
	return out, nil
}

// StatusLists returns the signed status list credentials of every list of
// every issuer, for both purposes, as StatusListCredential serves them: a
// snapshot of the status of every credential, for the trust bundle.
func (s *Service) StatusLists(ctx context.Context) ([]SignedList, error) {
	lists, err := s.store.Lists(ctx)
	if err != nil {
		return nil, err
	}
	var out []SignedList
	for _, l := range lists {
		for _, p := range []statuslist.Purpose{statuslist.Revocation, statuslist.Suspension} {
			sl, err := s.StatusListCredential(ctx, l.IssuerID, l.List, p)
			if err != nil {
				return nil, err
			}
			out = append(out, sl)
		}
	}
	return out, nil
}

// Changed returns every credential that is revoked or suspended, with the
// reason of its last change.
func (s *Service) Changed(ctx context.Context) ([]Changed, error) {
	return s.store.Changed(ctx)
}

// Status tells the verifier the status of credentials attesta issued: it
// reads the records, which also give the reason. The list is recognised by
// its path (/status/{issuer}/{list}/{purpose}), whatever host the credential
// names, so that a change of public address does not orphan credentials.
// Lists of other issuers are not fetched.
func (s *Service) Status(ctx context.Context, e StatusEntry) (bool, string, error) {
	issuerID, list, purpose, ok := parseListURL(e.ListURL)
	if !ok {
		return false, "", fmt.Errorf("status list %s is not one of attesta's and is not fetched", e.ListURL)
	}
	if purpose != e.Purpose {
		return false, "", fmt.Errorf("status entry purpose %s does not match list %s", e.Purpose, e.ListURL)
	}
	if err := s.open(ctx); err != nil {
		return false, "", err
	}
	r, err := s.store.Record(ctx, e.CredentialID)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return false, "", fmt.Errorf("credential %s was not issued here; its status list %s is not fetched", e.CredentialID, e.ListURL)
	}
	if err != nil {
		return false, "", fmt.Errorf("status of %s: %w", e.CredentialID, err)
	}
	if r.IssuerID != issuerID || r.List != list || r.Index != e.Index {
		return false, "", fmt.Errorf("credential %s is not at %s#%d", e.CredentialID, e.ListURL, e.Index)
	}
	if purpose == statuslist.Revocation {
		return r.Revoked, r.Reason, nil
	}
	return r.Suspended, r.Reason, nil
}

// parseListURL splits a status list URL of attesta's form.
func parseListURL(u string) (issuerID string, list int, purpose statuslist.Purpose, ok bool) {
	pu, err := url.Parse(u)
	if err != nil {
		return "", 0, "", false
	}
	rest, found := strings.CutPrefix(pu.EscapedPath(), "/status/")
	if !found {
		return "", 0, "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		return "", 0, "", false
	}
	id, err := url.PathUnescape(parts[0])
	n, err2 := strconv.Atoi(parts[1])
	if err != nil || err2 != nil || n < 1 {
		return "", 0, "", false
	}
	return id, n, statuslist.Purpose(parts[2]), statuslist.Purpose(parts[2]).Valid()
}

func (s *Service) permutationKey() [32]byte {
	var k [32]byte
	io.ReadFull(s.rand, k[:])
	return k
}

func (s *Service) uuidURN() string {
	var b [16]byte
	io.ReadFull(s.rand, b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (s *Service) token(n int) string {
	b := make([]byte, n)
	io.ReadFull(s.rand, b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Actor is who asks for an action on credentials. Until people sign in, the
// API token and the command line act as operators.
type Actor struct {
	Name string
	// Issuers lists the issuers the actor may act for; nil means all (a
	// national administrator, or the command line on the server).
	Issuers []string
}

// authorize decides whether the actor may issue or change the status of
// credentials of the issuer. Other issuers' credentials are reported as not
// found, so that their existence does not leak.
func (a Actor) authorize(issuerID string) error {
	if a.Name == "" {
		return attesta.E(attesta.Unauthenticated, "err.credential.signin")
	}
	if a.Issuers == nil {
		return nil
	}
	for _, id := range a.Issuers {
		if id == issuerID {
			return nil
		}
	}
	return attesta.E(attesta.NotFound, "err.credential.issuer.notfound", issuerID)
}

// actionVerb names a status action in a message, as a verb.
func actionVerb(a Action) any {
	switch a {
	case Revoke:
		return attesta.M("err.credential.verb.revoke")
	case Suspend:
		return attesta.M("err.credential.verb.suspend")
	case Reinstate:
		return attesta.M("err.credential.verb.reinstate")
	}
	return string(a)
}
