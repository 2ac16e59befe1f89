package web

import (
	"fmt"
	"strings"
	"time"

	"net/http"

	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/internal/pdf"
)

// minutesPDF prints a session's minutes ("verbale"), in the reader's
// language (?lang=en for the English version): the commission and its
// act, the members with their attendance, declarations and recusals, the
// criteria, every decision with its reason and votes, the signatures or
// refusals, and — once signed — the digest of the minutes' document and
// its place in the transparency log. The printout says what the signed
// document says; the document, whose digest the log holds, is the act.
func (s *Site) minutesPDF(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	p.User = principal(r)
	m, st, err := s.platform.Commissions.Minutes(r.Context(), p.User, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, mb := range m.Members {
		names[mb.Person] = mb.Name
	}
	for _, c := range m.Candidates {
		names[c.Person] = c.Name
	}
	name := func(id string) string { return or(names[id], id) }
	list := func(ids []string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = name(id)
		}
		if len(out) == 0 {
			return "—"
		}
		return strings.Join(out, ", ")
	}
	at := func(v string) string {
		t, err := time.Parse("2006-01-02T15:04:05.000Z", v)
		if err != nil {
			return v
		}
		return p.DateTime(t)
	}
	doc := printed(p, p.T("minutes.title", st.Number, st.Date.Year()))
	state := p.T("minutes.draft")
	if m.Closed != "" {
		state = p.T("minutes.closed", at(m.Closed))
	}
	doc.Facts([]pdf.Fact{
		{Label: p.T("minutes.commission"), Value: st.Commission.Title},
		{Label: p.T("minutes.act"), Value: m.Act},
		{Label: p.T("minutes.sector"), Value: p.Sector(m.Sector)},
		{Label: p.T("minutes.date"), Value: p.Date(st.Date)},
		{Label: p.T("minutes.quorum"), Value: p.Lookup("commission.quorum.", m.Quorum)},
		{Label: p.T("minutes.state"), Value: state},
	})
	doc.Heading(p.T("minutes.members"))
	var rows [][]string
	for _, mb := range m.Members {
		present := p.T("minutes.absent")
		if mb.Present {
			present = p.T("minutes.present")
		}
		declared := p.T("minutes.undeclared")
		if mb.Declared != "" {
			declared = p.T("minutes.declared", at(mb.Declared))
		}
		rows = append(rows, []string{mb.Name, p.Lookup("commission.role.", mb.Role), present, declared, list(mb.Recused)})
	}
	doc.Table([]float64{0.22, 0.18, 0.12, 0.26, 0.22}, []string{p.T("minutes.member"), p.T("minutes.role"), p.T("minutes.attendance"),
		p.T("minutes.declaration"), p.T("minutes.recused")}, rows)
	doc.Small(p.T("minutes.grounds"))
	doc.Heading(p.T("minutes.criteria"))
	if c := m.Criteria; c != nil {
		doc.Text(criteriaWords(p, c))
	} else {
		doc.Text(p.T("minutes.criteria.none"))
	}
	doc.Heading(p.T("minutes.decisions"))
	rows = nil
	for _, d := range m.Decisions {
		reason := d.Reason
		if d.ByCriteria {
			reason = p.T("commission.reason.criteria")
		}
		votes := p.T("minutes.unanimous", list(d.For))
		if len(d.Dissent) > 0 {
			votes = p.T("minutes.majority", list(d.For), list(d.Dissent))
		}
		outcome := p.Lookup("commission.outcome.", d.Outcome)
		if d.ReviewUntil != "" {
			outcome += "\n" + p.T("minutes.review", at(d.ReviewUntil))
		}
		rows = append(rows, []string{name(d.Candidate), d.Competence, outcome + "\n" + p.T("minutes.proposal", p.Lookup("commission.outcome.", d.Proposal)), reason, votes})
	}
	if len(rows) == 0 {
		doc.Text(p.T("print.none"))
	} else {
		doc.Table([]float64{0.18, 0.08, 0.22, 0.28, 0.24}, []string{p.T("minutes.candidate"), p.T("minutes.competence"), p.T("minutes.outcome"),
			p.T("minutes.reason"), p.T("minutes.votes")}, rows)
	}
	doc.Heading(p.T("minutes.signatures"))
	rows = nil
	for _, sg := range m.Signatures {
		what := p.T("minutes.signed", at(stampOf(sg.At)))
		if sg.Refused {
			what = p.T("minutes.refused", at(stampOf(sg.At)), sg.Reason)
		}
		rows = append(rows, []string{name(sg.Person), what})
	}
	if len(rows) == 0 {
		doc.Text(p.T("minutes.signatures.none"))
	} else {
		doc.Table([]float64{0.3, 0.7}, []string{p.T("minutes.member"), p.T("minutes.signature")}, rows)
	}
	if st.MinutesDigest != "" {
		doc.Heading(p.T("minutes.notarized"))
		doc.Facts([]pdf.Fact{
			{Label: p.T("dossier.lock.digest"), Value: st.MinutesDigest},
			{Label: p.T("dossier.lock.index"), Value: fmt.Sprint(st.LogIndex)},
		})
		doc.Small(p.T("minutes.notarized.hint"))
	}
	s.sendPDF(w, r, doc, p.T("minutes.file", st.Number))
}

// stampOf writes a time as the minutes' document does.
func stampOf(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// criteriaWords says the criteria in words.
func criteriaWords(p *page, c *commission.Criteria) string {
	test := p.T("commission.criteria.test.no")
	if c.TestRequired {
		test = p.T("commission.criteria.test.yes")
	}
	return p.T("commission.criteria.words", c.Version, c.MinLevel, p.Percent(c.LevelShare*100), p.Percent(c.MaxNotObserved*100), test)
}
