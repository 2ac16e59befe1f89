package oid4vci

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta/internal/vc/did"
)

// The proof signing algorithms verified here.
const (
	AlgEdDSA = "EdDSA" // Ed25519 (RFC 8037)
	AlgES256 = "ES256" // ECDSA on P-256 with SHA-256
)

// The key binding methods verified here.
const (
	BindingDIDKey = "did:key" // Ed25519 (z6Mk…) and P-256 (zDn…) keys
	BindingDIDJWK = "did:jwk"
)

// MaxProofJWT bounds a key proof.
const MaxProofJWT = 8 << 10

// ProofOptions say what a key proof must be.
type ProofOptions struct {
	// Audience is the Credential Issuer Identifier, the aud it must name.
	Audience string
	// Now is the time it is checked at.
	Now time.Time
	// MaxAge is how old its iat may be; Skew how far in the future (the
	// wallet's clock may be ahead).
	MaxAge, Skew time.Duration
}

// Proof is a verified key proof: the DID the credential is to be bound to,
// and the nonce it carries, which the caller checks.
type Proof struct {
	// Holder is the DID of the key: a did:key or did:jwk identifier, with
	// no fragment. A proof with a bare jwk header gives its did:jwk.
	Holder string
	// KeyID is the verification method, the DID URL of the key.
	KeyID    string
	Alg      string
	Nonce    string // empty when the proof carries none
	IssuedAt time.Time
}

type proofHeader struct {
	Typ  string          `json:"typ"`
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	JWK  json.RawMessage `json:"jwk"`
	X5C  json.RawMessage `json:"x5c"`
	Crit json.RawMessage `json:"crit"`
}

type proofClaims struct {
	Aud   json.RawMessage `json:"aud"`
	Iat   *json.Number    `json:"iat"`
	Exp   *json.Number    `json:"exp"`
	Nonce *string         `json:"nonce"`
}

// VerifyProof verifies a key proof of the jwt proof type (§F.1, and the
// checks of §F.4): its type, its algorithm (EdDSA or ES256, matching the
// key), its key (a did:key or did:jwk DID URL in kid, or a public jwk; not
// x5c), its signature, its audience and its issuance time. The nonce is
// returned for the caller to check against the nonces it handed out. Every
// refusal is an Error of code invalid_proof.
func VerifyProof(token string, o ProofOptions) (Proof, error) {
	var p Proof
	if len(token) > MaxProofJWT {
		return p, Errorf(InvalidProof, "the proof is longer than %d bytes", MaxProofJWT)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return p, Errorf(InvalidProof, "the proof is not a compact JWS")
	}
	rawHeader, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	rawClaims, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return p, Errorf(InvalidProof, "the proof is not base64url")
	}
	var h proofHeader
	if err := strictJSON(rawHeader, &h); err != nil {
		return p, Errorf(InvalidProof, "the proof's header: %v", err)
	}
	var c proofClaims
	if err := strictJSON(rawClaims, &c); err != nil {
		return p, Errorf(InvalidProof, "the proof's claims: %v", err)
	}
	if h.Typ != ProofJWTType {
		return p, Errorf(InvalidProof, "typ is %q, not %s", h.Typ, ProofJWTType)
	}
	if len(h.Crit) > 0 {
		return p, Errorf(InvalidProof, "crit is not understood")
	}
	if h.Alg != AlgEdDSA && h.Alg != AlgES256 {
		return p, Errorf(InvalidProof, "alg %q is not one of %s, %s", h.Alg, AlgEdDSA, AlgES256)
	}
	p.Alg = h.Alg
	var key Key
	var err error
	switch {
	case len(h.X5C) > 0:
		return p, Errorf(InvalidProof, "x5c is not supported: use kid (did:key, did:jwk) or jwk")
	case h.Kid != "" && len(h.JWK) > 0:
		return p, Errorf(InvalidProof, "kid and jwk must not both be present")
	case h.Kid != "":
		key, err = ResolveKey(h.Kid)
	case len(h.JWK) > 0:
		key, err = ParseJWK(h.JWK)
	default:
		return p, Errorf(InvalidProof, "the proof names no key: kid or jwk is required")
	}
	if err != nil {
		return p, Errorf(InvalidProof, "the proof's key: %v", err)
	}
	if key.Alg() != h.Alg {
		return p, Errorf(InvalidProof, "alg %s does not match the key, a %s key", h.Alg, key.Alg())
	}
	if !key.verify([]byte(parts[0]+"."+parts[1]), sig) {
		return p, Errorf(InvalidProof, "the signature does not verify")
	}
	p.Holder, p.KeyID = key.DID, key.ID
	if !audienceIs(c.Aud, o.Audience) {
		return p, Errorf(InvalidProof, "aud is not the credential issuer %s", o.Audience)
	}
	iat, ok := seconds(c.Iat)
	if !ok {
		return p, Errorf(InvalidProof, "iat is missing or not a number")
	}
	p.IssuedAt = iat
	if iat.Before(o.Now.Add(-o.MaxAge)) {
		return p, Errorf(InvalidProof, "the proof was made more than %s ago", o.MaxAge)
	}
	if iat.After(o.Now.Add(o.Skew)) {
		return p, Errorf(InvalidProof, "the proof was made in the future")
	}
	if c.Exp != nil {
		exp, ok := seconds(c.Exp)
		if !ok || !exp.After(o.Now) {
			return p, Errorf(InvalidProof, "the proof has expired")
		}
	}
	if c.Nonce != nil {
		p.Nonce = *c.Nonce
	}
	return p, nil
}

// strictJSON decodes a JSON object, numbers as json.Number.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("data after the object")
	}
	return nil
}

// audienceIs reports whether aud (a string, or an array of strings) names
// want.
func audienceIs(aud json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(aud, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(aud, &many) == nil && slices.Contains(many, want)
}

// seconds reads a NumericDate.
func seconds(n *json.Number) (time.Time, bool) {
	if n == nil {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0).UTC(), true
}

// Key is a holder's public key, as a proof names it.
type Key struct {
	DID string // the DID the credential is bound to
	ID  string // the verification method
	ed  ed25519.PublicKey
	ec  *ecdsa.PublicKey
}

// Alg is the JWS algorithm of the key.
func (k Key) Alg() string {
	if k.ec != nil {
		return AlgES256
	}
	return AlgEdDSA
}

func (k Key) verify(input, sig []byte) bool {
	if k.ec != nil {
		if len(sig) != 64 {
			return false
		}
		h := sha256.Sum256(input)
		return ecdsa.Verify(k.ec, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	}
	return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.ed, input, sig)
}

// p256Prefix is the multicodec prefix of a compressed P-256 public key
// (p256-pub, 0x1200, as an unsigned varint).
var p256Prefix = []byte{0x80, 0x24}

// ResolveKey returns the key a DID URL names: a did:key of an Ed25519 or a
// P-256 key (its fragment, if any, the key's multibase), or a did:jwk (its
// fragment, if any, "0").
func ResolveKey(didURL string) (Key, error) {
	id, frag, hasFrag := strings.Cut(didURL, "#")
	switch {
	case strings.HasPrefix(id, "did:key:"):
		mb := strings.TrimPrefix(id, "did:key:")
		if hasFrag && frag != mb {
			return Key{}, fmt.Errorf("%s: the fragment is not the key", short(didURL))
		}
		k := Key{DID: id, ID: id + "#" + mb}
		if pub, err := did.DecodePublicKey(mb); err == nil {
			k.ed = pub
			return k, nil
		}
		if len(mb) < 2 || mb[0] != 'z' {
			return Key{}, fmt.Errorf("%s: not a base58btc multikey", short(didURL))
		}
		raw, err := did.DecodeBase58(mb[1:])
		if err != nil || len(raw) != 2+33 || !bytes.HasPrefix(raw, p256Prefix) {
			return Key{}, fmt.Errorf("%s: neither an Ed25519 nor a P-256 key", short(didURL))
		}
		x, y := elliptic.UnmarshalCompressed(elliptic.P256(), raw[2:])
		if x == nil {
			return Key{}, fmt.Errorf("%s: not a point of P-256", short(didURL))
		}
		if k.ec, err = uncompressed(x.FillBytes(make([]byte, 32)), y.FillBytes(make([]byte, 32))); err != nil {
			return Key{}, fmt.Errorf("%s: %v", short(didURL), err)
		}
		return k, nil
	case strings.HasPrefix(id, "did:jwk:"):
		if hasFrag && frag != "0" {
			return Key{}, fmt.Errorf("%s: a did:jwk's key is #0", short(didURL))
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(id, "did:jwk:"))
		if err != nil {
			return Key{}, fmt.Errorf("%s: not base64url", short(didURL))
		}
		k, err := jwkKey(raw)
		if err != nil {
			return Key{}, err
		}
		k.DID, k.ID = id, id+"#0"
		return k, nil
	}
	return Key{}, fmt.Errorf("%s is neither a did:key nor a did:jwk", short(didURL))
}

// ParseJWK returns the key of a public JWK, bound to its did:jwk: the JWK's
// required members (RFC 7638) in their order, encoded.
func ParseJWK(raw json.RawMessage) (Key, error) {
	k, err := jwkKey(raw)
	if err != nil {
		return Key{}, err
	}
	var canon []byte
	if k.ec != nil {
		b, _ := k.ec.Bytes()
		canon, _ = json.Marshal(struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
			Y   string `json:"y"`
		}{"P-256", "EC", b64(b[1:33]), b64(b[33:])})
	} else {
		canon, _ = json.Marshal(struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
		}{"Ed25519", "OKP", b64(k.ed)})
	}
	k.DID = "did:jwk:" + b64(canon)
	k.ID = k.DID + "#0"
	return k, nil
}

// jwkKey reads a public JWK: an OKP Ed25519 or an EC P-256 key. A JWK
// holding a private key is refused.
func jwkKey(raw []byte) (Key, error) {
	var j struct {
		Kty string  `json:"kty"`
		Crv string  `json:"crv"`
		X   string  `json:"x"`
		Y   string  `json:"y"`
		D   *string `json:"d"`
	}
	if err := strictJSON(raw, &j); err != nil {
		return Key{}, fmt.Errorf("the JWK: %v", err)
	}
	if j.D != nil {
		return Key{}, fmt.Errorf("the JWK holds a private key")
	}
	x, err := base64.RawURLEncoding.DecodeString(j.X)
	if err != nil {
		return Key{}, fmt.Errorf("the JWK's x is not base64url")
	}
	switch {
	case j.Kty == "OKP" && j.Crv == "Ed25519":
		if len(x) != ed25519.PublicKeySize {
			return Key{}, fmt.Errorf("the JWK's x is not an Ed25519 key")
		}
		return Key{ed: ed25519.PublicKey(x)}, nil
	case j.Kty == "EC" && j.Crv == "P-256":
		y, err := base64.RawURLEncoding.DecodeString(j.Y)
		if err != nil || len(x) != 32 || len(y) != 32 {
			return Key{}, fmt.Errorf("the JWK's x and y are not a P-256 key")
		}
		pub, err := uncompressed(x, y)
		if err != nil {
			return Key{}, err
		}
		return Key{ec: pub}, nil
	}
	return Key{}, fmt.Errorf("the JWK is neither an OKP Ed25519 nor an EC P-256 key")
}

// uncompressed returns the P-256 key of coordinates x and y, each 32
// bytes, refusing a point not on the curve.
func uncompressed(x, y []byte) (*ecdsa.PublicKey, error) {
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return nil, fmt.Errorf("not a point of P-256")
	}
	return pub, nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// short cuts a value for an error description.
func short(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
