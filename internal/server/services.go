package server

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/internal/tlog/checkpoint"

	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/internal/tlog/witness"
	"github.com/attesta/attesta/internal/vc/didweb"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/rights"
	"github.com/attesta/attesta/roundtable"
	"github.com/attesta/attesta/share"
	"github.com/attesta/attesta/trust"
	"github.com/attesta/attesta/wallet"
)

// Services are the domain services on one database, shared by the server
// and the command line.
type Services struct {
	Standards   *competence.Service
	Issuers     *issuer.Service
	Credentials *credential.Service
	Verifier    *credential.Verifier
	// VCAPIVerifier is the VC-API's: Verifier, accepting issuers outside
	// the registry whose keys their DID documents list (did:key, did:web
	// fetched under opts.DIDWebLocal's allowance), each reported as a
	// Chamber or not.
	VCAPIVerifier *credential.Verifier
	Log           *notary.Log
	Receipts      *Receipts
	Witness       *api.Witness // nil unless the witness role is on
	Orgs          *org.Service
	People        *people.Service
	Accounts      *account.Service
	Audit         *audit.Service
	Tables        *roundtable.Service
	Experiences   *experience.Service
	Sheets        *observation.Service
	Dossiers      *dossier.Service
	Items         *item.Service
	Tests         *assessment.Service
	Commissions   *commission.Service
	// Courses are the Chambers' training courses for tutors and teachers,
	// which issue the tutor badges; the co-design of an experience asks
	// them whether its company tutor holds a valid one.
	Courses *course.Service
	// Shares are the learners' public links to their badges; Rights their
	// copies of their data and their requests of erasure.
	Shares *share.Service
	Rights *rights.Service
	// Stored verifies the credentials attesta keeps, by id, for the
	// public verification's page and JSON, reusing recent reports.
	Stored  *credential.StoredReports
	Imports *importer.Service
	// Jobs keeps long work (imports) in the database; Server.RunJobs runs
	// it, with the handlers of JobHandlers.
	Jobs *job.Service
	// Artefacts keeps the evidence dossier's files in the blob store; nil
	// when there is none (opts.Blobs nil, in tests).
	Artefacts *artefact.Service
	// Trust publishes the signed trust bundle, for offline verifiers.
	Trust *trust.Publisher
	// Wallet takes a learner's badges into their wallet (OpenID4VCI).
	Wallet *wallet.Service
}

// JobHandlers are the handlers of every kind of job the services run.
func (s *Services) JobHandlers() map[job.Kind]job.Handler {
	handlers := s.Imports.JobHandlers()
	handlers[commission.IssuanceKind] = s.Commissions.Issue
	return handlers
}

// Receipts finds the notarization receipt of a credential, and tells the
// verifier whether a credential is notarized in this attesta's log.
type Receipts struct {
	store    credential.Store
	log      *notary.Log
	tsaRoots *x509.CertPool
}

var _ credential.NotarySource = (*Receipts)(nil)

// Notarization implements credential.NotarySource with this attesta's own
// log: the credential's receipt against the first published checkpoint
// that includes it (the earliest proof of when it was logged), verified as
// an outside verifier would with the log's key, witnesses, quorum and TSA
// roots. The log is this attesta's own: its record of when the entry was
// appended (Logged) is trusted as the registry is (Own).
func (r *Receipts) Notarization(ctx context.Context, credentialID string, body []byte) (credential.Notarization, error) {
	idx, err := r.store.LogIndex(ctx, credentialID)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return credential.Notarization{}, nil
	}
	if err != nil {
		return credential.Notarization{}, err
	}
	n := credential.Notarization{Known: true, Origin: r.log.Origin(), LeafIndex: idx, Own: true}
	rec, err := r.log.FirstReceipt(ctx, idx)
	if errors.Is(err, notary.ErrNotYetSequenced) {
		n.Pending = true
		e, err := r.log.Entry(ctx, idx)
		if err != nil {
			return n, err
		}
		if !e.Matches(credentialID, body) {
			return n, notary.ErrNotRecorded
		}
		n.Logged = e.Time
		return n, nil
	}
	if err != nil {
		return n, err
	}
	p, err := r.log.Policy(ctx)
	if err != nil {
		return n, err
	}
	policy := notary.ReceiptPolicy{LogKey: p.Log.String(), Quorum: p.Quorum, TSARoots: r.tsaRoots}
	for _, w := range p.Witnesses {
		policy.Witnesses = append(policy.Witnesses, w.String())
	}
	v, err := rec.Verify(credentialID, body, policy)
	if err != nil {
		return n, err
	}
	n.Size, n.Witnesses, n.Witnessed, n.Logged = v.Size, v.Witnesses, v.Witnessed, v.Entry.Time
	if v.Timestamp != nil {
		n.Timestamp = v.Timestamp.GenTime
	}
	return n, nil
}

// Receipt returns the receipt of a credential's issue entry against the
// first published checkpoint that includes it: it never changes, and it
// proves the earliest time the credential is known to have been logged —
// what a verifier needs to tell which side of a retired key's end the
// credential is on.
func (r *Receipts) Receipt(ctx context.Context, credentialID string) (*notary.Receipt, error) {
	idx, err := r.store.LogIndex(ctx, credentialID)
	if err != nil {
		return nil, err
	}
	rec, err := r.log.FirstReceipt(ctx, idx)
	if errors.Is(err, notary.ErrNotYetSequenced) {
		return nil, attesta.E(attesta.NotFound, "err.server.receipt.pending", credentialID)
	}
	return rec, err
}

// LogOrigin is the origin line of the log's checkpoints: the host of the
// public URL and "/log".
func LogOrigin(publicURL string) string {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return "attesta/log"
	}
	return u.Host + "/log"
}

// TitleHolder is the public body that owns the «Competenza Certificata»
// certification, named in every credential.
var TitleHolder = credential.Party{Name: "Unioncamere", URL: "https://www.unioncamere.gov.it/"}

// NewServices assembles the services on db.
func NewServices(db Database, opts Options) (*Services, error) {
	if opts.KEK == nil {
		return nil, fmt.Errorf("services: no key-encryption key")
	}
	suite, err := credential.NewSuite()
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	standards := competence.NewService(db.Standards(), opts.Clock)
	issuers, err := issuer.NewService(db.Issuers(), issuer.Options{PublicURL: opts.PublicURL, KEK: opts.KEK, Clock: opts.Clock, Rand: opts.Rand})
	if err != nil {
		return nil, err
	}
	log, err := notary.Open(context.Background(), db.Log(), notary.Options{Origin: LogOrigin(opts.PublicURL), KEK: opts.KEK, Clock: opts.Clock,
		Witnesses: opts.Witnesses, Quorum: opts.WitnessQuorum, TSA: opts.TSA, TSARoots: opts.TSARoots, Blobs: opts.Blobs})
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	var reservations *credential.Reservations
	if opts.Blobs != nil {
		reservations = &credential.Reservations{Blobs: opts.Blobs, Clock: opts.Clock}
	}
	creds := credential.NewService(db.Credentials(), issuers, standards, credential.ServiceOptions{
		Suite: suite, BaseURL: opts.PublicURL, TitleHolder: TitleHolder, Clock: opts.Clock, Rand: opts.Rand,
		Reservations: reservations, Gate: log, GenericIssuer: opts.GenericIssuer,
	})
	verifier := &credential.Verifier{Suite: suite, Registry: issuers, Status: creds, Clock: opts.Clock, JWT: &credential.JWTVerifier{}}
	receipts := &Receipts{store: db.Credentials(), log: log, tsaRoots: opts.TSARoots}
	verifier.Notary = receipts
	vcapi := *verifier
	vcapi.AnyIssuer, vcapi.DIDWeb = true, &didweb.Resolver{Local: opts.DIDWebLocal}
	svc := &Services{Standards: standards, Issuers: issuers, Credentials: creds, Verifier: verifier, VCAPIVerifier: &vcapi, Log: log, Receipts: receipts,
		Orgs: org.NewService(db.Organisations(), opts.Clock), People: people.NewService(db.People(), opts.Clock, opts.Rand),
		Accounts: account.NewService(db.Accounts(), opts.Clock, opts.Rand, opts.PublicURL), Audit: audit.NewService(db.Audit()),
		Tables:      roundtable.NewService(db.RoundTables(), opts.Clock, opts.Rand),
		Experiences: experience.NewService(db.Experiences(), opts.Clock, opts.Rand),
		Sheets:      observation.NewService(db.Sheets(), opts.Clock),
		Items:       item.NewService(db.Items(), opts.Clock, opts.Rand, item.Options{ChamberBanks: opts.ChamberBanks}),
		Tests:       assessment.NewService(db.Assessments(), opts.Clock, opts.Rand),
		Imports:     importer.NewService(db.Imports(), opts.Clock, opts.Rand),
		Jobs:        job.NewService(db.Jobs(), opts.Clock, opts.Rand)}
	if opts.Blobs != nil {
		svc.Artefacts = artefact.NewService(artefact.Options{Blobs: opts.Blobs, Store: db.Artefacts(), Limits: opts.ArtefactLimits,
			Scanner: opts.Scanner, Clock: opts.Clock, Rand: opts.Rand, Log: opts.Log})
	}
	svc.Dossiers = dossier.NewService(db.Dossiers(), log, svc.Artefacts, opts.Clock)
	svc.Commissions = commission.NewService(db.Commissions(), standards, creds, opts.Clock, opts.Rand)
	svc.Commissions.OnQueued(svc.Jobs.Wake)
	svc.Commissions.SetInviter(inviter{svc.People, svc.Accounts})
	svc.Courses = course.NewService(db.Courses(), creds, opts.Clock, opts.Rand)
	svc.Wallet = wallet.NewService(db.Wallet(), creds, wallet.Options{IssuerURL: opts.PublicURL, OfferLifetime: opts.WalletOfferLifetime,
		Clock: opts.Clock, Rand: opts.Rand, Sealer: opts.KEK})
	svc.Experiences.CheckTutors(svc.Courses)
	svc.Shares = share.NewService(db.Shares(), share.Options{Clock: opts.Clock, Rand: opts.Rand})
	svc.Rights = rights.NewService(db.Rights(), opts.Clock, opts.Rand)
	svc.Stored = &credential.StoredReports{Records: creds, Verifier: verifier, Clock: opts.Clock}
	trustKey := func(ctx context.Context) (ed25519.PrivateKey, error) {
		return opts.KEK.LoadOrCreateKey(ctx, sealedTrustKey{db}, trustKeyContext)
	}
	svc.Trust = trust.NewPublisher(trust.Options{Deployment: opts.PublicURL, MarkOwner: trust.Party{Name: TitleHolder.Name, URL: TitleHolder.URL},
		Issuers: issuers, Statuses: creds, Log: log, TSARoots: opts.TSARootCerts, Key: trustKey, MaxAge: opts.TrustMaxAge,
		Clock: opts.Clock, Rand: opts.Rand})
	if len(opts.WitnessFor) > 0 {
		if svc.Witness, err = newWitness(db, opts); err != nil {
			return nil, fmt.Errorf("services: witness: %w", err)
		}
	}
	return svc, nil
}

// inviter invites a person nominated to a commission who is not on attesta
// yet: added with the role at the Chamber, and sent the invitation to set
// their password, as the Chamber's people page does.
type inviter struct {
	people   *people.Service
	accounts *account.Service
}

func (i inviter) Invite(ctx context.Context, p *auth.Principal, org, email, given, family string, role auth.Role) (string, error) {
	person, err := i.people.AddMember(ctx, p, org, people.Person{GivenName: given, FamilyName: family, Email: email}, role)
	if err != nil {
		return "", err
	}
	if err := i.accounts.Invite(ctx, p, person.ID); err != nil {
		return "", err
	}
	return person.ID, nil
}

// witnessKeyContext binds the sealed witness key to its use.
const witnessKeyContext = "attesta witness key"

// WitnessName is the name of this attesta's witness key: the host of the
// public URL and "/witness".
func WitnessName(publicURL string) string {
	return strings.TrimSuffix(LogOrigin(publicURL), "/log") + "/witness"
}

// newWitness sets up the witness role: its key, made on first use and
// sealed like the others, and the logs it follows, each named by its key.
func newWitness(db Database, opts Options) (*api.Witness, error) {
	store := db.Witness()
	key, err := opts.KEK.LoadOrCreateKey(context.Background(), sealedWitnessKey{store}, witnessKeyContext)
	if err != nil {
		return nil, err
	}
	cosigner, err := checkpoint.CosignerFor(WitnessName(opts.PublicURL), key)
	if err != nil {
		return nil, err
	}
	w := &witness.Witness{Cosigner: cosigner, Store: store, Logs: map[string][]checkpoint.Verifier{}, Clock: opts.Clock, Logger: opts.Log}
	for _, k := range opts.WitnessFor {
		w.Logs[k.Name()] = append(w.Logs[k.Name()], k)
	}
	return &api.Witness{Handler: w.Handler(), Key: cosigner.Verifier().String()}, nil
}

// trustKeyContext binds the sealed trust bundle key to its use, and
// trustKeyMeta is where the database keeps it.
const (
	trustKeyContext = "attesta trust bundle key"
	trustKeyMeta    = "trust_bundle_key"
)

// sealedTrustKey keeps the trust bundle's key, sealed, in the database's
// meta table.
type sealedTrustKey struct{ db Database }

func (k sealedTrustKey) Get(ctx context.Context) ([]byte, bool, error) {
	v, ok, err := k.db.Meta(ctx, trustKeyMeta)
	if err != nil || !ok {
		return nil, false, err
	}
	sealed, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, false, fmt.Errorf("the sealed trust bundle key: %w", err)
	}
	return sealed, true, nil
}

func (k sealedTrustKey) Set(ctx context.Context, sealed []byte) error {
	return k.db.AddMeta(ctx, trustKeyMeta, base64.StdEncoding.EncodeToString(sealed))
}

type sealedWitnessKey struct{ s witness.DurableStore }

func (k sealedWitnessKey) Get(ctx context.Context) ([]byte, bool, error) { return k.s.Key(ctx) }
func (k sealedWitnessKey) Set(ctx context.Context, b []byte) error       { return k.s.SetKey(ctx, b) }
