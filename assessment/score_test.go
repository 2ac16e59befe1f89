package assessment_test

import (
	"testing"
	"time"

	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/item"
)

// TestScore: a small attempt scored by hand.
//
//	C1 knowledge  single choice, right                      1 of 1
//	C1 knowledge  multiple choice {A,B}: A +1, B −1, ≥ 0    0 of 2
//	C1 skill      ordering, right                           1 of 1
//	C7 knowledge  text entry, not answered                  0 of 1
//
// C1: 2 of 4 = 50.0 %, knowledge 1 of 3 = 33.3 % (rounded down), skill
// 100 %; C7: 0 %. Total 2 of 5 = 40 %. With C1's threshold at 60 % it
// fails; at exactly 50 % it passes.
func TestScore(t *testing.T) {
	base := item.Item{Version: 1, Status: item.Approved, Lang: "it", Sector: "meccatronica", Standard: 1, Title: "t", Prompt: "p",
		Choices: []item.Choice{{ID: "A", Text: "a"}, {ID: "B", Text: "b"}, {ID: "C", Text: "c"}}, Scoring: item.MatchCorrect}
	single := base
	single.ID, single.Competence, single.Dimension, single.Kind, single.Correct = "s", "C1", item.Knowledge, item.SingleChoice, []string{"A"}
	multi := base
	multi.ID, multi.Competence, multi.Dimension, multi.Kind, multi.Correct = "m", "C1", item.Knowledge, item.MultipleChoice, []string{"A", "C"}
	zero := 0.0
	multi.Scoring, multi.Map = item.MapResponse, &item.Map{Entries: []item.MapEntry{{Key: "A", Points: 1}, {Key: "C", Points: 1}, {Key: "B", Points: -1}}, Lower: &zero}
	order := base
	order.ID, order.Competence, order.Dimension, order.Kind, order.Correct = "o", "C1", item.Skill, item.Ordering, []string{"C", "B", "A"}
	text := base
	text.ID, text.Competence, text.Dimension, text.Kind, text.Choices, text.Before = "x", "C7", item.Knowledge, item.TextEntry, nil, "Lettera"
	text.Correct, text.Scoring, text.Map = []string{"M"}, item.MapResponse, &item.Map{Entries: []item.MapEntry{{Key: "M", Points: 1}}}
	versions := map[string]*item.Item{}
	var form assessment.Form
	for _, it := range []*item.Item{&single, &multi, &order, &text} {
		versions[assessment.Key(it.ID, 1)] = it
		form.Items = append(form.Items, assessment.FormItem{Item: it.ID, Version: 1})
	}
	b := blueprint()
	b.Cells = []assessment.Cell{{Competence: "C1", Dimension: item.Knowledge, Count: 2}, {Competence: "C1", Dimension: item.Skill, Count: 1},
		{Competence: "C7", Dimension: item.Knowledge, Count: 1}}
	start := time.Date(2027, 5, 12, 9, 0, 0, 0, time.UTC)
	a := &assessment.Attempt{ID: "a", Form: form, State: assessment.Active, Started: start, Limit: 30 * time.Minute}
	for id, r := range map[string]item.Response{"s": {"A"}, "m": {"A", "B"}, "o": {"C", "B", "A"}} {
		if err := a.Answer(start.Add(time.Minute), versions[assessment.Key(id, 1)], r); err != nil {
			t.Fatal(err)
		}
	}
	r, err := assessment.Score(&b, a, versions)
	if err != nil {
		t.Fatal(err)
	}
	if r.Score != 2 || r.Max != 5 || r.Percent != 40 {
		t.Errorf("total %v of %v = %v %%", r.Score, r.Max, r.Percent)
	}
	c1, c7 := r.Competences[0], r.Competences[1]
	if c1.Competence != "C1" || c1.Score != 2 || c1.Max != 4 || c1.Percent != 50 || c1.Threshold != 60 || c1.Passed {
		t.Errorf("C1 %+v", c1)
	}
	if len(c1.Dimensions) != 2 || c1.Dimensions[0].Percent != 33.3 || c1.Dimensions[1].Dimension != item.Skill || c1.Dimensions[1].Percent != 100 {
		t.Errorf("C1 by dimension %+v", c1.Dimensions)
	}
	if c7.Score != 0 || c7.Max != 1 || c7.Passed {
		t.Errorf("C7 %+v", c7)
	}
	if got := r.Items[3]; got.Item != "x" || got.Response != nil || got.Score != 0 || got.Max != 1 {
		t.Errorf("the item not answered: %+v", got)
	}
	b.Thresholds[0].Percent = 50
	r, _ = assessment.Score(&b, a, versions)
	if !r.Competences[0].Passed || len(r.Passed()) != 1 {
		t.Errorf("C1 at exactly its threshold: %+v", r.Competences[0])
	}
	delete(versions, "o/1")
	if _, err := assessment.Score(&b, a, versions); err == nil {
		t.Error("scored without an item version of the form")
	}
}

// TestTimeSpent: an item's time runs from the first answer before it (or
// the start) to its own first answer; answering it again later does not
// move it; an item not answered has none.
func TestTimeSpent(t *testing.T) {
	b := blueprint()
	bk := bank(3, "C1", "C7")
	f, err := assessment.Draw(&b, bk, 3)
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]*item.Item{}
	for i := range bk {
		versions[assessment.Key(bk[i].ID, 1)] = &bk[i]
	}
	start := time.Date(2027, 5, 12, 9, 0, 0, 0, time.UTC)
	a := &assessment.Attempt{ID: "a", Form: f, State: assessment.Active, Started: start, Limit: 30 * time.Minute}
	first, second := versions[assessment.Key(f.Items[0].Item, 1)], versions[assessment.Key(f.Items[1].Item, 1)]
	a.Answer(start.Add(90*time.Second), first, item.Response{"B"})
	a.Answer(start.Add(4*time.Minute), second, item.Response{"A"})
	a.Answer(start.Add(10*time.Minute), first, item.Response{"A"}) // changed later
	r, err := assessment.Score(&b, a, versions)
	if err != nil {
		t.Fatal(err)
	}
	times := map[string]time.Duration{}
	for _, ir := range r.Items {
		times[ir.Item] = ir.Time
	}
	if times[first.ID] != 90*time.Second || times[second.ID] != 150*time.Second || times[f.Items[2].Item] != 0 {
		t.Errorf("times %v", times)
	}
}
