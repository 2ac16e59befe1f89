// Package artefact keeps the artefacts of the evidence dossier: the
// drawings, photos, documents and short videos that students and tutors
// upload as evidence of what a student did in the company.
//
// It is the layer beneath the dossier: the experience domain links an
// artefact to the evidence rows it supports and decides who may see it;
// this package decides what may be kept, keeps it, and hands it out only
// on that decision.
//
// # What is accepted
//
// A file is recognised by its content ([Detect]: magic bytes and the
// structure behind them), never by its name nor by the type its sender
// declared: [Formats] lists the accepted formats, each with the [Kind]s it
// may be and the [Class] whose size limit ([Limits]) applies. Anything else
// — an executable named .pdf, a zip archive that is no office document, a
// web page, an SVG drawing with a script — is refused with a message that
// says what the content is.
//
// # Nothing refused is kept
//
// [Service.Upload] reads at most the limit and one byte more, detects the
// format, checks the kind and the size, has the content scanned
// ([Scanner]: none by default, [Clamd] for ClamAV), and only then writes it
// to the blob store, under its content address
// (artefact/sha256/ab/abcdef…, [BlobName]). A refused, oversize, infected
// or interrupted upload leaves the blob store as it was.
//
// # Downloads
//
// There is no public URL. [Service.Download] returns the content only
// after the caller's authorization ([Access]: the action and the object the
// artefact belongs to, decided by package auth) and once the download is
// in the audit trail; [Headers] are the response headers that serve it as
// an attachment that no browser renders in the site's origin.
//
// docs/design/artefacts.md tells the reasons.
package artefact

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
)

// Artefact is an uploaded file, as the dossier keeps it: the content is
// in the blob store under [BlobName] of its digest.
type Artefact struct {
	ID       string    `json:"id"`
	Kind     Kind      `json:"kind"`
	Format   string    `json:"format"`     // the Format's Name: "pdf", "jpeg"…
	Media    string    `json:"media_type"` // the Format's Media, served with it
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"` // of the content, lower-case hex
	Name     string    `json:"name"`   // the file's name as sent, cleaned ([FileName])
	Uploader string    `json:"uploader"`
	At       time.Time `json:"uploaded_at"`
}

// Blob is the name of the artefact's content in the blob store.
func (a Artefact) Blob() string { return BlobName(a.SHA256) }

// Prefix is the part of the blob store that holds artefacts.
const Prefix = "artefact/"

// BlobName is the name content with this SHA-256 (lower-case hex) is kept
// under: artefact/sha256/, the first two digits, the digest. Identical
// files are kept once.
func BlobName(sha256 string) string { return Prefix + "sha256/" + sha256[:2] + "/" + sha256 }

// Limits are the largest sizes accepted, in bytes, by [Class].
type Limits struct {
	Image    int64 // photos and SVG drawings
	Document int64 // PDF, office documents, text, DXF and DWG drawings
	Video    int64
}

// DefaultLimits are the limits when none is configured.
var DefaultLimits = Limits{Image: 20 << 20, Document: 30 << 20, Video: 200 << 20}

// Of returns the limit of class c.
func (l Limits) Of(c Class) int64 {
	switch c {
	case ImageClass:
		return l.Image
	case DocumentClass:
		return l.Document
	case VideoClass:
		return l.Video
	}
	return 0
}

// Max is the largest of the limits: no upload is read past it.
func (l Limits) Max() int64 { return max(l.Image, l.Document, l.Video) }

// MaxName bounds a file's name, in characters.
const MaxName = 200

// FileName cleans the name of an uploaded file, which is only shown and
// offered back on download: the part after the last slash or backslash,
// without control or invisible formatting characters, spaces collapsed,
// no leading dots, at most MaxName characters keeping the extension.
// An empty result is "file".
func FileName(name string) string {
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.Join(strings.Fields(name), " "), ". ")
	if runes := []rune(name); len(runes) > MaxName {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i >= 0 && utf8.RuneCountInString(name[i:]) <= 10 {
			ext = name[i:]
		}
		keep := MaxName - utf8.RuneCountInString(ext)
		name = strings.TrimSpace(string(runes[:keep])) + ext
	}
	if name == "" {
		return "file"
	}
	return name
}

// declared is the format the file's name or its declared media type say
// it is, for the refusal's words only: nothing is decided by it.
func declared(name, media string) (Format, bool) {
	if i := strings.IndexByte(media, ';'); i >= 0 {
		media = media[:i]
	}
	media = strings.ToLower(strings.TrimSpace(media))
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		ext = strings.ToLower(name[i+1:])
	}
	for _, f := range Formats {
		if f.Name == ext || f.Media == media && media != "" {
			return f, true
		}
	}
	switch ext {
	case "jpg", "jpe":
		return JPEG, true
	case "txt":
		return Text, true
	case "m4v":
		return MP4, true
	case "qt":
		return MOV, true
	}
	return Format{}, false
}

// Store records in the audit trail, each call one transaction: the
// artefacts themselves are in the blob store, and what links them to the
// dossier is the experience domain's.
type Store interface {
	Update(ctx context.Context, fn func(Writer) error) error
}

// Writer is what a transaction of Store gives: the audit trail.
type Writer interface {
	audit.Recorder
}

// The actions the audit trail records.
const (
	ActionUpload   = "artefact.upload"
	ActionDownload = "artefact.download"
)

// summary is what the audit trail keeps of an artefact: never its content.
type summary struct {
	Name   string `json:"name"`
	Kind   Kind   `json:"kind"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func (a Artefact) summary() summary {
	return summary{Name: a.Name, Kind: a.Kind, Format: a.Format, Size: a.Size, SHA256: a.SHA256}
}

// mib says a limit in MiB, rounded up, for a message.
func mib(n int64) int64 { return (n + 1<<20 - 1) >> 20 }

// errKind refuses a kind that is not one of Kinds.
func errKind(k Kind) error { return attesta.E(attesta.Invalid, "err.artefact.kind.invalid", string(k)) }
