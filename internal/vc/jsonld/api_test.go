package jsonld

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/attesta/attesta/internal/vc/rdf"
)

func pin(data string) Pinned {
	sum := sha256.Sum256([]byte(data))
	return Pinned{Data: []byte(data), SHA256: hex.EncodeToString(sum[:])}
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return fmt.Sprintf("not an *Error: %v", err)
}

func TestNewDocuments(t *testing.T) {
	good := pin(`{"@context": {"@vocab": "http://ex.org/"}}`)
	if _, err := NewDocuments(map[string]Pinned{"https://ex.org/c": good}); err != nil {
		t.Fatal(err)
	}
	for name, docs := range map[string]map[string]Pinned{
		"hash mismatch": {"https://ex.org/c": {Data: good.Data, SHA256: strings.Repeat("0", 64)}},
		"bad hex":       {"https://ex.org/c": {Data: good.Data, SHA256: "xyz"}},
		"not JSON":      {"https://ex.org/c": pin(`{"@context": `)},
		"not an object": {"https://ex.org/c": pin(`[1]`)},
		"duplicate key": {"https://ex.org/c": pin(`{"@context": {}, "@context": {}}`)},
		"relative URL":  {"c.jsonld": good},
	} {
		_, err := NewDocuments(docs)
		if code(err) != CodeInvalidDocument {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestUnknownContextNamed(t *testing.T) {
	p := NewProcessor(nil, Limits{})
	_, err := p.ToRDF(context.Background(), []byte(`{"@context": "https://ex.org/missing", "@id": "urn:x"}`))
	if code(err) != CodeLoadingContextFailed || !strings.Contains(err.Error(), "https://ex.org/missing") {
		t.Fatalf("error %v", err)
	}
}

func TestLimits(t *testing.T) {
	docs, err := NewDocuments(map[string]Pinned{
		"https://ex.org/a":    pin(`{"@context": "https://ex.org/b"}`),
		"https://ex.org/b":    pin(`{"@context": "https://ex.org/c"}`),
		"https://ex.org/c":    pin(`{"@context": {"@vocab": "http://ex.org/"}}`),
		"https://ex.org/loop": pin(`{"@context": ["https://ex.org/loop"]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	doc := func(c string, body string) []byte {
		return []byte(`{"@context": ` + c + `, "@id": "http://ex.org/s"` + body + `}`)
	}
	p := NewProcessor(docs, Limits{})
	if _, err := p.ToRDF(ctx, doc(`"https://ex.org/a"`, `, "p": 1`)); err != nil {
		t.Fatalf("three nested contexts: %v", err)
	}
	if _, err := p.ToRDF(ctx, doc(`"https://ex.org/loop"`, `, "p": 1`)); code(err) != CodeContextOverflow {
		t.Errorf("context cycle: %v", err)
	}
	if _, err := NewProcessor(docs, Limits{MaxContextDepth: 2}).ToRDF(ctx, doc(`"https://ex.org/a"`, `, "p": 1`)); code(err) != CodeContextOverflow {
		t.Errorf("context depth: %v", err)
	}
	small := NewProcessor(docs, Limits{MaxInputBytes: 150, MaxNodes: 20, MaxQuads: 5})
	if _, err := small.ToRDF(ctx, doc(`"https://ex.org/c"`, `, "p": "`+strings.Repeat("x", 150)+`"`)); code(err) != CodeLimit || !strings.Contains(err.Error(), "bytes") {
		t.Errorf("input size: %v", err)
	}
	if _, err := NewProcessor(docs, Limits{MaxDepth: 3}).ToRDF(ctx, doc(`"https://ex.org/c"`, `, "p": {"q": {"r": {"s": 1}}}`)); code(err) != CodeLimit || !strings.Contains(err.Error(), "deeper") {
		t.Errorf("depth: %v", err)
	}
	if _, err := small.ToRDF(ctx, doc(`"https://ex.org/c"`, `, "p": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]`)); code(err) != CodeLimit || !strings.Contains(err.Error(), "JSON values") {
		t.Errorf("nodes: %v", err)
	}
	if _, err := small.ToRDF(ctx, doc(`"https://ex.org/c"`, `, "p": [1,2,3,4,5,6]`)); code(err) != CodeLimit || !strings.Contains(err.Error(), "quads") {
		t.Errorf("quads: %v", err)
	}
	if q, err := small.ToRDF(ctx, doc(`"https://ex.org/c"`, `, "p": [1,2,3,4,5]`)); err != nil || len(q) != 5 {
		t.Errorf("five quads: %v", err)
	}
	deep := strings.Repeat(`{"p": `, 70) + "1" + strings.Repeat("}", 70)
	if _, err := p.ToRDF(ctx, []byte(deep)); code(err) != CodeLimit {
		t.Errorf("default depth: %v", err)
	}
	if _, err := p.ToRDFValue(ctx, nest(70)); code(err) != CodeLimit {
		t.Errorf("default depth, decoded: %v", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.ToRDF(canceled, doc(`"https://ex.org/c"`, `, "p": 1`)); code(err) != CodeCanceled {
		t.Errorf("canceled: %v", err)
	}
}

func nest(n int) any {
	var v any = 1.0
	for range n {
		v = map[string]any{"p": v}
	}
	return v
}

func TestStrictJSON(t *testing.T) {
	p := NewProcessor(nil, Limits{})
	for _, in := range []string{
		`{"@id": "urn:x", "@id": "urn:y"}`,
		`{"http://ex.org/p": "\ud800"}`,
		`{"http://ex.org/p": "\udc00x"}`,
		"{\"http://ex.org/p\": \"\xff\"}",
		"{\"http://ex.org/p\": \"a\tb\"}",
		`{"http://ex.org/p": 01}`,
		`{"http://ex.org/p": .5}`,
		`{"http://ex.org/p": 1} x`,
		"\xef\xbb\xbf{}",
		`{"http://ex.org/p": NaN}`,
		`[1,]`,
		``,
	} {
		if _, err := p.ToRDF(context.Background(), []byte(in)); code(err) != CodeInvalidJSON {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := p.ToRDFValue(context.Background(), map[string]any{"@id": "urn:x", "http://ex.org/p": complex(1, 2)}); code(err) != CodeInvalidJSON {
		t.Errorf("complex: %v", err)
	}
	if _, err := p.ToRDFValue(context.Background(), map[string]any{"@id": "urn:x", "http://ex.org/p": json.Number("1x")}); code(err) != CodeInvalidNumber {
		t.Errorf("json.Number: %v", err)
	}
}

func TestExpand(t *testing.T) {
	p := newTestProcessor(t)
	got, err := p.Expand(context.Background(), []byte(`{"@context": {"@vocab": "http://ex.org/", "l": {"@container": "@list"}},
		"@id": "http://ex.org/s", "@type": "T", "name": {"@value": "n", "@language": "EN"}, "l": [1, 2.5], "k": {"p": true}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{
		"@id":                "http://ex.org/s",
		"@type":              []any{"http://ex.org/T"},
		"http://ex.org/name": []any{map[string]any{"@value": "n", "@language": "en"}},
		"http://ex.org/l":    []any{map[string]any{"@list": []any{map[string]any{"@value": 1.0}, map[string]any{"@value": 2.5}}}},
		"http://ex.org/k":    []any{map[string]any{"http://ex.org/p": []any{map[string]any{"@value": true}}}},
	}}
	if !reflect.DeepEqual(got, want) {
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Errorf("Expand:\n got %s\nwant %s", a, b)
	}
	v, err := p.ExpandValue(context.Background(), map[string]any{"@context": map[string]any{"@vocab": "http://ex.org/"}, "@id": "http://ex.org/s", "p": json.Number("3")})
	if err != nil || !reflect.DeepEqual(v, []any{map[string]any{"@id": "http://ex.org/s", "http://ex.org/p": []any{map[string]any{"@value": 3.0}}}}) {
		t.Errorf("ExpandValue: %v %v", v, err)
	}
}

// TestConcurrent converts the reference credential and others from many
// goroutines at once (run with -race), with a cache small enough to fill.
func TestConcurrent(t *testing.T) {
	docs, err := NewDocuments(pinnedContexts(t))
	if err != nil {
		t.Fatal(err)
	}
	ref := readConformance(t, "reference/ob3-reference-credential.json")
	want, _ := rdf.CanonicalNQuads(quadsOf(t, newTestProcessor(t), string(ref)), rdf.Options{})
	for _, lim := range []Limits{{}, {MaxCachedContexts: 3}} {
		p := NewProcessor(docs, lim)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 20 {
					inline := fmt.Sprintf(`{"@context": [{"@vocab": "http://ex.org/%d/"}], "@id": "http://ex.org/s", "p": %d}`, (i+j)%3, j)
					q, err := p.ToRDF(context.Background(), []byte(inline))
					if err != nil {
						errs <- err
						return
					}
					if len(q) != 1 || q[0].Predicate.Value != fmt.Sprintf("http://ex.org/%d/p", (i+j)%3) {
						errs <- fmt.Errorf("inline context: %v", q)
						return
					}
					q, err = p.ToRDF(context.Background(), ref)
					if err != nil {
						errs <- err
						return
					}
					got, _ := rdf.CanonicalNQuads(q, rdf.Options{})
					if string(got) != string(want) {
						errs <- errors.New("reference credential differs")
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Code: CodeInvalidProperty, Path: "/a~1b/0", Message: "m", Err: errors.New("cause")}
	if e.Error() != "jsonld: invalid property at /a~1b/0: m: cause" {
		t.Errorf("%q", e.Error())
	}
	if !errors.Is(e, e.Err) {
		t.Error("Unwrap")
	}
	p := NewProcessor(nil, Limits{})
	_, err := p.ToRDF(context.Background(), []byte(`{"@context": {"@vocab": "http://ex.org/"}, "@id": "urn:x", "a/b~c": [{"q": {"@value": null}}]}`))
	var je *Error
	if !errors.As(err, &je) || je.Path != "/a~1b~0c/0/q" || je.Code != CodeNullValue {
		t.Errorf("%v", err)
	}
}

func TestAppendRDF(t *testing.T) {
	p := NewProcessor(nil, Limits{MaxQuads: 2})
	doc := []byte(`{"@context": {"@vocab": "http://ex.org/"}, "@id": "http://ex.org/s", "p": [1, 2]}`)
	q, err := p.AppendRDF(context.Background(), nil, doc)
	if err != nil || len(q) != 2 {
		t.Fatalf("%v %v", q, err)
	}
	q2, err := p.AppendRDF(context.Background(), q, doc)
	if err != nil || len(q2) != 4 || q2[0] != q[0] {
		t.Fatalf("append: %v %v", q2, err)
	}
	q3, err := p.AppendRDF(context.Background(), q2[:1], []byte(`{"@id": 1}`))
	if code(err) != CodeInvalidIDValue || len(q3) != 1 {
		t.Fatalf("error: %v %v", q3, err)
	}
}
