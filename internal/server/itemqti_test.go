package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/qti"
)

// packageItems are three new items on Meccatronica's C2 (the demo bank's
// items there are all approved: these are its only drafts), of three
// kinds, as a package of another tool would bring them.
func packageItems() []item.Item {
	base := func(id string, kind item.Kind) item.Item {
		return item.Item{ID: id, Version: 1, Status: item.Draft, Lang: "it", Sector: "meccatronica", Standard: 1, Competence: "C2",
			Dimension: item.Knowledge, Difficulty: item.Easy, Kind: kind, Title: "Quesito " + id}
	}
	sc := base("RT-SC", item.SingleChoice)
	sc.Prompt, sc.Shuffle = "Quale strumento misura un diametro interno?", true
	sc.Choices = []item.Choice{{ID: "A", Text: "Alesametro"}, {ID: "B", Text: "Goniometro"}, {ID: "C", Text: "Livella"}}
	sc.Correct, sc.Scoring = []string{"A"}, item.MatchCorrect
	ma := base("RT-MA", item.Matching)
	ma.Prompt = "Associa ogni grandezza alla sua unità."
	ma.Choices = []item.Choice{{ID: "len", Text: "Lunghezza"}, {ID: "ang", Text: "Angolo"}}
	ma.Targets = []item.Choice{{ID: "mm", Text: "millimetro"}, {ID: "deg", Text: "grado"}}
	ma.Correct, ma.Scoring = []string{"len mm", "ang deg"}, item.MapResponse
	ma.Map = &item.Map{Entries: []item.MapEntry{{Key: "len mm", Points: 1}, {Key: "ang deg", Points: 1}}}
	te := base("RT-TE", item.TextEntry)
	te.Prompt, te.Before, te.After = "Completa la frase.", "La rugosità media aritmetica si indica con", "."
	te.Correct, te.Scoring, te.ExpectedLength = []string{"Ra"}, item.MapResponse, 4
	te.Map = &item.Map{Entries: []item.MapEntry{{Key: "Ra", Points: 1}}}
	return []item.Item{sc, ma, te}
}

// exported writes items as a QTI package, or fails the test.
func exported(t *testing.T, items []item.Item) []byte {
	t.Helper()
	data, err := qti.Export(items, nil)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// rewritten is a package with file name's text changed by change.
func rewritten(t *testing.T, data []byte, name string, change func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			b = []byte(change(string(b)))
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

// uploadPackage posts a package to the import page as a person's browser
// does.
func uploadPackage(t *testing.T, ts *httptest.Server, jar http.CookieJar, data []byte) (int, string, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "pacchetto.zip")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/items/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// getWith gets a page or a file with a person's cookies or a token.
func getWith(t *testing.T, ts *httptest.Server, jar http.CookieJar, token, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// postPackage posts a package to the API's import.
func postPackage(t *testing.T, ts *httptest.Server, token, ctype string, data []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/items/import", bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", ctype)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestItemPackagesOverHTTP: a QTI package comes into the bank all or
// none. A package with one item its standard refuses writes none of its
// items, and the page names the item and the field; a package QTI refuses
// is said with each problem's file, line and column. A good package's
// items become drafts; the bank's export of them, imported into another
// platform over the API, gives the same items, whose export there is the
// same package byte for byte.
func TestItemPackagesOverHTTP(t *testing.T) {
	ts := testserver.Start(t)
	jar := signIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	items := packageItems()

	// One bad item: nothing is imported.
	bad := packageItems()
	bad[1].Competence = "C99"
	code, body, _ := uploadPackage(t, ts, jar, exported(t, bad))
	if code != http.StatusBadRequest || !strings.Contains(body, `id="import-items"`) || !strings.Contains(body, "<code>RT-MA</code>") || !strings.Contains(body, "<code>competence</code>") || !strings.Contains(body, "C99") {
		t.Errorf("a package with a bad item: %d\n%s", code, snippet(body))
	}
	for _, it := range items {
		if code, _ := getWith(t, ts, jar, "", "/items/"+it.ID); code != http.StatusNotFound {
			t.Errorf("a refused package left %s: %d", it.ID, code)
		}
	}

	// A package QTI refuses: the problem at its file, line and column.
	hotspot := rewritten(t, exported(t, items), "items/RT-SC.xml", func(s string) string {
		return strings.ReplaceAll(s, "qti-choice-interaction", "qti-hotspot-interaction")
	})
	code, body, _ = uploadPackage(t, ts, jar, hotspot)
	if code != http.StatusBadRequest || !strings.Contains(body, `id="import-problems"`) || !strings.Contains(body, "<code>items/RT-SC.xml</code>") || !strings.Contains(body, "<code>qti-hotspot-interaction</code>") {
		t.Errorf("a package QTI refuses: %d\n%s", code, snippet(body))
	}
	if !regexpLineCol.MatchString(body) {
		t.Error("the problem has no line:column")
	}

	// The good package: three drafts.
	code, _, loc := uploadPackage(t, ts, jar, exported(t, items))
	if code != http.StatusSeeOther || !strings.Contains(loc, "imported=3") {
		t.Fatalf("importing the package: %d %s", code, loc)
	}
	_, page := getWith(t, ts, jar, "", loc)
	for _, it := range items {
		if !strings.Contains(string(page), `href="/items/`+it.ID+`"`) {
			t.Errorf("the drafts' list lacks %s", it.ID)
		}
	}

	// Export → import on another platform → export: the same package.
	code, pkgA := getWith(t, ts, jar, "", "/items/export?competence=C2&status=draft")
	if code != http.StatusOK {
		t.Fatalf("the export: %d %s", code, pkgA)
	}
	read, err := qti.Import(pkgA)
	if err != nil {
		t.Fatal(err)
	}
	want := packageItems()
	slices.SortFunc(want, func(a, b item.Item) int { return strings.Compare(a.ID, b.ID) })
	if a, b := asJSON(read.Items), asJSON(want); a != b {
		t.Errorf("the export's items differ from those imported:\n%s\n%s", a, b)
	}
	tsB, srvB := testserver.StartServer(t)
	_, tokenB := newToken(t, srvB, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	code, body = postPackage(t, tsB, tokenB, "application/zip", pkgA)
	if code != http.StatusCreated || !strings.Contains(body, `"RT-TE"`) {
		t.Fatalf("the API's import: %d %s", code, body)
	}
	code, pkgB := getWith(t, tsB, nil, tokenB, "/api/v1/items/export?competence=C2&status=draft")
	if code != http.StatusOK || !bytes.Equal(pkgA, pkgB) {
		t.Errorf("export → import → export differs (%d): %d and %d bytes", code, len(pkgA), len(pkgB))
	}

	// The API says the problems, and refuses what is not its to import.
	code, body = postPackage(t, tsB, tokenB, "application/zip", pkgA)
	if code != http.StatusBadRequest || !strings.Contains(body, "items[0].id") {
		t.Errorf("importing the same items again: %d %s", code, body)
	}
	code, body = postPackage(t, tsB, tokenB, "application/zip", hotspot)
	var doc struct {
		Package []qti.Problem `json:"package_problems"`
	}
	json.Unmarshal([]byte(body), &doc)
	if code != http.StatusBadRequest || len(doc.Package) == 0 || doc.Package[0].File != "items/RT-SC.xml" || doc.Package[0].Line == 0 {
		t.Errorf("a package QTI refuses, over the API: %d %s", code, body)
	}
	if code, _ := postPackage(t, tsB, tokenB, "text/plain", pkgA); code != http.StatusUnsupportedMediaType {
		t.Errorf("a package as text/plain: %d", code)
	}
	_, chamber := newToken(t, srvB, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if code, _ := postPackage(t, tsB, chamber, "application/zip", pkgA); code != http.StatusForbidden {
		t.Errorf("a Chamber without a bank imports: %d", code)
	}
	// A Chamber exports the approved items only.
	code, pkgC := getWith(t, tsB, nil, chamber, "/api/v1/items/export")
	if code != http.StatusOK {
		t.Fatalf("the Chamber's export: %d", code)
	}
	if got, err := qti.Import(pkgC); err != nil || len(got.Items) == 0 || slices.ContainsFunc(got.Items, func(it item.Item) bool { return it.Status != item.Approved }) {
		t.Errorf("the Chamber's export: %v", err)
	}
}

var regexpLineCol = regexp.MustCompile(`<code>\d+:\d+</code>`)

func asJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}
