package competence

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/i18n"
)

// badStandard breaks every rule Validate checks at least once.
func badStandard() Standard {
	long := strings.Repeat("a", maxShortText+1)
	return Standard{
		Sector: "Meccatronica", Version: 0, Status: "archived",
		Title:       Text{IT: " ", EN: "\xff"},
		Description: Text{IT: "a\x01b"},
		Levels:      []Level{"tecnico", "tecnico", "liceo"},
		Scale:       []ScaleLevel{{Value: 2, Label: Text{IT: long}}},
		Defaults: MicroCredential{
			EQFLevel: 9, QNQLevel: -1, ISCEDF: "714", WorkloadHours: 10001, Credits: 240.5,
			LearningModes: []LearningMode{"remote", Online, Online},
			ESCO:          []ESCOAlignment{{URI: "https://esco.example/skill/1", Title: Text{IT: "Competenza ESCO"}}},
		},
		Competences: []Competence{
			{Title: Text{IT: "Senza codice"}},
			{Code: "c1", Title: Text{IT: "Codice minuscolo"}},
			{Code: "C1", Title: Text{IT: "Prima"}, ADA: []ADA{
				{Title: Text{IT: "Senza codice"}},
				{Code: "ADA.1", FormerCode: "ADA7", Title: Text{IT: "Codice corto"}},
				{Code: "ADA.1.2.3", Title: Text{IT: "Area"}, Results: []Result{
					{Title: Text{IT: "Senza codice"}},
					{Code: "R1", Title: Text{IT: "Codice sbagliato"}},
					{Code: "RA1", Title: Text{IT: "Risultato"}},
					{Code: "RA1", Title: Text{IT: "Ancora"}, Activities: []Activity{{Title: Text{IT: "Attività"}, Evidences: []Evidence{{}}}}},
				}},
				{Code: "ADA.1.2.3", Title: Text{IT: "Ripetuta"}},
			}},
			{Code: "C1", Title: Text{IT: "Doppia"}},
		},
		Paths: []Path{
			{Title: Text{IT: "Senza identificativo"}},
			{ID: "Progettazione", Title: Text{IT: "Maiuscole"}},
			{ID: "p", Title: Text{IT: "P"}},
			{ID: "p", Title: Text{IT: "Ancora P"}, Competences: []PathCompetence{
				{Code: "C9", SchoolTypes: []SchoolType{Liceo}},
				{Code: "C1", SchoolTypes: []SchoolType{"agrario", Liceo, Liceo}},
				{Code: "C1"},
			}, Stack: []string{"C2", "C1", "C1"}},
		},
	}
}

// everyProblem returns problems of every kind the decoder, Validate,
// ValidateFile and ReadyToPublish report.
func everyProblem(t *testing.T) Problems {
	var ps Problems
	ps = append(ps, Validate(new(badStandard()), "")...)
	ps = append(ps, Validate(&Standard{Status: Draft}, "")...)
	published := func(version int, at time.Time, digest string) Standard {
		return Standard{Sector: "turismo", Version: version, Status: Published, PublishedAt: at, Digest: digest, Title: Text{IT: "Turismo"}}
	}
	day := time.Date(2025, 10, 2, 0, 0, 0, 0, time.UTC)
	ps = append(ps, ValidateFile(&File{Format: FormatV1, Standards: []Standard{
		published(3, day, ""),
		published(6, time.Time{}, ""),
		published(3, day.Add(time.Nanosecond), "sha256:00"),
		published(4, day, "sha256:"+strings.Repeat("0", 64)),
		{Sector: "turismo", Version: 5, Status: Superseded, Title: Text{IT: "Turismo"}},
		{Sector: "turismo", Version: 1, Status: Draft, PublishedAt: day, Digest: "sha256:00", Title: Text{IT: "Turismo"}},
		{Sector: "turismo", Version: 2, Status: Draft, Title: Text{IT: "Turismo"}},
	}})...)
	ps = append(ps, ReadyToPublish(&Standard{Sector: "x", Version: 1, Status: Draft})...)
	ps = append(ps, ReadyToPublish(&Standard{Sector: "x", Version: 1, Status: Draft,
		Paths: []Path{{ID: "vuoto"}}, Competences: []Competence{{Code: "C1"}}})...)
	ps = append(ps, ReadyToPublish(&Standard{Sector: "x", Version: 1, Status: Draft,
		Scale: []ScaleLevel{{Value: 1, Label: Text{IT: "Base"}}, {Value: 2, Label: Text{IT: "Avanzato"}}}})...)
	const head = "format: attesta.standards/v1\nstandards:\n"
	for _, in := range []string{
		"format: [",
		"",
		"- a list",
		"format: attesta.standards/v2\nstandards: {}\n",
		"format: attesta.standards/v1\nformat: attesta.standards/v1\n? [a]\n: b\nextra: 1\n",
		head + "  - {sector: 1, version: '1', status: true, published_at: yesterday, title: x, levels: [2025-01-01]}\n",
		head + "  - {sector: ~, version: [1], status: {a: b}, published_at: [x], title: {it: X}, microcredential: {credits: [1], workload_hours: 1.5, eqf_level: 1}}\n",
		head + "  - &a {sector: x, version: 1, status: draft, title: {it: X}, microcredential: {credits: many}}\n  - *a\n",
		head + strings.Repeat("  - {}\n", maxStandards+1),
	} {
		_, err := Decode(strings.NewReader(in), "x.yaml")
		ps = append(ps, problemsOf(t, err)...)
	}
	_, err := Decode(strings.NewReader(strings.Repeat(" ", MaxFileSize+1)), "x.yaml")
	return append(ps, problemsOf(t, err)...)
}

// TestEveryProblemSaid: every problem of a standard or a standards file is
// said in Italian and English with all its arguments, and every message of
// those problems in the catalogues is reached; a path is a field's name,
// even for a standard validated on its own (no leading dot).
func TestEveryProblemSaid(t *testing.T) {
	seen := map[string]bool{}
	var walk func(m attesta.Message)
	walk = func(m attesta.Message) {
		seen[m.Key] = true
		for _, a := range m.Args {
			if m, ok := a.(attesta.Message); ok {
				walk(m)
			}
		}
	}
	for _, p := range everyProblem(t) {
		walk(p.Message)
		if strings.HasPrefix(p.Path, ".") {
			t.Errorf("%s: path %q", p.Key, p.Path)
		}
		for lang, s := range map[string]string{"it": p.IT, "en": p.EN, "where": p.Where("it")} {
			if s != p.In(lang) && lang != "where" || strings.Contains(s, "%!") || strings.Contains(s, "‹") {
				t.Errorf("%s (%s): %q", p.Key, lang, s)
			}
		}
	}
	// The messages of the service, the kind no YAML node is, and the
	// place (TestProblemsSaidWhereTheyAre).
	notProblems := []string{"err.competence.draft.exists", "err.competence.draft.older",
		"err.competence.file.conflict", "err.competence.file.invalid", "err.competence.frozen", "err.competence.publish.already",
		"err.competence.publish.newer", "err.competence.publish.notready", "err.competence.publish.olderdraft",
		"err.competence.sector.notfound", "err.competence.standard.invalid", "err.competence.status.draft",
		"err.competence.supersede.older", "err.competence.import.draftsuperseded", "err.competence.import.republish",
		"err.competence.import.differs", "err.competence.yaml.kind.nothing", "err.competence.where.line",
		"err.competence.competence.notfound", "err.competence.draft.notfound", "err.competence.path.notfound",
		"err.competence.publish.unchanged", "err.competence.version.notfound", "err.competence.stack.empty"}
	for _, k := range i18n.Keys(i18n.Default) {
		if strings.HasPrefix(k, "err.competence.") && !seen[k] && !slices.Contains(notProblems, k) {
			t.Errorf("no problem says %s", k)
		}
	}
}

// A problem's place is said in the reader's language, and so is a list of
// problems for a page or a problem document.
func TestProblemsSaidWhereTheyAre(t *testing.T) {
	ps := Problems{
		{File: "x.yaml", Line: 12, Column: 20, Path: "standards[0].version", Message: attesta.M("err.competence.version.range", MaxVersion, 0)},
		{Path: "turismo v1", Message: attesta.M("err.competence.import.republish", 1, "turismo")},
		{Message: attesta.M("err.competence.file.empty")},
	}
	if got, want := ps.In("it"), "riga 12, colonna 20, standards[0].version: la versione deve essere compresa tra 1 e 100000 (valore indicato: 0); "+
		"turismo v1: la versione 1 di turismo è stata sostituita da una versione più recente e non si può pubblicare di nuovo; "+
		"il file è vuoto: deve contenere una mappa con format e standards"; got != want {
		t.Errorf("it:\n%s\nwant\n%s", got, want)
	}
	if got, want := ps.In("en"), "line 12, column 20, standards[0].version: version must be between 1 and 100000, found 0; "+
		"turismo v1: version 1 of turismo was superseded by a newer version and cannot be published again; "+
		"the file is empty: expected a mapping with format and standards"; got != want {
		t.Errorf("en:\n%s\nwant\n%s", got, want)
	}
	if got, want := ps.Error(), "3 problem(s):\nx.yaml:12:20: standards[0].version: version must be between 1 and 100000, found 0\n"+
		"turismo v1: version 1 of turismo was superseded by a newer version and cannot be published again\n"+
		"the file is empty: expected a mapping with format and standards"; got != want {
		t.Errorf("Error:\n%s\nwant\n%s", got, want)
	}
}

// A problem's JSON has its place, its key and what it says in Italian and
// English, for a client without the catalogues.
func TestProblemJSON(t *testing.T) {
	p := newProblem("standards[0].version", attesta.M("err.competence.version.range", MaxVersion, 0))
	p.File, p.Line, p.Column = "x.yaml", 4, 14
	b, err := json.Marshal(p)
	want := `{"file":"x.yaml","line":4,"column":14,"path":"standards[0].version","key":"err.competence.version.range",` +
		`"it":"la versione deve essere compresa tra 1 e 100000 (valore indicato: 0)","en":"version must be between 1 and 100000, found 0"}`
	if err != nil || string(b) != want {
		t.Errorf("%s, %v\nwant %s", b, err, want)
	}
}
