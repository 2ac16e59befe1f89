package analysis

import (
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestNotAvailable checks the statistics that cannot be computed: each is
// reported with its reason, never as NaN nor as 0.
func TestNotAvailable(t *testing.T) {
	t.Run("an item everyone got right", func(t *testing.T) {
		// k is constant; a and b vary, so the totals do.
		attempts := grid([]string{"a", "b", "k"}, []float64{1, 1, 1},
			[][]float64{{1, 1, 1}, {1, 0, 1}, {0, 1, 1}, {0, 0, 1}, {1, 1, 1}})
		items := itemsOf(t, attempts, Options{MinN: 5})
		k := items["k"]
		nearly(t, "facility", k.Facility, 1)
		missing(t, "discrimination", k.Discrimination, ZeroVariance)
		missing(t, "item-total", k.ItemTotal, ZeroVariance)
		if !slices.Equal(k.Flags, []Flag{TooEasy}) {
			t.Errorf("flags %v, want too easy only", k.Flags)
		}
		// A constant item adds no variance to α: it is still available.
		if ts := testOf(t, attempts); !ts.Alpha.Available {
			t.Errorf("alpha = %+v", ts.Alpha)
		}
	})
	t.Run("equal totals", func(t *testing.T) {
		// Each candidate got one of the two items: every total is 1/2.
		attempts := grid([]string{"a", "b"}, []float64{1, 1}, [][]float64{{1, 0}, {0, 1}, {1, 0}, {0, 1}})
		items := itemsOf(t, attempts, Options{})
		missing(t, "a item-total", items["a"].ItemTotal, ZeroVariance)
		near(t, "a discrimination", items["a"].Discrimination, -1) // the rest is 1 − a
		ts := testOf(t, attempts)
		near(t, "SD", ts.SD, 0)
		missing(t, "alpha", ts.Alpha, ZeroVariance)
		missing(t, "SEM", ts.SEM, AlphaUnavailable)
	})
	t.Run("totals equal but for rounding", func(t *testing.T) {
		// 0.1 + 0.2 = 0.30000000000000004 in float64, and 0.3 + 0 = 0.3:
		// the totals are equal, and must not pass for varying.
		attempts := grid([]string{"a", "b"}, []float64{1, 1}, [][]float64{{0.1, 0.2}, {0.3, 0}})
		items := itemsOf(t, attempts, Options{})
		missing(t, "a item-total", items["a"].ItemTotal, ZeroVariance)
		ts := testOf(t, attempts)
		if ts.SD != available(0) {
			t.Errorf("SD = %+v, want exactly 0", ts.SD)
		}
		missing(t, "alpha", ts.Alpha, ZeroVariance)
	})
	t.Run("one candidate", func(t *testing.T) {
		attempts := grid([]string{"a", "b"}, []float64{1, 1}, [][]float64{{1, 0}})
		items := itemsOf(t, attempts, Options{})
		missing(t, "discrimination", items["a"].Discrimination, TooFewCandidates)
		missing(t, "item-total", items["a"].ItemTotal, TooFewCandidates)
		ts := testOf(t, attempts)
		near(t, "mean", ts.Mean, 0.5)
		missing(t, "SD", ts.SD, TooFewCandidates)
		missing(t, "alpha", ts.Alpha, TooFewCandidates)
		missing(t, "SEM", ts.SEM, AlphaUnavailable)
	})
	t.Run("a candidate shown one item", func(t *testing.T) {
		// c3 has no rest score for a: the item–rest correlation is over
		// c1, c2 and c4 only. x = 1, 0, 0 against R = 1, 1, 0 (b):
		// x̄ = 1/3, R̄ = 2/3, SP = 1 − 3·(1/3)(2/3) = 1/3,
		// SS_x = SS_R = 3·(1/3)(2/3) = 2/3, r = (1/3)/(2/3) = 1/2.
		attempts := grid([]string{"a", "b"}, []float64{1, 1}, [][]float64{{1, 1}, {0, 1}, {1, -1}, {0, 0}})
		a := itemsOf(t, attempts, Options{})["a"]
		near(t, "discrimination", a.Discrimination, 0.5)
		if a.N != 4 {
			t.Errorf("N = %d", a.N)
		}
	})
	t.Run("no attempts", func(t *testing.T) {
		items, err := Items(nil, Options{})
		if err != nil || len(items) != 0 {
			t.Errorf("Items(nil) = %v, %v", items, err)
		}
		ts := testOf(t, nil)
		if ts.N != 0 || ts.Items != 0 {
			t.Errorf("Test(nil) = %+v", ts)
		}
		missing(t, "mean", ts.Mean, TooFewCandidates)
		missing(t, "SD", ts.SD, TooFewCandidates)
		missing(t, "alpha", ts.Alpha, TooFewCandidates)
	})
}

// TestUnanswered checks that an item shown and not answered counts as
// shown: in N, in the facility with its score of 0, and apart from the
// options.
func TestUnanswered(t *testing.T) {
	attempts := grid([]string{"a", "b"}, []float64{2, 1}, [][]float64{{2, 1}, {1, 0}, {0, 1}, {0, 0}})
	// c3 and c4 left a unanswered; c4 spent 30 s on it all the same.
	attempts[2].Responses[0].Answered = false
	attempts[3].Responses[0].Answered = false
	attempts[3].Responses[0].Time = 30 * time.Second
	a := itemsOf(t, attempts, Options{})["a"]
	if a.N != 4 || a.Unanswered != 2 || a.Options != nil || a.Time != (Timing{N: 1, Mean: 30 * time.Second, Median: 30 * time.Second}) {
		t.Errorf("a = %+v", a)
	}
	nearly(t, "unanswered share", a.UnansweredShare, 0.5)
	nearly(t, "facility", a.Facility, (1+0.5+0+0)/4.0)

	// A multiple-response item: shares are over N and may add up to more
	// than 1; an option chosen twice by one candidate counts once.
	mr := []Attempt{
		{ID: "1", Responses: []Response{{Item: "m", Max: 1, Score: 1, Answered: true, Offered: []string{"x", "y", "z"}, Key: []string{"x", "y"}, Choices: []string{"x", "y", "x"}}}},
		{ID: "2", Responses: []Response{{Item: "m", Max: 1, Score: 0, Answered: true, Offered: []string{"x", "y", "z"}, Key: []string{"x", "y"}, Choices: []string{"x", "z"}}}},
		{ID: "3", Responses: []Response{{Item: "m", Max: 1, Score: 0, Offered: []string{"x", "y", "z"}, Key: []string{"x", "y"}}}},
	}
	m := itemsOf(t, mr, Options{MinN: 1})["m"]
	want := []OptionStats{
		{Option: "x", Key: true, Chosen: 2, Share: 2.0 / 3},
		{Option: "y", Key: true, Chosen: 1, Share: 1.0 / 3},
		{Option: "z", Chosen: 1, Share: 1.0 / 3},
	}
	if !reflect.DeepEqual(m.Options, want) || m.Unanswered != 1 {
		t.Errorf("options %+v, unanswered %d; want %+v, 1", m.Options, m.Unanswered, want)
	}
}

// TestOptionsWithoutKey checks that when no key is given no option is
// taken for a distractor, so none is flagged non-functioning.
func TestOptionsWithoutKey(t *testing.T) {
	attempts := fixtureA()
	for c := range attempts {
		for i := range attempts[c].Responses {
			attempts[c].Responses[i].Key = nil
		}
	}
	i1 := itemsOf(t, attempts, Options{MinN: 6})["i1"]
	for _, o := range i1.Options {
		if o.Key || o.NonFunctioning {
			t.Errorf("option %+v", o)
		}
	}
	if slices.Contains(i1.Flags, NonFunctioningDistractor) {
		t.Errorf("flags %v", i1.Flags)
	}
}

// TestFlagThresholds checks each rule on its threshold and either side of
// it: the comparisons are strict, a value on the threshold is not
// flagged.
func TestFlagThresholds(t *testing.T) {
	defaults := Options{}.withDefaults()
	ok := func(v float64) Stat { return available(v) }
	tests := []struct {
		name  string
		s     ItemStats
		o     Options
		flags []Flag
	}{
		{"N below MinN: nothing else", ItemStats{N: 29, Facility: 0.05, Discrimination: ok(-0.5), Options: []OptionStats{{NonFunctioning: true}}}, defaults, []Flag{TooFewResponses}},
		{"N at MinN", ItemStats{N: 30, Facility: 0.5, Discrimination: ok(0.5)}, defaults, nil},
		{"facility at HardBelow", ItemStats{N: 30, Facility: 0.20, Discrimination: ok(0.5)}, defaults, nil},
		{"facility below HardBelow", ItemStats{N: 30, Facility: math.Nextafter(0.20, 0), Discrimination: ok(0.5)}, defaults, []Flag{TooHard}},
		{"facility at EasyAbove", ItemStats{N: 30, Facility: 0.90, Discrimination: ok(0.5)}, defaults, nil},
		{"facility above EasyAbove", ItemStats{N: 30, Facility: math.Nextafter(0.90, 1), Discrimination: ok(0.5)}, defaults, []Flag{TooEasy}},
		{"discrimination at WeakBelow", ItemStats{N: 30, Facility: 0.5, Discrimination: ok(0.20)}, defaults, nil},
		{"discrimination below WeakBelow", ItemStats{N: 30, Facility: 0.5, Discrimination: ok(math.Nextafter(0.20, 0))}, defaults, []Flag{WeakDiscrimination}},
		{"discrimination 0", ItemStats{N: 30, Facility: 0.5, Discrimination: ok(0)}, defaults, []Flag{WeakDiscrimination}},
		{"discrimination below 0", ItemStats{N: 30, Facility: 0.5, Discrimination: ok(math.Nextafter(0, -1))}, defaults, []Flag{NegativeDiscrimination}},
		{"discrimination not available", ItemStats{N: 30, Facility: 0.5, Discrimination: unavailable(ZeroVariance)}, defaults, nil},
		{"a non-functioning distractor", ItemStats{N: 30, Facility: 0.5, Discrimination: ok(0.5), Options: []OptionStats{{}, {NonFunctioning: true}}}, defaults, []Flag{NonFunctioningDistractor}},
		{"all, in order", ItemStats{N: 30, Facility: 0.1, Discrimination: ok(-0.1), Options: []OptionStats{{NonFunctioning: true}}}, defaults, []Flag{TooHard, NegativeDiscrimination, NonFunctioningDistractor}},
		{"turned off", ItemStats{N: 1, Facility: 0, Discrimination: ok(0.1)}, Options{MinN: 1, HardBelow: -1, EasyAbove: 1, WeakBelow: -1}.withDefaults(), nil},
		{"raised", ItemStats{N: 40, Facility: 0.3, Discrimination: ok(0.25)}, Options{MinN: 40, HardBelow: 0.35, WeakBelow: 0.3}.withDefaults(), []Flag{TooHard, WeakDiscrimination}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := flags(&tc.s, tc.o); !slices.Equal(got, tc.flags) {
				t.Errorf("flags = %v, want %v", got, tc.flags)
			}
		})
	}
}

// TestFlagThresholdsFromData checks the thresholds end to end, on
// facilities and shares computed from responses: 6/30 is 0.20 exactly in
// float64, as 27/30 is 0.90 and 1/20 is 0.05.
func TestFlagThresholdsFromData(t *testing.T) {
	// column returns the attempts at one four-option item whose key is A,
	// a, b, c and d of them choosing A, B, C and D.
	column := func(a, b, c, d int) []Attempt {
		var attempts []Attempt
		for k, n := range []int{a, b, c, d} {
			for range n {
				r := Response{Item: "q", Max: 1, Answered: true, Offered: []string{"A", "B", "C", "D"}, Key: []string{"A"}, Choices: []string{string(rune('A' + k))}}
				if k == 0 {
					r.Score = 1
				}
				// Another item, so that every candidate has a rest score.
				other := Response{Item: "r", Max: 1, Score: float64(len(attempts) % 2), Answered: true}
				attempts = append(attempts, Attempt{ID: strconv.Itoa(len(attempts)), Responses: []Response{r, other}})
			}
		}
		return attempts
	}
	tests := []struct {
		name     string
		attempts []Attempt
		opts     Options
		flag     Flag
		want     bool
	}{
		{"N 29 is too few", column(10, 9, 5, 5), Options{}, TooFewResponses, true},
		{"N 30 is enough", column(10, 10, 5, 5), Options{}, TooFewResponses, false},
		{"facility 6/30 = 0.20 is not too hard", column(6, 14, 5, 5), Options{}, TooHard, false},
		{"facility 5/30 is too hard", column(5, 15, 5, 5), Options{}, TooHard, true},
		{"facility 27/30 = 0.90 is not too easy", column(27, 1, 1, 1), Options{}, TooEasy, false},
		{"facility 28/30 is too easy", column(28, 0, 1, 1), Options{}, TooEasy, true},
		{"a distractor chosen by nobody", column(10, 10, 10, 0), Options{}, NonFunctioningDistractor, true},
		{"distractors chosen by 1/20 = 0.05 each", column(17, 1, 1, 1), Options{MinN: 20}, NonFunctioningDistractor, false},
		{"distractors chosen by 1/21 each", column(18, 1, 1, 1), Options{MinN: 20}, NonFunctioningDistractor, true},
		{"N below MinN: no distractor flag", column(10, 10, 10, 0), Options{MinN: 31}, NonFunctioningDistractor, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := itemsOf(t, tc.attempts, tc.opts)["q"]
			if slices.Contains(s.Flags, tc.flag) != tc.want {
				t.Errorf("flags %v: %s %v, want %v", s.Flags, tc.flag, !tc.want, tc.want)
			}
		})
	}
	// Option by option: C is chosen by 1 of 20 (0.05, functioning) or 1
	// of 21 (below), D by none.
	for _, tc := range []struct {
		attempts []Attempt
		want     []bool // A, B, C, D
	}{
		{column(10, 9, 1, 0), []bool{false, false, false, true}},
		{column(10, 10, 1, 0), []bool{false, false, true, true}},
	} {
		s := itemsOf(t, tc.attempts, Options{MinN: 20})["q"]
		for k, o := range s.Options {
			if o.NonFunctioning != tc.want[k] {
				t.Errorf("N %d: option %+v, want non-functioning %v", s.N, o, tc.want[k])
			}
		}
	}
}

// TestOptionsDefaults checks that Options{} is the documented defaults.
func TestOptionsDefaults(t *testing.T) {
	got := Options{}.withDefaults()
	want := Options{MinN: 30, HardBelow: 0.20, EasyAbove: 0.90, WeakBelow: 0.20, DistractorBelow: 0.05}
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	set := Options{MinN: 10, HardBelow: -1, EasyAbove: 0.95, WeakBelow: 0.1, DistractorBelow: -1}
	if got := set.withDefaults(); got != set {
		t.Errorf("%+v became %+v", set, got)
	}
}

// TestInvalid checks that input breaking the rules is refused with
// ErrInvalid, by Items and Test alike.
func TestInvalid(t *testing.T) {
	ok := Response{Item: "a", Score: 1, Max: 1, Answered: true}
	with := func(f func(*Response)) []Attempt {
		r := ok
		f(&r)
		return []Attempt{{ID: "x", Responses: []Response{ok, r}}}
	}
	tests := []struct {
		name     string
		attempts []Attempt
	}{
		{"no responses", []Attempt{{ID: "x"}}},
		{"no item", with(func(r *Response) { r.Item = "" })},
		{"item twice", with(func(r *Response) {})},
		{"max 0", with(func(r *Response) { r.Item, r.Max, r.Score = "b", 0, 0 })},
		{"max negative", with(func(r *Response) { r.Item, r.Max, r.Score = "b", -1, 0 })},
		{"max NaN", with(func(r *Response) { r.Item, r.Max = "b", math.NaN() })},
		{"max infinite", with(func(r *Response) { r.Item, r.Max = "b", math.Inf(1) })},
		{"points add up to infinity", []Attempt{{ID: "x", Responses: []Response{
			{Item: "a", Max: math.MaxFloat64}, {Item: "b", Max: math.MaxFloat64}}}}},
		{"score above max", with(func(r *Response) { r.Item, r.Score = "b", 1.5 })},
		{"score negative", with(func(r *Response) { r.Item, r.Score = "b", -0.5 })},
		{"score NaN", with(func(r *Response) { r.Item, r.Score = "b", math.NaN() })},
		{"negative time", with(func(r *Response) { r.Item, r.Time = "b", -time.Second })},
		{"choices unanswered", with(func(r *Response) { r.Item, r.Answered, r.Choices = "b", false, []string{"A"} })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Items(tc.attempts, Options{}); !errors.Is(err, ErrInvalid) {
				t.Errorf("Items: %v, want ErrInvalid", err)
			}
			if _, err := Test(tc.attempts); !errors.Is(err, ErrInvalid) {
				t.Errorf("Test: %v, want ErrInvalid", err)
			}
		})
	}
}

// bank returns n attempts at k items each, drawn from a bank of size
// items, with partial credit on every fifth item, four options, some
// unanswered items and some unknown times; seed makes it reproducible.
func bank(seed uint64, n, k, size int) []Attempt {
	rng := rand.New(rand.NewPCG(seed, 1))
	offered := []string{"A", "B", "C", "D"}
	attempts := make([]Attempt, n)
	for c := range attempts {
		ability := rng.Float64()
		items := rng.Perm(size)[:k]
		responses := make([]Response, k)
		for j, i := range items {
			difficulty := float64(i%10) / 10
			r := Response{Item: "item" + strconv.Itoa(1000+i), Max: 1, Offered: offered, Key: offered[:1], Answered: rng.Float64() > 0.05}
			if i%5 == 0 {
				r.Max = 3
			}
			if r.Answered {
				if rng.Float64() < 0.5+ability-difficulty {
					r.Score, r.Choices = r.Max, offered[:1]
				} else {
					r.Choices = offered[1+rng.IntN(3):][:1]
					if r.Max > 1 {
						r.Score = float64(rng.IntN(3))
					}
				}
			}
			if rng.Float64() > 0.1 {
				r.Time = time.Duration(5+rng.IntN(120)) * time.Second
			}
			responses[j] = r
		}
		attempts[c] = Attempt{ID: strconv.Itoa(c), Responses: responses}
	}
	return attempts
}

// TestDeterministic checks that the report does not depend on map order,
// nor on the order of an attempt's responses or of an item's options
// (with scores whose sums are exact, so that float rounding cannot
// differ either), and that items and options are sorted.
func TestDeterministic(t *testing.T) {
	attempts := bank(7, 60, 8, 20)
	first, err := Items(attempts, Options{})
	if err != nil {
		t.Fatal(err)
	}
	firstTest := testOf(t, attempts)
	rng := rand.New(rand.NewPCG(8, 1))
	for range 5 {
		shuffled := make([]Attempt, len(attempts))
		for c, a := range attempts {
			rs := slices.Clone(a.Responses)
			rng.Shuffle(len(rs), func(i, j int) { rs[i], rs[j] = rs[j], rs[i] })
			for k := range rs {
				o := slices.Clone(rs[k].Offered)
				rng.Shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
				rs[k].Offered = o
			}
			shuffled[c] = Attempt{ID: a.ID, Responses: rs}
		}
		again, err := Items(shuffled, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, again) {
			t.Fatal("Items differs when responses and options are shuffled")
		}
		if !reflect.DeepEqual(firstTest, testOf(t, shuffled)) {
			t.Fatal("Test differs when responses and options are shuffled")
		}
	}
	if !slices.IsSortedFunc(first, func(a, b ItemStats) int { return cmp.Compare(a.Item, b.Item) }) {
		t.Error("items are not sorted by identifier")
	}
	for _, s := range first {
		if !slices.IsSortedFunc(s.Options, func(a, b OptionStats) int { return cmp.Compare(a.Option, b.Option) }) {
			t.Errorf("%s: options are not sorted", s.Item)
		}
	}
}

// TestNoNaN runs many small random matrices, many of them degenerate
// (constant items, two candidates, one item), and checks that every
// figure is finite (json.Marshal refuses NaN and infinities), that an
// unavailable statistic is 0 with a reason, and that correlations and α
// stay in their ranges.
func TestNoNaN(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 300 {
		n, size := 1+rng.IntN(6), 1+rng.IntN(5)
		attempts := make([]Attempt, n)
		for c := range attempts {
			for i := range size {
				if rng.IntN(4) == 0 && len(attempts[c].Responses) > 0 {
					continue // not shown
				}
				max := float64(1 + rng.IntN(3))
				score := []float64{0, max, max / 2, 0.1}[rng.IntN(4)]
				if run%3 == 0 {
					score = max // everything right
				}
				attempts[c].Responses = append(attempts[c].Responses, Response{Item: strconv.Itoa(i), Score: score, Max: max, Answered: true})
			}
		}
		items, err := Items(attempts, Options{MinN: 1})
		if err != nil {
			t.Fatal(err)
		}
		ts := testOf(t, attempts)
		if _, err := json.Marshal(struct {
			I []ItemStats
			T TestStats
		}{items, ts}); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		check := func(name string, s Stat, lo, hi float64) {
			if s.Available && (s.Value < lo || s.Value > hi || s.Reason != "") || !s.Available && (s.Value != 0 || s.Reason == "") {
				t.Fatalf("run %d: %s = %+v", run, name, s)
			}
		}
		for _, s := range items {
			check(s.Item+" discrimination", s.Discrimination, -1, 1)
			check(s.Item+" item-total", s.ItemTotal, -1, 1)
		}
		check("mean", ts.Mean, 0, 1)
		check("SD", ts.SD, 0, 1)
		check("alpha", ts.Alpha, math.Inf(-1), 1)
		check("SEM", ts.SEM, 0, 1)
	}
}
