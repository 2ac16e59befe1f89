package importer

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"slices"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// Store is where imports read and write: organisations, people, classes
// and the audit trail, in one transaction per call. View runs fn in a
// read-only transaction that sees one snapshot; Update runs fn in a
// read-write transaction, committed if fn returns nil and rolled back,
// audit entries included, if it returns an error. The stores of package
// storage (db.Imports()) are such stores.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Reader reads what an import matches its rows against, inside a
// transaction.
type Reader interface {
	// Organisation returns one, or an error with code attesta.NotFound.
	Organisation(ctx context.Context, id string) (*org.Organisation, error)
	// OrganisationByKey returns the organisation of a kind with a natural
	// key (org.Organisation.NaturalKey), or NotFound.
	OrganisationByKey(ctx context.Context, kind auth.OrgKind, key string) (*org.Organisation, error)
	// Organisations lists those matching f, ordered by name and id.
	Organisations(ctx context.Context, f org.Filter) ([]org.Organisation, error)
	// Person returns one, or NotFound.
	Person(ctx context.Context, id string) (*people.Person, error)
	// PersonByEmail returns the person with that (lower-case) address, or
	// NotFound.
	PersonByEmail(ctx context.Context, email string) (*people.Person, error)
	// Memberships returns a person's roles, ordered by organisation name.
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
	// Members lists an organisation's members, ordered by family name.
	Members(ctx context.Context, org string) ([]people.Member, error)
	// StudentByNumber finds a school's student by number, or NotFound.
	StudentByNumber(ctx context.Context, school, number string) (*people.Student, error)
	// StudentClasses lists the classes a student is in.
	StudentClasses(ctx context.Context, person string) ([]people.Class, error)
	// Classes lists a school's classes, newest year first, then by name.
	Classes(ctx context.Context, school string) ([]people.Class, error)
	// ClassByName finds a school's class of a year, or NotFound.
	ClassByName(ctx context.Context, school, year, name string) (*people.Class, error)
	// ClassStudents lists a class's students, by family name.
	ClassStudents(ctx context.Context, class string) ([]people.Enrolment, error)
}

// Writer writes an import inside a transaction, with the audit trail. It
// is also a people.Enroller: an import enrols students and adds persons
// with the people's own steps, in its transaction.
type Writer interface {
	Reader
	// InsertOrganisation adds one; a taken id or natural key is a Conflict.
	InsertOrganisation(ctx context.Context, o *org.Organisation) error
	// UpdateOrganisation replaces the stored one with o (same id).
	UpdateOrganisation(ctx context.Context, o *org.Organisation) error
	// InsertPerson adds one; a taken e-mail address is a Conflict.
	InsertPerson(ctx context.Context, p *people.Person) error
	// UpdatePerson replaces a person's fields.
	UpdatePerson(ctx context.Context, p *people.Person) error
	// AddMembership gives a person a role; having it already is no error.
	AddMembership(ctx context.Context, person, org string, role auth.Role) error
	// PutStudent inserts or replaces a student record; a number taken by
	// another student of the school is a Conflict.
	PutStudent(ctx context.Context, s *people.Student) error
	// InsertClass adds one; a taken (school, year, name) is a Conflict.
	InsertClass(ctx context.Context, c *people.Class) error
	// Enrol puts a student in a class; being in it already is no error.
	Enrol(ctx context.Context, class, person string) error
	// Record appends an entry to the audit trail (audit.Recorder).
	Record(ctx context.Context, e *audit.Entry) error
	// ReplaceJob writes an import's job over its stored self, if it is
	// still as was says, else it is a Conflict (job.Ender): an import
	// run as a job ends it in its own transaction.
	ReplaceJob(ctx context.Context, j *job.Job, was job.Fence) error
}

var (
	_ people.Enroller = Writer(nil)
	_ job.Ender       = Writer(nil)
)

// Service is the import and export use-cases.
type Service struct {
	store Store
	now   attesta.Clock
	rand  io.Reader
	// people runs the people's own steps (InsertPerson, EnrolIn) inside
	// this service's transactions; it has no store of its own.
	people *people.Service
}

// NewService returns the service; rnd, the source of new ids, nil means
// crypto/rand.
func NewService(store Store, now attesta.Clock, rnd io.Reader) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: now, rand: rnd, people: people.NewService(nil, now, rnd)}
}

// Change is what importing a row does.
type Change string

// The changes.
const (
	Create    Change = "create"    // a new record (for tutors: a new role)
	Update    Change = "update"    // a record is changed, or a student enrolled in another class
	Unchanged Change = "unchanged" // nothing
)

// RowPlan is what importing one row would do.
type RowPlan struct {
	Row    int    `json:"row"`
	Key    string `json:"key"` // the natural key: a code, a student number, an e-mail address
	Change Change `json:"change"`
	// Columns are those whose values change, for an update.
	Columns []string `json:"columns,omitempty"`
}

// Counts count rows by change.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

func (c *Counts) count(ch Change) {
	switch ch {
	case Create:
		c.Created++
	case Update:
		c.Updated++
	default:
		c.Unchanged++
	}
}

// Plan is what importing a file would do: the rows that can be imported,
// and the problems with those that cannot. Apply refuses a file whose
// plan has problems.
type Plan struct {
	Kind Kind      `json:"kind"`
	Rows []RowPlan `json:"rows"`
	Counts
	Errors Errors `json:"errors,omitempty"`
}

// Err returns nil if the plan has no problem, else an *attesta.Error
// wrapping its Errors.
func (p *Plan) Err() error { return p.Errors.err() }

// Result is what importing a file did.
type Result struct {
	Rows []RowPlan `json:"rows"`
	Counts
}

// Preview says, in one read transaction, what importing f would do for p:
// for each row, whether p may import it and whether it creates, updates or
// leaves a record unchanged. school is the school of a classes file, and
// is ignored for other kinds. A row p may not import is a problem in the
// plan's Errors; the error is for a refusal of the whole file (the
// school out of reach, a kind p may not import) and for failures.
func (s *Service) Preview(ctx context.Context, p *auth.Principal, kind Kind, school string, f *File) (*Plan, error) {
	if err := check(kind, f); err != nil {
		return nil, err
	}
	var out *Plan
	err := s.store.View(ctx, func(r Reader) error {
		pl, err := s.plan(ctx, r, p, school, f)
		if err != nil {
			return err
		}
		out = &Plan{Kind: kind, Rows: pl.rows, Counts: pl.counts, Errors: pl.errs.done()}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("previewing the import of %s: %w", kind, err)
	}
	return out, nil
}

// Apply imports f in one transaction: it checks every row again as
// Preview does and, if any has a problem, writes nothing and returns the
// problems ([Errors] in an *attesta.Error whose code is theirs, or
// attesta.Invalid when they differ). Otherwise it writes the rows that
// change something, each with its audit entry. progress, if not nil, is
// called with the rows written so far and the total, when writing starts,
// every 500 rows and at the end.
func (s *Service) Apply(ctx context.Context, p *auth.Principal, kind Kind, school string, f *File, progress func(done, total int)) (*Result, error) {
	as := func(context.Context, Reader) (*auth.Principal, error) { return p, nil }
	return s.apply(ctx, as, kind, school, f, progress, nil)
}

// apply is Apply for the principal as returns in its transaction; end, if
// not nil, is called in that transaction once every row is written, and
// its error rolls the import back.
func (s *Service) apply(ctx context.Context, as func(context.Context, Reader) (*auth.Principal, error), kind Kind, school string, f *File,
	progress func(done, total int), end func(context.Context, Writer, *Result) error) (*Result, error) {
	if err := check(kind, f); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	var out *Result
	err := s.store.Update(ctx, func(w Writer) error {
		p, err := as(ctx, w)
		if err != nil {
			return err
		}
		pl, err := s.plan(ctx, w, p, school, f)
		if err != nil {
			return err
		}
		if err := pl.errs.done().err(); err != nil {
			return err
		}
		total := len(pl.steps)
		progress(0, total)
		for i, step := range pl.steps {
			if step != nil {
				if err := step(w); err != nil {
					return fmt.Errorf("row %d: %w", pl.rows[i].Row, err)
				}
			}
			if done := i + 1; done%500 == 0 || done == total {
				if err := ctx.Err(); err != nil {
					return err
				}
				progress(done, total)
			}
		}
		out = &Result{Rows: pl.rows, Counts: pl.counts}
		if end != nil {
			return end(ctx, w, out)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("importing %s: %w", kind, err)
	}
	return out, nil
}

func check(kind Kind, f *File) error {
	if f == nil || f.Kind != kind || !kind.Valid() {
		return attesta.E(attesta.Invalid, "err.import.kind.mismatch", kind)
	}
	return nil
}

// plan is what importing a file does: for each importable row, its
// RowPlan and the step that writes it (nil when it changes nothing).
// Steps run in order on the transaction that planned them; what a row
// creates for the rows after it (a class, a person) is shared through
// pointers that the steps fill in.
type plan struct {
	rows   []RowPlan
	steps  []func(Writer) error
	counts Counts
	errs   errorList
}

func (pl *plan) add(row int, key string, ch Change, cols []string, step func(Writer) error) {
	if ch == Unchanged {
		step = nil
	}
	pl.rows = append(pl.rows, RowPlan{Row: row, Key: key, Change: ch, Columns: cols})
	pl.steps = append(pl.steps, step)
	pl.counts.count(ch)
}

func (s *Service) plan(ctx context.Context, r Reader, p *auth.Principal, school string, f *File) (*plan, error) {
	switch f.Kind {
	case Schools, Companies:
		return s.planOrgs(ctx, r, p, f)
	case Classes:
		return s.planClasses(ctx, r, p, school, f)
	default:
		return s.planTutors(ctx, r, p, f)
	}
}

// planOrgs plans a file of schools or of companies.
func (s *Service) planOrgs(ctx context.Context, r Reader, p *auth.Principal, f *File) (*plan, error) {
	if err := auth.Decide(p, auth.ImportOrgs, auth.Anywhere); err != nil {
		return nil, err
	}
	pl := &plan{}
	keyCol := colSchoolCode
	if f.Kind == Companies {
		keyCol = colTaxCode
	}
	ids := map[string]bool{}
	for i := range f.recs {
		rec := &f.recs[i]
		o := rec.org
		key := o.NaturalKey()
		// May p have an organisation there?
		if err := auth.Decide(p, auth.ImportOrgs, o.Object()); err != nil {
			if attesta.ErrorCode(err) == attesta.NotFound {
				pl.errs.problem(rec.row, colProvince, attesta.Forbidden, "err.import.province.outside", o.Province)
			} else {
				pl.errs.problem(rec.row, colType, attesta.ErrorCode(err), "err.import.type.forbidden")
			}
			continue
		}
		old, err := s.stored(ctx, r, &o)
		switch {
		case attesta.ErrorCode(err) == attesta.NotFound:
		case err != nil:
			return nil, err
		default:
			// It exists: may p change it?
			if err := auth.Decide(p, auth.ImportOrgs, old.Object()); err != nil {
				pl.errs.problem(rec.row, keyCol, attesta.ErrorCode(err), "err.import.org.outofreach", key)
				continue
			}
			if old.Kind != o.Kind {
				pl.errs.invalid(rec.row, colType, "err.import.type.change", key, typeName(old.Kind))
				continue
			}
			s.planOrgUpdate(ctx, pl, p, f, rec, old)
			continue
		}
		// A new one: its id must be free, its tax code unused by a
		// Chamber or the national body.
		if o.TaxCode != "" {
			taken, err := taxCodeTaken(ctx, r, o.TaxCode)
			if err != nil {
				return nil, err
			}
			if taken {
				pl.errs.problem(rec.row, colTaxCode, attesta.Conflict, "err.import.taxcode.taken", key)
				continue
			}
		}
		if o.ID, err = freeID(ctx, r, ids, o.ID); err != nil {
			return nil, err
		}
		ids[o.ID] = true
		pl.add(rec.row, key, Create, nil, func(w Writer) error {
			o.CreatedAt, o.UpdatedAt = s.now(), s.now()
			if err := w.InsertOrganisation(ctx, &o); err != nil {
				return err
			}
			return audit.Record(ctx, w, p, o.CreatedAt, string(auth.OrgCreate), o.Object(), nil, o)
		})
	}
	return pl, nil
}

func typeName(k auth.OrgKind) string {
	switch k {
	case auth.Company:
		return typeCompany
	case auth.Association:
		return typeAssociation
	}
	return string(k)
}

// stored returns the organisation with o's natural key, of o's kind or,
// for companies and associations, of the other.
func (s *Service) stored(ctx context.Context, r Reader, o *org.Organisation) (*org.Organisation, error) {
	old, err := r.OrganisationByKey(ctx, o.Kind, o.NaturalKey())
	if attesta.ErrorCode(err) != attesta.NotFound || o.Kind == auth.School {
		return old, err
	}
	other := auth.Company
	if o.Kind == auth.Company {
		other = auth.Association
	}
	return r.OrganisationByKey(ctx, other, o.NaturalKey())
}

// taxCodeTaken reports whether an organisation of any kind has the tax
// code (a Chamber's, the national body's), in reach of the importer or
// not: the code is unique across the directory.
func taxCodeTaken(ctx context.Context, r Reader, code string) (bool, error) {
	list, err := r.Organisations(ctx, org.Filter{Query: code, Reach: auth.ReachAll(), Limit: 100})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(list, func(o org.Organisation) bool { return o.TaxCode == code }), nil
}

// freeID returns id, or id-2, id-3… if taken.
func freeID(ctx context.Context, r Reader, planned map[string]bool, id string) (string, error) {
	for n := 1; ; n++ {
		cand := id
		if n > 1 {
			cand = fmt.Sprintf("%s-%d", id, n)
		}
		if planned[cand] {
			continue
		}
		_, err := r.Organisation(ctx, cand)
		if attesta.ErrorCode(err) == attesta.NotFound {
			return cand, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// planOrgUpdate plans a row whose organisation exists: the values of the
// file replace the stored ones; the columns the file leaves out, and the
// fields it leaves empty, keep the stored values (an import never removes
// a value).
func (s *Service) planOrgUpdate(ctx context.Context, pl *plan, p *auth.Principal, f *File, rec *record, old *org.Organisation) {
	o := rec.org
	n := *old
	var cols []string
	set := func(col string, dst *string, v string) {
		if f.present[col] && v != "" && *dst != v {
			*dst = v
			cols = append(cols, col)
		}
	}
	set(colName, &n.Name, o.Name)
	if o.Kind == auth.School && n.SchoolType != o.SchoolType {
		n.SchoolType = o.SchoolType
		cols = append(cols, colType)
	}
	set(colProvince, &n.Province, o.Province)
	set(colREA, &n.REA, o.REA)
	set(colATECO, &n.ATECO, o.ATECO)
	set(colEmail, &n.Email, o.Email)
	if len(cols) == 0 {
		pl.add(rec.row, o.NaturalKey(), Unchanged, nil, nil)
		return
	}
	pl.add(rec.row, o.NaturalKey(), Update, cols, func(w Writer) error {
		n.UpdatedAt = s.now()
		if err := w.UpdateOrganisation(ctx, &n); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, n.UpdatedAt, string(auth.OrgUpdate), n.Object(), old, n)
	})
}

// classRef is a class of the file; c.ID is set once it exists (when
// planning: if stored).
type classRef struct{ c people.Class }

// studentRef is a student of the file, as stored and as the rows before
// leave them.
type studentRef struct {
	known   bool // stored, or created by an earlier row
	person  people.Person
	student people.Student
	classes []people.Class // stored
}

// planClasses plans a classes file for a school.
func (s *Service) planClasses(ctx context.Context, r Reader, p *auth.Principal, school string, f *File) (*plan, error) {
	if err := auth.Decide(p, auth.ImportClass, auth.Anywhere); err != nil {
		return nil, err
	}
	if school == "" {
		return nil, attesta.E(attesta.Invalid, "err.import.school.required")
	}
	sc, err := r.Organisation(ctx, school)
	if err != nil {
		return nil, err
	}
	if err := auth.Decide(p, auth.ImportClass, sc.Object()); err != nil {
		return nil, err
	}
	if sc.Kind != auth.School {
		return nil, attesta.E(attesta.NotFound, "err.import.notschool", school)
	}
	pl := &plan{}
	classes := map[[2]string]*classRef{}
	students := map[string]*studentRef{}
	for i := range f.recs {
		rec := &f.recs[i]
		ck := [2]string{rec.class.Year, rec.class.Name}
		cr := classes[ck]
		if cr == nil {
			cr = &classRef{c: people.Class{School: sc.ID, Year: rec.class.Year, Name: rec.class.Name}}
			c, err := r.ClassByName(ctx, sc.ID, rec.class.Year, rec.class.Name)
			switch {
			case err == nil:
				cr.c = *c
			case attesta.ErrorCode(err) != attesta.NotFound:
				return nil, err
			}
			classes[ck] = cr
		}
		in := rec.student
		number := in.Student.Number
		sr := students[number]
		if sr == nil {
			sr = &studentRef{}
			st, err := r.StudentByNumber(ctx, sc.ID, number)
			switch {
			case err == nil:
				sr.known, sr.student = true, *st
				person, err := r.Person(ctx, st.Person)
				if err != nil {
					return nil, err
				}
				sr.person = *person
				if sr.classes, err = r.StudentClasses(ctx, st.Person); err != nil {
					return nil, err
				}
			case attesta.ErrorCode(err) != attesta.NotFound:
				return nil, err
			}
			students[number] = sr
		}
		if !sr.known {
			// New to the school: EnrolIn creates the student, and the
			// class first if new.
			sr.known, sr.student, sr.person = true, in.Student, in.Person
			pl.add(rec.row, number, Create, nil, s.enrolStep(ctx, p, sc, cr, in))
			continue
		}
		// Known: stored, or created by an earlier row (of another year).
		enrolled := cr.c.ID != "" && slices.ContainsFunc(sr.classes, func(c people.Class) bool { return c.ID == cr.c.ID })
		if !enrolled {
			if other := sameYear(sr.classes, rec.class.Year); other != nil {
				pl.errs.problem(rec.row, colClass, attesta.Conflict, "err.import.student.otherclass", number, other.Name, other.Year)
				continue
			}
		}
		// Columns the file leaves out, and fields it leaves empty, keep
		// their stored values: an import never removes a value.
		if in.Student.Contact == "" {
			in.Student.Contact = sr.student.Contact
		}
		if in.Student.ConsentBy == "" {
			in.Student.ConsentBy = sr.student.ConsentBy
		}
		var cols []string
		if in.Person.FamilyName != sr.person.FamilyName {
			cols = append(cols, colFamilyName)
		}
		if in.Person.GivenName != sr.person.GivenName {
			cols = append(cols, colGivenName)
		}
		if in.Student.Contact != sr.student.Contact {
			cols = append(cols, colContact)
		}
		if in.Student.ConsentBy != sr.student.ConsentBy {
			cols = append(cols, colConsentBy)
		}
		oldPerson, oldStudent := sr.person, sr.student
		sr.person.GivenName, sr.person.FamilyName = in.Person.GivenName, in.Person.FamilyName
		sr.student.Contact, sr.student.ConsentBy = in.Student.Contact, in.Student.ConsentBy
		switch {
		case !enrolled:
			cols = append(cols, colClass)
			pl.add(rec.row, number, Update, cols, s.enrolStep(ctx, p, sc, cr, in))
		case len(cols) > 0:
			pl.add(rec.row, number, Update, cols, s.studentStep(ctx, p, sc, oldPerson, oldStudent, in))
		default:
			pl.add(rec.row, number, Unchanged, nil, nil)
		}
	}
	return pl, nil
}

func sameYear(classes []people.Class, year string) *people.Class {
	for i := range classes {
		if classes[i].Year == year {
			return &classes[i]
		}
	}
	return nil
}

// enrolStep creates the class if it is new, then enrols the student
// (found or created by number, and updated) with people.Service.EnrolIn.
func (s *Service) enrolStep(ctx context.Context, p *auth.Principal, sc *org.Organisation, cr *classRef, in people.StudentInput) func(Writer) error {
	return func(w Writer) error {
		if cr.c.ID == "" {
			id, err := people.NewID(s.rand, "c")
			if err != nil {
				return err
			}
			c := cr.c
			c.ID, c.CreatedAt = id, s.now()
			if err := w.InsertClass(ctx, &c); err != nil {
				return err
			}
			if err := audit.Record(ctx, w, p, c.CreatedAt, "class.create", people.ClassObject(&c, sc.Province), nil, c); err != nil {
				return err
			}
			cr.c = c
		}
		_, err := s.people.EnrolIn(ctx, w, p, &cr.c, sc, in)
		return err
	}
}

// studentStep updates an enrolled student's name, contact or consent, as
// EnrolIn would, without enrolling them again.
func (s *Service) studentStep(ctx context.Context, p *auth.Principal, sc *org.Organisation, oldPerson people.Person, oldStudent people.Student, in people.StudentInput) func(Writer) error {
	return func(w Writer) error {
		now := s.now()
		obj := auth.Object{Kind: auth.PersonObject, ID: oldPerson.ID, Person: oldPerson.ID, Places: []auth.Place{{Org: sc.ID, Province: sc.Province}}}
		np := oldPerson
		np.GivenName, np.FamilyName = in.Person.GivenName, in.Person.FamilyName
		if np != oldPerson {
			np.UpdatedAt = now
			if err := w.UpdatePerson(ctx, &np); err != nil {
				return err
			}
			if err := audit.Record(ctx, w, p, now, "person.update", obj, oldPerson, np); err != nil {
				return err
			}
		}
		ns := oldStudent
		ns.Contact, ns.ConsentBy = in.Student.Contact, in.Student.ConsentBy
		if ns.ConsentBy != oldStudent.ConsentBy {
			ns.ConsentAt = now
		}
		if ns != oldStudent {
			if err := w.PutStudent(ctx, &ns); err != nil {
				return err
			}
			if err := audit.Record(ctx, w, p, now, "student.update", obj, oldStudent, ns); err != nil {
				return err
			}
		}
		return nil
	}
}

// personRef is a tutor of the file; p.ID is set once they exist.
type personRef struct {
	p       people.Person
	ms      []auth.Membership // stored
	planned map[string]bool   // org+role added by earlier rows
	rename  bool              // an earlier row renames them
	mayEdit bool              // p reaches every organisation they are in
}

type target struct {
	o    *org.Organisation
	code attesta.Code // why not, if o is nil
}

// planTutors plans a tutors file.
func (s *Service) planTutors(ctx context.Context, r Reader, p *auth.Principal, f *File) (*plan, error) {
	if err := auth.Decide(p, auth.ImportTutor, auth.Anywhere); err != nil {
		return nil, err
	}
	pl := &plan{}
	targets := map[string]target{}
	persons := map[string]*personRef{}
	for i := range f.recs {
		rec := &f.recs[i]
		kind := auth.RoleKinds[rec.role]
		tk := string(kind) + "\x00" + rec.orgKey
		t, ok := targets[tk]
		if !ok {
			o, err := r.OrganisationByKey(ctx, kind, rec.orgKey)
			switch {
			case attesta.ErrorCode(err) == attesta.NotFound:
				t.code = attesta.NotFound
			case err != nil:
				return nil, err
			default:
				t.o = o
				if err := auth.Decide(p, auth.ImportTutor, o.Object()); err != nil {
					t.o, t.code = nil, attesta.ErrorCode(err)
				}
			}
			targets[tk] = t
		}
		if t.o == nil {
			switch {
			case t.code != attesta.NotFound:
				pl.errs.problem(rec.row, colRole, t.code, "err.import.tutor.forbidden", roleName(rec.role), rec.orgKey)
			case kind == auth.Company:
				pl.errs.problem(rec.row, colOrg, t.code, "err.import.company.notfound", rec.orgKey)
			default:
				pl.errs.problem(rec.row, colOrg, t.code, "err.import.school.notfound", rec.orgKey)
			}
			continue
		}
		o := t.o
		pr := persons[rec.person.Email]
		if pr == nil {
			pr = &personRef{p: rec.person, planned: map[string]bool{}}
			old, err := r.PersonByEmail(ctx, rec.person.Email)
			switch {
			case err == nil:
				pr.p = *old
				if pr.ms, err = r.Memberships(ctx, old.ID); err != nil {
					return nil, err
				}
				pr.mayEdit = people.ReachesAll(p, pr.ms)
			case attesta.ErrorCode(err) != attesta.NotFound:
				return nil, err
			}
			persons[rec.person.Email] = pr
		}
		if pr.p.ID != "" && !pr.mayEdit {
			// Another organisation's person: linking them would let this
			// caller see them. The national body makes such appointments.
			pl.errs.problem(rec.row, colEmail, attesta.Forbidden, "err.import.person.elsewhere", rec.person.Email)
			continue
		}
		mk := o.ID + "\x00" + string(rec.role)
		member := pr.planned[mk] || slices.ContainsFunc(pr.ms, func(m auth.Membership) bool { return m.Org == o.ID && m.Role == rec.role })
		pr.planned[mk] = true
		var cols []string
		if pr.p.ID != "" && !pr.rename && (pr.p.GivenName != rec.person.GivenName || pr.p.FamilyName != rec.person.FamilyName) {
			if !pr.mayEdit {
				pl.errs.problem(rec.row, colFamilyName, attesta.Forbidden, "err.import.person.rename", rec.person.Email)
				continue
			}
			if pr.p.FamilyName != rec.person.FamilyName {
				cols = append(cols, colFamilyName)
			}
			if pr.p.GivenName != rec.person.GivenName {
				cols = append(cols, colGivenName)
			}
			pr.rename = true
		}
		ch := Unchanged
		switch {
		case !member:
			ch = Create
		case len(cols) > 0:
			ch = Update
		}
		pl.add(rec.row, rec.person.Email, ch, cols, s.tutorStep(ctx, p, pr, o, rec, len(cols) > 0, !member))
	}
	return pl, nil
}

// tutorStep creates the person if new, renames them, and gives them the
// role.
func (s *Service) tutorStep(ctx context.Context, p *auth.Principal, pr *personRef, o *org.Organisation, rec *record, rename, add bool) func(Writer) error {
	return func(w Writer) error {
		if pr.p.ID == "" {
			np, err := s.people.InsertPerson(ctx, w, p, rec.person, o)
			if err != nil {
				return err
			}
			pr.p = *np
		}
		if rename {
			old := pr.p
			np := old
			np.GivenName, np.FamilyName, np.UpdatedAt = rec.person.GivenName, rec.person.FamilyName, s.now()
			if err := w.UpdatePerson(ctx, &np); err != nil {
				return err
			}
			obj := auth.Object{Kind: auth.PersonObject, ID: old.ID, Person: old.ID, Places: []auth.Place{{Org: o.ID, Province: o.Province}}}
			if err := audit.Record(ctx, w, p, np.UpdatedAt, "person.update", obj, old, np); err != nil {
				return err
			}
			pr.p = np
		}
		if !add {
			return nil
		}
		if err := w.AddMembership(ctx, pr.p.ID, o.ID, rec.role); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, s.now(), string(auth.MemberAdd), o.Object(), nil,
			map[string]string{"person": pr.p.ID, "role": string(rec.role)})
	}
}

// May decides whether p may import files of kind (a classes file into
// school) at all, before a file is read: a surface asks first, so that a
// refused upload is not even read. An out-of-reach school is NotFound.
// Each row is decided again by Preview and Apply.
func (s *Service) May(ctx context.Context, p *auth.Principal, kind Kind, school string) error {
	switch kind {
	case Schools, Companies:
		return auth.Decide(p, auth.ImportOrgs, auth.Anywhere)
	case Tutors:
		return auth.Decide(p, auth.ImportTutor, auth.Anywhere)
	case Classes:
		return s.store.View(ctx, func(r Reader) error {
			sc, err := r.Organisation(ctx, school)
			if err != nil {
				return err
			}
			if err := auth.Decide(p, auth.ImportClass, sc.Object()); err != nil {
				return err
			}
			if sc.Kind != auth.School {
				return attesta.E(attesta.NotFound, "err.import.notschool", school)
			}
			return nil
		})
	}
	return attesta.E(attesta.Invalid, "err.import.kind.unknown", kind)
}
