// Package share is a learner's public links to their badges: one link per
// badge, which only the learner turns on and off, with an optional expiry of
// the link (not of the credential, whose validity is its own), and the
// fields the public page shows beyond the essentials — the competence, the
// awarding Chamber, the date and the badge's status, which every shared page
// shows, so that a revoked badge's page says so.
//
// # Minors
//
// Most learners are minors, and attesta keeps no birth date
// (package people). So a link is off until the learner turns it on, and
// turning it on records either the learner's declaration of being of age
// or the name of the parent or guardian who consents, with the time: the
// consent is recorded where the learner is a minor, and the declaration is
// the learner's where they are not.
package share

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/people"
)

// Fields are what a shared page shows besides the essentials.
type Fields struct {
	Name       bool `json:"name"`       // the learner's name
	Results    bool `json:"results"`    // the observation levels and the test
	Credential bool `json:"credential"` // the signed credential, to download and verify (it carries the results)
}

// Consent is what turning a link on rests on: the learner's declaration of
// being of age, or the consent of a parent or guardian, by name.
type Consent struct {
	Adult    bool      `json:"adult,omitempty"`
	Guardian string    `json:"guardian,omitempty"`
	At       time.Time `json:"at,omitzero"`
}

// Link is a badge's public link.
type Link struct {
	Credential string `json:"credential"`
	Person     string `json:"person"`
	// Token is the link's secret part (/s/{token}); a new one each time
	// the link is turned on, so that a link turned off stays dead.
	Token   string    `json:"token,omitempty"`
	On      bool      `json:"on"`
	Fields  Fields    `json:"fields"`
	Expires time.Time `json:"expires,omitzero"` // of the link; zero: until turned off
	Consent Consent   `json:"consent"`
	Created time.Time `json:"created,omitzero"`
	Changed time.Time `json:"changed,omitzero"`
	// Name is the learner's name, filled by Public when the link shares
	// it.
	Name string `json:"-"`
}

// Open reports whether the link shows the badge at now.
func (l *Link) Open(now time.Time) bool {
	return l != nil && l.On && l.Token != "" && (l.Expires.IsZero() || now.Before(l.Expires))
}

// LastDay is the last day the link works (in Rome), when it expires.
func (l *Link) LastDay() time.Time {
	return l.Expires.In(attesta.Rome).Add(-time.Second)
}

// Expired reports whether the link is on but past its expiry.
func (l *Link) Expired(now time.Time) bool {
	return l != nil && l.On && !l.Expires.IsZero() && !now.Before(l.Expires)
}

// Settings are what the learner asks: the link on with its fields, expiry
// and consent, or off.
type Settings struct {
	On     bool
	Fields Fields
	// Expires is the link's last day (YYYY-MM-DD, the link works until
	// its end in Rome); "" for no expiry.
	Expires  string
	Adult    bool
	Guardian string
}

// Badge is what the service needs of a badge: its learner, whether its
// credential is revoked, its learner's memberships.
type Badge struct {
	Credential string
	Person     string
	Revoked    bool
}

// Reader reads links.
type Reader interface {
	// Link returns a badge's link, or NotFound if it never had one;
	// LinkByToken the link with that token, or NotFound.
	Link(ctx context.Context, credential string) (*Link, error)
	LinkByToken(ctx context.Context, token string) (*Link, error)
	// SharedBadge returns a badge of a learner (a competence badge or an
	// area credential) by its credential id, or NotFound.
	SharedBadge(ctx context.Context, credential string) (*Badge, error)
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
	Person(ctx context.Context, id string) (*people.Person, error)
}

// Writer changes links.
type Writer interface {
	Reader
	audit.Recorder
	PutLink(ctx context.Context, l *Link) error
	// CloseLinks turns off every link of person, returning how many were on.
	CloseLinks(ctx context.Context, person string, at time.Time) (int, error)
}

// Store runs transactions.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is the learners' links.
type Service struct {
	store Store
	now   func() time.Time
	rand  io.Reader
}

// Options configure a Service.
type Options struct {
	Clock func() time.Time
	Rand  io.Reader
}

// NewService returns the service.
func NewService(store Store, o Options) *Service {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	return &Service{store: store, now: o.Clock, rand: o.Rand}
}

// MaxExpiry is how far ahead a link's expiry may be set.
const MaxExpiry = 5 * 365 * 24 * time.Hour

// maxGuardian bounds the guardian's name.
const maxGuardian = 200

// decide reads the badge and decides p's action on it: a badge p may not
// see is not found.
func decide(ctx context.Context, r Reader, p *auth.Principal, a auth.Action, credential string) (*Badge, auth.Object, error) {
	b, err := r.SharedBadge(ctx, credential)
	if err != nil {
		return nil, auth.Object{}, err
	}
	ms, err := r.Memberships(ctx, b.Person)
	if err != nil {
		return nil, auth.Object{}, err
	}
	obj := people.PersonObject(b.Person, ms)
	if err := auth.Decide(p, a, obj); err != nil {
		if attesta.ErrorCode(err) == attesta.NotFound {
			return nil, auth.Object{}, attesta.E(attesta.NotFound, "err.credential.notfound", credential)
		}
		return nil, auth.Object{}, err
	}
	obj.ID = credential
	return b, obj, nil
}

// Link returns a badge's link as p (its learner, or who may see their
// badges) sees it; a badge never shared has a link that is off.
func (s *Service) Link(ctx context.Context, p *auth.Principal, credential string) (*Link, error) {
	var out *Link
	err := s.store.View(ctx, func(r Reader) error {
		b, _, err := decide(ctx, r, p, auth.BadgeView, credential)
		if err != nil {
			return err
		}
		l, err := r.Link(ctx, credential)
		if attesta.ErrorCode(err) == attesta.NotFound {
			l, err = &Link{Credential: credential, Person: b.Person}, nil
		}
		out = l
		return err
	})
	return out, err
}

// Share sets a badge's link as its learner asks: on (with a new token if
// it was off), with its fields, expiry and consent; or off. Only the
// learner shares their badge; a revoked badge cannot be shared.
func (s *Service) Share(ctx context.Context, p *auth.Principal, credential string, set Settings) (*Link, error) {
	now := s.now()
	var out *Link
	err := s.store.Update(ctx, func(w Writer) error {
		b, obj, err := decide(ctx, w, p, auth.BadgeShare, credential)
		if err != nil {
			return err
		}
		old, err := w.Link(ctx, credential)
		if attesta.ErrorCode(err) == attesta.NotFound {
			old, err = &Link{Credential: credential, Person: b.Person, Created: now}, nil
		}
		if err != nil {
			return err
		}
		l := *old
		if !set.On {
			if !l.On {
				out = old
				return nil
			}
			l.On, l.Changed = false, now
			if err := w.PutLink(ctx, &l); err != nil {
				return err
			}
			out = &l
			return audit.Record(ctx, w, p, now, "badge.unshare", obj, old, &l)
		}
		if b.Revoked {
			return attesta.E(attesta.Conflict, "err.share.revoked")
		}
		var fe attesta.FieldErrors
		expires, consent := s.check(set, now, &fe)
		if err := fe.Err(); err != nil {
			return err
		}
		if !l.On || l.Token == "" || l.Expired(now) {
			if l.Token, err = s.token(); err != nil {
				return err
			}
		}
		l.On, l.Fields, l.Expires, l.Consent, l.Changed = true, set.Fields, expires, consent, now
		if err := w.PutLink(ctx, &l); err != nil {
			return err
		}
		out = &l
		return audit.Record(ctx, w, p, now, string(auth.BadgeShare), obj, old, &l)
	})
	if err != nil {
		return nil, fmt.Errorf("sharing badge %s: %w", credential, err)
	}
	return out, nil
}

// check checks the settings of a link turned on.
func (s *Service) check(set Settings, now time.Time, fe *attesta.FieldErrors) (time.Time, Consent) {
	var expires time.Time
	if e := strings.TrimSpace(set.Expires); e != "" {
		day, err := time.ParseInLocation(time.DateOnly, e, attesta.Rome)
		switch {
		case err != nil:
			fe.Problem("expires", "err.share.expires.format", e)
		default:
			expires = day.AddDate(0, 0, 1) // the link works until the end of its last day
			if !expires.After(now) {
				fe.Problem("expires", "err.share.expires.past", e)
			} else if expires.Sub(now) > MaxExpiry {
				fe.Problem("expires", "err.share.expires.far", e)
			}
		}
	}
	guardian := strings.Join(strings.Fields(set.Guardian), " ")
	switch {
	case set.Adult && guardian != "":
		fe.Problem("consent", "err.share.consent.both")
	case !set.Adult && guardian == "":
		fe.Problem("consent", "err.share.consent.required")
	case utf8.RuneCountInString(guardian) > maxGuardian:
		fe.Problem("guardian", "err.share.guardian.long", maxGuardian)
	case strings.ContainsFunc(guardian, unicode.IsControl):
		fe.Problem("guardian", "err.share.guardian.chars")
	}
	return expires, Consent{Adult: set.Adult, Guardian: guardian, At: now}
}

func (s *Service) token() (string, error) {
	b := make([]byte, 18)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("a link's token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// MaxToken bounds a token read from a request.
const MaxToken = 64

// Public returns the link with token for anyone, with the learner's name
// if the link shares it: NotFound when there is none or it is off, and
// NotFound saying so ("err.share.expired") when it is past its expiry.
// What the page shows of the badge is the caller's, by the link's Fields.
func (s *Service) Public(ctx context.Context, token string) (*Link, error) {
	if token == "" || len(token) > MaxToken {
		return nil, attesta.E(attesta.NotFound, "err.share.notfound")
	}
	var out *Link
	err := s.store.View(ctx, func(r Reader) error {
		l, err := r.LinkByToken(ctx, token)
		if err != nil {
			return err
		}
		if l.Fields.Name {
			pe, err := r.Person(ctx, l.Person)
			if err != nil {
				return err
			}
			l.Name = pe.Name()
		}
		out = l
		return nil
	})
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, attesta.E(attesta.NotFound, "err.share.notfound")
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case out.Expired(now):
		return nil, attesta.E(attesta.NotFound, "err.share.expired", attesta.Date(out.Expires.Add(-time.Second)))
	case !out.Open(now):
		return nil, attesta.E(attesta.NotFound, "err.share.notfound")
	}
	return out, nil
}
