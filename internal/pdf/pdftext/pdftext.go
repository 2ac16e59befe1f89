// Package pdftext reads PDFs back in tests with an outside reader,
// Poppler's pdftotext and pdfinfo (Debian package poppler-utils), so that a
// test asserts what a person's PDF reader finds in a document, not what our
// own writer meant to put there.
package pdftext

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Require is the variable that makes a missing pdftotext a failure (CI sets
// it) rather than a skip.
const Require = "ATTESTA_REQUIRE_POPPLER"

// Text returns the text of a PDF, as pdftotext extracts it in reading
// order, page after page (a form feed between pages).
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	return run(t, "pdftotext", pdf, "-enc", "UTF-8")
}

// Info returns what pdfinfo says of a PDF: "Pages", "Page size", "Title"…
func Info(t testing.TB, pdf []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(run(t, "pdfinfo", pdf, "-enc", "UTF-8"), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

func run(t testing.TB, tool string, pdf []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv(Require) != "" {
			t.Fatalf("%s is not installed (apt-get install poppler-utils) and %s is set", tool, Require)
		}
		t.Skipf("%s is not installed (apt-get install poppler-utils); set %s=1 to make this an error", tool, Require)
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, in)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tool, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
	return string(out)
}
