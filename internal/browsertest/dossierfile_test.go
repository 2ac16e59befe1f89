package browsertest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/internal/testserver"
)

// coverageRow is a row of the dossier's coverage matrix, as the page shows it.
type coverageRow struct {
	Row   string `json:"row"`
	Files string `json:"files"`
}

// coverage reads the coverage matrix of the dossier's page.
func coverage(t *testing.T, ctx context.Context) []coverageRow {
	t.Helper()
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]coverageRow](`[...document.querySelectorAll('#dossier-coverage tbody tr')].map(tr =>
		({row: tr.cells[0].querySelector('code').textContent.trim(), files: tr.cells[1].textContent.trim()}))`))
	if err != nil || len(rows) == 0 {
		t.Fatalf("the coverage matrix: %v %v", rows, err)
	}
	return rows
}

// dossierFiles returns the names of the files the dossier's page lists.
func dossierFiles(t *testing.T, ctx context.Context) []string {
	t.Helper()
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#dossier-files a[download]')].map(a => a.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// download is a file as the browser downloads it from a page's link.
type download struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Length      string `json:"length"`
	Base64      string `json:"base64"`
}

// fetchFile downloads the file of the link whose text is name, in #dossier-files,
// with the page's cookies.
func fetchFile(t *testing.T, ctx context.Context, name string) (download, []byte) {
	t.Helper()
	js := `(async () => {
		const a = [...document.querySelectorAll('#dossier-files a[download]')].find(a => a.textContent.trim() === ` + "`" + name + "`" + `);
		if (!a) return {status: 0};
		const r = await fetch(a.href);
		const b = new Uint8Array(await r.arrayBuffer());
		let s = ''; for (const c of b) s += String.fromCharCode(c);
		return {status: r.status, type: r.headers.get('Content-Type') || '', disposition: r.headers.get('Content-Disposition') || '',
			length: r.headers.get('Content-Length') || '', base64: btoa(s)};
	})()`
	d, err := chromedp.Run(ctx, chromedp.Evaluate[download](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if d.Status == 0 {
		t.Fatalf("no link to download %s in %q", name, text(t, ctx, "#dossier-files"))
	}
	b, err := base64.StdEncoding.DecodeString(d.Base64)
	if err != nil {
		t.Fatal(err)
	}
	return d, b
}

// photo returns a small real PNG: a 24 × 16 gradient.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 24, 16))
	for x := range 24 {
		for y := range 16 {
			img.Set(x, y, color.RGBA{uint8(x * 10), uint8(y * 15), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// attach chooses a file in the dossier's form, ticks the rows of the given
// indexes and sends it, waiting for the page that answers.
func attach(t *testing.T, ctx context.Context, path string, rows ...int) {
	t.Helper()
	do(t, ctx, chromedp.SetUploadFiles(chromedp.CSS("#file-input"), []string{path}))
	for _, i := range rows {
		id := "file-row-" + strconv.Itoa(i)
		if count(t, ctx, "#"+id+":checked") == 0 {
			do(t, ctx, chromedp.Click(chromedp.CSS(`label[for="`+id+`"]`)))
		}
	}
	send(t, ctx, "#dossier-file-submit", "#dossier-saved, #dossier-error, #dossier-file-form .invalid-feedback")
}

// send clicks the button sel of a form and waits for the element wait of
// the page that answers: a new page, not the one marked before the click.
func send(t *testing.T, ctx context.Context, sel, wait string) {
	t.Helper()
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.body.dataset.sent = 'yes'`), chromedp.Click(chromedp.CSS(sel)))
	waitFor(t, ctx, "body:not([data-sent]) :is("+wait+")")
}

// TestDossierFilesInBrowser: the student Sara Esposito, whose experience is
// in progress, attaches from her dossier's page a photo (a real PNG chosen
// in the file input) supporting two rows of her sheet: the page says it was
// attached, lists it, and the coverage matrix shows it on those two rows
// only; downloaded from the page it is the same bytes, as an attachment. A
// program named as a PNG is refused with its precise reason, and so is a
// file supporting no row, beside the rows; nothing is added, and the rows
// ticked stay ticked. The company tutor sees and downloads her photo and
// removes it. axe-core checks every page.
func TestDossierFilesInBrowser(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	signIn(t, ctx, ts.URL, "studente@feltrinelli.example", demo.Password, dashboard)
	do(t, ctx, chromedp.Navigate(experienceHref(t, ctx, ts.URL, "Progettazione CAD di attrezzature")), chromedp.WaitVisible(chromedp.CSS("#student-files")),
		chromedp.Click(chromedp.CSS(`#student-files a[href^="/dossiers/"]`)), chromedp.WaitVisible(chromedp.CSS("#dossier-file-form")))
	dossierURL := location(t, ctx)
	if h1 := text(t, ctx, "main h1"); !strings.Contains(h1, "Sara Esposito") {
		t.Errorf("the student's dossier: %q", h1)
	}
	before := coverage(t, ctx)
	if len(before) < 4 {
		t.Fatalf("the demo dossier has %d rows", len(before))
	}
	// The demo's report supports the first two rows.
	if files := dossierFiles(t, ctx); !slices.Equal(files, []string{"relazione.txt"}) {
		t.Fatalf("the demo dossier's files: %q", files)
	}
	clean(t, ctx)
	browsertest.Screenshot(t, ctx, "dossier-files-1-before")

	// A photo supporting the second row (the report's too) and the fourth.
	dir := t.TempDir()
	pic := photo(t)
	picPath := filepath.Join(dir, "staffa-montata.png")
	if err := os.WriteFile(picPath, pic, 0o644); err != nil {
		t.Fatal(err)
	}
	attach(t, ctx, picPath, 1, 3)
	if count(t, ctx, "#dossier-saved") == 0 {
		t.Fatalf("the photo was refused: %q", text(t, ctx, "main"))
	}
	if msg := text(t, ctx, "#dossier-saved"); msg != i18n.T("it", "dossier.files.saved") {
		t.Errorf("after attaching: %q", msg)
	}
	if files := dossierFiles(t, ctx); !slices.Equal(files, []string{"relazione.txt", "staffa-montata.png"}) {
		t.Errorf("the files after attaching: %q", files)
	}
	item := text(t, ctx, `#dossier-files li:nth-child(2)`)
	if !strings.Contains(item, "staffa-montata.png") || !strings.Contains(item, i18n.T("it", "artefact.kind.label.photo")) || !strings.Contains(item, "png") {
		t.Errorf("the photo is listed as %q", item)
	}
	after := coverage(t, ctx)
	if len(after) != len(before) {
		t.Fatalf("the matrix had %d rows, now %d", len(before), len(after))
	}
	for i, r := range after {
		want := before[i].Files
		switch i {
		case 1:
			want = "relazione.txt, staffa-montata.png"
		case 3:
			want = "staffa-montata.png"
		}
		if r.Row != before[i].Row || r.Files != want {
			t.Errorf("row %d of the matrix: %s %q, want %s %q", i, r.Row, r.Files, before[i].Row, want)
		}
	}
	if after[0].Files != "relazione.txt" || after[2].Files != i18n.T("it", "dossier.coverage.none") {
		t.Errorf("rows 1 and 3 of the matrix: %q, %q", after[0].Files, after[2].Files)
	}
	d, got := fetchFile(t, ctx, "staffa-montata.png")
	if d.Status != 200 || !bytes.Equal(got, pic) || d.Length != strconv.Itoa(len(pic)) || d.Type != "image/png" ||
		!strings.HasPrefix(d.Disposition, "attachment") || !strings.Contains(d.Disposition, `"staffa-montata.png"`) {
		t.Errorf("the photo downloaded: status %d, %s, %q, Content-Length %s, %d bytes (%d sent), the same: %v",
			d.Status, d.Type, d.Disposition, d.Length, len(got), len(pic), bytes.Equal(got, pic))
	}
	clean(t, ctx)
	browsertest.Screenshot(t, ctx, "dossier-files-2-attached")

	// A program named as a photo: refused, precisely; nothing is added
	// and the row ticked stays ticked.
	prog := filepath.Join(dir, "foto-officina.png")
	if err := os.WriteFile(prog, append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 200)...), 0o644); err != nil {
		t.Fatal(err)
	}
	attach(t, ctx, prog, 0)
	if count(t, ctx, "#dossier-error") == 0 {
		t.Fatalf("a program named .png was not refused: %q", text(t, ctx, "main"))
	}
	want := i18n.T("it", "err.artefact.mismatch", "foto-officina.png", i18n.T("it", "artefact.format.png"), i18n.T("it", "artefact.format.executable"))
	if msg := text(t, ctx, "#dossier-error"); msg != want {
		t.Errorf("a program named .png: %q, want %q", msg, want)
	}
	if n := count(t, ctx, "#dossier-saved"); n != 0 {
		t.Error("a refused file is said to be attached")
	}
	if files := dossierFiles(t, ctx); !slices.Equal(files, []string{"relazione.txt", "staffa-montata.png"}) {
		t.Errorf("the files after a refusal: %q", files)
	}
	if got := coverage(t, ctx); !slices.Equal(got, after) {
		t.Errorf("the matrix after a refusal: %q, want %q", got, after)
	}
	if ticked := count(t, ctx, `#dossier-file-form input[name="row"]:checked`); ticked != 1 || count(t, ctx, "#file-row-0:checked") != 1 {
		t.Errorf("after the refusal %d rows are ticked, want the first one", ticked)
	}
	clean(t, ctx)
	browsertest.Screenshot(t, ctx, "dossier-files-3-refused")

	// A real photo supporting no row: the reason is said beside the rows.
	if count(t, ctx, "#file-row-0:checked") == 1 {
		do(t, ctx, chromedp.Click(chromedp.CSS(`label[for="file-row-0"]`)))
	}
	attach(t, ctx, picPath)
	waitFor(t, ctx, "#dossier-file-form fieldset .invalid-feedback")
	if msg := text(t, ctx, "#dossier-file-form fieldset .invalid-feedback"); msg != i18n.T("it", "err.dossier.rows.required") {
		t.Errorf("a file supporting no row: %q", msg)
	}
	if files := dossierFiles(t, ctx); !slices.Equal(files, []string{"relazione.txt", "staffa-montata.png"}) {
		t.Errorf("the files after a refusal: %q", files)
	}
	clean(t, ctx)
	signOut(t, ctx)

	// The company tutor sees the photo, downloads the same bytes, and
	// removes it.
	signIn(t, ctx, ts.URL, "tutor@meccanica-lombarda.example", demo.Password, dashboard)
	do(t, ctx, chromedp.Navigate(dossierURL), chromedp.WaitVisible(chromedp.CSS("#dossier-coverage")))
	if got := coverage(t, ctx); !slices.Equal(got, after) {
		t.Errorf("the matrix the company tutor sees: %q, want %q", got, after)
	}
	if _, got := fetchFile(t, ctx, "staffa-montata.png"); !bytes.Equal(got, pic) {
		t.Errorf("the company tutor downloads %d other bytes", len(got))
	}
	clean(t, ctx)
	// The photo is the second file listed, after the report.
	send(t, ctx, `#dossier-files li:nth-child(2) button[type="submit"]`, "#dossier-coverage")
	if files := dossierFiles(t, ctx); !slices.Equal(files, []string{"relazione.txt"}) {
		t.Errorf("the files after removing the photo: %q", files)
	}
	if got := coverage(t, ctx); !slices.Equal(got, before) {
		t.Errorf("the matrix after removing the photo: %q, want %q", got, before)
	}
	clean(t, ctx)
}
