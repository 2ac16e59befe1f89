package item_test

import (
	"slices"
	"testing"

	"github.com/attesta/attesta"
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

func ptr(f float64) *float64 { return &f }

// base is a valid single-choice item on Meccatronica's C1.
func base(st *competence.Standard) item.Item {
	c, _ := st.Competence("C1")
	return item.Item{ID: "C1-K-001", Version: 1, Status: item.Draft, Lang: "it", Sector: st.Sector, Standard: st.Version,
		Competence: "C1", ADA: c.ADA[0].Code, Result: c.ADA[0].Results[0].Code, Dimension: item.Knowledge, Difficulty: item.Easy,
		Kind: item.SingleChoice, Title: "Proiezioni ortogonali", Prompt: "Quale metodo di proiezione usa il disegno tecnico europeo?",
		Choices: []item.Choice{{"A", "Metodo del primo diedro (E)"}, {"B", "Metodo del terzo diedro (A)"}, {"C", "Assonometria cavaliera"}},
		Correct: []string{"A"}, Scoring: item.MatchCorrect}
}

// TestValidate: each rule broken alone gives its own problem, on its own
// field; the valid items of every kind give none.
func TestValidate(t *testing.T) {
	st := meccatronica(t)
	valid := map[string]func(*item.Item){
		"single choice": func(*item.Item) {},
		"multiple choice, partial credit": func(it *item.Item) {
			it.Kind, it.Correct, it.Scoring = item.MultipleChoice, []string{"A", "C"}, item.MapResponse
			it.Map = &item.Map{Entries: []item.MapEntry{{"A", 1}, {"C", 1}, {"B", -1}}, Lower: ptr(0)}
		},
		"true/false": func(it *item.Item) {
			it.Kind, it.Choices, it.Correct = item.TrueFalse, []item.Choice{{"true", "Vero"}, {"false", "Falso"}}, []string{"false"}
		},
		"ordering": func(it *item.Item) { it.Kind, it.Correct = item.Ordering, []string{"C", "A", "B"} },
		"matching": func(it *item.Item) {
			it.Kind, it.Targets = item.Matching, []item.Choice{{"X", "uno"}, {"Y", "due"}}
			it.Correct = []string{"A X", "B Y"}
		},
		"inline choice": func(it *item.Item) {
			it.Kind, it.Before, it.After = item.InlineChoice, "Il disegno europeo usa il", "."
		},
		"text entry": func(it *item.Item) {
			it.Kind, it.Choices, it.Before, it.Correct, it.Scoring = item.TextEntry, nil, "La filettatura metrica si indica con la lettera", []string{"M"}, item.MapResponse
			it.Map = &item.Map{Entries: []item.MapEntry{{"M", 1}}}
		},
		"the competence as a whole": func(it *item.Item) { it.ADA, it.Result = "", "" },
	}
	for name, edit := range valid {
		it := base(st)
		edit(&it)
		var fe attesta.FieldErrors
		it.Validate(st, &fe)
		if len(fe) > 0 {
			t.Errorf("%s: %v", name, fe)
		}
	}
	invalid := []struct {
		name, field, key string
		edit             func(*item.Item)
	}{
		{"identifier", "id", "err.item.id", func(it *item.Item) { it.ID = "1 bad" }},
		{"language", "lang", "err.item.lang", func(it *item.Item) { it.Lang = "fr" }},
		{"another standard", "standard", "err.item.standard", func(it *item.Item) { it.Standard = 99 }},
		{"competence not in the standard", "competence", "err.item.competence", func(it *item.Item) { it.Competence = "C99" }},
		{"ADA of another competence", "ada", "err.item.ada", func(it *item.Item) { it.ADA = "ADA.0.0.0" }},
		{"result not of the ADA", "result", "err.item.result", func(it *item.Item) { it.Result = "RA99" }},
		{"result without its ADA", "result", "err.item.result.noada", func(it *item.Item) { it.ADA = "" }},
		{"dimension", "dimension", "err.item.dimension", func(it *item.Item) { it.Dimension = "attitude" }},
		{"difficulty", "difficulty", "err.item.difficulty", func(it *item.Item) { it.Difficulty = "extreme" }},
		{"no prompt", "prompt", "err.item.text.required", func(it *item.Item) { it.Prompt = "  " }},
		{"control characters", "title", "err.item.text.chars", func(it *item.Item) { it.Title = "a\x00b" }},
		{"kind", "kind", "err.item.kind", func(it *item.Item) { it.Kind = "essay" }},
		{"one option", "choices", "err.item.choices.count", func(it *item.Item) { it.Choices = it.Choices[:1] }},
		{"an option twice", "choices[1].id", "err.item.choice.twice", func(it *item.Item) { it.Choices[1].ID = "A" }},
		{"an empty option", "choices[2].text", "err.item.text.required", func(it *item.Item) { it.Choices[2].Text = "" }},
		{"two correct of a single choice", "correct", "err.item.correct.one", func(it *item.Item) { it.Correct = []string{"A", "B"} }},
		{"a correct response not an option", "correct", "err.item.correct.unknown", func(it *item.Item) { it.Correct = []string{"Z"} }},
		{"no correct of a multiple choice", "correct", "err.item.correct.some", func(it *item.Item) {
			it.Kind, it.Correct = item.MultipleChoice, nil
		}},
		{"true/false with other options", "choices", "err.item.truefalse", func(it *item.Item) {
			it.Kind, it.Correct = item.TrueFalse, []string{"A"}
		}},
		{"an ordering missing an option", "correct", "err.item.ordering", func(it *item.Item) {
			it.Kind, it.Correct = item.Ordering, []string{"A", "B"}
		}},
		{"an ordering with partial credit", "scoring", "err.item.ordering.map", func(it *item.Item) {
			it.Kind, it.Correct, it.Scoring = item.Ordering, []string{"A", "B", "C"}, item.MapResponse
			it.Map = &item.Map{Entries: []item.MapEntry{{"A", 1}}}
		}},
		{"a pair not of the options", "correct", "err.item.matching.pair", func(it *item.Item) {
			it.Kind, it.Targets, it.Correct = item.Matching, []item.Choice{{"X", "uno"}}, []string{"A Z"}
		}},
		{"a source matched twice", "correct", "err.item.matching.twice", func(it *item.Item) {
			it.Kind, it.Targets, it.Correct = item.Matching, []item.Choice{{"X", "uno"}, {"Y", "due"}}, []string{"A X", "A Y"}
		}},
		{"a target sharing a source's id", "targets", "err.item.matching.shared", func(it *item.Item) {
			it.Kind, it.Targets, it.Correct = item.Matching, []item.Choice{{"A", "uno"}}, []string{"B A"}
		}},
		{"a gap without its sentence", "before", "err.item.gap.sentence", func(it *item.Item) { it.Kind = item.InlineChoice }},
		{"a text entry scored whole", "scoring", "err.item.textentry.map", func(it *item.Item) {
			it.Kind, it.Choices, it.Before, it.Correct = item.TextEntry, nil, "Frase", []string{"M"}
		}},
		{"points for a value no response holds", "map.entries[0].key", "err.item.map.key", func(it *item.Item) {
			it.Scoring, it.Map = item.MapResponse, &item.Map{Entries: []item.MapEntry{{"Z", 1}}}
		}},
		{"points given twice", "map.entries[1].key", "err.item.map.twice", func(it *item.Item) {
			it.Scoring, it.Map = item.MapResponse, &item.Map{Entries: []item.MapEntry{{"A", 1}, {"A", 2}}}
		}},
		{"a map scoring nothing", "map", "err.item.map.nothing", func(it *item.Item) {
			it.Scoring, it.Map = item.MapResponse, &item.Map{Entries: []item.MapEntry{{"A", 0}}}
		}},
		{"bounds upside down", "map", "err.item.map.bounds", func(it *item.Item) {
			it.Scoring, it.Map = item.MapResponse, &item.Map{Entries: []item.MapEntry{{"A", 1}}, Lower: ptr(2), Upper: ptr(1)}
		}},
		{"a map with match_correct", "map", "err.item.map.unused", func(it *item.Item) {
			it.Map = &item.Map{Entries: []item.MapEntry{{"A", 1}}}
		}},
		{"a template", "scoring", "err.item.scoring", func(it *item.Item) { it.Scoring = "custom" }},
	}
	for _, c := range invalid {
		it := base(st)
		it.Choices = slices.Clone(it.Choices)
		c.edit(&it)
		var fe attesta.FieldErrors
		it.Validate(st, &fe)
		if !slices.ContainsFunc(fe, func(e attesta.FieldError) bool { return e.Field == c.field && e.Key == c.key }) {
			t.Errorf("%s: want %s on %s, got %v", c.name, c.key, c.field, fe)
		}
	}
}

// TestScore: the two templates, on every kind, against values worked out by
// hand.
func TestScore(t *testing.T) {
	st := meccatronica(t)
	single := base(st)
	multiple := base(st)
	multiple.Kind, multiple.Correct = item.MultipleChoice, []string{"A", "C"}
	partial := multiple
	partial.Scoring = item.MapResponse
	partial.Map = &item.Map{Entries: []item.MapEntry{{"A", 1}, {"C", 1}, {"B", -1}}, Lower: ptr(0)}
	ordering := base(st)
	ordering.Kind, ordering.Correct = item.Ordering, []string{"C", "A", "B"}
	matching := base(st)
	matching.Kind, matching.Targets, matching.Correct = item.Matching, []item.Choice{{"X", "uno"}, {"Y", "due"}}, []string{"A X", "B Y"}
	matchingPartial := matching
	matchingPartial.Scoring = item.MapResponse
	matchingPartial.Map = &item.Map{Entries: []item.MapEntry{{"A X", 1}, {"B Y", 1}, {"C X", 0.5}}}
	entry := base(st)
	entry.Kind, entry.Choices, entry.Before, entry.Correct, entry.Scoring = item.TextEntry, nil, "Lettera", []string{"M"}, item.MapResponse
	entry.Map = &item.Map{Entries: []item.MapEntry{{"M", 1}, {"metrica", 0.5}}}
	cases := []struct {
		name string
		it   item.Item
		r    item.Response
		want float64
	}{
		{"single, right", single, item.Response{"A"}, 1},
		{"single, wrong", single, item.Response{"B"}, 0},
		{"single, not answered", single, nil, 0},
		{"multiple, right in another order", multiple, item.Response{"C", "A"}, 1},
		{"multiple, one short", multiple, item.Response{"A"}, 0},
		{"multiple, one too many", multiple, item.Response{"A", "B", "C"}, 0},
		{"partial, both right", partial, item.Response{"A", "C"}, 2},
		{"partial, one right", partial, item.Response{"C"}, 1},
		{"partial, one right one wrong", partial, item.Response{"A", "B"}, 0},
		{"partial, only wrong: bounded at 0", partial, item.Response{"B"}, 0},
		{"ordering, right", ordering, item.Response{"C", "A", "B"}, 1},
		{"ordering, two swapped", ordering, item.Response{"A", "C", "B"}, 0},
		{"matching, right", matching, item.Response{"B Y", "A X"}, 1},
		{"matching, half", matching, item.Response{"A X"}, 0},
		{"matching partial, half", matchingPartial, item.Response{"A X"}, 1},
		{"matching partial, a half-point pair", matchingPartial, item.Response{"C X", "B Y"}, 1.5},
		{"text, exact", entry, item.Response{"M"}, 1},
		{"text, case and spaces ignored", entry, item.Response{"  m "}, 1},
		{"text, a lesser answer", entry, item.Response{"Metrica"}, 0.5},
		{"text, wrong", entry, item.Response{"W"}, 0},
	}
	for _, c := range cases {
		if err := c.it.Check(c.r); err != nil {
			t.Errorf("%s: the response is refused: %v", c.name, err)
			continue
		}
		if got := c.it.Score(c.r); got != c.want {
			t.Errorf("%s: score %v, want %v", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		it   item.Item
		want float64
	}{{single, 1}, {partial, 2}, {matchingPartial, 2.5}, {entry, 1}} { // a target may take several sources: A X + B Y + C X
		if got := c.it.MaxScore(); got != c.want {
			t.Errorf("%s %s: max score %v, want %v", c.it.Kind, c.it.Scoring, got, c.want)
		}
	}
	// Case sensitive: "m" is not "M".
	entry.Map = &item.Map{Entries: []item.MapEntry{{"M", 1}}, CaseSensitive: true}
	if got := entry.Score(item.Response{"m"}); got != 0 {
		t.Errorf("case-sensitive entry: %v", got)
	}
}

// TestCheck: a response an item cannot hold is refused, with the reason.
func TestCheck(t *testing.T) {
	st := meccatronica(t)
	single := base(st)
	ordering := base(st)
	ordering.Kind, ordering.Correct = item.Ordering, []string{"C", "A", "B"}
	multiple := base(st)
	multiple.Kind, multiple.Correct = item.MultipleChoice, []string{"A"}
	entry := base(st)
	entry.Kind, entry.Choices, entry.Before, entry.Correct, entry.Scoring = item.TextEntry, nil, "Lettera", []string{"M"}, item.MapResponse
	for _, c := range []struct {
		name string
		it   item.Item
		r    item.Response
		key  string
	}{
		{"an unknown option", single, item.Response{"Z"}, "err.item.response.value"},
		{"two options of a single choice", single, item.Response{"A", "B"}, "err.item.response.one"},
		{"an ordering missing one", ordering, item.Response{"A", "B"}, "err.item.response.order"},
		{"an option twice", multiple, item.Response{"A", "A"}, "err.item.response.twice"},
		{"a text with a line break", entry, item.Response{"a\nb"}, "err.item.response.text"},
	} {
		if err := c.it.Check(c.r); attesta.ErrorKey(err) != c.key {
			t.Errorf("%s: %v, want %s", c.name, err, c.key)
		}
	}
}
