package storagetest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/people"
)

// ExperiencesSuite runs the training experiences' behaviour tests.
func ExperiencesSuite(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Lifecycle", testExperienceLifecycle},
		{"Refusals", testExperienceRefusals},
		{"Cancel", testExperienceCancel},
		{"WhoSees", testExperienceWhoSees},
		{"Sheets", testObservationSheets},
		{"Dossier", testDossier},
		{"DossierFiles", testDossierFiles},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// experienceWorld is the platform with the bundled standards, a class of
// 2025/26 with three students at ITIS Avogadro (Turin), its tutor, and a
// tutor of Meccanica Torinese; the clock is in March 2026.
type experienceWorld struct {
	*platform
	svc *experience.Service
	// The school's referent and tutor, the company's tutor, the Turin
	// Chamber, the Milan school's referent, a student of the class.
	referent, schoolTutor, companyTutor, chamber, otherSchool, student, classmate *auth.Principal
	class                                                                         *people.Class
	students                                                                      []string
}

func newExperienceWorld(t *testing.T, open Opener) *experienceWorld {
	t.Helper()
	ctx := context.Background()
	p := newPlatform(t, open)
	p.seed(t)
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := competence.NewService(p.db.Standards(), p.clock.Now).Import(ctx, f); err != nil {
		t.Fatal(err)
	}
	w := &experienceWorld{platform: p, svc: experience.NewService(p.db.Experiences(), p.clock.Now, nil)}
	principal := func(person *people.Person, orgID string, role auth.Role) *auth.Principal {
		t.Helper()
		var pr *auth.Principal
		p.db.People().View(ctx, func(r people.Reader) (err error) {
			pr, err = people.Principal(ctx, r, person.ID, orgID, role)
			return err
		})
		if pr == nil {
			t.Fatalf("no principal for %s", person.ID)
		}
		return pr
	}
	member := func(orgID, given, family string, role auth.Role) *auth.Principal {
		t.Helper()
		person, err := p.people.AddMember(ctx, admin, orgID, people.Person{GivenName: given, FamilyName: family,
			Email: strings.ToLower(given) + "@" + orgID + ".example"}, role)
		if err != nil {
			t.Fatal(err)
		}
		return principal(person, orgID, role)
	}
	w.referent = member("itis-avogadro", "Rita", "Referente", auth.SchoolReferent)
	w.schoolTutor = member("itis-avogadro", "Sara", "Tutor", auth.SchoolTutor)
	w.companyTutor = member("meccanica-srl", "Carlo", "Officina", auth.CompanyTutor)
	w.chamber = member("cciaa-torino", "Chiara", "Camera", auth.ChamberOperator)
	w.otherSchool = member("itis-feltrinelli", "Marco", "Milano", auth.SchoolReferent)
	if w.class, err = p.people.CreateClass(ctx, w.referent, people.Class{School: "itis-avogadro", Year: "2025/26", Name: "4A"}); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Anna Bianchi", "Bruno Verdi", "Carla Rossi"} {
		given, family, _ := strings.Cut(name, " ")
		en, err := p.people.Enrol(ctx, w.referent, w.class.ID, people.StudentInput{
			Person:  people.Person{GivenName: given, FamilyName: family},
			Student: people.Student{Number: "M" + string(rune('1'+i))},
		})
		if err != nil {
			t.Fatal(err)
		}
		w.students = append(w.students, en.Person.ID)
	}
	w.student = principal(&people.Person{ID: w.students[0]}, "itis-avogadro", auth.Student)
	w.classmate = principal(&people.Person{ID: w.students[2]}, "itis-avogadro", auth.Student)
	return w
}

// design is a design for the first two students: C1 of the path
// progettazione, 120 hours.
func (w *experienceWorld) design() experience.Design {
	return experience.Design{
		Title: "Progettazione di un attrezzo", Path: "progettazione", Students: slices.Clone(w.students[:2]),
		SchoolTutor: w.schoolTutor.Person, CompanyTutor: w.companyTutor.Person, Start: "2025-10-01", End: "2026-05-29", PlannedHours: 120,
		Competences: []experience.PlannedCompetence{{Code: "C1", Activities: []experience.PlannedActivity{
			{ADA: "ADA.10.02.02", Result: "RA1", Activity: 1, Evidences: []int{1, 3}},
		}}},
	}
}

func (w *experienceWorld) create(t *testing.T, d experience.Design) *experience.Experience {
	t.Helper()
	e, err := w.svc.Create(context.Background(), w.schoolTutor, experience.New{Company: "meccanica-srl", Class: w.class.ID, Sector: "meccatronica", Design: d})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func problem(t *testing.T, err error, code attesta.Code, field, key string) {
	t.Helper()
	if attesta.ErrorCode(err) != code {
		t.Fatalf("got %v (%s), want %s %s", err, attesta.ErrorCode(err), code, key)
	}
	if field == "" {
		if attesta.ErrorKey(err) != key {
			t.Fatalf("got %v (%s), want %s", err, attesta.ErrorKey(err), key)
		}
		return
	}
	var fe attesta.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != field || fe[0].Key != key {
		t.Fatalf("got %v, want the problem %s of field %s", err, key, field)
	}
}

// The whole life of an experience: co-designed and signed off by both
// sides, revised after a sign-off (the signed revision kept), started,
// hours recorded and corrected, closed once every student has hours.
func testExperienceLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newExperienceWorld(t, open)
	e := w.create(t, w.design())
	if e.State != experience.Draft || e.Revision != 1 || e.Version != 1 || e.Year != "2025/26" || e.School != "itis-avogadro" {
		t.Fatalf("created %+v", e)
	}
	// The company changes the draft: no one signed it, so revision 1
	// changes in place.
	d := w.design()
	d.Competences[0].Activities[0].Evidences = []int{1, 2, 3}
	if e, _ = w.svc.Edit(ctx, w.companyTutor, e.ID, 1, d); e == nil || e.Revision != 1 {
		t.Fatalf("edit of the draft: %+v", e)
	}
	// The school signs revision 1 off; the company then wants a change:
	// revision 2, revision 1 kept with the school's sign-off.
	if _, err := w.svc.SignOff(ctx, w.schoolTutor, e.ID, 1); err == nil || attesta.ErrorKey(err) == "" {
		// 120 hours in the year and no exception: refused.
		problem(t, err, attesta.Invalid, "students[0]", "err.experience.hours.year")
	}
	_, err := w.svc.SignOff(ctx, w.schoolTutor, e.ID, 1)
	problem(t, err, attesta.Invalid, "", "err.fields")
	var fe attesta.FieldErrors
	errors.As(err, &fe)
	if len(fe) != 2 || fe[0].Key != "err.experience.hours.year" || !strings.Contains(fe[0].In("it"), "Anna Bianchi") {
		t.Fatalf("hours below 200: %v", err)
	}
	v, _ := w.svc.Get(ctx, w.referent, e.ID)
	if v.Revisions[0].School != nil || v.State != experience.Draft {
		t.Fatalf("a refused sign-off changed something: %+v", v.Revisions[0])
	}
	d.HoursException = "Percorso ridotto: gli studenti completano le ore con un secondo percorso in primavera."
	if e, err = w.svc.Edit(ctx, w.companyTutor, e.ID, 1, d); err != nil {
		t.Fatal(err)
	}
	if e, err = w.svc.SignOff(ctx, w.schoolTutor, e.ID, 1); err != nil || e.State != experience.Draft || e.Agreed != 0 {
		t.Fatalf("school sign-off: %+v %v", e, err)
	}
	_, err = w.svc.SignOff(ctx, w.referent, e.ID, 1)
	problem(t, err, attesta.Conflict, "", "err.experience.signoff.twice")
	d.PlannedHours = 200
	d.HoursException = ""
	if e, err = w.svc.Edit(ctx, w.companyTutor, e.ID, 1, d); err != nil || e.Revision != 2 {
		t.Fatalf("edit after a sign-off: %+v %v", e, err)
	}
	// An editor who saw revision 1 cannot overwrite revision 2.
	_, err = w.svc.Edit(ctx, w.schoolTutor, e.ID, 1, w.design())
	problem(t, err, attesta.Conflict, "", "err.experience.revision.stale")
	for _, p := range []*auth.Principal{w.companyTutor, w.schoolTutor} {
		if e, err = w.svc.SignOff(ctx, p, e.ID, 2); err != nil {
			t.Fatal(err)
		}
	}
	if e.State != experience.CoDesigned || e.Agreed != 2 {
		t.Fatalf("after both sign-offs: %+v", e)
	}
	v, err = w.svc.Get(ctx, w.chamber, e.ID)
	if err != nil || len(v.Revisions) != 2 || v.Revisions[0].School == nil || v.Revisions[0].Company != nil || !v.Revisions[1].Agreed() ||
		v.Revisions[1].School.Digest != v.Revisions[1].Design.Digest() || v.Revisions[0].Design.PlannedHours != 120 {
		t.Fatalf("revisions %+v %v", v, err)
	}
	changes, err := w.svc.Compare(ctx, w.chamber, e.ID, 1, 2)
	if err != nil || len(changes) != 2 || changes[0].Field != "planned_hours" || changes[1].Field != "hours_exception" {
		t.Fatalf("changes %+v %v", changes, err)
	}
	// Hours wait for the start; the Chamber, which may see, does not run it.
	_, err = w.svc.RecordHours(ctx, w.companyTutor, e.ID, experience.HoursInput{Student: w.students[0], Day: "2025-10-06", Minutes: 480})
	problem(t, err, attesta.Conflict, "", "err.experience.state")
	_, err = w.svc.Start(ctx, w.chamber, e.ID, 2)
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	if e, err = w.svc.Start(ctx, w.companyTutor, e.ID, 2); err != nil || e.State != experience.InProgress {
		t.Fatalf("start: %+v %v", e, err)
	}
	first, err := w.svc.RecordHours(ctx, w.companyTutor, e.ID, experience.HoursInput{Student: w.students[0], Day: "2025-10-06", Minutes: 480, Activity: "Disegno CAD"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.RecordHours(ctx, w.schoolTutor, e.ID, experience.HoursInput{Student: w.students[0], Day: "2025-10-06", Minutes: 240})
	problem(t, err, attesta.Conflict, "", "err.experience.hours.twice")
	for _, bad := range []struct {
		in         experience.HoursInput
		field, key string
	}{
		{experience.HoursInput{Student: w.students[2], Day: "2025-10-07", Minutes: 60}, "student", "err.experience.hours.student"},
		{experience.HoursInput{Student: w.students[1], Day: "2025-09-30", Minutes: 60}, "day", "err.experience.hours.outside"},
		{experience.HoursInput{Student: w.students[1], Day: "2026-04-01", Minutes: 60}, "day", "err.experience.hours.future"},
		{experience.HoursInput{Student: w.students[1], Day: "2025-10-07", Weekly: true, Minutes: 60}, "day", "err.experience.hours.monday"},
		{experience.HoursInput{Student: w.students[1], Day: "2025-10-07", Minutes: 25 * 60}, "minutes", "err.experience.hours.minutes"},
	} {
		_, err := w.svc.RecordHours(ctx, w.companyTutor, e.ID, bad.in)
		problem(t, err, attesta.Invalid, bad.field, bad.key)
	}
	// A correction keeps the record it corrects, and who made each.
	w.clock.Advance(time.Hour)
	second, err := w.svc.RecordHours(ctx, w.schoolTutor, e.ID, experience.HoursInput{Student: w.students[0], Day: "2025-10-06", Minutes: 420, Corrects: first.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.RecordHours(ctx, w.companyTutor, e.ID, experience.HoursInput{Student: w.students[0], Day: "2025-10-06", Minutes: 400, Corrects: first.ID})
	problem(t, err, attesta.Conflict, "", "err.experience.hours.superseded")
	// Closing needs hours for every student.
	_, err = w.svc.Close(ctx, w.schoolTutor, e.ID, 2)
	problem(t, err, attesta.Conflict, "", "err.experience.close.hours")
	if !strings.Contains(attesta.MessageIn(err, "it"), "Bruno Verdi") {
		t.Errorf("close refused with %q", attesta.MessageIn(err, "it"))
	}
	if _, err := w.svc.RecordHours(ctx, w.companyTutor, e.ID, experience.HoursInput{Student: w.students[1], Day: "2025-10-06", Weekly: true, Minutes: 2400}); err != nil {
		t.Fatal(err)
	}
	v, _ = w.svc.Get(ctx, w.referent, e.ID)
	if len(v.Attendances) != 3 || !v.Attendances[0].Superseded || v.Attendances[0].By != w.companyTutor.Person ||
		v.Attendances[1].ID != second.ID || v.Attendances[1].Supersedes != first.ID || v.Attendances[1].ByRole != auth.SchoolTutor {
		t.Fatalf("records %+v", v.Attendances)
	}
	if v.Totals[0].Minutes != 420 || v.Totals[1].Minutes != 2400 || v.Totals[0].PlannedHours != 200 || v.Names[w.students[1]] != "Bruno Verdi" {
		t.Fatalf("totals %+v", v.Totals)
	}
	if e, err = w.svc.Close(ctx, w.schoolTutor, e.ID, 2); err != nil || e.State != experience.Closed {
		t.Fatalf("close: %+v %v", e, err)
	}
	_, err = w.svc.Edit(ctx, w.schoolTutor, e.ID, 2, w.design())
	problem(t, err, attesta.Conflict, "", "err.experience.state")
	_, err = w.svc.Cancel(ctx, w.schoolTutor, e.ID, "Non serve più, la classe cambia indirizzo.")
	problem(t, err, attesta.Conflict, "", "err.experience.state")
	// Every change is in the audit trail, with the value before.
	entries, err := w.audit.List(ctx, admin, audit.Filter{ObjectKind: auth.ExperienceObject, ObjectID: e.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action)
		if en.Action == "experience.hours.correct" && (!strings.Contains(string(en.Before), `"minutes":480`) || !strings.Contains(string(en.After), `"minutes":420`)) {
			t.Errorf("correction recorded as %s → %s", en.Before, en.After)
		}
	}
	slices.Sort(actions)
	want := []string{"experience.agreed", "experience.close", "experience.create", "experience.edit", "experience.edit",
		"experience.hours", "experience.hours", "experience.hours.correct", "experience.revise", "experience.sign_off", "experience.sign_off",
		"experience.sign_off", "experience.start"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit trail\n got %v\nwant %v", actions, want)
	}
}

// A design that breaks a rule is refused with its problem and nothing is
// stored; only the two sides design.
func testExperienceRefusals(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newExperienceWorld(t, open)
	d := w.design()
	d.Competences[0].Code = "C2" // of another area
	_, err := w.svc.Create(ctx, w.schoolTutor, experience.New{Company: "meccanica-srl", Class: w.class.ID, Sector: "meccatronica", Design: d})
	problem(t, err, attesta.Invalid, "", "err.fields")
	d = w.design()
	d.Students = append(d.Students, "p-nobody")
	d.CompanyTutor = w.schoolTutor.Person
	_, err = w.svc.Create(ctx, w.schoolTutor, experience.New{Company: "meccanica-srl", Class: w.class.ID, Sector: "meccatronica", Design: d})
	var fe attesta.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 2 || fe[0].Key != "err.experience.student.class" || fe[1].Key != "err.experience.tutor.company" {
		t.Fatalf("refusal: %v", err)
	}
	_, err = w.svc.Create(ctx, w.schoolTutor, experience.New{Company: "itis-feltrinelli", Class: w.class.ID, Sector: "meccatronica", Design: w.design()})
	problem(t, err, attesta.Invalid, "company", "err.experience.company.unknown")
	_, err = w.svc.Create(ctx, w.schoolTutor, experience.New{Company: "meccanica-srl", Class: w.class.ID, Sector: "turismo", Design: w.design()})
	problem(t, err, attesta.Invalid, "sector", "err.experience.standard.unpublished")
	// Another school's referent cannot design for this one; a Chamber
	// does not design.
	_, err = w.svc.Create(ctx, w.otherSchool, experience.New{School: "itis-avogadro", Company: "meccanica-srl", Class: w.class.ID, Sector: "meccatronica", Design: w.design()})
	problem(t, err, attesta.Forbidden, "", "err.experience.side")
	_, err = w.svc.Create(ctx, w.chamber, experience.New{School: "itis-avogadro", Company: "meccanica-srl", Class: w.class.ID, Sector: "meccatronica", Design: w.design()})
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	if list, err := w.svc.List(ctx, admin, experience.Filter{}); err != nil || len(list) != 0 {
		t.Fatalf("refused designs stored: %v %v", list, err)
	}
	// A refused edit changes nothing.
	e := w.create(t, w.design())
	d = w.design()
	d.Competences[0].Activities[0].Evidences = []int{9}
	_, err = w.svc.Edit(ctx, w.companyTutor, e.ID, 1, d)
	problem(t, err, attesta.Invalid, "competences[0].activities[0].evidences[0]", "err.experience.evidence.unknown")
	v, _ := w.svc.Get(ctx, w.referent, e.ID)
	if !slices.Equal(v.Design.Competences[0].Activities[0].Evidences, []int{1, 3}) || len(v.Revisions) != 1 {
		t.Fatalf("a refused edit changed the design: %+v", v.Design)
	}
}

func testExperienceCancel(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newExperienceWorld(t, open)
	e := w.create(t, w.design())
	_, err := w.svc.Cancel(ctx, w.companyTutor, e.ID, "no")
	problem(t, err, attesta.Invalid, "reason", "err.experience.text.short")
	if e, err = w.svc.Cancel(ctx, w.companyTutor, e.ID, "L'azienda ha sospeso l'attività del reparto."); err != nil || e.State != experience.Cancelled {
		t.Fatalf("cancel: %+v %v", e, err)
	}
	v, _ := w.svc.Get(ctx, w.referent, e.ID)
	if v.CancelReason != "L'azienda ha sospeso l'attività del reparto." {
		t.Errorf("reason %q", v.CancelReason)
	}
	_, err = w.svc.SignOff(ctx, w.schoolTutor, e.ID, 1)
	problem(t, err, attesta.Conflict, "", "err.experience.state")
	// A cancelled experience's hours do not count in the year: a new one
	// of 200 hours for the same students signs off.
	d := w.design()
	d.PlannedHours = 200
	e2 := w.create(t, d)
	for _, p := range []*auth.Principal{w.schoolTutor, w.companyTutor} {
		if _, err := w.svc.SignOff(ctx, p, e2.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
}

// The school and the company see their experiences, the Chamber its
// territory's, a student their own (and only their hours); no one else.
func testExperienceWhoSees(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newExperienceWorld(t, open)
	e := w.create(t, w.design())
	for name, p := range map[string]*auth.Principal{"referent": w.referent, "school tutor": w.schoolTutor, "company tutor": w.companyTutor,
		"chamber": w.chamber, "student": w.student, "national": admin} {
		if _, err := w.svc.Get(ctx, p, e.ID); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if list, err := w.svc.List(ctx, p, experience.Filter{}); err != nil || len(list) != 1 {
			t.Errorf("%s lists %d, %v", name, len(list), err)
		}
	}
	commission := &auth.Principal{Person: "p-comm", Name: "Commissario", Membership: auth.Membership{Org: "cciaa-torino", OrgKind: auth.Chamber, Role: auth.CommissionMember, Provinces: []string{"TO", "AT"}}}
	for name, p := range map[string]*auth.Principal{"other school": w.otherSchool, "classmate not in it": w.classmate} {
		_, err := w.svc.Get(ctx, p, e.ID)
		problem(t, err, attesta.NotFound, "", "err.experience.notfound")
		if list, err := w.svc.List(ctx, p, experience.Filter{}); err != nil || len(list) != 0 {
			t.Errorf("%s lists %d, %v", name, len(list), err)
		}
	}
	_, err := w.svc.Get(ctx, commission, e.ID)
	if c := attesta.ErrorCode(err); c != attesta.Forbidden && c != attesta.NotFound {
		t.Errorf("a commission member sees an experience: %v", err)
	}
	_, err = w.svc.Edit(ctx, w.student, e.ID, 1, w.design())
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	_, err = w.svc.RecordHours(ctx, w.referent, e.ID, experience.HoursInput{Student: w.students[0], Day: "2025-10-06", Minutes: 60})
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	if list, err := w.svc.List(ctx, w.chamber, experience.Filter{State: "bogus"}); attesta.ErrorCode(err) != attesta.Invalid {
		t.Errorf("a bad filter: %v %v", list, err)
	}
}

// started creates the world's design with an exception, both sides sign
// it off, and the company starts it.
func (w *experienceWorld) started(t *testing.T) *experience.Experience {
	t.Helper()
	ctx := context.Background()
	d := w.design()
	d.Competences[0].Activities = append(d.Competences[0].Activities, experience.PlannedActivity{ADA: "ADA.10.02.03", Result: "RA2", Activity: 1, Evidences: []int{4}})
	d.HoursException = "Percorso breve concordato con il consiglio di classe."
	e := w.create(t, d)
	for _, p := range []*auth.Principal{w.schoolTutor, w.companyTutor} {
		if _, err := w.svc.SignOff(ctx, p, e.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	e, err := w.svc.Start(ctx, w.companyTutor, e.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The observation sheet: rows from the agreed design; drafts saved by the
// company, "not observed" apart from the lowest level, submitted and
// locked, countersigned by the school, reopened by the Chamber with a
// reason into a new version while the old one stays.
func testObservationSheets(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newExperienceWorld(t, open)
	sheets := observation.NewService(w.db.Sheets(), w.clock.Now)
	e := w.create(t, w.design())
	anna := w.students[0]
	_, err := sheets.Sheet(ctx, w.companyTutor, e.ID, anna)
	problem(t, err, attesta.Conflict, "", "err.observation.notagreed")
	e = w.started(t)
	v, err := sheets.Sheet(ctx, w.companyTutor, e.ID, anna)
	if err != nil {
		t.Fatal(err)
	}
	cur := v.Current()
	if cur.Version != 1 || cur.State != observation.Draft || len(cur.Rows) != 3 || cur.Rows[2].Row.String() != "C1/ADA.10.02.03/RA2/A1/E4" ||
		cur.ID != observation.SheetID(e.ID, anna) || len(v.Scale) != 3 {
		t.Fatalf("blank sheet %+v", v)
	}
	rows := cur.Rows
	// A level not of the scale, a level and "not observed", a period
	// outside the experience: each refused, nothing saved.
	_, err = sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[0].Row, Level: 4}})
	problem(t, err, attesta.Invalid, "rows[0].level", "err.observation.level")
	_, err = sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[0].Row, Level: 1, NotObserved: true}})
	problem(t, err, attesta.Invalid, "rows[0].level", "err.observation.level.both")
	_, err = sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[0].Row, Level: 2, From: "2025-09-01"}})
	problem(t, err, attesta.Invalid, "rows[0].from", "err.observation.period")
	// Only the company fills it.
	_, err = sheets.Save(ctx, w.schoolTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[0].Row, Level: 2}})
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	// Drafts: one row at a time, a blank keeps what was saved.
	if _, err := sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[0].Row, Level: 1, Note: "Legge il disegno con aiuto"}}); err != nil {
		t.Fatal(err)
	}
	sh, err := sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[0].Row, Level: 2}, {Row: rows[1].Row, NotObserved: true}})
	if err != nil {
		t.Fatal(err)
	}
	if sh.Rows[0].Level != 2 || sh.Rows[0].Note != "Legge il disegno con aiuto" || !sh.Rows[1].NotObserved || sh.Rows[1].Level != 0 || sh.Rows[2].Given() {
		t.Fatalf("draft rows %+v", sh.Rows)
	}
	// A student sees nothing before submission.
	_, err = sheets.Sheet(ctx, w.student, e.ID, anna)
	problem(t, err, attesta.NotFound, "", "err.observation.notsubmitted")
	_, err = sheets.Submit(ctx, w.companyTutor, e.ID, anna, 1)
	problem(t, err, attesta.Invalid, "", "err.observation.missing")
	if _, err := sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[2].Row, Level: 3}}); err != nil {
		t.Fatal(err)
	}
	if sh, err = sheets.Submit(ctx, w.companyTutor, e.ID, anna, 1); err != nil || sh.State != observation.Submitted || sh.Submitted.Person != w.companyTutor.Person {
		t.Fatalf("submit: %+v %v", sh, err)
	}
	// Locked: a second edit is refused; the school countersigns.
	_, err = sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[0].Row, Level: 3}})
	problem(t, err, attesta.Conflict, "", "err.observation.locked")
	_, err = sheets.Countersign(ctx, w.companyTutor, e.ID, anna, 1)
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	if sh, err = sheets.Countersign(ctx, w.schoolTutor, e.ID, anna, 1); err != nil || sh.State != observation.Countersigned {
		t.Fatalf("countersign: %+v %v", sh, err)
	}
	if v, err := sheets.Sheet(ctx, w.student, e.ID, anna); err != nil || len(v.Versions) != 1 {
		t.Fatalf("the student's own sheet: %v", err)
	}
	_, err = sheets.Sheet(ctx, w.classmate, e.ID, anna)
	problem(t, err, attesta.NotFound, "", "err.experience.notfound")
	// The Chamber reopens it with a reason: version 2, a draft with the
	// same values; version 1 stays as it was.
	_, err = sheets.Reopen(ctx, w.chamber, e.ID, anna, 1, "no")
	problem(t, err, attesta.Invalid, "reason", "err.experience.text.short")
	_, err = sheets.Reopen(ctx, w.schoolTutor, e.ID, anna, 1, "Il livello della riga 1 è da rivedere.")
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	if sh, err = sheets.Reopen(ctx, w.chamber, e.ID, anna, 1, "Il livello della riga 1 è da rivedere."); err != nil || sh.Version != 2 || sh.State != observation.Draft {
		t.Fatalf("reopen: %+v %v", sh, err)
	}
	_, err = sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, []observation.Observation{{Row: rows[0].Row, Level: 3}})
	problem(t, err, attesta.Conflict, "", "err.observation.stale")
	if _, err := sheets.Save(ctx, w.companyTutor, e.ID, anna, 2, []observation.Observation{{Row: rows[0].Row, Level: 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sheets.Submit(ctx, w.companyTutor, e.ID, anna, 2); err != nil {
		t.Fatal(err)
	}
	v, err = sheets.Sheet(ctx, w.chamber, e.ID, anna)
	if err != nil || len(v.Versions) != 2 || v.Versions[0].Rows[0].Level != 2 || v.Versions[0].State != observation.Countersigned ||
		v.Versions[1].Rows[0].Level != 3 || v.Versions[1].Reason != "Il livello della riga 1 è da rivedere." || v.Versions[1].Reopened.Person != w.chamber.Person {
		t.Fatalf("versions %+v %v", v, err)
	}
	if id, st, err := sheets.ByID(ctx, v.Current().ID); err != nil || id != e.ID || st != anna {
		t.Fatalf("by id: %s %s %v", id, st, err)
	}
	// Every level saved is in the audit trail with the value it replaced.
	entries, err := w.audit.List(ctx, admin, audit.Filter{ObjectKind: auth.ExperienceObject, ObjectID: e.ID, Action: "observation.save"})
	if err != nil || len(entries) != 4 {
		t.Fatalf("saves in the audit trail: %d %v", len(entries), err)
	}
	if before := string(entries[len(entries)-2].Before); !strings.Contains(before, `"level":1`) {
		t.Errorf("the second save's previous value: %s", before)
	}
}

// The dossier: what is missing listed precisely until the experience is
// closed with its hours and a countersigned sheet; returned with a
// message, noted by the school, locked by the Chamber with its lock in the
// transparency log; a locked dossier no longer changes.
func testDossier(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newExperienceWorld(t, open)
	sheets := observation.NewService(w.db.Sheets(), w.clock.Now)
	dossiers := dossier.NewService(w.db.Dossiers(), nil, nil, w.clock.Now)
	e := w.started(t)
	anna, bruno := w.students[0], w.students[1]
	keys := func(v *dossier.View) []string {
		var out []string
		for _, m := range v.Missing {
			out = append(out, m.Key)
		}
		return out
	}
	v, err := dossiers.Get(ctx, w.chamber, e.ID, anna)
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(v); !slices.Equal(got, []string{"err.dossier.missing.closed", "err.dossier.missing.hours", "err.dossier.missing.sheet"}) {
		t.Fatalf("missing %v", got)
	}
	for st, hours := range map[string]int{anna: 120, bruno: 110} {
		if _, err := w.svc.RecordHours(ctx, w.companyTutor, e.ID, experience.HoursInput{Student: st, Day: "2025-10-06", Weekly: true, Minutes: hours * 60}); err != nil {
			t.Fatal(err)
		}
	}
	cur, _ := sheets.Sheet(ctx, w.companyTutor, e.ID, anna)
	var rows []observation.Observation
	for _, r := range cur.Current().Rows {
		rows = append(rows, observation.Observation{Row: r.Row, Level: 2})
	}
	if _, err := sheets.Save(ctx, w.companyTutor, e.ID, anna, 1, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := sheets.Submit(ctx, w.companyTutor, e.ID, anna, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Close(ctx, w.schoolTutor, e.ID, 1); err != nil {
		t.Fatal(err)
	}
	v, _ = dossiers.Get(ctx, w.chamber, e.ID, anna)
	if got := keys(v); !slices.Equal(got, []string{"err.dossier.missing.countersign"}) {
		t.Fatalf("missing %v (%v)", got, v.MissingEN)
	}
	_, err = dossiers.Lock(ctx, w.chamber, e.ID, anna)
	problem(t, err, attesta.Conflict, "", "err.dossier.missing")
	// Returned to the school with a message; the school's notes reopen it.
	_, err = dossiers.Return(ctx, w.chamber, e.ID, anna, "school", "ok")
	problem(t, err, attesta.Invalid, "", "err.fields")
	_, err = dossiers.Return(ctx, w.schoolTutor, e.ID, anna, "school", "Manca la controfirma della scheda.")
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	if v, err = dossiers.Return(ctx, w.chamber, e.ID, anna, "school", "Manca la controfirma della scheda."); err != nil || v.State != dossier.Returned {
		t.Fatalf("return: %+v %v", v, err)
	}
	if _, err := sheets.Countersign(ctx, w.schoolTutor, e.ID, anna, 1); err != nil {
		t.Fatal(err)
	}
	_, err = dossiers.SetNotes(ctx, w.companyTutor, e.ID, anna, "Note dell'azienda", false)
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	if v, err = dossiers.SetNotes(ctx, w.schoolTutor, e.ID, anna, "Percorso ridotto: 100 ore di 200, come da eccezione motivata.", false); err != nil || v.State != dossier.Open {
		t.Fatalf("notes: %+v %v", v, err)
	}
	// A blank is not an erasure.
	if v, err = dossiers.SetNotes(ctx, w.schoolTutor, e.ID, anna, "", false); err != nil || v.Notes == "" {
		t.Fatalf("blank notes: %+v %v", v, err)
	}
	// Nothing missing: the Chamber locks it, and its lock is in the log.
	if v, err = dossiers.Lock(ctx, w.chamber, e.ID, anna); err != nil || v.State != dossier.Locked {
		t.Fatalf("lock: %+v %v", v, err)
	}
	if v.Lock.Digest != dossier.Digest(v.Lock.Document) || v.Document.Notes == "" || v.Document.Sheet.Version != 1 || len(v.Document.Sheet.Rows) != 3 ||
		v.Document.Hours.Minutes != 120*60 || v.Document.LockedBy != w.chamber.Person {
		t.Fatalf("locked %+v", v.Lock)
	}
	entries, err := w.db.Log().Entries(ctx, v.Lock.LogIndex, v.Lock.LogIndex+1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("log entry %d: %v", v.Lock.LogIndex, err)
	}
	le, err := notary.ParseEntry(entries[0])
	if err != nil || le.Kind != notary.Dossier || !le.Matches(v.Document.ID, v.Lock.Document) {
		t.Fatalf("the log entry %+v %v", le, err)
	}
	// Locked: nothing changes it; what it holds stays as it was locked.
	_, err = dossiers.SetNotes(ctx, w.schoolTutor, e.ID, anna, "Altre note", false)
	problem(t, err, attesta.Conflict, "", "err.dossier.locked")
	_, err = dossiers.Return(ctx, w.chamber, e.ID, anna, "company", "Ripensamento della Camera.")
	problem(t, err, attesta.Conflict, "", "err.dossier.locked")
	if again, err := dossiers.Get(ctx, w.student, e.ID, anna); err != nil || again.Lock.Digest != v.Lock.Digest {
		t.Fatalf("the student's own dossier: %v", err)
	}
	_, err = dossiers.Get(ctx, w.classmate, e.ID, anna)
	problem(t, err, attesta.NotFound, "", "err.experience.notfound")
	// Bruno's lacks hours and his sheet, each said.
	if v, _ = dossiers.Get(ctx, w.chamber, e.ID, bruno); !slices.Equal(keys(v), []string{"err.dossier.missing.planned", "err.dossier.missing.sheet"}) ||
		!strings.Contains(v.MissingEN[0], "110 hours recorded of the 120 planned") {
		t.Fatalf("bruno's missing %v %v", keys(v), v.MissingEN)
	}
	entriesAudit, err := w.audit.List(ctx, admin, audit.Filter{ObjectKind: auth.ExperienceObject, ObjectID: e.ID, Action: "dossier.lock"})
	if err != nil || len(entriesAudit) != 1 {
		t.Fatalf("the lock in the audit trail: %v %v", entriesAudit, err)
	}
	_ = bruno
}

// tinyPNG is a 2×2 PNG.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Files in the dossier: attached by the student or a tutor, checked by
// content before anything is kept, linked to the sheet's rows (the
// coverage matrix), removed explicitly, downloaded by whoever may see the
// dossier; all in the audit trail.
func testDossierFiles(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newExperienceWorld(t, open)
	blobs := &blob.Memory{}
	files := artefact.NewService(artefact.Options{Blobs: blobs, Store: w.db.Artefacts(), Clock: w.clock.Now})
	dossiers := dossier.NewService(w.db.Dossiers(), nil, files, w.clock.Now)
	e := w.started(t)
	anna := w.students[0]
	v, _ := dossiers.Get(ctx, w.chamber, e.ID, anna)
	if len(v.Coverage) != 3 {
		t.Fatalf("coverage %+v", v.Coverage)
	}
	rows := []string{v.Coverage[2].Row, v.Coverage[0].Row}
	pic := tinyPNG(t)
	file := func(name string, content []byte) artefact.File {
		return artefact.File{Content: bytes.NewReader(content), Name: name}
	}
	// Refused before anything is kept: a row not of the sheet, an
	// executable named as a picture.
	_, _, err := dossiers.Attach(ctx, w.companyTutor, e.ID, anna, file("foto.png", pic), []string{"C9/ADA.1/RA1/A1/E1"})
	problem(t, err, attesta.Invalid, "rows[0]", "err.observation.row.unknown")
	_, _, err = dossiers.Attach(ctx, w.companyTutor, e.ID, anna, file("foto.png", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 64)...)), rows)
	if attesta.ErrorCode(err) != attesta.Invalid {
		t.Fatalf("an executable: %v", err)
	}
	// Only the student themselves and the tutors attach.
	_, _, err = dossiers.Attach(ctx, w.chamber, e.ID, anna, file("foto.png", pic), rows)
	problem(t, err, attesta.Forbidden, "", "err.auth.forbidden")
	_, _, err = dossiers.Attach(ctx, w.classmate, e.ID, anna, file("foto.png", pic), rows)
	problem(t, err, attesta.NotFound, "", "err.experience.notfound")
	if names := blobs.Names(); len(names) != 0 {
		t.Fatalf("refused files kept: %v", names)
	}
	v, a, err := dossiers.Attach(ctx, w.companyTutor, e.ID, anna, file("../tavola 1.png", pic), rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Artefacts) != 1 || a.Kind == "" || a.Format != "png" || !slices.Equal(v.Artefacts[0].Rows, []string{rows[1], rows[0]}) {
		t.Fatalf("attached %+v", v.Artefacts)
	}
	if !slices.Equal(v.Coverage[0].Artefacts, []string{a.ID}) || len(v.Coverage[1].Artefacts) != 0 || !slices.Equal(v.Coverage[2].Artefacts, []string{a.ID}) {
		t.Fatalf("coverage %+v", v.Coverage)
	}
	if v2, _, err := dossiers.Attach(ctx, w.student, e.ID, anna, file("relazione.png", pic), rows[:1]); err != nil || len(v2.Artefacts) != 2 {
		t.Fatalf("the student's own file: %v", err)
	}
	// Linked to another row; the second file removed.
	if v, err = dossiers.Link(ctx, w.schoolTutor, e.ID, anna, a.ID, []string{v.Coverage[1].Row}); err != nil || !slices.Equal(v.Coverage[1].Artefacts, []string{a.ID}) {
		t.Fatalf("link: %+v %v", v, err)
	}
	second := v.Artefacts[1].ID
	if v, err = dossiers.Detach(ctx, w.companyTutor, e.ID, anna, second); err != nil || len(v.Artefacts) != 1 {
		t.Fatalf("detach: %v", err)
	}
	// Downloaded by those who see the dossier, recorded.
	got, content, err := dossiers.File(ctx, w.chamber, e.ID, anna, a.ID)
	if err != nil || !bytes.Equal(content, pic) || got.SHA256 != a.SHA256 {
		t.Fatalf("download: %v", err)
	}
	_, _, err = dossiers.File(ctx, w.otherSchool, e.ID, anna, a.ID)
	problem(t, err, attesta.NotFound, "", "err.experience.notfound")
	_, _, err = dossiers.File(ctx, w.chamber, e.ID, anna, second)
	problem(t, err, attesta.NotFound, "", "err.artefact.notfound")
	// The document a lock would notarize names the file by digest.
	if v.Document.Artefacts[0].SHA256 != a.SHA256 || v.Document.Artefacts[0].Rows[0] != v.Coverage[1].Row {
		t.Fatalf("document %+v", v.Document.Artefacts)
	}
	entries, err := w.audit.List(ctx, admin, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, en := range entries {
		seen[en.Action]++
	}
	if seen["artefact.upload"] != 2 || seen["artefact.download"] != 1 || seen["dossier.artefact.link"] != 1 || seen["dossier.artefact.remove"] != 1 {
		t.Errorf("audit trail %v", seen)
	}
}
