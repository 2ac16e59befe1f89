package importer

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
)

// formulaStarts are the first characters that make a spreadsheet run a
// cell as a formula: =, +, -, @, a tab, a carriage return (OWASP, "CSV
// Injection"), and a NUL (ASVS 5.0, 1.2.10).
const formulaStarts = "=+-@\t\r\x00"

// neutralise returns a cell of an export as a spreadsheet may open it: a
// value that starts with one of formulaStarts gets an apostrophe before
// it, which spreadsheets read as "this is text" and do not show. So does a
// value that [readCell] would otherwise read without its own first
// apostrophe, so that every value comes back as it was: export → import →
// export is byte-identical.
func neutralise(v string) string {
	if v != "" && strings.IndexByte(formulaStarts, v[0]) >= 0 || marked(v) {
		return "'" + v
	}
	return v
}

// marked reports whether a cell starts with the apostrophe of [neutralise]:
// one followed by a character of formulaStarts or by another apostrophe.
// An apostrophe followed by anything else ('t Hooft) is the value's own.
func marked(v string) bool {
	return len(v) >= 2 && v[0] == '\'' && strings.IndexByte(formulaStarts+"'", v[1]) >= 0
}

// readCell is the value of a cell of an imported file: without its first
// apostrophe if [neutralise] put it there.
func readCell(v string) string {
	if marked(v) {
		return v[1:]
	}
	return v
}

// Export writes to w, as a file of kind, what p may export: for schools
// and companies, the organisations in p's reach; for classes, the classes
// of school with their students; for tutors, the school referents, school
// tutors and company tutors of the organisations in p's reach, or only of
// the organisation school when it is not "". The file has every column of
// its kind, comma separated, header first, each value that a spreadsheet
// would run as a formula neutralised (see the package's documentation);
// importing it changes nothing.
// Tutors without an e-mail address are left out, as a file cannot name
// them. Nothing is written to w if the export fails.
func (s *Service) Export(ctx context.Context, p *auth.Principal, kind Kind, school string, w io.Writer) error {
	if !kind.Valid() {
		return attesta.E(attesta.Invalid, "err.import.kind.unknown", kind)
	}
	// A named organisation is decided on (out of reach: not found); a
	// listing of what is in reach, on the permission alone.
	if school == "" {
		if err := auth.Decide(p, auth.ExportData, auth.Anywhere); err != nil {
			return err
		}
	}
	rows := [][]string{columnNames(kind)}
	err := s.store.View(ctx, func(r Reader) error {
		var err error
		switch kind {
		case Schools:
			rows, err = exportOrgs(ctx, r, p, rows, auth.School)
		case Companies:
			rows, err = exportOrgs(ctx, r, p, rows, auth.Company, auth.Association)
		case Classes:
			rows, err = exportClasses(ctx, r, p, school, rows)
		case Tutors:
			rows, err = exportTutors(ctx, r, p, school, rows)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("exporting %s: %w", kind, err)
	}
	for _, row := range rows[1:] {
		for i, v := range row {
			row[i] = neutralise(v)
		}
	}
	if err := csv.NewWriter(w).WriteAll(rows); err != nil {
		return fmt.Errorf("writing the %s file: %w", kind, err)
	}
	return nil
}

// inReach lists the organisations of some kinds that p may export, by
// name.
func inReach(ctx context.Context, r Reader, p *auth.Principal, kinds ...auth.OrgKind) ([]org.Organisation, error) {
	reach := auth.ReachOf(p)
	var out []org.Organisation
	for _, k := range kinds {
		for off := 0; ; off += org.MaxLimit {
			list, err := r.Organisations(ctx, org.Filter{Kind: k, Reach: reach, Limit: org.MaxLimit, Offset: off})
			if err != nil {
				return nil, err
			}
			for _, o := range list {
				if auth.Can(p, auth.ExportData, o.Object()) {
					out = append(out, o)
				}
			}
			if len(list) < org.MaxLimit {
				break
			}
		}
	}
	slices.SortStableFunc(out, func(a, b org.Organisation) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

func exportOrgs(ctx context.Context, r Reader, p *auth.Principal, rows [][]string, kinds ...auth.OrgKind) ([][]string, error) {
	list, err := inReach(ctx, r, p, kinds...)
	if err != nil {
		return nil, err
	}
	for _, o := range list {
		if o.Kind == auth.School {
			rows = append(rows, []string{o.SchoolCode, o.Name, string(o.SchoolType), o.Province, o.Email})
		} else {
			rows = append(rows, []string{o.TaxCode, o.Name, typeName(o.Kind), o.Province, o.REA, o.ATECO, o.Email})
		}
	}
	return rows, nil
}

// exportable returns the organisation id if p may export its data.
func exportable(ctx context.Context, r Reader, p *auth.Principal, id string) (*org.Organisation, error) {
	o, err := r.Organisation(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := auth.Decide(p, auth.ExportData, o.Object()); err != nil {
		return nil, err
	}
	return o, nil
}

func exportClasses(ctx context.Context, r Reader, p *auth.Principal, school string, rows [][]string) ([][]string, error) {
	if school == "" {
		return nil, attesta.E(attesta.Invalid, "err.export.school.required")
	}
	sc, err := exportable(ctx, r, p, school)
	if err != nil {
		return nil, err
	}
	if sc.Kind != auth.School {
		return nil, attesta.E(attesta.NotFound, "err.import.notschool", school)
	}
	classes, err := r.Classes(ctx, sc.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range classes {
		students, err := r.ClassStudents(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range students {
			rows = append(rows, []string{c.Year, c.Name, e.Student.Number, e.Person.FamilyName, e.Person.GivenName, e.Student.Contact, e.Student.ConsentBy})
		}
	}
	return rows, nil
}

func exportTutors(ctx context.Context, r Reader, p *auth.Principal, orgID string, rows [][]string) ([][]string, error) {
	var orgs []org.Organisation
	if orgID != "" {
		o, err := exportable(ctx, r, p, orgID)
		if err != nil {
			return nil, err
		}
		orgs = []org.Organisation{*o}
	} else {
		var err error
		if orgs, err = inReach(ctx, r, p, auth.School, auth.Company); err != nil {
			return nil, err
		}
	}
	for _, o := range orgs {
		members, err := r.Members(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if roleName(m.Role) == "" || auth.RoleKinds[m.Role] != o.Kind || m.Person.Email == "" {
				continue
			}
			rows = append(rows, []string{m.Person.Email, m.Person.FamilyName, m.Person.GivenName, roleName(m.Role), o.NaturalKey()})
		}
	}
	return rows, nil
}
