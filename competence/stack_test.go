package competence

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta"
)

// bundledMeccatronica returns the published Meccatronica version of the
// bundled standards.
func bundledMeccatronica(t *testing.T) *Standard {
	t.Helper()
	f, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := f.Standard("meccatronica")
	if !ok {
		t.Fatal("no meccatronica v1 in the bundled standards")
	}
	return s
}

// Without a stacking rule, an area is made of every competence of its
// path; with one, of the competences the rule names. What is missing is
// said in the order of the rule.
func TestStackMissing(t *testing.T) {
	s := bundledMeccatronica(t)
	tests := []struct {
		name  string
		stack []string
		held  []string
		want  []string
	}{
		{"every competence held", nil, []string{"C15", "C14", "C12", "C11", "C7", "C1"}, nil},
		{"more than the area", nil, []string{"C1", "C2", "C7", "C11", "C12", "C14", "C15"}, nil},
		{"some missing", nil, []string{"C7", "C12"}, []string{"C1", "C11", "C14", "C15"}},
		{"none held", nil, nil, []string{"C1", "C7", "C11", "C12", "C14", "C15"}},
		{"a rule", []string{"C12", "C1"}, []string{"C1"}, []string{"C12"}},
		{"a rule held", []string{"C12", "C1"}, []string{"C1", "C12"}, nil},
	}
	for _, tt := range tests {
		c := *s
		c.Paths = slices.Clone(s.Paths)
		p, _ := c.Path("progettazione")
		p.Stack = tt.stack
		got, err := c.StackMissing("progettazione", tt.held)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := s.StackMissing("cucina", nil); attesta.ErrorCode(err) != attesta.NotFound || attesta.ErrorKey(err) != "err.competence.path.notfound" {
		t.Errorf("unknown path: %v", err)
	}
	empty := Standard{Sector: "turismo", Version: 1, Paths: []Path{{ID: "cucina"}}}
	if _, err := empty.StackMissing("cucina", nil); attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.competence.stack.empty" {
		t.Errorf("a path without competences: %v", err)
	}
}

// A stacking rule names competences of its path, each once; the problems
// are placed at the rule's entries.
func TestStackValidated(t *testing.T) {
	s := bundledMeccatronica(t)
	c := *s
	c.Digest = "" // the content changes
	c.Paths = slices.Clone(s.Paths)
	c.Paths[0].Stack = []string{"C1", "C2", "C7", "C1"}
	var got []string
	for _, p := range Validate(&c, "") {
		got = append(got, p.Path+" "+p.Key)
	}
	want := []string{"paths[0].stack[1] err.competence.stack.notinpath", "paths[0].stack[3] err.competence.stack.twice"}
	if !slices.Equal(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
	c.Paths[0].Stack = []string{"C12", "C1"}
	if ps := Validate(&c, ""); len(ps) > 0 {
		t.Errorf("a valid rule: %v", ps)
	}
}

// A rule is read and written by the standards file, in flow style after
// the path's competences; a version without rules keeps its digest, as the
// field is left out of the content when empty.
func TestStackInTheFile(t *testing.T) {
	f, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	s, _ := f.Standard("meccatronica")
	if got := ComputeDigest(s); got != s.Digest {
		t.Fatalf("the bundled digest %s changed to %s", s.Digest, got)
	}
	s.Paths[0].Stack = []string{"C12", "C1"}
	if ComputeDigest(s) == s.Digest {
		t.Fatal("a stacking rule is not in the digest")
	}
	s.Digest = ComputeDigest(s)
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\n        stack: [C12, C1]\n") {
		t.Fatalf("no stack in the encoded file:\n%s", buf.String())
	}
	back, err := Decode(bytes.NewReader(buf.Bytes()), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := Encode(&again, back); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("export → import → export differs: %v", err)
	}
	_, err = Decode(strings.NewReader(strings.Replace(buf.String(), "stack: [", "stack: [C99, ", 1)), "x.yaml")
	var ps Problems
	if !errors.As(err, &ps) || !slices.ContainsFunc(ps, func(p Problem) bool { return p.Key == "err.competence.stack.notinpath" && p.Line > 0 }) {
		t.Errorf("a rule naming a competence outside the path: %v", err)
	}
}
