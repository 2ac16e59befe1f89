package scale_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/scale"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/storage/sqlite"
)

// A scale session closes with every candidate's four competences
// certified and its issuance queued; the job runner issues it, one badge
// per decision, each credential verifying.
func TestSession(t *testing.T) {
	db := sqliteDB(t)
	srv := testserver.NewOn(t, db, nil)
	svc := srv.Services()
	ctx := context.Background()
	id, certified, err := scale.Session(ctx, svc, db, testserver.Clock(), 20)
	if err != nil {
		t.Fatal(err)
	}
	if certified != 20*len(scale.Competences) {
		t.Fatalf("%d certified, want %d", certified, 20*len(scale.Competences))
	}
	chamber, err := svc.People.PrincipalByEmail(ctx, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	if err != nil {
		t.Fatal(err)
	}
	var v *commission.SessionView
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if v, err = svc.Commissions.GetSession(ctx, chamber, id); err != nil {
			t.Fatal(err)
		}
		if v.Progress != nil && v.Progress.State == job.Done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the issuance did not end: %+v", v.Progress)
		}
	}
	if len(v.Candidates) != 20 || len(v.Badges) != certified || v.Progress.Issued != certified {
		t.Fatalf("%d candidates, %d badges, progress %+v; want 20 and %d", len(v.Candidates), len(v.Badges), v.Progress, certified)
	}
	seen := map[string]bool{}
	for _, b := range v.Badges {
		key := b.Candidate + "/" + b.Competence
		if seen[key] {
			t.Fatalf("two badges for %s", key)
		}
		seen[key] = true
	}
	rec, err := svc.Credentials.Record(ctx, credential.Actor{Name: "test"}, v.Badges[0].Credential)
	if err != nil {
		t.Fatal(err)
	}
	if r := svc.Verifier.Verify(ctx, rec.Body); !r.Verified {
		t.Fatalf("a session's credential does not verify: %+v", r.Checks)
	}
	// A second session on the same database takes the dossiers no session
	// has decided: its own.
	if _, n, err := scale.Session(ctx, svc, db, testserver.Clock(), 3); err != nil || n != 3*len(scale.Competences) {
		t.Fatalf("a second session: %d certified, %v", n, err)
	}
}

// BenchmarkIssuance measures the issuance of a whole session, 5,000
// candidates × 4 competences (ATTESTA_BENCH_CANDIDATES changes the
// count), in this process (Commissions.IssueSession, as a job runner runs
// it), on SQLite and (when a server answers at ATTESTA_TEST_POSTGRES_URL)
// PostgreSQL; the session is built outside the timer. It reports
// credentials/s, the seconds of a session, and the CPU seconds this
// process spent in it (on every core; PostgreSQL's own are not counted):
//
//	go test ./internal/scale -run '^$' -bench Issuance -benchtime 1x -timeout 30m
//
// In a CPU profile the issuance's samples are labelled phase=issue:
//
//	go test ./internal/scale -run '^$' -bench Issuance/sqlite -benchtime 1x -cpuprofile cpu.out
//	go tool pprof -tagfocus phase=issue -top cpu.out
func BenchmarkIssuance(b *testing.B) {
	candidates := 5000
	if n, err := strconv.Atoi(os.Getenv("ATTESTA_BENCH_CANDIDATES")); err == nil && n > 0 {
		candidates = n
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var elapsed, cpu time.Duration
			issued := 0
			for range b.N {
				b.StopTimer()
				var db server.Database
				if engine == "sqlite" {
					db = sqliteDB(b)
				} else {
					db = testserver.Postgres(b, "scale")
				}
				// No job runner: the session's job stays queued, and the
				// timed issuance is the only one.
				svc := services(b, db)
				ctx := context.Background()
				start := time.Now()
				id, certified, err := scale.Session(ctx, svc, db, testserver.Clock(), candidates)
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("%s: a session of %d candidates, %d to issue, built in %v", engine, candidates, certified, time.Since(start).Round(time.Millisecond))
				b.StartTimer()
				start, cpu0 := time.Now(), cpuTime()
				// Labelled, so that a -cpuprofile tells it from the setup:
				// go tool pprof -tagfocus phase=issue.
				var n int
				pprof.Do(ctx, pprof.Labels("phase", "issue"), func(ctx context.Context) {
					n, err = svc.Commissions.IssueSession(ctx, id)
				})
				if err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
				cpu += cpuTime() - cpu0
				b.StopTimer()
				if n != certified {
					b.Fatalf("%d issued of %d", n, certified)
				}
				issued += n
			}
			b.ReportMetric(float64(issued)/elapsed.Seconds(), "credentials/s")
			b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/session")
			// The process's CPU time (all cores) in the issuance: what a
			// busy machine does not change as it changes the seconds.
			if cpu > 0 {
				b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/session")
			}
		})
	}
}

// sqliteDB opens a new SQLite database, closed when the test ends.
func sqliteDB(tb testing.TB) server.Database {
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "attesta.db"), testserver.Clock)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// services prepares db (the first-start dataset) as testserver does, and
// returns its services, with no job runner.
func services(tb testing.TB, db server.Database) *server.Services {
	kek, _, err := issuer.GenerateKeyEncryptionKey()
	if err != nil {
		tb.Fatal(err)
	}
	opts := server.Options{Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: testserver.Clock,
		ShutdownTimeout: time.Second, PublicURL: testserver.PublicURL, KEK: kek, APITokenSHA256: api.HashToken(testserver.APIToken)}
	if err := server.Prepare(context.Background(), db, opts); err != nil {
		tb.Fatal(err)
	}
	svc, err := server.NewServices(db, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}
