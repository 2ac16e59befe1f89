// Package checkpoint reads, writes, signs and verifies the checkpoints of
// attesta's transparency log and the cosignatures that witnesses put on them.
//
// It implements, without other dependencies than the standard library:
//
//   - C2SP signed-note (https://c2sp.org/signed-note): a note is a UTF-8 text
//     ending in a newline, a blank line, and signature lines
//     "— <key name> <base64(key ID || signature)>". [Sign] writes notes, [Open]
//     reads them and verifies the signatures of the keys it is given. Ed25519
//     keys (signature type 0x01) are read and written in the signer and
//     verifier key encodings of golang.org/x/mod/sumdb/note ([ParseSignerKey],
//     [ParseVerifierKey], [GenerateKey]).
//   - C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text of
//     a checkpoint is the log's origin, the decimal tree size, the base64 root
//     hash of the RFC 6962 tree, and optional extension lines ([Checkpoint],
//     [Parse]).
//   - C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), the Ed25519
//     cosignature/v1 type (signature type 0x04): a witness signs
//     "cosignature/v1\ntime <unix seconds>\n" followed by the checkpoint's note
//     text, and its signature line carries key ID || 8-byte big-endian
//     timestamp || Ed25519 signature ([Cosigner], [VerifyCosignature]).
//
// A [Policy] is what a verifier of attesta's log trusts: the log's key and a
// quorum of witnesses; [Policy.Verify] checks both.
//
// Notes are limited to [MaxNoteSize] bytes and [MaxSignatures] signature
// lines.
package checkpoint

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A Checkpoint is the note text of a C2SP tlog-checkpoint: the tree head of a
// log at some size.
type Checkpoint struct {
	// Origin identifies the log, e.g. "attesta.example.org/log". It must be
	// non-empty.
	Origin string
	// Size is the number of leaves in the tree.
	Size int64
	// Root is the RFC 6962 Merkle tree hash of the tree's first Size leaves.
	Root [32]byte
	// Extensions are opaque, non-empty extension lines following the root
	// hash, without their newlines. They are rarely used.
	Extensions []string
}

// Marshal returns the checkpoint's note text: the origin, the size in
// decimal and the base64 root hash, then each extension, each line ending in
// a newline. Marshal does not check c; [Checkpoint.Validate] does, and [Sign]
// refuses a text that is not a valid note text.
func (c Checkpoint) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatInt(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Root[:]))
	b.WriteByte('\n')
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Validate reports whether c can be marshalled into a checkpoint that
// [Parse] reads back as c: a non-empty origin, a size that is not negative,
// non-empty extensions, and no line with a newline or another control
// character or with invalid UTF-8.
func (c Checkpoint) Validate() error {
	if c.Origin == "" {
		return errors.New("checkpoint: the origin is empty")
	}
	if err := checkLine(c.Origin); err != nil {
		return fmt.Errorf("checkpoint: origin: %w", err)
	}
	if c.Size < 0 {
		return fmt.Errorf("checkpoint: negative tree size %d", c.Size)
	}
	for i, e := range c.Extensions {
		if e == "" {
			return fmt.Errorf("checkpoint: extension %d is empty", i+1)
		}
		if err := checkLine(e); err != nil {
			return fmt.Errorf("checkpoint: extension %d: %w", i+1, err)
		}
	}
	return nil
}

// checkLine reports whether s can be one line of a note text.
func checkLine(s string) error {
	if i, msg := checkText([]byte(s)); msg != "" {
		return fmt.Errorf("%s at byte %d", msg, i)
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return fmt.Errorf("newline at byte %d", i)
	}
	return nil
}

// Parse reads a checkpoint from its note text (not from a signed note: see
// [Open] and [Policy.Verify]). It is strict: the text must be a valid note
// text ending in a newline, with a non-empty origin, a tree size in decimal
// without sign or leading zeroes, a root hash in canonical padded base64 of
// exactly 32 bytes, and extension lines, if any, non-empty.
func Parse(text []byte) (*Checkpoint, error) {
	if len(text) > MaxNoteSize {
		return nil, fmt.Errorf("checkpoint: text is %d bytes, the limit is %d", len(text), MaxNoteSize)
	}
	if i, msg := checkText(text); msg != "" {
		return nil, fmt.Errorf("checkpoint: %s at byte %d", msg, i)
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return nil, errors.New("checkpoint: text does not end in a newline")
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 {
		return nil, fmt.Errorf("checkpoint: %d lines, want at least 3 (origin, tree size, root hash)", len(lines))
	}
	c := &Checkpoint{Origin: lines[0]}
	if c.Origin == "" {
		return nil, errors.New("checkpoint: line 1: the origin is empty")
	}
	size, err := parseDecimal(lines[1])
	if err != nil {
		return nil, fmt.Errorf("checkpoint: line 2: tree size: %w", err)
	}
	c.Size = size
	root, err := parseHash(lines[2])
	if err != nil {
		return nil, fmt.Errorf("checkpoint: line 3: root hash: %w", err)
	}
	c.Root = root
	for i, e := range lines[3:] {
		if e == "" {
			return nil, fmt.Errorf("checkpoint: line %d: empty extension line", i+4)
		}
		c.Extensions = append(c.Extensions, e)
	}
	return c, nil
}

// parseDecimal parses a non-negative int64 in decimal, with no sign and no
// leading zeroes except for "0" itself.
func parseDecimal(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a decimal number", s)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return n, nil
}

// ParseHash parses a 32-byte hash in canonical, padded standard base64, the
// encoding of root hashes in checkpoints and of consistency proof lines in
// tlog-witness requests.
func ParseHash(s string) ([32]byte, error) {
	return parseHash(s)
}

func parseHash(s string) ([32]byte, error) {
	var h [32]byte
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(h) || base64.StdEncoding.EncodeToString(b) != s {
		return h, fmt.Errorf("%q is not the canonical base64 of 32 bytes", s)
	}
	copy(h[:], b)
	return h, nil
}
