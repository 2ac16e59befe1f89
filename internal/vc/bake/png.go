package bake

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
)

// pngChunk is one chunk of a PNG datastream.
type pngChunk struct {
	index int    // position in the datastream, from 0 (IHDR)
	off   int    // offset of the length field
	end   int    // offset just after the CRC
	typ   string // chunk type
	data  []byte // chunk data, a subslice of the image
}

func (c *pngChunk) String() string {
	return fmt.Sprintf("chunk %d (%q) at offset %d", c.index, c.typ, c.off)
}

// maxChunkLength is the largest chunk length the PNG specification allows.
const maxChunkLength = 1<<31 - 1

// parsePNG checks the signature and the chunk structure of img and returns
// its chunks. The chunk data are not interpreted.
func parsePNG(img []byte) ([]pngChunk, error) {
	if len(img) > MaxImageSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrImageTooLarge, len(img), MaxImageSize)
	}
	if !bytes.HasPrefix(img, []byte(pngSignature)) {
		if len(img) < len(pngSignature) {
			return nil, fmt.Errorf("%w: truncated signature (%d bytes)", ErrMalformedPNG, len(img))
		}
		return nil, fmt.Errorf("%w: bad signature % x (altered by a line-end conversion?)", ErrMalformedPNG, img[:len(pngSignature)])
	}
	var chunks []pngChunk
	off := len(pngSignature)
	for i := 0; ; i++ {
		if off == len(img) {
			return nil, fmt.Errorf("%w: no IEND chunk after %d chunks (truncated?)", ErrMalformedPNG, i)
		}
		if len(img)-off < 8 {
			return nil, fmt.Errorf("%w: chunk %d at offset %d: truncated header (%d bytes)", ErrMalformedPNG, i, off, len(img)-off)
		}
		length := binary.BigEndian.Uint32(img[off:])
		typ := img[off+4 : off+8]
		c := pngChunk{index: i, off: off, typ: string(typ)}
		for _, b := range typ {
			if !('A' <= b && b <= 'Z' || 'a' <= b && b <= 'z') {
				return nil, fmt.Errorf("%w: %v: invalid chunk type", ErrMalformedPNG, &c)
			}
		}
		if length > maxChunkLength {
			return nil, fmt.Errorf("%w: %v: length %d exceeds 2^31-1", ErrMalformedPNG, &c, length)
		}
		if uint64(len(img)-off-8) < uint64(length)+4 {
			return nil, fmt.Errorf("%w: %v: length %d but only %d bytes left for data and CRC", ErrMalformedPNG, &c, length, len(img)-off-8)
		}
		c.data = img[off+8 : off+8+int(length)]
		c.end = off + 12 + int(length)
		stored := binary.BigEndian.Uint32(img[c.end-4:])
		if sum := crc32.ChecksumIEEE(img[off+4 : c.end-4]); sum != stored {
			return nil, fmt.Errorf("%w: %v: CRC mismatch: stored %08x, computed %08x", ErrMalformedPNG, &c, stored, sum)
		}
		switch {
		case i == 0 && c.typ != "IHDR":
			return nil, fmt.Errorf("%w: %v: first chunk is not IHDR", ErrMalformedPNG, &c)
		case i == 0 && length != 13:
			return nil, fmt.Errorf("%w: %v: IHDR length %d, want 13", ErrMalformedPNG, &c, length)
		case i > 0 && c.typ == "IHDR":
			return nil, fmt.Errorf("%w: %v: second IHDR", ErrMalformedPNG, &c)
		case c.typ == "IEND" && length != 0:
			return nil, fmt.Errorf("%w: %v: IEND length %d, want 0", ErrMalformedPNG, &c, length)
		}
		chunks = append(chunks, c)
		off = c.end
		if c.typ == "IEND" {
			if off != len(img) {
				return nil, fmt.Errorf("%w: %d bytes after IEND", ErrMalformedPNG, len(img)-off)
			}
			return chunks, nil
		}
	}
}

// isCredentialChunk reports whether c is an iTXt chunk with the keyword
// openbadgecredential.
func isCredentialChunk(c *pngChunk) bool {
	return c.typ == "iTXt" && bytes.HasPrefix(c.data, []byte(PNGKeyword+"\x00"))
}

// findCredentialChunk returns the credential chunk of chunks, or nil if there
// is none. More than one is an error.
func findCredentialChunk(chunks []pngChunk) (*pngChunk, error) {
	var found *pngChunk
	for i := range chunks {
		c := &chunks[i]
		if !isCredentialChunk(c) {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%w: png: %v and %v both have keyword %s", ErrMultipleCredentials, found, c, PNGKeyword)
		}
		found = c
	}
	return found, nil
}

// credentialKeywords are the keywords of the PNG text chunks badge readers
// look for: Open Badges 3.0's and 2.0's.
var credentialKeywords = []string{PNGKeyword, "openbadges"}

// credentialLike returns the keyword of c if c is a text chunk (tEXt, zTXt or
// iTXt) whose keyword is one of credentialKeywords up to case and
// surrounding spaces, which lenient readers ignore; a keyword without its
// terminating NUL is the whole of the chunk's data, as such a reader would
// take it.
func credentialLike(c *pngChunk) (string, bool) {
	if c.typ != "tEXt" && c.typ != "zTXt" && c.typ != "iTXt" {
		return "", false
	}
	kw := c.data
	if i := bytes.IndexByte(kw, 0); i >= 0 {
		kw = kw[:i]
	}
	if len(kw) > 80 {
		return "", false
	}
	trimmed := strings.TrimSpace(string(kw))
	for _, k := range credentialKeywords {
		if strings.EqualFold(trimmed, k) {
			return string(kw), true
		}
	}
	return "", false
}

// ambiguousPNG refuses chunks that carry, besides the credential chunk
// cred, another chunk with a credential-like keyword.
func ambiguousPNG(chunks []pngChunk, cred *pngChunk) error {
	for i := range chunks {
		c := &chunks[i]
		if c == cred {
			continue
		}
		if kw, ok := credentialLike(c); ok {
			return fmt.Errorf("%w: png: %v has keyword %q besides the credential in %v", ErrAmbiguousCredential, c, kw, cred)
		}
	}
	return nil
}

// noCredentialPNG explains the absence of a credential chunk, naming chunks
// that look like an attempt at one.
func noCredentialPNG(chunks []pngChunk) error {
	for i := range chunks {
		c := &chunks[i]
		switch {
		case c.typ == "iTXt" && bytes.HasPrefix(c.data, []byte("openbadges\x00")):
			return fmt.Errorf("%w: png: %v carries an Open Badges 2.0 assertion (keyword openbadges), not an OB 3.0 credential", ErrNoCredential, c)
		case (c.typ == "tEXt" || c.typ == "zTXt") && bytes.HasPrefix(c.data, []byte(PNGKeyword+"\x00")):
			return fmt.Errorf("%w: png: %v has keyword %s but the credential must be in an iTXt chunk", ErrNoCredential, c, PNGKeyword)
		}
	}
	return fmt.Errorf("%w: png: no iTXt chunk with keyword %s", ErrNoCredential, PNGKeyword)
}

// ExtractPNG returns the credential baked into the PNG image img: the text of
// its one iTXt chunk with the keyword openbadgecredential, without surrounding
// whitespace. The whole datastream is checked, and an image with two such
// chunks or a compressed one is rejected, and so is an image with another
// text chunk whose keyword is credential-like ([ErrAmbiguousCredential]).
func ExtractPNG(img []byte) ([]byte, error) {
	chunks, err := parsePNG(img)
	if err != nil {
		return nil, err
	}
	c, err := findCredentialChunk(chunks)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, noCredentialPNG(chunks)
	}
	if err := ambiguousPNG(chunks, c); err != nil {
		return nil, err
	}
	text, err := credentialText(c)
	if err != nil {
		return nil, err
	}
	cred, _, err := checkCredential(text, "png: "+c.String())
	if err != nil {
		return nil, err
	}
	return bytes.Clone(cred), nil
}

// credentialText returns the text of the credential chunk c, checking the
// fields between keyword and text.
func credentialText(c *pngChunk) ([]byte, error) {
	rest := c.data[len(PNGKeyword)+1:]
	if len(rest) < 2 {
		return nil, fmt.Errorf("%w: %v: iTXt truncated after keyword", ErrMalformedPNG, c)
	}
	switch flag := rest[0]; flag {
	case 0:
	case 1:
		return nil, fmt.Errorf("%w: %v: compression flag 1; Open Badges 3.0 forbids compression", ErrCompressedCredential, c)
	default:
		return nil, fmt.Errorf("%w: %v: iTXt compression flag %d, want 0", ErrMalformedPNG, c, flag)
	}
	if method := rest[1]; method != 0 {
		return nil, fmt.Errorf("%w: %v: iTXt compression method %d, want 0", ErrMalformedPNG, c, method)
	}
	rest = rest[2:]
	// The language tag and the translated keyword are not required to be
	// empty when extracting, only to be terminated.
	for _, field := range []string{"language tag", "translated keyword"} {
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return nil, fmt.Errorf("%w: %v: iTXt %s not terminated", ErrMalformedPNG, c, field)
		}
		rest = rest[i+1:]
	}
	return rest, nil
}

// BakePNG bakes credential into the PNG image img: it inserts an iTXt chunk
// with the keyword openbadgecredential, uncompressed, with empty language tag
// and translated keyword, directly before IEND, and copies every other chunk
// unchanged. An image that already carries a credential is rejected with
// [ErrAlreadyBaked]; use [Bake] with [Options.Replace] to replace it.
func BakePNG(img, credential []byte) ([]byte, error) {
	return bakePNG(img, credential, Options{})
}

func bakePNG(img, credential []byte, opts Options) ([]byte, error) {
	cred, _, err := checkCredential(credential, "")
	if err != nil {
		return nil, err
	}
	chunks, err := parsePNG(img)
	if err != nil {
		return nil, err
	}
	old, err := findCredentialChunk(chunks)
	if err != nil {
		return nil, err
	}
	if old != nil && !opts.Replace {
		return nil, fmt.Errorf("%w: png: %v", ErrAlreadyBaked, old)
	}
	if !opts.Replace {
		for i := range chunks {
			if kw, ok := credentialLike(&chunks[i]); ok {
				return nil, fmt.Errorf("%w: png: %v has keyword %q; bake with Replace to drop it", ErrAmbiguousCredential, &chunks[i], kw)
			}
		}
	}

	data := make([]byte, 0, len(PNGKeyword)+5+len(cred))
	data = append(data, PNGKeyword...)
	data = append(data, 0, 0, 0, 0, 0) // keyword end, flag, method, language tag end, translated keyword end
	data = append(data, cred...)

	// The new chunk takes the old one's place, or goes before IEND; with
	// Replace, every other credential-like chunk is dropped.
	at := &chunks[len(chunks)-1]
	if old != nil {
		at = old
	}
	size := len(img) + 12 + len(data)
	for i := range chunks {
		if _, ok := credentialLike(&chunks[i]); ok {
			size -= chunks[i].end - chunks[i].off
		}
	}
	if size > MaxImageSize {
		return nil, fmt.Errorf("%w: baked png would be %d bytes, limit %d", ErrImageTooLarge, size, MaxImageSize)
	}
	out := make([]byte, 0, size)
	out = append(out, img[:chunks[0].off]...)
	for i := range chunks {
		c := &chunks[i]
		if c == at {
			out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
			start := len(out)
			out = append(out, "iTXt"...)
			out = append(out, data...)
			out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
		}
		if _, ok := credentialLike(c); !ok {
			out = append(out, img[c.off:c.end]...)
		}
	}
	return out, nil
}
