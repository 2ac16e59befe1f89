package experience

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// Choice is something a design form offers: an id and its name.
type Choice struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Choices is what a design form offers the person designing an
// experience, as far as it is chosen: the organisations of the other side
// (the companies for the school, the schools for a company: those of the
// territory of the Chamber where the person's organisation is), the
// school's classes, and, once the class and the company are chosen, the
// class's students and each side's possible tutors. None of these is
// otherwise in the designer's reach: the directory shows a school tutor
// only their own school.
type Choices struct {
	// School and Company are the chosen ones ("" while not chosen).
	School, Company string
	SchoolType      competence.SchoolType
	Schools         []Choice
	Companies       []Choice
	Classes         []people.Class
	Class           *people.Class
	Students        []Choice
	SchoolTutors    []Choice
	CompanyTutors   []Choice
	SchoolName      string
	CompanyName     string
}

// Choices returns what a design form offers p for an experience of
// school, company and class (any of them "" while not chosen): p's own
// organisation is its side, whatever is asked. Only the school's side or a
// company tutor designs.
func (s *Service) Choices(ctx context.Context, p *auth.Principal, school, company, class string) (*Choices, error) {
	if err := auth.Decide(p, auth.ExperienceDesign, auth.Anywhere); err != nil {
		return nil, err
	}
	switch p.Role {
	case auth.SchoolReferent, auth.SchoolTutor:
		school = p.Org
	case auth.CompanyTutor:
		company = p.Org
	default:
		return nil, attesta.E(attesta.Forbidden, "err.experience.side")
	}
	c := &Choices{}
	err := s.store.View(ctx, func(r Reader) error {
		own, err := r.Organisation(ctx, p.Org)
		if err != nil {
			return err
		}
		// The territory: the provinces of the Chambers that cover the
		// person's province, or that province alone.
		chambers, err := r.Organisations(ctx, org.Filter{Kind: auth.Chamber, Reach: auth.ReachAll(), Limit: org.MaxLimit})
		if err != nil {
			return err
		}
		provinces := []string{own.Province}
		for _, ch := range chambers {
			if slices.Contains(ch.Provinces, own.Province) {
				provinces = append(provinces, ch.Provinces...)
			}
		}
		other := auth.Company
		if p.Role == auth.CompanyTutor {
			other = auth.School
		}
		orgs, err := r.Organisations(ctx, org.Filter{Kind: other, Reach: auth.ReachProvinces(provinces...), Limit: org.MaxLimit})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if other == auth.School {
				c.Schools = append(c.Schools, Choice{o.ID, o.Name})
			} else {
				c.Companies = append(c.Companies, Choice{o.ID, o.Name})
			}
		}
		known := func(list []Choice, id string) bool {
			return slices.ContainsFunc(list, func(ch Choice) bool { return ch.ID == id })
		}
		if p.Role == auth.CompanyTutor && school != "" && !known(c.Schools, school) {
			school = ""
		}
		if p.Role != auth.CompanyTutor && company != "" && !known(c.Companies, company) {
			company = ""
		}
		c.School, c.Company = school, company
		if school != "" {
			o, err := r.Organisation(ctx, school)
			if err != nil {
				return err
			}
			c.SchoolName, c.SchoolType = o.Name, competence.SchoolType(o.SchoolType)
			if c.Classes, err = r.Classes(ctx, school); err != nil {
				return err
			}
			if c.SchoolTutors, err = tutors(ctx, r, school, auth.SchoolTutor, auth.SchoolReferent); err != nil {
				return err
			}
		}
		if company != "" {
			o, err := r.Organisation(ctx, company)
			if err != nil {
				return err
			}
			c.CompanyName = o.Name
			if c.CompanyTutors, err = tutors(ctx, r, company, auth.CompanyTutor); err != nil {
				return err
			}
		}
		if i := slices.IndexFunc(c.Classes, func(x people.Class) bool { return x.ID == class }); i >= 0 {
			c.Class = &c.Classes[i]
			students, err := r.ClassStudents(ctx, class)
			if err != nil {
				return err
			}
			for _, e := range students {
				c.Students = append(c.Students, Choice{e.Person.ID, e.Person.Name()})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the choices of a design: %w", err)
	}
	return c, nil
}

// tutors lists the members of o in one of roles, once each.
func tutors(ctx context.Context, r Reader, o string, roles ...auth.Role) ([]Choice, error) {
	ms, err := r.Members(ctx, o)
	if err != nil {
		return nil, err
	}
	var out []Choice
	for _, m := range ms {
		if slices.Contains(roles, m.Role) && !slices.ContainsFunc(out, func(c Choice) bool { return c.ID == m.Person.ID }) {
			out = append(out, Choice{m.Person.ID, m.Person.Name()})
		}
	}
	return out, nil
}

// Trail returns the audit trail of experience id, oldest first, to whoever
// may see the experience: the evidence behind its revisions, sign-offs,
// states and hours. A student is shown only the entries that are not about
// another student's hours.
func (s *Service) Trail(ctx context.Context, p *auth.Principal, id string) ([]audit.Entry, error) {
	if !idPattern.MatchString(id) {
		return nil, notFound(id)
	}
	var out []audit.Entry
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
		out, err = r.Entries(ctx, audit.Filter{ObjectKind: auth.ExperienceObject, ObjectID: id, Reach: auth.ReachAll(), Limit: audit.MaxLimit})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the trail of experience %s: %w", id, err)
	}
	if p.Role == auth.Student {
		out = slices.DeleteFunc(out, func(e audit.Entry) bool {
			if e.Action != actionHours && e.Action != actionCorrect {
				return false
			}
			var a struct {
				Student string `json:"student"`
			}
			return json.Unmarshal(e.After, &a) != nil || a.Student != p.Person
		})
	}
	slices.SortFunc(out, func(a, b audit.Entry) int { return int(a.Seq - b.Seq) })
	return out, nil
}
