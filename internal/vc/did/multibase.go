package did

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/big"
)

const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var base58Index = func() (idx [256]int8) {
	for i := range idx {
		idx[i] = -1
	}
	for i := range len(base58Alphabet) {
		idx[base58Alphabet[i]] = int8(i)
	}
	return idx
}()

// EncodeBase58 encodes b in the Bitcoin base58 alphabet.
func EncodeBase58(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// Every byte takes log(256)/log(58) ≈ 1.37 digits.
	out := make([]byte, 0, len(b)*138/100+1)
	digits := make([]byte, 0, len(b)*138/100+1) // little-endian base-58 digits
	for _, c := range b[zeros:] {
		carry := int(c)
		for i := range digits {
			carry += int(digits[i]) << 8
			digits[i] = byte(carry % 58)
			carry /= 58
		}
		for carry > 0 {
			digits = append(digits, byte(carry%58))
			carry /= 58
		}
	}
	for range zeros {
		out = append(out, '1')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		out = append(out, base58Alphabet[digits[i]])
	}
	return string(out)
}

// DecodeBase58 decodes a base58btc string. Inputs longer than 512 characters
// are refused: nothing attesta reads in base58 is that long.
func DecodeBase58(s string) ([]byte, error) {
	if len(s) > 512 {
		return nil, errors.New("base58 value too long")
	}
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	n := new(big.Int)
	fifty8 := big.NewInt(58)
	for i := zeros; i < len(s); i++ {
		d := base58Index[s[i]]
		if d < 0 {
			return nil, fmt.Errorf("invalid base58 character %q", s[i])
		}
		n.Mul(n, fifty8)
		n.Add(n, big.NewInt(int64(d)))
	}
	out := make([]byte, zeros, zeros+len(s))
	return append(out, n.Bytes()...), nil
}

// Multicodec prefixes (unsigned varints) of the key types attesta uses.
var (
	ed25519PubPrefix  = []byte{0xed, 0x01} // ed25519-pub, 0xed
	ed25519PrivPrefix = []byte{0x80, 0x26} // ed25519-priv, 0x1300
)

// EncodePublicKey returns the Multikey publicKeyMultibase of an Ed25519 public
// key: "z" (base58btc) over the ed25519-pub multicodec prefix and the key.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return "z" + EncodeBase58(append(append([]byte{}, ed25519PubPrefix...), pub...))
}

// DecodePublicKey parses a publicKeyMultibase holding an Ed25519 key.
func DecodePublicKey(multibase string) (ed25519.PublicKey, error) {
	raw, err := decodeMultikey(multibase, ed25519PubPrefix, "ed25519-pub")
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(raw), nil
}

// EncodePrivateKey returns the secretKeyMultibase of an Ed25519 private key:
// "z" over the ed25519-priv multicodec prefix and the 32-byte seed.
func EncodePrivateKey(priv ed25519.PrivateKey) string {
	return "z" + EncodeBase58(append(append([]byte{}, ed25519PrivPrefix...), priv.Seed()...))
}

// DecodePrivateKey parses a secretKeyMultibase holding an Ed25519 seed.
func DecodePrivateKey(multibase string) (ed25519.PrivateKey, error) {
	raw, err := decodeMultikey(multibase, ed25519PrivPrefix, "ed25519-priv")
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(raw), nil
}

func decodeMultikey(multibase string, prefix []byte, codec string) ([]byte, error) {
	if len(multibase) == 0 || multibase[0] != 'z' {
		return nil, fmt.Errorf("multibase key %q: want base58btc ('z' prefix)", short(multibase))
	}
	raw, err := DecodeBase58(multibase[1:])
	if err != nil {
		return nil, fmt.Errorf("multibase key %q: %w", short(multibase), err)
	}
	if len(raw) != len(prefix)+32 || raw[0] != prefix[0] || raw[1] != prefix[1] {
		return nil, fmt.Errorf("multibase key %q: not an %s key", short(multibase), codec)
	}
	return raw[len(prefix):], nil
}

// short cuts a value for an error message.
func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
