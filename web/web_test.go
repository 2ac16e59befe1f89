package web_test

import (
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/job"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/wallet"
)

func get(t *testing.T, h http.Handler, target string, header ...string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b), rec.Header()
}

func TestCatalogue(t *testing.T) {
	srv := testserver.New(t)
	code, home, h := get(t, srv, "/")
	if code != 200 || h.Get("Content-Language") != "it" {
		t.Fatalf("home: %d %s", code, h.Get("Content-Language"))
	}
	// A visitor sees the published sectors; the drafts (five sectors
	// never published) exist for the national body only.
	if !strings.Contains(home, `href="/sectors/meccatronica">Meccatronica</a>`) {
		t.Error("Meccatronica is not among the active sectors")
	}
	for _, s := range []string{"turismo", "tessile-abbigliamento-moda", "agroalimentare", "competenze-imprenditive", "cittadinanza-sviluppo-sostenibile"} {
		if strings.Contains(home, `href="/sectors/`+s+`"`) {
			t.Errorf("%s, a draft, is shown to a visitor", s)
		}
		if code, _, _ := get(t, srv, "/sectors/"+s); code != 404 {
			t.Errorf("/sectors/%s, a draft, answers a visitor %d", s, code)
		}
	}
	if strings.Contains(home, `id="preparing-title"`) {
		t.Error("a visitor sees sectors in preparation")
	}
	if !strings.Contains(home, "Settori attivi") || !strings.Contains(home, `<html lang="it">`) {
		t.Error("home is not in Italian")
	}

	_, sector, _ := get(t, srv, "/sectors/meccatronica")
	for _, area := range []string{"Area Progettazione", "Area Produzione/Assemblaggio", "Area Manutenzione/Assistenza", "Area Gestione produzione/dati"} {
		if !strings.Contains(sector, area) {
			t.Errorf("sector page lacks %s", area)
		}
	}
	for i := 1; i <= 15; i++ {
		code := "C" + itoa(i)
		if !strings.Contains(sector, `/sectors/meccatronica/competences/`+code+`"`) {
			t.Errorf("sector page lacks a link to %s", code)
		}
	}

	_, c1, _ := get(t, srv, "/sectors/meccatronica/competences/C1")
	for _, want := range []string{"ADA.10.02.02", "ex ADA.7.47.148", "RA2", "Realizzazione del prototipo (prototipazione tradizionale e virtuale)",
		"Lo studente riconosce una distinta base", "Livello EQF", "Scala di osservazione", "Istituto professionale"} {
		if !strings.Contains(c1, want) {
			t.Errorf("C1 page lacks %q", want)
		}
	}
	_, c1en, h := get(t, srv, "/sectors/meccatronica/competences/C1?lang=en")
	if h.Get("Content-Language") != "en" || !strings.Contains(c1en, "Use advanced computer-aided mechanical drawing tools") || !strings.Contains(c1en, "EQF level") {
		t.Error("C1 page in English is not in English")
	}
	if c := h.Get("Set-Cookie"); !strings.Contains(c, "lang=en") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("language cookie: %q", c)
	}
	if _, en, _ := get(t, srv, "/", "Cookie", "lang=en"); !strings.Contains(en, "Active sectors") {
		t.Error("the language cookie is not honoured")
	}
	if _, en, _ := get(t, srv, "/", "Accept-Language", "en-GB,en;q=0.9"); !strings.Contains(en, "Active sectors") {
		t.Error("Accept-Language is not honoured")
	}
}

func TestCatalogueErrors(t *testing.T) {
	srv := testserver.New(t)
	for target, want := range map[string]int{
		"/sectors/nessuno":                             404,
		"/sectors/meccatronica/competences/C99":        404,
		"/sectors/meccatronica?version=abc":            400,
		"/sectors/meccatronica?version=7":              404,
		"/sectors/meccatronica?version=1":              200,
		"/static/nothing.css":                          404,
		"/sectors/meccatronica/competences/C1?lang=xx": 200,
	} {
		code, body, _ := get(t, srv, target)
		if code != want {
			t.Errorf("%s: %d, want %d", target, code, want)
		}
		if code == 404 && strings.HasPrefix(target, "/sectors") && !strings.Contains(body, "Pagina non trovata") {
			t.Errorf("%s: no Italian error page", target)
		}
	}
}

func TestStaticTraversal(t *testing.T) {
	srv := testserver.New(t)
	for _, target := range []string{"/static/../web.go", "/static/%2e%2e/web.go", "/static//templates/layout.html", "/static/vendor/../../web.go"} {
		if code, body, _ := get(t, srv, target); code == 200 || strings.Contains(body, "package web") {
			t.Errorf("%s: %d", target, code)
		}
	}
}

func TestStaticCaching(t *testing.T) {
	srv := testserver.New(t)
	code, _, h := get(t, srv, "/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css")
	if code != 200 || h.Get("ETag") == "" || !strings.Contains(h.Get("Cache-Control"), "max-age") || !strings.HasPrefix(h.Get("Content-Type"), "text/css") {
		t.Fatalf("%d %v", code, h)
	}
	if code, _, _ := get(t, srv, "/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css", "If-None-Match", h.Get("ETag")); code != 304 {
		t.Errorf("conditional request: %d, want 304", code)
	}
}

// TestStaticReferencesResolve: every /static/ URL in the layout and every
// url() in attesta's stylesheets names a file that is served.
func TestStaticReferencesResolve(t *testing.T) {
	srv := testserver.New(t)
	layout, _ := os.ReadFile("templates/layout.html")
	refs := regexp.MustCompile(`"(/static/[^"]+)"`).FindAllStringSubmatch(string(layout), -1)
	for _, css := range []string{"fonts.css", "attesta.css"} {
		b, err := os.ReadFile("static/" + css)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`url\('([^']+)'\)`).FindAllStringSubmatch(string(b), -1) {
			refs = append(refs, []string{"", "/static/" + m[1]})
		}
	}
	if len(refs) < 10 {
		t.Fatalf("found only %d references", len(refs))
	}
	for _, r := range refs {
		if code, _, _ := get(t, srv, r[1]); code != 200 {
			t.Errorf("%s: %d", r[1], code)
		}
	}
}

// TestTemplatesHaveNoText: templates contain no words of their own (every
// string comes from the catalogues), and every message key they use exists
// in every language.
func TestTemplatesHaveNoText(t *testing.T) {
	keyUse := regexp.MustCompile(`\.T "([^"]+)"`)
	lookup := regexp.MustCompile(`Lookup "([^"]+)"`)
	tags := regexp.MustCompile(`<[^>]*>`)
	entities := regexp.MustCompile(`&[a-z]+;`)
	err := fs.WalkDir(os.DirFS("templates"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile("templates/" + p)
		if err != nil {
			return err
		}
		trees, err := parse.Parse(p, string(b), "{{", "}}", templateFuncs)
		if err != nil {
			return err
		}
		for name, tree := range trees {
			var text strings.Builder
			walk(tree.Root, func(n parse.Node) {
				if tn, ok := n.(*parse.TextNode); ok {
					text.Write(tn.Text)
				} else {
					text.WriteString("\x00")
				}
			})
			rest := entities.ReplaceAllString(tags.ReplaceAllString(text.String(), " "), " ")
			if words := regexp.MustCompile(`\pL{2,}`).FindAllString(rest, -1); len(words) > 0 {
				t.Errorf("%s/%s: text outside the catalogues: %q", p, name, words)
			}
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range i18n.Languages {
				if !i18n.Has(lang, m[1]) {
					t.Errorf("%s: key %q missing in %s", p, m[1], lang)
				}
			}
		}
		for _, m := range lookup.FindAllStringSubmatch(string(b), -1) {
			for _, v := range lookupValues[m[1]] {
				for _, lang := range i18n.Languages {
					if !i18n.Has(lang, m[1]+v) {
						t.Errorf("%s: key %q missing in %s", p, m[1]+v, lang)
					}
				}
			}
			if _, ok := lookupValues[m[1]]; !ok {
				t.Errorf("%s: Lookup prefix %q has no known values in this test", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// templateFuncs names every function the templates may call, for the parser.
var templateFuncs = map[string]any{"sectorCard": true, "competenceOf": true, "not": true, "and": true, "or": true,
	"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true, "len": true, "index": true, "print": true, "printf": true, "slice": true,
	"fields": true, "minutesOf": true, "seconds": true, "orgForm": true, "orgValue": true, "meetingForm": true, "importForm": true, "errorTable": true, "personObject": true, "chamberObject": true, "clearable": true,
	"dict": true, "fid": true, "inc": true, "tutorsOf": true, "minus": true, "taskLists": true, "signOffs": true,
	"has": true, "criteria": true, "testWords": true, "notice": true, "cardOn": true}

// lookupValues are the values each dynamic Lookup prefix can take.
var lookupValues = map[string][]string{
	"verification.verdict.": {"valid", "revoked", "suspended", "invalid"},
	"verification.input.":   {"json", "jwt", "png", "svg", "pdf"},
	"verification.check.":   {"format", "structure", "proof", "issuer", "key", "validity", "status", "notarization", "image"},
	"verification.outcome.": {"pass", "fail", "skip", "warn"},
	"share.done.":           {"on", "off"},
	"rights.state.":         {"requested", "completed"},
	"level.":                {string(competence.Tecnico), string(competence.Professional)},
	"status.":               {string(competence.Draft), string(competence.Published), string(competence.Superseded)},
	"schooltype.":           strs(competence.SchoolTypes),
	"mode.":                 strs(competence.LearningModes),
	"role.":                 strs(auth.Roles),
	"kind.":                 strs(auth.OrgKinds),
	"orgschooltype.":        strs(org.SchoolTypes),
	"object.":               strs(auth.ObjectKinds),
	"tablestatus.":          {"active", "closed"},
	"job.change.":           {"create", "update", "unchanged"},
	"scope.":                {string(auth.ScopeRead), string(auth.ScopeWrite)},
	"draft.mc.": {"eqf_level", "qnq_level", "isced_f", "workload_hours", "credits", "workload", "assessment",
		"quality_assurance", "prerequisites"},
	"diff.op.": strs([]competence.Op{competence.Added, competence.Removed, competence.Changed}),
	"diff.kind.": strs([]competence.Kind{competence.SectorPart, competence.ScalePart, competence.MicroCredentialPart,
		competence.PathPart, competence.PlacePart, competence.CompetencePart, competence.ADAPart, competence.ResultPart,
		competence.ActivityPart, competence.EvidencePart}),
	"diff.field.": {"title", "description", "levels", "label", "former_code", "school_types", "order", "text", "eqf_level",
		"qnq_level", "isced_f", "workload_hours", "credits", "workload", "learning_modes", "assessment", "quality_assurance",
		"esco", "prerequisites"},
	"experience.state.":    strs(experience.States),
	"artefact.kind.label.": strs(artefact.Kinds),
	"observation.state.":   strs(observation.States),
	"dossier.state.":       strs(dossier.States),
	"dossier.to.":          {"school", "company"},
	// The item bank's.
	"item.status.":             strs(item.Statuses),
	"item.kind.":               strs(item.Kinds),
	"item.howto.":              strs(item.Kinds),
	"item.options.hint.":       {string(item.SingleChoice), string(item.MultipleChoice), string(item.TrueFalse), string(item.Ordering), string(item.Matching), string(item.InlineChoice)},
	"item.dimension.":          strs(item.Dimensions),
	"item.difficulty.":         strs(item.Difficulties),
	"item.lang.":               {"it", "en"},
	"item.scoring.":            {string(item.MatchCorrect), string(item.MapResponse)},
	"sitting.done.":            {"authorized", "irregularity", "ended", "released", "paused", "resumed", "ended_attempt", "submitted"},
	"assessment.state.":        strs(assessment.States),
	"wallet.state.":            strs(wallet.States),
	"assessment.event.":        strs(assessment.EventKinds),
	"assessment.irregularity.": strs(assessment.Irregularities),
	"tests.field.":             {"minutes", "attempts", "cooldown"},
	"analysis.flag.":           {"too_few_responses", "too_hard", "too_easy", "negative_discrimination", "weak_discrimination", "non_functioning_distractor"},
	"analysis.reason.":         {"too_few_candidates", "zero_variance", "too_few_common_items", "alpha_unavailable", "negative_alpha"},
	"attempt.kind.":            strs(item.Kinds),
	// The commission's.
	"commission.role.":    strs(commission.Roles),
	"commission.quorum.":  {string(commission.All), string(commission.Majority)},
	"commission.outcome.": strs(commission.Outcomes),
	"commission.ground.":  strs(commission.Grounds),
	"session.done.":       {"opened", "attendance", "declaration", "recusal", "criteria", "proposals", "signature", "issuance", "decided", "status"},
	// The courses'.
	"course.audience.": strs(course.Audiences),
	"course.state.":    strs(course.States),
	"course.outcome.":  {string(course.Completed), string(course.NotCompleted)},
	"course.done.":     {"created", "enrolled", "withdrawn", "started", "attendance", "closed", "cancelled"},
	"course.field.":    {"title.it", "title.en"},
	"job.state.":       strs([]job.State{job.Previewed, job.Queued, job.Running, job.Done, job.Failed, job.Cancelled, job.Expired}),
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func walk(n parse.Node, fn func(parse.Node)) {
	fn(n)
	var lists []*parse.ListNode
	switch n := n.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			walk(c, fn)
		}
	case *parse.IfNode:
		lists = []*parse.ListNode{n.List, n.ElseList}
	case *parse.RangeNode:
		lists = []*parse.ListNode{n.List, n.ElseList}
	case *parse.WithNode:
		lists = []*parse.ListNode{n.List, n.ElseList}
	}
	for _, l := range lists {
		if l != nil {
			walk(l, fn)
		}
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
