package trust

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
)

// The reasons of revocations and suspensions are written by people and may
// say more than a stranger should read; the public verification page says
// a credential's reason to who shows the credential. A bundle does the
// same: each reason is sealed with a key derived from its credential's id,
// which only who holds the credential knows (a random urn:uuid for what
// attesta issues), and listed under a hash of that id.
const (
	changeIDPrefix  = "attesta-trust-bundle/v1 status change\x00"
	reasonKeyPrefix = "attesta-trust-bundle/v1 status reason\x00"
)

// changeID is the id of the change of the credential id in a bundle.
func changeID(credentialID string) string {
	sum := sha256.Sum256([]byte(changeIDPrefix + credentialID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func reasonAEAD(credentialID string) cipher.AEAD {
	key := sha256.Sum256([]byte(reasonKeyPrefix + credentialID))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic(err) // a 32-byte key
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// sealReason returns the change of the credential id with its reason
// sealed, with a nonce from rand.
func sealReason(rand io.Reader, credentialID, reason string) (Change, error) {
	aead := reasonAEAD(credentialID)
	id := changeID(credentialID)
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return Change{}, err
	}
	sealed := aead.Seal(nonce, nonce, []byte(reason), []byte(id))
	return Change{ID: id, Reason: base64.RawURLEncoding.EncodeToString(sealed)}, nil
}

// openReason opens the sealed reason of the credential id.
func openReason(credentialID, sealed string) (string, error) {
	data, err := base64.RawURLEncoding.DecodeString(sealed)
	aead := reasonAEAD(credentialID)
	if err != nil || len(data) < aead.NonceSize() {
		return "", errors.New("malformed sealed reason")
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, data[:n], data[n:], []byte(changeID(credentialID)))
	if err != nil {
		return "", err
	}
	return string(plain), nil
}
