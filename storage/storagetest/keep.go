package storagetest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/roundtable"
)

// testBlankKeeps: on every write path a blank field leaves the stored
// value as it is: enrolling a known student again, updating an
// organisation, a table or a meeting, importing a file whose column is
// empty. Nothing is written, and nothing is added to the audit trail.
func testBlankKeeps(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	p := w.platform
	trail := func() int {
		t.Helper()
		es, err := p.audit.List(ctx, admin, audit.Filter{Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}

	// A student enrolled with a contact and a guardian's consent…
	class, err := p.people.CreateClass(ctx, admin, people.Class{School: "itis-avogadro", Year: "2026/27", Name: "4A"})
	if err != nil {
		t.Fatal(err)
	}
	in := people.StudentInput{Person: people.Person{GivenName: "Marco", FamilyName: "Rossi"},
		Student: people.Student{Number: "2026-001", Contact: "+39 333 1234567", ConsentBy: "Anna Rossi"}}
	e, err := p.people.Enrol(ctx, admin, class.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	consentAt := e.Student.ConsentAt
	// …enrolled again with the contact and the consent left blank keeps
	// them, and changes nothing of the student.
	p.clock.Advance(time.Hour)
	in.Student.Contact, in.Student.ConsentBy = "", ""
	again, err := p.people.Enrol(ctx, admin, class.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	student := func() people.Student {
		t.Helper()
		pr, err := p.people.Profile(ctx, admin, e.Person.ID)
		if err != nil || pr.Student == nil {
			t.Fatalf("profile: %+v %v", pr, err)
		}
		return *pr.Student
	}
	if st := student(); st.Contact != "+39 333 1234567" || st.ConsentBy != "Anna Rossi" || !st.ConsentAt.Equal(consentAt) ||
		again.Student != st {
		t.Errorf("after enrolling again with blanks: stored %+v, returned %+v", st, again.Student)
	}
	if es, _ := p.audit.List(ctx, admin, audit.Filter{Action: "student.update"}); len(es) != 0 {
		t.Errorf("a blank re-enrolment changed the student's record: %+v", es)
	}

	// An organisation updated without its optional fields keeps them, and
	// updated with only its name keeps everything else.
	co, err := p.orgs.Update(ctx, admin, org.Organisation{ID: "meccanica-srl", Name: "Meccanica Torinese S.r.l.", Province: "TO", TaxCode: "01234567897"})
	if err != nil {
		t.Fatal(err)
	}
	if co.REA != "TO-1234567" || co.ATECO != "28.41" {
		t.Errorf("after an update without rea and ateco: %+v", co)
	}
	co, err = p.orgs.Update(ctx, admin, org.Organisation{ID: "meccanica-srl", Name: "Meccanica Torinese S.p.A."})
	if err != nil {
		t.Fatal(err)
	}
	if co.TaxCode != "01234567897" || co.REA != "TO-1234567" || co.ATECO != "28.41" || co.Province != "TO" || co.Name != "Meccanica Torinese S.p.A." {
		t.Errorf("after an update with blanks: %+v", co)
	}
	if got, _ := p.orgs.Get(ctx, admin, "meccanica-srl"); got.REA != "TO-1234567" || got.ATECO != "28.41" {
		t.Errorf("stored after an update with blanks: %+v", got)
	}
	chamber, err := p.orgs.Update(ctx, admin, org.Organisation{ID: "cciaa-torino", Name: "CCIAA Torino"})
	if err != nil || strings.Join(chamber.Provinces, " ") != "TO AT" || chamber.TaxCode != "80062130010" {
		t.Errorf("a Chamber after an update with blanks: %+v %v", chamber, err)
	}

	// A meeting updated without its minutes keeps them; a table updated
	// with a blank title keeps it.
	tb := w.table(t)
	m, err := w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: tb.ID, Date: "2026-10-15", Agenda: "Avvio", Minutes: "Si approva il calendario."})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: m.ID, Agenda: "Avvio del tavolo"})
	if err != nil {
		t.Fatal(err)
	}
	if m2.Minutes != "Si approva il calendario." || m2.Date != "2026-10-15" || m2.Agenda != "Avvio del tavolo" {
		t.Errorf("a meeting after an update with blanks: %+v", m2)
	}
	tb2, err := w.tables.Update(ctx, w.op, roundtable.Table{ID: tb.ID, Status: roundtable.Closed})
	if err != nil || tb2.Title != tb.Title || tb2.Status != roundtable.Closed {
		t.Errorf("a table after an update with a blank title: %+v %v", tb2, err)
	}

	// An update that changes nothing writes nothing, and records nothing.
	if _, err := w.tables.Update(ctx, w.op, roundtable.Table{ID: tb.ID, Status: roundtable.Active}); err != nil {
		t.Fatal(err)
	}
	n := trail()
	if same, err := p.orgs.Update(ctx, admin, org.Organisation{ID: "meccanica-srl"}); err != nil || !same.UpdatedAt.Equal(co.UpdatedAt) {
		t.Errorf("an empty update of an organisation: %+v %v", same, err)
	}
	if _, err := w.tables.Update(ctx, w.op, roundtable.Table{ID: tb.ID}); err != nil {
		t.Fatal(err)
	}
	if same, err := w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: m.ID}); err != nil || !same.UpdatedAt.Equal(m2.UpdatedAt) {
		t.Errorf("an empty update of a meeting: %+v %v", same, err)
	}
	if trail() != n {
		t.Errorf("updates that change nothing added %d entries to the audit trail", trail()-n)
	}

	// A file with empty columns keeps the stored values.
	imp := importer.NewService(p.db.Imports(), p.clock.Now, nil)
	apply := func(kind importer.Kind, school, text string) importer.Counts {
		t.Helper()
		f, err := importer.Parse(kind, strings.NewReader(text))
		if err != nil {
			t.Fatalf("parsing %s: %v", kind, err)
		}
		res, err := imp.Apply(ctx, admin, kind, school, f, nil)
		if err != nil {
			t.Fatalf("importing %s: %v", kind, err)
		}
		return res.Counts
	}
	n = trail()
	if c := apply(importer.Classes, "itis-avogadro", "anno_scolastico,classe,matricola,cognome,nome,recapito,consenso_di\n2026/27,4A,2026-001,Rossi,Marco,,\n"); c.Unchanged != 1 {
		t.Errorf("a class file with empty contact and consent: %+v", c)
	}
	if c := apply(importer.Companies, "", "codice_fiscale,denominazione,tipo,provincia,rea,ateco,email\n01234567897,Meccanica Torinese S.p.A.,impresa,TO,,,\n"); c.Unchanged != 1 {
		t.Errorf("a companies file with empty rea, ateco and email: %+v", c)
	}
	if st := student(); st.Contact != "+39 333 1234567" || st.ConsentBy != "Anna Rossi" {
		t.Errorf("the student after an import with empty columns: %+v", st)
	}
	if got, _ := p.orgs.Get(ctx, admin, "meccanica-srl"); got.REA != "TO-1234567" || got.ATECO != "28.41" {
		t.Errorf("the company after an import with empty columns: %+v", got)
	}
	if trail() != n {
		t.Errorf("imports that change nothing added %d entries to the audit trail", trail()-n)
	}
}

// testClearRemoves: a removal is explicit — a flag of the student's input,
// a withdrawal of the consent, a field an update names to clear — and the
// audit trail records it with the value removed, where the Chamber of the
// school's province sees it. What cannot be removed, or is both given and
// removed, is refused.
func testClearRemoves(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTablesWorld(t, open)
	p := w.platform
	last := func(t *testing.T, who *auth.Principal, action string) audit.Entry {
		t.Helper()
		es, err := p.audit.List(ctx, who, audit.Filter{Action: action, Limit: 1})
		if err != nil || len(es) != 1 {
			t.Fatalf("the trail's %s: %+v %v", action, es, err)
		}
		return es[0]
	}
	removed := func(t *testing.T, e audit.Entry, value string) {
		t.Helper()
		if !bytes.Contains(e.Before, []byte(value)) || bytes.Contains(e.After, []byte(value)) {
			t.Errorf("the trail's %s does not record the removal of %q:\nbefore %s\nafter  %s", e.Action, value, e.Before, e.After)
		}
	}

	class, err := p.people.CreateClass(ctx, admin, people.Class{School: "itis-avogadro", Year: "2026/27", Name: "4A"})
	if err != nil {
		t.Fatal(err)
	}
	in := people.StudentInput{Person: people.Person{GivenName: "Marco", FamilyName: "Rossi"},
		Student: people.Student{Number: "2026-001", Contact: "+39 333 1234567", ConsentBy: "Anna Rossi"}}
	e, err := p.people.Enrol(ctx, admin, class.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	p.clock.Advance(time.Hour)
	in.Student.Contact, in.Student.ConsentBy = "", ""
	in.Clear = people.StudentClear{Contact: true}
	got, err := p.people.Enrol(ctx, admin, class.ID, in)
	if err != nil || got.Student.Contact != "" || got.Student.ConsentBy != "Anna Rossi" {
		t.Fatalf("the contact removed: %+v %v", got, err)
	}
	removed(t, last(t, w.op, "student.update"), "+39 333 1234567")
	in.Clear = people.StudentClear{Consent: true}
	if got, err = p.people.Enrol(ctx, admin, class.ID, in); err != nil || got.Student.ConsentBy != "" || !got.Student.ConsentAt.IsZero() {
		t.Fatalf("the consent removed: %+v %v", got, err)
	}
	removed(t, last(t, w.op, "student.update"), "Anna Rossi")
	// Given and removed at once; a field no removal may name.
	in.Student.Contact, in.Clear = "+39 333 7654321", people.StudentClear{Contact: true}
	_, err = p.people.Enrol(ctx, admin, class.ID, in)
	fieldKey(t, err, "contact", "err.people.clear.given")
	if _, err := people.ClearOf([]string{people.FieldContact, "number"}); err == nil {
		t.Error("a removal of the student number accepted")
	} else {
		fieldKey(t, err, "clear", "err.people.clear.unknown")
	}
	if c, err := people.ClearOf([]string{people.FieldContact, people.FieldConsentBy}); err != nil || !c.Contact || !c.Consent {
		t.Errorf("ClearOf: %+v %v", c, err)
	}
	// A consent recorded, then withdrawn: the withdrawal keeps who had
	// given it in the trail; withdrawing nothing records nothing.
	if _, err := p.people.RecordConsent(ctx, admin, e.Person.ID, "Carla Rossi"); err != nil {
		t.Fatal(err)
	}
	st, err := p.people.WithdrawConsent(ctx, admin, e.Person.ID)
	if err != nil || st.ConsentBy != "" || !st.ConsentAt.IsZero() {
		t.Fatalf("withdrawn: %+v %v", st, err)
	}
	withdrawal := last(t, w.op, "student.consent.withdraw")
	removed(t, withdrawal, "Carla Rossi")
	if _, err := p.people.WithdrawConsent(ctx, admin, e.Person.ID); err != nil {
		t.Fatal(err)
	}
	if again := last(t, w.op, "student.consent.withdraw"); again.Seq != withdrawal.Seq {
		t.Errorf("withdrawing no consent was recorded: %+v", again)
	}
	_, err = p.people.WithdrawConsent(ctx, w.tutor, e.Person.ID)
	code(t, err, attesta.NotFound)

	// An organisation's optional fields, removed by name.
	co, err := p.orgs.Update(ctx, w.op, org.Organisation{ID: "meccanica-srl"}, "rea", "email")
	if err != nil || co.REA != "" || co.ATECO != "28.41" || co.TaxCode != "01234567897" {
		t.Fatalf("rea removed: %+v %v", co, err)
	}
	removed(t, last(t, w.op, "organisation.update"), "TO-1234567")
	_, err = p.orgs.Update(ctx, w.op, org.Organisation{ID: "meccanica-srl", ATECO: "28.42"}, "ateco")
	fieldKey(t, err, "ateco", "err.org.clear.given")
	_, err = p.orgs.Update(ctx, w.op, org.Organisation{ID: "meccanica-srl"}, "name")
	code(t, err, attesta.Invalid)
	_, err = p.orgs.Update(ctx, w.op, org.Organisation{ID: "meccanica-srl"}, "tax_code")
	fieldKey(t, err, "tax_code", "err.org.taxcode.required")
	if got, _ := p.orgs.Get(ctx, admin, "meccanica-srl"); got.ATECO != "28.41" || got.Name == "" || got.TaxCode == "" {
		t.Errorf("after refused removals: %+v", got)
	}

	// A meeting's minutes, removed by name.
	tb := w.table(t)
	m, err := w.tables.AddMeeting(ctx, w.op, roundtable.Meeting{Table: tb.ID, Date: "2026-10-15", Agenda: "Avvio", Minutes: "Si approva il calendario."})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: m.ID, Minutes: "Altro"}, "minutes")
	fieldKey(t, err, "minutes", "err.roundtable.clear.given")
	_, err = w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: m.ID}, "agenda")
	fieldKey(t, err, "clear", "err.roundtable.clear.unknown")
	m2, err := w.tables.UpdateMeeting(ctx, w.op, roundtable.Meeting{ID: m.ID}, "minutes")
	if err != nil || m2.Minutes != "" || m2.Agenda != "Avvio" || m2.Date != "2026-10-15" {
		t.Fatalf("minutes removed: %+v %v", m2, err)
	}
	removed(t, last(t, w.op, "table.meeting.update"), "Si approva il calendario.")
}
