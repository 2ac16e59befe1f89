package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/artefact"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/observation"
)

// allLevels gives every row a level, one row "not observed"; draftLevels
// the first two rows only.
func allLevels(i int) observation.Observation {
	switch i % 4 {
	case 0:
		return observation.Observation{Level: 3, Note: "Autonoma e precisa"}
	case 3:
		return observation.Observation{NotObserved: true, Note: "Attività non svolta nel periodo"}
	}
	return observation.Observation{Level: 2}
}

func draftLevels(i int) observation.Observation {
	if i < 2 {
		return observation.Observation{Level: 1 + i}
	}
	return observation.Observation{}
}

// loadExperiences co-designs the demo's training experiences of 2026/27,
// one in each state, through the services as the tutors would: in Milan,
// ITIS Feltrinelli with Meccanica Lombarda — in progress with hours (the
// student account's, whose observation sheet is countersigned, and a
// classmate's still a draft), a draft, a closed one (its sheet
// countersigned; its dossier is locked once its student's test result is
// released, loadCommission) and a cancelled one;
// in Turin, IPSIA Ferraris with Officine Torinesi, in progress with a
// sheet being filled.
func loadExperiences(ctx context.Context, s Services) error {
	as := func(email, orgID string, role auth.Role) (*auth.Principal, error) {
		return s.People.PrincipalByEmail(ctx, email, orgID, role)
	}
	school, err := as("docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	if err != nil {
		return fmt.Errorf("loading demo experiences: %w", err)
	}
	company, err := as("tutor@meccanica-lombarda.example", "co-09712340562", auth.CompanyTutor)
	if err != nil {
		return fmt.Errorf("loading demo experiences: %w", err)
	}
	schoolTO, err := as("docente@ferraris.example", "tori03000b", auth.SchoolTutor)
	if err != nil {
		return fmt.Errorf("loading demo experiences: %w", err)
	}
	companyTO, err := as("tutor@officine-torinesi.example", "co-05832710965", auth.CompanyTutor)
	if err != nil {
		return fmt.Errorf("loading demo experiences: %w", err)
	}
	students := func(p *auth.Principal, school string) (string, map[string]string, error) {
		classes, err := s.People.Classes(ctx, p, school)
		if err != nil || len(classes) == 0 {
			return "", nil, fmt.Errorf("the demo class of %s: %v", school, err)
		}
		v, err := s.People.Class(ctx, p, classes[0].ID)
		if err != nil {
			return "", nil, err
		}
		ids := map[string]string{}
		for _, e := range v.Students {
			ids[e.Person.FamilyName] = e.Person.ID
		}
		return classes[0].ID, ids, nil
	}
	classMI, mi, err := students(school, "mitf01000a")
	if err != nil {
		return err
	}
	classTO, to, err := students(schoolTO, "tori03000b")
	if err != nil {
		return err
	}
	// C1 of Progettazione: both expected results, with the evidences the
	// company will observe.
	c1 := []experience.PlannedCompetence{{Code: "C1", Activities: []experience.PlannedActivity{
		{ADA: "ADA.10.02.02", Result: "RA1", Activity: 1, Evidences: []int{1, 2, 3}},
		{ADA: "ADA.10.02.03", Result: "RA2", Activity: 1, Evidences: []int{1, 2, 4}},
	}}}
	type step func(e *experience.Experience) error
	signed := func(by ...*auth.Principal) step {
		return func(e *experience.Experience) error {
			for _, p := range by {
				if _, err := s.Experiences.SignOff(ctx, p, e.ID, e.Revision); err != nil {
					return err
				}
			}
			return nil
		}
	}
	started := func(e *experience.Experience) error {
		_, err := s.Experiences.Start(ctx, company, e.ID, e.Revision)
		return err
	}
	hours := func(records ...experience.HoursInput) step {
		return func(e *experience.Experience) error {
			for _, h := range records {
				if _, err := s.Experiences.RecordHours(ctx, company, e.ID, h); err != nil {
					return err
				}
			}
			return nil
		}
	}
	closed := func(e *experience.Experience) error {
		_, err := s.Experiences.Close(ctx, school, e.ID, e.Revision)
		return err
	}
	cancelled := func(e *experience.Experience) error {
		_, err := s.Experiences.Cancel(ctx, company, e.ID, "Il reparto di progettazione è chiuso per ristrutturazione fino a giugno.")
		return err
	}
	// sheet fills a student's observation sheet as the company tutor by:
	// the levels given, submitted if every row has one, countersigned by
	// school if not nil.
	sheet := func(by, school *auth.Principal, student string, levels func(i int) observation.Observation) step {
		return func(e *experience.Experience) error {
			v, err := s.Sheets.Sheet(ctx, by, e.ID, student)
			if err != nil {
				return err
			}
			cur := v.Current()
			var rows []observation.Observation
			for i, r := range cur.Rows {
				if o := levels(i); o.Given() {
					o.Row = r.Row
					rows = append(rows, o)
				}
			}
			if _, err := s.Sheets.Save(ctx, by, e.ID, student, cur.Version, rows); err != nil {
				return err
			}
			if len(rows) < len(cur.Rows) {
				return nil
			}
			if _, err := s.Sheets.Submit(ctx, by, e.ID, student, cur.Version); err != nil {
				return err
			}
			if school != nil {
				_, err = s.Sheets.Countersign(ctx, school, e.ID, student, cur.Version)
			}
			return err
		}
	}
	notes := func(by *auth.Principal, student, text string) step {
		return func(e *experience.Experience) error {
			_, err := s.Dossiers.SetNotes(ctx, by, e.ID, student, text, false)
			return err
		}
	}
	// attached attaches a student's report on the first rows, where the
	// server keeps files (a blob store); elsewhere it does nothing.
	attached := func(by *auth.Principal, student string) step {
		return func(e *experience.Experience) error {
			v, err := s.Dossiers.Get(ctx, by, e.ID, student)
			if err != nil || len(v.Coverage) < 2 {
				return err
			}
			report := "Relazione sull'attività in azienda.\nHo letto il disegno dell'attrezzo e modellato i particolari in CAD 3D.\n"
			_, _, err = s.Dossiers.Attach(ctx, by, e.ID, student, artefact.File{Content: strings.NewReader(report), Name: "relazione.txt"},
				[]string{v.Coverage[0].Row, v.Coverage[1].Row})
			if attesta.ErrorCode(err) == attesta.Unavailable {
				return nil
			}
			return err
		}
	}
	day := func(student, d string, hours int, activity string) experience.HoursInput {
		return experience.HoursInput{Student: student, Day: d, Minutes: hours * 60, Activity: activity}
	}
	for _, x := range []struct {
		by    *auth.Principal
		in    experience.New
		steps []step
	}{
		{school, experience.New{Company: "co-09712340562", Class: classMI, Sector: "meccatronica", Design: experience.Design{
			Title: "Progettazione CAD di attrezzature", Path: "progettazione", Students: []string{mi["Esposito"], mi["Marino"]},
			SchoolTutor: school.Person, CompanyTutor: company.Person, Start: "2026-10-05", End: "2027-03-31", PlannedHours: 200, Competences: c1,
		}}, []step{signed(school, company), started, sheet(company, school, mi["Esposito"], allLevels), sheet(company, nil, mi["Marino"], draftLevels),
			notes(school, mi["Esposito"], "Ottima partecipazione; il percorso prosegue fino a marzo."), attached(school, mi["Esposito"]), hours(
				day(mi["Esposito"], "2026-10-05", 8, "Lettura del disegno tecnico dell'attrezzo"),
				day(mi["Esposito"], "2026-10-06", 8, "Modellazione CAD 3D dei particolari"),
				day(mi["Marino"], "2026-10-05", 8, "Lettura del disegno tecnico dell'attrezzo"),
				experience.HoursInput{Student: mi["Marino"], Day: "2026-10-12", Weekly: true, Minutes: 32 * 60, Activity: "Messa in tavola e quotatura"},
			)}},
		{school, experience.New{Company: "co-09712340562", Class: classMI, Sector: "meccatronica", Design: experience.Design{
			Title: "Progettazione di un banco prova", Path: "progettazione", Students: []string{mi["Lombardi"], mi["Moretti"]},
			SchoolTutor: school.Person, CompanyTutor: company.Person, Start: "2027-01-11", End: "2027-05-28", PlannedHours: 120, Competences: c1[:1],
		}}, nil},
		{school, experience.New{Company: "co-09712340562", Class: classMI, Sector: "meccatronica", Design: experience.Design{
			Title: "Orientamento in officina", Path: "progettazione", Students: []string{mi["Lombardi"]},
			SchoolTutor: school.Person, CompanyTutor: company.Person, Start: "2026-09-14", End: "2026-10-09", PlannedHours: 80, Competences: c1[:1],
		}}, []step{signed(company, school), started, sheet(company, school, mi["Lombardi"], allLevels), hours(
			experience.HoursInput{Student: mi["Lombardi"], Day: "2026-09-14", Weekly: true, Minutes: 40 * 60, Activity: "Sicurezza e visita dei reparti"},
			experience.HoursInput{Student: mi["Lombardi"], Day: "2026-09-21", Weekly: true, Minutes: 40 * 60, Activity: "Affiancamento all'ufficio tecnico"},
		), closed, notes(school, mi["Lombardi"], "Studentessa puntuale; ha completato il percorso di orientamento.")}},
		{company, experience.New{School: "mitf01000a", Class: classMI, Sector: "meccatronica", Design: experience.Design{
			Title: "Progettazione di stampi", Path: "progettazione", Students: []string{mi["Moretti"]},
			SchoolTutor: school.Person, CompanyTutor: company.Person, Start: "2026-11-02", End: "2027-02-26", PlannedHours: 80, Competences: c1,
		}}, []step{cancelled}},
		{schoolTO, experience.New{Company: "co-05832710965", Class: classTO, Sector: "meccatronica", Design: experience.Design{
			Title: "Assemblaggio di gruppi meccanici", Path: "progettazione", Students: []string{to["Romano"]},
			SchoolTutor: schoolTO.Person, CompanyTutor: companyTO.Person, Start: "2027-02-01", End: "2027-06-04", PlannedHours: 200, Competences: c1,
		}}, []step{signed(companyTO, schoolTO), func(e *experience.Experience) error {
			_, err := s.Experiences.Start(ctx, companyTO, e.ID, e.Revision)
			return err
		}, sheet(companyTO, nil, to["Romano"], draftLevels), notes(schoolTO, to["Romano"], "Percorso appena avviato.")}},
	} {
		e, err := s.Experiences.Create(ctx, x.by, x.in)
		if err != nil {
			return fmt.Errorf("loading demo experience %q: %w", x.in.Design.Title, err)
		}
		for _, st := range x.steps {
			if err := st(e); err != nil {
				return fmt.Errorf("loading demo experience %q: %w", x.in.Design.Title, err)
			}
		}
	}
	return nil
}
