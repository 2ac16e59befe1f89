// Package competence is the national competence standard: sectors, their
// paths (areas), competences with their ADA references, expected results,
// activities and observable evidences, the observation scale, and the
// micro-credential metadata each competence is certified with.
//
// # Versions
//
// A standard is owned by the national body and belongs to one sector. It
// changes only by versions: a [Standard] value is one version. A draft can be
// edited; a published version never changes again — it can only be
// superseded by publishing a newer version. Everything that refers to a
// standard (a co-designed experience, an observation sheet, a credential)
// refers to one version of it.
//
// # Files
//
// Standards are exchanged as YAML files in the format documented in
// docs/standards-format.md; [Decode] validates a whole file and reports
// every problem with its location, and [Encode] writes the canonical form,
// so that export → import → export is byte-identical.
package competence

import (
	"slices"
	"time"
)

// Status is where a version is in its life.
type Status string

// The statuses of a version. Only a draft can change.
const (
	Draft      Status = "draft"
	Published  Status = "published"
	Superseded Status = "superseded"
)

func (s Status) valid() bool { return s == Draft || s == Published || s == Superseded }

// Text is a string in Italian with an optional English translation.
type Text struct {
	IT string `yaml:"it" json:"it"`
	EN string `yaml:"en,omitempty" json:"en,omitempty"`
}

// In returns the text in the language lang ("it" or "en"), falling back to
// Italian when there is no translation.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.IT
}

// IsZero reports whether the text is empty in every language.
func (t Text) IsZero() bool { return t.IT == "" && t.EN == "" }

// Level is the kind of school track a sector addresses, as the national
// catalogue labels it.
type Level string

// The sector levels of the seed's catalogue.
const (
	Tecnico      Level = "tecnico"
	Professional Level = "professional"
)

// SchoolType is the type of school a competence applies to within a path:
// the seed's "Itis" (istituto tecnico) and "Profess." (istituto professionale).
type SchoolType string

// The school types.
const (
	Tecnica       SchoolType = "tecnico"
	Professionale SchoolType = "professionale"
	Liceo         SchoolType = "liceo"
)

// SchoolTypes lists the valid school types in display order.
var SchoolTypes = []SchoolType{Tecnica, Professionale, Liceo}

// LearningMode is the form of participation in the learning activity
// (EU micro-credential standard element).
type LearningMode string

// The learning modes.
const (
	WorkBased LearningMode = "work-based"
	Onsite    LearningMode = "onsite"
	Online    LearningMode = "online"
	Blended   LearningMode = "blended"
)

// LearningModes lists the valid learning modes in display order.
var LearningModes = []LearningMode{WorkBased, Onsite, Online, Blended}

// Standard is one version of the competence standard of a sector.
type Standard struct {
	Sector      string          `yaml:"sector" json:"sector"`                                           // stable identifier of the sector, e.g. "meccatronica"
	Version     int             `yaml:"version" json:"version"`                                         // 1, 2, …
	Status      Status          `yaml:"status" json:"status"`                                           // draft, published or superseded
	PublishedAt time.Time       `yaml:"published_at,omitempty" json:"published_at,omitzero"`            // zero for a draft
	Digest      string          `yaml:"digest,omitempty" json:"digest,omitempty"`                       // "sha256:…" of the content; set when published
	Title       Text            `yaml:"title" json:"title"`                                             // e.g. "Meccatronica"
	Description Text            `yaml:"description,omitempty" json:"description,omitzero"`              //
	Levels      []Level         `yaml:"levels,omitempty" json:"levels,omitempty"`                       // the levels the sector addresses
	Scale       []ScaleLevel    `yaml:"observation_scale,omitempty" json:"observation_scale,omitempty"` // the levels of the observation sheet
	Defaults    MicroCredential `yaml:"microcredential,omitempty" json:"microcredential,omitzero"`      // metadata every competence inherits unless it overrides it
	Paths       []Path          `yaml:"paths,omitempty" json:"paths,omitempty"`
	Competences []Competence    `yaml:"competences,omitempty" json:"competences,omitempty"`
}

// ScaleLevel is one level of the observation scale used in the observation
// sheet: the company tutor picks one per observable evidence.
type ScaleLevel struct {
	Value       int  `yaml:"value" json:"value"`
	Label       Text `yaml:"label" json:"label"`
	Description Text `yaml:"description,omitempty" json:"description,omitzero"`
}

// Path is a path (area) of a sector: a set of competences that together make
// the area, each applicable to some school types.
type Path struct {
	ID          string           `yaml:"id" json:"id"`
	Title       Text             `yaml:"title" json:"title"`
	Description Text             `yaml:"description,omitempty" json:"description,omitzero"`
	Competences []PathCompetence `yaml:"competences,omitempty" json:"competences,omitempty"`
	// Stack is the stacking rule of the area credential: the codes of the
	// competences, all of the path, a learner must hold certified to be
	// awarded the area. Empty: every competence of the path ([Path.StackCodes]).
	Stack []string `yaml:"stack,flow,omitempty" json:"stack,omitempty"`
}

// PathCompetence places a competence in a path for the given school types.
type PathCompetence struct {
	Code        string       `yaml:"code" json:"code"`
	SchoolTypes []SchoolType `yaml:"school_types,flow" json:"school_types"`
}

// Competence is one certifiable competence, e.g. Meccatronica's C1.
type Competence struct {
	Code            string          `yaml:"code" json:"code"`
	Title           Text            `yaml:"title" json:"title"`
	Description     Text            `yaml:"description,omitempty" json:"description,omitzero"`
	ADA             []ADA           `yaml:"ada,omitempty" json:"ada,omitempty"`
	MicroCredential MicroCredential `yaml:"microcredential,omitempty" json:"microcredential,omitzero"` // overrides of the sector defaults
}

// ADA references an Area di Attività of the Atlante del Lavoro e delle
// Qualificazioni, with the expected results the competence covers in it.
type ADA struct {
	Code       string   `yaml:"code" json:"code"`                                   // e.g. "ADA.10.02.02"
	FormerCode string   `yaml:"former_code,omitempty" json:"former_code,omitempty"` // e.g. "ADA.7.47.148"
	Title      Text     `yaml:"title" json:"title"`
	Results    []Result `yaml:"results,omitempty" json:"results,omitempty"`
}

// Result is an expected result (risultato atteso, RA) of an ADA.
type Result struct {
	Code       string     `yaml:"code" json:"code"` // e.g. "RA1"
	Title      Text       `yaml:"title" json:"title"`
	Activities []Activity `yaml:"activities,omitempty" json:"activities,omitempty"`
}

// Activity is an activity associated with an expected result; the company
// observes the student doing it.
type Activity struct {
	Title     Text       `yaml:"title" json:"title"`
	Evidences []Evidence `yaml:"evidences,omitempty" json:"evidences,omitempty"`
}

// Evidence is an observable evidence of an activity, one row of the
// observation sheet.
type Evidence struct {
	Text Text `yaml:"text" json:"text"`
}

// MicroCredential is the metadata a competence is certified with: the EU
// micro-credential standard elements and the Italian minimum elements that
// do not come from the learner or the assessment. Zero fields are inherited
// from the sector's defaults.
type MicroCredential struct {
	EQFLevel         int             `yaml:"eqf_level,omitempty" json:"eqf_level,omitempty"`                // European Qualifications Framework level, 1–8
	QNQLevel         int             `yaml:"qnq_level,omitempty" json:"qnq_level,omitempty"`                // Quadro Nazionale delle Qualificazioni level, 1–8
	ISCEDF           string          `yaml:"isced_f,omitempty" json:"isced_f,omitempty"`                    // ISCED-F 2013 detailed field, four digits, e.g. "0714"
	WorkloadHours    int             `yaml:"workload_hours,omitempty" json:"workload_hours,omitempty"`      // notional workload in hours
	Credits          float64         `yaml:"credits,omitempty" json:"credits,omitempty"`                    // ECTS credits where applicable
	Workload         Text            `yaml:"workload,omitempty" json:"workload,omitzero"`                   // description of the learning path and its duration
	LearningModes    []LearningMode  `yaml:"learning_modes,flow,omitempty" json:"learning_modes,omitempty"` // form of participation
	Assessment       Text            `yaml:"assessment,omitempty" json:"assessment,omitzero"`               // type of assessment
	QualityAssurance Text            `yaml:"quality_assurance,omitempty" json:"quality_assurance,omitzero"` // type of quality assurance
	ESCO             []ESCOAlignment `yaml:"esco,omitempty" json:"esco,omitempty"`                          // ESCO skills the competence aligns to
	Prerequisites    Text            `yaml:"prerequisites,omitempty" json:"prerequisites,omitzero"`         // what a learner needs before starting
}

// ESCOAlignment aligns a competence to an ESCO skill or competence concept.
type ESCOAlignment struct {
	URI   string `yaml:"uri" json:"uri"`
	Title Text   `yaml:"title" json:"title"`
}

// Effective returns m with every zero field taken from defaults.
func (m MicroCredential) Effective(defaults MicroCredential) MicroCredential {
	e := m
	if e.EQFLevel == 0 {
		e.EQFLevel = defaults.EQFLevel
	}
	if e.QNQLevel == 0 {
		e.QNQLevel = defaults.QNQLevel
	}
	if e.ISCEDF == "" {
		e.ISCEDF = defaults.ISCEDF
	}
	if e.WorkloadHours == 0 {
		e.WorkloadHours = defaults.WorkloadHours
	}
	if e.Credits == 0 {
		e.Credits = defaults.Credits
	}
	if e.Workload.IsZero() {
		e.Workload = defaults.Workload
	}
	if len(e.LearningModes) == 0 {
		e.LearningModes = defaults.LearningModes
	}
	if e.Assessment.IsZero() {
		e.Assessment = defaults.Assessment
	}
	if e.QualityAssurance.IsZero() {
		e.QualityAssurance = defaults.QualityAssurance
	}
	if len(e.ESCO) == 0 {
		e.ESCO = defaults.ESCO
	}
	if e.Prerequisites.IsZero() {
		e.Prerequisites = defaults.Prerequisites
	}
	return e
}

// Competence returns the competence with the given code, or false.
func (s *Standard) Competence(code string) (*Competence, bool) {
	for i := range s.Competences {
		if s.Competences[i].Code == code {
			return &s.Competences[i], true
		}
	}
	return nil, false
}

// PathsOf returns the paths that contain the competence with the given code.
func (s *Standard) PathsOf(code string) []Path {
	var out []Path
	for _, p := range s.Paths {
		if slices.ContainsFunc(p.Competences, func(pc PathCompetence) bool { return pc.Code == code }) {
			out = append(out, p)
		}
	}
	return out
}

// SchoolTypesOf returns the school types the competence applies to in any
// path, in display order.
func (s *Standard) SchoolTypesOf(code string) []SchoolType {
	seen := map[SchoolType]bool{}
	for _, p := range s.PathsOf(code) {
		for _, pc := range p.Competences {
			if pc.Code == code {
				for _, t := range pc.SchoolTypes {
					seen[t] = true
				}
			}
		}
	}
	var out []SchoolType
	for _, t := range SchoolTypes {
		if seen[t] {
			out = append(out, t)
		}
	}
	return out
}

// Editable reports whether the version's content may still change.
func (s *Standard) Editable() bool { return s.Status == Draft }

// Info is what lists show of a version, without its content.
type Info struct {
	Sector      string    `json:"sector"`
	Version     int       `json:"version"`
	Status      Status    `json:"status"`
	Title       Text      `json:"title"`
	Description Text      `json:"description"`
	Levels      []Level   `json:"levels"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Digest      string    `json:"digest,omitempty"`
	Paths       int       `json:"paths"`
	Competences int       `json:"competences"`
}

// Info returns the summary of the version.
func (s *Standard) Info() Info {
	return Info{
		Sector: s.Sector, Version: s.Version, Status: s.Status,
		Title: s.Title, Description: s.Description, Levels: s.Levels,
		PublishedAt: s.PublishedAt, Digest: s.Digest,
		Paths: len(s.Paths), Competences: len(s.Competences),
	}
}
