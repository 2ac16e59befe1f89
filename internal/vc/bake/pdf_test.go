package bake

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"testing"
)

// pdfWith makes a minimal PDF with embedded file streams (compressed when
// flate) and one with an indirect length.
func pdfWith(files []string, flate bool, indirect bool) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	for i, f := range files {
		data := []byte(f)
		filter := ""
		if flate {
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(data)
			w.Close()
			data, filter = z.Bytes(), " /Filter /FlateDecode"
		}
		length := fmt.Sprint(len(data))
		if indirect {
			length = "9 0 R"
		}
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /EmbeddedFile /Length %s%s >>\nstream\n", i+2, length, filter)
		b.Write(data)
		b.WriteString("\nendstream\nendobj\n")
	}
	b.WriteString("%%EOF\n")
	return b.Bytes()
}

const pdfCred = `{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"urn:uuid:1","type":["VerifiableCredential"]}`

// TestExtractPDF: the credential a PDF carries as an embedded file,
// compressed or not; none, two, or one whose length is indirect are told
// apart.
func TestExtractPDF(t *testing.T) {
	for _, flate := range []bool{false, true} {
		got, err := ExtractPDF(pdfWith([]string{"a note, not a credential", pdfCred}, flate, false))
		if err != nil || string(got) != pdfCred {
			t.Errorf("flate %t: %q, %v", flate, got, err)
		}
	}
	if _, err := ExtractPDF(pdfWith([]string{"plain text"}, true, false)); !errors.Is(err, ErrNoPDFCredential) {
		t.Errorf("no credential: %v", err)
	}
	if _, err := ExtractPDF(pdfWith([]string{pdfCred, pdfCred}, true, false)); !errors.Is(err, ErrAmbiguousCredential) {
		t.Errorf("two credentials: %v", err)
	}
	if _, err := ExtractPDF(pdfWith([]string{pdfCred}, false, true)); !errors.Is(err, ErrNoPDFCredential) {
		t.Errorf("an indirect length: %v", err)
	}
	if _, err := ExtractPDF([]byte("not a pdf")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("not a PDF: %v", err)
	}
}

func FuzzExtractPDF(f *testing.F) {
	f.Add(pdfWith([]string{pdfCred}, true, false))
	f.Add(pdfWith([]string{pdfCred}, false, false))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ExtractPDF(data)
		if err == nil && len(c) == 0 {
			t.Fatal("an empty credential extracted")
		}
	})
}
