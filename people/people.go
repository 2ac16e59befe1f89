// Package people is the persons of the programme, the roles they hold in
// organisations, and the schools' classes with their students and
// teachers.
//
// # Minors
//
// Students are usually minors, so their record holds the minimum: the
// name, the school and the school's own student number (the natural key of
// imports, instead of a codice fiscale that would reveal the birth date
// and place), the class and school year, one contact, and, where the
// programme needs it, the guardian's consent (who gave it and when).
//
// # Roles
//
// A person holds roles in organisations ([auth.Membership]); one person can
// hold several in several organisations, and acts in one at a time.
package people

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
)

// Person is someone who uses the platform or is recorded on it.
type Person struct {
	ID         string `json:"id"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	// Email is the sign-in identifier and where invitations go; a student
	// may have none.
	Email     string    `json:"email,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Name is the person's full name.
func (p *Person) Name() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

// Student is a person's record as a student of a school.
type Student struct {
	Person string `json:"person"`
	School string `json:"school"`
	// Number is the school's own student number (matricola).
	Number string `json:"number"`
	// Contact is one e-mail address or telephone number, of the student
	// or of a guardian.
	Contact string `json:"contact,omitempty"`
	// ConsentBy and ConsentAt record the guardian's consent.
	ConsentBy string    `json:"consent_by,omitempty"`
	ConsentAt time.Time `json:"consent_at,omitzero"`
}

// Member is a person with a role in an organisation.
type Member struct {
	Person Person    `json:"person"`
	Org    string    `json:"org"`
	Role   auth.Role `json:"role"`
}

// Class is a school's class in one school year.
type Class struct {
	ID     string `json:"id"`
	School string `json:"school"`
	// Year is the school year, as 2026/27.
	Year string `json:"year"`
	// Name is the class as the school names it, e.g. 4A or 4A INF.
	Name string `json:"name"`
	// Students and Teachers are counts, filled in listings.
	Students  int       `json:"students"`
	Teachers  int       `json:"teachers"`
	CreatedAt time.Time `json:"created_at"`
}

// Enrolment is a student in a class.
type Enrolment struct {
	Person  Person  `json:"person"`
	Student Student `json:"student"`
}

// Limits on fields.
const (
	MaxName    = 100
	MaxEmail   = 254
	MaxContact = 254
	MaxNumber  = 32
)

var (
	yearPattern      = regexp.MustCompile(`^(20[0-9]{2})/([0-9]{2})$`)
	classNamePattern = regexp.MustCompile(`^[\p{L}0-9][\p{L}0-9 ._-]{0,31}$`)
	numberPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/._-]{0,31}$`)
	emailPattern     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phonePattern     = regexp.MustCompile(`^\+?[0-9][0-9 ]{5,19}$`)
)

// Normalize trims p's fields and lower-cases the e-mail address.
func (p *Person) Normalize() {
	p.GivenName = strings.Join(strings.Fields(p.GivenName), " ")
	p.FamilyName = strings.Join(strings.Fields(p.FamilyName), " ")
	p.Email = strings.ToLower(strings.TrimSpace(p.Email))
}

// Validate checks p and adds the problems to fe.
func (p *Person) Validate(fe *attesta.FieldErrors) {
	name(fe, "given_name", p.GivenName, attesta.M("err.people.subject.givenname"))
	name(fe, "family_name", p.FamilyName, attesta.M("err.people.subject.familyname"))
	if p.Email != "" && !ValidEmail(p.Email) {
		fe.Problem("email", "err.people.email.invalid", p.Email)
	}
}

// ValidEmail reports whether s looks like an e-mail address.
func ValidEmail(s string) bool { return len(s) <= MaxEmail && emailPattern.MatchString(s) }

// name checks a name; subject says which, as the subject of a sentence.
func name(fe *attesta.FieldErrors, field, v string, subject attesta.Message) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0:
		fe.Problem(field, "err.people.name.required", subject)
	case n > MaxName:
		fe.Problem(field, "err.people.name.long", subject, MaxName)
	case strings.ContainsAny(v, "<>\"\\{}") || strings.IndexFunc(v, func(r rune) bool { return r < ' ' }) >= 0:
		fe.Problem(field, "err.people.name.chars", subject)
	}
}

// Normalize trims s's fields.
func (s *Student) Normalize() {
	s.Number = strings.TrimSpace(s.Number)
	s.Contact = strings.TrimSpace(s.Contact)
	if strings.Contains(s.Contact, "@") {
		s.Contact = strings.ToLower(s.Contact)
	}
	s.ConsentBy = strings.Join(strings.Fields(s.ConsentBy), " ")
}

// Validate checks s and adds the problems to fe.
func (s *Student) Validate(fe *attesta.FieldErrors) {
	if !numberPattern.MatchString(s.Number) {
		fe.Problem("number", "err.people.number.form")
	}
	if s.Contact != "" && !ValidEmail(s.Contact) && !phonePattern.MatchString(s.Contact) {
		fe.Problem("contact", "err.people.contact.form")
	}
	if s.ConsentBy != "" {
		name(fe, "consent_by", s.ConsentBy, attesta.M("err.people.subject.consentby"))
	}
}

// Normalize trims c's fields.
func (c *Class) Normalize() {
	c.Year = strings.TrimSpace(c.Year)
	c.Name = strings.ToUpper(strings.Join(strings.Fields(c.Name), " "))
}

// Validate checks c and adds the problems to fe.
func (c *Class) Validate(fe *attesta.FieldErrors) {
	if !ValidYear(c.Year) {
		fe.Problem("year", "err.people.year.form")
	}
	if !classNamePattern.MatchString(c.Name) {
		fe.Problem("class", "err.people.class.form")
	}
}

// ValidYear reports whether y is a school year such as 2026/27.
func ValidYear(y string) bool {
	m := yearPattern.FindStringSubmatch(y)
	if m == nil {
		return false
	}
	start := int(m[1][2]-'0')*10 + int(m[1][3]-'0')
	end := int(m[2][0]-'0')*10 + int(m[2][1]-'0')
	return (start+1)%100 == end
}

// Object describes a person for authorization: they belong to every
// organisation they hold a role in.
func PersonObject(id string, ms []auth.Membership) auth.Object {
	o := auth.Object{Kind: auth.PersonObject, ID: id, Person: id}
	for _, m := range ms {
		o.Places = append(o.Places, m.OrgPlace())
	}
	return o
}

// ClassObject describes a class for authorization.
func ClassObject(c *Class, schoolProvince string) auth.Object {
	return auth.Object{Kind: auth.ClassObject, ID: c.ID, Places: []auth.Place{{Org: c.School, Province: schoolProvince}}, OrgKind: auth.School}
}
