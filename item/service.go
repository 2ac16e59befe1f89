package item

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/people"
)

// Version is a version of an item as the bank keeps it: the item, whose
// bank it is in (the organisation that owns it: the national body, or a
// Chamber with a bank of its own), who wrote it and who reviewed it.
type Version struct {
	Item
	// Owner is the organisation whose bank the item is in: a Chamber's id,
	// or National.
	Owner      string    `json:"owner"`
	Author     string    `json:"author"`
	AuthorName string    `json:"author_name"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Reviewer is who approved the version or sent it back, with Comment
	// saying why it was sent back.
	Reviewer     string    `json:"reviewer,omitempty"`
	ReviewerName string    `json:"reviewer_name,omitempty"`
	ReviewedAt   time.Time `json:"reviewed_at,omitzero"`
	Comment      string    `json:"comment,omitempty"`
}

// Act is something done to a version of an item.
type Act string

// The acts.
const (
	Edit     Act = "edit"      // change a draft
	Submit   Act = "submit"    // send a draft for review
	Approve  Act = "approve"   // approve a version in review
	SendBack Act = "send_back" // send a version in review back to its author, with a comment
	Retire   Act = "retire"    // take an approved version out of use
	Revise   Act = "revise"    // start a new version from an approved or retired one
)

// Acts lists them.
var Acts = []Act{Edit, Submit, Approve, SendBack, Retire, Revise}

// Words names the act, as a message argument.
func (a Act) Words() attesta.Message { return attesta.M("item.act." + string(a)) }

// Words names the dimension, as a message argument.
func (d Dimension) Words() attesta.Message { return attesta.M("item.dimension." + string(d)) }

// Words names the status, as a message argument.
func (s Status) Words() attesta.Message { return attesta.M("item.status." + string(s)) }

// Allows says whether a version in status s may undergo a: nil, or an
// error with code attesta.Conflict that names both.
func (s Status) Allows(a Act) error {
	ok := false
	switch a {
	case Edit, Submit:
		ok = s == Draft
	case Approve, SendBack:
		ok = s == Review
	case Retire:
		ok = s == Approved
	case Revise:
		ok = s == Approved || s == Retired
	}
	if !ok {
		return attesta.E(attesta.Conflict, "err.item.state", s.Words(), a.Words())
	}
	return nil
}

// Filter narrows a listing of the bank: the latest version of each item.
// Zero fields do not filter.
type Filter struct {
	// Owners, set by the Service from the principal: the banks listed.
	Owners []string
	// Published lists, of the banks in PublishedOnly, only the items whose
	// latest version is approved or retired (a Chamber sees the national
	// bank's approved items, not its drafts).
	PublishedOnly []string
	Sector        string
	Standard      int
	Competence    string
	Status        Status
	Kind          Kind
	Dimension     Dimension
	Lang          string
	Limit, Offset int
}

// MaxLimit bounds a page of items.
const MaxLimit = 500

// Reader reads the bank inside a transaction.
type Reader interface {
	// Items lists the latest version of each item matching f, by id.
	Items(ctx context.Context, f Filter) ([]Version, error)
	// ItemVersions lists an item's versions, oldest first; none when it
	// does not exist.
	ItemVersions(ctx context.Context, id string) ([]Version, error)
}

// Writer changes the bank inside a transaction, with the audit trail.
type Writer interface {
	Reader
	// Standard returns a version of a standard with its content, or
	// NotFound.
	Standard(ctx context.Context, sector string, version int) (*competence.Standard, error)
	// Record appends an entry to the audit trail.
	Record(ctx context.Context, e *audit.Entry) error
	// InsertItem adds a version of an item.
	InsertItem(ctx context.Context, v *Version) error
	// UpdateItem writes a version's content, status, review and update
	// time; only a draft's content changes (the Service's rule, which the
	// engines enforce too).
	UpdateItem(ctx context.Context, v *Version) error
}

// Store keeps the bank; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Options are the bank's settings.
type Options struct {
	// ChamberBanks lets each Chamber of Commerce keep a bank of its own,
	// which its operators write and review; otherwise only the national
	// body writes items.
	ChamberBanks bool
}

// National is the owner of the national bank, the national body's: no
// organisation in particular (whoever holds the national body's role).
const National = ""

// Service is the item bank's use-cases.
type Service struct {
	store Store
	now   attesta.Clock
	rand  io.Reader
	opts  Options
}

// NewService returns the service; rnd nil means crypto/rand.
func NewService(store Store, now attesta.Clock, rnd io.Reader, opts Options) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: now, rand: rnd, opts: opts}
}

// Object describes an item for authorization and the audit trail.
func Object(id string) auth.Object { return auth.Object{Kind: auth.ItemObject, ID: id} }

// bank says which bank p writes and reviews, or an error: the national
// body the national bank; a Chamber's operators their Chamber's, when
// Chambers keep banks.
func (s *Service) bank(p *auth.Principal) (string, error) {
	switch {
	case p.Role == auth.NationalAdmin:
		return National, nil
	case p.Role == auth.ChamberOperator && s.opts.ChamberBanks:
		return p.Org, nil
	}
	return "", attesta.E(attesta.Forbidden, "err.item.bank.none")
}

// Bank says which bank p writes and reviews: National, or p's Chamber's
// when Chambers keep banks; anyone else is Forbidden. Pages ask it to
// offer only the forms p may use.
func (s *Service) Bank(p *auth.Principal) (string, error) {
	if err := auth.Decide(p, auth.ItemAuthor, auth.Anywhere); err != nil {
		return "", err
	}
	return s.bank(p)
}

// sees reports whether p may see versions of an item of owner in status
// st: the national body every item; a Chamber its own bank's, and the
// national bank's once approved.
func (s *Service) sees(p *auth.Principal, owner string, st Status) bool {
	switch p.Role {
	case auth.NationalAdmin:
		return true
	case auth.ChamberOperator:
		return owner == p.Org || owner == National && (st == Approved || st == Retired)
	}
	return false
}

// List lists the latest version of each item p may see matching f.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]Version, error) {
	if err := auth.Decide(p, auth.ItemView, auth.Anywhere); err != nil {
		return nil, err
	}
	f.Owners, f.PublishedOnly = nil, nil
	if p.Role != auth.NationalAdmin {
		f.Owners = []string{National, p.Org}
		f.PublishedOnly = []string{National}
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	var out []Version
	err := s.store.View(ctx, func(r Reader) error {
		var err error
		out, err = r.Items(ctx, f)
		return err
	})
	return out, err
}

// Export returns the latest version of every item p may see matching f,
// not a page of them, to be written as a QTI package: of every status for
// whoever writes a bank (the national body, a Chamber keeping its own),
// approved only for anyone else, whatever f asks.
func (s *Service) Export(ctx context.Context, p *auth.Principal, f Filter) ([]Item, error) {
	if _, err := s.Bank(p); err != nil {
		f.Status = Approved
	}
	var out []Item
	for f.Offset = 0; ; f.Offset += MaxLimit {
		f.Limit = MaxLimit
		vs, err := s.List(ctx, p, f)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			out = append(out, v.Item)
		}
		if len(vs) < MaxLimit {
			return out, nil
		}
	}
}

// Get returns the versions of item id that p may see, oldest first.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id string) ([]Version, error) {
	if err := auth.Decide(p, auth.ItemView, Object(id)); err != nil {
		return nil, err
	}
	var out []Version
	err := s.store.View(ctx, func(r Reader) error {
		vs, err := r.ItemVersions(ctx, id)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if s.sees(p, v.Owner, v.Status) {
				out = append(out, v)
			}
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = notFound(id)
	}
	return out, err
}

func notFound(id string) error { return attesta.E(attesta.NotFound, "err.item.notfound", id) }

// normalize trims what an author typed around the texts and identifiers.
func normalize(it *Item) {
	it.ID, it.Sector, it.Competence, it.ADA, it.Result = strings.TrimSpace(it.ID), strings.TrimSpace(it.Sector),
		strings.TrimSpace(it.Competence), strings.TrimSpace(it.ADA), strings.TrimSpace(it.Result)
	it.Title, it.Prompt = strings.TrimSpace(it.Title), strings.TrimSpace(strings.ReplaceAll(it.Prompt, "\r\n", "\n"))
	for _, cs := range [][]Choice{it.Choices, it.Targets} {
		for i := range cs {
			cs[i].ID, cs[i].Text = strings.TrimSpace(cs[i].ID), strings.TrimSpace(cs[i].Text)
		}
	}
	for i := range it.Correct {
		it.Correct[i] = strings.Join(strings.Fields(it.Correct[i]), " ")
	}
}

// check validates it against the standard version it names, which must be
// published (or superseded).
func check(ctx context.Context, w Writer, it *Item) error {
	var fe attesta.FieldErrors
	st, err := w.Standard(ctx, it.Sector, it.Standard)
	switch {
	case attesta.ErrorCode(err) == attesta.NotFound:
		st = nil
	case err != nil:
		return err
	case st.Status == competence.Draft:
		st = nil
	}
	it.Validate(st, &fe)
	return fe.Err()
}

// Create adds an item to p's bank: its first version, a draft. An item
// without an id gets one.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in Item) (*Version, error) {
	if err := auth.Decide(p, auth.ItemAuthor, auth.Anywhere); err != nil {
		return nil, err
	}
	owner, err := s.bank(p)
	if err != nil {
		return nil, err
	}
	normalize(&in)
	if in.ID == "" {
		if in.ID, err = people.NewID(s.rand, "itm"); err != nil {
			return nil, err
		}
	}
	now := s.now()
	in.Version, in.Status = 1, Draft
	v := &Version{Item: in, Owner: owner, Author: p.Person, AuthorName: p.Name, CreatedAt: now, UpdatedAt: now}
	err = s.store.Update(ctx, func(w Writer) error {
		if err := check(ctx, w, &v.Item); err != nil {
			return err
		}
		old, err := w.ItemVersions(ctx, v.ID)
		if err != nil {
			return err
		}
		if len(old) > 0 {
			return attesta.E(attesta.Conflict, "err.item.exists", v.ID)
		}
		if err := w.InsertItem(ctx, v); err != nil {
			return err
		}
		return record(ctx, w, p, now, "item.create", v, nil, v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// MaxImport bounds the items of one import.
const MaxImport = 2000

// Import adds items to p's bank, all or none, in one transaction: each the
// first version of its item, a draft, audited as imported. Every item is
// checked against the standard it names before anything is written; the
// problems are those of Create, each field under the item's place in
// items ("items[2].competence"), with an item whose identifier is taken
// or repeated refused at "items[i].id". An item without an id gets one.
func (s *Service) Import(ctx context.Context, p *auth.Principal, items []Item) ([]Version, error) {
	if err := auth.Decide(p, auth.ItemAuthor, auth.Anywhere); err != nil {
		return nil, err
	}
	owner, err := s.bank(p)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 || len(items) > MaxImport {
		var fe attesta.FieldErrors
		fe.Problem("items", "err.item.import.count", MaxImport)
		return nil, fe.Err()
	}
	now := s.now()
	out := make([]Version, len(items))
	for i, in := range items {
		normalize(&in)
		if in.ID == "" {
			if in.ID, err = people.NewID(s.rand, "itm"); err != nil {
				return nil, err
			}
		}
		in.Version, in.Status = 1, Draft
		out[i] = Version{Item: in, Owner: owner, Author: p.Person, AuthorName: p.Name, CreatedAt: now, UpdatedAt: now}
	}
	err = s.store.Update(ctx, func(w Writer) error {
		var fe attesta.FieldErrors
		seen := map[string]bool{}
		for i := range out {
			v := &out[i]
			at := fmt.Sprintf("items[%d]", i)
			var one attesta.FieldErrors
			if err := check(ctx, w, &v.Item); err != nil {
				if !errors.As(err, &one) {
					return err
				}
			}
			for _, e := range one {
				fe.Say(at+"."+e.Field, e.Message)
			}
			old, err := w.ItemVersions(ctx, v.ID)
			if err != nil {
				return err
			}
			switch {
			case len(old) > 0:
				fe.Problem(at+".id", "err.item.exists", v.ID)
			case seen[v.ID]:
				fe.Problem(at+".id", "err.item.import.twice", v.ID)
			}
			seen[v.ID] = true
		}
		if len(fe) > 0 {
			return fe.Err()
		}
		for i := range out {
			if err := w.InsertItem(ctx, &out[i]); err != nil {
				return err
			}
			if err := record(ctx, w, p, now, "item.import", &out[i], nil, out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// record writes the audit entry of a change to a version.
func record(ctx context.Context, w Writer, p *auth.Principal, at time.Time, action string, v *Version, before, after any) error {
	e, err := audit.New(p, at, action, Object(fmt.Sprintf("%s/%d", v.ID, v.Version)), before, after)
	if err != nil {
		return err
	}
	e.Org = v.Owner
	return w.Record(ctx, e)
}

// change runs fn on the latest version of item id, as p, when it is the
// version seen (a stale page is refused) and its status allows act; fn
// changes the version, which is then written and audited.
func (s *Service) change(ctx context.Context, p *auth.Principal, action auth.Action, id string, seen int, act Act, fn func(w Writer, v *Version) error) (*Version, error) {
	if err := auth.Decide(p, action, Object(id)); err != nil {
		return nil, err
	}
	var out *Version
	err := s.store.Update(ctx, func(w Writer) error {
		vs, err := w.ItemVersions(ctx, id)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(vs, func(v Version) bool { return s.sees(p, v.Owner, v.Status) }) {
			return notFound(id)
		}
		v := vs[len(vs)-1]
		if owner, err := s.bank(p); err != nil || owner != v.Owner {
			return attesta.E(attesta.Forbidden, "err.item.bank.other", id)
		}
		if seen != v.Version {
			return attesta.E(attesta.Conflict, "err.item.stale", id, seen, v.Version)
		}
		if err := v.Status.Allows(act); err != nil {
			return err
		}
		before := v
		if err := fn(w, &v); err != nil {
			return err
		}
		v.UpdatedAt = s.now()
		if act == Revise {
			if err := w.InsertItem(ctx, &v); err != nil {
				return err
			}
		} else if err := w.UpdateItem(ctx, &v); err != nil {
			return err
		}
		out = &v
		return record(ctx, w, p, v.UpdatedAt, "item."+string(act), &v, before, v)
	})
	return out, err
}

// Edit replaces the content of item id's draft (version seen) with in;
// identifiers and status are the draft's.
func (s *Service) Edit(ctx context.Context, p *auth.Principal, id string, seen int, in Item) (*Version, error) {
	normalize(&in)
	return s.change(ctx, p, auth.ItemAuthor, id, seen, Edit, func(w Writer, v *Version) error {
		in.ID, in.Version, in.Status = v.ID, v.Version, v.Status
		if err := check(ctx, w, &in); err != nil {
			return err
		}
		v.Item = in
		return nil
	})
}

// SubmitForReview sends item id's draft (version seen) for review.
func (s *Service) SubmitForReview(ctx context.Context, p *auth.Principal, id string, seen int) (*Version, error) {
	return s.change(ctx, p, auth.ItemAuthor, id, seen, Submit, func(w Writer, v *Version) error {
		if err := check(ctx, w, &v.Item); err != nil { // the standard may have moved on
			return err
		}
		v.Status, v.Comment = Review, ""
		return nil
	})
}

// MinComment is the shortest comment sending an item back.
const MinComment = 10

// Review approves item id's version in review (version seen), or, with a
// comment, sends it back to its author as a draft. Nobody approves a
// version they wrote: a second person reads every item.
func (s *Service) Review(ctx context.Context, p *auth.Principal, id string, seen int, approve bool, comment string) (*Version, error) {
	act := SendBack
	if approve {
		act = Approve
	}
	comment = strings.TrimSpace(comment)
	return s.change(ctx, p, auth.ItemReview, id, seen, act, func(w Writer, v *Version) error {
		if approve && v.Author == p.Person {
			return attesta.E(attesta.Forbidden, "err.item.approve.self", id)
		}
		if !approve {
			if n := utf8.RuneCountInString(comment); n < MinComment || n > MaxPrompt {
				var fe attesta.FieldErrors
				fe.Problem("comment", "err.item.comment", MinComment, MaxPrompt)
				return fe.Err()
			}
		}
		now := s.now()
		v.Reviewer, v.ReviewerName, v.ReviewedAt = p.Person, p.Name, now
		if !approve {
			v.Status, v.Comment = Draft, comment
			return nil
		}
		v.Status, v.Comment = Approved, ""
		// The version approved before is retired: one version of an item
		// is drawn at a time.
		vs, err := w.ItemVersions(ctx, id)
		if err != nil {
			return err
		}
		for _, old := range vs {
			if old.Version != v.Version && old.Status == Approved {
				before := old
				old.Status, old.UpdatedAt = Retired, now
				if err := w.UpdateItem(ctx, &old); err != nil {
					return err
				}
				if err := record(ctx, w, p, now, "item.retire", &old, before, old); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// RetireItem takes item id's approved version (version seen) out of use.
func (s *Service) RetireItem(ctx context.Context, p *auth.Principal, id string, seen int) (*Version, error) {
	return s.change(ctx, p, auth.ItemReview, id, seen, Retire, func(w Writer, v *Version) error {
		v.Status = Retired
		return nil
	})
}

// NewVersion starts a new version of item id from its latest, approved or
// retired (version seen): a draft with the same content, which p writes.
// The version approved stays in use until the new one is approved.
func (s *Service) NewVersion(ctx context.Context, p *auth.Principal, id string, seen int) (*Version, error) {
	return s.change(ctx, p, auth.ItemAuthor, id, seen, Revise, func(w Writer, v *Version) error {
		now := s.now()
		v.Version++
		v.Status, v.Author, v.AuthorName, v.CreatedAt = Draft, p.Person, p.Name, now
		v.Reviewer, v.ReviewerName, v.ReviewedAt, v.Comment = "", "", time.Time{}, ""
		return nil
	})
}
