package assessment

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// SittingFilter narrows a listing of sittings. Zero fields do not filter,
// except Reach: the zero Reach lists nothing unless Candidate or Proctor
// is set.
type SittingFilter struct {
	Reach     auth.Reach
	Candidate string // the sittings this person is a candidate of
	Proctor   string // the sittings this person proctors
	Limit     int
}

// Reader reads tests, sittings and attempts inside a transaction.
type Reader interface {
	// Blueprint returns one, or NotFound; Blueprints those of the owners.
	Blueprint(ctx context.Context, id string) (*Blueprint, error)
	Blueprints(ctx context.Context, owners []string) ([]Blueprint, error)
	// Sitting returns one with its candidates, or NotFound.
	Sitting(ctx context.Context, id string) (*Sitting, error)
	Sittings(ctx context.Context, f SittingFilter) ([]Sitting, error)
	// SittingEvents lists a sitting's history, oldest first.
	SittingEvents(ctx context.Context, sitting string) ([]SittingEvent, error)
	// Attempt returns one with its answers and result, or NotFound.
	Attempt(ctx context.Context, id string) (*Attempt, *Result, error)
	// Attempts lists a candidate's attempts at a blueprint (with
	// candidate and blueprint set), or a sitting's (with sitting set),
	// without their answers, oldest first.
	Attempts(ctx context.Context, sitting, candidate, blueprint string) ([]Attempt, error)
	// FirstAttempts lists the first attempts, submitted and scored, at
	// the tests on a standard's version, with their results (at most
	// limit).
	FirstAttempts(ctx context.Context, sector string, standard, limit int) ([]FirstAttempt, error)
	// Due lists the ids of active attempts whose deadline is before t.
	Due(ctx context.Context, t time.Time, limit int) ([]string, error)
	// Accommodation returns a student's accommodation, the zero one when
	// none is recorded.
	Accommodation(ctx context.Context, student string) (Accommodation, error)
	// Items lists the item bank's latest visible versions (package item's
	// filter); ItemVersions an item's versions.
	Items(ctx context.Context, f item.Filter) ([]item.Version, error)
	ItemVersions(ctx context.Context, id string) ([]item.Version, error)
	Standard(ctx context.Context, sector string, version int) (*competence.Standard, error)
	Person(ctx context.Context, id string) (*people.Person, error)
	// Memberships lists a person's roles, with their organisations'
	// provinces.
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
	Organisation(ctx context.Context, id string) (*org.Organisation, error)
	Class(ctx context.Context, id string) (*people.Class, error)
	ClassStudents(ctx context.Context, class string) ([]people.Enrolment, error)
}

// Writer changes them inside a transaction, with the audit trail.
type Writer interface {
	Reader
	Record(ctx context.Context, e *audit.Entry) error
	InsertBlueprint(ctx context.Context, b *Blueprint, by string, at time.Time) error
	InsertSitting(ctx context.Context, s *Sitting) error
	// UpdateSitting writes a sitting's end and release.
	UpdateSitting(ctx context.Context, s *Sitting) error
	// AuthorizeCandidate writes a candidate's authorization.
	AuthorizeCandidate(ctx context.Context, sitting string, c *Candidate) error
	AppendEvent(ctx context.Context, e *SittingEvent) error
	// InsertAttempt adds an attempt; an engine refuses a second attempt
	// not submitted of the same candidate (Conflict).
	InsertAttempt(ctx context.Context, a *Attempt) error
	// UpdateAttempt writes an attempt's state, clock, events and result;
	// only an attempt not yet submitted changes (it reports whether it
	// did: another process may have settled it first).
	UpdateAttempt(ctx context.Context, a *Attempt, r *Result) (bool, error)
	// PutAnswer saves an answer (replacing the item's), DropAnswer
	// withdraws one.
	PutAnswer(ctx context.Context, attempt string, a *Answer) error
	DropAnswer(ctx context.Context, attempt, itemID string) error
	SetAccommodation(ctx context.Context, student string, a Accommodation, by string, at time.Time) error
}

// Store keeps them; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is the online test's use-cases.
type Service struct {
	store Store
	now   attesta.Clock
	rand  io.Reader
	// versions caches item versions by Key: a version drawn is approved
	// or retired, and never changes.
	mu       sync.RWMutex
	versions map[string]*item.Item
}

// NewService returns the service; rnd nil means crypto/rand.
func NewService(store Store, now attesta.Clock, rnd io.Reader) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: now, rand: rnd, versions: map[string]*item.Item{}}
}

// --- blueprints ---

// CreateBlueprint adds a test of p's organisation (the national body's, or
// a Chamber's). Blueprints do not change: a change is a new blueprint, so
// the result of a sitting always says which test it was.
func (s *Service) CreateBlueprint(ctx context.Context, p *auth.Principal, b Blueprint) (*Blueprint, error) {
	bs, err := s.CreateBlueprints(ctx, p, []Blueprint{b})
	if err != nil {
		var fe attesta.FieldErrors
		if errors.As(err, &fe) {
			// One test: its problems by their own fields.
			for i := range fe {
				fe[i].Field = strings.TrimPrefix(fe[i].Field, "tests[0].")
			}
			return nil, fe.Err()
		}
		return nil, err
	}
	return &bs[0], nil
}

// CreateBlueprints adds tests of p's organisation, all or none (a QTI
// package's): each is checked against its standard first, the problems
// named tests[i].field.
func (s *Service) CreateBlueprints(ctx context.Context, p *auth.Principal, in []Blueprint) ([]Blueprint, error) {
	if err := auth.Decide(p, auth.TestDesign, auth.Anywhere); err != nil {
		return nil, err
	}
	out := make([]Blueprint, len(in))
	for i, b := range in {
		var err error
		if b.ID, err = people.NewID(s.rand, "bp"); err != nil {
			return nil, err
		}
		b.Owner = ""
		if p.Role != auth.NationalAdmin {
			b.Owner = p.Org
		}
		b.Title = strings.TrimSpace(b.Title)
		out[i] = b
	}
	now := s.now()
	err := s.store.Update(ctx, func(w Writer) error {
		var fe attesta.FieldErrors
		for i := range out {
			st, err := w.Standard(ctx, out[i].Sector, out[i].Standard)
			if err != nil && attesta.ErrorCode(err) != attesta.NotFound {
				return err
			}
			var one attesta.FieldErrors
			out[i].Validate(st, &one)
			for _, e := range one {
				e.Field = fmt.Sprintf("tests[%d].%s", i, e.Field)
				fe = append(fe, e)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		for i := range out {
			if err := w.InsertBlueprint(ctx, &out[i], p.Person, now); err != nil {
				return err
			}
			e, err := audit.New(p, now, "test.create", auth.Object{Kind: auth.SittingObject, ID: out[i].ID}, nil, out[i])
			if err != nil {
				return err
			}
			e.Org = out[i].Owner
			if err := w.Record(ctx, e); err != nil {
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

// usable reports whether p may use test b: the national body's tests are
// everyone's; a Chamber's are its own and its territory's schools'.
func usable(ctx context.Context, r Reader, p *auth.Principal, b *Blueprint) (bool, error) {
	if b.Owner == "" || b.Owner == p.Org || p.Role == auth.NationalAdmin {
		return true, nil
	}
	owner, err := r.Organisation(ctx, b.Owner)
	if err != nil {
		return false, err
	}
	if owner.Kind != auth.Chamber {
		return false, nil
	}
	for _, pr := range p.Provinces {
		if slices.Contains(owner.Provinces, pr) {
			return true, nil
		}
	}
	return false, nil
}

// Blueprints lists the tests p may use: the national body's, its own
// organisation's, and its Chamber's.
func (s *Service) Blueprints(ctx context.Context, p *auth.Principal) ([]Blueprint, error) {
	if err := auth.Decide(p, auth.TestView, auth.Anywhere); err != nil {
		return nil, err
	}
	var out []Blueprint
	err := s.store.View(ctx, func(r Reader) error {
		all, err := r.Blueprints(ctx, nil)
		if err != nil {
			return err
		}
		for i := range all {
			ok, err := usable(ctx, r, p, &all[i])
			if err != nil {
				return err
			}
			if ok {
				out = append(out, all[i])
			}
		}
		return nil
	})
	return out, err
}

// bank lists the items a blueprint draws from: the approved versions of
// the national bank and of its owner's bank, in its standard and language.
func bank(ctx context.Context, r Reader, b *Blueprint) ([]item.Item, error) {
	vs, err := r.Items(ctx, item.Filter{Owners: []string{item.National, b.Owner}, PublishedOnly: []string{item.National, b.Owner},
		Sector: b.Sector, Standard: b.Standard, Lang: b.Lang, Status: item.Approved, Limit: 100000})
	if err != nil {
		return nil, err
	}
	out := make([]item.Item, len(vs))
	for i := range vs {
		out[i] = vs[i].Item
	}
	return out, nil
}

// --- sittings ---

// NewSitting is what opening a sitting takes.
type NewSitting struct {
	Blueprint string    `json:"blueprint"`
	Title     string    `json:"title"`
	Opens     time.Time `json:"opens"`
	Closes    time.Time `json:"closes"`
	// Classes are the classes whose students are called; Proctors the
	// persons (a school's tutors) who proctor.
	Classes  []string `json:"classes"`
	Proctors []string `json:"proctors"`
}

// MaxWindow bounds a sitting's window.
const MaxWindow = 14 * 24 * time.Hour

// OpenSitting opens a sitting of a blueprint for the students of some
// classes, with its window and a new access code.
func (s *Service) OpenSitting(ctx context.Context, p *auth.Principal, in NewSitting) (*Sitting, error) {
	if err := auth.Decide(p, auth.SittingManage, auth.Anywhere); err != nil {
		return nil, err
	}
	id, err := people.NewID(s.rand, "sit")
	if err != nil {
		return nil, err
	}
	code, err := NewCode(s.rand)
	if err != nil {
		return nil, err
	}
	now := s.now()
	st := &Sitting{ID: id, Blueprint: in.Blueprint, Title: strings.TrimSpace(in.Title), Owner: p.Org, Opens: in.Opens.UTC(), Closes: in.Closes.UTC(),
		Code: code, CreatedBy: p.Person, CreatedAt: now}
	err = s.store.Update(ctx, func(w Writer) error {
		var fe attesta.FieldErrors
		owner, err := w.Organisation(ctx, p.Org)
		if err != nil {
			return err
		}
		st.OwnerProvince = owner.Province
		b, err := w.Blueprint(ctx, in.Blueprint)
		ok := err == nil
		if ok {
			if ok, err = usable(ctx, w, p, b); err != nil {
				return err
			}
		}
		switch {
		case attesta.ErrorCode(err) == attesta.NotFound || err == nil && !ok:
			fe.Problem("blueprint", "err.assessment.blueprint.unknown", in.Blueprint)
		case err != nil:
			return err
		default:
			items, err := bank(ctx, w, b)
			if err != nil {
				return err
			}
			for _, m := range b.Short(items) {
				fe.Say("blueprint", m)
			}
		}
		if n := utf8.RuneCountInString(st.Title); n == 0 || n > item.MaxText {
			fe.Problem("title", "err.assessment.title", item.MaxText)
		}
		if st.Opens.IsZero() || st.Closes.IsZero() || !st.Closes.After(st.Opens) || st.Closes.Sub(st.Opens) > MaxWindow {
			fe.Problem("closes", "err.assessment.window", int(MaxWindow/(24*time.Hour)))
		}
		if !st.Closes.After(now) {
			fe.Problem("closes", "err.assessment.window.past")
		}
		if len(in.Classes) == 0 {
			fe.Problem("classes", "err.assessment.classes.none")
		}
		for _, cid := range in.Classes {
			class, err := w.Class(ctx, cid)
			if attesta.ErrorCode(err) == attesta.NotFound {
				fe.Problem("classes", "err.assessment.class.unknown", cid)
				continue
			}
			if err != nil {
				return err
			}
			school, err := w.Organisation(ctx, class.School)
			if err != nil {
				return err
			}
			if !auth.Reaches(p, auth.Object{Kind: auth.ClassObject, ID: cid, Places: []auth.Place{{Org: school.ID, Province: school.Province}}}) {
				fe.Problem("classes", "err.assessment.class.unknown", cid)
				continue
			}
			students, err := w.ClassStudents(ctx, cid)
			if err != nil {
				return err
			}
			for _, e := range students {
				if st.Candidate(e.Person.ID) == nil {
					st.Candidates = append(st.Candidates, Candidate{Person: e.Person.ID, Name: e.Person.Name(), School: school.ID, Province: school.Province})
				}
			}
		}
		for _, pid := range in.Proctors {
			if _, err := w.Person(ctx, pid); attesta.ErrorCode(err) == attesta.NotFound {
				fe.Problem("proctors", "err.assessment.proctor.unknown", pid)
			} else if err != nil {
				return err
			}
			if !slices.Contains(st.Proctors, pid) {
				st.Proctors = append(st.Proctors, pid)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if err := w.InsertSitting(ctx, st); err != nil {
			return err
		}
		if err := s.event(ctx, w, p, st, Opened, "", "", "", "", now); err != nil {
			return err
		}
		view := *st
		view.Code = "" // the code is not kept in the trail
		return s.record(ctx, w, p, st, "sitting.open", nil, view, now)
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Service) event(ctx context.Context, w Writer, p *auth.Principal, st *Sitting, kind EventKind, attempt, candidate string, cat Irregularity, note string, at time.Time) error {
	e := &SittingEvent{Sitting: st.ID, Kind: kind, Attempt: attempt, Candidate: candidate, Category: cat, Note: note, At: at}
	if p != nil {
		e.By, e.ByName = p.Person, p.Name
	}
	return w.AppendEvent(ctx, e)
}

func (s *Service) record(ctx context.Context, w Writer, p *auth.Principal, st *Sitting, action string, before, after any, at time.Time) error {
	e, err := audit.New(p, at, action, auth.Object{Kind: auth.SittingObject, ID: st.ID}, before, after)
	if err != nil {
		return err
	}
	e.Org, e.Province = st.Owner, st.OwnerProvince
	return w.Record(ctx, e)
}

// SittingView is a sitting with its history and attempts, as one may see
// it: the code only for its proctors and owner.
type SittingView struct {
	Sitting
	Blueprint Blueprint      `json:"test"`
	Events    []SittingEvent `json:"events"`
	Attempts  []Attempt      `json:"attempts"`
	// Proctor says whether the viewer proctors it.
	Proctor bool `json:"proctor"`
}

// GetSitting returns sitting id as p may see it: the staff in reach with
// its history and attempts; a candidate their own attempts.
func (s *Service) GetSitting(ctx context.Context, p *auth.Principal, id string) (*SittingView, error) {
	var v *SittingView
	err := s.store.View(ctx, func(r Reader) error {
		st, err := s.sittingFor(ctx, r, p, id)
		if err != nil {
			return err
		}
		b, err := r.Blueprint(ctx, st.Blueprint)
		if err != nil {
			return err
		}
		v = &SittingView{Sitting: *st, Blueprint: *b, Proctor: st.Proctor(p)}
		if p.Role == auth.Student {
			v.Code, v.Proctors = "", nil
			v.Candidates = []Candidate{*st.Candidate(p.Person)}
			v.Attempts, err = r.Attempts(ctx, "", p.Person, st.Blueprint)
			v.Attempts = slices.DeleteFunc(v.Attempts, func(a Attempt) bool { return a.Sitting != id })
			return err
		}
		if !v.Proctor && p.Role != auth.NationalAdmin {
			v.Code = ""
		}
		if v.Events, err = r.SittingEvents(ctx, id); err != nil {
			return err
		}
		v.Attempts, err = r.Attempts(ctx, id, "", "")
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range v.Attempts {
		v.Attempts[i].Settle(now) // as it stands: the sweeper writes it
	}
	return v, nil
}

// sittingFor reads sitting id if p may see it.
func (s *Service) sittingFor(ctx context.Context, r Reader, p *auth.Principal, id string) (*Sitting, error) {
	action := auth.SittingView
	if err := auth.Decide(p, action, auth.Anywhere); err != nil {
		return nil, err
	}
	st, err := r.Sitting(ctx, id)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, attesta.E(attesta.NotFound, "err.assessment.sitting.notfound", id)
	}
	if err != nil {
		return nil, err
	}
	if err := auth.Decide(p, action, st.Object(p)); err != nil {
		return nil, err
	}
	return st, nil
}

// Sittings lists the sittings p may see: in reach for the staff, the
// ones a student is called to.
func (s *Service) Sittings(ctx context.Context, p *auth.Principal) ([]Sitting, error) {
	f := SittingFilter{Limit: 500}
	switch {
	case p != nil && p.Role == auth.Student:
		if err := auth.Decide(p, auth.SittingView, auth.Anywhere); err != nil {
			return nil, err
		}
		f.Candidate = p.Person
	default:
		if err := auth.Decide(p, auth.SittingView, auth.Anywhere); err != nil {
			return nil, err
		}
		f.Reach = auth.ReachOf(p)
		if p.Role == auth.SchoolTutor {
			f.Proctor = p.Person
		}
	}
	var out []Sitting
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Sittings(ctx, f)
		return err
	})
	for i := range out {
		if p.Role == auth.Student || !out[i].Proctor(p) && p.Role != auth.NationalAdmin {
			out[i].Code = ""
		}
	}
	return out, err
}

// proctorAct runs fn on sitting id as its proctor p, and records the event
// kind.
func (s *Service) proctorAct(ctx context.Context, p *auth.Principal, action auth.Action, id string, fn func(w Writer, st *Sitting, now time.Time) error) error {
	return s.store.Update(ctx, func(w Writer) error {
		st, err := s.sittingFor(ctx, w, p, id)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, action, st.Object(p)); err != nil {
			return err
		}
		if action == auth.SittingProctor && !st.Proctor(p) {
			return attesta.E(attesta.Forbidden, "err.assessment.notproctor", id)
		}
		return fn(w, st, s.now())
	})
}

// Authorize lets candidate start in sitting id (the proctor's act, once
// they see the candidate in the room).
func (s *Service) Authorize(ctx context.Context, p *auth.Principal, id, candidate string) error {
	return s.proctorAct(ctx, p, auth.SittingProctor, id, func(w Writer, st *Sitting, now time.Time) error {
		if candidate == "" {
			var fe attesta.FieldErrors
			fe.Problem("candidate", "err.item.text.required")
			return fe.Err()
		}
		c := st.Candidate(candidate)
		if c == nil {
			return attesta.E(attesta.NotFound, "err.assessment.candidate.unknown", candidate)
		}
		if !st.Ended.IsZero() {
			return attesta.E(attesta.Conflict, "err.assessment.sitting.ended", id)
		}
		if c.Authorized() {
			return nil
		}
		c.AuthorizedBy, c.AuthorizedAt = p.Person, now
		if err := w.AuthorizeCandidate(ctx, id, c); err != nil {
			return err
		}
		return s.event(ctx, w, p, st, Authorized, "", candidate, "", "", now)
	})
}

// MaxNote bounds an irregularity's note.
const MaxNote = 2000

// RecordIrregularity records an irregularity in sitting id, about an
// attempt or the sitting as a whole.
func (s *Service) RecordIrregularity(ctx context.Context, p *auth.Principal, id, attemptID string, cat Irregularity, note string) error {
	note = strings.TrimSpace(note)
	return s.proctorAct(ctx, p, auth.SittingProctor, id, func(w Writer, st *Sitting, now time.Time) error {
		var fe attesta.FieldErrors
		if !slices.Contains(Irregularities, cat) {
			fe.Problem("category", "err.assessment.irregularity.category", string(cat))
		}
		if n := utf8.RuneCountInString(note); n < 5 || n > MaxNote {
			fe.Problem("note", "err.assessment.irregularity.note", 5, MaxNote)
		}
		candidate := ""
		if attemptID != "" {
			a, _, err := w.Attempt(ctx, attemptID)
			if attesta.ErrorCode(err) == attesta.NotFound || err == nil && a.Sitting != id {
				fe.Problem("attempt", "err.assessment.attempt.notfound", attemptID)
			} else if err != nil {
				return err
			} else {
				candidate = a.Candidate
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		return s.event(ctx, w, p, st, Irregular, attemptID, candidate, cat, note, now)
	})
}

// unconfirmed is the refusal of an act that cannot be undone and was not
// confirmed.
func unconfirmed() error {
	var fe attesta.FieldErrors
	fe.Problem("confirm", "err.assessment.confirm")
	return fe.Err()
}

// EndSitting ends sitting id, when confirm says so: no attempt starts any
// more; the attempts still open are submitted with what they saved.
func (s *Service) EndSitting(ctx context.Context, p *auth.Principal, id string, confirm bool) error {
	return s.proctorAct(ctx, p, auth.SittingProctor, id, func(w Writer, st *Sitting, now time.Time) error {
		if !confirm {
			return unconfirmed()
		}
		if !st.Ended.IsZero() {
			return attesta.E(attesta.Conflict, "err.assessment.sitting.ended", id)
		}
		as, err := w.Attempts(ctx, id, "", "")
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.State == Submitted {
				continue
			}
			if err := s.endAttempt(ctx, w, p, st, a.ID, now); err != nil {
				return err
			}
		}
		st.Ended = now
		if err := w.UpdateSitting(ctx, st); err != nil {
			return err
		}
		if err := s.event(ctx, w, p, st, EndedSitting, "", "", "", "", now); err != nil {
			return err
		}
		return s.record(ctx, w, p, st, "sitting.end", nil, map[string]any{"ended": now}, now)
	})
}

// Release releases sitting id's results to its candidates, once the
// sitting has ended, when confirm says so: the act of the Chamber of
// Commerce whose territory holds the sitting (or of the national body),
// which certifies, not of the school that ran it.
func (s *Service) Release(ctx context.Context, p *auth.Principal, id string, confirm bool) error {
	return s.proctorAct(ctx, p, auth.SittingManage, id, func(w Writer, st *Sitting, now time.Time) error {
		if !Releaser(p) {
			return attesta.E(attesta.Forbidden, "err.assessment.release.chamber", id)
		}
		if !confirm {
			return unconfirmed()
		}
		if st.Ended.IsZero() && now.Before(st.Closes) {
			return attesta.E(attesta.Conflict, "err.assessment.release.early", id)
		}
		if !st.Released.IsZero() {
			return nil
		}
		st.Released = now
		if err := w.UpdateSitting(ctx, st); err != nil {
			return err
		}
		if err := s.event(ctx, w, p, st, ReleasedEvent, "", "", "", "", now); err != nil {
			return err
		}
		return s.record(ctx, w, p, st, "sitting.release", nil, map[string]any{"released": now}, now)
	})
}

// --- accommodations ---

// SetAccommodation records a student's accommodation for timed tests,
// applied to every attempt they start afterwards.
func (s *Service) SetAccommodation(ctx context.Context, p *auth.Principal, student string, a Accommodation) error {
	a.Reason = strings.TrimSpace(a.Reason)
	return s.store.Update(ctx, func(w Writer) error {
		obj, err := decideAccommodation(ctx, w, p, student)
		if err != nil {
			return err
		}
		before, err := w.Accommodation(ctx, student)
		if err != nil {
			return err
		}
		// Every accommodation, and its removal (the zero one), has its
		// reason recorded.
		var fe attesta.FieldErrors
		a.Validate(&fe)
		if n := utf8.RuneCountInString(a.Reason); n < 5 || n > MaxNote {
			fe.Problem("reason", "err.assessment.accommodation.reason", 5, MaxNote)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		now := s.now()
		if err := w.SetAccommodation(ctx, student, a, p.Person, now); err != nil {
			return err
		}
		e, err := audit.New(p, now, "accommodation.set", obj, before, a)
		if err != nil {
			return err
		}
		return w.Record(ctx, e)
	})
}

// AccommodationOf returns a student's recorded accommodation (the zero one
// when none is), to those who record it.
func (s *Service) AccommodationOf(ctx context.Context, p *auth.Principal, student string) (Accommodation, error) {
	var a Accommodation
	err := s.store.View(ctx, func(r Reader) error {
		if _, err := decideAccommodation(ctx, r, p, student); err != nil {
			return err
		}
		var err error
		a, err = r.Accommodation(ctx, student)
		return err
	})
	return a, err
}

// decideAccommodation decides whether p may record student's
// accommodation: a student, in p's reach.
func decideAccommodation(ctx context.Context, r Reader, p *auth.Principal, student string) (auth.Object, error) {
	obj := auth.Object{Kind: auth.PersonObject, ID: student, Person: student}
	pe, err := r.Person(ctx, student)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return obj, attesta.E(attesta.NotFound, "err.auth.notfound.person", student)
	}
	if err != nil {
		return obj, err
	}
	ms, err := r.Memberships(ctx, pe.ID)
	if err != nil {
		return obj, err
	}
	for _, m := range ms {
		if m.Role != auth.Student {
			return obj, attesta.E(attesta.NotFound, "err.auth.notfound.person", student)
		}
		pl := auth.Place{Org: m.Org}
		if len(m.Provinces) > 0 {
			pl.Province = m.Provinces[0]
		}
		obj.Places = append(obj.Places, pl)
	}
	if len(ms) == 0 {
		return obj, attesta.E(attesta.NotFound, "err.auth.notfound.person", student)
	}
	return obj, auth.Decide(p, auth.AccommodationSet, obj)
}

// --- attempts ---

// Start starts candidate p's attempt in sitting id, with the access code
// typed: the sitting open, p called and authorized by a proctor, the
// blueprint's attempts and cool-down allowing it. The form is drawn with a
// new seed; p's recorded accommodation is applied, and said in the
// sitting's history.
func (s *Service) Start(ctx context.Context, p *auth.Principal, id, code string) (*Attempt, error) {
	seed := make([]byte, 8)
	if _, err := io.ReadFull(s.rand, seed); err != nil {
		return nil, err
	}
	aid, err := people.NewID(s.rand, "att")
	if err != nil {
		return nil, err
	}
	var a *Attempt
	err = s.store.Update(ctx, func(w Writer) error {
		st, err := s.sittingFor(ctx, w, p, id)
		if err != nil {
			return err
		}
		if p.Role != auth.Student {
			return attesta.E(attesta.Forbidden, "err.assessment.notcandidate", id)
		}
		if err := auth.Decide(p, auth.TestTake, st.Object(p)); err != nil {
			return err // a read-only token does not start an attempt
		}
		now := s.now()
		c := st.Candidate(p.Person)
		switch {
		case !st.Open(now):
			return attesta.E(attesta.Conflict, "err.assessment.sitting.closed", id)
		case !SameCode(code, st.Code):
			var fe attesta.FieldErrors
			fe.Problem("code", "err.assessment.code")
			return fe.Err()
		case !c.Authorized():
			return attesta.E(attesta.Conflict, "err.assessment.unauthorized")
		}
		b, err := w.Blueprint(ctx, st.Blueprint)
		if err != nil {
			return err
		}
		past, err := w.Attempts(ctx, "", p.Person, b.ID)
		if err != nil {
			return err
		}
		for i := range past {
			if past[i].State != Submitted {
				if err := s.settle(ctx, w, &past[i], now); err != nil {
					return err
				}
			}
		}
		if err := b.MayStart(past, now); err != nil {
			return err
		}
		items, err := bank(ctx, w, b)
		if err != nil {
			return err
		}
		form, err := Draw(b, items, binary.BigEndian.Uint64(seed))
		if err != nil {
			return err
		}
		acc, err := w.Accommodation(ctx, p.Person)
		if err != nil {
			return err
		}
		a = &Attempt{ID: aid, Sitting: id, Candidate: p.Person, Number: len(past) + 1, Form: form, State: Active, Started: now,
			Limit: acc.Limit(b.TimeLimit), Accommodation: acc, Answers: []Answer{}}
		if err := w.InsertAttempt(ctx, a); err != nil {
			return err
		}
		if err := s.event(ctx, w, p, st, Started, a.ID, p.Person, "", "", now); err != nil {
			return err
		}
		if acc != (Accommodation{Reason: acc.Reason}) {
			note := fmt.Sprintf("×%g +%s", max(acc.Multiplier, 1), acc.Extra)
			if acc.Unlimited {
				note = "∞"
			}
			if err := s.event(ctx, w, nil, st, Accommodated, a.ID, p.Person, "", note, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// attemptFor reads attempt id for p: the candidate's own (as a student),
// or one of a sitting p may see.
func (s *Service) attemptFor(ctx context.Context, r Reader, p *auth.Principal, id string) (*Attempt, *Result, *Sitting, error) {
	a, res, err := r.Attempt(ctx, id)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, nil, nil, attesta.E(attesta.NotFound, "err.assessment.attempt.notfound", id)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if p != nil && p.Role == auth.Student && a.Candidate != p.Person {
		return nil, nil, nil, attesta.E(attesta.NotFound, "err.assessment.attempt.notfound", id)
	}
	st, err := s.sittingFor(ctx, r, p, a.Sitting)
	if err != nil {
		return nil, nil, nil, err
	}
	return a, res, st, nil
}

// Version returns an item version, from the cache or the store.
func (s *Service) version(ctx context.Context, r Reader, id string, version int) (*item.Item, error) {
	key := Key(id, version)
	s.mu.RLock()
	it := s.versions[key]
	s.mu.RUnlock()
	if it != nil {
		return it, nil
	}
	vs, err := r.ItemVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		if vs[i].Version == version && (vs[i].Status == item.Approved || vs[i].Status == item.Retired) {
			it = &vs[i].Item
		}
	}
	if it == nil {
		return nil, fmt.Errorf("item %s version %d of a form is not in the bank", id, version)
	}
	s.mu.Lock()
	s.versions[key] = it
	s.mu.Unlock()
	return it, nil
}

// versionsOf returns the item versions of a form, by Key.
func (s *Service) versionsOf(ctx context.Context, r Reader, f *Form) (map[string]*item.Item, error) {
	out := map[string]*item.Item{}
	for _, fi := range f.Items {
		it, err := s.version(ctx, r, fi.Item, fi.Version)
		if err != nil {
			return nil, err
		}
		out[Key(fi.Item, fi.Version)] = it
	}
	return out, nil
}

// settle submits a, when its deadline is past, as of its deadline, with
// its score, and says so in its sitting's history.
func (s *Service) settle(ctx context.Context, w Writer, a *Attempt, now time.Time) error {
	if !a.Settle(now) {
		return nil
	}
	return s.finish(ctx, w, nil, a, ExpiredOne, now)
}

// finish scores a submitted attempt and writes it.
func (s *Service) finish(ctx context.Context, w Writer, p *auth.Principal, a *Attempt, kind EventKind, now time.Time) error {
	st, err := w.Sitting(ctx, a.Sitting)
	if err != nil {
		return err
	}
	b, err := w.Blueprint(ctx, st.Blueprint)
	if err != nil {
		return err
	}
	versions, err := s.versionsOf(ctx, w, &a.Form)
	if err != nil {
		return err
	}
	res, err := Score(b, a, versions)
	if err != nil {
		return err
	}
	ok, err := w.UpdateAttempt(ctx, a, &res)
	if err != nil || !ok {
		return err // !ok: another process finished it first
	}
	return s.event(ctx, w, p, st, kind, a.ID, a.Candidate, "", "", now)
}

// Answer saves candidate p's response to an item of attempt id, as it is
// given; the attempt's time is the server's (see the package's doc).
func (s *Service) Answer(ctx context.Context, p *auth.Principal, id, itemID string, r item.Response) error {
	_, err := s.AnswerRemaining(ctx, p, id, itemID, r)
	return err
}

// AnswerRemaining is Answer, and returns the seconds left on the attempt
// (0 without a limit), for the candidate's page to show.
func (s *Service) AnswerRemaining(ctx context.Context, p *auth.Principal, id, itemID string, r item.Response) (int64, error) {
	if err := auth.Decide(p, auth.TestTake, auth.Anywhere); err != nil {
		return 0, err
	}
	var rem int64
	late := false
	err := s.store.Update(ctx, func(w Writer) error {
		a, err := ownAttempt(ctx, w, p, id)
		if err != nil {
			return err
		}
		now := s.now()
		if a.State == Active && a.Settle(now) {
			// Its time is up: it is finished (and kept so), the answer
			// refused.
			late = true
			return s.finish(ctx, w, nil, a, ExpiredOne, now)
		}
		i := slices.IndexFunc(a.Form.Items, func(f FormItem) bool { return f.Item == itemID })
		if i < 0 {
			return attesta.E(attesta.Invalid, "err.assessment.item", itemID)
		}
		it, err := s.version(ctx, w, itemID, a.Form.Items[i].Version)
		if err != nil {
			return err
		}
		if err := a.Answer(now, it, r); err != nil {
			return err
		}
		rem = int64(a.Remaining(now) / time.Second)
		if len(r) == 0 {
			return w.DropAnswer(ctx, id, itemID)
		}
		ans := a.Answers[slices.IndexFunc(a.Answers, func(x Answer) bool { return x.Item == itemID })]
		return w.PutAnswer(ctx, id, &ans)
	})
	if err == nil && late {
		err = attesta.E(attesta.Conflict, "err.assessment.late", id)
	}
	return rem, err
}

// ownAttempt reads candidate p's attempt id: another's is not found.
func ownAttempt(ctx context.Context, r Reader, p *auth.Principal, id string) (*Attempt, error) {
	a, _, err := r.Attempt(ctx, id)
	if attesta.ErrorCode(err) == attesta.NotFound || err == nil && a.Candidate != p.Person {
		return nil, attesta.E(attesta.NotFound, "err.assessment.attempt.notfound", id)
	}
	return a, err
}

// Note records a focus or paste event on candidate p's attempt.
func (s *Service) Note(ctx context.Context, p *auth.Principal, id, kind, itemID string) error {
	if err := auth.Decide(p, auth.TestTake, auth.Anywhere); err != nil {
		return err
	}
	return s.store.Update(ctx, func(w Writer) error {
		a, err := ownAttempt(ctx, w, p, id)
		if err != nil {
			return err
		}
		n := len(a.Events)
		if err := a.Note(s.now(), kind, itemID); err != nil || len(a.Events) == n {
			return err
		}
		_, err = w.UpdateAttempt(ctx, a, nil)
		return err
	})
}

// Submit ends candidate p's attempt id.
func (s *Service) Submit(ctx context.Context, p *auth.Principal, id string) error {
	if err := auth.Decide(p, auth.TestTake, auth.Anywhere); err != nil {
		return err
	}
	return s.store.Update(ctx, func(w Writer) error {
		a, err := ownAttempt(ctx, w, p, id)
		if err != nil {
			return err
		}
		now := s.now()
		expired := a.State == Active && a.Settle(now)
		if !expired {
			if err := a.Submit(now); err != nil {
				return err
			}
		}
		kind := SubmittedOne
		if expired {
			kind = ExpiredOne
		}
		return s.finish(ctx, w, p, a, kind, now)
	})
}

// AttemptView is an attempt as its candidate or the staff see it, with the
// items of its form (for a candidate without their answer keys) and, once
// released (for the staff, once submitted), its result.
type AttemptView struct {
	Attempt
	Items     []item.Item `json:"items"`
	Result    *Result     `json:"result,omitempty"`
	Remaining int64       `json:"remaining_seconds"`
	Deadline  time.Time   `json:"deadline,omitzero"`
}

// GetAttempt returns attempt id as p may see it.
func (s *Service) GetAttempt(ctx context.Context, p *auth.Principal, id string) (*AttemptView, error) {
	var v *AttemptView
	err := s.store.View(ctx, func(r Reader) error {
		a, res, st, err := s.attemptFor(ctx, r, p, id)
		if err != nil {
			return err
		}
		now := s.now()
		if a.Settle(now) { // as it stands; written by the next change or the sweeper
			b, err := r.Blueprint(ctx, st.Blueprint)
			if err != nil {
				return err
			}
			versions, err := s.versionsOf(ctx, r, &a.Form)
			if err != nil {
				return err
			}
			sc, err := Score(b, a, versions)
			if err != nil {
				return err
			}
			res = &sc
		}
		v = &AttemptView{Attempt: *a, Deadline: a.Deadline(now), Remaining: int64(a.Remaining(now) / time.Second)}
		student := p.Role == auth.Student
		if student && a.State == Submitted {
			// A candidate sees the questions only during their attempt:
			// afterwards, how many they answered and their result by
			// competence, not the items' texts, nor which they got right
			// (the bank's items are reused).
			if res != nil && !st.Released.IsZero() {
				shown := *res
				shown.Items = nil
				v.Result = &shown
			}
			return nil
		}
		for _, fi := range a.Form.Items {
			it, err := s.version(ctx, r, fi.Item, fi.Version)
			if err != nil {
				return err
			}
			shown := *it
			if student {
				shown.Correct, shown.Map = nil, nil // never the answer key
			}
			v.Items = append(v.Items, shown)
		}
		if a.State == Submitted {
			v.Result = res // the staff's view: a candidate's returned above
		}
		return nil
	})
	return v, err
}

// ProctorAttempt pauses, resumes or ends attempt id (the proctor's acts),
// when confirm says so.
func (s *Service) ProctorAttempt(ctx context.Context, p *auth.Principal, id string, kind EventKind, confirm bool) error {
	var refused error // said after the transaction, which keeps a settlement
	err := s.store.Update(ctx, func(w Writer) error {
		a, _, st, err := s.attemptFor(ctx, w, p, id)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.SittingProctor, st.Object(p)); err != nil {
			return err
		}
		if !st.Proctor(p) {
			return attesta.E(attesta.Forbidden, "err.assessment.notproctor", st.ID)
		}
		if !confirm {
			return unconfirmed()
		}
		now := s.now()
		if err := s.settle(ctx, w, a, now); err != nil {
			return err
		}
		if a.State == Submitted {
			refused = attesta.E(attesta.Conflict, "err.assessment.submitted", id)
			return nil
		}
		switch kind {
		case PausedEvent:
			err = a.Pause(now)
		case Resumed:
			err = a.Resume(now)
		case EndedAttempt:
			return s.endAttempt(ctx, w, p, st, id, now)
		default:
			return attesta.E(attesta.Invalid, "err.assessment.event", string(kind))
		}
		if err != nil {
			return err
		}
		if _, err := w.UpdateAttempt(ctx, a, nil); err != nil {
			return err
		}
		return s.event(ctx, w, p, st, kind, id, a.Candidate, "", "", now)
	})
	if err == nil {
		err = refused
	}
	return err
}

func (s *Service) endAttempt(ctx context.Context, w Writer, p *auth.Principal, st *Sitting, id string, now time.Time) error {
	a, _, err := w.Attempt(ctx, id)
	if err != nil {
		return err
	}
	if a.State == Submitted {
		return attesta.E(attesta.Conflict, "err.assessment.submitted", id)
	}
	if a.Settle(now) {
		return s.finish(ctx, w, nil, a, ExpiredOne, now)
	}
	if err := a.Submit(now); err != nil {
		return err
	}
	return s.finish(ctx, w, p, a, EndedAttempt, now)
}

// SettleDue submits the attempts whose deadline has passed, as of their
// deadline, each in its own transaction; several processes may run it at
// once (an attempt is finished once). It returns how many it settled.
func (s *Service) SettleDue(ctx context.Context) (int, error) {
	var ids []string
	err := s.store.View(ctx, func(r Reader) (err error) {
		ids, err = r.Due(ctx, s.now().Add(-Grace), 200)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.store.Update(ctx, func(w Writer) error {
			a, _, err := w.Attempt(ctx, id)
			if err != nil {
				return err
			}
			if a.State != Active {
				return nil
			}
			now := s.now()
			if a.Settle(now) {
				n++
				return s.finish(ctx, w, nil, a, ExpiredOne, now)
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
