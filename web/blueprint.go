package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/item"
)

// The tests' page: the tests one may use, and for those who design them
// (a Chamber, the national body) a form laid out as the standard: a row per
// competence, a number of items per dimension, the pass mark; the time
// limit, the attempts and the cool-down. A blank count draws nothing. A
// refused form comes back with everything typed and each problem beside
// its field.

// testsData is what the tests' page shows.
type testsData struct {
	Tests []testRow
	// Created says the page follows a test's creation.
	Created bool
	// Design is the form, for those who design tests.
	Design *designForm
}

// testRow is a test in the list, with its standard's title.
type testRow struct {
	assessment.Blueprint
	Standard string
	Items    int
}

// Minutes is the test's time limit in minutes.
func (r testRow) Minutes() int { return int(r.TimeLimit / time.Minute) }

// Days is the test's cool-down in days.
func (r testRow) Days() int { return int(r.Cooldown / (24 * time.Hour)) }

// designForm is the form designing a test on a standard's version.
type designForm struct {
	// Standards are the published versions to choose from, as
	// sector/version; Chosen the one the grid is of.
	Standards []competence.Info
	Chosen    string
	Standard  *competence.Standard
	Form      *form
}

// Value is what the form shows in a field: what was typed, or def.
func (d *designForm) Value(field, def string) string {
	if d.Form != nil && d.Form.Values != nil && d.Form.Values.Has(field) {
		return d.Form.V(field)
	}
	return def
}

// Dimensions are the grid's columns.
func (d *designForm) Dimensions() []item.Dimension { return item.Dimensions }

// Default is what a field of the form holds before anything is typed.
func (d *designForm) Default(field string) string {
	return map[string]string{"minutes": "30", "attempts": "2", "cooldown": "7"}[field]
}

// Cell names a count's field: count:C1:knowledge.
func (d *designForm) Cell(competence string, dim item.Dimension) string {
	return "count:" + competence + ":" + string(dim)
}

func (s *Site) tests(w http.ResponseWriter, r *http.Request) {
	s.testsPage(w, r, http.StatusOK, nil)
}

func (s *Site) testsPage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	p := s.userPage(w, r, "tests.title", crumb{Label: p0(s, w, r, "tests.title")})
	ctx := r.Context()
	bs, err := s.platform.Tests.Blueprints(ctx, p.User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := testsData{Created: r.URL.Query().Get("created") == "1" && f == nil}
	for _, b := range bs {
		row := testRow{Blueprint: b, Standard: fmt.Sprintf("%s · %d", b.Sector, b.Standard)}
		if st, err := s.standards.Version(ctx, nil, b.Sector, b.Standard); err == nil {
			row.Standard = p.In(st.Title) + " · " + p.T("experience.version", b.Standard)
		}
		for _, c := range b.Cells {
			row.Items += c.Count
		}
		d.Tests = append(d.Tests, row)
	}
	if p.CanAny(string(auth.TestDesign)) {
		df := &designForm{Form: f}
		infos, err := s.standards.Versions(ctx, nil)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, in := range infos {
			if in.Status == competence.Published || in.Status == competence.Superseded {
				df.Standards = append(df.Standards, in)
			}
		}
		df.Chosen = r.URL.Query().Get("standard")
		if f != nil {
			df.Chosen = f.V("standard")
		}
		if sector, v, ok := strings.Cut(df.Chosen, "/"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				if st, err := s.standards.Version(ctx, nil, sector, n); err == nil && st.Status != competence.Draft {
					df.Standard = st
				}
			}
		}
		d.Design = df
	}
	p.Data = &d
	s.render(w, r, status, "tests", p)
}

// blueprintOf reads the design form: the cells with a count, and the
// thresholds of their competences. A count or a number that is not one is
// the service's to refuse (it reads as out of range).
func blueprintOf(f url.Values) assessment.Blueprint {
	number := func(field string) int {
		v := strings.TrimSpace(f.Get(field))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return -1
		}
		return n
	}
	b := assessment.Blueprint{Title: f.Get("title"), Lang: f.Get("lang"), Attempts: number("attempts"),
		TimeLimit: time.Duration(number("minutes")) * time.Minute, Cooldown: time.Duration(number("cooldown")) * 24 * time.Hour}
	if sector, v, ok := strings.Cut(f.Get("standard"), "/"); ok {
		b.Sector = sector
		b.Standard, _ = strconv.Atoi(v)
	}
	for _, code := range f["competence"] {
		used := false
		for _, dim := range item.Dimensions {
			field := "count:" + code + ":" + string(dim)
			if strings.TrimSpace(f.Get(field)) == "" {
				continue
			}
			b.Cells = append(b.Cells, assessment.Cell{Competence: code, Dimension: dim, Count: number(field)})
			used = true
		}
		if used {
			b.Thresholds = append(b.Thresholds, assessment.Threshold{Competence: code, Percent: number("threshold:" + code)})
		}
	}
	return b
}

// designTest creates a test from the form; a refusal shows the form again.
func (s *Site) designTest(w http.ResponseWriter, r *http.Request) {
	s.submit(w, r, func(f url.Values) (string, error) {
		if _, err := s.platform.Tests.CreateBlueprint(r.Context(), principal(r), blueprintOf(f)); err != nil {
			return "", err
		}
		return "/tests?created=1", nil
	}, func(f *form, status int) {
		placeCellErrors(f)
		summarize(f)
		s.testsPage(w, r, status, f)
	})
}

// placeCellErrors moves the service's problems, which name cells and
// thresholds by position (cells[2].count), to the form's fields
// (count:C1:skill), so each shows beside its input.
func placeCellErrors(f *form) {
	b := blueprintOf(f.Values)
	moved := map[string]string{}
	for field, msg := range f.Errors {
		key := field
		if m := indexed.FindStringSubmatch(field); m != nil {
			i, _ := strconv.Atoi(m[2])
			switch {
			case m[1] == "cells" && i < len(b.Cells):
				key = "count:" + b.Cells[i].Competence + ":" + string(b.Cells[i].Dimension)
			case m[1] == "thresholds" && i < len(b.Thresholds):
				key = "threshold:" + b.Thresholds[i].Competence
			}
		} else if field == "time_limit" {
			key = "minutes"
		}
		if moved[key] != "" {
			moved[key] += "; " + msg
		} else {
			moved[key] = msg
		}
	}
	f.Errors = moved
}

// indexed reads a field of a list as the service names it: cells[2].count.
var indexed = regexp.MustCompile(`^(\w+)\[(\d+)\](?:\.\w+)?$`)
