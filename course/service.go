package course

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/people"
)

// Filter narrows a listing of courses. The Service sets who is listed
// from the principal: every course (All), a Chamber's, or those a person
// takes part in; a filter that says none of the three lists nothing.
type Filter struct {
	All     bool
	Chamber string
	Person  string
	// State and Audience narrow further when set.
	State    State
	Audience Audience
	Limit    int // at most MaxLimit
}

// MaxLimit bounds a page of courses.
const MaxLimit = 500

// Reader reads courses inside a transaction.
type Reader interface {
	// Course returns a course with its participants and attendance, or an
	// error with code attesta.NotFound.
	Course(ctx context.Context, id string) (*Course, error)
	// Courses lists the courses f says, newest first, with their
	// participants and attendance.
	Courses(ctx context.Context, f Filter) ([]Course, error)
	// CourseSettings returns a Chamber's settings: the zero Settings (no
	// requirement, forever) when it has stored none.
	CourseSettings(ctx context.Context, chamber string) (Settings, error)
	// TutorBadges lists the completions of person in closed courses, with
	// the status of their badge's credential when issued.
	TutorBadges(ctx context.Context, person string) ([]Badge, error)
	// ChambersCovering lists the ids of the Chambers whose territory
	// includes one of the provinces.
	ChambersCovering(ctx context.Context, provinces []string) ([]string, error)
}

// Writer changes courses inside a transaction, with the audit trail.
type Writer interface {
	Reader
	Record(ctx context.Context, e *audit.Entry) error
	// Person returns a person of the platform, or NotFound; PersonByEmail
	// the person with that (lower-case) address, or NotFound; Memberships
	// their roles.
	Person(ctx context.Context, id string) (*people.Person, error)
	PersonByEmail(ctx context.Context, email string) (*people.Person, error)
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
	// InsertCourse stores a new course; UpdateCourse writes a course, its
	// participants and its attendance as they are now.
	InsertCourse(ctx context.Context, c *Course) error
	UpdateCourse(ctx context.Context, c *Course) error
	// PutCourseSettings stores a Chamber's settings.
	PutCourseSettings(ctx context.Context, s *Settings) error
}

// Store keeps courses; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Badges issues tutor badges: *credential.Service is one. An issuance
// whose fixed id (TutorRequest.ID) was already issued is refused with
// code attesta.Conflict and key "err.storage.credential.taken".
type Badges interface {
	IssueTutor(ctx context.Context, actor credential.Actor, req credential.TutorRequest) (credential.Record, error)
}

// Service is the training courses' use-cases.
type Service struct {
	store  Store
	badges Badges
	now    attesta.Clock
	rand   io.Reader
}

// NewService returns the service; badges nil means closing a course
// decides completions but issues no badge; rnd nil means crypto/rand.
func NewService(store Store, badges Badges, now attesta.Clock, rnd io.Reader) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, badges: badges, now: now, rand: rnd}
}

// The actions of the audit trail.
const (
	actionCreate   = "course.create"
	actionPlan     = "course.plan"
	actionEnrol    = "course.enrol"
	actionWithdraw = "course.withdraw"
	actionStart    = "course.start"
	actionAttend   = "course.attend"
	actionClose    = "course.close"
	actionCancel   = "course.cancel"
	actionBadge    = "course.badge"
	actionSettings = "course.settings"
)

func (s *Service) newID() (string, error) {
	var b [10]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", fmt.Errorf("making a course id: %w", err)
	}
	return "crs-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])), nil
}

// chamberOf returns the Chamber p keeps courses for: their own, as its
// operator.
func chamberOf(p *auth.Principal) (string, error) {
	if err := auth.Decide(p, auth.CourseManage, auth.Anywhere); err != nil {
		return "", err
	}
	if p.OrgKind != auth.Chamber || p.Org == "" {
		return "", attesta.E(attesta.Forbidden, "err.auth.forbidden", p.Role, auth.CourseManage)
	}
	return p.Org, nil
}

// Create records a new, planned course of p's Chamber.
func (s *Service) Create(ctx context.Context, p *auth.Principal, plan Plan) (*Course, error) {
	chamber, err := chamberOf(p)
	if err != nil {
		return nil, err
	}
	plan.Normalize()
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := &Course{ID: id, Chamber: chamber, Plan: plan, Hours: plan.Hours(), State: Planned,
		Participants: []Participant{}, Attendance: []Attendance{}, CreatedAt: now, UpdatedAt: now}
	err = s.store.Update(ctx, func(w Writer) error {
		if err := w.InsertCourse(ctx, c); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, now, actionCreate, c.Object(nil), nil, plan)
	})
	if err != nil {
		return nil, fmt.Errorf("creating a course: %w", err)
	}
	return c, nil
}

// decide reads course id and decides whether p may do a on it: out of
// reach is not found, as if it did not exist.
func decide(ctx context.Context, r Reader, p *auth.Principal, a auth.Action, id string) (*Course, error) {
	if !ValidID(id) {
		return nil, attesta.E(attesta.NotFound, "err.course.notfound", id)
	}
	c, err := r.Course(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := auth.Decide(p, a, c.Object(p)); err != nil {
		return nil, err
	}
	return c, nil
}

// seenBy returns c as p may see it: whole for its Chamber and the
// national body, a participant's own part for anyone else.
func seenBy(p *auth.Principal, c *Course) *Course {
	if p.Role == auth.NationalAdmin || p.Role == auth.ChamberOperator {
		return c
	}
	return c.Own(p.Person)
}

// Get returns a course: its participants and attendance for its Chamber
// and the national body; a participant sees their own part only.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id string) (*Course, error) {
	var c *Course
	err := s.store.View(ctx, func(r Reader) (err error) {
		c, err = decide(ctx, r, p, auth.CourseView, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return seenBy(p, c), nil
}

// List returns the courses p may see that f's State and Audience match:
// every one for the national body, its own for a Chamber, those they take
// part in for anyone else (their own part).
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]Course, error) {
	if err := auth.Decide(p, auth.CourseView, auth.Anywhere); err != nil {
		return nil, err
	}
	var fe attesta.FieldErrors
	if f.State != "" && !slices.Contains(States, f.State) {
		fe.Problem("state", "err.course.state.unknown", f.State)
	}
	if f.Audience != "" && !f.Audience.Valid() {
		fe.Problem("audience", "err.course.audience", f.Audience)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	f.All, f.Chamber, f.Person = false, "", ""
	switch p.Role {
	case auth.NationalAdmin:
		f.All = true
	case auth.ChamberOperator:
		f.Chamber = p.Org
	default:
		f.Person = p.Person
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = 100
	}
	var out []Course
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.Courses(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("listing courses: %w", err)
	}
	seen := out[:0]
	for i := range out {
		if auth.Can(p, auth.CourseView, out[i].Object(p)) {
			seen = append(seen, *seenBy(p, &out[i]))
		}
	}
	return seen, nil
}

// errUnchanged is what a change's fn returns when it has nothing to
// write: the course is returned as read.
var errUnchanged = errors.New("course: unchanged")

// change runs fn on course id, read and decided for p's management, in
// one transaction, if its state is one of states; fn's changes are
// written with the course's update time, unless fn says errUnchanged.
func (s *Service) change(ctx context.Context, p *auth.Principal, id string, states []State, fn func(w Writer, c *Course) error) (*Course, error) {
	var out *Course
	err := s.store.Update(ctx, func(w Writer) error {
		c, err := decide(ctx, w, p, auth.CourseManage, id)
		if err != nil {
			return err
		}
		if !slices.Contains(states, c.State) {
			return attesta.E(attesta.Conflict, "err.course.state", c.State.Words())
		}
		if err := fn(w, c); errors.Is(err, errUnchanged) {
			out = c
			return nil
		} else if err != nil {
			return err
		}
		c.UpdatedAt = s.now()
		if err := w.UpdateCourse(ctx, c); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("changing course %s: %w", id, err)
	}
	return out, nil
}

// Replan changes a planned course's programme, lessons and rule. Its
// audience stays once someone is enrolled for it.
func (s *Service) Replan(ctx context.Context, p *auth.Principal, id string, plan Plan) (*Course, error) {
	plan.Normalize()
	return s.change(ctx, p, id, []State{Planned}, func(w Writer, c *Course) error {
		// Decided first: one who may not change the course learns nothing
		// of the rules.
		if err := plan.Validate(); err != nil {
			return err
		}
		if plan.Audience != c.Audience && len(c.Participants) > 0 {
			var fe attesta.FieldErrors
			fe.Problem("audience", "err.course.audience.enrolled", c.Audience.Words())
			return fe.Conflict()
		}
		before := c.Plan
		c.Plan, c.Hours = plan, plan.Hours()
		return audit.Record(ctx, w, p, s.now(), actionPlan, c.Object(nil), before, plan)
	})
}

// Enrol adds a person of the platform to a planned or running course, in
// a role the course's audience takes it in, which they hold in org.
func (s *Service) Enrol(ctx context.Context, p *auth.Principal, id, person string, role auth.Role, org string) (*Course, error) {
	person, org = strings.TrimSpace(person), strings.TrimSpace(org)
	return s.change(ctx, p, id, []State{Planned, Running}, func(w Writer, c *Course) error {
		var fe attesta.FieldErrors
		if person == "" || len(person) > 100 {
			fe.Problem("person", "err.course.participant.person", person)
			return fe.Err()
		}
		return s.enrol(ctx, w, p, c, person, role, org)
	})
}

// EnrolByEmail is Enrol for the person with that e-mail address (a
// problem with it is said of the field "email"); org "" means the
// organisation where they hold role, when they hold it in one only.
func (s *Service) EnrolByEmail(ctx context.Context, p *auth.Principal, id, email string, role auth.Role, org string) (*Course, error) {
	email, org = strings.ToLower(strings.TrimSpace(email)), strings.TrimSpace(org)
	return s.change(ctx, p, id, []State{Planned, Running}, func(w Writer, c *Course) error {
		var fe attesta.FieldErrors
		if email == "" || len(email) > 254 {
			fe.Problem("email", "err.course.participant.email", email)
			return fe.Err()
		}
		who, err := w.PersonByEmail(ctx, email)
		if attesta.ErrorCode(err) == attesta.NotFound {
			fe.Problem("email", "err.course.participant.email", email)
			return fe.Err()
		}
		if err != nil {
			return err
		}
		if org == "" && slices.Contains(c.Audience.Roles(), role) {
			ms, err := w.Memberships(ctx, who.ID)
			if err != nil {
				return err
			}
			var orgs []string
			for _, m := range ms {
				if m.Role == role && !slices.Contains(orgs, m.Org) {
					orgs = append(orgs, m.Org)
				}
			}
			if len(orgs) > 1 {
				fe.Problem("org", "err.course.participant.orgs", who.Name(), role)
				return fe.Err()
			}
			if len(orgs) == 1 {
				org = orgs[0]
			}
		}
		return s.enrol(ctx, w, p, c, who.ID, role, org)
	})
}

// enrol adds person to c, in role in org.
func (s *Service) enrol(ctx context.Context, w Writer, p *auth.Principal, c *Course, person string, role auth.Role, org string) error {
	var fe attesta.FieldErrors
	if !slices.Contains(c.Audience.Roles(), role) {
		fe.Problem("role", "err.course.participant.role", role, c.Audience.Words())
		return fe.Err()
	}
	who, err := w.Person(ctx, person)
	if attesta.ErrorCode(err) == attesta.NotFound {
		fe.Problem("person", "err.course.participant.person", person)
		return fe.Err()
	}
	if err != nil {
		return err
	}
	ms, err := w.Memberships(ctx, person)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ms, func(m auth.Membership) bool { return m.Role == role && m.Org == org }) {
		fe.Problem("org", "err.course.participant.membership", who.Name(), role, org)
		return fe.Err()
	}
	if c.participant(person) >= 0 {
		fe.Problem("person", "err.course.participant.taken", who.Name())
		return fe.Conflict()
	}
	if len(c.Participants) >= MaxParticipants {
		fe.Problem("person", "err.course.participants.many", MaxParticipants)
		return fe.Conflict()
	}
	pt := Participant{Person: person, Name: who.Name(), Role: role, Org: org}
	c.Participants = append(c.Participants, pt)
	return audit.Record(ctx, w, p, s.now(), actionEnrol, c.Object(nil), nil, pt)
}

// Withdraw removes a participant from a planned or running course, with
// the attendance recorded for them (kept in the audit trail).
func (s *Service) Withdraw(ctx context.Context, p *auth.Principal, id, person string) (*Course, error) {
	return s.change(ctx, p, id, []State{Planned, Running}, func(w Writer, c *Course) error {
		i := c.participant(person)
		if i < 0 {
			var fe attesta.FieldErrors
			fe.Problem("person", "err.course.participant.unknown", person)
			return fe.Err()
		}
		before := map[string]any{"participant": c.Participants[i], "minutes": c.Attended(person)}
		c.Participants = slices.Delete(c.Participants, i, i+1)
		c.Attendance = slices.DeleteFunc(c.Attendance, func(a Attendance) bool { return a.Person == person })
		return audit.Record(ctx, w, p, s.now(), actionWithdraw, c.Object(nil), before, nil)
	})
}

// Start starts a planned course: its lessons must add up to its hours,
// and someone must take it.
func (s *Service) Start(ctx context.Context, p *auth.Principal, id string) (*Course, error) {
	return s.change(ctx, p, id, []State{Planned}, func(w Writer, c *Course) error {
		if err := c.ready(); err != nil {
			return err
		}
		c.State = Running
		return audit.Record(ctx, w, p, s.now(), actionStart, c.Object(nil), map[string]any{"state": Planned}, map[string]any{"state": Running})
	})
}

// Attend records the minutes each participant attended a lesson of a
// running course (numbered from 1); a participant not named keeps what
// was recorded. Zero minutes records an absence.
func (s *Service) Attend(ctx context.Context, p *auth.Principal, id string, lesson int, minutes map[string]int) (*Course, error) {
	return s.change(ctx, p, id, []State{Running}, func(w Writer, c *Course) error {
		var fe attesta.FieldErrors
		if lesson < 1 || lesson > len(c.Lessons) {
			fe.Problem("lesson", "err.course.lesson.unknown", lesson, len(c.Lessons))
			return fe.Err()
		}
		if len(minutes) == 0 {
			fe.Problem("minutes", "err.course.attendance.required")
			return fe.Err()
		}
		if len(minutes) > len(c.Participants) {
			fe.Problem("minutes", "err.course.attendance.many", len(minutes), len(c.Participants))
			return fe.Err()
		}
		for person := range minutes {
			if c.participant(person) < 0 && len(person) > 100 {
				fe.Problem("minutes", "err.course.participant.unknown", strings.ToValidUTF8(person[:100], "")+"…")
				return fe.Err()
			}
		}
		names := make([]string, 0, len(minutes))
		for person := range minutes {
			names = append(names, person)
		}
		slices.Sort(names)
		limit := c.Lessons[lesson-1].Minutes
		for _, person := range names {
			switch m := minutes[person]; {
			case c.participant(person) < 0:
				fe.Problem("minutes["+person+"]", "err.course.participant.unknown", person)
			case m < 0 || m > limit:
				fe.Problem("minutes["+person+"]", "err.course.attendance.minutes", 0, limit)
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		var before []Attendance
		for _, person := range names {
			i := slices.IndexFunc(c.Attendance, func(a Attendance) bool { return a.Lesson == lesson && a.Person == person })
			if i >= 0 {
				before = append(before, c.Attendance[i])
				c.Attendance[i].Minutes = minutes[person]
			} else {
				c.Attendance = append(c.Attendance, Attendance{Lesson: lesson, Person: person, Minutes: minutes[person]})
			}
		}
		slices.SortFunc(c.Attendance, func(a, b Attendance) int {
			if a.Lesson != b.Lesson {
				return a.Lesson - b.Lesson
			}
			return strings.Compare(a.Person, b.Person)
		})
		return audit.Record(ctx, w, p, s.now(), actionAttend, c.Object(nil), before, map[string]any{"lesson": lesson, "minutes": minutes})
	})
}

// Cancel cancels a planned or running course, for a reason.
func (s *Service) Cancel(ctx context.Context, p *auth.Principal, id, reason string) (*Course, error) {
	reason = strings.TrimSpace(reason)
	return s.change(ctx, p, id, []State{Planned, Running}, func(w Writer, c *Course) error {
		var fe attesta.FieldErrors
		if text(&fe, "reason", reason, 1, 2000, true); len(fe) > 0 {
			return fe.Err()
		}
		before := c.State
		c.State = Cancelled
		return audit.Record(ctx, w, p, s.now(), actionCancel, c.Object(nil), map[string]any{"state": before},
			map[string]any{"state": Cancelled, "reason": reason})
	})
}

// Close closes a running course: each participant who attended the rule's
// share of its hours completes it, the others do not, each with the
// minutes they attended; a completion is valid for the period of the
// Chamber's settings at this moment. Then each completer is issued a tutor
// badge. Closing a closed course issues the badges still missing, and
// only those: one whose issuance failed, or whose record was lost after
// it was issued (its fixed id says so).
//
// The course is returned closed even when some badges could not be
// issued; the error then says how many, and closing again retries them.
func (s *Service) Close(ctx context.Context, p *auth.Principal, id string) (*Course, error) {
	c, err := s.change(ctx, p, id, []State{Running, Closed}, func(w Writer, c *Course) error {
		if c.State == Closed {
			return errUnchanged
		}
		settings, err := w.CourseSettings(ctx, c.Chamber)
		if err != nil {
			return err
		}
		at := s.now()
		c.State, c.ClosedAt = Closed, at
		var outcomes []map[string]any
		for i := range c.Participants {
			pt := &c.Participants[i]
			pt.Minutes = c.Attended(pt.Person)
			pt.Outcome = NotCompleted
			if c.Completes(pt.Minutes) {
				pt.Outcome, pt.CompletedAt, pt.ValidUntil = Completed, at, settings.Until(at)
			}
			outcomes = append(outcomes, map[string]any{"person": pt.Person, "outcome": pt.Outcome, "minutes": pt.Minutes})
		}
		return audit.Record(ctx, w, p, at, actionClose, c.Object(nil), map[string]any{"state": Running},
			map[string]any{"state": Closed, "rule": c.Rule, "hours": c.Hours, "outcomes": outcomes})
	})
	if err != nil || s.badges == nil {
		return c, err
	}
	var failed []error
	for _, pt := range c.Participants {
		if pt.Outcome != Completed || pt.Credential != "" {
			continue
		}
		if err := s.issue(ctx, p, c, pt); err != nil {
			failed = append(failed, err)
		}
	}
	c, err = s.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if len(failed) > 0 {
		return c, attesta.Wrap(errors.Join(failed...), attesta.Unavailable, "err.course.badges.failed", len(failed))
	}
	return c, nil
}

// issue issues pt's tutor badge for closed course c and records it with
// the participant.
func (s *Service) issue(ctx context.Context, p *auth.Principal, c *Course, pt Participant) error {
	req := credential.TutorRequest{
		ID: BadgeID(c.ID, pt.Person), IssuerID: c.Chamber,
		Course: credential.TutorCourse{ID: c.ID, Title: c.Title.IT, TitleEN: c.Title.EN, Description: c.Description,
			Audience: string(c.Audience), Hours: c.Hours, MinShare: c.Rule.MinShare},
		Learner:    credential.Learner{Identity: pt.Person, IdentityType: "systemId"},
		Role:       string(pt.Role),
		Minutes:    pt.Minutes,
		ValidUntil: pt.ValidUntil,
	}
	for _, m := range c.Modules {
		req.Course.Modules = append(req.Course.Modules, credential.TutorModule{Title: m.Title.IT, TitleEN: m.Title.EN, Hours: m.Hours})
	}
	if len(c.Lessons) > 0 {
		req.Course.Start, _ = time.Parse(time.DateOnly, c.Lessons[0].Day)
		req.Course.End, _ = time.Parse(time.DateOnly, c.Lessons[len(c.Lessons)-1].Day)
	}
	name := p.Name
	if name == "" {
		name = p.Person
	}
	at := s.now()
	rec, err := s.badges.IssueTutor(ctx, credential.Actor{Name: name, Issuers: []string{c.Chamber}}, req)
	switch {
	case err == nil:
		at = rec.IssuedAt
	case attesta.ErrorKey(err) == "err.storage.credential.taken":
		// Issued before, and its record here lost: it is the badge.
	default:
		return fmt.Errorf("issuing the tutor badge of %s: %w", pt.Person, err)
	}
	_, err = s.change(ctx, p, c.ID, []State{Closed}, func(w Writer, c *Course) error {
		i := c.participant(pt.Person)
		if i < 0 || c.Participants[i].Credential != "" {
			return errUnchanged
		}
		c.Participants[i].Credential, c.Participants[i].IssuedAt = req.ID, at
		return audit.Record(ctx, w, p, at, actionBadge, c.Object(nil), nil,
			map[string]any{"person": pt.Person, "credential": req.ID, "valid_until": pt.ValidUntil})
	})
	return err
}

// MayManage says whether p may change course id: nil, or the error a
// change would be refused with (not found, forbidden). A page asks it
// before it checks a confirmation, so that one who may not act learns
// nothing more.
func (s *Service) MayManage(ctx context.Context, p *auth.Principal, id string) error {
	return s.store.View(ctx, func(r Reader) error {
		_, err := decide(ctx, r, p, auth.CourseManage, id)
		return err
	})
}

// settingsObject is a Chamber's settings for authorization and the audit
// trail: the Chamber's own.
func settingsObject(chamber string) auth.Object {
	return auth.Object{Kind: auth.OrganisationObject, ID: chamber, Places: []auth.Place{{Org: chamber}}, OrgKind: auth.Chamber}
}

// Settings returns a Chamber's settings of the tutor badge: its own
// operators and the national body see them.
func (s *Service) Settings(ctx context.Context, p *auth.Principal, chamber string) (Settings, error) {
	if err := auth.Decide(p, auth.CourseView, settingsObject(chamber)); err != nil {
		return Settings{}, err
	}
	var out Settings
	err := s.store.View(ctx, func(r Reader) (err error) {
		out, err = r.CourseSettings(ctx, chamber)
		return err
	})
	return out, err
}

// SetSettings stores the settings of p's Chamber.
func (s *Service) SetSettings(ctx context.Context, p *auth.Principal, set Settings) (Settings, error) {
	if set.Chamber != "" {
		// Another's settings are out of reach before anything else.
		if err := auth.Decide(p, auth.CourseManage, settingsObject(set.Chamber)); err != nil {
			return Settings{}, err
		}
	}
	chamber, err := chamberOf(p)
	if err != nil {
		return Settings{}, err
	}
	if set.Chamber != "" && set.Chamber != chamber {
		return Settings{}, attesta.E(attesta.NotFound, "err.auth.notfound.organisation", set.Chamber)
	}
	if err := set.Validate(); err != nil {
		return Settings{}, err
	}
	set.Chamber, set.UpdatedAt = chamber, s.now()
	err = s.store.Update(ctx, func(w Writer) error {
		before, err := w.CourseSettings(ctx, chamber)
		if err != nil {
			return err
		}
		if err := w.PutCourseSettings(ctx, &set); err != nil {
			return err
		}
		return audit.Record(ctx, w, p, set.UpdatedAt, actionSettings, settingsObject(chamber), before, set)
	})
	if err != nil {
		return Settings{}, fmt.Errorf("changing the course settings of %s: %w", chamber, err)
	}
	return set, nil
}

// HoldsValidBadge reports whether person holds a tutor badge valid at at:
// a completion of a closed course whose badge was issued, is neither
// revoked nor suspended, and has not expired. It is the platform's
// question, asked for no one in particular (the co-design of an
// experience asks it of its company tutor).
func (s *Service) HoldsValidBadge(ctx context.Context, person string, at time.Time) (bool, error) {
	var ok bool
	err := s.store.View(ctx, func(r Reader) error {
		badges, err := r.TutorBadges(ctx, person)
		ok = slices.ContainsFunc(badges, func(b Badge) bool { return b.ValidAt(at) })
		return err
	})
	if err != nil {
		return false, fmt.Errorf("reading the tutor badges of %s: %w", person, err)
	}
	return ok, nil
}

// CheckTutor says whether person may be the company tutor of a new
// experience located in provinces (its school's and its company's): nil,
// unless a Chamber covering one of them requires a valid tutor badge and
// person holds none at at, which is refused with code attesta.Conflict.
func (s *Service) CheckTutor(ctx context.Context, person string, at time.Time, provinces ...string) error {
	var requiring []string
	var ok bool
	err := s.store.View(ctx, func(r Reader) error {
		chambers, err := r.ChambersCovering(ctx, provinces)
		if err != nil {
			return err
		}
		for _, ch := range chambers {
			set, err := r.CourseSettings(ctx, ch)
			if err != nil {
				return err
			}
			if set.RequireTutorBadge {
				requiring = append(requiring, ch)
			}
		}
		if len(requiring) == 0 {
			return nil
		}
		badges, err := r.TutorBadges(ctx, person)
		ok = slices.ContainsFunc(badges, func(b Badge) bool { return b.ValidAt(at) })
		return err
	})
	if err != nil {
		return fmt.Errorf("checking the tutor badge of %s: %w", person, err)
	}
	if len(requiring) > 0 && !ok {
		return attesta.E(attesta.Conflict, "err.course.badge.required")
	}
	return nil
}
