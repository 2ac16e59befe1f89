// Package experience is the school–company training experience ("percorso
// FSL/PCTO") of the certification process, steps 3 and 4: co-designed
// against the national standard before it starts, signed off by both
// sides, then lived, with the hours recorded per student.
//
// # The design and its revisions
//
// A school and a host company design an experience for some students of a
// class: the standard's version, pinned for the experience's life; the path
// (area); the competences targeted, each with the activities chosen from the
// standard and the evidences that will be observed; the planned hours; the
// dates; the school tutor and the company tutor. The design is kept as
// numbered revisions. A revision that either side has signed off is frozen:
// a change after that is a new revision, which both sides sign off again.
// Every revision is kept and can be compared with another.
//
// The rows of the standard a design names are addressed by position in the
// pinned version ([EvidenceRef]): a published version never changes, so a
// position names the same row for ever, and the observation sheet and the
// badge can point back to it.
//
// # The states
//
//	draft ──(both sides sign off)──▶ co-designed ──(start)──▶ in progress ──(close)──▶ closed
//	  │                                  │                         │
//	  └───────────────(cancel, with a reason)──────────────────────┴──▶ cancelled
//
// [State.Allows] is the one place that says which action each state allows;
// an action a state does not allow is an error with code attesta.Conflict
// that names the state and the action.
//
// # Hours
//
// The company tutor (or the school tutor) records attendance per student and
// day, or a weekly total, with the activity done. Records are append-only:
// a correction is a new record that supersedes the old one, which is kept
// with who made it. An experience closes only when every student has hours.
package experience

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
)

// State is where an experience is in its life.
type State string

// The states.
const (
	Draft      State = "draft"       // being designed; not yet signed off by both sides
	CoDesigned State = "co_designed" // both sides signed off a revision; not started
	InProgress State = "in_progress" // the students are in the company; hours are recorded
	Closed     State = "closed"      // over, with hours for every student
	Cancelled  State = "cancelled"   // stopped before closing, with a reason
)

// States lists every state in the order of the experience's life.
var States = []State{Draft, CoDesigned, InProgress, Closed, Cancelled}

// Valid reports whether s is one of States.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Action is something done to an experience that its state may refuse.
type Action string

// The actions of the state machine.
const (
	Edit    Action = "edit"     // change the design (a new revision once signed off)
	Approve Action = "sign_off" // one side signs the latest revision off
	Start   Action = "start"    // the experience begins
	Record  Action = "record"   // record or correct hours
	Finish  Action = "close"    // the experience ends
	Cancel  Action = "cancel"   // the experience is stopped
)

// Actions lists every action.
var Actions = []Action{Edit, Approve, Start, Record, Finish, Cancel}

// allows is the state machine: the actions each state allows.
var allows = map[State][]Action{
	Draft:      {Edit, Approve, Cancel},
	CoDesigned: {Edit, Approve, Start, Cancel},
	InProgress: {Edit, Approve, Record, Finish, Cancel},
	Closed:     {},
	Cancelled:  {},
}

// Allows returns nil if an experience in state s may undergo a, and
// otherwise an error with code attesta.Conflict that says why.
func (s State) Allows(a Action) error {
	if slices.Contains(allows[s], a) {
		return nil
	}
	return attesta.E(attesta.Conflict, "err.experience.state", s.Words(), a.Words())
}

// Words names the state, as a message argument ("in corso").
func (s State) Words() attesta.Message { return attesta.M("experience.state." + string(s)) }

// Words names the action, as a message argument ("chiudere").
func (a Action) Words() attesta.Message { return attesta.M("experience.action." + string(a)) }

// schoolTypeWords names a school type, as a message argument.
func schoolTypeWords(t competence.SchoolType) attesta.Message {
	return attesta.M("schooltype." + string(t))
}

// EvidenceRef addresses one observable evidence of the pinned standard: of
// competence Competence, ADA ADA, expected result Result, the Activity-th
// activity (from 1) and its Evidence-th evidence (from 1). Its string form,
// C1/ADA.10.02.02/RA1/A2/E1, is what sheets and badges refer to.
type EvidenceRef struct {
	Competence string `json:"competence"`
	ADA        string `json:"ada"`
	Result     string `json:"result"`
	Activity   int    `json:"activity"`
	Evidence   int    `json:"evidence"`
}

func (r EvidenceRef) String() string {
	return fmt.Sprintf("%s/%s/%s/A%d/E%d", r.Competence, r.ADA, r.Result, r.Activity, r.Evidence)
}

// Design is what the school and the company agree on: one revision's
// content.
type Design struct {
	Title string `json:"title"`
	// Path is the id of the standard's path (area).
	Path string `json:"path"`
	// Students are the person ids of the students, all of the class.
	Students []string `json:"students"`
	// SchoolTutor and CompanyTutor are person ids: a tutor of the school
	// (or its referent) and a tutor of the company.
	SchoolTutor  string `json:"school_tutor"`
	CompanyTutor string `json:"company_tutor"`
	// Start and End are the first and last days, as 2006-01-02, within
	// the class's school year.
	Start string `json:"start"`
	End   string `json:"end"`
	// PlannedHours is the hours each student spends in this experience.
	PlannedHours int `json:"planned_hours"`
	// HoursException is the reason for planning fewer than MinYearHours
	// hours in a student's school year; "" when there is none.
	HoursException string `json:"hours_exception,omitempty"`
	// Competences are those targeted, with the activities and evidences
	// chosen for each.
	Competences []PlannedCompetence `json:"competences"`
}

// PlannedCompetence is a competence targeted by the experience.
type PlannedCompetence struct {
	Code       string            `json:"code"`
	Activities []PlannedActivity `json:"activities"`
}

// PlannedActivity is an activity of the standard chosen for a competence,
// with the evidences that will be observed: ADA code, expected result
// code, the activity's position in the result (from 1) and the positions of
// the evidences in the activity (from 1).
type PlannedActivity struct {
	ADA       string `json:"ada"`
	Result    string `json:"result"`
	Activity  int    `json:"activity"`
	Evidences []int  `json:"evidences"`
}

// Rows lists the evidences d plans to observe, in the design's order: the
// rows of each student's observation sheet.
func (d *Design) Rows() []EvidenceRef {
	var rows []EvidenceRef
	for _, c := range d.Competences {
		for _, a := range c.Activities {
			for _, e := range a.Evidences {
				rows = append(rows, EvidenceRef{Competence: c.Code, ADA: a.ADA, Result: a.Result, Activity: a.Activity, Evidence: e})
			}
		}
	}
	return rows
}

// Digest is the SHA-256 of d's JSON: what a sign-off signs.
func (d *Design) Digest() string {
	data, _ := json.Marshal(d)
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Limits.
const (
	MinYearHours   = 200  // the hours a student's experiences of a school year add up to, unless an exception says why not
	MaxHours       = 2000 // the most hours one experience plans
	MaxTitle       = 200
	MaxReason      = 1000
	MinReason      = 10 // a reason is a sentence, not a letter
	MaxStudents    = 60
	MaxCompetences = 30
	MaxActivities  = 50  // per competence
	MaxNote        = 500 // an attendance's activity, a cancellation reason's words are bounded by MaxReason
)

// Normalize trims d's text.
func (d *Design) Normalize() {
	d.Title = strings.Join(strings.Fields(d.Title), " ")
	d.Path = strings.TrimSpace(d.Path)
	d.SchoolTutor = strings.TrimSpace(d.SchoolTutor)
	d.CompanyTutor = strings.TrimSpace(d.CompanyTutor)
	d.Start, d.End = strings.TrimSpace(d.Start), strings.TrimSpace(d.End)
	d.HoursException = strings.TrimSpace(d.HoursException)
	for i := range d.Students {
		d.Students[i] = strings.TrimSpace(d.Students[i])
	}
	for i := range d.Competences {
		c := &d.Competences[i]
		c.Code = strings.TrimSpace(c.Code)
		for j := range c.Activities {
			c.Activities[j].ADA = strings.TrimSpace(c.Activities[j].ADA)
			c.Activities[j].Result = strings.TrimSpace(c.Activities[j].Result)
		}
	}
}

// text checks a free text of at most max characters without control
// characters but line breaks.
func text(fe *attesta.FieldErrors, field, v string, min, max int, required bool) {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0 && required:
		fe.Problem(field, "err.experience.text.required")
	case n == 0:
	case n < min:
		fe.Problem(field, "err.experience.text.short", min)
	case n > max:
		fe.Problem(field, "err.experience.text.long", max)
	case !utf8.ValidString(v) || strings.IndexFunc(v, func(r rune) bool { return r < ' ' && r != '\n' && r != '\r' || r == 0x7f }) >= 0:
		fe.Problem(field, "err.experience.text.chars")
	}
}

// Day parses a day written 2006-01-02.
func Day(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil && t.Format(time.DateOnly) == s
}

// yearBounds returns the first and last day of school year y (2026/27:
// 2026-09-01 to 2027-08-31).
func yearBounds(y string) (time.Time, time.Time, bool) {
	var start int
	if _, err := fmt.Sscanf(y, "%d/", &start); err != nil || start < 2000 {
		return time.Time{}, time.Time{}, false
	}
	return time.Date(start, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(start+1, 8, 31, 0, 0, 0, 0, time.UTC), true
}

// Context is what a design is checked against: the pinned standard, the
// school's type, the class's school year and students, and who may be
// the tutors.
type Context struct {
	Standard   *competence.Standard
	SchoolType competence.SchoolType
	Year       string
	// ClassStudents are the person ids of the class's students.
	ClassStudents []string
	// SchoolTutors and CompanyTutors are the person ids that may be the
	// school's and the company's tutor.
	SchoolTutors, CompanyTutors []string
}

// Validate checks d against c and adds every problem to fe, each with the
// field it is about: a path the standard lacks, a competence not of the
// path or not for the school's type, an activity not of the competence, an
// evidence not of the activity, a student not of the class, a tutor of
// neither side, dates outside the school year. The rule of the year's hours
// is checked at sign-off ([CheckYearHours]), when the other experiences of
// the year are known.
func (d *Design) Validate(c Context, fe *attesta.FieldErrors) {
	text(fe, "title", d.Title, 1, MaxTitle, true)
	text(fe, "hours_exception", d.HoursException, MinReason, MaxReason, false)
	var path *competence.Path
	for i := range c.Standard.Paths {
		if c.Standard.Paths[i].ID == d.Path {
			path = &c.Standard.Paths[i]
		}
	}
	if d.Path == "" {
		fe.Problem("path", "err.experience.path.required")
	} else if path == nil {
		fe.Problem("path", "err.experience.path.unknown", d.Path, c.Standard.Sector, c.Standard.Version)
	}
	switch n := len(d.Students); {
	case n == 0:
		fe.Problem("students", "err.experience.students.required")
	case n > MaxStudents:
		fe.Problem("students", "err.experience.students.many", MaxStudents)
	}
	seen := map[string]bool{}
	for i, s := range d.Students {
		field := fmt.Sprintf("students[%d]", i)
		if seen[s] {
			fe.Problem(field, "err.experience.student.twice", s)
		} else if !slices.Contains(c.ClassStudents, s) {
			fe.Problem(field, "err.experience.student.class", s)
		}
		seen[s] = true
	}
	if d.SchoolTutor == "" {
		fe.Problem("school_tutor", "err.experience.tutor.required")
	} else if !slices.Contains(c.SchoolTutors, d.SchoolTutor) {
		fe.Problem("school_tutor", "err.experience.tutor.school", d.SchoolTutor)
	}
	if d.CompanyTutor == "" {
		fe.Problem("company_tutor", "err.experience.tutor.required")
	} else if !slices.Contains(c.CompanyTutors, d.CompanyTutor) {
		fe.Problem("company_tutor", "err.experience.tutor.company", d.CompanyTutor)
	}
	first, last, yearOK := yearBounds(c.Year)
	start, okStart := Day(d.Start)
	end, okEnd := Day(d.End)
	if !okStart {
		fe.Problem("start", "err.experience.day.form", d.Start)
	}
	if !okEnd {
		fe.Problem("end", "err.experience.day.form", d.End)
	}
	if okStart && okEnd {
		switch {
		case end.Before(start):
			fe.Problem("end", "err.experience.dates.order")
		case yearOK && (start.Before(first) || end.After(last)):
			fe.Problem("start", "err.experience.dates.year", c.Year, first.Format(time.DateOnly), last.Format(time.DateOnly))
		}
	}
	if d.PlannedHours < 1 || d.PlannedHours > MaxHours {
		fe.Problem("planned_hours", "err.experience.hours.range", MaxHours)
	}
	switch n := len(d.Competences); {
	case n == 0:
		fe.Problem("competences", "err.experience.competences.required")
	case n > MaxCompetences:
		fe.Problem("competences", "err.experience.competences.many", MaxCompetences)
	}
	codes := map[string]bool{}
	for i, pc := range d.Competences {
		field := fmt.Sprintf("competences[%d]", i)
		if codes[pc.Code] {
			fe.Problem(field, "err.experience.competence.twice", pc.Code)
			continue
		}
		codes[pc.Code] = true
		comp, ok := c.Standard.Competence(pc.Code)
		if !ok {
			fe.Problem(field, "err.experience.competence.unknown", pc.Code, c.Standard.Sector, c.Standard.Version)
			continue
		}
		if path != nil {
			i := slices.IndexFunc(path.Competences, func(x competence.PathCompetence) bool { return x.Code == pc.Code })
			if i < 0 {
				fe.Problem(field, "err.experience.competence.path", pc.Code, path.Title)
				continue
			}
			if !slices.Contains(path.Competences[i].SchoolTypes, c.SchoolType) {
				fe.Problem(field, "err.experience.competence.schooltype", pc.Code, schoolTypeWords(c.SchoolType))
				continue
			}
		}
		validateActivities(comp, pc, field, fe)
	}
}

// validateActivities checks the activities and evidences chosen for comp.
func validateActivities(comp *competence.Competence, pc PlannedCompetence, field string, fe *attesta.FieldErrors) {
	switch n := len(pc.Activities); {
	case n == 0:
		fe.Problem(field, "err.experience.activities.required", pc.Code)
	case n > MaxActivities:
		fe.Problem(field, "err.experience.activities.many", MaxActivities)
	}
	chosen := map[string]bool{}
	for j, pa := range pc.Activities {
		af := fmt.Sprintf("%s.activities[%d]", field, j)
		act := activityOf(comp, pa)
		if act == nil {
			fe.Problem(af, "err.experience.activity.unknown", pa.ADA, pa.Result, pa.Activity, pc.Code)
			continue
		}
		key := fmt.Sprintf("%s/%s/%d", pa.ADA, pa.Result, pa.Activity)
		if chosen[key] {
			fe.Problem(af, "err.experience.activity.twice", pa.Activity, pa.Result)
			continue
		}
		chosen[key] = true
		if len(pa.Evidences) == 0 {
			fe.Problem(af, "err.experience.evidences.required")
		}
		for k, e := range pa.Evidences {
			if e < 1 || e > len(act.Evidences) {
				fe.Problem(fmt.Sprintf("%s.evidences[%d]", af, k), "err.experience.evidence.unknown", e, pa.Activity, pa.Result, len(act.Evidences))
			} else if slices.Index(pa.Evidences, e) != k {
				fe.Problem(fmt.Sprintf("%s.evidences[%d]", af, k), "err.experience.evidence.twice", e)
			}
		}
	}
}

// activityOf returns the activity pa names in comp, or nil.
func activityOf(comp *competence.Competence, pa PlannedActivity) *competence.Activity {
	for _, ada := range comp.ADA {
		if ada.Code != pa.ADA {
			continue
		}
		for _, r := range ada.Results {
			if r.Code == pa.Result && pa.Activity >= 1 && pa.Activity <= len(r.Activities) {
				return &r.Activities[pa.Activity-1]
			}
		}
	}
	return nil
}

// Evidence returns the text of the evidence ref names in st, or false.
func Evidence(st *competence.Standard, ref EvidenceRef) (competence.Evidence, *competence.Activity, bool) {
	comp, ok := st.Competence(ref.Competence)
	if !ok {
		return competence.Evidence{}, nil, false
	}
	act := activityOf(comp, PlannedActivity{ADA: ref.ADA, Result: ref.Result, Activity: ref.Activity})
	if act == nil || ref.Evidence < 1 || ref.Evidence > len(act.Evidences) {
		return competence.Evidence{}, nil, false
	}
	return act.Evidences[ref.Evidence-1], act, true
}

// YearHours is a student's planned hours in the experiences of a school
// year other than the one being signed off.
type YearHours map[string]int

// CheckYearHours returns nil if every student of d has, with d's hours
// and others' (the student's other experiences of the year that are not
// cancelled), at least MinYearHours, or if d records an exception;
// otherwise an Invalid error naming each student short of them.
func CheckYearHours(d *Design, others YearHours, names map[string]string) error {
	if d.HoursException != "" {
		return nil
	}
	var fe attesta.FieldErrors
	for i, s := range d.Students {
		if total := others[s] + d.PlannedHours; total < MinYearHours {
			name := names[s]
			if name == "" {
				name = s
			}
			fe.Problem(fmt.Sprintf("students[%d]", i), "err.experience.hours.year", name, total, MinYearHours)
		}
	}
	return fe.Err()
}

// Experience is one experience with its latest design.
type Experience struct {
	ID      string `json:"id"`
	School  string `json:"school"`
	Company string `json:"company"`
	Class   string `json:"class"`
	Year    string `json:"year"`
	// Sector and Version pin the standard.
	Sector  string `json:"sector"`
	Version int    `json:"version"`
	State   State  `json:"state"`
	// Revision is the latest revision's number; Agreed the number of the
	// latest revision both sides signed off (0: none yet).
	Revision int `json:"revision"`
	Agreed   int `json:"agreed"`
	// Design is the latest revision's.
	Design       Design    `json:"design"`
	CancelReason string    `json:"cancel_reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Filled by reads: where the school and the company are, and their
	// names.
	SchoolName      string `json:"school_name,omitempty"`
	SchoolProvince  string `json:"school_province,omitempty"`
	CompanyName     string `json:"company_name,omitempty"`
	CompanyProvince string `json:"company_province,omitempty"`
	// ClassName is the class's name (4A MEC), filled by the Service's
	// reads for the pages.
	ClassName string `json:"-"`
}

// Object describes e for authorization, as seen by p: it belongs to the
// school and to the company; a student reaches it when they are one of its
// students.
func (e *Experience) Object(p *auth.Principal) auth.Object {
	o := auth.Object{Kind: auth.ExperienceObject, ID: e.ID, Places: []auth.Place{
		{Org: e.School, Province: e.SchoolProvince}, {Org: e.Company, Province: e.CompanyProvince}}}
	if p != nil && p.Role == auth.Student && slices.Contains(e.Design.Students, p.Person) {
		o.Person = p.Person
	}
	return o
}

// Revision is one numbered revision of a design, with its sign-offs.
type Revision struct {
	Experience string    `json:"experience"`
	Number     int       `json:"number"`
	Design     Design    `json:"design"`
	Digest     string    `json:"digest"`
	By         string    `json:"by"`
	ByName     string    `json:"by_name"`
	At         time.Time `json:"at"`
	School     *SignOff  `json:"school_sign_off,omitempty"`
	Company    *SignOff  `json:"company_sign_off,omitempty"`
}

// Frozen reports whether a side has signed r off: it no longer changes.
func (r *Revision) Frozen() bool { return r.School != nil || r.Company != nil }

// Agreed reports whether both sides signed r off.
func (r *Revision) Agreed() bool { return r.School != nil && r.Company != nil }

// SignOff is one side's approval of a revision: who, in which role, when,
// and the digest of what they approved.
type SignOff struct {
	Person string    `json:"person"`
	Name   string    `json:"name"`
	Role   auth.Role `json:"role"`
	At     time.Time `json:"at"`
	Digest string    `json:"digest"`
}

// Side is a side of the co-design.
type Side string

// The sides.
const (
	SchoolSide  Side = "school"
	CompanySide Side = "company"
)

// SideOf returns the side p signs for on e, or false when p signs for
// neither: the school's referent or tutors sign for the school, the
// company's tutors for the company.
func SideOf(p *auth.Principal, e *Experience) (Side, bool) {
	switch {
	case p.Org == e.School && (p.Role == auth.SchoolReferent || p.Role == auth.SchoolTutor):
		return SchoolSide, true
	case p.Org == e.Company && p.Role == auth.CompanyTutor:
		return CompanySide, true
	}
	return "", false
}

// Attendance is a record of a student's hours: on one day, or a weekly
// total for the week starting on Day (a Monday). A correction supersedes
// the record it corrects, which is kept.
type Attendance struct {
	ID         string `json:"id"`
	Experience string `json:"experience"`
	Student    string `json:"student"`
	Day        string `json:"day"`
	Weekly     bool   `json:"weekly,omitempty"`
	// Minutes attended (0 in a correction: not there after all).
	Minutes int `json:"minutes"`
	// Activity is what the student did.
	Activity string `json:"activity,omitempty"`
	// Supersedes is the record this one corrects.
	Supersedes string    `json:"supersedes,omitempty"`
	By         string    `json:"by"`
	ByName     string    `json:"by_name"`
	ByRole     auth.Role `json:"by_role"`
	At         time.Time `json:"at"`
	// Superseded is set by reads when a later record corrects this one.
	Superseded bool `json:"superseded,omitempty"`
}

// Hours returns the minutes as hours, e.g. 7.5.
func (a *Attendance) Hours() float64 { return float64(a.Minutes) / 60 }

// Total is a student's recorded hours against the plan.
type Total struct {
	Student      string `json:"student"`
	Name         string `json:"name,omitempty"`
	Minutes      int    `json:"minutes"`
	PlannedHours int    `json:"planned_hours"`
	Records      int    `json:"records"`
}
