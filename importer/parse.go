package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// File is a file read and checked by [Parse], ready for
// [Service.Preview] and [Service.Apply].
type File struct {
	Kind    Kind
	present map[string]bool // the columns of the header
	recs    []record
}

// Len returns the number of data rows.
func (f *File) Len() int { return len(f.recs) }

// record is one data row, normalized and valid.
type record struct {
	row     int
	org     org.Organisation    // schools, companies
	class   people.Class        // classes
	student people.StudentInput // classes
	person  people.Person       // tutors
	role    auth.Role           // tutors
	orgKey  string              // tutors: the organisation's natural key
}

// roles are the values of the tutors' ruolo column.
var roles = []struct {
	name string
	role auth.Role
}{
	{"referente_scolastico", auth.SchoolReferent},
	{"tutor_scolastico", auth.SchoolTutor},
	{"tutor_aziendale", auth.CompanyTutor},
}

func roleOf(name string) (auth.Role, bool) {
	for _, r := range roles {
		if r.name == name {
			return r.role, true
		}
	}
	return "", false
}

func roleName(role auth.Role) string {
	for _, r := range roles {
		if r.role == role {
			return r.name
		}
	}
	return ""
}

// The values of the companies' tipo column.
const (
	typeCompany     = "impresa"
	typeAssociation = "associazione"
)

// Parse reads a whole file of a kind and checks every row, returning all
// the problems found as [Errors] wrapped in an error with code
// attesta.Invalid. It writes nothing.
func Parse(kind Kind, r io.Reader) (*File, error) {
	if !kind.Valid() {
		return nil, attesta.E(attesta.Invalid, "err.import.kind.unknown", kind)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the %s file: %w", kind, err)
	}
	p := &parser{f: &File{Kind: kind, present: map[string]bool{}}, seen: map[string]int{}, firsts: map[string]int{}}
	p.parse(data)
	if err := p.errs.done().err(); err != nil {
		return nil, err
	}
	return p.f, nil
}

type parser struct {
	f    *File
	errs errorList
	// seen maps a natural key to the index of its first record; firsts
	// maps a student number or an e-mail address likewise.
	seen, firsts map[string]int
}

var bom = []byte{0xEF, 0xBB, 0xBF}

func (p *parser) parse(data []byte) {
	switch {
	case len(data) > MaxBytes:
		p.errs.invalid(0, "", "err.import.file.large", MaxBytes>>20)
		return
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		p.errs.invalid(0, "", "err.import.file.utf16")
		return
	}
	data = bytes.TrimPrefix(data, bom)
	if len(bytes.TrimSpace(data)) == 0 {
		p.errs.invalid(1, "", "err.import.file.empty")
		return
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniff(data)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		p.errs.invalid(1, "", "err.import.header.csv")
		return
	}
	line, _ := cr.FieldPos(0)
	names, idx := p.header(line, slices.Clone(header))
	if p.errs.len() > 0 {
		return
	}
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			p.errs.invalid(0, "", "err.import.file.unreadable", err.Error())
			return
		}
		for i := range rec {
			rec[i] = readCell(rec[i])
		}
		if err == nil && blank(rec) {
			continue
		}
		if err == nil {
			line, _ = cr.FieldPos(0)
		} else {
			line = pe.StartLine
		}
		if rows++; rows > MaxRows {
			p.errs.invalid(line, "", "err.import.file.rows", MaxRows)
			return
		}
		if err != nil {
			p.errs.invalid(line, "", "err.import.row.csv")
			continue
		}
		if len(rec) != len(names) {
			p.errs.invalid(line, "", "err.import.row.fields", len(rec), len(names))
			continue
		}
		if !p.fields(line, names, rec) {
			continue
		}
		p.row(line, func(col string) string {
			if i, ok := idx[col]; ok {
				return rec[i]
			}
			return ""
		})
	}
}

// sniff returns the delimiter of the header line: ';' if it has more
// semicolons than commas outside quotes, else ','.
func sniff(data []byte) rune {
	commas, semicolons, quoted := 0, 0, false
	for _, c := range bytes.TrimLeft(data, "\r\n") {
		if c == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		switch c {
		case ',':
			commas++
		case ';':
			semicolons++
		}
	}
	if semicolons > commas {
		return ';'
	}
	return ','
}

// header checks the header and returns the columns' names, and their
// indexes by name.
func (p *parser) header(line int, header []string) ([]string, map[string]int) {
	kind := p.f.Kind
	names := make([]string, len(header))
	idx := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		name := strings.ToLower(strings.Join(strings.Fields(h), "_"))
		names[i] = name
		switch {
		case !utf8.ValidString(h):
			p.errs.invalid(line, "", "err.import.header.utf8")
		case name == "":
			p.errs.invalid(line, "", "err.import.column.noname", i+1)
		case !slices.Contains(columnNames(kind), name):
			p.errs.invalid(line, h, "err.import.column.unknown", h, strings.Join(columnNames(kind), ", "))
		case p.f.present[name]:
			p.errs.invalid(line, name, "err.import.column.twice", name)
		default:
			p.f.present[name] = true
			idx[name] = i
		}
	}
	for _, c := range Columns(kind) {
		if c.Required && !p.f.present[c.Name] {
			p.errs.invalid(line, c.Name, "err.import.column.missing", c.Name)
		}
	}
	return names, idx
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// fields checks the encoding and length of a row's fields.
func (p *parser) fields(line int, names, rec []string) bool {
	ok := true
	for i, v := range rec {
		switch {
		case !utf8.ValidString(v):
			p.errs.invalid(line, names[i], "err.import.field.utf8")
			ok = false
		case utf8.RuneCountInString(v) > MaxField:
			p.errs.invalid(line, names[i], "err.import.field.long", MaxField)
			ok = false
		}
	}
	return ok
}

// row reads, normalizes and checks one data row, with the domain's rules.
func (p *parser) row(line int, get func(string) string) {
	kind := p.f.Kind
	rec := record{row: line}
	var fe attesta.FieldErrors
	switch kind {
	case Schools:
		rec.org = org.Organisation{Kind: auth.School, SchoolCode: get(colSchoolCode), Name: get(colName),
			SchoolType: org.SchoolType(get(colType)), Province: get(colProvince), Email: get(colEmail)}
		checkOrg(&fe, &rec.org)
	case Companies:
		rec.org = org.Organisation{Kind: auth.Company, TaxCode: get(colTaxCode), Name: get(colName),
			Province: get(colProvince), REA: get(colREA), ATECO: get(colATECO), Email: get(colEmail)}
		switch t := strings.ToLower(strings.TrimSpace(get(colType))); t {
		case typeCompany:
		case typeAssociation:
			rec.org.Kind = auth.Association
		default:
			fe.Problem("kind", "err.import.type.unknown", t)
		}
		checkOrg(&fe, &rec.org)
	case Classes:
		rec.class = people.Class{Year: get(colYear), Name: get(colClass)}
		rec.class.Normalize()
		rec.class.Validate(&fe)
		rec.student = people.StudentInput{
			Person:  people.Person{GivenName: get(colGivenName), FamilyName: get(colFamilyName)},
			Student: people.Student{Number: get(colNumber), Contact: get(colContact), ConsentBy: get(colConsentBy)},
		}
		rec.student.Person.Normalize()
		rec.student.Student.Normalize()
		rec.student.Person.Validate(&fe)
		rec.student.Student.Validate(&fe)
	case Tutors:
		rec.person = people.Person{Email: get(colEmail), GivenName: get(colGivenName), FamilyName: get(colFamilyName)}
		rec.person.Normalize()
		if rec.person.Email == "" {
			fe.Problem("email", "err.import.email.required")
		}
		rec.person.Validate(&fe)
		name := strings.ToLower(strings.TrimSpace(get(colRole)))
		role, ok := roleOf(name)
		if !ok {
			fe.Problem("role", "err.import.role.unknown", name)
		}
		rec.role = role
		rec.orgKey = orgKey(&fe, role, get(colOrg))
	}
	for _, e := range fe {
		p.errs.say(line, columnOf(kind, e.Field), attesta.Invalid, e.Message)
	}
	p.duplicates(&rec)
	p.f.recs = append(p.f.recs, rec)
}

// checkOrg normalizes o, gives it the id it would have if new, and
// validates it. The id derives from the natural key, whose own problems
// are reported, so the id's are not.
func checkOrg(fe *attesta.FieldErrors, o *org.Organisation) {
	o.Normalize()
	o.ID = org.SuggestID(*o)
	var oe attesta.FieldErrors
	if errors.As(o.Validate(), &oe) {
		for _, e := range oe {
			if e.Field != "id" {
				*fe = append(*fe, e)
			}
		}
	}
}

// orgKey normalizes the natural key of a tutor's organisation, and checks
// its form with package org's rules: a codice meccanografico for school
// roles, a codice fiscale for company tutors.
func orgKey(fe *attesta.FieldErrors, role auth.Role, v string) string {
	if strings.TrimSpace(v) == "" {
		fe.Problem("org", "err.import.org.required")
		return ""
	}
	probe := org.Organisation{ID: "probe", Name: "probe", Province: "RM"}
	switch auth.RoleKinds[role] {
	case auth.School:
		probe.Kind, probe.SchoolCode, probe.SchoolType = auth.School, v, org.Liceo
	case auth.Company:
		probe.Kind, probe.TaxCode = auth.Company, v
	default:
		return strings.TrimSpace(v) // the role is wrong, and said so
	}
	probe.Normalize()
	var oe attesta.FieldErrors
	if errors.As(probe.Validate(), &oe) {
		for _, e := range oe {
			fe.Say("org", e.Message)
		}
	}
	return probe.NaturalKey()
}

// duplicates checks rec against the rows before it: a natural key may
// appear once, a student once per school year and with the same details
// in every year, a tutor with one name.
func (p *parser) duplicates(rec *record) {
	i := len(p.f.recs)
	first := func(m map[string]int, key string) (record, bool) {
		j, ok := m[key]
		if !ok {
			m[key] = i
			return record{}, false
		}
		return p.f.recs[j], true
	}
	switch p.f.Kind {
	case Schools:
		if k := rec.org.SchoolCode; k != "" {
			if f, ok := first(p.seen, k); ok {
				p.errs.invalid(rec.row, colSchoolCode, "err.import.dup.schoolcode", k, f.row)
			}
		}
	case Companies:
		if k := rec.org.TaxCode; k != "" {
			if f, ok := first(p.seen, k); ok {
				p.errs.invalid(rec.row, colTaxCode, "err.import.dup.taxcode", k, f.row)
			}
		}
	case Classes:
		n := rec.student.Student.Number
		if n == "" {
			return
		}
		if f, ok := first(p.seen, rec.class.Year+"\x00"+n); ok {
			if f.class.Name == rec.class.Name {
				p.errs.invalid(rec.row, colNumber, "err.import.dup.number", n, f.row)
			} else {
				p.errs.invalid(rec.row, colNumber, "err.import.dup.numberclass", n, f.class.Name, f.row)
			}
			return
		}
		if f, ok := first(p.firsts, n); ok && f.student != rec.student {
			p.errs.invalid(rec.row, colNumber, "err.import.dup.numberdetails", n, f.row)
		}
	case Tutors:
		e := rec.person.Email
		if e == "" {
			return
		}
		if f, ok := first(p.seen, e+"\x00"+rec.orgKey+"\x00"+string(rec.role)); ok {
			p.errs.invalid(rec.row, colEmail, "err.import.dup.tutor", e, f.row)
			return
		}
		if f, ok := first(p.firsts, e); ok && (f.person.GivenName != rec.person.GivenName || f.person.FamilyName != rec.person.FamilyName) {
			p.errs.invalid(rec.row, colEmail, "err.import.dup.tutorname", e, f.row)
		}
	}
}
