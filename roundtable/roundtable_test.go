package roundtable

import (
	"archive/zip"
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
)

type entry struct {
	name, body string
	store      bool
}

func zipped(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		f, err := z.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(e.body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func contentTypes(main string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Override PartName="/word/document.xml" ContentType="` + main + `"/></Types>`
}

func TestSniff(t *testing.T) {
	pdf := "%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
	for _, c := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"pdf", []byte(pdf), PDF},
		{"pdf with trailing bytes", []byte(pdf + strings.Repeat(" ", 500)), PDF},
		{"pdf without end", []byte("%PDF-1.7\n" + strings.Repeat("x", 2000)), ""},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), PNG},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), JPEG},
		{"odt", zipped(t, entry{"mimetype", ODT, true}, entry{"content.xml", "<office:document-content/>", false}), ODT},
		{"ods", zipped(t, entry{"mimetype", "application/vnd.oasis.opendocument.spreadsheet", true}), ""},
		{"odt template", zipped(t, entry{"mimetype", "application/vnd.oasis.opendocument.text-template", true}), ""},
		{"odt mimetype deflated", zipped(t, entry{"mimetype", ODT, false}), ""},
		{"docx", zipped(t, entry{"[Content_Types].xml", contentTypes(docxMain), false}, entry{"word/document.xml", "<w:document/>", false}), DOCX},
		{"docm", zipped(t, entry{"[Content_Types].xml", contentTypes("application/vnd.ms-word.document.macroEnabled.main+xml"), false}), ""},
		{"dotx", zipped(t, entry{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"), false}), ""},
		{"xlsx", zipped(t, entry{"[Content_Types].xml", contentTypes("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"), false}), ""},
		{"zip", zipped(t, entry{"a.txt", "a", false}), ""},
		{"truncated zip", zipped(t, entry{"mimetype", ODT, true})[:40], ""},
		{"html", []byte("<html><script>alert(1)</script></html>"), ""},
		{"text", []byte("verbale della riunione"), ""},
		{"exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), ""},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ""},
		{"empty", nil, ""},
	} {
		if got := Sniff(c.content); got != c.want {
			t.Errorf("%s: Sniff = %q, want %q", c.name, got, c.want)
		}
	}
}

func FuzzSniff(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n%%EOF"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add(zipped(f, entry{"mimetype", ODT, true}))
	f.Add(zipped(f, entry{"[Content_Types].xml", contentTypes(docxMain), false}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ct := Sniff(b)
		if ct != "" && !slices.Contains(ContentTypes, ct) {
			t.Fatalf("Sniff = %q, not an allowed type", ct)
		}
	})
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"verbale.pdf":                   "verbale.pdf",
		`C:\Users\anna\verbale 1.pdf`:   "verbale 1.pdf",
		"../../etc/passwd":              "passwd",
		"  foto   della\triunione.jpg ": "foto della riunione.jpg",
		"dir/":                          "",
	} {
		if got := FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTableValidate(t *testing.T) {
	good := Table{Chamber: " CCIAA-Torino ", Sector: "Meccatronica", Year: "2026/27", Title: " Tavolo   Meccatronica ", Status: "Active"}
	good.Normalize()
	var fe attesta.FieldErrors
	good.Validate(&fe)
	if fe != nil || good.Chamber != "cciaa-torino" || good.Sector != "meccatronica" || good.Title != "Tavolo Meccatronica" || good.Status != Active {
		t.Fatalf("%+v: %v", good, fe)
	}
	for name, c := range map[string]struct {
		t      Table
		fields string
	}{
		"all wrong":     {Table{Sector: "mecca tronica", Year: "2026/28", Title: "", Status: "open"}, "chamber sector year title status"},
		"long title":    {Table{Chamber: "cciaa-to", Sector: "x", Year: "2026/27", Title: strings.Repeat("à", MaxTitle+1), Status: Closed}, "title"},
		"control chars": {Table{Chamber: "cciaa-to", Sector: "x", Year: "2026/27", Title: "a\x00b", Status: Closed}, "title"},
		"bad utf-8":     {Table{Chamber: "cciaa-to", Sector: "x", Year: "2026/27", Title: "a\xffb", Status: Closed}, "title"},
	} {
		c.t.Normalize()
		var fe attesta.FieldErrors
		c.t.Validate(&fe)
		var fields []string
		for _, e := range fe {
			fields = append(fields, e.Field)
			if e.IT == "" || e.EN == "" {
				t.Errorf("%s: not bilingual: %+v", name, e)
			}
		}
		if got := strings.Join(fields, " "); got != c.fields {
			t.Errorf("%s: fields %q, want %q", name, got, c.fields)
		}
	}
}

func TestMeetingValidate(t *testing.T) {
	m := Meeting{Date: " 2026-10-15 ", Agenda: "\r\n1. Avvio\r\n2. Calendario\r\n", Minutes: ""}
	m.Normalize()
	var fe attesta.FieldErrors
	m.Validate(&fe)
	if fe != nil || m.Agenda != "1. Avvio\n2. Calendario" || m.Date != "2026-10-15" {
		t.Fatalf("%+v: %v", m, fe)
	}
	for _, bad := range []Meeting{
		{Date: "2026-02-30", Agenda: "x"},
		{Date: "15/10/2026", Agenda: "x"},
		{Date: "1999-10-15", Agenda: "x"},
		{Date: "2026-10-15", Agenda: ""},
		{Date: "2026-10-15", Agenda: "x", Minutes: strings.Repeat("a", MaxMinutes+1)},
		{Date: "2026-10-15", Agenda: "x", Minutes: "\x1b[31m"},
	} {
		bad.Normalize()
		var fe attesta.FieldErrors
		bad.Validate(&fe)
		if len(fe) != 1 {
			t.Errorf("%+.40v: %v", bad, fe)
		}
	}
}

func TestCheckAttachment(t *testing.T) {
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	for _, c := range []struct {
		name    string
		content []byte
		want    string // the field in error, or the content type
	}{
		{"a.pdf", pdf, PDF},
		{"", pdf, "name"},
		{"a.pdf", nil, "file"},
		{"a.pdf", append(bytes.Clone(pdf), make([]byte, MaxAttachmentSize)...), "file"},
		{"a.pdf", []byte("<html></html>"), "file"},
	} {
		var fe attesta.FieldErrors
		ct := checkAttachment(&fe, c.name, c.content)
		got := ct
		if err := fe.Err(); err != nil {
			if !errors.As(err, &fe) {
				t.Errorf("%s: %q and %v", c.name, ct, err)
			}
			got = fe[0].Field
		}
		if got != c.want {
			t.Errorf("%q (%d bytes): %q, want %q", c.name, len(c.content), got, c.want)
		}
	}
}

func TestObjectAndScope(t *testing.T) {
	tb := Table{ID: "tbl-1", Chamber: "cciaa-torino", Province: "TO", Members: []Member{
		{Org: "itis-avogadro", Kind: auth.School, Province: "TO"},
		{Org: "asti-meccanica", Kind: auth.Company, Province: "AT"},
	}}
	o := tb.Object()
	if o.Kind != auth.TableObject || o.ID != "tbl-1" || len(o.Places) != 3 || o.Places[0] != (auth.Place{Org: "cciaa-torino", Province: "TO"}) {
		t.Fatalf("object %+v", o)
	}
	p := func(org string, role auth.Role, provinces ...string) *auth.Principal {
		return &auth.Principal{Person: "p", Membership: auth.Membership{Org: org, Role: role, Provinces: provinces}}
	}
	for _, c := range []struct {
		p      *auth.Principal
		view   attesta.Code
		manage attesta.Code
	}{
		{p("unioncamere", auth.NationalAdmin), "", ""},
		{p("cciaa-torino", auth.ChamberOperator, "TO", "AT"), "", ""},
		{p("cciaa-milano", auth.ChamberOperator, "MI"), attesta.NotFound, attesta.NotFound},
		{p("itis-avogadro", auth.SchoolReferent, "TO"), "", attesta.Forbidden},
		{p("itis-avogadro", auth.SchoolTutor, "TO"), "", attesta.Forbidden},
		{p("asti-meccanica", auth.CompanyTutor, "AT"), "", attesta.Forbidden},
		{p("ipsia-torino", auth.SchoolReferent, "TO"), attesta.NotFound, attesta.NotFound},
		{p("itis-avogadro", auth.Student, "TO"), attesta.NotFound, attesta.NotFound},
	} {
		for a, want := range map[auth.Action]attesta.Code{auth.TableView: c.view, auth.TableManage: c.manage} {
			err := decide(c.p, a, &tb, "table", tb.ID)
			if a == auth.TableManage && err == nil {
				err = mayManage(c.p, &tb, "table", tb.ID)
			}
			if got := attesta.Code(""); err != nil {
				got = attesta.ErrorCode(err)
				if got != want {
					t.Errorf("%s %s %s: %v, want %q", c.p.Role, c.p.Org, a, err, want)
				}
			} else if want != "" {
				t.Errorf("%s %s %s: allowed, want %q", c.p.Role, c.p.Org, a, want)
			}
		}
	}
	// A Chamber whose territory overlaps sees, but changes only its own.
	other := p("cciaa-asti", auth.ChamberOperator, "AT")
	if err := decide(other, auth.TableView, &tb, "table", tb.ID); err != nil {
		t.Errorf("overlapping Chamber: %v", err)
	}
	if err := mayManage(other, &tb, "table", tb.ID); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("overlapping Chamber manages: %v", err)
	}
	// What a listing reads: every table, or those of the organisation
	// (run by a Chamber, sat at by the others), never by province.
	for _, c := range []struct {
		p    *auth.Principal
		all  bool
		orgs []string
	}{
		{p("unioncamere", auth.NationalAdmin), true, nil},
		{p("cciaa-torino", auth.ChamberOperator, "TO"), false, []string{"cciaa-torino"}},
		{p("itis-avogadro", auth.SchoolTutor, "TO"), false, []string{"itis-avogadro"}},
		{nil, false, nil},
	} {
		r := reach(c.p)
		if r.All() != c.all || !slices.Equal(r.Orgs(), c.orgs) || len(r.Provinces()) != 0 {
			t.Errorf("%v: reach %+v", c.p, r)
		}
	}
}
