package commission

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/attesta/attesta/notary"
)

// Minutes is the session's minutes ("verbale") as a document: who sat, who
// declared, the criteria, every decision with its reason and votes, who
// signed. Its JSON names are part of the format: its digest, over the RFC
// 8785 canonical form, is what the transparency log holds once the minutes
// are signed (digest only: the log holds no personal data), so a later
// dispute can prove what the commission decided.
type Minutes struct {
	// ID is urn:attesta:minutes:<session id>.
	ID         string             `json:"id"`
	Type       string             `json:"type"` // "CommissionMinutes"
	Commission string             `json:"commission"`
	Chamber    string             `json:"chamber"`
	Sector     string             `json:"sector"`
	Act        string             `json:"act"`
	Date       string             `json:"date"`
	Quorum     Quorum             `json:"quorum"`
	Members    []MinutesMember    `json:"members"`
	Criteria   *Criteria          `json:"criteria"`
	Candidates []MinutesCandidate `json:"candidates"`
	Decisions  []MinutesDecision  `json:"decisions"`
	Signatures []Signature        `json:"signatures"`
	Closed     string             `json:"closed,omitempty"`
}

// MinutesMember is a member in the minutes: present or not, when they
// declared, the candidates they took no part for.
type MinutesMember struct {
	Member
	Present  bool     `json:"present"`
	Declared string   `json:"declared,omitempty"`
	Recused  []string `json:"recused,omitempty"`
}

// MinutesCandidate is a candidate in the minutes.
type MinutesCandidate struct {
	Person string `json:"person"`
	Name   string `json:"name"`
}

// MinutesDecision is a decision in the minutes.
type MinutesDecision struct {
	Decision
	At          string `json:"at"`
	ReviewUntil string `json:"review_until,omitempty"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// Minutes draws the session's minutes as they stand.
func (s *Session) Minutes() Minutes {
	m := Minutes{ID: "urn:attesta:minutes:" + s.ID, Type: "CommissionMinutes", Commission: s.Commission.ID, Chamber: s.Commission.Chamber,
		Sector: s.Commission.Sector, Act: s.Commission.Act, Date: s.Date.UTC().Format(time.DateOnly), Quorum: s.Quorum, Criteria: s.Criteria,
		Members: []MinutesMember{}, Candidates: []MinutesCandidate{}, Decisions: []MinutesDecision{}, Signatures: []Signature{}, Closed: stamp(s.Closed)}
	for _, mb := range s.Commission.Members {
		mm := MinutesMember{Member: mb, Present: slices.Contains(s.Present, mb.Person)}
		if i := slices.IndexFunc(s.Declarations, func(d Declaration) bool { return d.Person == mb.Person }); i >= 0 {
			mm.Declared = stamp(s.Declarations[i].At)
		}
		for _, c := range s.Candidates {
			if s.RecusedFor(mb.Person, c.Person) {
				mm.Recused = append(mm.Recused, c.Person)
			}
		}
		m.Members = append(m.Members, mm)
	}
	for _, c := range s.Candidates {
		m.Candidates = append(m.Candidates, MinutesCandidate{Person: c.Person, Name: c.Name})
	}
	for _, d := range s.Decisions {
		m.Decisions = append(m.Decisions, MinutesDecision{Decision: d, At: stamp(d.At), ReviewUntil: stamp(d.ReviewUntil)})
	}
	m.Signatures = append(m.Signatures, s.Signatures...)
	return m
}

// Marshal encodes the minutes as JSON.
func (m *Minutes) Marshal() []byte {
	data, _ := json.Marshal(m)
	return data
}

// Digest is the digest of the minutes' document: "sha256:" and the hex
// SHA-256 of its RFC 8785 canonical form.
func Digest(document []byte) string {
	sum := notary.CredentialDigest(document)
	return "sha256:" + hex.EncodeToString(sum[:])
}
