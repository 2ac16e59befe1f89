package jsonld

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/vc/rdf"
)

// Regression tests for the ways piprate/json-gold goes wrong
// (shared/notes/credential-engine.md), and for jsonld.js's lexical forms.

const v2 = `"https://www.w3.org/ns/credentials/v2"`
const ob303 = `"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"`

func credential(ctx, subject string) string {
	return `{"@context": [` + ctx + `], "id": "urn:uuid:1", "type": ["VerifiableCredential"],
		"issuer": "did:example:issuer", "validFrom": "2026-06-30T12:00:00Z",
		"credentialSubject": ` + subject + `}`
}

func wantError(t *testing.T, p *Processor, doc, code, path string) *Error {
	t.Helper()
	_, err := p.ToRDF(context.Background(), []byte(doc))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v; want an *Error with code %q", err, code)
	}
	if e.Code != code || e.Path != path {
		t.Fatalf("error %v (code %q, path %q); want code %q at %q", err, e.Code, e.Path, code, path)
	}
	return e
}

func quadsOf(t *testing.T, p *Processor, doc string) []rdf.Quad {
	t.Helper()
	q, err := p.ToRDF(context.Background(), []byte(doc))
	if err != nil {
		t.Fatalf("ToRDF: %v", err)
	}
	return q
}

// objectOf returns the object of the only quad with predicate pred.
func objectOf(t *testing.T, quads []rdf.Quad, pred string) rdf.Term {
	t.Helper()
	var found []rdf.Term
	for _, q := range quads {
		if q.Predicate.Value == pred {
			found = append(found, q.Object)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d quads with predicate %s, want 1", len(found), pred)
	}
	return found[0]
}

func TestUndefinedTermRejected(t *testing.T) {
	p := newTestProcessor(t)
	e := wantError(t, p, credential(v2, `{"id": "did:example:2", "undefinedThing": 1}`),
		CodeInvalidProperty, "/credentialSubject/undefinedThing")
	if !strings.Contains(e.Error(), "undefinedThing") {
		t.Errorf("message does not name the property: %v", e)
	}
	// With a vocabulary for undefined terms it is accepted.
	q := quadsOf(t, p, credential(v2+`, "https://www.w3.org/ns/credentials/undefined-terms/v2"`,
		`{"id": "did:example:2", "undefinedThing": 1}`))
	objectOf(t, q, "https://www.w3.org/ns/credentials/undefined-term#undefinedThing")
}

func TestKeywordLikeKeyRejected(t *testing.T) {
	p := newTestProcessor(t)
	wantError(t, p, credential(v2, `{"id": "did:example:2", "@foo": 1}`), CodeInvalidProperty, "/credentialSubject/@foo")
	wantError(t, p, credential(v2, `{"id": "did:example:2", "@explicit": true}`), CodeInvalidProperty, "/credentialSubject/@explicit")
}

func TestIdentifierChecks(t *testing.T) {
	p := newTestProcessor(t)
	wantError(t, p, credential(v2, `{"id": "did:example:a b"}`), CodeInvalidIRI, "/credentialSubject/id")
	wantError(t, p, credential(v2, `{"id": "subject-1"}`), CodeRelativeID, "/credentialSubject/id")
	wantError(t, p, credential(v2, `{"id": "#me"}`), CodeRelativeID, "/credentialSubject/id")
	wantError(t, p, credential(v2, `{"id": "http://ex.org/{x}"}`), CodeInvalidIRI, "/credentialSubject/id")
	wantError(t, p, credential(v2, `{"id": 5}`), CodeInvalidIDValue, "/credentialSubject/id")
	wantError(t, p, strings.Replace(credential(v2, `{}`), `"did:example:issuer"`, `"issuer 1"`, 1),
		CodeRelativeObject, "/issuer")
	wantError(t, p, credential(v2, `{"id": "did:example:2", "type": "Person"}`), CodeRelativeType, "/credentialSubject/type")
}

func TestDirectionIsI18nDatatype(t *testing.T) {
	p := newTestProcessor(t)
	q := quadsOf(t, p, `{"@context": [`+v2+`], "type": ["VerifiableCredential"], "issuer": "did:example:1",
		"name": {"@value": "شهادة", "@language": "ar-EG", "@direction": "rtl"},
		"description": {"@value": "x", "@direction": "ltr"},
		"credentialSubject": {"id": "did:example:2"}}`)
	if o := objectOf(t, q, "https://schema.org/name"); o.Datatype != "https://www.w3.org/ns/i18n#ar-eg_rtl" || o.Language != "" || o.Value != "شهادة" {
		t.Errorf("name: %+v", o)
	}
	if o := objectOf(t, q, "https://schema.org/description"); o.Datatype != "https://www.w3.org/ns/i18n#_ltr" {
		t.Errorf("description: %+v", o)
	}
}

func TestControlCharactersSurvive(t *testing.T) {
	p := newTestProcessor(t)
	q := quadsOf(t, p, `{"@context": {"@vocab": "http://ex.org/"}, "@id": "http://ex.org/s",
		"v": "a\u0000b\u0007\u001f\u007f\b\f\n\r\t\"\\c"}`)
	if o := objectOf(t, q, "http://ex.org/v"); o.Value != "a\x00b\x07\x1f\x7f\b\f\n\r\t\"\\c" {
		t.Errorf("literal %q", o.Value)
	}
}

func TestOB1EdTechSchemaTypeRejected(t *testing.T) {
	p := newTestProcessor(t)
	doc := `{"@context": [` + v2 + `, ` + ob303 + `], "id": "urn:uuid:1",
		"type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": "did:example:1", "type": "Profile"},
		"validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"type": "AchievementSubject"},
		"credentialSchema": [{"id": "https://ex.org/s.json", "type": "1EdTechJsonSchemaValidator2019"}]}`
	wantError(t, p, doc, CodeRelativeType, "/credentialSchema/0/type")
	q := quadsOf(t, p, strings.Replace(doc, "1EdTechJsonSchemaValidator2019", "JsonSchema", 1))
	if o := objectOf(t, q, "https://www.w3.org/2018/credentials#credentialSchema"); o.Value != "https://ex.org/s.json" {
		t.Errorf("credentialSchema: %+v", o)
	}
}

// TestNumbers checks the lexical forms jsonld.js writes for JSON numbers.
func TestNumbers(t *testing.T) {
	p := newTestProcessor(t)
	const xsd = "http://www.w3.org/2001/XMLSchema#"
	tests := []struct {
		json, value, datatype string
	}{
		{"5", "5", xsd + "integer"},
		{"2.0", "2", xsd + "integer"},
		{"-0", "0", xsd + "integer"},
		{"-0.0", "0", xsd + "integer"},
		{"2.5", "2.5E0", xsd + "double"},
		{"-2.5", "-2.5E0", xsd + "double"},
		{"0.1", "1.0E-1", xsd + "double"},
		{"1e21", "1.0E21", xsd + "double"},
		{"-1e21", "-1.0E21", xsd + "double"},
		{"1e20", "100000000000000000000", xsd + "integer"},
		{"1.5e-7", "1.5E-7", xsd + "double"},
		{"1e-6", "1.0E-6", xsd + "double"},
		{"12345678901234567890", "12345678901234567168", xsd + "integer"},
		{"9007199254740993", "9007199254740992", xsd + "integer"},
		{"123456789012345680000", "123456789012345683968", xsd + "integer"},
		{"2251799813685248.5", "2.251799813685249E15", xsd + "double"}, // a tie: rounded up as JavaScript does
		{"0.3333333333333333", "3.333333333333333E-1", xsd + "double"},
		{"1.7976931348623157e308", "1.797693134862316E308", xsd + "double"},
		{"true", "true", xsd + "boolean"},
		{`{"@value": 3, "@type": "http://www.w3.org/2001/XMLSchema#double"}`, "3.0E0", xsd + "double"},
		{`{"@value": "2.50", "@type": "http://www.w3.org/2001/XMLSchema#double"}`, "2.5E0", xsd + "double"},
		{`{"@value": 3.0, "@type": "https://www.w3.org/2001/XMLSchema#float"}`, "3", "https://www.w3.org/2001/XMLSchema#float"},
	}
	for _, tt := range tests {
		q := quadsOf(t, p, `{"@context": {"@vocab": "http://ex.org/"}, "@id": "http://ex.org/s", "n": `+tt.json+`}`)
		if o := objectOf(t, q, "http://ex.org/n"); o.Value != tt.value || o.Datatype != tt.datatype {
			t.Errorf("%s: %q^^%s, want %q^^%s", tt.json, o.Value, o.Datatype, tt.value, tt.datatype)
		}
	}
	// jsonld.js writes these as "0"^^xsd:integer: refused.
	for _, n := range []string{"1e-7", "5e-324", "-3e-10", `{"@value": "abc", "@type": "http://www.w3.org/2001/XMLSchema#double"}`} {
		wantError(t, p, `{"@context": {"@vocab": "http://ex.org/"}, "@id": "http://ex.org/s", "n": `+n+`}`, CodeLossyNumber, "/n")
	}
	// Out of the range of doubles.
	wantError(t, p, `{"@context": {"@vocab": "http://ex.org/"}, "@id": "http://ex.org/s", "n": 1e400}`, CodeInvalidNumber, "@74")
}

func TestDatetimesWithOffsets(t *testing.T) {
	p := newTestProcessor(t)
	doc := strings.Replace(credential(v2, `{"id": "did:example:2"}`), "2026-06-30T12:00:00Z", "2026-06-30T12:00:00.123+05:30", 1)
	o := objectOf(t, quadsOf(t, p, doc), "https://www.w3.org/2018/credentials#validFrom")
	if o.Value != "2026-06-30T12:00:00.123+05:30" || o.Datatype != "http://www.w3.org/2001/XMLSchema#dateTime" {
		t.Errorf("validFrom: %+v", o)
	}
}

func TestLanguageMap(t *testing.T) {
	p := newTestProcessor(t)
	q := quadsOf(t, p, `{"@context": {"@vocab": "http://ex.org/", "name": {"@container": "@language"}},
		"@id": "http://ex.org/s", "name": {"en": "Badge", "de-AT": "Abzeichen", "@none": "plain"}}`)
	got := map[string]string{}
	for _, x := range q {
		got[x.Object.Value] = x.Object.Language
	}
	want := map[string]string{"Badge": "en", "Abzeichen": "de-at", "plain": ""}
	for v, l := range want {
		if got[v] != l {
			t.Errorf("%q: language %q, want %q", v, got[v], l)
		}
	}
	wantError(t, p, `{"@context": {"@vocab": "http://ex.org/", "name": {"@container": "@language"}},
		"@id": "http://ex.org/s", "name": {"en_GB": "x"}}`, CodeInvalidLanguageValue, "/name/en_GB")
}

func TestProtectedTerms(t *testing.T) {
	p := newTestProcessor(t)
	e := wantError(t, p, `{"@context": [`+v2+`, {"name": "http://other.org/name"}], "id": "urn:x", "name": "n"}`,
		CodeProtectedRedefinition, "/@context")
	if !strings.Contains(e.Message, `"name"`) {
		t.Errorf("message does not name the term: %v", e)
	}
	// An identical definition is allowed.
	quadsOf(t, p, `{"@context": [`+v2+`, {"name": {"@id": "https://schema.org/name"}}], "id": "urn:x", "name": "n"}`)
	wantError(t, p, `{"@context": [`+v2+`, null], "@id": "urn:x"}`, CodeInvalidContextNull, "/@context")
	wantError(t, p, `{"@context": {"@version": 1.0}, "@id": "urn:x"}`, CodeInvalidVersion, "/@context")
}
