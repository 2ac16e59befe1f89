package qti

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/item"
)

// Attempt is one sitting of a test by a candidate, as Results Reporting
// says it: who, which test, when, the test's outcomes and each item's
// response and score. It is what a sitting records, in no package's
// terms but QTI's.
type Attempt struct {
	// Candidate identifies the candidate to whoever reads the results
	// (context sourcedId).
	Candidate string `json:"candidate"`
	// System is the URI of the system that ran the sitting and Session
	// the sitting's identifier there (context sessionIdentifier); System
	// defaults to "urn:attesta".
	System  string `json:"system,omitempty"`
	Session string `json:"session,omitempty"`
	// Test is the test's identifier; Finished when the sitting ended.
	Test     string    `json:"test"`
	Finished time.Time `json:"finished"`
	// Outcomes are the test's outcome variables: the total score, the
	// score of each competence…
	Outcomes []Outcome `json:"outcomes"`
	// Items are the items in the order the candidate was given them.
	Items []ItemResult `json:"items"`
}

// Outcome is an outcome variable of a test: an identifier such as SCORE or
// SCORE_C1, its value, and the most it could be (0: not said).
type Outcome struct {
	ID    string  `json:"id"`
	Value float64 `json:"value"`
	Max   float64 `json:"max,omitempty"`
}

// ItemResult is an item of a sitting: the version given, the candidate's
// response (empty if not answered), the score it was given and when.
type ItemResult struct {
	Item     item.Item     `json:"item"`
	Response item.Response `json:"response"`
	Score    float64       `json:"score"`
	// Answered is when the response was last given; zero means the
	// sitting's end.
	Answered time.Time `json:"answered,omitzero"`
}

// stamp is an xs:dateTime in UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func checkAttempt(a *Attempt) error {
	if !item.Identifier(a.Test) {
		return attesta.E(attesta.Invalid, "err.qti.result.id", a.Test)
	}
	for _, o := range a.Outcomes {
		if !item.Identifier(o.ID) || math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			return attesta.E(attesta.Invalid, "err.qti.result.outcome", o.ID)
		}
	}
	for _, r := range a.Items {
		if !item.Identifier(r.Item.ID) || math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
			return attesta.E(attesta.Invalid, "err.qti.result.id", r.Item.ID)
		}
	}
	return nil
}

// ResultXML writes a as a QTI 3.0 Results Reporting assessmentResult
// document: the context (the candidate's sourcedId, the sitting), a
// testResult with the outcomes, and an itemResult per item with its
// response (correct and candidate's) and its SCORE.
func ResultXML(a *Attempt) ([]byte, error) {
	if err := checkAttempt(a); err != nil {
		return nil, err
	}
	w := newWriter()
	w.open("assessmentResult", "xmlns", ResultNamespace, "xmlns:xsi", xsiNamespace,
		"xsi:schemaLocation", ResultNamespace+" "+resultSchema)
	if a.Session != "" {
		system := a.System
		if system == "" {
			system = "urn:attesta"
		}
		w.open("context", "sourcedId", a.Candidate)
		w.empty("sessionIdentifier", "sourceID", system, "identifier", a.Session)
		w.close("context")
	} else {
		w.empty("context", "sourcedId", a.Candidate)
	}
	w.open("testResult", "identifier", a.Test, "datestamp", stamp(a.Finished))
	for _, o := range a.Outcomes {
		max := ""
		if o.Max != 0 {
			max = number(o.Max)
		}
		w.open("outcomeVariable", "identifier", o.ID, "cardinality", "single", "baseType", "float", "normalMaximum", max)
		w.leaf("value", number(o.Value))
		w.close("outcomeVariable")
	}
	w.close("testResult")
	for i, r := range a.Items {
		it := &r.Item
		when := r.Answered
		if when.IsZero() {
			when = a.Finished
		}
		w.open("itemResult", "identifier", it.ID, "sequenceIndex", strconv.Itoa(i+1), "datestamp", stamp(when), "sessionStatus", "final")
		card, base := declaration(it.Kind)
		w.open("responseVariable", "identifier", responseID, "cardinality", card, "baseType", base)
		if len(it.Correct) > 0 {
			w.open("correctResponse")
			for _, v := range it.Correct {
				w.leaf("value", v)
			}
			w.close("correctResponse")
		}
		if len(r.Response) == 0 {
			w.empty("candidateResponse")
		} else {
			w.open("candidateResponse")
			for _, v := range r.Response {
				w.leaf("value", v)
			}
			w.close("candidateResponse")
		}
		w.close("responseVariable")
		w.open("outcomeVariable", "identifier", "SCORE", "cardinality", "single", "baseType", "float", "normalMaximum", number(it.MaxScore()))
		w.leaf("value", number(r.Score))
		w.close("outcomeVariable")
		w.close("itemResult")
	}
	w.close("assessmentResult")
	return w.bytes(), nil
}

// CSVHeader is the first row of [ResultsCSV]: the sitting (candidate,
// session, test, finished), then the item (its position in the sitting,
// identifier, version, kind), the response and the correct response (their
// values apart by "|"; a text entry's one value as typed), the score, the
// most the item scores, and when the response was given. Times are RFC
// 3339 in UTC; numbers are decimals with a point.
var CSVHeader = []string{"candidate", "session", "test", "finished", "sequence", "item", "version", "kind",
	"response", "correct", "score", "max_score", "answered"}

// ResultsCSV writes attempts as CSV, one row per attempt and item, after
// [CSVHeader]. A text a spreadsheet would run as a formula (it starts with
// =, +, -, @, a tab, a carriage return or a NUL) is written after an
// apostrophe, which spreadsheets take as "this is text" (package importer
// does the same to its exports).
func ResultsCSV(w io.Writer, attempts []Attempt) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("writing the header: %w", err)
	}
	for i := range attempts {
		a := &attempts[i]
		if err := checkAttempt(a); err != nil {
			return err
		}
		for j, r := range a.Items {
			when := r.Answered
			if when.IsZero() {
				when = a.Finished
			}
			row := []string{neutralise(a.Candidate), neutralise(a.Session), neutralise(a.Test), stamp(a.Finished),
				strconv.Itoa(j + 1), neutralise(r.Item.ID), strconv.Itoa(r.Item.Version), string(r.Item.Kind),
				neutralise(strings.Join(r.Response, "|")), neutralise(strings.Join(r.Item.Correct, "|")),
				number(r.Score), number(r.Item.MaxScore()), stamp(when)}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("writing a row: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	return nil
}

// formulaStarts are the first characters that make a spreadsheet run a
// cell as a formula (OWASP, "CSV Injection"; ASVS 5.0, 1.2.10).
const formulaStarts = "=+-@\t\r\x00"

// neutralise returns a text cell as a spreadsheet may open it: after an
// apostrophe if it starts as a formula, or with an apostrophe of its own
// that a reader would otherwise drop (importer's rule, so a value reads
// back as it was).
func neutralise(v string) string {
	if v != "" && strings.IndexByte(formulaStarts, v[0]) >= 0 ||
		len(v) >= 2 && v[0] == '\'' && strings.IndexByte(formulaStarts+"'", v[1]) >= 0 {
		return "'" + v
	}
	return v
}
