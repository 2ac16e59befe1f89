package api

import (
	"net/http"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/course"
)

// courseRoutes are the routes of the Chambers' training courses for
// tutors and teachers, and of a Chamber's settings of the tutor badge
// (docs/design/courses.md).
func (a *API) courseRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	if a.platform.Courses == nil {
		return nil
	}
	return []Route{
		t("GET /api/v1/courses", auth.CourseView, a.listCourses),
		t("POST /api/v1/courses", auth.CourseManage, a.createCourse),
		t("GET /api/v1/courses/{id}", auth.CourseView, a.getCourse),
		t("PUT /api/v1/courses/{id}/plan", auth.CourseManage, a.replanCourse),
		t("POST /api/v1/courses/{id}/participants", auth.CourseManage, a.enrolInCourse),
		t("POST /api/v1/courses/{id}/withdrawals", auth.CourseManage, a.withdrawFromCourse),
		t("POST /api/v1/courses/{id}/start", auth.CourseManage, a.startCourse),
		t("PUT /api/v1/courses/{id}/attendance", auth.CourseManage, a.courseAttendance),
		t("POST /api/v1/courses/{id}/close", auth.CourseManage, a.closeCourse),
		t("POST /api/v1/courses/{id}/cancel", auth.CourseManage, a.cancelCourse),
		t("GET /api/v1/organisations/{id}/course-settings", auth.CourseView, a.courseSettings),
		t("PUT /api/v1/organisations/{id}/course-settings", auth.CourseManage, a.setCourseSettings),
	}
}

func (a *API) listCourses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cs, err := a.platform.Courses.List(r.Context(), who(r), course.Filter{State: course.State(q.Get("state")), Audience: course.Audience(q.Get("audience"))})
	a.reply(w, r, items(cs), err)
}

func (a *API) createCourse(w http.ResponseWriter, r *http.Request) {
	var in course.Plan
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.platform.Courses.Create(r.Context(), who(r), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/courses/"+c.ID)
		created(w)
	}
	a.reply(w, r, c, err)
}

func (a *API) getCourse(w http.ResponseWriter, r *http.Request) {
	c, err := a.platform.Courses.Get(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, c, err)
}

func (a *API) replanCourse(w http.ResponseWriter, r *http.Request) {
	var in course.Plan
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.platform.Courses.Replan(r.Context(), who(r), r.PathValue("id"), in)
	a.reply(w, r, c, err)
}

// enrolmentInput names a participant: by person id or by e-mail address,
// the role they take the course in and, unless they hold it in one
// organisation only, where.
type enrolmentInput struct {
	Person string    `json:"person"`
	Email  string    `json:"email"`
	Role   auth.Role `json:"role"`
	Org    string    `json:"org"`
}

func (a *API) enrolInCourse(w http.ResponseWriter, r *http.Request) {
	var in enrolmentInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	var c *course.Course
	var err error
	if in.Email != "" {
		c, err = a.platform.Courses.EnrolByEmail(r.Context(), who(r), r.PathValue("id"), in.Email, in.Role, in.Org)
	} else {
		c, err = a.platform.Courses.Enrol(r.Context(), who(r), r.PathValue("id"), in.Person, in.Role, in.Org)
	}
	a.reply(w, r, c, err)
}

func (a *API) withdrawFromCourse(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Person string `json:"person"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.platform.Courses.Withdraw(r.Context(), who(r), r.PathValue("id"), in.Person)
	a.reply(w, r, c, err)
}

func (a *API) startCourse(w http.ResponseWriter, r *http.Request) {
	c, err := a.platform.Courses.Start(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, c, err)
}

// attendanceInput is the minutes each participant attended a lesson
// (numbered from 1), by person id.
type attendanceInput struct {
	Lesson  int            `json:"lesson"`
	Minutes map[string]int `json:"minutes"`
}

func (a *API) courseAttendance(w http.ResponseWriter, r *http.Request) {
	var in attendanceInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.platform.Courses.Attend(r.Context(), who(r), r.PathValue("id"), in.Lesson, in.Minutes)
	a.reply(w, r, c, err)
}

func (a *API) closeCourse(w http.ResponseWriter, r *http.Request) {
	c, err := a.platform.Courses.Close(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, c, err)
}

func (a *API) cancelCourse(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := a.platform.Courses.Cancel(r.Context(), who(r), r.PathValue("id"), in.Reason)
	a.reply(w, r, c, err)
}

func (a *API) courseSettings(w http.ResponseWriter, r *http.Request) {
	s, err := a.platform.Courses.Settings(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, s, err)
}

func (a *API) setCourseSettings(w http.ResponseWriter, r *http.Request) {
	var in course.Settings
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	in.Chamber = r.PathValue("id")
	s, err := a.platform.Courses.SetSettings(r.Context(), who(r), in)
	a.reply(w, r, s, err)
}
