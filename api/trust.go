package api

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// TrustBundle is the deployment's signed trust bundle (trust.Publisher).
type TrustBundle interface {
	// Bundle returns the signed bundle and how long it may be cached.
	Bundle(ctx context.Context) ([]byte, time.Duration, error)
	// Key is the key that signs it, as a did:key.
	Key(ctx context.Context) (string, error)
}

// trustBundle serves the signed trust bundle, which offline verifiers fetch
// beforehand (attesta trust fetch). It is made at most once per the
// publisher's age, and cached as long by whoever fetches it: its status
// snapshot is never older than twice that.
func (a *API) trustBundle(w http.ResponseWriter, r *http.Request) {
	body, fresh, err := a.creds.Trust.Bundle(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.cacheable(w, r, "application/json", body, fmt.Sprintf("public, max-age=%d", max(int(fresh/time.Second), 0)))
}

// trustKey serves the key that signs the trust bundle, for those who set up
// a verifier: pin it out of band (the deployment's documentation, its
// operators), this is a convenience.
func (a *API) trustKey(w http.ResponseWriter, r *http.Request) {
	k, err := a.creds.Trust.Key(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	plainText(w, k+"\n")
}
