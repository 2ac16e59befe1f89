package trust

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
)

// Issuers is the registry a bundle lists (issuer.Service).
type Issuers interface {
	Issuers(ctx context.Context) ([]issuer.Issuer, error)
	// History returns every key of the issuer, oldest first.
	History(ctx context.Context, issuerID string) ([]issuer.PublicKey, error)
}

// Statuses is the status of the credentials (credential.Service).
type Statuses interface {
	// StatusLists returns every status list credential, as served.
	StatusLists(ctx context.Context) ([]credential.SignedList, error)
	// Changed returns every revoked or suspended credential.
	Changed(ctx context.Context) ([]credential.Changed, error)
}

// Notary is the transparency log (notary.Log).
type Notary interface {
	Origin() string
	// Policy is the log's key, and the witnesses and quorum it requires.
	Policy(ctx context.Context) (checkpoint.Policy, error)
}

// DefaultMaxAge is how old the bundle a Publisher serves may be: its
// status snapshot is never older than that when it is served.
const DefaultMaxAge = time.Minute

// Options configure a Publisher.
type Options struct {
	// Deployment is the public URL of the deployment.
	Deployment string
	// MarkOwner is the national owner of the «Competenza Certificata» mark.
	MarkOwner Party
	Issuers   Issuers
	Statuses  Statuses
	Log       Notary
	// TSARoots are the roots the deployment checks its TSA's tokens with;
	// none: it has no TSA, and receipts need no timestamp.
	TSARoots []*x509.Certificate
	// Key returns the key that signs the bundle: asked for the first time
	// it is needed (it may make it), then kept.
	Key func(ctx context.Context) (ed25519.PrivateKey, error)
	// MaxAge is how long a bundle is served before a new one is made
	// (default DefaultMaxAge).
	MaxAge time.Duration
	// Clock and Rand default to the system's (Rand seals the reasons).
	Clock attesta.Clock
	Rand  io.Reader
}

// Publisher makes the deployment's signed bundle, and keeps it for
// MaxAge: serving it costs nothing in between.
type Publisher struct {
	opts Options

	mu     sync.Mutex
	key    ed25519.PrivateKey
	signed []byte
	// generated is when the status of the bundle signed was taken.
	generated time.Time
}

// NewPublisher returns a Publisher.
func NewPublisher(opts Options) *Publisher {
	if opts.MaxAge <= 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.Clock == nil {
		opts.Clock = attesta.SystemClock
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	return &Publisher{opts: opts}
}

// Key is the bundle key, which verifiers pin, as a did:key.
func (p *Publisher) Key(ctx context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key, err := p.signer(ctx)
	if err != nil {
		return "", err
	}
	return KeyID(key.Public().(ed25519.PublicKey)), nil
}

// signer returns the bundle key; p.mu is held.
func (p *Publisher) signer(ctx context.Context) (ed25519.PrivateKey, error) {
	if p.key == nil {
		key, err := p.opts.Key(ctx)
		if err != nil {
			return nil, fmt.Errorf("the trust bundle key: %w", err)
		}
		p.key = key
	}
	return p.key, nil
}

// MaxAge is how long a bundle is served.
func (p *Publisher) MaxAge() time.Duration { return p.opts.MaxAge }

// Bundle returns the signed bundle and how long it may still be served
// (cached): the one made last if it is younger than MaxAge, else a new one.
func (p *Publisher) Bundle(ctx context.Context) ([]byte, time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.opts.Clock()
	if p.signed == nil || now.Before(p.generated) || now.Sub(p.generated) >= p.opts.MaxAge {
		key, err := p.signer(ctx)
		if err != nil {
			return nil, 0, err
		}
		b, err := p.Build(ctx)
		if err != nil {
			return nil, 0, err
		}
		signed, err := Sign(b, key)
		if err != nil {
			return nil, 0, err
		}
		p.signed, p.generated = signed, b.Status.Taken
	}
	return p.signed, p.opts.MaxAge - now.Sub(p.generated), nil
}

// Build makes a bundle, unsigned, of the deployment as it is now.
func (p *Publisher) Build(ctx context.Context) (*Bundle, error) {
	o := p.opts
	b := &Bundle{Type: Type, Deployment: o.Deployment, MarkOwner: o.MarkOwner, Issuers: []Issuer{},
		Status: Status{Lists: nil, Changes: []Change{}}}
	// The status is at least as recent as the time taken before reading it.
	b.Status.Taken = o.Clock().UTC()
	lists, err := o.Statuses.StatusLists(ctx)
	if err != nil {
		return nil, fmt.Errorf("trust bundle: %w", err)
	}
	for _, l := range lists {
		b.Status.Lists = append(b.Status.Lists, l.Body)
	}
	changed, err := o.Statuses.Changed(ctx)
	if err != nil {
		return nil, fmt.Errorf("trust bundle: %w", err)
	}
	for _, c := range changed {
		ch, err := sealReason(o.Rand, c.ID, c.Reason)
		if err != nil {
			return nil, fmt.Errorf("trust bundle: %w", err)
		}
		b.Status.Changes = append(b.Status.Changes, ch)
	}
	issuers, err := o.Issuers.Issuers(ctx)
	if err != nil {
		return nil, fmt.Errorf("trust bundle: %w", err)
	}
	for _, iss := range issuers {
		keys, err := o.Issuers.History(ctx, iss.ID)
		if err != nil {
			return nil, fmt.Errorf("trust bundle: %w", err)
		}
		out := Issuer{ID: iss.ID, DID: iss.DID, Name: iss.Profile.Name, Kind: KindChamber, Keys: []Key{}}
		if !iss.Chamber() {
			out.Kind = KindService
		}
		for _, k := range keys {
			key := Key{ID: k.VerificationMethod, PublicKeyMultibase: did.EncodePublicKey(k.Public), Created: k.CreatedAt.UTC()}
			switch {
			case k.End.IsZero():
			case k.Compromised:
				key.Revoked = k.End.UTC()
			default:
				key.Expires = k.End.UTC()
			}
			out.Keys = append(out.Keys, key)
		}
		b.Issuers = append(b.Issuers, out)
	}
	policy, err := o.Log.Policy(ctx)
	if err != nil {
		return nil, fmt.Errorf("trust bundle: %w", err)
	}
	b.Log = Log{Origin: o.Log.Origin(), Key: policy.Log.String(), Witnesses: []string{}, Quorum: policy.Quorum, TSARoots: EncodeRoots(o.TSARoots)}
	for _, w := range policy.Witnesses {
		b.Log.Witnesses = append(b.Log.Witnesses, w.String())
	}
	if b.Status.Lists == nil {
		b.Status.Lists = []json.RawMessage{}
	}
	b.Generated = o.Clock().UTC()
	return b, nil
}
