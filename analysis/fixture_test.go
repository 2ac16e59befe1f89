package analysis

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

const tolerance = 1e-9

// near reports whether got is available and within tolerance of want.
func near(t *testing.T, name string, got Stat, want float64) {
	t.Helper()
	if !got.Available || math.Abs(got.Value-want) > tolerance {
		t.Errorf("%s = %+v, want %.12f", name, got, want)
	}
}

// nearly is near for a plain number.
func nearly(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > tolerance {
		t.Errorf("%s = %.12f, want %.12f", name, got, want)
	}
}

// missing reports whether got is not available, for reason.
func missing(t *testing.T, name string, got Stat, reason Reason) {
	t.Helper()
	if got != unavailable(reason) {
		t.Errorf("%s = %+v, want not available (%s)", name, got, reason)
	}
}

// grid returns attempts from a candidates × items matrix of scores, every
// item worth max[i] points; a negative score means "not shown".
func grid(items []string, max []float64, scores [][]float64) []Attempt {
	attempts := make([]Attempt, len(scores))
	for c, row := range scores {
		attempts[c].ID = "c" + string(rune('1'+c))
		for i, s := range row {
			if s < 0 {
				continue
			}
			attempts[c].Responses = append(attempts[c].Responses, Response{Item: items[i], Score: s, Max: max[i], Answered: true})
		}
	}
	return attempts
}

func itemsOf(t *testing.T, attempts []Attempt, opts Options) map[string]ItemStats {
	t.Helper()
	stats, err := Items(attempts, opts)
	if err != nil {
		t.Fatalf("Items: %v", err)
	}
	m := map[string]ItemStats{}
	for _, s := range stats {
		m[s.Item] = s
	}
	return m
}

func testOf(t *testing.T, attempts []Attempt) TestStats {
	t.Helper()
	s, err := Test(attempts)
	if err != nil {
		t.Fatalf("Test: %v", err)
	}
	return s
}

// fixtureA is six candidates × four dichotomous four-option items (key
// A), computed by hand in TestFixtureA.
//
//	      i1 i2 i3 i4 | X   choices (i1 i2 i3 i4)
//	c1     1  1  1  1 | 4   A A A A
//	c2     1  1  1  0 | 3   A A A B
//	c3     1  1  0  0 | 2   A A B B
//	c4     1  0  1  0 | 2   A B A C
//	c5     0  1  0  0 | 1   B A C D
//	c6     0  0  0  0 | 0   C - D D    (- : i2 not answered)
//
// Times: i1 10s 20s 30s 40s 50s and c6 unknown; i2 10s 20s 30s 100s for
// c1–c4, unknown for c5 and c6; none for i3 and i4.
func fixtureA() []Attempt {
	scores := [][]float64{{1, 1, 1, 1}, {1, 1, 1, 0}, {1, 1, 0, 0}, {1, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}}
	choices := [][]string{{"A", "A", "A", "A"}, {"A", "A", "A", "B"}, {"A", "A", "B", "B"}, {"A", "B", "A", "C"}, {"B", "A", "C", "D"}, {"C", "", "D", "D"}}
	times := [][]time.Duration{{10, 10}, {20, 20}, {30, 30}, {40, 100}, {50, 0}, {0, 0}}
	attempts := grid([]string{"i1", "i2", "i3", "i4"}, []float64{1, 1, 1, 1}, scores)
	for c := range attempts {
		for i := range attempts[c].Responses {
			r := &attempts[c].Responses[i]
			r.Offered, r.Key = []string{"D", "C", "B", "A"}, []string{"A"}
			if ch := choices[c][i]; ch != "" {
				r.Choices = []string{ch}
			} else {
				r.Answered = false
			}
			if i < 2 {
				r.Time = times[c][i] * time.Second
			}
		}
	}
	return attempts
}

// TestFixtureA checks fixtureA against the statistics computed by hand.
//
// Totals X = 4, 3, 2, 2, 1, 0 (of 4 points): X̄ = 12/6 = 2,
// SS_X = Σ X² − n·X̄² = (16+9+4+4+1+0) − 6·4 = 34 − 24 = 10, s²_X = 10/5 = 2.
// T = X/4: mean 0.5, SD = √2/4 (the sample SD of X, over 4).
//
// Item sums of squares, SS = n·p·(1−p) for a 0/1 item, and variances
// SS/(n−1):
//
//	i1 p = 4/6 = 2/3   SS = 6·(2/3)(1/3) = 4/3   s² = 4/15
//	i2 p = 2/3         SS = 4/3                  s² = 4/15
//	i3 p = 3/6 = 1/2   SS = 6·(1/2)(1/2) = 3/2   s² = 3/10
//	i4 p = 1/6         SS = 6·(1/6)(5/6) = 5/6   s² = 1/6
//	Σ s²_i = (8 + 8 + 9 + 5)/30 = 1
//
// α = k/(k−1)·(1 − Σs²_i/s²_X) = 4/3·(1 − 1/2) = 2/3.
// SEM = SD·√(1 − α) = (√2/4)·√(1/3) = √(2/3)/4.
//
// Item–total r = SP/√(SS_x·SS_X), SP = Σ x·X − n·x̄·X̄ (T = X/4 gives the
// same r):
//
//	i1 SP = (4+3+2+2) − 6·(2/3)·2 = 11 − 8 = 3    r = 3/√(4/3·10) = 3/√(40/3)
//	i2 SP = (4+3+2+1) − 8 = 2                     r = 2/√(40/3)
//	i3 SP = (4+3+2) − 6·(1/2)·2 = 9 − 6 = 3       r = 3/√(3/2·10) = 3/√15
//	i4 SP = 4 − 6·(1/6)·2 = 2                     r = 2/√(5/6·10) = 2/√(25/3)
//
// Item–rest, R = X − x on the other three items (every rest is out of 3
// points, so R/3 gives the same r):
//
//	i1 R = 3,2,1,1,1,0  R̄ = 8/6 = 4/3  SS_R = 16 − 6·16/9 = 16/3
//	   SP = (3+2+1+1) − 6·(2/3)(4/3) = 7 − 16/3 = 5/3
//	   r = (5/3)/√(4/3·16/3) = (5/3)/(8/3) = 5/8
//	i2 R = 3,2,1,2,0,0  R̄ = 4/3  SS_R = 18 − 32/3 = 22/3
//	   SP = (3+2+1+0) − 16/3 = 2/3
//	   r = (2/3)/√(4/3·22/3) = 2/√88
//	i3 R = 3,2,2,1,1,0  R̄ = 3/2  SS_R = 19 − 6·9/4 = 11/2
//	   SP = (3+2+1) − 6·(1/2)(3/2) = 3/2
//	   r = (3/2)/√(3/2·11/2) = √(3/11)
//	i4 R = 3,3,2,2,1,0  R̄ = 11/6  SS_R = 27 − 6·121/36 = 41/6
//	   SP = 3 − 6·(1/6)(11/6) = 7/6
//	   r = (7/6)/√(5/6·41/6) = 7/√205
//
// Options (N = 6): i1 A 4, B 1, C 1, D 0; i2 A 4, B 1, C 0, D 0 and one
// unanswered; i3 A 3, B C D 1 each; i4 A 1, B 2, C 1, D 2. With MinN 6
// the distractors chosen by nobody (share 0 < 0.05) are non-functioning:
// D of i1, C and D of i2. i4's facility 1/6 < 0.20 is too hard; every
// discrimination is at least 0.20 (i2's 2/√88 ≈ 0.2132 the lowest).
//
// Times: i1 10, 20, 30, 40, 50 s: mean 30 s, median 30 s; i2 10, 20, 30,
// 100 s: mean 160/4 = 40 s, median (20+30)/2 = 25 s.
func TestFixtureA(t *testing.T) {
	attempts := fixtureA()
	items := itemsOf(t, attempts, Options{MinN: 6})

	want := []struct {
		item            string
		facility        float64
		rest, total     float64
		chosen          []int // A, B, C, D
		nonFunctioning  []bool
		unanswered      int
		time            Timing
		flags           []Flag
		dichotomous     bool
		unansweredShare float64
	}{
		{"i1", 2.0 / 3, 5.0 / 8, 3 / math.Sqrt(40.0/3), []int{4, 1, 1, 0}, []bool{false, false, false, true}, 0,
			Timing{N: 5, Mean: 30 * time.Second, Median: 30 * time.Second}, []Flag{NonFunctioningDistractor}, true, 0},
		{"i2", 2.0 / 3, 2 / math.Sqrt(88), 2 / math.Sqrt(40.0/3), []int{4, 1, 0, 0}, []bool{false, false, true, true}, 1,
			Timing{N: 4, Mean: 40 * time.Second, Median: 25 * time.Second}, []Flag{NonFunctioningDistractor}, true, 1.0 / 6},
		{"i3", 0.5, math.Sqrt(3.0 / 11), 3 / math.Sqrt(15), []int{3, 1, 1, 1}, []bool{false, false, false, false}, 0,
			Timing{}, nil, true, 0},
		{"i4", 1.0 / 6, 7 / math.Sqrt(205), 2 / math.Sqrt(25.0/3), []int{1, 2, 1, 2}, []bool{false, false, false, false}, 0,
			Timing{}, []Flag{TooHard}, true, 0},
	}
	for _, w := range want {
		s := items[w.item]
		if s.N != 6 || s.Dichotomous != w.dichotomous || s.Unanswered != w.unanswered {
			t.Errorf("%s: N %d, dichotomous %v, unanswered %d", w.item, s.N, s.Dichotomous, s.Unanswered)
		}
		nearly(t, w.item+" facility", s.Facility, w.facility)
		nearly(t, w.item+" unanswered share", s.UnansweredShare, w.unansweredShare)
		near(t, w.item+" discrimination", s.Discrimination, w.rest)
		near(t, w.item+" item-total", s.ItemTotal, w.total)
		if len(s.Options) != 4 {
			t.Fatalf("%s: options %+v", w.item, s.Options)
		}
		for k, o := range s.Options {
			if o.Option != string(rune('A'+k)) || o.Key != (k == 0) || o.Chosen != w.chosen[k] || o.NonFunctioning != w.nonFunctioning[k] {
				t.Errorf("%s: option %d = %+v", w.item, k, o)
			}
			nearly(t, w.item+" share "+o.Option, o.Share, float64(w.chosen[k])/6)
		}
		if s.Time != w.time {
			t.Errorf("%s: time %+v, want %+v", w.item, s.Time, w.time)
		}
		if !slices.Equal(s.Flags, w.flags) {
			t.Errorf("%s: flags %v, want %v", w.item, s.Flags, w.flags)
		}
	}

	ts := testOf(t, attempts)
	if ts.N != 6 || ts.Items != 4 || ts.CommonItems != 4 {
		t.Errorf("test: N %d, items %d, common %d", ts.N, ts.Items, ts.CommonItems)
	}
	near(t, "mean", ts.Mean, 0.5)
	near(t, "SD", ts.SD, math.Sqrt(2)/4)
	near(t, "alpha", ts.Alpha, 2.0/3)
	near(t, "SEM", ts.SEM, math.Sqrt(2.0/3)/4)

	// α written out from the item and total variances of the comment.
	k, sumItemVar, totalVar := 4.0, 4.0/15+4.0/15+3.0/10+1.0/6, 2.0
	near(t, "alpha from the formula", ts.Alpha, k/(k-1)*(1-sumItemVar/totalVar))
}

// TestFixtureAGolden keeps the whole report of fixtureA, as JSON, in
// testdata/fixture-a.json: a change to a figure, an order or a name is a
// diff to review. go test ./analysis -run Golden -update rewrites it.
// Figures are kept to 12 significant digits, which every architecture
// agrees on (Go may fuse a multiply and an add on arm64).
func TestFixtureAGolden(t *testing.T) {
	attempts := fixtureA()
	items, err := Items(attempts, Options{MinN: 6})
	if err != nil {
		t.Fatal(err)
	}
	test, err := Test(attempts)
	if err != nil {
		t.Fatal(err)
	}
	report := struct {
		Items []ItemStats `json:"items"`
		Test  TestStats   `json:"test"`
	}{items, test}
	round12(reflect.ValueOf(&report).Elem())
	got, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "fixture-a.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("report differs from %s (-update rewrites it):\n%s", path, got)
	}
}

// round12 rounds every float64 in v to 12 significant digits.
func round12(v reflect.Value) {
	switch v.Kind() {
	case reflect.Float64:
		r, _ := strconv.ParseFloat(strconv.FormatFloat(v.Float(), 'g', 12, 64), 64)
		v.SetFloat(r)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				round12(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			round12(v.Index(i))
		}
	}
}

// TestPartialCredit checks a matrix with a partial-credit item: p3 is
// worth 2 points and scored 0, 1 or 2.
//
//	      p1 p2 p3 | X (of 4)
//	c1     1  1  2 | 4
//	c2     1  0  2 | 3
//	c3     1  1  1 | 3
//	c4     0  1  1 | 2
//	c5     0  0  0 | 0
//
// X̄ = 12/5 = 2.4, SS_X = (16+9+9+4+0) − 5·2.4² = 38 − 28.8 = 9.2,
// s²_X = 9.2/4 = 2.3; T = X/4: mean 0.6, SD = √2.3/4.
//
//	p1 1,1,1,0,0  mean 0.6  SS = 5·0.6·0.4 = 1.2     s² = 0.3
//	p2 1,0,1,1,0  mean 0.6  SS = 1.2                 s² = 0.3
//	p3 2,2,1,1,0  mean 1.2  SS = 10 − 5·1.44 = 2.8   s² = 0.7
//	Σ s²_i = 1.3
//
// α = 3/2·(1 − 1.3/2.3) = 1.5·(1/2.3) = 15/23 (raw points: p3 weighs its
// 2 points).
//
// Facility of p3 = mean of Score/Max = (1 + 1 + 0.5 + 0.5 + 0)/5 = 0.6.
//
// Item–total (r is the same on Score or Score/Max, X or X/4):
//
//	p1 SP = (4+3+3) − 5·0.6·2.4 = 10 − 7.2 = 2.8   r = 2.8/√(1.2·9.2)
//	p2 SP = (4+3+2) − 7.2 = 1.8                    r = 1.8/√(1.2·9.2)
//	p3 SP = (8+6+3+2+0) − 5·1.2·2.4 = 19 − 14.4 = 4.6
//	   r = 4.6/√(2.8·9.2)
//
// Item–rest (each rest is out of the same points for every candidate):
//
//	p1 R = 3,2,2,2,0  R̄ = 1.8  SS_R = 21 − 5·3.24 = 4.8
//	   SP = (3+2+2) − 5·0.6·1.8 = 7 − 5.4 = 1.6    r = 1.6/√(1.2·4.8) = 1.6/2.4 = 2/3
//	p2 R = 3,3,2,1,0  R̄ = 1.8  SS_R = 23 − 16.2 = 6.8
//	   SP = (3+2+1) − 5.4 = 0.6                    r = 0.6/√(1.2·6.8)
//	p3 R = 2,1,2,1,0  R̄ = 1.2  SS_R = 10 − 7.2 = 2.8
//	   SP = (4+2+2+1+0) − 5·1.2·1.2 = 9 − 7.2 = 1.8  r = 1.8/√(2.8·2.8) = 9/14
func TestPartialCredit(t *testing.T) {
	attempts := grid([]string{"p1", "p2", "p3"}, []float64{1, 1, 2},
		[][]float64{{1, 1, 2}, {1, 0, 2}, {1, 1, 1}, {0, 1, 1}, {0, 0, 0}})
	items := itemsOf(t, attempts, Options{})
	for _, w := range []struct {
		item        string
		dichotomous bool
		facility    float64
		rest, total float64
	}{
		{"p1", true, 0.6, 2.0 / 3, 2.8 / math.Sqrt(1.2*9.2)},
		{"p2", true, 0.6, 0.6 / math.Sqrt(1.2*6.8), 1.8 / math.Sqrt(1.2*9.2)},
		{"p3", false, 0.6, 9.0 / 14, 4.6 / math.Sqrt(2.8*9.2)},
	} {
		s := items[w.item]
		if s.Dichotomous != w.dichotomous {
			t.Errorf("%s: dichotomous %v", w.item, s.Dichotomous)
		}
		nearly(t, w.item+" facility", s.Facility, w.facility)
		near(t, w.item+" discrimination", s.Discrimination, w.rest)
		near(t, w.item+" item-total", s.ItemTotal, w.total)
		if s.Options != nil || !slices.Equal(s.Flags, []Flag{TooFewResponses}) {
			t.Errorf("%s: options %v, flags %v", w.item, s.Options, s.Flags)
		}
	}
	ts := testOf(t, attempts)
	near(t, "mean", ts.Mean, 0.6)
	near(t, "SD", ts.SD, math.Sqrt(2.3)/4)
	near(t, "alpha", ts.Alpha, 15.0/23)
	k, sumItemVar, totalVar := 3.0, 0.3+0.3+0.7, 2.3
	near(t, "alpha from the formula", ts.Alpha, k/(k-1)*(1-sumItemVar/totalVar))
	near(t, "SEM", ts.SEM, math.Sqrt(2.3)/4*math.Sqrt(1-15.0/23))
}

// TestVariants checks candidates shown different items: a and b are
// shown to all five, c and d to two each (c worth 2 points), e to one.
//
//	      a  b  c(/2) d  e | S/M    T
//	c1    1  1  2     .  . | 4/4    1
//	c2    1  1  .     1  . | 3/3    1
//	c3    0  0  1     .  . | 1/4    1/4
//	c4    1  0  .     .  . | 1/2    1/2
//	c5    0  0  .     0  1 | 1/4    1/4
//
// Test: T̄ = (1+1+1/4+1/2+1/4)/5 = 3/5; SS_T = (1+1+1/16+1/4+1/16) −
// 5·9/25 = 2.375 − 1.8 = 0.575; s² = 0.575/4 = 23/160; SD = √(23/160).
// α over the 2 common items a, b: a = 1,1,0,1,0 (s² = 1.2/4 = 0.3),
// b = 1,1,0,0,0 (s² = 0.3), X = a+b = 2,2,0,1,0 (X̄ = 1, SS = 4, s² = 1):
// α = 2/1·(1 − 0.6/1) = 0.8. SEM = √(23/160)·√0.2.
//
// Item a, over all five. Item–total: x̄ = 3/5, SS_x = 6/5, T as above;
// SP = (1+1+1/2) − 5·(3/5)(3/5) = 2.5 − 1.8 = 0.7; r = 0.7/√(1.2·0.575).
// Item–rest: the rests are out of different points, R = (S − x)/(M − 1):
// c1 3/3 = 1, c2 2/2 = 1, c3 1/3, c4 0/1 = 0, c5 1/3. R̄ = (8/3)/5 = 8/15;
// SS_R = (1 + 1 + 1/9 + 0 + 1/9) − 5·64/225 = 20/9 − 64/45 = 36/45 = 4/5;
// SP = (1+1+0) − 5·(3/5)(8/15) = 2 − 8/5 = 2/5;
// r = (2/5)/√(6/5·4/5) = 2/√24 = 1/√6.
//
// Item b. Item–total: SP = (1+1) − 5·(2/5)(3/5) = 2 − 1.2 = 0.8,
// SS_x = 5·0.4·0.6 = 1.2; r = 0.8/√(1.2·0.575). Item–rest: R = 3/3, 2/2,
// 1/3, 1/1, 1/3 = 1, 1, 1/3, 1, 1/3; R̄ = (11/3)/5 = 11/15; SS_R = (3 +
// 2/9) − 5·121/225 = 29/9 − 121/45 = 24/45 = 8/15; SP = 2 − 5·(2/5)(11/15)
// = 2 − 22/15 = 8/15; r = (8/15)/√(6/5·8/15) = √(8/15)/√(6/5) = √(4/9) =
// 2/3.
//
// Items c and d have two candidates each, so both correlations are ±1:
// c x = 1, 1/2 against T = 1, 1/4 and R = (4−2)/2 = 1, (1−1)/2 = 0: +1;
// d x = 1, 0 against T = 1, 1/4 and R = 2/2 = 1, 1/3: +1. Facilities: c
// (1 + 1/2)/2 = 3/4, d 1/2. Item e has one candidate: no correlation.
func TestVariants(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	attempts := grid(items, []float64{1, 1, 2, 1, 1}, [][]float64{
		{1, 1, 2, -1, -1},
		{1, 1, -1, 1, -1},
		{0, 0, 1, -1, -1},
		{1, 0, -1, -1, -1},
		{0, 0, -1, 0, 1},
	})
	stats, err := Items(attempts, Options{MinN: 1})
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range stats {
		if s.Item != items[k] {
			t.Fatalf("items in the order %v", stats)
		}
	}
	got := itemsOf(t, attempts, Options{MinN: 1})
	for _, w := range []struct {
		item        string
		n           int
		facility    float64
		rest, total float64
	}{
		{"a", 5, 0.6, 1 / math.Sqrt(6), 0.7 / math.Sqrt(1.2*0.575)},
		{"b", 5, 0.4, 2.0 / 3, 0.8 / math.Sqrt(1.2*0.575)},
		{"c", 2, 0.75, 1, 1},
		{"d", 2, 0.5, 1, 1},
	} {
		s := got[w.item]
		if s.N != w.n {
			t.Errorf("%s: N = %d, want %d", w.item, s.N, w.n)
		}
		nearly(t, w.item+" facility", s.Facility, w.facility)
		near(t, w.item+" discrimination", s.Discrimination, w.rest)
		near(t, w.item+" item-total", s.ItemTotal, w.total)
	}
	e := got["e"]
	if e.N != 1 || e.Facility != 1 {
		t.Errorf("e: N %d, facility %v", e.N, e.Facility)
	}
	missing(t, "e discrimination", e.Discrimination, TooFewCandidates)
	missing(t, "e item-total", e.ItemTotal, TooFewCandidates)

	ts := testOf(t, attempts)
	if ts.N != 5 || ts.Items != 5 || ts.CommonItems != 2 {
		t.Errorf("test: N %d, items %d, common %d; want 5, 5, 2", ts.N, ts.Items, ts.CommonItems)
	}
	near(t, "mean", ts.Mean, 0.6)
	near(t, "SD", ts.SD, math.Sqrt(23.0/160))
	near(t, "alpha", ts.Alpha, 0.8)
	near(t, "alpha from the formula", ts.Alpha, 2.0/1*(1-(0.3+0.3)/1))
	near(t, "SEM", ts.SEM, math.Sqrt(23.0/160)*math.Sqrt(0.2))
}

// TestAlphaNeedsTwoCommonItems checks that α over fewer than two common
// items is reported as not available, with how many there were, and
// never as 0.
func TestAlphaNeedsTwoCommonItems(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scores [][]float64
		common int
	}{
		{"one common item", [][]float64{{1, 1, -1}, {0, -1, 1}, {1, 0, -1}}, 1},
		{"no common item", [][]float64{{1, 1, -1}, {-1, 0, 1}, {1, -1, 0}}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := testOf(t, grid([]string{"a", "b", "c"}, []float64{1, 1, 1}, tc.scores))
			if ts.CommonItems != tc.common {
				t.Errorf("common items = %d, want %d", ts.CommonItems, tc.common)
			}
			missing(t, "alpha", ts.Alpha, TooFewCommonItems)
			missing(t, "SEM", ts.SEM, AlphaUnavailable)
			if !ts.SD.Available {
				t.Errorf("SD = %+v, want available", ts.SD)
			}
		})
	}
}

// TestNegativeAlpha checks that a negative α is reported as it is, and
// the SEM then is not. Three items that disagree:
//
//	      a  b  c | X
//	c1    1  0  0 | 1
//	c2    1  1  0 | 2
//	c3    0  1  1 | 2
//	c4    0  0  1 | 1
//
// Each item has p = 1/2, SS = 4·(1/2)(1/2) = 1, s² = 1/3: Σ s²_i = 1.
// X̄ = 1.5, SS_X = 4·0.25 = 1, s²_X = 1/3.
// α = 3/2·(1 − 1/(1/3)) = 3/2·(−2) = −3.
func TestNegativeAlpha(t *testing.T) {
	ts := testOf(t, grid([]string{"a", "b", "c"}, []float64{1, 1, 1},
		[][]float64{{1, 0, 0}, {1, 1, 0}, {0, 1, 1}, {0, 0, 1}}))
	near(t, "alpha", ts.Alpha, -3)
	missing(t, "SEM", ts.SEM, NegativeAlpha)
}
