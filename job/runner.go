package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/attesta/attesta"
)

// Handler does the work of a job of one kind. It reads what it needs from
// run.Job (its Params and Input, its Owner, whom it acts for) and reports
// its progress with run.Progress. It ends the job with [Run.End] in the
// transaction that does its work, and returns nil once that transaction
// is committed. An error fails the job: an *attesta.Error is kept as the
// job's [Failure], said later in its reader's language, with the detail
// given by [WithDetail]; anything else is an internal error.
//
// ctx ends when the process stops (after a grace), when the job runs out
// of time, or when the runner loses its lease: the handler then gives up,
// its transaction rolled back, and the job is run again, by this process
// or another.
type Handler func(ctx context.Context, run *Run) error

// Run is one run of a job, by the runner that holds its lease.
type Run struct {
	// Job is the job as claimed, with its Input.
	Job *Job

	s     *Service
	fence Fence
	ended atomic.Bool
	lost  atomic.Bool
}

// Progress reports that done units of work of total are done. Pages
// served by this process show it at once; others when the runner next
// writes it to the database.
func (r *Run) Progress(done, total int) { r.s.setLive(r.Job.ID, done, total) }

// End ends the job, done, with result (kept as JSON), in w: the
// transaction of the handler that did the work, so that both are
// committed or neither. If the runner has lost the job to another, End
// returns a Conflict, and the handler must return it, so that its
// transaction is rolled back: the other runner does the work.
func (r *Run) End(ctx context.Context, w Ender, result any) error {
	b, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encoding the result of job %s: %w", r.Job.ID, err)
	}
	j := r.ending()
	j.State, j.Result = Done, b
	if l, ok := r.s.progressOf(j.ID); ok {
		j.Done, j.Total = l.done, l.total
	}
	if err := w.ReplaceJob(ctx, &j, r.fence); err != nil {
		if attesta.ErrorCode(err) == attesta.Conflict {
			r.lost.Store(true)
		}
		return err
	}
	r.ended.Store(true)
	return nil
}

// ending returns the job as it ends: without its input, preview and lease.
func (r *Run) ending() Job {
	j := *r.Job
	j.Input, j.Preview, j.Ended = nil, nil, r.s.now()
	j.Lease, j.LeaseUntil = "", time.Time{}
	return j
}

// RunOptions configure a process's runner. Zero values take the defaults.
type RunOptions struct {
	// Worker names the process in the jobs it holds, for people reading
	// the database (a host and a process id).
	Worker string
	// Slots is how many jobs the process runs at once (2).
	Slots int
	// Lease is how long a runner holds a job without extending its lease
	// (one minute): a job whose process died is taken up this long after
	// its last extension. Clocks of processes on one database must agree
	// to well within it.
	Lease time.Duration
	// Poll is how often the runner looks for jobs to claim (2 s); a job
	// confirmed in this process is looked for at once.
	Poll time.Duration
	// Tick is how often a running job's lease is extended and its progress
	// written to the database (a second, or a third of Lease if shorter).
	Tick time.Duration
	// Timeout is how long one run of a job may take (10 minutes).
	Timeout time.Duration
	// Grace is how long running jobs may go on once the runner is asked to
	// stop; then they are cancelled and given back, to be run again (0:
	// at once).
	Grace time.Duration
	// Log records what goes wrong; nil discards it.
	Log *slog.Logger
}

// purgeEvery is how often a runner purges old jobs.
const purgeEvery = time.Minute

// Run is this process's runner: until ctx ends, it claims jobs of the
// kinds of handlers — queued ones, and running ones whose lease has ended
// — and runs each with its handler, at most o.Slots at once, extending its
// lease while it runs. It also purges old jobs now and then. When ctx
// ends it stops claiming, gives running jobs o.Grace to end, then cancels
// them and gives them back (queued, for any runner), and returns once
// they have stopped. One Run at a time per Service.
func (s *Service) Run(ctx context.Context, handlers map[Kind]Handler, o RunOptions) error {
	if o.Slots <= 0 {
		o.Slots = 2
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Poll <= 0 {
		o.Poll = 2 * time.Second
	}
	if o.Tick <= 0 {
		o.Tick = min(time.Second, o.Lease/3)
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	work, cancelWork := context.WithCancel(context.Background())
	defer cancelWork()
	r := &runner{s: s, o: o, handlers: handlers, work: work, wakeC: make(chan struct{}, 1)}
	for k := range handlers {
		r.kinds = append(r.kinds, k)
	}
	slices.Sort(r.kinds)
	s.mu.Lock()
	if s.r != nil {
		s.mu.Unlock()
		return errors.New("job: a runner is already running")
	}
	s.r = r
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.r = nil
		s.mu.Unlock()
	}()
	r.loop(ctx)
	r.stop(cancelWork)
	return nil
}

// runner is the state of Run.
type runner struct {
	s        *Service
	o        RunOptions
	handlers map[Kind]Handler
	kinds    []Kind
	work     context.Context // the handlers' parent, cancelled after the grace
	wakeC    chan struct{}

	mu      sync.Mutex
	busy    int
	stopped bool
	wg      sync.WaitGroup // one per slot taken
}

// runner returns this process's runner, or nil.
func (s *Service) runner() *runner {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r
}

// reserve takes a slot, if one is free and the runner is not stopping.
func (r *runner) reserve() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped || r.busy >= r.o.Slots {
		return false
	}
	r.busy++
	r.wg.Add(1)
	return true
}

// free gives a slot back.
func (r *runner) free() {
	r.mu.Lock()
	r.busy--
	r.mu.Unlock()
	r.wg.Done()
}

// wake asks the loop to look for jobs now.
func (r *runner) wake() {
	select {
	case r.wakeC <- struct{}{}:
	default:
	}
}

func (r *runner) handles(k Kind) bool { _, ok := r.handlers[k]; return ok }

func (r *runner) loop(ctx context.Context) {
	poll := time.NewTicker(r.o.Poll)
	defer poll.Stop()
	var purged time.Time
	for {
		for r.reserve() {
			j, ok, err := r.claim(ctx)
			if err != nil && ctx.Err() == nil {
				r.o.Log.Error("claiming a job", "err", err)
			}
			if !ok {
				r.free()
				break
			}
			r.start(j)
		}
		if time.Since(purged) >= purgeEvery {
			if n, err := r.s.Purge(ctx); err != nil && ctx.Err() == nil {
				r.o.Log.Error("purging jobs", "err", err)
			} else if n > 0 {
				r.o.Log.Debug("purged jobs", "jobs", n)
			}
			purged = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-r.wakeC:
		}
	}
}

// stop waits for the running jobs, for the grace, then cancels them and
// waits until they have been given back.
func (r *runner) stop(cancelWork context.CancelFunc) {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	t := time.NewTimer(r.o.Grace)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	cancelWork()
	<-done
}

// claim takes the job that has waited longest, in a slot reserved: it
// fails a job that has had MaxAttempts runs, and skips one another runner
// takes first.
func (r *runner) claim(ctx context.Context) (*Job, bool, error) {
	s := r.s
	var got *Job
	err := s.store.Update(ctx, func(w Writer) error {
		got = nil
		now := s.now()
		cands, err := w.Claimable(ctx, r.kinds, now, 8)
		if err != nil {
			return err
		}
		for i := range cands {
			c := &cands[i]
			if _, mine := s.progressOf(c.ID); mine {
				// This process runs it: its lease ran out while its work
				// waited for the database (SQLite's one writer, held by
				// the work itself), not because its process died.
				continue
			}
			was := c.fence()
			if c.Attempts >= MaxAttempts {
				c.State, c.Ended, c.Preview = Failed, now, nil
				c.Lease, c.LeaseUntil = "", time.Time{}
				c.Failure = failureOf(attesta.E(attesta.Internal, "err.job.attempts", c.Attempts))
				if err := w.ReplaceJob(ctx, c, was); err != nil && attesta.ErrorCode(err) != attesta.Conflict {
					return err
				}
				r.o.Log.Warn("job failed: every run stopped with its process", "job", c.ID, "kind", c.Kind, "attempts", c.Attempts)
				continue
			}
			if err := s.take(c, r, now); err != nil {
				return err
			}
			err := w.ReplaceJob(ctx, c, was)
			if attesta.ErrorCode(err) == attesta.Conflict {
				continue // another runner took it
			}
			if err != nil {
				return err
			}
			if c.Input, err = w.JobInput(ctx, c.ID); err != nil {
				return err
			}
			got = c
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("claiming a job: %w", err)
	}
	return got, got != nil, nil
}

// start runs j, claimed in a slot reserved.
func (r *runner) start(j *Job) { go r.execute(j) }

// execute runs j with its handler while a heartbeat extends its lease and
// writes its progress, then records how it ended.
func (r *runner) execute(j *Job) {
	defer r.wake()
	defer r.free()
	run := &Run{Job: j, s: r.s, fence: j.fence()}
	r.s.setLive(j.ID, j.Done, j.Total)
	defer r.s.dropLive(j.ID)
	ctx, cancel := context.WithTimeout(r.work, r.o.Timeout)
	defer cancel()
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		r.heartbeat(ctx, cancel, run)
	}()
	err := r.call(ctx, run)
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
	cancel()
	<-beat
	r.finish(run, err, timedOut)
}

// call runs the handler, a panic being an error.
func (r *runner) call(ctx context.Context, run *Run) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.o.Log.Error("job handler panicked", "job", run.Job.ID, "kind", run.Job.Kind, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("job %s: handler panicked: %v", run.Job.ID, v)
		}
	}()
	h := r.handlers[run.Job.Kind]
	return h(ctx, run)
}

// heartbeat extends run's lease and writes its progress every tick until
// ctx ends; if the lease is lost, it cancels the run.
func (r *runner) heartbeat(ctx context.Context, cancel context.CancelFunc, run *Run) {
	t := time.NewTicker(r.o.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		j := *run.Job
		j.Input = nil
		if l, ok := r.s.progressOf(j.ID); ok {
			j.Done, j.Total = l.done, l.total
		}
		j.LeaseUntil = r.s.now().Add(r.o.Lease)
		err := r.s.store.Update(ctx, func(w Writer) error { return w.ReplaceJob(ctx, &j, run.fence) })
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return
		case attesta.ErrorCode(err) == attesta.Conflict:
			if !run.ended.Load() {
				r.o.Log.Warn("lost the lease of a running job: another runner has it", "job", j.ID, "kind", j.Kind)
				run.lost.Store(true)
				cancel()
			}
			return
		default:
			r.o.Log.Error("extending the lease of a job", "job", j.ID, "err", err)
		}
	}
}

// finish records how run ended, unless its handler ended it or another
// runner holds it now.
func (r *runner) finish(run *Run, err error, timedOut bool) {
	if run.ended.Load() && err == nil {
		return
	}
	// Ended in a transaction that then failed: the end was rolled back
	// with it, the lease is still this run's, and the failure is recorded
	// below.
	j, id := run.ending(), run.Job.ID
	if run.lost.Load() {
		r.o.Log.Warn("gave up a job another runner holds", "job", id, "kind", j.Kind)
		return
	}
	switch {
	case err == nil:
		// The handler did its work without ending the job.
		j.State = Done
		if l, ok := r.s.progressOf(id); ok {
			j.Done, j.Total = l.done, l.total
		}
	case r.work.Err() != nil:
		// The process is stopping: give the job back, to be run again.
		j = *run.Job
		j.Input = nil
		j.State, j.Worker, j.Lease, j.LeaseUntil = Queued, "", "", time.Time{}
		j.Attempts--
	case timedOut:
		j.State, j.Failure = Failed, failureOf(attesta.E(attesta.Internal, "err.job.timeout", int(r.o.Timeout/time.Minute)))
	default:
		j.State, j.Failure = Failed, failureOf(err)
		if j.Failure.Code == attesta.Internal {
			r.o.Log.Error("job failed", "job", id, "kind", j.Kind, "err", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	werr := r.s.store.Update(ctx, func(w Writer) error { return w.ReplaceJob(ctx, &j, run.fence) })
	switch {
	case attesta.ErrorCode(werr) == attesta.Conflict:
		r.o.Log.Warn("gave up a job another runner holds", "job", id, "kind", j.Kind)
	case werr != nil:
		// Its lease will end, and another runner take it up.
		r.o.Log.Error("recording the end of a job", "job", id, "state", j.State, "err", werr)
	}
}

func (s *Service) setLive(id string, done, total int) {
	s.mu.Lock()
	s.live[id] = progress{done, total}
	s.mu.Unlock()
}

func (s *Service) dropLive(id string) {
	s.mu.Lock()
	delete(s.live, id)
	s.mu.Unlock()
}

func (s *Service) progressOf(id string) (progress, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.live[id]
	return l, ok
}

// Wake asks this process's runner, if it runs, to look for jobs now: for
// a job queued by another domain's transaction (a session's issuance,
// queued when its minutes are signed).
func (s *Service) Wake() {
	if r := s.runner(); r != nil {
		r.wake()
	}
}
