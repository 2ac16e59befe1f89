package org

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
)

// Filter narrows a listing of organisations. Zero fields do not filter,
// except Reach: the zero Reach lists nothing.
type Filter struct {
	Kind  auth.OrgKind
	Query string // part of the name, the school code or the tax code
	// Reach, set by the Service from the principal: only the organisations
	// it reaches. Its zero value lists none.
	Reach         auth.Reach
	Limit, Offset int
}

// MaxLimit bounds a page of organisations.
const MaxLimit = 1000

// Reader reads organisations inside a transaction.
type Reader interface {
	// Organisation returns one, or an error with code attesta.NotFound.
	Organisation(ctx context.Context, id string) (*Organisation, error)
	// Organisations lists those matching f, ordered by name and id.
	Organisations(ctx context.Context, f Filter) ([]Organisation, error)
}

// Writer writes organisations inside a transaction, and records the
// change in the audit trail.
type Writer interface {
	Reader
	// InsertOrganisation adds one; a taken id or natural key is an error
	// with code attesta.Conflict.
	InsertOrganisation(ctx context.Context, o *Organisation) error
	// UpdateOrganisation replaces the stored one with o (same id).
	UpdateOrganisation(ctx context.Context, o *Organisation) error
	// Record appends an entry to the audit trail (audit.Recorder).
	Record(ctx context.Context, e *audit.Entry) error
}

// Store keeps organisations; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is the organisations' use-cases.
type Service struct {
	store Store
	now   attesta.Clock
}

// NewService returns the service.
func NewService(store Store, now attesta.Clock) *Service { return &Service{store: store, now: now} }

// List returns the organisations p reaches that match f.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]Organisation, error) {
	if err := auth.Decide(p, auth.OrgList, auth.Anywhere); err != nil {
		return nil, err
	}
	f.Reach = auth.ReachOf(p)
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	var out []Organisation
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Organisations(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing organisations: %w", err)
	}
	// The filter above is the scope; this is the decision, kept in one place.
	return slices.DeleteFunc(out, func(o Organisation) bool { return !auth.Reaches(p, o.Object()) }), nil
}

// Get returns an organisation p may see.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id string) (*Organisation, error) {
	var out *Organisation
	err := s.store.View(ctx, func(r Reader) error {
		o, err := r.Organisation(ctx, id)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.OrgView, o.Object()); err != nil {
			return err
		}
		out = o
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading organisation %s: %w", id, err)
	}
	return out, nil
}

// Create registers a new organisation.
func (s *Service) Create(ctx context.Context, p *auth.Principal, o Organisation) (*Organisation, error) {
	o.Normalize()
	if err := s.mayCreate(p, &o); err != nil {
		return nil, err
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = s.now(), s.now()
	err := s.store.Update(ctx, func(w Writer) error {
		if err := w.InsertOrganisation(ctx, &o); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, o.CreatedAt, string(auth.OrgCreate), o.Object(), nil, o)
	})
	if err != nil {
		return nil, fmt.Errorf("registering %s: %w", o.ID, err)
	}
	return &o, nil
}

// mayCreate decides whether p may register o. Outside a Chamber's
// territory it is forbidden, not "not found": nothing is revealed.
func (s *Service) mayCreate(p *auth.Principal, o *Organisation) error {
	err := auth.Decide(p, auth.OrgCreate, o.Object())
	if attesta.ErrorCode(err) == attesta.NotFound {
		return attesta.E(attesta.Forbidden, "err.org.province.outside", o.Province)
	}
	return err
}

// Clearable are the fields an update may remove (Update's clear): those
// some kind of organisation may leave empty.
var Clearable = []string{"tax_code", "rea", "ateco", "email"}

// Update changes an organisation's details: the fields o gives replace the
// stored ones; a blank field keeps the stored value, for a blank is not a
// removal. clear names the fields to remove (of Clearable). Its id and kind
// do not change: a kind other than the stored one is refused (Invalid), and
// so is a change the caller may not make (Forbidden), each naming its field
// — never dropped from an update that succeeds. An empty kind, and for
// whoever may not change them a Chamber's provinces left out, mean no
// change. The audit trail records the details before and after; an update
// that changes nothing writes and records nothing.
func (s *Service) Update(ctx context.Context, p *auth.Principal, o Organisation, clear ...string) (*Organisation, error) {
	o.Normalize()
	err := s.store.Update(ctx, func(w Writer) error {
		old, err := w.Organisation(ctx, o.ID)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.OrgUpdate, old.Object()); err != nil {
			return err
		}
		if o.Kind != "" && o.Kind != old.Kind {
			var fe attesta.FieldErrors
			fe.Problem("kind", "err.org.kind.fixed", old.Kind)
			return fe.Err()
		}
		if err := merge(&o, old, clear); err != nil {
			return err
		}
		o.Kind, o.CreatedAt, o.UpdatedAt = old.Kind, old.CreatedAt, s.now()
		if p.Role != auth.NationalAdmin {
			// Only the national body moves an organisation or changes a
			// Chamber's territory.
			if o.Province != old.Province && !slices.Contains(p.Provinces, o.Province) {
				return attesta.E(attesta.Forbidden, "err.org.province.outside", o.Province)
			}
			if o.Kind == auth.Chamber {
				if len(o.Provinces) > 0 && !sameSet(o.Provinces, old.Provinces) {
					var fe attesta.FieldErrors
					fe.Problem("provinces", "err.org.provinces.national")
					return fe.WithCode(attesta.Forbidden)
				}
				o.Provinces = old.Provinces
			}
		}
		if err := o.Validate(); err != nil {
			return err
		}
		if same(&o, old) {
			// Nothing changes: nothing is written, nor recorded.
			o = *old
			return nil
		}
		if err := w.UpdateOrganisation(ctx, &o); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, o.UpdatedAt, string(auth.OrgUpdate), o.Object(), old, o)
	})
	if err != nil {
		return nil, fmt.Errorf("updating %s: %w", o.ID, err)
	}
	return &o, nil
}

// sameSet reports whether a and b hold the same values, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// merge fills the blank fields of o with old's, then removes the fields
// clear names. A field both given and cleared, or one that cannot be
// cleared, is refused.
func merge(o *Organisation, old *Organisation, clear []string) error {
	var fe attesta.FieldErrors
	fields := []struct {
		name     string
		dst, was *string
	}{
		{"name", &o.Name, &old.Name}, {"province", &o.Province, &old.Province}, {"school_code", &o.SchoolCode, &old.SchoolCode},
		{"school_type", (*string)(&o.SchoolType), (*string)(&old.SchoolType)}, {"tax_code", &o.TaxCode, &old.TaxCode},
		{"rea", &o.REA, &old.REA}, {"ateco", &o.ATECO, &old.ATECO}, {"email", &o.Email, &old.Email},
	}
	for _, f := range fields {
		cleared := slices.Contains(clear, f.name)
		switch {
		case cleared && *f.dst != "":
			fe.Problem(f.name, "err.org.clear.given")
		case !cleared && *f.dst == "":
			*f.dst = *f.was
		}
	}
	if len(o.Provinces) == 0 {
		o.Provinces = slices.Clone(old.Provinces)
	}
	for _, c := range clear {
		if !slices.Contains(Clearable, c) {
			fe.Problem("clear", "err.org.clear.unknown", c)
		}
	}
	return fe.Err()
}

// same reports whether a and b hold the same details, times aside.
func same(a, b *Organisation) bool {
	x, y := *a, *b
	x.Provinces, y.Provinces = nil, nil
	x.CreatedAt, x.UpdatedAt, y.CreatedAt, y.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y) && sameSet(a.Provinces, b.Provinces)
}
