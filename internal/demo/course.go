package demo

import (
	"context"
	"fmt"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
)

// The training of tutors: the Milan Chamber's course for company tutors,
// which Paolo Ricci, the company tutor of Meccanica Lombarda, attended in
// full; the Chamber closed it, and he holds a tutor badge.

// TutorCourse is the title of the demo's course.
const TutorCourse = "Il tutor aziendale nei percorsi di Competenza Certificata"

// loadCourse writes the demo's closed course and its tutor badge.
func loadCourse(ctx context.Context, s Services) error {
	if s.Courses == nil {
		return nil
	}
	chamber, err := s.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		return err
	}
	tutor, err := s.People.PrincipalByEmail(ctx, "tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	if err != nil {
		return err
	}
	c, err := s.Courses.Create(ctx, chamber, course.Plan{
		Audience:    course.CompanyTutors,
		Title:       competence.Text{IT: TutorCourse, EN: "The company tutor in Competenza Certificata"},
		Description: "Corso formazione tutor aziendali: la coprogettazione con la scuola, l'osservazione delle evidenze, la scheda di osservazione.",
		Modules: []course.Module{
			{Title: competence.Text{IT: "Coprogettazione con la scuola", EN: "Co-design with the school"}, Hours: 4},
			{Title: competence.Text{IT: "Osservare le evidenze e compilare la scheda", EN: "Observing the evidences and filling the sheet"}, Hours: 4},
		},
		Lessons: []course.Lesson{{Day: "2026-10-05", Minutes: 240}, {Day: "2026-10-12", Minutes: 240}},
	})
	if err != nil {
		return fmt.Errorf("creating the demo course: %w", err)
	}
	if _, err := s.Courses.Enrol(ctx, chamber, c.ID, tutor.Person, auth.CompanyTutor, "co-09712340562"); err != nil {
		return fmt.Errorf("enrolling in the demo course: %w", err)
	}
	if _, err := s.Courses.Start(ctx, chamber, c.ID); err != nil {
		return fmt.Errorf("starting the demo course: %w", err)
	}
	for i, l := range c.Lessons {
		if _, err := s.Courses.Attend(ctx, chamber, c.ID, i+1, map[string]int{tutor.Person: l.Minutes}); err != nil {
			return fmt.Errorf("the attendance of the demo course: %w", err)
		}
	}
	if _, err := s.Courses.Close(ctx, chamber, c.ID); err != nil {
		return fmt.Errorf("closing the demo course: %w", err)
	}
	return nil
}
