package experience

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// Filter narrows a listing of experiences. Zero fields do not filter,
// except Reach: the zero Reach lists nothing.
type Filter struct {
	// Reach, set by the Service from the principal: the experiences whose
	// school or company it reaches.
	Reach auth.Reach
	// Student, set by the Service for a student: only theirs.
	Student string
	// Tutor lists those where this person is the school or company tutor.
	Tutor         string
	State         State
	Year          string
	Limit, Offset int
}

// MaxLimit bounds a page of experiences.
const MaxLimit = 500

// Reader reads experiences inside a transaction.
type Reader interface {
	// Experience returns one with its latest design and its school's and
	// company's names and provinces, or an error with code
	// attesta.NotFound.
	Experience(ctx context.Context, id string) (*Experience, error)
	// Experiences lists those matching f, newest first.
	Experiences(ctx context.Context, f Filter) ([]Experience, error)
	// Revisions lists an experience's revisions, by number.
	Revisions(ctx context.Context, experience string) ([]Revision, error)
	// Attendances lists an experience's records of hours, superseded ones
	// marked, by day and order of recording.
	Attendances(ctx context.Context, experience string) ([]Attendance, error)
	// PlannedHours returns, for each of the students, the hours planned
	// in their experiences of the school year that are not cancelled,
	// except the experience named by except.
	PlannedHours(ctx context.Context, year, except string, students []string) (YearHours, error)
	// Person returns one, or NotFound.
	Person(ctx context.Context, id string) (*people.Person, error)
	// Organisation returns one, or NotFound.
	Organisation(ctx context.Context, id string) (*org.Organisation, error)
	// Organisations lists those matching f.
	Organisations(ctx context.Context, f org.Filter) ([]org.Organisation, error)
	// Class returns one, or NotFound.
	Class(ctx context.Context, id string) (*people.Class, error)
	// Classes lists a school's classes.
	Classes(ctx context.Context, school string) ([]people.Class, error)
	// ClassStudents lists a class's students.
	ClassStudents(ctx context.Context, class string) ([]people.Enrolment, error)
	// Members lists an organisation's members.
	Members(ctx context.Context, org string) ([]people.Member, error)
	// Entries lists the audit trail's entries matching f.
	Entries(ctx context.Context, f audit.Filter) ([]audit.Entry, error)
}

// Writer writes experiences inside a transaction, with the audit trail;
// it reads what a design is checked against.
type Writer interface {
	Reader
	// Infos lists every version of every standard.
	Infos(ctx context.Context) ([]competence.Info, error)
	// Standard returns one version with its content, or NotFound.
	Standard(ctx context.Context, sector string, version int) (*competence.Standard, error)
	// Record appends an entry to the audit trail.
	Record(ctx context.Context, e *audit.Entry) error
	// InsertExperience adds an experience and its first revision.
	InsertExperience(ctx context.Context, e *Experience, r *Revision) error
	// TouchExperience sets an experience's update time. As the first
	// write of a change it queues concurrent changes of the same
	// experience behind this one, on engines that lock rows.
	TouchExperience(ctx context.Context, id string, at time.Time) error
	// UpdateExperience writes an experience's state, revision numbers,
	// latest design (and its students), cancellation reason and update
	// time.
	UpdateExperience(ctx context.Context, e *Experience) error
	// InsertRevision adds a revision.
	InsertRevision(ctx context.Context, r *Revision) error
	// UpdateRevision writes a revision's design, digest, author and
	// sign-offs; only a revision no side has signed off changes its
	// design (the Service's rule).
	UpdateRevision(ctx context.Context, r *Revision) error
	// InsertAttendance adds a record of hours.
	InsertAttendance(ctx context.Context, a *Attendance) error
}

// Store keeps experiences; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is the training experiences' use-cases.
type Service struct {
	store Store
	now   attesta.Clock
	rand  io.Reader
	tutor TutorCheck
}

// TutorCheck says whether a person may be the company tutor of a new
// experience located in provinces (its school's and its company's): nil,
// or an error whose message says why not (a Chamber of the provinces
// requires a valid tutor badge, which they do not hold: package course's
// *Service is one). An error with code attesta.Conflict is a refusal;
// any other is a failure.
type TutorCheck interface {
	CheckTutor(ctx context.Context, person string, at time.Time, provinces ...string) error
}

// CheckTutors sets the check of the company tutor of a new experience;
// nil (the default) checks nothing.
func (s *Service) CheckTutors(c TutorCheck) { s.tutor = c }

// NewService returns the service; rnd nil means crypto/rand.
func NewService(store Store, now attesta.Clock, rnd io.Reader) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: now, rand: rnd}
}

// The actions of the audit trail.
const (
	actionCreate  = "experience.create"
	actionEdit    = "experience.edit"
	actionRevise  = "experience.revise"
	actionSignOff = "experience.sign_off"
	actionAgreed  = "experience.agreed"
	actionStart   = "experience.start"
	actionClose   = "experience.close"
	actionCancel  = "experience.cancel"
	actionHours   = "experience.hours"
	actionCorrect = "experience.hours.correct"
)

// AuditActions lists the actions the service records, for the pages that
// say them in words.
var AuditActions = []string{actionCreate, actionEdit, actionRevise, actionSignOff, actionAgreed, actionStart,
	actionClose, actionCancel, actionHours, actionCorrect}

var idPattern = regexp.MustCompile(`^(exp|att)-[a-z2-7]{16}$`)

func notFound(id string) error { return attesta.E(attesta.NotFound, "err.experience.notfound", id) }

// decide is auth.Decide on e, where an object out of reach is the
// experience not found.
func decide(p *auth.Principal, a auth.Action, e *Experience) error {
	err := auth.Decide(p, a, e.Object(p))
	if attesta.ErrorCode(err) == attesta.NotFound {
		return notFound(e.ID)
	}
	return err
}

// side decides that p may design e, and returns the side p signs for: a
// Chamber or the national body, which may see an experience, do not design
// it.
func side(p *auth.Principal, e *Experience) (Side, error) {
	if err := decide(p, auth.ExperienceDesign, e); err != nil {
		return "", err
	}
	s, ok := SideOf(p, e)
	if !ok {
		return "", attesta.E(attesta.Forbidden, "err.experience.side")
	}
	return s, nil
}

// open reads experience id for a change by p, locks it, and returns it as
// it is once the change may go ahead; may decides.
func (s *Service) open(ctx context.Context, w Writer, p *auth.Principal, id string, may func(*Experience) error) (*Experience, error) {
	if !idPattern.MatchString(id) {
		return nil, notFound(id)
	}
	e, err := w.Experience(ctx, id)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	if err := may(e); err != nil {
		return nil, err
	}
	if err := w.TouchExperience(ctx, id, s.now()); err != nil {
		return nil, err
	}
	return w.Experience(ctx, id)
}

// New is what creating an experience needs besides its design.
type New struct {
	// School is the school's id; a school's referent or tutor who names
	// none creates it for their own school.
	School  string `json:"school"`
	Company string `json:"company"`
	Class   string `json:"class"`
	Sector  string `json:"sector"`
	// Version is the standard's version; 0 is the published one.
	Version int    `json:"version"`
	Design  Design `json:"design"`
}

// context reads what e's design is checked against.
func checkContext(ctx context.Context, w Writer, e *Experience) (Context, *competence.Standard, error) {
	st, err := w.Standard(ctx, e.Sector, e.Version)
	if err != nil {
		return Context{}, nil, err
	}
	school, err := w.Organisation(ctx, e.School)
	if err != nil {
		return Context{}, nil, err
	}
	c := Context{Standard: st, SchoolType: competence.SchoolType(school.SchoolType), Year: e.Year}
	students, err := w.ClassStudents(ctx, e.Class)
	if err != nil {
		return Context{}, nil, err
	}
	for _, en := range students {
		c.ClassStudents = append(c.ClassStudents, en.Person.ID)
	}
	for _, side := range []struct {
		org   string
		roles []auth.Role
		to    *[]string
	}{{e.School, []auth.Role{auth.SchoolTutor, auth.SchoolReferent}, &c.SchoolTutors}, {e.Company, []auth.Role{auth.CompanyTutor}, &c.CompanyTutors}} {
		members, err := w.Members(ctx, side.org)
		if err != nil {
			return Context{}, nil, err
		}
		for _, m := range members {
			if slices.Contains(side.roles, m.Role) {
				*side.to = append(*side.to, m.Person.ID)
			}
		}
	}
	return c, st, nil
}

// Create starts the design of an experience: a draft with its first
// revision, signed off by no one yet.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in New) (*Experience, error) {
	if err := auth.Decide(p, auth.ExperienceDesign, auth.Anywhere); err != nil {
		return nil, err
	}
	in.School, in.Company, in.Class, in.Sector = strings.TrimSpace(in.School), strings.TrimSpace(in.Company), strings.TrimSpace(in.Class), strings.TrimSpace(in.Sector)
	if in.School == "" && (p.Role == auth.SchoolReferent || p.Role == auth.SchoolTutor) {
		in.School = p.Org
	}
	if in.Company == "" && p.Role == auth.CompanyTutor {
		in.Company = p.Org
	}
	in.Design.Normalize()
	id, err := people.NewID(s.rand, "exp")
	if err != nil {
		return nil, err
	}
	now := s.now()
	e := &Experience{ID: id, School: in.School, Company: in.Company, Class: in.Class, Sector: in.Sector, Version: in.Version,
		State: Draft, Revision: 1, Design: in.Design, CreatedAt: now, UpdatedAt: now}
	err = s.store.Update(ctx, func(w Writer) error {
		var fe attesta.FieldErrors
		school, err := w.Organisation(ctx, e.School)
		switch {
		case e.School == "":
			fe.Problem("school", "err.experience.school.required")
		case attesta.ErrorCode(err) == attesta.NotFound || err == nil && school.Kind != auth.School:
			fe.Problem("school", "err.experience.school.unknown", e.School)
		case err != nil:
			return err
		default:
			e.SchoolName, e.SchoolProvince = school.Name, school.Province
		}
		company, err := w.Organisation(ctx, e.Company)
		switch {
		case e.Company == "":
			fe.Problem("company", "err.experience.company.required")
		case attesta.ErrorCode(err) == attesta.NotFound || err == nil && company.Kind != auth.Company:
			fe.Problem("company", "err.experience.company.unknown", e.Company)
		case err != nil:
			return err
		default:
			e.CompanyName, e.CompanyProvince = company.Name, company.Province
		}
		class, err := w.Class(ctx, e.Class)
		switch {
		case e.Class == "":
			fe.Problem("class", "err.experience.class.required")
		case attesta.ErrorCode(err) == attesta.NotFound || err == nil && class.School != e.School:
			fe.Problem("class", "err.experience.class.unknown", e.Class)
		case err != nil:
			return err
		default:
			e.Year = class.Year
		}
		if e.Version == 0 && e.Sector != "" {
			infos, err := w.Infos(ctx)
			if err != nil {
				return err
			}
			for _, i := range infos {
				if i.Sector == e.Sector && i.Status == competence.Published {
					e.Version = i.Version
				}
			}
		}
		var st *competence.Standard
		if e.Sector == "" {
			fe.Problem("sector", "err.experience.sector.required")
		} else if st, err = w.Standard(ctx, e.Sector, e.Version); attesta.ErrorCode(err) == attesta.NotFound || err == nil && st.Status == competence.Draft {
			fe.Problem("sector", "err.experience.standard.unpublished", e.Sector, e.Version)
		} else if err != nil {
			return err
		}
		if len(fe) > 0 {
			return fe.Err()
		}
		// Now that the experience is placed, p must be one of its sides.
		if _, err := side(p, e); err != nil {
			if attesta.ErrorCode(err) == attesta.NotFound {
				return attesta.E(attesta.Forbidden, "err.experience.side")
			}
			return err
		}
		c, _, err := checkContext(ctx, w, e)
		if err != nil {
			return err
		}
		if e.Design.Validate(c, &fe); len(fe) > 0 {
			return fe.Err()
		}
		if s.tutor != nil {
			var refused *attesta.Error
			switch err := s.tutor.CheckTutor(ctx, e.Design.CompanyTutor, now, e.SchoolProvince, e.CompanyProvince); {
			case attesta.ErrorCode(err) == attesta.Conflict && errors.As(err, &refused):
				fe.Say("company_tutor", refused.Message)
				return fe.Conflict()
			case err != nil:
				return err
			}
		}
		r := &Revision{Experience: e.ID, Number: 1, Design: e.Design, Digest: e.Design.Digest(), By: p.Person, ByName: p.Name, At: now}
		if err := w.InsertExperience(ctx, e, r); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, now, actionCreate, e.Object(nil), nil, e)
	})
	if err != nil {
		return nil, fmt.Errorf("creating an experience: %w", err)
	}
	return e, nil
}

// View is an experience with its revisions and hours, as a page shows it.
type View struct {
	Experience
	Revisions   []Revision   `json:"revisions"`
	Attendances []Attendance `json:"attendances"`
	Totals      []Total      `json:"totals"`
	// Standard is the pinned version, for the titles of the rows.
	Standard *competence.Standard `json:"-"`
	// Names are the students' and tutors' names by person id.
	Names map[string]string `json:"names"`
}

// Get returns experience id with its revisions and hours, if p may see it.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id string) (*View, error) {
	if !idPattern.MatchString(id) {
		return nil, notFound(id)
	}
	var v View
	err := s.store.View(ctx, func(r Reader) error {
		e, err := r.Experience(ctx, id)
		if attesta.ErrorCode(err) == attesta.NotFound {
			return notFound(id)
		}
		if err != nil {
			return err
		}
		if err := decide(p, auth.ExperienceView, e); err != nil {
			return err
		}
		v.Experience = *e
		v.ClassName = className(ctx, r, e.Class)
		if v.Revisions, err = r.Revisions(ctx, id); err != nil {
			return err
		}
		if v.Attendances, err = r.Attendances(ctx, id); err != nil {
			return err
		}
		if p.Role == auth.Student {
			// A student sees their own hours, not their classmates'.
			v.Attendances = slices.DeleteFunc(v.Attendances, func(a Attendance) bool { return a.Student != p.Person })
		}
		v.Names = map[string]string{}
		for _, pid := range slices.Concat(e.Design.Students, []string{e.Design.SchoolTutor, e.Design.CompanyTutor}) {
			if pp, err := r.Person(ctx, pid); err == nil {
				v.Names[pid] = pp.Name()
			}
		}
		v.Totals = totals(e, v.Attendances, v.Names)
		if p.Role == auth.Student {
			v.Totals = slices.DeleteFunc(v.Totals, func(t Total) bool { return t.Student != p.Person })
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// className returns the name of class id, or id when it cannot be read.
func className(ctx context.Context, r Reader, id string) string {
	if c, err := r.Class(ctx, id); err == nil {
		return c.Name
	}
	return id
}

// totals sums each student's current records against the plan.
func totals(e *Experience, records []Attendance, names map[string]string) []Total {
	var out []Total
	for _, st := range e.Design.Students {
		t := Total{Student: st, Name: names[st], PlannedHours: e.Design.PlannedHours}
		for _, a := range records {
			if a.Student == st && !a.Superseded {
				t.Minutes += a.Minutes
				t.Records++
			}
		}
		out = append(out, t)
	}
	return out
}

// List returns the experiences p reaches that match f.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]Experience, error) {
	if err := auth.Decide(p, auth.ExperienceView, auth.Anywhere); err != nil {
		return nil, err
	}
	if f.State != "" && !f.State.Valid() {
		return nil, attesta.E(attesta.Invalid, "err.experience.filter.state", f.State)
	}
	if f.Year != "" && !people.ValidYear(f.Year) {
		return nil, attesta.E(attesta.Invalid, "err.experience.filter.year", f.Year)
	}
	f.Reach = auth.ReachOf(p)
	if p.Role == auth.Student {
		f.Student = p.Person
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = MaxLimit
	}
	var out []Experience
	err := s.store.View(ctx, func(r Reader) error {
		list, err := r.Experiences(ctx, f)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, e := range list {
			if auth.Can(p, auth.ExperienceView, e.Object(p)) {
				if _, ok := names[e.Class]; !ok {
					names[e.Class] = className(ctx, r, e.Class)
				}
				e.ClassName = names[e.Class]
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// Edit changes the design of experience id. seen is the number of the
// revision the editor started from: if another revision was made since,
// the change is refused (Conflict) rather than overwrite it. A revision no
// side signed off is changed in place; once a side signed it off, the
// change is a new revision, and both sides sign again.
func (s *Service) Edit(ctx context.Context, p *auth.Principal, id string, seen int, d Design) (*Experience, error) {
	d.Normalize()
	var out *Experience
	err := s.store.Update(ctx, func(w Writer) error {
		e, err := s.open(ctx, w, p, id, func(e *Experience) error { _, err := side(p, e); return err })
		if err != nil {
			return err
		}
		if err := e.State.Allows(Edit); err != nil {
			return err
		}
		if seen != e.Revision {
			return attesta.E(attesta.Conflict, "err.experience.revision.stale", seen, e.Revision)
		}
		c, _, err := checkContext(ctx, w, e)
		if err != nil {
			return err
		}
		var fe attesta.FieldErrors
		if d.Validate(c, &fe); len(fe) > 0 {
			return fe.Err()
		}
		revs, err := w.Revisions(ctx, id)
		if err != nil {
			return err
		}
		latest := revs[len(revs)-1]
		if latest.Design.Digest() == d.Digest() {
			out = e
			return nil // nothing changed
		}
		before := e.Design
		now := s.now()
		action := actionEdit
		if latest.Frozen() {
			action = actionRevise
			e.Revision++
			r := &Revision{Experience: id, Number: e.Revision, Design: d, Digest: d.Digest(), By: p.Person, ByName: p.Name, At: now}
			if err := w.InsertRevision(ctx, r); err != nil {
				return err
			}
		} else {
			latest.Design, latest.Digest, latest.By, latest.ByName, latest.At = d, d.Digest(), p.Person, p.Name, now
			if err := w.UpdateRevision(ctx, &latest); err != nil {
				return err
			}
		}
		e.Design, e.UpdatedAt = d, now
		if err := w.UpdateExperience(ctx, e); err != nil {
			return err
		}
		out = e
		return audit.Record(ctx, w, p, now, action, e.Object(nil), map[string]any{"revision": latest.Number, "design": before},
			map[string]any{"revision": e.Revision, "design": d})
	})
	if err != nil {
		return nil, fmt.Errorf("changing the design of experience %s: %w", id, err)
	}
	return out, nil
}

// SignOff records p's sign-off, for their side, of revision number of
// experience id, which must be the latest (the one p saw). When both sides
// have signed it off, it is the agreed design: a draft becomes co-designed.
// Before that, every student's planned hours for the school year must
// reach MinYearHours, or the design must give the reason it does not.
func (s *Service) SignOff(ctx context.Context, p *auth.Principal, id string, number int) (*Experience, error) {
	var out *Experience
	err := s.store.Update(ctx, func(w Writer) error {
		var sd Side
		e, err := s.open(ctx, w, p, id, func(e *Experience) (err error) { sd, err = side(p, e); return err })
		if err != nil {
			return err
		}
		if err := e.State.Allows(Approve); err != nil {
			return err
		}
		if number != e.Revision {
			return attesta.E(attesta.Conflict, "err.experience.revision.stale", number, e.Revision)
		}
		revs, err := w.Revisions(ctx, id)
		if err != nil {
			return err
		}
		r := revs[len(revs)-1]
		mine := &r.School
		if sd == CompanySide {
			mine = &r.Company
		}
		if *mine != nil {
			return attesta.E(attesta.Conflict, "err.experience.signoff.twice", number, (*mine).Name)
		}
		others, err := w.PlannedHours(ctx, e.Year, e.ID, r.Design.Students)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, st := range r.Design.Students {
			if pp, err := w.Person(ctx, st); err == nil {
				names[st] = pp.Name()
			}
		}
		if err := CheckYearHours(&r.Design, others, names); err != nil {
			return err
		}
		now := s.now()
		*mine = &SignOff{Person: p.Person, Name: p.Name, Role: p.Role, At: now, Digest: r.Digest}
		if err := w.UpdateRevision(ctx, &r); err != nil {
			return err
		}
		before := e.State
		if r.Agreed() {
			e.Agreed = r.Number
			if e.State == Draft {
				e.State = CoDesigned
			}
		}
		e.UpdatedAt = now
		if err := w.UpdateExperience(ctx, e); err != nil {
			return err
		}
		out = e
		if err := audit.Record(ctx, w, p, now, actionSignOff, e.Object(nil), nil,
			map[string]any{"revision": r.Number, "side": sd, "digest": r.Digest}); err != nil {
			return err
		}
		if r.Agreed() {
			return audit.Record(ctx, w, p, now, actionAgreed, e.Object(nil), map[string]any{"state": before},
				map[string]any{"state": e.State, "revision": r.Number})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("signing off experience %s: %w", id, err)
	}
	return out, nil
}

// transition moves experience id by a, when its latest revision is seen
// (the one the person acting saw; -1: any); check, if not nil, refuses it
// for a reason of its own.
func (s *Service) transition(ctx context.Context, p *auth.Principal, id string, seen int, a Action, to State, auditAction, reason string, check func(w Writer, e *Experience) error) (*Experience, error) {
	var out *Experience
	err := s.store.Update(ctx, func(w Writer) error {
		e, err := s.open(ctx, w, p, id, func(e *Experience) error {
			if err := decide(p, auth.ExperienceManage, e); err != nil {
				return err
			}
			if _, ok := SideOf(p, e); !ok {
				return attesta.E(attesta.Forbidden, "err.experience.side")
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := e.State.Allows(a); err != nil {
			return err
		}
		if seen >= 0 && seen != e.Revision {
			return attesta.E(attesta.Conflict, "err.experience.revision.stale", seen, e.Revision)
		}
		if check != nil {
			if err := check(w, e); err != nil {
				return err
			}
		}
		before := e.State
		e.State, e.UpdatedAt = to, s.now()
		if reason != "" {
			e.CancelReason = reason
		}
		if err := w.UpdateExperience(ctx, e); err != nil {
			return err
		}
		out = e
		after := map[string]any{"state": e.State}
		if reason != "" {
			after["reason"] = reason
		}
		return audit.Record(ctx, w, p, e.UpdatedAt, auditAction, e.Object(nil), map[string]any{"state": before}, after)
	})
	if err != nil {
		return nil, fmt.Errorf("%s experience %s: %w", a, id, err)
	}
	return out, nil
}

// Start begins a co-designed experience whose latest revision, the one the
// person starting it saw, is seen.
func (s *Service) Start(ctx context.Context, p *auth.Principal, id string, seen int) (*Experience, error) {
	return s.transition(ctx, p, id, seen, Start, InProgress, actionStart, "", nil)
}

// Close ends an experience in progress whose latest revision is seen. It
// needs hours recorded for every student, and no revision awaiting
// sign-off.
func (s *Service) Close(ctx context.Context, p *auth.Principal, id string, seen int) (*Experience, error) {
	return s.transition(ctx, p, id, seen, Finish, Closed, actionClose, "", func(w Writer, e *Experience) error {
		if e.Agreed != e.Revision {
			return attesta.E(attesta.Conflict, "err.experience.close.pending", e.Revision)
		}
		records, err := w.Attendances(ctx, e.ID)
		if err != nil {
			return err
		}
		var missing []string
		for _, t := range totals(e, records, nil) {
			if t.Minutes == 0 {
				name := t.Student
				if pp, err := w.Person(ctx, t.Student); err == nil {
					name = pp.Name()
				}
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			return attesta.E(attesta.Conflict, "err.experience.close.hours", strings.Join(missing, ", "))
		}
		return nil
	})
}

// Cancel stops an experience that is not closed, for a reason.
func (s *Service) Cancel(ctx context.Context, p *auth.Principal, id, reason string) (*Experience, error) {
	reason = strings.TrimSpace(reason)
	return s.transition(ctx, p, id, -1, Cancel, Cancelled, actionCancel, reason, func(Writer, *Experience) error {
		var fe attesta.FieldErrors
		text(&fe, "reason", reason, MinReason, MaxReason, true)
		return fe.Err()
	})
}

// Compare returns the changes from revision a to revision b of
// experience id.
func (s *Service) Compare(ctx context.Context, p *auth.Principal, id string, a, b int) ([]Change, error) {
	v, err := s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	find := func(n int) (*Revision, error) {
		for i := range v.Revisions {
			if v.Revisions[i].Number == n {
				return &v.Revisions[i], nil
			}
		}
		return nil, attesta.E(attesta.NotFound, "err.experience.revision.notfound", n, id)
	}
	ra, err := find(a)
	if err != nil {
		return nil, err
	}
	rb, err := find(b)
	if err != nil {
		return nil, err
	}
	return Diff(&ra.Design, &rb.Design), nil
}

// HoursInput is a record of hours as a tutor enters it.
type HoursInput struct {
	Student  string `json:"student"`
	Day      string `json:"day"`
	Weekly   bool   `json:"weekly,omitempty"`
	Minutes  int    `json:"minutes"`
	Activity string `json:"activity,omitempty"`
	// Corrects is the record being corrected; "" for a new record.
	Corrects string `json:"corrects,omitempty"`
}

// RecordHours records a student's hours in experience id, or corrects a
// record (in.Corrects): the corrected record is kept, marked superseded.
// A student has one current record per day (or week): a second is a
// Conflict that says to correct the first.
func (s *Service) RecordHours(ctx context.Context, p *auth.Principal, id string, in HoursInput) (*Attendance, error) {
	in.Student, in.Day, in.Corrects = strings.TrimSpace(in.Student), strings.TrimSpace(in.Day), strings.TrimSpace(in.Corrects)
	in.Activity = strings.Join(strings.Fields(in.Activity), " ")
	var out *Attendance
	err := s.store.Update(ctx, func(w Writer) error {
		e, err := s.open(ctx, w, p, id, func(e *Experience) error {
			if err := decide(p, auth.HoursRecord, e); err != nil {
				return err
			}
			if _, ok := SideOf(p, e); !ok {
				return attesta.E(attesta.Forbidden, "err.experience.side")
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := e.State.Allows(Record); err != nil {
			return err
		}
		var fe attesta.FieldErrors
		if !slices.Contains(e.Design.Students, in.Student) {
			fe.Problem("student", "err.experience.hours.student", in.Student)
		}
		day, ok := Day(in.Day)
		start, _ := Day(e.Design.Start)
		end, _ := Day(e.Design.End)
		today := s.now().In(attesta.Rome)
		switch {
		case !ok:
			fe.Problem("day", "err.experience.day.form", in.Day)
		case day.Before(start) || day.After(end):
			fe.Problem("day", "err.experience.hours.outside", e.Design.Start, e.Design.End)
		case day.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)):
			fe.Problem("day", "err.experience.hours.future")
		case in.Weekly && day.Weekday() != time.Monday:
			fe.Problem("day", "err.experience.hours.monday")
		}
		max := 24 * 60
		if in.Weekly {
			max = 7 * 24 * 60
		}
		if in.Minutes < 0 || in.Minutes > max || in.Minutes == 0 && in.Corrects == "" {
			fe.Problem("minutes", "err.experience.hours.minutes", max/60)
		}
		text(&fe, "activity", in.Activity, 0, MaxNote, false)
		if len(fe) > 0 {
			return fe.Err()
		}
		records, err := w.Attendances(ctx, id)
		if err != nil {
			return err
		}
		var corrected *Attendance
		for i := range records {
			a := &records[i]
			if in.Corrects != "" && a.ID == in.Corrects {
				corrected = a
			}
			if in.Corrects == "" && !a.Superseded && a.Student == in.Student && a.Day == in.Day && a.Weekly == in.Weekly {
				return attesta.E(attesta.Conflict, "err.experience.hours.twice", in.Day)
			}
		}
		if in.Corrects != "" {
			switch {
			case corrected == nil:
				return attesta.E(attesta.NotFound, "err.experience.hours.notfound", in.Corrects)
			case corrected.Superseded:
				return attesta.E(attesta.Conflict, "err.experience.hours.superseded", in.Corrects)
			case corrected.Student != in.Student || corrected.Day != in.Day || corrected.Weekly != in.Weekly:
				return attesta.E(attesta.Invalid, "err.experience.hours.correction")
			}
		}
		aid, err := people.NewID(s.rand, "att")
		if err != nil {
			return err
		}
		a := &Attendance{ID: aid, Experience: id, Student: in.Student, Day: in.Day, Weekly: in.Weekly, Minutes: in.Minutes,
			Activity: in.Activity, Supersedes: in.Corrects, By: p.Person, ByName: p.Name, ByRole: p.Role, At: s.now()}
		if err := w.InsertAttendance(ctx, a); err != nil {
			return err
		}
		out = a
		if corrected != nil {
			return audit.Record(ctx, w, p, a.At, actionCorrect, e.Object(nil), corrected, a)
		}
		return audit.Record(ctx, w, p, a.At, actionHours, e.Object(nil), nil, a)
	})
	if err != nil {
		return nil, fmt.Errorf("recording hours in experience %s: %w", id, err)
	}
	return out, nil
}
