// Package notary keeps attesta's transparency log: an append-only Merkle
// tree (RFC 6962) of every credential issued and every status change,
// published as C2SP tlog-tiles with signed checkpoints, cosigned by
// witnesses and timestamped by an RFC 3161 authority, so that anyone can
// check that a credential was notarized, when, and that the log never forked.
//
// # Entries
//
// An entry is 73 bytes and says nothing about a person: what happened
// (issue, revoke, suspend, reinstate), when (to the millisecond), the SHA-256
// of the credential's id and the SHA-256 of the signed credential in its
// canonical form (RFC 8785 for JSON, so that re-indenting a credential does
// not change it; the compact token for a JWT). The entry
// is written in the same database transaction as the credential or status
// change it records, with its leaf index, so that neither exists without the
// other. Hashing the entries into the tree and signing a checkpoint happens
// afterwards, in batches, by the [Sequencer].
package notary

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/attesta/attesta/internal/vc/jcs"
)

// Kind is what an entry records.
type Kind byte

// The kinds of entries.
const (
	Issue     Kind = 1
	Revoke    Kind = 2
	Suspend   Kind = 3
	Reinstate Kind = 4
	// Dossier records the lock of an evidence dossier (package dossier):
	// the SHA-256 of its id and of its canonical document; no credential.
	Dossier Kind = 5
	// Minutes records the signed minutes of a commission's session
	// (package commission): the SHA-256 of their id and of their canonical
	// document; no credential.
	Minutes Kind = 6
)

// lastKind is the highest kind.
const lastKind = Minutes

func (k Kind) String() string {
	switch k {
	case Issue:
		return "issue"
	case Revoke:
		return "revoke"
	case Suspend:
		return "suspend"
	case Reinstate:
		return "reinstate"
	case Dossier:
		return "dossier"
	case Minutes:
		return "minutes"
	}
	return fmt.Sprintf("kind(%d)", byte(k))
}

// KindOf returns the kind named s ("issue", "revoke", …).
func KindOf(s string) (Kind, bool) {
	for k := Issue; k <= lastKind; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

// EntrySize is the size of an encoded entry.
const EntrySize = 1 + 8 + 32 + 32

// entryVersion is the high nibble of the first byte.
const entryVersion = 1

// Entry is one log entry.
type Entry struct {
	Kind       Kind
	Time       time.Time // truncated to the millisecond
	IDDigest   [32]byte  // SHA-256 of the credential's id
	BodyDigest [32]byte  // CredentialDigest of the signed credential
}

// NewEntry returns the entry recording kind for the credential with the given
// id and signed bytes.
func NewEntry(kind Kind, credentialID string, body []byte, at time.Time) Entry {
	return Entry{Kind: kind, Time: at.UTC().Truncate(time.Millisecond), IDDigest: sha256.Sum256([]byte(credentialID)), BodyDigest: CredentialDigest(body)}
}

// Marshal encodes the entry: version<<4|kind, milliseconds since the Unix
// epoch (big-endian), the id digest, the body digest.
func (e Entry) Marshal() []byte {
	b := make([]byte, EntrySize)
	b[0] = entryVersion<<4 | byte(e.Kind)
	binary.BigEndian.PutUint64(b[1:9], uint64(e.Time.UnixMilli()))
	copy(b[9:41], e.IDDigest[:])
	copy(b[41:73], e.BodyDigest[:])
	return b
}

// ParseEntry decodes an entry.
func ParseEntry(b []byte) (Entry, error) {
	if len(b) != EntrySize {
		return Entry{}, fmt.Errorf("log entry is %d bytes, want %d", len(b), EntrySize)
	}
	if b[0]>>4 != entryVersion {
		return Entry{}, fmt.Errorf("log entry version %d, want %d", b[0]>>4, entryVersion)
	}
	k := Kind(b[0] & 0x0f)
	if k < Issue || k > lastKind {
		return Entry{}, fmt.Errorf("log entry kind %d unknown", k)
	}
	e := Entry{Kind: k, Time: time.UnixMilli(int64(binary.BigEndian.Uint64(b[1:9]))).UTC()}
	copy(e.IDDigest[:], b[9:41])
	copy(e.BodyDigest[:], b[41:73])
	return e, nil
}

// Matches reports whether the entry records the credential with this id and
// these signed bytes.
func (e Entry) Matches(credentialID string, body []byte) bool {
	return e.IDDigest == sha256.Sum256([]byte(credentialID)) && e.BodyDigest == CredentialDigest(body)
}

// CredentialDigest is the SHA-256 of a signed credential's canonical form:
// for a JSON credential its RFC 8785 canonical JSON, so that any faithful
// re-serialization (indented for download, trimmed in a badge) gives the same
// digest; for a JWT (or anything that is not valid JSON) the bytes without
// surrounding white space.
func CredentialDigest(body []byte) [32]byte {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '{' {
		if c, err := jcs.Canonicalize(body); err == nil {
			return sha256.Sum256(c)
		}
	}
	return sha256.Sum256(body)
}
