// Package artefacttest checks that package artefact keeps nothing it
// refuses, on any blob store: the tests of each store (a directory, memory,
// an S3-compatible bucket) run [NothingRefusedIsKept] with their own way
// of listing what the store holds.
package artefacttest

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"log/slog"
	"slices"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/blob"
)

// Trail is an artefact.Store that keeps the audit entries in memory.
type Trail struct {
	Entries []*audit.Entry
	Fail    error // returned by Record instead of recording, if set
}

// Update implements artefact.Store.
func (t *Trail) Update(ctx context.Context, fn func(artefact.Writer) error) error { return fn(t) }

// Record implements audit.Recorder.
func (t *Trail) Record(ctx context.Context, e *audit.Entry) error {
	if t.Fail != nil {
		return t.Fail
	}
	t.Entries = append(t.Entries, e)
	return nil
}

// A Tutor and the object the tests upload to: a company tutor of
// company "azienda-1", and its dossier.
var (
	Tutor = &auth.Principal{Person: "per-tutor", Name: "Tutor", Membership: auth.Membership{Role: auth.CompanyTutor, Org: "azienda-1"}}
	Here  = artefact.Access{Action: auth.OrgView, Object: auth.Object{Kind: auth.OrganisationObject, ID: "azienda-1", Places: []auth.Place{{Org: "azienda-1"}}}}
)

// PNG returns a valid PNG image of at least size bytes (its pixels are
// noise, so that it does not compress).
func PNG(t testing.TB, size int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, max(8, size/64+1), 16))
	x := uint32(2463534242)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = byte(x)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// refuse is a Scanner that finds malware in everything.
type refuse struct{}

func (refuse) Scan(context.Context, string, []byte) error {
	return &artefact.Infected{Signature: "Eicar-Test-Signature"}
}

// broken is a reader that fails after a few bytes: an upload cut off.
type broken struct{ r io.Reader }

func (b *broken) Read(p []byte) (int, error) {
	n, err := b.r.Read(p[:min(len(p), 100)])
	if err == io.EOF || n == 0 {
		return n, errors.New("connection reset by peer")
	}
	return n, err
}

// NothingRefusedIsKept uploads to store, through package artefact, a file
// over its class's limit, a file over every limit, an executable named as
// a PDF, an HTML page, an upload cut off and a file the scanner refuses,
// and checks after each that list (what the store holds, sorted) has not
// changed and that no audit entry was made; then that an accepted file is
// kept under its content address, readable back.
func NothingRefusedIsKept(t *testing.T, store blob.Store, list func() []string) {
	t.Helper()
	ctx := context.Background()
	limits := artefact.Limits{Image: 64 << 10, Document: 32 << 10, Video: 128 << 10}
	trail := &Trail{}
	quiet := slog.New(slog.DiscardHandler)
	svc := artefact.NewService(artefact.Options{Blobs: store, Store: trail, Limits: limits, Log: quiet})
	scanned := artefact.NewService(artefact.Options{Blobs: store, Store: trail, Limits: limits, Scanner: refuse{}, Log: quiet})
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 4000)...)
	before := list()
	for _, c := range []struct {
		name    string
		svc     *artefact.Service
		file    artefact.File
		code    attesta.Code
		wantKey string
	}{
		{"over the image limit", svc, artefact.File{Name: "foto.png", Content: bytes.NewReader(PNG(t, 80<<10))}, attesta.TooLarge, "err.artefact.large"},
		{"over every limit", svc, artefact.File{Name: "video.mp4", Content: bytes.NewReader(make([]byte, 200<<10))}, attesta.TooLarge, "err.artefact.large"},
		{"executable named pdf", svc, artefact.File{Name: "relazione.pdf", Media: "application/pdf", Content: bytes.NewReader(elf)}, attesta.Invalid, "err.artefact.mismatch"},
		{"html", svc, artefact.File{Name: "pagina", Content: bytes.NewReader([]byte("<!doctype html><script>alert(1)</script>"))}, attesta.Invalid, "err.artefact.refused"},
		{"cut off", svc, artefact.File{Name: "foto.png", Content: &broken{bytes.NewReader(PNG(t, 1000))}}, attesta.Invalid, "err.artefact.read"},
		{"infected", scanned, artefact.File{Name: "foto.png", Content: bytes.NewReader(PNG(t, 1000))}, attesta.Invalid, "err.artefact.infected"},
	} {
		_, err := c.svc.Upload(ctx, Tutor, c.file, Here)
		if attesta.ErrorCode(err) != c.code || attesta.ErrorKey(err) != c.wantKey {
			t.Errorf("%s: %v (%s, %s), want %s, %s", c.name, err, attesta.ErrorCode(err), attesta.ErrorKey(err), c.code, c.wantKey)
		}
		if after := list(); !slices.Equal(after, before) {
			t.Fatalf("%s: the store held %q, now %q", c.name, before, after)
		}
		if len(trail.Entries) != 0 {
			t.Fatalf("%s: %d audit entries", c.name, len(trail.Entries))
		}
	}
	content := PNG(t, 1000)
	a, err := svc.Upload(ctx, Tutor, artefact.File{Name: "foto.png", Content: bytes.NewReader(content)}, Here)
	if err != nil {
		t.Fatal(err)
	}
	after := list()
	if want := append(slices.Clone(before), a.Blob()); !slices.Equal(after, want) {
		t.Fatalf("after an upload the store holds %q, want %q", after, want)
	}
	if got, err := store.Get(ctx, a.Blob()); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("the kept content: %d bytes, %v", len(got), err)
	}
	got, err := svc.Download(ctx, Tutor, a, Here)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("download: %d bytes, %v", len(got), err)
	}
	if len(trail.Entries) != 2 || trail.Entries[0].Action != artefact.ActionUpload || trail.Entries[1].Action != artefact.ActionDownload {
		t.Fatalf("audit entries %v", trail.Entries)
	}
}
