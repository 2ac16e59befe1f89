// Package guard holds the input checks both storage engines make before
// writing, so that a value the schema would reject fails the same way, with
// an Invalid error, on every engine — rather than as a constraint violation
// each engine reports differently.
package guard

import (
	"bytes"
	"crypto/ed25519"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
)

// Key checks a key about to be added.
func Key(k issuer.Key) error {
	switch {
	case len(k.Public) != ed25519.PublicKeySize:
		return attesta.E(attesta.Invalid, "err.storage.issuerkey.public", k.Seq, k.IssuerID, len(k.Public), ed25519.PublicKeySize)
	case len(k.Sealed) == 0:
		return attesta.E(attesta.Invalid, "err.storage.issuerkey.sealed", k.Seq, k.IssuerID)
	}
	return nil
}

// Record checks a credential about to be inserted: its position is inside a
// list and its body is text.
func Record(r credential.Record) error {
	switch {
	case r.List < 1 || r.Index < 0 || r.Index >= statuslist.ListBits:
		return attesta.E(attesta.Invalid, "err.storage.credential.position", r.ID, r.List, r.Index)
	case !isText(r.Body):
		return attesta.E(attesta.Invalid, "err.storage.credential.body", r.ID)
	}
	return nil
}

// Event checks a status change of credential id.
func Event(id string, ev credential.StatusEvent) error {
	switch {
	case ev.CredentialID != "" && ev.CredentialID != id:
		return attesta.E(attesta.Invalid, "err.storage.event.credential", ev.CredentialID, id)
	case ev.Action != credential.Revoke && ev.Action != credential.Suspend && ev.Action != credential.Reinstate:
		return attesta.E(attesta.Invalid, "err.credential.action.unknown", ev.Action)
	}
	return nil
}

// WithStatus is cur with the fields a status change may change taken from
// next; whatever else a decide function changed is not stored.
func WithStatus(cur, next credential.Record) credential.Record {
	cur.Revoked, cur.Suspended, cur.Reason, cur.ChangedAt = next.Revoked, next.Suspended, next.Reason, next.ChangedAt
	return cur
}

// SignedList checks a signed status list about to be saved.
func SignedList(l credential.SignedList) error {
	switch {
	case !l.Purpose.Valid():
		return attesta.E(attesta.Invalid, "err.credential.purpose.unknown", l.Purpose)
	case l.Version < 0:
		return attesta.E(attesta.Invalid, "err.storage.signedlist.version", l.Purpose, l.List, l.IssuerID, l.Version)
	case !isText(l.Body):
		return attesta.E(attesta.Invalid, "err.storage.signedlist.body", l.Purpose, l.List, l.IssuerID)
	}
	return nil
}

// isText reports whether b is UTF-8 without NUL bytes, which a TEXT column
// of every engine stores unchanged.
func isText(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }
