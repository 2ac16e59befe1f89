package analysis

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// Options are the thresholds [Items] flags items against. A field left at
// zero takes its default, so Options{} is the defaults; each field says
// how to turn its flag off.
type Options struct {
	// MinN is the fewest candidates an item must have been shown for its
	// statistics to be judged: below it the item is flagged
	// TooFewResponses and nothing else. Default 30; 1 turns it off.
	MinN int
	// HardBelow flags TooHard an item whose facility is below it.
	// Default 0.20; a negative value turns it off.
	HardBelow float64
	// EasyAbove flags TooEasy an item whose facility is above it.
	// Default 0.90; 1 turns it off.
	EasyAbove float64
	// WeakBelow flags WeakDiscrimination an item whose discrimination is
	// at least 0 and below it (below 0 is NegativeDiscrimination).
	// Default 0.20; a negative value turns it off.
	WeakBelow float64
	// DistractorBelow flags NonFunctioningDistractor an item with a
	// distractor chosen by a share of candidates below it. Default 0.05;
	// a negative value turns it off.
	DistractorBelow float64
}

// The default thresholds of [Options].
const (
	DefaultMinN            = 30
	DefaultHardBelow       = 0.20
	DefaultEasyAbove       = 0.90
	DefaultWeakBelow       = 0.20
	DefaultDistractorBelow = 0.05
)

func (o Options) withDefaults() Options {
	if o.MinN == 0 {
		o.MinN = DefaultMinN
	}
	if o.HardBelow == 0 {
		o.HardBelow = DefaultHardBelow
	}
	if o.EasyAbove == 0 {
		o.EasyAbove = DefaultEasyAbove
	}
	if o.WeakBelow == 0 {
		o.WeakBelow = DefaultWeakBelow
	}
	if o.DistractorBelow == 0 {
		o.DistractorBelow = DefaultDistractorBelow
	}
	return o
}

// Flag is a reason to review an item: a code the edge translates.
type Flag string

// The flags, in the order an item's Flags lists them.
const (
	TooFewResponses          Flag = "too_few_responses"          // shown to fewer than MinN candidates; no other flag
	TooHard                  Flag = "too_hard"                   // facility below HardBelow
	TooEasy                  Flag = "too_easy"                   // facility above EasyAbove
	NegativeDiscrimination   Flag = "negative_discrimination"    // discrimination below 0
	WeakDiscrimination       Flag = "weak_discrimination"        // discrimination in [0, WeakBelow)
	NonFunctioningDistractor Flag = "non_functioning_distractor" // a distractor chosen by a share below DistractorBelow
)

// ItemStats are the statistics of one item over the candidates who were
// shown it. The package documentation defines them.
type ItemStats struct {
	Item string `json:"item"`
	// N is the number of candidates who were shown the item.
	N int `json:"n"`
	// Dichotomous says every score was 0 or the item's Max: the
	// correlations are then point-biserial.
	Dichotomous bool `json:"dichotomous"`
	// Facility is the mean score as a proportion of Max, the p-value.
	Facility float64 `json:"facility"`
	// Discrimination is the corrected item–rest correlation.
	Discrimination Stat `json:"discrimination"`
	// ItemTotal is the uncorrected item–total correlation.
	ItemTotal Stat `json:"item_total"`
	// Options are the item's options, by identifier; none for an item
	// without options.
	Options []OptionStats `json:"options,omitempty"`
	// Unanswered is how many of the N did not answer, and UnansweredShare
	// that count over N.
	Unanswered      int     `json:"unanswered"`
	UnansweredShare float64 `json:"unanswered_share"`
	Time            Timing  `json:"time"`
	// Flags are the reasons to review the item, in the order of the Flag
	// constants; none when there is nothing to review.
	Flags []Flag `json:"flags,omitempty"`
}

// OptionStats are how often one option of an item was chosen.
type OptionStats struct {
	Option string `json:"option"`
	// Key says the option is a correct one.
	Key bool `json:"key"`
	// Chosen is how many of the item's N candidates chose it, and Share
	// that count over N.
	Chosen int     `json:"chosen"`
	Share  float64 `json:"share"`
	// NonFunctioning marks a distractor (offered, not a key) whose Share
	// is below DistractorBelow, on an item shown to at least MinN
	// candidates.
	NonFunctioning bool `json:"non_functioning,omitempty"`
}

// Timing is the time spent on an item by the N candidates whose time is
// known. Mean and Median are 0 when N is 0.
type Timing struct {
	N      int           `json:"n"`
	Mean   time.Duration `json:"mean"`
	Median time.Duration `json:"median"`
}

// Items returns the statistics of every item shown in attempts, sorted by
// item identifier, with the flags of opts. The error wraps [ErrInvalid]
// when an attempt breaks the rules of [Attempt] and [Response].
func Items(attempts []Attempt, opts Options) ([]ItemStats, error) {
	m, err := newMatrix(attempts)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	stats := make([]ItemStats, len(m.ids))
	// Scratch space, reused from item to item.
	var x, t, xr, rest []float64
	var times []time.Duration
	for i, col := range m.byItem {
		s := &stats[i]
		s.Item, s.N, s.Dichotomous = m.ids[i], len(col), true
		x, t, xr, rest, times = x[:0], t[:0], xr[:0], rest[:0], times[:0]
		for _, e := range col {
			r := e.r
			p := r.Score / r.Max
			x = append(x, p)
			t = append(t, m.total[e.attempt])
			if r.Score != 0 && r.Score != r.Max {
				s.Dichotomous = false
			}
			if restMax := m.max[e.attempt] - r.Max; restMax > 0 {
				xr = append(xr, p)
				rest = append(rest, max(0, m.score[e.attempt]-r.Score)/restMax)
			}
			if !r.Answered {
				s.Unanswered++
			}
			if r.Time > 0 {
				times = append(times, r.Time)
			}
		}
		s.Facility = mean(x)
		s.Discrimination = pearson(xr, rest)
		s.ItemTotal = pearson(x, t)
		s.UnansweredShare = float64(s.Unanswered) / float64(s.N)
		s.Options = options(col, s.N >= opts.MinN, opts)
		s.Time = timing(times)
		s.Flags = flags(s, opts)
	}
	return stats, nil
}

// options returns the option table of an item's column: every option
// offered, chosen or keyed, sorted by identifier; nil when there is none.
// A distractor (an option offered that is not a key, on an item whose key
// is known) is marked NonFunctioning when the item is judged (shown to at
// least MinN candidates) and its share is below DistractorBelow.
func options(col []entry, judged bool, o Options) []OptionStats {
	// An item has a handful of options: a slice searched in order is
	// quicker than a map.
	var out []OptionStats
	var offered []bool // by index in out
	keyed := false     // a key is known, so the other options are distractors
	get := func(id string) int {
		for k := range out {
			if out[k].Option == id {
				return k
			}
		}
		out, offered = append(out, OptionStats{Option: id}), append(offered, false)
		return len(out) - 1
	}
	for _, e := range col {
		for _, id := range e.r.Offered {
			offered[get(id)] = true
		}
		for _, id := range e.r.Key {
			out[get(id)].Key = true
			keyed = true
		}
		for k, id := range e.r.Choices {
			if op := get(id); !slices.Contains(e.r.Choices[:k], id) {
				out[op].Chosen++
			}
		}
	}
	for k := range out {
		op := &out[k]
		op.Share = float64(op.Chosen) / float64(len(col))
		op.NonFunctioning = judged && keyed && offered[k] && !op.Key && op.Share < o.DistractorBelow
	}
	slices.SortFunc(out, func(a, b OptionStats) int { return cmp.Compare(a.Option, b.Option) })
	return out
}

// timing returns the mean and median of times, which it sorts.
func timing(times []time.Duration) Timing {
	n := len(times)
	if n == 0 {
		return Timing{}
	}
	var sum float64
	for _, d := range times {
		sum += float64(d)
	}
	slices.Sort(times)
	median := times[n/2]
	if n%2 == 0 {
		a, b := times[n/2-1], times[n/2]
		median = a + (b-a)/2
	}
	return Timing{N: n, Mean: time.Duration(math.Round(sum / float64(n))), Median: median}
}

// flags returns the flags of s against o, in the order of the Flag
// constants.
func flags(s *ItemStats, o Options) []Flag {
	if s.N < o.MinN {
		return []Flag{TooFewResponses}
	}
	var f []Flag
	if s.Facility < o.HardBelow {
		f = append(f, TooHard)
	}
	if s.Facility > o.EasyAbove {
		f = append(f, TooEasy)
	}
	if d := s.Discrimination; d.Available {
		switch {
		case d.Value < 0:
			f = append(f, NegativeDiscrimination)
		case d.Value < o.WeakBelow:
			f = append(f, WeakDiscrimination)
		}
	}
	if slices.ContainsFunc(s.Options, func(op OptionStats) bool { return op.NonFunctioning }) {
		f = append(f, NonFunctioningDistractor)
	}
	return f
}
