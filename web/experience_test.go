package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/testserver"
)

// browser is a signed-in person's HTTP client, without redirects followed.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func signedIn(t *testing.T, ts *httptest.Server, email, org string, role auth.Role) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t, ts.URL, &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if code, _, _ := b.post("/login", url.Values{"email": {email}, "password": {demo.Password}}); code != 303 {
		t.Fatalf("signing in as %s: %d", email, code)
	}
	if code, _, _ := b.post("/account/switch", url.Values{"org": {org}, "role": {string(role)}}); code != 303 {
		t.Fatalf("switching to %s: %d", role, code)
	}
	return b
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

// TestExperiencePages: a school tutor designs an experience by ticking
// evidences (a refused form keeps everything typed and ticked, with each
// problem by its field), both sides sign it off, a stale edit is refused
// with its reason, a change after sign-off is revision 2 and the
// comparison says it; the company tutor starts it, records and corrects
// hours; a student sees only their own hours.
func TestExperiencePages(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	admin, err := svc.People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	classes, err := svc.People.Classes(ctx, admin, "mitf01000a")
	if err != nil || len(classes) == 0 {
		t.Fatal(err)
	}
	class, err := svc.People.Class(ctx, admin, classes[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	student := map[string]string{}
	for _, e := range class.Students {
		student[e.Person.FamilyName] = e.Person.ID
	}
	school := signedIn(t, ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	company := signedIn(t, ts, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	companyTutor, _ := svc.People.PrincipalByEmail(ctx, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	schoolTutor, _ := svc.People.PrincipalByEmail(ctx, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)

	// The choices, then the form with the standard's rows.
	code, page := school.get("/experiences/new")
	if code != 200 || !strings.Contains(page, `value="co-09712340562"`) || !strings.Contains(page, `value="meccatronica|progettazione"`) {
		t.Fatalf("choices: %d", code)
	}
	code, page = school.get("/experiences/new?company=co-09712340562&class=" + class.Class.ID + "&area=meccatronica%7Cprogettazione")
	const ev = "C1|ADA.10.02.02|RA1|1|2"
	if code != 200 || !strings.Contains(page, `value="`+ev+`"`) || !strings.Contains(page, `value="`+student["Marino"]+`"`) {
		t.Fatalf("design form: %d", code)
	}
	form := url.Values{"school": {"mitf01000a"}, "company": {"co-09712340562"}, "class": {class.Class.ID}, "sector": {"meccatronica"},
		"path": {"progettazione"}, "title": {"Manutenzione di attrezzature"}, "start": {"2026-10-05"}, "end": {"2027-02-30"},
		"planned_hours": {"120"}, "student": {student["Esposito"], student["Marino"]}, "school_tutor": {schoolTutor.Person},
		"company_tutor": {companyTutor.Person}, "evidence": {ev, "C1|ADA.10.02.02|RA1|1|9"}}
	code, page, _ = school.post("/experiences", form)
	if code != 400 {
		t.Fatalf("a design with problems: %d", code)
	}
	for _, want := range []string{`value="Manutenzione di attrezzature"`, `id="design-end-error"`, `id="design-errors"`, "9 non è un&#39;evidenza",
		`value="` + ev + `" checked`, `value="` + student["Marino"] + `" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	form.Set("end", "2027-03-31")
	form["evidence"] = []string{ev, "C1|ADA.10.02.03|RA2|1|1"}
	code, _, loc := school.post("/experiences", form)
	if code != 303 || !strings.HasPrefix(loc, "/experiences/exp-") {
		t.Fatalf("creating: %d %s", code, loc)
	}
	code, page = school.get(loc)
	if code != 200 || !strings.Contains(page, `id="experience-state">in bozza`) || !strings.Contains(page, `action="`+loc+`/sign-off"`) || !strings.Contains(page, "Lo studente") {
		t.Fatalf("the draft: %d", code)
	}
	if code, _, _ := school.post(loc+"/sign-off", url.Values{"revision": {"1"}}); code != 303 {
		t.Fatalf("school's sign-off: %d", code)
	}
	if _, page := school.get(loc); strings.Contains(page, `action="`+loc+`/sign-off"`) {
		t.Error("the school is offered a second sign-off")
	}
	if _, page := company.get("/dashboard"); !strings.Contains(page, `id="tasks-signoffs"`) || !strings.Contains(page, loc) {
		t.Error("the company's dashboard does not ask for its sign-off")
	}
	if code, _, _ := company.post(loc+"/sign-off", url.Values{"revision": {"1"}}); code != 303 {
		t.Fatalf("company's sign-off: %d", code)
	}
	if _, page := school.get(loc); !strings.Contains(page, `id="experience-state">co-progettato`) {
		t.Errorf("after both sign-offs: %s", regexp.MustCompile(`id="experience-state">[^<]*`).FindString(page))
	}
	// A stale edit is refused with its reason; a fresh one is revision 2.
	edit := url.Values{}
	for k, v := range form {
		edit[k] = v
	}
	edit.Set("planned_hours", "160")
	edit.Set("revision", "0")
	if code, page, _ := school.post(loc+"/design", edit); code != 409 || !strings.Contains(page, "revisione 0") || !strings.Contains(page, `value="160"`) {
		t.Errorf("a stale edit: %d", code)
	}
	edit.Set("revision", "1")
	if code, _, _ := school.post(loc+"/design", edit); code != 303 {
		t.Fatalf("editing: %d", code)
	}
	code, page = school.get(loc + "/compare?from=1&to=2")
	if code != 200 || !strings.Contains(page, "Ore previste per studente") || !strings.Contains(page, "<del>120</del>") || !strings.Contains(page, "<ins>160</ins>") {
		t.Errorf("compare: %d", code)
	}
	for _, c := range []*browser{school, company} {
		if code, _, _ := c.post(loc+"/sign-off", url.Values{"revision": {"2"}}); code != 303 {
			t.Fatalf("sign-off of revision 2: %d", code)
		}
	}
	if code, _, _ := company.post(loc+"/start", url.Values{"revision": {"2"}}); code != 303 {
		t.Fatalf("start: %d", code)
	}
	// Hours: refused ones keep what was typed; a correction strikes the old.
	code, page, _ = company.post(loc+"/hours", url.Values{"student": {student["Marino"]}, "day": {"2026-11-03"}, "hours": {"7,5"}, "activity": {"Smontaggio"}})
	if code != 400 || !strings.Contains(page, `value="Smontaggio"`) || !strings.Contains(page, `id="hours-day-error"`) {
		t.Errorf("hours of a day to come: %d", code)
	}
	if code, _, _ := company.post(loc+"/hours", url.Values{"student": {student["Marino"]}, "day": {"2026-10-26"}, "hours": {"7,5"}, "activity": {"Smontaggio"}}); code != 303 {
		t.Fatalf("recording hours: %d", code)
	}
	_, page = company.get(loc)
	id := regexp.MustCompile(`name="corrects" value="(att-[a-z2-7]+)"`).FindStringSubmatch(page)
	if id == nil || !strings.Contains(page, "7,5 h") {
		t.Fatal("the record is not shown with a correction form")
	}
	if code, _, _ := company.post(loc+"/hours", url.Values{"corrects": {id[1]}, "student": {student["Marino"]}, "day": {"2026-10-26"}, "hours": {"6:30"}, "activity": {"Smontaggio"}}); code != 303 {
		t.Fatalf("correcting: %d", code)
	}
	_, page = company.get(loc)
	if !strings.Contains(page, "<del>7,5 h</del>") || !strings.Contains(page, "corretta da Paolo Ricci") || !strings.Contains(page, "6,5 h") {
		t.Error("the correction is not shown")
	}
	if !strings.Contains(page, `id="trail"`) || !strings.Contains(page, "Ore corrette") {
		t.Error("the trail lacks the correction")
	}
	// The student account (Esposito) sees the experience, not Marino's hours.
	stud := signedIn(t, ts, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	code, page = stud.get(loc)
	if code != 200 || strings.Contains(page, "Smontaggio") || strings.Contains(page, `action="`+loc+`/hours"`) {
		t.Errorf("the student's view: %d", code)
	}
	if code, page := stud.get("/experiences?state=in_progress"); code != 200 || !strings.Contains(page, loc) {
		t.Errorf("the student's list: %d", code)
	}
}
