package rfc3161

import (
	"bytes"
	"crypto/x509"
	"testing"
)

// FuzzParseResponse checks that no input makes ParseResponse or Verify
// panic, and that whatever verifies under the golden root says what the
// golden token says: the signed content cannot be changed.
func FuzzParseResponse(f *testing.F) {
	resp, _, roots := golden(f)
	want, err := ParseResponse(resp)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(resp)
	f.Add([]byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02})
	f.Add(tlv(0x30, tlv(0x30, []byte{0x02, 0x01, 0x02}, tlv(0x30, tlv(0x0c, []byte("no"))), []byte{0x03, 0x02, 0x07, 0x80})))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := ParseResponse(b)
		if err != nil {
			return
		}
		check(t, tok, want, roots)
	})
}

// FuzzParseToken is FuzzParseResponse for the token alone.
func FuzzParseToken(f *testing.F) {
	resp, _, roots := golden(f)
	want, err := ParseResponse(resp)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(want.Raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := ParseToken(b)
		if err != nil {
			return
		}
		check(t, tok, want, roots)
	})
}

func check(t *testing.T, tok, want *Token, roots *x509.CertPool) {
	if err := tok.Verify(tok.HashedMessage, VerifyOptions{Roots: roots}); err != nil {
		return
	}
	if !tok.GenTime.Equal(want.GenTime) || tok.Serial.Cmp(want.Serial) != 0 || !tok.Policy.Equal(want.Policy) ||
		tok.Hash != want.Hash || !bytes.Equal(tok.HashedMessage, want.HashedMessage) ||
		tok.Nonce.Cmp(want.Nonce) != 0 || tok.Accuracy != want.Accuracy || !tok.Signer.Equal(want.Signer) {
		t.Fatalf("verified, but not the golden token: %+v", tok)
	}
}
