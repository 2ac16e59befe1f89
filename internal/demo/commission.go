package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/experience"
)

// The commission: the Milan Chamber nominates its commission for
// Meccatronica; Francesca Lombardi's dossier, her test result released, is
// locked for it; at its first session the members present declare (the
// sector expert, who works for her host company, is recused for her and
// the substitute takes his seat), fix the criteria, adopt the proposal
// and sign the minutes, which queues the issuance of her badge; the loader
// issues it at once.

// CommissionMembers are the demo commission's members by e-mail, with
// their roles.
var CommissionMembers = []struct {
	Email string
	Role  commission.Role
}{
	{"presidente@milomb.example", commission.President},
	{"esperto@meccanica-lombarda.example", commission.SectorExpert},
	{"valutatrice@milomb.example", commission.AssessmentExpert},
	{"segreteria@milomb.example", commission.Secretary},
	{"supplente@milomb.example", commission.Substitute},
}

// loadCommission writes the demo's commission and its closed session.
func loadCommission(ctx context.Context, s Services) error {
	if s.Commissions == nil || s.Tests == nil {
		return nil
	}
	chamber, err := s.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		return err
	}
	// Lock Lombardi's dossier, now that her result is released.
	es, err := s.Experiences.List(ctx, chamber, experience.Filter{State: experience.Closed})
	if err != nil {
		return err
	}
	for _, e := range es {
		for _, student := range e.Design.Students {
			if _, err := s.Dossiers.Lock(ctx, chamber, e.ID, student); err != nil {
				return fmt.Errorf("locking a demo dossier: %w", err)
			}
		}
	}
	members := make([]commission.Nominee, 0, len(CommissionMembers))
	for _, m := range CommissionMembers {
		members = append(members, commission.Nominee{Email: m.Email, Role: m.Role})
	}
	c, err := s.Commissions.Nominate(ctx, chamber, commission.NewCommission{Sector: "meccatronica", Title: "Commissione Meccatronica 2026/27",
		Act: "Determinazione del Segretario Generale n. 112/2026", Members: members})
	if err != nil {
		return fmt.Errorf("nominating the demo commission: %w", err)
	}
	// Nominated, each sits as a member of the Chamber's commission.
	sitting := map[string]*auth.Principal{}
	for _, m := range CommissionMembers {
		p, err := s.People.PrincipalByEmail(ctx, m.Email, "cciaa-milano", auth.CommissionMember)
		if err != nil {
			return fmt.Errorf("the demo commission's %s: %w", m.Email, err)
		}
		sitting[string(m.Role)] = p
	}
	now := time.Now().UTC()
	if s.Clock != nil {
		now = s.Clock().UTC()
	}
	st, err := s.Commissions.OpenSession(ctx, chamber, c.ID, commission.NewSession{Date: now})
	if err != nil {
		return fmt.Errorf("opening the demo session: %w", err)
	}
	president, secretary := sitting[string(commission.President)], sitting[string(commission.Secretary)]
	present := make([]string, 0, len(c.Members))
	for _, m := range c.Members {
		present = append(present, m.Person)
	}
	if _, err := s.Commissions.Attend(ctx, secretary, st.ID, present); err != nil {
		return err
	}
	for _, m := range CommissionMembers {
		if _, err := s.Commissions.Declare(ctx, sitting[string(m.Role)], st.ID, nil); err != nil {
			return fmt.Errorf("a demo declaration: %w", err)
		}
	}
	if _, err := s.Commissions.FixCriteria(ctx, president, st.ID, DemoCriteria); err != nil {
		return err
	}
	if _, err := s.Commissions.DecideProposals(ctx, secretary, st.ID); err != nil {
		return fmt.Errorf("the demo decisions: %w", err)
	}
	for _, m := range CommissionMembers {
		if _, err := s.Commissions.Sign(ctx, sitting[string(m.Role)], st.ID, false, ""); err != nil {
			return fmt.Errorf("signing the demo minutes: %w", err)
		}
	}
	// The badge is issued now, so that the demo shows it from the start;
	// the session's job, run later, finds nothing left to issue.
	if _, err := s.Commissions.IssueSession(ctx, st.ID); err != nil {
		return fmt.Errorf("issuing the demo badges: %w", err)
	}
	return nil
}

// DemoCriteria are the demo commission's criteria: every evidence at
// level 2 or more, at most a quarter not observed, the test passed.
var DemoCriteria = commission.Criteria{MinLevel: 2, LevelShare: 1, MaxNotObserved: 0.25, TestRequired: true}
