package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/testserver"
)

// A file attached with the dossier page's form: a drawing supporting a row is
// kept and shown in the coverage matrix, downloaded as an attachment; a
// program named as a PDF is refused with its reason and nothing changes.
func TestDossierFilesOverHTTP(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	tutor, err := svc.People.PrincipalByEmail(ctx, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	if err != nil {
		t.Fatal(err)
	}
	es, err := svc.Experiences.List(ctx, tutor, experience.Filter{State: experience.InProgress})
	if err != nil || len(es) != 1 {
		t.Fatalf("the demo's experience in progress: %v %v", es, err)
	}
	e := es[0]
	student := e.Design.Students[1]
	v, err := svc.Dossiers.Get(ctx, tutor, e.ID, student)
	if err != nil || len(v.Coverage) < 2 || len(v.Artefacts) != 0 {
		t.Fatalf("the dossier: %+v %v", v, err)
	}
	jar := signIn(t, ts, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := "/dossiers/" + dossier.ID(e.ID, student) + "?" + url.Values{"experience": {e.ID}, "student": {student}}.Encode()
	post := func(name string, content []byte, rows ...string) (*http.Response, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
		for _, r := range rows {
			mw.WriteField("row", r)
		}
		mw.Close()
		u, _ := url.Parse(ts.URL + page)
		u.Path += "/files"
		req, _ := http.NewRequest("POST", u.String(), &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(body)
	}
	pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	program := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 120)...)
	resp, body := post("tavola.pdf", program, v.Coverage[0].Row)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "tavola.pdf") || !strings.Contains(body, "dossier-file-form") {
		t.Fatalf("a program named .pdf: %d %s", resp.StatusCode, snippet(body))
	}
	resp, body = post("tavola.pdf", pdf)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a file supporting no row: %d %s", resp.StatusCode, snippet(body))
	}
	if v, _ := svc.Dossiers.Get(ctx, tutor, e.ID, student); len(v.Artefacts) != 0 {
		t.Fatalf("refused files attached: %+v", v.Artefacts)
	}
	resp, _ = post("tavola.pdf", pdf, v.Coverage[1].Row)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a drawing: %d", resp.StatusCode)
	}
	get := func(path string) (*http.Response, string) {
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	_, body = get(page)
	i := strings.Index(body, `id="dossier-coverage"`)
	if i < 0 || !strings.Contains(body[i:], "tavola.pdf") || !strings.Contains(body[i:], "nessun file") {
		t.Fatalf("the coverage matrix: %s", snippet(body[max(i, 0):]))
	}
	v, _ = svc.Dossiers.Get(ctx, tutor, e.ID, student)
	if len(v.Artefacts) != 1 || v.Coverage[1].Artefacts[0] != v.Artefacts[0].ID {
		t.Fatalf("attached %+v", v.Artefacts)
	}
	u, _ := url.Parse(page)
	u.Path += "/file"
	q := u.Query()
	q.Set("artefact", v.Artefacts[0].ID)
	u.RawQuery = q.Encode()
	resp, file := get(u.String())
	if resp.StatusCode != http.StatusOK || file != string(pdf) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
}
