//go:build ignore

// gen writes the sample files of the detection tests that Go can make:
//
//	cd artefact/testdata && go run gen.go
//
// The videos and the WebP photo are made by ffmpeg and cwebp (README.md).
package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log"
	"os"
)

func main() {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 128, 255})
		}
	}
	var b bytes.Buffer
	must(jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}))
	write("photo.jpg", b.Bytes())
	b.Reset()
	must(png.Encode(&b, img))
	write("drawing.png", b.Bytes())

	write("document.pdf", pdf())
	write("document.odt", odf("application/vnd.oasis.opendocument.text", "<office:text><text:p>Relazione sull'esperienza</text:p></office:text>"))
	write("drawing.odg", odf("application/vnd.oasis.opendocument.graphics", "<office:drawing/>"))
	write("template.ott", odf("application/vnd.oasis.opendocument.text-template", "<office:text/>"))
	write("document.docx", ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Relazione</w:t></w:r></w:p></w:body></w:document>`, false))
	write("sheet.xlsx", ooxml("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
		`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`, false))
	write("macro.docm", ooxml("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml", `<w:document/>`, true))
	write("macro-renamed.docx", ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", `<w:document/>`, true))
	write("archive.zip", zipOf(entry{"notes.txt", "appunti", zip.Deflate}, entry{"photo.jpg", "not really", zip.Store}))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func write(name string, data []byte) { must(os.WriteFile(name, data, 0o644)) }

// pdf is a one-page PDF with a line of text, its cross-reference table at
// the right offsets.
func pdf() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	stream := "BT /F1 18 Tf 20 40 Td (Scheda di osservazione) Tj ET"
	objs[3] = fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

type entry struct {
	name, body string
	method     uint16
}

func zipOf(entries ...entry) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, e := range entries {
		f, err := z.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		must(err)
		f.Write([]byte(e.body))
	}
	must(z.Close())
	return b.Bytes()
}

// odf is an OpenDocument package: the mimetype entry first and stored,
// the manifest, the content.
func odf(mimetype, body string) []byte {
	return zipOf(
		entry{"mimetype", mimetype, zip.Store},
		entry{"META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` +
			`<manifest:file-entry manifest:full-path="/" manifest:media-type="` + mimetype + `"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`, zip.Deflate},
		entry{"content.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>` + body + `</office:body></office:document-content>`, zip.Deflate},
	)
}

// ooxml is an Office Open XML package whose main part is at main, of
// type mainType; macros adds a VBA project.
func ooxml(main, mainType, body string, macros bool) []byte {
	entries := []entry{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/` + main + `" ContentType="` + mainType + `"/></Types>`, zip.Deflate},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` + main + `"/></Relationships>`, zip.Deflate},
		{main, body, zip.Deflate},
	}
	if macros {
		entries = append(entries, entry{"word/vbaProject.bin", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", zip.Deflate})
	}
	return zipOf(entries...)
}
