package credential

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
)

// Award is everything a credential says: the certified competence of one
// learner, as the commission decided it.
type Award struct {
	ID         string               // "urn:uuid:…"
	Issuer     issuer.Issuer        // the awarding Chamber
	Standard   *competence.Standard // the published standard version the competence belongs to
	Competence string               // the competence's code in Standard, e.g. "C1"
	Learner    Learner              //
	Results    []Result             // test score, observation levels, …
	Evidence   *EvidenceSummary     // digest and summary of the dossier; nil if none
	Decision   Decision             // the commission decision that certified it
	ValidFrom  time.Time            // issuing date
	ValidUntil time.Time            // zero: no expiry
	Activity   Period               // when the learning took place (dates only)
	// TitleHolder is the public body that owns the certification (the
	// "ente pubblico titolare"); the issuer is the body entitled to award it.
	TitleHolder Party
	// BaseURL is the public address of attesta, for the achievement and
	// status list URLs.
	BaseURL string
	// Status is the credential's position in its issuer's status lists.
	Status Position
}

// Learner identifies the learner: by a wallet DID the learner bound, or
// else by an identifier that the credential carries only salted and hashed.
type Learner struct {
	DID          string `json:"did,omitempty"`           // did:… chosen by the learner; empty if none
	IdentityType string `json:"identity_type,omitempty"` // OB IdentifierTypeEnum value, e.g. "nationalIdentityNumber", "systemId"
	Identity     string `json:"identity,omitempty"`      // the identifier in clear; never written to the credential
	Salt         string `json:"salt,omitempty"`          // random salt for the hash; required with Identity
}

// Result is one outcome of the assessment, with the scale it is measured on.
type Result struct {
	Name     string  `json:"name"`               // e.g. "Test online"
	Type     string  `json:"type"`               // OB ResultType: "Percent", "RawScore", "RubricCriterionLevel", "Status", …
	Min      string  `json:"min,omitempty"`      // lower bound of a score
	Max      string  `json:"max,omitempty"`      // upper bound of a score
	Required string  `json:"required,omitempty"` // pass mark, if any
	Value    string  `json:"value,omitempty"`    // the learner's score, for scores
	Levels   []Level `json:"levels,omitempty"`   // for RubricCriterionLevel: the scale
	Achieved int     `json:"achieved,omitempty"` // for RubricCriterionLevel: index in Levels of the achieved level
	Status   string  `json:"status,omitempty"`   // for Status: e.g. "Completed"
}

// Level is one level of a rubric scale.
type Level struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// EvidenceSummary describes the evidence dossier without disclosing it.
type EvidenceSummary struct {
	Name      string   `json:"name"`
	Narrative string   `json:"narrative,omitempty"`
	Digest    [32]byte `json:"digest"` // SHA-256 of the dossier's manifest
}

// Decision refers to the commission decision that certified the competence.
type Decision struct {
	ID         string    `json:"id,omitempty"`         // "urn:uuid:…" of the decision
	Date       time.Time `json:"date"`                 // date of the decision
	Reference  string    `json:"reference"`            // minutes reference, e.g. "Verbale n. 12/2026"
	Commission string    `json:"commission,omitempty"` // name of the commission
}

// Period is a span of dates.
type Period struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
}

// Party names an organisation.
type Party struct {
	ID   string `json:"id,omitempty"` // an IRI, optional
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// Frameworks the achievement aligns to, and the URL each alignment points at.
const (
	frameworkADA   = "Atlante del Lavoro e delle Qualificazioni"
	frameworkEQF   = "European Qualifications Framework"
	frameworkQNQ   = "Quadro Nazionale delle Qualificazioni"
	frameworkISCED = "ISCED-F 2013"
	frameworkESCO  = "ESCO"
	urlEQF         = "https://europass.europa.eu/en/description-eight-eqf-levels"
	urlQNQ         = "https://www.gazzettaufficiale.it/eli/id/2018/01/25/18A00411/sg"
	urlISCED       = "https://uis.unesco.org/en/topic/international-standard-classification-education-isced"
	ob3SchemaURL   = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)

// Build returns the unsigned credential for an award, as JSON.
func Build(a Award) ([]byte, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	comp, _ := a.Standard.Competence(a.Competence)
	mc := comp.MicroCredential.Effective(a.Standard.Defaults)
	base := strings.TrimSuffix(a.BaseURL, "/")
	compURL := competenceURL(base, a.Standard, comp.Code)

	ach := achievement{
		ID:                 compURL,
		Type:               []string{"Achievement"},
		AchievementType:    "MicroCredential",
		Name:               comp.Title.IT,
		Description:        firstNonEmpty(comp.Description.IT, comp.Title.IT),
		HumanCode:          comp.Code,
		FieldOfStudy:       a.Standard.Title.IT,
		InLanguage:         "it",
		Criteria:           criteria{Narrative: criteriaNarrative(comp)},
		CompetenceCode:     comp.Code,
		LearningOutcome:    learningOutcomes(comp),
		WorkloadHours:      mc.WorkloadHours,
		EQFLevel:           mc.EQFLevel,
		QNQLevel:           mc.QNQLevel,
		ISCEDField:         mc.ISCEDF,
		AssessmentType:     mc.Assessment.IT,
		QualityAssurance:   mc.QualityAssurance.IT,
		Prerequisites:      mc.Prerequisites.IT,
		LearningPath:       mc.Workload.IT,
		StackableInto:      stackableInto(a.Standard, comp.Code),
		CompetenceStandard: standardReference(base, a.Standard),
	}
	if mc.Credits > 0 {
		ach.CreditsAvailable = json.Number(strconv.FormatFloat(mc.Credits, 'f', -1, 64))
	}
	for _, m := range mc.LearningModes {
		ach.ParticipationForm = append(ach.ParticipationForm, string(m))
	}
	for _, ada := range comp.ADA {
		ach.Alignment = append(ach.Alignment, alignment{
			Type: []string{"Alignment"}, TargetName: ada.Title.IT, TargetCode: ada.Code,
			TargetURL: compURL + "#" + url.PathEscape(ada.Code), TargetFramework: frameworkADA, TargetType: "ext:ADA",
		})
	}
	if mc.EQFLevel > 0 {
		ach.Alignment = append(ach.Alignment, alignment{Type: []string{"Alignment"}, TargetName: fmt.Sprintf("EQF livello %d", mc.EQFLevel),
			TargetCode: strconv.Itoa(mc.EQFLevel), TargetURL: urlEQF, TargetFramework: frameworkEQF, TargetType: "ext:EQFLevel"})
	}
	if mc.QNQLevel > 0 {
		ach.Alignment = append(ach.Alignment, alignment{Type: []string{"Alignment"}, TargetName: fmt.Sprintf("QNQ livello %d", mc.QNQLevel),
			TargetCode: strconv.Itoa(mc.QNQLevel), TargetURL: urlQNQ, TargetFramework: frameworkQNQ, TargetType: "ext:QNQLevel"})
	}
	if mc.ISCEDF != "" {
		ach.Alignment = append(ach.Alignment, alignment{Type: []string{"Alignment"}, TargetName: "ISCED-F " + mc.ISCEDF,
			TargetCode: mc.ISCEDF, TargetURL: urlISCED, TargetFramework: frameworkISCED, TargetType: "ext:ISCEDF"})
	}
	for _, e := range mc.ESCO {
		ach.Alignment = append(ach.Alignment, alignment{Type: []string{"Alignment"}, TargetName: e.Title.IT,
			TargetURL: e.URI, TargetFramework: frameworkESCO, TargetType: "ext:ESCOSkill"})
	}

	subj := learnerSubject(a.Learner, &ach)
	if !a.Activity.Start.IsZero() {
		subj.ActivityStartDate = formatDateTime(a.Activity.Start)
	}
	if !a.Activity.End.IsZero() {
		subj.ActivityEndDate = formatDateTime(a.Activity.End)
	}
	for i, r := range a.Results {
		rdID := fmt.Sprintf("%s#result-%d", compURL, i+1)
		rd := resultDescription{ID: rdID, Type: []string{"ResultDescription"}, Name: r.Name, ResultType: r.Type,
			ValueMin: r.Min, ValueMax: r.Max, RequiredValue: r.Required}
		res := result{Type: []string{"Result"}, ResultDescription: rdID, Value: r.Value, Status: r.Status}
		for j, l := range r.Levels {
			id := fmt.Sprintf("%s-level-%d", rdID, j+1)
			rd.RubricCriterionLevel = append(rd.RubricCriterionLevel, rubricLevel{ID: id, Type: []string{"RubricCriterionLevel"}, Name: l.Name, Description: l.Description})
			if j == r.Achieved {
				res.AchievedLevel = id
			}
		}
		ach.ResultDescription = append(ach.ResultDescription, rd)
		subj.Result = append(subj.Result, res)
	}

	c := credentialJSON{
		Context:           []string{ContextVC, ContextOB, ContextAttesta},
		ID:                a.ID,
		Type:              []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:              comp.Title.IT,
		Description:       fmt.Sprintf("Competenza certificata: %s (%s %s, versione %d).", comp.Title.IT, a.Standard.Title.IT, comp.Code, a.Standard.Version),
		Issuer:            issuerProfile(a.Issuer),
		ValidFrom:         formatDateTime(a.ValidFrom),
		AwardedDate:       formatDateTime(a.ValidFrom),
		CredentialSubject: subj,
		CommissionDecision: &decision{
			ID: a.Decision.ID, Type: "CommissionDecision", DecisionDate: a.Decision.Date.UTC().Format(time.DateOnly),
			DecisionReference: a.Decision.Reference, Commission: a.Decision.Commission,
		},
		CredentialSchema: []schemaRef{{ID: ob3SchemaURL, Type: "JsonSchema"}},
	}
	c.TitleHolder = titleHolder(a.TitleHolder)
	if !a.ValidUntil.IsZero() {
		c.ValidUntil = formatDateTime(a.ValidUntil)
	}
	if a.Evidence != nil {
		c.Evidence = []evidence{{
			Type: []string{"Evidence"}, Name: a.Evidence.Name, Narrative: a.Evidence.Narrative,
			DigestMultibase: DigestMultibase(a.Evidence.Digest),
		}}
	}
	c.CredentialStatus = statusEntriesAt(base, a.Issuer.ID, a.Status)
	return marshal(c)
}

// What a competence badge and an area credential say alike.

// competenceURL is the id of a competence's achievement: the competence in
// its standard version, on attesta's public address base.
func competenceURL(base string, std *competence.Standard, code string) string {
	return fmt.Sprintf("%s/sectors/%s/competences/%s?version=%d", base, url.PathEscape(std.Sector), url.PathEscape(code), std.Version)
}

// standardReference refers to the standard version an achievement belongs
// to, with its digest.
func standardReference(base string, std *competence.Standard) *standardRef {
	return &standardRef{
		ID:              fmt.Sprintf("%s/api/v1/standards/%s/versions/%d", base, url.PathEscape(std.Sector), std.Version),
		Type:            "CompetenceStandard",
		Name:            std.Title.IT,
		Sector:          std.Sector,
		StandardVersion: std.Version,
		StandardDigest:  std.Digest,
	}
}

// learnerSubject is the credential's subject: the learner, by the DID the
// learner bound or by an identifier salted and hashed, awarded ach.
func learnerSubject(l Learner, ach *achievement) subject {
	subj := subject{Type: []string{"AchievementSubject"}, ID: l.DID, Achievement: ach}
	if l.Identity != "" {
		subj.Identifier = []identityObject{{
			Type:         "IdentityObject",
			IdentityHash: HashIdentity(l.Identity, l.Salt),
			IdentityType: l.IdentityType,
			Hashed:       true,
			Salt:         l.Salt,
		}}
	}
	return subj
}

// issuerProfile is the awarding Chamber as the credential names it.
func issuerProfile(iss issuer.Issuer) profile {
	p := iss.Profile
	prof := profile{
		ID: iss.DID, Type: []string{"Profile"}, Name: p.Name, URL: p.URL, Email: p.Email, Description: p.Description,
		Address: &address{Type: []string{"Address"}, AddressCountry: p.Address.Country, AddressCountryCode: p.Address.CountryCode,
			AddressRegion: p.Address.Region, AddressLocality: p.Address.Locality, PostalCode: p.Address.PostalCode, StreetAddress: p.Address.Street},
	}
	for _, id := range p.Identifiers {
		prof.OtherIdentifier = append(prof.OtherIdentifier, identifierEntry{Type: "IdentifierEntry", Identifier: id.Value, IdentifierType: identifierType(id.Type)})
	}
	return prof
}

// titleHolder is the public body that owns the certification, nil if none.
func titleHolder(p Party) *party {
	if p.Name == "" {
		return nil
	}
	return &party{ID: p.ID, Type: []string{"Profile"}, Name: p.Name, URL: p.URL}
}

// statusEntriesAt are the credential's two entries, revocation and
// suspension, at its position in its issuer's lists.
func statusEntriesAt(base, issuerID string, pos Position) []statusEntry {
	var out []statusEntry
	for _, purpose := range []statuslist.Purpose{statuslist.Revocation, statuslist.Suspension} {
		list := StatusListURL(base, issuerID, pos.List, purpose)
		out = append(out, statusEntry{
			ID: list + "#" + strconv.Itoa(pos.Index), Type: "BitstringStatusListEntry", StatusPurpose: string(purpose),
			StatusListIndex: strconv.Itoa(pos.Index), StatusListCredential: list,
		})
	}
	return out
}

// StatusListURL is where the status list credential of an issuer's list for
// a purpose is published.
func StatusListURL(baseURL, issuerID string, list int, purpose statuslist.Purpose) string {
	return fmt.Sprintf("%s/status/%s/%d/%s", strings.TrimSuffix(baseURL, "/"), url.PathEscape(issuerID), list, purpose)
}

// HashIdentity returns the Open Badges identityHash of an identifier:
// "sha256$" and the hex SHA-256 of the identifier followed by the salt.
func HashIdentity(identity, salt string) string {
	sum := sha256.Sum256([]byte(identity + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}

// DigestMultibase encodes a SHA-256 digest as a multibase (base64url)
// multihash, the form of the VC 2.0 digestMultibase property.
func DigestMultibase(sum [32]byte) string {
	return "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, sum[:]...))
}

// Bounds on what an award says, in characters: the texts of a request go
// as they are into a credential that is signed and never changes.
const (
	MaxShort   = 64   // a result's type, score or status; an identity type; a salt
	MaxName    = 200  // a name, the decision's reference, the commission; the learner's identifier
	MaxText    = 2000 // a description, a narrative
	MaxIRI     = 2000 // the learner's DID
	MaxResults = 50   // results of an assessment
	MaxLevels  = 20   // levels of a rubric
)

var uuidURN = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func (a Award) validate() error {
	// The problems are not said with fields: each message names what it
	// is about.
	var fe attesta.FieldErrors
	if !uuidURN.MatchString(a.ID) {
		fe.Problem("", "err.credential.award.id", a.ID)
	}
	var pe *attesta.Error
	if a.Issuer.DID == "" || a.Issuer.ID == "" {
		fe.Problem("", "err.credential.award.issuer")
	} else if err := a.Issuer.Profile.Validate(); errors.As(err, &pe) {
		fe.Say("", pe.Message)
	}
	if a.Standard == nil {
		fe.Problem("", "err.credential.award.nostandard")
	} else {
		if a.Standard.Status == competence.Draft {
			fe.Problem("", "err.credential.award.draft", a.Standard.Sector, a.Standard.Version)
		}
		if _, ok := a.Standard.Competence(a.Competence); !ok {
			fe.Problem("", "err.credential.award.competence", a.Standard.Sector, a.Standard.Version, a.Competence)
		}
	}
	a.Learner.check(&fe)
	if a.ValidFrom.IsZero() {
		fe.Problem("", "err.credential.award.nodate")
	}
	if !a.ValidUntil.IsZero() && !a.ValidUntil.After(a.ValidFrom) {
		fe.Problem("", "err.credential.award.validuntil")
	}
	if !uuidURN.MatchString(a.Decision.ID) || a.Decision.Date.IsZero() || a.Decision.Reference == "" {
		fe.Problem("", "err.credential.award.decision")
	}
	if u, err := url.Parse(a.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fe.Problem("", "err.credential.award.baseurl", a.BaseURL)
	}
	if a.Status.List < 1 || a.Status.Index < 0 || a.Status.Index >= statuslist.ListBits {
		fe.Problem("", "err.credential.award.status")
	}
	for i, r := range a.Results {
		if r.Name == "" || r.Type == "" {
			fe.Problem("", "err.credential.award.result", i+1)
		}
		if len(r.Levels) > 0 && (r.Achieved < 0 || r.Achieved >= len(r.Levels)) {
			fe.Problem("", "err.credential.award.level", i+1)
		}
	}
	a.checkTexts(&fe)
	if len(fe) > 0 {
		return attesta.Wrap(fe, attesta.Invalid, "err.credential.award", fe)
	}
	return nil
}

// textForm is what a text of an award may hold besides printable
// characters.
type textForm int

const (
	oneLine  textForm = iota // spaces
	lines                    // spaces and new lines: a narrative
	noSpaces                 // nothing else: an identifier
)

// checkTexts checks every text of a that comes from a request: each goes as
// it is into a signed credential that never changes, so each is bounded and
// holds no control characters (but the new lines of a narrative), no
// invalid UTF-8 and no bidirectional controls, which would make it read
// other than it is. A refusal says where the text is, as the request names
// it (results[1].levels[0].name).
func (a Award) checkTexts(fe *attesta.FieldErrors) {
	check := func(where, s string, limit int, form textForm) { checkText(fe, where, s, limit, form) }
	a.Learner.checkTexts(fe)
	if len(a.Results) > MaxResults {
		fe.Problem("", "err.credential.award.results", MaxResults)
	}
	for i, r := range a.Results {
		at := func(field string) string { return fmt.Sprintf("results[%d].%s", i, field) }
		check(at("name"), r.Name, MaxName, oneLine)
		for _, f := range [][2]string{{"type", r.Type}, {"min", r.Min}, {"max", r.Max}, {"required", r.Required}, {"value", r.Value}, {"status", r.Status}} {
			check(at(f[0]), f[1], MaxShort, oneLine)
		}
		if len(r.Levels) > MaxLevels {
			fe.Problem("", "err.credential.award.levels", i+1, MaxLevels)
		}
		for j, lv := range r.Levels {
			check(fmt.Sprintf("results[%d].levels[%d].name", i, j), lv.Name, MaxName, oneLine)
			check(fmt.Sprintf("results[%d].levels[%d].description", i, j), lv.Description, MaxText, lines)
		}
	}
	if e := a.Evidence; e != nil {
		check("evidence.name", e.Name, MaxName, oneLine)
		check("evidence.narrative", e.Narrative, MaxText, lines)
	}
	check("decision.reference", a.Decision.Reference, MaxName, oneLine)
	check("decision.commission", a.Decision.Commission, MaxName, oneLine)
	a.TitleHolder.checkTexts(fe)
}

// checkText records a problem with the text s, which is at where: more
// than limit characters, or a character form does not allow.
func checkText(fe *attesta.FieldErrors, where, s string, limit int, form textForm) {
	bad := func(r rune) bool {
		switch {
		case unicode.Is(unicode.Bidi_Control, r):
			return true
		case r == '\n':
			return form != lines
		case unicode.IsSpace(r):
			return form == noSpaces || unicode.IsControl(r)
		}
		return unicode.IsControl(r)
	}
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, bad):
		fe.Problem("", "err.credential.award.chars", where)
	case utf8.RuneCountInString(s) > limit:
		fe.Problem("", "err.credential.award.long", where, limit)
	}
}

// check records what makes l unfit to be named in a credential: no DID nor
// identifier, a DID that is not one, a hashed identifier without its type
// or a long enough salt.
func (l Learner) check(fe *attesta.FieldErrors) {
	if l.DID == "" && l.Identity == "" {
		fe.Problem("", "err.credential.award.learner")
	}
	if l.DID != "" && !strings.HasPrefix(l.DID, "did:") {
		fe.Problem("", "err.credential.award.learnerdid", l.DID)
	}
	if l.Identity != "" && (len(l.Salt) < 16 || l.IdentityType == "") {
		fe.Problem("", "err.credential.award.salt")
	}
}

// checkTexts checks the texts of l as [Award.checkTexts] does.
func (l Learner) checkTexts(fe *attesta.FieldErrors) {
	checkText(fe, "learner.did", l.DID, MaxIRI, noSpaces)
	checkText(fe, "learner.identity_type", l.IdentityType, MaxShort, noSpaces)
	checkText(fe, "learner.identity", l.Identity, MaxName, oneLine)
	checkText(fe, "learner.salt", l.Salt, MaxShort, noSpaces)
}

// checkTexts checks the texts of the title holder as [Award.checkTexts]
// does.
func (p Party) checkTexts(fe *attesta.FieldErrors) {
	checkText(fe, "titleHolder.name", p.Name, MaxName, oneLine)
	checkText(fe, "titleHolder.id", p.ID, MaxIRI, noSpaces)
	checkText(fe, "titleHolder.url", p.URL, MaxIRI, noSpaces)
}

func criteriaNarrative(c *competence.Competence) string {
	var b strings.Builder
	b.WriteString("Competenza certificata da una commissione terza sulla base della scheda di osservazione del tutor aziendale, del dossier delle evidenze e di un test online.")
	for _, ada := range c.ADA {
		for _, r := range ada.Results {
			fmt.Fprintf(&b, "\n%s %s: %s", ada.Code, r.Code, r.Title.IT)
		}
	}
	return b.String()
}

func learningOutcomes(c *competence.Competence) []string {
	var out []string
	for _, ada := range c.ADA {
		for _, r := range ada.Results {
			out = append(out, r.Title.IT)
		}
	}
	if len(out) == 0 && c.Description.IT != "" {
		out = append(out, c.Description.IT)
	}
	if len(out) == 0 {
		out = append(out, c.Title.IT)
	}
	return out
}

// stackableInto names the areas the competence stacks into: those whose
// stacking rule has it.
func stackableInto(s *competence.Standard, code string) []string {
	var out []string
	for _, p := range s.Paths {
		if slices.Contains(p.StackCodes(), code) {
			out = append(out, p.Title.IT)
		}
	}
	return out
}

// identifierType maps an issuer identifier type to the Open Badges
// IdentifierTypeEnum, extension values prefixed with "ext:".
func identifierType(t string) string {
	switch t {
	case "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress", "nationalIdentityNumber", "identifier":
		return t
	}
	if strings.HasPrefix(t, "ext:") {
		return t
	}
	return "ext:" + t
}

func formatDateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode credential: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// The JSON shape of a credential, in the order its members are written.
type credentialJSON struct {
	Context            []string      `json:"@context"`
	ID                 string        `json:"id"`
	Type               []string      `json:"type"`
	Name               string        `json:"name"`
	Description        string        `json:"description,omitempty"`
	Issuer             profile       `json:"issuer"`
	ValidFrom          string        `json:"validFrom"`
	ValidUntil         string        `json:"validUntil,omitempty"`
	AwardedDate        string        `json:"awardedDate,omitempty"`
	CredentialSubject  subject       `json:"credentialSubject"`
	Evidence           []evidence    `json:"evidence,omitempty"`
	CommissionDecision *decision     `json:"commissionDecision,omitempty"`
	TitleHolder        *party        `json:"titleHolder,omitempty"`
	CredentialStatus   []statusEntry `json:"credentialStatus,omitempty"`
	CredentialSchema   []schemaRef   `json:"credentialSchema,omitempty"`
}

type profile struct {
	ID              string            `json:"id"`
	Type            []string          `json:"type"`
	Name            string            `json:"name"`
	URL             string            `json:"url,omitempty"`
	Email           string            `json:"email,omitempty"`
	Description     string            `json:"description,omitempty"`
	Address         *address          `json:"address,omitempty"`
	OtherIdentifier []identifierEntry `json:"otherIdentifier,omitempty"`
}

type address struct {
	Type               []string `json:"type"`
	AddressCountry     string   `json:"addressCountry,omitempty"`
	AddressCountryCode string   `json:"addressCountryCode,omitempty"`
	AddressRegion      string   `json:"addressRegion,omitempty"`
	AddressLocality    string   `json:"addressLocality,omitempty"`
	PostalCode         string   `json:"postalCode,omitempty"`
	StreetAddress      string   `json:"streetAddress,omitempty"`
}

type identifierEntry struct {
	Type           string `json:"type"`
	Identifier     string `json:"identifier"`
	IdentifierType string `json:"identifierType"`
}

type party struct {
	ID   string   `json:"id,omitempty"`
	Type []string `json:"type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
}

type subject struct {
	ID                string           `json:"id,omitempty"`
	Type              []string         `json:"type"`
	Identifier        []identityObject `json:"identifier,omitempty"`
	ActivityStartDate string           `json:"activityStartDate,omitempty"`
	ActivityEndDate   string           `json:"activityEndDate,omitempty"`
	Achievement       *achievement     `json:"achievement"`
	Result            []result         `json:"result,omitempty"`
	Narrative         string           `json:"narrative,omitempty"` // what connects the evidence (an area's badges)
}

type identityObject struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt,omitempty"`
}

type achievement struct {
	ID                 string              `json:"id"`
	Type               []string            `json:"type"`
	AchievementType    string              `json:"achievementType"`
	Name               string              `json:"name"`
	Description        string              `json:"description"`
	HumanCode          string              `json:"humanCode,omitempty"`
	FieldOfStudy       string              `json:"fieldOfStudy,omitempty"`
	InLanguage         string              `json:"inLanguage,omitempty"`
	CreditsAvailable   json.Number         `json:"creditsAvailable,omitempty"`
	Criteria           criteria            `json:"criteria"`
	Alignment          []alignment         `json:"alignment,omitempty"`
	ResultDescription  []resultDescription `json:"resultDescription,omitempty"`
	CompetenceCode     string              `json:"competenceCode,omitempty"`
	CompetenceStandard *standardRef        `json:"competenceStandard,omitempty"`
	LearningOutcome    []string            `json:"learningOutcome"`
	WorkloadHours      int                 `json:"workloadHours,omitempty"`
	EQFLevel           int                 `json:"eqfLevel,omitempty"`
	QNQLevel           int                 `json:"qnqLevel,omitempty"`
	ISCEDField         string              `json:"iscedField,omitempty"`
	ParticipationForm  []string            `json:"participationForm,omitempty"`
	AssessmentType     string              `json:"assessmentType,omitempty"`
	QualityAssurance   string              `json:"qualityAssurance,omitempty"`
	Prerequisites      string              `json:"prerequisites,omitempty"`
	LearningPath       string              `json:"learningPath,omitempty"`
	StackableInto      []string            `json:"stackableInto,omitempty"`
}

type criteria struct {
	Narrative string `json:"narrative"`
}

type alignment struct {
	Type            []string `json:"type"`
	TargetName      string   `json:"targetName"`
	TargetURL       string   `json:"targetUrl"`
	TargetFramework string   `json:"targetFramework,omitempty"`
	TargetType      string   `json:"targetType,omitempty"`
	TargetCode      string   `json:"targetCode,omitempty"`
}

type resultDescription struct {
	ID                   string        `json:"id"`
	Type                 []string      `json:"type"`
	Name                 string        `json:"name"`
	ResultType           string        `json:"resultType"`
	ValueMin             string        `json:"valueMin,omitempty"`
	ValueMax             string        `json:"valueMax,omitempty"`
	RequiredValue        string        `json:"requiredValue,omitempty"`
	RubricCriterionLevel []rubricLevel `json:"rubricCriterionLevel,omitempty"`
}

type rubricLevel struct {
	ID          string   `json:"id"`
	Type        []string `json:"type"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
}

type result struct {
	Type              []string `json:"type"`
	ResultDescription string   `json:"resultDescription"`
	Value             string   `json:"value,omitempty"`
	AchievedLevel     string   `json:"achievedLevel,omitempty"`
	Status            string   `json:"status,omitempty"`
}

type standardRef struct {
	ID              string `json:"id"`
	Type            string `json:"type"`
	Name            string `json:"name"`
	Sector          string `json:"sector"`
	StandardVersion int    `json:"standardVersion"`
	StandardDigest  string `json:"standardDigest,omitempty"`
}

type evidence struct {
	Type            []string `json:"type"`
	Name            string   `json:"name,omitempty"`
	Narrative       string   `json:"narrative,omitempty"`
	DigestMultibase string   `json:"digestMultibase"`
}

type decision struct {
	ID                string `json:"id"`
	Type              string `json:"type"`
	DecisionDate      string `json:"decisionDate"`
	DecisionReference string `json:"decisionReference"`
	Commission        string `json:"commission,omitempty"`
}

type statusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

type schemaRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}
