package server

import (
	"fmt"

	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/issuer"
)

// Services are the domain services on one database, shared by the server
// and the command line.
type Services struct {
	Standards   *competence.Service
	Issuers     *issuer.Service
	Credentials *credential.Service
	Verifier    *credential.Verifier
}

// TitleHolder is the public body that owns the «Competenza Certificata»
// certification, named in every credential.
var TitleHolder = credential.Party{Name: "Unioncamere", URL: "https://www.unioncamere.gov.it/"}

// NewServices assembles the services on db.
func NewServices(db Database, opts Options) (*Services, error) {
	if opts.KEK == nil {
		return nil, fmt.Errorf("services: no key-encryption key")
	}
	suite, err := credential.NewSuite()
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	standards := competence.NewService(db.Standards(), opts.Clock)
	issuers, err := issuer.NewService(db.Issuers(), issuer.Options{PublicURL: opts.PublicURL, KEK: opts.KEK, Clock: opts.Clock, Rand: opts.Rand})
	if err != nil {
		return nil, err
	}
	creds := credential.NewService(db.Credentials(), issuers, standards, credential.ServiceOptions{
		Suite: suite, BaseURL: opts.PublicURL, TitleHolder: TitleHolder, Clock: opts.Clock, Rand: opts.Rand,
	})
	verifier := &credential.Verifier{Suite: suite, Registry: issuers, Status: creds, Clock: opts.Clock, JWT: &credential.JWTVerifier{}}
	return &Services{Standards: standards, Issuers: issuers, Credentials: creds, Verifier: verifier}, nil
}
