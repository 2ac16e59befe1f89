package assessment

import (
	"slices"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/item"
)

// Accommodation is what a candidate's recorded needs give them on a timed
// test, set before the start (as in 1EdTech's Personal Needs and
// Preferences): a multiplier of the time limit (1.5 for half as much again),
// a fixed extra time, or no limit at all.
type Accommodation struct {
	Multiplier float64       `json:"multiplier,omitempty"`
	Extra      time.Duration `json:"extra,omitempty"`
	Unlimited  bool          `json:"unlimited,omitempty"`
	// Reason is the recorded reason, for the audit trail; never shown to
	// other candidates.
	Reason string `json:"reason,omitempty"`
}

// Bounds on an accommodation.
const (
	MaxMultiplier = 3.0
	MaxExtra      = 2 * time.Hour
)

// Validate checks a's bounds.
func (a *Accommodation) Validate(fe *attesta.FieldErrors) {
	if a.Multiplier != 0 && (a.Multiplier < 1 || a.Multiplier > MaxMultiplier) {
		fe.Problem("multiplier", "err.assessment.multiplier", MaxMultiplier)
	}
	if a.Extra < 0 || a.Extra > MaxExtra {
		fe.Problem("extra", "err.assessment.extra", int(MaxExtra/time.Minute))
	}
	if a.Unlimited && (a.Multiplier != 0 || a.Extra != 0) {
		fe.Problem("unlimited", "err.assessment.unlimited")
	}
}

// Limit is the time limit a candidate with accommodation a has on a test
// of limit: 0 for none.
func (a Accommodation) Limit(limit time.Duration) time.Duration {
	if a.Unlimited {
		return 0
	}
	if a.Multiplier > 1 {
		limit = time.Duration(float64(limit) * a.Multiplier).Round(time.Second)
	}
	return limit + a.Extra
}

// State is where an attempt is.
type State string

// The states.
const (
	Active    State = "active"    // the candidate is answering
	Paused    State = "paused"    // the proctor paused it: no answers, the clock stopped
	Submitted State = "submitted" // ended by the candidate, the proctor, or its deadline
)

// States lists them.
var States = []State{Active, Paused, Submitted}

// Answer is a response saved, and when: At its last change, First when
// the item was first answered (what item analysis takes the time spent on
// it from).
type Answer struct {
	Item     string        `json:"item"`
	Response item.Response `json:"response"`
	At       time.Time     `json:"at"`
	First    time.Time     `json:"first,omitzero"`
}

// Event is something recorded on an attempt for the commission's
// information: the page lost focus, text was pasted. It never fails a
// candidate by itself.
type Event struct {
	Kind string    `json:"kind"` // "blur", "focus", "paste"
	Item string    `json:"item,omitempty"`
	At   time.Time `json:"at"`
}

// Attempt is a candidate's sitting of a form.
type Attempt struct {
	ID        string `json:"id"`
	Sitting   string `json:"sitting"`
	Candidate string `json:"candidate"`
	// Number counts the candidate's attempts at the blueprint, from 1.
	Number int   `json:"number"`
	Form   Form  `json:"form"`
	State  State `json:"state"`
	// Started is when the clock started; Limit the time the candidate has
	// (accommodation applied; 0: none); Accommodation what was applied.
	Started       time.Time     `json:"started"`
	Limit         time.Duration `json:"limit"`
	Accommodation Accommodation `json:"accommodation"`
	// PausedFor is the time the attempt spent paused before; PausedAt,
	// while paused, since when.
	PausedFor time.Duration `json:"paused_for,omitempty"`
	PausedAt  time.Time     `json:"paused_at,omitzero"`
	Answers   []Answer      `json:"answers"`
	Events    []Event       `json:"events,omitempty"`
	// Ended is when it was submitted; Expired says it was its deadline
	// that submitted it.
	Ended   time.Time `json:"ended,omitzero"`
	Expired bool      `json:"expired,omitempty"`
}

// Deadline is when the attempt's time is up (the zero time: never), as of
// now: while paused, the clock stands still.
func (a *Attempt) Deadline(now time.Time) time.Time {
	if a.Limit == 0 {
		return time.Time{}
	}
	d := a.Started.Add(a.Limit + a.PausedFor)
	if a.State == Paused {
		d = d.Add(now.Sub(a.PausedAt))
	}
	return d
}

// Remaining is the time left at now (0 when none is left; the limit
// itself for an attempt without one is meaningless: check Limit).
func (a *Attempt) Remaining(now time.Time) time.Duration {
	if a.Limit == 0 {
		return 0
	}
	return max(0, a.Deadline(now).Sub(now))
}

// Settle submits an attempt whose time ran out, as of its deadline, with
// the answers saved; it reports whether it did.
func (a *Attempt) Settle(now time.Time) bool {
	if a.State != Active || a.Limit == 0 {
		return false
	}
	d := a.Deadline(now)
	if !now.After(d.Add(Grace)) {
		return false
	}
	a.State, a.Ended, a.Expired = Submitted, d, true
	return true
}

// open checks that the attempt takes answers at now.
func (a *Attempt) open(now time.Time) error {
	a.Settle(now)
	switch a.State {
	case Submitted:
		if a.Expired {
			return attesta.E(attesta.Conflict, "err.assessment.late", a.ID)
		}
		return attesta.E(attesta.Conflict, "err.assessment.submitted", a.ID)
	case Paused:
		return attesta.E(attesta.Conflict, "err.assessment.paused", a.ID)
	}
	if d := a.Deadline(now); a.Limit != 0 && now.After(d.Add(Grace)) {
		return attesta.E(attesta.Conflict, "err.assessment.late", a.ID)
	}
	return nil
}

// Answer saves the response to item it at now, replacing one given
// before; an empty response withdraws it. It refuses an item not on the
// form, a response the item cannot hold, and any answer after the deadline
// and its grace, when paused or once submitted.
func (a *Attempt) Answer(now time.Time, it *item.Item, r item.Response) error {
	if err := a.open(now); err != nil {
		return err
	}
	if !slices.ContainsFunc(a.Form.Items, func(f FormItem) bool { return f.Item == it.ID && f.Version == it.Version }) {
		return attesta.E(attesta.Invalid, "err.assessment.item", it.ID)
	}
	if err := it.Check(r); err != nil {
		return err
	}
	i := slices.IndexFunc(a.Answers, func(x Answer) bool { return x.Item == it.ID })
	if len(r) == 0 {
		if i >= 0 {
			a.Answers = slices.Delete(a.Answers, i, i+1)
		}
		return nil
	}
	ans := Answer{Item: it.ID, Response: slices.Clone(r), At: now, First: now}
	if i >= 0 {
		if !a.Answers[i].First.IsZero() {
			ans.First = a.Answers[i].First
		}
		a.Answers[i] = ans
	} else {
		a.Answers = append(a.Answers, ans)
	}
	return nil
}

// Note records an event for the commission.
func (a *Attempt) Note(now time.Time, kind, itemID string) error {
	if kind != "blur" && kind != "focus" && kind != "paste" {
		return attesta.E(attesta.Invalid, "err.assessment.event", kind)
	}
	if a.State == Submitted {
		return attesta.E(attesta.Conflict, "err.assessment.submitted", a.ID)
	}
	if len(a.Events) >= MaxEvents {
		return nil // enough said: the rest adds nothing for a commission
	}
	a.Events = append(a.Events, Event{Kind: kind, Item: itemID, At: now})
	return nil
}

// MaxEvents bounds the events kept on an attempt.
const MaxEvents = 500

// Submit ends the attempt at now, by the candidate or the proctor. An
// attempt already past its deadline is settled as of its deadline instead.
func (a *Attempt) Submit(now time.Time) error {
	if a.Settle(now) {
		return nil
	}
	if a.State == Submitted {
		return attesta.E(attesta.Conflict, "err.assessment.submitted", a.ID)
	}
	if a.State == Paused {
		a.PausedFor += now.Sub(a.PausedAt)
		a.PausedAt = time.Time{}
	}
	a.State, a.Ended = Submitted, now
	return nil
}

// Pause stops the attempt's clock at now (the proctor's act).
func (a *Attempt) Pause(now time.Time) error {
	if a.Settle(now) || a.State != Active {
		return attesta.E(attesta.Conflict, "err.assessment.notactive", a.ID)
	}
	a.State, a.PausedAt = Paused, now
	return nil
}

// Resume restarts the attempt's clock at now.
func (a *Attempt) Resume(now time.Time) error {
	if a.State != Paused {
		return attesta.E(attesta.Conflict, "err.assessment.notpaused", a.ID)
	}
	a.PausedFor += now.Sub(a.PausedAt)
	a.State, a.PausedAt = Active, time.Time{}
	return nil
}

// MayStart says whether a candidate whose earlier attempts at the
// blueprint are past may start another at now: one active attempt at a
// time, no more than the blueprint's attempts, and the cool-down after the
// last one's end.
func (b *Blueprint) MayStart(past []Attempt, now time.Time) error {
	for _, a := range past {
		if a.State != Submitted {
			return attesta.E(attesta.Conflict, "err.assessment.active", a.ID)
		}
	}
	if len(past) >= b.Attempts {
		return attesta.E(attesta.Conflict, "err.assessment.attempts.used", b.Attempts)
	}
	var last time.Time
	for _, a := range past {
		if a.Ended.After(last) {
			last = a.Ended
		}
	}
	if next := last.Add(b.Cooldown); len(past) > 0 && now.Before(next) {
		return attesta.E(attesta.Conflict, "err.assessment.cooldown.wait", attesta.DateTime(next))
	}
	return nil
}
