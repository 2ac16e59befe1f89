package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
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
// (after 50,000 others) appended one to a transaction, as credentials append them, and integrated
// in batches of 4,096:
//
//	go test ./storage/sqlite -run '^$' -bench LogStorage -benchtime 1x
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
	storagetest.FillLog(t, db, 300, 10) // 18 full packs and one of 12 entries
	cp, err := db.Log().Checkpoint(ctx, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlite.AppendLog(ctx, db.DB, [][]byte{storagetest.Entry(300), storagetest.Entry(301)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE log_entries SET entry = entry WHERE leaf_index = 300`,
		`DELETE FROM log_entries WHERE leaf_index = 301`,
		`UPDATE log_packs SET entries = substr(entries, 74) WHERE pack_no = 18`,
		`UPDATE log_packs SET pack_no = 99 WHERE pack_no = 1`,
		`DELETE FROM log_packs WHERE pack_no = 0`,
		`UPDATE log_tree SET hashes = randomblob(32)`,
		`DELETE FROM log_tree`,
		`UPDATE log_integrated SET size = 10`,
		`UPDATE log_checkpoints SET root = randomblob(32) WHERE size = 300`,
		`UPDATE log_checkpoints SET size = 301 WHERE size = 300`,
		`DELETE FROM log_checkpoints WHERE size = 300`,
	} {
		err := sqlite.Exec(ctx, db.DB, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "do not change") &&
			!strings.Contains(err.Error(), "only once packed") && !strings.Contains(err.Error(), "only grows") {
			t.Errorf("%s: %v, want the schema's refusal", q, err)
		}
	}
	// What Integrate and UpdateCheckpoint do is allowed.
	for _, q := range []string{
		`UPDATE log_packs SET entries = CAST(entries || ? AS BLOB) WHERE pack_no = 18`,
		`DELETE FROM log_entries WHERE leaf_index = 300`, // now packed
		`UPDATE log_checkpoints SET note = note, timestamp = ? WHERE size = 300`,
	} {
		var args []any
		switch {
		case strings.HasPrefix(q, "UPDATE log_packs"):
			args = append(args, storagetest.Entry(300))
		case strings.HasPrefix(q, "UPDATE log_checkpoints"):
			args = append(args, []byte{1, 2, 3})
		}
		if err := sqlite.Exec(ctx, db.DB, q, args...); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	got, err := db.Log().Checkpoint(ctx, -1)
	if err != nil || got.Root != cp.Root || string(got.Timestamp) != "\x01\x02\x03" {
		t.Errorf("checkpoint after the updates: %+v, %v", got, err)
	}
}

// TestLogRebuildAfterUpgrade: a database upgraded by migration 0006 has its
// entries pending and no tree hashes, but checkpoints. The sequencer
// rebuilds the tree those checkpoints cover, checks it against their roots,
// signs nothing meanwhile, and then goes on; entries that differ from what
// the checkpoints committed to stop it.
func TestLogRebuildAfterUpgrade(t *testing.T) {
	for _, corrupt := range []bool{false, true} {
		ctx := context.Background()
		clock := storagetest.NewClock()
		db := openDB(t, clock.Now)
		if _, _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		kek, _, _ := issuer.GenerateKeyEncryptionKey()
		open := func() *notary.Log {
			l, err := notary.Open(ctx, db.Log(), notary.Options{Origin: "attesta.example/log", KEK: kek, Clock: clock.Now, Batch: 200})
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		entries := make([][]byte, 700)
		for i := range entries {
			entries[i] = storagetest.Entry(int64(i))
		}
		if err := sqlite.AppendLog(ctx, db.DB, entries, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := open().SequenceAll(ctx); err != nil {
			t.Fatal(err)
		}
		before, _ := db.Log().Checkpoints(ctx)

		// The state right after migration 0006: everything pending again.
		for _, q := range []string{
			`DROP TRIGGER log_packs_no_delete`, `DROP TRIGGER log_tree_no_delete`, `DROP TRIGGER log_integrated_grows`,
			`DELETE FROM log_packs`, `DELETE FROM log_tree`, `UPDATE log_integrated SET size = 0`,
		} {
			if err := sqlite.Exec(ctx, db.DB, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for i, e := range entries {
			if corrupt && i == 333 {
				e = storagetest.Entry(9999)
			}
			if err := sqlite.Exec(ctx, db.DB, `INSERT INTO log_entries (leaf_index, entry) VALUES (?, ?)`, i, e); err != nil {
				t.Fatal(err)
			}
		}
		l := open()
		_, err := l.SequenceAll(ctx)
		if corrupt {
			if err == nil || !strings.Contains(err.Error(), "not those the log committed to") {
				t.Errorf("rebuild over a changed entry: %v", err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		after, _ := db.Log().Checkpoints(ctx)
		if !slices.Equal(before, after) {
			t.Errorf("checkpoints %v after the rebuild, want %v", after, before)
		}
		z, _ := db.Log().Sizes(ctx)
		if z != (notary.LogSizes{Entries: 700, Integrated: 700, Checkpointed: 700}) {
			t.Errorf("sizes after the rebuild: %+v", z)
		}
		if err := sqlite.AppendLog(ctx, db.DB, [][]byte{storagetest.Entry(700)}, nil); err != nil {
			t.Fatal(err)
		}
		if size, err := l.SequenceAll(ctx); err != nil || size != 701 {
			t.Errorf("sequencing after the rebuild: %d, %v", size, err)
		}
		if _, err := l.InclusionProof(ctx, 333, 701); err != nil {
			t.Error(err)
		}
	}
}

// BenchmarkLogAppend: durable appends to the log, one to a transaction (as
// credentials are issued) and 1,000 to one (bulk), and their integration:
//
//	go test ./storage/sqlite -run '^$' -bench LogAppend
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
//	ATTESTA_BENCH_LOG_SIZE=10000000 go test ./storage/sqlite -run '^$' -bench LogProofs -timeout 2h
func BenchmarkLogProofs(b *testing.B) {
	db := openDB(b, storagetest.NewClock().Now)
	if _, _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	storagetest.BenchLogProofs(b, db, storagetest.BenchLogSize(b))
}
