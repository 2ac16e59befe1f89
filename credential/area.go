package credential

import (
	"context"
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

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
)

// An area credential stacks competence badges: a learner who holds the
// badges of every competence that makes an area (a path of the standard
// version, by its stacking rule, competence.Path.Stack) is awarded the area,
// in one more OpenBadgeCredential that references those badges.
//
// How it references them is the choice Open Badges 3.0 leaves. Its
// Achievement.related is for "another Achievement that should be considered
// the same" (a translation, an earlier version), not a part; VC 2.0's
// relatedResource binds resources a verifier fetches, and a badge is not
// fetched by its urn:uuid. What OB 3.0 has for "what the recipient did to
// earn the credential" is evidence, and a badge is exactly that here. So:
//
//   - each badge is an Evidence of the credential whose id is the badge's
//     id (its urn:uuid, as OB 3.0 allows for evidence outside http), with
//     the digest of the badge as issued (VC 2.0 digestMultibase, as a
//     competence badge carries its dossier's), the competence's code
//     (attesta's competenceCode) and an Alignment to the competence's
//     achievement (its id, code and title), genre "OpenBadgeCredential";
//   - the area's Achievement aligns to the achievement of every competence
//     of the rule: which competences make the area is part of its
//     definition, the same for every learner, while the evidence is what
//     this learner holds;
//   - the subject's narrative (OB 3.0: "connects multiple pieces of
//     evidence") says it in words.
//
// The achievementType is Certificate ("requisite knowledge and skills of an
// occupation, profession, or academic program"): the area is the profile
// its micro-credentials (the competences, MicroCredential) stack into, and
// a wallet that sorts by type tells the two apart. Every term is in the
// contexts a badge already uses: attesta's context does not change.

// AreaAward is everything an area credential says: the area of one
// learner, and the competence badges it stacks.
type AreaAward struct {
	ID         string               // "urn:uuid:…"
	Issuer     issuer.Issuer        // the awarding Chamber, which issued the badges
	Standard   *competence.Standard // the published standard version of the area and of every badge
	Path       string               // the area's path id in Standard, e.g. "progettazione"
	Learner    Learner              //
	Badges     []StackedBadge       // one per competence of the area's rule
	ValidFrom  time.Time            // issuing date
	ValidUntil time.Time            // zero: no expiry
	// TitleHolder is the public body that owns the certification.
	TitleHolder Party
	// BaseURL is the public address of attesta, for the achievement and
	// status list URLs.
	BaseURL string
	// Status is the credential's position in its issuer's status lists.
	Status Position
}

// StackedBadge refers to a competence badge an area credential stacks.
type StackedBadge struct {
	ID         string `json:"id"`         // the badge's id, "urn:uuid:…"
	Competence string `json:"competence"` // the code of its competence in the area's standard version, e.g. "C1"
	Digest     string `json:"digest"`     // "sha256:" + hex of the badge as issued (Record.Digest)
}

// MaxBadges bounds the badges an area credential stacks.
const MaxBadges = 100

// AreaURL is the id of an area's achievement: the path of the standard
// version, on attesta's public address baseURL.
func AreaURL(baseURL string, std *competence.Standard, path string) string {
	return fmt.Sprintf("%s/sectors/%s/paths/%s?version=%d", strings.TrimSuffix(baseURL, "/"), url.PathEscape(std.Sector), url.PathEscape(path), std.Version)
}

// AreaAchievement is what a Record of an area credential certifies:
// "{sector}/v{version}/area/{path}".
func AreaAchievement(sector string, version int, path string) string {
	return fmt.Sprintf("%s/v%d/area/%s", sector, version, path)
}

// BuildArea returns the unsigned area credential for an award, as JSON. It
// refuses an award whose badges are not one per competence of the area's
// stacking rule.
func BuildArea(a AreaAward) ([]byte, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	std := a.Standard
	path, _ := std.Path(a.Path)
	rule := path.StackCodes()
	base := strings.TrimSuffix(a.BaseURL, "/")
	framework := fmt.Sprintf("%s, versione %d", std.Title.IT, std.Version)

	var names, outcomes []string
	var aligned []alignment
	for _, code := range rule {
		comp, _ := std.Competence(code)
		names = append(names, code+" "+comp.Title.IT)
		outcomes = append(outcomes, comp.Title.IT)
		aligned = append(aligned, alignment{Type: []string{"Alignment"}, TargetName: comp.Title.IT, TargetURL: competenceURL(base, std, code),
			TargetFramework: framework, TargetType: "ext:Competence", TargetCode: code})
	}
	ach := achievement{
		ID:                 AreaURL(base, std, path.ID),
		Type:               []string{"Achievement"},
		AchievementType:    "Certificate",
		Name:               path.Title.IT,
		Description:        firstNonEmpty(path.Description.IT, fmt.Sprintf("%s del settore %s: le competenze %s.", path.Title.IT, std.Title.IT, strings.Join(rule, ", "))),
		HumanCode:          path.ID,
		FieldOfStudy:       std.Title.IT,
		InLanguage:         "it",
		Criteria:           criteria{Narrative: fmt.Sprintf("Gli Open Badge di tutte le competenze dell'area, certificate secondo la versione %d dello standard %s:\n%s", std.Version, std.Title.IT, strings.Join(names, "\n"))},
		Alignment:          aligned,
		CompetenceStandard: standardReference(base, std),
		LearningOutcome:    outcomes,
	}
	subj := learnerSubject(a.Learner, &ach)
	subj.Narrative = fmt.Sprintf("Ha ottenuto gli Open Badge di tutte le competenze dell'area (%s), elencati come evidenze.", strings.Join(rule, ", "))

	c := areaCredentialJSON{
		Context:           []string{ContextVC, ContextOB, ContextAttesta},
		ID:                a.ID,
		Type:              []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:              fmt.Sprintf("%s – %s", path.Title.IT, std.Title.IT),
		Description:       fmt.Sprintf("Area di competenze certificata: %s (%s, versione %d), per gli Open Badge delle competenze %s.", path.Title.IT, std.Title.IT, std.Version, strings.Join(rule, ", ")),
		Issuer:            issuerProfile(a.Issuer),
		ValidFrom:         formatDateTime(a.ValidFrom),
		AwardedDate:       formatDateTime(a.ValidFrom),
		CredentialSubject: subj,
		TitleHolder:       titleHolder(a.TitleHolder),
		CredentialStatus:  statusEntriesAt(base, a.Issuer.ID, a.Status),
		CredentialSchema:  []schemaRef{{ID: ob3SchemaURL, Type: "JsonSchema"}},
	}
	if !a.ValidUntil.IsZero() {
		c.ValidUntil = formatDateTime(a.ValidUntil)
	}
	byCode := map[string]StackedBadge{}
	for _, b := range a.Badges {
		byCode[b.Competence] = b
	}
	for _, code := range rule {
		b := byCode[code]
		comp, _ := std.Competence(code)
		var sum [32]byte
		hex.Decode(sum[:], []byte(strings.TrimPrefix(b.Digest, "sha256:")))
		c.Evidence = append(c.Evidence, badgeEvidence{
			ID: b.ID, Type: []string{"Evidence"}, Name: fmt.Sprintf("Open Badge %s: %s", code, comp.Title.IT),
			Description: fmt.Sprintf("Il badge della competenza %s, rilasciato da %s, che questa credenziale aggrega.", code, a.Issuer.Profile.Name),
			Genre:       "OpenBadgeCredential", CompetenceCode: code,
			Alignment: []alignment{{Type: []string{"Alignment"}, TargetName: comp.Title.IT, TargetURL: competenceURL(base, std, code),
				TargetFramework: framework, TargetType: "ext:Competence", TargetCode: code}},
			DigestMultibase: DigestMultibase(sum),
		})
	}
	return marshal(c)
}

var badgeDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func (a AreaAward) validate() error {
	// As for a badge, each message names what it is about.
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
		if _, ok := a.Standard.Path(a.Path); !ok {
			fe.Problem("", "err.credential.area.path", a.Standard.Sector, a.Standard.Version, a.Path)
		} else {
			a.checkBadges(&fe)
		}
	}
	a.Learner.check(&fe)
	if a.ValidFrom.IsZero() {
		fe.Problem("", "err.credential.award.nodate")
	}
	if !a.ValidUntil.IsZero() && !a.ValidUntil.After(a.ValidFrom) {
		fe.Problem("", "err.credential.award.validuntil")
	}
	if u, err := url.Parse(a.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fe.Problem("", "err.credential.award.baseurl", a.BaseURL)
	}
	if a.Status.List < 1 || a.Status.Index < 0 || a.Status.Index >= statuslist.ListBits {
		fe.Problem("", "err.credential.award.status")
	}
	a.Learner.checkTexts(&fe)
	a.TitleHolder.checkTexts(&fe)
	if len(fe) > 0 {
		return attesta.Wrap(fe, attesta.Invalid, "err.credential.area", fe)
	}
	return nil
}

// checkBadges checks the badges against the area's stacking rule: each well
// formed, of a competence of the rule, one per competence, none missing.
func (a AreaAward) checkBadges(fe *attesta.FieldErrors) {
	if len(a.Badges) > MaxBadges {
		fe.Problem("", "err.credential.area.badges", MaxBadges)
		return
	}
	path, _ := a.Standard.Path(a.Path)
	rule := path.StackCodes()
	ids := map[string]bool{}
	byCode := map[string]string{}
	var held []string
	for _, b := range a.Badges {
		if !uuidURN.MatchString(b.ID) {
			fe.Problem("", "err.credential.area.badge.id", b.ID)
			continue
		}
		if ids[b.ID] {
			fe.Problem("", "err.credential.area.badge.repeated", b.ID)
			continue
		}
		ids[b.ID] = true
		if !badgeDigest.MatchString(b.Digest) {
			fe.Problem("", "err.credential.area.badge.digest", b.ID)
		}
		if !slices.Contains(rule, b.Competence) {
			fe.Problem("", "err.credential.area.badge.competence", b.ID, b.Competence, a.Path)
			continue
		}
		if other, dup := byCode[b.Competence]; dup {
			fe.Problem("", "err.credential.area.badge.twice", b.Competence, other, b.ID)
			continue
		}
		byCode[b.Competence] = b.ID
		held = append(held, b.Competence)
	}
	missing, err := a.Standard.StackMissing(a.Path, held)
	var pe *attesta.Error
	switch {
	case errors.As(err, &pe):
		fe.Say("", pe.Message)
	case len(missing) > 0:
		fe.Problem("", "err.credential.area.missing", a.Path, strings.Join(missing, ", "))
	}
}

// The JSON shape of an area credential, in the order its members are
// written: a badge's, with evidence that refers to badges and no
// commission decision (the area is awarded by its rule, not by a
// commission).
type areaCredentialJSON struct {
	Context           []string        `json:"@context"`
	ID                string          `json:"id"`
	Type              []string        `json:"type"`
	Name              string          `json:"name"`
	Description       string          `json:"description,omitempty"`
	Issuer            profile         `json:"issuer"`
	ValidFrom         string          `json:"validFrom"`
	ValidUntil        string          `json:"validUntil,omitempty"`
	AwardedDate       string          `json:"awardedDate,omitempty"`
	CredentialSubject subject         `json:"credentialSubject"`
	Evidence          []badgeEvidence `json:"evidence"`
	TitleHolder       *party          `json:"titleHolder,omitempty"`
	CredentialStatus  []statusEntry   `json:"credentialStatus,omitempty"`
	CredentialSchema  []schemaRef     `json:"credentialSchema,omitempty"`
}

// badgeEvidence is a competence badge as the evidence of an area.
type badgeEvidence struct {
	ID              string      `json:"id"`
	Type            []string    `json:"type"`
	Name            string      `json:"name"`
	Description     string      `json:"description"`
	Genre           string      `json:"genre"`
	CompetenceCode  string      `json:"competenceCode"`
	Alignment       []alignment `json:"alignment"`
	DigestMultibase string      `json:"digestMultibase"`
}

// AreaRequest asks for the area credential of a learner who holds the
// badges of every competence of the area.
type AreaRequest struct {
	IssuerID string   `json:"issuer"`
	Sector   string   `json:"sector"`
	Version  int      `json:"version"`
	Path     string   `json:"path"`
	Learner  Learner  `json:"learner"`
	Badges   []string `json:"badges"`           // ids of the competence badges, "urn:uuid:…"
	Format   Format   `json:"format,omitempty"` // default RDFC
}

// competenceAchievement reads the Achievement of a competence badge's
// Record: "{sector}/v{version}/{code}".
var competenceAchievement = regexp.MustCompile(`^([a-z0-9][a-z0-9-]*)/v([0-9]+)/([A-Z][A-Z0-9.-]*)$`)

// IssueArea builds, signs and stores the area credential of a learner: it
// reads each badge, which must be a competence badge of the issuer, of the
// standard version of the area, neither revoked, suspended nor expired, of
// the learner, one per competence; then checks the area's stacking rule,
// refusing with the competences missing; then issues as [Service.Issue]
// does. A refusal changes nothing: no status position is taken, nothing is
// stored or logged.
func (s *Service) IssueArea(ctx context.Context, actor Actor, req AreaRequest) (Record, error) {
	if err := actor.authorize(req.IssuerID); err != nil {
		return Record{}, err
	}
	if err := s.open(ctx); err != nil {
		return Record{}, err
	}
	if req.Format == "" {
		req.Format = RDFC
	}
	if !req.Format.Valid() {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.format", req.Format, RDFC, JCS, JWT)
	}
	std, err := s.standards.Version(ctx, nil, req.Sector, req.Version)
	if err != nil {
		return Record{}, fmt.Errorf("issue area: %w", err)
	}
	if _, ok := std.Path(req.Path); !ok {
		return Record{}, attesta.E(attesta.NotFound, "err.competence.path.notfound", req.Path, std.Sector)
	}
	if len(req.Badges) > MaxBadges {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.area.badges", MaxBadges)
	}
	iss, err := s.issuers.Issuer(ctx, req.IssuerID)
	if err != nil {
		return Record{}, fmt.Errorf("issue area: %w", err)
	}
	now := s.clock().Truncate(time.Second)
	var badges []StackedBadge
	var validUntil time.Time
	seen := map[string]bool{}
	byCode := map[string]string{}
	for _, id := range req.Badges {
		if seen[id] {
			return Record{}, attesta.E(attesta.Invalid, "err.credential.area.badge.repeated", id)
		}
		seen[id] = true
		b, until, err := s.stackable(ctx, iss.ID, std, req.Learner, id, now)
		if err != nil {
			return Record{}, err
		}
		if other, dup := byCode[b.Competence]; dup {
			return Record{}, attesta.E(attesta.Invalid, "err.credential.area.badge.twice", b.Competence, other, id)
		}
		byCode[b.Competence] = id
		if path, _ := std.Path(req.Path); !slices.Contains(path.StackCodes(), b.Competence) {
			return Record{}, attesta.E(attesta.Invalid, "err.credential.area.badge.competence", id, b.Competence, req.Path)
		}
		badges = append(badges, b)
		if !until.IsZero() && (validUntil.IsZero() || until.Before(validUntil)) {
			validUntil = until
		}
	}
	held := make([]string, 0, len(badges))
	for _, b := range badges {
		held = append(held, b.Competence)
	}
	missing, err := std.StackMissing(req.Path, held)
	if err != nil {
		return Record{}, err
	}
	if len(missing) > 0 {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.area.missing", req.Path, strings.Join(missing, ", "))
	}
	s.learner(&req.Learner)
	award := AreaAward{
		ID: s.uuidURN(), Issuer: iss, Standard: std, Path: req.Path, Learner: req.Learner, Badges: badges,
		ValidFrom: now, ValidUntil: validUntil, TitleHolder: s.titleHolder, BaseURL: s.baseURL, Status: Position{List: 1},
	}
	return s.issue(ctx, actor, req.Format, func(pos Position) ([]byte, error) {
		award.Status = pos
		return BuildArea(award)
	}, Record{ID: award.ID, IssuerID: iss.ID, Achievement: AreaAchievement(std.Sector, std.Version, req.Path), IssuedAt: now, ValidUntil: validUntil})
}

// stackable reads the badge id and returns it as a badge the area stacks,
// with its expiry, or the refusal: a badge attesta did not issue, of
// another issuer, not a competence badge of std, revoked, suspended,
// expired at now, or of another learner.
func (s *Service) stackable(ctx context.Context, issuerID string, std *competence.Standard, l Learner, id string, now time.Time) (StackedBadge, time.Time, error) {
	rec, err := s.store.Record(ctx, id)
	if attesta.ErrorCode(err) == attesta.NotFound {
		return StackedBadge{}, time.Time{}, attesta.E(attesta.Invalid, "err.credential.area.badge.unknown", id)
	}
	if err != nil {
		return StackedBadge{}, time.Time{}, fmt.Errorf("issue area: badge %s: %w", id, err)
	}
	if rec.IssuerID != issuerID {
		return StackedBadge{}, time.Time{}, attesta.E(attesta.Invalid, "err.credential.area.badge.issuer", id, issuerID)
	}
	m := competenceAchievement.FindStringSubmatch(rec.Achievement)
	if m == nil {
		return StackedBadge{}, time.Time{}, attesta.E(attesta.Invalid, "err.credential.area.badge.notcompetence", id)
	}
	if v, _ := strconv.Atoi(m[2]); m[1] != std.Sector || v != std.Version {
		return StackedBadge{}, time.Time{}, attesta.E(attesta.Invalid, "err.credential.area.badge.standard", id, m[1], v, std.Sector, std.Version)
	}
	switch {
	case rec.Revoked:
		return StackedBadge{}, time.Time{}, attesta.E(attesta.Conflict, "err.credential.area.badge.revoked", id)
	case rec.Suspended:
		return StackedBadge{}, time.Time{}, attesta.E(attesta.Conflict, "err.credential.area.badge.suspended", id)
	case !rec.ValidUntil.IsZero() && !now.Before(rec.ValidUntil):
		return StackedBadge{}, time.Time{}, attesta.E(attesta.Conflict, "err.credential.area.badge.expired", id)
	}
	if !badgeOf(rec, l) {
		return StackedBadge{}, time.Time{}, attesta.E(attesta.Invalid, "err.credential.area.badge.learner", id)
	}
	return StackedBadge{ID: id, Competence: m[3], Digest: rec.Digest}, rec.ValidUntil, nil
}

// badgeOf reports whether the badge rec names the learner l as its
// subject: by the DID l bound, or by l's identifier hashed with the badge's
// salt.
func badgeOf(rec Record, l Learner) bool {
	body := rec.Body
	if rec.Format == JWT {
		_, payload, _, _, err := splitJWT(string(body))
		if err != nil {
			return false
		}
		body = payload
	}
	var c struct {
		CredentialSubject struct {
			ID         string `json:"id"`
			Identifier []struct {
				IdentityHash string `json:"identityHash"`
				Salt         string `json:"salt"`
			} `json:"identifier"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return false
	}
	subj := c.CredentialSubject
	if l.DID != "" && subj.ID == l.DID {
		return true
	}
	if l.Identity == "" {
		return false
	}
	for _, id := range subj.Identifier {
		if id.IdentityHash == HashIdentity(l.Identity, id.Salt) {
			return true
		}
	}
	return false
}
