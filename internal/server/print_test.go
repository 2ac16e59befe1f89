package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/pdf/pdftext"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/observation"
)

// TestPrintouts: the demo's closed experience, whose first student's
// dossier is locked. The observation sheet and the dossier print as A4
// PDFs whose text — as Poppler's pdftotext reads it — holds what the pages
// show: every row of the sheet with its level in words, who submitted and
// who countersigned, the hours, the digest and log index of the lock; in
// Italian and in English. The student prints her own; a Chamber of another
// territory gets no PDF.
func TestPrintouts(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	ctx := context.Background()
	svc := srv.Services()
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	es, err := svc.Experiences.List(ctx, chamber, experience.Filter{State: experience.Closed})
	if err != nil || len(es) != 1 {
		t.Fatalf("the demo's closed experience: %v %v", es, err)
	}
	e, err := svc.Experiences.Get(ctx, chamber, es[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	student := e.Design.Students[0]
	name := e.Names[student]
	dv, err := svc.Dossiers.Get(ctx, chamber, e.ID, student)
	if err != nil || dv.Lock == nil {
		t.Fatalf("the demo's locked dossier: %v", err)
	}
	sv, err := svc.Sheets.Sheet(ctx, chamber, e.ID, student)
	if err != nil {
		t.Fatal(err)
	}
	sheet := sv.Current()
	if sheet.Countersigned == nil {
		t.Fatalf("the sheet of the locked dossier is %s", sheet.State)
	}
	q := url.Values{"experience": {e.ID}, "student": {student}}.Encode()
	sheetPDF := "/sheets/" + observation.SheetID(e.ID, student) + "/pdf?" + q
	dossierPDF := "/dossiers/" + dossier.ID(e.ID, student) + "/pdf?" + q

	get := func(jar http.CookieJar, path, lang string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := (&http.Client{Jar: jar}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	pdfOf := func(jar http.CookieJar, path, lang string) string {
		t.Helper()
		status, ctype, body := get(jar, path, lang)
		if status != http.StatusOK || ctype != "application/pdf" {
			t.Fatalf("GET %s: %d %s\n%.300s", path, status, ctype, body)
		}
		info := pdftext.Info(t, body)
		if info["Page size"] != "595.28 x 841.89 pts (A4)" {
			t.Errorf("%s: page size %q, want A4", path, info["Page size"])
		}
		return pdftext.Text(t, body)
	}
	contains := func(what, text string, wants ...string) {
		t.Helper()
		flat := strings.Join(strings.Fields(text), " ")
		for _, w := range wants {
			if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
				t.Errorf("the %s lacks %q:\n%s", what, w, text)
			}
		}
	}

	jar := signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	// The pages link their printouts (the sheet's, of the version shown).
	for page, link := range map[string]string{
		"/sheets/" + observation.SheetID(e.ID, student) + "?" + q: `href="` + strings.ReplaceAll(sheetPDF, "&", "&amp;") + `&amp;version=` + fmt.Sprint(sheet.Version) + `" id="sheet-pdf"`,
		"/dossiers/" + dossier.ID(e.ID, student) + "?" + q:        `href="` + strings.ReplaceAll(dossierPDF, "&", "&amp;") + `" id="dossier-pdf"`,
	} {
		if _, _, body := get(jar, page, "it"); !strings.Contains(string(body), link) {
			t.Errorf("%s does not link its printout (%s)", page, link)
		}
	}
	text := pdfOf(jar, sheetPDF, "it")
	contains("sheet (it)", text, "Scheda di osservazione di "+name, e.Design.Title, e.SchoolName, e.CompanyName,
		sv.Standard.Title.In("it"), "Inviata da", sheet.Submitted.Name, "Controfirmata da", sheet.Countersigned.Name, "Scala di osservazione", "Pagina 1 di")
	levels := map[int]string{}
	for _, l := range sv.Scale {
		levels[l.Value] = l.Label.In("it")
	}
	for _, o := range sheet.Rows {
		// Every row is there, with its level in words.
		want := "Non osservata"
		if !o.NotObserved {
			want = fmt.Sprintf("%d · %s", o.Level, levels[o.Level])
		}
		contains("sheet (it)", text, o.Row.String(), want)
	}
	text = pdfOf(jar, sheetPDF, "en")
	contains("sheet (en)", text, "Observation sheet of "+name, "Submitted by", "Countersigned by", "Observation scale", "Page 1 of")
	if strings.Contains(text, "Scheda di osservazione di") || strings.Contains(text, "Pagina") {
		t.Errorf("the English sheet speaks Italian:\n%s", text)
	}

	text = pdfOf(jar, dossierPDF, "it")
	contains("dossier (it)", text, "Dossier delle evidenze di "+name, "Chiusura per la commissione", dv.Lock.Digest,
		fmt.Sprint(dv.Lock.LogIndex), "Scheda di osservazione (versione", "Pagina 1 di")
	for _, h := range dv.Document.Hours.Records {
		contains("dossier (it)", text, h.Activity)
	}
	for _, r := range dv.Document.Sheet.Rows {
		contains("dossier (it)", text, r.Row)
	}
	text = pdfOf(jar, dossierPDF, "en")
	contains("dossier (en)", text, "Evidence dossier of "+name, "Locked for the commission", dv.Lock.Digest, "Page 1 of")

	// The student prints her own dossier, being compiled: what is missing
	// is in it. Another student's is not hers to print.
	own := signIn(t, ts, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	sara, err := svc.People.PrincipalByEmail(ctx, "studente@feltrinelli.example", "mitf01000a", auth.Student)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := svc.Experiences.List(ctx, sara, experience.Filter{State: experience.InProgress})
	if err != nil || len(mine) != 1 || slices.Contains(e.Design.Students, sara.Person) {
		t.Fatalf("the student's experience in progress: %v %v", mine, err)
	}
	q2 := url.Values{"experience": {mine[0].ID}, "student": {sara.Person}}.Encode()
	contains("dossier (the student's)", pdfOf(own, "/dossiers/"+dossier.ID(mine[0].ID, sara.Person)+"/pdf?"+q2, "it"),
		"Dossier delle evidenze di Sara Esposito", "Che cosa manca")
	for _, path := range []string{sheetPDF, dossierPDF} {
		if status, ctype, _ := get(own, path, "it"); status != http.StatusNotFound || ctype == "application/pdf" {
			t.Errorf("another student's printout: GET %s = %d %s", path, status, ctype)
		}
	}

	// Another territory's Chamber: no PDF.
	other := signIn(t, ts, "operatore@to.example", "cciaa-torino", auth.ChamberOperator)
	for _, path := range []string{sheetPDF, dossierPDF} {
		if status, ctype, _ := get(other, path, "it"); status < 400 || ctype == "application/pdf" {
			t.Errorf("another territory's Chamber: GET %s = %d %s", path, status, ctype)
		}
	}
}

// TestMinutesPrintout: the demo session's signed minutes, read back with
// Poppler, in Italian and in English: A4, the commission and its act, the
// members with their roles and attendance, the recusal, the criteria, the
// candidate and the decision with its votes, the signatures, the digest
// and the log index. A member of another Chamber's commission, and a
// school, get no PDF.
func TestMinutesPrintout(t *testing.T) {
	ts, srv := testserver.StartServer(t)
	sv := testserver.DemoSession(t, srv)
	path := "/commission-sessions/" + sv.ID + "/minutes.pdf"
	read := func(jar http.CookieJar, lang string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := (&http.Client{Jar: jar}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
			return resp.StatusCode, ""
		}
		if info := pdftext.Info(t, body); info["Page size"] != "595.28 x 841.89 pts (A4)" {
			t.Errorf("the minutes (%s): page size %q, want A4", lang, info["Page size"])
		}
		return resp.StatusCode, strings.Join(strings.Fields(pdftext.Text(t, body)), " ")
	}
	jar := signIn(t, ts, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	_, it := read(jar, "it")
	candidate := sv.Candidates[0].Name
	for _, want := range []string{"Verbale n. 1/2026", sv.Commission.Title, sv.Commission.Act, "Giorgio Sala", "Presidente", "Andrea Fontana",
		"Esperto del settore", "Franco Testa", "Supplente", "presente", candidate, "Certificata", "all'unanimità", "Versione 1",
		"firmato il", sv.MinutesDigest, fmt.Sprint(sv.LogIndex), "Pagina 1 di"} {
		if !strings.Contains(it, want) {
			t.Errorf("the minutes (it) lack %q:\n%s", want, it)
		}
	}
	// The expert is recused for the candidate, on his row.
	if i := strings.Index(it, "Andrea Fontana"); i < 0 || !strings.Contains(it[i:min(len(it), i+200)], candidate) {
		t.Errorf("the minutes do not say the expert abstained for %s:\n%s", candidate, it)
	}
	_, en := read(jar, "en")
	for _, want := range []string{"Minutes no. 1/2026", "President", "Sector expert", "Substitute", "present", candidate, "Certified",
		"unanimously", "signed on", sv.MinutesDigest, "Page 1 of"} {
		if !strings.Contains(en, want) {
			t.Errorf("the minutes (en) lack %q:\n%s", want, en)
		}
	}
	if strings.Contains(en, "Verbale n.") || strings.Contains(en, "Pagina") {
		t.Errorf("the English minutes speak Italian:\n%s", en)
	}
	for _, who := range []struct{ email, org string }{{"docente@feltrinelli.example", "cciaa-torino"}, {"referente@feltrinelli.example", "mitf01000a"}} {
		role := auth.CommissionMember
		if who.org == "mitf01000a" {
			role = auth.SchoolReferent
		}
		if status, text := read(signIn(t, ts, who.email, who.org, role), "it"); status < 400 || text != "" {
			t.Errorf("%s gets the minutes: %d", who.email, status)
		}
	}
}
