package cluster_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/storage/postgres"
)

// clock is the settable clock every process of a cluster shares, as
// processes on one database share the time of day.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cluster is one PostgreSQL database, in a schema of its own, and the
// key-encryption key its processes share.
type cluster struct {
	t     *testing.T
	url   string
	kek   *issuer.KeyEncryptionKey
	clock *clock
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "attesta_cluster_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, postgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), postgresURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(postgresURL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	kek, _, err := issuer.GenerateKeyEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	return &cluster{t: t, url: u.String(), kek: kek, clock: &clock{t: testserver.Clock()}}
}

// process is one attesta server of a cluster, served over HTTP, with its
// own connection pool and, if started, its own runner of jobs.
type process struct {
	name  string
	db    *postgres.DB
	srv   *server.Server
	ts    *httptest.Server
	mu    sync.Mutex
	stop  func() // stops the runner; nil when none runs
	close sync.Once
}

// start starts a process named name (the worker's name in the jobs it
// holds), with its runner if run; configure changes its options.
func (c *cluster) start(name string, run bool, configure func(*server.Options)) *process {
	t := c.t
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, c.url, c.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	opts := server.Options{Version: "test", Log: slog.New(slog.DiscardHandler), Clock: c.clock.Now, ShutdownTimeout: time.Second,
		PublicURL: testserver.PublicURL, KEK: c.kek, APITokenSHA256: api.HashToken(testserver.APIToken),
		Jobs: job.RunOptions{Worker: name, Poll: 50 * time.Millisecond, Tick: 100 * time.Millisecond}}
	if configure != nil {
		configure(&opts)
	}
	if err := server.Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	p := &process{name: name, db: db, srv: srv, ts: httptest.NewServer(srv)}
	if run {
		p.runJobs(t)
	}
	t.Cleanup(p.shutdown)
	return p
}

// runJobs starts the process's runner.
func (p *process) runJobs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := p.srv.RunJobs(ctx); err != nil {
			t.Error(err)
		}
	}()
	p.mu.Lock()
	p.stop = func() { cancel(); <-done }
	p.mu.Unlock()
}

// shutdown stops the process as attesta serve does on SIGTERM: it stops
// serving, then its runner (which gives running jobs back), then closes
// its connections.
func (p *process) shutdown() {
	p.close.Do(func() {
		p.ts.Close()
		p.mu.Lock()
		stop := p.stop
		p.mu.Unlock()
		if stop != nil {
			stop()
		}
		p.db.Close()
	})
}

// principal is a demo person acting in a role, on p's services.
func (p *process) principal(t *testing.T, email, org string, role auth.Role) *auth.Principal {
	t.Helper()
	pr, err := p.srv.Services().People.PrincipalByEmail(context.Background(), email, org, role)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// students counts the students of the school's classes of year, as the
// national body sees them on p.
func (p *process) students(t *testing.T, school, year string) (classes, students int) {
	t.Helper()
	admin := p.principal(t, "admin@unioncamere.example", "unioncamere", auth.NationalAdmin)
	cs, err := p.srv.Services().People.Classes(context.Background(), admin, school)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Year == year {
			classes++
			students += c.Students
		}
	}
	return classes, students
}

// browser is a person's browser: one cookie jar for every process, which
// all serve 127.0.0.1 (cookies do not tell ports apart).
type browser struct {
	t      *testing.T
	client *http.Client
}

// signIn signs a demo account in at p and switches to the role.
func signIn(t *testing.T, p *process, email, org string, role auth.Role) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, client: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/login", url.Values{"email": {email}, "password": {demo.Password}}},
		{"/account/switch", url.Values{"org": {org}, "role": {string(role)}}},
	} {
		if resp, _ := b.do("POST", p, step.path, strings.NewReader(step.form.Encode()), "application/x-www-form-urlencoded"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("signing in as %s: %s: %d", email, step.path, resp.StatusCode)
		}
	}
	return b
}

func (b *browser) do(method string, p *process, path string, body io.Reader, ctype string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, p.ts.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

// upload uploads a classes file of the school at p and returns the
// address of its job.
func (b *browser) upload(p *process, school string, csv []byte) string {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "classi.csv")
	fw.Write(csv)
	mw.Close()
	resp, page := b.do("POST", p, "/orgs/"+school+"/import/classes", &body, mw.FormDataContentType())
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/import/jobs/") {
		b.t.Fatalf("uploading to %s: %d %s\n%.600s", p.name, resp.StatusCode, loc, page)
	}
	return loc
}

// progress is what the job page's script reads.
type progress struct {
	State       string
	Done, Total int
}

// poll reads a job's progress at p as the page's script does.
func (b *browser) poll(p *process, jobPath string) progress {
	b.t.Helper()
	req, _ := http.NewRequest("GET", p.ts.URL+jobPath, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var pr progress
	if err := json.NewDecoder(resp.Body).Decode(&pr); err != nil {
		b.t.Fatalf("polling %s at %s: %d, %v", jobPath, p.name, resp.StatusCode, err)
	}
	return pr
}

// follow polls a job at p until it has ended, and returns every distinct
// progress seen.
func (b *browser) follow(p *process, jobPath string) []progress {
	b.t.Helper()
	var seen []progress
	deadline := time.Now().Add(8 * time.Minute)
	for {
		pr := b.poll(p, jobPath)
		if len(seen) == 0 || seen[len(seen)-1] != pr {
			seen = append(seen, pr)
		}
		if (pr.State != "queued" && pr.State != "running") || time.Now().After(deadline) {
			return seen
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// classesFile is a classes file of the school year 2027/28: classes ×
// size students, numbered from prefix.
func classesFile(prefix string, classes, size int) []byte {
	var b bytes.Buffer
	b.WriteString("anno_scolastico,classe,matricola,cognome,nome,recapito,consenso_di\n")
	for c := range classes {
		for s := range size {
			n := c*size + s + 1
			fmt.Fprintf(&b, "2027/28,%d%s%03d,%s%05d,Cognome%d,Nome%d,,\n", 1+c%5, prefix, c, prefix, n, n, n)
		}
	}
	return b.Bytes()
}

const (
	referent = "referente@feltrinelli.example"
	school   = "mitf01000a"
)

// TestImportPreviewedOnOneConfirmedOnAnother: a school referent uploads a
// file of 5,000 students to process A and sees its preview on process B,
// where they confirm it; B runs the import while A's job page follows it
// through the database, progress included, to its end; the students are
// then in the school's classes. Nobody else sees the job, on either
// process.
func TestImportPreviewedOnOneConfirmedOnAnother(t *testing.T) {
	c := newCluster(t)
	a := c.start("a", true, nil)
	b := c.start("b", true, nil)
	ref := signIn(t, a, referent, school, auth.SchoolReferent)

	const classes, size = 200, 25
	jobPath := ref.upload(a, school, classesFile("A", classes, size))
	if _, page := ref.do("GET", b, jobPath, nil, ""); !strings.Contains(page, "5000 da creare") || !strings.Contains(page, `id="job-confirm"`) {
		t.Fatalf("the preview made on A, seen on B:\n%.800s", page)
	}
	// A Chamber operator who reaches the school does not see the job, on
	// either process, nor confirms it.
	op := signIn(t, b, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	for _, p := range []*process{a, b} {
		if resp, _ := op.do("GET", p, jobPath, nil, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another person's job at %s: %d", p.name, resp.StatusCode)
		}
		if resp, _ := op.do("POST", p, jobPath+"/apply", nil, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another person confirming at %s: %d", p.name, resp.StatusCode)
		}
	}

	if resp, _ := ref.do("POST", b, jobPath+"/apply", nil, ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming on B: %d", resp.StatusCode)
	}
	seen := ref.follow(a, jobPath)
	t.Logf("progress seen on A: %v", seen)
	last := seen[len(seen)-1]
	if last != (progress{"done", classes * size, classes * size}) {
		t.Fatalf("the import ended as %+v", last)
	}
	midway := false
	for _, pr := range seen {
		midway = midway || (pr.State == "running" && pr.Done > 0 && pr.Done < pr.Total)
	}
	if !midway {
		t.Errorf("A never showed the progress B wrote: %v", seen)
	}
	if _, page := ref.do("GET", a, jobPath, nil, ""); !strings.Contains(page, "Importazione completata") || !strings.Contains(page, "5000 da creare") {
		t.Errorf("A's page of the finished import does not say so")
	}
	j, err := a.srv.Services().Jobs.Get(context.Background(), a.principal(t, referent, school, auth.SchoolReferent), strings.TrimPrefix(jobPath, "/import/jobs/"))
	if err != nil || j.Worker != "b" || j.Attempts != 1 {
		t.Errorf("the job was run by %q in %d attempts (%v), want b in 1", j.Worker, j.Attempts, err)
	}
	if n, s := a.students(t, school, "2027/28"); n != classes || s != classes*size {
		t.Errorf("%d classes with %d students, want %d with %d", n, s, classes, classes*size)
	}
}

// TestImportTakenUpAfterRestart: a process stopped while it runs an
// import gives it back; one started on the database afterwards runs it
// again from the start, and it is imported once. An import confirmed on a
// process without a runner waits, queued, for one.
func TestImportTakenUpAfterRestart(t *testing.T) {
	c := newCluster(t)
	// A stops at once when asked: its running import gets no grace.
	a := c.start("a", true, func(o *server.Options) { o.ShutdownTimeout = time.Millisecond })
	ref := signIn(t, a, referent, school, auth.SchoolReferent)
	const classes, size = 800, 25
	jobPath := ref.upload(a, school, classesFile("R", classes, size))
	if resp, _ := ref.do("POST", a, jobPath+"/apply", nil, ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming on A: %d", resp.StatusCode)
	}
	// The deadline only keeps a broken runner from hanging the test; a
	// busy machine may take a while to start.
	for deadline := time.Now().Add(4 * time.Minute); ; {
		pr := ref.poll(a, jobPath)
		if pr.State == "running" && pr.Done > 0 {
			t.Logf("A stops at %+v", pr)
			break
		}
		if pr.State != "running" || time.Now().After(deadline) {
			t.Fatalf("the import on A: %+v", pr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	a.shutdown()

	b := c.start("b", false, nil)
	owner := b.principal(t, referent, school, auth.SchoolReferent)
	id := strings.TrimPrefix(jobPath, "/import/jobs/")
	j, err := b.srv.Services().Jobs.Get(context.Background(), owner, id)
	if err != nil || j.State != job.Queued || j.Attempts != 0 || j.Lease != "" {
		t.Fatalf("the job A gave back: %+v %v", j, err)
	}
	if n, s := b.students(t, school, "2027/28"); n != 0 || s != 0 {
		t.Fatalf("A's stopped import left %d classes, %d students", n, s)
	}
	b.runJobs(t)
	if seen := ref.follow(b, jobPath); seen[len(seen)-1] != (progress{"done", classes * size, classes * size}) {
		t.Fatalf("the import taken up by B: %v", seen)
	}
	if j, err := b.srv.Services().Jobs.Get(context.Background(), owner, id); err != nil || j.Worker != "b" || j.Attempts != 1 {
		t.Errorf("the job: %+v %v", j, err)
	}
	if n, s := b.students(t, school, "2027/28"); n != classes || s != classes*size {
		t.Errorf("%d classes with %d students, want %d with %d", n, s, classes, classes*size)
	}

	// Confirmed on a process that runs no jobs, an import waits for one:
	// B, whose runner took A's import up, stops first, or its runner
	// would take this one up too.
	b.shutdown()
	d := c.start("d", false, nil)
	jobPath = ref.upload(d, school, classesFile("Q", 2, 25))
	if resp, _ := ref.do("POST", d, jobPath+"/apply", nil, ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming on D: %d", resp.StatusCode)
	}
	if pr := ref.poll(d, jobPath); pr.State != "queued" {
		t.Fatalf("confirmed with no runner: %+v", pr)
	}
	d.shutdown()
	e := c.start("e", true, nil)
	if seen := ref.follow(e, jobPath); seen[len(seen)-1] != (progress{"done", 50, 50}) {
		t.Fatalf("the queued import, once a runner started: %v", seen)
	}
}

// TestImportTakenUpFromDeadProcess: a process that died while it held an
// import (its runner had claimed it, then nothing more) leaves it
// running; another process takes it up once the lease has ended, not
// before, and imports it.
func TestImportTakenUpFromDeadProcess(t *testing.T) {
	c := newCluster(t)
	a := c.start("a", false, nil)
	ref := signIn(t, a, referent, school, auth.SchoolReferent)
	jobPath := ref.upload(a, school, classesFile("D", 20, 25))
	if resp, _ := ref.do("POST", a, jobPath+"/apply", nil, ""); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirming on A: %d", resp.StatusCode)
	}
	// A's runner claims the job, as it would, and A dies.
	id := strings.TrimPrefix(jobPath, "/import/jobs/")
	ctx := context.Background()
	err := a.db.Jobs().Update(ctx, func(w job.Writer) error {
		j, err := w.Job(ctx, id)
		if err != nil {
			return err
		}
		was := job.Fence{State: j.State, Lease: j.Lease}
		j.State, j.Worker, j.Lease, j.LeaseUntil, j.Started = job.Running, "a", "a's lease", c.clock.Now().Add(30*time.Second), c.clock.Now()
		j.Attempts++
		return w.ReplaceJob(ctx, j, was)
	})
	if err != nil {
		t.Fatal(err)
	}
	a.shutdown()

	b := c.start("b", true, func(o *server.Options) { o.Jobs.Lease = 30 * time.Second })
	time.Sleep(300 * time.Millisecond)
	if pr := ref.poll(b, jobPath); pr.State != "running" || pr.Done != 0 {
		t.Fatalf("taken up before its lease ended: %+v", pr)
	}
	c.clock.Advance(31 * time.Second)
	if seen := ref.follow(b, jobPath); seen[len(seen)-1] != (progress{"done", 500, 500}) {
		t.Fatalf("the import taken up by B: %v", seen)
	}
	j, err := b.srv.Services().Jobs.Get(ctx, b.principal(t, referent, school, auth.SchoolReferent), id)
	if err != nil || j.Worker != "b" || j.Attempts != 2 {
		t.Errorf("the job: %+v %v", j, err)
	}
	if n, s := b.students(t, school, "2027/28"); n != 20 || s != 500 {
		t.Errorf("%d classes with %d students, want 20 with 500", n, s)
	}
}
