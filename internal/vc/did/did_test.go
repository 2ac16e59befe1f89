package did

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
)

func TestBase58(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte{0}, "1"},
		{[]byte{0, 0, 1}, "112"},
		{[]byte("Hello World!"), "2NEpo7TZRRrLZSi2U"},
		{[]byte{0xff, 0xff}, "LUv"},
	}
	for _, tt := range tests {
		if got := EncodeBase58(tt.in); got != tt.want {
			t.Errorf("EncodeBase58(%x) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := DecodeBase58(tt.want)
		if err != nil || !bytes.Equal(back, tt.in) {
			t.Errorf("DecodeBase58(%q) = %x, %v", tt.want, back, err)
		}
	}
	if _, err := DecodeBase58("0OIl"); err == nil {
		t.Error("DecodeBase58 accepted characters outside the alphabet")
	}
}

// The key pair of the W3C vc-di-eddsa test vectors.
func TestMultikeyW3CKeyPair(t *testing.T) {
	data := conformance.Read(t, "vc-di-eddsa-testvectors/keyPair.json")
	var kp struct{ PublicKeyMultibase, PrivateKeyMultibase string }
	if err := json.Unmarshal(data, &kp); err != nil {
		t.Fatal(err)
	}
	priv, err := DecodePrivateKey(kp.PrivateKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	if got := EncodePublicKey(priv.Public().(ed25519.PublicKey)); got != kp.PublicKeyMultibase {
		t.Errorf("public key from the private one = %s, want %s", got, kp.PublicKeyMultibase)
	}
	if got := EncodePrivateKey(priv); got != kp.PrivateKeyMultibase {
		t.Errorf("EncodePrivateKey = %s, want %s", got, kp.PrivateKeyMultibase)
	}
	pub, err := DecodePublicKey(kp.PublicKeyMultibase)
	if err != nil || !pub.Equal(priv.Public()) {
		t.Errorf("DecodePublicKey = %x, %v", pub, err)
	}
	doc, err := ResolveKey("did:key:" + kp.PublicKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	vmID := "did:key:" + kp.PublicKeyMultibase + "#" + kp.PublicKeyMultibase
	vm, ok := doc.AssertionKey(vmID)
	if !ok {
		t.Fatalf("did:key document does not assert with %s: %+v", vmID, doc)
	}
	if k, err := vm.PublicKey(); err != nil || !k.Equal(pub) {
		t.Errorf("verification method key = %x, %v", k, err)
	}
}

func TestDecodeKeyRejects(t *testing.T) {
	pub := make(ed25519.PublicKey, 32)
	good := EncodePublicKey(pub)
	for _, in := range []string{"", "u" + good[1:], good[:len(good)-2], "z" + EncodeBase58([]byte{0x12, 0x00, 1, 2}), good + "0"} {
		if _, err := DecodePublicKey(in); err == nil {
			t.Errorf("DecodePublicKey(%q) accepted", in)
		}
	}
	if _, err := DecodePrivateKey(good); err == nil || !strings.Contains(err.Error(), "ed25519-priv") {
		t.Errorf("DecodePrivateKey of a public key: %v", err)
	}
}

// Examples of the did:web method specification.
func TestWebDocumentURL(t *testing.T) {
	tests := []struct{ id, want string }{
		{"did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"},
		{"did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"},
		{"did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"},
	}
	for _, tt := range tests {
		got, err := WebDocumentURL(tt.id)
		if err != nil || got != tt.want {
			t.Errorf("WebDocumentURL(%s) = %s, %v; want %s", tt.id, got, err, tt.want)
		}
	}
	if got := WebDID("example.com:3000", "user", "alice"); got != "did:web:example.com%3A3000:user:alice" {
		t.Errorf("WebDID = %s", got)
	}
	for _, bad := range []string{"did:key:z6Mk", "did:web:", "did:web:a.example:..:x", "did:web:a.example::x", "did:web:a.example/x", "did:web:user%40evil.example"} {
		if _, err := WebDocumentURL(bad); err == nil {
			t.Errorf("WebDocumentURL(%s) accepted", bad)
		}
	}
}

func TestMethod(t *testing.T) {
	for in, want := range map[string]string{"did:web:a.example": "web", "did:key:z6Mk": "key"} {
		if got, err := Method(in); err != nil || got != want {
			t.Errorf("Method(%s) = %s, %v", in, got, err)
		}
	}
	for _, bad := range []string{"https://a.example", "did:", "did:web", "did:Web:x", "did::x"} {
		if _, err := Method(bad); err == nil {
			t.Errorf("Method(%s) accepted", bad)
		}
	}
}

func TestRotationKeepsOldKeys(t *testing.T) {
	old, _, _ := ed25519.GenerateKey(nil)
	cur, _, _ := ed25519.GenerateKey(nil)
	doc := NewDocument("did:web:attesta.example:issuers:mi", old, cur)
	for _, k := range []ed25519.PublicKey{old, cur} {
		vm := NewMultikey(doc.ID, k)
		if _, ok := doc.AssertionKey(vm.ID); !ok {
			t.Errorf("key %s missing after rotation", vm.ID)
		}
	}
	if _, ok := doc.AssertionKey(doc.ID + "#z6MkOther"); ok {
		t.Error("unknown key accepted")
	}
}
