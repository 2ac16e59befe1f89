package competence

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
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
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %v, want Problems", err)
	}
	var got strings.Builder
	for _, p := range ps {
		got.WriteString(p.String() + "\n")
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

func TestDecodeStructuralProblems(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"syntax", "format: [", "x.yaml:1:1: not valid YAML:"},
		{"empty", "", "the file is empty"},
		{"format", "format: other\nstandards: []\n", `1:9: format: unknown format "other"`},
		{"missing", "format: attesta.standards/v1\n", `standards: required field "standards" is missing`},
		{"unknown", "format: attesta.standards/v1\nstandards: []\nextra: 1\n", `3:1: extra: unknown field "extra"`},
		{"twice", "format: attesta.standards/v1\nformat: attesta.standards/v1\nstandards: []\n", `field "format" is given twice`},
		{"unquoted code", "format: attesta.standards/v1\nstandards:\n  - {sector: x, version: 1, status: draft, title: {it: X}, microcredential: {isced_f: 714}}\n",
			`isced_f: expected a string, found a number "714" (quote it)`},
		{"alias", "format: attesta.standards/v1\nstandards:\n  - &a {sector: x, version: 1, status: draft, title: {it: X}}\n  - *a\n", "expected a mapping, found an alias"},
		{"version", "format: attesta.standards/v1\nstandards:\n  - {sector: x, version: one, status: draft, title: {it: X}}\n", `version: expected a whole number, found "one"`},
		{"draft digest", "format: attesta.standards/v1\nstandards:\n  - {sector: x, version: 1, status: draft, digest: 'sha256:00', title: {it: X}}\n", "a draft has no digest"},
		{"two drafts", "format: attesta.standards/v1\nstandards:\n  - {sector: x, version: 1, status: draft, title: {it: X}}\n  - {sector: x, version: 2, status: draft, title: {it: X}}\n", `sector "x" has two drafts`},
		{"nanoseconds", "format: attesta.standards/v1\nstandards:\n  - {sector: x, version: 1, status: published, published_at: 2025-10-02T00:00:00.000000001Z, title: {it: X}}\n", "more precision than microseconds"},
		{"blank title", "format: attesta.standards/v1\nstandards:\n  - {sector: x, version: 1, status: draft, title: {it: ' '}}\n", "the Italian text is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.in), "x.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestTamperedPublishedVersionIsRejected(t *testing.T) {
	tampered := bytes.Replace(BundledBytes(), []byte("Saper utilizzare strumenti avanzati"), []byte("Saper usare strumenti avanzati"), 1)
	_, err := Decode(bytes.NewReader(tampered), "tampered.yaml")
	if err == nil || !strings.Contains(err.Error(), "digest does not match the content") {
		t.Fatalf("got %v", err)
	}
}

func TestFileTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte("#"), MaxFileSize+1)
	if _, err := Decode(bytes.NewReader(big), "big.yaml"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v", err)
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
