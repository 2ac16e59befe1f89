package assessment

import (
	"context"
	"slices"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/analysis"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/item"
)

// MaxAnalysed bounds the first attempts one analysis reads.
const MaxAnalysed = 200000

// ItemReport is an item's statistics with what identifies it in the bank.
type ItemReport struct {
	analysis.ItemStats
	Title      string          `json:"title"`
	Competence string          `json:"competence"`
	Dimension  item.Dimension  `json:"dimension"`
	Kind       item.Kind       `json:"kind"`
	Difficulty item.Difficulty `json:"difficulty"`
}

// TestReport is a test's reliability over its first attempts.
type TestReport struct {
	Test  string             `json:"test"`
	Title string             `json:"title"`
	Stats analysis.TestStats `json:"stats"`
}

// Report is the item analysis of a standard's version: every item drawn
// in any test on it, across Chambers and years, over the candidates' first
// attempts, submitted; no candidate is named in it.
type Report struct {
	Sector   string       `json:"sector"`
	Standard int          `json:"standard"`
	Attempts int          `json:"attempts"`
	Items    []ItemReport `json:"items"`
	Tests    []TestReport `json:"tests"`
}

// Analysis reports the item analysis of a standard's version (the national
// body's: the statistics are of the national bank, and hold no personal
// data).
func (s *Service) Analysis(ctx context.Context, p *auth.Principal, sector string, standard int, opts analysis.Options) (*Report, error) {
	if err := auth.Decide(p, auth.ItemStats, auth.Anywhere); err != nil {
		return nil, err
	}
	rep := &Report{Sector: sector, Standard: standard, Items: []ItemReport{}, Tests: []TestReport{}}
	err := s.store.View(ctx, func(r Reader) error {
		attempts, err := r.FirstAttempts(ctx, sector, standard, MaxAnalysed)
		if err != nil {
			return err
		}
		rep.Attempts = len(attempts)
		var all []analysis.Attempt
		byTest := map[string][]analysis.Attempt{}
		var tests []string
		versions := map[string]*item.Item{}
		for _, fa := range attempts {
			a := analysis.Attempt{ID: fa.Attempt.ID}
			for _, ir := range fa.Result.Items {
				it, err := s.version(ctx, r, ir.Item, ir.Version)
				if err != nil {
					return err
				}
				versions[ir.Item] = it
				resp := analysis.Response{Item: ir.Item, Score: ir.Score, Max: ir.Max, Answered: len(ir.Response) > 0, Time: ir.Time}
				if choiceKind(it.Kind) {
					resp.Offered = ids(it.Choices)
					resp.Key = slices.Clone(it.Correct)
					if resp.Answered {
						resp.Choices = slices.Clone(ir.Response)
					}
				}
				a.Responses = append(a.Responses, resp)
			}
			if len(a.Responses) == 0 {
				continue
			}
			all = append(all, a)
			if _, ok := byTest[fa.Test]; !ok {
				tests = append(tests, fa.Test)
			}
			byTest[fa.Test] = append(byTest[fa.Test], a)
		}
		stats, err := analysis.Items(all, opts)
		if err != nil {
			return attesta.Wrap(err, attesta.Internal, "err.internal")
		}
		for _, st := range stats {
			it := versions[st.Item]
			rep.Items = append(rep.Items, ItemReport{ItemStats: st, Title: it.Title, Competence: it.Competence, Dimension: it.Dimension,
				Kind: it.Kind, Difficulty: it.Difficulty})
		}
		for _, id := range tests {
			ts, err := analysis.Test(byTest[id])
			if err != nil {
				return attesta.Wrap(err, attesta.Internal, "err.internal")
			}
			b, err := r.Blueprint(ctx, id)
			if err != nil {
				return err
			}
			rep.Tests = append(rep.Tests, TestReport{Test: id, Title: b.Title, Stats: ts})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// choiceKind reports whether an item's response names options whose
// frequencies say something (distractors).
func choiceKind(k item.Kind) bool {
	return k == item.SingleChoice || k == item.MultipleChoice || k == item.TrueFalse || k == item.InlineChoice
}

// FirstAttempt is a candidate's first attempt at a test, submitted, with
// its result: what item analysis reads.
type FirstAttempt struct {
	Test    string
	Attempt Attempt
	Result  Result
}

// Scored is a submitted attempt with its result and the item versions of
// its form (by Key), for an export of a sitting's results.
type Scored struct {
	Attempt
	// Test is the test's id.
	Test     string
	Result   Result
	Versions map[string]*item.Item
}

// Results lists sitting id's submitted attempts with their results, for
// the staff who see the sitting (a candidate sees their own on the
// attempt's page).
func (s *Service) Results(ctx context.Context, p *auth.Principal, id string) ([]Scored, error) {
	if p != nil && p.Role == auth.Student {
		return nil, attesta.E(attesta.Forbidden, "err.auth.forbidden", p.Role, auth.TestView)
	}
	var out []Scored
	err := s.store.View(ctx, func(r Reader) error {
		st, err := s.sittingFor(ctx, r, p, id)
		if err != nil {
			return err
		}
		as, err := r.Attempts(ctx, id, "", "")
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.State != Submitted {
				continue
			}
			full, res, err := r.Attempt(ctx, a.ID)
			if err != nil {
				return err
			}
			if res == nil {
				continue
			}
			versions, err := s.versionsOf(ctx, r, &full.Form)
			if err != nil {
				return err
			}
			out = append(out, Scored{Attempt: *full, Test: st.Blueprint, Result: *res, Versions: versions})
		}
		return nil
	})
	return out, err
}

// Pool is a test with the items it draws from now: each cell's approved
// items of the bank, for an export as a QTI test whose sections select
// from them.
func (s *Service) Pool(ctx context.Context, p *auth.Principal, id string) (*Blueprint, []item.Item, error) {
	if err := auth.Decide(p, auth.TestView, auth.Anywhere); err != nil {
		return nil, nil, err
	}
	var b *Blueprint
	var items []item.Item
	err := s.store.View(ctx, func(r Reader) error {
		var err error
		b, err = r.Blueprint(ctx, id)
		if err != nil {
			return err
		}
		ok, err := usable(ctx, r, p, b)
		if err != nil {
			return err
		}
		if !ok {
			return attesta.E(attesta.NotFound, "err.assessment.blueprint.unknown", id)
		}
		all, err := bank(ctx, r, b)
		if err != nil {
			return err
		}
		for _, it := range all {
			if b.Eligible(&it) && slices.ContainsFunc(b.Cells, func(c Cell) bool { return c.Competence == it.Competence && c.Dimension == it.Dimension }) {
				items = append(items, it)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return b, items, nil
}
