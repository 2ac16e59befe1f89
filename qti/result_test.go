package qti_test

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"slices"
	"testing"
	"time"

	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/qti"
)

// attempt is a sitting of the golden test: a candidate answered five of
// the seven items, one not at all.
func attempt() qti.Attempt {
	items := goldenItems()
	end := time.Date(2026, 6, 12, 9, 45, 0, 0, time.UTC)
	res := []qti.ItemResult{
		{Item: items[0], Response: item.Response{"A"}, Answered: end.Add(-20 * time.Minute)},
		{Item: items[1], Response: item.Response{"A", "B"}, Answered: end.Add(-18 * time.Minute)},
		{Item: items[3], Response: item.Response{"F1", "F3", "F2", "F4"}},
		{Item: items[4], Response: item.Response{"L1 U1", "L2 U3"}},
		{Item: items[5]},
		{Item: items[6], Response: item.Response{"=SUM(A1)"}},
	}
	for i := range res {
		res[i].Score = res[i].Item.Score(res[i].Response)
	}
	return qti.Attempt{Candidate: "RSSMRA08A01H501U", System: "https://attesta.example", Session: "sit-0001", Test: "MECC-1-ONLINE",
		Finished: end, Items: res, Outcomes: []qti.Outcome{{ID: "SCORE", Value: 3.5, Max: 7}, {ID: "SCORE_C1", Value: 3.5, Max: 7}}}
}

// TestResultXML: a sitting as an assessmentResult document is the golden
// file, and well-formed XML in Results Reporting's namespace.
func TestResultXML(t *testing.T) {
	a := attempt()
	got, err := qti.ResultXML(&a)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "result.xml", got)
	var doc struct {
		XMLName xml.Name
		Items   []struct {
			ID     string `xml:"identifier,attr"`
			Status string `xml:"sessionStatus,attr"`
		} `xml:"itemResult"`
	}
	if err := xml.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.XMLName.Space != qti.ResultNamespace || doc.XMLName.Local != "assessmentResult" || len(doc.Items) != 6 || doc.Items[5].Status != "final" {
		t.Errorf("read back %+v", doc)
	}
	bad := a
	bad.Test = "1 bad"
	if _, err := qti.ResultXML(&bad); err == nil {
		t.Error("a test identifier QTI would not take is written")
	}
}

// TestResultsCSV: sittings as CSV are the golden file: one row per sitting
// and item, a text that a spreadsheet would run as a formula after an
// apostrophe, the scores as numbers.
func TestResultsCSV(t *testing.T) {
	a, b := attempt(), attempt()
	b.Candidate, b.Session = "+39 333 000", "sit-0002"
	var buf bytes.Buffer
	if err := qti.ResultsCSV(&buf, []qti.Attempt{a, b}); err != nil {
		t.Fatal(err)
	}
	golden(t, "results.csv", buf.Bytes())
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || !slices.Equal(rows[0], qti.CSVHeader) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		for i, v := range r {
			if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '@') {
				t.Errorf("column %s holds a formula: %q", qti.CSVHeader[i], v)
			}
		}
	}
	if rows[12][8] != "'=SUM(A1)" || rows[7][0] != "'+39 333 000" || rows[2][10] != "0.5" {
		t.Errorf("rows %q", rows)
	}
}
