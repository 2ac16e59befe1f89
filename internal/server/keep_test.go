package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/roundtable"
)

// TestBlankIsNotRemoval: over the web forms and the API, a field sent
// empty keeps the stored value — a student's contact and guardian's
// consent when the school enrols them again, an organisation's details, a
// meeting's minutes — and a removal is explicit (a ticked box, a "clear"
// list, a withdrawal), in the audit trail with the value removed.
func TestBlankIsNotRemoval(t *testing.T) {
	ctx := context.Background()
	ts, srv := testserver.StartServer(t)
	svc := srv.Services()
	admin, err := svc.People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	classes, err := svc.People.Classes(ctx, admin, "mitf01000a")
	if err != nil || len(classes) != 1 {
		t.Fatalf("the demo class: %v %v", classes, err)
	}
	class := classes[0].ID
	// student returns the record of the demo student with a number.
	student := func(number string) people.Enrolment {
		t.Helper()
		v, err := svc.People.Class(ctx, admin, class)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range v.Students {
			if e.Student.Number == number {
				return e
			}
		}
		t.Fatalf("no student %s", number)
		return people.Enrolment{}
	}
	removal := func(action, value string) {
		t.Helper()
		es, err := svc.Audit.List(ctx, admin, audit.Filter{Action: action, Limit: 1})
		if err != nil || len(es) != 1 || !bytes.Contains(es[0].Before, []byte(value)) || bytes.Contains(es[0].After, []byte(value)) {
			t.Errorf("the trail does not record the removal of %q by %s: %+v %v", value, action, es, err)
		}
	}

	// The web: the school referent enrols a student again with the
	// contact and the consent left empty, as the form comes.
	web := &http.Client{Jar: signIn(t, ts, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent), CheckRedirect: noRedirect}
	post := func(path string, form url.Values, want int) {
		t.Helper()
		if resp, body := fetch(t, web, "POST", ts.URL+path, form); resp.StatusCode != want {
			t.Fatalf("POST %s: %d, want %d\n%s", path, resp.StatusCode, want, snippet(body))
		}
	}
	davide := student("2026-0102")
	if davide.Student.Contact == "" || davide.Student.ConsentBy == "" {
		t.Fatalf("the demo student: %+v", davide)
	}
	enrol := url.Values{"given_name": {"Davide"}, "family_name": {"Marino"}, "number": {"2026-0102"}, "contact": {""}, "consent_by": {""}}
	post("/classes/"+class+"/students", enrol, http.StatusSeeOther)
	if got := student("2026-0102").Student; got != davide.Student {
		t.Fatalf("enrolled again with empty fields:\n got %+v\nwant %+v", got, davide.Student)
	}
	// Ticked boxes remove them, each in the trail.
	enrol["clear"] = []string{"contact"}
	post("/classes/"+class+"/students", enrol, http.StatusSeeOther)
	if got := student("2026-0102").Student; got.Contact != "" || got.ConsentBy != davide.Student.ConsentBy {
		t.Errorf("the contact removed: %+v", got)
	}
	removal("student.update", davide.Student.Contact)
	enrol["clear"] = []string{"consent_by"}
	post("/classes/"+class+"/students", enrol, http.StatusSeeOther)
	if got := student("2026-0102").Student; got.ConsentBy != "" || !got.ConsentAt.IsZero() {
		t.Errorf("the consent removed: %+v", got)
	}
	removal("student.update", davide.Student.ConsentBy)
	// The person's page: an empty consent is refused, the button withdraws.
	sara := student("2026-0101")
	post("/people/"+sara.Person.ID+"/consent", url.Values{"consent_by": {""}}, http.StatusBadRequest)
	if got := student("2026-0101").Student; got.ConsentBy != sara.Student.ConsentBy {
		t.Errorf("an empty consent: %+v", got)
	}
	if _, body := fetch(t, web, "GET", ts.URL+"/people/"+sara.Person.ID, nil); !strings.Contains(body, `name="withdraw"`) {
		t.Error("the person's page has no withdrawal")
	}
	post("/people/"+sara.Person.ID+"/consent", url.Values{"withdraw": {"on"}}, http.StatusSeeOther)
	if got := student("2026-0101").Student; got.ConsentBy != "" {
		t.Errorf("withdrawn: %+v", got)
	}
	removal("student.consent.withdraw", sara.Student.ConsentBy)
	// The organisation's form: an empty field keeps, a ticked box removes.
	school, err := svc.Orgs.Get(ctx, admin, "mitf01000a")
	if err != nil || school.Email == "" {
		t.Fatalf("the demo school: %+v %v", school, err)
	}
	if _, body := fetch(t, web, "GET", ts.URL+"/orgs/mitf01000a", nil); !strings.Contains(body, `name="clear" value="email"`) {
		t.Error("the organisation's form has no removal of the e-mail address")
	}
	post("/orgs/mitf01000a", url.Values{"name": {school.Name}, "email": {""}}, http.StatusSeeOther)
	if got, _ := svc.Orgs.Get(ctx, admin, "mitf01000a"); got.Email != school.Email || got.SchoolType != school.SchoolType {
		t.Errorf("an organisation saved with empty fields: %+v", got)
	}
	post("/orgs/mitf01000a", url.Values{"name": {school.Name}, "clear": {"email"}}, http.StatusSeeOther)
	if got, _ := svc.Orgs.Get(ctx, admin, "mitf01000a"); got.Email != "" {
		t.Errorf("the e-mail address removed: %+v", got)
	}
	removal("organisation.update", school.Email)

	// The API: the Chamber of Milan's operator.
	_, tok := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	call := func(method, path string, body any, want int) []byte {
		t.Helper()
		data, _ := json.Marshal(body)
		req := httptest.NewRequest(method, path, bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		out, _ := io.ReadAll(rec.Body)
		if rec.Code != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, rec.Code, want, out)
		}
		return out
	}
	matteo := student("2026-0104")
	call("POST", "/api/v1/classes/"+class+"/students", map[string]any{"given_name": "Matteo", "family_name": "Moretti", "number": "2026-0104"}, http.StatusCreated)
	if got := student("2026-0104").Student; got != matteo.Student {
		t.Errorf("enrolled again over the API without consent:\n got %+v\nwant %+v", got, matteo.Student)
	}
	call("POST", "/api/v1/classes/"+class+"/students", map[string]any{"given_name": "Matteo", "family_name": "Moretti", "number": "2026-0104", "clear": []string{"number"}}, http.StatusBadRequest)
	call("POST", "/api/v1/classes/"+class+"/students", map[string]any{"given_name": "Matteo", "family_name": "Moretti", "number": "2026-0104", "clear": []string{"consent_by"}}, http.StatusCreated)
	if got := student("2026-0104").Student; got.ConsentBy != "" {
		t.Errorf("the consent cleared over the API: %+v", got)
	}
	removal("student.update", matteo.Student.ConsentBy)
	call("POST", "/api/v1/people/"+matteo.Person.ID+"/consent", map[string]any{"consent_by": "Silvia Moretti"}, http.StatusOK)
	call("POST", "/api/v1/people/"+matteo.Person.ID+"/consent", map[string]any{"consent_by": "Silvia Moretti", "withdraw": true}, http.StatusBadRequest)
	call("POST", "/api/v1/people/"+matteo.Person.ID+"/consent", map[string]any{"withdraw": true}, http.StatusOK)
	removal("student.consent.withdraw", "Silvia Moretti")

	co, err := svc.Orgs.Get(ctx, admin, "co-09712340562")
	if err != nil || co.REA == "" || co.ATECO == "" {
		t.Fatalf("the demo company: %+v %v", co, err)
	}
	call("PUT", "/api/v1/organisations/co-09712340562", map[string]any{"name": co.Name + " (MI)"}, http.StatusOK)
	if got, _ := svc.Orgs.Get(ctx, admin, "co-09712340562"); got.REA != co.REA || got.ATECO != co.ATECO || got.TaxCode != co.TaxCode {
		t.Errorf("an organisation updated with its name alone: %+v", got)
	}
	call("PUT", "/api/v1/organisations/co-09712340562", map[string]any{"clear": []string{"ateco"}}, http.StatusOK)
	if got, _ := svc.Orgs.Get(ctx, admin, "co-09712340562"); got.ATECO != "" || got.REA != co.REA {
		t.Errorf("the ATECO code removed: %+v", got)
	}
	removal("organisation.update", co.ATECO)
	call("PUT", "/api/v1/organisations/co-09712340562", map[string]any{"clear": []string{"name"}}, http.StatusBadRequest)

	tables, err := svc.Tables.List(ctx, admin, roundtable.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var meeting roundtable.Meeting
	for _, tb := range tables {
		v, err := svc.Tables.Get(ctx, admin, tb.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range v.Meetings {
			if m.Minutes != "" && tb.Chamber == "cciaa-milano" {
				meeting = m
			}
		}
	}
	if meeting.ID == "" {
		t.Fatal("no demo meeting with minutes")
	}
	call("PUT", "/api/v1/meetings/"+meeting.ID, map[string]any{"agenda": "Avvio del percorso"}, http.StatusOK)
	got, err := svc.Tables.Get(ctx, admin, meeting.Table)
	if err != nil || got.Meetings[0].Minutes != meeting.Minutes || got.Meetings[0].Agenda != "Avvio del percorso" {
		t.Errorf("a meeting updated without its minutes: %+v %v", got.Meetings, err)
	}
	// The meeting's form on the web: the minutes left empty stay, the
	// ticked box removes them.
	web = &http.Client{Jar: signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator), CheckRedirect: noRedirect}
	if _, body := fetch(t, web, "GET", ts.URL+"/tables/"+meeting.Table, nil); !strings.Contains(body, `name="clear" value="minutes"`) {
		t.Error("the meeting's form has no removal of the minutes")
	}
	post("/meetings/"+meeting.ID, url.Values{"table": {meeting.Table}, "date": {meeting.Date}, "agenda": {"Avvio"}, "minutes": {""}}, http.StatusSeeOther)
	if got, _ := svc.Tables.Get(ctx, admin, meeting.Table); got.Meetings[0].Minutes != meeting.Minutes || got.Meetings[0].Agenda != "Avvio" {
		t.Errorf("a meeting saved with empty minutes: %+v", got.Meetings[0])
	}
	post("/meetings/"+meeting.ID, url.Values{"table": {meeting.Table}, "clear": {"minutes"}}, http.StatusSeeOther)
	if got, _ := svc.Tables.Get(ctx, admin, meeting.Table); got.Meetings[0].Minutes != "" {
		t.Errorf("the minutes removed: %+v", got.Meetings[0])
	}
	removal("table.meeting.update", "Presenti la Camera di Commercio")
	call("PUT", "/api/v1/meetings/"+meeting.ID, map[string]any{"minutes": "Nuovo verbale", "clear": []string{"minutes"}}, http.StatusBadRequest)
}
