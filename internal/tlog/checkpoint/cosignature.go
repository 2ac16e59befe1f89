package checkpoint

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// cosignatureSize is the size of a cosignature/v1 signature after its key
// ID: an 8-byte timestamp and an Ed25519 signature.
const cosignatureSize = 8 + ed25519.SignatureSize

// cosignedMessage returns the message a cosignature/v1 signs:
// "cosignature/v1\ntime <unix seconds>\n" followed by the note text.
func cosignedMessage(text []byte, unix uint64) []byte {
	msg := make([]byte, 0, 40+len(text))
	msg = append(msg, "cosignature/v1\ntime "...)
	msg = strconv.AppendUint(msg, unix, 10)
	msg = append(msg, '\n')
	return append(msg, text...)
}

// A Cosigner makes the timestamped Ed25519 cosignatures (cosignature/v1,
// signature type 0x04) of a witness.
//
// The Ed25519 cosignature does not commit to the cosigner's name: a key must
// be used by one cosigner only, and not for other signature types.
type Cosigner struct {
	name string
	id   uint32
	key  ed25519.PrivateKey
}

// CosignerFor returns the cosigner named name with the Ed25519 key key.
func CosignerFor(name string, key ed25519.PrivateKey) (*Cosigner, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("checkpoint: Ed25519 private key is %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	key = ed25519.NewKeyFromSeed(key.Seed())
	return &Cosigner{name: name, id: KeyID(name, TypeCosignatureV1, key[32:]), key: key}, nil
}

// Name returns the cosigner's key name.
func (c *Cosigner) Name() string { return c.name }

// KeyID returns the cosigner's key ID.
func (c *Cosigner) KeyID() uint32 { return c.id }

// Verifier returns the verifier of the cosigner's cosignatures.
func (c *Cosigner) Verifier() CosignatureVerifier {
	return CosignatureVerifier{name: c.name, id: c.id, pub: bytes.Clone(c.key[32:])}
}

// Cosign returns the cosignature line, ending in a newline, of the note text
// of a checkpoint at time t (truncated to the second): a signature line whose
// base64 is the key ID, t in Unix seconds as 8 bytes big-endian, and the
// Ed25519 signature of "cosignature/v1\ntime <t>\n" followed by the text.
// Appended to the signed checkpoint, the line makes it cosigned.
//
// Cosign does not check the text; a witness cosigns only checkpoints it
// verified. It panics if t is before 1970, which no cosignature can carry.
func (c *Cosigner) Cosign(checkpointText []byte, t time.Time) string {
	unix := t.Unix()
	if unix < 0 {
		panic(fmt.Sprintf("checkpoint: cosignature time %v is before 1970", t))
	}
	sig := make([]byte, 12, 4+cosignatureSize)
	binary.BigEndian.PutUint32(sig, c.id)
	binary.BigEndian.PutUint64(sig[4:], uint64(unix))
	sig = append(sig, ed25519.Sign(c.key, cosignedMessage(checkpointText, uint64(unix)))...)
	return signatureLine(c.name, sig)
}

// A CosignatureVerifier verifies the cosignature/v1 cosignatures of one
// witness. The zero CosignatureVerifier verifies nothing.
type CosignatureVerifier struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
}

// NewCosignatureVerifier returns the verifier of the cosignatures of the
// witness named name with the Ed25519 public key pub.
func NewCosignatureVerifier(name string, pub ed25519.PublicKey) (CosignatureVerifier, error) {
	if err := checkName(name); err != nil {
		return CosignatureVerifier{}, err
	}
	if len(pub) != ed25519.PublicKeySize {
		return CosignatureVerifier{}, fmt.Errorf("checkpoint: Ed25519 public key is %d bytes, want %d", len(pub), ed25519.PublicKeySize)
	}
	pub = bytes.Clone(pub)
	return CosignatureVerifier{name: name, id: KeyID(name, TypeCosignatureV1, pub), pub: pub}, nil
}

// ParseCosignatureVerifierKey parses the verifier key of a witness,
// "<name>+<key ID>+<base64 key>" where the key is the type byte 0x04
// followed by the 32-byte Ed25519 public key.
func ParseCosignatureVerifierKey(vkey string) (CosignatureVerifier, error) {
	name, pub, err := parseVerifierKey(vkey, TypeCosignatureV1)
	if err != nil {
		return CosignatureVerifier{}, err
	}
	return NewCosignatureVerifier(name, pub)
}

// Name returns the witness's key name.
func (v CosignatureVerifier) Name() string { return v.name }

// KeyID returns the witness's key ID.
func (v CosignatureVerifier) KeyID() uint32 { return v.id }

// PublicKey returns the witness's Ed25519 public key.
func (v CosignatureVerifier) PublicKey() ed25519.PublicKey { return bytes.Clone(v.pub) }

// String returns the verifier key encoding, "<name>+<key ID>+<base64 key>",
// with key type 0x04.
func (v CosignatureVerifier) String() string {
	if v.pub == nil {
		return ""
	}
	return formatKey(v.name, v.id, TypeCosignatureV1, v.pub)
}

// Verify reports whether sig, a cosignature without its key ID (timestamp
// and Ed25519 signature), is the witness's cosignature of the note text.
func (v CosignatureVerifier) Verify(text, sig []byte) bool {
	if len(v.pub) != ed25519.PublicKeySize || len(sig) != cosignatureSize {
		return false
	}
	unix := binary.BigEndian.Uint64(sig)
	if unix > math.MaxInt64 {
		return false
	}
	return ed25519.Verify(v.pub, cosignedMessage(text, unix), sig[8:])
}

// VerifyCosignature verifies a cosignature line (with or without its final
// newline) of the witness v on the note text of a checkpoint, and returns
// the time of the cosignature.
func VerifyCosignature(v CosignatureVerifier, checkpointText []byte, sigLine string) (time.Time, error) {
	line := strings.TrimSuffix(sigLine, "\n")
	if i, msg := checkText([]byte(line)); msg != "" {
		return time.Time{}, fmt.Errorf("checkpoint: cosignature line: %s at byte %d", msg, i)
	}
	s, sig, err := parseSignatureLine(line)
	if err != nil {
		return time.Time{}, fmt.Errorf("checkpoint: cosignature line: %v", err)
	}
	if s.Name != v.name || s.KeyID != v.id {
		return time.Time{}, fmt.Errorf("checkpoint: the cosignature is by %s+%08x, not by the witness %s+%08x", s.Name, s.KeyID, v.name, v.id)
	}
	if len(sig) != 4+cosignatureSize {
		return time.Time{}, fmt.Errorf("checkpoint: the cosignature by %s+%08x is %d bytes, want %d", s.Name, s.KeyID, len(sig), 4+cosignatureSize)
	}
	if !v.Verify(checkpointText, sig[4:]) {
		return time.Time{}, &InvalidSignatureError{Name: s.Name, KeyID: s.KeyID}
	}
	return time.Unix(int64(binary.BigEndian.Uint64(sig[4:])), 0), nil
}

// A Policy is what a verifier of a log trusts: the log's key, which must sign
// every checkpoint, and witnesses, of which at least Quorum must cosign it.
type Policy struct {
	// Log is the log's key.
	Log Verifier
	// Witnesses are the trusted witnesses, each a distinct key.
	Witnesses []CosignatureVerifier
	// Quorum is the number of distinct witnesses that must cosign a
	// checkpoint, from 0 to len(Witnesses).
	Quorum int
}

// A QuorumError is returned by [Policy.Verify] for a checkpoint cosigned by
// too few of the policy's witnesses.
type QuorumError struct {
	// Have is the number of distinct witnesses whose cosignatures verified.
	Have int
	// Witnesses is the number of witnesses of the policy.
	Witnesses int
	// Need is the policy's quorum.
	Need int
}

func (e *QuorumError) Error() string {
	return fmt.Sprintf("checkpoint: %d of %d witness cosignatures, policy needs %d", e.Have, e.Witnesses, e.Need)
}

// ErrNoLogSignature is returned by [Policy.Verify] for a note that is not
// signed by the policy's log key.
var ErrNoLogSignature = errors.New("checkpoint: the note is not signed by the log key")

// Verify opens a signed checkpoint and returns it if it is signed by the log
// key and cosigned by at least Quorum of the witnesses. Signatures by other
// keys are ignored, but a signature by the log or one of the witnesses that
// does not verify rejects the note ([*InvalidSignatureError]). Too few
// cosignatures give a [*QuorumError], a missing log signature
// [ErrNoLogSignature], and a note text that is not a checkpoint the error of
// [Parse].
//
// Verify does not check the checkpoint's origin, which the caller compares
// with the log it expects, nor the times of the cosignatures.
func (p Policy) Verify(signedNote []byte) (*Checkpoint, error) {
	if p.Log.pub == nil {
		return nil, errors.New("checkpoint: policy has no log key")
	}
	if p.Quorum < 0 || p.Quorum > len(p.Witnesses) {
		return nil, fmt.Errorf("checkpoint: policy needs %d of %d witnesses", p.Quorum, len(p.Witnesses))
	}
	verifiers := []NoteVerifier{p.Log}
	witnesses := make(map[string]bool, len(p.Witnesses))
	seenKey := make(map[string]bool, len(p.Witnesses))
	for i, w := range p.Witnesses {
		if w.pub == nil {
			return nil, fmt.Errorf("checkpoint: policy witness %d has no key", i+1)
		}
		if seenKey[string(w.pub)] {
			return nil, fmt.Errorf("checkpoint: policy lists the key of witness %s+%08x twice", w.name, w.id)
		}
		seenKey[string(w.pub)] = true
		witnesses[keyString(w.name, w.id)] = true
		verifiers = append(verifiers, w)
	}
	n, err := Open(signedNote, verifiers...)
	var unverified *UnverifiedNoteError
	if errors.As(err, &unverified) {
		return nil, fmt.Errorf("%w %s+%08x", ErrNoLogSignature, p.Log.name, p.Log.id)
	}
	if err != nil {
		return nil, err
	}
	logSigned, have := false, 0
	for _, s := range n.Sigs {
		switch {
		case s.Name == p.Log.name && s.KeyID == p.Log.id:
			logSigned = true
		case witnesses[keyString(s.Name, s.KeyID)]:
			have++
		}
	}
	if !logSigned {
		return nil, fmt.Errorf("%w %s+%08x", ErrNoLogSignature, p.Log.name, p.Log.id)
	}
	c, err := Parse(n.Text)
	if err != nil {
		return nil, err
	}
	if have < p.Quorum {
		return nil, &QuorumError{Have: have, Witnesses: len(p.Witnesses), Need: p.Quorum}
	}
	return c, nil
}

func keyString(name string, id uint32) string {
	return fmt.Sprintf("%s+%08x", name, id)
}
