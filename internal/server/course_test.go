package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/testserver"
)

// postForm posts a form as the signed-in user of jar, and returns the
// status, where it sends the browser and the page.
func postForm(t *testing.T, ts *httptest.Server, jar http.CookieJar, path string, form url.Values) (int, string, string) {
	t.Helper()
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(ts.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// getPage gets a page as the signed-in user of jar.
func getPage(t *testing.T, ts *httptest.Server, jar http.CookieJar, path string) (int, string) {
	t.Helper()
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A Chamber runs a course on its pages: creates it (a refused form is
// shown again as typed, the problem beside the field), enrols two company
// tutors by e-mail address, starts it, records the attendance, closes it
// after confirming; the one who attended enough holds a tutor badge that
// verifies, the other does not. A participant sees their own part only,
// on the page and in the API; another Chamber finds no such course.
func TestCourseOnThePages(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	jar := signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)

	// A refused form: no title, a lesson's minutes not a number.
	form := url.Values{"audience": {"company_tutors"}, "title.it": {" "}, "modules[0].title.it": {"Osservare le evidenze"},
		"modules[0].hours": {"2"}, "lessons[1].day": {"2026-11-10"}, "lessons[1].minutes": {"due ore"}, "rule.min_share": {"80"}}
	status, _, page := postForm(t, ts, jar, "/courses", form)
	if status != http.StatusBadRequest || !strings.Contains(page, `value="Osservare le evidenze"`) ||
		!strings.Contains(page, `id="create-f-title-it-error"`) || !strings.Contains(page, `id="lesson-1-minutes-error"`) {
		t.Fatalf("a refused course: %d\n%s", status, snippet(page))
	}
	form.Set("title.it", "Corso base per tutor aziendali")
	form.Set("lessons[1].minutes", "120")
	status, loc, page := postForm(t, ts, jar, "/courses", form)
	id, ok := strings.CutPrefix(strings.TrimSuffix(loc, "?done=created"), "/courses/")
	if status != http.StatusSeeOther || !ok || !course.ValidID(id) {
		t.Fatalf("creating a course: %d %s\n%s", status, loc, snippet(page))
	}
	// Enrolling by e-mail address: an unknown one is said beside the field.
	status, _, page = postForm(t, ts, jar, "/courses/"+id+"/participants", url.Values{"email": {"nessuno@example.org"}, "role": {"company_tutor"}})
	if status != http.StatusBadRequest || !strings.Contains(page, `id="enrol-email-error"`) || !strings.Contains(page, `value="nessuno@example.org"`) {
		t.Fatalf("enrolling an unknown address: %d\n%s", status, snippet(page))
	}
	for _, email := range []string{"tutor@meccanica-lombarda.example", "esperto@meccanica-lombarda.example"} {
		if status, loc, page := postForm(t, ts, jar, "/courses/"+id+"/participants", url.Values{"email": {email}, "role": {"company_tutor"}}); status != http.StatusSeeOther {
			t.Fatalf("enrolling %s: %d %s\n%s", email, status, loc, snippet(page))
		}
	}
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	tutor, err := svc.People.PrincipalByEmail(ctx, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	if err != nil {
		t.Fatal(err)
	}
	expert, err := svc.People.PrincipalByEmail(ctx, "esperto@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	if err != nil {
		t.Fatal(err)
	}
	if status, loc, page := postForm(t, ts, jar, "/courses/"+id+"/start", nil); status != http.StatusSeeOther {
		t.Fatalf("starting: %d %s\n%s", status, loc, snippet(page))
	}
	// The tutor attended the whole lesson, the expert half of it.
	status, loc, page = postForm(t, ts, jar, "/courses/"+id+"/attendance", url.Values{"lesson": {"1"},
		"minutes[" + tutor.Person + "]": {"120"}, "minutes[" + expert.Person + "]": {"60"}})
	if status != http.StatusSeeOther {
		t.Fatalf("attendance: %d %s\n%s", status, loc, snippet(page))
	}
	// Closing asks for a confirmation.
	status, _, page = postForm(t, ts, jar, "/courses/"+id+"/close", nil)
	if status != http.StatusBadRequest || !strings.Contains(page, `id="close-confirm-error"`) {
		t.Fatalf("closing unconfirmed: %d\n%s", status, snippet(page))
	}
	if status, loc, page := postForm(t, ts, jar, "/courses/"+id+"/close", url.Values{"confirm": {"yes"}}); status != http.StatusSeeOther {
		t.Fatalf("closing: %d %s\n%s", status, loc, snippet(page))
	}
	c, err := svc.Courses.Get(ctx, chamber, id)
	if err != nil || c.State != course.Closed || len(c.Participants) != 2 {
		t.Fatalf("the closed course: %+v %v", c, err)
	}
	for _, pt := range c.Participants {
		switch {
		case pt.Person == tutor.Person && (pt.Outcome != course.Completed || pt.Credential == "" || pt.Minutes != 120):
			t.Errorf("the tutor: %+v", pt)
		case pt.Person == expert.Person && (pt.Outcome != course.NotCompleted || pt.Credential != "" || pt.Minutes != 60):
			t.Errorf("the expert: %+v", pt)
		}
	}
	badge := ""
	for _, pt := range c.Participants {
		if pt.Person == tutor.Person {
			badge = pt.Credential
		}
	}
	rec, err := svc.Credentials.Record(ctx, credential.Actor{Name: "test"}, badge)
	if err != nil {
		t.Fatal(err)
	}
	if r := svc.Verifier.Verify(ctx, rec.Body); !r.Verified || !r.Chamber {
		t.Fatalf("the tutor badge does not verify: %+v", r.Checks)
	}
	// Every badge issued, closing again is not offered; the participants'
	// company is named.
	if status, page := getPage(t, ts, jar, "/courses/"+id); status != http.StatusOK || !strings.Contains(page, badge) || strings.Contains(page, `id="close-form"`) ||
		!strings.Contains(page, "Meccanica Lombarda") {
		t.Errorf("the Chamber's page of the closed course: %d, badge %s\n%s", status, badge, snippet(page))
	}

	// The tutor sees the course and their own part only.
	tutorJar := signIn(t, ts, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	status, page = getPage(t, ts, tutorJar, "/courses/"+id)
	if status != http.StatusOK || !strings.Contains(page, badge) || strings.Contains(page, expert.Name) || strings.Contains(page, `id="close-form"`) {
		t.Errorf("the tutor's page: %d\n%s", status, snippet(page))
	}
	if status, page := getPage(t, ts, tutorJar, "/courses"); status != http.StatusOK || !strings.Contains(page, "/courses/"+id) || strings.Contains(page, `id="create-form"`) {
		t.Errorf("the tutor's courses: %d\n%s", status, snippet(page))
	}
	if status, _, _ := postForm(t, ts, tutorJar, "/courses/"+id+"/cancel", url.Values{"reason": {"no"}}); status != http.StatusForbidden {
		t.Errorf("the tutor cancels: %d", status)
	}
	_, tutorToken := newToken(t, srv, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	var got course.Course
	if status := apiGet(t, ts, tutorToken, "/api/v1/courses/"+id, &got); status != http.StatusOK || len(got.Participants) != 1 || got.Participants[0].Person != tutor.Person {
		t.Errorf("the tutor's course in the API: %d %+v", status, got.Participants)
	}
	// The expert, who did not complete it, sees theirs.
	expertJar := signIn(t, ts, "esperto@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	if status, page := getPage(t, ts, expertJar, "/courses/"+id); status != http.StatusOK || strings.Contains(page, badge) || strings.Contains(page, tutor.Name) {
		t.Errorf("the expert's page: %d\n%s", status, snippet(page))
	}

	// Another Chamber: no such course, on the pages and in the API.
	turin := signIn(t, ts, "operatore@to.example", "cciaa-torino", auth.ChamberOperator)
	if status, _ := getPage(t, ts, turin, "/courses/"+id); status != http.StatusNotFound {
		t.Errorf("another Chamber's page: %d", status)
	}
	if status, _, _ := postForm(t, ts, turin, "/courses/"+id+"/close", url.Values{"confirm": {"yes"}}); status != http.StatusNotFound {
		t.Errorf("another Chamber closes: %d", status)
	}
	_, turinToken := newToken(t, srv, "operatore@to.example", "cciaa-torino", auth.ChamberOperator)
	if status := apiGet(t, ts, turinToken, "/api/v1/courses/"+id, nil); status != http.StatusNotFound {
		t.Errorf("another Chamber in the API: %d", status)
	}
	var list struct{ Items []course.Course }
	if status := apiGet(t, ts, turinToken, "/api/v1/courses", &list); status != http.StatusOK || len(list.Items) != 0 {
		t.Errorf("another Chamber's list: %d %d courses", status, len(list.Items))
	}
}

// apiGet gets an API address with a personal access token, and decodes
// the answer into v when it is not nil.
func apiGet(t *testing.T, ts *httptest.Server, token, path string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// When the Milan Chamber requires a valid tutor badge, a new experience in
// its territory needs a company tutor who holds one: the demo's tutor,
// who took its course, may be; a colleague without one is refused beside
// the field, with the course's words; a Chamber that requires nothing
// asks nothing.
func TestNewExperienceNeedsTutorBadge(t *testing.T) {
	srv := testserver.New(t)
	ctx := context.Background()
	svc := srv.Services()
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	school, err := svc.People.PrincipalByEmail(ctx, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	if err != nil {
		t.Fatal(err)
	}
	tutor, err := svc.People.PrincipalByEmail(ctx, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	if err != nil {
		t.Fatal(err)
	}
	expert, err := svc.People.PrincipalByEmail(ctx, "esperto@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	if err != nil {
		t.Fatal(err)
	}
	// A design like the demo's in progress in Milan.
	es, err := svc.Experiences.List(ctx, school, experience.Filter{State: experience.InProgress})
	if err != nil || len(es) == 0 {
		t.Fatalf("the demo's experience: %v", err)
	}
	base := es[0]
	create := func(companyTutor string) error {
		d := base.Design
		d.Title, d.CompanyTutor = "Manutenzione di un centro di lavoro", companyTutor
		_, err := svc.Experiences.Create(ctx, school, experience.New{Company: base.Company, Class: base.Class, Sector: base.Sector, Design: d})
		return err
	}
	if err := create(expert.Person); err != nil {
		t.Fatalf("no requirement: %v", err)
	}
	if _, err := svc.Courses.SetSettings(ctx, chamber, course.Settings{RequireTutorBadge: true}); err != nil {
		t.Fatal(err)
	}
	err = create(expert.Person)
	var fe attesta.FieldErrors
	if attesta.ErrorCode(err) != attesta.Conflict || !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != "company_tutor" || fe[0].Key != "err.course.badge.required" {
		t.Fatalf("a company tutor without a badge: %v", err)
	}
	if err := create(tutor.Person); err != nil {
		t.Fatalf("the demo's tutor, who holds a badge: %v", err)
	}
}
