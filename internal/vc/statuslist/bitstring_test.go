package statuslist

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
)

func TestBitstringOrderAndEncoding(t *testing.T) {
	b := NewBitstring()
	if err := b.Set(0, true); err != nil {
		t.Fatal(err)
	}
	b.Set(9, true)
	if b[0] != 0x80 || b[1] != 0x40 {
		t.Fatalf("bit order: first bytes %08b %08b, want index 0 as the left-most bit", b[0], b[1])
	}
	enc := b.Encode()
	if !strings.HasPrefix(enc, "u") {
		t.Fatalf("encodedList %q lacks the multibase prefix u", enc[:8])
	}
	back, err := Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 9, ListBits - 1} {
		got, _ := back.Get(i)
		want, _ := b.Get(i)
		if got != want {
			t.Errorf("bit %d: %v after round trip, want %v", i, got, want)
		}
	}
	b.Set(0, false)
	if v, _ := b.Get(0); v {
		t.Error("Set(0, false) left the bit set")
	}
	if _, err := b.Get(ListBits); err == nil {
		t.Error("Get out of range accepted")
	}
}

func TestDecodeRejects(t *testing.T) {
	for in, want := range map[string]string{
		"u!!!":                                "not base64url",
		"uH4sI":                               "not GZIP",
		NewBitstring().Encode()[:20] + "AAA":  "",
		strings.Repeat("u", MaxEncodedList+1): "more than",
	} {
		_, err := Decode(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%.20q…) = %v, want an error containing %q", in, err, want)
		}
	}
}

// A list of 2^27 zero bits compresses to a few KB: a bomb that must stop at
// the limit, not fill memory.
func TestDecodeBomb(t *testing.T) {
	bomb := make(Bitstring, MaxListBits/8*8)
	_, err := Decode(bomb.Encode())
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("Decode(bomb) = %v", err)
	}
}

// 1EdTech's fixture of a revoked credential carries its status list.
func TestDecodeFixtureList(t *testing.T) {
	data := conformance.Read(t, "ob30-fixtures/bit-string-list/testlist")
	var cred struct {
		CredentialSubject struct {
			EncodedList   string `json:"encodedList"`
			StatusPurpose string `json:"statusPurpose"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(data, &cred); err != nil {
		t.Fatalf("testlist: %v", err)
	}
	list, err := Decode(cred.CredentialSubject.EncodedList)
	if err != nil {
		t.Fatal(err)
	}
	if list.Len() < ListBits {
		t.Errorf("fixture list has %d entries, fewer than the minimum %d", list.Len(), ListBits)
	}
}

func TestPermuteIsABijection(t *testing.T) {
	key := [32]byte{1, 2, 3}
	seen := make([]bool, ListBits)
	adjacent := 0
	prev := -2
	for n := range ListBits {
		i := Permute(key, n)
		if i < 0 || i >= ListBits {
			t.Fatalf("Permute(%d) = %d out of range", n, i)
		}
		if seen[i] {
			t.Fatalf("Permute(%d) = %d given twice", n, i)
		}
		seen[i] = true
		if i == prev+1 {
			adjacent++
		}
		prev = i
	}
	if adjacent > ListBits/100 {
		t.Errorf("%d consecutive counters got neighbouring indices; the permutation does not scatter", adjacent)
	}
	if Permute([32]byte{9}, 0) == Permute(key, 0) && Permute([32]byte{9}, 1) == Permute(key, 1) {
		t.Error("the key does not change the permutation")
	}
}
