package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/storage/postgres"
	"github.com/attesta/attesta/storage/storagetest"
)

// testURL is the server the tests use; each test gets a schema of its own.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("ATTESTA_TEST_POSTGRES_URL")
	if u == "" {
		u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		if os.Getenv("ATTESTA_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL is required (ATTESTA_REQUIRE_POSTGRES is set) but not reachable: %v", err)
		}
		t.Skipf("skipping PostgreSQL tests: no server at ATTESTA_TEST_POSTGRES_URL (default %s): %v", u, err)
	}
	conn.Close(context.Background())
	return u
}

func open(t *testing.T, now attesta.Clock) storagetest.DB { return openDB(t, now) }

func openDB(t testing.TB, now attesta.Clock) testDB {
	t.Helper()
	ctx := context.Background()
	base := testURL(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "attesta_test_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := postgres.Open(ctx, u.String(), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return testDB{db}
}

// testDB gives the suite a way to fill a status list (storagetest.ListFiller)
// and to append to the log outside a credential (storagetest.LogAppender).
type testDB struct{ *postgres.DB }

func (db testDB) SetAllocated(ctx context.Context, issuerID string, list, n int) error {
	return postgres.SetAllocated(ctx, db.DB, issuerID, list, n)
}

func (db testDB) AppendLog(ctx context.Context, entries [][]byte, fail error) error {
	return postgres.AppendLog(ctx, db.DB, entries, fail)
}

func (db testDB) Maintain(ctx context.Context) error { return postgres.Maintain(ctx, db.DB) }

func (db testDB) AppendLogBulk(ctx context.Context, entries [][]byte) error {
	return postgres.AppendLogBulk(ctx, db.DB, entries)
}

var (
	_ storagetest.ListFiller  = testDB{}
	_ storagetest.LogAppender = testDB{}
)

func TestStorage(t *testing.T) {
	testURL(t)
	t.Log("storage suite on PostgreSQL")
	storagetest.Run(t, open)
}

func TestOpenHidesPassword(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://u:s3cret@[::1:5432/x", storagetest.NewClock().Now)
	if err == nil {
		t.Fatal("no error")
	}
	if got := err.Error(); strings.Contains(got, "s3cret") {
		t.Errorf("error reveals the password: %s", got)
	}
}

// BenchmarkLogStorage reports the bytes the transparency log's tables take
// per entry (pg_total_relation_size after VACUUM: heap, indexes, TOAST, free
// space and visibility maps), for 50,000 entries (after 50,000
// others) appended one to a transaction, as credentials append them, and integrated in batches of
// 4,096:
//
//	go test ./storage/postgres -run '^$' -bench LogStorage -benchtime 1x
func BenchmarkLogStorage(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	tables := []string{"log_entries", "log_packs", "log_tree", "log_integrated", "log_checkpoints", "log_state"}
	for b.Loop() {
		db := openDB(b, storagetest.NewClock().Now)
		if _, _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		// A first half fills the pending table and its index to their
		// high-water mark; the second half measures what the log grows by.
		storagetest.FillLog(b, db, n, 1)
		before, err := postgres.TableBytes(ctx, db.DB, tables...)
		if err != nil {
			b.Fatal(err)
		}
		storagetest.FillLog(b, db, n, 1)
		after, err := postgres.TableBytes(ctx, db.DB, tables...)
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
	storagetest.FillLog(t, db, 300, 10) // 18 full packs and one of 12 entries
	cp, err := db.Log().Checkpoint(ctx, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := postgres.AppendLog(ctx, db.DB, [][]byte{storagetest.Entry(300), storagetest.Entry(301)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE log_entries SET entry = entry WHERE leaf_index = 300`,
		`DELETE FROM log_entries WHERE leaf_index = 301`,
		`UPDATE log_packs SET entries = substring(entries FROM 74) WHERE pack_no = 18`,
		`UPDATE log_packs SET pack_no = 99 WHERE pack_no = 1`,
		`DELETE FROM log_packs WHERE pack_no = 0`,
		`UPDATE log_tree SET hashes = sha256(hashes)`,
		`DELETE FROM log_tree`,
		`UPDATE log_integrated SET size = 10`,
		`UPDATE log_checkpoints SET root = sha256(root) WHERE size = 300`,
		`UPDATE log_checkpoints SET size = 301 WHERE size = 300`,
		`DELETE FROM log_checkpoints WHERE size = 300`,
	} {
		err := postgres.Exec(ctx, db.DB, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "do not change") &&
			!strings.Contains(err.Error(), "only once packed") && !strings.Contains(err.Error(), "only grows") {
			t.Errorf("%s: %v, want the schema's refusal", q, err)
		}
	}
	// What Integrate and UpdateCheckpoint do is allowed.
	for _, q := range []string{
		`UPDATE log_packs SET entries = entries || $1 WHERE pack_no = 18`,
		`DELETE FROM log_entries WHERE leaf_index = 300`, // now packed
		`UPDATE log_checkpoints SET note = note, timestamp = $1 WHERE size = 300`,
	} {
		var args []any
		switch {
		case strings.HasPrefix(q, "UPDATE log_packs"):
			args = append(args, storagetest.Entry(300))
		case strings.HasPrefix(q, "UPDATE log_checkpoints"):
			args = append(args, []byte{1, 2, 3})
		}
		if err := postgres.Exec(ctx, db.DB, q, args...); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	got, err := db.Log().Checkpoint(ctx, -1)
	if err != nil || got.Root != cp.Root || string(got.Timestamp) != "\x01\x02\x03" {
		t.Errorf("checkpoint after the updates: %+v, %v", got, err)
	}
}

// BenchmarkLogAppend: durable appends to the log, one to a transaction (as
// credentials are issued) and 1,000 to one (bulk), and their integration:
//
//	go test ./storage/postgres -run '^$' -bench LogAppend
func BenchmarkLogAppend(b *testing.B) {
	for _, perTx := range []int{1, 1000} {
		b.Run(fmt.Sprintf("perTx=%d", perTx), func(b *testing.B) {
			db := openDB(b, storagetest.NewClock().Now)
			if _, _, err := db.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			storagetest.BenchLogAppend(b, db, perTx)
		})
	}
}

// BenchmarkLogProofs: inclusion and consistency proofs and tiles of a log of
// ATTESTA_BENCH_LOG_SIZE entries (default 1,000,000):
//
//	ATTESTA_BENCH_LOG_SIZE=10000000 go test ./storage/postgres -run '^$' -bench LogProofs -timeout 2h
func BenchmarkLogProofs(b *testing.B) {
	db := openDB(b, storagetest.NewClock().Now)
	if _, _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	storagetest.BenchLogProofs(b, db, storagetest.BenchLogSize(b))
}
