package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/storage/sqlite"
	"github.com/attesta/attesta/storage/storagetest"
)

func open(t *testing.T, now attesta.Clock) storagetest.DB { return openDB(t, now) }

func openDB(tb testing.TB, now attesta.Clock) testDB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "attesta.db"), now)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return testDB{db}
}

// testDB gives the suite a way to fill a status list (storagetest.ListFiller)
// and to append to the log outside a credential (storagetest.LogAppender).
type testDB struct{ *sqlite.DB }

func (db testDB) SetAllocated(ctx context.Context, issuerID string, list, n int) error {
	return sqlite.SetAllocated(ctx, db.DB, issuerID, list, n)
}

func (db testDB) AppendLog(ctx context.Context, entries [][]byte, fail error) error {
	return sqlite.AppendLog(ctx, db.DB, entries, fail)
}

var (
	_ storagetest.ListFiller  = testDB{}
	_ storagetest.LogAppender = testDB{}
)

func TestStorage(t *testing.T) {
	t.Log("storage suite on SQLite")
	storagetest.Run(t, open)
}

// TestTwoProcessesShareTheFile opens the same file twice, as two attesta
// processes would, and writes from both.
func TestTwoHandlesShareTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "attesta.db")
	clock := storagetest.NewClock()
	a, err := sqlite.Open(ctx, path, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := sqlite.Open(ctx, path, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	done := make(chan error, 2)
	for _, db := range []*sqlite.DB{a, b} {
		go func() {
			for i := range 50 {
				if err := db.SetMeta(ctx, "k", string(rune('a'+i%26))); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkLogStorage reports the bytes the transparency log's tables take
// per entry (dbstat: whole pages, indexes included), for 50,000 entries
// appended one to a transaction, as credentials append them, and integrated
// in batches of 4,096:
//
//	go test ./storage/sqlite -run '^$' -bench LogStorage -benchtime 1x
func BenchmarkLogStorage(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	tables := []string{"log_entries", "log_hashes", "log_checkpoints", "log_state"}
	for b.Loop() {
		db := openDB(b, storagetest.NewClock().Now)
		if _, _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		before, err := sqlite.TableBytes(ctx, db.DB, tables...)
		if err != nil {
			b.Fatal(err)
		}
		storagetest.FillLog(b, db, n, 1)
		after, err := sqlite.TableBytes(ctx, db.DB, tables...)
		if err != nil {
			b.Fatal(err)
		}
		var total int64
		for _, t := range tables {
			grown := after[t] - before[t]
			total += grown
			b.ReportMetric(float64(grown)/n, t+"-B/entry")
		}
		b.ReportMetric(float64(total)/n, "log-B/entry")
	}
}

// TestLogTablesAppendOnly: the schema itself refuses to rewrite the log.
func TestLogTablesAppendOnly(t *testing.T) {
	ctx := context.Background()
	clock := storagetest.NewClock()
	db := openDB(t, clock.Now)
	if _, _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storagetest.FillLog(t, db, 70, 10) // 137 hashes: two full rows, one partial
	cp, err := db.Log().Checkpoint(ctx, -1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE log_entries SET entry = entry WHERE leaf_index = 3`,
		`DELETE FROM log_entries WHERE leaf_index = 69`,
		`UPDATE log_hashes SET hashes = substr(hashes, 33) WHERE row_no = 2`,
		`UPDATE log_hashes SET row_no = 9 WHERE row_no = 2`,
		`DELETE FROM log_hashes WHERE row_no = 2`,
		`UPDATE log_checkpoints SET root = randomblob(32) WHERE size = 70`,
		`UPDATE log_checkpoints SET size = 71 WHERE size = 70`,
		`DELETE FROM log_checkpoints WHERE size = 70`,
	} {
		err := sqlite.Exec(ctx, db.DB, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "do not change") {
			t.Errorf("%s: %v, want the schema's refusal", q, err)
		}
	}
	// What Integrate and UpdateCheckpoint do is allowed.
	for _, q := range []string{
		`UPDATE log_hashes SET hashes = CAST(hashes || ? AS BLOB) WHERE row_no = 2`,
		`UPDATE log_checkpoints SET note = note, timestamp = ? WHERE size = 70`,
	} {
		arg := []byte{1, 2, 3}
		if strings.HasPrefix(q, "UPDATE log_hashes") {
			arg = make([]byte, 32)
		}
		if err := sqlite.Exec(ctx, db.DB, q, arg); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	got, err := db.Log().Checkpoint(ctx, -1)
	if err != nil || got.Root != cp.Root || string(got.Timestamp) != "\x01\x02\x03" {
		t.Errorf("checkpoint after the updates: %+v, %v", got, err)
	}
}
