// Package item is the online test's item bank (step 7 of the certification
// process): questions written for a national standard's competences, each
// tagged with the rows of the standard it checks, a dimension, a
// difficulty band and a language, and scored automatically.
//
// # Kinds
//
// Seven kinds, the subset of 1EdTech QTI 3.0 attesta delivers (package
// qti reads and writes them as QTI):
//
//	single choice     one of several options           qti-choice-interaction, max-choices 1
//	multiple choice   some of several options          qti-choice-interaction, max-choices 0
//	true/false        "true" or "false"                qti-choice-interaction with the choices true, false
//	ordering          all the options, in order        qti-order-interaction
//	matching          each source to a target (a target qti-match-interaction (directed pairs)
//	                  may take several sources)
//	inline choice     a gap in a sentence, from a list qti-inline-choice-interaction
//	text entry        a gap in a sentence, typed       qti-text-entry-interaction
//
// A [Response] is the candidate's answer as identifiers: the option chosen,
// those chosen, the options in the order given, the pairs "source target",
// or the text typed.
//
// # Scoring
//
// An item is scored as QTI's two response-processing templates say
// ([Scoring]): match_correct gives 1 when the response is the correct one and
// 0 otherwise; map_response sums the points the item's map gives each value
// of the response (partial credit), within the map's bounds. [Item.Score]
// and [Item.MaxScore] are the one place that computes it.
//
// # Versions and life
//
// An item is a sequence of versions. A version is written as a draft, sent
// for review, approved (then it may be drawn into a test) and at last
// retired; approving a version retires the version approved before it. An
// approved version never changes: a change is a new version, a draft, and a
// sitting pins the exact versions it drew, so the paper a candidate sat can
// always be shown as it was.
//
//	draft ──(submit)──▶ in review ──(approve)──▶ approved ──(retire)──▶ retired
//	  ▲                    │
//	  └────(send back)─────┘
package item

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
)

// Kind is the kind of an item.
type Kind string

// The kinds.
const (
	SingleChoice   Kind = "single_choice"
	MultipleChoice Kind = "multiple_choice"
	TrueFalse      Kind = "true_false"
	Ordering       Kind = "ordering"
	Matching       Kind = "matching"
	InlineChoice   Kind = "inline_choice"
	TextEntry      Kind = "text_entry"
)

// Kinds lists them.
var Kinds = []Kind{SingleChoice, MultipleChoice, TrueFalse, Ordering, Matching, InlineChoice, TextEntry}

// Dimension is what an item checks of a competence.
type Dimension string

// The dimensions.
const (
	Knowledge Dimension = "knowledge"
	Skill     Dimension = "skill"
	SoftSkill Dimension = "soft_skill"
)

// Dimensions lists them.
var Dimensions = []Dimension{Knowledge, Skill, SoftSkill}

// Difficulty is an item's difficulty band, as its author judges it; item
// analysis later measures it (facility).
type Difficulty string

// The bands.
const (
	Easy   Difficulty = "easy"
	Medium Difficulty = "medium"
	Hard   Difficulty = "hard"
)

// Difficulties lists them.
var Difficulties = []Difficulty{Easy, Medium, Hard}

// Status is where a version of an item is in its life.
type Status string

// The statuses.
const (
	Draft    Status = "draft"
	Review   Status = "in_review"
	Approved Status = "approved"
	Retired  Status = "retired"
)

// Statuses lists them.
var Statuses = []Status{Draft, Review, Approved, Retired}

// Scoring names a QTI 3.0 response-processing template.
type Scoring string

// The templates.
const (
	// MatchCorrect: 1 when the response is the correct response, else 0.
	MatchCorrect Scoring = "match_correct"
	// MapResponse: the sum of the map's points for each value of the
	// response, within the map's bounds (partial credit).
	MapResponse Scoring = "map_response"
)

// The templates' URIs, as a QTI item names them.
const (
	MatchCorrectURI = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
	MapResponseURI  = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"
)

// Choice is an option of an item: its identifier and its text.
type Choice struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// MapEntry gives points to a value of the response: an option's
// identifier, a pair "source target", or an accepted text.
type MapEntry struct {
	Key    string  `json:"key"`
	Points float64 `json:"points"`
}

// Map is a map_response item's scoring: the entries, the points of a value
// not in them, and the bounds of the sum (nil: none).
type Map struct {
	Entries []MapEntry `json:"entries"`
	Default float64    `json:"default,omitempty"`
	Lower   *float64   `json:"lower,omitempty"`
	Upper   *float64   `json:"upper,omitempty"`
	// CaseSensitive, for a text entry, says whether "Vite" is "vite".
	CaseSensitive bool `json:"case_sensitive,omitempty"`
}

// Item is one version of an item.
type Item struct {
	// ID names the item across its versions; it is the QTI identifier.
	ID      string `json:"id"`
	Version int    `json:"version"`
	Status  Status `json:"status"`
	// Lang is the language the item is written in: it or en.
	Lang string `json:"lang"`
	// Sector and Standard are the standard's version the item is written
	// for; Competence, ADA and Result the rows it checks (ADA and Result
	// may be empty: the item checks the competence as a whole).
	Sector     string     `json:"sector"`
	Standard   int        `json:"standard"`
	Competence string     `json:"competence"`
	ADA        string     `json:"ada,omitempty"`
	Result     string     `json:"result,omitempty"`
	Dimension  Dimension  `json:"dimension"`
	Difficulty Difficulty `json:"difficulty"`
	Kind       Kind       `json:"kind"`
	// Title names the item for authors (not shown to candidates).
	Title string `json:"title"`
	// Prompt is the question, plain text; paragraphs apart by a blank
	// line.
	Prompt string `json:"prompt"`
	// Before and After are the sentence around the gap of an inline
	// choice or a text entry.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Choices are the options (of a matching, the sources); Targets the
	// targets of a matching.
	Choices []Choice `json:"choices,omitempty"`
	Targets []Choice `json:"targets,omitempty"`
	// Shuffle says whether the options are shown in a random order (an
	// ordering's always are).
	Shuffle bool `json:"shuffle,omitempty"`
	// Correct is the correct response: the option (single choice, true/
	// false, inline choice), the options (multiple choice), all the options
	// in order (ordering), the pairs "source target" (matching), the
	// expected text (text entry).
	Correct []string `json:"correct"`
	Scoring Scoring  `json:"scoring"`
	// Map is the scoring of a map_response item.
	Map *Map `json:"map,omitempty"`
	// ExpectedLength is a text entry's width, in characters.
	ExpectedLength int `json:"expected_length,omitempty"`
}

// Response is a candidate's answer to an item (see the package's doc).
type Response []string

// Bounds on what an item holds.
const (
	MaxPrompt  = 4000
	MaxText    = 500 // an option, a title, the text around a gap
	MaxChoices = 12
	MaxAnswer  = 200 // a text typed
)

// identifier is what QTI accepts as an identifier, and attesta in a
// response: a letter or underscore, then letters, digits, _ . -
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,63}$`)

// Identifier reports whether s is a valid identifier of an item or an
// option.
func Identifier(s string) bool { return identifier.MatchString(s) }

// Pair is the response value matching source to target.
func Pair(source, target string) string { return source + " " + target }

// Validate checks it against the rules of its kind and against the
// standard st it is written for (st's sector and version are it's),
// recording each problem under its field.
func (it *Item) Validate(st *competence.Standard, fe *attesta.FieldErrors) {
	if !Identifier(it.ID) {
		fe.Problem("id", "err.item.id", it.ID)
	}
	if it.Lang != "it" && it.Lang != "en" {
		fe.Problem("lang", "err.item.lang", it.Lang)
	}
	it.validateTags(st, fe)
	if !slices.Contains(Dimensions, it.Dimension) {
		fe.Problem("dimension", "err.item.dimension", string(it.Dimension))
	}
	if !slices.Contains(Difficulties, it.Difficulty) {
		fe.Problem("difficulty", "err.item.difficulty", string(it.Difficulty))
	}
	text(fe, "title", it.Title, 1, MaxText)
	text(fe, "prompt", it.Prompt, 1, MaxPrompt)
	if !slices.Contains(Kinds, it.Kind) {
		fe.Problem("kind", "err.item.kind", string(it.Kind))
		return
	}
	it.validateKind(fe)
	it.validateScoring(fe)
}

func (it *Item) validateTags(st *competence.Standard, fe *attesta.FieldErrors) {
	if st == nil || st.Sector != it.Sector || st.Version != it.Standard {
		fe.Problem("standard", "err.item.standard", it.Sector, it.Standard)
		return
	}
	c, ok := st.Competence(it.Competence)
	if !ok {
		fe.Problem("competence", "err.item.competence", it.Competence, it.Sector)
		return
	}
	if it.ADA == "" {
		if it.Result != "" {
			fe.Problem("result", "err.item.result.noada")
		}
		return
	}
	i := slices.IndexFunc(c.ADA, func(a competence.ADA) bool { return a.Code == it.ADA })
	if i < 0 {
		fe.Problem("ada", "err.item.ada", it.ADA, it.Competence)
		return
	}
	if it.Result != "" && !slices.ContainsFunc(c.ADA[i].Results, func(r competence.Result) bool { return r.Code == it.Result }) {
		fe.Problem("result", "err.item.result", it.Result, it.ADA)
	}
}

// text checks a text's length and characters (line breaks are allowed).
func text(fe *attesta.FieldErrors, field, v string, min, max int) {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	switch {
	case n < min:
		fe.Problem(field, "err.item.text.required")
	case n > max:
		fe.Problem(field, "err.item.text.long", max)
	case strings.IndexFunc(v, func(r rune) bool { return r < ' ' && r != '\n' && r != '\r' && r != '\t' || r == 0x7f }) >= 0:
		fe.Problem(field, "err.item.text.chars")
	}
}

// options checks a list of options: how many, their identifiers (unique)
// and texts.
func options(fe *attesta.FieldErrors, field string, cs []Choice, min int) {
	if len(cs) < min || len(cs) > MaxChoices {
		fe.Problem(field, "err.item.choices.count", min, MaxChoices)
	}
	seen := map[string]bool{}
	for i, c := range cs {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !Identifier(c.ID):
			fe.Problem(f+".id", "err.item.choice.id", c.ID)
		case seen[c.ID]:
			fe.Problem(f+".id", "err.item.choice.twice", c.ID)
		}
		seen[c.ID] = true
		text(fe, f+".text", c.Text, 1, MaxText)
	}
}

func ids(cs []Choice) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func (it *Item) validateKind(fe *attesta.FieldErrors) {
	correctIn := func(known []string) {
		for _, c := range it.Correct {
			if !slices.Contains(known, c) {
				fe.Problem("correct", "err.item.correct.unknown", c)
			}
		}
	}
	one := func() {
		if len(it.Correct) != 1 {
			fe.Problem("correct", "err.item.correct.one")
		}
	}
	gap := func() {
		text(fe, "before", it.Before, 0, MaxText)
		text(fe, "after", it.After, 0, MaxText)
		if strings.TrimSpace(it.Before+it.After) == "" {
			fe.Problem("before", "err.item.gap.sentence")
		}
	}
	switch it.Kind {
	case SingleChoice, InlineChoice:
		options(fe, "choices", it.Choices, 2)
		one()
		correctIn(ids(it.Choices))
		if it.Kind == InlineChoice {
			gap()
		}
	case MultipleChoice:
		options(fe, "choices", it.Choices, 2)
		if len(it.Correct) == 0 {
			fe.Problem("correct", "err.item.correct.some")
		}
		correctIn(ids(it.Choices))
		if hasTwice(it.Correct) {
			fe.Problem("correct", "err.item.correct.twice")
		}
	case TrueFalse:
		if !slices.Equal(ids(it.Choices), []string{"true", "false"}) {
			fe.Problem("choices", "err.item.truefalse")
		}
		options(fe, "choices", it.Choices, 2)
		one()
		correctIn([]string{"true", "false"})
	case Ordering:
		options(fe, "choices", it.Choices, 2)
		sorted := slices.Clone(it.Correct)
		slices.Sort(sorted)
		all := ids(it.Choices)
		slices.Sort(all)
		if !slices.Equal(sorted, all) {
			fe.Problem("correct", "err.item.ordering")
		}
		if it.Scoring == MapResponse {
			fe.Problem("scoring", "err.item.ordering.map")
		}
	case Matching:
		options(fe, "choices", it.Choices, 1)
		options(fe, "targets", it.Targets, 1)
		if slices.ContainsFunc(it.Targets, func(t Choice) bool { return slices.Contains(ids(it.Choices), t.ID) }) {
			fe.Problem("targets", "err.item.matching.shared")
		}
		if len(it.Correct) == 0 {
			fe.Problem("correct", "err.item.correct.some")
		}
		sources := map[string]bool{}
		for _, p := range it.Correct {
			s, t, ok := strings.Cut(p, " ")
			if !ok || !slices.Contains(ids(it.Choices), s) || !slices.Contains(ids(it.Targets), t) {
				fe.Problem("correct", "err.item.matching.pair", p)
				continue
			}
			if sources[s] {
				fe.Problem("correct", "err.item.matching.twice", s)
			}
			sources[s] = true
		}
	case TextEntry:
		gap()
		one()
		for _, c := range it.Correct {
			text(fe, "correct", c, 1, MaxAnswer)
		}
		if it.Scoring != MapResponse {
			fe.Problem("scoring", "err.item.textentry.map")
		}
		if it.ExpectedLength < 0 || it.ExpectedLength > MaxAnswer {
			fe.Problem("expected_length", "err.item.textentry.length", MaxAnswer)
		}
	}
}

func hasTwice(s []string) bool {
	c := slices.Clone(s)
	slices.Sort(c)
	return len(slices.Compact(c)) != len(s)
}

func (it *Item) validateScoring(fe *attesta.FieldErrors) {
	switch it.Scoring {
	case MatchCorrect:
		if it.Map != nil {
			fe.Problem("map", "err.item.map.unused")
		}
	case MapResponse:
		if it.Map == nil || len(it.Map.Entries) == 0 {
			fe.Problem("map", "err.item.map.empty")
			return
		}
		seen := map[string]bool{}
		for i, e := range it.Map.Entries {
			f := fmt.Sprintf("map.entries[%d]", i)
			key := e.Key
			if it.Kind == TextEntry && !it.Map.CaseSensitive {
				key = strings.ToLower(key)
			}
			if seen[key] {
				fe.Problem(f+".key", "err.item.map.twice", e.Key)
			}
			seen[key] = true
			if it.Kind != TextEntry && !it.valueKnown(e.Key) {
				fe.Problem(f+".key", "err.item.map.key", e.Key)
			}
			if it.Kind == TextEntry {
				text(fe, f+".key", e.Key, 1, MaxAnswer)
			}
		}
		if m := it.Map; m.Lower != nil && m.Upper != nil && *m.Lower > *m.Upper {
			fe.Problem("map", "err.item.map.bounds")
		}
		if it.MaxScore() <= 0 {
			fe.Problem("map", "err.item.map.nothing")
		}
	default:
		fe.Problem("scoring", "err.item.scoring", string(it.Scoring))
	}
}

// valueKnown reports whether v is a value a response to it can hold.
func (it *Item) valueKnown(v string) bool {
	if it.Kind == Matching {
		s, t, ok := strings.Cut(v, " ")
		return ok && slices.Contains(ids(it.Choices), s) && slices.Contains(ids(it.Targets), t)
	}
	return slices.Contains(ids(it.Choices), v)
}

// Check checks a candidate's response to it: the values it may hold, as
// many as its kind allows. A response with no value is "not answered".
func (it *Item) Check(r Response) error {
	switch {
	case len(r) == 0:
		return nil
	case it.Kind == TextEntry:
		if len(r) != 1 || utf8.RuneCountInString(r[0]) > MaxAnswer || strings.ContainsFunc(r[0], func(c rune) bool { return c < ' ' || c == 0x7f }) {
			return attesta.E(attesta.Invalid, "err.item.response.text", MaxAnswer)
		}
		return nil
	}
	for _, v := range r {
		if !it.valueKnown(v) {
			return attesta.E(attesta.Invalid, "err.item.response.value", v)
		}
	}
	switch it.Kind {
	case SingleChoice, TrueFalse, InlineChoice:
		if len(r) != 1 {
			return attesta.E(attesta.Invalid, "err.item.response.one")
		}
	case Ordering:
		if len(r) != len(it.Choices) || hasTwice(r) {
			return attesta.E(attesta.Invalid, "err.item.response.order")
		}
	case MultipleChoice:
		if hasTwice(r) {
			return attesta.E(attesta.Invalid, "err.item.response.twice")
		}
	case Matching:
		sources := map[string]bool{}
		for _, v := range r {
			s, _, _ := strings.Cut(v, " ")
			if sources[s] {
				return attesta.E(attesta.Invalid, "err.item.response.twice")
			}
			sources[s] = true
		}
	}
	return nil
}

// Score is what r scores, as the item's template says: 0 for no response.
// r is assumed checked ([Item.Check]).
func (it *Item) Score(r Response) float64 {
	if len(r) == 0 {
		return 0
	}
	if it.Scoring == MatchCorrect {
		if it.correct(r) {
			return 1
		}
		return 0
	}
	m := it.Map
	sum := 0.0
	if it.Kind == TextEntry {
		sum = m.points(it.normalise(r[0]), it)
	} else {
		seen := map[string]bool{}
		for _, v := range r {
			if !seen[v] {
				sum += m.points(v, it)
				seen[v] = true
			}
		}
	}
	return m.bound(sum)
}

// normalise is a typed text as it is compared: trimmed, and in lower case
// unless the map is case sensitive.
func (it *Item) normalise(s string) string {
	s = strings.TrimSpace(s)
	if !it.Map.CaseSensitive {
		s = strings.ToLower(s)
	}
	return s
}

func (m *Map) points(v string, it *Item) float64 {
	for _, e := range m.Entries {
		k := e.Key
		if it.Kind == TextEntry {
			k = it.normalise(k)
		}
		if k == v {
			return e.Points
		}
	}
	return m.Default
}

func (m *Map) bound(v float64) float64 {
	if m.Lower != nil && v < *m.Lower {
		v = *m.Lower
	}
	if m.Upper != nil && v > *m.Upper {
		v = *m.Upper
	}
	return v
}

// correct reports whether r is the correct response.
func (it *Item) correct(r Response) bool {
	switch it.Kind {
	case Ordering:
		return slices.Equal(r, it.Correct)
	case TextEntry:
		return r[0] == it.Correct[0]
	}
	a, b := slices.Clone(r), slices.Clone(it.Correct)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), b)
}

// MaxScore is the most a response can score.
func (it *Item) MaxScore() float64 {
	if it.Scoring != MapResponse || it.Map == nil {
		return 1
	}
	m := it.Map
	best := 0.0
	if it.Kind == TextEntry || it.Kind == SingleChoice || it.Kind == TrueFalse || it.Kind == InlineChoice {
		best = m.Default
		for _, e := range m.Entries {
			best = max(best, e.Points)
		}
	} else {
		// The best response takes every value worth something (a
		// matching, at most one target per source).
		bySource := map[string]float64{}
		for _, e := range m.Entries {
			if e.Points <= 0 {
				continue
			}
			if it.Kind == Matching {
				s, _, _ := strings.Cut(e.Key, " ")
				bySource[s] = max(bySource[s], e.Points)
				continue
			}
			best += e.Points
		}
		for _, p := range bySource {
			best += p
		}
	}
	return m.bound(best)
}
