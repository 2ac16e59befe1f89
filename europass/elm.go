package europass

// The JSON shape of a European Learning Model v3 credential under the EDC
// application profile's context, in the order its members are written. The
// names are the context's terms (edc-ap-context.jsonld), which are not
// always the ELM property's name: eIDASIdentifier is
// elm:eidasLegalIdentifier, thematicArea elm:ISCEDFCode, dateIssued
// dc:issued, contentURL elm:contentUrl.

// langString is a text by language ("it", "en"): a JSON-LD language map.
// Empty texts are left out.
type langString map[string]string

func (l langString) clean() langString {
	for k, v := range l {
		if v == "" {
			delete(l, k)
		}
	}
	if len(l) == 0 {
		return nil
	}
	return l
}

type edc struct {
	Context            []string          `json:"@context"`
	ID                 string            `json:"id"`
	Type               []string          `json:"type"`
	CredentialProfiles []*concept        `json:"credentialProfiles"`
	CredentialSchema   []node            `json:"credentialSchema"`
	Identifier         []*identifier     `json:"identifier,omitempty"`
	Issuer             *organisation     `json:"issuer"`
	IssuanceDate       string            `json:"issuanceDate"`
	Issued             string            `json:"issued"`
	ValidFrom          string            `json:"validFrom"`
	ExpirationDate     string            `json:"expirationDate,omitempty"`
	CredentialSubject  *person           `json:"credentialSubject"`
	DisplayParameter   *displayParameter `json:"displayParameter"`
}

type identifier struct {
	ID         string   `json:"id"`
	Type       string   `json:"type"` // Identifier, LegalIdentifier
	Notation   string   `json:"notation"`
	SchemeName string   `json:"schemeName,omitempty"`
	SchemeID   string   `json:"schemeId,omitempty"`
	Spatial    *concept `json:"spatial,omitempty"` // a LegalIdentifier's country
}

type organisation struct {
	ID                string          `json:"id"`
	Type              string          `json:"type"`
	LegalName         langString      `json:"legalName"`
	EIDASIdentifier   *identifier     `json:"eIDASIdentifier,omitempty"`
	VATIdentifier     []*identifier   `json:"vatIdentifier,omitempty"`
	Identifier        []*identifier   `json:"identifier,omitempty"`
	Location          []any           `json:"location"` // *location, or its id
	Homepage          []*webResource  `json:"homepage,omitempty"`
	ContactPoint      []*contactPoint `json:"contactPoint,omitempty"`
	SubOrganizationOf string          `json:"subOrganizationOf,omitempty"`
}

type location struct {
	ID             string     `json:"id"`
	Type           string     `json:"type"`
	GeographicName langString `json:"geographicName,omitempty"`
	Address        []*address `json:"address"`
}

type address struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	FullAddress *note    `json:"fullAddress,omitempty"`
	CountryCode *concept `json:"countryCode"`
}

type note struct {
	ID          string     `json:"id"`
	Type        string     `json:"type"`
	NoteLiteral langString `json:"noteLiteral"`
}

type webResource struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Title      langString `json:"title,omitempty"`
	ContentURL string     `json:"contentURL"`
}

type contactPoint struct {
	ID           string `json:"id"`
	Type         string `json:"type"`
	EmailAddress []node `json:"emailAddress"`
}

type person struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	Identifier []*identifier  `json:"identifier,omitempty"`
	FullName   langString     `json:"fullName,omitempty"`
	HasClaim   []*achievement `json:"hasClaim"`
}

type achievement struct {
	ID                    string           `json:"id"`
	Type                  string           `json:"type"`
	Title                 langString       `json:"title"`
	Description           langString       `json:"description,omitempty"`
	AwardedBy             *awardingProcess `json:"awardedBy"`
	ProvenBy              []*assessment    `json:"provenBy"`
	InfluencedBy          []*activity      `json:"influencedBy,omitempty"`
	SpecifiedBy           *specification   `json:"specifiedBy"`
	AdditionalNote        []*note          `json:"additionalNote,omitempty"`
	SupplementaryDocument []*webResource   `json:"supplementaryDocument,omitempty"`
}

// awardingProcess is written in full once, under the achievement; the
// claims it also awards refer to it by id.
type awardingProcess struct {
	ID             string     `json:"id"`
	Type           string     `json:"type"`
	Description    langString `json:"description,omitempty"`
	AwardingBody   []string   `json:"awardingBody"`
	AwardingDate   string     `json:"awardingDate"`
	Used           []string   `json:"used,omitempty"`
	AdditionalNote []*note    `json:"additionalNote,omitempty"`
}

type assessment struct {
	ID          string                   `json:"id"`
	Type        string                   `json:"type"`
	Title       langString               `json:"title"`
	Description langString               `json:"description,omitempty"`
	Identifier  []*identifier            `json:"identifier,omitempty"`
	DateIssued  string                   `json:"dateIssued,omitempty"`
	Grade       *note                    `json:"grade"`
	AwardedBy   string                   `json:"awardedBy"`
	AssessedBy  []any                    `json:"assessedBy,omitempty"` // *organisation, or its id
	SpecifiedBy *assessmentSpecification `json:"specifiedBy,omitempty"`
	HasPart     []*assessment            `json:"hasPart,omitempty"`
}

type assessmentSpecification struct {
	ID            string         `json:"id"`
	Type          string         `json:"type"`
	Title         langString     `json:"title"`
	Description   langString     `json:"description,omitempty"`
	Language      []*concept     `json:"language,omitempty"`
	Mode          []*concept     `json:"mode,omitempty"`
	GradingScheme *gradingScheme `json:"gradingScheme,omitempty"`
}

type gradingScheme struct {
	ID          string     `json:"id"`
	Type        string     `json:"type"`
	Title       langString `json:"title"`
	Description langString `json:"description,omitempty"`
}

type activity struct {
	ID          string     `json:"id"`
	Type        string     `json:"type"`
	Title       langString `json:"title"`
	Description langString `json:"description,omitempty"`
	Temporal    []*period  `json:"temporal,omitempty"`
	AwardedBy   string     `json:"awardedBy"`
}

type period struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	StartDate string `json:"startDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
}

type specification struct {
	ID               string         `json:"id"`
	Type             string         `json:"type"`
	Title            langString     `json:"title"`
	Description      langString     `json:"description,omitempty"`
	Identifier       []*identifier  `json:"identifier,omitempty"`
	Language         []*concept     `json:"language"`
	EQFLevel         *concept       `json:"eqfLevel,omitempty"`
	ThematicArea     []*concept     `json:"thematicArea,omitempty"`
	LearningSetting  *concept       `json:"learningSetting,omitempty"`
	Mode             []*concept     `json:"mode,omitempty"`
	VolumeOfLearning string         `json:"volumeOfLearning,omitempty"`
	CreditPoint      []*creditPoint `json:"creditPoint,omitempty"`
	EntryRequirement *note          `json:"entryRequirement,omitempty"`
	LearningOutcome  []*outcome     `json:"learningOutcome,omitempty"`
	AdditionalNote   []*note        `json:"additionalNote,omitempty"`
	Homepage         []*webResource `json:"homepage,omitempty"`
}

type creditPoint struct {
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	Framework *concept `json:"framework"`
	Point     string   `json:"point"`
}

type outcome struct {
	ID               string        `json:"id"`
	Type             string        `json:"type"`
	Title            langString    `json:"title"`
	Identifier       []*identifier `json:"identifier,omitempty"`
	RelatedESCOSkill []*concept    `json:"relatedESCOSkill,omitempty"`
}

type displayParameter struct {
	ID                string               `json:"id"`
	Type              string               `json:"type"`
	Title             langString           `json:"title"`
	Description       langString           `json:"description,omitempty"`
	Language          []*concept           `json:"language"`
	PrimaryLanguage   *concept             `json:"primaryLanguage"`
	IndividualDisplay []*individualDisplay `json:"individualDisplay"`
}

type individualDisplay struct {
	ID            string           `json:"id"`
	Type          string           `json:"type"`
	Language      *concept         `json:"language"`
	DisplayDetail []*displayDetail `json:"displayDetail"`
}

type displayDetail struct {
	ID    string       `json:"id"`
	Type  string       `json:"type"`
	Page  int          `json:"page"`
	Image *mediaObject `json:"image"`
}

type mediaObject struct {
	ID              string   `json:"id"`
	Type            string   `json:"type"`
	ContentType     *concept `json:"contentType"`
	ContentEncoding *concept `json:"contentEncoding"`
	Content         string   `json:"content"`
}
