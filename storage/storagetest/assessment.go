package storagetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/people"
)

// AssessmentSuite runs the online test's behaviour tests.
func AssessmentSuite(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Sitting", testSitting},
		{"Timer", testSittingTimer},
		{"WhoSees", testSittingWhoSees},
		{"ConcurrentAnswers", testConcurrentAnswers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// testWorld is the item world with an approved bank for C1 and C7 (four
// items of each dimension and band… enough for any test here), a class of
// n students at ITIS Avogadro with its tutor, and the online test's
// service.
type testWorld struct {
	*itemWorld
	svc                *assessment.Service
	referent, proctor  *auth.Principal
	students           []*auth.Principal
	class              *people.Class
	blueprint          *assessment.Blueprint
	otherSchoolStudent *auth.Principal
}

func newTestWorld(t *testing.T, open Opener, n int) *testWorld {
	t.Helper()
	ctx := context.Background()
	iw := newItemWorld(t, open, false)
	w := &testWorld{itemWorld: iw, svc: assessment.NewService(iw.db.Assessments(), iw.clock.Now, nil)}
	// The bank: two approved items per competence × dimension × band.
	for _, c := range []string{"C1", "C7"} {
		for _, d := range item.Dimensions {
			for _, diff := range item.Difficulties {
				for i := range 2 {
					it := anItem()
					it.ID = fmt.Sprintf("%s-%s-%s-%d", c, d, diff, i)
					it.Competence, it.ADA, it.Result, it.Dimension, it.Difficulty, it.Shuffle = c, "", "", d, diff, true
					v, err := w.itemWorld.svc.Create(ctx, w.author, it)
					if err != nil {
						t.Fatal(err)
					}
					w.itemWorld.svc.SubmitForReview(ctx, w.author, v.ID, 1)
					if _, err := w.itemWorld.svc.Review(ctx, w.reviewer, v.ID, 1, true, ""); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	principal := func(person, orgID string, role auth.Role) *auth.Principal {
		t.Helper()
		var pr *auth.Principal
		iw.db.People().View(ctx, func(r people.Reader) (err error) {
			pr, err = people.Principal(ctx, r, person, orgID, role)
			return err
		})
		if pr == nil {
			t.Fatalf("no principal for %s", person)
		}
		return pr
	}
	member := func(orgID, given string, role auth.Role) *auth.Principal {
		t.Helper()
		p, err := iw.people.AddMember(ctx, admin, orgID, people.Person{GivenName: given, FamilyName: "Prova", Email: strings.ToLower(given) + "@" + orgID + ".example"}, role)
		if err != nil {
			t.Fatal(err)
		}
		return principal(p.ID, orgID, role)
	}
	w.referent = member("itis-avogadro", "Rita", auth.SchoolReferent)
	w.proctor = member("itis-avogadro", "Sara", auth.SchoolTutor)
	var err error
	if w.class, err = iw.people.CreateClass(ctx, w.referent, people.Class{School: "itis-avogadro", Year: "2026/27", Name: "5A"}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		en, err := iw.people.Enrol(ctx, w.referent, w.class.ID, people.StudentInput{Person: people.Person{GivenName: fmt.Sprintf("Studente%03d", i), FamilyName: "Prova"},
			Student: people.Student{Number: fmt.Sprintf("S%04d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		w.students = append(w.students, principal(en.Person.ID, "itis-avogadro", auth.Student))
	}
	other, err := iw.people.CreateClass(ctx, admin, people.Class{School: "itis-feltrinelli", Year: "2026/27", Name: "5B"})
	if err != nil {
		t.Fatal(err)
	}
	en, err := iw.people.Enrol(ctx, admin, other.ID, people.StudentInput{Person: people.Person{GivenName: "Altro", FamilyName: "Studente"}, Student: people.Student{Number: "X1"}})
	if err != nil {
		t.Fatal(err)
	}
	w.otherSchoolStudent = principal(en.Person.ID, "itis-feltrinelli", auth.Student)
	w.blueprint, err = w.svc.CreateBlueprint(ctx, w.chamber, assessment.Blueprint{Title: "Meccatronica, C1 e C7", Sector: "meccatronica", Standard: 1, Lang: "it",
		Cells: []assessment.Cell{{Competence: "C1", Dimension: item.Knowledge, Count: 3}, {Competence: "C1", Dimension: item.Skill, Count: 2},
			{Competence: "C7", Dimension: item.Knowledge, Count: 3}},
		Thresholds: []assessment.Threshold{{Competence: "C1", Percent: 60}, {Competence: "C7", Percent: 60}},
		TimeLimit:  30 * time.Minute, Attempts: 2, Cooldown: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// open opens a sitting of the world's test for its class, proctored by
// its tutor, from now for two hours.
func (w *testWorld) open(t *testing.T) *assessment.Sitting {
	t.Helper()
	st, err := w.svc.OpenSitting(context.Background(), w.referent, assessment.NewSitting{Blueprint: w.blueprint.ID, Title: "Sessione di maggio",
		Opens: w.clock.Now(), Closes: w.clock.Now().Add(2 * time.Hour), Classes: []string{w.class.ID}, Proctors: []string{w.proctor.Person}})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// answerAll answers every item of attempt a as candidate p: the right
// option for the first n items, a wrong one for the others.
func (w *testWorld) answerAll(t *testing.T, p *auth.Principal, a *assessment.Attempt, right int) {
	t.Helper()
	for i, fi := range a.Form.Items {
		resp := item.Response{"B"}
		if i < right {
			resp = item.Response{"A"}
		}
		if err := w.svc.Answer(context.Background(), p, a.ID, fi.Item, resp); err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
	}
}

// testSitting: a school opens a sitting; a candidate cannot start before
// the proctor authorizes them, nor with a wrong code; started, the form has
// the test's items; answers are saved as given and read back; the proctor
// pauses and resumes; the candidate submits; the result per competence is
// stored, shown to the staff and to the candidate only once released;
// every step is in the sitting's history.
func testSitting(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTestWorld(t, open, 3)
	st := w.open(t)
	if len(st.Candidates) != 3 || len(st.Code) != 6 {
		t.Fatalf("sitting %+v", st)
	}
	cand := w.students[0]
	if _, err := w.svc.Start(ctx, cand, st.ID, st.Code); attesta.ErrorKey(err) != "err.assessment.unauthorized" {
		t.Fatalf("a start before the proctor's authorization: %v", err)
	}
	if err := w.svc.Authorize(ctx, w.proctor, st.ID, cand.Person); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.Start(ctx, cand, st.ID, "WRONG1")
	hasProblem(t, err, "code", "err.assessment.code")
	a, err := w.svc.Start(ctx, cand, st.ID, strings.ToLower(st.Code[:3])+" "+st.Code[3:])
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Form.Items) != 8 || a.Limit != 30*time.Minute || a.Number != 1 {
		t.Fatalf("attempt %+v", a)
	}
	if _, err := w.svc.Start(ctx, cand, st.ID, st.Code); attesta.ErrorKey(err) != "err.assessment.active" {
		t.Errorf("a second attempt while one is open: %v", err)
	}
	w.clock.Advance(time.Minute)
	w.answerAll(t, cand, a, 5)
	// A reload, or another computer: everything is there.
	v, err := w.svc.GetAttempt(ctx, cand, a.ID)
	if err != nil || len(v.Answers) != 8 || v.Result != nil || v.Remaining != int64((29*time.Minute)/time.Second) {
		t.Fatalf("read back: %d answers, result %v, remaining %d, %v", len(v.Answers), v.Result, v.Remaining, err)
	}
	for _, it := range v.Items {
		if it.Correct != nil || it.Map != nil {
			t.Fatalf("the candidate is shown the answer key of %s", it.ID)
		}
	}
	if err := w.svc.ProctorAttempt(ctx, w.proctor, a.ID, assessment.PausedEvent, true); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Answer(ctx, cand, a.ID, a.Form.Items[0].Item, item.Response{"A"}); attesta.ErrorKey(err) != "err.assessment.paused" {
		t.Errorf("an answer while paused: %v", err)
	}
	w.clock.Advance(3 * time.Minute)
	if err := w.svc.ProctorAttempt(ctx, w.proctor, a.ID, assessment.Resumed, true); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.RecordIrregularity(ctx, w.proctor, st.ID, a.ID, assessment.Technical, "Il PC si è riavviato; ripreso su un altro"); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Note(ctx, cand, a.ID, "blur", ""); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Submit(ctx, cand, a.ID); err != nil {
		t.Fatal(err)
	}
	v, _ = w.svc.GetAttempt(ctx, cand, a.ID)
	if v.State != assessment.Submitted || v.Result != nil {
		t.Fatalf("submitted, before release: %s, result %v", v.State, v.Result)
	}
	staff, err := w.svc.GetAttempt(ctx, w.referent, a.ID)
	if err != nil || staff.Result == nil || staff.Result.Score != 5 || staff.Result.Max != 8 || len(staff.Events) != 1 {
		t.Fatalf("the staff's view: %+v %v", staff, err)
	}
	if err := w.svc.Release(ctx, w.chamber, st.ID, true); attesta.ErrorKey(err) != "err.assessment.release.early" {
		t.Errorf("a release while the sitting is open: %v", err)
	}
	if err := w.svc.EndSitting(ctx, w.proctor, st.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Release(ctx, w.referent, st.ID, true); attesta.ErrorKey(err) != "err.assessment.release.chamber" {
		t.Errorf("the school releases the results: %v", err)
	}
	if err := w.svc.Release(ctx, w.chamber, st.ID, true); err != nil {
		t.Fatal(err)
	}
	v, _ = w.svc.GetAttempt(ctx, cand, a.ID)
	if v.Result == nil || len(v.Result.Competences) != 2 {
		t.Fatalf("released: %+v", v.Result)
	}
	// Once submitted, the candidate no longer sees the questions, nor
	// which they got right: the bank's items are reused.
	if v.Items != nil || v.Result.Items != nil {
		t.Errorf("the candidate sees the items after the attempt: %d items, %d results by item", len(v.Items), len(v.Result.Items))
	}
	sv, err := w.svc.GetSitting(ctx, w.referent, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range sv.Events {
		kinds = append(kinds, string(e.Kind))
	}
	if want := []string{"opened", "authorized", "started", "paused", "resumed", "irregularity", "submitted", "ended", "released"}; !slices.Equal(kinds, want) {
		t.Errorf("history %v, want %v", kinds, want)
	}
	if _, err := w.svc.Start(ctx, w.students[1], st.ID, st.Code); attesta.ErrorKey(err) != "err.assessment.sitting.closed" {
		t.Errorf("a start in an ended sitting: %v", err)
	}
}

// testSittingTimer: an attempt left open is submitted as of its deadline
// with its saved answers by the sweeper, and an answer after is refused;
// an accommodated candidate gets their time, said in the history.
func testSittingTimer(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTestWorld(t, open, 2)
	slow := w.students[1]
	if err := w.svc.SetAccommodation(ctx, w.referent, slow.Person, assessment.Accommodation{Multiplier: 1.5, Reason: "PDP: tempi distesi"}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SetAccommodation(ctx, w.referent, w.otherSchoolStudent.Person, assessment.Accommodation{Extra: time.Minute, Reason: "prova"}); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("an accommodation for another school's student: %v", err)
	}
	st := w.open(t)
	var as []*assessment.Attempt
	for _, c := range w.students {
		w.svc.Authorize(ctx, w.proctor, st.ID, c.Person)
		a, err := w.svc.Start(ctx, c, st.ID, st.Code)
		if err != nil {
			t.Fatal(err)
		}
		as = append(as, a)
	}
	if as[0].Limit != 30*time.Minute || as[1].Limit != 45*time.Minute {
		t.Fatalf("limits %v %v", as[0].Limit, as[1].Limit)
	}
	w.answerAll(t, w.students[0], as[0], 8)
	w.svc.Answer(ctx, slow, as[1].ID, as[1].Form.Items[0].Item, item.Response{"A"})
	w.clock.Advance(30*time.Minute + assessment.Grace + time.Second)
	if n, err := w.svc.SettleDue(ctx); err != nil || n != 1 {
		t.Fatalf("settled %d: %v", n, err)
	}
	if err := w.svc.Answer(ctx, w.students[0], as[0].ID, as[0].Form.Items[0].Item, item.Response{"B"}); attesta.ErrorKey(err) != "err.assessment.late" {
		t.Errorf("an answer after the deadline: %v", err)
	}
	v, _ := w.svc.GetAttempt(ctx, w.referent, as[0].ID)
	if v.State != assessment.Submitted || !v.Expired || !v.Ended.Equal(as[0].Started.Add(30*time.Minute)) || v.Result == nil || v.Result.Score != 8 {
		t.Fatalf("settled attempt: %s expired=%v ended %v result %+v", v.State, v.Expired, v.Ended, v.Result)
	}
	// The accommodated candidate still answers; then their time runs out.
	if err := w.svc.Answer(ctx, slow, as[1].ID, as[1].Form.Items[1].Item, item.Response{"A"}); err != nil {
		t.Fatalf("the accommodated candidate at 30 minutes: %v", err)
	}
	w.clock.Advance(15 * time.Minute)
	if n, _ := w.svc.SettleDue(ctx); n != 1 {
		t.Fatalf("settled %d at 45 minutes", n)
	}
	if n, _ := w.svc.SettleDue(ctx); n != 0 {
		t.Errorf("settled again: %d", n)
	}
	v, _ = w.svc.GetAttempt(ctx, w.referent, as[1].ID)
	if v.Result == nil || v.Result.Score != 2 || v.Accommodation.Multiplier != 1.5 {
		t.Fatalf("the accommodated attempt: %+v", v)
	}
	sv, _ := w.svc.GetSitting(ctx, w.referent, st.ID)
	var kinds []string
	for _, e := range sv.Events {
		kinds = append(kinds, string(e.Kind))
	}
	if !slices.Contains(kinds, "accommodated") || slices.Index(kinds, "expired") < 0 {
		t.Errorf("history %v", kinds)
	}
}

// testSittingWhoSees: a candidate sees only their own attempts, never
// another's, and no code or proctors; a student of another school does not
// see the sitting; a school tutor not proctoring it may not act on it.
func testSittingWhoSees(t *testing.T, open Opener) {
	ctx := context.Background()
	w := newTestWorld(t, open, 2)
	st := w.open(t)
	w.svc.Authorize(ctx, w.proctor, st.ID, w.students[0].Person)
	readOnly := *w.students[0]
	readOnly.Scopes = []auth.Scope{auth.ScopeRead}
	if _, err := w.svc.Start(ctx, &readOnly, st.ID, st.Code); attesta.ErrorKey(err) != "err.auth.readonly" {
		t.Errorf("a read-only token starts an attempt: %v", err)
	}
	a, err := w.svc.Start(ctx, w.students[0], st.ID, st.Code)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Answer(ctx, &readOnly, a.ID, a.Form.Items[0].Item, item.Response{"A"}); attesta.ErrorKey(err) != "err.auth.readonly" {
		t.Errorf("a read-only token answers: %v", err)
	}
	if _, err := w.svc.GetAttempt(ctx, w.students[1], a.ID); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a classmate reads the attempt: %v", err)
	}
	if err := w.svc.Answer(ctx, w.students[1], a.ID, a.Form.Items[0].Item, item.Response{"A"}); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a classmate answers: %v", err)
	}
	sv, err := w.svc.GetSitting(ctx, w.students[1], st.ID)
	if err != nil || sv.Code != "" || len(sv.Candidates) != 1 || len(sv.Attempts) != 0 || sv.Events != nil {
		t.Errorf("a candidate's view of the sitting: %+v %v", sv, err)
	}
	if _, err := w.svc.GetSitting(ctx, w.otherSchoolStudent, st.ID); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("another school's student: %v", err)
	}
	list, err := w.svc.Sittings(ctx, w.otherSchoolStudent)
	if err != nil || len(list) != 0 {
		t.Errorf("another school's student lists %v %v", list, err)
	}
	if list, _ := w.svc.Sittings(ctx, w.students[1]); len(list) != 1 || list[0].Code != "" {
		t.Errorf("the candidate lists %+v", list)
	}
	tutor2, err := w.people.AddMember(ctx, admin, "itis-avogadro", people.Person{GivenName: "Ugo", FamilyName: "Altro", Email: "ugo@itis-avogadro.example"}, auth.SchoolTutor)
	if err != nil {
		t.Fatal(err)
	}
	var other *auth.Principal
	w.db.People().View(ctx, func(r people.Reader) (err error) {
		other, err = people.Principal(ctx, r, tutor2.ID, "itis-avogadro", auth.SchoolTutor)
		return err
	})
	if err := w.svc.Authorize(ctx, other, st.ID, w.students[1].Person); attesta.ErrorKey(err) != "err.assessment.notproctor" {
		t.Errorf("a tutor not proctoring: %v", err)
	}
	if err := w.svc.ProctorAttempt(ctx, w.otherChamb, a.ID, assessment.PausedEvent, true); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a Chamber of another territory pauses: %v", err)
	}
}

// testConcurrentAnswers: many candidates answer at once, each item
// several times over; every answer is saved exactly once, the last given
// kept, none lost.
func testConcurrentAnswers(t *testing.T, open Opener) {
	ctx := context.Background()
	const n = 40
	w := newTestWorld(t, open, n)
	st := w.open(t)
	attempts := make([]*assessment.Attempt, n)
	for i, c := range w.students {
		if err := w.svc.Authorize(ctx, w.proctor, st.ID, c.Person); err != nil {
			t.Fatal(err)
		}
		a, err := w.svc.Start(ctx, c, st.ID, st.Code)
		if err != nil {
			t.Fatal(err)
		}
		attempts[i] = a
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range w.students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := attempts[i]
			for round, resp := range []string{"B", "C", "A"} { // the last answer is the one kept
				_ = round
				for _, fi := range a.Form.Items {
					if err := w.svc.Answer(ctx, c, a.ID, fi.Item, item.Response{resp}); err != nil {
						errs <- fmt.Errorf("candidate %d: %w", i, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i, a := range attempts {
		v, err := w.svc.GetAttempt(ctx, w.students[i], a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Answers) != len(a.Form.Items) {
			t.Fatalf("candidate %d: %d answers saved, %d given", i, len(v.Answers), len(a.Form.Items))
		}
		for _, ans := range v.Answers {
			if len(ans.Response) != 1 || ans.Response[0] != "A" {
				t.Fatalf("candidate %d: item %s keeps %v, not the last answer", i, ans.Item, ans.Response)
			}
		}
	}
}
