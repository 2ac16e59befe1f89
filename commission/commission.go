// Package commission is the third-party commission of the certification
// process (step 8): nominated by a Chamber of Commerce for a sector, it
// examines each candidate's locked dossier and test result and decides,
// per competence, whether it is certified; every sitting is minuted and
// signed. Italian practice for certification commissions (D.Lgs. 13/2013:
// collegiality, third-party status, independence) and public exam boards
// is the model.
//
// # Independence
//
// Before seeing any candidate of a session, each member declares that no
// ground of conflict applies ([Declaration]); a member who has not
// declared sees no candidate ([Session.MaySee]). attesta also finds
// conflicts in its own data ([Conflicts]): a member who works for a
// candidate's school or host company, or who was the candidate's tutor, is
// recused for that candidate, and takes no part in deciding for them.
//
// # Decisions
//
// At its first session the commission fixes its criteria ([Criteria]):
// the rule that turns the observation levels and the test result into a
// proposal per competence. The commission decides — certified, not
// certified, or suspended pending more evidence — with the reason,
// unanimously or by majority with the dissent recorded, only with its
// quorum present. A negative outcome gives the candidate a review window
// before it is final. Once the minutes are signed by every member
// present (a refusal to sign is recorded), the session's decisions no
// longer change: a correction is a new, referenced act.
package commission

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
)

// Role is a member's role in a commission.
type Role string

// The roles.
const (
	President        Role = "president"
	SectorExpert     Role = "sector_expert"
	AssessmentExpert Role = "assessment_expert"
	Secretary        Role = "secretary"  // minutes; does not vote
	Substitute       Role = "substitute" // takes the seat of a recused or absent member
)

// Roles lists them.
var Roles = []Role{President, SectorExpert, AssessmentExpert, Secretary, Substitute}

// Votes reports whether a member in the role votes.
func (r Role) Votes() bool { return r == President || r == SectorExpert || r == AssessmentExpert }

// Member is a person on a commission.
type Member struct {
	Person string `json:"person"`
	Name   string `json:"name"`
	Role   Role   `json:"role"`
}

// Commission is a commission nominated by a Chamber for a sector.
type Commission struct {
	ID      string   `json:"id"`
	Chamber string   `json:"chamber"`
	Sector  string   `json:"sector"`
	Title   string   `json:"title"`
	Members []Member `json:"members"`
	// Act is the nomination's reference (the Chamber's determination).
	Act         string    `json:"act"`
	NominatedBy string    `json:"nominated_by"`
	NominatedAt time.Time `json:"nominated_at"`
}

// Validate checks the commission's composition: a president, a secretary,
// at least one sector expert, at least three voting members, nobody twice.
func (c *Commission) Validate(fe *attesta.FieldErrors) {
	if n := utf8.RuneCountInString(strings.TrimSpace(c.Title)); n == 0 || n > 200 {
		fe.Problem("title", "err.commission.title", 200)
	}
	if strings.TrimSpace(c.Act) == "" {
		fe.Problem("act", "err.commission.act")
	}
	count := map[Role]int{}
	seen := map[string]bool{}
	for i, m := range c.Members {
		f := fmt.Sprintf("members[%d]", i)
		if !slices.Contains(Roles, m.Role) {
			fe.Problem(f+".role", "err.commission.role", string(m.Role))
		}
		if m.Person == "" {
			fe.Problem(f+".person", "err.commission.person")
		} else if seen[m.Person] {
			fe.Problem(f+".person", "err.commission.twice", m.Name)
		}
		seen[m.Person] = true
		count[m.Role]++
	}
	switch {
	case count[President] != 1:
		fe.Problem("members", "err.commission.president")
	case count[Secretary] != 1:
		fe.Problem("members", "err.commission.secretary")
	case count[SectorExpert] < 1:
		fe.Problem("members", "err.commission.expert")
	case count[President]+count[SectorExpert]+count[AssessmentExpert] < 3:
		fe.Problem("members", "err.commission.voters")
	}
}

// Member returns the commission's member person, or nil.
func (c *Commission) Member(person string) *Member {
	i := slices.IndexFunc(c.Members, func(m Member) bool { return m.Person == person })
	if i < 0 {
		return nil
	}
	return &c.Members[i]
}

// Ground is a ground of conflict of interest a member declares does not
// apply to them for a session's candidates.
type Ground string

// The grounds.
const (
	Employment Ground = "employment" // works for, or was paid by, a candidate's school or host company
	Tutoring   Ground = "tutoring"   // was a candidate's tutor or teacher
	Kinship    Ground = "kinship"    // a relative of a candidate, up to the fourth degree
	Interest   Ground = "interest"   // another personal or economic interest in the outcome
)

// Grounds lists them: a declaration covers every one.
var Grounds = []Ground{Employment, Tutoring, Kinship, Interest}

// Declaration is a member's declaration, for a session, that none of the
// grounds applies, except for the candidates they name (for whom they are
// recused).
type Declaration struct {
	Person string    `json:"person"`
	At     time.Time `json:"at"`
	// Recused are candidates the member declares a conflict with.
	Recused []string `json:"recused,omitempty"`
}

// Candidate is a candidate of a session: their locked dossier, what
// conflicts are found from (their school, their host company, their
// tutors) and the evidence of each competence of their experience, from
// which the criteria propose.
type Candidate struct {
	Person  string   `json:"person"`
	Name    string   `json:"name"`
	School  string   `json:"school"`
	Company string   `json:"company"`
	Tutors  []string `json:"tutors"`
	// Dossier and Experience are the locked dossier's and its
	// experience's ids; Version the standard version the experience
	// pinned; Path its area.
	Dossier    string `json:"dossier"`
	Experience string `json:"experience"`
	Version    int    `json:"version"`
	Path       string `json:"path,omitempty"`
	// Evidence is what each competence of the experience rests on, by
	// competence code.
	Evidence map[string]Evidence `json:"evidence"`
	// What the badge says of the dossier: its digest (never its content),
	// the hours attended (minutes), the files attached, and the days of
	// the activity, first and last (YYYY-MM-DD).
	DossierDigest string `json:"dossier_digest"`
	// Attempt is the attempt at the online test the evidence's result is
	// of: the paper the members may read.
	Attempt   string `json:"attempt,omitempty"`
	Minutes   int    `json:"minutes"`
	Artefacts int    `json:"artefacts"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
}

// Competences lists the candidate's competences, in order.
func (c *Candidate) Competences() []string {
	out := make([]string, 0, len(c.Evidence))
	for code := range c.Evidence {
		out = append(out, code)
	}
	slices.SortFunc(out, compareCodes)
	return out
}

// compareCodes orders competence codes as people do: C2 before C10.
func compareCodes(a, b string) int {
	na, ea := strings.CutPrefix(a, "C")
	nb, eb := strings.CutPrefix(b, "C")
	if ea && eb && len(na) != len(nb) {
		return len(na) - len(nb)
	}
	return strings.Compare(a, b)
}

// Ties are what a member is bound to, from attesta's data: the
// organisations they belong to.
type Ties struct {
	Orgs []string
}

// Conflicts lists the grounds attesta's own data finds between member
// person (with their ties) and candidate c.
func Conflicts(person string, ties Ties, c *Candidate) []Ground {
	var out []Ground
	if slices.Contains(ties.Orgs, c.School) || c.Company != "" && slices.Contains(ties.Orgs, c.Company) {
		out = append(out, Employment)
	}
	if slices.Contains(c.Tutors, person) {
		out = append(out, Tutoring)
	}
	return out
}
