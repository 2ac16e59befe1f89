package commission_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/commission"
)

func nominated() commission.Commission {
	return commission.Commission{ID: "com-1", Chamber: "cciaa-milano", Sector: "meccatronica", Title: "Commissione Meccatronica 2027",
		Act: "Determinazione n. 12/2027", Members: []commission.Member{
			{Person: "p-pres", Name: "Anna Presidente", Role: commission.President},
			{Person: "p-exp1", Name: "Bruno Esperto", Role: commission.SectorExpert},
			{Person: "p-exp2", Name: "Carla Valutatrice", Role: commission.AssessmentExpert},
			{Person: "p-sec", Name: "Dario Segretario", Role: commission.Secretary},
			{Person: "p-sub", Name: "Elena Supplente", Role: commission.Substitute},
		}}
}

var good = commission.Evidence{Levels: []int{2, 3}, TestTaken: true, TestPassed: true}

func session() *commission.Session {
	return &commission.Session{ID: "ses-1", Commission: nominated(), Quorum: commission.All, ReviewWindow: 15 * 24 * time.Hour,
		Candidates: []commission.Candidate{
			{Person: "p-sara", Name: "Sara Esposito", School: "mitf01000a", Company: "co-meccanica", Tutors: []string{"p-doc", "p-tut"},
				Evidence: map[string]commission.Evidence{"C1": good, "C7": good}},
			{Person: "p-luca", Name: "Luca Marino", School: "mitf01000a", Company: "co-officine", Tutors: []string{"p-doc", "p-exp2"},
				Evidence: map[string]commission.Evidence{"C1": {Levels: []int{1, 2}, TestTaken: true, TestPassed: true}, "C7": {Levels: []int{0, 0}}}},
		},
		Present: []string{"p-pres", "p-exp1", "p-exp2", "p-sec"}}
}

// TestComposition: a commission needs one president, one secretary, a
// sector expert, three voting members, nobody twice.
func TestComposition(t *testing.T) {
	c := nominated()
	var fe attesta.FieldErrors
	c.Validate(&fe)
	if len(fe) > 0 {
		t.Fatalf("a valid commission: %v", fe)
	}
	for _, tc := range []struct {
		key  string
		edit func(*commission.Commission)
	}{
		{"err.commission.president", func(c *commission.Commission) { c.Members[0].Role = commission.SectorExpert }},
		{"err.commission.secretary", func(c *commission.Commission) { c.Members[3].Role = commission.Substitute }},
		{"err.commission.expert", func(c *commission.Commission) { c.Members[1].Role = commission.AssessmentExpert }},
		{"err.commission.voters", func(c *commission.Commission) { c.Members[2].Role = commission.Substitute }},
		{"err.commission.twice", func(c *commission.Commission) { c.Members[4].Person = "p-exp1" }},
		{"err.commission.act", func(c *commission.Commission) { c.Act = " " }},
	} {
		c := nominated()
		c.Members = slices.Clone(c.Members)
		tc.edit(&c)
		var fe attesta.FieldErrors
		c.Validate(&fe)
		if !slices.ContainsFunc(fe, func(e attesta.FieldError) bool { return e.Key == tc.key }) {
			t.Errorf("want %s, got %v", tc.key, fe)
		}
	}
}

// TestConflicts: attesta finds a member employed by the candidate's school
// or host company, or who was their tutor; nothing else.
func TestConflicts(t *testing.T) {
	s := session()
	sara, luca := &s.Candidates[0], &s.Candidates[1]
	if got := commission.Conflicts("p-exp1", commission.Ties{Orgs: []string{"co-meccanica"}}, sara); !slices.Equal(got, []commission.Ground{commission.Employment}) {
		t.Errorf("employed by the host company: %v", got)
	}
	if got := commission.Conflicts("p-exp2", commission.Ties{Orgs: []string{"cciaa-milano"}}, luca); !slices.Equal(got, []commission.Ground{commission.Tutoring}) {
		t.Errorf("the candidate's tutor: %v", got)
	}
	if got := commission.Conflicts("p-exp1", commission.Ties{Orgs: []string{"cciaa-milano", "co-officine"}}, sara); len(got) != 0 {
		t.Errorf("no tie to Sara: %v", got)
	}
}

// TestDeclarationsGateTheCandidates: a member who has not declared sees no
// candidate; a recused member (found by attesta, or declared) does not see
// that candidate, and does not vote on them.
func TestDeclarationsGateTheCandidates(t *testing.T) {
	s := session()
	now := time.Date(2027, 6, 20, 9, 0, 0, 0, time.UTC)
	s.Recused = map[string][]string{"p-luca": {"p-exp2"}} // Luca's tutor
	if s.MaySee("p-exp1", "p-sara") {
		t.Error("an undeclared member sees a candidate")
	}
	for _, p := range []string{"p-pres", "p-exp1", "p-exp2", "p-sec"} {
		if err := s.Declare(p, nil, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Declare("p-pres", nil, now); attesta.ErrorKey(err) != "err.commission.declared" {
		t.Errorf("a second declaration: %v", err)
	}
	if err := s.Declare("p-outsider", nil, now); attesta.ErrorCode(err) != attesta.Forbidden {
		t.Errorf("an outsider declares: %v", err)
	}
	if !s.MaySee("p-exp1", "p-sara") || s.MaySee("p-exp2", "p-luca") || !s.MaySee("p-exp2", "p-sara") {
		t.Error("who sees whom is wrong")
	}
}

// TestProposal: the criteria turn the evidence into a proposal.
func TestProposal(t *testing.T) {
	c := commission.Criteria{MinLevel: 2, LevelShare: 0.75, MaxNotObserved: 0.25, TestRequired: true}
	for _, tc := range []struct {
		name string
		e    commission.Evidence
		want commission.Outcome
	}{
		{"all rows at 2 or 3, the test passed", commission.Evidence{Levels: []int{2, 3, 2, 2}, TestTaken: true, TestPassed: true}, commission.Certified},
		{"three rows of four at 2: exactly 75 %", commission.Evidence{Levels: []int{1, 3, 2, 2}, TestTaken: true, TestPassed: true}, commission.Certified},
		{"two rows of four at 2", commission.Evidence{Levels: []int{1, 1, 2, 3}, TestTaken: true, TestPassed: true}, commission.NotCertified},
		{"the test failed", commission.Evidence{Levels: []int{3, 3, 3, 3}, TestTaken: true, TestPassed: false}, commission.NotCertified},
		{"two rows of four not observed", commission.Evidence{Levels: []int{0, 0, 3, 3}, TestTaken: true, TestPassed: true}, commission.Suspended},
		{"no test taken", commission.Evidence{Levels: []int{3, 3, 3, 3}}, commission.Suspended},
		{"no rows", commission.Evidence{TestTaken: true, TestPassed: true}, commission.Suspended},
	} {
		if got := c.Propose(tc.e); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestDecisions: decisions need the quorum and the criteria; every voting
// member present and not recused votes, a majority for; dissent is
// recorded; a negative outcome opens the review window. After the minutes
// are signed by every member present, decisions are refused.
func TestDecisions(t *testing.T) {
	s := session()
	now := time.Date(2027, 6, 20, 9, 0, 0, 0, time.UTC)
	s.Recused = map[string][]string{"p-luca": {"p-exp2"}}
	for _, p := range s.Present {
		s.Declare(p, nil, now)
	}
	d := commission.Decision{Candidate: "p-sara", Competence: "C1", Outcome: commission.Certified, Reason: "Evidenze complete e prova superata.",
		For: []string{"p-pres", "p-exp1", "p-exp2"}}
	if err := s.Decide(d, now); attesta.ErrorKey(err) != "err.commission.criteria.none" {
		t.Errorf("a decision before the criteria: %v", err)
	}
	if err := s.FixCriteria(commission.Criteria{MinLevel: 2, LevelShare: 0.75, MaxNotObserved: 0.25, TestRequired: true}); err != nil {
		t.Fatal(err)
	}
	absent := *s
	absent.Present = []string{"p-pres", "p-exp1", "p-sec"}
	if err := absent.Decide(d, now); attesta.ErrorKey(err) != "err.commission.quorum" {
		t.Errorf("without the quorum: %v", err)
	}
	withSub := absent
	withSub.Present = []string{"p-pres", "p-exp1", "p-sec", "p-sub"}
	if !withSub.Quorate() {
		t.Error("a substitute does not make the quorum")
	}
	// A substitute present takes the seat of a member absent or
	// recused, and only then.
	if got := withSub.Eligible("p-sara"); !slices.Equal(got, []string{"p-pres", "p-exp1", "p-sub"}) {
		t.Errorf("the substitute in the absent member's seat: %v", got)
	}
	full := *s
	full.Present = []string{"p-pres", "p-exp1", "p-exp2", "p-sec", "p-sub"}
	if got := full.Eligible("p-luca"); !slices.Equal(got, []string{"p-pres", "p-exp1", "p-sub"}) {
		t.Errorf("the substitute in the recused member's seat: %v", got)
	}
	if got := full.Eligible("p-sara"); !slices.Equal(got, []string{"p-pres", "p-exp1", "p-exp2"}) {
		t.Errorf("a substitute votes with every seat taken: %v", got)
	}
	if err := s.Decide(d, now); err != nil {
		t.Fatal(err)
	}
	// Luca: his tutor is recused; the two others decide, one dissenting
	// is not a majority of two.
	dl := commission.Decision{Candidate: "p-luca", Competence: "C1", Outcome: commission.NotCertified, Reason: "Metà delle evidenze sotto il livello.",
		For: []string{"p-pres"}, Dissent: []string{"p-exp1"}}
	if err := s.Decide(dl, now); attesta.ErrorKey(err) != "err.fields" || !hasKey(err, "err.commission.vote.majority") {
		t.Errorf("no majority: %v", err)
	}
	dl.For, dl.Dissent = []string{"p-pres", "p-exp1", "p-exp2"}, nil
	if err := s.Decide(dl, now); !hasKey(err, "err.commission.vote.recused") {
		t.Errorf("a recused member votes: %v", err)
	}
	dl.For = []string{"p-pres"}
	if err := s.Decide(dl, now); !hasKey(err, "err.commission.vote.all") {
		t.Errorf("a member present did not vote: %v", err)
	}
	dl.For = []string{"p-pres", "p-exp1"}
	if err := s.Decide(dl, now); err != nil {
		t.Fatal(err)
	}
	got := s.Decisions[1]
	if got.Proposal != commission.NotCertified || !got.Unanimous() || !got.ReviewUntil.Equal(now.Add(15*24*time.Hour)) || got.Final(now) || !got.Final(now.Add(16*24*time.Hour)) {
		t.Errorf("Luca's decision %+v", got)
	}
	// Majority with dissent, on C7.
	dm := commission.Decision{Candidate: "p-sara", Competence: "C7", Outcome: commission.Certified, Reason: "Prova superata, osservazioni adeguate.",
		For: []string{"p-pres", "p-exp1"}, Dissent: []string{"p-exp2"}}
	if err := s.Decide(dm, now); err != nil || s.Decisions[2].Unanimous() {
		t.Fatalf("a majority decision: %v", err)
	}
	// A member who finds a conflict after voting abstains: the decision
	// they voted on is withdrawn, to be taken again without them.
	again := *s
	again.Decisions = slices.Clone(s.Decisions)
	again.Declarations = slices.Clone(s.Declarations)
	withdrawn, err := again.Recuse("p-exp1", "p-sara")
	if err != nil || len(withdrawn) != 2 || again.Decision("p-sara", "C1") != nil || !again.RecusedFor("p-exp1", "p-sara") || again.Decision("p-luca", "C1") == nil {
		t.Errorf("a late recusal: %v %v", withdrawn, err)
	}
	if _, err := again.Recuse("p-exp1", "p-sara"); attesta.ErrorKey(err) != "err.commission.recused.already" {
		t.Errorf("abstaining twice: %v", err)
	}
	if _, err := again.Recuse("p-sub", "p-sara"); attesta.ErrorKey(err) != "err.commission.undeclared.self" {
		t.Errorf("abstaining without a declaration: %v", err)
	}
	// The minutes wait for every competence of every candidate.
	if err := s.Sign("p-pres", false, "", now); attesta.ErrorKey(err) != "err.commission.sign.undecided" {
		t.Errorf("signed with a competence undecided: %v", err)
	}
	// The rest by the criteria: Luca's C7, nothing observed, suspended.
	if n, err := s.DecideProposals(now); err != nil || n != 1 {
		t.Fatalf("DecideProposals: %d, %v", n, err)
	}
	if d := s.Decision("p-luca", "C7"); d == nil || d.Outcome != commission.Suspended || !d.ByCriteria || !slices.Equal(d.For, []string{"p-pres", "p-exp1"}) {
		t.Errorf("Luca's C7 by the criteria: %+v", d)
	}
	// The minutes: a refusal needs its reason; the last signature closes.
	if err := s.Sign("p-exp2", true, "no", now); !hasKey(err, "err.commission.reason") {
		t.Errorf("a refusal without a reason: %v", err)
	}
	if err := s.Sign("p-sub", false, "", now); attesta.ErrorKey(err) != "err.commission.sign.absent" {
		t.Errorf("an absent member signs: %v", err)
	}
	for _, p := range []string{"p-pres", "p-exp1", "p-sec"} {
		if err := s.Sign(p, false, "", now); err != nil {
			t.Fatal(err)
		}
	}
	if !s.Closed.IsZero() {
		t.Fatal("closed before every member present signed")
	}
	if err := s.Sign("p-exp2", true, "Non condivido la decisione su C7 di Sara Esposito.", now); err != nil {
		t.Fatal(err)
	}
	if s.Closed.IsZero() {
		t.Fatal("not closed after every member present signed or refused")
	}
	before := slices.Clone(s.Decisions)
	d.Outcome = commission.Suspended
	if err := s.Decide(d, now); attesta.ErrorKey(err) != "err.commission.closed" {
		t.Errorf("a decision after the minutes are signed: %v", err)
	}
	if err := s.FixCriteria(commission.Criteria{MinLevel: 1, LevelShare: 1, MaxNotObserved: 0}); attesta.ErrorKey(err) != "err.commission.closed" {
		t.Errorf("criteria after the minutes: %v", err)
	}
	if !slices.EqualFunc(before, s.Decisions, func(a, b commission.Decision) bool { return a.Outcome == b.Outcome && a.Reason == b.Reason }) {
		t.Error("a refused decision changed the decisions")
	}
}

func hasKey(err error, key string) bool {
	var fe attesta.FieldErrors
	errors.As(err, &fe)
	return attesta.ErrorKey(err) == key || slices.ContainsFunc(fe, func(e attesta.FieldError) bool { return e.Key == key })
}

// TestMinutes: the minutes say who sat and who declared, the criteria,
// every decision with its votes, who signed; their digest follows their
// content and nothing else.
func TestMinutes(t *testing.T) {
	s := session()
	now := time.Date(2027, 6, 20, 9, 0, 0, 0, time.UTC)
	s.Date = now
	s.Recused = map[string][]string{"p-luca": {"p-exp2"}}
	for _, p := range s.Present {
		s.Declare(p, nil, now)
	}
	s.FixCriteria(commission.Criteria{MinLevel: 2, LevelShare: 0.75, MaxNotObserved: 0.25})
	if err := s.Decide(commission.Decision{Candidate: "p-sara", Competence: "C1", Outcome: commission.Certified,
		Reason: "Evidenze complete e prova superata.", For: []string{"p-pres", "p-exp1", "p-exp2"}}, now); err != nil {
		t.Fatal(err)
	}
	m := s.Minutes()
	doc := string(m.Marshal())
	for _, want := range []string{`"id":"urn:attesta:minutes:ses-1"`, `"name":"Anna Presidente"`, `"name":"Sara Esposito"`,
		`"outcome":"certified"`, `"reason":"Evidenze complete e prova superata."`, `"recused":["p-luca"]`, `"date":"2027-06-20"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("the minutes lack %s:\n%s", want, doc)
		}
	}
	digest := commission.Digest(m.Marshal())
	again := s.Minutes()
	if commission.Digest(again.Marshal()) != digest {
		t.Error("the same minutes have another digest")
	}
	if _, err := s.DecideProposals(now); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Present {
		if err := s.Sign(p, false, "", now); err != nil {
			t.Fatal(err)
		}
	}
	signed := s.Minutes()
	if commission.Digest(signed.Marshal()) == digest || signed.Closed == "" || len(signed.Signatures) != 4 {
		t.Error("the signatures did not change the minutes")
	}
}

// TestMinutesCited: a badge rests on minutes it cites by their reference,
// issued by their Chamber, once the minutes are in the log.
func TestMinutesCited(t *testing.T) {
	m := &commission.MinutesRef{Number: 12, Date: time.Date(2026, 6, 25, 0, 0, 0, 0, time.UTC), Chamber: "cciaa-milano", LogIndex: 7}
	const did = "did:web:attesta.example:issuers:cciaa-milano"
	if !m.Cited("Verbale n. 12/2026", did) {
		t.Error("the badge that cites its minutes")
	}
	for _, c := range []struct{ ref, did string }{
		{"Verbale n. 11/2026", did},
		{"Verbale n. 12/2026", "did:web:attesta.example:issuers:cciaa-torino"},
	} {
		if m.Cited(c.ref, c.did) {
			t.Errorf("%s by %s cited", c.ref, c.did)
		}
	}
	if unlogged := (commission.MinutesRef{Number: 12, Date: m.Date, Chamber: "cciaa-milano", LogIndex: -1}); unlogged.Cited("Verbale n. 12/2026", did) {
		t.Error("minutes not in the log cited")
	}
}
