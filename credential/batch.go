package credential

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/notary"
)

// Prepared is a credential built and signed but not yet stored: its
// record, the log entry and the audit entry that record its issue. The
// caller stores the three in one transaction with what it keeps beside
// them — a commission's badges — so that a credential exists only with
// the decision it comes from ([Prepare]).
type Prepared struct {
	Record Record
	Entry  []byte
	Trail  *audit.Entry
}

// Prepare builds and signs the credentials of reqs, all of one issuer, as
// Issue does each, and stores none of them: a batch of a session's
// issuance. Every request is checked before anything is done, so that one
// bad request refuses the batch having used nothing; then the status
// positions are allocated in one transaction and the credentials signed
// on every core. A position allocated for a credential never stored
// (the caller's transaction rolled back) is never handed out again, and
// shows as valid in its list, which nothing refers to.
func (s *Service) Prepare(ctx context.Context, actor Actor, reqs []IssueRequest) ([]Prepared, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	issuerID := reqs[0].IssuerID
	if err := actor.authorize(issuerID); err != nil {
		return nil, err
	}
	if err := s.open(ctx); err != nil {
		return nil, err
	}
	iss, err := s.issuers.Issuer(ctx, issuerID)
	if err != nil {
		return nil, fmt.Errorf("issue: %w", err)
	}
	now := s.clock().Truncate(time.Second)
	standards := map[string]*competence.Standard{}
	awards := make([]Award, len(reqs))
	formats := make([]Format, len(reqs))
	for i, req := range reqs {
		if req.IssuerID != issuerID {
			return nil, attesta.E(attesta.Invalid, "err.credential.batch.issuer", req.IssuerID, issuerID)
		}
		if req.Format == "" {
			req.Format = RDFC
		}
		if !req.Format.Valid() {
			return nil, attesta.E(attesta.Invalid, "err.credential.format", req.Format, RDFC, JCS, JWT)
		}
		key := fmt.Sprintf("%s/%d", req.Sector, req.Version)
		std, ok := standards[key]
		if !ok {
			if std, err = s.standards.Version(ctx, nil, req.Sector, req.Version); err != nil {
				return nil, fmt.Errorf("issue: %w", err)
			}
			standards[key] = std
		}
		s.learner(&req.Learner)
		if req.Decision.ID == "" {
			req.Decision.ID = s.uuidURN()
		}
		awards[i] = Award{ID: s.uuidURN(), Issuer: iss, Standard: std, Competence: req.Competence, Learner: req.Learner,
			Results: req.Results, Evidence: req.Evidence, Decision: req.Decision, ValidFrom: now, ValidUntil: req.ValidUntil,
			Activity: req.Activity, TitleHolder: s.titleHolder, BaseURL: s.baseURL, Status: Position{List: 1}}
		formats[i] = req.Format
		if err := awards[i].validate(); err != nil {
			return nil, fmt.Errorf("request %d: %w", i+1, err)
		}
	}
	signer, err := s.issuers.Signer(ctx, issuerID)
	if err != nil {
		return nil, fmt.Errorf("issue: %w", err)
	}
	var reserve Reserve
	if s.reservations != nil {
		reserve = s.reservations.For(issuerID)
	}
	positions, err := s.store.AllocateMany(ctx, issuerID, len(awards), s.permutationKey, reserve)
	if err != nil {
		return nil, fmt.Errorf("issue: allocate status: %w", err)
	}
	out := make([]Prepared, len(awards))
	errs := make([]error, len(awards))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				a := awards[i]
				a.Status = positions[i]
				unsigned, err := Build(a)
				if err != nil {
					errs[i] = err
					continue
				}
				body, err := s.secure(unsigned, signer, formats[i], now)
				if err != nil {
					errs[i] = fmt.Errorf("issue: %w", err)
					continue
				}
				out[i], errs[i] = prepared(actor, Record{ID: a.ID, IssuerID: iss.ID, List: a.Status.List, Index: a.Status.Index,
					Format: formats[i], Body: body, IssuedAt: now, ValidUntil: a.ValidUntil,
					Achievement: fmt.Sprintf("%s/v%d/%s", a.Standard.Sector, a.Standard.Version, a.Competence)})
			}
		})
	}
	for i := range awards {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// prepared completes a signed record with its digest, and gives its log
// entry and its audit entry.
func prepared(actor Actor, rec Record) (Prepared, error) {
	sum := sha256.Sum256(rec.Body)
	rec.Digest = "sha256:" + hex.EncodeToString(sum[:])
	trail, err := audit.New(nil, rec.IssuedAt, "credential.issue", auditObject(rec), nil, issued{
		Chamber: rec.IssuerID, Achievement: rec.Achievement, Format: rec.Format, Digest: rec.Digest, ValidUntil: rec.ValidUntil})
	if err != nil {
		return Prepared{}, err
	}
	trail.ActorName = actor.Name
	return Prepared{Record: rec, Entry: notary.NewEntry(notary.Issue, rec.ID, rec.Body, rec.IssuedAt).Marshal(), Trail: trail}, nil
}
