// Package roundtable is the territorial tables ("tavoli territoriali") of the
// programme, step 1 of the certification process: a Chamber of Commerce
// activates a table for a competence sector and a school year with the
// schools, employers' associations and companies of its provinces, and
// records the table's meetings with their agenda, minutes and attachments.
//
// # Who sees a table
//
// A table belongs to its Chamber and to every member organisation
// ([Table.Object]). The national body sees every table, a Chamber its own,
// a school, company or association the tables it is a member of; to anyone
// else a table does not exist ([attesta.NotFound]). Only the national body
// and the table's Chamber change it, and a closed table changes only by
// being reopened.
//
// # Attachments
//
// Minutes come with attachments kept in the database: at most
// [MaxAttachments] per meeting of at most [MaxAttachmentSize] each, in one
// of [ContentTypes], recognised by their content ([Sniff]), never by their
// name. The audit trail records an attachment by its name, size and
// SHA-256, never its bytes.
package roundtable

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/people"
)

// Status is where a table is in its life.
type Status string

// The statuses of a table.
const (
	Active Status = "active" // meeting; members and meetings may change
	Closed Status = "closed" // done; it changes only by being reopened
)

// Statuses lists them.
var Statuses = []Status{Active, Closed}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// MemberKinds are the kinds of organisation that may sit at a table
// besides its Chamber.
var MemberKinds = []auth.OrgKind{auth.School, auth.Association, auth.Company}

// Table is one territorial table.
type Table struct {
	ID string `json:"id"`
	// Chamber is the id of the Chamber of Commerce that activated the
	// table; it is a member implicitly.
	Chamber string `json:"chamber"`
	// ChamberName is the Chamber's name, read with the table.
	ChamberName string `json:"chamber_name"`
	// Province is the Chamber's province, read with the table.
	Province string `json:"province"`
	// Sector is the id of a competence sector, such as "meccatronica".
	Sector string `json:"sector"`
	// Year is the school year, as 2026/27.
	Year   string `json:"year"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	// Members are the organisations at the table besides the Chamber, by
	// name, read with the table.
	Members   []Member  `json:"members"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Member is an organisation at a table.
type Member struct {
	Org      string       `json:"org"`
	Kind     auth.OrgKind `json:"kind"`
	Name     string       `json:"name"`
	Province string       `json:"province"`
	AddedAt  time.Time    `json:"added_at"`
}

// Meeting is one meeting of a table.
type Meeting struct {
	ID    string `json:"id"`
	Table string `json:"table"`
	// Date is the day of the meeting, as 2026-10-15.
	Date   string `json:"date"`
	Agenda string `json:"agenda"`
	// Minutes are the text of the minutes; empty until written.
	Minutes string `json:"minutes"`
	// Attachments are the minutes' files, oldest first, without content.
	Attachments []Attachment `json:"attachments"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// Attachment is a file attached to a meeting's minutes. Its content is
// read apart (Service.Attachment).
type Attachment struct {
	ID      string `json:"id"`
	Meeting string `json:"meeting"`
	// Name is the file's name as given, without any directory.
	Name string `json:"name"`
	// ContentType is what the content is (one of ContentTypes), whatever
	// the name says.
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	// SHA256 is the content's SHA-256, in lower-case hex.
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

// View is a table with its meetings.
type View struct {
	Table    Table     `json:"table"`
	Meetings []Meeting `json:"meetings"`
}

// Limits on fields and attachments.
const (
	MaxTitle          = 200     // characters
	MaxAgenda         = 10_000  // characters
	MaxMinutes        = 200_000 // characters
	MaxFileName       = 200     // characters
	MaxAttachmentSize = 5 << 20 // bytes
	MaxAttachments    = 10      // per meeting
)

// The content types an attachment may have.
const (
	PDF  = "application/pdf"
	ODT  = "application/vnd.oasis.opendocument.text"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	PNG  = "image/png"
	JPEG = "image/jpeg"
)

// ContentTypes lists them.
var ContentTypes = []string{PDF, ODT, DOCX, PNG, JPEG}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	sectorPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// validID reports whether s may be an id of a table, meeting, attachment
// or organisation: anything else is not found without asking the store.
func validID(s string) bool { return idPattern.MatchString(s) }

// Normalize trims t's fields and puts its codes in their canonical case.
func (t *Table) Normalize() {
	t.Chamber = strings.ToLower(strings.TrimSpace(t.Chamber))
	t.Sector = strings.ToLower(strings.TrimSpace(t.Sector))
	t.Year = strings.TrimSpace(t.Year)
	t.Title = strings.Join(strings.Fields(t.Title), " ")
	t.Status = Status(strings.ToLower(strings.TrimSpace(string(t.Status))))
}

// Validate checks t (normalized) and adds the problems to fe.
func (t *Table) Validate(fe *attesta.FieldErrors) {
	if !idPattern.MatchString(t.Chamber) {
		fe.Problem("chamber", "err.roundtable.chamber.required")
	}
	if !sectorPattern.MatchString(t.Sector) {
		fe.Problem("sector", "err.roundtable.sector.form")
	}
	if !people.ValidYear(t.Year) {
		fe.Problem("year", "err.roundtable.year.form")
	}
	checkText(fe, "title", t.Title, MaxTitle, true, attesta.M("err.roundtable.subject.title"))
	if !t.Status.Valid() {
		fe.Problem("status", "err.roundtable.status.form")
	}
}

// Member returns the member org, or false.
func (t *Table) Member(org string) (Member, bool) {
	i := slices.IndexFunc(t.Members, func(m Member) bool { return m.Org == org })
	if i < 0 {
		return Member{}, false
	}
	return t.Members[i], true
}

// OrgObject describes the member organisation for authorization: what a
// link to its page is decided on.
func (m Member) OrgObject() auth.Object {
	return auth.Object{Kind: auth.OrganisationObject, ID: m.Org, Places: []auth.Place{{Org: m.Org, Province: m.Province}}, OrgKind: m.Kind}
}

// Object describes t for authorization: it belongs to its Chamber (first)
// and to every member, each in its province.
func (t *Table) Object() auth.Object {
	o := auth.Object{Kind: auth.TableObject, ID: t.ID, Places: []auth.Place{{Org: t.Chamber, Province: t.Province}}}
	for _, m := range t.Members {
		o.Places = append(o.Places, auth.Place{Org: m.Org, Province: m.Province})
	}
	return o
}

// Normalize trims m's fields.
func (m *Meeting) Normalize() {
	m.Table = strings.ToLower(strings.TrimSpace(m.Table))
	m.Date = strings.TrimSpace(m.Date)
	m.Agenda = text(m.Agenda)
	m.Minutes = text(m.Minutes)
}

// text trims s and writes its line ends as \n.
func text(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
}

// Validate checks m (normalized) and adds the problems to fe.
func (m *Meeting) Validate(fe *attesta.FieldErrors) {
	if d, err := time.Parse(time.DateOnly, m.Date); err != nil || d.Year() < 2000 || d.Year() > 2099 {
		fe.Problem("date", "err.roundtable.date.form")
	}
	checkText(fe, "agenda", m.Agenda, MaxAgenda, true, attesta.M("err.roundtable.subject.agenda"))
	checkText(fe, "minutes", m.Minutes, MaxMinutes, false, attesta.M("err.roundtable.subject.minutes"))
}

// checkText checks a text field: valid UTF-8 without control characters
// other than new lines and tabs, at most limit characters, and not empty
// if required. subject names the field as the subject of a sentence.
func checkText(fe *attesta.FieldErrors, field, s string, limit int, required bool, subject attesta.Message) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && required:
		fe.Problem(field, "err.roundtable.text.required", subject)
	case n > limit:
		fe.Problem(field, "err.roundtable.text.long", subject, limit)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		fe.Problem(field, "err.roundtable.text.chars", subject)
	}
}

// FileName cleans the name of an uploaded file: the part after the last
// slash or backslash, with its spaces collapsed.
func FileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return strings.Join(strings.Fields(name), " ")
}

// checkAttachment checks a file to attach and returns its content type.
func checkAttachment(fe *attesta.FieldErrors, name string, content []byte) string {
	checkText(fe, "name", name, MaxFileName, true, attesta.M("err.roundtable.subject.filename"))
	switch {
	case len(content) == 0:
		fe.Problem("file", "err.roundtable.file.empty")
	case len(content) > MaxAttachmentSize:
		fe.Problem("file", "err.roundtable.file.large", MaxAttachmentSize>>20)
	default:
		if ct := Sniff(content); ct != "" {
			return ct
		}
		fe.Problem("file", "err.roundtable.file.type")
	}
	return ""
}

// Sniff returns the content type of b if it is one of ContentTypes, or ""
// otherwise. It looks at the content only: the magic bytes of PDF, PNG
// and JPEG (http.DetectContentType) and the end-of-file marker of PDF;
// for ZIP files, the declared type of an OpenDocument text (its mimetype
// entry) or of a Word document ([Content_Types].xml). Macro-enabled
// documents and templates are refused.
func Sniff(b []byte) string {
	switch ct := http.DetectContentType(b); ct {
	case PNG, JPEG:
		return ct
	case PDF:
		// A PDF ends with %%EOF, give or take the trailing bytes readers
		// tolerate.
		if bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF")) {
			return PDF
		}
	case "application/zip":
		return sniffZip(b)
	}
	return ""
}

// The declared types sniffZip looks for.
const (
	docxMain = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	// maxDeclaration bounds what is decompressed of a declaration.
	maxDeclaration = 1 << 20
)

func sniffZip(b []byte) string {
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(r.File) == 0 {
		return ""
	}
	// OpenDocument: the first entry is "mimetype", stored, holding the type.
	if f := r.File[0]; f.Name == "mimetype" && f.Method == zip.Store {
		if body, ok := read(f, len(ODT)+1); ok && string(body) == ODT {
			return ODT
		}
		return ""
	}
	for _, f := range r.File {
		if f.Name != "[Content_Types].xml" {
			continue
		}
		body, ok := read(f, maxDeclaration)
		if ok && bytes.Contains(body, []byte(`ContentType="`+docxMain+`"`)) {
			return DOCX
		}
		return ""
	}
	return ""
}

// read returns up to limit bytes of f's content, and false if f is longer
// or unreadable.
func read(f *zip.File, limit int) ([]byte, bool) {
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, int64(limit)+1))
	if err != nil || len(body) > limit {
		return nil, false
	}
	return body, true
}
