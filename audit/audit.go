// Package audit is the trail of every change made on the platform: who
// (person, role, organisation), when, on what object, and the object
// before and after. Entries are written in the transaction of the change
// they record, so there is no change without its entry, and the tables are
// append-only (the engines refuse UPDATE and DELETE with triggers).
//
// The national body sees the whole trail; a Chamber sees the entries about
// the organisations of its territory and its own. Filters narrow by
// person, object kind, object, action and time.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
)

// Entry is one change.
type Entry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`      // person id; "" for the system (demo, migrations)
	ActorName  string          `json:"actor_name"` // as it was then
	ActorRole  auth.Role       `json:"actor_role,omitempty"`
	ActorOrg   string          `json:"actor_org,omitempty"`
	Action     string          `json:"action"` // e.g. organisation.create
	ObjectKind auth.ObjectKind `json:"object_kind"`
	ObjectID   string          `json:"object_id"`
	// Org and Province place the object, for the Chambers' view.
	Org      string          `json:"org,omitempty"`
	Province string          `json:"province,omitempty"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
}

// Recorder appends entries inside the transaction of a change.
type Recorder interface {
	Record(ctx context.Context, e *Entry) error
}

// New returns an entry for a change made by p (nil: the system) at time
// at, with before and after encoded as JSON (nil values are left out).
func New(p *auth.Principal, at time.Time, action string, obj auth.Object, before, after any) (*Entry, error) {
	e := &Entry{At: at, Action: action, ObjectKind: obj.Kind, ObjectID: obj.ID}
	if p != nil {
		e.Actor, e.ActorName, e.ActorRole, e.ActorOrg = p.Person, p.Name, p.Role, p.Org
	}
	if len(obj.Places) > 0 {
		e.Org, e.Province = obj.Places[0].Org, obj.Places[0].Province
	}
	var err error
	if e.Before, err = encode(before); err != nil {
		return nil, fmt.Errorf("recording %s: %w", action, err)
	}
	if e.After, err = encode(after); err != nil {
		return nil, fmt.Errorf("recording %s: %w", action, err)
	}
	return e, nil
}

func encode(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

// Record is New followed by r.Record.
func Record(ctx context.Context, r Recorder, p *auth.Principal, at time.Time, action string, obj auth.Object, before, after any) error {
	e, err := New(p, at, action, obj, before, after)
	if err != nil {
		return err
	}
	if err := r.Record(ctx, e); err != nil {
		return fmt.Errorf("recording %s: %w", action, err)
	}
	return nil
}

// Filter narrows a listing. Zero fields do not filter, except Reach: the
// zero Reach lists nothing.
type Filter struct {
	Actor      string
	ObjectKind auth.ObjectKind
	ObjectID   string
	Action     string
	Since      time.Time // inclusive
	Until      time.Time // exclusive
	// Reach, set by the Service from the principal: only the entries about
	// an organisation it reaches (Org, Province) or made by one (ActorOrg).
	// Its zero value lists none.
	Reach  auth.Reach
	Before int64 // entries with Seq < Before (paging); 0: the newest
	Limit  int   // at most MaxLimit
}

// MaxLimit bounds a page.
const MaxLimit = 500

// MaxText bounds a filter's texts: the actor, the object, the action.
const MaxText = 100

// actionPattern is the form of an action: words of lower-case letters
// joined by dots (organisation.update).
var actionPattern = regexp.MustCompile(`^[a-z]+(\.[a-z]+)*$`)

// SinceDay and UntilDay set the filter's period from days written as
// 2026-11-02, as they are in Rome: from the first moment of since, to the
// last of until. Each reports whether its day could be read; the surface
// that read it says the refusal in its own words.
func (f *Filter) SinceDay(day string) bool {
	t, err := time.ParseInLocation(time.DateOnly, day, attesta.Rome)
	if err != nil {
		return false
	}
	f.Since = t
	return true
}

// UntilDay: see SinceDay.
func (f *Filter) UntilDay(day string) bool {
	t, err := time.ParseInLocation(time.DateOnly, day, attesta.Rome)
	if err != nil {
		return false
	}
	f.Until = t.AddDate(0, 0, 1)
	return true
}

// check refuses a filter that does not say what it filters by: an unknown
// kind of object, an action not written as actions are, a text longer than
// MaxText, a period that ends before it starts.
func (f *Filter) check() error {
	var fe attesta.FieldErrors
	if f.ObjectKind != "" && !f.ObjectKind.Valid() {
		fe.Problem("kind", "err.audit.kind", f.ObjectKind)
	}
	for _, t := range []struct{ field, v string }{{"actor", f.Actor}, {"object", f.ObjectID}, {"action", f.Action}} {
		if len(t.v) > MaxText {
			fe.Problem(t.field, "err.audit.long", MaxText)
		}
	}
	if f.Action != "" && len(f.Action) <= MaxText && !actionPattern.MatchString(f.Action) {
		fe.Problem("action", "err.audit.action", f.Action)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if !f.Until.IsZero() && !f.Since.IsZero() && !f.Until.After(f.Since) {
		return attesta.E(attesta.Invalid, "err.audit.period")
	}
	return nil
}

// Reader lists entries, newest first.
type Reader interface {
	Entries(ctx context.Context, f Filter) ([]Entry, error)
}

// Store reads the trail.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
}

// Service is the audit trail's use-cases.
type Service struct{ store Store }

// NewService returns the service.
func NewService(store Store) *Service { return &Service{store: store} }

// List returns the entries p may see that match f, newest first.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]Entry, error) {
	if err := auth.Decide(p, auth.AuditView, auth.Anywhere); err != nil {
		return nil, err
	}
	f.Reach = auth.ReachOf(p)
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = 100
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	var out []Entry
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Entries(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing the audit trail: %w", err)
	}
	// The filter above is the scope; this is the decision, kept here.
	return slices.DeleteFunc(out, func(e Entry) bool { return !visible(p, e) }), nil
}

// visible reports whether p may see entry e: the national body every one;
// a Chamber those about its territory's organisations and those made by
// its own people.
func visible(p *auth.Principal, e Entry) bool {
	if p.Role == auth.NationalAdmin {
		return true
	}
	return e.ActorOrg == p.Org || e.Org == p.Org || (e.Province != "" && slices.Contains(p.Provinces, e.Province))
}
