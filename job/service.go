package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
)

// Service is the use-cases of jobs: start, show, confirm, cancel, and
// run them ([Service.Run]).
type Service struct {
	store Store
	now   attesta.Clock
	rand  io.Reader

	mu sync.Mutex
	// live is the progress of the jobs this process runs, as their
	// handlers report it: fresher than the database's, which a runner
	// writes now and then, and which SQLite cannot take while the job's
	// own transaction holds its writer.
	live map[string]progress
	// r is the runner of this process, while Run runs.
	r *runner
}

type progress struct{ done, total int }

// NewService returns the service; rnd, the source of ids and lease
// tokens, nil means crypto/rand.
func NewService(store Store, now attesta.Clock, rnd io.Reader) *Service {
	if rnd == nil {
		rnd = rand.Reader
	}
	return &Service{store: store, now: now, rand: rnd, live: map[string]progress{}}
}

// Spec is a job to start: what its kind's package prepared.
type Spec struct {
	Kind    Kind
	Params  []byte // JSON
	Input   []byte
	Preview []byte // JSON
	Total   int    // units of work, if known
}

// token returns 16 random bytes in hex: a job's id, a lease's token.
func (s *Service) token() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("making a job token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ownerOf returns who p is as a job's owner, or refuses an anonymous p.
func ownerOf(p *auth.Principal) (Owner, error) {
	if p == nil || p.Person == "" {
		return Owner{}, attesta.E(attesta.Unauthenticated, "err.auth.signin")
	}
	return Owner{Person: p.Person, Org: p.Org, Role: p.Role}, nil
}

// Create keeps sp as a job of p's, previewed and waiting for p's
// confirmation for PreviewLife. It refuses a person with MaxEach jobs
// waiting or running (Conflict), and any when the database holds MaxLive
// (Throttled). The caller has decided that p may do what the job does.
func (s *Service) Create(ctx context.Context, p *auth.Principal, sp Spec) (*Job, error) {
	owner, err := ownerOf(p)
	if err != nil {
		return nil, err
	}
	id, err := s.token()
	if err != nil {
		return nil, err
	}
	now := s.now()
	j := &Job{ID: id, Kind: sp.Kind, Owner: owner, State: Previewed, Total: sp.Total, Params: sp.Params, Input: sp.Input,
		Preview: sp.Preview, Created: now, Expires: now.Add(PreviewLife)}
	err = s.store.Update(ctx, func(w Writer) error {
		mine, all, err := w.Live(ctx, owner.Person, now)
		if err != nil {
			return err
		}
		if mine >= MaxEach {
			return attesta.E(attesta.Conflict, "err.job.mine", mine)
		}
		if all >= MaxLive {
			return attesta.E(attesta.Throttled, "err.job.busy")
		}
		return w.InsertJob(ctx, j)
	})
	if err != nil {
		return nil, fmt.Errorf("starting a job: %w", err)
	}
	j.Input = nil
	return j, nil
}

// mine returns the job id if p owns it; another person's job is NotFound,
// as one that does not exist.
func mine(ctx context.Context, r Reader, p *auth.Principal, id string) (*Job, error) {
	owner, err := ownerOf(p)
	if err != nil {
		return nil, err
	}
	j, err := r.Job(ctx, id)
	if attesta.ErrorCode(err) == attesta.NotFound || (err == nil && !owns(p, owner, j)) {
		return nil, attesta.E(attesta.NotFound, "err.job.notfound", id)
	}
	return j, err
}

// owns reports whether p may see j: its person, in any of their roles on
// the web; through a personal access token, which is bound to one role,
// only the jobs started in that role.
func owns(p *auth.Principal, owner Owner, j *Job) bool {
	if j.Owner.Person != owner.Person {
		return false
	}
	return p.Scopes == nil || (j.Owner.Org == p.Org && j.Owner.Role == p.Role)
}

// Get returns p's job id, without its input, with the freshest progress
// this process knows; a preview not confirmed in time is Expired.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id string) (*Job, error) {
	var j *Job
	err := s.store.View(ctx, func(r Reader) (err error) {
		j, err = mine(ctx, r, p, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reading job %s: %w", id, err)
	}
	if j.expired(s.now()) {
		j.State = Expired
	}
	if j.State == Running {
		s.mu.Lock()
		if l, ok := s.live[j.ID]; ok && l.done >= j.Done {
			j.Done, j.Total = l.done, l.total
		}
		s.mu.Unlock()
	}
	return j, nil
}

// Confirm confirms p's previewed job id, in the role it was previewed in
// (another is Forbidden), and returns it. It starts at once in this
// process if its runner has room, else it waits, queued, for any runner.
// A job already confirmed is returned as it is; an expired preview is a
// Conflict.
func (s *Service) Confirm(ctx context.Context, p *auth.Principal, id string) (*Job, error) {
	r := s.runner()
	reserved := r != nil && r.reserve()
	started := false
	var out *Job
	err := s.store.Update(ctx, func(w Writer) error {
		started = false
		j, err := mine(ctx, w, p, id)
		if err != nil {
			return err
		}
		if j.Owner.Org != p.Org || j.Owner.Role != p.Role {
			return attesta.E(attesta.Forbidden, "err.job.role")
		}
		now := s.now()
		if j.expired(now) {
			return attesta.E(attesta.Conflict, "err.job.expired")
		}
		out = j
		if j.State != Previewed {
			return nil
		}
		was := j.fence()
		n := *j
		n.State, n.Queued, n.Preview = Queued, now, nil
		if reserved && r.handles(n.Kind) {
			if err := s.take(&n, r, now); err != nil {
				return err
			}
			started = true
		}
		err = w.ReplaceJob(ctx, &n, was)
		if attesta.ErrorCode(err) == attesta.Conflict {
			// Confirmed meanwhile, by another request.
			started = false
			out, err = w.Job(ctx, id)
			return err
		}
		if err != nil {
			return err
		}
		if started {
			if n.Input, err = w.JobInput(ctx, n.ID); err != nil {
				return err
			}
		}
		out = &n
		return nil
	})
	switch {
	case err != nil:
		if reserved {
			r.free()
		}
		return nil, fmt.Errorf("confirming job %s: %w", id, err)
	case started:
		r.start(out)
	case reserved:
		r.free()
	}
	if r != nil && out.State == Queued {
		r.wake()
	}
	j := *out
	j.Input = nil
	return &j, nil
}

// Cancel cancels p's job id while it waits (previewed or queued) and
// returns it; its input is deleted. A job running or ended is a Conflict.
func (s *Service) Cancel(ctx context.Context, p *auth.Principal, id string) (*Job, error) {
	var out *Job
	err := s.store.Update(ctx, func(w Writer) error {
		j, err := mine(ctx, w, p, id)
		if err != nil {
			return err
		}
		if j.State == Cancelled {
			out = j
			return nil
		}
		if j.State != Previewed && j.State != Queued {
			return attesta.E(attesta.Conflict, "err.job.started")
		}
		was := j.fence()
		j.State, j.Ended, j.Preview = Cancelled, s.now(), nil
		out = j
		return w.ReplaceJob(ctx, j, was)
	})
	if err != nil {
		return nil, fmt.Errorf("cancelling job %s: %w", id, err)
	}
	return out, nil
}

// Purge forgets the previews that expired and the jobs that ended more
// than Retention ago; it returns how many. Runners purge now and then.
func (s *Service) Purge(ctx context.Context) (int, error) {
	now := s.now()
	var n int
	err := s.store.Update(ctx, func(w Writer) (err error) {
		n, err = w.Purge(ctx, now, now.Add(-Retention))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("purging jobs: %w", err)
	}
	return n, nil
}

// take makes j running, held by r until its lease ends, as one more
// attempt.
func (s *Service) take(j *Job, r *runner, now time.Time) error {
	tok, err := s.token()
	if err != nil {
		return err
	}
	j.State, j.Worker, j.Lease, j.LeaseUntil = Running, r.o.Worker, tok, now.Add(r.o.Lease)
	j.Attempts++
	if j.Started.IsZero() {
		j.Started = now
	}
	return nil
}
