package experience

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
)

// Every state × action of the state machine: the allowed ones are allowed,
// and every other is a Conflict that names the state and the action.
func TestStateMachine(t *testing.T) {
	want := map[State][]Action{
		Draft:      {Edit, Approve, Cancel},
		CoDesigned: {Edit, Approve, Start, Cancel},
		InProgress: {Edit, Approve, Record, Finish, Cancel},
		Closed:     nil,
		Cancelled:  nil,
	}
	for _, s := range States {
		for _, a := range Actions {
			err := s.Allows(a)
			if slices.Contains(want[s], a) {
				if err != nil {
					t.Errorf("%s refuses %s: %v", s, a, err)
				}
				continue
			}
			if attesta.ErrorCode(err) != attesta.Conflict {
				t.Errorf("%s allows %s (%v), want a Conflict", s, a, err)
				continue
			}
			it, en := attesta.Message{Key: "experience.state." + string(s)}.In("en"), attesta.Message{Key: "experience.action." + string(a)}.In("en")
			if msg := attesta.MessageIn(err, "en"); !strings.Contains(msg, it) || !strings.Contains(msg, en) {
				t.Errorf("%s refusing %s says %q, want the state %q and the action %q", s, a, msg, it, en)
			}
		}
	}
	// Cancelled is reachable from every state before closed, and nothing
	// leaves closed or cancelled.
	for _, s := range []State{Draft, CoDesigned, InProgress} {
		if s.Allows(Cancel) != nil {
			t.Errorf("%s cannot be cancelled", s)
		}
	}
}

func bundled(t *testing.T) *competence.Standard {
	t.Helper()
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	st, ok := f.Standard("meccatronica")
	if !ok {
		t.Fatal("no meccatronica in the bundled standards")
	}
	return st
}

// good is a design that passes: C1 of the path progettazione for a
// technical school, two activities, some of their evidences.
func good() (Design, Context) {
	return Design{
			Title: "Progettazione di un attrezzo", Path: "progettazione", Students: []string{"s1", "s2"},
			SchoolTutor: "st", CompanyTutor: "ct", Start: "2026-10-01", End: "2027-03-31", PlannedHours: 120,
			Competences: []PlannedCompetence{{Code: "C1", Activities: []PlannedActivity{
				{ADA: "ADA.10.02.02", Result: "RA1", Activity: 1, Evidences: []int{1, 3}},
				{ADA: "ADA.10.02.03", Result: "RA2", Activity: 1, Evidences: []int{2}},
			}}},
		}, Context{
			SchoolType: competence.Tecnica, Year: "2026/27", ClassStudents: []string{"s1", "s2", "s3"},
			SchoolTutors: []string{"st", "sr"}, CompanyTutors: []string{"ct"},
		}
}

// Each kind of bad design gets its own precise problem on its own field.
func TestValidate(t *testing.T) {
	st := bundled(t)
	d, c := good()
	c.Standard = st
	var fe attesta.FieldErrors
	if d.Validate(c, &fe); len(fe) > 0 {
		t.Fatalf("the good design: %v", fe)
	}
	if rows := d.Rows(); len(rows) != 3 || rows[0].String() != "C1/ADA.10.02.02/RA1/A1/E1" || rows[2].String() != "C1/ADA.10.02.03/RA2/A1/E2" {
		t.Errorf("rows %v", rows)
	}
	cases := []struct {
		name  string
		edit  func(*Design, *Context)
		field string
		key   string
	}{
		{"competence not in the area", func(d *Design, _ *Context) { d.Competences[0].Code = "C2" }, "competences[0]", "err.experience.competence.path"},
		{"competence not for the school's type", func(d *Design, c *Context) {
			c.SchoolType = competence.Professionale
			d.Competences[0].Code = "C7"
			d.Competences[0].Activities = []PlannedActivity{{ADA: "ADA.10.02.12", Result: "RA1", Activity: 1, Evidences: []int{1}}}
		}, "competences[0]", "err.experience.competence.schooltype"},
		{"competence unknown", func(d *Design, _ *Context) { d.Competences[0].Code = "C99" }, "competences[0]", "err.experience.competence.unknown"},
		{"activity not of the competence", func(d *Design, _ *Context) { d.Competences[0].Activities[1].ADA = "ADA.10.02.12" }, "competences[0].activities[1]", "err.experience.activity.unknown"},
		{"activity out of range", func(d *Design, _ *Context) { d.Competences[0].Activities[0].Activity = 2 }, "competences[0].activities[0]", "err.experience.activity.unknown"},
		{"evidence not of the activity", func(d *Design, _ *Context) { d.Competences[0].Activities[0].Evidences = []int{1, 4} }, "competences[0].activities[0].evidences[1]", "err.experience.evidence.unknown"},
		{"evidence twice", func(d *Design, _ *Context) { d.Competences[0].Activities[0].Evidences = []int{1, 1} }, "competences[0].activities[0].evidences[1]", "err.experience.evidence.twice"},
		{"no evidence", func(d *Design, _ *Context) { d.Competences[0].Activities[0].Evidences = nil }, "competences[0].activities[0]", "err.experience.evidences.required"},
		{"activity twice", func(d *Design, _ *Context) { d.Competences[0].Activities[1] = d.Competences[0].Activities[0] }, "competences[0].activities[1]", "err.experience.activity.twice"},
		{"unknown path", func(d *Design, _ *Context) { d.Path = "nowhere" }, "path", "err.experience.path.unknown"},
		{"no competence", func(d *Design, _ *Context) { d.Competences = nil }, "competences", "err.experience.competences.required"},
		{"student not of the class", func(d *Design, _ *Context) { d.Students = append(d.Students, "x9") }, "students[2]", "err.experience.student.class"},
		{"student twice", func(d *Design, _ *Context) { d.Students = append(d.Students, "s1") }, "students[2]", "err.experience.student.twice"},
		{"company tutor of the school", func(d *Design, _ *Context) { d.CompanyTutor = "st" }, "company_tutor", "err.experience.tutor.company"},
		{"school tutor of the company", func(d *Design, _ *Context) { d.SchoolTutor = "ct" }, "school_tutor", "err.experience.tutor.school"},
		{"end before start", func(d *Design, _ *Context) { d.End = "2026-09-30" }, "end", "err.experience.dates.order"},
		{"outside the school year", func(d *Design, _ *Context) { d.End = "2027-09-15" }, "start", "err.experience.dates.year"},
		{"not a day", func(d *Design, _ *Context) { d.Start = "2026-02-30" }, "start", "err.experience.day.form"},
		{"no hours", func(d *Design, _ *Context) { d.PlannedHours = 0 }, "planned_hours", "err.experience.hours.range"},
		{"a one-word exception", func(d *Design, _ *Context) { d.HoursException = "no" }, "hours_exception", "err.experience.text.short"},
		{"no title", func(d *Design, _ *Context) { d.Title = "" }, "title", "err.experience.text.required"},
		{"control characters", func(d *Design, _ *Context) { d.Title = "a\x07b" }, "title", "err.experience.text.chars"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, c := good()
			c.Standard = st
			tc.edit(&d, &c)
			var fe attesta.FieldErrors
			d.Validate(c, &fe)
			if len(fe) != 1 || fe[0].Field != tc.field || fe[0].Key != tc.key {
				t.Fatalf("problems %+v, want one %s on %s", fe, tc.key, tc.field)
			}
			if msg := fe[0].In("it"); msg == "" || strings.HasPrefix(msg, "err.") {
				t.Errorf("no Italian words for %s: %q", tc.key, msg)
			}
		})
	}
}

// A student's year reaches 200 planned hours across their experiences, or
// the design says why not.
func TestCheckYearHours(t *testing.T) {
	d, _ := good() // 120 hours for s1 and s2
	err := CheckYearHours(&d, YearHours{"s1": 80}, map[string]string{"s2": "Bruno Verdi"})
	var fe attesta.FieldErrors
	if attesta.ErrorCode(err) != attesta.Invalid || !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != "students[1]" {
		t.Fatalf("s2 has 120 hours: %v", err)
	}
	if msg := fe[0].In("it"); !strings.Contains(msg, "Bruno Verdi") || !strings.Contains(msg, "120") || !strings.Contains(msg, "200") {
		t.Errorf("the problem says %q", msg)
	}
	if err := CheckYearHours(&d, YearHours{"s1": 80, "s2": 100}, nil); err != nil {
		t.Errorf("200 and 220 hours: %v", err)
	}
	d.HoursException = "Studente con disabilità: percorso ridotto concordato con la famiglia."
	if err := CheckYearHours(&d, nil, nil); err != nil {
		t.Errorf("with an exception: %v", err)
	}
}

func TestDiff(t *testing.T) {
	a, _ := good()
	b, _ := good()
	if got := Diff(&a, &b); len(got) != 0 {
		t.Fatalf("no change: %v", got)
	}
	b.Students = []string{"s2", "s3"}
	b.PlannedHours = 200
	b.Competences[0].Activities[0].Evidences = []int{1, 2, 3}
	b.Competences[0].Activities = b.Competences[0].Activities[:1]
	b.Competences = append(b.Competences, PlannedCompetence{Code: "C7"})
	got := Diff(&a, &b)
	want := []Change{
		{Field: "planned_hours", Before: "120", After: "200"},
		{Field: "students", Before: "s1"},
		{Field: "students", After: "s3"},
		{Field: "C1.activities", Before: "ADA.10.02.03/RA2/A1"},
		{Field: "C1/ADA.10.02.02/RA1/A1.evidences", Before: "E1 E3", After: "E1 E2 E3"},
		{Field: "competences", After: "C7"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("diff\n got %v\nwant %v", got, want)
	}
	if a.Digest() == b.Digest() || a.Digest() != func() string { c, _ := good(); return c.Digest() }() {
		t.Error("digest does not follow the content")
	}
}
