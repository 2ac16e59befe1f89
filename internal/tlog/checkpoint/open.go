package checkpoint

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// A Signature is one signature line of a note.
type Signature struct {
	// Name is the key name.
	Name string
	// KeyID is the key ID, the first four bytes of the signature.
	KeyID uint32
	// Base64 is the base64 of the key ID followed by the signature, as in the
	// signature line.
	Base64 string
}

// Line returns the signature line, "— <name> <base64>\n".
func (s Signature) Line() string {
	return sigPrefix + s.Name + " " + s.Base64 + "\n"
}

// A Note is a parsed signed note.
type Note struct {
	// Text is the note text, ending in a newline, without the blank line
	// that separates it from the signatures.
	Text []byte
	// Sigs are the signatures verified by the verifiers given to [Open], in
	// the order of the note, one per key.
	Sigs []Signature
	// UnverifiedSigs are the signatures by keys [Open] was not given, in the
	// order of the note, without repeated identical lines. They were not
	// verified.
	UnverifiedSigs []Signature
}

// ErrMalformedNote is wrapped by the errors of [Open] and [ParseNote] for a
// note that breaks the signed-note format or the limits of this package.
var ErrMalformedNote = errors.New("checkpoint: malformed note")

// An UnverifiedNoteError is returned by [Open] for a well-formed note with no
// signature by any of the verifiers it was given.
type UnverifiedNoteError struct {
	// Note is the note, all of its signatures unverified.
	Note *Note
}

func (e *UnverifiedNoteError) Error() string {
	if len(e.Note.UnverifiedSigs) == 0 {
		return "checkpoint: note has no signature by a known key"
	}
	var keys []string
	for _, s := range e.Note.UnverifiedSigs {
		keys = append(keys, fmt.Sprintf("%s+%08x", s.Name, s.KeyID))
	}
	return "checkpoint: note has no signature by a known key; it is signed by " + strings.Join(keys, ", ")
}

// An InvalidSignatureError is returned by [Open] for a note with a signature
// line whose key name and key ID are those of a known key but whose signature
// does not verify. Such a note is rejected as a whole.
type InvalidSignatureError struct {
	// Name is the key name of the signature line.
	Name string
	// KeyID is the key ID of the signature line.
	KeyID uint32
}

func (e *InvalidSignatureError) Error() string {
	return fmt.Sprintf("checkpoint: the signature by %s+%08x does not verify", e.Name, e.KeyID)
}

// ParseNote parses a signed note without verifying any signature: all of
// them are in the UnverifiedSigs of the result. Its text must not be trusted;
// it is for finding out which keys to verify the note with (such as the keys
// of the log named by a checkpoint's origin) before calling [Open].
func ParseNote(note []byte) (*Note, error) {
	return open(note, nil)
}

// Open parses a signed note and verifies its signatures by the given keys. A
// signature line by an unknown key, one whose name or key ID differs from
// every verifier's, is kept in UnverifiedSigs but not verified. A signature
// line by a known key must verify, or Open returns an
// [*InvalidSignatureError]; and at least one must, or Open returns an
// [*UnverifiedNoteError]. Errors for notes breaking the format wrap
// [ErrMalformedNote].
//
// The note must be valid UTF-8 without ASCII control characters other than
// newline, at most [MaxNoteSize] bytes, a text ending in a newline, a blank
// line (the last one of the note), and from 1 to [MaxSignatures] signature
// lines "— <key name> <base64>", where the base64 is canonical and encodes
// a 4-byte key ID followed by at least one byte of signature.
func Open(note []byte, verifiers ...NoteVerifier) (*Note, error) {
	type key struct {
		name string
		id   uint32
	}
	known := make(map[key]NoteVerifier, len(verifiers))
	for _, v := range verifiers {
		if v == nil {
			return nil, errors.New("checkpoint: nil verifier")
		}
		k := key{v.Name(), v.KeyID()}
		if known[k] != nil {
			return nil, fmt.Errorf("checkpoint: two verifiers for the key %s+%08x", k.name, k.id)
		}
		known[k] = v
	}
	n, err := open(note, func(name string, id uint32) NoteVerifier { return known[key{name, id}] })
	if err != nil {
		return nil, err
	}
	if len(n.Sigs) == 0 {
		return nil, &UnverifiedNoteError{Note: n}
	}
	return n, nil
}

// open parses note and verifies the signatures by the keys lookup returns
// (nil: unknown key).
func open(note []byte, lookup func(name string, id uint32) NoteVerifier) (*Note, error) {
	if len(note) > MaxNoteSize {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrMalformedNote, len(note), MaxNoteSize)
	}
	if i, msg := checkText(note); msg != "" {
		return nil, fmt.Errorf("%w: %s at byte %d", ErrMalformedNote, msg, i)
	}
	split := bytes.LastIndex(note, []byte("\n\n"))
	if split < 0 {
		return nil, fmt.Errorf("%w: no blank line before the signatures", ErrMalformedNote)
	}
	text, sigs := note[:split+1], note[split+2:]
	if len(sigs) == 0 {
		return nil, fmt.Errorf("%w: no signature lines", ErrMalformedNote)
	}
	if sigs[len(sigs)-1] != '\n' {
		return nil, fmt.Errorf("%w: the last signature line does not end in a newline", ErrMalformedNote)
	}
	n := &Note{Text: bytes.Clone(text)}
	type key struct {
		name string
		id   uint32
	}
	verified := make(map[key]bool)
	unverified := make(map[string]bool)
	for i := 1; len(sigs) > 0; i++ {
		if i > MaxSignatures {
			return nil, fmt.Errorf("%w: more than %d signature lines", ErrMalformedNote, MaxSignatures)
		}
		end := bytes.IndexByte(sigs, '\n')
		line := string(sigs[:end])
		sigs = sigs[end+1:]
		s, sig, err := parseSignatureLine(line)
		if err != nil {
			return nil, fmt.Errorf("%w: signature line %d: %v", ErrMalformedNote, i, err)
		}
		var v NoteVerifier
		if lookup != nil {
			v = lookup(s.Name, s.KeyID)
		}
		if v == nil {
			if !unverified[line] {
				unverified[line] = true
				n.UnverifiedSigs = append(n.UnverifiedSigs, s)
			}
			continue
		}
		if !v.Verify(n.Text, sig[4:]) {
			return nil, &InvalidSignatureError{Name: s.Name, KeyID: s.KeyID}
		}
		if k := (key{s.Name, s.KeyID}); !verified[k] {
			verified[k] = true
			n.Sigs = append(n.Sigs, s)
		}
	}
	return n, nil
}

// ParseSignatureLine parses one signature line, "— <key name> <base64>",
// with or without its final newline. The base64 must be canonical and encode
// a 4-byte key ID followed by at least one byte of signature. The signature
// is not verified.
func ParseSignatureLine(line string) (Signature, error) {
	line = strings.TrimSuffix(line, "\n")
	if i, msg := checkText([]byte(line)); msg != "" {
		return Signature{}, fmt.Errorf("checkpoint: signature line: %s at byte %d", msg, i)
	}
	s, _, err := parseSignatureLine(line)
	if err != nil {
		return Signature{}, fmt.Errorf("checkpoint: signature line: %v", err)
	}
	return s, nil
}

// parseSignatureLine parses a signature line without its newline and returns
// it with the decoded key ID and signature.
func parseSignatureLine(line string) (Signature, []byte, error) {
	rest, ok := strings.CutPrefix(line, sigPrefix)
	if !ok {
		return Signature{}, nil, errors.New("does not begin with an em dash (U+2014) and a space")
	}
	name, b64, ok := strings.Cut(rest, " ")
	if !ok {
		return Signature{}, nil, errors.New("no space between the key name and the signature")
	}
	if !ValidName(name) {
		return Signature{}, nil, fmt.Errorf("invalid key name %q", name)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || base64.StdEncoding.EncodeToString(sig) != b64 {
		return Signature{}, nil, fmt.Errorf("signature by %s is not canonical base64", name)
	}
	if len(sig) < 5 {
		return Signature{}, nil, fmt.Errorf("signature by %s is %d bytes, too short for a key ID and a signature", name, len(sig))
	}
	return Signature{Name: name, KeyID: binary.BigEndian.Uint32(sig), Base64: b64}, sig, nil
}
