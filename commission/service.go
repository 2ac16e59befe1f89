package commission

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// Line is a session as listed: without its candidates and decisions, with
// their counts.
type Line struct {
	ID         string    `json:"id"`
	Commission string    `json:"commission"`
	Number     int       `json:"number"`
	Date       time.Time `json:"date"`
	Closed     time.Time `json:"closed,omitzero"`
	Job        string    `json:"job,omitempty"`
	Candidates int       `json:"candidates"`
	Decisions  int       `json:"decisions"`
}

// Filter selects commissions: of the Chambers given (nil: any), or those
// person sits on ("": any).
type Filter struct {
	Chambers []string
	Member   string
}

// Badge is a credential issued from a decision.
type Badge struct {
	Session    string    `json:"session"`
	Candidate  string    `json:"candidate"`
	Competence string    `json:"competence"`
	Credential string    `json:"credential"`
	IssuedAt   time.Time `json:"issued_at"`
	// Filled by reads: the credential's issuer and status, the decision's
	// commission and the standard it rests on.
	Issuer    string `json:"issuer,omitempty"`
	Sector    string `json:"sector,omitempty"`
	Version   int    `json:"version,omitempty"`
	Revoked   bool   `json:"revoked,omitempty"`
	Suspended bool   `json:"suspended,omitempty"`
}

// NoticeKeys are the message keys of the notices the service writes.
var NoticeKeys = []string{"notice.decisions", "notice.decisions.review", "notice.badge.revoke", "notice.badge.suspend", "notice.badge.reinstate", "notice.area"}

// Notice is what a person reads on their dashboard: a message with its
// arguments and a link.
type Notice struct {
	ID      string    `json:"id"`
	Person  string    `json:"person"`
	Key     string    `json:"key"`
	Args    []string  `json:"args"`
	Link    string    `json:"link"`
	Created time.Time `json:"created"`
}

// Reader reads commissions and what they examine, inside a transaction.
type Reader interface {
	// Commission returns one, or NotFound; Commissions those f selects,
	// newest first.
	Commission(ctx context.Context, id string) (*Commission, error)
	Commissions(ctx context.Context, f Filter) ([]Commission, error)
	// Session returns one, whole (its commission, candidates and
	// decisions), or NotFound; Sessions a commission's, by number.
	Session(ctx context.Context, id string) (*Session, error)
	Sessions(ctx context.Context, commission string) ([]Line, error)
	// Eligible lists the ids of the locked dossiers of experiences of the
	// sector, at schools of the provinces, that no session has decided
	// (a dossier whose decisions were all suspended is eligible again),
	// in the order of their ids, at most limit.
	Eligible(ctx context.Context, sector string, provinces []string, limit int) ([]string, error)
	Dossier(ctx context.Context, id string) (*dossier.Dossier, error)
	// TestResults lists a student's results at the online tests on a
	// standard's version, released to them, oldest first.
	TestResults(ctx context.Context, student, sector string, version int) ([]dossier.TestLine, error)
	Experience(ctx context.Context, id string) (*experience.Experience, error)
	Person(ctx context.Context, id string) (*people.Person, error)
	PersonByEmail(ctx context.Context, email string) (*people.Person, error)
	Memberships(ctx context.Context, person string) ([]auth.Membership, error)
	Organisation(ctx context.Context, id string) (*org.Organisation, error)
	// Badges lists the badges of a session, or of a person (one of the
	// two given), with their credentials' status.
	Badges(ctx context.Context, session, person string) ([]Badge, error)
	// Badge returns the badge of a credential, or NotFound.
	Badge(ctx context.Context, credential string) (*Badge, error)
	// Unissued lists the certified decisions of a session without a
	// badge, at most limit, in the order of candidate and competence,
	// after the decision after names (the zero Key: from the first).
	Unissued(ctx context.Context, session string, after Key, limit int) ([]Decision, error)
	// Decided lists the decisions about person, with their sessions.
	Decided(ctx context.Context, person string) ([]Decided, error)
	Notices(ctx context.Context, person string, limit int) ([]Notice, error)
	// Stacks lists the area credentials of a person; Stack returns one by
	// its credential's id, or NotFound.
	Stacks(ctx context.Context, person string) ([]Stacked, error)
	Stack(ctx context.Context, credential string) (*Stacked, error)
	// MinutesOf returns the minutes a badge was issued by (its closed
	// session's), or NotFound.
	MinutesOf(ctx context.Context, credential string) (*MinutesRef, error)
	Job(ctx context.Context, id string) (*job.Job, error)
}

// Key names a decision in its session: its candidate and competence.
type Key struct {
	Candidate, Competence string
}

// Decided is a decision about a person, with its session.
type Decided struct {
	Decision
	Session    string    `json:"session"`
	Commission string    `json:"commission"`
	Chamber    string    `json:"chamber"`
	Sector     string    `json:"sector"`
	Closed     time.Time `json:"closed,omitzero"`
}

// Writer changes them inside a transaction, with the audit trail and the
// transparency log.
type Writer interface {
	Reader
	Record(ctx context.Context, e *audit.Entry) error
	// AppendLog appends an encoded entry to the transparency log, in this
	// transaction, and returns its leaf index.
	AppendLog(ctx context.Context, entry []byte) (int64, error)
	InsertCommission(ctx context.Context, c *Commission) error
	// AddMembership gives a person a role; having it already is no error.
	AddMembership(ctx context.Context, person, org string, role auth.Role) error
	// InsertSession adds a session with its candidates; a number taken in
	// the commission is a Conflict.
	InsertSession(ctx context.Context, s *Session) error
	// PutSession writes a session's own record: attendance,
	// declarations, criteria, signatures, its closing and minutes.
	PutSession(ctx context.Context, s *Session, minutes []byte) error
	// PutDecisions writes decisions of a session (replacing a
	// candidate's competence's); the engine refuses any once the session
	// is closed.
	PutDecisions(ctx context.Context, session string, ds []Decision) error
	// DropDecisions deletes decisions of a session (the engine refuses
	// once it is closed).
	DropDecisions(ctx context.Context, session string, ds []Decision) error
	InsertJob(ctx context.Context, j *job.Job) error
	job.Ender
	// InsertCredential stores a prepared credential with its log and
	// audit entries; InsertBadge links it to its decision (a decision
	// with a badge is a Conflict).
	InsertCredential(ctx context.Context, p credential.Prepared) error
	InsertBadge(ctx context.Context, b Badge) error
	InsertNotice(ctx context.Context, n Notice) error
	// InsertStacked records an area credential issued over badges.
	InsertStacked(ctx context.Context, st *Stacked) error
}

// Store keeps commissions; each call is one transaction.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Standards gives the published standard versions. competence.Service is
// one.
type Standards interface {
	Version(ctx context.Context, p *auth.Principal, sector string, version int) (*competence.Standard, error)
	Current(ctx context.Context, p *auth.Principal, sector string) (*competence.Standard, error)
}

// Credentials prepares a batch of credentials, signed but not stored.
// credential.Service is one.
type Credentials interface {
	Prepare(ctx context.Context, actor credential.Actor, reqs []credential.IssueRequest) ([]credential.Prepared, error)
}

// Service is the commission's use-cases.
type Service struct {
	store       Store
	standards   Standards
	credentials Credentials
	now         attesta.Clock
	rand        io.Reader
	// Batch is how many credentials an issuance signs and stores per
	// transaction.
	Batch int
	// ReviewWindow is how long a candidate has to ask for the review of a
	// negative outcome (15 days by default).
	ReviewWindow time.Duration
	// wake, if set, is called when an issuance job is queued.
	wake func()
	// inviter invites the people nominated who are not on attesta yet.
	inviter Inviter
}

// NewService returns the service; rnd nil means crypto/rand.
func NewService(store Store, standards Standards, credentials Credentials, now attesta.Clock, rnd io.Reader) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, standards: standards, credentials: credentials, now: now, rand: rnd, Batch: 500,
		ReviewWindow: 15 * 24 * time.Hour}
}

// OnQueued sets what is called when an issuance job is queued: the job
// runner's wake-up.
func (s *Service) OnQueued(fn func()) { s.wake = fn }

// Limits.
const (
	MaxMembers    = 15
	MaxCandidates = 10000
	MaxAct        = 300
)

// The job kind of a session's issuance.
const IssuanceKind job.Kind = "issuance.session"

// object is the commission for authorization: it belongs to its Chamber.
func object(c *Commission, province string) auth.Object {
	return auth.Object{Kind: auth.CommissionObject, ID: c.ID, Places: []auth.Place{{Org: c.Chamber, Province: province}}}
}

// decide decides whether p may do a on commission c: as auth decides on
// its Chamber, and a commission member only on the commissions they sit
// on.
func decide(ctx context.Context, r Reader, p *auth.Principal, a auth.Action, c *Commission) error {
	err := auth.Decide(p, a, object(c, ""))
	if err == nil && p.Role == auth.CommissionMember && c.Member(p.Person) == nil {
		err = attesta.E(attesta.NotFound, "err.commission.notfound", c.ID)
	}
	if err == nil && p.Role == auth.ChamberOperator && p.Org != c.Chamber && a != auth.CommissionView {
		err = attesta.E(attesta.Forbidden, "err.commission.chamber")
	}
	return err
}

// NewCommission is what a Chamber gives to nominate a commission.
type NewCommission struct {
	Sector  string    `json:"sector"`
	Title   string    `json:"title"`
	Act     string    `json:"act"`
	Members []Nominee `json:"members"`
}

// Nominee is a person nominated, by id or by e-mail address, with their
// role. One not yet on attesta is invited, with the commission member role
// at the Chamber: their names are then needed.
type Nominee struct {
	Person     string `json:"person,omitempty"`
	Email      string `json:"email,omitempty"`
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	Role       Role   `json:"role"`
}

// Inviter adds a person to attesta with a role at an organisation and
// sends them the invitation to set their password. The server's is
// people.Service.AddMember and account.Service.Invite.
type Inviter interface {
	Invite(ctx context.Context, p *auth.Principal, org, email, given, family string, role auth.Role) (string, error)
}

// SetInviter sets how people nominated by an e-mail address not on
// attesta are invited (nil: they are refused).
func (s *Service) SetInviter(i Inviter) { s.inviter = i }

// Nominate nominates a commission of p's Chamber: its members (people of
// attesta, whom the nomination gives the commission member role at the
// Chamber), their roles, the act. The nomination is kept with the
// commission and in the audit trail.
func (s *Service) Nominate(ctx context.Context, p *auth.Principal, in NewCommission) (*Commission, error) {
	if err := auth.Decide(p, auth.CommissionNominate, auth.Anywhere); err != nil {
		return nil, err
	}
	// Everything is checked before anyone is invited, so that a refused
	// nomination invites nobody; then the new people are invited, and the
	// commission nominated with them.
	var invite []int
	if err := s.store.View(ctx, func(r Reader) error {
		_, ids, err := s.nomination(ctx, r, p, in, true)
		invite = ids
		return err
	}); err != nil {
		return nil, fmt.Errorf("nominating a commission: %w", err)
	}
	for _, i := range invite {
		n := &in.Members[i]
		id, err := s.inviter.Invite(ctx, p, p.Org, n.Email, n.GivenName, n.FamilyName, auth.CommissionMember)
		if err != nil {
			return nil, fmt.Errorf("nominating a commission: inviting %s: %w", n.Email, err)
		}
		n.Person, n.Email = id, ""
	}
	var c *Commission
	err := s.store.Update(ctx, func(w Writer) error {
		var err error
		if c, _, err = s.nomination(ctx, w, p, in, false); err != nil {
			return err
		}
		if err := w.InsertCommission(ctx, c); err != nil {
			return err
		}
		for _, m := range c.Members {
			if err := w.AddMembership(ctx, m.Person, c.Chamber, auth.CommissionMember); err != nil {
				return err
			}
		}
		return s.record(ctx, w, p, c, "commission.nominate", nil, c, c.NominatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("nominating a commission: %w", err)
	}
	return c, nil
}

// nomination checks a nomination and returns the commission it makes; with
// invite, an e-mail address not on attesta with the names given is not a
// problem but a person to invite, whose index it returns.
func (s *Service) nomination(ctx context.Context, r Reader, p *auth.Principal, in NewCommission, invite bool) (*Commission, []int, error) {
	id, err := people.NewID(s.rand, "com")
	if err != nil {
		return nil, nil, err
	}
	c := &Commission{ID: id, Chamber: p.Org, Sector: strings.TrimSpace(in.Sector), Title: strings.TrimSpace(in.Title),
		Act: strings.TrimSpace(in.Act), NominatedBy: p.Person, NominatedAt: s.now()}
	var fe attesta.FieldErrors
	if len(in.Members) > MaxMembers {
		fe.Problem("members", "err.commission.members.many", MaxMembers)
		return nil, nil, fe.Err()
	}
	if _, err := s.standards.Current(ctx, nil, c.Sector); attesta.ErrorCode(err) == attesta.NotFound {
		fe.Problem("sector", "err.commission.sector", c.Sector)
	} else if err != nil {
		return nil, nil, err
	}
	if len([]rune(c.Act)) > MaxAct {
		fe.Problem("act", "err.commission.act.long", MaxAct)
	}
	var invited []int
	for i, n := range in.Members {
		field := fmt.Sprintf("members[%d].person", i)
		m := Member{Person: strings.TrimSpace(n.Person), Role: n.Role}
		var person *people.Person
		var err error
		email := strings.ToLower(strings.TrimSpace(n.Email))
		switch {
		case m.Person != "":
			person, err = r.Person(ctx, m.Person)
		case email != "":
			m.Person = email
			person, err = r.PersonByEmail(ctx, email)
		default:
			err = attesta.E(attesta.NotFound, "err.commission.person.unknown", "")
		}
		if attesta.ErrorCode(err) == attesta.NotFound {
			switch {
			case email == "" || !invite:
				fe.Problem(field, "err.commission.person.unknown", m.Person)
			case s.inviter == nil:
				fe.Problem(field, "err.commission.person.unknown", m.Person)
			case strings.TrimSpace(n.GivenName) == "" || strings.TrimSpace(n.FamilyName) == "":
				fe.Problem(field, "err.commission.person.names", email)
			default:
				invited = append(invited, i)
				m.Name = strings.TrimSpace(n.GivenName + " " + n.FamilyName)
			}
			c.Members = append(c.Members, m)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		ms, err := r.Memberships(ctx, person.ID)
		if err != nil {
			return nil, nil, err
		}
		// The Chamber appoints people it reaches in every organisation
		// they belong to; anyone else is not found to it.
		if !people.ReachesAll(p, ms) {
			fe.Problem(field, "err.commission.person.unknown", m.Person)
		}
		m.Person, m.Name = person.ID, person.Name()
		c.Members = append(c.Members, m)
	}
	c.Validate(&fe)
	if err := fe.Err(); err != nil {
		return nil, nil, err
	}
	return c, invited, nil
}

func (s *Service) record(ctx context.Context, w Writer, p *auth.Principal, c *Commission, action string, before, after any, at time.Time) error {
	e, err := audit.New(p, at, action, object(c, ""), before, after)
	if err != nil {
		return err
	}
	e.Org = c.Chamber
	return w.Record(ctx, e)
}

// Commissions lists the commissions p may see: a Chamber's own, the
// national body's all, a member's those they sit on.
func (s *Service) Commissions(ctx context.Context, p *auth.Principal) ([]Commission, error) {
	if err := auth.Decide(p, auth.CommissionView, auth.Anywhere); err != nil {
		return nil, err
	}
	f := Filter{}
	switch p.Role {
	case auth.CommissionMember:
		f.Member = p.Person
	case auth.ChamberOperator:
		f.Chambers = []string{p.Org}
	}
	var out []Commission
	err := s.store.View(ctx, func(r Reader) error {
		var err error
		out, err = r.Commissions(ctx, f)
		return err
	})
	return out, err
}

// CommissionView is a commission with its sessions.
type CommissionView struct {
	Commission
	Sessions []Line `json:"sessions"`
	// Eligible counts the candidates a new session would have now (for
	// its Chamber's operators).
	Eligible int `json:"eligible"`
}

// Get returns a commission with its sessions.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id string) (*CommissionView, error) {
	var v *CommissionView
	err := s.store.View(ctx, func(r Reader) error {
		c, err := r.Commission(ctx, id)
		if err != nil {
			return err
		}
		if err := decide(ctx, r, p, auth.CommissionView, c); err != nil {
			return err
		}
		lines, err := r.Sessions(ctx, id)
		if err != nil {
			return err
		}
		v = &CommissionView{Commission: *c, Sessions: lines}
		if p.Role == auth.ChamberOperator && p.Org == c.Chamber {
			chamber, err := r.Organisation(ctx, c.Chamber)
			if err != nil {
				return err
			}
			ids, err := r.Eligible(ctx, c.Sector, chamber.Provinces, MaxCandidates)
			if err != nil {
				return err
			}
			v.Eligible = len(ids)
		}
		return nil
	})
	return v, err
}

// NewSession is what a Chamber gives to open a session.
type NewSession struct {
	Date   time.Time `json:"date"`
	Quorum Quorum    `json:"quorum"`
	// ReviewDays is the review window of negative outcomes, in days (0:
	// the service's default).
	ReviewDays int `json:"review_days"`
}

// OpenSession opens a session of commission id with its candidates: the
// locked dossiers of the commission's sector and Chamber's territory no
// session has decided. The conflicts attesta finds in its own data are
// recorded at once: a member who works for a candidate's school or host
// company, or who was their tutor, is recused for them.
func (s *Service) OpenSession(ctx context.Context, p *auth.Principal, id string, in NewSession) (*Session, error) {
	sid, err := people.NewID(s.rand, "ses")
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out *Session
	err = s.store.Update(ctx, func(w Writer) error {
		c, err := w.Commission(ctx, id)
		if err != nil {
			return err
		}
		if err := decide(ctx, w, p, auth.CommissionNominate, c); err != nil {
			return err
		}
		var fe attesta.FieldErrors
		if in.Quorum == "" {
			in.Quorum = All
		}
		if in.Quorum != All && in.Quorum != Majority {
			fe.Problem("quorum", "err.commission.quorum.rule", string(in.Quorum))
		}
		if in.Date.IsZero() || in.Date.Before(now.AddDate(0, 0, -1)) || in.Date.After(now.AddDate(1, 0, 0)) {
			fe.Problem("date", "err.commission.date")
		}
		window := s.ReviewWindow
		if in.ReviewDays != 0 {
			if in.ReviewDays < 1 || in.ReviewDays > 90 {
				fe.Problem("review_days", "err.commission.review", 1, 90)
			}
			window = time.Duration(in.ReviewDays) * 24 * time.Hour
		}
		if err := fe.Err(); err != nil {
			return err
		}
		lines, err := w.Sessions(ctx, id)
		if err != nil {
			return err
		}
		chamber, err := w.Organisation(ctx, c.Chamber)
		if err != nil {
			return err
		}
		ids, err := w.Eligible(ctx, c.Sector, chamber.Provinces, MaxCandidates+1)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return attesta.E(attesta.Conflict, "err.commission.candidates.none")
		}
		if len(ids) > MaxCandidates {
			return attesta.E(attesta.Conflict, "err.commission.candidates.many", MaxCandidates)
		}
		st := &Session{ID: sid, Commission: *c, Number: len(lines) + 1, Date: in.Date.UTC(), Quorum: in.Quorum, ReviewWindow: window,
			CreatedBy: p.Person, CreatedAt: now, Recused: map[string][]string{}}
		for _, did := range ids {
			cand, ok, err := candidate(ctx, w, did)
			if err != nil {
				return err
			}
			if ok {
				st.Candidates = append(st.Candidates, *cand)
			}
		}
		if len(st.Candidates) == 0 {
			return attesta.E(attesta.Conflict, "err.commission.candidates.none")
		}
		if err := s.findConflicts(ctx, w, st); err != nil {
			return err
		}
		if err := w.InsertSession(ctx, st); err != nil {
			return err
		}
		out = st
		return s.record(ctx, w, p, c, "commission.session.open", nil,
			map[string]any{"session": st.ID, "number": st.Number, "date": st.Date, "quorum": st.Quorum, "candidates": len(st.Candidates)}, now)
	})
	if err != nil {
		return nil, fmt.Errorf("opening a session of commission %s: %w", id, err)
	}
	return out, nil
}

// findConflicts records in st.Recused the members attesta's data binds to
// each candidate.
func (s *Service) findConflicts(ctx context.Context, r Reader, st *Session) error {
	ties := map[string]Ties{}
	for _, m := range st.Commission.Members {
		ms, err := r.Memberships(ctx, m.Person)
		if err != nil {
			return err
		}
		var t Ties
		for _, x := range ms {
			// The role on a commission is held at the Chamber, which is no
			// candidate's school or company.
			if x.Role != auth.CommissionMember && x.Role != auth.ChamberOperator {
				t.Orgs = append(t.Orgs, x.Org)
			}
		}
		ties[m.Person] = t
	}
	for i := range st.Candidates {
		c := &st.Candidates[i]
		for _, m := range st.Commission.Members {
			if len(Conflicts(m.Person, ties[m.Person], c)) > 0 {
				st.Recused[c.Person] = append(st.Recused[c.Person], m.Person)
			}
		}
	}
	return nil
}

// candidate reads a locked dossier's candidate: who, their school, company
// and tutors, and each competence's evidence from the locked document and
// their test result — the one the document holds, else the latest
// released since it was locked. A dossier whose student has no released
// result yet has no candidate yet: ok is false.
func candidate(ctx context.Context, r Reader, dossierID string) (c *Candidate, ok bool, err error) {
	d, err := r.Dossier(ctx, dossierID)
	if err != nil {
		return nil, false, err
	}
	if d.Lock == nil {
		return nil, false, attesta.E(attesta.Conflict, "err.commission.dossier.open", dossierID)
	}
	e, err := r.Experience(ctx, d.Experience)
	if err != nil {
		return nil, false, err
	}
	person, err := r.Person(ctx, d.Student)
	if err != nil {
		return nil, false, err
	}
	var doc dossier.Document
	if err := json.Unmarshal(d.Lock.Document, &doc); err != nil {
		return nil, false, fmt.Errorf("reading the locked document of dossier %s: %w", d.ID, err)
	}
	if len(doc.Tests) == 0 {
		if doc.Tests, err = r.TestResults(ctx, d.Student, e.Sector, e.Version); err != nil {
			return nil, false, err
		}
	}
	if len(doc.Tests) == 0 {
		return nil, false, nil
	}
	c = &Candidate{Person: d.Student, Name: person.Name(), School: e.School, Company: e.Company, Dossier: d.ID, Experience: e.ID,
		Version: e.Version, Path: e.Design.Path, Evidence: Collect(&doc), DossierDigest: d.Lock.Digest, Minutes: doc.Hours.Minutes,
		Artefacts: len(doc.Artefacts), Attempt: doc.Tests[len(doc.Tests)-1].Attempt}
	for _, h := range doc.Hours.Records {
		if c.From == "" || h.Day < c.From {
			c.From = h.Day
		}
		if h.Day > c.To {
			c.To = h.Day
		}
	}
	for _, t := range []string{e.Design.SchoolTutor, e.Design.CompanyTutor} {
		if t != "" {
			c.Tutors = append(c.Tutors, t)
		}
	}
	return c, true, nil
}

// Collect reads the evidence of each competence from a locked dossier's
// document: the levels of its rows in the countersigned sheet, and its
// result at the latest test.
func Collect(doc *dossier.Document) map[string]Evidence {
	out := map[string]Evidence{}
	for _, row := range doc.Sheet.Rows {
		code, _, _ := strings.Cut(row.Row, "/")
		e := out[code]
		level := row.Level
		if row.NotObserved {
			level = 0
		}
		e.Rows, e.Levels = append(e.Rows, row.Row), append(e.Levels, level)
		out[code] = e
	}
	if n := len(doc.Tests); n > 0 {
		for _, tc := range doc.Tests[n-1].Competences {
			e, ok := out[tc.Competence]
			if !ok {
				continue
			}
			e.TestTaken, e.TestPassed = true, tc.Passed
			e.TestScore, e.TestMax, e.TestPercent, e.TestThreshold = tc.Score, tc.Max, tc.Percent, tc.Threshold
			e.TestDimensions = tc.Dimensions
			out[tc.Competence] = e
		}
	}
	return out
}

// SessionView is a session as p may see it: the candidates a member may
// not see yet are left out, and what p may do now.
type SessionView struct {
	Session
	// Hidden counts the candidates left out: all of them for a member who
	// has not declared; those they are recused for.
	Hidden int `json:"hidden"`
	// Decided counts the session's decisions, those left out included.
	Decided int `json:"decided"`
	// Badges are the session's issued badges; Progress the issuance's.
	Badges   []Badge   `json:"badges,omitempty"`
	Progress *Progress `json:"progress,omitempty"`
	// Member is p's membership, when they sit on the commission.
	Member *Member `json:"member,omitempty"`
	// Chamber says p is an operator of the commission's Chamber.
	Chamber bool `json:"-"`
}

// Progress is an issuance's progress.
type Progress struct {
	State  job.State `json:"state"`
	Done   int       `json:"done"`
	Total  int       `json:"total"`
	Issued int       `json:"issued"`
}

// GetSession returns session id as p may see it.
func (s *Service) GetSession(ctx context.Context, p *auth.Principal, id string) (*SessionView, error) {
	var v *SessionView
	err := s.store.View(ctx, func(r Reader) error {
		st, err := s.sessionFor(ctx, r, p, auth.CommissionView, id)
		if err != nil {
			return err
		}
		v, err = s.view(ctx, r, p, st)
		return err
	})
	return v, err
}

func (s *Service) view(ctx context.Context, r Reader, p *auth.Principal, st *Session) (*SessionView, error) {
	v := &SessionView{Session: *st, Member: st.Commission.Member(p.Person), Chamber: p.Role == auth.ChamberOperator && p.Org == st.Commission.Chamber,
		Decided: len(st.Decisions)}
	if p.Role == auth.CommissionMember {
		var seen []Candidate
		for _, c := range st.Candidates {
			if st.MaySee(p.Person, c.Person) {
				seen = append(seen, c)
			}
		}
		v.Hidden = len(st.Candidates) - len(seen)
		v.Candidates = seen
		v.Decisions = slices.DeleteFunc(slices.Clone(st.Decisions), func(d Decision) bool { return !st.MaySee(p.Person, d.Candidate) })
	}
	if !st.Closed.IsZero() {
		badges, err := r.Badges(ctx, st.ID, "")
		if err != nil {
			return nil, err
		}
		v.Badges = badges
		if st.Job != "" {
			j, err := r.Job(ctx, st.Job)
			if err != nil && attesta.ErrorCode(err) != attesta.NotFound {
				return nil, err
			}
			certified := 0
			for _, d := range st.Decisions {
				if d.Outcome == Certified {
					certified++
				}
			}
			v.Progress = &Progress{State: job.Done, Done: len(badges), Total: certified, Issued: len(badges)}
			if j != nil {
				v.Progress.State = j.State
			}
		}
	}
	return v, nil
}

// sessionFor reads session id and decides p's action a on it.
func (s *Service) sessionFor(ctx context.Context, r Reader, p *auth.Principal, a auth.Action, id string) (*Session, error) {
	st, err := r.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := decide(ctx, r, p, a, &st.Commission); err != nil {
		if attesta.ErrorCode(err) == attesta.NotFound {
			return nil, attesta.E(attesta.NotFound, "err.commission.session.notfound", id)
		}
		return nil, err
	}
	return st, nil
}

// sit runs fn on session id for member p, and writes what it changed:
// the session's record, and the decisions it returns.
func (s *Service) sit(ctx context.Context, p *auth.Principal, id, action string, fn func(w Writer, st *Session, now time.Time) ([]Decision, any, error)) (*Session, error) {
	now := s.now()
	var out *Session
	err := s.store.Update(ctx, func(w Writer) error {
		st, err := s.sessionFor(ctx, w, p, auth.CommissionSit, id)
		if err != nil {
			return err
		}
		ds, after, err := fn(w, st, now)
		if err != nil {
			return err
		}
		if len(ds) > 0 {
			if err := w.PutDecisions(ctx, st.ID, ds); err != nil {
				return err
			}
		}
		if err := w.PutSession(ctx, st, st.document); err != nil {
			return err
		}
		out = st
		return s.record(ctx, w, p, &st.Commission, action, nil, after, now)
	})
	if err != nil {
		return nil, fmt.Errorf("session %s: %w", id, err)
	}
	return out, nil
}

// MaySit decides whether p may sit on session id: what a page asks before
// it checks a form of its own (a confirmation box), so that a refusal is
// said before a form's problem.
func (s *Service) MaySit(ctx context.Context, p *auth.Principal, id string) error {
	return s.store.View(ctx, func(r Reader) error {
		_, err := s.sessionFor(ctx, r, p, auth.CommissionSit, id)
		return err
	})
}

// chair reports whether member person chairs the session's business: the
// president or the secretary.
func chair(st *Session, person string) bool {
	m := st.Commission.Member(person)
	return m != nil && (m.Role == President || m.Role == Secretary)
}

// Attend records the members present (the president or the secretary
// does).
func (s *Service) Attend(ctx context.Context, p *auth.Principal, id string, present []string) (*Session, error) {
	return s.sit(ctx, p, id, "commission.attend", func(w Writer, st *Session, now time.Time) ([]Decision, any, error) {
		if !chair(st, p.Person) {
			return nil, nil, attesta.E(attesta.Forbidden, "err.commission.chair")
		}
		if err := st.Attend(present); err != nil {
			return nil, nil, err
		}
		return nil, map[string]any{"session": st.ID, "present": st.Present}, nil
	})
}

// Declare records p's declaration for the session: no ground of conflict
// applies, but for the candidates named.
func (s *Service) Declare(ctx context.Context, p *auth.Principal, id string, recused []string) (*Session, error) {
	return s.sit(ctx, p, id, "commission.declare", func(w Writer, st *Session, now time.Time) ([]Decision, any, error) {
		if err := st.Declare(p.Person, recused, now); err != nil {
			return nil, nil, err
		}
		return nil, map[string]any{"session": st.ID, "grounds": Grounds, "recused": recused}, nil
	})
}

// Recuse records p's conflict with candidate, declared after their
// declaration: they take no part for the candidate from now on.
func (s *Service) Recuse(ctx context.Context, p *auth.Principal, id, candidate string) (*Session, error) {
	return s.sit(ctx, p, id, "commission.recuse", func(w Writer, st *Session, now time.Time) ([]Decision, any, error) {
		withdrawn, err := st.Recuse(p.Person, candidate)
		if err != nil {
			return nil, nil, err
		}
		if err := w.DropDecisions(ctx, st.ID, withdrawn); err != nil {
			return nil, nil, err
		}
		return nil, map[string]any{"session": st.ID, "candidate": candidate, "withdrawn": len(withdrawn)}, nil
	})
}

// FixCriteria fixes and minutes the session's criteria (the president or
// the secretary, for the commission).
func (s *Service) FixCriteria(ctx context.Context, p *auth.Principal, id string, c Criteria) (*Session, error) {
	return s.sit(ctx, p, id, "commission.criteria", func(w Writer, st *Session, now time.Time) ([]Decision, any, error) {
		if !chair(st, p.Person) {
			return nil, nil, attesta.E(attesta.Forbidden, "err.commission.chair")
		}
		if err := st.FixCriteria(c); err != nil {
			return nil, nil, err
		}
		return nil, st.Criteria, nil
	})
}

// Decide records a decision, as the president (or the secretary) minutes
// it: by the members present and not recused.
func (s *Service) Decide(ctx context.Context, p *auth.Principal, id string, d Decision) (*Session, error) {
	return s.sit(ctx, p, id, "commission.decide", func(w Writer, st *Session, now time.Time) ([]Decision, any, error) {
		if !chair(st, p.Person) {
			return nil, nil, attesta.E(attesta.Forbidden, "err.commission.chair")
		}
		if st.Candidate(d.Candidate) != nil && !st.MaySee(p.Person, d.Candidate) {
			if !st.Declared(p.Person) {
				return nil, nil, attesta.E(attesta.Conflict, "err.commission.undeclared.self")
			}
			// A chair in conflict with the candidate leaves the minuting of
			// their decisions to the other chair.
			return nil, nil, attesta.E(attesta.Conflict, "err.commission.chair.recused")
		}
		d.ByCriteria = false
		if err := st.Decide(d, now); err != nil {
			return nil, nil, err
		}
		got := *st.Decision(d.Candidate, d.Competence)
		return []Decision{got}, got, nil
	})
}

// DecideProposals adopts the criteria's proposals for every competence not
// yet decided (the president or the secretary minutes it).
func (s *Service) DecideProposals(ctx context.Context, p *auth.Principal, id string) (int, error) {
	n := 0
	_, err := s.sit(ctx, p, id, "commission.decide.proposals", func(w Writer, st *Session, now time.Time) ([]Decision, any, error) {
		if !chair(st, p.Person) {
			return nil, nil, attesta.E(attesta.Forbidden, "err.commission.chair")
		}
		before := len(st.Decisions)
		var err error
		if n, err = st.DecideProposals(now); err != nil {
			return nil, nil, err
		}
		return st.Decisions[before:], map[string]any{"session": st.ID, "decided": n, "criteria": st.Criteria.Version}, nil
	})
	return n, err
}

// Sign records p's signature of the minutes, or their refusal with its
// reason. The last one closes the session: the minutes' document is
// kept, its digest appended to the transparency log, each candidate told
// of the decisions about them, and the issuance of the certified
// competences' badges queued as a job — all in the same transaction.
func (s *Service) Sign(ctx context.Context, p *auth.Principal, id string, refuse bool, reason string) (*Session, error) {
	var jobID string
	st, err := s.sit(ctx, p, id, "commission.sign", func(w Writer, st *Session, now time.Time) ([]Decision, any, error) {
		if err := st.Sign(p.Person, refuse, reason, now); err != nil {
			return nil, nil, err
		}
		after := map[string]any{"session": st.ID, "refused": refuse, "reason": strings.TrimSpace(reason)}
		if st.Closed.IsZero() {
			return nil, after, nil
		}
		m := st.Minutes()
		st.document = m.Marshal()
		st.MinutesDigest = Digest(st.document)
		leaf, err := w.AppendLog(ctx, notary.NewEntry(notary.Minutes, m.ID, st.document, now).Marshal())
		if err != nil {
			return nil, nil, err
		}
		st.LogIndex = leaf
		certified := 0
		for _, d := range st.Decisions {
			if d.Outcome == Certified {
				certified++
			}
		}
		if certified > 0 {
			if jobID, err = s.queue(ctx, w, p, st, certified, now); err != nil {
				return nil, nil, err
			}
			st.Job = jobID
		}
		if err := s.tell(ctx, w, st, now); err != nil {
			return nil, nil, err
		}
		after["closed"], after["digest"], after["log_index"] = st.Closed, st.MinutesDigest, st.LogIndex
		return nil, after, nil
	})
	if err != nil {
		return nil, err
	}
	if jobID != "" && s.wake != nil {
		s.wake()
	}
	return st, nil
}

// Resume queues the issuance of a closed session again, when its job
// ended without issuing every certified competence's badge (it failed: the
// log was closed after a restore, the Chamber's key was being rotated).
// The Chamber's operators resume it; the new job issues only what is
// left, so nothing is issued twice even when two are queued at once.
func (s *Service) Resume(ctx context.Context, p *auth.Principal, id string) (string, error) {
	now := s.now()
	var jobID string
	err := s.store.Update(ctx, func(w Writer) error {
		st, err := s.sessionFor(ctx, w, p, auth.CommissionNominate, id)
		if err != nil {
			return err
		}
		if st.Closed.IsZero() {
			return attesta.E(attesta.Conflict, "err.commission.open", st.ID)
		}
		if st.Job != "" {
			j, err := w.Job(ctx, st.Job)
			if err != nil && attesta.ErrorCode(err) != attesta.NotFound {
				return err
			}
			if j != nil && !j.State.Ended() {
				return attesta.E(attesta.Conflict, "err.commission.issuing")
			}
		}
		left, err := w.Unissued(ctx, st.ID, Key{}, 1)
		if err != nil {
			return err
		}
		if len(left) == 0 {
			return attesta.E(attesta.Conflict, "err.commission.issued")
		}
		certified := 0
		for _, d := range st.Decisions {
			if d.Outcome == Certified {
				certified++
			}
		}
		if jobID, err = s.queue(ctx, w, p, st, certified, now); err != nil {
			return err
		}
		st.Job = jobID
		if err := w.PutSession(ctx, st, nil); err != nil {
			return err
		}
		return s.record(ctx, w, p, &st.Commission, "commission.issuance.resume", nil, map[string]any{"session": st.ID, "job": jobID}, now)
	})
	if err != nil {
		return "", fmt.Errorf("resuming the issuance of session %s: %w", id, err)
	}
	if s.wake != nil {
		s.wake()
	}
	return jobID, nil
}

// queue adds the session's issuance job, queued.
func (s *Service) queue(ctx context.Context, w Writer, p *auth.Principal, st *Session, total int, now time.Time) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", err
	}
	params, _ := json.Marshal(issuanceParams{Session: st.ID})
	j := &job.Job{ID: fmt.Sprintf("%x", b), Kind: IssuanceKind, Owner: job.Owner{Person: p.Person, Org: p.Org, Role: p.Role},
		State: job.Queued, Total: total, Params: params, Created: now, Expires: now, Queued: now}
	if err := w.InsertJob(ctx, j); err != nil {
		return "", err
	}
	return j.ID, nil
}

type issuanceParams struct {
	Session string `json:"session"`
}

// tell gives each candidate a notice of the decisions about them.
func (s *Service) tell(ctx context.Context, w Writer, st *Session, now time.Time) error {
	for _, c := range st.Candidates {
		negative := 0
		for _, d := range st.Decisions {
			if d.Candidate == c.Person && d.Outcome != Certified {
				negative++
			}
		}
		id, err := people.NewID(s.rand, "ntc")
		if err != nil {
			return err
		}
		n := Notice{ID: id, Person: c.Person, Key: "notice.decisions", Args: []string{st.Commission.Title}, Link: "/badges", Created: now}
		if negative > 0 {
			n.Key = "notice.decisions.review"
			n.Args = append(n.Args, now.Add(st.ReviewWindow).UTC().Format(time.DateOnly))
		}
		if err := w.InsertNotice(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// Minutes returns the minutes of session id as they stand (the signed
// document, once closed), for p.
func (s *Service) Minutes(ctx context.Context, p *auth.Principal, id string) (*Minutes, *Session, error) {
	var m Minutes
	var out *Session
	err := s.store.View(ctx, func(r Reader) error {
		st, err := s.sessionFor(ctx, r, p, auth.CommissionView, id)
		if err != nil {
			return err
		}
		if p.Role == auth.CommissionMember && !st.Declared(p.Person) {
			return attesta.E(attesta.Forbidden, "err.commission.undeclared.self")
		}
		m, out = st.Minutes(), st
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &m, out, nil
}

// CandidateView is what a member sees of a candidate: their evidence by
// competence with the criteria's proposal, the decisions about them, and
// the locked dossier's document as notarized (sheet, hours, files by
// digest, test results).
type CandidateView struct {
	Candidate
	Proposals map[string]Outcome `json:"proposals"`
	Decisions []Decision         `json:"decisions"`
	// Eligible are the members who vote on them.
	Eligible []string         `json:"eligible"`
	Recused  []string         `json:"recused"`
	Dossier  dossier.Document `json:"dossier"`
	// LockedAt and LogIndex say when the dossier was locked and where its
	// lock is in the transparency log.
	LockedAt time.Time `json:"locked_at"`
	LogIndex int64     `json:"log_index"`
}

// Candidate returns candidate of session id as p may see them: a member
// once declared and not recused; the Chamber's operators and the national
// body always.
func (s *Service) Candidate(ctx context.Context, p *auth.Principal, id, candidate string) (*CandidateView, error) {
	var v *CandidateView
	err := s.store.View(ctx, func(r Reader) error {
		st, err := s.sessionFor(ctx, r, p, auth.CommissionView, id)
		if err != nil {
			return err
		}
		if strings.TrimSpace(candidate) == "" {
			var fe attesta.FieldErrors
			fe.Problem("person", "err.commission.candidate.none")
			return fe.Err()
		}
		c := st.Candidate(candidate)
		if c == nil || p.Role == auth.CommissionMember && !st.MaySee(p.Person, candidate) {
			if c != nil && !st.Declared(p.Person) {
				return attesta.E(attesta.Forbidden, "err.commission.undeclared.self")
			}
			return attesta.E(attesta.NotFound, "err.commission.candidate.unknown", candidate)
		}
		d, err := r.Dossier(ctx, c.Dossier)
		if err != nil {
			return err
		}
		v = &CandidateView{Candidate: *c, Proposals: map[string]Outcome{}, Eligible: st.Eligible(candidate)}
		if d.Lock != nil {
			if err := json.Unmarshal(d.Lock.Document, &v.Dossier); err != nil {
				return fmt.Errorf("reading dossier %s: %w", d.ID, err)
			}
			v.LockedAt, v.LogIndex = d.Lock.At, d.Lock.LogIndex
		}
		for _, code := range c.Competences() {
			v.Proposals[code] = st.Proposal(candidate, code)
			if x := st.Decision(candidate, code); x != nil {
				v.Decisions = append(v.Decisions, *x)
			}
		}
		for _, m := range st.Commission.Members {
			if st.RecusedFor(m.Person, candidate) {
				v.Recused = append(v.Recused, m.Person)
			}
		}
		return nil
	})
	return v, err
}

// Record is what a learner reads of the commissions' work about them:
// the decisions (with the review window of a negative one), their badges
// and their notices.
type Record struct {
	Person    string    `json:"person"`
	Decisions []Decided `json:"decisions"`
	Badges    []Badge   `json:"badges"`
	Stacks    []Stacked `json:"areas"`
	Notices   []Notice  `json:"notices"`
}

// Record returns person's record of outcomes for p: the learner themselves, or the
// operators of a Chamber (the decisions of its commissions) and the
// national body.
func (s *Service) Record(ctx context.Context, p *auth.Principal, person string) (*Record, error) {
	out := &Record{Person: person}
	err := s.store.View(ctx, func(r Reader) error {
		ms, err := r.Memberships(ctx, person)
		if err != nil {
			return err
		}
		// A learner's own; anyone else's as far as the reader reaches
		// them: a Chamber, the people of its territory.
		if err := auth.Decide(p, auth.BadgeView, people.PersonObject(person, ms)); err != nil {
			return err
		}
		ds, err := r.Decided(ctx, person)
		if err != nil {
			return err
		}
		bs, err := r.Badges(ctx, "", person)
		if err != nil {
			return err
		}
		if p.Role == auth.ChamberOperator {
			ds = slices.DeleteFunc(ds, func(d Decided) bool { return d.Chamber != p.Org })
			bs = slices.DeleteFunc(bs, func(b Badge) bool { return b.Issuer != p.Org })
		}
		out.Decisions, out.Badges = ds, bs
		if out.Stacks, err = r.Stacks(ctx, person); err != nil {
			return err
		}
		if p.Person == person {
			out.Notices, err = r.Notices(ctx, person, 50)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// StatusChanger changes a credential's status. credential.Service is one.
type StatusChanger interface {
	ChangeStatus(ctx context.Context, actor credential.Actor, id string, action credential.Action, reason string) (credential.Record, error)
}

// MaxStatusAct bounds the act a status change references.
const MaxStatusAct = 300

// ChangeBadge revokes, suspends or reinstates a badge its Chamber issued,
// for p, one of the Chamber's operators: with the reason and the act it
// rests on (a decision annulled on review, a determination), both kept
// with the change; the learner is told. Verification shows it at once:
// the status lists are signed from the change.
func (s *Service) ChangeBadge(ctx context.Context, p *auth.Principal, changer StatusChanger, credentialID string, action credential.Action, act, reason string) (*Badge, error) {
	if err := auth.Decide(p, auth.BadgeStatus, auth.Anywhere); err != nil {
		return nil, err
	}
	act, reason = strings.TrimSpace(act), strings.TrimSpace(reason)
	var fe attesta.FieldErrors
	if n := len([]rune(act)); n == 0 || n > MaxStatusAct {
		fe.Problem("act", "err.commission.status.act", MaxStatusAct)
	}
	if n := len([]rune(reason)); n < MinReason {
		fe.Problem("reason", "err.commission.reason", MinReason)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var badge *Badge
	err := s.store.View(ctx, func(r Reader) error {
		b, err := r.Badge(ctx, credentialID)
		if err != nil {
			return err
		}
		badge = b
		return nil
	})
	if err != nil {
		return nil, err
	}
	if badge.Issuer != p.Org {
		return nil, attesta.E(attesta.NotFound, "err.credential.notfound", credentialID)
	}
	rec, err := changer.ChangeStatus(ctx, credential.Actor{Name: p.Name, Issuers: []string{p.Org}}, credentialID, action, act+" — "+reason)
	if err != nil {
		return nil, err
	}
	badge.Revoked, badge.Suspended = rec.Revoked, rec.Suspended
	id, err := people.NewID(s.rand, "ntc")
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(w Writer) error {
		return w.InsertNotice(ctx, Notice{ID: id, Person: badge.Candidate, Key: "notice.badge." + string(action),
			Args: []string{badge.Competence, act}, Link: "/badges", Created: s.now()})
	})
	return badge, err
}

// AreaIssuer issues an area credential over a learner's competence badges.
// credential.Service is one.
type AreaIssuer interface {
	IssueArea(ctx context.Context, actor credential.Actor, req credential.AreaRequest) (credential.Record, error)
}

// Stacked is an area credential issued over a learner's competence
// badges.
type Stacked struct {
	Person     string    `json:"person"`
	Sector     string    `json:"sector"`
	Version    int       `json:"version"`
	Path       string    `json:"path"`
	Credential string    `json:"credential"`
	Badges     []string  `json:"badges"`
	IssuedAt   time.Time `json:"issued_at"`
}

// Stack issues, for p (an operator of the Chamber that issued them), the
// area credential of path over person's valid competence badges of the
// sector's standard version: the credential service checks the standard's
// rule and refuses naming the competences missing. The learner is told.
func (s *Service) Stack(ctx context.Context, p *auth.Principal, issuer AreaIssuer, person, sector string, version int, path string) (*Stacked, error) {
	var held []string
	err := s.store.View(ctx, func(r Reader) error {
		ms, err := r.Memberships(ctx, person)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.BadgeStack, people.PersonObject(person, ms)); err != nil {
			return err
		}
		bs, err := r.Badges(ctx, "", person)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if b.Issuer == p.Org && b.Sector == sector && b.Version == version && !b.Revoked && !b.Suspended {
				held = append(held, b.Credential)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if sector == "" || version < 1 || strings.TrimSpace(path) == "" {
		var fe attesta.FieldErrors
		fe.Problem("area", "err.commission.area")
		return nil, fe.Err()
	}
	rec, err := issuer.IssueArea(ctx, credential.Actor{Name: p.Name, Issuers: []string{p.Org}}, credential.AreaRequest{IssuerID: p.Org,
		Sector: sector, Version: version, Path: path, Badges: held,
		Learner: credential.Learner{Identity: "urn:attesta:person:" + person, IdentityType: "systemId"}})
	if err != nil {
		return nil, err
	}
	st := &Stacked{Person: person, Sector: sector, Version: version, Path: path, Credential: rec.ID, Badges: held, IssuedAt: rec.IssuedAt}
	id, err := people.NewID(s.rand, "ntc")
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(w Writer) error {
		if err := w.InsertStacked(ctx, st); err != nil {
			return err
		}
		return w.InsertNotice(ctx, Notice{ID: id, Person: person, Key: "notice.area", Args: []string{path}, Link: "/badges", Created: s.now()})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// CredentialReader reads an issued credential. credential.Service is one.
type CredentialReader interface {
	Record(ctx context.Context, actor credential.Actor, id string) (credential.Record, error)
}

// BadgeFile returns a badge's credential as issued, for p: the learner it
// was issued to, and whoever reaches them and may see their outcomes (their
// Chamber, the national body).
func (s *Service) BadgeFile(ctx context.Context, p *auth.Principal, reader CredentialReader, credentialID string) (*Badge, []byte, error) {
	var badge *Badge
	err := s.store.View(ctx, func(r Reader) error {
		b, err := r.Badge(ctx, credentialID)
		if attesta.ErrorCode(err) == attesta.NotFound {
			// An area credential is the learner's too.
			st, serr := r.Stack(ctx, credentialID)
			if serr != nil {
				return serr
			}
			b, err = &Badge{Candidate: st.Person, Competence: st.Path, Credential: st.Credential, Sector: st.Sector, Version: st.Version}, nil
		}
		if err != nil {
			return err
		}
		ms, err := r.Memberships(ctx, b.Candidate)
		if err != nil {
			return err
		}
		if err := auth.Decide(p, auth.BadgeView, people.PersonObject(b.Candidate, ms)); err != nil {
			if attesta.ErrorCode(err) == attesta.NotFound {
				return attesta.E(attesta.NotFound, "err.credential.notfound", credentialID)
			}
			return err
		}
		badge = b
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rec, err := reader.Record(ctx, credential.Actor{Name: p.Name}, credentialID)
	if err != nil {
		return nil, nil, err
	}
	return badge, rec.Body, nil
}

// MinutesRef is what a verifier learns of the minutes a badge rests on:
// the session's number and date, when it closed, its Chamber, and the
// minutes' digest with the index of its entry in the transparency log.
type MinutesRef struct {
	Session  string    `json:"session"`
	Number   int       `json:"number"`
	Date     time.Time `json:"date"`
	Closed   time.Time `json:"closed"`
	Chamber  string    `json:"chamber"`
	Digest   string    `json:"digest"`
	LogIndex int64     `json:"log_index"`
}

// Reference is how a badge cites the minutes: "Verbale n. 12/2026".
func (m *MinutesRef) Reference() string {
	return fmt.Sprintf("Verbale n. %d/%d", m.Number, m.Date.Year())
}

// Cited reports whether a badge rests on these minutes as it says: it
// cites them by reference, its issuer (a did:web of attesta's issuers) is
// their Chamber, and the minutes are in the transparency log.
func (m *MinutesRef) Cited(reference, issuerDID string) bool {
	return reference == m.Reference() && strings.HasSuffix(issuerDID, ":"+m.Chamber) && m.LogIndex >= 0
}

// MinutesOf returns the minutes a badge attesta issued rests on, for
// anyone verifying it: nothing the badge does not say already but where
// its minutes are in the transparency log. NotFound for any other
// credential.
func (s *Service) MinutesOf(ctx context.Context, credentialID string) (*MinutesRef, error) {
	var out *MinutesRef
	err := s.store.View(ctx, func(r Reader) error {
		m, err := r.MinutesOf(ctx, credentialID)
		out = m
		return err
	})
	return out, err
}

// Waiting is a session waiting for a member: to declare, or to sign.
type Waiting struct {
	Session    string    `json:"session"`
	Number     int       `json:"number"`
	Commission string    `json:"commission"`
	Date       time.Time `json:"date"`
	// Declare: the member has not declared yet; Sign: the decisions are
	// taken and the member, present, has not signed.
	Declare bool `json:"declare"`
	Sign    bool `json:"sign"`
}

// Waiting lists the open sessions of p's commissions that wait for p, a
// member: their dashboard's tasks.
func (s *Service) Waiting(ctx context.Context, p *auth.Principal) ([]Waiting, error) {
	if err := auth.Decide(p, auth.CommissionSit, auth.Anywhere); err != nil {
		return nil, err
	}
	var out []Waiting
	err := s.store.View(ctx, func(r Reader) error {
		cs, err := r.Commissions(ctx, Filter{Member: p.Person})
		if err != nil {
			return err
		}
		for _, c := range cs {
			lines, err := r.Sessions(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, l := range lines {
				if !l.Closed.IsZero() {
					continue
				}
				st, err := r.Session(ctx, l.ID)
				if err != nil {
					return err
				}
				w := Waiting{Session: st.ID, Number: st.Number, Commission: c.Title, Date: st.Date, Declare: !st.Declared(p.Person),
					Sign: len(st.Decisions) > 0 && slices.Contains(st.Present, p.Person) &&
						!slices.ContainsFunc(st.Signatures, func(x Signature) bool { return x.Person == p.Person })}
				if w.Declare || w.Sign {
					out = append(out, w)
				}
			}
		}
		return nil
	})
	return out, err
}

// Papers reads an attempt at the online test. assessment.Service is one.
type Papers interface {
	GetAttempt(ctx context.Context, p *auth.Principal, id string) (*assessment.AttemptView, error)
}

// Paper returns the exact paper of candidate of session id — the items of
// their form, their answers and the score of each — for p, who may see the
// candidate (a member once declared and not recused, the Chamber, the
// national body). It is read as the commission's Chamber reads it.
func (s *Service) Paper(ctx context.Context, p *auth.Principal, papers Papers, id, candidate string) (*assessment.AttemptView, error) {
	v, err := s.Candidate(ctx, p, id, candidate)
	if err != nil {
		return nil, err
	}
	if v.Attempt == "" {
		return nil, attesta.E(attesta.NotFound, "err.commission.paper.none", v.Name)
	}
	var chamber *org.Organisation
	err = s.store.View(ctx, func(r Reader) error {
		st, err := r.Session(ctx, id)
		if err != nil {
			return err
		}
		chamber, err = r.Organisation(ctx, st.Commission.Chamber)
		return err
	})
	if err != nil {
		return nil, err
	}
	as := &auth.Principal{Person: p.Person, Name: p.Name, Membership: auth.Membership{Org: chamber.ID, OrgName: chamber.Name,
		OrgKind: auth.Chamber, Role: auth.ChamberOperator, Provinces: chamber.Provinces}}
	return papers.GetAttempt(ctx, as, v.Attempt)
}
