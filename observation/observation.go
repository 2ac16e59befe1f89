// Package observation is the company tutor's observation sheet ("scheda
// di osservazione delle evidenze"), step 5 of the certification process:
// for each student of an experience, one row per observable evidence of
// the agreed design, each given one of the standard's levels, or "not
// observed", with the period and an optional note.
//
// # Versions and locks
//
// A student's sheet is a sequence of versions. The company tutor saves the
// current version as a draft as often as needed, then submits it: from then
// on it is locked and attributed (who, when), and the school tutor
// countersigns it. A correction needs the Chamber to reopen the sheet with
// a reason: that starts a new version, a draft with the values of the one
// before, which is kept as it was. Nothing is ever overwritten once
// submitted, and every saved level is in the audit trail with the value it
// replaced.
//
// "Not observed" is a value of its own, distinct from the lowest level: a
// tutor who could not observe an evidence says so, and a commission does
// not read it as a poor performance.
package observation

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/experience"
)

// State is where a version of a sheet is.
type State string

// The states of a version.
const (
	Draft         State = "draft"         // being filled by the company tutor
	Submitted     State = "submitted"     // locked; awaiting the school tutor's countersignature
	Countersigned State = "countersigned" // locked and countersigned: what a dossier takes
)

// States lists them.
var States = []State{Draft, Submitted, Countersigned}

// Words names the state, as a message argument ("inviata").
func (s State) Words() attesta.Message { return attesta.M("observation.state." + string(s)) }

// Observation is one row of a sheet: the evidence, its level (one of the
// standard scale's values; 0 while not given) or NotObserved, the period
// of observation and a note.
type Observation struct {
	Row         experience.EvidenceRef `json:"row"`
	Level       int                    `json:"level,omitempty"`
	NotObserved bool                   `json:"not_observed,omitempty"`
	From        string                 `json:"from,omitempty"`
	To          string                 `json:"to,omitempty"`
	Note        string                 `json:"note,omitempty"`
}

// Given reports whether the row has a value: a level, or not observed.
func (o *Observation) Given() bool { return o.Level != 0 || o.NotObserved }

// MaxNote bounds a row's note.
const MaxNote = 1000

// MinReason is the shortest reason for reopening a sheet.
const MinReason = 10

// Sheet is one version of a student's observation sheet in an experience.
type Sheet struct {
	ID         string `json:"id"`
	Experience string `json:"experience"`
	Student    string `json:"student"`
	Version    int    `json:"version"`
	State      State  `json:"state"`
	// Revision is the design revision whose rows the sheet has.
	Revision int           `json:"revision"`
	Rows     []Observation `json:"rows"`
	// SavedBy/SavedAt: the last save of the draft.
	SavedBy   string    `json:"saved_by,omitempty"`
	SavedName string    `json:"saved_name,omitempty"`
	SavedAt   time.Time `json:"saved_at,omitzero"`
	// Submitted and Countersigned: who locked it and who countersigned it.
	Submitted     *Signature `json:"submitted,omitempty"`
	Countersigned *Signature `json:"countersigned,omitempty"`
	// Reopened, on a version after the first: who reopened the sheet from
	// the version before, and why.
	Reopened *Signature `json:"reopened,omitempty"`
	Reason   string     `json:"reason,omitempty"`
}

// Signature is an act on a sheet: who, in which role, when.
type Signature struct {
	Person string    `json:"person"`
	Name   string    `json:"name"`
	Role   auth.Role `json:"role"`
	At     time.Time `json:"at"`
}

// SheetID is the id of a student's sheet in an experience, the same for
// all its versions, and known before the first save.
func SheetID(experienceID, student string) string {
	sum := sha256.Sum256([]byte(experienceID + "\x00" + student))
	return "sht-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// Blank returns the first version of a student's sheet for an experience,
// not saved yet: a draft with the rows of the agreed design, empty.
func Blank(e *experience.Experience, design *experience.Design, student string) Sheet {
	s := Sheet{ID: SheetID(e.ID, student), Experience: e.ID, Student: student, Version: 1, State: Draft, Revision: e.Agreed}
	for _, r := range design.Rows() {
		s.Rows = append(s.Rows, Observation{Row: r})
	}
	return s
}

// Apply sets the values of in on the rows of s that in names, and checks
// them against the standard's scale and the experience's dates; rows in
// does not name keep their values (a blank is not an erasure). It returns
// the rows whose value changed, before and after.
func (s *Sheet) Apply(in []Observation, scale []competence.ScaleLevel, start, end string, fe *attesta.FieldErrors) (before, after []Observation) {
	first, _ := experience.Day(start)
	last, _ := experience.Day(end)
	for i, o := range in {
		field := fmt.Sprintf("rows[%d]", i)
		j := slices.IndexFunc(s.Rows, func(r Observation) bool { return r.Row == o.Row })
		if j < 0 {
			fe.Problem(field, "err.observation.row.unknown", o.Row.String())
			continue
		}
		o.Note = strings.TrimSpace(o.Note)
		o.From, o.To = strings.TrimSpace(o.From), strings.TrimSpace(o.To)
		ok := true
		if o.Level != 0 && !slices.ContainsFunc(scale, func(l competence.ScaleLevel) bool { return l.Value == o.Level }) {
			fe.Problem(field+".level", "err.observation.level", o.Level, o.Row.String())
			ok = false
		}
		if o.Level != 0 && o.NotObserved {
			fe.Problem(field+".level", "err.observation.level.both", o.Row.String())
			ok = false
		}
		for _, d := range []struct{ name, v string }{{"from", o.From}, {"to", o.To}} {
			if d.v == "" {
				continue
			}
			day, valid := experience.Day(d.v)
			switch {
			case !valid:
				fe.Problem(field+"."+d.name, "err.experience.day.form", d.v)
				ok = false
			case day.Before(first) || day.After(last):
				fe.Problem(field+"."+d.name, "err.observation.period", start, end)
				ok = false
			}
		}
		if f, okF := experience.Day(o.From); okF {
			if t, okT := experience.Day(o.To); okT && t.Before(f) {
				fe.Problem(field+".to", "err.experience.dates.order")
				ok = false
			}
		}
		if n := utf8.RuneCountInString(o.Note); n > MaxNote {
			fe.Problem(field+".note", "err.experience.text.long", MaxNote)
			ok = false
		} else if strings.IndexFunc(o.Note, func(r rune) bool { return r < ' ' && r != '\n' && r != '\r' || r == 0x7f }) >= 0 {
			fe.Problem(field+".note", "err.experience.text.chars")
			ok = false
		}
		if !ok {
			continue
		}
		cur := s.Rows[j]
		next := cur
		if o.Level != 0 || o.NotObserved {
			next.Level, next.NotObserved = o.Level, o.NotObserved
		}
		if o.From != "" {
			next.From = o.From
		}
		if o.To != "" {
			next.To = o.To
		}
		if o.Note != "" {
			next.Note = o.Note
		}
		if next != cur {
			before, after = append(before, cur), append(after, next)
			s.Rows[j] = next
		}
	}
	return before, after
}

// Missing lists the rows without a value: a sheet is submitted only when
// there is none.
func (s *Sheet) Missing() []experience.EvidenceRef {
	var out []experience.EvidenceRef
	for _, r := range s.Rows {
		if !r.Given() {
			out = append(out, r.Row)
		}
	}
	return out
}

// Locked reports whether the version no longer changes.
func (s *Sheet) Locked() bool { return s.State != Draft }
