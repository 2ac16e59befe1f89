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
		fe.Add("id", "l'identificativo ha da 2 a 63 caratteri: lettere minuscole, cifre e trattini",
			"the id has 2 to 63 characters: lower-case letters, digits and hyphens")
	}
	if !o.Kind.Valid() {
		fe.Add("kind", "tipo di organizzazione sconosciuto: "+string(o.Kind), "unknown kind of organisation: "+string(o.Kind))
	}
	switch n := utf8.RuneCountInString(o.Name); {
	case n == 0:
		fe.Add("name", "il nome è obbligatorio", "the name is required")
	case n > MaxName:
		fe.Add("name", "il nome supera i 200 caratteri", "the name is longer than 200 characters")
	}
	if o.Kind != auth.National {
		if o.Province == "" {
			fe.Add("province", "la provincia è obbligatoria", "the province is required")
		} else if err := territory.CheckSigla(o.Province); err != nil {
			addFiscal(&fe, "province", err)
		}
	}
	if o.Kind == auth.Chamber {
		if len(o.Provinces) == 0 {
			fe.Add("provinces", "una Camera di Commercio copre almeno una provincia", "a Chamber of Commerce covers at least one province")
		}
		for _, p := range o.Provinces {
			if err := territory.CheckSigla(p); err != nil {
				addFiscal(&fe, "provinces", err)
			}
		}
		if o.Province != "" && !slices.Contains(o.Provinces, o.Province) {
			fe.Add("provinces", "la provincia della sede deve essere tra quelle coperte", "the Chamber's own province must be among those it covers")
		}
	} else if len(o.Provinces) > 0 {
		fe.Add("provinces", "solo una Camera di Commercio copre province", "only a Chamber of Commerce covers provinces")
	}
	if o.Kind == auth.School {
		if !schoolCodePattern.MatchString(o.SchoolCode) {
			fe.Add("school_code", "il codice meccanografico ha 10 caratteri, lettere maiuscole e cifre, e inizia con la sigla della provincia (es. MITF01000A)",
				"the codice meccanografico has 10 upper-case letters and digits and starts with a province sigla (e.g. MITF01000A)")
		} else if _, ok := territory.ProvinceBySigla(o.SchoolCode[:2]); !ok {
			fe.Add("school_code", "il codice meccanografico non inizia con la sigla di una provincia: "+o.SchoolCode[:2],
				"the codice meccanografico does not start with a province sigla: "+o.SchoolCode[:2])
		}
		if !slices.Contains(SchoolTypes, o.SchoolType) {
			fe.Add("school_type", "tipo di scuola: tecnico, professionale o liceo", "school type: tecnico, professionale or liceo")
		}
	} else {
		if o.SchoolCode != "" {
			fe.Add("school_code", "solo una scuola ha un codice meccanografico", "only a school has a codice meccanografico")
		}
		if o.SchoolType != "" {
			fe.Add("school_type", "solo una scuola ha un tipo di scuola", "only a school has a school type")
		}
	}
	switch o.Kind {
	case auth.Company, auth.Association:
		if o.TaxCode == "" {
			fe.Add("tax_code", "il codice fiscale o la partita IVA è obbligatorio", "the codice fiscale or partita IVA is required")
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
			fe.Add("rea", "il numero REA si scrive sigla-numero (es. MI-1234567)", "the REA number is written sigla-number (e.g. MI-1234567)")
		} else if _, ok := territory.ProvinceBySigla(o.REA[:2]); !ok {
			fe.Add("rea", "il numero REA non inizia con la sigla di una provincia", "the REA number does not start with a province sigla")
		}
		if o.Kind != auth.Company && o.Kind != auth.Association {
			fe.Add("rea", "solo un'impresa o un'associazione ha un numero REA", "only a company or association has a REA number")
		}
	}
	if o.ATECO != "" && !atecoPattern.MatchString(o.ATECO) {
		fe.Add("ateco", "il codice ATECO si scrive come 28.41 o 28.41.0", "the ATECO code is written like 28.41 or 28.41.0")
	}
	if o.Email != "" && (len(o.Email) > MaxEmail || !emailPattern.MatchString(o.Email)) {
		fe.Add("email", "indirizzo e-mail non valido", "not a valid e-mail address")
	}
	return fe.Err()
}

// addFiscal adds a bilingual error from packages fiscal or territory.
func addFiscal(fe *attesta.FieldErrors, field string, err error) {
	switch e := err.(type) {
	case *fiscal.Error:
		fe.Add(field, e.IT, e.EN)
	case *territory.Error:
		fe.Add(field, e.IT, e.EN)
	default:
		fe.Add(field, err.Error(), err.Error())
	}
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
