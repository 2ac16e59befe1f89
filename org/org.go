// Package org is the organisations of the programme: the national body, the
// Chambers of Commerce with the provinces they cover, the schools, the host
// companies and the employers' associations.
//
// # Identity
//
// Each organisation has an opaque id, and a natural key by which imports
// recognise it again: a school its codice meccanografico, a company or an
// association its codice fiscale (11 digits, the same as its partita IVA,
// or 16 characters for a sole trader), a Chamber its id. Importing the same
// file twice changes nothing.
//
// # Territory
//
// Every organisation is in a province (ISTAT, by its sigla); a Chamber
// covers one or more provinces, and reaches the schools and companies in
// them. Authorization (package auth) uses [Organisation.Object].
package org

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/fiscal"
	"github.com/attesta/attesta/territory"
)

// SchoolType is the kind of upper secondary school.
type SchoolType string

// The school types of the programme.
const (
	Tecnico       SchoolType = "tecnico"       // istituto tecnico
	Professionale SchoolType = "professionale" // istituto professionale
	Liceo         SchoolType = "liceo"
)

// SchoolTypes lists them.
var SchoolTypes = []SchoolType{Tecnico, Professionale, Liceo}

// Organisation is one organisation.
type Organisation struct {
	ID   string       `json:"id"`
	Kind auth.OrgKind `json:"kind"`
	Name string       `json:"name"`
	// Province is the sigla of the province the organisation is in.
	Province string `json:"province"`
	// Provinces are the siglas a Chamber covers (its own province among
	// them); empty for other kinds.
	Provinces []string `json:"provinces,omitempty"`
	// SchoolCode is a school's codice meccanografico.
	SchoolCode string     `json:"school_code,omitempty"`
	SchoolType SchoolType `json:"school_type,omitempty"`
	// TaxCode is the codice fiscale (for most companies, also their
	// partita IVA) of a company, association or Chamber.
	TaxCode string `json:"tax_code,omitempty"`
	// REA is a company's number in the Repertorio Economico Amministrativo,
	// as sigla-number (MI-1234567).
	REA string `json:"rea,omitempty"`
	// ATECO is a company's main economic activity code (e.g. 28.41.0).
	ATECO     string    `json:"ateco,omitempty"`
	Email     string    `json:"email,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Limits on fields.
const (
	MaxName  = 200
	MaxEmail = 254
)

var (
	idPattern         = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	schoolCodePattern = regexp.MustCompile(`^[A-Z]{2}[A-Z]{2}[0-9A-Z]{5}[0-9A-Z]$`)
	reaPattern        = regexp.MustCompile(`^[A-Z]{2}-[0-9]{1,7}$`)
	atecoPattern      = regexp.MustCompile(`^[0-9]{2}(\.[0-9]{1,2}(\.[0-9]{1,2})?)?$`)
	emailPattern      = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Normalize trims fields and puts codes in their canonical case.
func (o *Organisation) Normalize() {
	o.ID = strings.ToLower(strings.TrimSpace(o.ID))
	o.Name = strings.Join(strings.Fields(o.Name), " ")
	o.Province = strings.ToUpper(strings.TrimSpace(o.Province))
	for i, p := range o.Provinces {
		o.Provinces[i] = strings.ToUpper(strings.TrimSpace(p))
	}
	o.SchoolCode = strings.ToUpper(strings.TrimSpace(o.SchoolCode))
	o.SchoolType = SchoolType(strings.ToLower(strings.TrimSpace(string(o.SchoolType))))
	if len(strings.TrimSpace(o.TaxCode)) == 16 {
		o.TaxCode = fiscal.NormalizeCodiceFiscale(o.TaxCode)
	} else {
		o.TaxCode = fiscal.NormalizePartitaIVA(o.TaxCode)
	}
	o.REA = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(o.REA), " ", ""))
	o.ATECO = strings.TrimSpace(o.ATECO)
	o.Email = strings.ToLower(strings.TrimSpace(o.Email))
}

// Validate checks o (normalized) and returns every problem found, or nil.
func (o *Organisation) Validate() error {
	var fe attesta.FieldErrors
	if !idPattern.MatchString(o.ID) {
		fe.Problem("id", "err.org.id.form")
	}
	if !o.Kind.Valid() {
		fe.Problem("kind", "err.org.kind.unknown", o.Kind)
	}
	switch n := utf8.RuneCountInString(o.Name); {
	case n == 0:
		fe.Problem("name", "err.org.name.required")
	case n > MaxName:
		fe.Problem("name", "err.org.name.long", MaxName)
	}
	if o.Kind != auth.National {
		if o.Province == "" {
			fe.Problem("province", "err.org.province.required")
		} else if err := territory.CheckSigla(o.Province); err != nil {
			addFiscal(&fe, "province", err)
		}
	}
	if o.Kind == auth.Chamber {
		if len(o.Provinces) == 0 {
			fe.Problem("provinces", "err.org.provinces.required")
		}
		for _, p := range o.Provinces {
			if err := territory.CheckSigla(p); err != nil {
				addFiscal(&fe, "provinces", err)
			}
		}
		if o.Province != "" && !slices.Contains(o.Provinces, o.Province) {
			fe.Problem("provinces", "err.org.provinces.own")
		}
	} else if len(o.Provinces) > 0 {
		fe.Problem("provinces", "err.org.provinces.notchamber")
	}
	if o.Kind == auth.School {
		if !schoolCodePattern.MatchString(o.SchoolCode) {
			fe.Problem("school_code", "err.org.schoolcode.form")
		} else if _, ok := territory.ProvinceBySigla(o.SchoolCode[:2]); !ok {
			fe.Problem("school_code", "err.org.schoolcode.province", o.SchoolCode[:2])
		}
		if !slices.Contains(SchoolTypes, o.SchoolType) {
			fe.Problem("school_type", "err.org.schooltype.unknown")
		}
	} else {
		if o.SchoolCode != "" {
			fe.Problem("school_code", "err.org.schoolcode.notschool")
		}
		if o.SchoolType != "" {
			fe.Problem("school_type", "err.org.schooltype.notschool")
		}
	}
	switch o.Kind {
	case auth.Company, auth.Association:
		if o.TaxCode == "" {
			fe.Problem("tax_code", "err.org.taxcode.required")
		}
	}
	if o.TaxCode != "" {
		var err error
		if len(o.TaxCode) == 16 {
			err = fiscal.CheckCodiceFiscale(o.TaxCode)
		} else {
			err = fiscal.CheckPartitaIVA(o.TaxCode)
		}
		if err != nil {
			addFiscal(&fe, "tax_code", err)
		}
	}
	if o.REA != "" {
		if !reaPattern.MatchString(o.REA) {
			fe.Problem("rea", "err.org.rea.form")
		} else if _, ok := territory.ProvinceBySigla(o.REA[:2]); !ok {
			fe.Problem("rea", "err.org.rea.province")
		}
		if o.Kind != auth.Company && o.Kind != auth.Association {
			fe.Problem("rea", "err.org.rea.kind")
		}
	}
	if o.ATECO != "" && !atecoPattern.MatchString(o.ATECO) {
		fe.Problem("ateco", "err.org.ateco.form")
	}
	if o.Email != "" && (len(o.Email) > MaxEmail || !emailPattern.MatchString(o.Email)) {
		fe.Problem("email", "err.org.email.invalid")
	}
	return fe.Err()
}

// addFiscal records a refusal of package fiscal or territory as a problem
// with field.
func addFiscal(fe *attesta.FieldErrors, field string, err error) {
	var fiscalErr *fiscal.Error
	var e *attesta.Error
	switch {
	case errors.As(err, &fiscalErr):
		fe.Say(field, fiscalMessage(fiscalErr))
	case errors.As(err, &e):
		fe.Say(field, e.Message)
	default:
		fe.Problem(field, "err.org.invalid")
	}
}

// fiscalMessage is what people are told of a refusal of package fiscal: the
// catalogue has a text "err.fiscal."+key for each of [fiscal.Keys].
func fiscalMessage(e *fiscal.Error) attesta.Message {
	args := slices.Clone(e.Args)
	for i, a := range args {
		if inner, ok := a.(*fiscal.Error); ok {
			args[i] = fiscalMessage(inner)
		}
	}
	return attesta.M("err.fiscal."+e.Key, args...)
}

// Territory is the provinces o's people act in: a Chamber's coverage, or
// the organisation's own province.
func (o *Organisation) Territory() []string {
	if o.Kind == auth.Chamber {
		return o.Provinces
	}
	if o.Province == "" {
		return nil
	}
	return []string{o.Province}
}

// Object describes o for authorization.
func (o *Organisation) Object() auth.Object {
	return auth.Object{Kind: auth.OrganisationObject, ID: o.ID, Places: []auth.Place{{Org: o.ID, Province: o.Province}}, OrgKind: o.Kind}
}

// NaturalKey is how an import recognises o: the codice meccanografico of a
// school, the tax code of others that have one, else the id.
func (o *Organisation) NaturalKey() string {
	switch {
	case o.Kind == auth.School:
		return o.SchoolCode
	case o.TaxCode != "" && o.Kind != auth.Chamber:
		return o.TaxCode
	}
	return o.ID
}

// SuggestID proposes an id for a new organisation from its natural key:
// the codice meccanografico of a school, the kind and tax code of a
// company or association, the province of a Chamber.
func SuggestID(o Organisation) string {
	o.Normalize()
	switch {
	case o.Kind == auth.School && o.SchoolCode != "":
		return strings.ToLower(o.SchoolCode)
	case o.Kind == auth.Company && o.TaxCode != "":
		return "co-" + strings.ToLower(o.TaxCode)
	case o.Kind == auth.Association && o.TaxCode != "":
		return "as-" + strings.ToLower(o.TaxCode)
	case o.Kind == auth.Chamber && o.Province != "":
		return "cciaa-" + strings.ToLower(o.Province)
	}
	return ""
}
