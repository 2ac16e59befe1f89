package course_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/credential"
)

// *credential.Service issues the badges of a closed course.
var _ course.Badges = (*credential.Service)(nil)

// aPlan is a 16-hour course for company tutors in two modules and four
// lessons of four hours.
func aPlan() course.Plan {
	return course.Plan{
		Audience: course.CompanyTutors,
		Title:    competence.Text{IT: "Il tutor aziendale nei percorsi di Competenza Certificata", EN: "The company tutor in Competenza Certificata"},
		Modules: []course.Module{
			{Title: competence.Text{IT: "Coprogettazione con la scuola", EN: "Co-design with the school"}, Hours: 8},
			{Title: competence.Text{IT: "La scheda di osservazione"}, Hours: 8},
		},
		Lessons: []course.Lesson{{Day: "2026-02-02", Minutes: 240}, {Day: "2026-02-09", Minutes: 240},
			{Day: "2026-02-16", Minutes: 240}, {Day: "2026-02-23", Minutes: 240}},
	}
}

func TestPlanValidate(t *testing.T) {
	long := strings.Repeat("a", course.MaxTitle+1)
	tests := []struct {
		name   string
		change func(*course.Plan)
		field  string
		key    string
	}{
		{"valid", func(*course.Plan) {}, "", ""},
		{"audience", func(p *course.Plan) { p.Audience = "students" }, "audience", "err.course.audience"},
		{"no title", func(p *course.Plan) { p.Title.IT = "  " }, "title.it", "err.course.text.required"},
		{"long title", func(p *course.Plan) { p.Title.IT = long }, "title.it", "err.course.text.long"},
		{"long english title", func(p *course.Plan) { p.Title.EN = long }, "title.en", "err.course.text.long"},
		{"control in title", func(p *course.Plan) { p.Title.IT = "Corso\x07" }, "title.it", "err.course.text.chars"},
		{"new line in title", func(p *course.Plan) { p.Title.IT = "Corso\nper tutor" }, "title.it", "err.course.text.chars"},
		{"long description", func(p *course.Plan) { p.Description = strings.Repeat("é", course.MaxDescription+1) }, "description", "err.course.text.long"},
		{"no modules", func(p *course.Plan) { p.Modules = nil }, "modules", "err.course.modules.required"},
		{"too many modules", func(p *course.Plan) {
			for len(p.Modules) <= course.MaxModules {
				p.Modules = append(p.Modules, course.Module{Title: competence.Text{IT: "Modulo"}, Hours: 1})
			}
		}, "modules", "err.course.modules.many"},
		{"module without title", func(p *course.Plan) { p.Modules[1].Title.IT = "" }, "modules[1].title.it", "err.course.text.required"},
		{"module of no hours", func(p *course.Plan) { p.Modules[0].Hours = 0 }, "modules[0].hours", "err.course.module.hours"},
		{"module too long", func(p *course.Plan) { p.Modules[0].Hours = course.MaxModuleHours + 1 }, "modules[0].hours", "err.course.module.hours"},
		{"course too long", func(p *course.Plan) {
			p.Modules = []course.Module{{Title: competence.Text{IT: "A"}, Hours: 200}, {Title: competence.Text{IT: "B"}, Hours: 200}, {Title: competence.Text{IT: "C"}, Hours: 200}}
		}, "modules", "err.course.hours.many"},
		{"lesson day", func(p *course.Plan) { p.Lessons[2].Day = "16/02/2026" }, "lessons[2].day", "err.course.lesson.day"},
		{"lesson impossible day", func(p *course.Plan) { p.Lessons[2].Day = "2026-02-30" }, "lessons[2].day", "err.course.lesson.day"},
		{"lessons out of order", func(p *course.Plan) { p.Lessons[1].Day = "2026-01-30" }, "lessons[1].day", "err.course.lesson.order"},
		{"lesson of no minutes", func(p *course.Plan) { p.Lessons[0].Minutes = 0 }, "lessons[0].minutes", "err.course.lesson.minutes"},
		{"lesson too long", func(p *course.Plan) { p.Lessons[0].Minutes = course.MaxLessonMins + 1 }, "lessons[0].minutes", "err.course.lesson.minutes"},
		{"too many lessons", func(p *course.Plan) {
			for len(p.Lessons) <= course.MaxLessons {
				p.Lessons = append(p.Lessons, course.Lesson{Day: "2026-03-01", Minutes: 60})
			}
		}, "lessons", "err.course.lessons.many"},
		{"share over 100", func(p *course.Plan) { p.Rule.MinShare = 101 }, "rule.min_share", "err.course.rule.share"},
		{"negative share", func(p *course.Plan) { p.Rule.MinShare = -5 }, "rule.min_share", "err.course.rule.share"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := aPlan()
			tt.change(&p)
			p.Normalize()
			err := p.Validate()
			if tt.key == "" {
				if err != nil {
					t.Fatalf("valid plan refused: %v", err)
				}
				return
			}
			var fe attesta.FieldErrors
			if attesta.ErrorCode(err) != attesta.Invalid || !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != tt.field || fe[0].Key != tt.key {
				t.Fatalf("got %v, want the one problem %s of %s", err, tt.key, tt.field)
			}
			if fe[0].IT == "" || fe[0].EN == "" || fe[0].IT == fe[0].EN {
				t.Errorf("problem not said in both languages: %+v", fe[0])
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	p := aPlan()
	p.Title.IT = "  Corso  "
	p.Normalize()
	if p.Title.IT != "Corso" || p.Rule.MinShare != course.DefaultMinShare || course.DefaultMinShare != 75 {
		t.Errorf("normalized: %q, share %d", p.Title.IT, p.Rule.MinShare)
	}
	p.Rule.MinShare = 80
	p.Normalize()
	if p.Rule.MinShare != 80 {
		t.Errorf("a Chamber's share was replaced: %d", p.Rule.MinShare)
	}
	if p.Hours() != 16 {
		t.Errorf("hours %d, want 16", p.Hours())
	}
}

// TestCompletes: the rule's share of the course's hours, to the minute.
func TestCompletes(t *testing.T) {
	c := &course.Course{Plan: course.Plan{Rule: course.Rule{MinShare: 75}}, Hours: 16}
	for _, tt := range []struct {
		minutes int
		want    bool
	}{{0, false}, {719, false}, {720, true}, {960, true}} {
		if got := c.Completes(tt.minutes); got != tt.want {
			t.Errorf("%d minutes of 16 hours at 75%%: %t, want %t", tt.minutes, got, tt.want)
		}
	}
	c.Rule.MinShare = 100
	if c.Completes(959) || !c.Completes(960) {
		t.Error("at 100% every minute counts")
	}
	if (&course.Course{Plan: course.Plan{Rule: course.Rule{MinShare: 75}}}).Completes(0) {
		t.Error("a course of no hours completes")
	}
}

func TestAttendedAndOwn(t *testing.T) {
	c := &course.Course{ID: "crs-aaaaaaaaaaaaaaaa", Chamber: "cciaa-torino",
		Participants: []course.Participant{{Person: "p-1"}, {Person: "p-2"}},
		Attendance: []course.Attendance{{Lesson: 1, Person: "p-1", Minutes: 240}, {Lesson: 1, Person: "p-2", Minutes: 120},
			{Lesson: 2, Person: "p-1", Minutes: 200}}}
	if c.Attended("p-1") != 440 || c.Attended("p-2") != 120 || c.Attended("p-3") != 0 {
		t.Errorf("attended: %d %d", c.Attended("p-1"), c.Attended("p-2"))
	}
	own := c.Own("p-2")
	if len(own.Participants) != 1 || own.Participants[0].Person != "p-2" || len(own.Attendance) != 1 || len(c.Participants) != 2 {
		t.Errorf("own part: %+v; the course kept %d participants", own, len(c.Participants))
	}
}

func TestSettingsAndValidity(t *testing.T) {
	closed := time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)
	if !(course.Settings{}).Until(closed).IsZero() {
		t.Error("no period is not forever")
	}
	if got := (course.Settings{ValidityMonths: 24}).Until(closed); !got.Equal(closed.AddDate(2, 0, 0)) {
		t.Errorf("24 months from %s: %s", closed, got)
	}
	for _, m := range []int{-1, course.MaxValidity + 1} {
		s := course.Settings{ValidityMonths: m}
		var fe attesta.FieldErrors
		if err := s.Validate(); !errors.As(err, &fe) || fe[0].Key != "err.course.validity" || fe[0].Field != "tutor_badge_validity" {
			t.Errorf("%d months: %v", m, err)
		}
	}
	b := course.Badge{Credential: "urn:uuid:x", CompletedAt: closed, ValidUntil: closed.AddDate(1, 0, 0)}
	for _, tt := range []struct {
		name string
		b    course.Badge
		at   time.Time
		want bool
	}{
		{"valid", b, closed.AddDate(0, 6, 0), true},
		{"from its completion", b, closed, true},
		{"before its completion", b, closed.Add(-time.Second), false},
		{"expired", b, closed.AddDate(1, 0, 0), false},
		{"forever", course.Badge{Credential: "urn:uuid:x", CompletedAt: closed}, closed.AddDate(30, 0, 0), true},
		{"not issued", course.Badge{CompletedAt: closed}, closed.AddDate(0, 1, 0), false},
		{"revoked", course.Badge{Credential: "urn:uuid:x", CompletedAt: closed, Revoked: true}, closed.AddDate(0, 1, 0), false},
		{"suspended", course.Badge{Credential: "urn:uuid:x", CompletedAt: closed, Suspended: true}, closed.AddDate(0, 1, 0), false},
	} {
		if got := tt.b.ValidAt(tt.at); got != tt.want {
			t.Errorf("%s: %t, want %t", tt.name, got, tt.want)
		}
	}
}

func TestBadgeID(t *testing.T) {
	id := course.BadgeID("crs-aaaaaaaaaaaaaaaa", "p-1")
	if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("not a version 8 UUID URN: %s", id)
	}
	if id != course.BadgeID("crs-aaaaaaaaaaaaaaaa", "p-1") || id == course.BadgeID("crs-aaaaaaaaaaaaaaaa", "p-2") ||
		id == course.BadgeID("crs-bbbbbbbbbbbbbbbb", "p-1") {
		t.Error("the id is not one per course and person")
	}
}

func TestAudienceRoles(t *testing.T) {
	if r := course.CompanyTutors.Roles(); len(r) != 1 || r[0] != auth.CompanyTutor {
		t.Errorf("company tutors: %v", r)
	}
	if r := course.Teachers.Roles(); len(r) != 2 || r[0] != auth.SchoolTutor {
		t.Errorf("teachers: %v", r)
	}
	if course.Audience("students").Valid() || course.Audience("students").Roles() != nil {
		t.Error("an unknown audience is valid")
	}
}

// TestAuthorization: who may see and keep a course of the Turin Chamber,
// across roles and Chambers, participants and not.
func TestAuthorization(t *testing.T) {
	c := &course.Course{ID: "crs-aaaaaaaaaaaaaaaa", Chamber: "cciaa-torino",
		Participants: []course.Participant{{Person: "p-tutor", Role: auth.CompanyTutor, Org: "meccanica-srl"}}}
	who := func(person string, role auth.Role, org string, kind auth.OrgKind, provinces ...string) *auth.Principal {
		return &auth.Principal{Person: person, Name: person, Membership: auth.Membership{Org: org, Role: role, OrgKind: kind, Provinces: provinces}}
	}
	tests := []struct {
		name         string
		p            *auth.Principal
		view, manage attesta.Code // "" allowed
	}{
		{"national body", who("p-admin", auth.NationalAdmin, "unioncamere", auth.National), "", attesta.Forbidden},
		{"own Chamber", who("p-op", auth.ChamberOperator, "cciaa-torino", auth.Chamber, "TO", "AT"), "", ""},
		{"another Chamber", who("p-mi", auth.ChamberOperator, "cciaa-milano", auth.Chamber, "MI"), attesta.NotFound, attesta.NotFound},
		{"a participant", who("p-tutor", auth.CompanyTutor, "meccanica-srl", auth.Company, "TO"), "", attesta.Forbidden},
		{"a colleague not enrolled", who("p-other", auth.CompanyTutor, "meccanica-srl", auth.Company, "TO"), attesta.NotFound, attesta.NotFound},
		{"a teacher not enrolled", who("p-teacher", auth.SchoolTutor, "itis-avogadro", auth.School, "TO"), attesta.NotFound, attesta.NotFound},
		{"a student", who("p-student", auth.Student, "itis-avogadro", auth.School, "TO"), attesta.NotFound, attesta.NotFound},
		{"a commission member of the Chamber", who("p-comm", auth.CommissionMember, "cciaa-torino", auth.Chamber, "TO"), attesta.Forbidden, attesta.Forbidden},
	}
	code := func(err error) attesta.Code {
		if err == nil {
			return ""
		}
		return attesta.ErrorCode(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(auth.Decide(tt.p, auth.CourseView, c.Object(tt.p))); got != tt.view {
				t.Errorf("view: %q, want %q", got, tt.view)
			}
			if got := code(auth.Decide(tt.p, auth.CourseManage, c.Object(tt.p))); got != tt.manage {
				t.Errorf("manage: %q, want %q", got, tt.manage)
			}
		})
	}
	// Out of reach says "course not found", as if it did not exist.
	err := auth.Decide(tests[2].p, auth.CourseView, c.Object(tests[2].p))
	if attesta.ErrorKey(err) != "err.course.notfound" {
		t.Errorf("another Chamber is told %v", err)
	}
	// A read-only token sees, and does not keep.
	ro := who("p-op", auth.ChamberOperator, "cciaa-torino", auth.Chamber, "TO")
	ro.Scopes = []auth.Scope{auth.ScopeRead}
	if auth.Decide(ro, auth.CourseView, c.Object(ro)) != nil || attesta.ErrorCode(auth.Decide(ro, auth.CourseManage, c.Object(ro))) != attesta.Forbidden {
		t.Error("a read-only token of the Chamber")
	}
}
