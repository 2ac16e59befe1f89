package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/storage/sqlite"
)

// TestCrashDuringBulkIssuance runs `attesta serve` in a child process, issues
// credentials through its API from several clients while its sequencer
// integrates them and signs checkpoints, kills it with SIGKILL at a random
// moment, and checks the invariants after every kill: every credential the
// server acknowledged is stored; every credential has
// exactly one log entry, at its own leaf index and recording exactly it;
// there is no entry without its credential; leaf indexes are gap-free;
// status positions are unique; the integrated size is the latest
// checkpoint's; and every checkpoint ever signed is a tree the current log
// contains (its root is the root, computed with x/mod's tlog, of the current
// entries at its size). The number of kills is ATTESTA_CRASH_RUNS (default
// 3; run 50 or more locally).
func TestCrashDuringBulkIssuance(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	runs := 3
	if n, err := strconv.Atoi(os.Getenv("ATTESTA_CRASH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	data := filepath.Join(t.TempDir(), "data")
	if err := prepareForTest(data); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var before, checkpoints int64
	for run := range runs {
		// A fixed public URL: the log's name, which its published files
		// keep (without it, each run's port would name another log).
		c := serveChild(t, "--data-dir", data, "--api-token", "crash", "--public-url", "https://crash.example")
		var issued atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() { issueUntil(c.URL, fmt.Sprintf("r%d-w%d", run, w), stop, &issued) })
		}
		time.Sleep(time.Duration(300+rng.IntN(2200)) * time.Millisecond)
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		c.cmd.Wait()
		close(stop)
		wg.Wait()
		n, cps := checkLogInvariants(t, filepath.Join(data, "attesta.db"))
		// Every credential the server acknowledged (201) survived the kill.
		if acked := issued.Load(); n-before < acked {
			t.Fatalf("run %d: %d credentials acknowledged, %d in the database after the kill", run, acked, n-before)
		}
		if n <= before {
			t.Logf("run %d: nothing was issued before the kill", run)
		}
		before, checkpoints = n, cps
	}
	t.Logf("%d kills, %d credentials, %d checkpoints, invariants held after each", runs, before, checkpoints)
}

// issueUntil issues credentials over the API until stop is closed or the
// server is gone.
func issueUntil(base, learner string, stop <-chan struct{}, issued *atomic.Int64) {
	body := []byte(`{"issuer":"cciaa-milano","sector":"meccatronica","version":1,"competence":"C1",
	  "learner":{"identity":"` + learner + `"},"decision":{"date":"2026-06-25T00:00:00Z","reference":"Verbale n. 5/2026"}}`)
	for {
		select {
		case <-stop:
			return
		default:
		}
		req, _ := http.NewRequest("POST", base+"/api/v1/credentials", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer crash")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // killed
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusCreated {
			issued.Add(1)
		}
	}
}

// checkLogInvariants reads the database and returns the number of
// credentials and of checkpoints.
func checkLogInvariants(t *testing.T, path string) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var creds, events, dossiers, minutes, positions int64
	q := func(query string, dst *int64) {
		if err := raw.QueryRowContext(ctx, query).Scan(dst); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	q(`SELECT COUNT(*) FROM credentials`, &creds)
	q(`SELECT COUNT(*) FROM status_events`, &events)
	q(`SELECT COUNT(*) FROM dossiers WHERE lock_json IS NOT NULL`, &dossiers)
	q(`SELECT COUNT(*) FROM commission_sessions WHERE closed_at IS NOT NULL`, &minutes)
	q(`SELECT COUNT(*) FROM (SELECT DISTINCT issuer_id, list_no, status_index FROM credentials)`, &positions)
	if positions != creds {
		t.Fatalf("%d credentials share %d status positions", creds, positions)
	}

	db, err := sqlite.Open(ctx, path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sizes, err := db.Log().Sizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sizes.Entries != creds+events+dossiers+minutes {
		t.Fatalf("%d credentials + %d status events + %d locked dossiers + %d signed minutes, %d log entries", creds, events, dossiers, minutes, sizes.Entries)
	}
	if sizes.Integrated != sizes.Checkpointed || sizes.Checkpointed > sizes.Entries {
		t.Fatalf("sizes %+v", sizes)
	}
	entries, err := db.Log().Entries(ctx, 0, sizes.Entries) // gap-free, or an error
	if err != nil {
		t.Fatal(err)
	}
	rows, err := raw.QueryContext(ctx, `SELECT id, body, log_index FROM credentials`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var id, body string
		var idx sql.NullInt64
		if err := rows.Scan(&id, &body, &idx); err != nil {
			t.Fatal(err)
		}
		if !idx.Valid || idx.Int64 < 0 || idx.Int64 >= sizes.Entries {
			t.Fatalf("credential %s has no log entry", id)
		}
		if seen[idx.Int64] {
			t.Fatalf("leaf %d recorded twice", idx.Int64)
		}
		seen[idx.Int64] = true
		e, err := notary.ParseEntry(entries[idx.Int64])
		if err != nil || e.Kind != notary.Issue || !e.Matches(id, []byte(body)) {
			t.Fatalf("leaf %d does not record credential %s: %+v %v", idx.Int64, id, e, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Every checkpoint is a prefix of the current tree.
	var tree memHashes
	for i, e := range entries {
		hs, err := tlog.StoredHashes(int64(i), e, tree)
		if err != nil {
			t.Fatal(err)
		}
		tree = append(tree, hs...)
	}
	cps, err := db.Log().Checkpoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range cps {
		cp, err := db.Log().Checkpoint(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		root, err := tlog.TreeHash(size, tree)
		if err != nil || tlog.Hash(cp.Root) != root {
			t.Fatalf("the checkpoint of size %d is not a tree of the current log (%v)", size, err)
		}
	}
	return creds, int64(len(cps))
}

// memHashes is a tree in memory, built with x/mod's tlog.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = m[x]
	}
	return out, nil
}
