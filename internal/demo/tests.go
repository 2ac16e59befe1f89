package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/item"
)

// The online test: the Milan Chamber's test of C1, drawn from the demo
// bank; a sitting at ITIS Feltrinelli already ended, with two attempts
// scored and released; and one open for two weeks, in which the teacher
// proctors, Davide Marino has submitted and the student account is
// authorized to start (the access code is on the sitting's page).

// loadTests writes the demo's test, sittings and attempts.
func loadTests(ctx context.Context, s Services) error {
	if s.Tests == nil {
		return nil
	}
	as := func(email, orgID string, role auth.Role) (*auth.Principal, error) {
		return s.People.PrincipalByEmail(ctx, email, orgID, role)
	}
	chamber, err := as("operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		return err
	}
	referent, err := as("referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	if err != nil {
		return err
	}
	proctor, err := as("docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	if err != nil {
		return err
	}
	b, err := s.Tests.CreateBlueprint(ctx, chamber, assessment.Blueprint{Title: "Meccatronica · C1, disegno meccanico assistito",
		Sector: "meccatronica", Standard: 1, Lang: "it",
		Cells: []assessment.Cell{{Competence: "C1", Dimension: item.Knowledge, Count: 3}, {Competence: "C1", Dimension: item.Skill, Count: 2},
			{Competence: "C1", Dimension: item.SoftSkill, Count: 1}},
		Thresholds: []assessment.Threshold{{Competence: "C1", Percent: 60}},
		TimeLimit:  30 * time.Minute, Attempts: 2, Cooldown: 7 * 24 * time.Hour})
	if err != nil {
		return fmt.Errorf("loading the demo test: %w", err)
	}
	cs, err := s.People.Classes(ctx, referent, "mitf01000a")
	if err != nil || len(cs) == 0 {
		return fmt.Errorf("loading the demo sittings: the class: %v", err)
	}
	class := cs[0].ID
	students := map[string]*auth.Principal{}
	v, err := s.People.Class(ctx, referent, class)
	if err != nil {
		return err
	}
	for _, e := range v.Students {
		students[e.Person.FamilyName] = &auth.Principal{Person: e.Person.ID, Name: e.Person.Name(),
			Membership: auth.Membership{Org: "mitf01000a", Role: auth.Student, OrgKind: auth.School, Provinces: []string{"MI"}}}
	}
	now := time.Now().UTC()
	if s.Clock != nil {
		now = s.Clock().UTC()
	}
	// sit has a candidate start, answer (the first items of their form
	// wrong, the others right) and submit.
	sit := func(st *assessment.Sitting, who *auth.Principal, wrong int) error {
		if err := s.Tests.Authorize(ctx, proctor, st.ID, who.Person); err != nil {
			return err
		}
		a, err := s.Tests.Start(ctx, who, st.ID, st.Code)
		if err != nil {
			return err
		}
		for i, fi := range a.Form.Items {
			resp := Correct(fi.Item)
			if i < wrong {
				resp = WrongResponse(fi.Item)
			}
			if err := s.Tests.Answer(ctx, who, a.ID, fi.Item, resp); err != nil {
				return fmt.Errorf("answering %s: %w", fi.Item, err)
			}
		}
		return s.Tests.Submit(ctx, who, a.ID)
	}
	past, err := s.Tests.OpenSitting(ctx, referent, assessment.NewSitting{Blueprint: b.ID, Title: "Prova di C1 · sessione di prova",
		Opens: now.Add(-time.Hour), Closes: now.Add(time.Hour), Classes: []string{class}, Proctors: []string{proctor.Person}})
	if err != nil {
		return fmt.Errorf("loading the demo sittings: %w", err)
	}
	if err := sit(past, students["Lombardi"], 1); err != nil {
		return fmt.Errorf("loading a demo attempt: %w", err)
	}
	if err := sit(past, students["Moretti"], 4); err != nil {
		return fmt.Errorf("loading a demo attempt: %w", err)
	}
	if err := s.Tests.RecordIrregularity(ctx, proctor, past.ID, "", assessment.Environment, "Dieci minuti di rumore dal cantiere accanto al laboratorio; nessun candidato ha chiesto di sospendere."); err != nil {
		return err
	}
	if err := s.Tests.EndSitting(ctx, proctor, past.ID, true); err != nil {
		return err
	}
	if err := s.Tests.Release(ctx, chamber, past.ID, true); err != nil {
		return err
	}
	open, err := s.Tests.OpenSitting(ctx, referent, assessment.NewSitting{Blueprint: b.ID, Title: "Prova di C1 · sessione di dicembre",
		Opens: now.Add(-time.Minute), Closes: now.Add(14*24*time.Hour - 2*time.Minute), Classes: []string{class}, Proctors: []string{proctor.Person}})
	if err != nil {
		return fmt.Errorf("loading the demo sittings: %w", err)
	}
	if err := sit(open, students["Marino"], 2); err != nil {
		return fmt.Errorf("loading a demo attempt: %w", err)
	}
	return s.Tests.Authorize(ctx, proctor, open.ID, students["Esposito"].Person)
}

// WrongResponse is a plausible wrong response to a demo bank item.
func WrongResponse(id string) item.Response {
	for _, b := range Bank {
		if b.ID != id {
			continue
		}
		switch b.Kind {
		case item.Ordering:
			r := slices.Clone(b.Correct)
			slices.Reverse(r)
			return r
		case item.TrueFalse:
			if b.Correct[0] == "true" {
				return item.Response{"false"}
			}
			return item.Response{"true"}
		}
	}
	return item.Response{"B"}
}

// Correct is the right response to a demo bank item.
func Correct(id string) item.Response {
	for _, b := range Bank {
		if b.ID == id {
			return b.Correct
		}
	}
	return nil
}
