// Package europass exports a competence badge as a European Digital
// Credential: a credential of the European Learning Model v3 (ELM) under the
// EDC (Europass Digital Credentials) generic application profile, as the
// Europass platform and wallets read it.
//
// [Export] takes the badge as attesta issued it (an Open Badges 3.0
// OpenBadgeCredential) and returns the same award said in the ELM: the
// learner as a Person whose claim is a LearningAchievement, awarded by the
// Chamber of Commerce (an AwardingProcess whose awarding body is the
// Chamber, an Organisation with its legal identifier and location),
// specified by a LearningAchievementSpecification (the competence of the
// national standard with its learning outcomes, EQF level, ISCED-F field,
// workload and credits) and proven by a LearningAssessment: the
// commission's decision, with its parts — the company tutor's observation
// sheet (a part per evidence observed, at its level), the evidence dossier
// (by its digest) and the online test (its percentage, and by dimension).
//
// # Unsigned
//
// A European Digital Credential is sealed with the issuer's qualified
// electronic seal (eIDAS), a JAdES signature over the credential made
// with a certificate attesta does not hold: the Chambers' seals are not
// attesta's to use. The export is therefore unsigned: what a learner
// uploads to Europass to keep and show their competence, or a Chamber
// loads into the EDC issuing tools to seal. Its trust comes from the badge
// it names (its identifier is the badge's id), which is signed and
// verifiable; the export says nothing the badge does not.
//
// # Deterministic
//
// The same badge gives the same bytes: every node has an id derived from
// the badge's (urn:attesta:europass:{uuid}:…), lists follow the badge's
// order and language maps are sorted, so golden files compare.
//
// The mapping and what is not mapped are in docs/design/europass.md.
package europass

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/item"
)

// Contexts of the export, in order: the VC Data Model 1.1 (the EDC
// application profile is built on it) and the EDC application profile.
const (
	ContextVC1 = "https://www.w3.org/2018/credentials/v1"
	ContextEDC = "http://data.europa.eu/snb/model/context/edc-ap"
)

// Input is what Export needs to say a badge in the ELM.
type Input struct {
	// Badge is the competence badge as attesta issued it: the
	// OpenBadgeCredential's JSON (credential.Record.Body of the badge's
	// record, signed or not; not the JWT form). It must be a competence
	// badge (achievementType MicroCredential, with its competence and
	// standard) with the commission's decision: an area credential, a
	// tutor's badge or a credential of the VC-API is refused. Export does
	// not verify the badge, nor check its status: the caller passes a
	// badge it holds and that is valid.
	Badge []byte
	// Standard is the published standard version the badge's competence
	// belongs to: the badge names it in its achievement's
	// competenceStandard (sector, version, digest), and the caller reads
	// it with competence.Service.Version. It must be that version (the
	// digest is compared). Optional: with it the export says in English
	// too what the standard translates (the competence, its learning
	// outcomes, the observed evidences, the observation levels, the
	// elements of the micro-credential); without it, those are in Italian
	// only, as in the badge. Texts the badge says are taken from the
	// badge, and translated only where the standard's Italian is the
	// badge's.
	Standard *competence.Standard
	// Image is the picture Europass shows for the credential: a PNG or
	// JPEG, such as the badge's baked image or the first page of its
	// certificate. Optional: without it, a plain picture attesta draws
	// (no text) stands in, since the EDC profile requires one.
	Image []byte
	// Revoked and Suspended are the badge's status now: such a badge is
	// not exported (Conflict).
	Revoked, Suspended bool
	// VerifyURL is the page where anyone verifies the badge; optional.
	// The export links to it as the achievement's supplementary document.
	VerifyURL string
}

var uuidRE = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Export returns the European Digital Credential of the badge in in: its
// JSON-LD, unsigned, indented. A badge that is not a competence badge with
// the commission's decision, an issuer without its codice fiscale or
// outside Italy, a standard that is not the badge's and an image that is
// neither PNG nor JPEG are refused with an [attesta.Invalid] error.
func Export(in Input) ([]byte, error) {
	if in.Revoked || in.Suspended {
		return nil, attesta.E(attesta.Conflict, "err.europass.status")
	}
	b, err := readBadge(in.Badge)
	if err != nil {
		return nil, err
	}
	e := exporter{b: b, a: b.CredentialSubject.Achievement, base: "urn:attesta:europass:" + strings.TrimPrefix(b.ID, "urn:uuid:")}
	if in.Standard != nil {
		if err := e.useStandard(in.Standard); err != nil {
			return nil, err
		}
	}
	img, imgType := in.Image, ""
	if img == nil {
		img, imgType = placeholder(), "PNG"
	} else if imgType = imageType(img); imgType == "" {
		return nil, attesta.E(attesta.Invalid, "err.europass.image")
	}
	if in.VerifyURL != "" && !absoluteURL(in.VerifyURL) {
		return nil, attesta.E(attesta.Invalid, "err.europass.verifyurl", in.VerifyURL)
	}

	issuer, err := e.organisation()
	if err != nil {
		return nil, err
	}
	ach, err := e.achievement(in.VerifyURL)
	if err != nil {
		return nil, err
	}
	c := edc{
		Context:            []string{ContextVC1, ContextEDC},
		ID:                 e.base,
		Type:               []string{"VerifiableCredential", "EuropeanDigitalCredential"},
		CredentialProfiles: []*concept{profileGeneric()},
		CredentialSchema:   []node{{ID: profileSchema, Type: "ShaclValidator2017"}},
		Identifier: []*identifier{{ID: e.id("identifier", "badge"), Type: "Identifier", Notation: b.ID,
			SchemeName: "Open Badges 3.0 OpenBadgeCredential"}},
		Issuer:            issuer,
		IssuanceDate:      b.issued(),
		Issued:            b.issued(),
		ValidFrom:         b.ValidFrom,
		ExpirationDate:    b.ValidUntil,
		CredentialSubject: e.learner(ach),
		DisplayParameter:  e.display(img, imgType),
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("europass: encode credential: %w", err)
	}
	return buf.Bytes(), nil
}

// exporter holds what the parts of the export share.
type exporter struct {
	b    *badge
	a    *badgeAchievement
	base string // the export's id, under which every node's id is made
	// With the standard: the competence and its elements, for the
	// English texts.
	std  *competence.Standard
	comp *competence.Competence
	mc   competence.MicroCredential
}

// id is the id of a node of the export: base:part:part….
func (e *exporter) id(parts ...string) string { return e.base + ":" + strings.Join(parts, ":") }

// useStandard takes std as the badge's standard version, which it must be.
func (e *exporter) useStandard(std *competence.Standard) error {
	ref := e.a.CompetenceStandard
	comp, ok := std.Competence(e.a.CompetenceCode)
	if std.Sector != ref.Sector || std.Version != ref.StandardVersion || (ref.StandardDigest != "" && std.Digest != ref.StandardDigest) || !ok {
		return attesta.E(attesta.Invalid, "err.europass.standard", std.Sector, std.Version, ref.Sector, ref.StandardVersion)
	}
	e.std, e.comp, e.mc = std, comp, comp.MicroCredential.Effective(std.Defaults)
	return nil
}

// said is the badge's text it, with its English translation t.EN where
// the standard's Italian t.IT is it.
func said(it string, t competence.Text) langString {
	l := langString{"it": it}
	if t.IT == it && t.EN != "" {
		l["en"] = t.EN
	}
	return l.clean()
}

// In returns the text in lang, Italian when there is no translation: a
// langString is a message argument said in the message's language.
func (l langString) In(lang string) string {
	if v := l[lang]; v != "" {
		return v
	}
	return l["it"]
}

// words is a message of the catalogue in Italian and English.
func words(key string, args ...any) langString {
	m := attesta.M(key, args...)
	return langString{"it": m.In("it"), "en": m.In("en")}
}

// newNote is a note with the text l.
func newNote(id string, l langString) *note { return &note{ID: id, Type: "Note", NoteLiteral: l} }

// organisation is the Chamber that issued the badge: the awarding body.
// EDC requires its legal name, its eIDAS legal identifier (with its
// country) and its location; the codice fiscale is a Chamber's legal
// identifier.
func (e *exporter) organisation() (*organisation, error) {
	iss := e.b.Issuer
	addr := iss.Address
	ctry, ok := country(addr.AddressCountryCode)
	if !ok {
		return nil, attesta.E(attesta.Invalid, "err.europass.issuer.country", addr.AddressCountryCode)
	}
	if strings.TrimSpace(iss.Name) == "" {
		return nil, attesta.E(attesta.Invalid, "err.europass.issuer.name")
	}
	org := &organisation{ID: iss.ID, Type: "Organisation", LegalName: langString{"it": iss.Name}}
	for i, oi := range iss.OtherIdentifier {
		switch oi.IdentifierType {
		case "ext:codiceFiscale":
			if org.EIDASIdentifier == nil {
				org.EIDASIdentifier = &identifier{ID: e.id("issuer", "legal-identifier"), Type: "LegalIdentifier",
					Notation: oi.Identifier, SchemeName: "Codice fiscale", Spatial: ctry}
				continue
			}
		case "ext:partitaIva":
			org.VATIdentifier = append(org.VATIdentifier, &identifier{ID: e.id("issuer", "vat-identifier", strconv.Itoa(i+1)),
				Type: "LegalIdentifier", Notation: oi.Identifier, SchemeName: "Partita IVA", Spatial: ctry})
			continue
		}
		org.Identifier = append(org.Identifier, &identifier{ID: e.id("issuer", "identifier", strconv.Itoa(i+1)), Type: "Identifier",
			Notation: oi.Identifier, SchemeName: strings.TrimPrefix(oi.IdentifierType, "ext:")})
	}
	if org.EIDASIdentifier == nil {
		return nil, attesta.E(attesta.Invalid, "err.europass.issuer.legalid", iss.Name)
	}
	var full []string
	if addr.StreetAddress != "" {
		full = append(full, addr.StreetAddress)
	}
	if place := strings.TrimSpace(addr.PostalCode + " " + addr.AddressLocality); place != "" {
		full = append(full, place)
	}
	if addr.AddressRegion != "" {
		full = append(full, addr.AddressRegion)
	}
	a := &address{ID: e.id("issuer", "address"), Type: "Address", CountryCode: ctry}
	if len(full) > 0 {
		a.FullAddress = newNote(e.id("issuer", "address", "full"), langString{"it": strings.Join(full, ", ")})
	}
	org.Location = []any{&location{ID: e.locationID(), Type: "Location",
		GeographicName: langString{"it": addr.AddressLocality}.clean(), Address: []*address{a}}}
	if absoluteURL(iss.URL) {
		org.Homepage = []*webResource{{ID: e.id("issuer", "homepage"), Type: "WebResource", ContentURL: iss.URL}}
	}
	if iss.Email != "" {
		org.ContactPoint = []*contactPoint{{ID: e.id("issuer", "contact"), Type: "ContactPoint",
			EmailAddress: []node{{ID: "mailto:" + iss.Email, Type: "Mailbox"}}}}
	}
	return org, nil
}

func (e *exporter) locationID() string { return e.id("issuer", "location") }

// learner is the badge's subject: by the DID the learner bound, else by
// the salted hash the badge carries (never anything the badge does not
// say: attesta's badges name no learner in clear).
func (e *exporter) learner(ach *achievement) *person {
	s := e.b.CredentialSubject
	p := &person{ID: s.ID, Type: "Person", HasClaim: []*achievement{ach}}
	if p.ID == "" {
		p.ID = e.id("learner")
	}
	for i, id := range s.Identifier {
		switch {
		case id.IdentityType == "name" && !id.Hashed:
			p.FullName = langString{"it": id.IdentityHash}
		case id.IdentityHash != "":
			name := id.IdentityType
			if id.Hashed {
				name += ", salted SHA-256 (Open Badges 3.0 IdentityObject)"
			}
			p.Identifier = append(p.Identifier, &identifier{ID: e.id("learner", "identifier", strconv.Itoa(i+1)),
				Type: "Identifier", Notation: id.IdentityHash, SchemeName: name})
		}
	}
	return p
}

// achievement is the learner's claim: the certified competence.
func (e *exporter) achievement(verifyURL string) (*achievement, error) {
	var title, desc competence.Text
	if e.comp != nil {
		title, desc = e.comp.Title, e.comp.Description
		if desc.IsZero() {
			desc = title
		}
	}
	awarding := e.id("awarding")
	decision, err := e.decision(awarding)
	if err != nil {
		return nil, err
	}
	ach := &achievement{
		ID:          e.id("achievement"),
		Type:        "LearningAchievement",
		Title:       said(e.a.Name, title),
		Description: said(e.a.Description, desc),
		AwardedBy:   e.awarding(awarding, decision.ID),
		ProvenBy:    []*assessment{decision},
		SpecifiedBy: e.specification(),
	}
	if act := e.activity(awarding); act != nil {
		ach.InfluencedBy = []*activity{act}
	}
	if verifyURL != "" {
		ach.SupplementaryDocument = []*webResource{{ID: e.id("achievement", "verification"), Type: "WebResource",
			Title: words("europass.verification"), ContentURL: verifyURL}}
	}
	return ach, nil
}

// awarding is the awarding process: the Chamber awards the competence on
// the commission's decision, on the badge's date.
func (e *exporter) awarding(id, decision string) *awardingProcess {
	d := e.b.CommissionDecision
	p := &awardingProcess{ID: id, Type: "AwardingProcess", AwardingBody: []string{e.b.Issuer.ID}, AwardingDate: e.b.issued(),
		Used: []string{decision}, Description: words("europass.awarding", d.DecisionReference)}
	if th := e.b.TitleHolder; th != nil && th.Name != "" {
		p.AdditionalNote = []*note{newNote(e.id("awarding", "title-holder"), words("europass.note", attesta.M("europass.titleholder"), th.Name))}
	}
	return p
}

// activity is the school–work training the competence was learnt in, when
// the badge says when it took place.
func (e *exporter) activity(awarding string) *activity {
	s := e.b.CredentialSubject
	if s.ActivityStartDate == "" && s.ActivityEndDate == "" {
		return nil
	}
	act := &activity{ID: e.id("activity"), Type: "LearningActivity", Title: words("europass.activity"), AwardedBy: awarding,
		Description: said(e.a.LearningPath, e.mc.Workload),
		Temporal:    []*period{{ID: e.id("activity", "period"), Type: "PeriodOfTime", StartDate: s.ActivityStartDate, EndDate: s.ActivityEndDate}}}
	return act
}

// specification is the competence as the national standard specifies it.
// Its id is the badge's achievement's: the competence of that version in
// attesta's public catalogue, the same for every learner.
func (e *exporter) specification() *specification {
	a := e.a
	sid := func(parts ...string) string { return e.id(append([]string{"specification"}, parts...)...) }
	var title, desc competence.Text
	if e.comp != nil {
		title, desc = e.comp.Title, e.comp.Description
		if desc.IsZero() {
			desc = title
		}
	}
	s := &specification{
		ID:              a.ID,
		Type:            "LearningAchievementSpecification",
		Title:           said(a.Name, title),
		Description:     said(a.Description, desc),
		Language:        []*concept{languageITA()},
		LearningSetting: settingNonFormal(),
	}
	if !absoluteURL(s.ID) {
		s.ID = sid()
	}
	std := a.CompetenceStandard
	s.Identifier = append(s.Identifier, &identifier{ID: sid("identifier", "competence"), Type: "Identifier", Notation: a.CompetenceCode,
		SchemeName: fmt.Sprintf("%s, v%d", std.Name, std.StandardVersion), SchemeID: httpURL(std.ID)})
	for i, al := range a.Alignment {
		if al.TargetType == "ext:ADA" {
			s.Identifier = append(s.Identifier, &identifier{ID: sid("identifier", "ada", strconv.Itoa(i+1)), Type: "Identifier",
				Notation: al.TargetCode, SchemeName: "Atlante del Lavoro e delle Qualificazioni"})
		}
	}
	if a.EQFLevel >= 1 && a.EQFLevel <= 8 {
		s.EQFLevel = eqfLevel(a.EQFLevel)
	}
	if iscedRE.MatchString(a.ISCEDField) {
		s.ThematicArea = []*concept{iscedF(a.ISCEDField)}
	}
	for _, m := range a.ParticipationForm {
		switch competence.LearningMode(m) {
		case competence.Online:
			s.Mode = append(s.Mode, modeOnline())
		case competence.Blended:
			s.Mode = append(s.Mode, modeBlended())
		}
	}
	if a.WorkloadHours > 0 {
		s.VolumeOfLearning = fmt.Sprintf("PT%dH", a.WorkloadHours)
	}
	if a.CreditsAvailable != "" {
		s.CreditPoint = []*creditPoint{{ID: sid("credits"), Type: "CreditPoint", Framework: creditECTS(), Point: a.CreditsAvailable.String()}}
	}
	if a.Prerequisites != "" {
		s.EntryRequirement = newNote(sid("entry-requirement"), said(a.Prerequisites, e.mc.Prerequisites))
	}
	s.LearningOutcome = e.outcomes(sid)

	// The elements of the micro-credential the ELM has no property for.
	add := func(name string, label attesta.Message, value any) {
		s.AdditionalNote = append(s.AdditionalNote, newNote(sid("note", name), words("europass.note", label, value)))
	}
	if a.QNQLevel > 0 {
		add("qnq", attesta.M("mc.qnq"), strconv.Itoa(a.QNQLevel))
	}
	if len(a.ParticipationForm) > 0 {
		var modes []any
		for _, m := range a.ParticipationForm {
			modes = append(modes, modeWords(m))
		}
		add("participation", attesta.M("mc.modes"), list(modes))
	}
	if a.LearningPath != "" {
		add("workload", attesta.M("mc.workload"), said(a.LearningPath, e.mc.Workload))
	}
	if a.AssessmentType != "" {
		add("assessment", attesta.M("mc.assessment"), said(a.AssessmentType, e.mc.Assessment))
	}
	if a.QualityAssurance != "" {
		add("quality-assurance", attesta.M("mc.qa"), said(a.QualityAssurance, e.mc.QualityAssurance))
	}
	if len(a.StackableInto) > 0 {
		var areas []any
		for _, p := range a.StackableInto {
			areas = append(areas, e.pathTitle(p))
		}
		add("stackability", attesta.M("mc.stackability"), list(areas))
	}
	if absoluteURL(a.ID) {
		s.Homepage = []*webResource{{ID: sid("homepage"), Type: "WebResource", Title: words("europass.catalogue"), ContentURL: a.ID}}
	}
	return s
}

var iscedRE = regexp.MustCompile(`^[0-9]{2,4}$`)

// pathTitle is an area's title, in English too where the standard
// translates it.
func (e *exporter) pathTitle(it string) langString {
	if e.std != nil {
		for _, p := range e.std.Paths {
			if p.Title.IT == it {
				return said(it, p.Title)
			}
		}
	}
	return langString{"it": it}
}

// outcomes are the learning outcomes: the expected results of the
// competence's ADAs, as the badge lists them (with their ADA and result
// codes when the standard is at hand), and one per ESCO skill the
// competence aligns to.
func (e *exporter) outcomes(sid func(...string) string) []*outcome {
	type ra struct {
		ada   string
		code  string
		title competence.Text
	}
	var fromStd []ra
	if e.comp != nil {
		for _, ada := range e.comp.ADA {
			for _, r := range ada.Results {
				fromStd = append(fromStd, ra{ada.Code, r.Code, r.Title})
			}
		}
	}
	var out []*outcome
	for i, lo := range e.a.LearningOutcome {
		n := strconv.Itoa(i + 1)
		o := &outcome{ID: sid("outcome", n), Type: "LearningOutcome", Title: langString{"it": lo}}
		if i < len(fromStd) && fromStd[i].title.IT == lo {
			o.Title = said(lo, fromStd[i].title)
			o.Identifier = []*identifier{{ID: sid("outcome", n, "identifier"), Type: "Identifier",
				Notation: fromStd[i].ada + " " + fromStd[i].code, SchemeName: "Atlante del Lavoro e delle Qualificazioni"}}
		}
		out = append(out, o)
	}
	for i, al := range e.a.Alignment {
		if al.TargetType != "ext:ESCOSkill" || !strings.HasPrefix(al.TargetURL, "http://data.europa.eu/esco/skill/") {
			continue
		}
		title := langString{"it": al.TargetName}
		for _, esco := range e.mc.ESCO {
			if esco.URI == al.TargetURL {
				title = said(al.TargetName, esco.Title)
			}
		}
		out = append(out, &outcome{ID: sid("esco", strconv.Itoa(i+1)), Type: "LearningOutcome", Title: title,
			RelatedESCOSkill: []*concept{newConcept(al.TargetURL, "http://data.europa.eu/esco/concept-scheme/skills", "", title)}})
	}
	return out
}

// list joins texts, each said in the language of the list.
type list []any

func (l list) In(lang string) string {
	var s []string
	for _, v := range l {
		switch v := v.(type) {
		case attesta.Localized:
			s = append(s, v.In(lang))
		default:
			s = append(s, fmt.Sprint(v))
		}
	}
	return strings.Join(s, "; ")
}

// imageType is the file type of a PNG or JPEG image, "" for anything else.
func imageType(img []byte) string {
	switch {
	case bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")):
		return "PNG"
	case bytes.HasPrefix(img, []byte{0xff, 0xd8, 0xff}):
		return "JPEG"
	}
	return ""
}

// display is how Europass shows the credential: its title, and one
// picture, in Italian, the credential's first language.
func (e *exporter) display(img []byte, imgType string) *displayParameter {
	var title competence.Text
	if e.comp != nil {
		title = e.comp.Title
	}
	return &displayParameter{
		ID:              e.id("display"),
		Type:            "DisplayParameter",
		Title:           said(e.a.Name, title),
		Description:     words("europass.display"),
		Language:        []*concept{languageITA(), languageENG()},
		PrimaryLanguage: languageITA(),
		IndividualDisplay: []*individualDisplay{{
			ID: e.id("display", "ita"), Type: "IndividualDisplay", Language: languageITA(),
			DisplayDetail: []*displayDetail{{ID: e.id("display", "ita", "1"), Type: "DisplayDetail", Page: 1,
				Image: &mediaObject{ID: e.id("display", "ita", "1", "image"), Type: "MediaObject", ContentType: fileType(imgType),
					ContentEncoding: encodingBase64(), Content: base64.StdEncoding.EncodeToString(img)}}},
		}},
	}
}

// modeWords names a form of participation (competence.LearningModes).
func modeWords(m string) any {
	switch competence.LearningMode(m) {
	case competence.WorkBased:
		return attesta.M("mode.work-based")
	case competence.Onsite:
		return attesta.M("mode.onsite")
	case competence.Online:
		return attesta.M("mode.online")
	case competence.Blended:
		return attesta.M("mode.blended")
	}
	return m
}

// absoluteURL reports whether s is an absolute http or https URL that
// can be a JSON-LD node's id.
func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " <>\"{}|^`")
}

// httpURL is s if it is an http or https URL, else "".
func httpURL(s string) string {
	if absoluteURL(s) {
		return s
	}
	return ""
}

// dimensionEN translates the name of a test's dimension.
func dimensionEN(it string) (string, bool) {
	i := slices.IndexFunc(item.Dimensions, func(d item.Dimension) bool { return d.Words().In("it") == it })
	if i < 0 {
		return "", false
	}
	return item.Dimensions[i].Words().In("en"), true
}
