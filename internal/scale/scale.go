// Package scale builds, on a database holding the first-start dataset
// (internal/demo), a commission session of many candidates ready to be
// issued: the data the issuance benchmark, the crash test of a session's
// issuance (cmd/attesta) and the test of two processes issuing one session
// (internal/cluster) work on, and what `attesta scale session` writes.
//
// [Session] enrols N students of ITIS Feltrinelli (mitf01000a) in a class
// of their own, locks for each a dossier cloned from the demo's locked one
// (the same experience, Meccatronica v1, the progettazione path), with
// three observation rows at level 2 or 3 and a passed test for each of
// four competences (C1, C7, C11, C12); then the Milan Chamber nominates a
// commission of the demo's members, which sits, adopts the criteria's
// proposals and signs: the session closes with every competence certified
// and its issuance job queued. Nothing is faked past the setup: each lock
// is in the transparency log as the dossier service writes it, and the
// credentials issued from the session are signed and logged as any.
//
// The students and dossiers are written in large transactions, without
// the checks their services make one at a time; the commission's steps go
// through its service.
package scale

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/people"
)

// The session's school, sector, standard version and competences, and how
// many rows of each a dossier holds.
const (
	School  = "mitf01000a"
	Sector  = "meccatronica"
	Version = 1
	Rows    = 3
)

// Competences are the competences each candidate is certified for.
var Competences = []string{"C1", "C7", "C11", "C12"}

// chunk is how many students, or dossiers, one transaction writes.
const chunk = 1000

// MaxCandidates is the most a session may have (commission.MaxCandidates).
const MaxCandidates = commission.MaxCandidates

// Session builds a closed session of candidates candidates, each certified
// for [Competences], on svc and its database db, at time now (the
// services' clock), and returns its id and how many decisions certify a
// competence (candidates × len(Competences)). Its issuance job is queued:
// a job runner, or svc.Commissions.IssueSession, issues it. The database
// must hold the first-start dataset, its demo session already closed.
func Session(ctx context.Context, svc *server.Services, db server.Database, now time.Time, candidates int) (string, int, error) {
	if candidates < 1 || candidates > MaxCandidates {
		return "", 0, fmt.Errorf("scale: %d candidates: between 1 and %d", candidates, MaxCandidates)
	}
	now = now.UTC()
	as := func(email, org string, role auth.Role) (*auth.Principal, error) {
		p, err := svc.People.PrincipalByEmail(ctx, email, org, role)
		if err != nil {
			return nil, fmt.Errorf("scale: the demo's %s: %w", email, err)
		}
		return p, nil
	}
	chamber, err := as("operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		return "", 0, err
	}
	referent, err := as("referente@feltrinelli.example", School, auth.SchoolReferent)
	if err != nil {
		return "", 0, err
	}
	base, e, err := lockedDossier(ctx, svc, db, chamber)
	if err != nil {
		return "", 0, err
	}
	std, err := svc.Standards.Version(ctx, nil, Sector, Version)
	if err != nil {
		return "", 0, fmt.Errorf("scale: %w", err)
	}
	rows, err := evidenceRows(std)
	if err != nil {
		return "", 0, err
	}
	tag, err := people.NewID(rand.Reader, "s")
	if err != nil {
		return "", 0, err
	}
	tag = tag[2:8]
	students, err := enrol(ctx, svc, db, referent, tag, now, candidates)
	if err != nil {
		return "", 0, err
	}
	if err := lock(ctx, db, chamber, base, e, rows, students, now); err != nil {
		return "", 0, err
	}
	return sit(ctx, svc, chamber, now, tag)
}

// lockedDossier returns the demo's locked dossier (its document) and its
// experience: the first locked dossier of the Chamber's closed
// experiences of the sector, on the standard's version.
func lockedDossier(ctx context.Context, svc *server.Services, db server.Database, chamber *auth.Principal) (*dossier.Document, *experience.Experience, error) {
	es, err := svc.Experiences.List(ctx, chamber, experience.Filter{State: experience.Closed})
	if err != nil {
		return nil, nil, fmt.Errorf("scale: the demo's experiences: %w", err)
	}
	for i := range es {
		e := &es[i]
		if e.School != School || e.Sector != Sector || e.Version != Version {
			continue
		}
		for _, student := range e.Design.Students {
			var d *dossier.Dossier
			err := db.Dossiers().View(ctx, func(r dossier.Reader) error {
				var err error
				d, err = r.Dossier(ctx, dossier.ID(e.ID, student))
				return err
			})
			if err != nil || d.Lock == nil {
				continue
			}
			var doc dossier.Document
			if err := json.Unmarshal(d.Lock.Document, &doc); err != nil {
				return nil, nil, fmt.Errorf("scale: reading dossier %s: %w", d.ID, err)
			}
			return &doc, e, nil
		}
	}
	return nil, nil, fmt.Errorf("scale: no locked dossier of %s v%d at %s: is the first-start dataset loaded?", Sector, Version, School)
}

// evidenceRows returns, for each of Competences, Rows evidence rows: the
// first of the standard's, in its order, then (the bundled Meccatronica v1
// details the evidences of C1 only) rows numbered after them, under the
// competence's first ADA and result when it has them.
func evidenceRows(std *competence.Standard) (map[string][]string, error) {
	out := map[string][]string{}
	for _, code := range Competences {
		c, ok := std.Competence(code)
		if !ok {
			return nil, fmt.Errorf("scale: %s v%d has no competence %s", std.Sector, std.Version, code)
		}
		next := experience.EvidenceRef{Competence: code, ADA: "ADA", Result: "RA1", Activity: 1}
	rows:
		for _, a := range c.ADA {
			for _, r := range a.Results {
				if len(out[code]) == 0 && next.ADA == "ADA" {
					next.ADA, next.Result = a.Code, r.Code
				}
				for i, act := range r.Activities {
					for j := range act.Evidences {
						ref := experience.EvidenceRef{Competence: code, ADA: a.Code, Result: r.Code, Activity: i + 1, Evidence: j + 1}
						out[code] = append(out[code], ref.String())
						next = ref
						if len(out[code]) == Rows {
							break rows
						}
					}
				}
			}
		}
		for len(out[code]) < Rows {
			next.Evidence++
			out[code] = append(out[code], next.String())
		}
	}
	return out, nil
}

// enrol enrols n new students in a new class of the school, as its
// referent, and returns their person ids.
func enrol(ctx context.Context, svc *server.Services, db server.Database, referent *auth.Principal, tag string, now time.Time, n int) ([]string, error) {
	year := now.Year()
	if now.Month() < time.September {
		year--
	}
	class, err := svc.People.CreateClass(ctx, referent, people.Class{School: School, Year: fmt.Sprintf("%d/%02d", year, (year+1)%100),
		Name: "Scala " + tag})
	if err != nil {
		return nil, fmt.Errorf("scale: %w", err)
	}
	ids := make([]string, 0, n)
	for from := 0; from < n; from += chunk {
		err := db.People().Update(ctx, func(w people.Writer) error {
			school, err := w.Organisation(ctx, School)
			if err != nil {
				return err
			}
			for i := from; i < min(from+chunk, n); i++ {
				en, err := svc.People.EnrolIn(ctx, w, referent, class, school, people.StudentInput{
					Person:  people.Person{GivenName: "Studente", FamilyName: fmt.Sprintf("Scala %05d", i+1)},
					Student: people.Student{Number: fmt.Sprintf("S%s-%05d", tag, i+1)}})
				if err != nil {
					return err
				}
				ids = append(ids, en.Person.ID)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("scale: enrolling students: %w", err)
		}
	}
	return ids, nil
}

// lock writes each student's locked dossier in experience e: base's
// document with the student's rows and test, locked by the Chamber's
// operator at now, its lock appended to the transparency log and recorded
// in the audit trail as the dossier service does.
func lock(ctx context.Context, db server.Database, chamber *auth.Principal, base *dossier.Document, e *experience.Experience,
	rows map[string][]string, students []string, now time.Time) error {
	stamp := now.Format("2006-01-02T15:04:05.000Z")
	for from := 0; from < len(students); from += chunk {
		err := db.Dossiers().Update(ctx, func(w dossier.Writer) error {
			for i := from; i < min(from+chunk, len(students)); i++ {
				student := students[i]
				id := dossier.ID(e.ID, student)
				doc := *base
				doc.ID, doc.Learner, doc.LockedAt, doc.LockedBy = "urn:attesta:dossier:"+id, student, stamp, chamber.Person
				doc.Artefacts = []dossier.ArtefactLine{}
				doc.Sheet.Rows = nil
				test := dossier.TestLine{Test: "scala", Title: "Meccatronica · prova di scala", Attempt: fmt.Sprintf("att-scala-%05d", i+1),
					Number: 1, Ended: stamp}
				if len(base.Tests) > 0 {
					test.Test, test.Title = base.Tests[0].Test, base.Tests[0].Title
				}
				for k, code := range Competences {
					for j, row := range rows[code] {
						doc.Sheet.Rows = append(doc.Sheet.Rows, dossier.RowLine{Row: row, Level: 2 + (i+j+k)%2})
					}
					score := float64(6 + (i+k)%3)
					test.Competences = append(test.Competences, dossier.TestCompetence{Competence: code, Score: score, Max: 8,
						Percent: score / 8 * 100, Threshold: 60, Passed: true})
					test.Score += score
					test.Max += 8
				}
				doc.Tests = []dossier.TestLine{test}
				data := doc.Marshal()
				leaf, err := w.AppendLog(ctx, dossier.Entry(&doc, data, now).Marshal())
				if err != nil {
					return err
				}
				d := &dossier.Dossier{ID: id, Experience: e.ID, Student: student, State: dossier.Locked,
					Lock: &dossier.Lock{By: chamber.Person, Name: chamber.Name, Role: chamber.Role, At: now, Digest: dossier.Digest(data),
						LogIndex: leaf, Document: data}}
				if err := w.PutDossier(ctx, d); err != nil {
					return err
				}
				if err := audit.Record(ctx, w, chamber, now, "dossier.lock", e.Object(nil), nil,
					map[string]any{"dossier": id, "student": student, "digest": d.Lock.Digest, "log_index": leaf}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("scale: locking dossiers: %w", err)
		}
	}
	return nil
}

// sit nominates the commission and holds its session: every member
// present declares, the president fixes the demo's criteria, the
// secretary adopts the proposals, and every member signs.
func sit(ctx context.Context, svc *server.Services, chamber *auth.Principal, now time.Time, tag string) (string, int, error) {
	members := make([]commission.Nominee, 0, len(demo.CommissionMembers))
	sitting := map[commission.Role]*auth.Principal{}
	for _, m := range demo.CommissionMembers {
		members = append(members, commission.Nominee{Email: m.Email, Role: m.Role})
	}
	c, err := svc.Commissions.Nominate(ctx, chamber, commission.NewCommission{Sector: Sector, Title: "Commissione Meccatronica (scala " + tag + ")",
		Act: "Determinazione di prova " + tag, Members: members})
	if err != nil {
		return "", 0, fmt.Errorf("scale: %w", err)
	}
	for _, m := range demo.CommissionMembers {
		p, err := svc.People.PrincipalByEmail(ctx, m.Email, chamber.Org, auth.CommissionMember)
		if err != nil {
			return "", 0, fmt.Errorf("scale: the commission's %s: %w", m.Email, err)
		}
		sitting[m.Role] = p
	}
	st, err := svc.Commissions.OpenSession(ctx, chamber, c.ID, commission.NewSession{Date: now})
	if err != nil {
		return "", 0, fmt.Errorf("scale: %w", err)
	}
	present := make([]string, 0, len(c.Members))
	for _, m := range c.Members {
		present = append(present, m.Person)
	}
	president, secretary := sitting[commission.President], sitting[commission.Secretary]
	if _, err := svc.Commissions.Attend(ctx, secretary, st.ID, present); err != nil {
		return "", 0, fmt.Errorf("scale: %w", err)
	}
	for _, m := range demo.CommissionMembers {
		if _, err := svc.Commissions.Declare(ctx, sitting[m.Role], st.ID, nil); err != nil {
			return "", 0, fmt.Errorf("scale: %w", err)
		}
	}
	if _, err := svc.Commissions.FixCriteria(ctx, president, st.ID, demo.DemoCriteria); err != nil {
		return "", 0, fmt.Errorf("scale: %w", err)
	}
	if _, err := svc.Commissions.DecideProposals(ctx, secretary, st.ID); err != nil {
		return "", 0, fmt.Errorf("scale: %w", err)
	}
	for _, m := range demo.CommissionMembers {
		if st, err = svc.Commissions.Sign(ctx, sitting[m.Role], st.ID, false, ""); err != nil {
			return "", 0, fmt.Errorf("scale: %w", err)
		}
	}
	if st.Closed.IsZero() || st.Job == "" {
		return "", 0, fmt.Errorf("scale: session %s signed but not closed with its issuance queued", st.ID)
	}
	certified := 0
	for _, d := range st.Decisions {
		if d.Outcome == commission.Certified {
			certified++
		}
	}
	if want := len(st.Candidates) * len(Competences); certified != want {
		return "", 0, fmt.Errorf("scale: session %s certifies %d competences, not %d", st.ID, certified, want)
	}
	return st.ID, certified, nil
}
