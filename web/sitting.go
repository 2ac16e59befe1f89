package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/httpstatus"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// The online test's sittings (issue 14): the list of the sittings a user
// sees, with the form that opens one; a sitting's page, for the staff (the
// access code, the candidates to authorize, the attempts to pause, resume
// or end, irregularities, the end and the release, the history) and for a
// candidate (the start with the access code, their attempts). The attempt
// itself is attempt.go's. docs/design/test-pages.md says why they look as
// they do.

// now is the server's time.
func (s *Site) now() time.Time {
	if s.platform.Clock != nil {
		return s.platform.Clock()
	}
	return time.Now()
}

// localLayout is how a datetime-local input writes a time, in Rome.
const localLayout = "2006-01-02T15:04"

// localTime reads a datetime-local input, in Rome; the zero time when it is
// not one (the service says the window is wrong).
func localTime(v string) time.Time {
	t, err := time.ParseInLocation(localLayout, strings.TrimSpace(v), attesta.Rome)
	if err != nil {
		return time.Time{}
	}
	return t
}

// --- the list ---

// sittingsData is what the list of sittings shows.
type sittingsData struct {
	Items   []sittingRow
	Student bool
	// Open is the form that opens a sitting, for those who may.
	Open *openChoices
	Form *form
}

// sittingRow is a sitting of the list.
type sittingRow struct {
	assessment.Sitting
	Test string // the test's title, when the reader may see it
	Open bool   // candidates may start now
	// Waiting counts the candidates not yet authorized (the staff's).
	Waiting int
	// A candidate's own: whether they are authorized, and their attempt in
	// this sitting, the latest.
	Mine    *assessment.Candidate
	Attempt *assessment.Attempt
	// Start: the candidate may start now (authorized, the sitting open,
	// no attempt in progress).
	Start bool
}

// openChoices are the choices of the form that opens a sitting.
type openChoices struct {
	Tests []assessment.Blueprint
	// Schools, for a Chamber or the national body, to choose from first
	// (a GET form); a school's referent opens sittings of their school.
	Schools []org.Organisation
	School  string
	Classes []people.Class
	Tutors  []people.Member
	// Opens and Closes are the window proposed.
	Opens, Closes string
}

func (s *Site) sittings(w http.ResponseWriter, r *http.Request) {
	s.sittingsPage(w, r, http.StatusOK, nil)
}

func (s *Site) sittingsPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.userPage(w, r, "sittings.title", crumb{Label: p0(s, w, r, "sittings.title")})
	ctx := r.Context()
	list, err := s.platform.Tests.Sittings(ctx, p.User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	d := sittingsData{Student: p.User.Role == auth.Student, Form: f}
	titles := map[string]string{}
	if p.CanAny(string(auth.TestView)) {
		bs, err := s.platform.Tests.Blueprints(ctx, p.User)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, b := range bs {
			titles[b.ID] = b.Title
		}
	}
	for _, st := range list {
		row := sittingRow{Sitting: st, Open: st.Open(now), Test: titles[st.Blueprint]}
		for _, c := range st.Candidates {
			if !c.Authorized() {
				row.Waiting++
			}
		}
		if d.Student {
			// A candidate's sittings are few: each is read for their
			// attempts.
			v, err := s.platform.Tests.GetSitting(ctx, p.User, st.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			row.Test = v.Blueprint.Title
			if len(v.Candidates) > 0 {
				row.Mine = &v.Candidates[0]
			}
			if n := len(v.Attempts); n > 0 {
				row.Attempt = &v.Attempts[n-1]
			}
			row.Start = row.Open && row.Mine != nil && row.Mine.Authorized() && (row.Attempt == nil || row.Attempt.State == assessment.Submitted)
		}
		d.Items = append(d.Items, row)
	}
	if p.CanAny(string(auth.SittingManage)) {
		if d.Open, err = s.openChoices(r, p, f); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p.Data = &d
	s.render(w, r, status, "sittings", p)
}

// openChoices reads what the form that opens a sitting offers: the tests
// the user may use, and the classes and tutors of the school chosen.
func (s *Site) openChoices(r *http.Request, p *page, f *form) (*openChoices, error) {
	ctx := r.Context()
	c := &openChoices{}
	var err error
	if c.Tests, err = s.platform.Tests.Blueprints(ctx, p.User); err != nil {
		return nil, err
	}
	c.School = r.URL.Query().Get("school")
	if f != nil && f.V("school") != "" {
		c.School = f.V("school")
	}
	if p.User.Role == auth.SchoolReferent {
		c.School = p.User.Org
	} else {
		if c.Schools, err = s.platform.Orgs.List(ctx, p.User, org.Filter{Kind: auth.School}); err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(c.Schools, func(o org.Organisation) bool { return o.ID == c.School }) {
			c.School = ""
		}
	}
	if c.School != "" {
		if c.Classes, err = s.platform.People.Classes(ctx, p.User, c.School); err != nil {
			return nil, err
		}
		members, err := s.platform.People.Members(ctx, p.User, c.School)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.Role == auth.SchoolTutor {
				c.Tutors = append(c.Tutors, m)
			}
		}
	}
	opens := s.now().In(attesta.Rome).Truncate(time.Minute)
	c.Opens, c.Closes = opens.Format(localLayout), opens.Add(2*time.Hour).Format(localLayout)
	return c, nil
}

func (s *Site) openSitting(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		in := assessment.NewSitting{Blueprint: f.Get("blueprint"), Title: f.Get("title"), Opens: localTime(f.Get("opens")),
			Closes: localTime(f.Get("closes")), Classes: f["classes"], Proctors: f["proctors"]}
		st, err := s.platform.Tests.OpenSitting(r.Context(), principal(r), in)
		if err != nil {
			return "", err
		}
		return "/sittings/" + st.ID, nil
	}, func(f *form, status int) {
		summarize(f)
		s.sittingsPage(w, r, status, f)
	})
}

// summarize lists every problem of a refused form, for its top.
func summarize(f *form) {
	for _, m := range f.Errors {
		f.Summary = append(f.Summary, m)
	}
	slices.Sort(f.Summary)
}

// --- a sitting ---

// sittingData is what a sitting's page shows.
type sittingData struct {
	View    *assessment.SittingView
	Open    bool
	Student bool
	// The staff's: the candidates and the attempts, the history, and the
	// proctors by name.
	Candidates []candidateRow
	Attempts   []attemptRow
	Proctors   []string
	// Counted says the attempts' answers were counted (a sitting of more
	// than maxCounted attempts shows them without).
	Counted bool
	// What the user may do: proctor (authorize, pause, resume and end
	// attempts, record irregularities, end the sitting), release.
	Proctor, End, Release bool
	Irregularities        []assessment.Irregularity
	// A candidate's own: their call, their attempts, the one in progress.
	Mine   *assessment.Candidate
	Active *assessment.Attempt
	Start  bool
	// A refused act: the form, and what it was on ("start",
	// "authorize:<person>", "attempt:<id>", "irregularity", "end",
	// "release").
	Form *form
	On   string
	// Done says what the page follows: an act that went through.
	Done string
	// names gives the candidates' names by person.
	names map[string]string
}

// candidateRow is a candidate of the sitting, with who authorized them.
type candidateRow struct {
	assessment.Candidate
	AuthorizedName string
	Attempt        *attemptRow // their latest attempt in the sitting
}

// attemptRow is an attempt of the sitting, as the staff see it.
type attemptRow struct {
	assessment.Attempt
	Name      string
	Remaining time.Duration
	// Answered and Items count the answers given (when counted).
	Answered, Items int
	Result          *assessment.Result
}

// Name returns a candidate's name.
func (d *sittingData) Name(person string) string { return or(d.names[person], person) }

// FormOn returns the refused form if it was on what, else nil.
func (d *sittingData) FormOn(what string) *form {
	if d.On == what {
		return d.Form
	}
	return nil
}

// maxCounted bounds the attempts whose answers a sitting's page counts:
// each is read whole.
var maxCounted = 100

func (s *Site) sittingView(w http.ResponseWriter, r *http.Request) {
	s.sittingPage(w, r, http.StatusOK, r.PathValue("id"), sittingData{Done: doneOf(r)})
}

// doneOf reads which act a page follows (?done=…), for its message.
func doneOf(r *http.Request) string {
	switch v := r.URL.Query().Get("done"); v {
	case "authorized", "irregularity", "ended", "released", "paused", "resumed", "ended_attempt", "submitted":
		return v
	}
	return ""
}

func (s *Site) sittingPage(w http.ResponseWriter, r *http.Request, status int, id string, d sittingData) {
	p := s.userPage(w, r, "sittings.title", crumb{p0(s, w, r, "sittings.title"), "/sittings"})
	ctx := r.Context()
	v, err := s.platform.Tests.GetSitting(ctx, p.User, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	d.View, d.Open, d.Student = v, v.Open(now), p.User.Role == auth.Student
	d.names = map[string]string{}
	for _, c := range v.Candidates {
		d.names[c.Person] = c.Name
	}
	p.Title = v.Title
	p.Breadcrumbs = append(p.Breadcrumbs, crumb{Label: v.Title})
	if d.Student {
		if len(v.Candidates) > 0 {
			d.Mine = &v.Candidates[0]
		}
		for i := range v.Attempts {
			if v.Attempts[i].State != assessment.Submitted {
				d.Active = &v.Attempts[i]
			}
		}
		d.Start = d.Open && d.Mine != nil && d.Mine.Authorized() && d.Active == nil
		p.Data = &d
		s.render(w, r, status, "sitting", p)
		return
	}
	obj := v.Object(p.User)
	d.Proctor = v.Proctor && p.Can(auth.SittingProctor, obj)
	d.End = d.Proctor && v.Ended.IsZero()
	d.Release = p.Can(auth.SittingManage, obj) && assessment.Releaser(p.User) && v.Releasable(now)
	d.Irregularities = assessment.Irregularities
	authorizedBy, actors := map[string]string{}, map[string]string{}
	for _, e := range v.Events {
		if e.Kind == assessment.Authorized {
			authorizedBy[e.Candidate] = e.ByName
		}
		actors[e.By] = e.ByName
	}
	d.Counted = len(v.Attempts) <= maxCounted
	latest := map[string]int{}
	for i, a := range v.Attempts {
		row := attemptRow{Attempt: a, Name: d.Name(a.Candidate), Remaining: a.Remaining(now), Items: len(a.Form.Items)}
		if d.Counted {
			av, err := s.platform.Tests.GetAttempt(ctx, p.User, a.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			row.Answered, row.Result = len(av.Answers), av.Result
		}
		d.Attempts = append(d.Attempts, row)
		latest[a.Candidate] = i
	}
	for _, c := range v.Candidates {
		row := candidateRow{Candidate: c, AuthorizedName: authorizedBy[c.Person]}
		if i, ok := latest[c.Person]; ok {
			row.Attempt = &d.Attempts[i]
		}
		d.Candidates = append(d.Candidates, row)
	}
	// The proctors by name: from the history when they acted, else from
	// their profile when the reader may see it (a proctor the reader may
	// not see, and who has not acted yet, is left out).
	for _, pid := range v.Proctors {
		name := actors[pid]
		if name == "" {
			if pr, err := s.platform.People.Profile(ctx, p.User, pid); err == nil {
				name = pr.Person.Name()
			}
		}
		if name != "" {
			d.Proctors = append(d.Proctors, name)
		}
	}
	p.Data = &d
	s.render(w, r, status, "sitting", p)
}

// confirmed reads a form's confirmation of an act that cannot be undone.
func confirmed(f url.Values) bool { return f.Get("confirm") == "yes" }

// sittingAct runs an act on sitting id and sends the browser back to its
// page; a refusal shows the page again with the form as typed and the
// problem beside it (on names the form).
func (s *Site) sittingAct(w http.ResponseWriter, r *http.Request, id, on, done string, act func(f url.Values) error) {
	if !s.parsed(w, r) {
		return
	}
	if err := act(r.PostForm); err != nil {
		f, ok := s.formError(s.newPage(w, r), r, err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.sittingPage(w, r, httpstatus.Of(err), id, sittingData{Form: f, On: on})
		return
	}
	anchor := map[string]string{"authorized": "#candidates", "irregularity": "#history", "paused": "#attempts", "resumed": "#attempts", "ended_attempt": "#attempts"}[done]
	http.Redirect(w, r, "/sittings/"+id+"?done="+done+anchor, http.StatusSeeOther)
}

func (s *Site) authorizeCandidate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.sittingAct(w, r, id, "authorize:"+r.FormValue("candidate"), "authorized", func(f url.Values) error {
		return s.platform.Tests.Authorize(r.Context(), principal(r), id, f.Get("candidate"))
	})
}

func (s *Site) recordIrregularity(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.sittingAct(w, r, id, "irregularity", "irregularity", func(f url.Values) error {
		return s.platform.Tests.RecordIrregularity(r.Context(), principal(r), id, f.Get("attempt"), assessment.Irregularity(f.Get("category")), f.Get("note"))
	})
}

func (s *Site) endSitting(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.sittingAct(w, r, id, "end", "ended", func(f url.Values) error {
		return s.platform.Tests.EndSitting(r.Context(), principal(r), id, confirmed(f))
	})
}

func (s *Site) releaseSitting(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.sittingAct(w, r, id, "release", "released", func(f url.Values) error {
		return s.platform.Tests.Release(r.Context(), principal(r), id, confirmed(f))
	})
}

// startAttempt starts the candidate's attempt with the access code typed,
// and opens its first item; a refusal shows the sitting's page with the
// code typed and the reason beside it.
func (s *Site) startAttempt(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.submit(w, r, func(f url.Values) (string, error) {
		a, err := s.platform.Tests.Start(r.Context(), principal(r), id, f.Get("code"))
		if err != nil {
			return "", err
		}
		return "/attempts/" + a.ID, nil
	}, func(f *form, status int) {
		s.sittingPage(w, r, status, id, sittingData{Form: f, On: "start"})
	})
}

// proctorAttempt pauses, resumes or ends an attempt (the proctor's acts,
// confirmed) and goes back to its sitting's page.
func (s *Site) proctorAttempt(kind assessment.EventKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		v, err := s.platform.Tests.GetAttempt(r.Context(), principal(r), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.sittingAct(w, r, v.Sitting, "attempt:"+id, string(kind), func(f url.Values) error {
			return s.platform.Tests.ProctorAttempt(r.Context(), principal(r), id, kind, confirmed(f))
		})
	}
}
