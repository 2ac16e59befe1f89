// Package course is the training of the programme's tutors: the courses a
// Chamber of Commerce runs for company tutors ("Corso formazione tutor
// aziendali") and for teachers, the school tutors ("Corso formazione
// docenti"), and the tutor badge their completion earns (the seed counts
// 613 of them).
//
// # A course
//
// A [Course] is kept by one Chamber. It says whom it is for ([Audience]),
// its title and programme (modules with their hours, which add up to the
// course's hours), the lessons (a day and a duration each, which add up
// to the same hours), the people taking it (each in the role they take it
// for) and how many minutes of each lesson each of them attended. Its
// [Rule] says the share of the hours one must attend to complete it: 75 %
// unless the Chamber says otherwise (the seed gives no figure).
//
// A course is planned, then running, then closed; a course that will not
// take place is cancelled. Its programme and lessons change only while it
// is planned; attendance is recorded only while it runs. Closing it
// decides, for each participant, whether they completed it, with the
// minutes they attended; each completer is issued a tutor badge (package
// credential, through [Badges]). Closing again issues the badges that
// could not be issued the first time, and only those.
//
// # The tutor badge's validity
//
// A completion is valid for the period the Chamber's [Settings] say, from
// the day the course closed, fixed when it closes (a later change of the
// setting does not reach badges already issued); no period means forever.
// A Chamber may also require a valid tutor badge of the company tutor of a
// new experience: [Service.CheckTutor] is the check the experience's
// co-design asks.
package course

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
)

// Audience is whom a course is for.
type Audience string

// The audiences.
const (
	CompanyTutors Audience = "company_tutors" // the host companies' tutors
	Teachers      Audience = "teachers"       // the schools' teachers, who tutor the students
)

// Audiences lists them.
var Audiences = []Audience{CompanyTutors, Teachers}

// Valid reports whether a is one of Audiences.
func (a Audience) Valid() bool { return slices.Contains(Audiences, a) }

// Words names the audience, as a message argument.
func (a Audience) Words() attesta.Message { return attesta.M("course.audience." + string(a)) }

// Roles are the roles one takes a course for this audience in: a company
// tutor's for company tutors; a school tutor's or a school referent's for
// teachers.
func (a Audience) Roles() []auth.Role {
	switch a {
	case CompanyTutors:
		return []auth.Role{auth.CompanyTutor}
	case Teachers:
		return []auth.Role{auth.SchoolTutor, auth.SchoolReferent}
	}
	return nil
}

// State is where a course is.
type State string

// The states.
const (
	Planned   State = "planned"   // being prepared: programme, lessons and participants change
	Running   State = "running"   // under way: attendance is recorded
	Closed    State = "closed"    // over: completions decided, badges issued
	Cancelled State = "cancelled" // will not take place
)

// States lists them.
var States = []State{Planned, Running, Closed, Cancelled}

// Words names the state, as a message argument.
func (s State) Words() attesta.Message { return attesta.M("course.state." + string(s)) }

// Outcome is what a closed course says of a participant.
type Outcome string

// The outcomes; "" while the course is not closed.
const (
	Completed    Outcome = "completed"     // attended at least the rule's share of the hours
	NotCompleted Outcome = "not_completed" // attended less
)

// Module is a part of a course's programme.
type Module struct {
	Title competence.Text `json:"title"`
	Hours int             `json:"hours"`
}

// Lesson is a day of a course and how long it lasts, in minutes.
type Lesson struct {
	Day     string `json:"day"` // 2026-03-14
	Minutes int    `json:"minutes"`
}

// Rule is how a participant completes a course: by attending at least
// MinShare per cent of its hours.
type Rule struct {
	MinShare int `json:"min_share"`
}

// DefaultMinShare is the share of hours a course asks when its Chamber
// does not say: the seed gives no figure, and three quarters is the usual
// attendance asked of Italian training courses.
const DefaultMinShare = 75

// Plan is what a Chamber says of a course before it starts: all of it but
// its participants and attendance.
type Plan struct {
	Audience    Audience        `json:"audience"`
	Title       competence.Text `json:"title"`
	Description string          `json:"description,omitempty"`
	Modules     []Module        `json:"modules"`
	Lessons     []Lesson        `json:"lessons"`
	Rule        Rule            `json:"rule"`
}

// Participant is a person taking a course, in the role they take it for,
// and, once it is closed, its outcome for them.
type Participant struct {
	Person string    `json:"person"`
	Name   string    `json:"name"`
	Role   auth.Role `json:"role"`
	// Org is the organisation in which they hold Role (their company, or
	// their school).
	Org string `json:"org"`
	// Outcome, Minutes (attended, in all), CompletedAt and ValidUntil
	// (zero: forever) are set when the course closes.
	Outcome     Outcome   `json:"outcome,omitempty"`
	Minutes     int       `json:"minutes"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	ValidUntil  time.Time `json:"valid_until,omitzero"`
	// Credential is the id of their tutor badge, once issued.
	Credential string    `json:"credential,omitempty"`
	IssuedAt   time.Time `json:"issued_at,omitzero"`
}

// Attendance is the minutes a participant attended a lesson (numbered
// from 1, in the order of the course's lessons).
type Attendance struct {
	Lesson  int    `json:"lesson"`
	Person  string `json:"person"`
	Minutes int    `json:"minutes"`
}

// Course is a training course kept by a Chamber.
type Course struct {
	ID      string `json:"id"`
	Chamber string `json:"chamber"`
	Plan
	// Hours are the course's hours: its modules' hours added up.
	Hours        int           `json:"hours"`
	State        State         `json:"state"`
	Participants []Participant `json:"participants"`
	Attendance   []Attendance  `json:"attendance"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	ClosedAt     time.Time     `json:"closed_at,omitzero"`
}

// Object describes the course for authorization and the audit trail: it
// belongs to its Chamber; p, when a participant, reaches it as theirs.
func (c *Course) Object(p *auth.Principal) auth.Object {
	o := auth.Object{Kind: auth.CourseObject, ID: c.ID, Places: []auth.Place{{Org: c.Chamber}}}
	if p != nil && c.participant(p.Person) >= 0 {
		o.Person = p.Person
	}
	return o
}

// participant returns the index of person among the participants, or -1.
func (c *Course) participant(person string) int {
	return slices.IndexFunc(c.Participants, func(pt Participant) bool { return pt.Person == person })
}

// Attended returns the minutes person attended, in all.
func (c *Course) Attended(person string) int {
	n := 0
	for _, a := range c.Attendance {
		if a.Person == person {
			n += a.Minutes
		}
	}
	return n
}

// Completes reports whether attending minutes of c completes it: at least
// the rule's share of its hours.
func (c *Course) Completes(minutes int) bool {
	// minutes/(hours·60) ≥ share/100, in integers.
	return c.Hours > 0 && minutes*100 >= c.Rule.MinShare*c.Hours*60
}

// Own returns c as participant person may see it: their participation and
// attendance only.
func (c *Course) Own(person string) *Course {
	out := *c
	out.Participants = slices.DeleteFunc(slices.Clone(c.Participants), func(pt Participant) bool { return pt.Person != person })
	out.Attendance = slices.DeleteFunc(slices.Clone(c.Attendance), func(a Attendance) bool { return a.Person != person })
	return &out
}

// Limits.
const (
	MaxTitle        = 200
	MaxDescription  = 5000
	MaxModules      = 50
	MaxModuleHours  = 200
	MaxHours        = 500 // a course's hours
	MaxLessons      = 100
	MaxLessonMins   = 10 * 60
	MaxParticipants = 500
	MaxValidity     = 120 // months of a badge's validity
)

var idPattern = regexp.MustCompile(`^crs-[a-z2-7]{16}$`)

// ValidID reports whether id is written as a course's id.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// text checks a free text of at most max characters, required when min
// is 1.
func text(fe *attesta.FieldErrors, field, v string, min, max int, lines bool) {
	switch n := utf8.RuneCountInString(v); {
	case n < min:
		fe.Problem(field, "err.course.text.required")
	case n > max:
		fe.Problem(field, "err.course.text.long", max)
	case !utf8.ValidString(v) || strings.IndexFunc(v, func(r rune) bool {
		return r < ' ' && (!lines || r != '\n' && r != '\r') || r == 0x7f
	}) >= 0:
		fe.Problem(field, "err.course.text.chars")
	}
}

// Normalize trims the plan's texts and gives it the default rule.
func (p *Plan) Normalize() {
	p.Title.IT, p.Title.EN = strings.TrimSpace(p.Title.IT), strings.TrimSpace(p.Title.EN)
	p.Description = strings.TrimSpace(p.Description)
	for i := range p.Modules {
		m := &p.Modules[i]
		m.Title.IT, m.Title.EN = strings.TrimSpace(m.Title.IT), strings.TrimSpace(m.Title.EN)
	}
	for i := range p.Lessons {
		p.Lessons[i].Day = strings.TrimSpace(p.Lessons[i].Day)
	}
	if p.Rule.MinShare == 0 {
		p.Rule.MinShare = DefaultMinShare
	}
}

// Hours returns the programme's hours: its modules' added up.
func (p *Plan) Hours() int {
	n := 0
	for _, m := range p.Modules {
		n += m.Hours
	}
	return n
}

// Validate checks a normalized plan; each problem names its field.
func (p *Plan) Validate() error {
	var fe attesta.FieldErrors
	if !p.Audience.Valid() {
		fe.Problem("audience", "err.course.audience", p.Audience)
	}
	text(&fe, "title.it", p.Title.IT, 1, MaxTitle, false)
	text(&fe, "title.en", p.Title.EN, 0, MaxTitle, false)
	text(&fe, "description", p.Description, 0, MaxDescription, true)
	switch {
	case len(p.Modules) == 0:
		fe.Problem("modules", "err.course.modules.required")
	case len(p.Modules) > MaxModules:
		fe.Problem("modules", "err.course.modules.many", MaxModules)
	}
	for i, m := range p.Modules {
		if i >= MaxModules {
			break
		}
		at := fmt.Sprintf("modules[%d]", i)
		text(&fe, at+".title.it", m.Title.IT, 1, MaxTitle, false)
		text(&fe, at+".title.en", m.Title.EN, 0, MaxTitle, false)
		if m.Hours < 1 || m.Hours > MaxModuleHours {
			fe.Problem(at+".hours", "err.course.module.hours", 1, MaxModuleHours)
		}
	}
	if h := p.Hours(); len(p.Modules) <= MaxModules && h > MaxHours {
		fe.Problem("modules", "err.course.hours.many", h, MaxHours)
	}
	if len(p.Lessons) > MaxLessons {
		fe.Problem("lessons", "err.course.lessons.many", MaxLessons)
	}
	prev := "" // the last day read
	for i, l := range p.Lessons {
		if i >= MaxLessons {
			break
		}
		at := fmt.Sprintf("lessons[%d]", i)
		d, err := time.Parse(time.DateOnly, l.Day)
		switch {
		case err != nil || d.Format(time.DateOnly) != l.Day:
			fe.Problem(at+".day", "err.course.lesson.day", l.Day)
		case l.Day < prev:
			fe.Problem(at+".day", "err.course.lesson.order", l.Day, prev)
		default:
			prev = l.Day
		}
		if l.Minutes < 1 || l.Minutes > MaxLessonMins {
			fe.Problem(at+".minutes", "err.course.lesson.minutes", 1, MaxLessonMins)
		}
	}
	if p.Rule.MinShare < 1 || p.Rule.MinShare > 100 {
		fe.Problem("rule.min_share", "err.course.rule.share", p.Rule.MinShare)
	}
	return fe.Err()
}

// ready says why a planned course may not start yet, or nil: it needs
// lessons whose minutes are its hours, and participants.
func (c *Course) ready() error {
	var fe attesta.FieldErrors
	minutes := 0
	for _, l := range c.Lessons {
		minutes += l.Minutes
	}
	if len(c.Lessons) == 0 {
		fe.Problem("lessons", "err.course.lessons.required")
	} else if minutes != c.Hours*60 {
		fe.Problem("lessons", "err.course.lessons.hours", hours(minutes), c.Hours)
	}
	if len(c.Participants) == 0 {
		fe.Problem("participants", "err.course.participants.required")
	}
	if len(fe) > 0 {
		return fe.WithCode(attesta.Conflict)
	}
	return nil
}

// hours says minutes as hours, as a message argument: "16", "7,5" in
// Italian, "7.5" in English.
type hours int

// In returns the hours in lang.
func (m hours) In(lang string) string {
	s := fmt.Sprintf("%d", int(m)/60)
	if r := int(m) % 60; r != 0 {
		s = strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", float64(m)/60), "0"), ".")
	}
	if lang == "it" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Settings are a Chamber's settings of the tutor badge.
type Settings struct {
	Chamber string `json:"chamber"`
	// RequireTutorBadge: the company tutor of a new experience in the
	// Chamber's territory must hold a valid tutor badge.
	RequireTutorBadge bool `json:"require_tutor_badge"`
	// ValidityMonths is how long a completion of the Chamber's courses is
	// valid, from the day the course closed; 0: forever.
	ValidityMonths int       `json:"tutor_badge_validity"`
	UpdatedAt      time.Time `json:"updated_at,omitzero"`
}

// Validate checks the settings.
func (s *Settings) Validate() error {
	var fe attesta.FieldErrors
	if s.ValidityMonths < 0 || s.ValidityMonths > MaxValidity {
		fe.Problem("tutor_badge_validity", "err.course.validity", 0, MaxValidity)
	}
	return fe.Err()
}

// Until is when a completion on at ends under s: zero for forever.
func (s Settings) Until(at time.Time) time.Time {
	if s.ValidityMonths == 0 {
		return time.Time{}
	}
	return at.AddDate(0, s.ValidityMonths, 0)
}

// Badge is a tutor badge held: the completion of a closed course, with the
// state of its credential.
type Badge struct {
	Course      string    `json:"course"`
	Chamber     string    `json:"chamber"`
	Person      string    `json:"person"`
	Credential  string    `json:"credential"`
	CompletedAt time.Time `json:"completed_at"`
	ValidUntil  time.Time `json:"valid_until,omitzero"`
	Revoked     bool      `json:"revoked"`
	Suspended   bool      `json:"suspended"`
}

// ValidAt reports whether the badge is valid at t: issued, not revoked
// nor suspended, completed by t and not expired.
func (b Badge) ValidAt(t time.Time) bool {
	return b.Credential != "" && !b.Revoked && !b.Suspended && !t.Before(b.CompletedAt) &&
		(b.ValidUntil.IsZero() || t.Before(b.ValidUntil))
}

// BadgeID is the id of the tutor badge of person for course: fixed, so
// that an issuance retried after a failure is refused as a duplicate
// rather than issued twice. It is an RFC 9562 version 8 UUID made of the
// SHA-256 of the course and the person.
func BadgeID(course, person string) string {
	sum := sha256.Sum256([]byte("tutor-badge\x00" + course + "\x00" + person))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
