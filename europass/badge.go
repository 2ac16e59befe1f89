package europass

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
)

// badge is what Export reads of a competence badge: the members
// credential.Build writes, by their Open Badges 3.0 and attesta names.
type badge struct {
	ID                 string         `json:"id"`
	Type               []string       `json:"type"`
	Name               string         `json:"name"`
	Issuer             badgeIssuer    `json:"issuer"`
	ValidFrom          string         `json:"validFrom"`
	ValidUntil         string         `json:"validUntil"`
	AwardedDate        string         `json:"awardedDate"`
	CredentialSubject  badgeSubject   `json:"credentialSubject"`
	Evidence           []badgeProof   `json:"evidence"`
	CommissionDecision *badgeDecision `json:"commissionDecision"`
	TitleHolder        *struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"titleHolder"`
}

type badgeIssuer struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	URL     string `json:"url"`
	Email   string `json:"email"`
	Address struct {
		AddressCountry     string `json:"addressCountry"`
		AddressCountryCode string `json:"addressCountryCode"`
		AddressRegion      string `json:"addressRegion"`
		AddressLocality    string `json:"addressLocality"`
		PostalCode         string `json:"postalCode"`
		StreetAddress      string `json:"streetAddress"`
	} `json:"address"`
	OtherIdentifier []struct {
		Identifier     string `json:"identifier"`
		IdentifierType string `json:"identifierType"`
	} `json:"otherIdentifier"`
}

type badgeSubject struct {
	ID                string            `json:"id"`
	Identifier        []badgeIdentity   `json:"identifier"`
	ActivityStartDate string            `json:"activityStartDate"`
	ActivityEndDate   string            `json:"activityEndDate"`
	Achievement       *badgeAchievement `json:"achievement"`
	Result            []struct {
		ResultDescription string `json:"resultDescription"`
		Value             string `json:"value"`
		AchievedLevel     string `json:"achievedLevel"`
		Status            string `json:"status"`
	} `json:"result"`
}

// badgeIdentity is an Open Badges IdentityObject: the learner's
// identifier, salted and hashed, or a name in clear.
type badgeIdentity struct {
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
}

type badgeAchievement struct {
	ID               string      `json:"id"`
	AchievementType  string      `json:"achievementType"`
	Name             string      `json:"name"`
	Description      string      `json:"description"`
	CreditsAvailable json.Number `json:"creditsAvailable"`
	Alignment        []struct {
		TargetName string `json:"targetName"`
		TargetURL  string `json:"targetUrl"`
		TargetType string `json:"targetType"`
		TargetCode string `json:"targetCode"`
	} `json:"alignment"`
	ResultDescription  []badgeResultDescription `json:"resultDescription"`
	CompetenceCode     string                   `json:"competenceCode"`
	CompetenceStandard *struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		Sector          string `json:"sector"`
		StandardVersion int    `json:"standardVersion"`
		StandardDigest  string `json:"standardDigest"`
	} `json:"competenceStandard"`
	LearningOutcome   []string `json:"learningOutcome"`
	WorkloadHours     int      `json:"workloadHours"`
	EQFLevel          int      `json:"eqfLevel"`
	QNQLevel          int      `json:"qnqLevel"`
	ISCEDField        string   `json:"iscedField"`
	ParticipationForm []string `json:"participationForm"`
	AssessmentType    string   `json:"assessmentType"`
	QualityAssurance  string   `json:"qualityAssurance"`
	Prerequisites     string   `json:"prerequisites"`
	LearningPath      string   `json:"learningPath"`
	StackableInto     []string `json:"stackableInto"`
}

type badgeResultDescription struct {
	ID            string       `json:"id"`
	Name          string       `json:"name"`
	ResultType    string       `json:"resultType"`
	ValueMin      string       `json:"valueMin"`
	ValueMax      string       `json:"valueMax"`
	RequiredValue string       `json:"requiredValue"`
	Levels        []badgeLevel `json:"rubricCriterionLevel"`
}

// badgeLevel is a level of a rubric: of the observation scale.
type badgeLevel struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

type badgeProof struct {
	Name            string `json:"name"`
	Narrative       string `json:"narrative"`
	DigestMultibase string `json:"digestMultibase"`
}

type badgeDecision struct {
	ID                string `json:"id"`
	DecisionDate      string `json:"decisionDate"`
	DecisionReference string `json:"decisionReference"`
	Commission        string `json:"commission"`
}

// readBadge reads the badge in data and checks that it is a competence
// badge Export can say in the European Learning Model.
func readBadge(data []byte) (*badge, error) {
	var b badge
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, attesta.Wrap(err, attesta.Invalid, "err.europass.badge")
	}
	if !slices.Contains(b.Type, "OpenBadgeCredential") || b.Issuer.ID == "" {
		return nil, attesta.E(attesta.Invalid, "err.europass.badge")
	}
	if _, ok := strings.CutPrefix(b.ID, "urn:uuid:"); !ok || !uuidRE.MatchString(b.ID) {
		return nil, attesta.E(attesta.Invalid, "err.europass.badge.id", b.ID)
	}
	a := b.CredentialSubject.Achievement
	if a == nil || a.AchievementType != "MicroCredential" || a.CompetenceCode == "" || a.CompetenceStandard == nil {
		return nil, attesta.E(attesta.Invalid, "err.europass.notcompetence")
	}
	d := b.CommissionDecision
	if d == nil || strings.TrimSpace(d.DecisionReference) == "" || !isDate(d.DecisionDate) {
		return nil, attesta.E(attesta.Invalid, "err.europass.nodecision")
	}
	if !isDateTime(b.ValidFrom) || (b.AwardedDate != "" && !isDateTime(b.AwardedDate)) ||
		(b.ValidUntil != "" && !isDateTime(b.ValidUntil)) {
		return nil, attesta.E(attesta.Invalid, "err.europass.badge.dates")
	}
	if b.CredentialSubject.ID == "" && !slices.ContainsFunc(b.CredentialSubject.Identifier, func(id badgeIdentity) bool { return id.IdentityHash != "" }) {
		return nil, attesta.E(attesta.Invalid, "err.europass.learner")
	}
	return &b, nil
}

// issued is when the badge was awarded: its awardedDate, else its
// validFrom.
func (b *badge) issued() string {
	if b.AwardedDate != "" {
		return b.AwardedDate
	}
	return b.ValidFrom
}

// description returns the result description the badge's result refers to.
func (a *badgeAchievement) description(id string) (*badgeResultDescription, bool) {
	i := slices.IndexFunc(a.ResultDescription, func(rd badgeResultDescription) bool { return rd.ID == id })
	if i < 0 {
		return nil, false
	}
	return &a.ResultDescription[i], true
}

func isDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
