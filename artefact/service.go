package artefact

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/people"
)

// Options configure a Service.
type Options struct {
	// Blobs keeps the content, under Prefix: the same store as the log's
	// (a directory by default, or an S3-compatible bucket).
	Blobs blob.Store
	// Store records the uploads and downloads in the audit trail.
	Store Store
	// Limits are the largest sizes accepted; a zero field takes the
	// default's.
	Limits Limits
	// Scanner scans every upload before it is kept; nil means NoScan.
	Scanner Scanner
	Clock   attesta.Clock // nil: attesta.SystemClock
	Rand    io.Reader     // the source of ids; nil: crypto/rand
	Log     *slog.Logger  // nil: slog.Default
}

// Service keeps and hands out artefacts.
type Service struct {
	blobs   blob.Store
	store   Store
	limits  Limits
	scanner Scanner
	now     attesta.Clock
	rand    io.Reader
	log     *slog.Logger
}

// NewService returns the service.
func NewService(o Options) *Service {
	s := &Service{blobs: o.Blobs, store: o.Store, limits: o.Limits, scanner: o.Scanner, now: o.Clock, rand: o.Rand, log: o.Log}
	if s.limits.Image <= 0 {
		s.limits.Image = DefaultLimits.Image
	}
	if s.limits.Document <= 0 {
		s.limits.Document = DefaultLimits.Document
	}
	if s.limits.Video <= 0 {
		s.limits.Video = DefaultLimits.Video
	}
	if s.scanner == nil {
		s.scanner = NoScan{}
	}
	if s.now == nil {
		s.now = attesta.SystemClock
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	return s
}

// Limits returns the limits in force.
func (s *Service) Limits() Limits { return s.limits }

// File is an upload: the content, read once, and what its sender said of
// it.
type File struct {
	Content io.Reader
	// Name is the file's name as sent: cleaned (FileName), it is kept to
	// be shown and offered back. It decides nothing.
	Name string
	// Media is the type the sender declared (the part's Content-Type); it
	// decides nothing either, and only makes a refusal more precise.
	Media string
	// Kind is what the uploader says the file is; "" takes the first kind
	// its format may be.
	Kind Kind
}

// Access is a caller's authorization of an upload or a download: the
// action, and the object the artefact belongs to (an experience's
// dossier), which package auth decides on. The object must belong to an
// organisation or a person: an artefact is never anybody's to take.
type Access struct {
	Action auth.Action
	Object auth.Object
}

// decide applies auth's decision; an Access that names no object is a
// mistake of the caller's, refused.
func (acc Access) decide(p *auth.Principal) error {
	if acc.Action == "" || (len(acc.Object.Places) == 0 && acc.Object.Person == "") {
		return errors.New("artefact: an access without an action or an object it belongs to")
	}
	return auth.Decide(p, acc.Action, acc.Object)
}

// Upload authorizes p to add an artefact to acc's object, receives f
// (Receive) and records the upload in the audit trail. Nothing refused is
// kept.
func (s *Service) Upload(ctx context.Context, p *auth.Principal, f File, acc Access) (Artefact, error) {
	if err := acc.decide(p); err != nil {
		return Artefact{}, err
	}
	a, err := s.Receive(ctx, p, f)
	if err != nil {
		return Artefact{}, err
	}
	err = s.store.Update(ctx, func(w Writer) error { return RecordUpload(ctx, w, p, a, acc.Object) })
	if err != nil {
		return Artefact{}, err
	}
	return a, nil
}

// RecordUpload records in the audit trail, in a caller's transaction,
// that p uploaded a to obj. A use-case that receives an artefact and links
// it to the dossier in one transaction calls Receive, then this with its
// own writer.
func RecordUpload(ctx context.Context, r audit.Recorder, p *auth.Principal, a Artefact, obj auth.Object) error {
	return audit.Record(ctx, r, p, a.At, ActionUpload, object(a, obj), nil, a.summary())
}

// object is the artefact as the audit trail names it, placed where the
// object it belongs to is.
func object(a Artefact, obj auth.Object) auth.Object {
	return auth.Object{Kind: auth.ArtefactObject, ID: a.ID, Places: obj.Places, Person: obj.Person}
}

// Receive reads f's content, at most the largest limit and one byte
// more, and keeps it if it is accepted: its format, detected from the
// content, is one of Formats and may be f.Kind; its size is within its
// class's limit; the scanner finds nothing. Only then is the content
// written to the blob store, under its content address. It returns the
// artefact, which the caller links and records (RecordUpload); the caller
// has authorized p.
//
// A refusal is an *attesta.Error: attesta.Invalid for content that is
// empty, not accepted, not of the kind said or infected; attesta.TooLarge
// over the limit; attesta.Unavailable when the scanner did not answer.
func (s *Service) Receive(ctx context.Context, p *auth.Principal, f File) (Artefact, error) {
	name := FileName(f.Name)
	if f.Kind != "" && !f.Kind.Valid() {
		return Artefact{}, errKind(f.Kind)
	}
	limit := s.limits.Max()
	if f.Content == nil {
		f.Content = bytes.NewReader(nil)
	}
	content, err := io.ReadAll(io.LimitReader(f.Content, limit+1))
	if err != nil {
		return Artefact{}, attesta.Wrap(err, attesta.Invalid, "err.artefact.read", name)
	}
	if int64(len(content)) > limit {
		return Artefact{}, attesta.E(attesta.TooLarge, "err.artefact.large", name, mib(limit))
	}
	format := Detect(content)
	switch {
	case !format.Accepted():
		if d, ok := declared(f.Name, f.Media); ok && format.Name != "empty" {
			return Artefact{}, attesta.E(attesta.Invalid, "err.artefact.mismatch", name, d.Words, format.Words)
		}
		return Artefact{}, attesta.E(attesta.Invalid, "err.artefact.refused", name, format.Words)
	case f.Kind == "":
		f.Kind = format.Kinds[0]
	case !kindOf(format, f.Kind):
		return Artefact{}, attesta.E(attesta.Invalid, "err.artefact.kind", name, format.Words, f.Kind.Words())
	}
	if l := s.limits.Of(format.Class); int64(len(content)) > l {
		return Artefact{}, attesta.E(attesta.TooLarge, "err.artefact.large", name, mib(l))
	}
	sum := sha256.Sum256(content)
	a := Artefact{Kind: f.Kind, Format: format.Name, Media: format.Media, Size: int64(len(content)),
		SHA256: hex.EncodeToString(sum[:]), Name: name, At: s.now()}
	if p != nil {
		a.Uploader = p.Person
	}
	if err := s.scanner.Scan(ctx, name, content); err != nil {
		// Logged without the content: its name, digest and size say which.
		var infected *Infected
		if errors.As(err, &infected) {
			s.log.Warn("artefact refused: malware found", "name", name, "signature", infected.Signature,
				"sha256", a.SHA256, "size", a.Size, "uploader", a.Uploader)
			return Artefact{}, attesta.E(attesta.Invalid, "err.artefact.infected", name, infected.Signature)
		}
		s.log.Error("artefact refused: the scan failed", "name", name, "sha256", a.SHA256, "size", a.Size, "err", err)
		return Artefact{}, attesta.Wrap(err, attesta.Unavailable, "err.artefact.scan", name)
	}
	if a.ID, err = people.NewID(s.rand, "art"); err != nil {
		return Artefact{}, err
	}
	// The name is the content's digest: writing it again, for a copy
	// uploaded twice or a retry, writes the same bytes.
	if err := s.blobs.Put(ctx, a.Blob(), content); err != nil {
		return Artefact{}, fmt.Errorf("keeping artefact %s: %w", a.Name, err)
	}
	return a, nil
}

// kindOf reports whether format may be of kind k.
func kindOf(f Format, k Kind) bool {
	for _, fk := range f.Kinds {
		if fk == k {
			return true
		}
	}
	return false
}

// Download returns a's content to p once acc allows it and the download
// is recorded in the audit trail. The content is checked against a's
// digest before it is handed out.
func (s *Service) Download(ctx context.Context, p *auth.Principal, a Artefact, acc Access) ([]byte, error) {
	if err := acc.decide(p); err != nil {
		return nil, err
	}
	if d, err := hex.DecodeString(a.SHA256); err != nil || len(d) != sha256.Size || strings.ToLower(a.SHA256) != a.SHA256 {
		return nil, attesta.E(attesta.NotFound, "err.artefact.notfound", a.ID)
	}
	content, err := s.blobs.Get(ctx, a.Blob())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, attesta.Wrap(err, attesta.NotFound, "err.artefact.notfound", a.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading artefact %s: %w", a.ID, err)
	}
	if sum := sha256.Sum256(content); hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(content)) != a.Size {
		return nil, fmt.Errorf("reading artefact %s: the blob store holds %d bytes that are not its content", a.ID, len(content))
	}
	err = s.store.Update(ctx, func(w Writer) error {
		return audit.Record(ctx, w, p, s.now(), ActionDownload, object(a, acc.Object), nil, a.summary())
	})
	if err != nil {
		return nil, err
	}
	return content, nil
}

// Headers sets the response headers that serve a's content safely: as a
// download (Content-Disposition attachment, with the name in RFC 6266's
// filename and RFC 5987's filename* forms), of the detected type and
// nothing a browser would guess instead (nosniff), in a sandbox with no
// script, style or request of its own should a browser render it anyway
// (Content-Security-Policy), and kept by no shared cache.
func Headers(h http.Header, a Artefact) {
	media := a.Media
	if media == "" {
		media = "application/octet-stream"
	}
	h.Set("Content-Type", media)
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("Content-Disposition", disposition(a.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Referrer-Policy", "no-referrer")
}

// disposition is "attachment" with the file's name: an ASCII fallback in
// filename (quoted, RFC 6266), and the name itself in filename* (UTF-8,
// percent-encoded, RFC 5987) when it is not plain ASCII.
func disposition(name string) string {
	name = FileName(name)
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := `attachment; filename="` + ascii + `"`
	if ascii != name {
		v += "; filename*=UTF-8''" + encode5987(name)
	}
	return v
}

// encode5987 percent-encodes s as an RFC 5987 value: attr-char stays,
// every other byte is %XX.
func encode5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
