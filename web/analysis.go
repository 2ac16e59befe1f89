package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/attesta/attesta/analysis"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/competence"
)

// The item analysis of a standard's version, the national body's: every
// item drawn in any test on it, over the candidates' first attempts,
// across Chambers and years, with the items outside the documented
// thresholds flagged for review (docs/design/analysis.md).

// analysisData is what the page shows.
type analysisData struct {
	Standards []competence.Info
	Chosen    string
	Report    *assessment.Report
}

// Stat says a statistic to two decimals in the page's numbers, or why it
// is not available.
func (p *page) Stat(s analysis.Stat) string {
	if !s.Available {
		return p.Lookup("analysis.reason.", s.Reason)
	}
	return p.Number(math.Round(s.Value*100) / 100)
}

// Share says a share (0–1) as a percentage in the page's numbers.
func (p *page) Share(v float64) string {
	return p.Percent(math.Round(v*1000) / 10)
}

func (s *Site) itemAnalysis(w http.ResponseWriter, r *http.Request) {
	p := s.userPage(w, r, "analysis.title", crumb{Label: p0(s, w, r, "analysis.title")})
	ctx := r.Context()
	d := analysisData{Chosen: r.URL.Query().Get("standard")}
	infos, err := s.standards.Versions(ctx, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, in := range infos {
		if in.Status != competence.Draft {
			d.Standards = append(d.Standards, in)
		}
	}
	sector, v, _ := strings.Cut(d.Chosen, "/")
	n, _ := strconv.Atoi(v)
	if sector != "" && n > 0 {
		if d.Report, err = s.platform.Tests.Analysis(ctx, p.User, sector, n, analysis.Options{}); err != nil {
			s.fail(w, r, err)
			return
		}
	} else if _, err := s.platform.Tests.Analysis(ctx, p.User, "", 0, analysis.Options{}); err != nil {
		s.fail(w, r, err) // who may not see it is told so before choosing
		return
	}
	p.Data = &d
	s.render(w, r, http.StatusOK, "analysis", p)
}
