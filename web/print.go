package web

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/pdf"
	"github.com/attesta/attesta/observation"
)

// The printouts: the observation sheet and the evidence dossier as A4
// PDFs in the reader's language, with what their pages show — the same
// reads, the same authorization — laid out for paper: every competence of
// the sheet one after the other, the dossier's hours, sheet, files and
// returns in full. docs/design/experiences.md says why they are PDFs
// made here and not the browser's print of the page.

// printed starts a printout of the page's user.
func printed(p *page, title string) *pdf.Doc {
	now := time.Now()
	d := pdf.New(pdf.Meta{Title: title, Lang: p.Lang, Author: "attesta",
		Footer: p.T("print.footer", p.DateTime(now)), Page: func(n int, pages string) string { return p.T("print.page", n, pages) }, Created: now})
	d.Title(title)
	return d
}

// sendPDF answers with a printout, as a download named name.pdf.
func (s *Site) sendPDF(w http.ResponseWriter, r *http.Request, d *pdf.Doc, name string) {
	data, err := d.Bytes()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ".pdf"}))
	h.Set("Cache-Control", "private, no-store")
	w.Write(data)
}

// experienceFacts are the lines that place a printout: the experience,
// the school, the company, the class, the standard (its pinned version st)
// and the dates.
func experienceFacts(p *page, e *experience.View, st *competence.Standard) []pdf.Fact {
	std := e.Sector
	if st != nil {
		std = p.In(st.Title)
		for _, path := range st.Paths {
			if path.ID == e.Design.Path {
				std += " · " + p.In(path.Title)
			}
		}
	}
	return []pdf.Fact{
		{Label: p.T("sheet.experience"), Value: e.Design.Title + " (" + p.Lookup("experience.state.", e.State) + ")"},
		{Label: p.T("experience.school"), Value: e.SchoolName},
		{Label: p.T("experience.company"), Value: e.CompanyName},
		{Label: p.T("experience.class"), Value: strings.TrimSpace(e.ClassName + " " + e.Year)},
		{Label: p.T("experience.standard"), Value: std + " · " + p.T("experience.version", e.Version)},
		{Label: p.T("experience.dates"), Value: p.Day(e.Design.Start) + " – " + p.Day(e.Design.End)},
	}
}

// signed says who did an act on a sheet, in which role and when.
func signed(p *page, s *observation.Signature) string {
	return s.Name + " · " + p.Lookup("role.", s.Role) + " · " + p.DateTime(s.At)
}

// levelWords says a row's value: its level and the level's label, not
// observed, or not yet assessed.
func levelWords(p *page, scale []competence.ScaleLevel, level int, notObserved bool) string {
	switch {
	case notObserved:
		return p.T("sheet.notobserved")
	case level == 0:
		return p.T("sheet.notgiven")
	}
	for _, l := range scale {
		if l.Value == level {
			return fmt.Sprintf("%d · %s", level, p.In(l.Label))
		}
	}
	return fmt.Sprint(level)
}

// period says when a row was observed.
func period(p *page, from, to string) string {
	switch {
	case from != "" && to != "":
		return p.Day(from) + " – " + p.Day(to)
	case from != "":
		return p.Day(from) + " –"
	case to != "":
		return "– " + p.Day(to)
	}
	return ""
}

// sheetPDF prints a version of a student's observation sheet (the current
// one, or ?version=N).
func (s *Site) sheetPDF(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	p.User = principal(r)
	var d sheetData
	if err := s.loadSheet(r, p, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	sh, e := d.Sheet, d.Experience
	doc := printed(p, p.T("sheet.title.of", d.Student))
	facts := experienceFacts(p, e, d.View.Standard)
	facts = append(facts, pdf.Fact{Label: p.T("sheet.version"), Value: p.T("sheet.version.of", sh.Version, len(d.View.Versions)) + " · " + p.Lookup("observation.state.", sh.State)})
	if sh.Reopened != nil {
		facts = append(facts, pdf.Fact{Label: p.T("sheet.reopened"), Value: signed(p, sh.Reopened) + "\n" + sh.Reason})
	}
	if sh.Submitted == nil && sh.SavedName != "" {
		facts = append(facts, pdf.Fact{Label: p.T("sheet.saved.by"), Value: sh.SavedName + " · " + p.DateTime(sh.SavedAt)})
	}
	if sh.Submitted != nil {
		facts = append(facts, pdf.Fact{Label: p.T("sheet.submitted"), Value: signed(p, sh.Submitted)})
	}
	if sh.Countersigned != nil {
		facts = append(facts, pdf.Fact{Label: p.T("sheet.countersigned"), Value: signed(p, sh.Countersigned)})
	}
	doc.Facts(facts)
	if !sh.Locked() {
		doc.Text(p.T("print.sheet.draft"))
	}
	doc.Heading(p.T("print.scale"))
	var scale [][]string
	for _, l := range d.Scale {
		scale = append(scale, []string{fmt.Sprint(l.Value), p.In(l.Label), p.In(l.Description)})
	}
	scale = append(scale, []string{"—", p.T("sheet.notobserved"), p.T("print.notobserved")})
	doc.Table([]float64{0.08, 0.22, 0.70}, []string{p.T("print.level"), p.T("print.label"), p.T("print.description")}, scale)
	header := []string{p.T("print.evidence"), p.T("print.level"), p.T("sheet.period"), p.T("sheet.note")}
	widths := []float64{0.46, 0.18, 0.16, 0.20}
	var rows [][]string
	for i, o := range sh.Rows {
		if i == 0 || o.Row.Competence != sh.Rows[i-1].Row.Competence {
			if rows != nil {
				doc.Table(widths, header, rows)
				rows = nil
			}
			title := o.Row.Competence
			if c, ok := d.View.Standard.Competence(o.Row.Competence); ok {
				title += " · " + p.In(c.Title)
			}
			doc.Heading(title)
		}
		what := o.Row.String()
		if ev, act, ok := experience.Evidence(d.View.Standard, o.Row); ok {
			what = p.In(ev.Text) + "\n" + p.T("experience.activity", o.Row.Activity) + ": " + p.In(act.Title) + "\n" + o.Row.String()
		}
		rows = append(rows, []string{what, levelWords(p, d.Scale, o.Level, o.NotObserved), period(p, o.From, o.To), o.Note})
	}
	if rows != nil {
		doc.Table(widths, header, rows)
	}
	s.sendPDF(w, r, doc, fmt.Sprintf("%s-v%d", p.T("print.sheet.file"), sh.Version))
}

// dossierPDF prints a student's evidence dossier: locked, what the
// commission sees and its digest; open, what it holds so far and what is
// missing.
func (s *Site) dossierPDF(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r)
	p.User = principal(r)
	var d dossierData
	if err := s.loadDossier(r, p, &d); err != nil {
		s.fail(w, r, err)
		return
	}
	v, e, dd := d.View, d.Experience, d.View.Document
	doc := printed(p, p.T("dossier.title.of", d.Student))
	facts := experienceFacts(p, e, d.Standard)
	sheet := p.T("dossier.sheet.none")
	if dd.Sheet.ID != "" {
		sheet = p.T("dossier.sheet.version", dd.Sheet.Version)
	}
	facts = append(facts,
		pdf.Fact{Label: p.T("print.dossier.state"), Value: p.Lookup("dossier.state.", v.State)},
		pdf.Fact{Label: p.T("dossier.hours"), Value: p.T("dossier.hours.value", p.Hours(dd.Hours.Minutes), dd.Hours.Planned)},
		pdf.Fact{Label: p.T("dossier.sheet"), Value: sheet},
		pdf.Fact{Label: p.T("dossier.tests"), Value: testWords(p, dd.Tests)},
		pdf.Fact{Label: p.T("dossier.notes"), Value: or(dd.Notes, "—")})
	doc.Facts(facts)
	if v.Lock != nil {
		doc.Heading(p.T("dossier.lock.title"))
		doc.Facts([]pdf.Fact{
			{Label: p.T("dossier.lock.by"), Value: v.Lock.Name + " · " + p.Lookup("role.", v.Lock.Role) + " · " + p.DateTime(v.Lock.At)},
			{Label: p.T("dossier.lock.digest"), Value: v.Lock.Digest},
			{Label: p.T("dossier.lock.index"), Value: fmt.Sprint(v.Lock.LogIndex)},
		})
		doc.Small(p.T("print.dossier.digest"))
	} else {
		doc.Heading(p.T("dossier.missing"))
		if len(d.Missing) > 0 {
			doc.List(d.Missing)
		} else {
			doc.Text(p.T("dossier.missing.none"))
		}
	}
	doc.Heading(p.T("experience.hours.records"))
	if len(dd.Hours.Records) == 0 {
		doc.Text(p.T("print.none"))
	} else {
		var rows [][]string
		for _, h := range dd.Hours.Records {
			day := p.Day(h.Day)
			if h.Weekly {
				day = p.T("experience.hours.week", day)
			}
			rows = append(rows, []string{day, p.Hours(h.Minutes), h.Activity})
		}
		doc.Table([]float64{0.25, 0.12, 0.63}, []string{p.T("print.day"), p.T("dossier.hours"), p.T("print.activity")}, rows)
	}
	if dd.Sheet.ID != "" {
		doc.Heading(p.T("print.dossier.sheet", dd.Sheet.Version))
		var rows [][]string
		for _, o := range dd.Sheet.Rows {
			what := o.Row
			if t := d.RowText(p, o.Row); t != "" {
				what = t + "\n" + o.Row
			}
			rows = append(rows, []string{what, levelWords(p, scaleOf(d.Standard), o.Level, o.NotObserved), period(p, o.From, o.To), o.Note})
		}
		doc.Table([]float64{0.46, 0.18, 0.16, 0.20}, []string{p.T("print.evidence"), p.T("print.level"), p.T("sheet.period"), p.T("sheet.note")}, rows)
	}
	doc.Heading(p.T("dossier.files"))
	if len(v.Artefacts) == 0 {
		doc.Text(p.T("dossier.files.none"))
	} else {
		var rows [][]string
		for _, a := range v.Artefacts {
			rows = append(rows, []string{a.Name + "\n" + p.Lookup("artefact.kind.label.", a.Kind) + " · " + a.Format + " · " + p.Size(a.Size),
				"sha256:" + a.SHA256, strings.Join(a.Rows, "\n")})
		}
		doc.Table([]float64{0.34, 0.36, 0.30}, []string{p.T("dossier.coverage.files"), p.T("print.digest"), p.T("dossier.files.rows")}, rows)
		var uncovered []string
		for _, c := range d.Rows {
			if len(c.Files) == 0 {
				uncovered = append(uncovered, c.Row)
			}
		}
		if len(uncovered) > 0 {
			doc.Small(p.T("print.dossier.uncovered", strings.Join(uncovered, ", ")))
		}
	}
	doc.Heading(p.T("dossier.returns"))
	if len(v.Returns) == 0 {
		doc.Text(p.T("dossier.returns.none"))
	} else {
		var rows [][]string
		for _, rt := range v.Returns {
			rows = append(rows, []string{p.Lookup("dossier.to.", rt.To) + "\n" + rt.Name + "\n" + p.DateTime(rt.At), rt.Message})
		}
		doc.Table([]float64{0.34, 0.66}, []string{p.T("print.return"), p.T("print.message")}, rows)
	}
	s.sendPDF(w, r, doc, p.T("print.dossier.file"))
}

// scaleOf is a standard's observation scale, none without a standard.
func scaleOf(st *competence.Standard) []competence.ScaleLevel {
	if st == nil {
		return nil
	}
	return st.Scale
}

// testWords says a dossier's test results, one per line.
func testWords(p *page, tests []dossier.TestLine) string {
	if len(tests) == 0 {
		return p.T("dossier.tests.none")
	}
	var lines []string
	for _, t := range tests {
		l := t.Title + " · " + p.T("dossier.tests.attempt", t.Number)
		for _, c := range t.Competences {
			verdict := p.T("dossier.tests.failed", c.Threshold)
			if c.Passed {
				verdict = p.T("dossier.tests.passed", c.Threshold)
			}
			l += " · " + c.Competence + " " + p.Percent(c.Percent) + " (" + verdict + ")"
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}
