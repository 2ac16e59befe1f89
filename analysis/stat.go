package analysis

import "math"

// Stat is a statistic that may not be available. When it is not, Value is
// 0 and means nothing, and Reason says why.
type Stat struct {
	Value     float64 `json:"value"`
	Available bool    `json:"available"`
	Reason    Reason  `json:"reason,omitempty"`
}

// Reason is why a [Stat] is not available.
type Reason string

// The reasons a statistic is not available.
const (
	TooFewCandidates  Reason = "too_few_candidates"   // fewer than it needs: 2 for a correlation, an SD or α
	ZeroVariance      Reason = "zero_variance"        // a variable it divides by does not vary
	TooFewCommonItems Reason = "too_few_common_items" // α: fewer than 2 items shown to every candidate
	AlphaUnavailable  Reason = "alpha_unavailable"    // SEM: α is not available
	NegativeAlpha     Reason = "negative_alpha"       // SEM: α is negative, the SEM would exceed the SD
)

func available(v float64) Stat  { return Stat{Value: v, Available: true} }
func unavailable(r Reason) Stat { return Stat{Reason: r} }

// constant reports whether v does not vary: its largest and smallest
// values differ by at most 1e-12 times the larger of 1 and their
// magnitude. Rounding in sums cannot then pass for variance, and a
// variable that does vary has a sum of squares of at least half its range
// squared, far from underflow.
func constant(v []float64) bool {
	if len(v) == 0 {
		return true
	}
	lo, hi := v[0], v[0]
	for _, x := range v[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	return hi-lo <= 1e-12*max(1, math.Abs(lo), math.Abs(hi))
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// sumSquares returns Σ (v_k − v̄)², computed from the mean (two passes),
// which is accurate where Σv² − n·v̄² is not.
func sumSquares(v []float64) float64 {
	m := mean(v)
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return s
}

// sampleVariance returns Σ (v_k − v̄)² / (n − 1); len(v) ≥ 2.
func sampleVariance(v []float64) float64 {
	if constant(v) {
		return 0
	}
	return sumSquares(v) / float64(len(v)-1)
}

// pearson returns the Pearson correlation of the pairs (x_k, y_k).
func pearson(x, y []float64) Stat {
	if len(x) < 2 {
		return unavailable(TooFewCandidates)
	}
	if constant(x) || constant(y) {
		return unavailable(ZeroVariance)
	}
	mx, my := mean(x), mean(y)
	var sxy, sxx, syy float64
	for k := range x {
		dx, dy := x[k]-mx, y[k]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	r := sxy / math.Sqrt(sxx*syy)
	return available(max(-1, min(1, r)))
}
