package europass

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
)

// decision is the commission's decision as the LearningAssessment that
// proves the achievement: assessed by the commission (a body of the
// Chamber), graded "certified", dated and referenced by its minutes, with
// a part for each thing the commission examined — the observation sheet,
// the dossier, the online test — as the badge reports them.
func (e *exporter) decision(awarding string) (*assessment, error) {
	d := e.b.CommissionDecision
	aid := func(parts ...string) string { return e.id(append([]string{"assessment"}, parts...)...) }
	dec := &assessment{
		ID:         aid(),
		Type:       "LearningAssessment",
		Title:      words("europass.decision"),
		Identifier: []*identifier{{ID: aid("minutes"), Type: "Identifier", Notation: d.DecisionReference, SchemeName: "Verbale della commissione"}},
		DateIssued: d.DecisionDate + "T00:00:00Z",
		Grade:      newNote(aid("grade"), words("europass.decision.grade")),
		AwardedBy:  awarding,
		SpecifiedBy: &assessmentSpecification{ID: aid("specification"), Type: "LearningAssessmentSpecification",
			Title: words("europass.decision.specification"), Description: said(e.a.AssessmentType, e.mc.Assessment),
			Language: []*concept{languageITA()}, Mode: []*concept{modeBlended()}},
	}
	if uuidRE.MatchString(d.ID) {
		dec.Identifier = append(dec.Identifier, &identifier{ID: aid("decision"), Type: "Identifier", Notation: d.ID, SchemeName: "attesta"})
	}
	if d.Commission != "" {
		dec.Description = words("europass.decision.description", d.Commission, d.DecisionReference)
		// The commission is a body of the Chamber, at the Chamber's seat.
		dec.AssessedBy = []any{&organisation{ID: aid("commission"), Type: "Organisation", LegalName: langString{"it": d.Commission},
			Location: []any{e.locationID()}, SubOrganizationOf: e.b.Issuer.ID}}
	} else {
		dec.Description = langString{"it": d.DecisionReference}
		dec.AssessedBy = []any{e.b.Issuer.ID}
	}

	// The badge's results, sorted into their parts.
	var (
		rows        []*assessment
		levelCounts = map[string]int{}
		levelOrder  []langString
		test        *assessment
		testName    string
		dimensions  []*assessment
		others      []*assessment
		testResult  *badgeResultDescription
	)
	subj := e.b.CredentialSubject
	for _, r := range subj.Result {
		if rd, ok := e.a.description(r.ResultDescription); ok && rd.ResultType != "RubricCriterionLevel" && rd.RequiredValue != "" {
			testName, testResult = rd.Name, rd
			break
		}
	}
	for i, r := range subj.Result {
		rd, ok := e.a.description(r.ResultDescription)
		if !ok {
			return nil, attesta.E(attesta.Invalid, "err.europass.badge.result", i+1)
		}
		n := strconv.Itoa(i + 1)
		switch {
		case rd.ResultType == "RubricCriterionLevel":
			lv := slices.IndexFunc(rd.Levels, func(l badgeLevel) bool { return l.ID == r.AchievedLevel })
			if lv < 0 {
				return nil, attesta.E(attesta.Invalid, "err.europass.badge.result", i+1)
			}
			if len(levelOrder) == 0 {
				for _, l := range rd.Levels {
					levelOrder = append(levelOrder, e.level(l.Name))
				}
			}
			level := e.level(rd.Levels[lv].Name)
			levelCounts[level["it"]]++
			row := &assessment{ID: aid("observation", n), Type: "LearningAssessment", Title: e.rowTitle(rd.Name),
				Grade: newNote(aid("observation", n, "grade"), level), AwardedBy: awarding}
			if ref, ok := strings.CutPrefix(rd.Name, "Osservazione "); ok && strings.Count(ref, "/") == 4 {
				row.Identifier = []*identifier{{ID: aid("observation", n, "identifier"), Type: "Identifier", Notation: ref,
					SchemeName: "Scheda di osservazione"}}
			}
			rows = append(rows, row)
		case rd == testResult:
			test = &assessment{ID: aid("test"), Type: "LearningAssessment", Title: e.testTitle(rd.Name, ""),
				Grade: newNote(aid("test", "grade"), e.score(rd, r.Value, r.Status)), AwardedBy: awarding,
				SpecifiedBy: &assessmentSpecification{ID: aid("test", "specification"), Type: "LearningAssessmentSpecification",
					Title: words("europass.test"), Language: []*concept{languageITA()}, Mode: []*concept{modeOnline()},
					GradingScheme: e.scale(aid("test", "scale"), rd)}}
		case testName != "" && strings.HasPrefix(rd.Name, testName+" · "):
			dimensions = append(dimensions, &assessment{ID: aid("test", n), Type: "LearningAssessment",
				Title: e.testTitle(testName, strings.TrimPrefix(rd.Name, testName+" · ")),
				Grade: newNote(aid("test", n, "grade"), e.score(rd, r.Value, r.Status)), AwardedBy: awarding})
		default:
			others = append(others, &assessment{ID: aid("result", n), Type: "LearningAssessment", Title: langString{"it": rd.Name},
				Grade: newNote(aid("result", n, "grade"), e.score(rd, r.Value, r.Status)), AwardedBy: awarding})
		}
	}

	if len(rows) > 0 {
		var counts list
		for _, l := range levelOrder {
			if c := levelCounts[l["it"]]; c > 0 {
				counts = append(counts, levelCount{c, l})
			}
		}
		sheet := &assessment{ID: aid("observation"), Type: "LearningAssessment", Title: words("europass.observation"),
			Grade:     newNote(aid("observation", "grade"), words("europass.observation.grade", len(rows), counts)),
			AwardedBy: awarding, HasPart: rows,
			SpecifiedBy: &assessmentSpecification{ID: aid("observation", "specification"), Type: "LearningAssessmentSpecification",
				Title: words("europass.observation"), Language: []*concept{languageITA()},
				GradingScheme: &gradingScheme{ID: aid("observation", "scale"), Type: "GradingScheme",
					Title: words("europass.observation.scale"), Description: e.levels()}}}
		dec.HasPart = append(dec.HasPart, sheet)
	}
	for i, ev := range e.b.Evidence {
		n := "dossier"
		if i > 0 {
			n += "-" + strconv.Itoa(i+1)
		}
		dos := &assessment{ID: aid(n), Type: "LearningAssessment", Title: langString{"it": ev.Name},
			Description: langString{"it": ev.Narrative}.clean(),
			Grade:       newNote(aid(n, "grade"), words("europass.dossier.grade")), AwardedBy: awarding}
		if ev.Name == "" {
			dos.Title = words("europass.dossier")
		}
		if ev.DigestMultibase != "" {
			dos.Identifier = []*identifier{{ID: aid(n, "digest"), Type: "Identifier", Notation: ev.DigestMultibase,
				SchemeName: "digestMultibase (SHA-256)"}}
		}
		dec.HasPart = append(dec.HasPart, dos)
	}
	if test != nil {
		test.HasPart = dimensions
		dec.HasPart = append(dec.HasPart, test)
	} else {
		others = append(dimensions, others...)
	}
	dec.HasPart = append(dec.HasPart, others...)
	return dec, nil
}

// levelCount is a number of evidences observed at a level.
type levelCount struct {
	n     int
	level langString
}

func (c levelCount) In(lang string) string { return fmt.Sprintf("%d %s", c.n, c.level.In(lang)) }

// level is a level of the observation scale, in English too where the
// standard's scale has it.
func (e *exporter) level(it string) langString {
	if e.std != nil {
		for _, l := range e.std.Scale {
			if l.Label.IT == it {
				return said(it, l.Label)
			}
		}
	}
	return langString{"it": it}
}

// levels describes the observation scale: its levels, each with its
// description, as the badge's first observation lists them.
func (e *exporter) levels() langString {
	for _, rd := range e.a.ResultDescription {
		if rd.ResultType != "RubricCriterionLevel" {
			continue
		}
		var it, en []string
		for _, l := range rd.Levels {
			name := e.level(l.Name)
			desc := langString{"it": l.Description}
			if e.std != nil {
				for _, sl := range e.std.Scale {
					if sl.Label.IT == l.Name {
						desc = said(l.Description, sl.Description)
					}
				}
			}
			it = append(it, join(name.In("it"), desc["it"]))
			en = append(en, join(name.In("en"), desc.In("en")))
		}
		return langString{"it": strings.Join(it, " "), "en": strings.Join(en, " ")}
	}
	return nil
}

// join says a level with its description, as a sentence.
func join(name, desc string) string {
	s := name
	if desc != "" {
		s += ": " + desc
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// rowTitle is the title of an observed evidence: the evidence as the
// standard words it, when the badge's result names a row the standard has
// ("Osservazione C1/ADA.10.02.02/RA1/A1/E1"), else the result's name.
func (e *exporter) rowTitle(name string) langString {
	ref, ok := strings.CutPrefix(name, "Osservazione ")
	if !ok || e.comp == nil {
		return langString{"it": name}
	}
	parts := strings.Split(ref, "/")
	if len(parts) != 5 || parts[0] != e.comp.Code {
		return langString{"it": name}
	}
	act, err1 := strconv.Atoi(strings.TrimPrefix(parts[3], "A"))
	ev, err2 := strconv.Atoi(strings.TrimPrefix(parts[4], "E"))
	if err1 != nil || err2 != nil {
		return langString{"it": name}
	}
	for _, ada := range e.comp.ADA {
		if ada.Code != parts[1] {
			continue
		}
		for _, r := range ada.Results {
			if r.Code != parts[2] || act < 1 || act > len(r.Activities) || ev < 1 || ev > len(r.Activities[act-1].Evidences) {
				continue
			}
			t := r.Activities[act-1].Evidences[ev-1].Text
			return words("europass.observation.row", competence.Text{IT: t.IT, EN: t.In("en")})
		}
	}
	return langString{"it": name}
}

// testTitle is the title of the online test ("Test online C1", as the
// commission names it) or of one of its dimensions, in English too when it
// is named so.
func (e *exporter) testTitle(name, dimension string) langString {
	if name != "Test online "+e.a.CompetenceCode {
		if dimension == "" {
			return langString{"it": name}
		}
		return langString{"it": name + " · " + dimension}
	}
	if dimension == "" {
		return words("europass.test.title", e.a.CompetenceCode)
	}
	dim := langString{"it": dimension}
	if en, ok := dimensionEN(dimension); ok {
		dim["en"] = en
	}
	return words("europass.test.dimension", e.a.CompetenceCode, dim)
}

// score is a result's grade: a percentage, a score on its scale or a
// status, and the pass mark if there is one.
func (e *exporter) score(rd *badgeResultDescription, value, status string) langString {
	if value == "" {
		if status == "" {
			return words("europass.grade.none")
		}
		return langString{"it": status}
	}
	var v langString
	switch {
	case rd.ResultType == "Percent":
		v = words("europass.grade.percent", decimal(value))
	case rd.ValueMax != "":
		v = words("europass.grade.of", decimal(value), decimal(rd.ValueMax))
	default:
		v = langString{"it": value}
	}
	if rd.RequiredValue == "" {
		return v
	}
	req := decimal(rd.RequiredValue)
	if rd.ResultType == "Percent" {
		return words("europass.grade.required.percent", v, req)
	}
	return words("europass.grade.required", v, req)
}

// scale describes the scale a score is on.
func (e *exporter) scale(id string, rd *badgeResultDescription) *gradingScheme {
	if rd.ValueMin == "" || rd.ValueMax == "" {
		return nil
	}
	g := &gradingScheme{ID: id, Type: "GradingScheme", Title: words("europass.scale.score"),
		Description: words("europass.scale.range", decimal(rd.ValueMin), decimal(rd.ValueMax))}
	if rd.ResultType == "Percent" {
		g.Title = words("europass.scale.percent")
	}
	if rd.RequiredValue != "" {
		g.Description = words("europass.scale.required", decimal(rd.ValueMin), decimal(rd.ValueMax), decimal(rd.RequiredValue))
	}
	return g
}

// decimal is a number of a result as each language writes it: a decimal
// comma in Italian.
type decimal string

func (d decimal) In(lang string) string {
	if lang == "it" {
		return strings.Replace(string(d), ".", ",", 1)
	}
	return string(d)
}
