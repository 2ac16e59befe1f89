// Package assessment is the online test of the certification process
// (step 7): a blueprint says what a test draws from the item bank, each
// candidate sits a form drawn from it with a seed, on the server's clock,
// and the attempt is scored per competence and per dimension against the
// blueprint's thresholds.
//
// # Blueprints and forms
//
// A [Blueprint] is a test for a set of competences of a standard's
// version: for each competence × dimension (knowledge, skill, soft skill),
// how many items to draw, a time limit, a pass threshold per competence, how
// many attempts a candidate has and the cool-down between them. [Draw]
// makes a candidate's [Form] from the bank's approved items and a seed:
// stratified by the authors' difficulty bands, options shuffled where the
// item allows it. The seed and the form (item versions, option orders) are
// kept, so the very paper a candidate sat can be shown again; the same seed
// always draws the same form.
//
// # The server's clock
//
// An [Attempt]'s time is the server's. Its deadline is its start, plus
// the time limit stretched by the candidate's accommodation (a multiplier,
// a fixed extra time, or no limit), plus the time the proctor kept it
// paused. An answer is accepted until the deadline and a [Grace] after it
// (the network's delay between the candidate's click and the server),
// never later; an attempt still open at its deadline is submitted as of
// its deadline with the answers saved ([Attempt.Settle]). Every answer is
// saved as it is given, so a reload, a lost connection or another computer
// loses nothing.
package assessment

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/item"
)

// Grace is how long after its deadline an attempt still takes an answer:
// the time between a candidate's last click and the server, on a school's
// slow network. An answer later than this is refused.
const Grace = 10 * time.Second

// Cell says how many items to draw for a competence and a dimension.
type Cell struct {
	Competence string         `json:"competence"`
	Dimension  item.Dimension `json:"dimension"`
	Count      int            `json:"count"`
}

// Threshold is the pass mark of a competence: the share of its points, in
// percent, a candidate needs.
type Threshold struct {
	Competence string `json:"competence"`
	Percent    int    `json:"percent"`
}

// Blueprint is a test.
type Blueprint struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Owner is the organisation whose test it is (a Chamber, or the
	// national body's: "").
	Owner string `json:"owner"`
	// Sector and Standard are the standard's version; Lang the language
	// of the items drawn.
	Sector     string      `json:"sector"`
	Standard   int         `json:"standard"`
	Lang       string      `json:"lang"`
	Cells      []Cell      `json:"cells"`
	Thresholds []Threshold `json:"thresholds"`
	// TimeLimit is the time a candidate without accommodation has.
	TimeLimit time.Duration `json:"time_limit"`
	// Attempts is how many attempts a candidate has; Cooldown how long
	// after an attempt's end the next may start.
	Attempts int           `json:"attempts"`
	Cooldown time.Duration `json:"cooldown"`
}

// Bounds on a blueprint.
const (
	MaxCellItems = 40
	MaxItems     = 120
	MaxTimeLimit = 4 * time.Hour
	MaxAttempts  = 5
	MaxCooldown  = 90 * 24 * time.Hour
)

// Validate checks b against the standard st it names.
func (b *Blueprint) Validate(st *competence.Standard, fe *attesta.FieldErrors) {
	if n := utf8.RuneCountInString(strings.TrimSpace(b.Title)); n == 0 || n > item.MaxText {
		fe.Problem("title", "err.assessment.title", item.MaxText)
	}
	if st == nil || st.Sector != b.Sector || st.Version != b.Standard || st.Status == competence.Draft {
		fe.Problem("standard", "err.assessment.standard", b.Sector, b.Standard)
		return
	}
	if b.Lang != "it" && b.Lang != "en" {
		fe.Problem("lang", "err.item.lang", b.Lang)
	}
	if len(b.Cells) == 0 {
		fe.Problem("cells", "err.assessment.cells.none")
	}
	total := 0
	seen := map[Cell]bool{}
	for i, c := range b.Cells {
		f := fmt.Sprintf("cells[%d]", i)
		if _, ok := st.Competence(c.Competence); !ok {
			fe.Problem(f+".competence", "err.item.competence", c.Competence, b.Sector)
		}
		if !slices.Contains(item.Dimensions, c.Dimension) {
			fe.Problem(f+".dimension", "err.item.dimension", string(c.Dimension))
		}
		if c.Count < 1 || c.Count > MaxCellItems {
			fe.Problem(f+".count", "err.assessment.count", MaxCellItems)
		}
		key := Cell{Competence: c.Competence, Dimension: c.Dimension}
		if seen[key] {
			fe.Problem(f, "err.assessment.cell.twice", c.Competence, string(c.Dimension))
		}
		seen[key] = true
		total += c.Count
	}
	if total > MaxItems {
		fe.Problem("cells", "err.assessment.items.many", MaxItems)
	}
	for _, c := range b.Competences() {
		if !slices.ContainsFunc(b.Thresholds, func(t Threshold) bool { return t.Competence == c }) {
			fe.Problem("thresholds", "err.assessment.threshold.missing", c)
		}
	}
	for i, t := range b.Thresholds {
		f := fmt.Sprintf("thresholds[%d]", i)
		if !slices.Contains(b.Competences(), t.Competence) {
			fe.Problem(f+".competence", "err.assessment.threshold.unknown", t.Competence)
		}
		if t.Percent < 1 || t.Percent > 100 {
			fe.Problem(f+".percent", "err.assessment.threshold.percent")
		}
	}
	if b.TimeLimit < time.Minute || b.TimeLimit > MaxTimeLimit {
		fe.Problem("time_limit", "err.assessment.timelimit", int(MaxTimeLimit/time.Minute))
	}
	if b.Attempts < 1 || b.Attempts > MaxAttempts {
		fe.Problem("attempts", "err.assessment.attempts", MaxAttempts)
	}
	if b.Cooldown < 0 || b.Cooldown > MaxCooldown {
		fe.Problem("cooldown", "err.assessment.cooldown", int(MaxCooldown/(24*time.Hour)))
	}
}

// Competences are the competences b tests, in the order of its cells.
func (b *Blueprint) Competences() []string {
	var out []string
	for _, c := range b.Cells {
		if !slices.Contains(out, c.Competence) {
			out = append(out, c.Competence)
		}
	}
	return out
}

// Threshold is the pass mark of competence c, in percent.
func (b *Blueprint) Threshold(c string) int {
	for _, t := range b.Thresholds {
		if t.Competence == c {
			return t.Percent
		}
	}
	return 100
}

// FormItem is an item of a form: the exact version drawn, and the order
// its options and targets are shown in.
type FormItem struct {
	Item    string   `json:"item"`
	Version int      `json:"version"`
	Choices []string `json:"choices,omitempty"`
	Targets []string `json:"targets,omitempty"`
}

// Form is the paper a candidate sits: drawn from a blueprint with a seed.
type Form struct {
	Seed  uint64     `json:"seed"`
	Items []FormItem `json:"items"`
}

// Eligible reports whether an item version may be drawn for b: approved,
// in b's standard version and language.
func (b *Blueprint) Eligible(v *item.Item) bool {
	return v.Status == item.Approved && v.Sector == b.Sector && v.Standard == b.Standard && v.Lang == b.Lang
}

// Short says which cells of b the bank cannot fill: for each, how many
// eligible items there are. A blueprint with a short cell cannot be sat.
func (b *Blueprint) Short(bank []item.Item) []attesta.Message {
	var out []attesta.Message
	for _, c := range b.Cells {
		n := 0
		for i := range bank {
			if b.Eligible(&bank[i]) && bank[i].Competence == c.Competence && bank[i].Dimension == c.Dimension {
				n++
			}
		}
		if n < c.Count {
			out = append(out, attesta.M("err.assessment.short", c.Competence, c.Dimension.Words(), c.Count, n))
		}
	}
	return out
}

// Draw makes the form a seed gives: for each cell, its count of eligible
// items, taken in turn from the difficulty bands (easy, medium, hard) so
// that a form is not all of one band, at random within a band; the items
// of a competence in random order, the competences in the blueprint's; the
// options of an item that allows it shuffled. The same blueprint, bank and
// seed always draw the same form. It fails when the bank cannot fill a
// cell.
func Draw(b *Blueprint, bank []item.Item, seed uint64) (Form, error) {
	if short := b.Short(bank); len(short) > 0 {
		return Form{}, attesta.E(attesta.Conflict, "err.assessment.draw", short[0])
	}
	sorted := slices.Clone(bank)
	slices.SortFunc(sorted, func(x, y item.Item) int { return strings.Compare(x.ID, y.ID) })
	rng := rand.New(rand.NewPCG(seed, 0x6174746573746121)) // "attesta!"
	form := Form{Seed: seed}
	for _, comp := range b.Competences() {
		var drawn []item.Item
		for _, c := range b.Cells {
			if c.Competence != comp {
				continue
			}
			bands := map[item.Difficulty][]item.Item{}
			for _, it := range sorted {
				if b.Eligible(&it) && it.Competence == c.Competence && it.Dimension == c.Dimension {
					bands[it.Difficulty] = append(bands[it.Difficulty], it)
				}
			}
			for n := 0; n < c.Count; {
				left := false
				for _, d := range item.Difficulties {
					if n == c.Count || len(bands[d]) == 0 {
						continue
					}
					i := rng.IntN(len(bands[d]))
					drawn = append(drawn, bands[d][i])
					bands[d] = slices.Delete(bands[d], i, i+1)
					n++
					left = true
				}
				if !left {
					break // Short said there were enough: not reached
				}
			}
		}
		rng.Shuffle(len(drawn), func(i, j int) { drawn[i], drawn[j] = drawn[j], drawn[i] })
		for _, it := range drawn {
			fi := FormItem{Item: it.ID, Version: it.Version, Choices: ids(it.Choices), Targets: ids(it.Targets)}
			if it.Shuffle || it.Kind == item.Ordering {
				rng.Shuffle(len(fi.Choices), func(i, j int) { fi.Choices[i], fi.Choices[j] = fi.Choices[j], fi.Choices[i] })
				rng.Shuffle(len(fi.Targets), func(i, j int) { fi.Targets[i], fi.Targets[j] = fi.Targets[j], fi.Targets[i] })
			}
			form.Items = append(form.Items, fi)
		}
	}
	return form, nil
}

func ids(cs []item.Choice) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
