package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/testserver"
)

// TestImportTenThousandStudents: a school referent uploads a file of
// 10,000 students in 400 classes over HTTP, confirms the preview, and
// follows the progress as the page's script does (JSON, every 50 ms) until
// the import ends; every student is then in the school's classes.
func TestImportTenThousandStudents(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 rows: not in -short")
	}
	ts, srv := testserver.StartServer(t)
	jar := signIn(t, ts, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	client := &http.Client{Jar: jar, CheckRedirect: noRedirect, Timeout: 2 * time.Minute}

	var csv bytes.Buffer
	csv.WriteString("anno_scolastico,classe,matricola,cognome,nome,recapito,consenso_di\n")
	for c := range 400 {
		for s := range 25 {
			n := c*25 + s + 1
			fmt.Fprintf(&csv, "2027/28,%dX%03d,M%05d,Cognome%d,Nome%d,,\n", 1+c%5, c, n, n, n)
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "diecimila.csv")
	fw.Write(csv.Bytes())
	mw.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/orgs/mitf01000a/import/classes", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	job := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(job, "/import/jobs/") {
		t.Fatalf("upload: %d %s", resp.StatusCode, job)
	}
	_, page := fetch(t, client, "GET", ts.URL+job, nil)
	if !strings.Contains(page, "10000 da creare") {
		t.Fatalf("the preview does not count 10,000 rows to create")
	}
	resp, _ = fetch(t, client, "POST", ts.URL+job+"/apply", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming: %d", resp.StatusCode)
	}
	type progress struct {
		State       string
		Done, Total int
	}
	var seen []progress
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequest("GET", ts.URL+job, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p progress
		err = json.NewDecoder(io.LimitReader(resp.Body, 1<<10)).Decode(&p)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) == 0 || seen[len(seen)-1] != p {
			seen = append(seen, p)
		}
		if p.State != "running" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	last := seen[len(seen)-1]
	if last.State != "done" || last.Done != 10000 || last.Total != 10000 {
		t.Fatalf("the import ended as %+v (seen %v)", last, seen)
	}
	if seen[0].State != "running" {
		t.Errorf("the progress was never seen running: %v", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Done < seen[i-1].Done {
			t.Errorf("progress went back: %v", seen)
		}
	}
	t.Logf("progress seen: %v", seen)
	_, page = fetch(t, client, "GET", ts.URL+job, nil)
	if !strings.Contains(page, "Importazione completata") || !strings.Contains(page, "10000 da creare") {
		t.Errorf("the finished import's page does not say so")
	}
	admin, err := srv.Services().People.PrincipalByEmail(t.Context(), "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	if err != nil {
		t.Fatal(err)
	}
	classes, err := srv.Services().People.Classes(t.Context(), admin, "mitf01000a")
	if err != nil {
		t.Fatal(err)
	}
	students := 0
	for _, c := range classes {
		if c.Year == "2027/28" {
			students += c.Students
		}
	}
	if students != 10000 {
		t.Errorf("%d students in the imported classes", students)
	}
}
