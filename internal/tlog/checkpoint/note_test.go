package checkpoint

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// The example keys and signatures documented by golang.org/x/mod/sumdb/note.
const (
	peterSkey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
	peterVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
	enochVkey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
	peterText = "If you think cryptography is the answer to your problem,\n" +
		"then you don't know what your problem is.\n"
	peterSig = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
	enochSig = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)

func TestDocumentedExample(t *testing.T) {
	s, err := ParseSignerKey(peterSkey)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "PeterNeumann" || s.KeyID() != 0xc74f20a3 {
		t.Errorf("signer %s %08x", s.Name(), s.KeyID())
	}
	if got := s.Verifier().String(); got != peterVkey {
		t.Errorf("verifier key %q, want %q", got, peterVkey)
	}
	if got := s.SignerKey(); got != peterSkey {
		t.Errorf("signer key %q, want %q", got, peterSkey)
	}
	msg, err := Sign([]byte(peterText), s)
	if err != nil {
		t.Fatal(err)
	}
	if want := peterText + "\n" + peterSig; string(msg) != want {
		t.Errorf("Sign = %q, want %q", msg, want)
	}

	peter, err := ParseVerifierKey(peterVkey)
	if err != nil {
		t.Fatal(err)
	}
	enoch, err := ParseVerifierKey(enochVkey)
	if err != nil {
		t.Fatal(err)
	}
	if enoch.KeyID() != 0xaf0cfe78 || enoch.String() != enochVkey {
		t.Errorf("EnochRoot verifier %08x %q", enoch.KeyID(), enoch)
	}
	both := []byte(peterText + "\n" + peterSig + enochSig)
	n, err := Open(both, peter, enoch)
	if err != nil {
		t.Fatal(err)
	}
	if string(n.Text) != peterText || len(n.Sigs) != 2 || n.Sigs[1].Name != "EnochRoot" || len(n.UnverifiedSigs) != 0 {
		t.Errorf("Open = %+v", n)
	}
	n, err = Open(both, enoch)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].KeyID != 0xaf0cfe78 || len(n.UnverifiedSigs) != 1 || n.UnverifiedSigs[0].Line() != peterSig {
		t.Errorf("Open with EnochRoot only = %+v", n)
	}
}

// TestCrossCheckXMod checks keys and notes against golang.org/x/mod/sumdb/note
// both ways.
func TestCrossCheckXMod(t *testing.T) {
	text := []byte("attesta.example/log\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
	for range 20 {
		// Our keys in x/mod.
		skey, vkey, err := GenerateKey(rand.Reader, "attesta.example/log")
		if err != nil {
			t.Fatal(err)
		}
		ours, err := ParseSignerKey(skey)
		if err != nil {
			t.Fatal(err)
		}
		xs, err := note.NewSigner(skey)
		if err != nil {
			t.Fatalf("x/mod NewSigner(%q) = %v", skey, err)
		}
		xv, err := note.NewVerifier(vkey)
		if err != nil {
			t.Fatalf("x/mod NewVerifier(%q) = %v", vkey, err)
		}
		if xs.KeyHash() != ours.KeyID() || xv.KeyHash() != ours.KeyID() || xv.Name() != ours.Name() {
			t.Fatalf("key IDs: x/mod %08x %08x, ours %08x", xs.KeyHash(), xv.KeyHash(), ours.KeyID())
		}
		signed, err := Sign(text, ours)
		if err != nil {
			t.Fatal(err)
		}
		xn, err := note.Open(signed, note.VerifierList(xv))
		if err != nil || xn.Text != string(text) || len(xn.Sigs) != 1 {
			t.Fatalf("x/mod Open of our note: %v", err)
		}
		xsigned, err := note.Sign(&note.Note{Text: string(text)}, xs)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(xsigned, signed) {
			t.Fatalf("x/mod signed %q, we signed %q", xsigned, signed)
		}

		// x/mod's keys here.
		xskey, xvkey, err := note.GenerateKey(rand.Reader, "witness.example/w1")
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := ParseSignerKey(xskey)
		if err != nil {
			t.Fatalf("ParseSignerKey(%q) = %v", xskey, err)
		}
		tv, err := ParseVerifierKey(xvkey)
		if err != nil {
			t.Fatalf("ParseVerifierKey(%q) = %v", xvkey, err)
		}
		if tv.String() != xvkey || theirs.SignerKey() != xskey || theirs.Verifier().String() != xvkey {
			t.Fatalf("keys do not round-trip: %q %q", xskey, xvkey)
		}
		xs2, _ := note.NewSigner(xskey)
		// A note signed by x/mod with two keys, opened here with one.
		both, err := note.Sign(&note.Note{Text: string(text)}, xs, xs2)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Open(both, tv)
		if err != nil {
			t.Fatalf("Open of x/mod's note: %v", err)
		}
		if !bytes.Equal(n.Text, text) || len(n.Sigs) != 1 || n.Sigs[0].KeyID != xs2.KeyHash() ||
			len(n.UnverifiedSigs) != 1 || n.UnverifiedSigs[0].KeyID != xs.KeyHash() {
			t.Fatalf("Open of x/mod's note = %+v", n)
		}
		// Ed25519 verifier key from a raw key, as x/mod encodes it.
		nv, err := NewVerifier("witness.example/w1", theirs.Verifier().PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		xenc, err := note.NewEd25519VerifierKey("witness.example/w1", theirs.Verifier().PublicKey())
		if err != nil || nv.String() != xenc {
			t.Fatalf("NewVerifier: %q, x/mod %q (%v)", nv, xenc, err)
		}
	}
}

func TestKeyErrors(t *testing.T) {
	_, cosignerKey, _ := ed25519.GenerateKey(rand.Reader)
	c, _ := CosignerFor("witness.example/w1", cosignerKey)
	for _, tc := range []struct{ vkey, want string }{
		{"PeterNeumann+c74f20a3", "not <name>+<key ID>+<key>"},
		{"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key ID c74f20a4 does not match the key, whose ID is c74f20a3"},
		{"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"},
		{"PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not 8 hex digits"},
		{"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "not valid base64"},
		{"PeterNeumann+cc469956+" + base64.StdEncoding.EncodeToString(append([]byte{1}, make([]byte, 33)...)), "the key is 33 bytes after its type byte, want 32"},
		{"PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key type 0x65, want 0x01"},
		{c.Verifier().String(), "key type 0x04, want 0x01 (Ed25519 note signature)"},
	} {
		_, err := ParseVerifierKey(tc.vkey)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseVerifierKey(%q) = %v, want %q", tc.vkey, err, tc.want)
		}
	}
	for _, tc := range []struct{ skey, want string }{
		{"PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "key ID c74f20a4 does not match the key, whose ID is c74f20a3"},
		{"PRIVATE+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "not PRIVATE+KEY+"},
		{peterVkey, "not PRIVATE+KEY+"},
	} {
		_, err := ParseSignerKey(tc.skey)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSignerKey(%q) = %v, want %q", tc.skey, err, tc.want)
		}
	}
	if _, err := NewSigner("a+b", cosignerKey); err == nil {
		t.Error("NewSigner accepted a name with '+'")
	}
	if _, err := NewSigner("a", cosignerKey[:10]); err == nil {
		t.Error("NewSigner accepted a short key")
	}
	if _, _, err := GenerateKey(rand.Reader, "a b"); err == nil {
		t.Error("GenerateKey accepted a name with a space")
	}
}

func TestSignErrors(t *testing.T) {
	s, _ := ParseSignerKey(peterSkey)
	for _, tc := range []struct {
		text    string
		signers []*Signer
		want    string
	}{
		{"no newline", []*Signer{s}, "does not end in a newline"},
		{"", []*Signer{s}, "does not end in a newline"},
		{"tab\t\n", []*Signer{s}, "control character 0x09 at byte 3"},
		{"ok\n", nil, "no signers"},
		{"ok\n", []*Signer{s, s}, "signs twice"},
		{"ok\n", []*Signer{nil}, "nil signer"},
	} {
		_, err := Sign([]byte(tc.text), tc.signers...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Sign(%q) = %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	peter, _ := ParseVerifierKey(peterVkey)
	enoch, _ := ParseVerifierKey(enochVkey)
	good := peterText + "\n" + peterSig
	malformed := []struct{ note, want string }{
		{peterText, "no blank line before the signatures"},
		{peterText + "\n", "no signature lines"},
		{good[:len(good)-1], "does not end in a newline"},
		{peterText + "\n" + "- PeterNeumann x08g\n", "signature line 1: does not begin with an em dash"},
		{peterText + "\n" + peterSig + "—  PeterNeumann AAAAAAA=\n", "signature line 2: invalid key name"},
		{peterText + "\n" + "— PeterNeumann\n", "no space between"},
		{peterText + "\n" + "— Peter+Neumann AAAAAAA=\n", `invalid key name "Peter+Neumann"`},
		{peterText + "\n" + "— PeterNeumann AAAAAA==\n", "4 bytes, too short"},
		{peterText + "\n" + "— PeterNeumann AAAAAAB=\n", "not canonical base64"},
		{peterText + "\n" + "— PeterNeumann AAAAAAA= \n", "not canonical base64"},
		{"a\rb\n\n" + peterSig, "control character 0x0d at byte 1"},
		{"a\xc0b\n\n" + peterSig, "invalid UTF-8 at byte 1"},
		{peterText + "\n" + strings.Repeat(enochSig, MaxSignatures) + peterSig, "more than 100 signature lines"},
		{strings.Repeat("x", MaxNoteSize) + "\n\n" + peterSig, "the limit is 1048576"},
	}
	for _, tc := range malformed {
		_, err := Open([]byte(tc.note), peter)
		if !errors.Is(err, ErrMalformedNote) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%.60q) = %v, want ErrMalformedNote with %q", tc.note, err, tc.want)
		}
		// x/mod agrees that these notes are not to be trusted.
		xv, _ := note.NewVerifier(peterVkey)
		if _, err := note.Open([]byte(tc.note), note.VerifierList(xv)); err == nil {
			t.Errorf("x/mod opened %.60q", tc.note)
		}
	}

	// 100 signatures are fine.
	if _, err := Open([]byte(peterText+"\n"+strings.Repeat(enochSig, MaxSignatures-1)+peterSig), peter); err != nil {
		t.Errorf("Open with 100 signatures: %v", err)
	}

	// A known key whose signature does not verify rejects the note.
	tampered := strings.Replace(good, "cryptography", "cryptographY", 1)
	_, err := Open([]byte(tampered), peter)
	var invalid *InvalidSignatureError
	if !errors.As(err, &invalid) || invalid.KeyID != 0xc74f20a3 || err.Error() != "checkpoint: the signature by PeterNeumann+c74f20a3 does not verify" {
		t.Errorf("Open(tampered) = %v", err)
	}
	// EnochRoot's signature moved to a note with other text.
	_, err = Open([]byte("other\n\n"+enochSig), peter, enoch)
	if !errors.As(err, &invalid) || invalid.Name != "EnochRoot" {
		t.Errorf("Open(moved signature) = %v", err)
	}

	// No known key.
	_, err = Open([]byte(good), enoch)
	var unverified *UnverifiedNoteError
	if !errors.As(err, &unverified) || err.Error() != "checkpoint: note has no signature by a known key; it is signed by PeterNeumann+c74f20a3" {
		t.Errorf("Open(no known key) = %v", err)
	}
	if string(unverified.Note.Text) != peterText {
		t.Errorf("UnverifiedNoteError.Note = %+v", unverified.Note)
	}
	if _, err := Open([]byte(good)); !errors.As(err, &unverified) {
		t.Errorf("Open(no verifiers) = %v", err)
	}

	// The same name with another key ID is another key.
	impostor, _ := NewVerifier("PeterNeumann", enoch.PublicKey())
	if _, err := Open([]byte(good), impostor); !errors.As(err, &unverified) {
		t.Errorf("Open(same name, other key) = %v", err)
	}

	// Ambiguous verifiers.
	if _, err := Open([]byte(good), peter, peter); err == nil || !strings.Contains(err.Error(), "two verifiers for the key PeterNeumann+c74f20a3") {
		t.Errorf("Open(peter, peter) = %v", err)
	}
}

func TestOpenDuplicatesAndBlankLines(t *testing.T) {
	peter, _ := ParseVerifierKey(peterVkey)
	// Repeated lines are listed once.
	n, err := Open([]byte(peterText+"\n"+peterSig+enochSig+peterSig+enochSig), peter)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 1 {
		t.Errorf("Open = %+v", n)
	}
	// The text is separated from the signatures by the last blank line, and
	// may itself contain blank lines.
	s, _ := ParseSignerKey(peterSkey)
	text := []byte("a\n\n— not a signature\n\n\n")
	signed, err := Sign(text, s)
	if err != nil {
		t.Fatal(err)
	}
	n, err = Open(signed, peter)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(n.Text, text) {
		t.Errorf("Open text %q, want %q", n.Text, text)
	}
	xv, _ := note.NewVerifier(peterVkey)
	if xn, err := note.Open(signed, note.VerifierList(xv)); err != nil || xn.Text != string(text) {
		t.Errorf("x/mod Open = %v", err)
	}
	// ParseNote verifies nothing.
	n, err = ParseNote(signed)
	if err != nil || len(n.Sigs) != 0 || len(n.UnverifiedSigs) != 1 {
		t.Errorf("ParseNote = %+v, %v", n, err)
	}
}

// FuzzOpen checks that Open accepts no note that x/mod rejects, and that both
// agree on its text and its verified signatures.
func FuzzOpen(f *testing.F) {
	f.Add([]byte(peterText + "\n" + peterSig))
	f.Add([]byte(peterText + "\n" + peterSig + enochSig))
	f.Add([]byte(peterText + "\n" + enochSig))
	f.Add([]byte("a\n\n\n" + peterSig))
	f.Add([]byte("\n\n— a AAAAAAA=\n"))
	peter, _ := ParseVerifierKey(peterVkey)
	xv, _ := note.NewVerifier(peterVkey)
	f.Fuzz(func(t *testing.T, msg []byte) {
		n, err := Open(msg, peter)
		xn, xerr := note.Open(msg, note.VerifierList(xv))
		if err != nil {
			var invalid *InvalidSignatureError
			if errors.As(err, &invalid) {
				// A note x/mod verified must not be rejected for a bad
				// signature unless it repeats a line of the same key.
				if xerr == nil && bytes.Count(msg, []byte("— PeterNeumann ")) < 2 {
					t.Fatalf("Open(%q) = %v, x/mod verified it", msg, err)
				}
			}
			return
		}
		if xerr != nil {
			t.Fatalf("Open(%q) succeeded, x/mod: %v", msg, xerr)
		}
		if string(n.Text) != xn.Text || len(n.Sigs) != len(xn.Sigs) || len(n.UnverifiedSigs) != len(xn.UnverifiedSigs) {
			t.Fatalf("Open(%q) = %+v, x/mod %+v", msg, n, xn)
		}
		for i, s := range n.Sigs {
			if s.Name != xn.Sigs[i].Name || s.KeyID != xn.Sigs[i].Hash || s.Base64 != xn.Sigs[i].Base64 {
				t.Fatalf("signature %d: %+v, x/mod %+v", i, s, xn.Sigs[i])
			}
		}
	})
}
