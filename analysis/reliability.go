package analysis

import "math"

// TestStats are the statistics of the test as a whole. The package
// documentation defines them.
type TestStats struct {
	// N is the number of attempts.
	N int `json:"n"`
	// Items is the number of different items shown, and CommonItems the
	// number shown to every candidate: Alpha is computed over those.
	Items       int `json:"items"`
	CommonItems int `json:"common_items"`
	// Mean and SD are of the candidates' totals as proportions of the
	// points they could have scored; SD is the sample standard deviation
	// (N − 1).
	Mean Stat `json:"mean"`
	SD   Stat `json:"sd"`
	// Alpha is Cronbach's α over the CommonItems.
	Alpha Stat `json:"alpha"`
	// SEM is the standard error of measurement, SD·√(1 − Alpha).
	SEM Stat `json:"sem"`
}

// Test returns the statistics of the test taken in attempts. The error
// wraps [ErrInvalid] when an attempt breaks the rules of [Attempt] and
// [Response].
func Test(attempts []Attempt) (TestStats, error) {
	m, err := newMatrix(attempts)
	if err != nil {
		return TestStats{}, err
	}
	s := TestStats{N: m.attempt, Items: len(m.ids)}
	switch {
	case s.N == 0:
		s.Mean, s.SD = unavailable(TooFewCandidates), unavailable(TooFewCandidates)
	case s.N == 1:
		s.Mean, s.SD = available(m.total[0]), unavailable(TooFewCandidates)
	default:
		s.Mean, s.SD = available(mean(m.total)), available(math.Sqrt(sampleVariance(m.total)))
	}
	var common [][]entry
	for _, col := range m.byItem {
		// An item is in an attempt at most once, so an item in as many
		// responses as there are attempts is in every attempt, and its
		// column is in the order of the attempts.
		if len(col) == s.N {
			common = append(common, col)
		}
	}
	s.CommonItems = len(common)
	s.Alpha = alpha(common, s.N)
	switch {
	case !s.Alpha.Available:
		s.SEM = unavailable(AlphaUnavailable)
	case s.Alpha.Value < 0:
		s.SEM = unavailable(NegativeAlpha)
	default:
		s.SEM = available(s.SD.Value * math.Sqrt(1-s.Alpha.Value))
	}
	return s, nil
}

// alpha returns Cronbach's α of the columns of n attempts each.
func alpha(cols [][]entry, n int) Stat {
	if n < 2 {
		return unavailable(TooFewCandidates)
	}
	k := len(cols)
	if k < 2 {
		return unavailable(TooFewCommonItems)
	}
	total := make([]float64, n)
	item := make([]float64, n)
	var sumVar float64
	for _, col := range cols {
		for c, e := range col {
			item[c] = e.r.Score
			total[c] += e.r.Score
		}
		sumVar += sampleVariance(item)
	}
	if constant(total) {
		return unavailable(ZeroVariance)
	}
	a := float64(k) / float64(k-1) * (1 - sumVar/sampleVariance(total))
	// α ≤ 1, since s²_X ≤ K·Σ s²_i; keep rounding from taking it above.
	return available(min(1, a))
}
