package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/issuer"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testAward is the award of Meccatronica C1 to a learner of the demo.
func testAward(t testing.TB) Award {
	t.Helper()
	f, err := competence.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	var std *competence.Standard
	for i := range f.Standards {
		if f.Standards[i].Sector == "meccatronica" && f.Standards[i].Status == competence.Published {
			std = &f.Standards[i]
		}
	}
	if std == nil {
		t.Fatal("bundled standards have no published Meccatronica")
	}
	return Award{
		ID: "urn:uuid:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01",
		Issuer: issuer.Issuer{
			ID:  "cciaa-milano",
			DID: "did:web:attesta.example:issuers:cciaa-milano",
			Profile: issuer.Profile{
				Name:  "Camera di Commercio di Milano Monza Brianza Lodi",
				URL:   "https://www.milomb.camcom.it/",
				Email: "competenze@mi.camcom.it",
				Address: issuer.Address{Street: "Via Meravigli 9/b", Locality: "Milano", Region: "Lombardia",
					PostalCode: "20123", Country: "Italia", CountryCode: "IT"},
				Identifiers: []issuer.Identifier{{Type: "codiceFiscale", Value: "80050050154"}},
			},
		},
		Standard:   std,
		Competence: "C1",
		Learner: Learner{IdentityType: "systemId", Identity: "attesta:student:2026:0042",
			Salt: "c2FsdC1mb3ItdGVzdHMtb25seQ"},
		Results: []Result{
			{Name: "Test online", Type: "Percent", Min: "0", Max: "100", Required: "60", Value: "85"},
			{Name: "Osservazione in azienda", Type: "RubricCriterionLevel", Achieved: 2, Levels: []Level{
				{Name: "Parziale"}, {Name: "Adeguato"}, {Name: "Pienamente raggiunto", Description: "L'evidenza è osservata in autonomia."}}},
			{Name: "Esito della commissione", Type: "Status", Status: "Completed"},
		},
		Evidence: &EvidenceSummary{Name: "Dossier delle evidenze", Narrative: "7 evidenze osservate in azienda, 3 documenti.",
			Digest: [32]byte{1, 2, 3}},
		Decision: Decision{ID: "urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f", Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC),
			Reference: "Verbale n. 12/2026", Commission: "Commissione Meccatronica – CCIAA Milano"},
		ValidFrom:   time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC),
		Activity:    Period{Start: time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 29, 0, 0, 0, 0, time.UTC)},
		TitleHolder: Party{Name: "Unioncamere", URL: "https://www.unioncamere.gov.it/"},
		BaseURL:     "https://attesta.example",
		Status:      Position{List: 1, Index: 94567},
	}
}

func TestBuildGolden(t *testing.T) {
	got, err := Build(testAward(t))
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/meccatronica-c1.unsigned.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("Build output differs from %s (run go test ./credential -run TestBuildGolden -update to accept):\n%s", golden, got)
	}
}

// TestAnnexIElements lists every mandatory element of Annex I of the Council
// Recommendation on micro-credentials (2022/C 243/02), and the Italian
// minimum elements, with where the credential carries it.
func TestAnnexIElements(t *testing.T) {
	data, err := Build(testAward(t))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	elements := []struct {
		element string
		paths   []string // every path must hold a non-empty value
	}{
		{"Identification of the learner", []string{"credentialSubject/identifier/0/identityHash", "credentialSubject/identifier/0/salt"}},
		{"Title of the micro-credential", []string{"credentialSubject/achievement/name", "name"}},
		{"Country(ies)/Region(s) of the issuer", []string{"issuer/address/addressCountryCode", "issuer/address/addressRegion"}},
		{"Awarding body(ies)", []string{"issuer/id", "issuer/name", "issuer/otherIdentifier/0/identifier"}},
		{"Date of issuing", []string{"validFrom", "awardedDate"}},
		{"Learning outcomes", []string{"credentialSubject/achievement/learningOutcome/0", "credentialSubject/achievement/criteria/narrative"}},
		{"Notional workload needed to achieve the learning outcomes", []string{"credentialSubject/achievement/learningPath"}},
		{"Level (and cycle, if applicable) of the learning experience (EQF, QF-EHEA)", []string{"credentialSubject/achievement/eqfLevel", "credentialSubject/achievement/qnqLevel"}},
		{"Type of assessment", []string{"credentialSubject/achievement/assessmentType", "credentialSubject/result/0/value"}},
		{"Form of participation in the learning activity", []string{"credentialSubject/achievement/participationForm/0"}},
		{"Type of quality assurance used to underpin the micro-credential", []string{"credentialSubject/achievement/qualityAssurance"}},
		// Italian minimum elements (Linee guida sulle micro qualificazioni).
		{"Ente pubblico titolare", []string{"titleHolder/name"}},
		{"Riferimento al QNQ (repertorio) e livello", []string{"credentialSubject/achievement/competenceStandard/id", "credentialSubject/achievement/qnqLevel"}},
		{"ISCED-F", []string{"credentialSubject/achievement/iscedField"}},
		{"Durata e descrizione del percorso", []string{"credentialSubject/achievement/learningPath", "credentialSubject/activityStartDate", "credentialSubject/activityEndDate"}},
		{"Modalità di apprendimento", []string{"credentialSubject/achievement/participationForm/0"}},
		{"Modalità di assessment", []string{"credentialSubject/achievement/assessmentType"}},
		{"Codici dell'Atlante del Lavoro e delle Qualificazioni", []string{"credentialSubject/achievement/alignment/0/targetCode"}},
		// Programme elements.
		{"Commission decision", []string{"commissionDecision/decisionReference", "commissionDecision/decisionDate"}},
		{"Evidence digest", []string{"evidence/0/digestMultibase"}},
		{"Revocation and suspension status", []string{"credentialStatus/0/statusListCredential", "credentialStatus/1/statusPurpose"}},
	}
	for _, e := range elements {
		for _, p := range e.paths {
			v := lookup(doc, p)
			if v == nil || v == "" {
				t.Errorf("%s: nothing at %s", e.element, p)
			}
		}
	}
	frameworks := map[any]any{}
	for _, a := range lookup(doc, "credentialSubject/achievement/alignment").([]any) {
		frameworks[lookup(a, "targetFramework")] = lookup(a, "targetCode")
	}
	for _, f := range []string{frameworkEQF, frameworkQNQ, frameworkISCED, frameworkADA} {
		if frameworks[f] == nil {
			t.Errorf("no alignment to %s", f)
		}
	}
	if got := lookup(doc, "credentialSubject/achievement/achievementType"); got != "MicroCredential" {
		t.Errorf("achievementType = %v", got)
	}
	if strings.Contains(string(data), "attesta:student:2026:0042") {
		t.Error("the learner's identifier appears in clear")
	}
}

func lookup(v any, path string) any {
	for _, key := range strings.Split(path, "/") {
		switch x := v.(type) {
		case map[string]any:
			v = x[key]
		case []any:
			i := 0
			for _, c := range key {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func TestBuildRejects(t *testing.T) {
	tests := []struct {
		change func(*Award)
		key    string
	}{
		{func(a *Award) { a.ID = "urn:uuid:NOT" }, "err.credential.award.id"},
		{func(a *Award) { a.Competence = "C99" }, "err.credential.award.competence"},
		{func(a *Award) { a.Learner = Learner{} }, "err.credential.award.learner"},
		{func(a *Award) { a.Learner.Salt = "short" }, "err.credential.award.salt"},
		{func(a *Award) { a.Learner = Learner{DID: "mailto:x"} }, "err.credential.award.learnerdid"},
		{func(a *Award) { a.Issuer.Profile.Address.Region = "" }, "err.issuer.profile"},
		{func(a *Award) { a.ValidUntil = a.ValidFrom }, "err.credential.award.validuntil"},
		{func(a *Award) { a.Decision.Reference = "" }, "err.credential.award.decision"},
		{func(a *Award) { a.Status = Position{} }, "err.credential.award.status"},
		{func(a *Award) { a.Results[1].Achieved = 5 }, "err.credential.award.level"},
		{func(a *Award) { s := *a.Standard; s.Status = competence.Draft; a.Standard = &s }, "err.credential.award.draft"},
	}
	for _, tt := range tests {
		a := testAward(t)
		tt.change(&a)
		_, err := Build(a)
		var fe attesta.FieldErrors
		if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != "err.credential.award" || !errors.As(err, &fe) ||
			!slices.ContainsFunc(fe, func(e attesta.FieldError) bool { return e.Key == tt.key }) {
			t.Errorf("got %v, want a problem %s", err, tt.key)
		}
	}
}

func TestHashIdentity(t *testing.T) {
	// The example of the Open Badges 3.0 specification, section "IdentityObject".
	if got := HashIdentity("example@example.org", "XBuC0WXELJ"); !strings.HasPrefix(got, "sha256$") || len(got) != 7+64 {
		t.Errorf("HashIdentity = %s", got)
	}
	if HashIdentity("a", "bc") != HashIdentity("ab", "c") {
		t.Error("the hash is not over identity followed by salt")
	}
}

// TestBuildBoundsText: every text a request puts into a signed credential,
// which never changes once issued, is bounded in length and refuses control
// characters (a new line only in the narratives), invalid UTF-8 and the
// bidirectional controls that make a text read other than it is; each
// refusal says where the text is. Results and levels are bounded in number.
func TestBuildBoundsText(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n+1) }
	tests := []struct {
		name   string
		change func(*Award)
		key    string
		where  string
	}{
		{"reference long", func(a *Award) { a.Decision.Reference = long(MaxName) }, "err.credential.award.long", "decision.reference"},
		{"reference bell", func(a *Award) { a.Decision.Reference = "Verbale\an. 3" }, "err.credential.award.chars", "decision.reference"},
		{"reference new line", func(a *Award) { a.Decision.Reference = "Verbale\nn. 3" }, "err.credential.award.chars", "decision.reference"},
		{"reference utf-8", func(a *Award) { a.Decision.Reference = "Verbale \xff" }, "err.credential.award.chars", "decision.reference"},
		{"commission escape", func(a *Award) { a.Decision.Commission = "Commissione \x1b[31m" }, "err.credential.award.chars", "decision.commission"},
		{"commission long", func(a *Award) { a.Decision.Commission = long(MaxName) }, "err.credential.award.long", "decision.commission"},
		{"result name", func(a *Award) { a.Results[0].Name = long(MaxName) }, "err.credential.award.long", "results[0].name"},
		{"result name bidi", func(a *Award) { a.Results[0].Name = "Test \u202eenilno" }, "err.credential.award.chars", "results[0].name"},
		{"result type", func(a *Award) { a.Results[0].Type = long(MaxShort) }, "err.credential.award.long", "results[0].type"},
		{"result value", func(a *Award) { a.Results[0].Value = "85\x00" }, "err.credential.award.chars", "results[0].value"},
		{"result min", func(a *Award) { a.Results[0].Min = long(MaxShort) }, "err.credential.award.long", "results[0].min"},
		{"result max", func(a *Award) { a.Results[0].Max = "1\t00" }, "err.credential.award.chars", "results[0].max"},
		{"result required", func(a *Award) { a.Results[0].Required = long(MaxShort) }, "err.credential.award.long", "results[0].required"},
		{"result status", func(a *Award) { a.Results[2].Status = "Completed\r" }, "err.credential.award.chars", "results[2].status"},
		{"level name", func(a *Award) { a.Results[1].Levels[0].Name = long(MaxName) }, "err.credential.award.long", "results[1].levels[0].name"},
		{"level description", func(a *Award) { a.Results[1].Levels[2].Description = long(MaxText) }, "err.credential.award.long", "results[1].levels[2].description"},
		{"level description cr", func(a *Award) { a.Results[1].Levels[2].Description = "a\r\nb" }, "err.credential.award.chars", "results[1].levels[2].description"},
		{"evidence name", func(a *Award) { a.Evidence.Name = "Dossier\u0085" }, "err.credential.award.chars", "evidence.name"},
		{"evidence narrative", func(a *Award) { a.Evidence.Narrative = long(MaxText) }, "err.credential.award.long", "evidence.narrative"},
		{"learner did", func(a *Award) { a.Learner = Learner{DID: "did:example:" + long(MaxIRI)} }, "err.credential.award.long", "learner.did"},
		{"learner did space", func(a *Award) { a.Learner = Learner{DID: "did:example:a b"} }, "err.credential.award.chars", "learner.did"},
		{"identity type", func(a *Award) { a.Learner.IdentityType = "system\nId" }, "err.credential.award.chars", "learner.identity_type"},
		{"identity", func(a *Award) { a.Learner.Identity = long(MaxName) }, "err.credential.award.long", "learner.identity"},
		{"salt", func(a *Award) { a.Learner.Salt = long(MaxShort) }, "err.credential.award.long", "learner.salt"},
		{"title holder", func(a *Award) { a.TitleHolder.Name = "Unioncamere\x7f" }, "err.credential.award.chars", "titleHolder.name"},
		{"results", func(a *Award) {
			for len(a.Results) <= MaxResults {
				a.Results = append(a.Results, Result{Name: "Prova", Type: "Status", Status: "Completed"})
			}
		}, "err.credential.award.results", ""},
		{"levels", func(a *Award) {
			for len(a.Results[1].Levels) <= MaxLevels {
				a.Results[1].Levels = append(a.Results[1].Levels, Level{Name: "Livello"})
			}
		}, "err.credential.award.levels", ""},
	}
	for _, tt := range tests {
		a := testAward(t)
		tt.change(&a)
		_, err := Build(a)
		var fe attesta.FieldErrors
		if attesta.ErrorCode(err) != attesta.Invalid || !errors.As(err, &fe) ||
			!slices.ContainsFunc(fe, func(e attesta.FieldError) bool {
				return e.Key == tt.key && (tt.where == "" || len(e.Args) > 0 && e.Args[0] == tt.where)
			}) {
			t.Errorf("%s: got %v, want %s at %s", tt.name, err, tt.key, tt.where)
		}
	}
	// At the bounds, with new lines in the narratives, the texts are taken.
	a := testAward(t)
	a.Decision.Reference, a.Results[0].Name = strings.Repeat("à", MaxName), strings.Repeat("é", MaxName)
	a.Evidence.Narrative = "7 evidenze osservate.\n3 documenti."
	a.Results[1].Levels[2].Description = "Prima riga.\nSeconda riga."
	if _, err := Build(a); err != nil {
		t.Errorf("texts within the bounds: %v", err)
	}
}
