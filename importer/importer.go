// Package importer reads and writes the platform's directory data as CSV
// files: schools; companies and employers' associations; a school's classes
// with their students; and tutors. A Chamber of Commerce or a school
// uploads a file, sees what it would change ([Service.Preview]), and
// applies it ([Service.Apply]); [Service.Export] writes the same shapes
// back, so that an exported file re-imports with no change.
//
// # Formats
//
// A file is UTF-8 text, with or without a byte order mark, with CRLF or LF
// line ends. Its first line is the header: the names of the columns, in
// any order, in lower case as listed below (case and surrounding spaces do
// not matter). The delimiter is a comma or a semicolon, whichever the
// header line uses more (spreadsheets set to Italian write semicolons).
// Fields may be quoted with double quotes, doubling a quote inside. A
// field that starts with an apostrophe (') followed by =, +, -, @, a tab, a
// carriage return or another apostrophe is read without that first
// apostrophe: it is how an export keeps a value from being run as a
// formula (below), and how spreadsheets mark a cell as text. Any other
// apostrophe is the value's own ('t Hooft). Blank lines are skipped. Required columns must be present and filled; an optional column
// may be left out or left empty, and then the stored value is kept: an
// empty field is not a removal, and an import never removes a value (a
// contact, a consent, an e-mail address is removed on its record's page or
// with the API, explicitly, and the audit trail keeps the value removed).
// An unknown column is an error, not ignored.
//
//   - [Schools]: codice_meccanografico, denominazione, tipo (tecnico,
//     professionale or liceo), provincia (sigla); optional email.
//   - [Companies]: codice_fiscale (or partita IVA), denominazione, tipo
//     (impresa or associazione), provincia; optional rea (as MI-1234567),
//     ateco (as 28.41), email.
//   - [Classes], for the one school the caller names: anno_scolastico (as
//     2026/27), classe, matricola (the school's student number), cognome,
//     nome; optional recapito (an e-mail address or a telephone number),
//     consenso_di (who gave a guardian's consent).
//   - [Tutors]: email, cognome, nome, ruolo (referente_scolastico,
//     tutor_scolastico or tutor_aziendale), organizzazione (the school's
//     codice meccanografico, or the company's codice fiscale).
//
// [Columns] lists them. An export writes every column of its kind, comma
// separated, header first.
//
// # Exports are safe to open
//
// A spreadsheet runs a cell that starts with =, +, -, @, a tab or a
// carriage return as a formula, and a formula can reach the network or, in
// older spreadsheets, run a program: a name typed by one organisation
// would run on the computer of whoever opens the export. So an export puts
// an apostrophe before such a value (OWASP's advice on CSV injection; also
// before a NUL, as ASVS 5.0 asks), which the spreadsheet shows as text,
// without the apostrophe; and before a value that starts with an
// apostrophe followed by one of those characters or by another apostrophe.
// An import takes that apostrophe away again, so what one exports imports
// back to the same values and export → import → export is byte-identical.
//
// # Guarantees
//
// [Parse] reads and checks the whole file before anything is written, with
// the rules of the domain packages (org, people) and their messages, and
// returns every problem at once as [Errors]: the
// line and the column of each. It also refuses a file that repeats a
// natural key, and a class file that puts one student number in two
// classes of the same school year.
//
// The service then decides, row by row, whether the caller may import it
// (package auth): a row out of the caller's reach is an error on that row,
// never skipped. [Service.Apply] runs in one transaction and checks
// everything again inside it: one problem and nothing is written.
//
// Rows are matched to what is stored by their natural key: a school by its
// codice meccanografico, a company by its codice fiscale, a student by the
// school's student number, a tutor by their e-mail address (with the
// organisation and the role). A row that matches and differs updates the
// record, with its before and after in the audit trail; a row that matches
// and does not differ changes nothing. Importing the same file twice thus
// changes nothing the second time and adds nothing to the audit trail.
//
// An import never deletes: what the file leaves out, or leaves empty,
// stays. It does not
// change an organisation's type, move a student to another class of the
// same school year (the class's page does), or rename a person who also
// holds a role out of the importer's reach; such rows are refused.
//
// # Limits
//
// A file has at most [MaxBytes] bytes (10 MiB), [MaxRows] data rows and
// [MaxField] characters per field; beyond them it is refused with an
// error saying which. At most [MaxErrors] problems are listed, then how
// many more there are.
package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/i18n"
)

// Kind is the kind of a file.
type Kind string

// The kinds of file.
const (
	Schools   Kind = "schools"   // schools
	Companies Kind = "companies" // companies and employers' associations
	Classes   Kind = "classes"   // one school's classes with their students
	Tutors    Kind = "tutors"    // school referents, school tutors and company tutors
)

// Kinds lists every kind.
var Kinds = []Kind{Schools, Companies, Classes, Tutors}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Limits on what a file may hold.
const (
	MaxBytes  = 10 << 20 // bytes in a file
	MaxRows   = 20000    // data rows, the header excluded
	MaxField  = 500      // characters in a field
	MaxErrors = 200      // problems listed; then "and N more"
)

// The columns.
const (
	colSchoolCode = "codice_meccanografico"
	colTaxCode    = "codice_fiscale"
	colName       = "denominazione"
	colType       = "tipo"
	colProvince   = "provincia"
	colREA        = "rea"
	colATECO      = "ateco"
	colEmail      = "email"
	colYear       = "anno_scolastico"
	colClass      = "classe"
	colNumber     = "matricola"
	colFamilyName = "cognome"
	colGivenName  = "nome"
	colContact    = "recapito"
	colConsentBy  = "consenso_di"
	colRole       = "ruolo"
	colOrg        = "organizzazione"
)

// Column is a column of a kind of file.
type Column struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

// spec is a column and the fields of the domain's FieldErrors reported
// against it.
type spec struct {
	Column
	fields []string
}

var specs = map[Kind][]spec{
	Schools: {
		{Column{colSchoolCode, true}, []string{"school_code", "id"}},
		{Column{colName, true}, []string{"name"}},
		{Column{colType, true}, []string{"school_type", "kind"}},
		{Column{colProvince, true}, []string{"province", "provinces"}},
		{Column{colEmail, false}, []string{"email"}},
	},
	Companies: {
		{Column{colTaxCode, true}, []string{"tax_code", "id"}},
		{Column{colName, true}, []string{"name"}},
		{Column{colType, true}, []string{"kind"}},
		{Column{colProvince, true}, []string{"province", "provinces"}},
		{Column{colREA, false}, []string{"rea"}},
		{Column{colATECO, false}, []string{"ateco"}},
		{Column{colEmail, false}, []string{"email"}},
	},
	Classes: {
		{Column{colYear, true}, []string{"year"}},
		{Column{colClass, true}, []string{"class"}},
		{Column{colNumber, true}, []string{"number"}},
		{Column{colFamilyName, true}, []string{"family_name"}},
		{Column{colGivenName, true}, []string{"given_name"}},
		{Column{colContact, false}, []string{"contact", "email"}},
		{Column{colConsentBy, false}, []string{"consent_by"}},
	},
	Tutors: {
		{Column{colEmail, true}, []string{"email"}},
		{Column{colFamilyName, true}, []string{"family_name"}},
		{Column{colGivenName, true}, []string{"given_name"}},
		{Column{colRole, true}, []string{"role"}},
		{Column{colOrg, true}, []string{"org", "school_code", "tax_code"}},
	},
}

// Columns returns the columns of a kind of file, in the order an export
// writes them.
func Columns(k Kind) []Column {
	var out []Column
	for _, s := range specs[k] {
		out = append(out, s.Column)
	}
	return out
}

func columnNames(k Kind) []string {
	var out []string
	for _, s := range specs[k] {
		out = append(out, s.Name)
	}
	return out
}

// columnOf returns the column of kind k against which the domain's field
// is reported, or "" (the whole row).
func columnOf(k Kind, field string) string {
	for _, s := range specs[k] {
		if slices.Contains(s.fields, field) {
			return s.Name
		}
	}
	return ""
}

// RowError is a problem with one row of a file: a message key with its
// arguments, and the message said in Italian and English.
type RowError struct {
	// Row is the line of the file where the row starts: the header is
	// line 1. Zero means the file as a whole.
	Row int `json:"row"`
	// Column is the column at fault, as named in the header; "" means the
	// row as a whole.
	Column string `json:"column,omitempty"`
	// Code says what kind of problem it is: attesta.Invalid for what the
	// file says, attesta.NotFound or attesta.Forbidden for a row out of
	// the caller's reach or rights, attesta.Conflict for a row at odds
	// with what is stored.
	Code attesta.Code `json:"code"`
	attesta.Message
	// IT and EN are the message said in Italian and English, for readers
	// of the JSON.
	IT string `json:"it"`
	EN string `json:"en"`
}

// In returns the message of e in lang ("it" or "en"). A problem read back
// from JSON (a failed import job's) has no arguments, only its key and
// what it said in each language: that is what it says.
func (e RowError) In(lang string) string {
	if e.Args == nil {
		switch {
		case lang == "it" && e.IT != "":
			return e.IT
		case lang == "en" && e.EN != "":
			return e.EN
		}
	}
	return e.Message.In(lang)
}

func (e RowError) where() string {
	var b strings.Builder
	if e.Row > 0 {
		fmt.Fprintf(&b, "row %d", e.Row)
	}
	if e.Column != "" {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.Column)
	}
	return b.String()
}

// Errors are the problems found in a file, ordered by row. As an error it
// reports all of them in English; the error returned by [Parse],
// [Service.Apply] and [Plan.Err] is an *attesta.Error that wraps it, so
// errors.As finds it.
type Errors []RowError

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		if w := e.where(); w != "" {
			b.WriteString(w + ": ")
		}
		b.WriteString(e.In("en"))
	}
	return b.String()
}

// err wraps es in an *attesta.Error whose code is the code all the
// problems share, or Invalid when they differ.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	code := es[0].Code
	for _, e := range es {
		if e.Code != code {
			code = attesta.Invalid
			break
		}
	}
	if len(es) == 1 {
		return attesta.Wrap(es, code, "err.import.problem")
	}
	return attesta.Wrap(es, code, "err.import.problems", len(es))
}

// errorList collects problems up to MaxErrors, then counts the rest.
type errorList struct {
	list Errors
	more int
}

// problem records a problem: the message key with args.
func (l *errorList) problem(row int, column string, code attesta.Code, key string, args ...any) {
	l.say(row, column, code, attesta.M(key, args...))
}

// invalid records a problem with code Invalid: the message key with args.
func (l *errorList) invalid(row int, column, key string, args ...any) {
	l.say(row, column, attesta.Invalid, attesta.M(key, args...))
}

// say records a problem: m, a message made elsewhere.
func (l *errorList) say(row int, column string, code attesta.Code, m attesta.Message) {
	if len(l.list) >= MaxErrors {
		l.more++
		return
	}
	l.list = append(l.list, RowError{Row: row, Column: column, Code: code, Message: m, IT: m.In("it"), EN: m.In("en")})
}

func (l *errorList) len() int { return len(l.list) + l.more }

// done returns the problems, ordered by row, with a last line saying how
// many were left out.
func (l *errorList) done() Errors {
	if l.len() == 0 {
		return nil
	}
	out := slices.Clone(l.list)
	slices.SortStableFunc(out, func(a, b RowError) int { return a.Row - b.Row })
	if l.more > 0 {
		code := out[len(out)-1].Code
		m := attesta.M("err.import.more", l.more)
		out = append(out, RowError{Code: code, Message: m, IT: m.In("it"), EN: m.In("en")})
	}
	return out
}

// In says what a file of the kind lists, in lang ("classi con i loro
// studenti"), as a message argument.
func (k Kind) In(lang string) string {
	if !k.Valid() {
		return string(k)
	}
	return i18n.T(lang, "import.file."+string(k))
}
