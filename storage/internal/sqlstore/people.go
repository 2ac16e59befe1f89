package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/people"
)

// personRows are the persons, their roles, student records and classes,
// in a transaction.
type personRows struct{ *Tx }

const personColumns = `p.id, p.given_name, p.family_name, p.email, p.created_at, p.updated_at`

func scanPerson(r Row, extra ...any) (*people.Person, error) {
	var p people.Person
	dest := append([]any{&p.ID, &p.GivenName, &p.FamilyName, nstr{&p.Email}, tcol{&p.CreatedAt}, tcol{&p.UpdatedAt}}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	return &p, nil
}

func (t personRows) personOne(ctx context.Context, what, where string, args ...any) (*people.Person, error) {
	p, err := scanPerson(t.QueryRow(ctx, `SELECT `+personColumns+` FROM persons p WHERE `+where, args...))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.auth.notfound.person", what)
	}
	if err != nil {
		return nil, fmt.Errorf("reading person %s: %w", what, err)
	}
	return p, nil
}

// Person implements people.RoleReader, people.Enroller, account.Reader and importer.Reader.
func (t personRows) Person(ctx context.Context, id string) (*people.Person, error) {
	return t.personOne(ctx, id, `p.id = $1`, id)
}

// PersonByEmail implements people.Reader, account.Writer and importer.Reader.
func (t personRows) PersonByEmail(ctx context.Context, email string) (*people.Person, error) {
	return t.personOne(ctx, email, `p.email = $1`, email)
}

// Memberships implements people.RoleReader, account.Reader and importer.Reader.
func (t personRows) Memberships(ctx context.Context, person string) ([]auth.Membership, error) {
	rows, err := t.Query(ctx, `SELECT o.id, o.name, o.kind, m.role, o.province, o.provinces
		FROM memberships m JOIN organisations o ON o.id = m.org_id
		WHERE m.person_id = $1 ORDER BY o.name, o.id, m.role`, person)
	if err != nil {
		return nil, fmt.Errorf("listing memberships of %s: %w", person, err)
	}
	defer rows.Close()
	var out []auth.Membership
	for rows.Next() {
		var m auth.Membership
		var province, provinces string
		if err := rows.Scan(&m.Org, &m.OrgName, &m.OrgKind, &m.Role, &province, &provinces); err != nil {
			return nil, fmt.Errorf("reading memberships of %s: %w", person, err)
		}
		if m.OrgKind == auth.Chamber {
			m.Provinces = strings.Fields(provinces)
		} else if province != "" {
			m.Provinces = []string{province}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Members implements people.Reader and importer.Reader.
func (t personRows) Members(ctx context.Context, orgID string) ([]people.Member, error) {
	rows, err := t.Query(ctx, `SELECT `+personColumns+`, m.role FROM memberships m JOIN persons p ON p.id = m.person_id
		WHERE m.org_id = $1 ORDER BY p.family_name, p.given_name, p.id, m.role`, orgID)
	if err != nil {
		return nil, fmt.Errorf("listing members of %s: %w", orgID, err)
	}
	defer rows.Close()
	var out []people.Member
	for rows.Next() {
		m := people.Member{Org: orgID}
		p, err := scanPerson(rows, &m.Role)
		if err != nil {
			return nil, fmt.Errorf("reading members of %s: %w", orgID, err)
		}
		m.Person = *p
		out = append(out, m)
	}
	return out, rows.Err()
}

const studentColumns = `s.person_id, s.school_id, s.number, s.contact, s.consent_by, s.consent_at`

func scanStudent(r Row) (*people.Student, error) {
	var s people.Student
	if err := r.Scan(&s.Person, &s.School, &s.Number, &s.Contact, &s.ConsentBy, tcol{&s.ConsentAt}); err != nil {
		return nil, err
	}
	return &s, nil
}

func (t personRows) studentOne(ctx context.Context, what, where string, args ...any) (*people.Student, error) {
	s, err := scanStudent(t.QueryRow(ctx, `SELECT `+studentColumns+` FROM students s WHERE `+where, args...))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.people.student.notfound", what)
	}
	if err != nil {
		return nil, fmt.Errorf("reading student %s: %w", what, err)
	}
	return s, nil
}

// Student implements people.Reader.
func (t personRows) Student(ctx context.Context, person string) (*people.Student, error) {
	return t.studentOne(ctx, person, `s.person_id = $1`, person)
}

// StudentByNumber implements people.Enroller and importer.Reader.
func (t personRows) StudentByNumber(ctx context.Context, school, number string) (*people.Student, error) {
	return t.studentOne(ctx, number, `s.school_id = $1 AND s.number = $2`, school, number)
}

const classColumns = `c.id, c.school_id, c.year, c.name, c.created_at,
	(SELECT COUNT(*) FROM class_students cs WHERE cs.class_id = c.id),
	(SELECT COUNT(*) FROM class_teachers ct WHERE ct.class_id = c.id)`

func scanClass(r Row) (*people.Class, error) {
	var c people.Class
	if err := r.Scan(&c.ID, &c.School, &c.Year, &c.Name, tcol{&c.CreatedAt}, &c.Students, &c.Teachers); err != nil {
		return nil, err
	}
	return &c, nil
}

func (t personRows) classes(ctx context.Context, what, where string, args ...any) ([]people.Class, error) {
	rows, err := t.Query(ctx, `SELECT `+classColumns+` FROM classes c WHERE `+where+` ORDER BY c.year DESC, c.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing classes of %s: %w", what, err)
	}
	defer rows.Close()
	var out []people.Class
	for rows.Next() {
		c, err := scanClass(rows)
		if err != nil {
			return nil, fmt.Errorf("reading classes of %s: %w", what, err)
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// Classes implements people.Reader and importer.Reader.
func (t personRows) Classes(ctx context.Context, school string) ([]people.Class, error) {
	return t.classes(ctx, school, `c.school_id = $1`, school)
}

// StudentClasses implements people.Reader and importer.Reader.
func (t personRows) StudentClasses(ctx context.Context, person string) ([]people.Class, error) {
	return t.classes(ctx, person, `c.id IN (SELECT class_id FROM class_students WHERE person_id = $1)`, person)
}

func (t personRows) classOne(ctx context.Context, what, where string, args ...any) (*people.Class, error) {
	c, err := scanClass(t.QueryRow(ctx, `SELECT `+classColumns+` FROM classes c WHERE `+where, args...))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.auth.notfound.class", what)
	}
	if err != nil {
		return nil, fmt.Errorf("reading class %s: %w", what, err)
	}
	return c, nil
}

// Class implements people.Reader.
func (t personRows) Class(ctx context.Context, id string) (*people.Class, error) {
	return t.classOne(ctx, id, `c.id = $1`, id)
}

// ClassByName implements importer.Reader.
func (t personRows) ClassByName(ctx context.Context, school, year, name string) (*people.Class, error) {
	return t.classOne(ctx, name+" "+year, `c.school_id = $1 AND c.year = $2 AND c.name = $3`, school, year, name)
}

// ClassStudents implements people.Reader and importer.Reader.
func (t personRows) ClassStudents(ctx context.Context, class string) ([]people.Enrolment, error) {
	rows, err := t.Query(ctx, `SELECT `+personColumns+`, `+studentColumns+`
		FROM class_students cs JOIN persons p ON p.id = cs.person_id JOIN students s ON s.person_id = p.id
		WHERE cs.class_id = $1 ORDER BY p.family_name, p.given_name, p.id`, class)
	if err != nil {
		return nil, fmt.Errorf("listing students of class %s: %w", class, err)
	}
	defer rows.Close()
	var out []people.Enrolment
	for rows.Next() {
		var e people.Enrolment
		s := &e.Student
		p, err := scanPerson(rows, &s.Person, &s.School, &s.Number, &s.Contact, &s.ConsentBy, tcol{&s.ConsentAt})
		if err != nil {
			return nil, fmt.Errorf("reading students of class %s: %w", class, err)
		}
		e.Person = *p
		out = append(out, e)
	}
	return out, rows.Err()
}

// ClassTeachers implements people.Reader.
func (t personRows) ClassTeachers(ctx context.Context, class string) ([]people.Person, error) {
	rows, err := t.Query(ctx, `SELECT `+personColumns+` FROM class_teachers ct JOIN persons p ON p.id = ct.person_id
		WHERE ct.class_id = $1 ORDER BY p.family_name, p.given_name, p.id`, class)
	if err != nil {
		return nil, fmt.Errorf("listing teachers of class %s: %w", class, err)
	}
	defer rows.Close()
	var out []people.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("reading teachers of class %s: %w", class, err)
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// InsertPerson implements people.Enroller and importer.Writer.
func (t personRows) InsertPerson(ctx context.Context, p *people.Person) error {
	_, err := t.Exec(ctx, `INSERT INTO persons (id, given_name, family_name, email, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		p.ID, p.GivenName, p.FamilyName, null(p.Email), t.tm(p.CreatedAt), t.tm(p.UpdatedAt))
	if t.d.IsUnique(err) {
		return emailTaken(p.Email)
	}
	if err != nil {
		return fmt.Errorf("inserting person %s: %w", p.ID, err)
	}
	return nil
}

// UpdatePerson implements people.Enroller and importer.Writer.
func (t personRows) UpdatePerson(ctx context.Context, p *people.Person) error {
	n, err := t.Exec(ctx, `UPDATE persons SET given_name = $1, family_name = $2, email = $3, updated_at = $4 WHERE id = $5`,
		p.GivenName, p.FamilyName, null(p.Email), t.tm(p.UpdatedAt), p.ID)
	if t.d.IsUnique(err) {
		return emailTaken(p.Email)
	}
	if err != nil {
		return fmt.Errorf("updating person %s: %w", p.ID, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.auth.notfound.person", p.ID)
	}
	return nil
}

// AddMembership implements people.Enroller and importer.Writer.
func (t personRows) AddMembership(ctx context.Context, person, orgID string, role auth.Role) error {
	_, err := t.Exec(ctx, `INSERT INTO memberships (person_id, org_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, person, orgID, role)
	if t.d.IsForeignKey(err) {
		return attesta.E(attesta.NotFound, "err.storage.membership.notfound", person, orgID)
	}
	if err != nil {
		return fmt.Errorf("adding %s to %s: %w", person, orgID, err)
	}
	return nil
}

// PutStudent implements people.Enroller and importer.Writer.
func (t personRows) PutStudent(ctx context.Context, s *people.Student) error {
	_, err := t.Exec(ctx, `INSERT INTO students (person_id, school_id, number, contact, consent_by, consent_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (person_id) DO UPDATE SET school_id = excluded.school_id, number = excluded.number, contact = excluded.contact,
		consent_by = excluded.consent_by, consent_at = excluded.consent_at`,
		s.Person, s.School, s.Number, s.Contact, s.ConsentBy, t.tm(s.ConsentAt))
	if t.d.IsUnique(err) {
		var fe attesta.FieldErrors
		fe.Problem("number", "err.storage.student.number.taken", s.Number)
		return fe.Conflict()
	}
	if err != nil {
		return fmt.Errorf("writing student %s: %w", s.Person, err)
	}
	return nil
}

// InsertClass implements people.Writer and importer.Writer.
func (t personRows) InsertClass(ctx context.Context, c *people.Class) error {
	_, err := t.Exec(ctx, `INSERT INTO classes (id, school_id, year, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
		c.ID, c.School, c.Year, c.Name, t.tm(c.CreatedAt))
	if t.d.IsUnique(err) {
		var fe attesta.FieldErrors
		fe.Problem("class", "err.storage.class.taken", c.Name, c.Year)
		return fe.Conflict()
	}
	if err != nil {
		return fmt.Errorf("inserting class %s: %w", c.ID, err)
	}
	return nil
}

// Enrol implements people.Enroller and importer.Writer.
func (t personRows) Enrol(ctx context.Context, class, person string) error {
	if _, err := t.Exec(ctx, `INSERT INTO class_students (class_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, class, person); err != nil {
		return fmt.Errorf("enrolling %s in %s: %w", person, class, err)
	}
	return nil
}

// AssignTeacher implements people.Writer.
func (t personRows) AssignTeacher(ctx context.Context, class, person string) error {
	if _, err := t.Exec(ctx, `INSERT INTO class_teachers (class_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, class, person); err != nil {
		return fmt.Errorf("assigning %s to %s: %w", person, class, err)
	}
	return nil
}

func emailTaken(email string) error {
	var fe attesta.FieldErrors
	fe.Problem("email", "err.storage.email.taken", email)
	return fe.Conflict()
}
