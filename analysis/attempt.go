package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Response is what one candidate did with one item they were shown.
type Response struct {
	// Item identifies the item in the bank; it is not empty.
	Item string
	// Score is the points obtained, in [0, Max]; partial credit is
	// possible. An item left unanswered normally scores 0.
	Score float64
	// Max is the points the item was worth, more than 0.
	Max float64
	// Answered says whether the candidate answered the item.
	Answered bool
	// Choices are the options the candidate chose, by identifier: none for
	// an unanswered item or one without options, several for a
	// multiple-response item. An option chosen twice counts once.
	Choices []string
	// Offered are the options the item showed, by identifier, in any
	// order; empty for an item without options.
	Offered []string
	// Key are the correct options. An offered option that is not a key is
	// a distractor; when Key is empty no option is known to be one.
	Key []string
	// Time is the time spent on the item; 0 means it is not known.
	Time time.Duration
}

// Attempt is a candidate's first attempt at the test: a response for
// each item they were shown, in any order, each item once.
type Attempt struct {
	// ID identifies the attempt in errors; it is not otherwise used.
	ID        string
	Responses []Response
}

// ErrInvalid is wrapped by the errors of [Items] and [Test] when their
// input breaks the rules of [Attempt] and [Response]: such an input is a
// fault of the program that gathered it, not something to analyse.
var ErrInvalid = errors.New("invalid input")

// matrix is the attempts checked and indexed: each item's responses in
// the order of the attempts, and each attempt's points.
type matrix struct {
	ids     []string  // the items, sorted
	byItem  [][]entry // by index in ids
	score   []float64 // by attempt: Σ Score
	max     []float64 // by attempt: Σ Max
	total   []float64 // by attempt: score/max, T_c
	attempt int       // the number of attempts
}

// entry is one response in an item's column.
type entry struct {
	attempt int
	r       *Response
}

// newMatrix checks the attempts and indexes them.
func newMatrix(attempts []Attempt) (*matrix, error) {
	m := &matrix{
		score:   make([]float64, len(attempts)),
		max:     make([]float64, len(attempts)),
		total:   make([]float64, len(attempts)),
		attempt: len(attempts),
	}
	index := map[string]int{}
	last := []int{} // by item index: 1 + the last attempt that showed it
	for a := range attempts {
		at := &attempts[a]
		if len(at.Responses) == 0 {
			return nil, fmt.Errorf("checking attempt %q: %w: no responses", at.ID, ErrInvalid)
		}
		for k := range at.Responses {
			r := &at.Responses[k]
			if err := r.check(); err != nil {
				return nil, fmt.Errorf("checking attempt %q: %w", at.ID, err)
			}
			i, ok := index[r.Item]
			if !ok {
				i = len(m.ids)
				index[r.Item] = i
				m.ids = append(m.ids, r.Item)
				m.byItem = append(m.byItem, nil)
				last = append(last, 0)
			}
			if last[i] == a+1 {
				return nil, fmt.Errorf("checking attempt %q: %w: item %q shown twice", at.ID, ErrInvalid, r.Item)
			}
			last[i] = a + 1
			m.byItem[i] = append(m.byItem[i], entry{attempt: a, r: r})
			m.score[a] += r.Score
			m.max[a] += r.Max
		}
		if math.IsInf(m.max[a], 0) {
			return nil, fmt.Errorf("checking attempt %q: %w: its points add up to more than a float64 holds", at.ID, ErrInvalid)
		}
		m.total[a] = m.score[a] / m.max[a]
	}
	order := make([]int, len(m.ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(m.ids[a], m.ids[b]) })
	ids, byItem := make([]string, len(order)), make([][]entry, len(order))
	for k, i := range order {
		ids[k], byItem[k] = m.ids[i], m.byItem[i]
	}
	m.ids, m.byItem = ids, byItem
	return m, nil
}

// check checks the rules of a Response.
func (r *Response) check() error {
	switch {
	case r.Item == "":
		return fmt.Errorf("%w: a response has no item", ErrInvalid)
	case !(r.Max > 0) || math.IsInf(r.Max, 0):
		return fmt.Errorf("%w: item %q: max %v is not a positive number", ErrInvalid, r.Item, r.Max)
	case !(r.Score >= 0 && r.Score <= r.Max):
		return fmt.Errorf("%w: item %q: score %v is outside [0, %v]", ErrInvalid, r.Item, r.Score, r.Max)
	case r.Time < 0:
		return fmt.Errorf("%w: item %q: negative time %v", ErrInvalid, r.Item, r.Time)
	case !r.Answered && len(r.Choices) > 0:
		return fmt.Errorf("%w: item %q: choices of an unanswered item", ErrInvalid, r.Item)
	}
	return nil
}
