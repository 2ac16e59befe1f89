package browsertest_test

import (
	"context"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/item"
)

// testClock is the server's clock in a browser test, which the test moves
// on; it starts at the test servers' time.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// rightAnswer is the correct response to an item of the demo bank.
func rightAnswer(t *testing.T, id string) []string {
	t.Helper()
	for _, b := range demo.Bank {
		if b.ID == id {
			return b.Correct
		}
	}
	t.Fatalf("item %s is not in the demo bank", id)
	return nil
}

// answerItem gives the right answer to the item shown, as a person does:
// by the keyboard for options (focus, space) and a typed text (then Enter,
// which saves), choosing from the lists otherwise; then it saves and waits
// for the page that follows, whose element wait it names.
func answerItem(t *testing.T, ctx context.Context, it item.Item, wait string) {
	t.Helper()
	right := rightAnswer(t, it.ID)
	switch it.Kind {
	case item.SingleChoice, item.TrueFalse, item.MultipleChoice:
		for _, c := range right {
			do(t, ctx, chromedp.Focus(chromedp.CSS("#option-"+c)), chromedp.KeyEvent(" "))
		}
	case item.InlineChoice:
		do(t, ctx, chromedp.SetValue(chromedp.CSS("#answer-gap"), right[0]))
	case item.TextEntry:
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("#answer-text"), right[0]), chromedp.KeyEvent("\r"))
		waitFor(t, ctx, wait)
		return
	case item.Ordering:
		for i, c := range right {
			do(t, ctx, chromedp.SetValue(chromedp.CSS("#pos-"+c), strconv.Itoa(i+1)))
		}
	case item.Matching:
		for _, p := range right {
			s, tg, _ := strings.Cut(p, " ")
			do(t, ctx, chromedp.SetValue(chromedp.CSS("#match-"+s), tg))
		}
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#answer-next")))
	waitFor(t, ctx, wait)
}

// current is the element only item n's page has: its link in the list of
// items, marked as the current one.
func current(n int) string {
	return `#attempt-nav a[aria-current][href$="?item=` + strconv.Itoa(n) + `"]`
}

// given counts the answers the item shown holds: options ticked, lists
// chosen, text typed.
const given = `(() => { const f = document.querySelector('#item-answer');
	return f.querySelectorAll('input:checked').length + [...f.querySelectorAll('select')].filter(s => s.value).length
		+ [...f.querySelectorAll('input[type=text]')].filter(i => i.value).length })()`

// remaining reads the time left the page shows, in seconds, and the one
// the server sent.
func remaining(t *testing.T, ctx context.Context) (shown, sent int) {
	t.Helper()
	clock := text(t, ctx, "#attempt-remaining")
	m := regexp.MustCompile(`^(?:(\d+):)?(\d+):(\d\d)$`).FindStringSubmatch(clock)
	if m == nil {
		t.Fatalf("the time left shown: %q", clock)
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	s, _ := strconv.Atoi(m[3])
	sent, err := strconv.Atoi(attr(t, ctx, "#attempt-remaining", "data-remaining"))
	if err != nil {
		t.Fatal(err)
	}
	return h*3600 + min*60 + s, sent
}

// TestOnlineTestInBrowser: the school's referent opens a sitting with the
// form of the sittings' page (a refusal keeps what was chosen); the
// proctor finds it on the dashboard and authorizes Sara Esposito. She,
// in a private window, finds the start on her dashboard, types the access
// code and answers half the items by the keyboard and the lists; a reload
// loses nothing; the page works at 200 % zoom and on a phone without
// scrolling sideways, and its script reports a paste. She closes the
// window; four minutes later, in another private window, signed in again,
// the test goes on where she left it with less time (the server's) but
// some; she answers the rest, reviews, is refused an unconfirmed
// submission and submits. No result until the referent ends the sitting
// and releases the results (each confirmed); then her result shows per
// competence. axe-core finds nothing on any page.
func TestOnlineTestInBrowser(t *testing.T) {
	clk := &testClock{t: testserver.Clock()}
	srv := testserver.NewWith(t, func(o *server.Options) { o.Clock = clk.now })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	ctx := context.Background()
	svc := srv.Services()
	admin, err := svc.People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	esposito, err := svc.People.PrincipalByEmail(ctx, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	if err != nil {
		t.Fatal(err)
	}
	staff := browsertest.New(t)

	// The referent opens a sitting: refused without a title, then opened.
	signIn(t, staff, ts.URL, "referente@feltrinelli.example", demo.Password, dashboard)
	do(t, staff, chromedp.Navigate(ts.URL+"/sittings"), chromedp.WaitVisible(chromedp.CSS("#open-form")))
	clean(t, staff)
	do(t, staff, chromedp.SetValue(chromedp.CSS("#open-blueprint"), optionValue(t, staff, "#open-blueprint", "Meccatronica · C1")),
		chromedp.Click(chromedp.CSS(`label[for="`+checkboxFor(t, staff, "#open-classes", "4A MEC")+`"]`)),
		chromedp.Click(chromedp.CSS(`label[for="`+checkboxFor(t, staff, "#open-proctors", "Marco Conti")+`"]`)),
		chromedp.Click(chromedp.CSS("#open-submit")))
	waitFor(t, staff, "#open-title-error")
	if n := count(t, staff, "#open-classes input:checked, #open-proctors input:checked"); n != 2 {
		t.Errorf("the refused form kept %d of the 2 boxes ticked", n)
	}
	clean(t, staff)
	const title = "Prova di C1 · recupero di novembre"
	do(t, staff, chromedp.SendKeys(chromedp.CSS("#open-title-field"), title), chromedp.Click(chromedp.CSS("#open-submit")))
	waitFor(t, staff, "#sitting-code")
	code := text(t, staff, "#sitting-code")
	sittingURL := location(t, staff)
	clean(t, staff)
	browsertest.Screenshot(t, staff, "test-1-sitting-opened")
	signOut(t, staff)

	// The proctor: the dashboard says who waits; the authorization.
	signIn(t, staff, ts.URL, "docente@feltrinelli.example", demo.Password, dashboard)
	asRole(t, staff, "mitf01000a", "school_tutor")
	waitFor(t, staff, "#tasks-proctor")
	if s := text(t, staff, "#tasks-proctor"); !strings.Contains(s, title) {
		t.Errorf("the proctor's tasks: %q", s)
	}
	clean(t, staff)
	do(t, staff, chromedp.Navigate(sittingURL), chromedp.WaitVisible(chromedp.CSS("#authorize-"+esposito.Person)))
	clean(t, staff)
	do(t, staff, chromedp.Click(chromedp.CSS("#authorize-"+esposito.Person)))
	waitFor(t, staff, "#sitting-done")
	if s := text(t, staff, "#candidate-"+esposito.Person); !strings.Contains(s, "autorizzato da Marco Conti") {
		t.Errorf("the candidate after the authorization: %q", s)
	}
	clean(t, staff)

	// The candidate, in a private window: the start, with the code typed
	// in lower case.
	first, closeFirst := browsertest.Incognito(t, staff)
	signIn(t, first, ts.URL, "studente@feltrinelli.example", demo.Password, "#tasks-start")
	clean(t, first)
	do(t, first, chromedp.Click(chromedp.CSS(`#tasks-start a[href="`+strings.TrimPrefix(sittingURL, ts.URL)+`"]`)), chromedp.WaitVisible(chromedp.CSS("#start-code")))
	clean(t, first)
	do(t, first, chromedp.SendKeys(chromedp.CSS("#start-code"), strings.ToLower(code)), chromedp.Click(chromedp.CSS("#start-submit")))
	waitFor(t, first, current(1))
	attemptURL := location(t, first)
	full, err := svc.Tests.GetAttempt(ctx, admin, strings.TrimPrefix(attemptURL, ts.URL+"/attempts/"))
	if err != nil {
		t.Fatalf("the attempt at %s: %v", attemptURL, err)
	}
	items := map[string]item.Item{}
	for _, it := range full.Items {
		items[it.ID] = it
	}
	shown, sent := remaining(t, first)
	if sent != 1800 || shown > sent {
		t.Errorf("at the start the page shows %d s left, the server sent %d", shown, sent)
	}

	// Half the items; each page checked.
	half := len(full.Form.Items) / 2
	for n, fi := range full.Form.Items[:half] {
		clean(t, first)
		browsertest.Screenshot(t, first, "test-2-item-"+strconv.Itoa(n+1)+"-"+string(items[fi.Item].Kind))
		answerItem(t, first, items[fi.Item], current(n+2))
	}
	// Zoomed to 200 % (half the width in CSS pixels) and on a phone, the
	// item's page does not scroll sideways.
	for _, width := range []int64{640, 360} {
		do(t, first, chromedp.EmulateViewport(width, 740))
		noSideways(t, first, int(width))
	}
	browsertest.Screenshot(t, first, "test-3-item-phone")
	do(t, first, chromedp.EmulateViewport(1280, 900))

	// The script reports a paste.
	do(t, first, chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new Event('paste'))`))
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := svc.Tests.GetAttempt(ctx, admin, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(v.Events, func(e assessment.Event) bool { return e.Kind == "paste" }) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the page's script did not report the paste: %+v", v.Events)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A reload loses nothing.
	do(t, first, chromedp.Reload())
	waitFor(t, first, current(half+1))
	if s := text(t, first, "#attempt-answered"); !strings.Contains(s, strconv.Itoa(half)+" su 6") {
		t.Errorf("after the reload: %q", s)
	}
	for n := 1; n <= half; n++ {
		do(t, first, chromedp.Click(chromedp.CSS(`#attempt-nav a[href$="?item=`+strconv.Itoa(n)+`"]`)))
		waitFor(t, first, current(n))
		if g, err := chromedp.Run(first, chromedp.Evaluate[int](given)); err != nil || g == 0 {
			t.Errorf("item %d shows no answer after the reload (%v)", n, err)
		}
	}
	shown1, sent1 := remaining(t, first)
	closeFirst()

	// Four minutes later, another private window, signed in again.
	clk.add(4 * time.Minute)
	second, _ := browsertest.Incognito(t, staff)
	signIn(t, second, ts.URL, "studente@feltrinelli.example", demo.Password, "#tasks-resume")
	clean(t, second)
	do(t, second, chromedp.Click(chromedp.CSS("#tasks-resume a")))
	waitFor(t, second, current(half+1))
	if s := text(t, second, "#attempt-answered"); !strings.Contains(s, strconv.Itoa(half)+" su 6") {
		t.Errorf("in the other window: %q", s)
	}
	shown2, sent2 := remaining(t, second)
	if shown2 <= 0 || shown2 > shown1 || sent2 > sent1 || sent2 != sent1-240 {
		t.Errorf("the time left in the other window: %d s shown, %d s sent; before: %d s shown, %d s sent", shown2, sent2, shown1, sent1)
	}
	for n, fi := range full.Form.Items[half:] {
		clean(t, second)
		browsertest.Screenshot(t, second, "test-4-item-"+strconv.Itoa(half+n+1)+"-"+string(items[fi.Item].Kind))
		wait := current(half + n + 2)
		if half+n+1 == len(full.Form.Items) {
			wait = "#submit-form"
		}
		answerItem(t, second, items[fi.Item], wait)
	}

	// The review and the submission.
	if s := text(t, second, "#review-items"); strings.Contains(s, "senza risposta") {
		t.Errorf("the review: %q", s)
	}
	clean(t, second)
	do(t, second, chromedp.Click(chromedp.CSS("#submit")))
	waitFor(t, second, "#submit-confirm-error")
	clean(t, second)
	do(t, second, chromedp.Click(chromedp.CSS(`label[for="submit-confirm"]`)), chromedp.Click(chromedp.CSS("#submit")))
	waitFor(t, second, "#attempt-done")
	if n := count(t, second, "#result"); n != 0 {
		t.Error("the result shows before it is released")
	}
	waitFor(t, second, "#result-pending")
	clean(t, second)
	browsertest.Screenshot(t, second, "test-5-submitted")

	// The referent ends the sitting; the Chamber releases the results.
	signOut(t, staff)
	signIn(t, staff, ts.URL, "referente@feltrinelli.example", demo.Password, dashboard)
	do(t, staff, chromedp.Navigate(sittingURL), chromedp.WaitVisible(chromedp.CSS("#end-form")))
	clean(t, staff)
	do(t, staff, chromedp.Click(chromedp.CSS(`label[for="end-confirm"]`)), chromedp.Click(chromedp.CSS("#end-submit")))
	waitFor(t, staff, "#sitting-state")
	if count(t, staff, "#release-form") > 0 {
		t.Error("the school is offered to release the results")
	}
	// The Chamber releases them.
	signOut(t, staff)
	signIn(t, staff, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	do(t, staff, chromedp.Navigate(sittingURL), chromedp.WaitVisible(chromedp.CSS("#release-form")))
	clean(t, staff)
	do(t, staff, chromedp.Click(chromedp.CSS(`label[for="release-confirm"]`)), chromedp.Click(chromedp.CSS("#release-submit")),
		chromedp.WaitNotPresent(chromedp.CSS("#release-form")))
	waitFor(t, staff, "#sitting-done")
	if s := text(t, staff, "#sitting-state"); s != "Risultati pubblicati" {
		t.Errorf("after the release the sitting is %q", s)
	}
	if s := text(t, staff, "#sitting-history"); !strings.Contains(s, "esiti pubblicati") || !strings.Contains(s, "tentativo consegnato") {
		t.Errorf("the history: %q", s)
	}
	clean(t, staff)
	do(t, staff, chromedp.Navigate(attemptURL), chromedp.WaitVisible(chromedp.CSS("#result-items")))
	clean(t, staff)

	// The candidate's result, per competence and dimension.
	do(t, second, chromedp.Navigate(attemptURL), chromedp.WaitVisible(chromedp.CSS("#result-competences")))
	result := text(t, second, "#result-competences")
	for _, want := range []string{"C1", "100 %", "60 %", "superata", "conoscenze", "abilità", "competenze trasversali"} {
		if !strings.Contains(result, want) {
			t.Errorf("the result lacks %q: %q", want, result)
		}
	}
	if n := count(t, second, "#result-items"); n != 0 {
		t.Error("the candidate sees the result item by item")
	}
	clean(t, second)
	browsertest.Screenshot(t, second, "test-6-result")
}
