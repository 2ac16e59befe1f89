package trust

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

// Verified is a bundle whose signature and contents were checked: the
// registry of issuers (a credential.Registry that knows when keys ended,
// credential.KeyEnds), the status of credentials as of the snapshot (a
// credential.StatusSource) and the policy receipts are checked against.
type Verified struct {
	Bundle *Bundle
	// Key is the key that signed it.
	Key    ed25519.PublicKey
	policy notary.ReceiptPolicy
	keys   map[string]issuerKey // by verification method
	byDID  map[string]*Issuer
	lists  map[string]list // by URL
	paths  map[string]string
	// reasons are the sealed reasons by Change.ID.
	reasons map[string]string
}

type issuerKey struct {
	issuer *Issuer
	key    Key
	pub    ed25519.PublicKey
}

type list struct {
	purpose statuslist.Purpose
	bits    statuslist.Bitstring
}

var (
	_ credential.Registry     = (*Verified)(nil)
	_ credential.KeyEnds      = (*Verified)(nil)
	_ credential.StatusSource = (*Verified)(nil)
)

// verify checks b, signed with key.
func verify(ctx context.Context, b *Bundle, key ed25519.PublicKey) (*Verified, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	v := &Verified{Bundle: b, Key: key, keys: map[string]issuerKey{}, byDID: map[string]*Issuer{},
		lists: map[string]list{}, paths: map[string]string{}, reasons: map[string]string{}}
	v.policy, _ = b.Policy() // checked
	for i := range b.Issuers {
		iss := &b.Issuers[i]
		v.byDID[iss.DID] = iss
		for _, k := range iss.Keys {
			pub, _ := did.DecodePublicKey(k.PublicKeyMultibase) // checked
			v.keys[k.ID] = issuerKey{issuer: iss, key: k, pub: pub}
		}
	}
	suite, err := credential.NewSuite()
	if err != nil {
		return nil, err
	}
	for i, raw := range b.Status.Lists {
		if err := v.addList(ctx, suite, raw); err != nil {
			return nil, attesta.Wrap(err, attesta.Invalid, "err.trust.list", i, attesta.MessageIn(err, "en"))
		}
	}
	for _, c := range b.Status.Changes {
		v.reasons[c.ID] = c.Reason
	}
	return v, nil
}

// addList checks a status list credential of the snapshot: signed by its
// issuer, with a key of the bundle that had not ended when it signed.
func (v *Verified) addList(ctx context.Context, suite *dataintegrity.Suite, raw []byte) error {
	var doc struct {
		ID                string `json:"id"`
		Issuer            string `json:"issuer"`
		CredentialSubject struct {
			Type          string `json:"type"`
			StatusPurpose string `json:"statusPurpose"`
			EncodedList   string `json:"encodedList"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return attesta.Wrap(err, attesta.Invalid, "err.trust.invalid", err.Error())
	}
	bad := func(format string, args ...any) error {
		return attesta.E(attesta.Invalid, "err.trust.invalid", fmt.Sprintf(format, args...))
	}
	if _, ok := v.byDID[doc.Issuer]; !ok {
		return bad("status list %s: its issuer %q is not in the bundle", doc.ID, doc.Issuer)
	}
	if _, ok := v.lists[doc.ID]; ok || doc.ID == "" {
		return bad("status list %q: no id, or listed twice", doc.ID)
	}
	purpose := statuslist.Purpose(doc.CredentialSubject.StatusPurpose)
	if doc.CredentialSubject.Type != "BitstringStatusList" || !purpose.Valid() {
		return bad("status list %s: not a BitstringStatusList of revocation or suspension", doc.ID)
	}
	results, err := suite.Verify(ctx, raw, resolver{v})
	if err != nil {
		return bad("status list %s: %v", doc.ID, err)
	}
	signed := false
	for _, r := range results {
		k, ok := v.keys[r.VerificationMethod]
		if r.Err != nil || !ok || k.issuer.DID != doc.Issuer {
			continue
		}
		if end, _ := k.key.end(); !end.IsZero() && (r.Created.IsZero() || r.Created.After(end)) {
			continue
		}
		signed = true
	}
	if !signed {
		return bad("status list %s: not signed by its issuer with a key in force", doc.ID)
	}
	bits, err := statuslist.Decode(doc.CredentialSubject.EncodedList)
	if err != nil {
		return bad("status list %s: %v", doc.ID, err)
	}
	v.lists[doc.ID] = list{purpose: purpose, bits: bits}
	if p, ok := listPath(doc.ID); ok {
		v.paths[p] = doc.ID
	}
	return nil
}

// resolver resolves the keys of the bundle's issuers only.
type resolver struct{ v *Verified }

func (r resolver) ResolveKey(_ context.Context, vm string) (ed25519.PublicKey, error) {
	k, ok := r.v.keys[vm]
	if !ok {
		return nil, fmt.Errorf("%s is not a key of the bundle's issuers", vm)
	}
	return k.pub, nil
}

// listPath is the path of a status list's URL: attesta knows its lists by
// it, whatever host a credential names (credential.Service.Status).
func listPath(u string) (string, bool) {
	pu, err := url.Parse(u)
	if err != nil || !strings.HasPrefix(pu.EscapedPath(), "/status/") {
		return "", false
	}
	return pu.EscapedPath(), true
}

// Taken is when the status snapshot was taken.
func (v *Verified) Taken() time.Time { return v.Bundle.Status.Taken }

// Policy is what a notarization receipt is checked against.
func (v *Verified) Policy() notary.ReceiptPolicy { return v.policy }

// Resolve implements credential.Registry.
func (v *Verified) Resolve(_ context.Context, vm string) (issuer.Issuer, ed25519.PublicKey, error) {
	k, ok := v.keys[vm]
	if !ok {
		return issuer.Issuer{}, nil, attesta.E(attesta.NotFound, "err.trust.key.notfound", vm)
	}
	return k.issuer.registered(), k.pub, nil
}

// IssuerByDID implements credential.Registry.
func (v *Verified) IssuerByDID(_ context.Context, id string) (issuer.Issuer, error) {
	iss, ok := v.byDID[id]
	if !ok {
		return issuer.Issuer{}, attesta.E(attesta.NotFound, "err.trust.issuer.notfound", id)
	}
	return iss.registered(), nil
}

// KeyEnd implements credential.KeyEnds.
func (v *Verified) KeyEnd(_ context.Context, vm string) (time.Time, bool, error) {
	k, ok := v.keys[vm]
	if !ok {
		return time.Time{}, false, attesta.E(attesta.NotFound, "err.trust.key.notfound", vm)
	}
	end, compromised := k.key.end()
	return end, compromised, nil
}

// registered is the issuer as the registry says it to the verifier.
func (iss *Issuer) registered() issuer.Issuer {
	kind := issuer.Chamber
	if iss.Kind == KindService {
		kind = issuer.ServiceIssuer
	}
	return issuer.Issuer{ID: iss.ID, DID: iss.DID, Kind: kind, Profile: issuer.Profile{Name: iss.Name}}
}

// Status implements credential.StatusSource with the snapshot: the bit of
// the credential's position in its list as the snapshot has it, and the
// reason of its revocation or suspension when the snapshot has it.
func (v *Verified) Status(_ context.Context, e credential.StatusEntry) (bool, string, error) {
	l, ok := v.lists[e.ListURL]
	if !ok {
		if p, found := listPath(e.ListURL); found && v.paths[p] != "" {
			l, ok = v.lists[v.paths[p]]
		}
	}
	if !ok {
		return false, "", fmt.Errorf("status list %s is not in the trust bundle", e.ListURL)
	}
	if l.purpose != e.Purpose {
		return false, "", fmt.Errorf("status list %s has purpose %s, the entry %s", e.ListURL, l.purpose, e.Purpose)
	}
	set, err := l.bits.Get(e.Index)
	if err != nil || !set {
		return false, "", err
	}
	reason := "reason not published"
	if sealed, ok := v.reasons[changeID(e.CredentialID)]; ok && e.CredentialID != "" {
		if r, err := openReason(e.CredentialID, sealed); err == nil {
			reason = r
		}
	}
	return true, reason, nil
}
