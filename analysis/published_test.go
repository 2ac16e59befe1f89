package analysis

import (
	"math"
	"testing"
)

// TestWuenschKR20 checks the worked KR-20 of Karl L. Wuensch (East
// Carolina University), "The Kuder-Richardson 20",
// https://core.ecu.edu/wuenschk/StatHelp/KR20.txt: ten students, a ten
// item quiz scored 0/1. The handout prints the data, each item's p, q and
// p·q (equal to the item's population variance), and the variance of the
// totals, 5.84; it leaves the last step to the reader:
//
//	Σ p·q = .21·5 + .24·3 + .16 + .25 = 2.18
//	KR-20 = 10/9 · (1 − 2.18/5.84) = 10/9 · 3.66/5.84 = 0.696347…
//
// Its variances divide by N (5.84 = 58.4/10: the totals 8 7 7 2 2 9 8 9
// 7 7 have mean 6.6 and Σ(X − 6.6)² = 58.4). Our SD divides by N − 1, so
// the handout's figure is SD²·(N−1)/N, in points (SD is of T = X/10).
// α is the same with either divisor, as they cancel.
func TestWuenschKR20(t *testing.T) {
	data := [][]float64{
		{1, 1, 1, 1, 1, 1, 0, 1, 1, 0}, // A  8
		{1, 0, 1, 1, 0, 1, 1, 1, 0, 1}, // B  7
		{1, 1, 1, 1, 0, 1, 1, 0, 0, 1}, // C  7
		{0, 0, 1, 0, 0, 0, 1, 0, 0, 0}, // D  2
		{0, 0, 0, 0, 0, 1, 0, 0, 1, 0}, // E  2
		{1, 1, 1, 0, 1, 1, 1, 1, 1, 1}, // F  9
		{1, 1, 0, 1, 1, 1, 0, 1, 1, 1}, // G  8
		{1, 1, 1, 1, 1, 1, 1, 1, 0, 1}, // H  9
		{0, 1, 0, 1, 1, 1, 1, 1, 0, 1}, // I  7
		{1, 1, 0, 1, 1, 0, 1, 1, 1, 0}, // J  7
	}
	published := []float64{.7, .7, .6, .7, .6, .8, .7, .7, .5, .6} // p of items 1–10
	ids := []string{"q01", "q02", "q03", "q04", "q05", "q06", "q07", "q08", "q09", "q10"}
	max := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	attempts := grid(ids, max, data)

	items := itemsOf(t, attempts, Options{})
	var sumPQ float64
	for i, id := range ids {
		p := items[id].Facility
		nearly(t, id+" p", p, published[i])
		sumPQ += p * (1 - p)
	}
	nearly(t, "Σ p·q", sumPQ, 2.18)

	ts := testOf(t, attempts)
	n := float64(ts.N)
	nearly(t, "variance of the totals (÷N, in points)", ts.SD.Value*ts.SD.Value*(n-1)/n*100, 5.84)
	near(t, "mean", ts.Mean, 0.66)
	near(t, "KR-20", ts.Alpha, 10.0/9*(1-2.18/5.84))
}

// TestBrownPointBiserial checks the example of James Dean Brown,
// "Point-biserial correlation coefficients", Shiken: JALT Testing &
// Evaluation SIG Newsletter 5(3), October 2001, pp. 13–17,
// https://hosted.jalt.org/test/bro_12.htm, Table 2: eight students, three
// 0/1 items and their whole-test totals 50 45 45 40 35 30 30 25 (mean
// 37.50, population SD 8.29), with
//
//	r_pbi = (M_p − M_q)/S_t · √(p·q)
//
// published as .91 for item 1, −.91 for item 2 and .00 for item 3, which
// everyone got right.
//
// The totals come from items we are not given ("Item 4, 5, 6..."); here
// one partial-credit item, worth 50 points, stands for them, so that
// every total is out of 53 points and T = X/53 correlates with an item as
// X does. The uncorrected item–total correlation is the published r_pbi:
//
//	item 1: M_p = (50+45+45+40)/4 = 45, M_q = (35+30+30+25)/4 = 30,
//	        p = q = 1/2, S_t = √(Σ(X − 37.5)²/8) = √(550/8) = √68.75 = 8.2916
//	        r = 15/√68.75 · 1/2 = 0.904534…
//
// Brown prints .91 because he rounds on the way: 15/8.29 = 1.81 and
// 1.81·.5 = .905 → .91. From the unrounded figures it is 0.9045, .90 to
// two places; we check the exact value, and that it is within the
// published rounding. Item 2 is item 1 reversed: −0.904534. Item 3 does
// not vary: Brown prints .00; we say the correlation is not available
// rather than pretend it is 0.
func TestBrownPointBiserial(t *testing.T) {
	totals := []float64{50, 45, 45, 40, 35, 30, 30, 25}
	item1 := []float64{1, 1, 1, 1, 0, 0, 0, 0}
	item2 := []float64{0, 0, 0, 0, 1, 1, 1, 1}
	var scores [][]float64
	for c, x := range totals {
		scores = append(scores, []float64{item1[c], item2[c], 1, x - item1[c] - item2[c] - 1})
	}
	attempts := grid([]string{"item1", "item2", "item3", "rest"}, []float64{1, 1, 1, 50}, scores)

	items := itemsOf(t, attempts, Options{})
	r := 15 / math.Sqrt(68.75) / 2
	near(t, "item 1 r_pbi", items["item1"].ItemTotal, r)
	near(t, "item 2 r_pbi", items["item2"].ItemTotal, -r)
	if got := items["item1"].ItemTotal.Value; math.Abs(got-0.91) > 0.01 {
		t.Errorf("item 1 r_pbi = %v, not .91 within Brown's rounding", got)
	}
	missing(t, "item 3 r_pbi", items["item3"].ItemTotal, ZeroVariance)
	missing(t, "item 3 discrimination", items["item3"].Discrimination, ZeroVariance)
	nearly(t, "item 1 p", items["item1"].Facility, 0.5)
	nearly(t, "item 3 p", items["item3"].Facility, 1)

	ts := testOf(t, attempts)
	near(t, "mean (of 53 points)", ts.Mean, 37.5/53)
	popSD := ts.SD.Value * 53 * math.Sqrt(7.0/8)
	nearly(t, "population SD (points)", popSD, math.Sqrt(68.75))
	if math.Abs(popSD-8.29) > 0.005 {
		t.Errorf("population SD = %v, not 8.29 to two places", popSD)
	}
}
