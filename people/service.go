package people

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
)

// Reader reads people inside a transaction.
type Reader interface {
	RoleReader
	// Organisation returns the organisation a person belongs to or a class
	// is in, or an error with code attesta.NotFound.
	Organisation(ctx context.Context, id string) (*org.Organisation, error)
	// PersonByEmail returns the person with that (lower-case) address, or
	// an error with code attesta.NotFound.
	PersonByEmail(ctx context.Context, email string) (*Person, error)
	// Members lists an organisation's members, ordered by family name.
	Members(ctx context.Context, org string) ([]Member, error)
	// Student returns a person's student record, or NotFound.
	Student(ctx context.Context, person string) (*Student, error)
	// Classes lists a school's classes with their counts, newest year
	// first, then by name.
	Classes(ctx context.Context, school string) ([]Class, error)
	// Class returns one, or NotFound.
	Class(ctx context.Context, id string) (*Class, error)
	// ClassStudents lists a class's students, by family name.
	ClassStudents(ctx context.Context, class string) ([]Enrolment, error)
	// ClassTeachers lists a class's teachers, by family name.
	ClassTeachers(ctx context.Context, class string) ([]Person, error)
	// StudentClasses lists the classes a student is in.
	StudentClasses(ctx context.Context, person string) ([]Class, error)
}

// RoleReader reads a person and the roles they hold: what [Principal]
// needs, in whatever transaction its caller runs.
type RoleReader interface {
	// Person returns one, or an error with code attesta.NotFound.
	Person(ctx context.Context, id string) (*Person, error)
	// Memberships returns a person's roles, with their organisations'
	// names, kinds and territories, ordered by organisation name.
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
}

// Writer writes people inside a transaction, with the audit trail.
type Writer interface {
	Reader
	Enroller
	// InsertClass adds one; a taken (school, year, name) is a Conflict.
	InsertClass(ctx context.Context, c *Class) error
	// AssignTeacher makes a person a teacher of a class (idem).
	AssignTeacher(ctx context.Context, class, person string) error
}

// Enroller is what [Service.EnrolIn] and [Service.InsertPerson] need of a
// transaction: to find, add or update a person and their student record,
// give them a role, put them in a class, and record it in the audit trail.
// A Writer is one; so is the transaction of an import, which enrols
// students in its own.
type Enroller interface {
	// Person returns one, or an error with code attesta.NotFound.
	Person(ctx context.Context, id string) (*Person, error)
	// StudentByNumber finds a school's student by number, or NotFound.
	StudentByNumber(ctx context.Context, school, number string) (*Student, error)
	// InsertPerson adds one; a taken e-mail address is a Conflict.
	InsertPerson(ctx context.Context, p *Person) error
	// UpdatePerson replaces a person's fields.
	UpdatePerson(ctx context.Context, p *Person) error
	// AddMembership gives a person a role; having it already is no error.
	AddMembership(ctx context.Context, person, org string, role auth.Role) error
	// PutStudent inserts or replaces a student record; a number taken by
	// another student of the school is a Conflict.
	PutStudent(ctx context.Context, s *Student) error
	// Enrol puts a student in a class; being in it already is no error.
	Enrol(ctx context.Context, class, person string) error
	// Record appends an entry to the audit trail (audit.Recorder).
	Record(ctx context.Context, e *audit.Entry) error
}

// Store keeps people; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Service is the people's use-cases.
type Service struct {
	store Store
	now   attesta.Clock
	rand  io.Reader
}

// NewService returns the service; rnd nil means crypto/rand.
func NewService(store Store, now attesta.Clock, rnd io.Reader) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: now, rand: rnd}
}

// NewID returns a new random identifier with a prefix, e.g. p-6x2kq…
func NewID(rnd io.Reader, prefix string) (string, error) {
	b := make([]byte, 10)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", fmt.Errorf("making an id: %w", err)
	}
	return prefix + "-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), nil
}

// Profile is a person with their roles, and their student record and
// classes if they are a student.
type Profile struct {
	Person      Person            `json:"person"`
	Memberships []auth.Membership `json:"memberships"`
	Student     *Student          `json:"student,omitempty"`
	Classes     []Class           `json:"classes,omitempty"`
}

// Principal returns the principal of a person acting in one of their
// memberships: the one in org with role, or, when org is "", the first.
func Principal(ctx context.Context, r RoleReader, person, orgID string, role auth.Role) (*auth.Principal, error) {
	p, err := r.Person(ctx, person)
	if err != nil {
		return nil, err
	}
	ms, err := r.Memberships(ctx, person)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if orgID == "" || (m.Org == orgID && m.Role == role) {
			return &auth.Principal{Person: p.ID, Name: p.Name(), Membership: m}, nil
		}
	}
	return nil, attesta.E(attesta.Forbidden, "err.people.role.notheld", p.Name())
}

// Memberships returns the roles of the principal's person, for switching.
func (s *Service) Memberships(ctx context.Context, p *auth.Principal) ([]auth.Membership, error) {
	var out []auth.Membership
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Memberships(ctx, p.Person)
		return err
	})
	return out, err
}

// Profile returns a person's profile, if p may see it.
func (s *Service) Profile(ctx context.Context, p *auth.Principal, id string) (*Profile, error) {
	var out *Profile
	err := s.store.View(ctx, func(r Reader) error {
		pr, err := profile(ctx, r, id)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.PersonView, PersonObject(id, pr.Memberships)); err != nil {
			return err
		}
		if pr.Student != nil {
			// The student's record is the school's: shown only to those who
			// reach the school, not to every organisation the person is in.
			school, err := r.Organisation(ctx, pr.Student.School)
			if err != nil {
				return err
			}
			if !auth.Reaches(p, StudentObject(pr.Student, school.Province)) {
				pr.Student, pr.Classes = nil, nil
			}
		}
		out = pr
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading person %s: %w", id, err)
	}
	return out, nil
}

func profile(ctx context.Context, r Reader, id string) (*Profile, error) {
	person, err := r.Person(ctx, id)
	if err != nil {
		return nil, err
	}
	pr := &Profile{Person: *person}
	if pr.Memberships, err = r.Memberships(ctx, id); err != nil {
		return nil, err
	}
	st, err := r.Student(ctx, id)
	switch {
	case attesta.ErrorCode(err) == attesta.NotFound:
	case err == nil:
		pr.Student = st
		if pr.Classes, err = r.StudentClasses(ctx, id); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	return pr, nil
}

// Members lists an organisation's members, if p may.
func (s *Service) Members(ctx context.Context, p *auth.Principal, orgID string) ([]Member, error) {
	var out []Member
	err := s.store.View(ctx, func(r Reader) error {
		o, err := r.Organisation(ctx, orgID)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.PeopleList, o.Object()); err != nil {
			return err
		}
		out, err = r.Members(ctx, orgID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing members of %s: %w", orgID, err)
	}
	return out, nil
}

// AddMember gives the person with in.Email (created if new) a role in an
// organisation. Roles that need an account (all but student) need an
// e-mail address.
func (s *Service) AddMember(ctx context.Context, p *auth.Principal, orgID string, in Person, role auth.Role) (*Person, error) {
	in.Normalize()
	var out *Person
	err := s.store.Update(ctx, func(w Writer) error {
		o, err := w.Organisation(ctx, orgID)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.MemberAdd, o.Object()); err != nil {
			return err
		}
		var fe attesta.FieldErrors
		if !role.Valid() || auth.RoleKinds[role] != o.Kind {
			fe.Problem("role", "err.people.role.kind", role, o.Kind)
		}
		if role == auth.NationalAdmin && p.Role != auth.NationalAdmin {
			return attesta.E(attesta.Forbidden, "err.people.role.national")
		}
		if p.Role == auth.SchoolReferent && role != auth.SchoolTutor && role != auth.SchoolReferent {
			return attesta.E(attesta.Forbidden, "err.people.role.referent")
		}
		if in.Email == "" {
			fe.Problem("email", "err.people.email.required")
		}
		in.Validate(&fe)
		if err := fe.Err(); err != nil {
			return err
		}
		person, err := s.personByEmail(ctx, w, p, in, o)
		if err != nil {
			return err
		}
		if err := w.AddMembership(ctx, person.ID, orgID, role); err != nil {
			return err
		}
		out = person
		return audit.Record(ctx, w, p, s.now(), string(auth.MemberAdd), o.Object(), nil,
			map[string]string{"person": person.ID, "role": string(role)})
	})
	if err != nil {
		return nil, fmt.Errorf("adding a member to %s: %w", orgID, err)
	}
	return out, nil
}

// personByEmail returns the person with in.Email, creating them if new.
// An existing person's name is not changed by someone else's input.
//
// An existing person whom p does not reach in every organisation they
// belong to is refused: linking them would let p see them. The national
// body, which reaches everyone, makes such appointments (a teacher who
// sits on another province's commission).
func (s *Service) personByEmail(ctx context.Context, w Writer, p *auth.Principal, in Person, at *org.Organisation) (*Person, error) {
	existing, err := w.PersonByEmail(ctx, in.Email)
	if err == nil {
		ms, err := w.Memberships(ctx, existing.ID)
		if err != nil {
			return nil, err
		}
		if !ReachesAll(p, ms) {
			var fe attesta.FieldErrors
			fe.Problem("email", "err.people.email.elsewhere", in.Email)
			return nil, fe.WithCode(attesta.Forbidden)
		}
		return existing, nil
	}
	if attesta.ErrorCode(err) != attesta.NotFound {
		return nil, err
	}
	return s.InsertPerson(ctx, w, p, in, at)
}

// ReachesAll reports whether p reaches every organisation of ms.
func ReachesAll(p *auth.Principal, ms []auth.Membership) bool {
	for _, m := range ms {
		o := PersonObject("", []auth.Membership{m})
		o.Person = ""
		if !auth.Reaches(p, o) {
			return false
		}
	}
	return true
}

// StudentObject describes a student's record for authorization: it
// belongs to the student's school alone, whatever other roles they hold.
func StudentObject(st *Student, schoolProvince string) auth.Object {
	return auth.Object{Kind: auth.PersonObject, ID: st.Person, Person: st.Person, Places: []auth.Place{{Org: st.School, Province: schoolProvince}}}
}

// InsertPerson adds a new person with a new id, and records it in the
// audit trail of the organisation at, where they are being given a role.
func (s *Service) InsertPerson(ctx context.Context, w Enroller, p *auth.Principal, in Person, at *org.Organisation) (*Person, error) {
	id, err := NewID(s.rand, "p")
	if err != nil {
		return nil, err
	}
	in.ID, in.CreatedAt, in.UpdatedAt = id, s.now(), s.now()
	if err := w.InsertPerson(ctx, &in); err != nil {
		return nil, err
	}
	obj := PersonObject(in.ID, nil)
	obj.Places = []auth.Place{{Org: at.ID, Province: at.Province}}
	return &in, audit.Record(ctx, w, p, in.CreatedAt, "person.create", obj, nil, in)
}

// Classes lists a school's classes, if p may.
func (s *Service) Classes(ctx context.Context, p *auth.Principal, school string) ([]Class, error) {
	var out []Class
	err := s.store.View(ctx, func(r Reader) error {
		o, err := r.Organisation(ctx, school)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.ClassList, o.Object()); err != nil {
			return err
		}
		if o.Kind != auth.School {
			return attesta.E(attesta.NotFound, "err.people.notschool", school)
		}
		out, err = r.Classes(ctx, school)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing classes of %s: %w", school, err)
	}
	return out, nil
}

// ClassView is a class with its school, students and teachers.
type ClassView struct {
	Class    Class            `json:"class"`
	School   org.Organisation `json:"school"`
	Students []Enrolment      `json:"students"`
	Teachers []Person         `json:"teachers"`
}

// Class returns a class with its students and teachers, if p may see it.
func (s *Service) Class(ctx context.Context, p *auth.Principal, id string) (*ClassView, error) {
	var out *ClassView
	err := s.store.View(ctx, func(r Reader) error {
		c, school, err := classOf(ctx, r, id)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.ClassView, ClassObject(c, school.Province)); err != nil {
			return err
		}
		v := &ClassView{Class: *c, School: *school}
		if v.Students, err = r.ClassStudents(ctx, id); err != nil {
			return err
		}
		if v.Teachers, err = r.ClassTeachers(ctx, id); err != nil {
			return err
		}
		out = v
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading class %s: %w", id, err)
	}
	return out, nil
}

// classOf reads a class and its school.
func classOf(ctx context.Context, r Reader, id string) (*Class, *org.Organisation, error) {
	c, err := r.Class(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	school, err := r.Organisation(ctx, c.School)
	if err != nil {
		return nil, nil, err
	}
	return c, school, nil
}

// CreateClass adds a class to a school.
func (s *Service) CreateClass(ctx context.Context, p *auth.Principal, c Class) (*Class, error) {
	c.Normalize()
	err := s.store.Update(ctx, func(w Writer) error {
		school, err := w.Organisation(ctx, c.School)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.ClassManage, school.Object()); err != nil {
			return err
		}
		if school.Kind != auth.School {
			return attesta.E(attesta.NotFound, "err.people.notschool", c.School)
		}
		var fe attesta.FieldErrors
		c.Validate(&fe)
		if err := fe.Err(); err != nil {
			return err
		}
		if c.ID, err = NewID(s.rand, "c"); err != nil {
			return err
		}
		c.CreatedAt = s.now()
		if err := w.InsertClass(ctx, &c); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, c.CreatedAt, "class.create", ClassObject(&c, school.Province), nil, c)
	})
	if err != nil {
		return nil, fmt.Errorf("creating class %s %s: %w", c.Name, c.Year, err)
	}
	return &c, nil
}

// StudentInput is a student to enrol. For a student the school already
// has (found by number), a blank contact or consent leaves the stored one
// as it is: a blank field is not a removal. Clear removes them.
type StudentInput struct {
	Person  Person
	Student Student
	Clear   StudentClear
}

// StudentClear says which stored values of a student's record to remove:
// an explicit removal, recorded in the audit trail with the value removed.
type StudentClear struct {
	Contact bool // the contact
	Consent bool // the guardian's consent: who gave it, and when
}

// The names of the student's fields a removal may name: as a form or the
// API gives them.
const (
	FieldContact   = "contact"
	FieldConsentBy = "consent_by"
)

// ClearOf reads the names of the fields of a student's record to remove
// (FieldContact, FieldConsentBy), as a form or the API gives them; another
// name is refused.
func ClearOf(names []string) (StudentClear, error) {
	var c StudentClear
	var fe attesta.FieldErrors
	for _, n := range names {
		switch n {
		case FieldContact:
			c.Contact = true
		case FieldConsentBy:
			c.Consent = true
		default:
			fe.Problem("clear", "err.people.clear.unknown", n)
		}
	}
	return c, fe.Err()
}

// Enrol adds a student (new, or found by the school's student number) to a
// class.
func (s *Service) Enrol(ctx context.Context, p *auth.Principal, classID string, in StudentInput) (*Enrolment, error) {
	var out *Enrolment
	err := s.store.Update(ctx, func(w Writer) error {
		c, school, err := classOf(ctx, w, classID)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.ClassManage, ClassObject(c, school.Province)); err != nil {
			return err
		}
		out, err = s.EnrolIn(ctx, w, p, c, school, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("enrolling in class %s: %w", classID, err)
	}
	return out, nil
}

// EnrolIn enrols a student in class c of school, inside w's transaction;
// the caller has decided. A student found by number keeps their id; their
// name is updated from in, and so are their contact and consent when in
// gives them: a blank one keeps the stored value, in.Clear removes it. A
// change of the record is in the audit trail with its before and after.
func (s *Service) EnrolIn(ctx context.Context, w Enroller, p *auth.Principal, c *Class, school *org.Organisation, in StudentInput) (*Enrolment, error) {
	in.Person.Normalize()
	in.Student.Normalize()
	in.Student.School = school.ID
	var fe attesta.FieldErrors
	in.Person.Validate(&fe)
	in.Student.Validate(&fe)
	if in.Clear.Contact && in.Student.Contact != "" {
		fe.Problem("contact", "err.people.clear.given")
	}
	if in.Clear.Consent && in.Student.ConsentBy != "" {
		fe.Problem("consent_by", "err.people.clear.given")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	obj := ClassObject(c, school.Province)
	record := StudentObject(&in.Student, school.Province)
	st, err := w.StudentByNumber(ctx, school.ID, in.Student.Number)
	switch {
	case attesta.ErrorCode(err) == attesta.NotFound:
		st = nil
		person, err := s.InsertPerson(ctx, w, p, in.Person, school)
		if err != nil {
			return nil, err
		}
		in.Person = *person
	case err == nil:
		old, err := w.Person(ctx, st.Person)
		if err != nil {
			return nil, err
		}
		in.Person.ID, in.Person.CreatedAt, in.Person.UpdatedAt = old.ID, old.CreatedAt, old.UpdatedAt
		if in.Person.Email == "" {
			in.Person.Email = old.Email
		}
		record.ID, record.Person = old.ID, old.ID
		if in.Person != *old {
			in.Person.UpdatedAt = s.now()
			if err := w.UpdatePerson(ctx, &in.Person); err != nil {
				return nil, err
			}
			if err := audit.Record(ctx, w, p, s.now(), "person.update", record, old, in.Person); err != nil {
				return nil, err
			}
		}
		// A blank field is not a removal: only in.Clear removes.
		if in.Student.Contact == "" && !in.Clear.Contact {
			in.Student.Contact = st.Contact
		}
		if in.Student.ConsentBy == "" && !in.Clear.Consent {
			in.Student.ConsentBy = st.ConsentBy
		}
		if in.Student.ConsentBy == st.ConsentBy {
			in.Student.ConsentAt = st.ConsentAt
		}
	default:
		return nil, err
	}
	in.Student.Person = in.Person.ID
	if in.Student.ConsentBy != "" && in.Student.ConsentAt.IsZero() {
		in.Student.ConsentAt = s.now()
	}
	if in.Student.ConsentBy == "" {
		in.Student.ConsentAt = time.Time{}
	}
	if st == nil || *st != in.Student {
		if err := w.PutStudent(ctx, &in.Student); err != nil {
			return nil, err
		}
	}
	if st != nil && *st != in.Student {
		if err := audit.Record(ctx, w, p, s.now(), "student.update", record, st, in.Student); err != nil {
			return nil, err
		}
	}
	if err := w.AddMembership(ctx, in.Person.ID, school.ID, auth.Student); err != nil {
		return nil, err
	}
	if err := w.Enrol(ctx, c.ID, in.Person.ID); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, w, p, s.now(), "class.enrol", obj, nil, map[string]string{"person": in.Person.ID, "number": in.Student.Number}); err != nil {
		return nil, err
	}
	return &Enrolment{Person: in.Person, Student: in.Student}, nil
}

// AssignTeacher makes a member of the school with the school tutor role a
// teacher of a class.
func (s *Service) AssignTeacher(ctx context.Context, p *auth.Principal, classID, person string) error {
	err := s.store.Update(ctx, func(w Writer) error {
		c, school, err := classOf(ctx, w, classID)
		if err != nil {
			return err
		}
		obj := ClassObject(c, school.Province)
		if err := auth.Decide(p, auth.ClassManage, obj); err != nil {
			return err
		}
		ms, err := w.Memberships(ctx, person)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(ms, func(m auth.Membership) bool { return m.Org == school.ID && m.Role == auth.SchoolTutor }) {
			return attesta.E(attesta.Invalid, "err.people.teacher.notschool", school.Name)
		}
		if err := w.AssignTeacher(ctx, classID, person); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, s.now(), "class.teacher", obj, nil, map[string]string{"person": person})
	})
	if err != nil {
		return fmt.Errorf("assigning a teacher to class %s: %w", classID, err)
	}
	return nil
}

// PrincipalByEmail returns the principal of the person with that address
// acting in one of their memberships (org "" means the first): for the
// command line and tests, which act as a named user.
func (s *Service) PrincipalByEmail(ctx context.Context, email, org string, role auth.Role) (*auth.Principal, error) {
	var out *auth.Principal
	err := s.store.View(ctx, func(r Reader) error {
		p, err := r.PersonByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
		if err != nil {
			return err
		}
		out, err = Principal(ctx, r, p.ID, org, role)
		return err
	})
	return out, err
}

// RecordConsent records that by (a parent or guardian) gave consent for
// the student person, now; by "" is refused: a blank is not a withdrawal,
// which is WithdrawConsent.
func (s *Service) RecordConsent(ctx context.Context, p *auth.Principal, person, by string) (*Student, error) {
	var out *Student
	err := s.store.Update(ctx, func(w Writer) error {
		st, obj, err := s.studentToEdit(ctx, w, p, person)
		if err != nil {
			return err
		}
		old := *st
		st.ConsentBy = by
		st.Normalize()
		var fe attesta.FieldErrors
		if st.ConsentBy == "" {
			fe.Problem("consent_by", "err.people.consent.required")
		}
		st.Validate(&fe)
		if err := fe.Err(); err != nil {
			return err
		}
		st.ConsentAt = s.now()
		if err := w.PutStudent(ctx, st); err != nil {
			return err
		}
		out = st
		return audit.Record(ctx, w, p, st.ConsentAt, string(auth.StudentEdit), obj, old, st)
	})
	if err != nil {
		return nil, fmt.Errorf("recording consent for %s: %w", person, err)
	}
	return out, nil
}

// studentToEdit reads the student record of person for a change by p, and
// decides.
func (s *Service) studentToEdit(ctx context.Context, w Writer, p *auth.Principal, person string) (*Student, auth.Object, error) {
	st, err := w.Student(ctx, person)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return nil, auth.Object{}, attesta.E(attesta.NotFound, "err.people.student.notfound", person)
	}
	if err != nil {
		return nil, auth.Object{}, err
	}
	school, err := w.Organisation(ctx, st.School)
	if err != nil {
		return nil, auth.Object{}, err
	}
	obj := StudentObject(st, school.Province)
	if err := auth.Decide(p, auth.StudentEdit, obj); err != nil {
		return nil, auth.Object{}, err
	}
	return st, obj, nil
}

// WithdrawConsent removes the guardian's consent recorded for the student
// person: the explicit removal, in the audit trail with who had given it
// and when. A student with no consent recorded is left as is.
func (s *Service) WithdrawConsent(ctx context.Context, p *auth.Principal, person string) (*Student, error) {
	var out *Student
	err := s.store.Update(ctx, func(w Writer) error {
		st, obj, err := s.studentToEdit(ctx, w, p, person)
		if err != nil {
			return err
		}
		out = st
		if st.ConsentBy == "" && st.ConsentAt.IsZero() {
			return nil
		}
		old := *st
		st.ConsentBy, st.ConsentAt = "", time.Time{}
		if err := w.PutStudent(ctx, st); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, s.now(), "student.consent.withdraw", obj, old, st)
	})
	if err != nil {
		return nil, fmt.Errorf("withdrawing the consent for %s: %w", person, err)
	}
	return out, nil
}
