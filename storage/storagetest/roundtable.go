package storagetest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/roundtable"
)

// TablesSuite runs the territorial tables' behaviour tests.
func TablesSuite(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Roles", testTablesRoles},
		{"Members", testTablesMembers},
		{"Duplicate", testTablesDuplicate},
		{"Update", testTablesUpdate},
		{"Meetings", testTablesMeetings},
		{"Attachments", testTablesAttachments},
		{"Audit", testTablesAudit},
		{"Rollback", testTablesRollback},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// tablesWorld is the platform with the tables' service, a second Chamber,
// more organisations and principals of every kind.
type tablesWorld struct {
	*platform
	store  roundtable.Store
	tables *roundtable.Service
	// The Chamber of Turin (TO, AT) and of Milan (MI).
	op, opMI *auth.Principal
	// Referents of a school at the table (itis-avogadro, TO), of a school of
	// the same province not at it (ipsia-torino) and of a school of
	// another province (itis-feltrinelli, MI).
	member, nonMember, otherProvince *auth.Principal
	// The company tutor of meccanica-srl, and a student of itis-avogadro.
	tutor, student *auth.Principal
}

func newTablesWorld(t *testing.T, open Opener) *tablesWorld {
	t.Helper()
	ctx := context.Background()
	p := newPlatform(t, open)
	tdb, ok := any(p.db).(interface{ RoundTables() roundtable.Store })
	if !ok {
		t.Fatalf("the engine's DB (%T) has no method RoundTables() roundtable.Store", p.db)
	}
	p.seed(t)
	for _, o := range []org.Organisation{
		{ID: "cciaa-milano", Kind: auth.Chamber, Name: "Camera di Commercio di Milano", Province: "MI", Provinces: []string{"MI"}},
		{ID: "ipsia-torino", Kind: auth.School, Name: "IPSIA Torino", Province: "TO", SchoolCode: "TORI01000X", SchoolType: org.Professionale},
		{ID: "unione-industriali", Kind: auth.Association, Name: "Unione Industriali Torino", Province: "TO", TaxCode: "97000000014"},
		{ID: "asti-meccanica", Kind: auth.Company, Name: "Asti Meccanica S.r.l.", Province: "AT", TaxCode: "07654321012"},
		{ID: "milano-srl", Kind: auth.Company, Name: "Milano S.r.l.", Province: "MI", TaxCode: "11223344554"},
	} {
		if _, err := p.orgs.Create(ctx, admin, o); err != nil {
			t.Fatalf("creating %s: %v", o.ID, err)
		}
	}
	principal := func(person, orgID string, role auth.Role, kind auth.OrgKind, provinces ...string) *auth.Principal {
		return &auth.Principal{Person: person, Name: person, Membership: auth.Membership{Org: orgID, OrgKind: kind, Role: role, Provinces: provinces}}
	}
	w := &tablesWorld{platform: p, store: tdb.RoundTables(), tables: roundtable.NewService(tdb.RoundTables(), p.clock.Now, nil),
		op:            principal("p-op", "cciaa-torino", auth.ChamberOperator, auth.Chamber, "TO", "AT"),
		opMI:          principal("p-op-mi", "cciaa-milano", auth.ChamberOperator, auth.Chamber, "MI"),
		member:        principal("p-avogadro", "itis-avogadro", auth.SchoolReferent, auth.School, "TO"),
		nonMember:     principal("p-ipsia", "ipsia-torino", auth.SchoolReferent, auth.School, "TO"),
		otherProvince: principal("p-feltrinelli", "itis-feltrinelli", auth.SchoolReferent, auth.School, "MI"),
		student:       principal("p-student", "itis-avogadro", auth.Student, auth.School, "TO"),
	}
	// The company tutor as sign-in makes them.
	tutor, err := p.people.AddMember(ctx, admin, "meccanica-srl", people.Person{GivenName: "Paolo", FamilyName: "Neri", Email: "paolo@meccanica.example"}, auth.CompanyTutor)
	if err != nil {
		t.Fatal(err)
	}
	p.db.People().View(ctx, func(r people.Reader) (err error) {
		w.tutor, err = people.Principal(ctx, r, tutor.ID, "meccanica-srl", auth.CompanyTutor)
		return err
	})
	if w.tutor == nil {
		t.Fatal("no company tutor")
	}
	return w
}

// table activates the Turin Chamber's mechatronics table of 2026/27 with
// a school, a company and an association at it.
func (w *tablesWorld) table(t *testing.T) *roundtable.Table {
	t.Helper()
	ctx := context.Background()
	tb, err := w.tables.Create(ctx, w.op, roundtable.Table{Sector: "meccatronica", Year: "2026/27", Title: "  Tavolo  Meccatronica Torino "})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"itis-avogadro", "meccanica-srl", "unione-industriali"} {
		if tb, err = w.tables.AddMember(ctx, w.op, tb.ID, o); err != nil {
			t.Fatalf("adding %s: %v", o, err)
		}
	}
	return tb
}

func memberIDs(tb *roundtable.Table) string {
	var ids []string
	for _, m := range tb.Members {
		ids = append(ids, m.Org)
	}
	return strings.Join(ids, " ")
}

func tableIDs(ts []roundtable.Table) []string {
	ids := []string{}
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids
}

func testTablesRoles(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	tb := w.table(t)
	if tb.Chamber != "cciaa-torino" || tb.Province != "TO" || tb.Title != "Tavolo Meccatronica Torino" || tb.Status != roundtable.Active ||
		!tb.CreatedAt.Equal(w.clock.Now()) {
		t.Errorf("created: %+v", tb)
	}
	if got := memberIDs(tb); got != "itis-avogadro meccanica-srl unione-industriali" {
		t.Errorf("members %q", got)
	}
	// The national body activates one for Milan.
	mi, err := w.tables.Create(ctx, admin, roundtable.Table{Chamber: "cciaa-milano", Sector: "turismo", Year: "2026/27", Title: "Tavolo Turismo Milano"})
	if err != nil {
		t.Fatal(err)
	}
	// Nobody else activates tables, nor a Chamber another's.
	_, err = w.tables.Create(ctx, w.member, roundtable.Table{Chamber: "cciaa-torino", Sector: "turismo", Year: "2026/27", Title: "X"})
	code(t, err, attesta.Forbidden)
	_, err = w.tables.Create(ctx, w.opMI, roundtable.Table{Chamber: "cciaa-torino", Sector: "turismo", Year: "2026/27", Title: "X"})
	code(t, err, attesta.Forbidden)
	_, err = w.tables.Create(ctx, admin, roundtable.Table{Chamber: "itis-avogadro", Sector: "turismo", Year: "2026/27", Title: "X"})
	code(t, err, attesta.Invalid)

	// Who sees what.
	for _, c := range []struct {
		name string
		p    *auth.Principal
		want []string
	}{
		{"national", admin, []string{tb.ID, mi.ID}},
		{"own chamber", w.op, []string{tb.ID}},
		{"other chamber", w.opMI, []string{mi.ID}},
		{"member school", w.member, []string{tb.ID}},
		{"school not at the table", w.nonMember, []string{}},
		{"school of another province", w.otherProvince, []string{}},
		{"tutor of a member company", w.tutor, []string{tb.ID}},
	} {
		list, err := w.tables.List(ctx, c.p, roundtable.Filter{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := tableIDs(list)
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s lists %v, want %v", c.name, got, want)
		}
		_, err = w.tables.Get(ctx, c.p, tb.ID)
		if sees := slices.Contains(c.want, tb.ID); sees && err != nil {
			t.Errorf("%s: get: %v", c.name, err)
		} else if !sees && attesta.ErrorCode(err) != attesta.NotFound {
			t.Errorf("%s: get = %v, want not found", c.name, err)
		}
	}
	list, err := w.tables.List(ctx, admin, roundtable.Filter{Sector: "turismo"})
	if err != nil || len(list) != 1 || list[0].ID != mi.ID {
		t.Errorf("filtered by sector: %v %v", tableIDs(list), err)
	}
	v, err := w.tables.Get(ctx, w.tutor, tb.ID)
	if err != nil || len(v.Table.Members) != 3 || v.Table.Members[0].Kind != auth.School || v.Table.Members[0].Name != "ITIS Amedeo Avogadro" {
		t.Fatalf("tutor's view: %+v %v", v, err)
	}
	// A student and a commission member see no tables.
	_, err = w.tables.List(ctx, w.student, roundtable.Filter{})
	code(t, err, attesta.Forbidden)
	_, err = w.tables.Get(ctx, w.student, tb.ID)
	code(t, err, attesta.NotFound)
	cm := &auth.Principal{Person: "p-cm", Membership: auth.Membership{Org: "cciaa-torino", OrgKind: auth.Chamber, Role: auth.CommissionMember, Provinces: []string{"TO", "AT"}}}
	_, err = w.tables.List(ctx, cm, roundtable.Filter{})
	code(t, err, attesta.Forbidden)
	_, err = w.tables.Get(ctx, nil, tb.ID)
	code(t, err, attesta.Unauthenticated)
	// A member sees but does not change.
	_, err = w.tables.Update(ctx, w.member, roundtable.Table{ID: tb.ID, Title: "Mio", Status: roundtable.Active})
	code(t, err, attesta.Forbidden)
	_, err = w.tables.AddMeeting(ctx, w.tutor, roundtable.Meeting{Table: tb.ID, Date: "2026-10-15", Agenda: "Avvio"})
	code(t, err, attesta.Forbidden)
	// Unknown or malformed ids are not found.
	_, err = w.tables.Get(ctx, admin, "tbl-nope")
	code(t, err, attesta.NotFound)
	_, err = w.tables.Get(ctx, admin, "x\x00y")
	code(t, err, attesta.NotFound)
}

func testTablesMembers(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	tb := w.table(t)
	// A company of the Chamber's other province may sit at the table.
	tb, err := w.tables.AddMember(ctx, w.op, tb.ID, "asti-meccanica")
	if err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(tb); got != "asti-meccanica itis-avogadro meccanica-srl unione-industriali" {
		t.Errorf("members %q", got)
	}
	// Not twice.
	_, err = w.tables.AddMember(ctx, w.op, tb.ID, "asti-meccanica")
	code(t, err, attesta.Conflict)
	// Not a school of another province, whoever asks, nor an unknown
	// organisation, in the same words; not a Chamber.
	var msgs []string
	for _, c := range []struct {
		p   *auth.Principal
		org string
	}{{w.op, "itis-feltrinelli"}, {admin, "itis-feltrinelli"}, {w.op, "milano-srl"}, {w.op, "nowhere"}, {w.op, "cciaa-milano"}} {
		_, err := w.tables.AddMember(ctx, c.p, tb.ID, c.org)
		code(t, err, attesta.Invalid)
		var fe attesta.FieldErrors
		if !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != "org" || fe[0].IT == "" {
			t.Fatalf("%s: field errors %v", c.org, err)
		}
		msgs = append(msgs, strings.ReplaceAll(fe[0].EN, c.org, "?"))
	}
	if msgs[0] != msgs[3] {
		t.Errorf("an organisation out of the territory reads otherwise than an unknown one: %q, %q", msgs[0], msgs[3])
	}
	_, err = w.tables.AddMember(ctx, admin, tb.ID, "cciaa-torino")
	code(t, err, attesta.Invalid)
	// The Chamber of Milan does not see the table, so it cannot change it.
	_, err = w.tables.AddMember(ctx, w.opMI, tb.ID, "milano-srl")
	code(t, err, attesta.NotFound)
	v, err := w.tables.Get(ctx, admin, tb.ID)
	if err != nil || len(v.Table.Members) != 4 {
		t.Fatalf("after refused additions: %+v %v", v, err)
	}
	// A school that leaves the table no longer sees it.
	if _, err := w.tables.Get(ctx, w.member, tb.ID); err != nil {
		t.Fatal(err)
	}
	if tb, err = w.tables.RemoveMember(ctx, w.op, tb.ID, "itis-avogadro"); err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(tb); got != "asti-meccanica meccanica-srl unione-industriali" {
		t.Errorf("members %q", got)
	}
	_, err = w.tables.Get(ctx, w.member, tb.ID)
	code(t, err, attesta.NotFound)
	if list, err := w.tables.List(ctx, w.member, roundtable.Filter{}); err != nil || len(list) != 0 {
		t.Errorf("a former member lists %v %v", tableIDs(list), err)
	}
	_, err = w.tables.RemoveMember(ctx, w.op, tb.ID, "itis-avogadro")
	code(t, err, attesta.NotFound)
}

func testTablesDuplicate(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	w.table(t)
	_, err := w.tables.Create(ctx, admin, roundtable.Table{Chamber: "cciaa-torino", Sector: "meccatronica", Year: "2026/27", Title: "Un altro"})
	code(t, err, attesta.Conflict)
	if k := attesta.ErrorKey(err); k != "err.storage.table.taken" {
		t.Errorf("key %s", k)
	}
	// Another year, another sector, another Chamber: all fine.
	for _, in := range []roundtable.Table{
		{Sector: "meccatronica", Year: "2027/28", Title: "Tavolo 2027/28"},
		{Sector: "turismo", Year: "2026/27", Title: "Tavolo Turismo"},
		{Chamber: "cciaa-milano", Sector: "meccatronica", Year: "2026/27", Title: "Tavolo Milano"},
	} {
		p := w.op
		if in.Chamber != "" {
			p = admin
		}
		if _, err := w.tables.Create(ctx, p, in); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
	// Bad input names every field and stores nothing.
	_, err = w.tables.Create(ctx, w.op, roundtable.Table{Sector: "Mecca tronica", Year: "2026/28", Title: " ", Status: "open"})
	code(t, err, attesta.Invalid)
	var fe attesta.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 4 {
		t.Fatalf("field errors: %v", err)
	}
	for _, e := range fe {
		if e.IT == "" || e.EN == "" || e.IT == e.EN {
			t.Errorf("not bilingual: %+v", e)
		}
	}
	if list, _ := w.tables.List(ctx, admin, roundtable.Filter{}); len(list) != 4 {
		t.Errorf("%d tables, want 4", len(list))
	}
}

func testTablesUpdate(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	tb := w.table(t)
	w.clock.Advance(time.Hour)
	// The Chamber, sector and year of a table do not change: an update that
	// names others is refused naming the field, not done without them.
	for _, c := range []struct{ field, chamber, sector, year string }{
		{"chamber", "cciaa-milano", "", ""},
		{"sector", "", "turismo", ""},
		{"year", "", "", "2030/31"},
	} {
		_, err := w.tables.Update(ctx, w.op, roundtable.Table{ID: tb.ID, Title: "Tavolo chiuso", Status: roundtable.Closed, Chamber: c.chamber, Sector: c.sector, Year: c.year})
		code(t, err, attesta.Invalid)
		fieldKey(t, err, c.field, "err.roundtable.fixed")
	}
	if v, _ := w.tables.Get(ctx, admin, tb.ID); v.Table.Status != roundtable.Active {
		t.Fatalf("a refused update was made: %+v", v.Table)
	}
	up, err := w.tables.Update(ctx, w.op, roundtable.Table{ID: tb.ID, Title: "Tavolo chiuso", Status: roundtable.Closed, Chamber: tb.Chamber, Sector: "Meccatronica", Year: tb.Year})
	if err != nil {
		t.Fatal(err)
	}
	if up.Title != "Tavolo chiuso" || up.Status != roundtable.Closed || up.Sector != "meccatronica" || up.Year != "2026/27" ||
		!up.UpdatedAt.Equal(w.clock.Now()) || !up.CreatedAt.Equal(tb.CreatedAt) || len(up.Members) != 3 {
		t.Errorf("updated: %+v", up)
	}
	// A closed table takes no meetings nor members until reopened.
	_, err = w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: tb.ID, Date: "2026-10-15", Agenda: "Avvio"})
	code(t, err, attesta.Conflict)
	_, err = w.tables.AddMember(ctx, w.op, tb.ID, "asti-meccanica")
	code(t, err, attesta.Conflict)
	_, err = w.tables.Update(ctx, w.op, roundtable.Table{ID: tb.ID, Title: "Tavolo chiuso", Status: "paused"})
	code(t, err, attesta.Invalid)
	if _, err := w.tables.Update(ctx, w.op, roundtable.Table{ID: tb.ID, Title: "Tavolo riaperto", Status: roundtable.Active}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: tb.ID, Date: "2026-10-15", Agenda: "Avvio"}); err != nil {
		t.Fatal(err)
	}
	v, _ := w.tables.Get(ctx, w.member, tb.ID)
	if v.Table.Title != "Tavolo riaperto" || v.Table.Status != roundtable.Active {
		t.Errorf("after reopening: %+v", v.Table)
	}
	if list, _ := w.tables.List(ctx, admin, roundtable.Filter{Status: roundtable.Closed}); len(list) != 0 {
		t.Errorf("closed tables: %v", tableIDs(list))
	}
}

func testTablesMeetings(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	tb := w.table(t)
	second, err := w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: tb.ID, Date: "2026-12-01", Agenda: "Co-progettazione delle esperienze"})
	if err != nil {
		t.Fatal(err)
	}
	first, err := w.tables.AddMeeting(ctx, admin, roundtable.Meeting{Table: tb.ID, Date: "2026-10-15", Agenda: "1. Avvio del tavolo\r\n2. Calendario\r\n"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Minutes != "" || first.Agenda != "1. Avvio del tavolo\n2. Calendario" {
		t.Errorf("meeting: %+v", first)
	}
	w.clock.Advance(time.Hour)
	minutes := "Presenti: CCIAA Torino, ITIS Avogadro, Meccanica Torinese.\n\nSi approva il calendario."
	upd, err := w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: first.ID, Date: first.Date, Agenda: first.Agenda, Minutes: minutes})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Minutes != minutes || upd.Table != tb.ID || !upd.UpdatedAt.Equal(w.clock.Now()) || !upd.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("updated meeting: %+v", upd)
	}
	v, err := w.tables.Get(ctx, w.member, tb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Meetings) != 2 || v.Meetings[0].ID != first.ID || v.Meetings[0].Minutes != minutes || v.Meetings[0].Date != "2026-10-15" ||
		v.Meetings[1].ID != second.ID {
		t.Fatalf("meetings: %+v", v.Meetings)
	}
	// Bad input names the fields and changes nothing.
	_, err = w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: first.ID, Date: "2026-02-30", Agenda: strings.Repeat("x", roundtable.MaxAgenda+1), Minutes: "a\x00b"})
	code(t, err, attesta.Invalid)
	var fe attesta.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 3 {
		t.Fatalf("field errors: %v", err)
	}
	_, err = w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: tb.ID, Date: "15/10/2026", Agenda: "x"})
	code(t, err, attesta.Invalid)
	// A meeting does not move to another table: refused, not ignored.
	_, err = w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: first.ID, Table: "tbl-other", Date: first.Date, Agenda: "x", Minutes: minutes})
	code(t, err, attesta.Invalid)
	fieldKey(t, err, "table", "err.roundtable.fixed")
	if v, _ := w.tables.Get(ctx, admin, tb.ID); len(v.Meetings) != 2 || v.Meetings[0].Minutes != minutes {
		t.Errorf("after refused changes: %+v", v.Meetings)
	}
	// Others do not reach the meetings.
	_, err = w.tables.UpdateMeeting(ctx, w.opMI, roundtable.Meeting{ID: first.ID, Date: first.Date, Agenda: "x"})
	code(t, err, attesta.NotFound)
	_, err = w.tables.UpdateMeeting(ctx, w.member, roundtable.Meeting{ID: first.ID, Date: first.Date, Agenda: "x"})
	code(t, err, attesta.Forbidden)
	_, err = w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: "mtg-nope", Date: first.Date, Agenda: "x"})
	code(t, err, attesta.NotFound)
	_, err = w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: "tbl-nope", Date: first.Date, Agenda: "x"})
	code(t, err, attesta.NotFound)
}

// Test files: small, but what they say they are.
var (
	testPDF  = []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
	testPNG  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 32)...)
	testHTML = []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")
)

func testDOCX(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml": `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>`,
	} {
		f, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testTablesAttachments(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	tb := w.table(t)
	m, err := w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: tb.ID, Date: "2026-10-15", Agenda: "Avvio"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.tables.AddAttachment(ctx, w.op, m.ID, `C:\Documenti\verbale 15-10.pdf`, testPDF)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(testPDF)
	if a.Name != "verbale 15-10.pdf" || a.ContentType != roundtable.PDF || a.Size != int64(len(testPDF)) || a.SHA256 != hex.EncodeToString(sum[:]) || a.Meeting != m.ID {
		t.Errorf("attachment: %+v", a)
	}
	// The round trip, for a member of the table.
	got, content, err := w.tables.Attachment(ctx, w.member, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(content, testPDF) || *got != *a {
		t.Errorf("downloaded %+v, %q", got, content)
	}
	if s := sha256.Sum256(content); hex.EncodeToString(s[:]) != got.SHA256 {
		t.Errorf("SHA-256 does not match")
	}
	// Not for others.
	for _, p := range []*auth.Principal{w.nonMember, w.opMI, w.student} {
		_, _, err := w.tables.Attachment(ctx, p, a.ID)
		code(t, err, attesta.NotFound)
	}
	_, _, err = w.tables.Attachment(ctx, admin, "att-nope")
	code(t, err, attesta.NotFound)
	// Recognised by content, not by name.
	docx, err := w.tables.AddAttachment(ctx, admin, m.ID, "programma.bin", testDOCX(t))
	if err != nil || docx.ContentType != roundtable.DOCX {
		t.Fatalf("docx: %+v %v", docx, err)
	}
	if png, err := w.tables.AddAttachment(ctx, w.op, m.ID, "foto.pdf", testPNG); err != nil || png.ContentType != roundtable.PNG {
		t.Fatalf("png: %+v %v", png, err)
	}
	// Refused: the wrong type whatever the name, empty, too big, from a
	// member without the permission.
	big := append(bytes.Clone(testPDF[:9]), make([]byte, roundtable.MaxAttachmentSize)...)
	for name, c := range map[string][]byte{"verbale.pdf": testHTML, "vuoto.pdf": nil, "grande.pdf": big, "archivio.docx": zipOf(t, "a.txt")} {
		_, err := w.tables.AddAttachment(ctx, w.op, m.ID, name, c)
		code(t, err, attesta.Invalid)
		var fe attesta.FieldErrors
		if !errors.As(err, &fe) || fe[0].Field != "file" {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err = w.tables.AddAttachment(ctx, w.op, m.ID, "", testPDF)
	code(t, err, attesta.Invalid)
	_, err = w.tables.AddAttachment(ctx, w.member, m.ID, "verbale.pdf", testPDF)
	code(t, err, attesta.Forbidden)
	v, err := w.tables.Get(ctx, w.tutor, tb.ID)
	if err != nil || len(v.Meetings) != 1 || len(v.Meetings[0].Attachments) != 3 || v.Meetings[0].Attachments[0].ID != a.ID {
		t.Fatalf("view after refusals: %+v %v", v, err)
	}
	// At most MaxAttachments per meeting.
	for i := 3; i < roundtable.MaxAttachments; i++ {
		if _, err := w.tables.AddAttachment(ctx, w.op, m.ID, "allegato.pdf", testPDF); err != nil {
			t.Fatal(err)
		}
	}
	_, err = w.tables.AddAttachment(ctx, w.op, m.ID, "uno di troppo.pdf", testPDF)
	code(t, err, attesta.Conflict)
}

func zipOf(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, n := range names {
		f, _ := z.Create(n)
		f.Write([]byte("x"))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func testTablesAudit(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	tb := w.table(t)
	m, err := w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: tb.ID, Date: "2026-10-15", Agenda: "Avvio"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: m.ID, Date: m.Date, Agenda: m.Agenda, Minutes: "Verbale"}); err != nil {
		t.Fatal(err)
	}
	secret := append(bytes.Clone(testPDF), []byte("% riservato: 0123456789abcdef\n%%EOF\n")...)
	a, err := w.tables.AddAttachment(ctx, w.op, m.ID, "verbale.pdf", secret)
	if err != nil {
		t.Fatal(err)
	}
	// Refused changes leave no entry.
	if _, err := w.tables.AddAttachment(ctx, w.op, m.ID, "x.pdf", testHTML); err == nil {
		t.Fatal("an HTML file attached")
	}
	if _, err := w.tables.AddMember(ctx, w.op, tb.ID, "itis-feltrinelli"); err == nil {
		t.Fatal("a school of another province added")
	}
	if _, err := w.tables.RemoveMember(ctx, w.op, tb.ID, "unione-industriali"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.tables.Update(ctx, w.op, roundtable.Table{ID: tb.ID, Title: "Tavolo chiuso", Status: roundtable.Closed}); err != nil {
		t.Fatal(err)
	}

	entries, err := w.audit.List(ctx, w.op, audit.Filter{ObjectKind: auth.TableObject, ObjectID: tb.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Org != "cciaa-torino" || e.Province != "TO" || e.Actor != "p-op" {
			t.Errorf("entry %s: %+v", e.Action, e)
		}
	}
	slices.Reverse(actions)
	want := "table.create table.member.add table.member.add table.member.add table.meeting.add table.meeting.update table.attachment.add table.member.remove table.update"
	if strings.Join(actions, " ") != want {
		t.Fatalf("actions:\n%s\nwant\n%s", strings.Join(actions, " "), want)
	}
	for _, e := range entries {
		switch e.Action {
		case "table.attachment.add":
			if !bytes.Contains(e.After, []byte(a.SHA256)) || !bytes.Contains(e.After, []byte(`"verbale.pdf"`)) ||
				bytes.Contains(e.After, []byte("riservato")) || bytes.Contains(e.After, []byte("JVBERi0")) {
				t.Errorf("attachment entry: %s", e.After)
			}
		case "table.meeting.update":
			if !bytes.Contains(e.After, []byte(`"Verbale"`)) || bytes.Contains(e.Before, []byte(`"Verbale"`)) {
				t.Errorf("meeting entry: %s → %s", e.Before, e.After)
			}
		case "table.update":
			if !bytes.Contains(e.Before, []byte(`"active"`)) || !bytes.Contains(e.After, []byte(`"closed"`)) {
				t.Errorf("update entry: %s → %s", e.Before, e.After)
			}
		case "table.member.remove":
			if !bytes.Contains(e.Before, []byte("unione-industriali")) || e.After != nil {
				t.Errorf("removal entry: %s → %s", e.Before, e.After)
			}
		}
	}
	// The Chamber of Milan sees none of it.
	if es, _ := w.audit.List(ctx, w.opMI, audit.Filter{ObjectID: tb.ID}); len(es) != 0 {
		t.Errorf("another Chamber sees %d entries", len(es))
	}
}

func testTablesRollback(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	before, _ := w.audit.List(ctx, admin, audit.Filter{})
	boom := errors.New("boom")
	tb := roundtable.Table{ID: "tbl-rollback", Chamber: "cciaa-torino", Province: "TO", Sector: "meccatronica", Year: "2026/27", Title: "X",
		Status: roundtable.Active, CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now()}
	err := w.store.Update(ctx, func(tw roundtable.Writer) error {
		if err := tw.InsertTable(ctx, &tb); err != nil {
			return err
		}
		if err := tw.AddTableMember(ctx, tb.ID, "itis-avogadro", w.clock.Now()); err != nil {
			return err
		}
		m := roundtable.Meeting{ID: "mtg-rollback", Table: tb.ID, Date: "2026-10-15", Agenda: "x", CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now()}
		if err := tw.InsertTableMeeting(ctx, &m); err != nil {
			return err
		}
		a := roundtable.Attachment{ID: "att-rollback", Meeting: m.ID, Name: "a.pdf", ContentType: roundtable.PDF, Size: int64(len(testPDF)), SHA256: "00", CreatedAt: w.clock.Now()}
		if err := tw.InsertTableAttachment(ctx, &a, testPDF); err != nil {
			return err
		}
		if err := audit.Record(ctx, tw, admin, w.clock.Now(), "table.create", tb.Object(), nil, tb); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	_, err = w.tables.Get(ctx, admin, tb.ID)
	code(t, err, attesta.NotFound)
	_, _, err = w.tables.Attachment(ctx, admin, "att-rollback")
	code(t, err, attesta.NotFound)
	after, _ := w.audit.List(ctx, admin, audit.Filter{})
	if len(after) != len(before) {
		t.Errorf("audit entries %d → %d after a rollback", len(before), len(after))
	}
	// The store's own guards: a table of an unknown Chamber, a member or
	// meeting of an unknown table.
	err = w.store.Update(ctx, func(tw roundtable.Writer) error {
		bad := tb
		bad.Chamber = "nowhere"
		return tw.InsertTable(ctx, &bad)
	})
	code(t, err, attesta.NotFound)
	err = w.store.Update(ctx, func(tw roundtable.Writer) error {
		return tw.AddTableMember(ctx, "tbl-nope", "itis-avogadro", w.clock.Now())
	})
	code(t, err, attesta.NotFound)
	err = w.store.Update(ctx, func(tw roundtable.Writer) error {
		return tw.InsertTableMeeting(ctx, &roundtable.Meeting{ID: "mtg-x", Table: "tbl-nope", Date: "2026-10-15", CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now()})
	})
	code(t, err, attesta.NotFound)
}
