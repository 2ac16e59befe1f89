package experience

import (
	"fmt"
	"slices"
	"strings"
)

// Change is one difference between two designs: the field, what it was
// and what it is ("" for a row added or removed).
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Diff lists the changes from a to b: the plain fields, the students and
// the competences added or removed, and for a competence in both, the
// activities added or removed and the evidences chosen for each.
func Diff(a, b *Design) []Change {
	var out []Change
	field := func(name, x, y string) {
		if x != y {
			out = append(out, Change{Field: name, Before: x, After: y})
		}
	}
	field("title", a.Title, b.Title)
	field("path", a.Path, b.Path)
	field("school_tutor", a.SchoolTutor, b.SchoolTutor)
	field("company_tutor", a.CompanyTutor, b.CompanyTutor)
	field("start", a.Start, b.Start)
	field("end", a.End, b.End)
	field("planned_hours", fmt.Sprint(a.PlannedHours), fmt.Sprint(b.PlannedHours))
	field("hours_exception", a.HoursException, b.HoursException)
	for _, s := range a.Students {
		if !slices.Contains(b.Students, s) {
			out = append(out, Change{Field: "students", Before: s})
		}
	}
	for _, s := range b.Students {
		if !slices.Contains(a.Students, s) {
			out = append(out, Change{Field: "students", After: s})
		}
	}
	find := func(d *Design, code string) *PlannedCompetence {
		for i := range d.Competences {
			if d.Competences[i].Code == code {
				return &d.Competences[i]
			}
		}
		return nil
	}
	for _, ca := range a.Competences {
		if find(b, ca.Code) == nil {
			out = append(out, Change{Field: "competences", Before: ca.Code})
		}
	}
	for _, cb := range b.Competences {
		ca := find(a, cb.Code)
		if ca == nil {
			out = append(out, Change{Field: "competences", After: cb.Code})
			continue
		}
		key := func(pa PlannedActivity) string { return fmt.Sprintf("%s/%s/A%d", pa.ADA, pa.Result, pa.Activity) }
		evidences := func(pa PlannedActivity) string {
			es := make([]string, len(pa.Evidences))
			for i, e := range pa.Evidences {
				es[i] = fmt.Sprintf("E%d", e)
			}
			return strings.Join(es, " ")
		}
		for _, pa := range ca.Activities {
			if !slices.ContainsFunc(cb.Activities, func(x PlannedActivity) bool { return key(x) == key(pa) }) {
				out = append(out, Change{Field: cb.Code + ".activities", Before: key(pa)})
			}
		}
		for _, pb := range cb.Activities {
			i := slices.IndexFunc(ca.Activities, func(x PlannedActivity) bool { return key(x) == key(pb) })
			if i < 0 {
				out = append(out, Change{Field: cb.Code + ".activities", After: key(pb)})
				continue
			}
			field(cb.Code+"/"+key(pb)+".evidences", evidences(ca.Activities[i]), evidences(pb))
		}
	}
	return out
}
