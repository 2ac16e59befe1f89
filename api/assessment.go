package api

import (
	"archive/zip"
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/analysis"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/qti"
)

// testRoutes are the online test's routes: tests, sittings and their
// proctoring, a student's accommodation, and the candidate's attempts
// (docs/design/assessment.md).
func (a *API) testRoutes(t func(string, auth.Action, http.HandlerFunc) Route) []Route {
	if a.platform.Tests == nil {
		return nil
	}
	return []Route{
		t("GET /api/v1/tests", auth.TestView, a.listTests),
		t("POST /api/v1/tests", auth.TestDesign, a.createTest),
		t("GET /api/v1/sittings", auth.SittingView, a.listSittings),
		t("POST /api/v1/sittings", auth.SittingManage, a.openSitting),
		t("GET /api/v1/sittings/{id}", auth.SittingView, a.getSitting),
		t("POST /api/v1/sittings/{id}/authorize", auth.SittingProctor, a.authorizeCandidate),
		t("POST /api/v1/sittings/{id}/irregularities", auth.SittingProctor, a.recordIrregularity),
		t("POST /api/v1/sittings/{id}/end", auth.SittingProctor, a.endSitting),
		t("POST /api/v1/sittings/{id}/release", auth.SittingManage, a.releaseSitting),
		t("POST /api/v1/sittings/{id}/attempts", auth.TestTake, a.startAttempt),
		t("GET /api/v1/attempts/{id}", auth.SittingView, a.getAttempt),
		t("PUT /api/v1/attempts/{id}/answers", auth.TestTake, a.answer),
		t("POST /api/v1/attempts/{id}/events", auth.TestTake, a.noteEvent),
		t("POST /api/v1/attempts/{id}/submit", auth.TestTake, a.submitAttempt),
		t("POST /api/v1/attempts/{id}/pause", auth.SittingProctor, a.proctorAttempt(assessment.PausedEvent)),
		t("POST /api/v1/attempts/{id}/resume", auth.SittingProctor, a.proctorAttempt(assessment.Resumed)),
		t("POST /api/v1/attempts/{id}/end", auth.SittingProctor, a.proctorAttempt(assessment.EndedAttempt)),
		t("PUT /api/v1/people/{id}/accommodation", auth.AccommodationSet, a.setAccommodation),
		t("GET /api/v1/statistics/items", auth.ItemStats, a.itemAnalysis),
		t("GET /api/v1/sittings/{id}/results", auth.TestView, a.sittingResults),
		t("GET /api/v1/tests/{id}/qti", auth.TestView, a.exportTest),
		{Pattern: "POST /api/v1/tests/import", Handler: a.withToken(a.importTests), Action: auth.TestDesign, MaxBody: qti.MaxPackageSize + 64<<10},
	}
}

func (a *API) listTests(w http.ResponseWriter, r *http.Request) {
	bs, err := a.platform.Tests.Blueprints(r.Context(), who(r))
	a.reply(w, r, items(bs), err)
}

func (a *API) createTest(w http.ResponseWriter, r *http.Request) {
	var in assessment.Blueprint
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	b, err := a.platform.Tests.CreateBlueprint(r.Context(), who(r), in)
	if err == nil {
		created(w)
	}
	a.reply(w, r, b, err)
}

func (a *API) listSittings(w http.ResponseWriter, r *http.Request) {
	ss, err := a.platform.Tests.Sittings(r.Context(), who(r))
	a.reply(w, r, items(ss), err)
}

func (a *API) openSitting(w http.ResponseWriter, r *http.Request) {
	var in assessment.NewSitting
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.platform.Tests.OpenSitting(r.Context(), who(r), in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/sittings/"+s.ID)
		created(w)
	}
	a.reply(w, r, s, err)
}

func (a *API) getSitting(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.Tests.GetSitting(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, v, err)
}

// candidateInput names a candidate.
type candidateInput struct {
	Candidate string `json:"candidate"`
}

func (a *API) authorizeCandidate(w http.ResponseWriter, r *http.Request) {
	var in candidateInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	err := a.platform.Tests.Authorize(r.Context(), who(r), r.PathValue("id"), in.Candidate)
	a.replySitting(w, r, err)
}

// replySitting answers a change of a sitting with the sitting as it is.
func (a *API) replySitting(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.platform.Tests.GetSitting(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, v, err)
}

// irregularityInput is an irregularity recorded.
type irregularityInput struct {
	Attempt  string                  `json:"attempt"`
	Category assessment.Irregularity `json:"category"`
	Note     string                  `json:"note"`
}

func (a *API) recordIrregularity(w http.ResponseWriter, r *http.Request) {
	var in irregularityInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	err := a.platform.Tests.RecordIrregularity(r.Context(), who(r), r.PathValue("id"), in.Attempt, in.Category, in.Note)
	a.replySitting(w, r, err)
}

// confirmInput confirms an act that cannot be undone.
type confirmInput struct {
	Confirm bool `json:"confirm"`
}

func (a *API) endSitting(w http.ResponseWriter, r *http.Request) {
	var in confirmInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	a.replySitting(w, r, a.platform.Tests.EndSitting(r.Context(), who(r), r.PathValue("id"), in.Confirm))
}

func (a *API) releaseSitting(w http.ResponseWriter, r *http.Request) {
	var in confirmInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	a.replySitting(w, r, a.platform.Tests.Release(r.Context(), who(r), r.PathValue("id"), in.Confirm))
}

// startInput is the access code a candidate types.
type startInput struct {
	Code string `json:"code"`
}

func (a *API) startAttempt(w http.ResponseWriter, r *http.Request) {
	var in startInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	at, err := a.platform.Tests.Start(r.Context(), who(r), r.PathValue("id"), in.Code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/attempts/"+at.ID)
	created(w)
	v, err := a.platform.Tests.GetAttempt(r.Context(), who(r), at.ID)
	a.reply(w, r, v, err)
}

func (a *API) getAttempt(w http.ResponseWriter, r *http.Request) {
	v, err := a.platform.Tests.GetAttempt(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, v, err)
}

// answerInput is a response to an item: [] withdraws it.
type answerInput struct {
	Item     string        `json:"item"`
	Response item.Response `json:"response"`
}

// answerReply is what saving an answer answers: the time left.
type answerReply struct {
	Saved            bool  `json:"saved"`
	RemainingSeconds int64 `json:"remaining_seconds"`
}

func (a *API) answer(w http.ResponseWriter, r *http.Request) {
	var in answerInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	p := who(r)
	rem, err := a.platform.Tests.AnswerRemaining(r.Context(), p, r.PathValue("id"), in.Item, in.Response)
	a.reply(w, r, answerReply{Saved: err == nil, RemainingSeconds: rem}, err)
}

// eventInput is an event the candidate's page reports.
type eventInput struct {
	Kind string `json:"kind"`
	Item string `json:"item"`
}

func (a *API) noteEvent(w http.ResponseWriter, r *http.Request) {
	var in eventInput
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	err := a.platform.Tests.Note(r.Context(), who(r), r.PathValue("id"), in.Kind, in.Item)
	a.reply(w, r, map[string]bool{"recorded": err == nil}, err)
}

func (a *API) submitAttempt(w http.ResponseWriter, r *http.Request) {
	if err := a.platform.Tests.Submit(r.Context(), who(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.platform.Tests.GetAttempt(r.Context(), who(r), r.PathValue("id"))
	a.reply(w, r, v, err)
}

func (a *API) proctorAttempt(kind assessment.EventKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in confirmInput
		if err := readJSON(r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		if err := a.platform.Tests.ProctorAttempt(r.Context(), who(r), r.PathValue("id"), kind, in.Confirm); err != nil {
			a.fail(w, r, err)
			return
		}
		v, err := a.platform.Tests.GetAttempt(r.Context(), who(r), r.PathValue("id"))
		a.reply(w, r, v, err)
	}
}

func (a *API) setAccommodation(w http.ResponseWriter, r *http.Request) {
	var in assessment.Accommodation
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	err := a.platform.Tests.SetAccommodation(r.Context(), who(r), r.PathValue("id"), in)
	a.reply(w, r, in, err)
}

func (a *API) itemAnalysis(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	standard, err := strconv.Atoi(q.Get("standard"))
	if err != nil || q.Get("sector") == "" {
		standard = 0
	}
	rep, err := a.platform.Tests.Analysis(r.Context(), who(r), q.Get("sector"), standard, analysis.Options{})
	a.reply(w, r, rep, err)
}

// qtiAttempt is a scored attempt as QTI Results Reporting says it: the
// candidate's person id as its sourcedId, the total and each competence's
// score as outcomes.
func qtiAttempt(s *assessment.Scored, sitting string) qti.Attempt {
	q := qti.Attempt{Candidate: s.Candidate, Session: sitting, Test: s.Test, Finished: s.Ended,
		Outcomes: []qti.Outcome{{ID: "SCORE", Value: s.Result.Score, Max: s.Result.Max}}}
	for _, c := range s.Result.Competences {
		q.Outcomes = append(q.Outcomes, qti.Outcome{ID: "SCORE_" + c.Competence, Value: c.Score, Max: c.Max})
	}
	answered := map[string]time.Time{}
	for _, x := range s.Answers {
		answered[x.Item] = x.At
	}
	for _, ir := range s.Result.Items {
		it := s.Versions[assessment.Key(ir.Item, ir.Version)]
		q.Items = append(q.Items, qti.ItemResult{Item: *it, Response: ir.Response, Score: ir.Score, Answered: answered[ir.Item]})
	}
	return q
}

// sittingResults exports a sitting's results: CSV (one row per attempt and
// item), or with ?format=qti a zip of QTI 3.0 Results Reporting documents,
// one per attempt.
func (a *API) sittingResults(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	scored, err := a.platform.Tests.Results(r.Context(), who(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var qs []qti.Attempt
	for i := range scored {
		qs = append(qs, qtiAttempt(&scored[i], id))
	}
	var buf bytes.Buffer
	name, ctype := "risultati-"+id+".csv", "text/csv; charset=utf-8"
	if r.URL.Query().Get("format") == "qti" {
		name, ctype = "risultati-"+id+".zip", "application/zip"
		zw := zip.NewWriter(&buf)
		for i := range qs {
			doc, err := qti.ResultXML(&qs[i])
			if err != nil {
				a.fail(w, r, err)
				return
			}
			f, err := zw.CreateHeader(&zip.FileHeader{Name: scored[i].ID + ".xml", Method: zip.Deflate, Modified: scored[i].Ended})
			if err != nil {
				a.fail(w, r, err)
				return
			}
			f.Write(doc)
		}
		if err := zw.Close(); err != nil {
			a.fail(w, r, err)
			return
		}
	} else if err := qti.ResultsCSV(&buf, qs); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Write(buf.Bytes())
}

// exportTest exports a test as a QTI 3.0 content package: a test with a
// section per cell (its competence and dimension), selecting the cell's
// count from the items it draws from now, shuffled, with those items.
func (a *API) exportTest(w http.ResponseWriter, r *http.Request) {
	b, items, err := a.platform.Tests.Pool(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	data, err := qti.Export(items, []qti.Test{QTITest(b, items)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": b.ID + "-qti.zip"}))
	w.Write(data)
}

// QTITest is a test as QTI says it: a section per cell, selecting the
// cell's count from its items, shuffled; the time limit in seconds.
func QTITest(b *assessment.Blueprint, items []item.Item) qti.Test {
	t := qti.Test{ID: b.ID, Title: b.Title, TimeLimit: int(b.TimeLimit / time.Second)}
	for i, c := range b.Cells {
		sec := qti.Section{ID: fmt.Sprintf("S%d-%s-%s", i+1, c.Competence, c.Dimension), Title: c.Competence + " · " + string(c.Dimension),
			Select: c.Count, Shuffle: true, Competence: c.Competence, Dimension: c.Dimension}
		for _, it := range items {
			if it.Competence == c.Competence && it.Dimension == c.Dimension {
				sec.Items = append(sec.Items, it.ID)
			}
		}
		t.Sections = append(t.Sections, sec)
	}
	return t
}

// importTests creates tests from the qti-assessment-tests of a QTI 3.0
// content package (application/zip), all or none. Each section must say
// the competence and the dimension it draws (attesta's metadata, as
// exportTest writes it) and hold items of one standard's version and
// language, in the package; its selection is the count. What QTI does not
// say comes from the query: the pass mark of every competence (threshold,
// percent, default 60), the attempts (default 1) and the days between
// them (cooldown, default 0). The items are the bank's to hold: the tests
// draw from its approved items, not from the package's.
func (a *API) importTests(w http.ResponseWriter, r *http.Request) {
	p := who(r)
	if err := auth.Decide(p, auth.TestDesign, auth.Anywhere); err != nil {
		a.fail(w, r, err)
		return
	}
	pkg, ok := a.readPackage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	number := func(name string, def int) int {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return -1 // the service says it is out of range
			}
			return n
		}
		return def
	}
	byID := map[string]item.Item{}
	for _, it := range pkg.Items {
		byID[it.ID] = it
	}
	var fe attesta.FieldErrors
	var bs []assessment.Blueprint
	for i, t := range pkg.Tests {
		b := assessment.Blueprint{Title: t.Title, TimeLimit: time.Duration(t.TimeLimit) * time.Second, Attempts: number("attempts", 1),
			Cooldown: time.Duration(number("cooldown", 0)) * 24 * time.Hour}
		for j, sec := range t.Sections {
			field := fmt.Sprintf("tests[%d].sections[%d]", i, j)
			if sec.Competence == "" || sec.Dimension == "" {
				fe.Problem(field, "err.api.test.section.tags", sec.ID)
				continue
			}
			count := sec.Select
			if count == 0 {
				count = len(sec.Items)
			}
			b.Cells = append(b.Cells, assessment.Cell{Competence: sec.Competence, Dimension: sec.Dimension, Count: count})
			for _, id := range sec.Items {
				it, ok := byID[id]
				switch {
				case !ok:
					fe.Problem(field, "err.api.test.section.item", id)
				case b.Sector == "":
					b.Sector, b.Standard, b.Lang = it.Sector, it.Standard, it.Lang
				case it.Sector != b.Sector || it.Standard != b.Standard || it.Lang != b.Lang:
					fe.Problem(field, "err.api.test.section.mixed", id)
				}
			}
		}
		for _, c := range b.Competences() {
			b.Thresholds = append(b.Thresholds, assessment.Threshold{Competence: c, Percent: number("threshold", 60)})
		}
		bs = append(bs, b)
	}
	if len(pkg.Tests) == 0 {
		fe.Problem("tests", "err.api.test.none")
	}
	if err := fe.Err(); err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.platform.Tests.CreateBlueprints(r.Context(), p, bs)
	if err == nil {
		created(w)
	}
	a.reply(w, r, items(out), err)
}
