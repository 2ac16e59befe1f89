package rdf

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
)

func TestParseNQuads(t *testing.T) {
	const doc = "# a comment\r\n" +
		"\n" +
		"<http://ex/s> <http://ex/p> <http://ex/o> .\n" +
		"\t_:b0 <http://ex/p> \"plain\" <http://ex/g> . # trailing comment\r" +
		"_:b0<http://ex/p>\"tagged\"@en-GB.\n" +
		"<http://ex/s> <http://ex/p> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> _:g1 .\n" +
		"<http://ex/s> <http://ex/p> \"s\"^^<http://www.w3.org/2001/XMLSchema#string> .\n" +
		"<http://ex/s> <http://ex/p> \"spaced\" ^^ <http://ex/dt> .\n" +
		"<http://ex/s> <http://ex/p> _:a.b.\n" +
		"<http://ex/s> <http://ex/p> \"\\t\\b\\n\\r\\f\\\"\\'\\\\\\u00E9\\U0001F600\" .\n" +
		"<http://ex/\\u00E9> <http://ex/p> <urn:x:\\U0001F600> .\n" +
		"<http://ex/s> <http://ex/p> \"é😀\" ." // no final line break
	got, err := ParseNQuads([]byte(doc), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	s, p, o := NewIRI("http://ex/s"), NewIRI("http://ex/p"), NewIRI("http://ex/o")
	want := []Quad{
		{Subject: s, Predicate: p, Object: o},
		{Subject: NewBlank("b0"), Predicate: p, Object: NewLiteral("plain", ""), Graph: NewIRI("http://ex/g")},
		{Subject: NewBlank("b0"), Predicate: p, Object: NewLangString("tagged", "en-GB")},
		{Subject: s, Predicate: p, Object: NewLiteral("42", XSDInteger), Graph: NewBlank("g1")},
		{Subject: s, Predicate: p, Object: NewLiteral("s", "")},
		{Subject: s, Predicate: p, Object: NewLiteral("spaced", "http://ex/dt")},
		{Subject: s, Predicate: p, Object: NewBlank("a.b")},
		{Subject: s, Predicate: p, Object: NewLiteral("\t\b\n\r\f\"'\\é😀", "")},
		{Subject: NewIRI("http://ex/é"), Predicate: p, Object: NewIRI("urn:x:😀")},
		{Subject: s, Predicate: p, Object: NewLiteral("é😀", "")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%v\nwant\n%v", got, want)
	}
	empty, err := ParseNQuads([]byte("# nothing\n\n   \n"), Limits{})
	if err != nil || len(empty) != 0 {
		t.Fatalf("got %v, %v for a document without statements", empty, err)
	}
}

func TestParseNQuadsErrors(t *testing.T) {
	const spo = "<http://ex/s> <http://ex/p> "
	tests := []struct {
		name      string
		in        string
		line, col int
		msg       string
	}{
		{"missing dot", spo + "<http://ex/o>", 1, 42, "expected graph label or '.', found end of input"},
		{"missing dot after graph", spo + "<http://ex/o> <http://ex/g>\n", 1, 56, "expected '.', found end of line"},
		{"relative IRI", "<s> <http://ex/p> <http://ex/o> .", 1, 1, "IRI is not absolute"},
		{"space in IRI", "<http://ex/a b> <http://ex/p> <http://ex/o> .", 1, 13, "character ' ' is not allowed in an IRI"},
		{"unterminated IRI", "<http://ex/s> <http://ex/p\n", 1, 15, "unterminated IRI"},
		{"ECHAR in IRI", "<http://ex/\\n> <http://ex/p> <http://ex/o> .", 1, 12, "invalid escape in IRI"},
		{"escaped space in IRI", "<http://ex/\\u0020> <http://ex/p> <http://ex/o> .", 1, 12, "escaped character ' ' is not allowed in an IRI"},
		{"surrogate", spo + "\"\\uD800\" .", 1, 30, "not a Unicode scalar value"},
		{"beyond Unicode", spo + "\"\\U00110000\" .", 1, 30, "not a Unicode scalar value"},
		{"UCHAR overflow in IRI", "<http://ex/\\U80000000> <http://ex/p> <http://ex/o> .", 1, 12, "not a Unicode scalar value"},
		{"bad hex", spo + "\"\\u12G4\" .", 1, 30, "invalid hex digit"},
		{"truncated UCHAR", spo + "\"\\u12", 1, 30, "truncated"},
		{"unterminated string", spo + "\"abc\n", 1, 29, "unterminated string literal"},
		{"unknown ECHAR", spo + "\"\\a\" .", 1, 30, `invalid escape \a`},
		{"empty language tag", spo + "\"x\"@ .", 1, 32, "invalid language tag"},
		{"bad language tag", spo + "\"x\"@en- .", 1, 32, "invalid language tag"},
		{"single caret", spo + "\"x\"^<http://ex/dt> .", 1, 32, "expected '^^'"},
		{"datatype not an IRI", spo + "\"x\"^^xsd:int .", 1, 34, "expected datatype IRI after '^^', found 'x'"},
		{"langString datatype", spo + "\"x\"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> .", 1, 34, "rdf:langString literal without a language tag"},
		{"literal subject", "\"x\" <http://ex/p> <http://ex/o> .", 1, 1, "expected subject (IRI or blank node), found '\"'"},
		{"blank predicate", "_:a _:b <http://ex/o> .", 1, 5, "expected predicate IRI, found '_'"},
		{"missing object", "<http://ex/s> <http://ex/p> .", 1, 29, "expected object (IRI, blank node or literal), found '.'"},
		{"object at end of line", "<http://ex/s> <http://ex/p>\n<http://ex/o> .", 1, 28, "expected object (IRI, blank node or literal), found end of line"},
		{"literal graph", spo + "<http://ex/o> \"g\" .", 1, 43, "expected graph label or '.', found '\"'"},
		{"garbage after dot", spo + "<http://ex/o> . <x>", 1, 45, "expected end of line after '.'"},
		{"two statements on a line", spo + "<http://ex/o> .<http://ex/s> <http://ex/p> <http://ex/o> .", 1, 44, "expected end of line after '.'"},
		{"bad blank label", "_:-a <http://ex/p> <http://ex/o> .", 1, 3, "invalid blank node label"},
		{"underscore only", "_a <http://ex/p> <http://ex/o> .", 1, 1, "expected '_:'"},
		{"later line", "# c\r\n\r\n" + spo + "<http://ex/o> .\r\n" + spo + "<http://ex/o>", 4, 42, "expected graph label or '.'"},
		{"lone CR counts as line break", "\r\r" + spo + "<http://ex/o> . x", 3, 45, "expected end of line"},
		{"columns count characters", "<http://ex/é> <http://ex/p> <http://ex/o> . x", 1, 45, "expected end of line"},
		{"invalid UTF-8", spo + "<http://ex/o> .\n" + spo + "\"a\xffb\" .", 2, 31, "invalid UTF-8"},
		{"BOM", "\ufeff" + spo + "<http://ex/o> .", 1, 1, "expected subject (IRI or blank node), found U+FEFF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNQuads([]byte(tt.in), Limits{})
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SyntaxError", err)
			}
			if se.Line != tt.line || se.Column != tt.col || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("got line %d, column %d: %q; want line %d, column %d: %q",
					se.Line, se.Column, se.Msg, tt.line, tt.col, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "nquads: line ") {
				t.Fatalf("error %q lacks the nquads: line prefix", err)
			}
		})
	}
}

func TestParseNQuadsLimits(t *testing.T) {
	doc := []byte("<http://ex/s> <http://ex/p> \"0123456789ABCDEF\" .\n<http://ex/s> <http://ex/p> <http://ex/o> .\n")
	tests := []struct {
		name string
		lim  Limits
		msg  string
	}{
		{"bytes", Limits{MaxBytes: 20}, "input is 93 bytes, more than 20"},
		{"quads", Limits{MaxQuads: 1}, "line 2, column 1: more than 1 statements"},
		{"term", Limits{MaxTermLen: 12}, "line 1, column 29: literal longer than 12 bytes"},
		{"IRI", Limits{MaxTermLen: 8}, "line 1, column 1: IRI longer than 8 bytes"},
	}
	for _, tt := range tests {
		_, err := ParseNQuads(doc, tt.lim)
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: got %v, want ErrLimit with %q", tt.name, err, tt.msg)
		}
	}
	if _, err := ParseNQuads(doc, Limits{MaxBytes: -1, MaxQuads: -1, MaxTermLen: -1}); err != nil {
		t.Errorf("unbounded: %v", err)
	}
	if _, err := ParseNQuads(doc, Limits{MaxBytes: 93, MaxQuads: 2, MaxTermLen: 16}); err != nil {
		t.Errorf("limits just met: %v", err)
	}
}

func TestAppendTerm(t *testing.T) {
	tests := []struct {
		t    Term
		want string
	}{
		{NewIRI("http://ex/é"), "<http://ex/é>"},
		{NewIRI("http://ex/a b>c"), `<http://ex/a\u0020b\u003Ec>`},
		{NewBlank("b0"), "_:b0"},
		{NewLiteral("plain", ""), `"plain"`},
		{NewLiteral("plain", XSDString), `"plain"`},
		{NewLiteral("1", XSDInteger), `"1"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{NewLangString("chat", "fr"), `"chat"@fr`},
		{NewLiteral("\x00\x01\b\t\n\v\f\r\x1f\"\\'\x7f\u0080é😀", ""), `"\u0000\u0001\b\t\n\u000B\f\r\u001F\"\\'\u007F` + "\u0080é😀\""},
		{Term{}, ""},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("%#v: got %s, want %s", tt.t, got, tt.want)
		}
	}
	q := Quad{Subject: NewBlank("s"), Predicate: NewIRI("http://ex/p"), Object: NewLiteral("o", ""), Graph: NewIRI("http://ex/g")}
	if got, want := q.String(), `_:s <http://ex/p> "o" <http://ex/g> .`; got != want {
		t.Errorf("Quad.String: got %s, want %s", got, want)
	}
	if got, want := string(AppendQuad([]byte("x"), q)), "x"+q.String()+"\n"; got != want {
		t.Errorf("AppendQuad: got %q, want %q", got, want)
	}
}

// TestRoundTrip parses every input of the test suite, writes it and parses
// the result again.
func TestRoundTrip(t *testing.T) {
	for _, f := range conformance.Glob(t, suiteDir+"/rdfc10/*.nq") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, data)
		// The expected outputs are canonical N-Quads: writing them back
		// must give the same bytes.
		if strings.HasSuffix(f, "-rdfc10.nq") {
			quads, _ := ParseNQuads(data, Limits{})
			if got := SerializeNQuads(quads); !bytes.Equal(got, data) {
				t.Errorf("%s: not reproduced byte for byte:\n%s", f, got)
			}
		}
	}
}

// checkRoundTrip checks that parse → serialize → parse is stable; data must
// parse.
func checkRoundTrip(t *testing.T, data []byte) {
	t.Helper()
	quads, err := ParseNQuads(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range quads {
		if err := q.Validate(); err != nil {
			t.Fatalf("parsed quad %d (%v) is invalid: %v", i, q, err)
		}
	}
	out := SerializeNQuads(quads)
	again, err := ParseNQuads(out, Limits{})
	if err != nil {
		t.Fatalf("reparsing %q: %v", out, err)
	}
	if !reflect.DeepEqual(quads, again) && !(len(quads) == 0 && len(again) == 0) {
		t.Fatalf("round trip changed the quads:\n%v\n%v", quads, again)
	}
	if out2 := SerializeNQuads(again); !bytes.Equal(out, out2) {
		t.Fatalf("serialization not stable:\n%s\n%s", out, out2)
	}
}

func TestValidate(t *testing.T) {
	p := NewIRI("http://ex/p")
	valid := []Quad{
		{Subject: NewBlank("a.b-c_1"), Predicate: p, Object: NewLangString("x", "en-US-1")},
		{Subject: p, Predicate: p, Object: NewLiteral("x", "urn:dt"), Graph: NewBlank("g")},
		{Subject: p, Predicate: p, Object: Term{Kind: Literal, Value: "x", Language: "en"}},
	}
	for _, q := range valid {
		if err := q.Validate(); err != nil {
			t.Errorf("%v: %v", q, err)
		}
	}
	invalid := []Quad{
		{Subject: NewBlank("a."), Predicate: p, Object: p},
		{Subject: NewBlank("-a"), Predicate: p, Object: p},
		{Subject: NewBlank("a\xff"), Predicate: p, Object: p},
		{Subject: p, Predicate: p, Object: NewIRI("http://ex/\xff")},
		{Subject: p, Predicate: p, Object: Term{Kind: Literal, Value: "x", Language: "en", Datatype: XSDString}},
		{Subject: p, Predicate: p, Object: NewLiteral("x", "not an IRI")},
		{Subject: p, Predicate: p, Object: Term{Kind: 9}},
	}
	for _, q := range invalid {
		if err := q.Validate(); err == nil {
			t.Errorf("%#v: accepted", q)
		}
	}
}

func BenchmarkParseNQuads(b *testing.B) {
	data, _ := referenceDataset(b, false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseNQuads(data, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSerializeNQuads(b *testing.B) {
	data, quads := referenceDataset(b, false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		SerializeNQuads(quads)
	}
}
