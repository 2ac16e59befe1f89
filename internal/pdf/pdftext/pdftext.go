// Package pdftext reads PDFs back in tests with outside readers, Poppler's
// pdftotext, pdfinfo and pdftoppm (Debian package poppler-utils), and the
// QR codes on their pages or in pictures with ZBar's zbarimg (zbar-tools),
// so that a test asserts what a person's PDF reader or phone finds in a
// document, not what our own writer meant to put there.
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

// QRCodes returns the contents of the QR codes on a PDF's pages, rendered
// at 200 dpi by pdftoppm and decoded by zbarimg.
func QRCodes(t testing.TB, pdf []byte) []string {
	t.Helper()
	need(t, "pdftoppm")
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "200", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	var codes []string
	for _, p := range pages {
		codes = append(codes, decode(t, p)...)
	}
	return codes
}

// Decode returns the contents of the QR codes in a picture (PNG).
func Decode(t testing.TB, img []byte) []string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "img.png")
	if err := os.WriteFile(in, img, 0o600); err != nil {
		t.Fatal(err)
	}
	return decode(t, in)
}

func decode(t testing.TB, file string) []string {
	t.Helper()
	need(t, "zbarimg")
	out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sqrcode.enable", file).Output()
	// zbarimg exits 4 when it finds no code.
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 4 {
		return nil
	}
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.Fields(string(out))
}

// need skips the test when tool is missing, or fails it when Require is set.
func need(t testing.TB, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv(Require) != "" {
			t.Fatalf("%s is not installed (apt-get install poppler-utils zbar-tools) and %s is set", tool, Require)
		}
		t.Skipf("%s is not installed (apt-get install poppler-utils zbar-tools); set %s=1 to make this an error", tool, Require)
	}
}

func run(t testing.TB, tool string, pdf []byte, args ...string) string {
	t.Helper()
	need(t, tool)
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
