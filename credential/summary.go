package credential

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
)

// Summary is what a person reads of an Open Badge: its achievement, the
// awarding body, the results, the EU micro-credential elements and the
// commission's decision — read from the credential as issued, so that every
// page, picture and printout of a badge says what the signed credential
// says and nothing else.
type Summary struct {
	ID          string
	Name        string
	Description string
	// Code is the competence's code (C1) or the area's path; Area is true
	// for an area credential (achievementType Certificate), Tutor for a
	// tutor's course badge.
	Code  string
	Area  bool
	Tutor bool
	Type  string // the achievementType
	// Achievement is the achievement's id: the competence's page in the
	// pinned version of its standard.
	Achievement string
	Field       string // the sector's name, as the credential says it
	Sector      string // the sector's id, from the competence standard
	Version     int    // the standard's version
	Issuer      Party
	IssuerID    string
	TitleHolder string
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: no end
	Awarded     time.Time
	Start, End  time.Time // of the learning activity; zero if not said

	EQF, QNQ      int
	ISCED         string
	ADA           []Aligned
	Competences   []Aligned // an area's competences
	Outcomes      []string
	Participation []string
	Assessment    string
	Quality       string
	LearningPath  string
	Stackable     []string
	Criteria      string

	Results  []ResultLine
	Evidence []EvidenceLine
	Decision Decision
	// Subject is the learner's id in the credential, when it names one (a
	// wallet's DID); a hashed identifier otherwise.
	Subject string
}

// Aligned is an alignment of the achievement: an ADA or a competence.
type Aligned struct {
	Code string
	Name string
	URL  string
}

// ResultLine is one result of the learner: its description's name and
// kind, and the value achieved (a percentage, a level's name, a status).
type ResultLine struct {
	Name     string
	Kind     string // Percent, RubricCriterionLevel, Status, …
	Value    string
	Required string // the value required, for a percentage
	Max      string
	// Level is the achieved level's position among the rubric's levels
	// (1-based) and Levels their number; 0 when not a level.
	Level, Levels int
}

// EvidenceLine is an evidence entry: never the evidence itself.
type EvidenceLine struct {
	Name, Narrative, Digest, ID string
}

// ReadSummary reads a credential as issued — JSON, or a compact JWT whose
// payload is the credential — into its summary. It reads, it does not
// verify: a page shows a summary beside a verification, never instead.
func ReadSummary(body []byte) (*Summary, error) {
	body = []byte(strings.TrimSpace(string(body)))
	if len(body) > 0 && body[0] != '{' {
		parts := strings.Split(string(body), ".")
		if len(parts) != 3 {
			return nil, attesta.E(attesta.Invalid, "err.credential.summary")
		}
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return nil, attesta.E(attesta.Invalid, "err.credential.summary")
		}
		var wrapped struct {
			VC json.RawMessage `json:"vc"`
		}
		if json.Unmarshal(payload, &wrapped) == nil && len(wrapped.VC) > 0 {
			payload = wrapped.VC
		}
		body = payload
	}
	var c summaryJSON
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, attesta.E(attesta.Invalid, "err.credential.summary")
	}
	a := c.Subject.Achievement
	s := &Summary{
		ID: c.ID, Name: c.Name, Description: c.Description,
		Code: a.HumanCode, Type: a.AchievementType, Achievement: a.ID, Field: a.FieldOfStudy,
		Sector: a.Standard.Sector, Version: a.Standard.Version,
		Issuer: Party{Name: c.Issuer.Name, URL: c.Issuer.URL}, IssuerID: c.Issuer.ID,
		TitleHolder: c.TitleHolder.Name,
		ValidFrom:   when(c.ValidFrom), ValidUntil: when(c.ValidUntil), Awarded: when(c.AwardedDate),
		Start: when(c.Subject.Start), End: when(c.Subject.End),
		EQF: a.EQF, QNQ: a.QNQ, ISCED: a.ISCED, Outcomes: a.Outcomes, Participation: a.Participation,
		Assessment: a.Assessment, Quality: a.Quality, LearningPath: a.LearningPath, Stackable: a.Stackable,
		Criteria: a.Criteria.Narrative,
		Decision: Decision{ID: c.Decision.ID, Date: when(c.Decision.Date), Reference: c.Decision.Reference, Commission: c.Decision.Commission},
		Subject:  c.Subject.ID,
	}
	if a.ID == "" || c.ID == "" {
		return nil, attesta.E(attesta.Invalid, "err.credential.summary")
	}
	s.Area = a.AchievementType == "Certificate"
	s.Tutor = a.AchievementType == "Course"
	if s.Sector == "" && s.Area {
		// An area's achievement is /sectors/{sector}/paths/{path}?version=N.
		if _, rest, ok := strings.Cut(a.ID, "/sectors/"); ok {
			s.Sector, _, _ = strings.Cut(rest, "/")
			if _, v, ok := strings.Cut(rest, "version="); ok {
				s.Version, _ = strconv.Atoi(v)
			}
		}
	}
	for _, al := range a.Alignment {
		switch al.TargetType {
		case "ext:ADA":
			s.ADA = append(s.ADA, Aligned{Code: al.TargetCode, Name: al.TargetName, URL: al.TargetURL})
		case "ext:Competence":
			s.Competences = append(s.Competences, Aligned{Code: al.TargetCode, Name: al.TargetName, URL: al.TargetURL})
		case "ext:EQFLevel":
			if s.EQF == 0 {
				s.EQF, _ = strconv.Atoi(al.TargetCode)
			}
		}
	}
	descs := map[string]resultDescJSON{}
	for _, d := range a.ResultDescription {
		descs[d.ID] = d
	}
	for _, r := range c.Subject.Result {
		d := descs[r.ResultDescription]
		line := ResultLine{Name: d.Name, Kind: d.ResultType, Value: r.Value, Required: d.RequiredValue, Max: d.ValueMax}
		switch {
		case r.AchievedLevel != "":
			line.Levels = len(d.Levels)
			for i, l := range d.Levels {
				if l.ID == r.AchievedLevel {
					line.Value, line.Level = l.Name, i+1
				}
			}
			if line.Level == 0 {
				line.Value = r.AchievedLevel
			}
		case r.Status != "":
			line.Value = r.Status
		}
		s.Results = append(s.Results, line)
	}
	for _, e := range c.Evidence {
		s.Evidence = append(s.Evidence, EvidenceLine{ID: e.ID, Name: e.Name, Narrative: e.Narrative, Digest: e.Digest})
	}
	return s, nil
}

// when reads an RFC 3339 date-time, or a date; zero if neither.
func when(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

type summaryJSON struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Issuer      issuerJSON `json:"issuer"`
	ValidFrom   string     `json:"validFrom"`
	ValidUntil  string     `json:"validUntil"`
	AwardedDate string     `json:"awardedDate"`
	Subject     struct {
		ID          string `json:"id"`
		Start       string `json:"activityStartDate"`
		End         string `json:"activityEndDate"`
		Achievement struct {
			ID              string `json:"id"`
			AchievementType string `json:"achievementType"`
			HumanCode       string `json:"humanCode"`
			FieldOfStudy    string `json:"fieldOfStudy"`
			Criteria        struct {
				Narrative string `json:"narrative"`
			} `json:"criteria"`
			Alignment []struct {
				TargetName string `json:"targetName"`
				TargetURL  string `json:"targetUrl"`
				TargetType string `json:"targetType"`
				TargetCode string `json:"targetCode"`
			} `json:"alignment"`
			ResultDescription []resultDescJSON `json:"resultDescription"`
			Standard          struct {
				Sector  string `json:"sector"`
				Version int    `json:"standardVersion"`
			} `json:"competenceStandard"`
			Outcomes      []string `json:"learningOutcome"`
			EQF           int      `json:"eqfLevel"`
			QNQ           int      `json:"qnqLevel"`
			ISCED         string   `json:"iscedField"`
			Participation []string `json:"participationForm"`
			Assessment    string   `json:"assessmentType"`
			Quality       string   `json:"qualityAssurance"`
			LearningPath  string   `json:"learningPath"`
			Stackable     []string `json:"stackableInto"`
		} `json:"achievement"`
		Result []struct {
			ResultDescription string `json:"resultDescription"`
			Value             string `json:"value"`
			AchievedLevel     string `json:"achievedLevel"`
			Status            string `json:"status"`
		} `json:"result"`
	} `json:"credentialSubject"`
	Evidence []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Narrative string `json:"narrative"`
		Digest    string `json:"digestMultibase"`
	} `json:"evidence"`
	Decision struct {
		ID         string `json:"id"`
		Date       string `json:"decisionDate"`
		Reference  string `json:"decisionReference"`
		Commission string `json:"commission"`
	} `json:"commissionDecision"`
	TitleHolder struct {
		Name string `json:"name"`
	} `json:"titleHolder"`
}

type resultDescJSON struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	ResultType    string `json:"resultType"`
	ValueMax      string `json:"valueMax"`
	RequiredValue string `json:"requiredValue"`
	Levels        []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"rubricCriterionLevel"`
}

// issuerJSON is an issuer: a profile, or only its id.
type issuerJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

func (i *issuerJSON) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &i.ID)
	}
	type plain issuerJSON
	return json.Unmarshal(b, (*plain)(i))
}
