package web

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/item"
)

// TestItemFormRoundTrip: every kind of item, shown in the editor's form
// and read back from it unchanged, is the same item; a blank row between
// options is left out, and a problem of the item's option lands on the
// form's row it was typed on.
func TestItemFormRoundTrip(t *testing.T) {
	lower := 0.0
	extra := []item.Item{
		{Kind: item.Matching, Lang: "it", Sector: "meccatronica", Standard: 1, Competence: "C7", Dimension: item.Knowledge, Difficulty: item.Easy,
			Title: "t", Prompt: "p", Choices: []item.Choice{{ID: "a", Text: "A"}, {ID: "b", Text: "B"}}, Targets: []item.Choice{{ID: "x", Text: "X"}, {ID: "y", Text: "Y"}},
			Correct: []string{"a y", "b x"}, Scoring: item.MatchCorrect, Shuffle: true},
		{Kind: item.TextEntry, Lang: "en", Sector: "meccatronica", Standard: 1, Competence: "C1", Dimension: item.Skill, Difficulty: item.Hard,
			Title: "t", Prompt: "p", Before: "b", Correct: []string{"Vite"}, Scoring: item.MapResponse,
			Map: &item.Map{Entries: []item.MapEntry{{Key: "Vite", Points: 2}, {Key: "bullone", Points: 0.5}}, CaseSensitive: true, Lower: &lower}},
	}
	all := extra
	for _, b := range demo.Bank {
		all = append(all, b.Item)
	}
	for _, it := range all {
		v, lost := itemValues(&it)
		if lost {
			t.Errorf("%s %s: the form loses points", it.ID, it.Kind)
		}
		rd := &itemReader{f: newEditForm(v)}
		got := rd.read()
		if len(rd.fe) > 0 {
			t.Errorf("%s %s: the form reads problems %v", it.ID, it.Kind, rd.fe)
		}
		got.ID, got.Version, got.Status = it.ID, it.Version, it.Status
		// The form lists a points table in the order of its options.
		for _, x := range []*item.Item{&got, &it} {
			if x.Map != nil {
				x.Map = &item.Map{Entries: slices.Clone(x.Map.Entries), Default: x.Map.Default, Lower: x.Map.Lower, Upper: x.Map.Upper, CaseSensitive: x.Map.CaseSensitive}
				slices.SortFunc(x.Map.Entries, func(a, b item.MapEntry) int { return strings.Compare(a.Key, b.Key) })
			}
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(it)
		if string(a) != string(b) {
			t.Errorf("%s %s through the form:\n%s\nwant\n%s", it.ID, it.Kind, a, b)
		}
	}

	// Rows 0 and 2 typed, row 1 blank: the item's options 0 and 1; a
	// problem of option 1 is row 2's.
	f := newEditForm(url.Values{"kind": {"single_choice"}, "choices[0].text": {"uno"}, "choices[2].id": {"9"}, "choices[2].text": {"tre"}, "correct": {"2"}})
	rd := &itemReader{f: f}
	it := rd.read()
	if len(it.Choices) != 2 || it.Choices[0].ID != "A" || it.Choices[1].ID != "9" || len(it.Correct) != 1 || it.Correct[0] != "9" {
		t.Fatalf("read %+v", it)
	}
	if got := rd.field("choices[1].id"); got != "choices[2].id" {
		t.Errorf("the problem of option 1 is at %s", got)
	}
}
