package rfc3161

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
)

type algorithmIdentifier struct {
	Algorithm asn1.ObjectIdentifier // parameters absent, as RFC 5754 asks
}

type messageImprint struct {
	HashAlgorithm algorithmIdentifier
	HashedMessage []byte
}

type timeStampReq struct {
	Version        int
	MessageImprint messageImprint
	Nonce          *big.Int `asn1:"optional"`
	CertReq        bool     `asn1:"optional"`
}

// NewRequest returns the DER of a version 1 TimeStampReq for digest, made
// with hash (zero means SHA-256; SHA-384 and SHA-512 are the others
// allowed), with nonce unless it is nil, and with certReq TRUE so that the
// token includes the TSA's certificate.
func NewRequest(digest []byte, hash crypto.Hash, nonce *big.Int) ([]byte, error) {
	if hash == 0 {
		hash = crypto.SHA256
	}
	oid, ok := hashOID(hash)
	if !ok {
		return nil, fmt.Errorf("new request: unsupported hash %v", hash)
	}
	if len(digest) != hash.Size() {
		return nil, fmt.Errorf("new request: %d-byte digest for %v", len(digest), hash)
	}
	if nonce != nil && nonce.Sign() < 0 {
		return nil, errors.New("new request: negative nonce")
	}
	der, err := asn1.Marshal(timeStampReq{
		Version:        1,
		MessageImprint: messageImprint{algorithmIdentifier{oid}, digest},
		Nonce:          nonce,
		CertReq:        true,
	})
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	return der, nil
}

// Client asks a Time-Stamp Authority for tokens over HTTP (RFC 3161 §3.4).
type Client struct {
	URL  string       // the TSA's address
	HTTP *http.Client // nil means http.DefaultClient
	Hash crypto.Hash  // hash of the digests given to Timestamp; zero means SHA-256
}

// Timestamp asks the TSA to timestamp digest, with a fresh random nonce, and
// returns the token after checking that it answers this request: same
// message imprint and nonce, and the TSA's certificate included. It does not
// verify the token's signature and chain: call [Token.Verify] with the TSA's
// roots for that.
func (c *Client) Timestamp(ctx context.Context, digest []byte) (*Token, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fmt.Errorf("timestamp: nonce: %w", err)
	}
	req, err := NewRequest(digest, c.Hash, nonce)
	if err != nil {
		return nil, err
	}
	body, err := c.post(ctx, req)
	if err != nil {
		return nil, err
	}
	tok, err := ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	hash := c.Hash
	if hash == 0 {
		hash = crypto.SHA256
	}
	if tok.Hash != hash || !bytes.Equal(tok.HashedMessage, digest) {
		return nil, fmt.Errorf("timestamp: %w: the reply has %v %x, the request %v %x",
			ErrImprintMismatch, tok.Hash, tok.HashedMessage, hash, digest)
	}
	if tok.Nonce == nil || tok.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("timestamp: %w: the reply has %v, the request %v", ErrNonceMismatch, tok.Nonce, nonce)
	}
	if tok.Signer == nil {
		return nil, fmt.Errorf("timestamp: %w, though the request asked for it", ErrSignerNotFound)
	}
	return tok, nil
}

// post sends a TimeStampReq and returns the body of the reply.
func (c *Client) post(ctx context.Context, der []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(der))
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	req.Header.Set("Accept", "application/timestamp-reply")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("timestamp: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("timestamp: TSA replied %s", resp.Status)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/timestamp-reply" {
		return nil, fmt.Errorf("timestamp: TSA replied with content type %q, want application/timestamp-reply", resp.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("timestamp: reading the reply: %w", err)
	}
	if len(body) > MaxSize {
		return nil, fmt.Errorf("timestamp: reply larger than %d bytes", MaxSize)
	}
	return body, nil
}
