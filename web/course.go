package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/internal/httpstatus"
)

// courseRoutes are the pages of the Chambers' training courses for tutors
// and teachers (docs/design/courses.md): a Chamber's list with the form
// of a new course and its settings of the tutor badge, and a course's
// page, where the Chamber enrols, records attendance, starts, closes or
// cancels, and a participant sees their own participation.
func (s *Site) courseRoutes(user func(string, auth.Action, http.HandlerFunc) Route) []Route {
	return []Route{
		user("GET /courses", auth.CourseView, s.courses),
		user("POST /courses", auth.CourseManage, s.createCourse),
		user("POST /courses/settings", auth.CourseManage, s.courseSettings),
		user("GET /courses/{id}", auth.CourseView, s.courseView),
		user("POST /courses/{id}/participants", auth.CourseManage, s.courseAct("enrol")),
		user("POST /courses/{id}/withdraw", auth.CourseManage, s.courseAct("withdraw")),
		user("POST /courses/{id}/start", auth.CourseManage, s.courseAct("start")),
		user("POST /courses/{id}/attendance", auth.CourseManage, s.courseAct("attendance")),
		user("POST /courses/{id}/close", auth.CourseManage, s.courseAct("close")),
		user("POST /courses/{id}/cancel", auth.CourseManage, s.courseAct("cancel")),
	}
}

// The rows the form of a new course offers.
const (
	moduleRows = 6
	lessonRows = 10
)

// --- the list, a new course, the settings ---

// coursesData is what the list of courses shows.
type coursesData struct {
	Items []course.Course
	// Create is the form of a new course, and Settings the Chamber's
	// settings of the tutor badge: a Chamber's operators'.
	Create   *courseChoices
	Settings *course.Settings
	Form     *form
	On       string // the form refused: "create" or "settings"
	Done     string
}

// courseChoices are the choices of the form of a new course.
type courseChoices struct {
	Audiences []course.Audience
	Modules   []int
	Lessons   []int
	MinShare  int // the default
}

// FormOn returns the refused form if it was on what, else nil.
func (d *coursesData) FormOn(what string) *form {
	if d.On == what {
		return d.Form
	}
	return nil
}

func (s *Site) courses(w http.ResponseWriter, r *http.Request) {
	done := r.URL.Query().Get("done")
	if done != "settings" {
		done = ""
	}
	s.coursesPage(w, r, http.StatusOK, coursesData{Done: done})
}

func (s *Site) coursesPage(w http.ResponseWriter, r *http.Request, status int, d coursesData) {
	p := s.userPage(w, r, "courses.title", crumb{Label: p0(s, w, r, "courses.title")})
	list, err := s.platform.Courses.List(r.Context(), p.User, course.Filter{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Items = list
	if p.CanAny(string(auth.CourseManage)) && p.User.OrgKind == auth.Chamber {
		c := &courseChoices{Audiences: course.Audiences, MinShare: course.DefaultMinShare}
		for i := range moduleRows {
			c.Modules = append(c.Modules, i)
		}
		for i := range lessonRows {
			c.Lessons = append(c.Lessons, i)
		}
		d.Create = c
		set, err := s.platform.Courses.Settings(r.Context(), p.User, p.User.Org)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Settings = &set
	}
	p.Data = &d
	s.render(w, r, status, "courses", p)
}

// number reads a whole number typed in a form: blank is 0, anything else
// that is not a number is -1, which the service says is out of bounds.
func number(v string) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// planOf reads the form of a new course; rows maps the plan's modules and
// lessons to the form's rows (a blank row is skipped), for the problems.
func planOf(f url.Values) (course.Plan, map[string]string) {
	plan := course.Plan{Audience: course.Audience(f.Get("audience")), Description: f.Get("description"),
		Title: competence.Text{IT: f.Get("title.it"), EN: f.Get("title.en")}, Rule: course.Rule{MinShare: number(f.Get("rule.min_share"))}}
	rows := map[string]string{}
	for i := range moduleRows {
		at := fmt.Sprintf("modules[%d]", i)
		m := course.Module{Title: competence.Text{IT: f.Get(at + ".title.it"), EN: f.Get(at + ".title.en")}, Hours: number(f.Get(at + ".hours"))}
		if strings.TrimSpace(m.Title.IT+m.Title.EN+f.Get(at+".hours")) == "" {
			continue
		}
		rows[fmt.Sprintf("modules[%d]", len(plan.Modules))] = at
		plan.Modules = append(plan.Modules, m)
	}
	for i := range lessonRows {
		at := fmt.Sprintf("lessons[%d]", i)
		l := course.Lesson{Day: f.Get(at + ".day"), Minutes: number(f.Get(at + ".minutes"))}
		if strings.TrimSpace(l.Day+f.Get(at+".minutes")) == "" {
			continue
		}
		rows[fmt.Sprintf("lessons[%d]", len(plan.Lessons))] = at
		plan.Lessons = append(plan.Lessons, l)
	}
	return plan, rows
}

func (s *Site) createCourse(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	plan, rows := planOf(r.PostForm)
	c, err := s.platform.Courses.Create(r.Context(), principal(r), plan)
	if err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		// A module's or a lesson's problem is said beside its row.
		for field, msg := range fm.Errors {
			for from, to := range rows {
				if rest, ok := strings.CutPrefix(field, from+"."); ok {
					delete(fm.Errors, field)
					fm.Errors[to+"."+rest] = msg
				}
			}
		}
		s.coursesPage(w, r, httpstatus.Of(err), coursesData{Form: fm, On: "create"})
		return
	}
	http.Redirect(w, r, "/courses/"+c.ID+"?done=created", http.StatusSeeOther)
}

func (s *Site) courseSettings(w http.ResponseWriter, r *http.Request) {
	if !s.parsed(w, r) {
		return
	}
	f := r.PostForm
	set := course.Settings{RequireTutorBadge: f.Get("require_tutor_badge") == "yes", ValidityMonths: number(f.Get("tutor_badge_validity"))}
	if _, err := s.platform.Courses.SetSettings(r.Context(), principal(r), set); err != nil {
		fm, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.coursesPage(w, r, httpstatus.Of(err), coursesData{Form: fm, On: "settings"})
		return
	}
	http.Redirect(w, r, "/courses?done=settings#settings", http.StatusSeeOther)
}

// --- a course ---

// courseData is what a course's page shows.
type courseData struct {
	Course *course.Course
	// Manage says the reader keeps the course (its Chamber's operators).
	Manage bool
	// Roles are the roles one takes the course in.
	Roles   []auth.Role
	Lessons []lessonRow
	orgs    map[string]string // the participants' organisations' names
	Form    *form
	On      string // the form refused: "enrol", "attendance:N", "start", "close", "cancel", "withdraw:person"
	Done    string
}

// lessonRow is a lesson, numbered from 1.
type lessonRow struct {
	N int
	course.Lesson
}

// FormOn returns the refused form if it was on what, else nil.
func (d *courseData) FormOn(what string) *form {
	if d.On == what {
		return d.Form
	}
	return nil
}

// Attended returns the minutes recorded for person at lesson n, or "".
func (d *courseData) Attended(n int, person string) string {
	for _, a := range d.Course.Attendance {
		if a.Lesson == n && a.Person == person {
			return strconv.Itoa(a.Minutes)
		}
	}
	return ""
}

// OrgName returns the name of a participant's organisation, or its id
// when the reader does not reach it.
func (d *courseData) OrgName(id string) string { return or(d.orgs[id], id) }

// Missing reports whether a completer of the closed course has no badge
// yet: closing again issues it.
func (d *courseData) Missing() bool {
	return d.Course.State == course.Closed && slices.ContainsFunc(d.Course.Participants, func(pt course.Participant) bool {
		return pt.Outcome == course.Completed && pt.Credential == ""
	})
}

// courseDone are the messages a course's page says after an act.
var courseDone = []string{"created", "enrolled", "withdrawn", "started", "attendance", "closed", "cancelled"}

func (s *Site) courseView(w http.ResponseWriter, r *http.Request) {
	done := r.URL.Query().Get("done")
	if !slices.Contains(courseDone, done) {
		done = ""
	}
	s.coursePage(w, r, http.StatusOK, r.PathValue("id"), courseData{Done: done})
}

func (s *Site) coursePage(w http.ResponseWriter, r *http.Request, status int, id string, d courseData) {
	p := s.userPage(w, r, "courses.title", crumb{p0(s, w, r, "courses.title"), "/courses"})
	c, err := s.platform.Courses.Get(r.Context(), p.User, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Course, d.Roles = c, c.Audience.Roles()
	d.Manage = p.Can(auth.CourseManage, c.Object(p.User)) && p.User.Role == auth.ChamberOperator
	for i, l := range c.Lessons {
		d.Lessons = append(d.Lessons, lessonRow{i + 1, l})
	}
	d.orgs = map[string]string{}
	for _, pt := range c.Participants {
		if _, ok := d.orgs[pt.Org]; ok || s.platform.Orgs == nil {
			continue
		}
		o, err := s.platform.Orgs.Get(r.Context(), p.User, pt.Org)
		switch {
		case err == nil:
			d.orgs[pt.Org] = o.Name
		case attesta.ErrorCode(err) == attesta.NotFound || attesta.ErrorCode(err) == attesta.Forbidden:
			d.orgs[pt.Org] = ""
		default:
			s.fail(w, r, err)
			return
		}
	}
	p.Title = p.In(c.Title)
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{Label: p.Title})
	p.Data = &d
	s.render(w, r, status, "course", p)
}

// courseAct is the handler of an act on a course: it runs the act and
// sends the browser back to the page, or shows the page again with the
// form as typed and the problem beside it.
func (s *Site) courseAct(act string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.parsed(w, r) {
			return
		}
		id, f, ctx, p := r.PathValue("id"), r.PostForm, r.Context(), principal(r)
		svc := s.platform.Courses
		on, done, anchor := act, "", ""
		var err error
		switch act {
		case "enrol":
			_, err = svc.EnrolByEmail(ctx, p, id, f.Get("email"), auth.Role(f.Get("role")), f.Get("org"))
			done, anchor = "enrolled", "#participants"
		case "withdraw":
			on = "withdraw:" + f.Get("person")
			_, err = svc.Withdraw(ctx, p, id, f.Get("person"))
			done, anchor = "withdrawn", "#participants"
		case "start":
			_, err = svc.Start(ctx, p, id)
			done = "started"
		case "attendance":
			lesson := number(f.Get("lesson"))
			on = "attendance:" + strconv.Itoa(lesson)
			var c *course.Course
			if err = svc.MayManage(ctx, p, id); err != nil {
				break
			}
			if c, err = svc.Get(ctx, p, id); err != nil {
				break
			}
			minutes := map[string]int{}
			for _, pt := range c.Participants {
				if v := strings.TrimSpace(f.Get("minutes[" + pt.Person + "]")); v != "" {
					minutes[pt.Person] = number(v)
				}
			}
			_, err = svc.Attend(ctx, p, id, lesson, minutes)
			done, anchor = "attendance", fmt.Sprintf("#lesson-%d", lesson)
		case "close":
			if err = svc.MayManage(ctx, p, id); err != nil {
				break
			}
			if !confirmed(f) {
				var fe attesta.FieldErrors
				fe.Problem("confirm", "err.course.close.confirm")
				err = fe.Err()
				break
			}
			var c *course.Course
			if c, err = svc.Close(ctx, p, id); err != nil && c != nil {
				// Closed, with badges still to issue: said on the page,
				// where closing again retries them.
				pg := s.newPage(w, r)
				s.coursePage(w, r, httpstatus.Of(err), id, courseData{Form: &form{Values: f, Error: messageIn(err, pg.Lang)}, On: on})
				return
			}
			done = "closed"
		case "cancel":
			_, err = svc.Cancel(ctx, p, id, f.Get("reason"))
			done = "cancelled"
		}
		if err != nil {
			fm, ok := s.formError(s.newPage(w, r), r, err)
			if !ok {
				s.fail(w, r, err)
				return
			}
			s.coursePage(w, r, httpstatus.Of(err), id, courseData{Form: fm, On: on})
			return
		}
		http.Redirect(w, r, "/courses/"+id+"?done="+done+anchor, http.StatusSeeOther)
	}
}
