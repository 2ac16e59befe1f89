package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// has fails the test unless body has every one of wants.
func has(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// errorOf returns the problem shown beside the field whose HTML id is id.
func errorOf(body, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `-error"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// multipleChoice is the editor's form of a multiple choice with partial
// credit on Meccatronica's C2, its options on rows 0, 2 and 3 (row 1
// left blank).
func multipleChoice() url.Values {
	return url.Values{
		"standard": {"meccatronica/1"}, "competence": {"C2"}, "ada": {""}, "result": {""},
		"dimension": {"knowledge"}, "difficulty": {"medium"}, "lang": {"it"}, "kind": {"multiple_choice"},
		"title": {"Strumenti di misura"}, "prompt": {"Quali strumenti misurano un diametro al centesimo di millimetro?\r\n\r\nScegli tutte le risposte corrette."},
		"choices[0].id": {""}, "choices[0].text": {"Calibro a nonio ventesimale"}, "choices[0].points": {"-1"},
		"choices[1].id": {""}, "choices[1].text": {""}, "choices[1].points": {""},
		"choices[2].id": {"MIC"}, "choices[2].text": {"Micrometro centesimale"}, "choices[2].points": {"1"},
		"choices[3].id": {""}, "choices[3].text": {"Comparatore centesimale su supporto"}, "choices[3].points": {"1"},
		"correct": {"2", "3"},
		"scoring": {"map_response"}, "map.default": {""}, "map.lower": {"0"}, "map.upper": {""},
		"shuffle": {"on"},
	}
}

// TestItemEditor: the national body writes a multiple choice with partial
// credit in the editor; a refused save changes nothing and shows the form
// again with everything typed and each problem beside its field (an
// option's problem beside its row, blank rows left out); changing the kind
// shows the form again keeping what was typed; the saved item's page shows
// the preview without the key, and the key.
func TestItemEditor(t *testing.T) {
	ts := testserver.Start(t)
	admin := signedIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)

	// Refused by the domain: no title, an identifier QTI does not take on
	// row 2 (the item's second option), the lower bound above the upper.
	bad := multipleChoice()
	bad.Set("title", "")
	bad.Set("choices[2].id", "1MIC")
	bad.Set("map.upper", "-1")
	code, body, _ := admin.post("/items", bad)
	if code != 400 {
		t.Fatalf("a refused item: %d\n%s", code, body)
	}
	if e := errorOf(body, "f-title"); e == "" {
		t.Error("no problem beside the title")
	}
	if e := errorOf(body, "f-choices-2-id"); !strings.Contains(e, "1MIC") {
		t.Errorf("the identifier's problem beside row 2: %q", e)
	}
	if e := errorOf(body, "f-map"); e == "" {
		t.Error("no problem beside the points (bounds)")
	}
	has(t, "the refused form", body, `id="item-error"`, "Calibro a nonio ventesimale", `value="1MIC"`, "Comparatore centesimale su supporto",
		"Scegli tutte le risposte corrette.", `name="choices[3].points" value="1"`, `value="2" id="f-correct-2" checked`, `value="3" id="f-correct-3" checked`,
		`id="f-map-lower" name="map.lower" value="0"`, `value="map_response" selected`, `value="C2" selected`)
	// Refused by the form itself: points that are not a number.
	bad = multipleChoice()
	bad.Set("choices[0].points", "meno uno")
	code, body, _ = admin.post("/items", bad)
	if code != 400 || !strings.Contains(errorOf(body, "f-choices-0-points"), "meno uno") {
		t.Errorf("points that are not a number: %d %q", code, errorOf(body, "f-choices-0-points"))
	}
	if _, list := admin.get("/items?competence=C2"); strings.Contains(list, "Strumenti di misura") {
		t.Fatal("a refused item was kept")
	}

	// Changing the kind to true/false: true and false on the first rows,
	// the options typed kept below them.
	change := multipleChoice()
	change.Set("kind", "true_false")
	change.Set("op", "refresh")
	code, body, _ = admin.post("/items", change)
	if code != 200 {
		t.Fatalf("changing the kind: %d", code)
	}
	has(t, "the form of another kind", body, `name="choices[0].id" value="true"`, `value="Vero"`, `name="choices[1].id" value="false"`,
		`name="choices[2].text" value="Calibro a nonio ventesimale"`, `name="choices[4].text" value="Micrometro centesimale"`, "Scegli tutte le risposte corrette.")

	// Saved: the item's page.
	code, _, loc := admin.post("/items", multipleChoice())
	if code != 303 || !strings.HasPrefix(loc, "/items/itm") {
		t.Fatalf("saving: %d %s", code, loc)
	}
	_, page := admin.get(loc)
	has(t, "the item's page", page, `id="item-done"`, `id="item-submit"`, `id="item-form"`, `id="item-preview"`, `id="item-key"`,
		"Micrometro centesimale <code>MIC</code>", "punteggio massimo 2", "Punteggio parziale")
	preview := page[strings.Index(page, `id="item-preview"`):strings.Index(page, `id="item-key"`)]
	if strings.Contains(preview, "corretta") || strings.Contains(preview, "MIC") {
		t.Errorf("the preview shows the key:\n%s", preview)
	}
	// The blank row is gone: the options stored are rows 0, 1 and 2, a
	// blank identifier having taken the letter of the row it was typed on.
	has(t, "the editor of the saved item", page, `name="choices[0].id" value="A"`, `name="choices[1].id" value="MIC"`, `name="choices[2].id" value="D"`,
		`name="choices[1].points" value="1"`, `name="choices[0].points" value="-1"`)

	// The draft edited; a page made for another version is refused as
	// stale, keeping what was typed.
	path := loc[:strings.Index(loc, "?")]
	edit := multipleChoice()
	edit.Set("title", "Strumenti di misura centesimali")
	edit.Set("version", "1")
	if code, _, next := admin.post(path, edit); code != 303 || next != path+"?done=saved" {
		t.Fatalf("editing the draft: %d %s", code, next)
	}
	if _, page := admin.get(path); !strings.Contains(page, "<h1 lang=\"it\">Strumenti di misura centesimali</h1>") {
		t.Error("the edit is not on the item's page")
	}
	edit.Set("title", "Un titolo nuovo")
	edit.Set("version", "2")
	code, body, _ = admin.post(path, edit)
	if code != 409 || !strings.Contains(snippetOf(body, `id="item-error"`), "versione 2") || !strings.Contains(body, `value="Un titolo nuovo"`) {
		t.Errorf("a stale edit: %d\n%s", code, snippetOf(body, `id="item-error"`))
	}
}

// TestItemReviewInBrowser: the author sends a draft for review and may not
// approve it (the page says why, 403, nothing changed); the second person
// sends it back with too short a comment (refused beside the field, the
// comment kept), then approves it; a Chamber reads the approved item, with
// no act and no editor, and neither the bank's drafts nor its new-item
// page.
func TestItemReviewInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	admin := signedIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	reviewer := signedIn(t, ts, "revisione@unioncamere.example", "unioncamere", auth.NationalAdmin)
	const path = "/items/MEC-C11-T01"
	if code, _, loc := admin.post(path+"/submit", url.Values{"version": {"1"}}); code != 303 || loc != path+"?done=submit" {
		t.Fatalf("submitting: %d %s", code, loc)
	}
	_, page := admin.get(path)
	has(t, "the page of an item in review, to its author", page, `id="item-own"`, `id="item-approve"`)
	code, body, _ := admin.post(path+"/approve", url.Values{"version": {"1"}})
	if code != 403 || !strings.Contains(body, `id="item-act-error"`) || !strings.Contains(body, "un&#39;altra persona") {
		t.Errorf("the author approves their own item: %d\n%s", code, snippetOf(body, "item-act-error"))
	}
	code, body, _ = reviewer.post(path+"/send-back", url.Values{"version": {"1"}, "comment": {"Rivedi"}})
	if code != 400 || errorOf(body, "f-comment") == "" || !strings.Contains(body, ">Rivedi</textarea>") {
		t.Errorf("a short comment: %d %q", code, errorOf(body, "f-comment"))
	}
	if code, _, _ := reviewer.post(path+"/approve", url.Values{"version": {"1"}}); code != 303 {
		t.Fatalf("the reviewer approves: %d", code)
	}
	_, page = reviewer.get(path)
	has(t, "the approved item", page, `id="item-status">approvato`, "Paolo Greco", `id="item-retire"`, `id="item-revise"`)

	chamber := signedIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	code, page = chamber.get(path)
	if code != 200 || strings.Contains(page, `id="item-acts-title"`) || strings.Contains(page, `id="item-form"`) || !strings.Contains(page, `id="item-key"`) {
		t.Errorf("the Chamber's page of an approved item: %d", code)
	}
	if code, _ := chamber.get("/items/MEC-C7-S01"); code != 404 {
		t.Errorf("the Chamber reads an item in review: %d", code)
	}
	if code, _ := chamber.get("/items/new"); code != 403 {
		t.Errorf("the Chamber's new-item page: %d", code)
	}
	_, list := chamber.get("/items")
	if strings.Contains(list, "MEC-C7-S01") || !strings.Contains(list, "MEC-C11-T01") || strings.Contains(list, `href="/items/new"`) {
		t.Error("the Chamber's list of the bank")
	}
}

func snippetOf(body, id string) string {
	if i := strings.Index(body, id); i >= 0 {
		return body[i:min(len(body), i+400)]
	}
	return body[:min(len(body), 400)]
}
