package qti_test

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/qti"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

func ptr(f float64) *float64 { return &f }

// goldenItems are an item of each kind, scored by both templates, with
// texts that need escaping, paragraphs and line breaks: valid items of
// Meccatronica version 1.
func goldenItems() []item.Item {
	base := func(id string, kind item.Kind) item.Item {
		return item.Item{ID: id, Version: 1, Status: item.Approved, Lang: "it", Sector: "meccatronica", Standard: 1,
			Competence: "C1", ADA: "ADA.10.02.02", Result: "RA1", Dimension: item.Knowledge, Difficulty: item.Easy,
			Kind: kind, Scoring: item.MatchCorrect}
	}
	single := base("C1-K-001", item.SingleChoice)
	single.Title, single.Prompt, single.Shuffle = "Proiezioni ortogonali", "Quale metodo di proiezione usa il disegno tecnico europeo?", true
	single.Choices = []item.Choice{{ID: "A", Text: "Metodo del primo diedro (E)"}, {ID: "B", Text: "Metodo del terzo diedro (A)"}, {ID: "C", Text: "Assonometria cavaliera"}}
	single.Correct = []string{"A"}

	multiple := base("C1-K-002", item.MultipleChoice)
	multiple.Version, multiple.Status, multiple.Difficulty = 3, item.Review, item.Medium
	multiple.Title = "Tolleranze & accoppiamenti"
	multiple.Prompt = "Un albero Ø20 h7 e un foro Ø20 H7 formano un accoppiamento.\n\nQuali affermazioni sono vere? (una o più)"
	multiple.Choices = []item.Choice{{ID: "A", Text: "Lo scostamento superiore dell'albero è 0"}, {ID: "B", Text: "Il gioco minimo è < 0"},
		{ID: "C", Text: "L'accoppiamento è con gioco"}, {ID: "D", Text: "La tolleranza del foro è \"H\""}}
	multiple.Correct = []string{"A", "C"}
	multiple.Scoring = item.MapResponse
	multiple.Map = &item.Map{Entries: []item.MapEntry{{Key: "A", Points: 1}, {Key: "C", Points: 1}, {Key: "B", Points: -0.5}}, Lower: ptr(0), Upper: ptr(2)}

	truefalse := base("C1-K-003", item.TrueFalse)
	truefalse.Lang, truefalse.ADA, truefalse.Result = "en", "", ""
	truefalse.Title, truefalse.Prompt = "Section views", "A section view shows the hidden edges of a part\nas dashed lines."
	truefalse.Choices = []item.Choice{{ID: "true", Text: "True"}, {ID: "false", Text: "False"}}
	truefalse.Correct = []string{"false"}

	ordering := base("C1-S-004", item.Ordering)
	ordering.Dimension, ordering.Difficulty, ordering.Shuffle = item.Skill, item.Hard, true
	ordering.Title, ordering.Prompt = "Sequenza di quotatura", "Metti in ordine le fasi della quotatura di un pezzo."
	ordering.Choices = []item.Choice{{ID: "F1", Text: "Scegliere i riferimenti"}, {ID: "F2", Text: "Quotare le dimensioni funzionali"},
		{ID: "F3", Text: "Completare le quote d'ingombro"}, {ID: "F4", Text: "Verificare che nessuna quota sia ripetuta"}}
	ordering.Correct = []string{"F1", "F2", "F3", "F4"}

	matching := base("C1-S-005", item.Matching)
	matching.Dimension, matching.Difficulty, matching.Status = item.Skill, item.Medium, item.Draft
	matching.Title, matching.Prompt = "Linee del disegno", "Abbina a ogni tipo di linea il suo uso."
	matching.Choices = []item.Choice{{ID: "L1", Text: "Continua grossa"}, {ID: "L2", Text: "Tratteggiata fine"}, {ID: "L3", Text: "Mista fine <punto-linea>"}}
	matching.Targets = []item.Choice{{ID: "U1", Text: "Spigoli in vista"}, {ID: "U2", Text: "Spigoli nascosti"}, {ID: "U3", Text: "Assi di simmetria"}}
	matching.Correct = []string{"L1 U1", "L2 U2", "L3 U3"}
	matching.Scoring = item.MapResponse
	matching.Map = &item.Map{Entries: []item.MapEntry{{Key: "L1 U1", Points: 1}, {Key: "L2 U2", Points: 1}, {Key: "L3 U3", Points: 1}}, Default: 0}

	inline := base("C1-K-006", item.InlineChoice)
	inline.Title, inline.Prompt = "Diedri", "Completa la frase."
	inline.Before, inline.After = "Il disegno tecnico europeo usa il metodo del", "diedro."
	inline.Choices = []item.Choice{{ID: "P", Text: "primo"}, {ID: "T", Text: "terzo"}}
	inline.Correct = []string{"P"}

	entry := base("C1-K-007", item.TextEntry)
	entry.ADA, entry.Result, entry.Difficulty = "", "", item.Medium
	entry.Title, entry.Prompt = "Filettature", "Completa la frase con una lettera."
	entry.Before, entry.After = "La filettatura metrica ISO\nsi indica con la lettera", "."
	entry.Correct, entry.ExpectedLength = []string{"M"}, 3
	entry.Scoring = item.MapResponse
	entry.Map = &item.Map{Entries: []item.MapEntry{{Key: "M", Points: 1}, {Key: "=M", Points: 0.5}}, CaseSensitive: true}

	return []item.Item{single, multiple, truefalse, ordering, matching, inline, entry}
}

// goldenTests is a test of two sections, the first drawing 3 of 5 items
// in a random order.
func goldenTests() []qti.Test {
	return []qti.Test{{ID: "MECC-1-ONLINE", Title: "Prova online – Meccatronica", TimeLimit: 1800, Sections: []qti.Section{
		{ID: "S1", Title: "Conoscenze", Select: 3, Shuffle: true, Competence: "C1", Dimension: item.Knowledge,
			Items: []string{"C1-K-001", "C1-K-002", "C1-K-003", "C1-K-006", "C1-K-007"}},
		{ID: "S2", Title: "Abilità", Dimension: item.Skill, Items: []string{"C1-S-004", "C1-S-005"}},
	}}}
}

func meccatronica(t *testing.T) *competence.Standard {
	t.Helper()
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	st, ok := f.Standard("meccatronica")
	if !ok {
		t.Fatal("no meccatronica in the bundled standards")
	}
	return st
}

// golden compares got with the file name of testdata/golden, or writes it
// with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// unzip returns the files of a zip, in order, and its listing: name,
// method, size and CRC-32 of each (what does not depend on the deflate
// implementation).
func unzip(t *testing.T, data []byte) ([]string, map[string][]byte, string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string][]byte{}
	var listing strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
		files[f.Name] = b
		fmt.Fprintf(&listing, "%-28s method=%d size=%d crc32=%08x modified=%s mode=%v\n", f.Name, f.Method, len(b), crc32.ChecksumIEEE(b),
			f.Modified.UTC().Format(time.RFC3339), f.Mode())
	}
	return names, files, listing.String()
}

// TestGolden: the export of an item of each kind and a test is the golden
// files, file by file, in a fixed order; importing it gives back the items
// and the test; exporting those again gives the same bytes.
func TestGolden(t *testing.T) {
	items, tests := goldenItems(), goldenTests()
	st := meccatronica(t)
	for i := range items {
		var fe attesta.FieldErrors
		items[i].Validate(st, &fe)
		if len(fe) > 0 {
			t.Errorf("golden item %s is not valid: %v", items[i].ID, fe)
		}
	}
	data, err := qti.Export(items, tests)
	if err != nil {
		t.Fatal(err)
	}
	names, files, listing := unzip(t, data)
	golden(t, "package.txt", []byte(listing))
	for _, n := range names {
		golden(t, "package/"+n, files[n])
	}
	pkg, err := qti.Import(data)
	if err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	if !reflect.DeepEqual(pkg.Items, items) {
		t.Errorf("items read back differ:\n got %+v\nwant %+v", pkg.Items, items)
	}
	if !reflect.DeepEqual(pkg.Tests, tests) {
		t.Errorf("tests read back differ:\n got %+v\nwant %+v", pkg.Tests, tests)
	}
	again, err := qti.Export(pkg.Items, pkg.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Error("export → import → export is not byte-identical")
	}
}

// TestExportRefuses: what Export cannot write so that Import reads it back
// is refused, with the reason's key.
func TestExportRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items func([]item.Item) []item.Item
		tests func([]qti.Test) []qti.Test
		key   string
	}{
		{name: "an identifier QTI would not take", items: func(its []item.Item) []item.Item { its[0].ID = "1 bad"; return its }, key: "err.qti.export.id"},
		{name: "an identifier twice", items: func(its []item.Item) []item.Item { its[1].ID = its[0].ID; return its }, key: "err.qti.export.twice"},
		{name: "a kind QTI is not given", items: func(its []item.Item) []item.Item { its[0].Kind = "essay"; return its }, key: "err.qti.export.kind"},
		{name: "another scoring", items: func(its []item.Item) []item.Item { its[0].Scoring = "map_response_point"; return its }, key: "err.qti.export.scoring"},
		{name: "no status", items: func(its []item.Item) []item.Item { its[0].Status = ""; return its }, key: "err.qti.export.version"},
		{name: "a test of an item not exported", items: func(its []item.Item) []item.Item { return its[1:] }, key: "err.qti.export.ref"},
		{name: "an item twice in a test", tests: func(ts []qti.Test) []qti.Test {
			ts[0].Sections[1].Items = append(ts[0].Sections[1].Items, "C1-K-001")
			return ts
		}, key: "err.qti.export.ref.twice"},
		{name: "drawing more than there is", tests: func(ts []qti.Test) []qti.Test { ts[0].Sections[0].Select = 6; return ts }, key: "err.qti.export.select"},
		{name: "a section identifier twice", tests: func(ts []qti.Test) []qti.Test { ts[0].Sections[1].ID = "S1"; return ts }, key: "err.qti.export.section"},
		{name: "a test twice", tests: func(ts []qti.Test) []qti.Test { return append(ts, ts[0]) }, key: "err.qti.export.test.twice"},
		{name: "a test identifier", tests: func(ts []qti.Test) []qti.Test { ts[0].ID = ""; return ts }, key: "err.qti.export.test"},
		{name: "a negative time", tests: func(ts []qti.Test) []qti.Test { ts[0].TimeLimit = -1; return ts }, key: "err.qti.export.time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, tests := goldenItems(), goldenTests()
			if tc.items != nil {
				items = tc.items(items)
			}
			if tc.tests != nil {
				tests = tc.tests(tests)
			}
			_, err := qti.Export(items, tests)
			if attesta.ErrorKey(err) != tc.key || attesta.ErrorCode(err) != attesta.Invalid {
				t.Errorf("error %v, want %s", err, tc.key)
			}
		})
	}
}
