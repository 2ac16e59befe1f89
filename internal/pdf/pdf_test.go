package pdf_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/pdf"
	"github.com/attesta/attesta/internal/pdf/pdftext"
)

func sample(rows int) *pdf.Doc {
	d := pdf.New(pdf.Meta{Title: "Scheda di osservazione — Ştefan Łukasz Nguyễn", Lang: "it", Author: "CCIAA di Torino",
		Footer: "attesta · stampato il 6 dicembre 2026", Page: func(n int, pages string) string { return fmt.Sprintf("Pagina %d di %s", n, pages) }, Created: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)})
	d.Title("Scheda di osservazione delle evidenze — Ştefan Łukasz Nguyễn")
	d.Facts([]pdf.Fact{{"Percorso", "Manutenzione — perché è così: «città»"}, {"Versione", "2 di 2"}})
	d.Heading("C1 — Eseguire la manutenzione ordinaria")
	d.List([]string{"primo punto", "secondo\tpunto\x01"})
	var body [][]string
	for i := range rows {
		body = append(body, []string{fmt.Sprintf("riga %03d", i+1), strings.Repeat("testo lungo che va a capo ", 6), "2 · Intermedio"})
	}
	d.Table([]float64{0.2, 0.6, 0.2}, []string{"Riga", "Evidenza", "Livello"}, body)
	return d
}

// TestReadBack: what a PDF reader finds in a document is what was set —
// every name as written (letters beyond Latin-1 included), each table row
// once, in order, across pages whose header repeats — on A4 pages that
// number themselves, with the title in the document's properties.
func TestReadBack(t *testing.T) {
	data, err := sample(60).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	info := pdftext.Info(t, data)
	if info["Page size"] != "595.28 x 841.89 pts (A4)" {
		t.Errorf("page size %q, want A4", info["Page size"])
	}
	if info["Title"] != "Scheda di osservazione — Ştefan Łukasz Nguyễn" || info["Creator"] != "attesta" {
		t.Errorf("properties: %q", info)
	}
	pages := info["Pages"]
	if pages == "1" || pages == "" {
		t.Fatalf("60 wrapped rows fit on %q page(s)", pages)
	}
	text := pdftext.Text(t, data)
	for _, want := range []string{"Ştefan Łukasz Nguyễn", "perché è così: «città»", "secondo punto", "Pagina 1 di " + pages, "Pagina " + pages + " di " + pages} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "{pages}") || strings.ContainsRune(text, '\x01') {
		t.Error("an alias or a control character reached the page")
	}
	got := regexp.MustCompile(`riga \d{3}`).FindAllString(text, -1)
	if len(got) != 60 {
		t.Fatalf("%d rows read back, want 60", len(got))
	}
	for i, r := range got {
		if r != fmt.Sprintf("riga %03d", i+1) {
			t.Fatalf("row %d reads %q: out of order", i+1, r)
		}
	}
	if n := strings.Count(text, "Evidenza"); n < 2 {
		t.Errorf("the header is on %d page(s), want it on each page the table runs onto", n)
	}
}

// TestSame: the same document set at the same time is the same file, byte
// for byte (a printout can be compared with another of the same thing).
func TestSame(t *testing.T) {
	a, err := sample(3).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sample(3).Bytes()
	if string(a) != string(b) {
		t.Error("two printouts of the same document differ")
	}
}
