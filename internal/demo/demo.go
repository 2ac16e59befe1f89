// Package demo loads the dataset a new attesta database starts with, so
// that a newcomer sees a working site at once: the bundled national
// competence standards, two Chambers of Commerce as issuers, a few
// credentials (one of them revoked, one suspended), and the platform's
// organisations, people (one account per role), classes, territorial
// tables (platform.go) and training experiences in every state
// (experience.go).
package demo

import (
	"context"
	"fmt"
	"github.com/attesta/attesta/assessment"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/roundtable"
)

// Services are the services the dataset is loaded through.
type Services struct {
	Standards   *competence.Service
	Issuers     *issuer.Service
	Credentials *credential.Service
	Orgs        *org.Service
	People      *people.Service
	Accounts    *account.Service
	Tables      *roundtable.Service
	Experiences *experience.Service
	Sheets      *observation.Service
	Dossiers    *dossier.Service
	Items       *item.Service
	Tests       *assessment.Service
	Commissions *commission.Service
	Courses     *course.Service
	// Clock is the services' clock: the demo's open sitting is open now.
	Clock attesta.Clock
}

// Issuers are the demo Chambers of Commerce.
var Issuers = []struct {
	ID      string
	Profile issuer.Profile
}{
	{"cciaa-milano", issuer.Profile{
		Name: "Camera di Commercio di Milano Monza Brianza Lodi", URL: "https://www.milomb.camcom.it/",
		Email: "competenze@milomb.camcom.it",
		Address: issuer.Address{Street: "Via Meravigli 9/b", Locality: "Milano", Region: "Lombardia", PostalCode: "20123",
			Country: "Italia", CountryCode: "IT"},
		Identifiers: []issuer.Identifier{{Type: "codiceFiscale", Value: "80050050154"}},
	}},
	{"cciaa-torino", issuer.Profile{
		Name: "Camera di Commercio di Torino", URL: "https://www.to.camcom.it/",
		Address: issuer.Address{Street: "Via Carlo Alberto 16", Locality: "Torino", Region: "Piemonte", PostalCode: "10123",
			Country: "Italia", CountryCode: "IT"},
		Identifiers: []issuer.Identifier{{Type: "codiceFiscale", Value: "80062130010"}},
	}},
}

// Learners are the demo learners' identifiers, which credentials carry only
// salted and hashed, and the transparency log not at all.
var Learners = []string{"demo:studente:0001", "demo:studente:0002", "demo:studente:0003"}

// operator is the author of the demo's status changes.
var operator = credential.Actor{Name: "demo"}

// Load imports the first-start dataset.
func Load(ctx context.Context, s Services) error {
	f, err := competence.Bundled()
	if err != nil {
		return fmt.Errorf("reading the bundled standards: %w", err)
	}
	if _, err := s.Standards.Import(ctx, f); err != nil {
		return fmt.Errorf("loading the bundled standards: %w", err)
	}
	for _, iss := range Issuers {
		if _, err := s.Issuers.Create(ctx, iss.ID, iss.Profile); err != nil && attesta.ErrorCode(err) != attesta.Conflict {
			return fmt.Errorf("loading demo issuer %s: %w", iss.ID, err)
		}
	}
	std, err := s.Standards.Current(ctx, nil, "meccatronica")
	if err != nil {
		return fmt.Errorf("loading demo credentials: %w", err)
	}
	awards := []struct {
		issuer, competence, learner string
		format                      credential.Format
		action                      credential.Action
		reason                      string
	}{
		{"cciaa-milano", "C1", Learners[0], credential.RDFC, "", ""},
		{"cciaa-milano", "C7", Learners[0], credential.RDFC, "", ""},
		{"cciaa-milano", "C1", Learners[1], credential.JCS, credential.Suspend, "Verifica in corso sul dossier delle evidenze"},
		{"cciaa-torino", "C1", Learners[2], credential.RDFC, credential.Revoke, "Rilasciata per errore: competenza non deliberata dalla commissione"},
	}
	if err := loadPlatform(ctx, s); err != nil {
		return err
	}
	if err := loadItems(ctx, s); err != nil {
		return err
	}
	if err := loadTests(ctx, s); err != nil {
		return err
	}
	if err := loadCommission(ctx, s); err != nil {
		return err
	}
	if err := loadCourse(ctx, s); err != nil {
		return err
	}
	for i, a := range awards {
		rec, err := s.Credentials.Issue(ctx, operator, credential.IssueRequest{
			IssuerID: a.issuer, Sector: std.Sector, Version: std.Version, Competence: a.competence,
			Learner: credential.Learner{IdentityType: "systemId", Identity: a.learner},
			Results: []credential.Result{
				{Name: "Test online", Type: "Percent", Min: "0", Max: "100", Required: "60", Value: fmt.Sprint(72 + 7*i)},
				{Name: "Esito della commissione", Type: "Status", Status: "Completed"},
			},
			Decision: credential.Decision{Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC),
				Reference: fmt.Sprintf("Verbale n. %d/2026", 10+i), Commission: "Commissione Meccatronica"},
			Format: a.format,
		})
		if err != nil {
			return fmt.Errorf("issuing demo credential %d: %w", i+1, err)
		}
		if a.action != "" {
			if _, err := s.Credentials.ChangeStatus(ctx, operator, rec.ID, a.action, a.reason); err != nil {
				return fmt.Errorf("demo credential %d: %w", i+1, err)
			}
		}
	}
	return nil
}
