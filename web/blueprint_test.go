package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestDesignTestPage: the Milan Chamber designs a test on Meccatronica 1
// with the grid of competences × dimensions. A count the bank cannot make
// sense of (a negative one) and a pass mark out of range are refused beside
// their cells, with everything typed kept; corrected, the test is created
// and listed, usable by the Chamber's schools; a school tutor sees the
// tests and no form; a student may not open the page.
func TestDesignTestPage(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	chamber := signedIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	code, page := chamber.get("/tests?standard=meccatronica/1")
	if code != 200 || !strings.Contains(page, `id="design-form"`) || !strings.Contains(page, `name="count:C1:knowledge"`) {
		t.Fatalf("the Chamber's page: %d\n%s", code, page)
	}
	form := url.Values{"standard": {"meccatronica/1"}, "title": {"Prova di C1 e C7"}, "lang": {"it"},
		"competence": {"C1", "C7"}, "count:C1:knowledge": {"2"}, "count:C1:skill": {"-3"}, "threshold:C1": {"60"},
		"count:C7:knowledge": {"1"}, "threshold:C7": {"150"}, "minutes": {"40"}, "attempts": {"2"}, "cooldown": {"7"}}
	code, body, _ := chamber.post("/tests", form)
	if code != 400 {
		t.Fatalf("a refused design: %d", code)
	}
	for _, want := range []string{`id="count:C1:skill" name="count:C1:skill" value="-3"`, `id="threshold:C7" name="threshold:C7" value="150"`,
		`value="Prova di C1 e C7"`, "da 1 a 40 quesiti per competenza e dimensione", "la soglia è una percentuale da 1 a 100"} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %q", want)
		}
	}
	if i := strings.Index(body, `id="count:C1:skill"`); i < 0 || !strings.Contains(body[i:min(len(body), i+500)], "da 1 a 40 quesiti") {
		t.Errorf("the count's problem is not beside its cell")
	}
	form.Set("count:C1:skill", "1")
	form.Set("threshold:C7", "50")
	code, _, loc := chamber.post("/tests", form)
	if code != 303 || loc != "/tests?created=1" {
		t.Fatalf("a valid design: %d %s", code, loc)
	}
	_, page = chamber.get(loc)
	if !strings.Contains(page, `id="test-created"`) || !strings.Contains(page, "Prova di C1 e C7") {
		t.Errorf("the new test is not listed")
	}
	referent, err := srv.Services().People.PrincipalByEmail(context.Background(), "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := srv.Services().Tests.Blueprints(context.Background(), referent)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range bs {
		found = found || b.Title == "Prova di C1 e C7" && len(b.Cells) == 3 && b.Thresholds[1].Percent == 50
	}
	if !found {
		t.Errorf("the Chamber's school does not see the test: %+v", bs)
	}
	tutor := signedIn(t, ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	if code, page := tutor.get("/tests"); code != 200 || strings.Contains(page, `id="design`) || !strings.Contains(page, "Prova di C1 e C7") {
		t.Errorf("the school tutor's page: %d", code)
	}
	student := signedIn(t, ts, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	if code, _ := student.get("/tests"); code != 403 {
		t.Errorf("a student opens the tests' page: %d", code)
	}
}
