package credential

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/issuer"
)

// TutorCourse is the training course a tutor badge certifies the
// completion of, as its Chamber kept it (package course).
type TutorCourse struct {
	ID          string        `json:"id"` // the course's id, "crs-…"
	Title       string        `json:"title"`
	TitleEN     string        `json:"title_en,omitempty"`
	Description string        `json:"description,omitempty"`
	Audience    string        `json:"audience"` // "company_tutors" or "teachers"
	Hours       int           `json:"hours"`
	Modules     []TutorModule `json:"modules"`
	MinShare    int           `json:"min_share"` // per cent of the hours one must attend
	Start       time.Time     `json:"start,omitzero"`
	End         time.Time     `json:"end,omitzero"`
}

// TutorModule is a module of a course's programme.
type TutorModule struct {
	Title   string `json:"title"`
	TitleEN string `json:"title_en,omitempty"`
	Hours   int    `json:"hours"`
}

// TutorAward is everything a tutor badge says: that a company tutor or a
// teacher completed a Chamber's training course.
type TutorAward struct {
	ID          string        // "urn:uuid:…"
	Issuer      issuer.Issuer // the Chamber that ran the course
	Course      TutorCourse
	Learner     Learner
	Role        string // the role the course was taken for: "company_tutor", "school_tutor", "school_referent"
	Minutes     int    // the minutes attended, in all
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: no expiry
	TitleHolder Party
	BaseURL     string
	Status      Position
}

// Bounds of a tutor badge's course.
const (
	MaxTutorModules = 50
	MaxTutorHours   = 500
)

// audienceWords names a course's audience in the credential, in Italian
// as every text of the badges.
var audienceWords = map[string]string{
	"company_tutors": "tutor aziendali",
	"teachers":       "docenti (tutor scolastici)",
}

// roleWords names the role a course was taken for, in the credential.
var roleWords = map[string]string{
	"company_tutor":   "tutor aziendale",
	"school_tutor":    "tutor scolastico",
	"school_referent": "referente scolastico",
}

// BuildTutor returns the unsigned tutor badge of an award, as JSON: an
// OpenBadgeCredential whose achievement is the course, of type Course
// (the Open Badges 3.0 AchievementType of a course completed, rather than
// MicroCredential, which the certified competences are: a tutor badge is
// earned by attendance, not by an assessment against a standard).
func BuildTutor(a TutorAward) ([]byte, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	base := strings.TrimSuffix(a.BaseURL, "/")
	courseURL := fmt.Sprintf("%s/courses/%s", base, url.PathEscape(a.Course.ID))
	audience := audienceWords[a.Course.Audience]
	var program strings.Builder
	for i, m := range a.Course.Modules {
		if i > 0 {
			program.WriteString("\n")
		}
		fmt.Fprintf(&program, "%d. %s (%s)", i+1, m.Title, hoursIT(m.Hours))
	}
	ach := achievement{
		ID:              courseURL,
		Type:            []string{"Achievement"},
		AchievementType: "Course",
		Name:            a.Course.Title,
		Description: firstNonEmpty(a.Course.Description,
			fmt.Sprintf("Corso di formazione per %s del programma Competenza Certificata: %s.", audience, a.Course.Title)),
		InLanguage: "it",
		Criteria: criteria{Narrative: fmt.Sprintf("Frequenza di almeno il %d%% delle %s del corso, registrata lezione per lezione dalla Camera di Commercio che lo ha tenuto.",
			a.Course.MinShare, hoursIT(a.Course.Hours))},
		LearningOutcome: []string{},
		WorkloadHours:   a.Course.Hours,
		LearningPath:    program.String(),
	}
	for _, m := range a.Course.Modules {
		ach.LearningOutcome = append(ach.LearningOutcome, m.Title)
	}
	rdID := courseURL + "#result-1"
	ach.ResultDescription = []resultDescription{
		{ID: rdID, Type: []string{"ResultDescription"}, Name: "Frequenza (percentuale delle ore del corso)", ResultType: "Percent",
			ValueMin: "0", ValueMax: "100", RequiredValue: strconv.Itoa(a.Course.MinShare)},
		{ID: courseURL + "#result-2", Type: []string{"ResultDescription"}, Name: "Esito del corso", ResultType: "Status"},
	}
	share := 0
	if a.Course.Hours > 0 {
		share = min(100, a.Minutes*100/(a.Course.Hours*60))
	}
	subj := subject{Type: []string{"AchievementSubject"}, ID: a.Learner.DID, Achievement: &ach, Result: []result{
		{Type: []string{"Result"}, ResultDescription: rdID, Value: strconv.Itoa(share)},
		{Type: []string{"Result"}, ResultDescription: courseURL + "#result-2", Status: "Completed"},
	}}
	if a.Learner.Identity != "" {
		subj.Identifier = []identityObject{{
			Type:         "IdentityObject",
			IdentityHash: HashIdentity(a.Learner.Identity, a.Learner.Salt),
			IdentityType: a.Learner.IdentityType,
			Hashed:       true,
			Salt:         a.Learner.Salt,
		}}
	}
	if !a.Course.Start.IsZero() {
		subj.ActivityStartDate = formatDateTime(a.Course.Start)
	}
	if !a.Course.End.IsZero() {
		subj.ActivityEndDate = formatDateTime(a.Course.End)
	}

	p := a.Issuer.Profile
	prof := profile{
		ID: a.Issuer.DID, Type: []string{"Profile"}, Name: p.Name, URL: p.URL, Email: p.Email, Description: p.Description,
		Address: &address{Type: []string{"Address"}, AddressCountry: p.Address.Country, AddressCountryCode: p.Address.CountryCode,
			AddressRegion: p.Address.Region, AddressLocality: p.Address.Locality, PostalCode: p.Address.PostalCode, StreetAddress: p.Address.Street},
	}
	for _, id := range p.Identifiers {
		prof.OtherIdentifier = append(prof.OtherIdentifier, identifierEntry{Type: "IdentifierEntry", Identifier: id.Value, IdentifierType: identifierType(id.Type)})
	}
	c := credentialJSON{
		Context: []string{ContextVC, ContextOB, ContextAttesta},
		ID:      a.ID,
		Type:    []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:    "Badge tutor: " + a.Course.Title,
		Description: fmt.Sprintf("Ha completato, come %s, il corso di formazione per %s «%s» (%s).",
			roleWords[a.Role], audience, a.Course.Title, hoursIT(a.Course.Hours)),
		Issuer:            prof,
		ValidFrom:         formatDateTime(a.ValidFrom),
		AwardedDate:       formatDateTime(a.ValidFrom),
		CredentialSubject: subj,
		CredentialSchema:  []schemaRef{{ID: ob3SchemaURL, Type: "JsonSchema"}},
	}
	if a.TitleHolder.Name != "" {
		c.TitleHolder = &party{ID: a.TitleHolder.ID, Type: []string{"Profile"}, Name: a.TitleHolder.Name, URL: a.TitleHolder.URL}
	}
	if !a.ValidUntil.IsZero() {
		c.ValidUntil = formatDateTime(a.ValidUntil)
	}
	for _, purpose := range []statuslist.Purpose{statuslist.Revocation, statuslist.Suspension} {
		list := StatusListURL(base, a.Issuer.ID, a.Status.List, purpose)
		c.CredentialStatus = append(c.CredentialStatus, statusEntry{
			ID: list + "#" + strconv.Itoa(a.Status.Index), Type: "BitstringStatusListEntry", StatusPurpose: string(purpose),
			StatusListIndex: strconv.Itoa(a.Status.Index), StatusListCredential: list,
		})
	}
	return marshal(c)
}

// hoursIT says hours in Italian: "1 ora", "16 ore".
func hoursIT(h int) string {
	if h == 1 {
		return "1 ora"
	}
	return strconv.Itoa(h) + " ore"
}

func (a TutorAward) validate() error {
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
	if a.Learner.DID == "" && a.Learner.Identity == "" {
		fe.Problem("", "err.credential.award.learner")
	}
	if a.Learner.DID != "" && !strings.HasPrefix(a.Learner.DID, "did:") {
		fe.Problem("", "err.credential.award.learnerdid", a.Learner.DID)
	}
	if a.Learner.Identity != "" && (len(a.Learner.Salt) < 16 || a.Learner.IdentityType == "") {
		fe.Problem("", "err.credential.award.salt")
	}
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
	co := a.Course
	if !strings.HasPrefix(co.ID, "crs-") || len(co.ID) > 40 || strings.ContainsFunc(co.ID, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	}) {
		fe.Problem("", "err.credential.tutor.course", co.ID)
	}
	if _, ok := audienceWords[co.Audience]; !ok {
		fe.Problem("", "err.credential.tutor.audience", co.Audience)
	}
	if co.Title == "" {
		fe.Problem("", "err.credential.tutor.title")
	}
	if co.Hours < 1 || co.Hours > MaxTutorHours {
		fe.Problem("", "err.credential.tutor.hours", co.Hours, MaxTutorHours)
	}
	if co.MinShare < 1 || co.MinShare > 100 {
		fe.Problem("", "err.credential.tutor.share", co.MinShare)
	}
	if len(co.Modules) == 0 || len(co.Modules) > MaxTutorModules {
		fe.Problem("", "err.credential.tutor.modules", MaxTutorModules)
	}
	if a.Minutes < 0 || a.Minutes > co.Hours*60 {
		fe.Problem("", "err.credential.tutor.minutes", a.Minutes)
	}
	if _, ok := roleWords[a.Role]; !ok {
		fe.Problem("", "err.credential.tutor.role", a.Role)
	}
	check := func(where, s string, limit int, lines bool) {
		bad := func(r rune) bool {
			switch {
			case unicode.Is(unicode.Bidi_Control, r):
				return true
			case r == '\n':
				return !lines
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
	check("course.title", co.Title, MaxName, false)
	check("course.title_en", co.TitleEN, MaxName, false)
	check("course.description", co.Description, MaxText, true)
	for i, m := range co.Modules {
		check(fmt.Sprintf("course.modules[%d].title", i), m.Title, MaxName, false)
		check(fmt.Sprintf("course.modules[%d].title_en", i), m.TitleEN, MaxName, false)
		if m.Title == "" || m.Hours < 1 || m.Hours > co.Hours {
			fe.Problem("", "err.credential.tutor.module", i+1)
		}
	}
	// The learner and the title holder, checked as a competence's award
	// checks them.
	Award{Learner: a.Learner, TitleHolder: a.TitleHolder}.checkTexts(&fe)
	if len(fe) > 0 {
		return attesta.Wrap(fe, attesta.Invalid, "err.credential.award", fe)
	}
	return nil
}

// TutorRequest asks for the tutor badge of a person who completed a
// course.
type TutorRequest struct {
	// ID, when set, is the credential's id ("urn:uuid:…"), fixed by the
	// caller so that an issuance retried after a failure is refused as a
	// duplicate (code attesta.Conflict, key "err.storage.credential.taken")
	// rather than issued twice; empty: a new one.
	ID         string      `json:"id,omitempty"`
	IssuerID   string      `json:"issuer"`
	Course     TutorCourse `json:"course"`
	Learner    Learner     `json:"learner"`
	Role       string      `json:"role"`
	Minutes    int         `json:"minutes"`
	ValidUntil time.Time   `json:"valid_until,omitzero"`
	Format     Format      `json:"format,omitempty"` // default RDFC
}

// IssueTutor builds, signs and stores a tutor badge, as Issue does a
// competence's: its record's Achievement is "course/{course id}".
func (s *Service) IssueTutor(ctx context.Context, actor Actor, req TutorRequest) (Record, error) {
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
	iss, err := s.issuers.Issuer(ctx, req.IssuerID)
	if err != nil {
		return Record{}, fmt.Errorf("issue: %w", err)
	}
	s.learner(&req.Learner)
	if req.ID == "" {
		req.ID = s.uuidURN()
	}
	now := s.clock().Truncate(time.Second)
	award := TutorAward{
		ID: req.ID, Issuer: iss, Course: req.Course, Learner: req.Learner, Role: req.Role, Minutes: req.Minutes,
		ValidFrom: now, ValidUntil: req.ValidUntil, TitleHolder: s.titleHolder, BaseURL: s.baseURL, Status: Position{List: 1},
	}
	return s.issue(ctx, actor, req.Format, func(pos Position) ([]byte, error) {
		award.Status = pos
		return BuildTutor(award)
	}, Record{ID: award.ID, IssuerID: iss.ID, Achievement: "course/" + req.Course.ID, IssuedAt: now, ValidUntil: req.ValidUntil})
}
