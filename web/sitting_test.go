package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/item"
)

// movingClock is a test server's clock, which the test moves on.
type movingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movingClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *movingClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// startClocked starts a test server on a clock the test moves.
func startClocked(t *testing.T) (*httptest.Server, *server.Server, *movingClock) {
	t.Helper()
	clk := &movingClock{t: testserver.Clock()}
	srv := testserver.NewWith(t, func(o *server.Options) { o.Clock = clk.now })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, srv, clk
}

// answerForm is the form that answers item it of the demo bank rightly,
// as the item's page sends it.
func answerForm(t *testing.T, it item.Item, goTo string) url.Values {
	t.Helper()
	var right []string
	for _, b := range demo.Bank {
		if b.ID == it.ID {
			right = b.Correct
		}
	}
	if right == nil {
		t.Fatalf("item %s is not in the demo bank", it.ID)
	}
	f := url.Values{"item": {it.ID}, "go": {goTo}}
	switch it.Kind {
	case item.Ordering:
		for i, c := range right {
			f.Set("pos:"+c, strconv.Itoa(i+1))
		}
	case item.Matching:
		for _, p := range right {
			s, tg, _ := strings.Cut(p, " ")
			f.Set("match:"+s, tg)
		}
	default:
		f["response"] = right
	}
	return f
}

// between returns the part of page from the element with id to the end of
// its tag's block (its closing </…> of the same name, not nested).
func between(page, id string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	i = strings.LastIndex(page[:i], "<")
	tag := regexp.MustCompile(`^<(\w+)`).FindStringSubmatch(page[i:])[1]
	j := strings.Index(page[i:], "</"+tag+">")
	if j < 0 {
		return page[i:]
	}
	return page[i : i+j]
}

// TestSittingPages: a school's referent opens a sitting from the list (a
// refused form keeps what was chosen, each problem beside its field); the
// code is shown to the proctors and the owner only; the student, not yet
// authorized, is told to wait and is refused a start; the proctor
// authorizes them; a wrong code is refused beside the field, the right one
// (typed in lower case) starts the attempt. The candidate answers item by
// item, options in the form's order; a refused answer (positions given
// twice, an option that does not exist) keeps what was sent and says why;
// a reload shows the answers saved; the review lists every item, the
// submission is refused until confirmed; after it, an answer is refused.
// The result is not shown until the owner ends the sitting and releases
// it (both confirmed); then the candidate sees it per competence and
// dimension, never item by item, and the staff see it item by item.
func TestSittingPages(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	admin, err := svc.People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	referent := signedIn(t, ts, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	proctor := signedIn(t, ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	chamber := signedIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	student := signedIn(t, ts, "studente@feltrinelli.example", "mitf01000a", auth.Student)

	code, list := referent.get("/sittings")
	if code != 200 || !strings.Contains(list, `id="open-form"`) {
		t.Fatalf("the referent's list: %d, no form to open a sitting", code)
	}
	blueprint := regexp.MustCompile(`<option value="(bp-[^"]+)"`).FindStringSubmatch(list)
	class := regexp.MustCompile(`name="classes" value="([^"]+)"`).FindStringSubmatch(list)
	tutor := regexp.MustCompile(`name="proctors" value="([^"]+)"`).FindStringSubmatch(list)
	if blueprint == nil || class == nil || tutor == nil {
		t.Fatalf("the form offers no test, class or proctor:\n%s", between(list, "open-form"))
	}
	if _, proctorList := proctor.get("/sittings"); strings.Contains(proctorList, `id="open-form"`) {
		t.Error("a school tutor is offered to open a sitting")
	}

	// Refused: no title, a window that closes before it opens.
	open := url.Values{"school": {"mitf01000a"}, "blueprint": {blueprint[1]}, "title": {""}, "opens": {"2026-11-02T12:00"}, "closes": {"2026-11-02T11:00"},
		"classes": {class[1]}, "proctors": {tutor[1]}}
	code, body, _ := referent.post("/sittings", open)
	if code != 400 {
		t.Fatalf("a sitting without a title: %d", code)
	}
	if !strings.Contains(between(body, "open-title-error"), "titolo") || !strings.Contains(between(body, "open-closes-error"), "chiude dopo") {
		t.Errorf("the problems are not beside their fields:\n%s", between(body, "open-form"))
	}
	for _, kept := range []string{`<option value="` + blueprint[1] + `" selected>`, `value="` + class[1] + `" checked`, `value="` + tutor[1] + `" checked`, `value="2026-11-02T11:00"`} {
		if !strings.Contains(body, kept) {
			t.Errorf("the refused form lost %s", kept)
		}
	}
	open.Set("title", "Prova di C1 · recupero")
	open.Set("opens", "2026-11-02T10:30") // the test clock says 11:00 in Rome
	open.Set("closes", "2026-11-02T14:00")
	code, _, loc := referent.post("/sittings", open)
	if code != 303 || !strings.HasPrefix(loc, "/sittings/sit-") {
		t.Fatalf("opening the sitting: %d %s", code, loc)
	}
	sitting := strings.TrimPrefix(loc, "/sittings/")

	// The code: the owner's referent and the proctor see it, the Chamber
	// (not in the room) does not.
	_, page := referent.get(loc)
	m := regexp.MustCompile(`id="sitting-code">([A-Z0-9]{6})<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the owner does not see the code:\n%s", between(page, "sitting-facts"))
	}
	accessCode := m[1]
	if _, page := proctor.get(loc); !strings.Contains(page, accessCode) || !strings.Contains(page, `id="authorize-`) {
		t.Error("the proctor sees no code, or no candidate to authorize")
	}
	if code, page := chamber.get(loc); code != 200 || strings.Contains(page, accessCode) || strings.Contains(page, `id="authorize-`) {
		t.Errorf("the Chamber's view: %d, code or authorize shown", code)
	}

	if _, dash := proctor.get("/dashboard"); !strings.Contains(tasksOf(dash, "proctor"), "/sittings/"+sitting) {
		t.Errorf("the proctor's dashboard does not list the sitting's candidates to authorize:\n%s", tasksOf(dash, "proctor"))
	}

	// The student waits; a start before the authorization is refused.
	_, page = student.get(loc)
	if !strings.Contains(between(page, "sitting-mine"), "non ti ha ancora autorizzato") || strings.Contains(page, `id="start-form"`) {
		t.Errorf("the student not yet authorized:\n%s", between(page, "sitting-mine"))
	}
	code, body, _ = student.post(loc+"/attempts", url.Values{"code": {accessCode}})
	if code != 409 || !strings.Contains(between(body, "sitting-error"), "non ha ancora autorizzato") {
		t.Errorf("a start before the authorization: %d\n%s", code, between(body, "sitting-error"))
	}

	// The proctor authorizes the student.
	me, err := svc.People.PrincipalByEmail(ctx, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, loc := proctor.post(loc+"/authorize", url.Values{"candidate": {me.Person}}); code != 303 || !strings.Contains(loc, "done=authorized") {
		t.Fatalf("authorizing: %d %s", code, loc)
	}
	if _, page := proctor.get(loc); !strings.Contains(between(page, "candidate-"+me.Person), "autorizzato da Marco Conti") {
		t.Errorf("the authorization is not said:\n%s", between(page, "candidate-"+me.Person))
	}
	_, dash := student.get("/dashboard")
	if !strings.Contains(tasksOf(dash, "start"), "/sittings/"+sitting) {
		t.Errorf("the student's dashboard offers no start:\n%s", tasksOf(dash, "start"))
	}

	// A wrong code, beside the field and kept; the right one starts.
	code, body, _ = student.post(loc+"/attempts", url.Values{"code": {"ZZZZZZ"}})
	if code != 400 || !strings.Contains(between(body, "start-code-error"), "codice") || !strings.Contains(body, `value="ZZZZZZ"`) {
		t.Errorf("a wrong code: %d\n%s", code, between(body, "start-form"))
	}
	code, _, attemptURL := student.post(loc+"/attempts", url.Values{"code": {strings.ToLower(accessCode[:3]) + " " + accessCode[3:]}})
	if code != 303 || !strings.HasPrefix(attemptURL, "/attempts/att-") {
		t.Fatalf("starting: %d %s", code, attemptURL)
	}
	attempt := strings.TrimPrefix(attemptURL, "/attempts/")
	_, dash = student.get("/dashboard")
	if !strings.Contains(tasksOf(dash, "resume"), attemptURL) {
		t.Errorf("the student's dashboard offers no resumption:\n%s", dash)
	}
	full, err := svc.Tests.GetAttempt(ctx, admin, attempt)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]item.Item{}
	for _, it := range full.Items {
		items[it.ID] = it
	}

	// Item by item: the page says where it is and the time the server
	// counts; the options in the form's order.
	code, page = student.get(attemptURL)
	if code != 200 || !strings.Contains(page, "Domanda 1 di 6") || !strings.Contains(page, `data-remaining="1800"`) {
		t.Fatalf("the first item: %d\n%s", code, page)
	}
	if _, page := student.get(attemptURL + "?lang=en"); !strings.Contains(page, "Question 1 of 6") || !strings.Contains(page, "Time left:") {
		t.Error("the item's page in English is not in English")
	}
	student.get(attemptURL + "?lang=it") // back to Italian, which the rest reads
	if code, _ := student.get(attemptURL + "?item=7"); code != 404 {
		t.Errorf("an item beyond the form: %d", code)
	}
	for n, fi := range full.Form.Items {
		_, page := student.get(fmt.Sprintf("%s?item=%d", attemptURL, n+1))
		if !strings.Contains(page, `name="item" value="`+fi.Item+`"`) {
			t.Errorf("item %d is not %s", n+1, fi.Item)
		}
		var shown []string
		for _, m := range regexp.MustCompile(`id="(?:option|pos|match)-([A-Za-z0-9_.-]+)"`).FindAllStringSubmatch(between(page, "item-answer"), -1) {
			shown = append(shown, m[1])
		}
		if items[fi.Item].Kind == item.InlineChoice {
			for _, m := range regexp.MustCompile(`<option value="([^"]+)"`).FindAllStringSubmatch(between(page, "item-answer"), -1) {
				shown = append(shown, m[1])
			}
		}
		if items[fi.Item].Kind != item.TextEntry && !slices.Equal(shown, fi.Choices) {
			t.Errorf("item %s shows its options as %v, its form orders them %v", fi.Item, shown, fi.Choices)
		}
	}

	// Refusals keep what was sent: an ordering with a position twice, an
	// option that does not exist.
	for n, fi := range full.Form.Items {
		it := items[fi.Item]
		var f url.Values
		var want string
		switch it.Kind {
		case item.Ordering:
			f = answerForm(t, it, "next")
			f.Set("pos:"+it.Choices[0].ID, "2")
			f.Set("pos:"+it.Choices[1].ID, "2")
			want = "posizione diversa"
		case item.SingleChoice:
			f = url.Values{"item": {it.ID}, "response": {"Z"}}
			want = "Z non è un"
		default:
			continue
		}
		code, body, _ := student.post(attemptURL+"/answer", f)
		if code != 400 || !strings.Contains(between(body, "attempt-error"), want) {
			t.Errorf("a refused answer to %s: %d\n%s", it.ID, code, between(body, "attempt-error"))
		}
		if !strings.Contains(body, fmt.Sprintf("Domanda %d di 6", n+1)) {
			t.Errorf("a refused answer to %s does not show its item again", it.ID)
		}
		if it.Kind == item.Ordering && strings.Count(between(body, "item-answer"), `<option value="2" selected>`) != 2 {
			t.Errorf("the positions sent are lost:\n%s", between(body, "item-answer"))
		}
	}

	// Answers, each going on to the next item, the last to the review.
	for n, fi := range full.Form.Items {
		code, _, next := student.post(attemptURL+"/answer", answerForm(t, items[fi.Item], "next"))
		want := fmt.Sprintf("%s?item=%d", attemptURL, n+2)
		if n == len(full.Form.Items)-1 {
			want = attemptURL + "/review"
		}
		if code != 303 || next != want {
			t.Errorf("answering %s: %d → %s, want %s", fi.Item, code, next, want)
		}
	}
	// A reload shows what was saved.
	_, page = student.get(attemptURL + "?item=1")
	if strings.Count(between(page, "item-answer"), "selected>") == 0 && strings.Count(between(page, "item-answer"), "checked") == 0 && !strings.Contains(page, `value="M"`) {
		t.Errorf("the first item after a reload shows no answer:\n%s", between(page, "item-answer"))
	}
	if !strings.Contains(between(page, "attempt-answered"), "6 su 6") || strings.Contains(between(page, "attempt-nav"), "senza risposta") {
		t.Errorf("the list of items: %s", between(page, "attempt-nav"))
	}
	if code, _, next := student.get2(attemptURL); code != 303 || next != attemptURL+"/review" {
		t.Errorf("the attempt with every item answered: %d → %s, want the review", code, next)
	}

	// The review, and the submission, confirmed.
	_, page = student.get(attemptURL + "/review")
	if strings.Count(between(page, "review-items"), "risposta data") != 6 {
		t.Errorf("the review:\n%s", between(page, "review-items"))
	}
	code, body, _ = student.post(attemptURL+"/submit", url.Values{})
	if code != 400 || !strings.Contains(between(body, "submit-confirm-error"), "conferma") {
		t.Errorf("an unconfirmed submission: %d\n%s", code, between(body, "submit-form"))
	}
	code, _, next := student.post(attemptURL+"/submit", url.Values{"confirm": {"yes"}})
	if code != 303 || next != attemptURL+"?done=submitted" {
		t.Fatalf("submitting: %d %s", code, next)
	}
	_, page = student.get(next)
	if !strings.Contains(page, `id="attempt-done"`) || !strings.Contains(page, `id="result-pending"`) || strings.Contains(page, `id="result"`) {
		t.Errorf("after the submission, before the release:\n%s", page)
	}
	code, body, _ = student.post(attemptURL+"/answer", answerForm(t, items[full.Form.Items[0].Item], "next"))
	if code != 409 || !strings.Contains(between(body, "attempt-error"), "già stato consegnato") {
		t.Errorf("an answer after the submission: %d\n%s", code, between(body, "attempt-error"))
	}

	// The owner ends the sitting and releases its results, each confirmed.
	code, body, _ = referent.post(loc+"/end", url.Values{})
	if code != 400 || !strings.Contains(between(body, "end-confirm-error"), "conferma") {
		t.Errorf("an unconfirmed end: %d\n%s", code, between(body, "end-form"))
	}
	if code, _, _ := referent.post(loc+"/end", url.Values{"confirm": {"yes"}}); code != 303 {
		t.Fatalf("ending: %d", code)
	}
	if _, page := proctor.get(loc); strings.Contains(page, `id="release-form"`) || strings.Contains(page, `id="end-form"`) {
		t.Error("the proctor is offered to release, or to end an ended sitting")
	}
	// The results are the Chamber's to release, not the school's.
	if _, page := referent.get(loc); strings.Contains(page, `id="release-form"`) {
		t.Error("the school is offered to release the results")
	}
	if code, _, _ := referent.post(loc+"/release", url.Values{"confirm": {"yes"}}); code != 403 {
		t.Errorf("the school releases the results: %d", code)
	}
	code, body, _ = chamber.post(loc+"/release", url.Values{})
	if code != 400 || !strings.Contains(between(body, "release-confirm-error"), "conferma") {
		t.Errorf("an unconfirmed release: %d\n%s", code, between(body, "release-form"))
	}
	if code, _, _ := chamber.post(loc+"/release", url.Values{"confirm": {"yes"}}); code != 303 {
		t.Fatalf("releasing: %d", code)
	}
	_, page = referent.get(loc)
	for _, kind := range []string{"sessione aperta", "candidato autorizzato a iniziare", "tentativo iniziato", "tentativo consegnato", "sessione chiusa", "esiti pubblicati"} {
		if !strings.Contains(between(page, "sitting-history"), kind) {
			t.Errorf("the history lacks %q:\n%s", kind, between(page, "sitting-history"))
		}
	}

	// The result: per competence and dimension for the candidate.
	_, page = student.get(attemptURL)
	result := between(page, "result-competences")
	for _, want := range []string{"C1", "100 %", "60 %", "superata", "conoscenze", "abilità"} {
		if !strings.Contains(result, want) {
			t.Errorf("the candidate's result lacks %q:\n%s", want, result)
		}
	}
	if strings.Contains(page, `id="result-items"`) {
		t.Error("the candidate sees the result item by item")
	}
	_, dash = student.get("/dashboard")
	if !strings.Contains(tasksOf(dash, "results"), attemptURL) {
		t.Errorf("the dashboard does not say the result is out:\n%s", dash)
	}
	_, page = proctor.get(attemptURL)
	if !strings.Contains(between(page, "result-items"), full.Form.Items[0].Item) {
		t.Errorf("the staff's view of the result:\n%s", page)
	}
}

// TestAttemptClock: the time left is the server's, on each page; the
// proctor pauses (confirmed) and the clock stands still, answers are
// refused while paused; after the deadline an answer is refused with the
// reason, and the answers saved before are kept; the page then shows the
// attempt submitted as of its deadline. The events the page's script
// reports are recorded and counted for the staff.
func TestAttemptClock(t *testing.T) {
	ts, srv, clk := startClocked(t)
	ctx := context.Background()
	svc := srv.Services()
	admin, err := svc.People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	referent := signedIn(t, ts, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	proctor := signedIn(t, ts, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	student := signedIn(t, ts, "studente@feltrinelli.example", "mitf01000a", auth.Student)

	// The demo's open sitting, where the student is authorized.
	_, list := student.get("/sittings")
	if !strings.Contains(list, `action="/sittings/`) {
		t.Fatalf("the student's list offers no start:\n%s", list)
	}
	sitting := regexp.MustCompile(`action="/sittings/(sit-[^/]+)/attempts"`).FindStringSubmatch(list)[1]
	_, page := referent.get("/sittings/" + sitting)
	accessCode := regexp.MustCompile(`id="sitting-code">([A-Z0-9]{6})<`).FindStringSubmatch(page)[1]
	_, _, attemptURL := student.post("/sittings/"+sitting+"/attempts", url.Values{"code": {accessCode}})
	attempt := strings.TrimPrefix(attemptURL, "/attempts/")
	full, err := svc.Tests.GetAttempt(ctx, admin, attempt)
	if err != nil || !strings.HasPrefix(attemptURL, "/attempts/") {
		t.Fatalf("starting: %s %v", attemptURL, err)
	}
	first := full.Items[0]
	if code, _, _ := student.post(attemptURL+"/answer", answerForm(t, first, "next")); code != 303 {
		t.Fatalf("answering: %d", code)
	}

	clk.add(10 * time.Minute)
	if _, page := student.get(attemptURL + "?item=2"); !strings.Contains(page, `data-remaining="1200"`) || !strings.Contains(page, ">20:00<") {
		t.Errorf("after 10 minutes the time left is not 20:00:\n%s", between(page, "attempt-time"))
	}

	// Paused: confirmed, the clock stands, answers refused.
	code, body, _ := proctor.post(attemptURL+"/pause", url.Values{})
	if code != 400 || !strings.Contains(between(body, "confirm-"+attempt+"-error"), "conferma") {
		t.Errorf("an unconfirmed pause: %d\n%s", code, between(body, "attempt-"+attempt))
	}
	if code, _, loc := proctor.post(attemptURL+"/pause", url.Values{"confirm": {"yes"}}); code != 303 || !strings.Contains(loc, "done=paused") {
		t.Fatalf("pausing: %d %s", code, loc)
	}
	clk.add(5 * time.Minute)
	_, page = student.get(attemptURL + "?item=2")
	if !strings.Contains(page, `id="attempt-paused"`) || strings.Contains(page, `id="answer-next"`) {
		t.Errorf("the paused attempt's page:\n%s", page)
	}
	if code, body, _ := student.post(attemptURL+"/answer", answerForm(t, full.Items[1], "next")); code != 409 || !strings.Contains(between(body, "attempt-error"), "sospeso") {
		t.Errorf("an answer while paused: %d\n%s", code, between(body, "attempt-error"))
	}
	if code, _, _ := proctor.post(attemptURL+"/resume", url.Values{"confirm": {"yes"}}); code != 303 {
		t.Fatalf("resuming: %d", code)
	}
	if _, page := student.get(attemptURL + "?item=2"); !strings.Contains(page, `data-remaining="1200"`) {
		t.Errorf("the pause took time off the attempt:\n%s", between(page, "attempt-time"))
	}

	// What the script reports.
	if code, _, _ := student.post(attemptURL+"/events", url.Values{"kind": {"paste"}, "item": {full.Items[1].ID}}); code != 204 {
		t.Errorf("a paste reported: %d", code)
	}
	if code, _, _ := student.post(attemptURL+"/events", url.Values{"kind": {"print"}}); code != 400 {
		t.Errorf("an event of no kind: %d", code)
	}
	if _, page := proctor.get(attemptURL); !strings.Contains(between(page, "attempt-events"), "incollato 1 volte") {
		t.Errorf("the staff's view of the events: %s", between(page, "attempt-events"))
	}

	// Past the deadline and its grace: refused, what was saved kept.
	clk.add(20*time.Minute + assessment.Grace + time.Second)
	code, body, _ = student.post(attemptURL+"/answer", answerForm(t, full.Items[1], "next"))
	if code != 409 || !strings.Contains(between(body, "attempt-error"), "tempo") || !strings.Contains(between(body, "attempt-error"), "salve") {
		t.Errorf("an answer after the deadline: %d\n%s", code, between(body, "attempt-error"))
	}
	if !strings.Contains(between(body, "attempt-state"), "consegnato") || !strings.Contains(between(body, "attempt-answered"), "1 su 6") {
		t.Errorf("after the deadline the attempt:\n%s", between(body, "attempt-facts"))
	}
	v, err := svc.Tests.GetAttempt(ctx, admin, attempt)
	if err != nil || v.State != assessment.Submitted || !v.Expired || len(v.Answers) != 1 {
		t.Errorf("after the deadline: %v %+v", err, v)
	}
}

// get2 is get that also returns where a redirection sends the browser.
func (b *browser) get2(path string) (int, string, string) {
	b.t.Helper()
	resp, err := b.client.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}
