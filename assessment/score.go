package assessment

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/attesta/attesta/item"
)

// ItemResult is an item of a scored attempt: the version shown, the
// response given (none: not answered), its score and the most it could
// score.
type ItemResult struct {
	Item       string         `json:"item"`
	Version    int            `json:"version"`
	Competence string         `json:"competence"`
	Dimension  item.Dimension `json:"dimension"`
	Response   item.Response  `json:"response"`
	Score      float64        `json:"score"`
	Max        float64        `json:"max"`
	// Time is the time spent on the item, as the server saw it: from the
	// first answer to the item before it in the order the candidate
	// answered (or the attempt's start) to its own first answer; 0 when
	// it was not answered.
	Time time.Duration `json:"time,omitempty"`
}

// Part is a competence's or a dimension's share of a result.
type Part struct {
	Score   float64 `json:"score"`
	Max     float64 `json:"max"`
	Percent float64 `json:"percent"` // Score/Max × 100, to one decimal, rounded down
}

// CompetenceResult is a competence's result against its threshold.
type CompetenceResult struct {
	Competence string `json:"competence"`
	Part
	Threshold int  `json:"threshold"`
	Passed    bool `json:"passed"`
	// Dimensions are its parts by dimension, in item.Dimensions' order
	// (those the blueprint draws for it).
	Dimensions []DimensionResult `json:"dimensions"`
}

// DimensionResult is a dimension's share of a competence's result.
type DimensionResult struct {
	Dimension item.Dimension `json:"dimension"`
	Part
}

// Result is a scored attempt.
type Result struct {
	Part
	Competences []CompetenceResult `json:"competences"`
	Items       []ItemResult       `json:"items"`
}

// percent is 100·s/m to one decimal, rounded down, so that a candidate
// is never shown as passing a threshold they miss by a rounding.
func percent(s, m float64) float64 {
	if m <= 0 {
		return 0
	}
	return math.Floor(1000*s/m+1e-9) / 10
}

// Score scores attempt a of blueprint b; versions gives the items of its
// form by "id/version". An item missing from versions is an error: a form
// is scored only with the exact versions it showed.
func Score(b *Blueprint, a *Attempt, versions map[string]*item.Item) (Result, error) {
	var r Result
	answers := map[string]item.Response{}
	for _, x := range a.Answers {
		answers[x.Item] = x.Response
	}
	spent := timeSpent(a)
	for _, fi := range a.Form.Items {
		it := versions[Key(fi.Item, fi.Version)]
		if it == nil {
			return Result{}, fmt.Errorf("scoring attempt %s: item %s version %d is not given", a.ID, fi.Item, fi.Version)
		}
		resp := answers[fi.Item]
		ir := ItemResult{Item: it.ID, Version: it.Version, Competence: it.Competence, Dimension: it.Dimension, Response: resp,
			Score: it.Score(resp), Max: it.MaxScore(), Time: spent[it.ID]}
		r.Items = append(r.Items, ir)
		r.Score += ir.Score
		r.Max += ir.Max
	}
	r.Percent = percent(r.Score, r.Max)
	for _, c := range b.Competences() {
		cr := CompetenceResult{Competence: c, Threshold: b.Threshold(c)}
		for _, d := range item.Dimensions {
			dr := DimensionResult{Dimension: d}
			found := false
			for _, ir := range r.Items {
				if ir.Competence == c && ir.Dimension == d {
					dr.Score, dr.Max, found = dr.Score+ir.Score, dr.Max+ir.Max, true
				}
			}
			if !found {
				continue
			}
			dr.Percent = percent(dr.Score, dr.Max)
			cr.Dimensions = append(cr.Dimensions, dr)
			cr.Score, cr.Max = cr.Score+dr.Score, cr.Max+dr.Max
		}
		cr.Percent = percent(cr.Score, cr.Max)
		cr.Passed = cr.Max > 0 && cr.Score*100 >= float64(cr.Threshold)*cr.Max-1e-9
		r.Competences = append(r.Competences, cr)
	}
	return r, nil
}

// timeSpent is the time spent on each item answered: the answers in the
// order they were first given, each timed from the one before (the first
// from the start). Changing an answer later does not move its time; the
// time an attempt spent paused is not known per item and is not taken off.
func timeSpent(a *Attempt) map[string]time.Duration {
	firsts := slices.Clone(a.Answers)
	slices.SortFunc(firsts, func(x, y Answer) int { return x.First.Compare(y.First) })
	out := map[string]time.Duration{}
	prev := a.Started
	for _, x := range firsts {
		if x.First.IsZero() {
			continue
		}
		if d := x.First.Sub(prev); d > 0 {
			out[x.Item] = d
		}
		prev = x.First
	}
	return out
}

// Key names an item version: "id/version".
func Key(id string, version int) string { return fmt.Sprintf("%s/%d", id, version) }

// Passed lists the competences r passes.
func (r *Result) Passed() []string {
	var out []string
	for _, c := range r.Competences {
		if c.Passed {
			out = append(out, c.Competence)
		}
	}
	return slices.Clip(out)
}
