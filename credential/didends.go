package credential

import (
	"context"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/vc/did"
)

// DIDDocuments are issuers' DID documents given to a verifier without the
// registry (the command line's --did): the ends of their keys — expires, or
// revoked for a compromised key — for the key check. They say when a key
// ended, not whether its issuer is trusted.
type DIDDocuments []did.Document

var _ KeyEnds = DIDDocuments(nil)

// KeyEnd implements KeyEnds: the end of the verification method in the
// documents (revoked before expires), zero if it has none; NotFound if no
// document lists it.
func (docs DIDDocuments) KeyEnd(_ context.Context, vm string) (time.Time, bool, error) {
	for _, d := range docs {
		for _, m := range d.VerificationMethod {
			if m.ID != vm {
				continue
			}
			end, compromised := m.Expires, false
			if m.Revoked != "" {
				end, compromised = m.Revoked, true
			}
			if end == "" {
				return time.Time{}, false, nil
			}
			t, err := time.Parse(time.RFC3339Nano, end)
			if err != nil {
				return time.Time{}, false, attesta.E(attesta.Invalid, "err.credential.did.end", vm, end)
			}
			return t, compromised, nil
		}
	}
	return time.Time{}, false, attesta.E(attesta.NotFound, "err.credential.did.key", vm)
}
