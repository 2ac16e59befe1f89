package wallet

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"regexp"
	"testing"
	"time"
)

// sealer is AES-GCM with a fixed key and a zero nonce: enough to tell a
// sealed nonce from a forged one in tests.
type sealer struct{ aead cipher.AEAD }

func newSealer() sealer {
	b, _ := aes.NewCipher(bytes.Repeat([]byte{1}, 32))
	a, _ := cipher.NewGCM(b)
	return sealer{a}
}

func (s sealer) Seal(secret []byte, context string) ([]byte, error) {
	return s.aead.Seal(nil, make([]byte, 12), secret, []byte(context)), nil
}

func (s sealer) Open(blob []byte, context string) ([]byte, error) {
	out, err := s.aead.Open(nil, make([]byte, 12), blob, []byte(context))
	if err != nil {
		return nil, errors.New("does not open")
	}
	return out, nil
}

func TestNonce(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	s := NewService(nil, nil, Options{Clock: func() time.Time { return now }, Sealer: newSealer()})
	n, err := s.Nonce(t.Context())
	if err != nil || !s.checkNonce(n) {
		t.Fatalf("a fresh nonce is refused: %q %v", n, err)
	}
	for _, forged := range []string{"", "abc", n + "A", n[:len(n)-2]} {
		if s.checkNonce(forged) {
			t.Errorf("forged nonce %q accepted", forged)
		}
	}
	now = now.Add(DefaultNonceLifetime)
	if s.checkNonce(n) {
		t.Error("an expired nonce is accepted")
	}
}

func TestTxCode(t *testing.T) {
	s := NewService(nil, nil, Options{})
	seen := map[string]bool{}
	for range 200 {
		c, err := s.txCode()
		if err != nil || !regexp.MustCompile(`^\d{6}$`).MatchString(c) {
			t.Fatalf("transaction code %q %v", c, err)
		}
		seen[c] = true
	}
	if len(seen) < 190 {
		t.Errorf("only %d different codes in 200", len(seen))
	}
	// What is kept of a code depends on the pre-authorized code too.
	if txDigest("a", "123456") == txDigest("b", "123456") || txDigest("a", "123456") == digest("123456") {
		t.Error("the transaction code's digest is not keyed by the pre-authorized code")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"studente@feltrinelli.example": "s•••@feltrinelli.example", "è@x.it": "è•••@x.it", "none": "", "@x": ""} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLive(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		o    Offer
		live bool
	}{
		{Offer{State: Offered, ExpiresAt: now.Add(time.Second)}, true},
		{Offer{State: Offered, ExpiresAt: now}, false},
		{Offer{State: Redeemed, ExpiresAt: now, TokenExpiresAt: now.Add(time.Second)}, true},
		{Offer{State: Redeemed, TokenExpiresAt: now}, false},
		{Offer{State: Issued, ExpiresAt: now.Add(time.Hour)}, false},
		{Offer{State: Replaced, ExpiresAt: now.Add(time.Hour)}, false},
	}
	for _, c := range cases {
		if c.o.Live(now) != c.live {
			t.Errorf("%+v live: %v", c.o, !c.live)
		}
	}
}

// TestOfferURI: the offer names attesta's one configuration, a numeric
// transaction code of the configured length, and a description in both
// languages within the specification's 300 characters.
func TestOfferURI(t *testing.T) {
	s := NewService(nil, nil, Options{IssuerURL: "https://attesta.example/"})
	o := s.offer("code")
	g := o.Grants.PreAuthorizedCode
	if o.CredentialIssuer != "https://attesta.example" || o.CredentialConfigurationIDs[0] != ConfigurationID || g.Code != "code" ||
		g.TxCode.InputMode != "numeric" || g.TxCode.Length != 6 || len([]rune(g.TxCode.Description)) > 300 || !bytes.Contains([]byte(g.TxCode.Description), []byte(" / ")) {
		t.Fatalf("offer %+v %+v", o, g.TxCode)
	}
	if _, err := o.URI(); err != nil {
		t.Fatal(err)
	}
	m := s.IssuerMetadata()
	if m.CredentialEndpoint != "https://attesta.example"+CredentialPath || m.NonceEndpoint != "https://attesta.example"+NoncePath {
		t.Fatalf("metadata %+v", m)
	}
}
