package checkpoint

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

func newCosigner(t testing.TB, name string) *Cosigner {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c, err := CosignerFor(name, key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newSigner(t testing.TB, name string) *Signer {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(name, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCosignatureIndependently checks a cosignature line against the
// tlog-cosignature specification with only the standard library, and opens a
// cosigned note with golang.org/x/mod/sumdb/note and a verifier written here
// from the specification.
func TestCosignatureIndependently(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	const name = "witness.example/w1"
	c, err := CosignerFor(name, priv)
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
	at := time.Unix(1679315147, 999_000_000)
	line := c.Cosign(text, at)

	sum := sha256.Sum256(append([]byte(name+"\n\x04"), pub...))
	wantID := binary.BigEndian.Uint32(sum[:4])
	if c.KeyID() != wantID {
		t.Fatalf("key ID %08x, want %08x", c.KeyID(), wantID)
	}
	b64, ok := strings.CutPrefix(line, "— "+name+" ")
	if !ok || !strings.HasSuffix(b64, "\n") {
		t.Fatalf("line %q", line)
	}
	blob, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(b64, "\n"))
	if err != nil || len(blob) != 4+8+64 {
		t.Fatalf("blob %x, %v", blob, err)
	}
	if binary.BigEndian.Uint32(blob) != wantID || binary.BigEndian.Uint64(blob[4:]) != 1679315147 {
		t.Fatalf("blob header %x", blob[:12])
	}
	msg := "cosignature/v1\ntime 1679315147\n" + string(text)
	if !ed25519.Verify(pub, []byte(msg), blob[12:]) {
		t.Fatal("the signature is not over the message of the specification")
	}

	// x/mod opens the cosigned note with a verifier of the specification.
	xv := specVerifier{name: name, hash: wantID, pub: pub}
	log := newSigner(t, "example.com/behind-the-sofa")
	signed, err := Sign(text, log)
	if err != nil {
		t.Fatal(err)
	}
	xn, err := note.Open(append(signed, line...), note.VerifierList(xv))
	if err != nil || len(xn.Sigs) != 1 || len(xn.UnverifiedSigs) != 1 {
		t.Fatalf("x/mod Open of the cosigned note: %+v, %v", xn, err)
	}

	// The verifier key encodes type 0x04.
	v := c.Verifier()
	wantKey := fmt.Sprintf("%s+%08x+%s", name, wantID, base64.StdEncoding.EncodeToString(append([]byte{4}, pub...)))
	if v.String() != wantKey {
		t.Errorf("verifier key %q, want %q", v.String(), wantKey)
	}
	parsed, err := ParseCosignatureVerifierKey(wantKey)
	if err != nil || parsed.KeyID() != wantID || parsed.Name() != name {
		t.Errorf("ParseCosignatureVerifierKey = %v, %v", parsed, err)
	}
	got, err := VerifyCosignature(parsed, text, line)
	if err != nil || !got.Equal(time.Unix(1679315147, 0)) {
		t.Errorf("VerifyCosignature = %v, %v", got, err)
	}
	if _, err := ParseCosignatureVerifierKey(log.Verifier().String()); err == nil || !strings.Contains(err.Error(), "key type 0x01, want 0x04") {
		t.Errorf("ParseCosignatureVerifierKey(log key) = %v", err)
	}
}

// specVerifier is a cosignature/v1 note.Verifier written from the
// specification.
type specVerifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
}

func (v specVerifier) Name() string    { return v.name }
func (v specVerifier) KeyHash() uint32 { return v.hash }
func (v specVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 72 {
		return false
	}
	m := fmt.Sprintf("cosignature/v1\ntime %d\n%s", binary.BigEndian.Uint64(sig), msg)
	return ed25519.Verify(v.pub, []byte(m), sig[8:])
}

// TestSpecExampleCosignature reads the cosignature line of the
// tlog-cosignature specification, whose time line is "time 1679315147".
func TestSpecExampleCosignature(t *testing.T) {
	line := "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
	s, sig, err := parseSignatureLine(line)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "witness.example.com/w1" || s.KeyID != 0x8d66cf3f || len(sig) != 76 || binary.BigEndian.Uint64(sig[4:]) != 1679315147 {
		t.Errorf("parsed %+v, %x", s, sig[:12])
	}
}

func TestVerifyCosignatureErrors(t *testing.T) {
	w1, w2 := newCosigner(t, "w1.example"), newCosigner(t, "w2.example")
	text := []byte("o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
	now := time.Now()
	line := w1.Cosign(text, now)
	if _, err := VerifyCosignature(w2.Verifier(), text, line); err == nil || !strings.Contains(err.Error(), "is by w1.example+") {
		t.Errorf("other witness: %v", err)
	}
	var invalid *InvalidSignatureError
	if _, err := VerifyCosignature(w1.Verifier(), []byte("o\n2\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"), line); !errors.As(err, &invalid) {
		t.Errorf("other text: %v", err)
	}
	// Another timestamp in the same line does not verify.
	s, sig, _ := parseSignatureLine(strings.TrimSuffix(line, "\n"))
	binary.BigEndian.PutUint64(sig[4:], uint64(now.Unix()+1))
	moved := sigPrefix + s.Name + " " + base64.StdEncoding.EncodeToString(sig)
	if _, err := VerifyCosignature(w1.Verifier(), text, moved); !errors.As(err, &invalid) {
		t.Errorf("other time: %v", err)
	}
	short := sigPrefix + s.Name + " " + base64.StdEncoding.EncodeToString(sig[:70])
	if _, err := VerifyCosignature(w1.Verifier(), text, short); err == nil || !strings.Contains(err.Error(), "70 bytes, want 76") {
		t.Errorf("short: %v", err)
	}
	if _, err := VerifyCosignature(w1.Verifier(), text, "garbage"); err == nil || !strings.Contains(err.Error(), "cosignature line: does not begin") {
		t.Errorf("garbage: %v", err)
	}
	// An Ed25519 note signature by the same key is not a cosignature.
	s1, _ := NewSigner("w1.example", ed25519.NewKeyFromSeed(w1.key.Seed()))
	signed, _ := Sign(text, s1)
	if _, err := VerifyCosignature(w1.Verifier(), text, string(signed[len(text)+1:])); err == nil {
		t.Error("a note signature verified as a cosignature")
	}
	defer func() {
		if recover() == nil {
			t.Error("Cosign before 1970 did not panic")
		}
	}()
	w1.Cosign(text, time.Unix(-1, 0))
}

func TestPolicy(t *testing.T) {
	log := newSigner(t, "attesta.example/log")
	w := []*Cosigner{newCosigner(t, "w1.example"), newCosigner(t, "w2.example"), newCosigner(t, "w3.example")}
	stranger := newCosigner(t, "stranger.example")
	var witnesses []CosignatureVerifier
	for _, c := range w {
		witnesses = append(witnesses, c.Verifier())
	}
	cp := Checkpoint{Origin: "attesta.example/log", Size: 10, Root: sha256.Sum256([]byte("r"))}
	text := cp.Marshal()
	signed, err := Sign(text, log)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cosigned := func(cs ...*Cosigner) []byte {
		out := append([]byte(nil), signed...)
		for _, c := range cs {
			out = append(out, c.Cosign(text, now)...)
		}
		return out
	}
	policy := func(quorum int) Policy {
		return Policy{Log: log.Verifier(), Witnesses: witnesses, Quorum: quorum}
	}

	got, err := policy(2).Verify(cosigned(w[0], w[2]))
	if err != nil {
		t.Fatalf("2 of 3, quorum 2: %v", err)
	}
	if got.Origin != cp.Origin || got.Size != 10 || got.Root != cp.Root {
		t.Errorf("Verify = %+v", got)
	}
	if _, err := policy(0).Verify(signed); err != nil {
		t.Errorf("quorum 0: %v", err)
	}
	if _, err := policy(3).Verify(cosigned(w[2], stranger, w[1], w[0])); err != nil {
		t.Errorf("3 of 3 and a stranger: %v", err)
	}

	for _, tc := range []struct {
		note   []byte
		quorum int
		want   string
	}{
		{cosigned(w[1]), 2, "checkpoint: 1 of 3 witness cosignatures, policy needs 2"},
		{cosigned(w[0], w[1]), 3, "checkpoint: 2 of 3 witness cosignatures, policy needs 3"},
		// A witness counts once, however many times it cosigns.
		{cosigned(w[1], w[1]), 2, "checkpoint: 1 of 3 witness cosignatures, policy needs 2"},
		{append(cosigned(w[1]), w[1].Cosign(text, now.Add(time.Second))...), 2, "checkpoint: 1 of 3 witness cosignatures, policy needs 2"},
		// Strangers do not count.
		{cosigned(w[1], stranger), 2, "checkpoint: 1 of 3 witness cosignatures, policy needs 2"},
		{signed, 1, "checkpoint: 0 of 3 witness cosignatures, policy needs 1"},
	} {
		_, err := policy(tc.quorum).Verify(tc.note)
		var q *QuorumError
		if !errors.As(err, &q) || err.Error() != tc.want {
			t.Errorf("Verify = %v, want %q", err, tc.want)
		}
	}

	// Without the log's signature, however many cosignatures.
	other := newSigner(t, "attesta.example/log")
	forged, _ := Sign(text, other)
	for _, c := range w {
		forged = append(forged, c.Cosign(text, now)...)
	}
	if _, err := policy(1).Verify(forged); !errors.Is(err, ErrNoLogSignature) || !strings.Contains(err.Error(), fmt.Sprintf("attesta.example/log+%08x", log.KeyID())) {
		t.Errorf("forged: %v", err)
	}
	// A witness's cosignature of another checkpoint.
	other2 := Checkpoint{Origin: "attesta.example/log", Size: 11, Root: cp.Root}
	moved := append(cosigned(w[0]), w[1].Cosign(other2.Marshal(), now)...)
	var invalid *InvalidSignatureError
	if _, err := policy(1).Verify(moved); !errors.As(err, &invalid) || invalid.Name != "w2.example" {
		t.Errorf("moved cosignature: %v", err)
	}
	// A note signed by the log that is not a checkpoint.
	notCP, _ := Sign([]byte("hello\n"), log)
	if _, err := policy(0).Verify(notCP); err == nil || !strings.Contains(err.Error(), "1 lines, want at least 3") {
		t.Errorf("not a checkpoint: %v", err)
	}

	// Policy errors.
	for _, tc := range []struct {
		p    Policy
		want string
	}{
		{Policy{Witnesses: witnesses}, "policy has no log key"},
		{Policy{Log: log.Verifier(), Witnesses: witnesses, Quorum: 4}, "policy needs 4 of 3 witnesses"},
		{Policy{Log: log.Verifier(), Witnesses: witnesses, Quorum: -1}, "policy needs -1 of 3 witnesses"},
		{Policy{Log: log.Verifier(), Witnesses: slices.Concat(witnesses, []CosignatureVerifier{{}})}, "policy witness 4 has no key"},
		{Policy{Log: log.Verifier(), Witnesses: slices.Concat(witnesses, []CosignatureVerifier{mustCosignatureVerifier(t, "alias.example", witnesses[0].PublicKey())})}, "lists the key of witness alias.example"},
	} {
		if _, err := tc.p.Verify(cosigned(w...)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Verify = %v, want %q", err, tc.want)
		}
	}
}

func mustCosignatureVerifier(t *testing.T, name string, pub ed25519.PublicKey) CosignatureVerifier {
	t.Helper()
	v, err := NewCosignatureVerifier(name, pub)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
