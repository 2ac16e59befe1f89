package server_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/testserver"
)

// send sends a request with a session (jar) or a token, and returns the
// status, the body and the redirect's target.
func send(t *testing.T, ts *httptest.Server, method, path string, jar http.CookieJar, token string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
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
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// TestDraftsAreNotFoundToOthers: once the national body makes a draft,
// every page and API route that could show it answers 404 to anyone else,
// signed in or not, and shows it to the national body.
func TestDraftsAreNotFoundToOthers(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	admin := signIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if code, _, loc := send(t, ts, "POST", "/sectors/meccatronica/drafts", admin, "", url.Values{}); code != 303 || loc != "/sectors/meccatronica/draft" {
		t.Fatalf("making a draft: %d %s", code, loc)
	}
	_, adminToken := newToken(t, srv, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	_, chamberToken := newToken(t, srv, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	_, tutorToken := newToken(t, srv, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	readable := []string{
		"/sectors/meccatronica?version=2",
		"/sectors/meccatronica/competences/C1?version=2",
		"/sectors/meccatronica/diff?from=1&to=2",
		"/sectors/turismo", // a sector with only a draft
		"/sectors/turismo/competences/T1",
		"/api/v1/standards/meccatronica/versions/2",
		"/api/v1/sectors/turismo",
		"/api/v1/sectors/meccatronica/diff?from=1&to=2",
	}
	visitors := []struct {
		name  string
		jar   http.CookieJar
		token string
	}{
		{"a visitor", nil, ""},
		{"a Chamber operator", signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator), chamberToken},
		{"a company tutor", signIn(t, ts, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor), tutorToken},
	}
	for _, v := range visitors {
		for _, path := range readable {
			if code, body, _ := send(t, ts, "GET", path, v.jar, v.token, nil); code != 404 {
				t.Errorf("%s: GET %s: %d\n%s", v.name, path, code, snippet(body))
			}
		}
		code, _, loc := send(t, ts, "GET", "/sectors/meccatronica/draft", v.jar, "", nil)
		if v.jar == nil && (code != 303 || !strings.HasPrefix(loc, "/login")) || v.jar != nil && code != 404 {
			t.Errorf("%s: the draft's page: %d %s", v.name, code, loc)
		}
		want := 404
		if v.token == "" {
			want = 401
		}
		if code, _, _ := send(t, ts, "GET", "/api/v1/sectors/meccatronica/draft", nil, v.token, nil); code != want {
			t.Errorf("%s: the draft in the API: %d, want %d", v.name, code, want)
		}
		// The home page and the lists leave drafts out.
		if _, home, _ := send(t, ts, "GET", "/", v.jar, "", nil); strings.Contains(home, `href="/sectors/turismo"`) {
			t.Errorf("%s sees a draft on the home page", v.name)
		}
		if _, list, _ := send(t, ts, "GET", "/api/v1/standards", nil, "", nil); strings.Contains(list, `"draft"`) {
			t.Errorf("the API lists a draft: %s", list)
		}
	}
	// A bad token is refused, not taken for a visitor.
	if code, _, _ := send(t, ts, "GET", "/api/v1/sectors/meccatronica/diff?from=1&to=2", nil, "attesta_pat_nope", nil); code != 401 {
		t.Errorf("the diff with a bad token: %d", code)
	}
	// The national body sees them all.
	for _, path := range append(readable[:5], "/sectors/meccatronica/draft") {
		if code, body, _ := send(t, ts, "GET", path, admin, "", nil); code != 200 && !strings.HasSuffix(path, "T1") {
			t.Errorf("the national body: GET %s: %d\n%s", path, code, snippet(body))
		}
	}
	for _, path := range []string{"/api/v1/sectors/meccatronica/draft", "/api/v1/sectors/meccatronica/diff?from=1&to=2"} {
		if code, body, _ := send(t, ts, "GET", path, nil, adminToken, nil); code != 200 {
			t.Errorf("the national body: GET %s: %d %s", path, code, body)
		}
	}
	if _, home, _ := send(t, ts, "GET", "/", admin, "", nil); !strings.Contains(home, `href="/sectors/turismo"`) {
		t.Error("the national body does not see the sectors in preparation")
	}
}

// field returns the value of the input named name in a page, or of its
// textarea.
func field(page, name string) (string, bool) {
	q := regexp.QuoteMeta(name)
	if m := regexp.MustCompile(`name="` + q + `" value="([^"]*)"`).FindStringSubmatch(page); m != nil {
		return m[1], true
	}
	if m := regexp.MustCompile(`name="` + q + `" rows="\d+"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(page); m != nil {
		return m[1], true
	}
	return "", false
}

// TestEditorKeepsWhatWasTyped: a competence's form with a bad value and a
// new evidence is refused with the problem beside its field, everything
// typed shown again and nothing changed; rows added and removed keep what
// was typed; fixed, it is saved and recorded.
func TestEditorKeepsWhatWasTyped(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	admin := signIn(t, ts, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	send(t, ts, "POST", "/sectors/meccatronica/drafts", admin, "", url.Values{})
	const page = "/sectors/meccatronica/draft/competences/C1"
	code, body, _ := send(t, ts, "GET", page, admin, "", nil)
	if code != 200 {
		t.Fatalf("the competence's page: %d\n%s", code, snippet(body))
	}
	// The form as the page gives it.
	form := url.Values{}
	for _, m := range regexp.MustCompile(`name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if m[1] != "op" && !strings.HasSuffix(m[1], "learning_modes") {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	for _, m := range regexp.MustCompile(`name="([^"]+)" rows="\d+"[^>]*>([^<]*)</textarea>`).FindAllStringSubmatch(body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	const ev = "ada[0].results[0].activities[0].evidences[0].text.it"
	if form.Get(ev) == "" || form.Get("version") != "2" {
		t.Fatalf("the form lacks the first evidence or the version: %v", form)
	}
	// Add an evidence: the form comes back with one more row, nothing saved.
	form.Set(ev, "Lo studente legge un disegno complesso")
	form.Set("op", "add:ada[0].results[0].activities[0].evidences")
	code, body, _ = send(t, ts, "POST", page, admin, "", form)
	form.Del("op")
	n := len(regexp.MustCompile(`name="ada\[0\]\.results\[0\]\.activities\[0\]\.evidences\[\d+\]\.text\.it"`).FindAllString(body, -1))
	if v, _ := field(body, ev); code != 200 || v != "Lo studente legge un disegno complesso" {
		t.Fatalf("after adding a row: %d, the typed evidence reads %q", code, v)
	}
	newEv := "ada[0].results[0].activities[0].evidences[" + itoa(n-1) + "].text.it"
	if v, ok := field(body, newEv); !ok || v != "" {
		t.Fatalf("no new empty evidence %s (%d rows)", newEv, n)
	}
	// A bad EQF level and a new evidence typed: refused, both kept.
	form.Set(newEv, "Lo studente usa il CAD")
	form.Set("microcredential.eqf_level", "12")
	code, body, _ = send(t, ts, "POST", page, admin, "", form)
	if code != 400 {
		t.Fatalf("a bad EQF level: %d", code)
	}
	if v, _ := field(body, "microcredential.eqf_level"); v != "12" {
		t.Errorf("the EQF level typed is shown as %q", v)
	}
	if v, _ := field(body, newEv); v != "Lo studente usa il CAD" {
		t.Errorf("the new evidence typed is shown as %q", v)
	}
	if !strings.Contains(body, `id="f-microcredential-eqf-level-error">il livello EQF deve essere tra 1 e 8`) &&
		!regexp.MustCompile(`id="f-microcredential-eqf-level-error">[^<]*12`).MatchString(body) {
		t.Errorf("no problem beside the EQF level:\n%s", snippet(body[strings.Index(body, "eqf_level"):]))
	}
	admins := func() *auth.Principal {
		p, err := srv.Services().People.PrincipalByEmail(ctx, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}()
	d, err := srv.Services().Standards.Draft(ctx, admins, "meccatronica")
	if err != nil {
		t.Fatal(err)
	}
	v1, _ := srv.Services().Standards.Version(ctx, nil, "meccatronica", 1)
	if cs := competence.Diff(v1, d); len(cs) != 0 {
		t.Fatalf("a refused form changed the draft: %v", cs)
	}
	// A number that is not one is refused beside its field too.
	form.Set("microcredential.eqf_level", "quattro")
	if code, body, _ = send(t, ts, "POST", page, admin, "", form); code != 400 || !strings.Contains(html.UnescapeString(body), `"quattro" non è un numero intero`) {
		t.Errorf("a level that is not a number: %d", code)
	}
	// Fixed: saved, and the page says so.
	form.Set("microcredential.eqf_level", "")
	code, _, loc := send(t, ts, "POST", page, admin, "", form)
	if code != 303 || loc != page+"?saved=1" {
		t.Fatalf("saving: %d %s", code, loc)
	}
	d, _ = srv.Services().Standards.Draft(ctx, admins, "meccatronica")
	cs := competence.Diff(v1, d)
	if len(cs) != 2 || cs[0].Op != competence.Changed || cs[1].Op != competence.Added || cs[1].Kind != competence.EvidencePart {
		t.Errorf("saved changes: %+v", cs)
	}
	// The trail says what changed, with the previous value.
	_, trail, _ := send(t, ts, "GET", "/audit?kind=standard", admin, "", nil)
	trail = html.UnescapeString(trail)
	for _, want := range []string{"Bozza di uno standard modificata", "Bozza di uno standard creata", "Meccatronica, versione 2",
		"Lo studente legge un disegno complesso", "Lo studente usa il CAD", v1.Competences[0].ADA[0].Results[0].Activities[0].Evidences[0].Text.IT} {
		if !strings.Contains(trail, want) {
			t.Errorf("the audit trail lacks %q", want)
		}
	}
	// Removing a row, then moving one up, keeps the rest as typed.
	form.Set("op", "remove:ada[0].results[0].activities[0].evidences[0]")
	_, body, _ = send(t, ts, "POST", page, admin, "", form)
	if v, _ := field(body, ev); v == "Lo studente legge un disegno complesso" {
		t.Error("the removed evidence is still first")
	}
	// The header's scale descriptor: saved, and the trail says what
	// changed.
	_, body, _ = send(t, ts, "GET", "/sectors/meccatronica/draft", admin, "", nil)
	if !strings.Contains(body, `id="draft-diff"`) || !strings.Contains(body, `id="header-form"`) {
		t.Fatalf("the draft's page:\n%s", snippet(body))
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestDraftAPI: the national body makes a draft, reads it, replaces it
// (refused with each problem's path, then accepted), compares it with the
// published version, and publishes it; the published version is superseded
// and unchanged.
func TestDraftAPI(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	_, token := newToken(t, srv, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	call := func(method, path string, body any) (int, []byte) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = strings.NewReader(string(b))
		}
		req, _ := http.NewRequest(method, ts.URL+path, r)
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, b := call("POST", "/api/v1/sectors/meccatronica/draft", nil)
	if code != 201 {
		t.Fatalf("making a draft: %d %s", code, b)
	}
	code, b = call("GET", "/api/v1/sectors/meccatronica/draft", nil)
	var d competence.Standard
	if code != 200 || json.Unmarshal(b, &d) != nil || d.Version != 2 || d.Status != competence.Draft {
		t.Fatalf("reading the draft: %d %s", code, b)
	}
	bad := d
	bad.Competences = append([]competence.Competence(nil), d.Competences...)
	bad.Competences[2].MicroCredential.ISCEDF = "71"
	code, b = call("PUT", "/api/v1/sectors/meccatronica/draft", bad)
	var prob struct {
		Key      string `json:"key"`
		Problems []struct{ Path, Key, IT, EN string }
	}
	if code != 400 || json.Unmarshal(b, &prob) != nil || len(prob.Problems) != 1 || prob.Problems[0].Path != "competences[2].microcredential.isced_f" ||
		prob.Problems[0].Key != "err.competence.iscedf.form" || prob.Problems[0].IT == "" {
		t.Fatalf("a bad draft: %d %s", code, b)
	}
	good := d
	good.Competences = append([]competence.Competence(nil), d.Competences...)
	good.Competences[2].Title.EN = "Assemble mechanical groups"
	if code, b = call("PUT", "/api/v1/sectors/meccatronica/draft", good); code != 200 {
		t.Fatalf("replacing the draft: %d %s", code, b)
	}
	code, b = call("GET", "/api/v1/sectors/meccatronica/diff?from=1&to=2", nil)
	var diff struct {
		From, To int
		Changes  []competence.Change
	}
	if code != 200 || json.Unmarshal(b, &diff) != nil || len(diff.Changes) != 1 || diff.Changes[0].Path != "competences["+d.Competences[2].Code+"]" ||
		diff.Changes[0].Field != "title" {
		t.Fatalf("the diff: %d %s", code, b)
	}
	if code, b = call("POST", "/api/v1/sectors/meccatronica/draft/publish?version=2", nil); code != 200 {
		t.Fatalf("publishing: %d %s", code, b)
	}
	code, b = call("GET", "/api/v1/standards/meccatronica/versions/1", nil)
	var v1 competence.Standard
	if code != 200 || json.Unmarshal(b, &v1) != nil || v1.Status != competence.Superseded || competence.ComputeDigest(&v1) != v1.Digest {
		t.Errorf("v1 after publishing v2: %d %s %s", code, v1.Status, v1.Digest)
	}
	if code, _ := call("GET", "/api/v1/sectors/meccatronica/draft", nil); code != 404 {
		t.Errorf("a draft after publishing: %d", code)
	}
}
