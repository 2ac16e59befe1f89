package assessment

import (
	"crypto/rand"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
)

// Sitting is a session of a test: a blueprint, a window in which its
// candidates may start, an access code they type, the proctors in the room
// and the candidates, each authorized by a proctor before they start.
type Sitting struct {
	ID        string `json:"id"`
	Blueprint string `json:"blueprint"`
	Title     string `json:"title"`
	// Owner is the organisation that opened it: a Chamber, or a school for
	// its classes; OwnerProvince where it is.
	Owner         string    `json:"owner"`
	OwnerProvince string    `json:"owner_province,omitempty"`
	Opens         time.Time `json:"opens"`
	Closes        time.Time `json:"closes"`
	// Code is the access code the proctor gives the room.
	Code       string      `json:"code"`
	Proctors   []string    `json:"proctors"`
	Candidates []Candidate `json:"candidates"`
	CreatedBy  string      `json:"created_by"`
	CreatedAt  time.Time   `json:"created_at"`
	// Ended is when the proctor or the owner ended it (no attempt starts
	// after); Released when its results were released to the candidates.
	Ended    time.Time `json:"ended,omitzero"`
	Released time.Time `json:"released,omitzero"`
}

// Candidate is a student called to a sitting, with their school, and
// whether a proctor authorized them to start.
type Candidate struct {
	Person       string    `json:"person"`
	Name         string    `json:"name,omitempty"`
	School       string    `json:"school"`
	Province     string    `json:"province,omitempty"`
	AuthorizedBy string    `json:"authorized_by,omitempty"`
	AuthorizedAt time.Time `json:"authorized_at,omitzero"`
}

// Authorized reports whether a proctor let the candidate start.
func (c *Candidate) Authorized() bool { return !c.AuthorizedAt.IsZero() }

// Candidate returns the sitting's candidate person, or nil.
func (s *Sitting) Candidate(person string) *Candidate {
	i := slices.IndexFunc(s.Candidates, func(c Candidate) bool { return c.Person == person })
	if i < 0 {
		return nil
	}
	return &s.Candidates[i]
}

// Open reports whether candidates may start at now: within the window and
// not ended.
func (s *Sitting) Open(now time.Time) bool {
	return s.Ended.IsZero() && !now.Before(s.Opens) && now.Before(s.Closes)
}

// Object describes the sitting for authorization, as seen by p: it belongs
// to its owner and to its candidates' schools; a candidate reaches it as
// their own.
func (s *Sitting) Object(p *auth.Principal) auth.Object {
	o := auth.Object{Kind: auth.SittingObject, ID: s.ID, Places: []auth.Place{{Org: s.Owner, Province: s.OwnerProvince}}}
	for _, c := range s.Candidates {
		if !slices.ContainsFunc(o.Places, func(pl auth.Place) bool { return pl.Org == c.School }) {
			o.Places = append(o.Places, auth.Place{Org: c.School, Province: c.Province})
		}
	}
	if p != nil && p.Role == auth.Student && s.Candidate(p.Person) != nil {
		o.Person = p.Person
	}
	return o
}

// Proctor reports whether p proctors s: named as its proctor, or the
// operator of the Chamber or the referent of the school that owns it.
func (s *Sitting) Proctor(p *auth.Principal) bool {
	if slices.Contains(s.Proctors, p.Person) {
		return true
	}
	return p.Org == s.Owner && (p.Role == auth.ChamberOperator || p.Role == auth.SchoolReferent)
}

// Releaser reports whether p is of those who release a sitting's results:
// the Chamber of Commerce whose territory holds it, or the national body —
// who certify, not the school that ran it.
func Releaser(p *auth.Principal) bool {
	return p.Role == auth.ChamberOperator || p.Role == auth.NationalAdmin
}

// Releasable reports whether the sitting's results may be released at
// now: it has ended (or its window closed), and they are not released yet.
func (s *Sitting) Releasable(now time.Time) bool {
	return s.Released.IsZero() && (!s.Ended.IsZero() || !now.Before(s.Closes))
}

// Irregularity is a category of irregularity a proctor records.
type Irregularity string

// The categories.
const (
	Environment Irregularity = "environment" // noise, a power cut, the room
	ByCandidate Irregularity = "candidate"   // a candidate's behaviour
	ByStaff     Irregularity = "staff"       // a proctor's or staff's error
	Technical   Irregularity = "technical"   // the computer, the network, the platform
)

// Irregularities lists them.
var Irregularities = []Irregularity{Environment, ByCandidate, ByStaff, Technical}

// EventKind is what happened in a sitting.
type EventKind string

// The kinds.
const (
	Opened        EventKind = "opened"
	Authorized    EventKind = "authorized"    // a proctor let a candidate start
	Started       EventKind = "started"       // a candidate started an attempt
	Accommodated  EventKind = "accommodated"  // an accommodation applied to an attempt
	PausedEvent   EventKind = "paused"        // a proctor paused an attempt
	Resumed       EventKind = "resumed"       // and resumed it
	EndedAttempt  EventKind = "ended_attempt" // a proctor ended an attempt
	SubmittedOne  EventKind = "submitted"     // a candidate submitted
	ExpiredOne    EventKind = "expired"       // an attempt reached its deadline
	Irregular     EventKind = "irregularity"  // a proctor recorded an irregularity
	EndedSitting  EventKind = "ended"         // the sitting was ended
	ReleasedEvent EventKind = "released"      // its results were released
)

// EventKinds lists them.
var EventKinds = []EventKind{Opened, Authorized, Started, Accommodated, PausedEvent, Resumed, EndedAttempt, SubmittedOne,
	ExpiredOne, Irregular, EndedSitting, ReleasedEvent}

// Words names the kind, as a message argument.
func (k EventKind) Words() attesta.Message { return attesta.M("assessment.event." + string(k)) }

// Words names the category, as a message argument.
func (i Irregularity) Words() attesta.Message {
	return attesta.M("assessment.irregularity." + string(i))
}

// SittingEvent is an entry of a sitting's history, append-only.
type SittingEvent struct {
	Seq       int64        `json:"seq"`
	Sitting   string       `json:"sitting"`
	Kind      EventKind    `json:"kind"`
	Attempt   string       `json:"attempt,omitempty"`
	Candidate string       `json:"candidate,omitempty"`
	Category  Irregularity `json:"category,omitempty"`
	Note      string       `json:"note,omitempty"`
	By        string       `json:"by"`
	ByName    string       `json:"by_name"`
	At        time.Time    `json:"at"`
}

// codeAlphabet has no letters and digits that read alike (0/O, 1/I/L).
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewCode makes an access code of six characters from rnd.
func NewCode(rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	b := make([]byte, 6)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", err
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return sb.String(), nil
}

// SameCode compares a code typed with a sitting's, ignoring case and
// spaces.
func SameCode(typed, code string) bool {
	typed = strings.ToUpper(strings.Join(strings.Fields(typed), ""))
	return code != "" && typed == code
}
