package cluster_test

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/scale"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/notary"
)

// TestSessionIssuedByTwoProcesses: a closed session of 300 candidates ×
// 4 competences is issued at once by two processes in their own
// (IssueSession, as the command line and the demo loader do) while both
// processes' runners race for its job: every certified competence ends
// with exactly one badge, the session's candidates hold exactly one
// credential per badge, each logged once at its own leaf, and the job
// ends done.
func TestSessionIssuedByTwoProcesses(t *testing.T) {
	const candidates = 300
	c := newCluster(t)
	a := c.start("a", false, nil)
	b := c.start("b", false, nil)
	ctx := context.Background()
	id, certified, err := scale.Session(ctx, a.srv.Services(), a.db, c.clock.Now(), candidates)
	if err != nil {
		t.Fatal(err)
	}
	if certified != candidates*len(scale.Competences) {
		t.Fatalf("%d certified, want %d", certified, candidates*len(scale.Competences))
	}

	conn, err := pgx.Connect(ctx, c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var before int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM credentials`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TEMPORARY TABLE before AS SELECT id FROM credentials`); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	issued := make([]int, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i, p := range []*process{a, b} {
		wg.Go(func() {
			<-start
			issued[i], errs[i] = p.srv.Services().Commissions.IssueSession(ctx, id)
		})
	}
	a.runJobs(t)
	b.runJobs(t)
	close(start)
	wg.Wait()
	for i, p := range []*process{a, b} {
		if errs[i] != nil || issued[i] != certified {
			t.Errorf("IssueSession on %s: %d issued in all, %v; want %d", p.name, issued[i], errs[i], certified)
		}
	}

	chamber := a.principal(t, "operatore@milomb.example", "cciaa-milano", auth.ChamberOperator)
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		v, err := b.srv.Services().Commissions.GetSession(ctx, chamber, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Progress == nil {
			t.Fatalf("session %s has no issuance", id)
		}
		if v.Progress.State.Ended() {
			if v.Progress.State != job.Done || v.Progress.Issued != certified || len(v.Badges) != certified {
				t.Fatalf("the issuance ended %+v with %d badges; want done with %d", v.Progress, len(v.Badges), certified)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the issuance did not end: %+v", v.Progress)
		}
	}

	count := func(query string) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, query, id).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM commission_decisions d WHERE d.session_id = $1 AND d.outcome = 'certified'
		AND (SELECT COUNT(*) FROM badges b WHERE b.session_id = d.session_id AND b.candidate = d.candidate AND b.competence = d.competence) <> 1`); n != 0 {
		t.Errorf("%d certified competences without exactly one badge", n)
	}
	badges := count(`SELECT COUNT(*) FROM badges WHERE session_id = $1`)
	if badges != certified {
		t.Errorf("%d badges of %d certified competences", badges, certified)
	}
	// Nothing else issues while the test runs: the credentials issued
	// since the session closed are its own.
	rows, err := conn.Query(ctx, `SELECT c.id, c.body, c.log_index, b.credential_id IS NOT NULL FROM credentials c
		LEFT JOIN badges b ON b.credential_id = c.id AND b.session_id = $1
		WHERE c.id NOT IN (SELECT id FROM before)`, id)
	if err != nil {
		t.Fatal(err)
	}
	type cred struct {
		id, body string
		index    int64
	}
	var creds []cred
	for rows.Next() {
		var cr cred
		var index *int64
		var badge bool
		if err := rows.Scan(&cr.id, &cr.body, &index, &badge); err != nil {
			t.Fatal(err)
		}
		if !badge {
			t.Errorf("credential %s, issued since the session closed, has no badge of it", cr.id)
		}
		if index == nil {
			t.Fatalf("credential %s is not logged", cr.id)
		}
		cr.index = *index
		creds = append(creds, cr)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(creds) != badges {
		t.Errorf("%d credentials issued since the session closed (%d before), %d badges", len(creds), before, badges)
	}

	// The log: each credential's entry at its leaf, and no other entry
	// issuing it.
	sizes, err := a.db.Log().Sizes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := a.db.Log().Entries(ctx, 0, sizes.Entries)
	if err != nil {
		t.Fatal(err)
	}
	issues := map[[32]byte]int{}
	for i, raw := range entries {
		e, err := notary.ParseEntry(raw)
		if err != nil {
			t.Fatalf("leaf %d: %v", i, err)
		}
		if e.Kind == notary.Issue {
			issues[e.IDDigest]++
		}
	}
	leaves := map[int64]bool{}
	for _, cr := range creds {
		if cr.index < 0 || cr.index >= int64(len(entries)) || leaves[cr.index] {
			t.Fatalf("credential %s at leaf %d of %d, or a leaf recorded twice", cr.id, cr.index, len(entries))
		}
		leaves[cr.index] = true
		if e, err := notary.ParseEntry(entries[cr.index]); err != nil || e.Kind != notary.Issue || !e.Matches(cr.id, []byte(cr.body)) {
			t.Errorf("leaf %d does not record credential %s", cr.index, cr.id)
		}
		if n := issues[sha256.Sum256([]byte(cr.id))]; n != 1 {
			t.Errorf("credential %s issued %d times in the log", cr.id, n)
		}
	}
	t.Logf("%d credentials issued by two processes and two runners, each once", len(creds))
}
