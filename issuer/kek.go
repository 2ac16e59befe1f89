package issuer

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/attesta/attesta"
)

// KeyEncryptionKey seals issuer private keys for storage with AES-256-GCM.
// The database holds only sealed keys; without the key-encryption key, which
// comes from configuration and is never stored beside them, they cannot be
// read.
type KeyEncryptionKey struct {
	aead cipher.AEAD
	id   string
}

// sealVersion prefixes every sealed blob, so that the format can change.
const sealVersion = 1

// ParseKeyEncryptionKey reads a key-encryption key: 32 random bytes in
// base64 (standard or URL alphabet, padded or not).
func ParseKeyEncryptionKey(s string) (*KeyEncryptionKey, error) {
	s = strings.TrimSpace(s)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("key-encryption key: not base64")
	}
	if len(raw) != 32 {
		return nil, fmt.Errorf("key-encryption key: %d bytes, want 32", len(raw))
	}
	return newKEK(raw)
}

// GenerateKeyEncryptionKey returns a new random key and its base64 text, for
// development setups that keep it in a file.
func GenerateKeyEncryptionKey() (*KeyEncryptionKey, string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	k, err := newKEK(raw)
	return k, base64.StdEncoding.EncodeToString(raw), err
}

func newKEK(raw []byte) (*KeyEncryptionKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte("attesta kek id\x00"), raw...))
	return &KeyEncryptionKey{aead: aead, id: hex.EncodeToString(sum[:4])}, nil
}

// ID is a short public fingerprint of the key, stored with sealed blobs so
// that a wrong key is reported as such rather than as corruption.
func (k *KeyEncryptionKey) ID() string { return k.id }

// String never shows the key.
func (k *KeyEncryptionKey) String() string { return "KeyEncryptionKey(" + k.id + ")" }

// Seal encrypts secret, binding it to context (for example the verification
// method id it belongs to): a blob moved to another key's row does not open.
func (k *KeyEncryptionKey) Seal(secret []byte, context string) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal key: %w", err)
	}
	out := append([]byte{sealVersion}, nonce...)
	return k.aead.Seal(out, nonce, secret, k.aad(context)), nil
}

// Open decrypts a blob made by Seal with the same context.
func (k *KeyEncryptionKey) Open(blob []byte, context string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(blob) < 1+n+k.aead.Overhead() || blob[0] != sealVersion {
		return nil, errors.New("open sealed key: unknown format")
	}
	secret, err := k.aead.Open(nil, blob[1:1+n], blob[1+n:], k.aad(context))
	if err != nil {
		return nil, fmt.Errorf("open sealed key: wrong key-encryption key (%s) or altered data", k.id)
	}
	return secret, nil
}

func (k *KeyEncryptionKey) aad(context string) []byte {
	return append([]byte("attesta sealed issuer key v1\x00"), context...)
}

// A SealedKey is a private key as the database keeps it, sealed with a
// key-encryption key: what [KeyEncryptionKey.Check] tries to open.
type SealedKey struct {
	Name    attesta.Message // which key it is, said in messages
	Context string          // the context it was sealed with (see Seal)
	Sealed  []byte
}

// Check refuses k unless it opens every one of keys, the keys sealed in a
// database, so that a wrong key-encryption key is found before it seals
// anything new or serves: a key that opens none of them is the wrong key;
// one that opens some but not all finds altered data or keys sealed with
// another key. Either refusal names the keys it could not open. No keys:
// a new database, any key will do.
func (k *KeyEncryptionKey) Check(keys []SealedKey) error {
	var failed keyNames
	for _, sk := range keys {
		if _, err := k.Open(sk.Sealed, sk.Context); err != nil {
			failed = append(failed, sk.Name)
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(failed) == len(keys):
		return attesta.E(attesta.Invalid, "err.issuer.kek.none", k.id, failed)
	}
	return attesta.E(attesta.Invalid, "err.issuer.kek.some", k.id, len(keys)-len(failed), len(keys), failed)
}

// keyNames lists keys in a message: the first few by name, then how many
// more.
type keyNames []attesta.Message

const keyNamesShown = 4

func (n keyNames) In(lang string) string {
	var said []string
	for i, m := range n {
		if i == keyNamesShown && len(n) > keyNamesShown+1 {
			said = append(said, attesta.M("err.issuer.kek.more", len(n)-i).In(lang))
			break
		}
		said = append(said, m.In(lang))
	}
	return strings.Join(said, "; ")
}

// SealedKeys returns every key of every issuer in store, current and
// retired, as sealed: for [KeyEncryptionKey.Check].
func SealedKeys(ctx context.Context, store Store) ([]SealedKey, error) {
	issuers, err := store.Issuers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing the issuers' keys: %w", err)
	}
	var out []SealedKey
	for _, iss := range issuers {
		keys, err := store.Keys(ctx, iss.ID)
		if err != nil {
			return nil, fmt.Errorf("listing the keys of %s: %w", iss.ID, err)
		}
		for _, key := range keys {
			out = append(out, key.sealedKey())
		}
	}
	return out, nil
}

func (k Key) sealedKey() SealedKey {
	return SealedKey{Name: attesta.M("err.issuer.kek.key", k.Seq, k.IssuerID, k.KEKID), Context: k.VerificationMethod, Sealed: k.Sealed}
}

// SealedKeyStore keeps one sealed key: the log's or the witness's.
type SealedKeyStore interface {
	// Get returns the sealed key; found is false if none was stored.
	Get(ctx context.Context) (sealed []byte, found bool, err error)
	// Set stores the sealed key; an error with code Conflict if one exists.
	Set(ctx context.Context, sealed []byte) error
}

// LoadOrCreateKey returns the Ed25519 key kept sealed in store for purpose
// (the context of Seal), generating and storing one the first time. When two processes
// race to make it, the one that stored first wins and both use its key.
func (k *KeyEncryptionKey) LoadOrCreateKey(ctx context.Context, store SealedKeyStore, purpose string) (ed25519.PrivateKey, error) {
	for range 2 {
		sealed, found, err := store.Get(ctx)
		if err != nil {
			return nil, err
		}
		if found {
			seed, err := k.Open(sealed, purpose)
			if err != nil {
				return nil, err
			}
			return ed25519.NewKeyFromSeed(seed), nil
		}
		_, priv, err := ed25519.GenerateKey(nil)
		if err != nil {
			return nil, err
		}
		blob, err := k.Seal(priv.Seed(), purpose)
		if err != nil {
			return nil, err
		}
		err = store.Set(ctx, blob)
		if err == nil {
			return priv, nil
		}
		if attesta.ErrorCode(err) != attesta.Conflict {
			return nil, err
		}
	}
	return nil, fmt.Errorf("the %s was made and lost twice", purpose)
}
