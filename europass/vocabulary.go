package europass

import (
	"fmt"
	"strconv"
)

// The controlled vocabularies the EDC application profile names
// (EDC-generic-full.ttl restricts several properties to a concept scheme,
// and the concept must say which), with the concepts attesta uses. Every
// concept here is one the European Learning Model's own samples use, or a
// code of a scheme whose IRIs are the code itself (EQF levels, ISCED-F
// fields, the Publications Office's languages and countries): nothing is
// invented under data.europa.eu.
const (
	schemeCredential = "http://data.europa.eu/snb/credential/25831c2"
	schemeEncoding   = "http://data.europa.eu/snb/encoding/25831c2"
	schemeFileType   = "http://publications.europa.eu/resource/authority/file-type"
	schemeLanguage   = "http://publications.europa.eu/resource/authority/language"
	schemeCountry    = "http://publications.europa.eu/resource/authority/country"
	schemeEQF        = "http://data.europa.eu/snb/eqf/25831c2"
	schemeISCEDF     = "http://data.europa.eu/snb/isced-f/25831c2"
	schemeSetting    = "http://data.europa.eu/snb/learning-setting/25831c2"
	schemeMode       = "http://data.europa.eu/snb/learning-assessment/25831c2"
	schemeCredit     = "http://data.europa.eu/snb/education-credit/25831c2"

	// profileSchema is the SHACL shapes graph the credential says it
	// conforms to (its credentialSchema).
	profileSchema = "http://data.europa.eu/snb/model/ap/edc-generic-full"
)

// concept is a SKOS concept of a controlled vocabulary, with its scheme.
type concept struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	InScheme  *node      `json:"inScheme,omitempty"`
	Notation  string     `json:"notation,omitempty"`
	PrefLabel langString `json:"prefLabel,omitempty"`
}

// node is a node named by its id and type only.
type node struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

func newConcept(id, scheme, notation string, label langString) *concept {
	return &concept{ID: id, Type: "Concept", InScheme: &node{ID: scheme, Type: "ConceptScheme"}, Notation: notation, PrefLabel: label}
}

// profileGeneric is the EDC credential type "Generic": a credential of
// the generic application profile (not accredited, converted, issued by
// mandate or a diploma supplement).
func profileGeneric() *concept {
	return newConcept("http://data.europa.eu/snb/credential/e34929035b", schemeCredential, "", langString{"en": "Generic", "it": "Generico"})
}

func encodingBase64() *concept {
	return newConcept("http://data.europa.eu/snb/encoding/6146cde7dd", schemeEncoding, "", langString{"en": "base64", "it": "base64"})
}

// fileType is PNG or JPEG of the Publications Office's file types.
func fileType(code string) *concept {
	return newConcept(schemeFileType+"/"+code, schemeFileType, code, langString{"en": code, "it": code})
}

func languageITA() *concept {
	return newConcept(schemeLanguage+"/ITA", schemeLanguage, "ITA", langString{"en": "Italian", "it": "italiano"})
}

func languageENG() *concept {
	return newConcept(schemeLanguage+"/ENG", schemeLanguage, "ENG", langString{"en": "English", "it": "inglese"})
}

// countries are the countries an awarding body may be in, by the ISO
// 3166-1 alpha-2 code of its address, with their code in the Publications
// Office's table: the Chambers of Commerce are Italian.
var countries = map[string]struct {
	code  string
	label langString
}{
	"IT": {"ITA", langString{"en": "Italy", "it": "Italia"}},
}

func country(alpha2 string) (*concept, bool) {
	c, ok := countries[alpha2]
	if !ok {
		return nil, false
	}
	return newConcept(schemeCountry+"/"+c.code, schemeCountry, c.code, c.label), true
}

// eqfLevel is level n of the European Qualifications Framework.
func eqfLevel(n int) *concept {
	return newConcept(fmt.Sprintf("http://data.europa.eu/snb/eqf/%d", n), schemeEQF, strconv.Itoa(n),
		langString{"en": fmt.Sprintf("Level %d", n), "it": fmt.Sprintf("Livello %d", n)})
}

// iscedF is a field of ISCED-F 2013 by its code.
func iscedF(code string) *concept {
	return newConcept("http://data.europa.eu/snb/isced-f/"+code, schemeISCEDF, code, nil)
}

// settingNonFormal is the learning setting of the certification: learning
// in a workplace, outside the school's curriculum, validated by a third
// party (docs/design/europass.md says why not "formal").
func settingNonFormal() *concept {
	return newConcept("http://data.europa.eu/snb/learning-setting/e207a81fc7", schemeSetting, "",
		langString{"en": "non-formal learning", "it": "apprendimento non formale"})
}

// modeOnline and modeBlended are the learning and assessment modes the
// ELM samples name; work-based and onsite learning have no concept there
// that attesta can name, and are said in a note instead.
func modeOnline() *concept {
	return newConcept("http://data.europa.eu/snb/learning-assessment/920fbb3cbe", schemeMode, "", langString{"en": "Online", "it": "Online"})
}

func modeBlended() *concept {
	return newConcept("http://data.europa.eu/snb/learning-assessment/e92d221e4d", schemeMode, "", langString{"en": "Blended", "it": "Mista"})
}

// creditECTS is the European Credit Transfer and Accumulation System.
func creditECTS() *concept {
	return newConcept("http://data.europa.eu/snb/education-credit/6fcec5c5af", schemeCredit, "",
		langString{"en": "European Credit Transfer System", "it": "Sistema europeo di trasferimento e accumulazione dei crediti"})
}
