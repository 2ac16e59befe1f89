package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/internal/oidc"
	"github.com/attesta/attesta/issuer"
)

// oidcSignIn joins the OpenID Connect relying party (package oidc) to the
// accounts: the state of a sign-in in progress travels in a cookie sealed
// with the key-encryption key, so any attesta process can finish it and
// nothing is kept server-side.
type oidcSignIn struct {
	provider *oidc.Provider
	accounts *account.Service
	kek      *issuer.KeyEncryptionKey
	now      attesta.Clock
}

const oidcStateContext = "attesta oidc sign-in state"

// oidcLife bounds how long a sign-in may take at the provider.
const oidcLife = 10 * time.Minute

type sealedState struct {
	oidc.State
	Expires time.Time `json:"expires"`
}

func (o *oidcSignIn) Name() string { return o.provider.Name() }

func (o *oidcSignIn) Begin() (string, string, error) {
	u, st, err := o.provider.Start(nil)
	if err != nil {
		return "", "", err
	}
	b, err := json.Marshal(sealedState{State: st, Expires: o.now().Add(oidcLife)})
	if err != nil {
		return "", "", err
	}
	sealed, err := o.kek.Seal(b, oidcStateContext)
	if err != nil {
		return "", "", fmt.Errorf("sealing the sign-in state: %w", err)
	}
	return u, base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (o *oidcSignIn) Complete(ctx context.Context, cookie string, q url.Values) (string, error) {
	bad := attesta.E(attesta.Unauthenticated, "err.server.oidc.state")
	sealed, err := base64.RawURLEncoding.DecodeString(cookie)
	if err != nil || len(sealed) > 4096 {
		return "", bad
	}
	b, err := o.kek.Open(sealed, oidcStateContext)
	if err != nil {
		return "", bad
	}
	var st sealedState
	if err := json.Unmarshal(b, &st); err != nil || o.now().After(st.Expires) {
		return "", bad
	}
	state, code, err := o.provider.Callback(q)
	if err != nil {
		return "", attesta.Wrap(err, attesta.Unauthenticated, "err.server.oidc.refused")
	}
	id, err := o.provider.Finish(ctx, st.State, state, code)
	if err != nil {
		return "", attesta.Wrap(err, attesta.Unauthenticated, "err.server.oidc.answer")
	}
	return o.accounts.SignInIdentity(ctx, id.Issuer, id.Subject, id.Email, id.EmailVerified)
}
