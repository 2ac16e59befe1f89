package storagetest

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/notary"
)

// BenchLogAppend measures durable appends to the log, perTx entries to a
// transaction (1 is one credential per transaction; more is bulk issuance),
// then their integration by the sequencer (notary.Log, batches of 4,096,
// a signed checkpoint each). It reports appends/s and integrated/s.
func BenchLogAppend(b *testing.B, db DB, perTx int) {
	ctx := context.Background()
	app, ok := db.(LogAppender)
	if !ok {
		b.Fatal("the DB does not implement storagetest.LogAppender")
	}
	log := benchLog(b, db, 4096)
	z, err := db.Log().Sizes(ctx)
	if err != nil {
		b.Fatal(err)
	}
	next := z.Entries
	var appended int64
	var appending, integrating time.Duration
	for b.Loop() {
		batch := make([][]byte, perTx)
		for i := range batch {
			batch[i] = testEntry(next + int64(i))
		}
		start := time.Now()
		if err := app.AppendLog(ctx, batch, nil); err != nil {
			b.Fatal(err)
		}
		appending += time.Since(start)
		next += int64(perTx)
		appended += int64(perTx)
	}
	b.StopTimer()
	start := time.Now()
	if _, err := log.SequenceAll(ctx); err != nil {
		b.Fatal(err)
	}
	integrating = time.Since(start)
	b.ReportMetric(float64(appended)/appending.Seconds(), "appends/s")
	b.ReportMetric(float64(appended)/integrating.Seconds(), "integrated/s")
}

func benchLog(b *testing.B, db DB, batch int) *notary.Log {
	kek, _, _ := issuer.GenerateKeyEncryptionKey()
	log, err := notary.Open(context.Background(), db.Log(), notary.Options{Origin: "attesta.example/log", KEK: kek, Batch: batch})
	if err != nil {
		b.Fatal(err)
	}
	return log
}

// BenchLogSize is the size of the log BenchLogProofs builds:
// ATTESTA_BENCH_LOG_SIZE, default 1,000,000.
func BenchLogSize(b *testing.B) int64 {
	n := int64(1_000_000)
	if v, err := strconv.ParseInt(os.Getenv("ATTESTA_BENCH_LOG_SIZE"), 10, 64); err == nil && v > 0 {
		n = v
	}
	return n
}

// BenchLogProofs builds a log of size entries on db (appended 10,000 to a
// transaction, integrated 65,536 at a time), then measures, for random
// leaves: the inclusion proof as the server makes it (notary.Log, reading
// the store), its verification (x/mod's tlog.CheckRecord), a consistency
// proof between random sizes, and a full hash tile.
func BenchLogProofs(b *testing.B, db DB, size int64) {
	ctx := context.Background()
	app, ok := db.(LogAppender)
	if !ok {
		b.Fatal("the DB does not implement storagetest.LogAppender")
	}
	log := benchLog(b, db, 1<<16)
	start := time.Now()
	var err error
	for next := int64(0); next < size; {
		batch := make([][]byte, min(10_000, size-next))
		for i := range batch {
			batch[i] = testEntry(next + int64(i))
		}
		if bulk, ok := db.(interface {
			AppendLogBulk(context.Context, [][]byte) error
		}); ok {
			err = bulk.AppendLogBulk(ctx, batch)
		} else {
			err = app.AppendLog(ctx, batch, nil)
		}
		if err != nil {
			b.Fatal(err)
		}
		next += int64(len(batch))
		if next%(1<<20) < int64(len(batch)) || next == size {
			if _, err := log.SequenceAll(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("built a log of %d entries in %s", size, time.Since(start).Round(time.Second))
	// The engine's routine maintenance (PostgreSQL's autovacuum), which a
	// log built this fast has not had time for.
	if m, ok := db.(interface{ Maintain(context.Context) error }); ok {
		if err := m.Maintain(ctx); err != nil {
			b.Fatal(err)
		}
	}
	cp, err := log.Checkpoint(ctx)
	if err != nil || cp.Size != size {
		b.Fatalf("checkpoint %d, %v", cp.Size, err)
	}
	root := tlog.Hash(cp.Root)
	rng := rand.New(rand.NewPCG(1, 2))
	b.Run("InclusionProof", func(b *testing.B) {
		for b.Loop() {
			if _, err := log.InclusionProof(ctx, rng.Int64N(size), size); err != nil {
				b.Fatal(err)
			}
		}
	})
	leaf := rng.Int64N(size)
	proof, err := log.InclusionProof(ctx, leaf, size)
	if err != nil {
		b.Fatal(err)
	}
	entry, err := db.Log().Entries(ctx, leaf, leaf+1)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("VerifyInclusion", func(b *testing.B) {
		for b.Loop() {
			if err := tlog.CheckRecord(proof, size, root, leaf, tlog.RecordHash(entry[0])); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ConsistencyProof", func(b *testing.B) {
		for b.Loop() {
			if _, err := log.ConsistencyProof(ctx, 1+rng.Int64N(size-1), size); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Tile", func(b *testing.B) {
		for b.Loop() {
			t := tlog.Tile{H: notary.TileHeight, L: 0, N: rng.Int64N(size / notary.BundleSize), W: notary.BundleSize}
			if _, err := log.TileData(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
	})
}
