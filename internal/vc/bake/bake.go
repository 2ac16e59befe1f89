// Package bake embeds ("bakes") an Open Badges 3.0 credential into a PNG or
// SVG badge image and extracts it again, as the Open Badges 3.0 specification
// describes in its section on baked badges
// (https://www.imsglobal.org/spec/ob/v3p0/#baking).
//
// A credential is either the JSON representation of an OpenBadgeCredential
// secured with an embedded proof, or the compact JWS of one secured with
// VC-JOSE (VC-JWT). This package does not parse either: it only tells them
// apart by shape (a JSON object starts with '{' and ends with '}', a compact
// JWS is three base64url segments joined by dots) and returns the text as
// stored. Callers parse and verify it.
//
// # PNG
//
// The credential is the text of an iTXt chunk with the keyword
// "openbadgecredential", compression flag 0, compression method 0 and an empty
// language tag and translated keyword. The specification does not say where the
// chunk goes; [BakePNG] puts it directly before IEND, where the 1EdTech sample
// images have it, and [Bake] with [Options.Replace] puts the new chunk where the
// old one was. All other chunks are copied byte for byte. The specification
// forbids compression, so a compressed credential chunk (compression flag 1) is
// rejected, not inflated. The PNG signature and the length, type and CRC of
// every chunk are checked; the datastream must start with IHDR and end with
// IEND, with nothing after it.
//
// Besides the credential chunk, an image must carry no other text chunk
// (tEXt, zTXt or iTXt) whose keyword is, in any case, openbadgecredential or
// the Open Badges 2.0 keyword openbadges: a reader that took that one would
// see another badge, so such an image is refused as ambiguous
// ([ErrAmbiguousCredential]), and baking with [Options.Replace] drops those
// chunks.
//
// # SVG
//
// The credential is an element named "credential" in the namespace
// https://purl.imsglobal.org/ob/v3p0 (written <openbadges:credential>), placed
// as the first child of the <svg> root. A JSON credential is the element's
// content, in a CDATA section; a compact JWS is the value of the element's
// "verify" attribute and the element is empty. Extraction takes the verify
// attribute if there is one and the content otherwise (CDATA or escaped text),
// whichever shape the credential has; it matches the namespace URI whatever
// the prefix, and accepts the credential element anywhere in the document, but
// only once. Baking adds xmlns:openbadges to the root start tag unless the
// root already binds a prefix to the namespace, which is then used (or binds
// "openbadges" to another namespace, in which case the credential element
// declares its own), and otherwise leaves the document byte for byte as it was.
//
// An SVG that carries a credential element must carry nothing a reader could
// take for another: an element named credential in another namespace, or an
// Open Badges 2.0 assertion, is refused as ambiguous ([ErrAmbiguousCredential]).
//
// An SVG is a program as much as a picture: [ActiveContent] lists what it
// would run or fetch if displayed (scripts, event handlers, references to
// outside resources), for a verifier to report.
//
// SVG input is parsed with encoding/xml, which expands no entities other than
// the five predefined ones and character references; a reference to any other
// entity is an error. A DOCTYPE with an internal subset (where entities would be
// declared) is rejected outright, so entity-expansion tricks fail early. The
// document must be UTF-8.
//
// # Whitespace
//
// Whitespace (space, tab, CR, LF) around a credential is not part of it: the
// SVG form indents the CDATA section, as the 1EdTech sample does. Both formats
// therefore trim it when extracting, and baking trims it before storing, so a
// credential baked by this package is extracted as exactly the bytes that were
// baked, and the same credential extracted from a PNG and an SVG is the same
// bytes. Nothing inside the credential is changed: a CR in a JSON credential
// baked into an SVG is written as a character reference so that XML line-end
// normalisation cannot alter it.
//
// # OB 2.0 and early OB 3.0 images
//
// Open Badges 2.0 images (iTXt keyword "openbadges", SVG element
// <openbadges:assertion> in the namespace http://openbadges.org) do not carry
// an OB 3.0 credential; extracting from one fails with [ErrNoCredential] and
// says what was found. Images from early OB 3.0 drafts use the same container
// format as today's and are extracted alike: whether the payload follows VC
// Data Model 1.1 (a JWT with a "vc" claim) or 2.0 is the caller's concern.
package bake

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Size limits. An image or credential larger than these is rejected before it
// is parsed, and baking fails rather than produce an image larger than
// MaxImageSize.
const (
	// MaxImageSize is the largest PNG or SVG image accepted or produced, in bytes.
	MaxImageSize = 16 << 20
	// MaxCredentialSize is the largest credential accepted, in bytes,
	// excluding surrounding whitespace.
	MaxCredentialSize = 1 << 20
)

// Namespace is the XML namespace of the SVG credential element.
const Namespace = "https://purl.imsglobal.org/ob/v3p0"

// PNGKeyword is the keyword of the PNG iTXt chunk that carries the credential.
const PNGKeyword = "openbadgecredential"

// Errors returned, wrapped with details, by the functions of this package.
// Test for them with [errors.Is].
var (
	// ErrUnknownFormat reports data that is neither a PNG nor an SVG image.
	ErrUnknownFormat = errors.New("bake: not a PNG or SVG image")
	// ErrImageTooLarge reports an image larger than MaxImageSize, or a
	// baked result that would be.
	ErrImageTooLarge = errors.New("bake: image too large")
	// ErrCredentialTooLarge reports a credential larger than MaxCredentialSize.
	ErrCredentialTooLarge = errors.New("bake: credential too large")
	// ErrInvalidCredential reports credential text that is empty, not UTF-8,
	// not representable in XML, or neither a JSON object nor a compact JWS.
	ErrInvalidCredential = errors.New("bake: invalid credential")
	// ErrMalformedPNG reports a PNG datastream that breaks the PNG format.
	ErrMalformedPNG = errors.New("bake: malformed png")
	// ErrMalformedSVG reports an SVG document that is not well-formed XML, not
	// an SVG, or uses XML features this package refuses (internal DTD
	// subsets, encodings other than UTF-8).
	ErrMalformedSVG = errors.New("bake: malformed svg")
	// ErrCompressedCredential reports a PNG credential chunk with the
	// compression flag set, which the specification forbids.
	ErrCompressedCredential = errors.New("bake: compressed credential chunk")
	// ErrNoCredential reports an image that carries no credential.
	ErrNoCredential = errors.New("bake: no credential in image")
	// ErrMultipleCredentials reports an image with more than one credential,
	// which the specification forbids.
	ErrMultipleCredentials = errors.New("bake: more than one credential in image")
	// ErrAlreadyBaked reports baking into an image that already carries a
	// credential without Options.Replace.
	ErrAlreadyBaked = errors.New("bake: image already carries a credential")
	// ErrAmbiguousCredential reports an image that carries, besides its
	// credential or in place of it, another text a badge reader could take
	// for one: a PNG text chunk (tEXt, zTXt or iTXt) with the keyword
	// openbadgecredential or openbadges in any case, an SVG element named
	// credential in another namespace, or an Open Badges 2.0 assertion.
	// Readers that look for the credential differently would not agree on
	// which one the image carries, so it carries none.
	ErrAmbiguousCredential = errors.New("bake: ambiguous credential")
)

// Format is the image format of a baked badge.
type Format int

// Image formats.
const (
	FormatUnknown Format = iota
	FormatPNG
	FormatSVG
)

// String returns "png", "svg" or "unknown".
func (f Format) String() string {
	switch f {
	case FormatPNG:
		return "png"
	case FormatSVG:
		return "svg"
	default:
		return "unknown"
	}
}

// pngSignature is the eight-byte signature that starts every PNG datastream.
const pngSignature = "\x89PNG\r\n\x1a\n"

// DetectFormat reports the format of data by its first bytes: PNG if it starts
// with the PNG signature (or its first four bytes, so that a signature damaged
// by line-end conversion is reported as a malformed PNG), SVG if its first
// character other than a UTF-8 byte order mark and whitespace is '<'. It does
// not validate the rest.
func DetectFormat(data []byte) Format {
	if bytes.HasPrefix(data, []byte(pngSignature[:4])) {
		return FormatPNG
	}
	rest := bytes.TrimPrefix(data, []byte("\ufeff"))
	rest = bytes.TrimLeft(rest, " \t\r\n")
	if len(rest) > 0 && rest[0] == '<' {
		return FormatSVG
	}
	return FormatUnknown
}

// Options controls [Bake].
type Options struct {
	// Replace allows baking into an image that already carries a
	// credential: the old one is removed and the new one takes its place
	// (PNG) or becomes the first child of the root (SVG). An image with more
	// than one credential is rejected even so.
	Replace bool
}

// Bake bakes credential into img, a PNG or SVG image told apart by
// [DetectFormat], and returns the new image and its format. Unless
// opts.Replace is set, an image that already carries a credential is rejected
// with [ErrAlreadyBaked].
func Bake(img, credential []byte, opts Options) ([]byte, Format, error) {
	switch f := DetectFormat(img); f {
	case FormatPNG:
		out, err := bakePNG(img, credential, opts)
		return out, f, err
	case FormatSVG:
		out, err := bakeSVG(img, credential, opts)
		return out, f, err
	default:
		return nil, FormatUnknown, ErrUnknownFormat
	}
}

// Extract returns the credential baked into data, a PNG or SVG image told apart
// by [DetectFormat], and the image's format.
func Extract(data []byte) (credential []byte, format Format, err error) {
	switch f := DetectFormat(data); f {
	case FormatPNG:
		c, err := ExtractPNG(data)
		return c, f, err
	case FormatSVG:
		c, err := ExtractSVG(data)
		return c, f, err
	default:
		return nil, FormatUnknown, ErrUnknownFormat
	}
}

// kind is the shape of a credential.
type kind int

const (
	kindJSON kind = iota + 1 // a JSON object, embedded proof
	kindJWS                  // a compact JWS, VC-JOSE
)

// xmlSpace is the whitespace trimmed around a credential: XML's S, which is
// also JSON's whitespace.
const xmlSpace = " \t\r\n"

// checkCredential trims the whitespace around c and checks what remains: not
// empty, at most MaxCredentialSize bytes, UTF-8 with only characters XML
// allows (so that every credential can be written to both formats), and shaped
// like a JSON object or a compact JWS. It returns the trimmed credential, a
// subslice of c, and its kind. Errors name where the credential was found,
// if where is not empty.
func checkCredential(c []byte, where string) ([]byte, kind, error) {
	if where != "" {
		where += ": "
	}
	c = bytes.Trim(c, xmlSpace)
	if len(c) == 0 {
		return nil, 0, fmt.Errorf("%w: %sempty", ErrInvalidCredential, where)
	}
	if len(c) > MaxCredentialSize {
		return nil, 0, fmt.Errorf("%w: %s%d bytes, limit %d", ErrCredentialTooLarge, where, len(c), MaxCredentialSize)
	}
	for i := 0; i < len(c); {
		r, n := utf8.DecodeRune(c[i:])
		if r == utf8.RuneError && n <= 1 {
			return nil, 0, fmt.Errorf("%w: %sinvalid UTF-8 at byte %d", ErrInvalidCredential, where, i)
		}
		if !isXMLChar(r) {
			return nil, 0, fmt.Errorf("%w: %scharacter %U at byte %d is not allowed in XML", ErrInvalidCredential, where, r, i)
		}
		i += n
	}
	if c[0] == '{' {
		if c[len(c)-1] != '}' {
			return nil, 0, fmt.Errorf("%w: %sstarts with '{' but does not end with '}'", ErrInvalidCredential, where)
		}
		return c, kindJSON, nil
	}
	if err := checkCompactJWS(c); err != nil {
		return nil, 0, fmt.Errorf("%w: %sneither a JSON object nor a compact JWS: %v", ErrInvalidCredential, where, err)
	}
	return c, kindJWS, nil
}

// checkCompactJWS checks that c is three non-empty base64url segments (without
// padding) separated by dots.
func checkCompactJWS(c []byte) error {
	parts := bytes.Split(c, []byte("."))
	if len(parts) != 3 {
		return fmt.Errorf("%d dot-separated parts, want 3", len(parts))
	}
	names := [3]string{"header", "payload", "signature"}
	for i, p := range parts {
		if len(p) == 0 {
			return fmt.Errorf("empty %s", names[i])
		}
		for j, b := range p {
			if !isBase64URL(b) {
				return fmt.Errorf("%s: byte %q at %d is not base64url", names[i], b, j)
			}
		}
	}
	return nil
}

func isBase64URL(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '_'
}

// isXMLChar reports whether r is a Char of XML 1.0.
func isXMLChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		0x20 <= r && r <= 0xD7FF ||
		0xE000 <= r && r <= 0xFFFD ||
		0x10000 <= r && r <= 0x10FFFF
}
