package storagetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/job"
)

// The jobs' behaviour: round trips, the owner's view and the limits,
// claims made once by runners of several processes at once, a lease that
// ends and the job taken up by another runner, the writes of a runner
// that lost its lease refused, a job given back when its process stops,
// and the purge. A "process" is a job.Service with its runner; they share
// the database, as processes share PostgreSQL.

// echo is the kind of the suite's jobs: its handler ends the job with its
// input as result.
const echo job.Kind = "test.echo"

func jobOwner(person string) *auth.Principal {
	return &auth.Principal{Person: person, Name: person, Membership: auth.Membership{Org: "itis-avogadro", Role: auth.SchoolReferent, OrgKind: auth.School}}
}

// echoHandler ends each job with its input, in a transaction of db, after
// before (if not nil) returns; runs counts the runs of each job.
func echoHandler(db DB, runs *sync.Map, before func(ctx context.Context, run *job.Run) error) job.Handler {
	return func(ctx context.Context, run *job.Run) error {
		n, _ := runs.LoadOrStore(run.Job.ID, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		run.Progress(1, 2)
		if before != nil {
			if err := before(ctx, run); err != nil {
				return err
			}
		}
		return db.Jobs().Update(ctx, func(w job.Writer) error {
			return run.End(ctx, w, map[string]string{"echo": string(run.Job.Input)})
		})
	}
}

// runner runs svc's runner until the test ends, or stop is called.
func runner(t *testing.T, svc *job.Service, h job.Handler, o job.RunOptions) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	if o.Poll == 0 {
		o.Poll = 10 * time.Millisecond
	}
	go func() {
		defer close(done)
		if err := svc.Run(ctx, map[job.Kind]job.Handler{echo: h}, o); err != nil {
			t.Error(err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// waitJob waits until p's job id is in state (or has failed), and returns
// it.
func waitJob(t *testing.T, svc *job.Service, p *auth.Principal, id string, state job.State) *job.Job {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		j, err := svc.Get(context.Background(), p, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == state {
			return j
		}
		if j.State == job.Failed || time.Now().After(deadline) {
			t.Fatalf("job %s is %s, want %s (failure %+v)", id, j.State, state, j.Failure)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// queued starts and confirms a job of p's with input, on a service without
// a runner, and returns its id.
func queued(t *testing.T, svc *job.Service, p *auth.Principal, input string) string {
	t.Helper()
	ctx := context.Background()
	j, err := svc.Create(ctx, p, job.Spec{Kind: echo, Params: []byte(`{}`), Input: []byte(input), Total: 2})
	if err != nil {
		t.Fatal(err)
	}
	if j, err = svc.Confirm(ctx, p, j.ID); err != nil || j.State != job.Queued {
		t.Fatalf("confirming: %v %v", j, err)
	}
	return j.ID
}

func input(t *testing.T, db DB, id string) []byte {
	t.Helper()
	var in []byte
	err := db.Jobs().View(context.Background(), func(r job.Reader) (err error) {
		in, err = r.JobInput(context.Background(), id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func testJobs(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	svc := job.NewService(db.Jobs(), clock.Now, nil)
	p := jobOwner("p-1")

	data := []byte("matricola\x00\xff;è\n")
	j, err := svc.Create(ctx, p, job.Spec{Kind: echo, Params: []byte(`{"school":"x"}`), Input: data, Preview: []byte(`{"rows":3}`), Total: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.ID) < 32 || j.State != job.Previewed || j.Input != nil {
		t.Fatalf("created: %+v", j)
	}
	got, err := svc.Get(ctx, p, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != echo || got.Owner != (job.Owner{Person: "p-1", Org: "itis-avogadro", Role: auth.SchoolReferent}) || got.Total != 3 ||
		string(got.Params) != `{"school":"x"}` || string(got.Preview) != `{"rows":3}` || got.Input != nil ||
		!got.Created.Equal(clock.Now()) || !got.Expires.Equal(clock.Now().Add(job.PreviewLife)) || !got.Queued.IsZero() {
		t.Errorf("round trip: %+v", got)
	}
	if in := input(t, db, j.ID); !bytes.Equal(in, data) {
		t.Errorf("input %q, want %q", in, data)
	}
	// Only its owner sees it; only in the role they previewed it in do
	// they confirm it.
	_, err = svc.Get(ctx, jobOwner("p-2"), j.ID)
	code(t, err, attesta.NotFound)
	_, err = svc.Confirm(ctx, jobOwner("p-2"), j.ID)
	code(t, err, attesta.NotFound)
	other := jobOwner("p-1")
	other.Role = auth.SchoolTutor
	_, err = svc.Confirm(ctx, other, j.ID)
	code(t, err, attesta.Forbidden)
	if _, err := svc.Get(ctx, other, j.ID); err != nil {
		t.Errorf("its owner in another role: %v", err)
	}
	// A personal access token is bound to one role: through it, the
	// owner's jobs of other roles do not exist.
	token := *other
	token.Scopes = []auth.Scope{auth.ScopeRead}
	_, err = svc.Get(ctx, &token, j.ID)
	code(t, err, attesta.NotFound)
	token = *p
	token.Scopes = []auth.Scope{auth.ScopeRead}
	if _, err := svc.Get(ctx, &token, j.ID); err != nil {
		t.Errorf("through a token of its role: %v", err)
	}
	// Confirmed with no runner in the process: queued, its preview gone.
	c, err := svc.Confirm(ctx, p, j.ID)
	if err != nil || c.State != job.Queued || c.Preview != nil || !c.Queued.Equal(clock.Now()) {
		t.Fatalf("confirmed: %+v %v", c, err)
	}
	if again, err := svc.Confirm(ctx, p, j.ID); err != nil || again.State != job.Queued {
		t.Errorf("confirmed again: %+v %v", again, err)
	}
	// A write fenced by what the job no longer is changes nothing.
	err = db.Jobs().Update(ctx, func(w job.Writer) error {
		stale := *got
		stale.State = job.Cancelled
		return w.ReplaceJob(ctx, &stale, job.Fence{State: job.Previewed})
	})
	code(t, err, attesta.Conflict)
	// Cancelled, its input is deleted.
	if c, err := svc.Cancel(ctx, p, j.ID); err != nil || c.State != job.Cancelled {
		t.Fatalf("cancelled: %+v %v", c, err)
	}
	if in := input(t, db, j.ID); in != nil {
		t.Errorf("a cancelled job keeps its input: %q", in)
	}

	// A failure round-trips, said in any language.
	refusal := attesta.E(attesta.Conflict, "err.job.mine", 4)
	f := &job.Failure{Code: attesta.Conflict, Key: "err.job.mine", Args: []json.RawMessage{json.RawMessage(`4`)}, Detail: json.RawMessage(`[{"row":2}]`)}
	j2, err := svc.Create(ctx, p, job.Spec{Kind: echo, Params: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Jobs().Update(ctx, func(w job.Writer) error {
		n := *j2
		n.State, n.Failure, n.Ended, n.Preview = job.Failed, f, clock.Now(), nil
		return w.ReplaceJob(ctx, &n, job.Fence{State: job.Previewed})
	})
	if err != nil {
		t.Fatal(err)
	}
	failed, err := svc.Get(ctx, p, j2.ID)
	if err != nil || failed.Failure == nil {
		t.Fatalf("failed: %+v %v", failed, err)
	}
	if got := failed.Failure.Err(); attesta.ErrorCode(got) != attesta.Conflict ||
		attesta.MessageIn(got, "it") != attesta.MessageIn(refusal, "it") || attesta.MessageIn(got, "en") != attesta.MessageIn(refusal, "en") ||
		string(failed.Failure.Detail) != `[{"row":2}]` {
		t.Errorf("failure read back: %+v: %q", failed.Failure, attesta.MessageIn(got, "it"))
	}

	// Limits: MaxEach jobs waiting or running per person; an expired
	// preview does not count, and cannot be confirmed.
	var ids []string
	for i := range job.MaxEach {
		j, err := svc.Create(ctx, jobOwner("p-3"), job.Spec{Kind: echo, Params: []byte(`{}`), Input: []byte(fmt.Sprint(i))})
		if err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
		ids = append(ids, j.ID)
	}
	_, err = svc.Create(ctx, jobOwner("p-3"), job.Spec{Kind: echo, Params: []byte(`{}`)})
	code(t, err, attesta.Conflict)
	if attesta.ErrorKey(err) != "err.job.mine" {
		t.Errorf("key %s", attesta.ErrorKey(err))
	}
	clock.Advance(job.PreviewLife)
	if j, err := svc.Get(ctx, jobOwner("p-3"), ids[0]); err != nil || j.State != job.Expired {
		t.Errorf("an old preview: %+v %v", j, err)
	}
	_, err = svc.Confirm(ctx, jobOwner("p-3"), ids[0])
	code(t, err, attesta.Conflict)
	if _, err := svc.Create(ctx, jobOwner("p-3"), job.Spec{Kind: echo, Params: []byte(`{}`)}); err != nil {
		t.Errorf("the expired previews still count: %v", err)
	}
}

// testJobsClaimedOnce: three processes' runners take twelve queued jobs at
// once; each job runs once and ends done.
func testJobsClaimedOnce(t *testing.T, open Opener) {
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	web := job.NewService(db.Jobs(), clock.Now, nil)
	var runs sync.Map
	var ids []string
	owners := map[string]*auth.Principal{}
	for i := range 12 {
		p := jobOwner(fmt.Sprintf("p-%d", i%3))
		id := queued(t, web, p, fmt.Sprintf("job %d", i))
		ids, owners[id] = append(ids, id), p
	}
	slow := func(ctx context.Context, run *job.Run) error {
		time.Sleep(5 * time.Millisecond)
		return nil
	}
	for range 3 {
		runner(t, job.NewService(db.Jobs(), clock.Now, nil), echoHandler(db, &runs, slow), job.RunOptions{Slots: 3})
	}
	for i, id := range ids {
		j := waitJob(t, web, owners[id], id, job.Done)
		if string(j.Result) != fmt.Sprintf(`{"echo":"job %d"}`, i) || j.Attempts != 1 || j.Lease != "" || j.Done != 1 || j.Total != 2 {
			t.Errorf("job %d: %+v", i, j)
		}
		if in := input(t, db, id); in != nil {
			t.Errorf("job %d keeps its input", i)
		}
	}
	runs.Range(func(id, n any) bool {
		if n := n.(*atomic.Int64).Load(); n != 1 {
			t.Errorf("job %s ran %d times", id, n)
		}
		return true
	})
}

// takeAs claims a queued or expired job id for a runner of another
// process, which then dies: the job is running, its lease token tok.
func takeAs(t *testing.T, db DB, clock *Clock, id, tok string) job.Fence {
	t.Helper()
	ctx := context.Background()
	err := db.Jobs().Update(ctx, func(w job.Writer) error {
		j, err := w.Job(ctx, id)
		if err != nil {
			return err
		}
		was := job.Fence{State: j.State, Lease: j.Lease}
		j.State, j.Worker, j.Lease, j.LeaseUntil, j.Started = job.Running, "elsewhere", tok, clock.Now().Add(time.Minute), clock.Now()
		j.Attempts++
		return w.ReplaceJob(ctx, j, was)
	})
	if err != nil {
		t.Fatal(err)
	}
	return job.Fence{State: job.Running, Lease: tok}
}

// testJobsLeaseTakeover: a job whose runner died is taken up by another
// once its lease has ended, not before; the dead runner's late end is
// refused; a job whose every run died fails.
func testJobsLeaseTakeover(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	web := job.NewService(db.Jobs(), clock.Now, nil)
	p := jobOwner("p-1")
	id := queued(t, web, p, "taken up")
	dead := takeAs(t, db, clock, id, "dead-runner")
	var runs sync.Map
	stop := runner(t, job.NewService(db.Jobs(), clock.Now, nil), echoHandler(db, &runs, nil), job.RunOptions{Lease: time.Minute})
	time.Sleep(100 * time.Millisecond)
	if j, err := web.Get(ctx, p, id); err != nil || j.State != job.Running || j.Worker != "elsewhere" {
		t.Fatalf("taken up before its lease ended: %+v %v", j, err)
	}
	clock.Advance(time.Minute + time.Second)
	j := waitJob(t, web, p, id, job.Done)
	if j.Attempts != 2 || string(j.Result) != `{"echo":"taken up"}` {
		t.Errorf("taken up: %+v", j)
	}
	// The dead runner wakes up and ends the job: refused.
	err := db.Jobs().Update(ctx, func(w job.Writer) error {
		late := *j
		late.State, late.Result = job.Done, []byte(`{"echo":"late"}`)
		return w.ReplaceJob(ctx, &late, dead)
	})
	code(t, err, attesta.Conflict)
	if j, _ := web.Get(ctx, p, id); string(j.Result) != `{"echo":"taken up"}` {
		t.Errorf("the late end overwrote the job: %s", j.Result)
	}
	// A job taken up MaxAttempts times from runners that died fails.
	stop()
	id = queued(t, web, p, "poison")
	for i := range job.MaxAttempts {
		takeAs(t, db, clock, id, fmt.Sprint("dead-", i))
		if i < job.MaxAttempts-1 {
			err := db.Jobs().Update(ctx, func(w job.Writer) error { // its lease ends, and it is queued again
				j, err := w.Job(ctx, id)
				if err != nil {
					return err
				}
				was := job.Fence{State: j.State, Lease: j.Lease}
				j.State, j.Lease, j.LeaseUntil = job.Queued, "", time.Time{}
				return w.ReplaceJob(ctx, j, was)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	clock.Advance(time.Minute + time.Second)
	runner(t, job.NewService(db.Jobs(), clock.Now, nil), echoHandler(db, &runs, nil), job.RunOptions{})
	j = waitJob(t, web, p, id, job.Failed)
	if j.Failure == nil || j.Failure.Key != "err.job.attempts" {
		t.Errorf("poison job: %+v", j.Failure)
	}
	if _, ok := runs.Load(id); ok {
		t.Error("a job whose every run died ran again")
	}
}

// testJobsLostLease: a runner whose job another runner took over learns
// it at its next extension: its run is cancelled and writes nothing; and
// its handler's end of the job is refused.
func testJobsLostLease(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	web := job.NewService(db.Jobs(), clock.Now, nil)
	p := jobOwner("p-1")
	for _, extend := range []bool{true, false} {
		id := queued(t, web, p, "lost")
		started, release := make(chan job.Fence, 1), make(chan struct{})
		ended := make(chan error, 1)
		tick := time.Hour
		if extend {
			tick = 20 * time.Millisecond
		}
		h := func(ctx context.Context, run *job.Run) error {
			j := *run.Job
			started <- job.Fence{State: j.State, Lease: j.Lease}
			select {
			case <-ctx.Done():
				ended <- ctx.Err()
				return ctx.Err()
			case <-release:
			}
			err := db.Jobs().Update(ctx, func(w job.Writer) error { return run.End(ctx, w, "mine") })
			ended <- err
			return err
		}
		stop := runner(t, job.NewService(db.Jobs(), clock.Now, nil), h, job.RunOptions{Tick: tick, Lease: time.Minute})
		held := <-started
		// Another runner takes the job over (its lease ended unseen).
		err := db.Jobs().Update(ctx, func(w job.Writer) error {
			j, err := w.Job(ctx, id)
			if err != nil {
				return err
			}
			j.Lease, j.Worker = "usurper", "elsewhere"
			return w.ReplaceJob(ctx, j, held)
		})
		if err != nil {
			t.Fatal(err)
		}
		if !extend {
			close(release)
		}
		select {
		case err := <-ended:
			if extend && err != context.Canceled {
				t.Errorf("the run went on after its lease was lost: %v", err)
			}
			if !extend {
				code(t, err, attesta.Conflict)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the run never ended")
		}
		stop()
		j, err := web.Get(ctx, p, id)
		if err != nil || j.State != job.Running || j.Lease != "usurper" || j.Result != nil {
			t.Errorf("extend=%v: the job after its lost run: %+v %v", extend, j, err)
		}
	}
}

// testJobsGivenBack: a process that stops cancels its running job and
// gives it back, queued, its attempt not counted; another finishes it.
func testJobsGivenBack(t *testing.T, open Opener) {
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	web := job.NewService(db.Jobs(), clock.Now, nil)
	p := jobOwner("p-1")
	id := queued(t, web, p, "again")
	started := make(chan struct{})
	block := func(ctx context.Context, run *job.Run) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}
	var runs sync.Map
	stop := runner(t, job.NewService(db.Jobs(), clock.Now, nil), echoHandler(db, &runs, block), job.RunOptions{})
	<-started
	stop()
	j := waitJob(t, web, p, id, job.Queued)
	if j.Attempts != 0 || j.Lease != "" || !j.Started.Equal(clock.Now()) {
		t.Errorf("given back: %+v", j)
	}
	runner(t, job.NewService(db.Jobs(), clock.Now, nil), echoHandler(db, &runs, nil), job.RunOptions{})
	if j := waitJob(t, web, p, id, job.Done); j.Attempts != 1 {
		t.Errorf("finished: %+v", j)
	}
}

// testJobsPurge: expired previews and jobs ended longer than Retention ago
// are forgotten; the others are kept.
func testJobsPurge(t *testing.T, open Opener) {
	ctx := context.Background()
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	svc := job.NewService(db.Jobs(), clock.Now, nil)
	p := jobOwner("p-1")
	create := func() string {
		j, err := svc.Create(ctx, p, job.Spec{Kind: echo, Params: []byte(`{}`), Input: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		return j.ID
	}
	oldPreview, oldCancelled := create(), create()
	if _, err := svc.Cancel(ctx, p, oldCancelled); err != nil {
		t.Fatal(err)
	}
	clock.Advance(job.Retention + time.Second)
	waiting, recentCancelled := create(), create()
	if _, err := svc.Confirm(ctx, p, waiting); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Cancel(ctx, p, recentCancelled); err != nil {
		t.Fatal(err)
	}
	n, err := svc.Purge(ctx)
	if err != nil || n != 2 {
		t.Errorf("purged %d, %v; want 2", n, err)
	}
	for id, kept := range map[string]bool{oldPreview: false, oldCancelled: false, waiting: true, recentCancelled: true} {
		_, err := svc.Get(ctx, p, id)
		if kept && err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if !kept && attesta.ErrorCode(err) != attesta.NotFound {
			t.Errorf("%s not purged: %v", id, err)
		}
	}
}

// testJobsOwnRunNotClaimed: a run whose lease runs out while its own work
// holds the database (on SQLite, the one writer, which the lease's
// extension waits for) is not claimed again by its own runner: refused,
// it ends failed with its refusal, after one run.
func testJobsOwnRunNotClaimed(t *testing.T, open Opener) {
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	svc := job.NewService(db.Jobs(), clock.Now, nil)
	p := jobOwner("p-1")
	id := queued(t, svc, p, "slow")
	var runs atomic.Int64
	h := func(ctx context.Context, run *job.Run) error {
		runs.Add(1)
		return db.Jobs().Update(ctx, func(w job.Writer) error {
			clock.Advance(2 * time.Minute)
			time.Sleep(100 * time.Millisecond) // the runner's loop polls, and waits for the writer on SQLite
			return attesta.E(attesta.Invalid, "err.job.expired")
		})
	}
	runner(t, svc, h, job.RunOptions{Slots: 2, Lease: time.Minute})
	j := waitJob(t, svc, p, id, job.Failed)
	if n := runs.Load(); n != 1 || j.Failure == nil || j.Failure.Key != "err.job.expired" {
		t.Errorf("after %d runs: %+v, want one run failed with err.job.expired", n, j.Failure)
	}
}

// testJobsEndRolledBack: a job ended in a transaction that then fails is
// not ended: the failure is recorded at once, after one run.
func testJobsEndRolledBack(t *testing.T, open Opener) {
	clock := NewClock()
	db, _ := migrated(t, open, clock)
	svc := job.NewService(db.Jobs(), clock.Now, nil)
	p := jobOwner("p-1")
	id := queued(t, svc, p, "undone")
	var runs atomic.Int64
	h := func(ctx context.Context, run *job.Run) error {
		runs.Add(1)
		return db.Jobs().Update(ctx, func(w job.Writer) error {
			if err := run.End(ctx, w, "ok"); err != nil {
				return err
			}
			return attesta.E(attesta.Conflict, "err.job.expired") // as a commit that fails would
		})
	}
	runner(t, svc, h, job.RunOptions{})
	j := waitJob(t, svc, p, id, job.Failed)
	if n := runs.Load(); n != 1 || j.Failure == nil || j.Failure.Key != "err.job.expired" || j.Result != nil {
		t.Errorf("after %d runs: %+v, result %s; want one run, failed with err.job.expired, no result", n, j.Failure, j.Result)
	}
}
