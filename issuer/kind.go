package issuer

import (
	"context"
	"fmt"
)

// Kind says what an issuer is. The zero value is a Chamber.
type Kind string

// The kinds of issuer.
const (
	// Chamber is a Chamber of Commerce: it issues the badges of its
	// competence workflow, and a verifier reports its credentials as a
	// Chamber's.
	Chamber Kind = ""
	// ServiceIssuer is an issuer of the deployment itself, named by its
	// configuration to sign the VC-API's generic credentials: it is in the
	// registry (its keys, DID document and status lists are attesta's), but
	// it is not a Chamber.
	ServiceIssuer Kind = "service"
)

// Chamber reports whether the issuer is a Chamber of Commerce.
func (i Issuer) Chamber() bool { return i.Kind != ServiceIssuer }

// CreateService registers a service issuer: one that signs the VC-API's
// generic credentials in the deployment's name. Its profile is only its
// name: the credentials it signs say what their callers wrote.
func (s *Service) CreateService(ctx context.Context, id, name string) (Issuer, error) {
	if err := ValidateID(id); err != nil {
		return Issuer{}, err
	}
	iss := Issuer{ID: id, DID: s.DID(id), Kind: ServiceIssuer, Profile: Profile{Name: name}, CreatedAt: s.clock()}
	if err := s.store.CreateIssuer(ctx, iss); err != nil {
		return Issuer{}, fmt.Errorf("create issuer %s: %w", id, err)
	}
	return iss, nil
}
