package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/attesta/attesta/notary"
	_ "modernc.org/sqlite" // the driver, to read the database as an auditor would
)

// TestCrashDuringBulkIssuance runs bulk issuance in a child process, kills
// it with SIGKILL at a random moment, and checks the invariants after every
// kill: every credential has exactly one log entry, at its own leaf index
// and recording exactly it; there is no entry without its credential; leaf
// indexes are gap-free; status positions are unique. The number of kills is
// ATTESTA_CRASH_RUNS (default 3; run 50 or more locally).
func TestCrashDuringBulkIssuance(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	runs := 3
	if n, err := strconv.Atoi(os.Getenv("ATTESTA_CRASH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := prepareForTest(data); err != nil {
		t.Fatal(err)
	}
	req := writeFile(t, dir, "req.json", `{"issuer":"cciaa-milano","sector":"meccatronica","version":1,"competence":"C1",
	  "learner":{"identity":"studente-crash"},"decision":{"date":"2026-06-25T00:00:00Z","reference":"Verbale n. 5/2026"}}`)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var before int64
	for run := range runs {
		cmd := exec.Command(os.Args[0], "credential", "issue", "--repeat", "100000", "--data-dir", data, "-o", os.DevNull, req)
		cmd.Env = append(os.Environ(), "ATTESTA_TEST_RUN_MAIN=1")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(150+rng.IntN(600)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		n := checkLogInvariants(t, filepath.Join(data, "attesta.db"))
		if n <= before {
			t.Logf("run %d: the child issued nothing before it was killed", run)
		}
		before = n
	}
	t.Logf("%d kills, %d credentials, invariants held after each", runs, before)
}

// checkLogInvariants reads the database directly and returns the number of
// credentials.
func checkLogInvariants(t *testing.T, path string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var creds, events, entries, counter, positions int64
	q := func(query string, dst *int64) {
		if err := db.QueryRowContext(ctx, query).Scan(dst); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	q(`SELECT COUNT(*) FROM credentials`, &creds)
	q(`SELECT COUNT(*) FROM status_events`, &events)
	q(`SELECT COUNT(*) FROM log_entries`, &entries)
	q(`SELECT entries FROM log_state WHERE id = 1`, &counter)
	q(`SELECT COUNT(*) FROM (SELECT DISTINCT issuer_id, list_no, status_index FROM credentials)`, &positions)
	if entries != creds+events || counter != entries {
		t.Fatalf("%d credentials + %d status events, %d log entries, counter %d", creds, events, entries, counter)
	}
	if positions != creds {
		t.Fatalf("%d credentials share %d status positions", creds, positions)
	}
	var maxLeaf sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(leaf_index) FROM log_entries`).Scan(&maxLeaf); err != nil {
		t.Fatal(err)
	}
	if entries > 0 && maxLeaf.Int64 != entries-1 {
		t.Fatalf("leaf indexes have gaps: %d entries, highest index %d", entries, maxLeaf.Int64)
	}
	rows, err := db.QueryContext(ctx, `SELECT c.id, c.body, c.log_index, e.entry FROM credentials c
		LEFT JOIN log_entries e ON e.leaf_index = c.log_index`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var id, body string
		var idx sql.NullInt64
		var entry []byte
		if err := rows.Scan(&id, &body, &idx, &entry); err != nil {
			t.Fatal(err)
		}
		if !idx.Valid || entry == nil {
			t.Fatalf("credential %s has no log entry", id)
		}
		if seen[idx.Int64] {
			t.Fatalf("leaf %d recorded twice", idx.Int64)
		}
		seen[idx.Int64] = true
		e, err := notary.ParseEntry(entry)
		if err != nil || e.Kind != notary.Issue || !e.Matches(id, []byte(body)) {
			t.Fatalf("leaf %d does not record credential %s: %+v %v", idx.Int64, id, e, err)
		}
	}
	return creds
}
