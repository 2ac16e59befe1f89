package importer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/people"
)

// jobEnv is env with the jobs' service, whose runner runs the import
// jobs (wrapped by wrap, if not nil) until the test ends, and a school
// referent who exists in the database, as a job's owner must.
func jobEnv(t *testing.T, wrap func(job.Handler) job.Handler) (*env, *job.Service, *auth.Principal) {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.people.AddMember(ctx, admin, "itis-avogadro", people.Person{GivenName: "Rita", FamilyName: "Referente", Email: "rita@avogadro.example"}, auth.SchoolReferent); err != nil {
		t.Fatal(err)
	}
	p, err := e.people.PrincipalByEmail(ctx, "rita@avogadro.example", "itis-avogadro", auth.SchoolReferent)
	if err != nil {
		t.Fatal(err)
	}
	jobs := job.NewService(e.db.Jobs(), e.clock.Now, nil)
	hs := e.imp.JobHandlers()
	if wrap != nil {
		for k, h := range hs {
			hs[k] = wrap(h)
		}
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		jobs.Run(runCtx, hs, job.RunOptions{Poll: 10 * time.Millisecond})
	}()
	t.Cleanup(func() { stop(); <-done })
	return e, jobs, p
}

// startJob prepares, starts and confirms the import of a classes file.
func startJob(t *testing.T, e *env, jobs *job.Service, p *auth.Principal, file string) *job.Job {
	t.Helper()
	ctx := context.Background()
	spec, plan, err := e.imp.PrepareJob(ctx, p, importer.Classes, "itis-avogadro", []byte(file), "/orgs/itis-avogadro#classes")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Kind != "import.classes" || spec.Total != plan.Created+plan.Updated+plan.Unchanged {
		t.Errorf("spec %s of %d rows, plan %+v", spec.Kind, spec.Total, plan.Counts)
	}
	j, err := jobs.Create(ctx, p, spec)
	if err != nil {
		t.Fatal(err)
	}
	v, err := importer.ViewJob(j)
	if err != nil || v.Kind != importer.Classes || v.School != "itis-avogadro" || v.Back != "/orgs/itis-avogadro#classes" ||
		v.Plan == nil || v.Rows != len(plan.Rows) || v.Plan.Created != plan.Created {
		t.Fatalf("the job's preview: %+v %v", v, err)
	}
	if j, err = jobs.Confirm(ctx, p, j.ID); err != nil {
		t.Fatal(err)
	}
	return j
}

func waitEnded(t *testing.T, jobs *job.Service, p *auth.Principal, id string) *job.Job {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		j, err := jobs.Get(context.Background(), p, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State.Ended() || time.Now().After(deadline) {
			return j
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const jobFile = "anno_scolastico,classe,matricola,cognome,nome\n2026/27,3A,J1,Rossi,Anna\n2026/27,3A,J2,Verdi,Luca\n"

// TestImportJob: an import prepared, started and confirmed as a job runs
// for its owner, as they are in the database, and ends done with its
// counts; its rows are written.
func TestImportJob(t *testing.T) {
	e, jobs, p := jobEnv(t, nil)
	j := waitEnded(t, jobs, p, startJob(t, e, jobs, p, jobFile).ID)
	v, err := importer.ViewJob(j)
	if j.State != job.Done || err != nil || v.Result == nil || v.Result.Created != 2 || j.Done != 2 || j.Total != 2 || v.Plan != nil {
		t.Fatalf("the job: %+v %+v %v", j, v, err)
	}
	c, err := e.people.Classes(context.Background(), admin, "itis-avogadro")
	if err != nil || len(c) != 1 || c[0].Students != 2 {
		t.Errorf("classes: %+v %v", c, err)
	}
	// The audit trail names the owner as they are stored.
	entries := e.auditCount(t)
	if entries < 3 {
		t.Errorf("%d audit entries", entries)
	}
}

// TestImportJobRefused: a file that no longer imports once confirmed (a
// student enrolled meanwhile in another class of the year) fails the job
// with its problems, said in either language; nothing is written.
func TestImportJobRefused(t *testing.T) {
	e, jobs, p := jobEnv(t, nil)
	ctx := context.Background()
	spec, _, err := e.imp.PrepareJob(ctx, p, importer.Classes, "itis-avogadro", []byte(jobFile), "")
	if err != nil {
		t.Fatal(err)
	}
	j, err := jobs.Create(ctx, p, spec)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.people.CreateClass(ctx, admin, people.Class{School: "itis-avogadro", Year: "2026/27", Name: "3B"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.people.Enrol(ctx, admin, other.ID, people.StudentInput{Person: people.Person{GivenName: "Luca", FamilyName: "Verdi"}, Student: people.Student{Number: "J2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.Confirm(ctx, p, j.ID); err != nil {
		t.Fatal(err)
	}
	j = waitEnded(t, jobs, p, j.ID)
	if j.State != job.Failed || j.Failure == nil || j.Failure.Code != attesta.Conflict {
		t.Fatalf("the job: %+v %+v", j, j.Failure)
	}
	v, err := importer.ViewJob(j)
	if err != nil || len(v.Errors) != 1 || v.Errors[0].Row != 3 || v.Errors[0].Key != "err.import.student.otherclass" {
		t.Fatalf("its problems: %+v %v", v, err)
	}
	if it, en := v.Errors[0].In("it"), v.Errors[0].In("en"); !strings.Contains(it, "3B") || !strings.Contains(en, "3B") || it == en {
		t.Errorf("the problem said: %q, %q", it, en)
	}
	if j.Failure.Key != "err.import.problem" || attesta.MessageIn(j.Failure.Err(), "it") == attesta.MessageIn(j.Failure.Err(), "en") {
		t.Errorf("the failure: %+v", j.Failure)
	}
	if c, _ := e.people.Classes(ctx, admin, "itis-avogadro"); len(c) != 1 {
		t.Errorf("a refused job wrote classes: %+v", c)
	}
}

// TestImportJobLostLease: a runner that lost its job to another while it
// imported cannot end it, and its import is rolled back with it: the job
// is never done without its rows, nor its rows written twice.
func TestImportJobLostLease(t *testing.T) {
	var e *env
	ended := make(chan error, 1)
	usurp := func(h job.Handler) job.Handler {
		return func(ctx context.Context, run *job.Run) error {
			err := e.db.Jobs().Update(ctx, func(w job.Writer) error {
				j := *run.Job
				j.Input, j.Lease = nil, "another runner's"
				return w.ReplaceJob(ctx, &j, job.Fence{State: run.Job.State, Lease: run.Job.Lease})
			})
			if err == nil {
				err = h(ctx, run)
			}
			ended <- err
			return err
		}
	}
	e, jobs, p := jobEnv(t, usurp)
	id := startJob(t, e, jobs, p, jobFile).ID
	select {
	case err := <-ended:
		if attesta.ErrorCode(err) != attesta.Conflict || attesta.ErrorKey(err) != "err.job.changed" {
			t.Errorf("the lost run ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the run never ended")
	}
	j, err := jobs.Get(context.Background(), p, id)
	if err != nil || j.State != job.Running || j.Lease != "another runner's" || j.Result != nil {
		t.Errorf("the job after the lost run: %+v %v", j, err)
	}
	if c, _ := e.people.Classes(context.Background(), admin, "itis-avogadro"); len(c) != 0 {
		t.Errorf("the lost run's import was committed: %+v", c)
	}
}
