package competence

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/attesta/attesta"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestBundledIsCanonical(t *testing.T) {
	f, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), BundledBytes()) {
		t.Fatal("bundled/standards.yaml is not in canonical form: re-encode it with `attesta standards check --canonical`")
	}
}

func TestBundledContent(t *testing.T) {
	f, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	bySector := map[string]*Standard{}
	for i := range f.Standards {
		bySector[f.Standards[i].Sector] = &f.Standards[i]
	}
	wantPaths := map[string]int{
		"meccatronica": 4, "turismo": 3, "tessile-abbigliamento-moda": 2, "agroalimentare": 2,
		"competenze-imprenditive": 0, "cittadinanza-sviluppo-sostenibile": 0,
	}
	for sector, n := range wantPaths {
		s, ok := bySector[sector]
		if !ok {
			t.Errorf("sector %s missing", sector)
			continue
		}
		if len(s.Paths) != n {
			t.Errorf("%s: %d paths, want %d", sector, len(s.Paths), n)
		}
		if s.Description.IT == "" {
			t.Errorf("%s: no description", sector)
		}
		wantStatus := Draft
		if sector == "meccatronica" {
			wantStatus = Published
		}
		if s.Status != wantStatus {
			t.Errorf("%s: status %s, want %s", sector, s.Status, wantStatus)
		}
	}
	m := bySector["meccatronica"]
	if len(m.Competences) != 15 {
		t.Fatalf("meccatronica has %d competences, want 15", len(m.Competences))
	}
	for i, c := range m.Competences {
		if want := "C" + strconv.Itoa(i+1); c.Code != want {
			t.Errorf("competence %d is %s, want %s", i, c.Code, want)
		}
	}
	if ps := ReadyToPublish(m); len(ps) > 0 {
		t.Errorf("meccatronica is published but not complete: %v", ps)
	}
	// Applicability per area, as the seed's table gives it.
	applicability := map[string]map[string][]SchoolType{
		"manutenzione-assistenza":  {"C2": {Professionale}, "C4": {Professionale}},
		"gestione-produzione-dati": {"C4": {Tecnica, Professionale}, "C8": {Tecnica}},
		"progettazione":            {"C1": {Tecnica, Professionale}, "C7": {Tecnica}},
	}
	for _, p := range m.Paths {
		for _, pc := range p.Competences {
			if want, ok := applicability[p.ID][pc.Code]; ok && !reflect.DeepEqual(pc.SchoolTypes, want) {
				t.Errorf("%s %s: school types %v, want %v", p.ID, pc.Code, pc.SchoolTypes, want)
			}
		}
	}
	c1, _ := m.Competence("C1")
	if len(c1.ADA) != 2 || c1.ADA[0].Code != "ADA.10.02.02" || c1.ADA[0].FormerCode != "ADA.7.47.148" {
		t.Errorf("C1 ADA: %+v", c1.ADA)
	}
	evidences := 0
	for _, a := range c1.ADA {
		for _, r := range a.Results {
			for _, act := range r.Activities {
				evidences += len(act.Evidences)
			}
		}
	}
	if evidences != 7 {
		t.Errorf("C1 has %d observable evidences, want the seed's 7", evidences)
	}
	c7, _ := m.Competence("C7")
	if len(c7.ADA) != 2 || c7.ADA[1].Code != "ADA.10.02.01" || len(c7.ADA[1].Results[0].Activities) != 2 {
		t.Errorf("C7 ADA: %+v", c7.ADA)
	}
	if got := m.SchoolTypesOf("C7"); !reflect.DeepEqual(got, []SchoolType{Tecnica}) {
		t.Errorf("C7 school types %v", got)
	}
}

func TestDecodeReportsEveryProblem(t *testing.T) {
	in, err := os.Open("testdata/malformed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	_, err = Decode(in, "malformed.yaml")
	// Each problem as the command line prints it, then its key and what
	// an Italian reader is told.
	var got strings.Builder
	for _, p := range problemsOf(t, err) {
		fmt.Fprintf(&got, "%s\n  %s\n  it: %s: %s\n", p, p.Key, p.Where("it"), p.IT)
	}
	golden(t, "testdata/malformed.golden", got.String())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("got:\n%s\nwant (%s):\n%s", got, path, want)
	}
}

// problemsOf returns the problems of the error of Decode: an invalid file.
func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	var ps Problems
	if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.competence.file.invalid" || !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("got %v, want the problems of an invalid file", err)
	}
	return ps
}

// findProblem returns the problem with key, failing the test if there is
// none.
func findProblem(t *testing.T, ps Problems, key string) Problem {
	t.Helper()
	for _, p := range ps {
		if p.Key == key {
			return p
		}
	}
	t.Fatalf("no problem %s in %v", key, ps)
	return Problem{}
}

func TestDecodeStructuralProblems(t *testing.T) {
	const head = "format: attesta.standards/v1\nstandards:\n"
	for _, tc := range []struct {
		name, in string
		want     Problem // its key, line, column and path
		en       string  // what the command line says of it
	}{
		{"syntax", "format: [", Problem{Line: 1, Column: 1, Message: attesta.M("err.competence.yaml.syntax")},
			"x.yaml:1:1: not valid YAML: did not find expected node content"},
		{"empty", "", Problem{Message: attesta.M("err.competence.file.empty")},
			"x.yaml: the file is empty: expected a mapping with format and standards"},
		{"format", "format: other\nstandards: []\n", Problem{Line: 1, Column: 9, Path: "format", Message: attesta.M("err.competence.format.unknown")},
			`x.yaml:1:9: format: unknown format "other", expected "attesta.standards/v1"`},
		{"missing", "format: attesta.standards/v1\n", Problem{Line: 1, Column: 1, Path: "standards", Message: attesta.M("err.competence.field.missing")},
			`x.yaml:1:1: standards: required field "standards" is missing`},
		{"unknown", "format: attesta.standards/v1\nstandards: []\nextra: 1\n", Problem{Line: 3, Column: 1, Path: "extra", Message: attesta.M("err.competence.field.unknown")},
			`x.yaml:3:1: extra: unknown field "extra" (expected one of: format, standards)`},
		{"twice", "format: attesta.standards/v1\nformat: attesta.standards/v1\nstandards: []\n", Problem{Line: 2, Column: 1, Path: "format", Message: attesta.M("err.competence.field.twice")},
			`x.yaml:2:1: format: field "format" is given twice`},
		{"unquoted code", head + "  - {sector: x, version: 1, status: draft, title: {it: X}, microcredential: {isced_f: 714}}\n",
			Problem{Line: 3, Column: 87, Path: "standards[0].microcredential.isced_f", Message: attesta.M("err.competence.yaml.quote")},
			`x.yaml:3:87: standards[0].microcredential.isced_f: expected a string, found a number "714" (quote it)`},
		{"alias", head + "  - &a {sector: x, version: 1, status: draft, title: {it: X}}\n  - *a\n",
			Problem{Line: 4, Column: 5, Path: "standards[1]", Message: attesta.M("err.competence.yaml.mapping")},
			"x.yaml:4:5: standards[1]: expected a mapping, found an alias"},
		{"version", head + "  - {sector: x, version: one, status: draft, title: {it: X}}\n",
			Problem{Line: 3, Column: 26, Path: "standards[0].version", Message: attesta.M("err.competence.yaml.integer")},
			`x.yaml:3:26: standards[0].version: expected a whole number, found "one"`},
		{"draft digest", head + "  - {sector: x, version: 1, status: draft, digest: 'sha256:00', title: {it: X}}\n",
			Problem{Line: 3, Column: 52, Path: "standards[0].digest", Message: attesta.M("err.competence.draft.digest")},
			"x.yaml:3:52: standards[0].digest: a draft has no digest; it is computed when the version is published"},
		{"two drafts", head + "  - {sector: x, version: 1, status: draft, title: {it: X}}\n  - {sector: x, version: 2, status: draft, title: {it: X}}\n",
			Problem{Line: 4, Column: 37, Path: "standards[1].status", Message: attesta.M("err.competence.drafts.two")},
			`x.yaml:4:37: standards[1].status: sector "x" has two drafts (the other at standards[0])`},
		{"nanoseconds", head + "  - {sector: x, version: 1, status: published, published_at: 2025-10-02T00:00:00.000000001Z, title: {it: X}}\n",
			Problem{Line: 3, Column: 62, Path: "standards[0].published_at", Message: attesta.M("err.competence.publishedat.precision")},
			"x.yaml:3:62: standards[0].published_at: the publication time has more precision than microseconds, which the database cannot keep"},
		{"blank title", head + "  - {sector: x, version: 1, status: draft, title: {it: ' '}}\n",
			Problem{Line: 3, Column: 56, Path: "standards[0].title.it", Message: attesta.M("err.competence.text.italian")},
			"x.yaml:3:56: standards[0].title.it: the Italian text is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.in), "x.yaml")
			p := findProblem(t, problemsOf(t, err), tc.want.Key)
			if p.File != "x.yaml" || p.Line != tc.want.Line || p.Column != tc.want.Column || p.Path != tc.want.Path {
				t.Errorf("%s at %s:%d:%d %s, want %d:%d %s", p.Key, p.File, p.Line, p.Column, p.Path, tc.want.Line, tc.want.Column, tc.want.Path)
			}
			if p.String() != tc.en {
				t.Errorf("said %q, want %q", p, tc.en)
			}
		})
	}
}

func TestTamperedPublishedVersionIsRejected(t *testing.T) {
	tampered := bytes.Replace(BundledBytes(), []byte("Saper utilizzare strumenti avanzati"), []byte("Saper usare strumenti avanzati"), 1)
	_, err := Decode(bytes.NewReader(tampered), "tampered.yaml")
	p := findProblem(t, problemsOf(t, err), "err.competence.digest.mismatch")
	if p.Path != "standards[3].digest" || p.Line != 44 || p.Column != 13 {
		t.Errorf("at %d:%d %s", p.Line, p.Column, p.Path)
	}
}

func TestFileTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte("#"), MaxFileSize+1)
	_, err := Decode(bytes.NewReader(big), "big.yaml")
	if p := findProblem(t, problemsOf(t, err), "err.competence.file.large"); p.File != "big.yaml" || p.Line != 0 {
		t.Errorf("%+v", p)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(BundledBytes())
	b, _ := os.ReadFile("testdata/malformed.yaml")
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(bytes.NewReader(data), "fuzz.yaml")
		if err != nil {
			return
		}
		var once bytes.Buffer
		if err := Encode(&once, file); err != nil {
			t.Fatal(err)
		}
		again, err := Decode(bytes.NewReader(once.Bytes()), "again.yaml")
		if err != nil {
			t.Fatalf("re-decoding an encoded file: %v", err)
		}
		var twice bytes.Buffer
		if err := Encode(&twice, again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatal("encode → decode → encode is not stable")
		}
	})
}
