// Package statuslist keeps the revocation and suspension status of credentials
// with W3C [Bitstring Status List] v1.0.
//
// Every credential attesta issues carries two BitstringStatusListEntry values,
// one with statusPurpose "revocation" and one with "suspension", at the same
// index of two lists of the same issuer. A revoked credential stays revoked; a
// suspended one can be reinstated. Every change is recorded with its reason
// and author in an append-only trail.
//
// # Indices
//
// An index is never given to two credentials, even after a crash or under
// concurrent issuance: indices come from a per-list counter that only grows,
// mapped through a keyed permutation of the list's index space so that
// neighbouring credentials do not get neighbouring indices (the
// specification's advice for group privacy).
//
// [Bitstring Status List]: https://www.w3.org/TR/vc-bitstring-status-list/
package statuslist

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// ListBits is the number of entries of every list attesta publishes: the
// specification's minimum of 16 KiB, large enough to hide each credential in
// a crowd.
const ListBits = 131072

// MaxEncodedList bounds the encodedList value read from outside, and
// MaxListBits the decompressed list: a gzip bomb stops there.
const (
	MaxEncodedList = 1 << 20
	MaxListBits    = 1 << 24
)

// Purpose is a statusPurpose.
type Purpose string

// The purposes attesta issues.
const (
	Revocation Purpose = "revocation"
	Suspension Purpose = "suspension"
)

// Valid reports whether p is a purpose attesta understands.
func (p Purpose) Valid() bool { return p == Revocation || p == Suspension }

// Bitstring is a status list: bit i is set when the credential at index i has
// the list's status. Index 0 is the most significant bit of the first byte.
type Bitstring []byte

// NewBitstring returns a list of ListBits cleared bits.
func NewBitstring() Bitstring { return make(Bitstring, ListBits/8) }

// Len is the number of entries.
func (b Bitstring) Len() int { return len(b) * 8 }

// Get reports bit i; out of range is an error.
func (b Bitstring) Get(i int) (bool, error) {
	if i < 0 || i >= b.Len() {
		return false, fmt.Errorf("status index %d outside the list of %d entries", i, b.Len())
	}
	return b[i/8]&(0x80>>(i%8)) != 0, nil
}

// Set sets bit i to v.
func (b Bitstring) Set(i int, v bool) error {
	if i < 0 || i >= b.Len() {
		return fmt.Errorf("status index %d outside the list of %d entries", i, b.Len())
	}
	if v {
		b[i/8] |= 0x80 >> (i % 8)
	} else {
		b[i/8] &^= 0x80 >> (i % 8)
	}
	return nil
}

// Encode returns the encodedList value: the GZIP-compressed bitstring as
// base64url without padding, with the multibase prefix "u".
func (b Bitstring) Encode() string {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b) // writes to a bytes.Buffer do not fail
	zw.Close()
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
}

// Decode parses an encodedList value. It accepts the multibase form and,
// because published lists in the wild still use it, plain base64url without
// the prefix; the decompressed list must be a whole number of bytes no larger
// than MaxListBits.
func Decode(encoded string) (Bitstring, error) {
	if len(encoded) > MaxEncodedList {
		return nil, fmt.Errorf("encodedList is %d bytes, more than the %d accepted", len(encoded), MaxEncodedList)
	}
	s := encoded
	if len(s) > 0 && s[0] == 'u' {
		s = s[1:]
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		// The prefix may have been a base64url character of an unprefixed list.
		if raw, err = base64.RawURLEncoding.DecodeString(encoded); err != nil {
			return nil, fmt.Errorf("encodedList is not base64url: %w", err)
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("encodedList is not GZIP data: %w", err)
	}
	list, err := io.ReadAll(io.LimitReader(zr, MaxListBits/8+1))
	if err != nil {
		return nil, fmt.Errorf("decompress encodedList: %w", err)
	}
	if len(list) > MaxListBits/8 {
		return nil, fmt.Errorf("encodedList decompresses to more than %d entries", MaxListBits)
	}
	if len(list) == 0 {
		return nil, errors.New("encodedList is empty")
	}
	return Bitstring(list), nil
}

// Permute maps the n-th index handed out from a list to its position in the
// list: a bijection of [0, ListBits) keyed by key, so distinct counters give
// distinct indices. It is a four-round Feistel network on 18 bits, cycle-walked
// back into the 17-bit range.
func Permute(key [32]byte, n int) int {
	if n < 0 || n >= ListBits {
		panic("status: counter outside the list")
	}
	x := uint32(n)
	for {
		x = feistel(key, x)
		if x < ListBits {
			return int(x)
		}
	}
}

// feistel is a balanced Feistel permutation of [0, 2^18) (two 9-bit halves);
// cycle walking in Permute restricts it to [0, 2^17).
func feistel(key [32]byte, x uint32) uint32 {
	const half = 9
	const mask = 1<<half - 1
	l, r := x>>half, x&mask
	for round := range 4 {
		f := roundFunc(key, round, r) & mask
		l, r = r, l^f
	}
	return l<<half | r
}

// roundFunc mixes the key into a 9-bit half. It need not be cryptographic —
// the permutation hides order, not secrets — but must be deterministic.
func roundFunc(key [32]byte, round int, r uint32) uint32 {
	k := uint32(key[round*4]) | uint32(key[round*4+1])<<8 | uint32(key[round*4+2])<<16 | uint32(key[round*4+3])<<24
	h := (r + 1) * 0x9e3779b1
	h ^= k
	h ^= h >> 15
	h *= 0x85ebca77
	h ^= h >> 13
	return h
}
