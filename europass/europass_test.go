package europass

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/conformance"
	"github.com/attesta/attesta/internal/vc/jsonld"
	"github.com/attesta/attesta/internal/vc/rdf"
	"github.com/attesta/attesta/issuer"
)

var update = flag.Bool("update", false, "rewrite golden files")

// meccatronica is the bundled published standard of Meccatronica.
func meccatronica(t testing.TB) *competence.Standard {
	t.Helper()
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Standards {
		if f.Standards[i].Sector == "meccatronica" && f.Standards[i].Status == competence.Published {
			return &f.Standards[i]
		}
	}
	t.Fatal("the bundled standards have no published Meccatronica")
	return nil
}

// testAward is a badge of Meccatronica C1 as a commission's issuance
// makes it (commission.Session.request): a result per evidence observed,
// at its level of the standard's scale; the online test against its pass
// mark and by dimension; the dossier by its digest; the decision and its
// minutes.
func testAward(t testing.TB) credential.Award {
	t.Helper()
	std := meccatronica(t)
	var levels []credential.Level
	for _, l := range std.Scale {
		levels = append(levels, credential.Level{Name: l.Label.IT, Description: l.Description.IT})
	}
	a := credential.Award{
		ID: "urn:uuid:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01",
		Issuer: issuer.Issuer{ID: "cciaa-milano", DID: "did:web:attesta.example:issuers:cciaa-milano", Profile: issuer.Profile{
			Name: "Camera di Commercio di Milano Monza Brianza Lodi", URL: "https://www.milomb.camcom.it/", Email: "competenze@milomb.camcom.it",
			Address: issuer.Address{Street: "Via Meravigli 9/b", Locality: "Milano", Region: "Lombardia", PostalCode: "20123",
				Country: "Italia", CountryCode: "IT"},
			Identifiers: []issuer.Identifier{{Type: "codiceFiscale", Value: "80050050154"}},
		}},
		Standard:   std,
		Competence: "C1",
		Learner:    credential.Learner{IdentityType: "systemId", Identity: "urn:attesta:person:p-0042", Salt: "c2FsdC1mb3ItdGVzdHMtb25seQ"},
		Results: []credential.Result{
			{Name: "Osservazione C1/ADA.10.02.02/RA1/A1/E1", Type: "RubricCriterionLevel", Levels: levels, Achieved: 2},
			{Name: "Osservazione C1/ADA.10.02.02/RA1/A1/E2", Type: "RubricCriterionLevel", Levels: levels, Achieved: 1},
			{Name: "Osservazione C1/ADA.10.02.03/RA2/A1/E2", Type: "RubricCriterionLevel", Levels: levels, Achieved: 2},
			{Name: "Test online C1", Type: "Percent", Min: "0", Max: "100", Required: "60", Value: "87.5"},
			{Name: "Test online C1 · conoscenze", Type: "Percent", Min: "0", Max: "100", Value: "100"},
			{Name: "Test online C1 · abilità", Type: "Percent", Min: "0", Max: "100", Value: "75"},
			{Name: "Test online C1 · competenze trasversali", Type: "Percent", Min: "0", Max: "100", Value: "87.5"},
		},
		Evidence: &credential.EvidenceSummary{Name: "Dossier delle evidenze dos-0042", Digest: [32]byte{1, 2, 3},
			Narrative: "Dossier chiuso per la commissione: 212 ore di attività, 3 evidenze osservate, 4 file."},
		Decision: credential.Decision{ID: "urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC),
			Reference: "Verbale n. 12/2026", Commission: "Commissione Meccatronica 2026/27"},
		ValidFrom:   time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC),
		Activity:    credential.Period{Start: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 29, 0, 0, 0, 0, time.UTC)},
		TitleHolder: credential.Party{Name: "Unioncamere", URL: "https://www.unioncamere.gov.it/"},
		BaseURL:     "https://attesta.example",
		Status:      credential.Position{List: 1, Index: 94567},
	}
	return a
}

func build(t testing.TB, a credential.Award) []byte {
	t.Helper()
	data, err := credential.Build(a)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// edit returns the badge data with change applied to its JSON.
func edit(t testing.TB, data []byte, change func(map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	change(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExportGolden(t *testing.T) {
	got, err := Export(Input{Badge: build(t, testAward(t)), Standard: meccatronica(t), VerifyURL: "https://attesta.example/verify?id=0b6f6b0e"})
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/meccatronica-c1.europass.jsonld"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Export output differs from %s (run go test ./europass -run TestExportGolden -update to accept)", golden)
	}
	again, err := Export(Input{Badge: build(t, testAward(t)), Standard: meccatronica(t), VerifyURL: "https://attesta.example/verify?id=0b6f6b0e"})
	if err != nil || !bytes.Equal(got, again) {
		t.Errorf("a second export differs: %v", err)
	}
}

// quads converts an export to RDF with attesta's strict JSON-LD processor,
// offline, over the VC 1.1 context and the EDC application profile's: a
// term no context defines, a relative IRI or a malformed value fails.
func quads(t *testing.T, data []byte) string {
	t.Helper()
	docs := map[string]jsonld.Pinned{ContextEDC: {
		Data:   conformance.Read(t, "elm-v3/edc-ap-context.jsonld"),
		SHA256: "528f8a0e86dbbec7db2216c61806e6311feedac77a51d1a38b0a1d49e4c337fb",
	}}
	for u, c := range conformance.Contexts(t) {
		docs[u] = jsonld.Pinned{Data: c.Data, SHA256: c.SHA256}
	}
	d, err := jsonld.NewDocuments(docs)
	if err != nil {
		t.Fatal(err)
	}
	q, err := jsonld.NewProcessor(d, jsonld.Limits{}).ToRDF(context.Background(), data)
	if err != nil {
		t.Fatalf("the export is not strict JSON-LD: %v", err)
	}
	nq, err := rdf.CanonicalNQuads(q, rdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return string(nq)
}

// TestExportIsLinkedData: every member of the export is a term of its
// contexts, and the statements the EDC profile requires are there, with
// the ELM's properties.
func TestExportIsLinkedData(t *testing.T) {
	data, err := Export(Input{Badge: build(t, testAward(t)), Standard: meccatronica(t)})
	if err != nil {
		t.Fatal(err)
	}
	nq := quads(t, data)
	const (
		elm  = "http://data.europa.eu/snb/model/elm/"
		cred = "https://www.w3.org/2018/credentials#"
		base = "urn:attesta:europass:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01"
	)
	for _, want := range []string{
		"<" + base + "> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <" + elm + "EuropeanDigitalCredential> .",
		"<" + base + "> <" + cred + "issuer> <did:web:attesta.example:issuers:cciaa-milano> .",
		"<" + base + "> <" + cred + "issued> \"2026-06-30T10:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .",
		"<" + base + ":awarding> <" + elm + "awardingBody> <did:web:attesta.example:issuers:cciaa-milano> .",
		"<did:web:attesta.example:issuers:cciaa-milano> <" + elm + "eidasLegalIdentifier> <" + base + ":issuer:legal-identifier> .",
		"<" + base + ":issuer:legal-identifier> <http://www.w3.org/2004/02/skos/core#notation> \"80050050154\" .",
		"<" + base + ":achievement> <" + elm + "provenBy> <" + base + ":assessment> .",
		"<" + base + ":assessment> <" + elm + "hasPart> <" + base + ":assessment:observation> .",
		"<" + base + ":assessment> <" + elm + "hasPart> <" + base + ":assessment:dossier> .",
		"<" + base + ":assessment> <" + elm + "hasPart> <" + base + ":assessment:test> .",
		"<" + base + ":assessment> <" + elm + "assessedBy> <" + base + ":assessment:commission> .",
		"<" + base + ":assessment:test:grade> <" + elm + "noteLiteral> \"87,5% (soglia 60%)\"@it .",
		"<" + base + ":assessment:test:grade> <" + elm + "noteLiteral> \"87.5% (pass mark 60%)\"@en .",
		"<" + base + ":assessment:observation:1:grade> <" + elm + "noteLiteral> \"Avanzato\"@it .",
		"<" + base + ":assessment:dossier:digest> <http://www.w3.org/2004/02/skos/core#notation> \"uEiABAgMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\" .",
		"<https://attesta.example/sectors/meccatronica/competences/C1?version=1> <" + elm + "EQFLevel> <http://data.europa.eu/snb/eqf/4> .",
		"<https://attesta.example/sectors/meccatronica/competences/C1?version=1> <" + elm + "ISCEDFCode> <http://data.europa.eu/snb/isced-f/0714> .",
		"<" + base + ":identifier:badge> <http://www.w3.org/2004/02/skos/core#notation> \"urn:uuid:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01\" .",
	} {
		if !strings.Contains(nq, want+"\n") {
			t.Errorf("the export does not say\n%s", want)
		}
	}
}

// TestExportMapping checks the mapping where the golden file would hide
// it: the parts of the decision and their order, the learner, what the
// standard adds.
func TestExportMapping(t *testing.T) {
	var c edc
	data, err := Export(Input{Badge: build(t, testAward(t)), Standard: meccatronica(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	p := c.CredentialSubject
	if p.ID != "urn:attesta:europass:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01:learner" || len(p.Identifier) != 1 ||
		p.Identifier[0].Notation != credential.HashIdentity("urn:attesta:person:p-0042", "c2FsdC1mb3ItdGVzdHMtb25seQ") || p.FullName != nil {
		t.Errorf("learner = %+v %+v", p, p.Identifier)
	}
	ach := p.HasClaim[0]
	if ach.AwardedBy.AwardingBody[0] != c.Issuer.ID || c.Issuer.EIDASIdentifier.Notation != "80050050154" {
		t.Errorf("awarding body %v, issuer %+v", ach.AwardedBy.AwardingBody, c.Issuer)
	}
	dec := ach.ProvenBy[0]
	var parts []string
	for _, part := range dec.HasPart {
		parts = append(parts, strings.TrimPrefix(part.ID, dec.ID+":")+"="+part.Grade.NoteLiteral["it"])
		for _, sub := range part.HasPart {
			parts = append(parts, "  "+strings.TrimPrefix(sub.ID, dec.ID+":")+"="+sub.Grade.NoteLiteral["en"])
		}
	}
	want := []string{
		"observation=3 evidenze osservate: 1 Intermedio; 2 Avanzato",
		"  observation:1=Advanced", "  observation:2=Intermediate", "  observation:3=Advanced",
		"dossier=Chiuso ed esaminato dalla commissione",
		"test=87,5% (soglia 60%)",
		"  test:5=100%", "  test:6=75%", "  test:7=87.5%",
	}
	if strings.Join(parts, "\n") != strings.Join(want, "\n") {
		t.Errorf("the decision's parts:\n%s\nwant:\n%s", strings.Join(parts, "\n"), strings.Join(want, "\n"))
	}
	if dec.DateIssued != "2026-06-25T00:00:00Z" || dec.Identifier[0].Notation != "Verbale n. 12/2026" {
		t.Errorf("decision %s %+v", dec.DateIssued, dec.Identifier[0])
	}
	spec := ach.SpecifiedBy
	if spec.Title["en"] == "" || spec.LearningOutcome[0].Title["en"] == "" || spec.LearningOutcome[0].Identifier[0].Notation != "ADA.10.02.02 RA1" {
		t.Errorf("the standard's English and codes are missing: %+v %+v", spec.Title, spec.LearningOutcome[0])
	}
	if ach.InfluencedBy[0].Temporal[0].StartDate != "2026-02-02T00:00:00Z" {
		t.Errorf("activity %+v", ach.InfluencedBy[0].Temporal[0])
	}
}

// TestExportWithoutStandard: without the standard, what the badge says is
// in Italian only, as in the badge; what attesta words is in both.
func TestExportWithoutStandard(t *testing.T) {
	var c edc
	data, err := Export(Input{Badge: build(t, testAward(t))})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	ach := c.CredentialSubject.HasClaim[0]
	if ach.Title["en"] != "" || ach.Title["it"] != "Saper utilizzare strumenti avanzati di disegno meccanico assistito" {
		t.Errorf("title %v", ach.Title)
	}
	row := ach.ProvenBy[0].HasPart[0].HasPart[0]
	if row.Title["it"] != "Osservazione C1/ADA.10.02.02/RA1/A1/E1" || row.Grade.NoteLiteral["it"] != "Avanzato" || row.Grade.NoteLiteral["en"] != "" {
		t.Errorf("row %v %v", row.Title, row.Grade.NoteLiteral)
	}
	if ach.ProvenBy[0].Title["en"] != "Decision of the commission" {
		t.Errorf("decision %v", ach.ProvenBy[0].Title)
	}
	quads(t, data)
}

// TestExportLearner: a learner who bound a wallet DID is the Person with
// that id; a name the badge carries in clear is the Person's name.
func TestExportLearner(t *testing.T) {
	a := testAward(t)
	a.Learner = credential.Learner{DID: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}
	badge := edit(t, build(t, a), func(doc map[string]any) {
		doc["credentialSubject"].(map[string]any)["identifier"] = []any{map[string]any{
			"type": "IdentityObject", "identityHash": "Giulia Bianchi", "identityType": "name", "hashed": false}}
	})
	var c edc
	data, err := Export(Input{Badge: badge})
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	if p := c.CredentialSubject; p.ID != a.Learner.DID || p.FullName["it"] != "Giulia Bianchi" || len(p.Identifier) != 0 {
		t.Errorf("learner %+v", p)
	}
}

func TestExportImage(t *testing.T) {
	jpeg := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}
	for _, tc := range []struct {
		name  string
		image []byte
		typ   string
	}{{"none", nil, "PNG"}, {"jpeg", jpeg, "JPEG"}, {"png", placeholder(), "PNG"}} {
		t.Run(tc.name, func(t *testing.T) {
			var c edc
			data, err := Export(Input{Badge: build(t, testAward(t)), Image: tc.image})
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			img := c.DisplayParameter.IndividualDisplay[0].DisplayDetail[0].Image
			if img.ContentType.Notation != tc.typ {
				t.Errorf("content type %s, want %s", img.ContentType.Notation, tc.typ)
			}
		})
	}
	if _, err := png.Decode(bytes.NewReader(placeholder())); err != nil {
		t.Errorf("the placeholder is not a PNG: %v", err)
	}
}

// TestExportRefuses: what is not a competence badge with its decision, or
// cannot be said in the EDC profile, is refused with a reason.
func TestExportRefuses(t *testing.T) {
	badge := build(t, testAward(t))
	other := *meccatronica(t)
	other.Version++
	for _, tc := range []struct {
		name string
		in   Input
		key  string
	}{
		{"not JSON", Input{Badge: []byte("eyJhbGciOiJFZERTQSJ9.e30.sig")}, "err.europass.badge"},
		{"not a badge", Input{Badge: edit(t, badge, func(d map[string]any) { d["type"] = []any{"VerifiableCredential"} })}, "err.europass.badge"},
		{"no uuid", Input{Badge: edit(t, badge, func(d map[string]any) { d["id"] = "https://attesta.example/b/1" })}, "err.europass.badge.id"},
		{"area credential", Input{Badge: edit(t, badge, func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["achievementType"] = "Certificate"
		})}, "err.europass.notcompetence"},
		{"no competence", Input{Badge: edit(t, badge, func(d map[string]any) {
			delete(d["credentialSubject"].(map[string]any)["achievement"].(map[string]any), "competenceCode")
		})}, "err.europass.notcompetence"},
		{"no decision", Input{Badge: edit(t, badge, func(d map[string]any) { delete(d, "commissionDecision") })}, "err.europass.nodecision"},
		{"decision without minutes", Input{Badge: edit(t, badge, func(d map[string]any) {
			d["commissionDecision"].(map[string]any)["decisionReference"] = " "
		})}, "err.europass.nodecision"},
		{"bad date", Input{Badge: edit(t, badge, func(d map[string]any) { d["validFrom"] = "30/06/2026" })}, "err.europass.badge.dates"},
		{"no learner", Input{Badge: edit(t, badge, func(d map[string]any) {
			delete(d["credentialSubject"].(map[string]any), "identifier")
		})}, "err.europass.learner"},
		{"dangling result", Input{Badge: edit(t, badge, func(d map[string]any) {
			d["credentialSubject"].(map[string]any)["result"].([]any)[0].(map[string]any)["achievedLevel"] = "urn:x"
		})}, "err.europass.badge.result"},
		{"no codice fiscale", Input{Badge: edit(t, badge, func(d map[string]any) {
			delete(d["issuer"].(map[string]any), "otherIdentifier")
		})}, "err.europass.issuer.legalid"},
		{"foreign issuer", Input{Badge: edit(t, badge, func(d map[string]any) {
			d["issuer"].(map[string]any)["address"].(map[string]any)["addressCountryCode"] = "FR"
		})}, "err.europass.issuer.country"},
		{"another standard", Input{Badge: badge, Standard: &other}, "err.europass.standard"},
		{"gif", Input{Badge: badge, Image: []byte("GIF89a")}, "err.europass.image"},
		{"relative verify URL", Input{Badge: badge, VerifyURL: "/verify"}, "err.europass.verifyurl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Export(tc.in)
			var e *attesta.Error
			if !errors.As(err, &e) || e.Code != attesta.Invalid || e.Key != tc.key {
				t.Fatalf("got %v, want %s", err, tc.key)
			}
			for _, lang := range []string{"it", "en"} {
				if s := e.Message.In(lang); strings.HasPrefix(s, "‹") {
					t.Errorf("%s has no %s text", tc.key, lang)
				}
			}
		})
	}
}

// FuzzExport: whatever the badge's bytes, Export returns JSON or a
// refusal, never a panic.
func FuzzExport(f *testing.F) {
	badge := build(f, testAward(f))
	f.Add(badge)
	f.Add([]byte(`{"type":["OpenBadgeCredential"],"issuer":"did:web:x"}`))
	f.Add([]byte(`{"id":"urn:uuid:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01","type":["OpenBadgeCredential"],"issuer":{"id":"x"},` +
		`"credentialSubject":{"achievement":{"achievementType":"MicroCredential","competenceCode":"C1","competenceStandard":{}}},` +
		`"commissionDecision":{"decisionReference":"V","decisionDate":"2026-01-01"},"validFrom":"2026-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Export(Input{Badge: data})
		if err != nil {
			var e *attesta.Error
			if !errors.As(err, &e) || e.Code != attesta.Invalid {
				t.Fatalf("not a refusal: %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("not JSON: %s", out)
		}
	})
}

// TestExportRefusesAnEndedBadge: a revoked or suspended badge is not
// exported.
func TestExportRefusesAnEndedBadge(t *testing.T) {
	badge := build(t, testAward(t))
	for _, in := range []Input{{Badge: badge, Revoked: true}, {Badge: badge, Suspended: true}} {
		if _, err := Export(in); attesta.ErrorCode(err) != attesta.Conflict {
			t.Errorf("revoked %t, suspended %t: %v", in.Revoked, in.Suspended, err)
		}
	}
}
