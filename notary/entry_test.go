package notary

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestEntryRoundTrip(t *testing.T) {
	at := time.Date(2026, 6, 30, 12, 0, 0, 123456789, time.FixedZone("CEST", 7200))
	e := NewEntry(Revoke, "urn:uuid:1", []byte(`{"a":1}`), at)
	b := e.Marshal()
	if len(b) != EntrySize || b[0] != 0x12 {
		t.Fatalf("encoded entry %x", b)
	}
	back, err := ParseEntry(b)
	if err != nil {
		t.Fatal(err)
	}
	if back != e || !back.Time.Equal(at.Truncate(time.Millisecond)) {
		t.Errorf("round trip: %+v, want %+v", back, e)
	}
	if !e.Matches("urn:uuid:1", []byte(`{"a":1}`)) || e.Matches("urn:uuid:2", []byte(`{"a":1}`)) || e.Matches("urn:uuid:1", []byte(`{"a":2}`)) {
		t.Error("Matches does not tell credentials apart")
	}
	for _, bad := range [][]byte{b[:72], append(bytes.Clone(b), 0), append([]byte{0x22}, b[1:]...), append([]byte{0x19}, b[1:]...)} {
		if _, err := ParseEntry(bad); err == nil {
			t.Errorf("ParseEntry(%x…) accepted", bad[:2])
		}
	}
}

// An entry carries no personal data: only digests, a kind and a time.
func TestEntryHasNoPersonalData(t *testing.T) {
	id := "urn:uuid:0b6f6b0e-5a43-4c3e-9d7e-6c1f0d2b9a01"
	body := []byte(`{"credentialSubject":{"name":"Giulia Bianchi","identifier":"BNCGLI08A41F205X"}}`)
	b := NewEntry(Issue, id, body, time.Now()).Marshal()
	for _, s := range []string{"Giulia", "Bianchi", "BNCGLI08A41F205X", id} {
		if bytes.Contains(b, []byte(s)) || strings.Contains(string(b), s) {
			t.Errorf("entry contains %q", s)
		}
	}
}

func TestCredentialDigestIgnoresFormatting(t *testing.T) {
	a := CredentialDigest([]byte(`{"b":1,"a":"x"}`))
	if b := CredentialDigest([]byte("  {\n  \"a\": \"x\",\n  \"b\": 1\n}\n")); a != b {
		t.Error("re-indented JSON has another digest")
	}
	if c := CredentialDigest([]byte(`{"b":2,"a":"x"}`)); a == c {
		t.Error("different JSON has the same digest")
	}
	if CredentialDigest([]byte("eyJ.a.b\n")) != CredentialDigest([]byte("eyJ.a.b")) {
		t.Error("a JWT's trailing newline changes its digest")
	}
}
