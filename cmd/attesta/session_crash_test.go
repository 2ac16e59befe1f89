package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCrashDuringSessionIssuance writes a closed commission session of 400
// candidates × 4 competences (attesta scale session), serves the data
// directory in a child process, whose runner takes up the session's
// issuance job, kills it with SIGKILL at a random moment, restarts it and
// waits for the job to end; then checks that every certified decision has
// exactly one badge, every badge its credential, that every credential
// stored since the session was written has its badge, and the log's
// invariants (checkLogInvariants: every credential, lock and minutes
// logged once, checkpoints prefixes of the log). The runs, each with a
// session of its own on the same data directory, are ATTESTA_CRASH_RUNS
// (default 2).
func TestCrashDuringSessionIssuance(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	runs := 2
	if n, err := strconv.Atoi(os.Getenv("ATTESTA_CRASH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	// The restarted server takes up the job its killed predecessor held
	// once its lease ends: two seconds, not a minute (TestMain).
	t.Setenv("ATTESTA_TEST_JOB_LEASE", "2s")
	data := filepath.Join(t.TempDir(), "data")
	if err := prepareForTest(data); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(data, "attesta.db")
	serveArgs := []string{"--data-dir", data, "--public-url", "https://crash.example"}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	for run := range runs {
		began := time.Now()
		code, out, errOut := cli(t, append([]string{"scale", "session", "--candidates", "400"}, serveArgs...)...)
		if code != 0 {
			t.Fatalf("attesta scale session: exit %d: %s", code, errOut)
		}
		fields := strings.Fields(out)
		if len(fields) < 2 || !strings.HasPrefix(fields[1], "ses-") {
			t.Fatalf("attesta scale session said %q", out)
		}
		session := fields[1]
		written := time.Since(began).Round(time.Millisecond)
		// The credentials stored so far; every later one is the session's.
		before := lastCredential(t, path)

		c := serveChild(t, serveArgs...)
		wait := time.Duration(200+rng.IntN(1300)) * time.Millisecond
		time.Sleep(wait)
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		c.cmd.Wait()
		killed := sessionState(t, path, session)
		t.Logf("run %d: the session written in %v; killed after %v with %d badges of %d, the job %s", run,
			written, wait, killed.badges, killed.certified, killed.job)
		restarted := time.Now()

		c = serveChild(t, serveArgs...)
		var st issuance
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
			if st = sessionState(t, path, session); st.job == "done" || st.job == "failed" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %d: the issuance did not end: %+v", run, st)
			}
		}
		t.Logf("run %d: the job %s %v after the restart", run, st.job, time.Since(restarted).Round(time.Millisecond))
		c.stop(t)
		if st.job != "done" {
			t.Fatalf("run %d: the issuance job ended %s", run, st.job)
		}
		checkSessionIssued(t, path, session, before)
		checkLogInvariants(t, path)
	}
}

// issuance is a session's issuance as the database says it.
type issuance struct {
	certified, badges int
	job               string // the state of its job
}

// sessionState reads a session's issuance, read-only, while a server may
// be writing.
func sessionState(t *testing.T, path, session string) issuance {
	t.Helper()
	raw := openReadOnly(t, path)
	defer raw.Close()
	var st issuance
	err := raw.QueryRow(`SELECT (SELECT COUNT(*) FROM commission_decisions WHERE session_id = s.id AND outcome = 'certified'),
		(SELECT COUNT(*) FROM badges WHERE session_id = s.id), j.state
		FROM commission_sessions s JOIN jobs j ON j.id = s.job_id WHERE s.id = ?`, session).Scan(&st.certified, &st.badges, &st.job)
	if err != nil {
		t.Fatalf("reading session %s: %v", session, err)
	}
	return st
}

// lastCredential returns the rowid of the last credential stored (0:
// none); SQLite gives a later one a greater rowid.
func lastCredential(t *testing.T, path string) int64 {
	t.Helper()
	raw := openReadOnly(t, path)
	defer raw.Close()
	var last int64
	if err := raw.QueryRow(`SELECT COALESCE(MAX(rowid), 0) FROM credentials`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	return last
}

// checkSessionIssued checks a session whose issuance ended: each certified
// decision has exactly one badge (the primary key says at most one), each
// badge a credential of its own, and the credentials stored after before
// (lastCredential) are exactly its badges'.
func checkSessionIssued(t *testing.T, path, session string, before int64) {
	t.Helper()
	raw := openReadOnly(t, path)
	defer raw.Close()
	q := func(query string, args ...any) int {
		t.Helper()
		if len(args) == 0 {
			args = []any{session}
		}
		var n int
		if err := raw.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	certified := q(`SELECT COUNT(*) FROM commission_decisions WHERE session_id = ? AND outcome = 'certified'`)
	if certified != 400*4 {
		t.Fatalf("session %s certifies %d competences, not %d", session, certified, 400*4)
	}
	if n := q(`SELECT COUNT(*) FROM commission_decisions d WHERE d.session_id = ? AND d.outcome = 'certified'
		AND (SELECT COUNT(*) FROM badges b WHERE b.session_id = d.session_id AND b.candidate = d.candidate AND b.competence = d.competence) <> 1`); n != 0 {
		t.Fatalf("session %s: %d certified decisions without exactly one badge", session, n)
	}
	badges := q(`SELECT COUNT(*) FROM badges WHERE session_id = ?`)
	if badges != certified {
		t.Fatalf("session %s: %d badges of %d certified decisions", session, badges, certified)
	}
	if n := q(`SELECT COUNT(*) FROM badges b JOIN credentials c ON c.id = b.credential_id WHERE b.session_id = ?`); n != badges {
		t.Fatalf("session %s: %d of its %d badges have their credential", session, n, badges)
	}
	if n := q(`SELECT COUNT(DISTINCT credential_id) FROM badges WHERE session_id = ?`); n != badges {
		t.Fatalf("session %s: %d badges share %d credentials", session, badges, n)
	}
	// Nothing else issues while the test runs: the credentials stored
	// since the session was written are its own, each with its badge.
	if n := q(`SELECT COUNT(*) FROM credentials WHERE rowid > ?`, before); n != badges {
		t.Fatalf("session %s: %d credentials stored since it was written, %d badges", session, n, badges)
	}
	if n := q(`SELECT COUNT(*) FROM credentials c WHERE c.rowid > ?
		AND NOT EXISTS (SELECT 1 FROM badges b WHERE b.credential_id = c.id AND b.session_id = ?)`, before, session); n != 0 {
		t.Fatalf("session %s: %d credentials stored since it was written without its badge", session, n)
	}
}

// openReadOnly opens the SQLite database read-only.
func openReadOnly(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.PingContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	return raw
}
