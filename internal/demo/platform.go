package demo

import (
	"context"
	"fmt"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/roundtable"
)

// Password is the password of every demo account (README, "Demo").
const Password = "attesta-demo-2026"

// Account is a demo account: one per role.
type Account struct {
	Email, Given, Family string
	Org                  string
	Role                 auth.Role
}

// Accounts are the demo accounts, one per role; the README lists them.
// The teacher also sits on a commission of the other Chamber, to show a
// person with two roles who switches between them.
var Accounts = []Account{
	{"admin@unioncamere.example", "Giovanna", "Ferri", "unioncamere", auth.NationalAdmin},
	{"operatore@milomb.example", "Luca", "Colombo", "cciaa-milano", auth.ChamberOperator},
	{"operatore@to.example", "Chiara", "Gallo", "cciaa-torino", auth.ChamberOperator},
	{"referente@feltrinelli.example", "Laura", "Bianchi", "mitf01000a", auth.SchoolReferent},
	{"docente@feltrinelli.example", "Marco", "Conti", "mitf01000a", auth.SchoolTutor},
	{"docente@feltrinelli.example", "Marco", "Conti", "cciaa-torino", auth.CommissionMember},
	{"tutor@meccanica-lombarda.example", "Paolo", "Ricci", "co-09712340562", auth.CompanyTutor},
	{"tutor@officine-torinesi.example", "Elena", "Greco", "co-05832710965", auth.CompanyTutor},
	{"docente@ferraris.example", "Stefano", "Gatti", "tori03000b", auth.SchoolTutor},
	{"studente@feltrinelli.example", "Sara", "Esposito", "mitf01000a", auth.Student},
	// A student whose C1 the demo commission certified: her badges,
	// downloads and links.
	{"lombardi@feltrinelli.example", "Francesca", "Lombardi", "mitf01000a", auth.Student},
	// The Milan Chamber's commission for Meccatronica (loadCommission):
	// its president, assessment expert, secretary and substitute, and its
	// sector expert, who works for Meccanica Lombarda and so is recused for
	// the candidates it hosts.
	{"presidente@milomb.example", "Giorgio", "Sala", "cciaa-milano", auth.CommissionMember},
	{"valutatrice@milomb.example", "Irene", "Marchetti", "cciaa-milano", auth.CommissionMember},
	{"segreteria@milomb.example", "Paola", "Rinaldi", "cciaa-milano", auth.CommissionMember},
	{"supplente@milomb.example", "Franco", "Testa", "cciaa-milano", auth.CommissionMember},
	{"esperto@meccanica-lombarda.example", "Andrea", "Fontana", "co-09712340562", auth.CompanyTutor},
}

// Organisations are the demo organisations.
var Organisations = []org.Organisation{
	{ID: "unioncamere", Kind: auth.National, Name: "Unioncamere", TaxCode: "01484460587", Email: "competenze@unioncamere.example"},
	{ID: "cciaa-milano", Kind: auth.Chamber, Name: "Camera di Commercio di Milano Monza Brianza Lodi", Province: "MI", Provinces: []string{"MI", "MB", "LO"}, TaxCode: "80050050154"},
	{ID: "cciaa-torino", Kind: auth.Chamber, Name: "Camera di Commercio di Torino", Province: "TO", Provinces: []string{"TO"}, TaxCode: "80062130010"},
	{Kind: auth.School, Name: "ITIS Giacomo Feltrinelli", Province: "MI", SchoolCode: "MITF01000A", SchoolType: org.Tecnico, Email: "segreteria@feltrinelli.example"},
	{Kind: auth.School, Name: "IIS Hensemberger", Province: "MB", SchoolCode: "MBIS06700L", SchoolType: org.Tecnico},
	{Kind: auth.School, Name: "IPSIA Galileo Ferraris", Province: "TO", SchoolCode: "TORI03000B", SchoolType: org.Professionale},
	{Kind: auth.Company, Name: "Meccanica Lombarda S.r.l.", Province: "MI", TaxCode: "09712340562", REA: "MI-2101234", ATECO: "28.41"},
	{Kind: auth.Company, Name: "Officine Torinesi S.p.A.", Province: "TO", TaxCode: "05832710965", REA: "TO-0987654", ATECO: "29.32"},
	{Kind: auth.Association, Name: "Associazione Industriali Meccanici", Province: "MI", TaxCode: "11223344554"},
}

// ClassStudents are the demo class's students; the first is the student
// account's.
var ClassStudents = []people.StudentInput{
	{Person: people.Person{GivenName: "Sara", FamilyName: "Esposito", Email: "studente@feltrinelli.example"}, Student: people.Student{Number: "2026-0101", Contact: "studente@feltrinelli.example", ConsentBy: "Anna Esposito"}},
	{Person: people.Person{GivenName: "Davide", FamilyName: "Marino"}, Student: people.Student{Number: "2026-0102", Contact: "+39 333 0000102", ConsentBy: "Roberto Marino"}},
	{Person: people.Person{GivenName: "Francesca", FamilyName: "Lombardi", Email: "lombardi@feltrinelli.example"}, Student: people.Student{Number: "2026-0103", Contact: "lombardi@feltrinelli.example"}},
	{Person: people.Person{GivenName: "Matteo", FamilyName: "Moretti"}, Student: people.Student{Number: "2026-0104", ConsentBy: "Silvia Moretti"}},
}

// system is the principal the demo is loaded as.
var system = &auth.Principal{Person: "system", Name: "demo", Membership: auth.Membership{Org: "unioncamere", Role: auth.NationalAdmin, OrgKind: auth.National}}

func loadPlatform(ctx context.Context, s Services) error {
	for _, o := range Organisations {
		if o.ID == "" {
			o.ID = org.SuggestID(o)
		}
		if _, err := s.Orgs.Create(ctx, system, o); err != nil {
			return fmt.Errorf("loading demo organisation %s: %w", o.Name, err)
		}
	}
	ids := map[string]string{}
	for _, a := range Accounts {
		if a.Role == auth.Student {
			continue
		}
		p, err := s.People.AddMember(ctx, system, a.Org, people.Person{GivenName: a.Given, FamilyName: a.Family, Email: a.Email}, a.Role)
		if err != nil {
			return fmt.Errorf("loading demo account %s: %w", a.Email, err)
		}
		ids[a.Email] = p.ID
	}
	class, err := s.People.CreateClass(ctx, system, people.Class{School: "mitf01000a", Year: "2026/27", Name: "4A MEC"})
	if err != nil {
		return fmt.Errorf("loading the demo class: %w", err)
	}
	for _, in := range ClassStudents {
		e, err := s.People.Enrol(ctx, system, class.ID, in)
		if err != nil {
			return fmt.Errorf("loading demo student %s: %w", in.Student.Number, err)
		}
		if in.Person.Email != "" {
			ids[in.Person.Email] = e.Person.ID
		}
	}
	if err := s.People.AssignTeacher(ctx, system, class.ID, ids["docente@feltrinelli.example"]); err != nil {
		return fmt.Errorf("loading the demo class: %w", err)
	}
	tc, err := s.People.CreateClass(ctx, system, people.Class{School: "tori03000b", Year: "2026/27", Name: "4B"})
	if err != nil {
		return fmt.Errorf("loading the demo class: %w", err)
	}
	if _, err := s.People.Enrol(ctx, system, tc.ID, people.StudentInput{Person: people.Person{GivenName: "Giulia", FamilyName: "Romano"},
		Student: people.Student{Number: "TO-2026-301", ConsentBy: "Paola Romano"}}); err != nil {
		return fmt.Errorf("loading a demo student: %w", err)
	}
	for email, id := range ids {
		if err := s.Accounts.SetPassword(ctx, id, Password); err != nil {
			return fmt.Errorf("demo account %s: %w", email, err)
		}
	}
	if err := loadTables(ctx, s); err != nil {
		return err
	}
	return loadExperiences(ctx, s)
}

// minutesPDF is a one-page PDF: the demo meeting's signed minutes.
const minutesPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// loadTables activates a territorial table in each Chamber, with a
// meeting and its minutes in Milan's.
func loadTables(ctx context.Context, s Services) error {
	mi, err := s.Tables.Create(ctx, system, roundtable.Table{Chamber: "cciaa-milano", Sector: "meccatronica", Year: "2026/27", Title: "Tavolo Meccatronica Milano Monza Brianza Lodi 2026/27"})
	if err != nil {
		return fmt.Errorf("loading the demo table: %w", err)
	}
	for _, o := range []string{"mitf01000a", "mbis06700l", "co-09712340562", "as-11223344554"} {
		if _, err := s.Tables.AddMember(ctx, system, mi.ID, o); err != nil {
			return fmt.Errorf("loading the demo table: %w", err)
		}
	}
	m, err := s.Tables.AddMeeting(ctx, system, roundtable.Meeting{Table: mi.ID, Date: "2026-10-15",
		Agenda: "Avvio del percorso Meccatronica: scuole e imprese ospitanti, calendario delle esperienze",
		Minutes: "Presenti la Camera di Commercio, ITIS Feltrinelli, IIS Hensemberger, Meccanica Lombarda e l'Associazione Industriali Meccanici.\n" +
			"Si concordano le aree Produzione/Assemblaggio e Manutenzione/Assistenza e il calendario delle esperienze da gennaio a maggio."})
	if err != nil {
		return fmt.Errorf("loading the demo meeting: %w", err)
	}
	if _, err := s.Tables.AddAttachment(ctx, system, m.ID, "verbale-2026-10-15.pdf", []byte(minutesPDF)); err != nil {
		return fmt.Errorf("loading the demo minutes: %w", err)
	}
	to, err := s.Tables.Create(ctx, system, roundtable.Table{Chamber: "cciaa-torino", Sector: "meccatronica", Year: "2026/27", Title: "Tavolo Meccatronica Torino 2026/27"})
	if err != nil {
		return fmt.Errorf("loading the demo table: %w", err)
	}
	for _, o := range []string{"tori03000b", "co-05832710965"} {
		if _, err := s.Tables.AddMember(ctx, system, to.ID, o); err != nil {
			return fmt.Errorf("loading the demo table: %w", err)
		}
	}
	m, err = s.Tables.AddMeeting(ctx, system, roundtable.Meeting{Table: to.ID, Date: "2026-10-22", Agenda: "Insediamento del tavolo"})
	if err != nil {
		return fmt.Errorf("loading the demo meeting: %w", err)
	}
	if _, err := s.Tables.AddAttachment(ctx, system, m.ID, "convocazione.pdf", []byte(minutesPDF)); err != nil {
		return fmt.Errorf("loading the demo minutes: %w", err)
	}
	return nil
}
