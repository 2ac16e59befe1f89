package bake

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

// A PDF carries a credential as an embedded file (PDF 1.7, 7.11.4), as
// attesta's printout of a badge does: the file's stream, compressed with
// FlateDecode or not, is the credential. ExtractPDF reads the embedded
// files whose dictionary gives their length directly and returns the one
// that is a credential; it parses no more of the PDF than that.

// pdfSignature starts every PDF.
const pdfSignature = "%PDF-"

// IsPDF reports whether data starts like a PDF.
func IsPDF(data []byte) bool { return bytes.HasPrefix(data, []byte(pdfSignature)) }

var (
	embeddedFile = regexp.MustCompile(`/Type\s*/EmbeddedFile\b`)
	pdfLength    = regexp.MustCompile(`/Length\s+(\d+)(\s+\d+\s+R)?`)
	pdfFlate     = regexp.MustCompile(`/Filter\s*(\[\s*)?/FlateDecode`)
	pdfFilter    = regexp.MustCompile(`/Filter\b`)
)

// ErrNoPDFCredential reports a PDF with no embedded file that is a
// credential.
var ErrNoPDFCredential = errors.New("bake: the PDF has no embedded credential")

// ExtractPDF returns the credential a PDF carries as an embedded file.
func ExtractPDF(data []byte) ([]byte, error) {
	if !IsPDF(data) {
		return nil, ErrUnknownFormat
	}
	if len(data) > MaxImageSize {
		return nil, ErrImageTooLarge
	}
	var found [][]byte
	for _, loc := range embeddedFile.FindAllIndex(data, 64) {
		// The dictionary: from the "<<" that opens it to the "stream"
		// keyword after it.
		start := bytes.LastIndex(data[:loc[0]], []byte("obj"))
		end := bytes.Index(data[loc[1]:], []byte("stream"))
		if start < 0 || end < 0 {
			continue
		}
		dict := data[start : loc[1]+end]
		m := pdfLength.FindSubmatch(dict)
		if m == nil || len(m[2]) > 0 {
			continue // an indirect length: not read
		}
		n, err := strconv.Atoi(string(m[1]))
		if err != nil || n > MaxImageSize {
			continue
		}
		body := data[loc[1]+end+len("stream"):]
		switch {
		case bytes.HasPrefix(body, []byte("\r\n")):
			body = body[2:]
		case bytes.HasPrefix(body, []byte("\n")):
			body = body[1:]
		default:
			continue
		}
		if len(body) < n {
			continue
		}
		body = body[:n]
		switch {
		case pdfFlate.Match(dict):
			zr, err := zlib.NewReader(bytes.NewReader(body))
			if err != nil {
				continue
			}
			body, err = io.ReadAll(io.LimitReader(zr, MaxCredentialSize+1))
			if err != nil {
				continue
			}
		case pdfFilter.Match(dict):
			continue // another filter: not read
		}
		c, _, err := checkCredential(body, "")
		if err != nil {
			continue
		}
		found = append(found, c)
	}
	switch len(found) {
	case 0:
		return nil, ErrNoPDFCredential
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%w: %d embedded files are credentials", ErrAmbiguousCredential, len(found))
}
