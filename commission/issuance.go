package commission

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/job"
)

// Issued is what a session's issuance job did.
type Issued struct {
	Session string `json:"session"`
	Issued  int    `json:"issued"`
}

// maxLost bounds the batches an issuance gives up to another runner in a
// row before failing: a batch is lost when another process stored it
// first (the job's lease passed to it), and the next batch is read again.
const maxLost = 5

// Issue is the handler of a session's issuance job ([IssuanceKind]): it
// issues one credential per certified competence of the closed session,
// a batch at a time — each batch signed, then stored in one transaction
// with its badges, so that a credential exists only with its decision and
// a decision has at most one credential (the engine refuses a second).
// Run again after a crash, by this process or another, it reads what is
// left to issue and issues only that; the job ends with the last batch.
func (s *Service) Issue(ctx context.Context, run *job.Run) error {
	var params issuanceParams
	if err := json.Unmarshal(run.Job.Params, &params); err != nil {
		return fmt.Errorf("issuance %s: reading its parameters: %w", run.Job.ID, err)
	}
	n, err := s.issue(ctx, params.Session, run.Progress)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(w Writer) error {
		return run.End(ctx, w, Issued{Session: params.Session, Issued: n})
	})
}

// IssueSession issues what is left to issue of closed session id now, in
// the caller's process, and returns how many of its badges are issued in
// all: the job's work without the job, for the command line and the demo
// loader, which run no job runner. Run at the same time as the job, or in
// two processes, it issues nothing twice.
func (s *Service) IssueSession(ctx context.Context, id string) (int, error) {
	return s.issue(ctx, id, func(int, int) {})
}

// issue issues what is left to issue of session id, reporting its
// progress, and returns how many of its badges are issued in all.
func (s *Service) issue(ctx context.Context, id string, progress func(done, total int)) (int, error) {
	params := issuanceParams{Session: id}
	var st *Session
	var done int
	err := s.store.View(ctx, func(r Reader) error {
		var err error
		if st, err = r.Session(ctx, params.Session); err != nil {
			return err
		}
		badges, err := r.Badges(ctx, st.ID, "")
		done = len(badges)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("issuance of session %s: %w", params.Session, err)
	}
	if st.Closed.IsZero() {
		return 0, attesta.E(attesta.Conflict, "err.commission.open", st.ID)
	}
	total := 0
	for _, d := range st.Decisions {
		if d.Outcome == Certified {
			total++
		}
	}
	actor := credential.Actor{Name: st.Commission.Title, Issuers: []string{st.Commission.Chamber}}
	standards := map[int]*competence.Standard{}
	lost := 0
	var after Key // the last decision of the batch before
	progress(done, total)
	for {
		var batch []Decision
		if err := s.store.View(ctx, func(r Reader) error {
			var err error
			batch, err = r.Unissued(ctx, st.ID, after, s.Batch)
			return err
		}); err != nil {
			return 0, fmt.Errorf("issuance of session %s: %w", st.ID, err)
		}
		if len(batch) == 0 && after != (Key{}) {
			after = Key{} // a last look from the first decision
			continue
		}
		if len(batch) == 0 {
			// Count again: a batch lost to another runner was issued too.
			err := s.store.View(ctx, func(r Reader) error {
				badges, err := r.Badges(ctx, st.ID, "")
				done = len(badges)
				return err
			})
			return done, err
		}
		reqs := make([]credential.IssueRequest, len(batch))
		for i, d := range batch {
			c := st.Candidate(d.Candidate)
			std, ok := standards[c.Version]
			if !ok {
				if std, err = s.standards.Version(ctx, nil, st.Commission.Sector, c.Version); err != nil {
					return 0, fmt.Errorf("issuance of session %s: %w", st.ID, err)
				}
				standards[c.Version] = std
			}
			if reqs[i], err = st.request(std, c, &d); err != nil {
				return 0, fmt.Errorf("issuance of session %s: %w", st.ID, err)
			}
		}
		prepared, err := s.credentials.Prepare(ctx, actor, reqs)
		if err != nil {
			return 0, fmt.Errorf("issuance of session %s: %w", st.ID, err)
		}
		err = s.store.Update(ctx, func(w Writer) error {
			for i, p := range prepared {
				if err := w.InsertCredential(ctx, p); err != nil {
					return err
				}
				d := batch[i]
				if err := w.InsertBadge(ctx, Badge{Session: st.ID, Candidate: d.Candidate, Competence: d.Competence,
					Credential: p.Record.ID, IssuedAt: p.Record.IssuedAt}); err != nil {
					return err
				}
			}
			return nil
		})
		if attesta.ErrorCode(err) == attesta.Conflict && lost < maxLost {
			lost++ // another runner stored this batch: read again
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("issuance of session %s: %w", st.ID, err)
		}
		lost = 0
		after = Key{batch[len(batch)-1].Candidate, batch[len(batch)-1].Competence}
		done += len(batch)
		progress(done, total)
	}
}

// request is the credential request of a certified decision: the
// competence of the standard version the candidate's experience pinned;
// one result per evidence row observed, at its level of the standard's
// scale, and the test's; the dossier by its digest; the decision and its
// minutes.
func (st *Session) request(std *competence.Standard, c *Candidate, d *Decision) (credential.IssueRequest, error) {
	e := c.Evidence[d.Competence]
	var levels []credential.Level
	for _, l := range std.Scale {
		levels = append(levels, credential.Level{Name: l.Label.IT, Description: l.Description.IT})
	}
	req := credential.IssueRequest{IssuerID: st.Commission.Chamber, Sector: std.Sector, Version: std.Version, Competence: d.Competence,
		Learner: credential.Learner{Identity: "urn:attesta:person:" + c.Person, IdentityType: "systemId"},
		Decision: credential.Decision{Date: st.Closed, Reference: fmt.Sprintf("Verbale n. %d/%d", st.Number, st.Date.Year()),
			Commission: st.Commission.Title}}
	for i, row := range e.Rows {
		achieved := slices.IndexFunc(std.Scale, func(l competence.ScaleLevel) bool { return l.Value == e.Levels[i] })
		if e.Levels[i] == 0 || achieved < 0 {
			continue // not observed: no level to say
		}
		req.Results = append(req.Results, credential.Result{Name: "Osservazione " + row, Type: "RubricCriterionLevel",
			Levels: levels, Achieved: achieved})
	}
	if e.TestTaken {
		req.Results = append(req.Results, credential.Result{Name: "Test online " + d.Competence, Type: "Percent", Min: "0", Max: "100",
			Required: fmt.Sprint(e.TestThreshold), Value: percent(e.TestPercent)})
		// The test's score by dimension: knowledge, skill, soft skill.
		for _, dim := range e.TestDimensions {
			req.Results = append(req.Results, credential.Result{Type: "Percent", Min: "0", Max: "100", Value: percent(dim.Percent),
				Name: "Test online " + d.Competence + " · " + item.Dimension(dim.Dimension).Words().In("it")})
		}
	}
	digest, err := hex.DecodeString(strings.TrimPrefix(c.DossierDigest, "sha256:"))
	if err != nil || len(digest) != 32 {
		return req, fmt.Errorf("dossier %s has no digest", c.Dossier)
	}
	req.Evidence = &credential.EvidenceSummary{Name: "Dossier delle evidenze " + c.Dossier, Digest: [32]byte(digest),
		Narrative: fmt.Sprintf("Dossier chiuso per la commissione: %s ore di attività, %d evidenze osservate, %d file.",
			number(float64(c.Minutes)/60), observed(e), c.Artefacts)}
	if from, err := time.Parse(time.DateOnly, c.From); err == nil {
		req.Activity.Start = from
	}
	if to, err := time.Parse(time.DateOnly, c.To); err == nil {
		req.Activity.End = to
	}
	return req, nil
}

// percent writes a percentage as a result's value: a number, at most two
// decimals.
func percent(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

// observed counts a competence's rows observed.
func observed(e Evidence) int {
	n := 0
	for _, l := range e.Levels {
		if l > 0 {
			n++
		}
	}
	return n
}

// number writes a number with at most two decimals, a comma for the
// decimal point as in Italian.
func number(v float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
	return strings.Replace(s, ".", ",", 1)
}
