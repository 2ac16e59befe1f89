package artefact_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/artefact/artefacttest"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/blob"
)

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every sample file of testdata is detected as what it is, by its
// content: the accepted formats, and the refused ones by what they are.
func TestDetectSamples(t *testing.T) {
	for file, want := range map[string]string{
		"photo.jpg":          "jpeg",
		"drawing.png":        "png",
		"photo.webp":         "webp",
		"drawing.svg":        "svg",
		"document.pdf":       "pdf",
		"document.odt":       "odt",
		"drawing.odg":        "odg",
		"document.docx":      "docx",
		"sheet.xlsx":         "xlsx",
		"notes.txt":          "text",
		"drawing.dxf":        "dxf",
		"drawing.dwg":        "dwg",
		"video.mp4":          "mp4",
		"video.mov":          "mov",
		"video.webm":         "webm",
		"video.mkv":          "mkv",
		"script.svg":         "svg-active",
		"onload.svg":         "svg-active",
		"external.svg":       "svg-active",
		"foreign.svg":        "svg-active",
		"page.html":          "html",
		"not-a-pdf.pdf":      "executable",
		"setup.jpg":          "executable",
		"archive.zip":        "archive",
		"macro.docm":         "office-macros",
		"macro-renamed.docx": "office-macros",
		"template.ott":       "office-other",
	} {
		got := artefact.Detect(sample(t, file))
		if got.Name != want {
			t.Errorf("%s: detected %q, want %q", file, got.Name, want)
		}
		if got.Accepted() != slices.ContainsFunc(artefact.Formats, func(f artefact.Format) bool { return f.Name == want }) {
			t.Errorf("%s: accepted %v", file, got.Accepted())
		}
	}
}

func zipped(t testing.TB, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, e := range entries {
		method := zip.Deflate
		if e[0] == "mimetype" {
			method = zip.Store
		}
		f, err := z.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(e[1]))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// What the structure checks refuse: truncated and damaged files, lookalike
// markup, containers of the wrong kind.
func TestDetectStructure(t *testing.T) {
	pdf := sample(t, "document.pdf")
	mp4 := sample(t, "video.mp4")
	png := sample(t, "drawing.png")
	for _, c := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"empty", nil, "empty"},
		{"pdf cut off", pdf[:len(pdf)/2], "damaged"},
		{"png cut off", png[:40], "damaged"},
		{"png header only", []byte("\x89PNG\r\n\x1a\n"), "damaged"},
		{"jpeg magic only", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "damaged"},
		{"mp4 cut off", mp4[:len(mp4)-10], "damaged"},
		{"mp4 without a movie", []byte("\x00\x00\x00\x10ftypisom\x00\x00\x02\x00\x00\x00\x00\x08free"), "damaged"},
		{"heic photo", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), "heic"},
		{"m4a audio", []byte("\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom"), ""},
		{"ebml of another document type", []byte("\x1a\x45\xdf\xa3\x88\x42\x82\x85other"), ""},
		{"ebml cut off", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01"), "damaged"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "gif"},
		{"gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), "archive"},
		{"shell script", []byte("#!/bin/sh\nrm -rf /\n"), "executable"},
		{"html without doctype", []byte("\n  <html><body>hi</body></html>"), "html"},
		{"html fragment", []byte("<script>alert(1)</script>"), "html"},
		{"xhtml", []byte(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>`), "html"},
		{"other xml", []byte(`<?xml version="1.0"?><note>hi</note>`), "xml"},
		{"svg with an entity", []byte(`<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>`), "xml"},
		{"svg with a stylesheet", []byte(`<?xml-stylesheet href="https://evil.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "svg-active"},
		{"svg with an import", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);</style></svg>`), "svg-active"},
		{"svg with a remote fill", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/#g)"/></svg>`), "svg-active"},
		{"svg with a javascript link", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><a href="java&#x09;script:alert(1)"><rect/></a></svg>`), "svg-active"},
		{"svg with an animation", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>`), "svg-active"},
		{"svg with an embedded png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/></svg>`), "svg"},
		{"svg with an embedded svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml;base64,PHN2Zz4=" width="1" height="1"/></svg>`), "svg-active"},
		{"svg not closed", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect/>`), "svg-active"},
		{"text with a nul", []byte("abc\x00def"), ""},
		{"latin-1 text", []byte("caff\xe8"), ""},
		{"text with a bom", []byte("\xef\xbb\xbfciao"), "text"},
		{"dxf without its end", []byte("  0\nSECTION\n  2\nENTITIES\n"), "text"},
		{"dwg of an unknown version", []byte("AC1099\x00\x00\x00\x00\x00\x00\x01"), ""},
		{"zip without entries", zipped(t), ""},
		{"odt with the mimetype deflated", func() []byte {
			var b bytes.Buffer
			z := zip.NewWriter(&b)
			f, _ := z.Create("mimetype")
			f.Write([]byte("application/vnd.oasis.opendocument.text"))
			z.Close()
			return b.Bytes()
		}(), "damaged"},
		{"an opendocument formula", zipped(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.formula"}), "office-other"},
		{"docx template", zipped(t, [2]string{"[Content_Types].xml", `<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"/></Types>`}), "office-other"},
		{"jar", zipped(t, [2]string{"META-INF/MANIFEST.MF", "Main-Class: Evil\n"}, [2]string{"Evil.class", "\xca\xfe\xba\xbe"}), "archive"},
	} {
		if got := artefact.Detect(c.content); got.Name != c.want {
			t.Errorf("%s: detected %q, want %q", c.name, got.Name, c.want)
		}
	}
}

// Detect never panics, and what it accepts is one of Formats, with a
// media type, kinds and a class; it decides on the content alone, so the
// same bytes give the same answer.
func FuzzDetect(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() && !strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), ".md") {
			b := sample(f, e.Name())
			f.Add(b[:min(len(b), 4096)])
		}
	}
	f.Add([]byte("\x1a\x45\xdf\xa3\x84\x42\x82\x81w"))
	f.Add([]byte("\x00\x00\x00\x01ftypisom\x00\x00\x00\x00\x00\x00\x00\x20"))
	f.Add([]byte("RIFF\x04\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := artefact.Detect(b)
		if !got.Accepted() {
			if got.Media != "" {
				t.Fatalf("a refused format with a media type: %+v", got)
			}
			return
		}
		if !slices.ContainsFunc(artefact.Formats, func(f artefact.Format) bool { return f.Name == got.Name }) || got.Media == "" || got.Class == "" {
			t.Fatalf("Detect = %+v, not one of Formats", got)
		}
		if again := artefact.Detect(bytes.Clone(b)); again.Name != got.Name {
			t.Fatalf("Detect said %q, then %q", got.Name, again.Name)
		}
	})
}

func newService(blobs blob.Store, trail *artefacttest.Trail, scanner artefact.Scanner) *artefact.Service {
	return artefact.NewService(artefact.Options{Blobs: blobs, Store: trail, Scanner: scanner,
		Clock: func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) }})
}

// Nothing refused is kept, in memory and in a directory (the S3-compatible
// store's run is in internal/seaweedtest).
func TestNothingRefusedIsKept(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		m := &blob.Memory{}
		artefacttest.NothingRefusedIsKept(t, m, m.Names)
	})
	t.Run("dir", func(t *testing.T) {
		dir := t.TempDir()
		artefacttest.NothingRefusedIsKept(t, blob.Dir(dir), func() []string {
			// Every file, temporary ones included.
			var files []string
			filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, path)
					files = append(files, filepath.ToSlash(rel))
				}
				return err
			})
			slices.Sort(files)
			return files
		})
	})
}

// An upload is kept under its content address, with what its sender said
// cleaned and bounded; the kind said must be one its format may be; the
// same content is kept once.
func TestUpload(t *testing.T) {
	ctx := context.Background()
	m := &blob.Memory{}
	trail := &artefacttest.Trail{}
	svc := newService(m, trail, nil)
	pdf := sample(t, "document.pdf")
	a, err := svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "C:\\Documenti\\..\\scheda\u202e fdp.exe", Content: bytes.NewReader(pdf), Kind: artefact.Drawing}, artefacttest.Here)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != artefact.Drawing || a.Format != "pdf" || a.Media != "application/pdf" || a.Size != int64(len(pdf)) ||
		a.Name != "scheda fdp.exe" || a.Uploader != "per-tutor" || !strings.HasPrefix(a.ID, "art") || a.Blob() != "artefact/sha256/"+a.SHA256[:2]+"/"+a.SHA256 {
		t.Errorf("artefact %+v", a)
	}
	e := trail.Entries[0]
	if e.Action != "artefact.upload" || e.ObjectKind != auth.ArtefactObject || e.ObjectID != a.ID || e.Org != "azienda-1" || e.Actor != "per-tutor" ||
		!strings.Contains(string(e.After), a.SHA256) || e.Before != nil {
		t.Errorf("audit entry %+v", e)
	}
	b, err := svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "copia.pdf", Content: bytes.NewReader(pdf)}, artefacttest.Here)
	if err != nil || b.Blob() != a.Blob() || b.ID == a.ID || b.Kind != artefact.Document {
		t.Errorf("the same content again: %+v, %v", b, err)
	}
	if names := m.Names(); len(names) != 1 {
		t.Errorf("the store holds %q", names)
	}
	_, err = svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "foto.jpg", Content: bytes.NewReader(sample(t, "photo.jpg")), Kind: artefact.Drawing}, artefacttest.Here)
	if attesta.ErrorKey(err) != "err.artefact.kind" {
		t.Errorf("a JPEG as a drawing: %v", err)
	}
	_, err = svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "x", Content: bytes.NewReader(pdf), Kind: "poster"}, artefacttest.Here)
	if attesta.ErrorKey(err) != "err.artefact.kind.invalid" {
		t.Errorf("an unknown kind: %v", err)
	}
	_, err = svc.Upload(ctx, nil, artefact.File{Name: "x.pdf", Content: bytes.NewReader(pdf)}, artefacttest.Here)
	if attesta.ErrorCode(err) != attesta.Unauthenticated {
		t.Errorf("no principal: %v", err)
	}
	student := &auth.Principal{Person: "per-s", Membership: auth.Membership{Role: auth.Student, Org: "scuola-1"}}
	if _, err = svc.Upload(ctx, student, artefact.File{Name: "x.pdf", Content: bytes.NewReader(pdf)}, artefacttest.Here); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a student of another organisation: %v", err)
	}
	if _, err = svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "x.pdf", Content: bytes.NewReader(pdf)}, artefact.Access{Action: auth.OrgView}); err == nil {
		t.Error("an access to no object was taken")
	}
	if len(m.Names()) != 1 || len(trail.Entries) != 2 {
		t.Errorf("after the refusals: %q, %d entries", m.Names(), len(trail.Entries))
	}
}

// The refusals say what the content is, in Italian and English, and what
// the file claimed to be when it claimed anything.
func TestRefusalWords(t *testing.T) {
	svc := newService(&blob.Memory{}, &artefacttest.Trail{}, nil)
	_, err := svc.Upload(context.Background(), artefacttest.Tutor, artefact.File{Name: "relazione.pdf", Content: bytes.NewReader(sample(t, "not-a-pdf.pdf"))}, artefacttest.Here)
	if got, want := attesta.MessageIn(err, "it"), "«relazione.pdf» si presenta come un documento PDF, ma il contenuto è un programma eseguibile: il file non è stato salvato"; got != want {
		t.Errorf("it: %s\nwant %s", got, want)
	}
	if got, want := attesta.MessageIn(err, "en"), "“relazione.pdf” presents itself as a PDF document, but its content is an executable program: the file was not kept"; got != want {
		t.Errorf("en: %s\nwant %s", got, want)
	}
	_, err = svc.Upload(context.Background(), artefacttest.Tutor, artefact.File{Name: "disegno", Content: bytes.NewReader(sample(t, "script.svg"))}, artefacttest.Here)
	if got := attesta.MessageIn(err, "en"); got != "the content of “disegno” is an SVG drawing with active content (scripts, event handlers or external references), a format not accepted: the file was not kept" {
		t.Errorf("en: %s", got)
	}
	small := artefact.NewService(artefact.Options{Blobs: &blob.Memory{}, Store: &artefacttest.Trail{}, Limits: artefact.Limits{Image: 1 << 20, Document: 1 << 20, Video: 2 << 20}})
	_, err = small.Upload(context.Background(), artefacttest.Tutor, artefact.File{Name: "big.mp4", Content: bytes.NewReader(make([]byte, 3<<20))}, artefacttest.Here)
	if got := attesta.MessageIn(err, "it"); got != "«big.mp4» supera il limite di 2 MiB: il file non è stato salvato" {
		t.Errorf("it: %s", got)
	}
}

// A download is authorized by the caller's access, recorded, and checked
// against the artefact's digest; a failing audit trail hands nothing out.
func TestDownload(t *testing.T) {
	ctx := context.Background()
	m := &blob.Memory{}
	trail := &artefacttest.Trail{}
	svc := newService(m, trail, nil)
	content := sample(t, "photo.jpg")
	a, err := svc.Upload(ctx, artefacttest.Tutor, artefact.File{Name: "foto.jpg", Content: bytes.NewReader(content)}, artefacttest.Here)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Download(ctx, artefacttest.Tutor, a, artefacttest.Here)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("download: %v", err)
	}
	if e := trail.Entries[1]; e.Action != "artefact.download" || e.ObjectID != a.ID || e.Actor != "per-tutor" || e.Org != "azienda-1" {
		t.Errorf("audit entry %+v", e)
	}
	other := &auth.Principal{Person: "per-x", Membership: auth.Membership{Role: auth.CompanyTutor, Org: "azienda-2"}}
	if _, err := svc.Download(ctx, other, a, artefacttest.Here); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a tutor of another company: %v", err)
	}
	if _, err := svc.Download(ctx, artefacttest.Tutor, a, artefact.Access{Action: auth.AuditView, Object: artefacttest.Here.Object}); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("an action the tutor may not do: %v", err)
	}
	if _, err := svc.Download(ctx, artefacttest.Tutor, a, artefact.Access{Action: auth.OrgView}); err == nil {
		t.Error("a download of nobody's artefact")
	}
	trail.Fail = errors.New("disk full")
	if got, err := svc.Download(ctx, artefacttest.Tutor, a, artefacttest.Here); err == nil || got != nil {
		t.Error("a download that could not be recorded was handed out")
	}
	trail.Fail = nil
	m.Put(ctx, a.Blob(), []byte("tampered"))
	if _, err := svc.Download(ctx, artefacttest.Tutor, a, artefacttest.Here); err == nil {
		t.Error("a tampered object was handed out")
	}
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("G", 64), strings.ToUpper(a.SHA256)} {
		b := a
		b.SHA256 = bad
		if _, err := svc.Download(ctx, artefacttest.Tutor, b, artefacttest.Here); attesta.ErrorCode(err) != attesta.NotFound {
			t.Errorf("digest %q: %v", bad, err)
		}
	}
	a.SHA256 = strings.Repeat("0", 64)
	if _, err := svc.Download(ctx, artefacttest.Tutor, a, artefacttest.Here); attesta.ErrorCode(err) != attesta.NotFound {
		t.Errorf("a missing object: %v", err)
	}
	if n := len(trail.Entries); n != 2 {
		t.Errorf("%d audit entries, want the upload and one download", n)
	}
}

// The headers serve an artefact as an attachment, with its name in both
// forms, never sniffed, rendered or cached by others.
func TestHeaders(t *testing.T) {
	h := http.Header{}
	artefact.Headers(h, artefact.Artefact{Media: "image/svg+xml", Size: 42, Name: `Relazione "finale" 100% città.svg`})
	for k, want := range map[string]string{
		"Content-Type":            "image/svg+xml",
		"Content-Length":          "42",
		"Content-Disposition":     `attachment; filename="Relazione _finale_ 100_ citt_.svg"; filename*=UTF-8''Relazione%20%22finale%22%20100%25%20citt%C3%A0.svg`,
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "sandbox; default-src 'none'; frame-ancestors 'none'",
		"Cache-Control":           "private, no-store",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s\nwant %s", k, got, want)
		}
	}
	// Go's own reader of the header gives back the name.
	_, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil || params["filename"] != `Relazione "finale" 100% città.svg` {
		t.Errorf("parsed: %q, %v", params, err)
	}
	h = http.Header{}
	artefact.Headers(h, artefact.Artefact{Name: "plain.pdf"})
	if got := h.Get("Content-Disposition"); got != `attachment; filename="plain.pdf"` {
		t.Errorf("ascii name: %s", got)
	}
	if got := h.Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("no media type: %s", got)
	}
	if _, err := url.PathUnescape("citt%C3%A0"); err != nil {
		t.Fatal(err)
	}
}

func TestFileName(t *testing.T) {
	long := strings.Repeat("à", 300) + ".pdf"
	for in, want := range map[string]string{
		"verbale.pdf":                   "verbale.pdf",
		`C:\Users\anna\verbale 1.pdf`:   "verbale 1.pdf",
		"../../etc/passwd":              "passwd",
		"  foto   della\triunione.jpg ": "foto della riunione.jpg",
		"dir/":                          "file",
		".htaccess":                     "htaccess",
		"a\x00b\u202ec\u200bd.txt":      "abcd.txt",
		"\xffbad.txt":                   "_bad.txt",
		long:                            strings.Repeat("à", artefact.MaxName-4) + ".pdf",
		"...":                           "file",
	} {
		if got := artefact.FileName(in); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}
