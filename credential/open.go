package credential

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"

	"github.com/attesta/attesta/internal/vc/did"
)

// A verifier of any issuer: the VC-API verifies credentials of issuers
// outside the registry (Verifier.AnyIssuer), which the public page and the
// command line do not. It tells the two things apart that a reader needs:
// whether the credential is what its issuer signed (the checks), and
// whether that issuer is one of the Chambers (Report.Chamber).

// DIDResolver fetches DID documents (did:web): package didweb's Resolver,
// bounded in size and time and kept off private addresses, is one.
type DIDResolver interface {
	ResolveDID(ctx context.Context, id string) (did.Document, error)
}

// checkStructure checks an Open Badge against Open Badges 3.0, and any
// other credential against the VC Data Model 2.0.
func (v *Verifier) checkStructure(r *Report, obj map[string]any) {
	if isOpenBadge(obj) {
		if problems := StructureProblems(obj); len(problems) > 0 {
			r.add(CheckStructure, Fail, msg("verify.structure.invalid"), problemList(problems))
		} else {
			r.add(CheckStructure, Pass, msg("verify.structure.valid"), "")
		}
		return
	}
	if problems := ModelProblems(obj); len(problems) > 0 {
		r.add(CheckStructure, Fail, msg("verify.structure.vc.invalid"), problemList(problems))
		return
	}
	r.add(CheckStructure, Pass, msg("verify.structure.vc.valid"), "")
}

// isOpenBadge reports whether a credential says it is an Open Badge: by an
// Open Badges context or type.
func isOpenBadge(obj map[string]any) bool {
	for _, c := range asList(obj["@context"]) {
		if u, _ := c.(string); strings.HasPrefix(u, "https://purl.imsglobal.org/spec/ob/v3p0/") {
			return true
		}
	}
	for _, t := range asList(obj["type"]) {
		switch t {
		case "OpenBadgeCredential", "AchievementCredential", "EndorsementCredential":
			return true
		}
	}
	return false
}

// fetchedKey returns the key of verification method vm from its
// controller's fetched DID document, which must list it as an assertion
// method.
func (v *Verifier) fetchedKey(ctx context.Context, controller, vm string) (ed25519.PublicKey, error) {
	doc, err := v.DIDWeb.ResolveDID(ctx, controller)
	if err != nil {
		return nil, err
	}
	if doc.ID != controller {
		return nil, fmt.Errorf("the DID document of %s is the document of %s", controller, doc.ID)
	}
	m, ok := doc.AssertionKey(vm)
	if !ok {
		return nil, fmt.Errorf("%s is not an assertion method of %s", vm, controller)
	}
	return m.PublicKey()
}

// outsideIssuer passes the issuer check for an issuer outside the registry
// when the key that signed is one the issuer's own DID document lists as an
// assertion method: did:key, whose document is its identifier, or a did:web
// document fetched now. The 1EdTech convention of a key named by its
// multibase in any issuer's URL binds no issuer and is not enough.
func (v *Verifier) outsideIssuer(ctx context.Context, r *Report, vm string, key ed25519.PublicKey) bool {
	controller := controllerOf(vm)
	var pub ed25519.PublicKey
	switch method, _ := did.Method(controller); method {
	case "key":
		doc, err := did.ResolveKey(controller)
		if err != nil {
			return false
		}
		id := vm
		if !strings.Contains(vm, "#") {
			id = doc.VerificationMethod[0].ID
		}
		m, ok := doc.AssertionKey(id)
		if !ok {
			return false
		}
		if pub, err = m.PublicKey(); err != nil {
			return false
		}
	case "web":
		if v.DIDWeb == nil {
			return false
		}
		var err error
		if pub, err = v.fetchedKey(ctx, controller, vm); err != nil {
			return false
		}
	default:
		return false
	}
	if key != nil && !pub.Equal(key) {
		return false
	}
	r.add(CheckIssuer, Pass, msg("verify.issuer.outside", controller), vm)
	return true
}

// controllerOf is the DID (or URL) of a verification method without its
// fragment.
func controllerOf(vm string) string {
	c, _, _ := strings.Cut(vm, "#")
	return c
}
