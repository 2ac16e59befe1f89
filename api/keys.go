package api

import (
	"context"
	"net/http"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
)

// Keys rotates the Chambers' signing keys (issuer.Service), deciding who
// may with auth.KeyRotate.
type Keys interface {
	Rotate(ctx context.Context, p *auth.Principal, issuerID string, r issuer.Rotation) (issuer.Key, error)
	Document(ctx context.Context, issuerID string) (did.Document, error)
}

// keyRotation is the answer to a rotation: the new key, and the DID
// document with every key, the retired ones with their ends.
type keyRotation struct {
	Key struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"key"`
	Document did.Document `json:"did_document"`
}

// rotateKey gives a Chamber a new signing key, retiring the current one
// now or, with compromised_since, ending every key in force since then.
// The running server signs with the new key from its next credential.
func (a *API) rotateKey(w http.ResponseWriter, r *http.Request) {
	var in issuer.Rotation
	if err := readJSON(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	k, err := a.platform.Keys.Rotate(r.Context(), who(r), id, in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var out keyRotation
	out.Key.ID, out.Key.CreatedAt = k.VerificationMethod, k.CreatedAt
	out.Document, err = a.platform.Keys.Document(r.Context(), id)
	if err == nil {
		w.Header().Set("Location", "/issuers/"+id+"/did.json")
		created(w)
	}
	a.reply(w, r, out, err)
}
