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
		return attesta.Errorf(attesta.Invalid, "key %d of issuer %s: the public key has %d bytes, not %d",
			k.Seq, k.IssuerID, len(k.Public), ed25519.PublicKeySize)
	case len(k.Sealed) == 0:
		return attesta.Errorf(attesta.Invalid, "key %d of issuer %s has no sealed private key", k.Seq, k.IssuerID)
	}
	return nil
}

// Record checks a credential about to be inserted: its position is inside a
// list and its body is text.
func Record(r credential.Record) error {
	switch {
	case r.List < 1 || r.Index < 0 || r.Index >= statuslist.ListBits:
		return attesta.Errorf(attesta.Invalid, "credential %s: no status position (list %d, index %d)", r.ID, r.List, r.Index)
	case !isText(r.Body):
		return attesta.Errorf(attesta.Invalid, "credential %s: the body is not UTF-8 text", r.ID)
	}
	return nil
}

// Event checks a status change of credential id.
func Event(id string, ev credential.StatusEvent) error {
	switch {
	case ev.CredentialID != "" && ev.CredentialID != id:
		return attesta.Errorf(attesta.Invalid, "a status change of credential %s cannot be recorded for %s", ev.CredentialID, id)
	case ev.Action != credential.Revoke && ev.Action != credential.Suspend && ev.Action != credential.Reinstate:
		return attesta.Errorf(attesta.Invalid, "unknown status action %q", ev.Action)
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
		return attesta.Errorf(attesta.Invalid, "unknown status purpose %q", l.Purpose)
	case l.Version < 0:
		return attesta.Errorf(attesta.Invalid, "signed %s list %d of issuer %s: negative version %d", l.Purpose, l.List, l.IssuerID, l.Version)
	case !isText(l.Body):
		return attesta.Errorf(attesta.Invalid, "signed %s list %d of issuer %s: the body is not UTF-8 text", l.Purpose, l.List, l.IssuerID)
	}
	return nil
}

// isText reports whether b is UTF-8 without NUL bytes, which a TEXT column
// of every engine stores unchanged.
func isText(b []byte) bool { return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 }
