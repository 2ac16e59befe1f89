package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestImportJobCancelledAndLimited: a preview is cancelled from its page,
// which then says so, and cannot be confirmed any more; a person has at
// most five imports waiting, and is told so.
func TestImportJobCancelledAndLimited(t *testing.T) {
	ts := testserver.Start(t)
	jar := signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	client := &http.Client{Jar: jar, CheckRedirect: noRedirect, Timeout: time.Minute}
	id := startImport(t, ts, jar)
	_, page := fetch(t, client, "GET", ts.URL+"/import/jobs/"+id, nil)
	if !strings.Contains(page, `formaction="/import/jobs/`+id+`/cancel"`) {
		t.Fatalf("the preview offers no cancel button")
	}
	resp, _ := fetch(t, client, "POST", ts.URL+"/import/jobs/"+id+"/cancel", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		t.Errorf("cancelling: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page := fetch(t, client, "GET", ts.URL+"/import/jobs/"+id, nil); !strings.Contains(page, `id="job-ended"`) || !strings.Contains(page, "Importazione annullata") {
		t.Errorf("the cancelled import's page does not say so")
	}
	fetch(t, client, "POST", ts.URL+"/import/jobs/"+id+"/apply", nil)
	req, _ := http.NewRequest("GET", ts.URL+"/import/jobs/"+id, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var pr struct{ State string }
	json.NewDecoder(resp.Body).Decode(&pr)
	resp.Body.Close()
	if pr.State != "cancelled" {
		t.Errorf("a cancelled import confirmed: %s", pr.State)
	}
	// Five waiting, then a sixth is refused on the import page.
	for range 5 {
		startImport(t, ts, jar)
	}
	resp, page = uploadTutors(t, client, ts.URL)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "hai 5 operazioni in attesa o in corso") {
		t.Errorf("a sixth import: %d\n%s", resp.StatusCode, snippet(page))
	}
}

// uploadTutors uploads startImport's tutors file and returns the answer.
func uploadTutors(t *testing.T, client *http.Client, base string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "tutor.csv")
	io.WriteString(fw, "email,cognome,nome,ruolo,organizzazione\nanna.neri@feltrinelli.example,Neri,Anna,tutor_scolastico,MITF01000A\n")
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/import/tutors", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
