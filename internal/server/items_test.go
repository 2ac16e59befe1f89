package server_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/qti"
)

// callAPI sends a JSON request with a personal access token and decodes
// the answer into out (when not nil); it returns the status and the body.
func callAPI(t *testing.T, ts *httptest.Server, token, method, path, body string, out any) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, ts.URL+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode, string(raw)
}

// TestItemBankOverAPI: the national body writes an item over the API, sends
// it for review, cannot approve it itself, and its second person approves
// it; a Chamber sees the bank's approved items and not its drafts or the
// items in review; a school's roles and students do not see the bank.
func TestItemBankOverAPI(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	_, author := newToken(t, srv, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	_, reviewer := newToken(t, srv, "revisione@unioncamere.example", "unioncamere", auth.NationalAdmin)
	body := `{"lang":"it","sector":"meccatronica","standard":1,"competence":"C5","dimension":"knowledge","difficulty":"easy",
		"kind":"true_false","title":"Scheda tecnica","prompt":"La scheda tecnica di un componente indica i suoi limiti di impiego.",
		"choices":[{"id":"true","text":"Vero"},{"id":"false","text":"Falso"}],"correct":["true"],"scoring":"match_correct"}`
	var v item.Version
	if status, raw := callAPI(t, ts, author, "POST", "/api/v1/items", body, &v); status != http.StatusCreated || v.Status != item.Draft || v.Version != 1 {
		t.Fatalf("create: %d %s", status, raw)
	}
	if status, raw := callAPI(t, ts, author, "POST", "/api/v1/items", strings.Replace(body, `"C5"`, `"C99"`, 1), nil); status != http.StatusBadRequest || !strings.Contains(raw, "C99") {
		t.Errorf("an item on a competence not in the standard: %d %s", status, raw)
	}
	path := "/api/v1/items/" + v.ID
	if status, raw := callAPI(t, ts, author, "POST", path+"/submit", `{"version":1}`, &v); status != http.StatusOK || v.Status != item.Review {
		t.Fatalf("submit: %d %s", status, raw)
	}
	if status, raw := callAPI(t, ts, author, "POST", path+"/approve", `{"version":1}`, nil); status != http.StatusForbidden || !strings.Contains(raw, "err.item.approve.self") && !strings.Contains(raw, v.ID) {
		t.Errorf("the author approves their own item: %d %s", status, raw)
	}
	if status, raw := callAPI(t, ts, reviewer, "POST", path+"/approve", `{"version":1}`, &v); status != http.StatusOK || v.Status != item.Approved || v.ReviewerName != "Paolo Greco" {
		t.Fatalf("approve: %d %s", status, raw)
	}
	if status, raw := callAPI(t, ts, reviewer, "POST", path+"/retire", `{"version":9}`, nil); status != http.StatusConflict {
		t.Errorf("a stale version retired: %d %s", status, raw)
	}

	_, chamber := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	var list struct{ Items []item.Version }
	if status, raw := callAPI(t, ts, chamber, "GET", "/api/v1/items?sector=meccatronica", "", &list); status != http.StatusOK {
		t.Fatalf("the Chamber's list: %d %s", status, raw)
	}
	var ids []string
	for _, it := range list.Items {
		ids = append(ids, it.ID)
		if it.Status != item.Approved {
			t.Errorf("the Chamber lists %s %s", it.ID, it.Status)
		}
	}
	if !slices.Contains(ids, v.ID) || !slices.Contains(ids, "MEC-C1-K01") || slices.Contains(ids, "MEC-C11-T01") || slices.Contains(ids, "MEC-C7-S01") {
		t.Errorf("the Chamber lists %v", ids)
	}
	for _, id := range []string{"MEC-C11-T01", "MEC-C7-S01"} { // a draft, one in review
		if status, _ := callAPI(t, ts, chamber, "GET", "/api/v1/items/"+id, "", nil); status != http.StatusNotFound {
			t.Errorf("the Chamber reads %s: %d", id, status)
		}
	}
	if status, _ := callAPI(t, ts, chamber, "PUT", "/api/v1/items/MEC-C1-K01", `{"version":1,"item":{}}`, nil); status != http.StatusForbidden {
		t.Errorf("the Chamber edits the national bank: %d", status)
	}
	for _, who := range []struct {
		email, org string
		role       auth.Role
	}{{"docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor}, {"studente@feltrinelli.example", "mitf01000a", auth.Student}} {
		_, tok := newToken(t, srv, who.email, who.org, who.role)
		if status, _ := callAPI(t, ts, tok, "GET", "/api/v1/items/MEC-C1-K01", "", nil); status != http.StatusForbidden {
			t.Errorf("%s reads an item (and its answer key): %d", who.role, status)
		}
	}
}

// TestItemAnalysisOverAPI: the national body's item analysis of
// Meccatronica 1 reads the demo's three first attempts (two in the sitting
// ended, one in the open one): every item of the test drawn by all three,
// each flagged as having too few responses to judge; no candidate is named
// in it. A Chamber may not read it.
func TestItemAnalysisOverAPI(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	_, admin := newToken(t, srv, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	var rep struct {
		Attempts int
		Items    []struct {
			Item     string
			N        int
			Facility float64
			Flags    []string
		}
		Tests []struct {
			Title string
			Stats struct {
				N, Items    int
				CommonItems int `json:"common_items"`
			} `json:"stats"`
		}
	}
	status, raw := callAPI(t, ts, admin, "GET", "/api/v1/statistics/items?sector=meccatronica&standard=1", "", &rep)
	if status != http.StatusOK || rep.Attempts != 3 || len(rep.Items) != 6 || len(rep.Tests) != 1 {
		t.Fatalf("%d %s", status, raw)
	}
	if st := rep.Tests[0].Stats; st.N != 3 || st.Items != 6 || st.CommonItems != 6 {
		t.Errorf("test stats %+v", st)
	}
	for _, it := range rep.Items {
		if it.N != 3 || it.Facility < 0 || it.Facility > 1 || !slices.Equal(it.Flags, []string{"too_few_responses"}) {
			t.Errorf("item %+v", it)
		}
	}
	ctx := t.Context()
	for _, email := range []string{"studente@feltrinelli.example"} {
		p, err := srv.Services().People.PrincipalByEmail(ctx, email, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, p.Person) {
			t.Errorf("the analysis names a person")
		}
	}
	sittings, _ := srv.Services().Tests.Sittings(ctx, &auth.Principal{Person: "x", Membership: auth.Membership{Role: auth.NationalAdmin}})
	for _, st := range sittings {
		for _, c := range st.Candidates {
			if strings.Contains(raw, c.Person) || strings.Contains(raw, c.Name) {
				t.Errorf("the analysis names candidate %s", c.Name)
			}
		}
	}
	_, chamber := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if status, _ := callAPI(t, ts, chamber, "GET", "/api/v1/statistics/items?sector=meccatronica&standard=1", "", nil); status != http.StatusForbidden {
		t.Errorf("a Chamber reads the item analysis: %d", status)
	}
}

// TestSittingResultsExport: the school exports the ended demo sitting's
// results as CSV (a header and a row per attempt and item, the candidates
// by their ids) and as QTI 3.0 Results Reporting documents, one per
// attempt, each with the total and C1's score.
func TestSittingResultsExport(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := t.Context()
	referent, err := srv.Services().People.PrincipalByEmail(ctx, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	if err != nil {
		t.Fatal(err)
	}
	sittings, err := srv.Services().Tests.Sittings(ctx, referent)
	if err != nil {
		t.Fatal(err)
	}
	ended := ""
	for _, st := range sittings {
		if !st.Ended.IsZero() {
			ended = st.ID
		}
	}
	_, token := newToken(t, srv, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	status, csv := callAPI(t, ts, token, "GET", "/api/v1/sittings/"+ended+"/results", "", nil)
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if status != http.StatusOK || len(lines) != 1+2*6 || !strings.HasPrefix(lines[0], "candidate,session,test,finished,sequence,item") {
		t.Fatalf("CSV: %d\n%s", status, csv)
	}
	status, raw := callAPI(t, ts, token, "GET", "/api/v1/sittings/"+ended+"/results?format=qti", "", nil)
	if status != http.StatusOK {
		t.Fatalf("QTI: %d %s", status, raw)
	}
	zr, err := zip.NewReader(strings.NewReader(raw), int64(len(raw)))
	if err != nil || len(zr.File) != 2 {
		t.Fatalf("QTI zip: %v", err)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		doc, _ := io.ReadAll(rc)
		rc.Close()
		for _, want := range []string{"<assessmentResult", "http://www.imsglobal.org/xsd/imsqti_result_v3p0", `identifier="SCORE_C1"`, "<itemResult"} {
			if !strings.Contains(string(doc), want) {
				t.Errorf("%s lacks %s:\n%s", f.Name, want, doc)
			}
		}
	}
	_, student := newToken(t, srv, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	if status, _ := callAPI(t, ts, student, "GET", "/api/v1/sittings/"+ended+"/results", "", nil); status != http.StatusForbidden {
		t.Errorf("a candidate exports the sitting's results: %d", status)
	}
}

// TestTestAsQTI: the demo's test exports as a QTI 3.0 package that the
// QTI reader takes back: one test, a section per competence × dimension
// selecting its count from the items it draws from, shuffled, with those
// items in the package.
func TestTestAsQTI(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := t.Context()
	referent, err := srv.Services().People.PrincipalByEmail(ctx, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := srv.Services().Tests.Blueprints(ctx, referent)
	if err != nil || len(bs) == 0 {
		t.Fatalf("the demo's test: %v", err)
	}
	_, token := newToken(t, srv, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	status, raw := callAPI(t, ts, token, "GET", "/api/v1/tests/"+bs[0].ID+"/qti", "", nil)
	if status != http.StatusOK {
		t.Fatalf("%d %s", status, raw)
	}
	pkg, err := qti.Import([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Tests) != 1 || len(pkg.Tests[0].Sections) != 3 || len(pkg.Items) != 6 || pkg.Tests[0].TimeLimit != 1800 {
		t.Fatalf("package: %d tests, %d items: %+v", len(pkg.Tests), len(pkg.Items), pkg.Tests)
	}
	for i, sec := range pkg.Tests[0].Sections {
		c := bs[0].Cells[i]
		if sec.Competence != c.Competence || sec.Dimension != c.Dimension || sec.Select != c.Count || !sec.Shuffle || len(sec.Items) < c.Count {
			t.Errorf("section %d %+v for cell %+v", i, sec, c)
		}
	}
	_, student := newToken(t, srv, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	if status, _ := callAPI(t, ts, student, "GET", "/api/v1/tests/"+bs[0].ID+"/qti", "", nil); status != http.StatusForbidden {
		t.Errorf("a student exports the test: %d", status)
	}
}

// TestTestFromQTI: the demo's test, exported as QTI, imports as a new test
// of the national body with the pass mark, attempts and cool-down the
// query gives: the same cells, drawn from the same bank; a package without
// a test is refused, naming why, and creates nothing.
func TestTestFromQTI(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := t.Context()
	_, chamber := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	var tests struct{ Items []assessment.Blueprint }
	if status, raw := callAPI(t, ts, chamber, "GET", "/api/v1/tests", "", &tests); status != http.StatusOK || len(tests.Items) == 0 {
		t.Fatalf("%d %s", status, raw)
	}
	orig := tests.Items[0]
	_, pkg := callAPI(t, ts, chamber, "GET", "/api/v1/tests/"+orig.ID+"/qti", "", nil)
	_, admin := newToken(t, srv, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	post := func(body, query string) (int, string) {
		req, _ := http.NewRequest("POST", ts.URL+"/api/v1/tests/import"+query, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/zip")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	status, raw := post(pkg, "?threshold=70&attempts=2&cooldown=3")
	var created struct{ Items []assessment.Blueprint }
	if status != http.StatusCreated || json.Unmarshal([]byte(raw), &created) != nil || len(created.Items) != 1 {
		t.Fatalf("import: %d %s", status, raw)
	}
	b := created.Items[0]
	if b.ID == orig.ID || b.Owner != "" || b.Title != orig.Title || b.Sector != orig.Sector || b.Standard != orig.Standard || b.Lang != orig.Lang ||
		!slices.Equal(b.Cells, orig.Cells) || b.TimeLimit != orig.TimeLimit || b.Attempts != 2 || b.Cooldown.Hours() != 72 ||
		len(b.Thresholds) != 1 || b.Thresholds[0].Percent != 70 {
		t.Errorf("imported %+v from %+v", b, orig)
	}
	// A package of items alone holds no test.
	_, itemsOnly := callAPI(t, ts, admin, "GET", "/api/v1/items/export", "", nil)
	before, _ := srv.Services().Tests.Blueprints(ctx, &auth.Principal{Person: "x", Membership: auth.Membership{Role: auth.NationalAdmin}})
	if status, raw := post(itemsOnly, ""); status != http.StatusBadRequest || !strings.Contains(raw, "qti-assessment-test") {
		t.Errorf("a package without tests: %d %s", status, raw)
	}
	after, _ := srv.Services().Tests.Blueprints(ctx, &auth.Principal{Person: "x", Membership: auth.Membership{Role: auth.NationalAdmin}})
	if len(after) != len(before) {
		t.Error("a refused import created a test")
	}
	if status, _ := callAPI(t, ts, chamber, "POST", "/api/v1/tests/import", "{}", nil); status != http.StatusUnsupportedMediaType {
		t.Errorf("a JSON body: %d", status)
	}
}
