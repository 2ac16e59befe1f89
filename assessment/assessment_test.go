package assessment_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/item"
)

func meccatronica(t *testing.T) *competence.Standard {
	t.Helper()
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	st, ok := f.Standard("meccatronica")
	if !ok {
		t.Fatal("no meccatronica in the bundled standards")
	}
	return st
}

// bank is n approved single-choice items for each competence × dimension ×
// difficulty given, with ids C1-knowledge-easy-1…, and one of each in
// draft, in another language and of another standard (never drawn).
func bank(n int, comps ...string) []item.Item {
	var out []item.Item
	mk := func(id, c string, d item.Dimension, diff item.Difficulty) item.Item {
		return item.Item{ID: id, Version: 1, Status: item.Approved, Lang: "it", Sector: "meccatronica", Standard: 1, Competence: c,
			Dimension: d, Difficulty: diff, Kind: item.SingleChoice, Title: id, Prompt: id, Shuffle: true,
			Choices: []item.Choice{{ID: "A", Text: "a"}, {ID: "B", Text: "b"}, {ID: "C", Text: "c"}, {ID: "D", Text: "d"}},
			Correct: []string{"A"}, Scoring: item.MatchCorrect}
	}
	for _, c := range comps {
		for _, d := range item.Dimensions {
			for _, diff := range item.Difficulties {
				for i := range n {
					out = append(out, mk(fmt.Sprintf("%s-%s-%s-%d", c, d, diff, i+1), c, d, diff))
				}
				draft := mk(fmt.Sprintf("%s-%s-%s-draft", c, d, diff), c, d, diff)
				draft.Status = item.Draft
				english := mk(fmt.Sprintf("%s-%s-%s-en", c, d, diff), c, d, diff)
				english.Lang = "en"
				other := mk(fmt.Sprintf("%s-%s-%s-v2", c, d, diff), c, d, diff)
				other.Standard = 2
				out = append(out, draft, english, other)
			}
		}
	}
	return out
}

func blueprint() assessment.Blueprint {
	return assessment.Blueprint{ID: "bp-1", Title: "Meccatronica C1 e C7", Sector: "meccatronica", Standard: 1, Lang: "it",
		Cells: []assessment.Cell{{Competence: "C1", Dimension: item.Knowledge, Count: 4}, {Competence: "C1", Dimension: item.Skill, Count: 2},
			{Competence: "C7", Dimension: item.Knowledge, Count: 3}},
		Thresholds: []assessment.Threshold{{Competence: "C1", Percent: 60}, {Competence: "C7", Percent: 50}},
		TimeLimit:  30 * time.Minute, Attempts: 2, Cooldown: 7 * 24 * time.Hour}
}

// TestValidateBlueprint: each rule broken alone is its own problem.
func TestValidateBlueprint(t *testing.T) {
	st := meccatronica(t)
	b := blueprint()
	var fe attesta.FieldErrors
	b.Validate(st, &fe)
	if len(fe) > 0 {
		t.Fatalf("a valid blueprint: %v", fe)
	}
	for _, c := range []struct {
		field, key string
		edit       func(*assessment.Blueprint)
	}{
		{"title", "err.assessment.title", func(b *assessment.Blueprint) { b.Title = " " }},
		{"standard", "err.assessment.standard", func(b *assessment.Blueprint) { b.Standard = 9 }},
		{"cells", "err.assessment.cells.none", func(b *assessment.Blueprint) { b.Cells, b.Thresholds = nil, nil }},
		{"cells[0].competence", "err.item.competence", func(b *assessment.Blueprint) { b.Cells[0].Competence = "C99" }},
		{"cells[0].dimension", "err.item.dimension", func(b *assessment.Blueprint) { b.Cells[0].Dimension = "luck" }},
		{"cells[0].count", "err.assessment.count", func(b *assessment.Blueprint) { b.Cells[0].Count = 0 }},
		{"cells[1]", "err.assessment.cell.twice", func(b *assessment.Blueprint) { b.Cells[1].Dimension = item.Knowledge }},
		{"thresholds", "err.assessment.threshold.missing", func(b *assessment.Blueprint) { b.Thresholds = b.Thresholds[:1] }},
		{"thresholds[1].competence", "err.assessment.threshold.unknown", func(b *assessment.Blueprint) { b.Thresholds[1].Competence = "C2" }},
		{"thresholds[0].percent", "err.assessment.threshold.percent", func(b *assessment.Blueprint) { b.Thresholds[0].Percent = 0 }},
		{"time_limit", "err.assessment.timelimit", func(b *assessment.Blueprint) { b.TimeLimit = 5 * time.Hour }},
		{"attempts", "err.assessment.attempts", func(b *assessment.Blueprint) { b.Attempts = 0 }},
		{"cooldown", "err.assessment.cooldown", func(b *assessment.Blueprint) { b.Cooldown = -time.Hour }},
	} {
		b := blueprint()
		b.Cells, b.Thresholds = slices.Clone(b.Cells), slices.Clone(b.Thresholds)
		c.edit(&b)
		var fe attesta.FieldErrors
		b.Validate(st, &fe)
		if !slices.ContainsFunc(fe, func(e attesta.FieldError) bool { return e.Field == c.field && e.Key == c.key }) {
			t.Errorf("want %s on %s, got %v", c.key, c.field, fe)
		}
	}
}

// TestDraw: a form has each cell's count of approved items of the
// blueprint's standard and language, never one twice, spread over the
// difficulty bands; the same seed draws the same form, others differ; a
// bank too small for a cell is refused, saying which.
func TestDraw(t *testing.T) {
	b := blueprint()
	bk := bank(3, "C1", "C7")
	byID := map[string]item.Item{}
	for _, it := range bk {
		byID[it.ID] = it
	}
	f, err := assessment.Draw(&b, bk, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 9 || f.Seed != 42 {
		t.Fatalf("form of %d items: %+v", len(f.Items), f)
	}
	count := map[string]int{}
	bands := map[string]map[item.Difficulty]int{}
	var seen []string
	for i, fi := range f.Items {
		it := byID[fi.Item]
		if it.Status != item.Approved || it.Lang != "it" || it.Standard != 1 {
			t.Errorf("drew %s (%s, %s, standard %d)", it.ID, it.Status, it.Lang, it.Standard)
		}
		if slices.Contains(seen, fi.Item) {
			t.Errorf("drew %s twice", fi.Item)
		}
		seen = append(seen, fi.Item)
		cell := it.Competence + "/" + string(it.Dimension)
		count[cell]++
		if bands[cell] == nil {
			bands[cell] = map[item.Difficulty]int{}
		}
		bands[cell][it.Difficulty]++
		sorted := slices.Clone(fi.Choices)
		slices.Sort(sorted)
		if !slices.Equal(sorted, []string{"A", "B", "C", "D"}) {
			t.Errorf("item %d shows options %v", i, fi.Choices)
		}
		// The competences in the blueprint's order: C1's items first.
		if i < 6 && it.Competence != "C1" || i >= 6 && it.Competence != "C7" {
			t.Errorf("item %d is of %s", i, it.Competence)
		}
	}
	if count["C1/knowledge"] != 4 || count["C1/skill"] != 2 || count["C7/knowledge"] != 3 {
		t.Errorf("counts %v", count)
	}
	// Stratified: 4 knowledge items of C1 take 2 of one band and 1 of each
	// other; 3 take one of each; 2 take two bands.
	if b := bands["C1/knowledge"]; b[item.Easy] != 2 || b[item.Medium] != 1 || b[item.Hard] != 1 {
		t.Errorf("C1 knowledge bands %v", b)
	}
	if b := bands["C7/knowledge"]; b[item.Easy] != 1 || b[item.Medium] != 1 || b[item.Hard] != 1 {
		t.Errorf("C7 knowledge bands %v", b)
	}
	reversed := slices.Clone(bk)
	slices.Reverse(reversed)
	again, _ := assessment.Draw(&b, reversed, 42)
	if fmt.Sprint(again) != fmt.Sprint(f) {
		t.Error("the same seed drew another form (from the bank in another order)")
	}
	differ := 0
	shuffled := false
	for seed := range uint64(20) {
		g, _ := assessment.Draw(&b, bk, seed+100)
		if fmt.Sprint(g.Items) != fmt.Sprint(f.Items) {
			differ++
		}
		for _, fi := range g.Items {
			shuffled = shuffled || !slices.Equal(fi.Choices, []string{"A", "B", "C", "D"})
		}
	}
	if differ < 19 || !shuffled {
		t.Errorf("20 other seeds: %d other forms, options shuffled: %v", differ, shuffled)
	}
	_, err = assessment.Draw(&b, bank(1, "C1", "C7"), 1) // 3 knowledge items of C1, 4 needed
	if attesta.ErrorKey(err) != "err.assessment.draw" || attesta.MessageIn(err, "en") != "the test cannot be drawn: the bank has too few approved items for C1 (knowledge): 4 needed, 3 there" {
		t.Errorf("a short bank: %v", err)
	}
}

// clock is a test's clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time                 { return c.t }
func (c *clock) tick(d time.Duration) time.Time { c.t = c.t.Add(d); return c.t }

func attempt(t *testing.T, acc assessment.Accommodation, start time.Time) (*assessment.Attempt, map[string]*item.Item) {
	t.Helper()
	b := blueprint()
	bk := bank(3, "C1", "C7")
	f, err := assessment.Draw(&b, bk, 7)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]*item.Item{}
	for i := range bk {
		versions[assessment.Key(bk[i].ID, bk[i].Version)] = &bk[i]
	}
	return &assessment.Attempt{ID: "att-1", Candidate: "p-1", Number: 1, Form: f, State: assessment.Active, Started: start,
		Limit: acc.Limit(b.TimeLimit), Accommodation: acc}, versions
}

// TestServerTimer: answers are saved until the deadline and its grace,
// refused after; an attempt left open is submitted as of its deadline with
// its saved answers; a paused attempt's clock stands still; accommodated
// candidates get their time; no sleeps, an injected clock.
func TestServerTimer(t *testing.T) {
	start := time.Date(2027, 5, 12, 9, 0, 0, 0, time.UTC)
	c := &clock{start}
	a, versions := attempt(t, assessment.Accommodation{}, start)
	first := versions[assessment.Key(a.Form.Items[0].Item, 1)]
	second := versions[assessment.Key(a.Form.Items[1].Item, 1)]
	if !a.Deadline(c.now()).Equal(start.Add(30*time.Minute)) || a.Remaining(c.now()) != 30*time.Minute {
		t.Fatalf("deadline %v, remaining %v", a.Deadline(c.now()), a.Remaining(c.now()))
	}
	if err := a.Answer(c.tick(10*time.Minute), first, item.Response{"B"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Answer(c.tick(time.Minute), first, item.Response{"A"}); err != nil || len(a.Answers) != 1 || a.Answers[0].Response[0] != "A" {
		t.Fatalf("a changed answer: %v %+v", err, a.Answers)
	}
	if err := a.Answer(c.now(), first, item.Response{"Z"}); attesta.ErrorKey(err) != "err.item.response.value" {
		t.Errorf("an impossible response: %v", err)
	}
	other := *versions["C1-knowledge-easy-draft/1"]
	if err := a.Answer(c.now(), &other, item.Response{"A"}); attesta.ErrorKey(err) != "err.assessment.item" {
		t.Errorf("an item not on the form: %v", err)
	}
	// The proctor pauses for 5 minutes: the clock stands still.
	if err := a.Pause(c.tick(time.Minute)); err != nil { // 09:12
		t.Fatal(err)
	}
	if err := a.Answer(c.tick(time.Minute), second, item.Response{"A"}); attesta.ErrorKey(err) != "err.assessment.paused" {
		t.Errorf("an answer while paused: %v", err)
	}
	if a.Remaining(c.now()) != 18*time.Minute {
		t.Errorf("remaining while paused %v, want 18m", a.Remaining(c.now()))
	}
	if err := a.Resume(c.tick(4 * time.Minute)); err != nil { // 09:17
		t.Fatal(err)
	}
	if d := a.Deadline(c.now()); !d.Equal(start.Add(35 * time.Minute)) {
		t.Fatalf("deadline after a 5-minute pause: %v", d)
	}
	// Within the grace after the deadline: saved. After it: refused, and
	// the attempt is submitted as of its deadline with what was saved.
	if err := a.Answer(start.Add(35*time.Minute+assessment.Grace), second, item.Response{"C"}); err != nil {
		t.Fatalf("an answer within the grace: %v", err)
	}
	third := versions[assessment.Key(a.Form.Items[2].Item, 1)]
	late := start.Add(35*time.Minute + assessment.Grace + time.Second)
	if err := a.Answer(late, third, item.Response{"A"}); attesta.ErrorKey(err) != "err.assessment.late" {
		t.Fatalf("an answer after the grace: %v", err)
	}
	if a.State != assessment.Submitted || !a.Expired || !a.Ended.Equal(start.Add(35*time.Minute)) || len(a.Answers) != 2 {
		t.Fatalf("after the deadline: %s expired=%v ended %v, %d answers", a.State, a.Expired, a.Ended, len(a.Answers))
	}
	if err := a.Submit(late); attesta.ErrorKey(err) != "err.assessment.submitted" {
		t.Errorf("a second submission: %v", err)
	}

	// Left open: settled at its deadline by whoever looks next.
	b, _ := attempt(t, assessment.Accommodation{}, start)
	b.Answer(start.Add(time.Minute), versions[assessment.Key(b.Form.Items[0].Item, 1)], item.Response{"A"})
	if b.Settle(start.Add(30*time.Minute + assessment.Grace)) {
		t.Error("settled within the grace")
	}
	if !b.Settle(start.Add(3*time.Hour)) || !b.Ended.Equal(start.Add(30*time.Minute)) || len(b.Answers) != 1 {
		t.Errorf("an attempt left open: %+v", b)
	}

	// Accommodations.
	for _, c := range []struct {
		acc  assessment.Accommodation
		want time.Duration // 0: no deadline
	}{
		{assessment.Accommodation{Multiplier: 1.5}, 45 * time.Minute},
		{assessment.Accommodation{Extra: 20 * time.Minute}, 50 * time.Minute},
		{assessment.Accommodation{Multiplier: 1.25, Extra: 5 * time.Minute}, 42*time.Minute + 30*time.Second},
		{assessment.Accommodation{Unlimited: true}, 0},
	} {
		a, versions := attempt(t, c.acc, start)
		if c.want == 0 {
			if !a.Deadline(start).IsZero() || a.Settle(start.Add(24*time.Hour)) {
				t.Errorf("no limit: deadline %v", a.Deadline(start))
			}
			if err := a.Answer(start.Add(5*time.Hour), versions[assessment.Key(a.Form.Items[0].Item, 1)], item.Response{"A"}); err != nil {
				t.Errorf("no limit, an answer after 5 hours: %v", err)
			}
			continue
		}
		if got := a.Deadline(start).Sub(start); got != c.want {
			t.Errorf("%+v: %v, want %v", c.acc, got, c.want)
		}
		if err := a.Answer(start.Add(c.want-time.Second), versions[assessment.Key(a.Form.Items[0].Item, 1)], item.Response{"A"}); err != nil {
			t.Errorf("%+v: an answer just before its deadline: %v", c.acc, err)
		}
	}
	var fe attesta.FieldErrors
	(&assessment.Accommodation{Multiplier: 4, Extra: -time.Minute}).Validate(&fe)
	if len(fe) != 2 {
		t.Errorf("accommodation out of bounds: %v", fe)
	}
}

// TestMayStart: one open attempt at a time, the blueprint's number of
// attempts, the cool-down after the last.
func TestMayStart(t *testing.T) {
	b := blueprint()
	now := time.Date(2027, 5, 12, 9, 0, 0, 0, time.UTC)
	if err := b.MayStart(nil, now); err != nil {
		t.Fatal(err)
	}
	open := assessment.Attempt{ID: "a1", State: assessment.Active}
	if err := b.MayStart([]assessment.Attempt{open}, now); attesta.ErrorKey(err) != "err.assessment.active" {
		t.Errorf("with one open: %v", err)
	}
	done := assessment.Attempt{ID: "a1", State: assessment.Submitted, Ended: now.Add(-24 * time.Hour)}
	if err := b.MayStart([]assessment.Attempt{done}, now); attesta.ErrorKey(err) != "err.assessment.cooldown.wait" {
		t.Errorf("within the cool-down: %v", err)
	}
	if err := b.MayStart([]assessment.Attempt{done}, now.Add(6*24*time.Hour)); err != nil {
		t.Errorf("after the cool-down: %v", err)
	}
	if err := b.MayStart([]assessment.Attempt{done, done}, now.Add(30*24*time.Hour)); attesta.ErrorKey(err) != "err.assessment.attempts.used" {
		t.Errorf("after two attempts: %v", err)
	}
}
