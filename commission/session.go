package commission

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/dossier"
)

// Quorum is how many voting members a session needs present: all of them
// (the "collegio perfetto", the default) or a majority.
type Quorum string

// The rules.
const (
	All      Quorum = "all"
	Majority Quorum = "majority"
)

// Outcome is a decision on a candidate's competence.
type Outcome string

// The outcomes.
const (
	Certified    Outcome = "certified"
	NotCertified Outcome = "not_certified"
	Suspended    Outcome = "suspended" // pending more evidence
)

// Outcomes lists them.
var Outcomes = []Outcome{Certified, NotCertified, Suspended}

// Criteria are the rule a commission fixes at its first session to turn a
// candidate's evidence into a proposal per competence: versioned, shown to
// the members; the commission still decides.
type Criteria struct {
	Version int `json:"version"`
	// MinLevel is the observation level a row needs (1–3), and LevelShare
	// the share of a competence's rows observed that must reach it.
	MinLevel   int     `json:"min_level"`
	LevelShare float64 `json:"level_share"`
	// MaxNotObserved is the largest share of a competence's rows "not
	// observed" before the proposal is to suspend, pending more evidence.
	MaxNotObserved float64 `json:"max_not_observed"`
	// TestRequired says the competence's test result must pass its
	// threshold.
	TestRequired bool `json:"test_required"`
}

// Validate checks the criteria's bounds.
func (c *Criteria) Validate(fe *attesta.FieldErrors) {
	if c.MinLevel < 1 || c.MinLevel > 3 {
		fe.Problem("min_level", "err.commission.criteria.level")
	}
	if c.LevelShare <= 0 || c.LevelShare > 1 {
		fe.Problem("level_share", "err.commission.criteria.share")
	}
	if c.MaxNotObserved < 0 || c.MaxNotObserved >= 1 {
		fe.Problem("max_not_observed", "err.commission.criteria.notobserved")
	}
}

// Evidence is what a proposal for one competence rests on: the levels of
// the competence's rows in the countersigned sheet (0: not observed), and
// the competence's test result.
type Evidence struct {
	// Rows are the competence's rows of the sheet (experience.EvidenceRef
	// strings), and Levels their levels, in the same order.
	Rows       []string `json:"rows"`
	Levels     []int    `json:"levels"`
	TestTaken  bool     `json:"test_taken"`
	TestPassed bool     `json:"test_passed"`
	// The competence's result at the test: its score of Max, the
	// percentage and the threshold it was measured against.
	TestScore     float64 `json:"test_score,omitempty"`
	TestMax       float64 `json:"test_max,omitempty"`
	TestPercent   float64 `json:"test_percent,omitempty"`
	TestThreshold int     `json:"test_threshold,omitempty"`
	// TestDimensions are the result's parts by dimension.
	TestDimensions []dossier.TestDimension `json:"test_dimensions,omitempty"`
}

// Propose applies the criteria to a competence's evidence.
func (c *Criteria) Propose(e Evidence) Outcome {
	if len(e.Levels) == 0 {
		return Suspended
	}
	observed, reached := 0, 0
	for _, l := range e.Levels {
		if l == 0 {
			continue
		}
		observed++
		if l >= c.MinLevel {
			reached++
		}
	}
	if float64(len(e.Levels)-observed) > c.MaxNotObserved*float64(len(e.Levels))+1e-9 || c.TestRequired && !e.TestTaken {
		return Suspended
	}
	if observed > 0 && float64(reached) >= c.LevelShare*float64(observed)-1e-9 && (!c.TestRequired || e.TestPassed) {
		return Certified
	}
	return NotCertified
}

// Decision is the commission's decision on a candidate's competence.
type Decision struct {
	Candidate  string  `json:"candidate"`
	Competence string  `json:"competence"`
	Outcome    Outcome `json:"outcome"`
	Proposal   Outcome `json:"proposal"`
	Reason     string  `json:"reason"`
	// ByCriteria says the commission adopted the criteria's proposal for
	// the candidates it had not decided one by one (DecideProposals): the
	// reason is then the criteria's, said in the reader's language.
	ByCriteria bool `json:"by_criteria,omitempty"`
	// For are the voting members present and not recused who agreed;
	// Dissent those who did not (a majority decision records them).
	For     []string  `json:"for"`
	Dissent []string  `json:"dissent,omitempty"`
	At      time.Time `json:"at"`
	// ReviewUntil, for a negative outcome, ends the candidate's window to
	// ask for a review; the outcome is final after it.
	ReviewUntil time.Time `json:"review_until,omitzero"`
}

// Unanimous reports whether nobody dissented.
func (d *Decision) Unanimous() bool { return len(d.Dissent) == 0 }

// Final reports whether the decision is final at now.
func (d *Decision) Final(now time.Time) bool {
	return d.ReviewUntil.IsZero() || now.After(d.ReviewUntil)
}

// Signature is a member's signature of the minutes, or their recorded
// refusal to sign.
type Signature struct {
	Person  string    `json:"person"`
	Refused bool      `json:"refused,omitempty"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
}

// Session is a sitting of a commission.
type Session struct {
	ID         string     `json:"id"`
	Commission Commission `json:"commission"`
	// Number is the session's number in its commission (1, 2, …): the
	// minutes are "Verbale n. Number".
	Number     int         `json:"number"`
	Date       time.Time   `json:"date"`
	Quorum     Quorum      `json:"quorum"`
	Candidates []Candidate `json:"candidates"`
	// Present are the members present, recorded before the first
	// decision.
	Present      []string      `json:"present"`
	Declarations []Declaration `json:"declarations"`
	// Recused are the conflicts attesta found, by candidate: the members
	// who take no part for them.
	Recused  map[string][]string `json:"recused,omitempty"`
	Criteria *Criteria           `json:"criteria,omitempty"`
	// ReviewWindow is the time a candidate has to ask for the review of
	// a negative outcome.
	ReviewWindow time.Duration `json:"review_window"`
	Decisions    []Decision    `json:"decisions"`
	Signatures   []Signature   `json:"signatures"`
	// Closed is when the last member present signed (or refused): the
	// decisions no longer change.
	Closed time.Time `json:"closed,omitzero"`
	// Once closed: the minutes' digest and the index of its entry in the
	// transparency log, and the job issuing the session's credentials.
	MinutesDigest string    `json:"minutes_digest,omitempty"`
	LogIndex      int64     `json:"log_index,omitempty"`
	Job           string    `json:"job,omitempty"`
	CreatedBy     string    `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`

	// document is the signed minutes, drawn when the session closes, for
	// the store to keep.
	document []byte
	// byCandidate and byDecision index the candidates and the decisions;
	// each is checked against its slice before it is trusted.
	byCandidate map[string]int
	byDecision  map[Key]int
}

// Candidate returns the session's candidate person, or nil.
func (s *Session) Candidate(person string) *Candidate {
	i, ok := s.byCandidate[person]
	if !ok || i >= len(s.Candidates) || s.Candidates[i].Person != person {
		s.byCandidate = make(map[string]int, len(s.Candidates))
		for j, c := range s.Candidates {
			s.byCandidate[c.Person] = j
		}
		if i, ok = s.byCandidate[person]; !ok {
			return nil
		}
	}
	return &s.Candidates[i]
}

// Decision returns the decision on candidate's competence, or nil.
func (s *Session) Decision(candidate, competence string) *Decision {
	k := Key{candidate, competence}
	i, ok := s.byDecision[k]
	if !ok || i >= len(s.Decisions) || s.Decisions[i].Candidate != candidate || s.Decisions[i].Competence != competence {
		if ok || len(s.byDecision) != len(s.Decisions) {
			s.indexDecisions()
		}
		if i, ok = s.byDecision[k]; !ok {
			return nil
		}
	}
	return &s.Decisions[i]
}

// indexDecisions indexes the decisions by candidate and competence: a
// session of thousands of candidates looks them up as often.
func (s *Session) indexDecisions() {
	s.byDecision = make(map[Key]int, len(s.Decisions))
	for j, d := range s.Decisions {
		s.byDecision[Key{d.Candidate, d.Competence}] = j
	}
}

// Recuse records that member person, having declared, declares a
// conflict with candidate after all: they take no part for them from now
// on. The decisions on the candidate they voted on are withdrawn, to be
// taken again without them (the minutes are not signed yet); Recuse
// returns those.
func (s *Session) Recuse(person, candidate string) ([]Decision, error) {
	if !s.Closed.IsZero() {
		return nil, attesta.E(attesta.Conflict, "err.commission.closed", s.ID)
	}
	i := slices.IndexFunc(s.Declarations, func(d Declaration) bool { return d.Person == person })
	if i < 0 {
		return nil, attesta.E(attesta.Conflict, "err.commission.undeclared.self")
	}
	if s.Candidate(candidate) == nil {
		return nil, attesta.E(attesta.NotFound, "err.commission.candidate.unknown", candidate)
	}
	if s.RecusedFor(person, candidate) {
		return nil, attesta.E(attesta.Conflict, "err.commission.recused.already")
	}
	var withdrawn []Decision
	s.Decisions = slices.DeleteFunc(s.Decisions, func(d Decision) bool {
		voted := d.Candidate == candidate && (slices.Contains(d.For, person) || slices.Contains(d.Dissent, person))
		if voted {
			withdrawn = append(withdrawn, d)
		}
		return voted
	})
	s.Declarations[i].Recused = append(s.Declarations[i].Recused, candidate)
	return withdrawn, nil
}

// Attend records the members present, before the first decision.
func (s *Session) Attend(present []string) error {
	if !s.Closed.IsZero() {
		return attesta.E(attesta.Conflict, "err.commission.closed", s.ID)
	}
	if len(s.Decisions) > 0 {
		return attesta.E(attesta.Conflict, "err.commission.attend.late")
	}
	var fe attesta.FieldErrors
	var out []string
	for _, p := range present {
		switch {
		case s.Commission.Member(p) == nil:
			fe.Problem("present", "err.commission.notmember")
		case !slices.Contains(out, p):
			out = append(out, p)
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	s.Present = out
	return nil
}

// Declared reports whether person declared for the session.
func (s *Session) Declared(person string) bool {
	return slices.ContainsFunc(s.Declarations, func(d Declaration) bool { return d.Person == person })
}

// RecusedFor reports whether member person takes no part for candidate:
// found by attesta, or declared.
func (s *Session) RecusedFor(person, candidate string) bool {
	if slices.Contains(s.Recused[candidate], person) {
		return true
	}
	i := slices.IndexFunc(s.Declarations, func(d Declaration) bool { return d.Person == person })
	return i >= 0 && slices.Contains(s.Declarations[i].Recused, candidate)
}

// MaySee reports whether member person may see candidate's dossier and
// test: declared for the session, and not recused for the candidate.
func (s *Session) MaySee(person, candidate string) bool {
	return s.Commission.Member(person) != nil && s.Declared(person) && !s.RecusedFor(person, candidate)
}

// Declare records member person's declaration at now.
func (s *Session) Declare(person string, recused []string, now time.Time) error {
	if s.Commission.Member(person) == nil {
		return attesta.E(attesta.Forbidden, "err.commission.notmember")
	}
	if !s.Closed.IsZero() {
		return attesta.E(attesta.Conflict, "err.commission.closed", s.ID)
	}
	if s.Declared(person) {
		return attesta.E(attesta.Conflict, "err.commission.declared")
	}
	for _, c := range recused {
		if !slices.ContainsFunc(s.Candidates, func(x Candidate) bool { return x.Person == c }) {
			return attesta.E(attesta.Invalid, "err.commission.candidate.unknown", c)
		}
	}
	s.Declarations = append(s.Declarations, Declaration{Person: person, At: now, Recused: slices.Clone(recused)})
	return nil
}

// Quorate reports whether the session has its quorum: the voting members
// present (substitutes counting for absent ones) against its rule.
func (s *Session) Quorate() bool {
	seats, present := 0, 0
	for _, m := range s.Commission.Members {
		if m.Role.Votes() {
			seats++
		}
	}
	for _, m := range s.Commission.Members {
		if (m.Role.Votes() || m.Role == Substitute) && slices.Contains(s.Present, m.Person) {
			present++
		}
	}
	if s.Quorum == Majority {
		return present*2 > seats
	}
	return present >= seats
}

// FixCriteria fixes the session's criteria, once, before any decision.
func (s *Session) FixCriteria(c Criteria) error {
	if !s.Closed.IsZero() {
		return attesta.E(attesta.Conflict, "err.commission.closed", s.ID)
	}
	if len(s.Decisions) > 0 {
		return attesta.E(attesta.Conflict, "err.commission.criteria.late")
	}
	var fe attesta.FieldErrors
	c.Validate(&fe)
	if err := fe.Err(); err != nil {
		return err
	}
	if s.Criteria != nil {
		c.Version = s.Criteria.Version + 1
	} else {
		c.Version = 1
	}
	s.Criteria = &c
	return nil
}

// MinReason and MaxReason bound the reason of a decision.
const (
	MinReason = 10
	MaxReason = 4000
)

// Decide records the decision on candidate's competence at now: with the
// quorum present, the criteria fixed, by the voting members present and
// not recused (for, and dissenting: a majority of them for), with a
// reason; a negative outcome opens the review window. A decision already
// taken is replaced only before the minutes are signed.
func (s *Session) Decide(d Decision, now time.Time) error {
	if !s.Closed.IsZero() {
		return attesta.E(attesta.Conflict, "err.commission.closed", s.ID)
	}
	if !s.Quorate() {
		return attesta.E(attesta.Conflict, "err.commission.quorum")
	}
	if s.Criteria == nil {
		return attesta.E(attesta.Conflict, "err.commission.criteria.none")
	}
	var fe attesta.FieldErrors
	c := s.Candidate(d.Candidate)
	var e Evidence
	if c == nil {
		fe.Problem("candidate", "err.commission.candidate.unknown", d.Candidate)
	} else if ev, ok := c.Evidence[d.Competence]; !ok {
		fe.Problem("competence", "err.commission.competence", d.Competence)
	} else {
		e = ev
	}
	if !slices.Contains(Outcomes, d.Outcome) {
		fe.Problem("outcome", "err.commission.outcome", string(d.Outcome))
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if n := utf8.RuneCountInString(d.Reason); !d.ByCriteria && (n < MinReason || n > MaxReason) {
		fe.Problem("reason", "err.commission.reason", MinReason)
	}
	eligible := s.Eligible(d.Candidate)
	for _, p := range append(slices.Clone(d.For), d.Dissent...) {
		switch {
		case s.RecusedFor(p, d.Candidate):
			fe.Problem("for", "err.commission.vote.recused", p)
		case !slices.Contains(eligible, p):
			fe.Problem("for", "err.commission.vote.member", p)
		case !s.Declared(p):
			fe.Problem("for", "err.commission.vote.undeclared", p)
		}
	}
	voted := append(slices.Clone(d.For), d.Dissent...)
	slices.Sort(voted)
	all := slices.Clone(eligible)
	slices.Sort(all)
	if !slices.Equal(slices.Compact(voted), all) || len(voted) != len(all) {
		fe.Problem("for", "err.commission.vote.all")
	}
	if len(d.For)*2 <= len(eligible) {
		fe.Problem("for", "err.commission.vote.majority")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	d.Proposal, d.At = s.Criteria.Propose(e), now
	d.ReviewUntil = time.Time{}
	if d.Outcome != Certified {
		d.ReviewUntil = now.Add(s.ReviewWindow)
	}
	if x := s.Decision(d.Candidate, d.Competence); x != nil {
		*x = d
	} else {
		s.Decisions = append(s.Decisions, d)
		if s.byDecision != nil && len(s.byDecision) == len(s.Decisions)-1 {
			s.byDecision[Key{d.Candidate, d.Competence}] = len(s.Decisions) - 1
		}
	}
	return nil
}

// Undecided counts the candidates' competences without a decision.
func (s *Session) Undecided() int {
	n := 0
	for _, c := range s.Candidates {
		for code := range c.Evidence {
			if s.Decision(c.Person, code) == nil {
				n++
			}
		}
	}
	return n
}

// Eligible lists the members who vote on candidate: the voting members
// present and not recused for them and, in the seats of those absent or
// recused, the substitutes present and not recused, in the order of the
// nomination.
func (s *Session) Eligible(candidate string) []string {
	var out []string
	vacant := 0
	for _, m := range s.Commission.Members {
		if !m.Role.Votes() {
			continue
		}
		if slices.Contains(s.Present, m.Person) && !s.RecusedFor(m.Person, candidate) {
			out = append(out, m.Person)
		} else {
			vacant++
		}
	}
	for _, m := range s.Commission.Members {
		if vacant > 0 && m.Role == Substitute && slices.Contains(s.Present, m.Person) && !s.RecusedFor(m.Person, candidate) {
			out = append(out, m.Person)
			vacant--
		}
	}
	return out
}

// Proposal returns the criteria's proposal for candidate's competence
// (Suspended when no criteria are fixed, or the competence is unknown).
func (s *Session) Proposal(candidate, competence string) Outcome {
	c := s.Candidate(candidate)
	if c == nil || s.Criteria == nil {
		return Suspended
	}
	e, ok := c.Evidence[competence]
	if !ok {
		return Suspended
	}
	return s.Criteria.Propose(e)
}

// DecideProposals adopts the criteria's proposal, unanimously, for every
// candidate's competence not yet decided, and returns how many it
// decided: how a commission of hundreds of candidates decides the plain
// cases at once, after deciding the others one by one. A candidate whose
// every voting member is recused is left to be decided one by one (and
// so is nothing: the quorum rule still applies).
func (s *Session) DecideProposals(now time.Time) (int, error) {
	if !s.Closed.IsZero() {
		return 0, attesta.E(attesta.Conflict, "err.commission.closed", s.ID)
	}
	if !s.Quorate() {
		return 0, attesta.E(attesta.Conflict, "err.commission.quorum")
	}
	if s.Criteria == nil {
		return 0, attesta.E(attesta.Conflict, "err.commission.criteria.none")
	}
	for _, m := range s.Commission.Members {
		if (m.Role.Votes() || m.Role == Substitute) && slices.Contains(s.Present, m.Person) && !s.Declared(m.Person) {
			return 0, attesta.E(attesta.Conflict, "err.commission.undeclared")
		}
	}
	decided := map[[2]string]bool{}
	for _, d := range s.Decisions {
		decided[[2]string{d.Candidate, d.Competence}] = true
	}
	n := 0
	for _, c := range s.Candidates {
		eligible := s.Eligible(c.Person)
		if len(eligible) == 0 {
			continue
		}
		for _, code := range c.Competences() {
			if decided[[2]string{c.Person, code}] {
				continue
			}
			d := Decision{Candidate: c.Person, Competence: code, Outcome: s.Criteria.Propose(c.Evidence[code]), ByCriteria: true,
				For: slices.Clone(eligible)}
			if err := s.Decide(d, now); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Sign records member person's signature of the minutes at now, or their
// refusal with its reason. When every member present has signed or
// refused, the session is closed: its decisions no longer change.
func (s *Session) Sign(person string, refuse bool, reason string, now time.Time) error {
	if !s.Closed.IsZero() {
		return attesta.E(attesta.Conflict, "err.commission.closed", s.ID)
	}
	if !slices.Contains(s.Present, person) {
		return attesta.E(attesta.Forbidden, "err.commission.sign.absent")
	}
	if slices.ContainsFunc(s.Signatures, func(x Signature) bool { return x.Person == person }) {
		return attesta.E(attesta.Conflict, "err.commission.sign.twice")
	}
	if len(s.Decisions) == 0 {
		return attesta.E(attesta.Conflict, "err.commission.sign.nothing")
	}
	if n := s.Undecided(); n > 0 {
		return attesta.E(attesta.Conflict, "err.commission.sign.undecided", n)
	}
	reason = strings.TrimSpace(reason)
	if refuse && utf8.RuneCountInString(reason) < MinReason {
		var fe attesta.FieldErrors
		fe.Problem("reason", "err.commission.reason", MinReason)
		return fe.Err()
	}
	s.Signatures = append(s.Signatures, Signature{Person: person, Refused: refuse, Reason: reason, At: now})
	if len(s.Signatures) == len(s.Present) {
		s.Closed = now
	}
	return nil
}
