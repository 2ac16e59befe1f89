package checkpoint

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the notes that [Open] and [Sign] accept. The signed-note
// specification requires accepting at least 16 signatures.
const (
	// MaxNoteSize is the largest signed note, in bytes.
	MaxNoteSize = 1 << 20
	// MaxSignatures is the largest number of signature lines in a note.
	MaxSignatures = 100
)

// Signature types of the signed-note specification used here: they are the
// byte after the key name and newline in the key ID hash, and the first byte
// of the key in the verifier key encoding.
const (
	// TypeEd25519 is the signature type of Ed25519 note signatures.
	TypeEd25519 byte = 0x01
	// TypeCosignatureV1 is the signature type of timestamped Ed25519
	// cosignatures, c2sp.org/tlog-cosignature.
	TypeCosignatureV1 byte = 0x04
)

// sigPrefix begins every signature line: an em dash (U+2014) and a space.
const sigPrefix = "— "

// KeyID returns the key ID of a key named name, of signature type typ, with
// public key pub: the first four bytes, big-endian, of
// SHA-256(name || "\n" || typ || pub).
func KeyID(name string, typ byte, pub []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', typ})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// ValidName reports whether name can be a key name: non-empty, valid UTF-8,
// with no Unicode space and no plus sign.
func ValidName(name string) bool {
	return name != "" && utf8.ValidString(name) &&
		strings.IndexFunc(name, unicode.IsSpace) < 0 && !strings.Contains(name, "+")
}

func checkName(name string) error {
	if !ValidName(name) {
		return fmt.Errorf("checkpoint: invalid key name %q: it must be non-empty UTF-8 with no spaces and no '+'", name)
	}
	return nil
}

// A NoteVerifier verifies the signatures of one key. [Verifier] and
// [CosignatureVerifier] are NoteVerifiers.
type NoteVerifier interface {
	// Name is the key name of the signature lines.
	Name() string
	// KeyID is the key ID the signatures begin with.
	KeyID() uint32
	// Verify reports whether sig, the signature without its key ID, is a
	// valid signature of the note text.
	Verify(text, sig []byte) bool
}

// A Verifier verifies the Ed25519 note signatures (signature type 0x01) of one
// key, typically a log's key. The zero Verifier verifies nothing.
type Verifier struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
}

// NewVerifier returns the verifier of the Ed25519 key named name.
func NewVerifier(name string, pub ed25519.PublicKey) (Verifier, error) {
	if err := checkName(name); err != nil {
		return Verifier{}, err
	}
	if len(pub) != ed25519.PublicKeySize {
		return Verifier{}, fmt.Errorf("checkpoint: Ed25519 public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	pub = bytes.Clone(pub)
	return Verifier{name: name, id: KeyID(name, TypeEd25519, pub), pub: pub}, nil
}

// ParseVerifierKey parses a verifier key "<name>+<key ID>+<base64 key>" (the
// vkey of golang.org/x/mod/sumdb/note) of an Ed25519 key: the key ID is eight
// hex digits, the key is the type byte 0x01 followed by the 32-byte public
// key, and the key ID must be the one computed from the name and the key.
func ParseVerifierKey(vkey string) (Verifier, error) {
	name, pub, err := parseVerifierKey(vkey, TypeEd25519)
	if err != nil {
		return Verifier{}, err
	}
	return NewVerifier(name, pub)
}

// parseVerifierKey parses a vkey of an Ed25519 key of signature type typ.
func parseVerifierKey(vkey string, typ byte) (string, ed25519.PublicKey, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return "", nil, errors.New("checkpoint: verifier key is not <name>+<key ID>+<key>")
	}
	name, id, key, err := parseKeyParts(parts[0], parts[1], parts[2], typ)
	if err != nil {
		return "", nil, fmt.Errorf("checkpoint: verifier key: %w", err)
	}
	if want := KeyID(name, typ, key); id != want {
		return "", nil, fmt.Errorf("checkpoint: verifier key: key ID %08x does not match the key, whose ID is %08x", id, want)
	}
	return name, ed25519.PublicKey(key), nil
}

// parseKeyParts checks the name, hex key ID and base64 key of a signer or
// verifier key of type typ, and returns the key without its type byte.
func parseKeyParts(name, id16, key64 string, typ byte) (string, uint32, []byte, error) {
	if !ValidName(name) {
		return "", 0, nil, fmt.Errorf("invalid key name %q", name)
	}
	idb, err := hex.DecodeString(id16)
	if len(id16) != 8 || err != nil {
		return "", 0, nil, fmt.Errorf("key ID %q is not 8 hex digits", id16)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(key64)
	if err != nil {
		return "", 0, nil, errors.New("the key is not valid base64")
	}
	if len(key) == 0 {
		return "", 0, nil, errors.New("the key is empty")
	}
	if key[0] != typ {
		return "", 0, nil, fmt.Errorf("key type 0x%02x, want 0x%02x (%s)", key[0], typ, typeName(typ))
	}
	if len(key) != 1+ed25519.PublicKeySize {
		return "", 0, nil, fmt.Errorf("the key is %d bytes after its type byte, want %d", len(key)-1, ed25519.PublicKeySize)
	}
	return name, binary.BigEndian.Uint32(idb), key[1:], nil
}

func typeName(typ byte) string {
	switch typ {
	case TypeEd25519:
		return "Ed25519 note signature"
	case TypeCosignatureV1:
		return "Ed25519 cosignature/v1"
	}
	return "unknown"
}

// formatKey returns the vkey encoding of a key.
func formatKey(name string, id uint32, typ byte, key []byte) string {
	return fmt.Sprintf("%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{typ}, key...)))
}

// Name returns the key name.
func (v Verifier) Name() string { return v.name }

// KeyID returns the key ID.
func (v Verifier) KeyID() uint32 { return v.id }

// PublicKey returns the Ed25519 public key.
func (v Verifier) PublicKey() ed25519.PublicKey { return bytes.Clone(v.pub) }

// Verify reports whether sig is an Ed25519 signature of text by the key.
func (v Verifier) Verify(text, sig []byte) bool {
	return len(v.pub) == ed25519.PublicKeySize && ed25519.Verify(v.pub, text, sig)
}

// String returns the verifier key encoding, "<name>+<key ID>+<base64 key>",
// which [ParseVerifierKey] and golang.org/x/mod/sumdb/note.NewVerifier read.
func (v Verifier) String() string {
	if v.pub == nil {
		return ""
	}
	return formatKey(v.name, v.id, TypeEd25519, v.pub)
}

// A Signer signs notes with an Ed25519 key (signature type 0x01).
type Signer struct {
	name string
	id   uint32
	key  ed25519.PrivateKey
}

// NewSigner returns the signer of the Ed25519 key named name.
func NewSigner(name string, key ed25519.PrivateKey) (*Signer, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("checkpoint: Ed25519 private key is %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	key = ed25519.NewKeyFromSeed(key.Seed()) // a copy, with the public key derived from the seed
	return &Signer{name: name, id: KeyID(name, TypeEd25519, key[32:]), key: key}, nil
}

// GenerateKey generates an Ed25519 key named name and returns its signer key,
// which must be kept secret, and its verifier key, in the encodings of
// golang.org/x/mod/sumdb/note ([ParseSignerKey], [ParseVerifierKey]).
func GenerateKey(rand io.Reader, name string) (skey, vkey string, err error) {
	if err := checkName(name); err != nil {
		return "", "", err
	}
	_, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return "", "", fmt.Errorf("checkpoint: generating a key: %w", err)
	}
	s, err := NewSigner(name, priv)
	if err != nil {
		return "", "", err
	}
	return s.SignerKey(), s.Verifier().String(), nil
}

// ParseSignerKey parses a signer key "PRIVATE+KEY+<name>+<key ID>+<base64
// key>" (the skey of golang.org/x/mod/sumdb/note) of an Ed25519 key: the key
// is the type byte 0x01 followed by the 32-byte seed, and the key ID must be
// the one computed from the name and the public key.
func ParseSignerKey(skey string) (*Signer, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return nil, errors.New("checkpoint: signer key is not PRIVATE+KEY+<name>+<key ID>+<key>")
	}
	name, id, seed, err := parseKeyParts(parts[2], parts[3], parts[4], TypeEd25519)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: signer key: %w", err)
	}
	s, err := NewSigner(name, ed25519.NewKeyFromSeed(seed))
	if err != nil {
		return nil, err
	}
	if s.id != id {
		return nil, fmt.Errorf("checkpoint: signer key: key ID %08x does not match the key, whose ID is %08x", id, s.id)
	}
	return s, nil
}

// Name returns the key name.
func (s *Signer) Name() string { return s.name }

// KeyID returns the key ID.
func (s *Signer) KeyID() uint32 { return s.id }

// Verifier returns the verifier of the signer's signatures.
func (s *Signer) Verifier() Verifier {
	return Verifier{name: s.name, id: s.id, pub: bytes.Clone(s.key[32:])}
}

// SignerKey returns the signer key encoding, "PRIVATE+KEY+<name>+<key
// ID>+<base64 key>", which [ParseSignerKey] and
// golang.org/x/mod/sumdb/note.NewSigner read. It is a secret.
func (s *Signer) SignerKey() string {
	return "PRIVATE+KEY+" + formatKey(s.name, s.id, TypeEd25519, s.key.Seed())
}

// Sign signs text, which must be a valid note text, with each signer and
// returns the signed note: the text, a blank line and one signature line per
// signer, in order.
func Sign(text []byte, signers ...*Signer) ([]byte, error) {
	if err := checkNoteText(text); err != nil {
		return nil, err
	}
	if len(signers) == 0 {
		return nil, errors.New("checkpoint: no signers")
	}
	if len(signers) > MaxSignatures {
		return nil, fmt.Errorf("checkpoint: %d signers, the limit is %d", len(signers), MaxSignatures)
	}
	type key struct {
		name string
		id   uint32
	}
	seen := make(map[key]bool)
	var b bytes.Buffer
	b.Write(text)
	b.WriteByte('\n')
	for _, s := range signers {
		if s == nil || s.key == nil {
			return nil, errors.New("checkpoint: nil signer")
		}
		if seen[key{s.name, s.id}] {
			return nil, fmt.Errorf("checkpoint: key %s+%08x signs twice", s.name, s.id)
		}
		seen[key{s.name, s.id}] = true
		sig := binary.BigEndian.AppendUint32(nil, s.id)
		sig = append(sig, ed25519.Sign(s.key, text)...)
		b.WriteString(signatureLine(s.name, sig))
	}
	if b.Len() > MaxNoteSize {
		return nil, fmt.Errorf("checkpoint: signed note would be %d bytes, the limit is %d", b.Len(), MaxNoteSize)
	}
	return b.Bytes(), nil
}

// signatureLine returns "— <name> <base64 sig>\n".
func signatureLine(name string, sig []byte) string {
	return sigPrefix + name + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
}

// checkText returns the byte offset and a description of the first byte
// sequence of b that cannot be in a note: invalid UTF-8 or an ASCII control
// character other than newline. The description is empty if there is none.
func checkText(b []byte) (int, string) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' {
				return i, fmt.Sprintf("control character 0x%02x", c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i, "invalid UTF-8"
		}
		i += size
	}
	return 0, ""
}

// checkNoteText reports whether text can be the text of a signed note.
func checkNoteText(text []byte) error {
	if len(text) > MaxNoteSize {
		return fmt.Errorf("checkpoint: note text is %d bytes, the limit is %d", len(text), MaxNoteSize)
	}
	if i, msg := checkText(text); msg != "" {
		return fmt.Errorf("checkpoint: note text: %s at byte %d", msg, i)
	}
	if len(text) == 0 || text[len(text)-1] != '\n' {
		return errors.New("checkpoint: note text does not end in a newline")
	}
	return nil
}
