// Package testserver starts a complete attesta server on a new SQLite
// database with the first-start dataset, for tests of the web, the API and
// the browser tests.
package testserver

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/storage/postgres"
	"github.com/attesta/attesta/storage/sqlite"
)

// PublicURL is the public address test servers believe they have,
// APIToken the bearer token that may issue on them, and GenericIssuer the
// id of the issuer of their VC-API's generic credentials.
const (
	PublicURL     = "https://attesta.example"
	APIToken      = "test-token"
	GenericIssuer = "vc-api"
)

// NeighbourLog signs the checkpoints of another Chamber's log, which test
// servers witness (their witness role follows its key).
var NeighbourLog = func() *checkpoint.Signer {
	s, err := checkpoint.NewSigner("cciaa-torino.example/log", ed25519.NewKeyFromSeed(make([]byte, 32)))
	if err != nil {
		panic(err)
	}
	return s
}()

// Clock is the fixed time of test servers.
func Clock() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }

// New returns a prepared server on a fresh database; it is closed when the
// test ends.
func New(t testing.TB) *server.Server {
	t.Helper()
	return NewWith(t, nil)
}

// NewWith is New with options changed by configure (nil: none). The
// database and the blob store are copies of one prepared once per test
// process (template): every server starts from the same first-start
// dataset, and the demo is loaded once, not once per test.
func NewWith(t testing.TB, configure func(*server.Options)) *server.Server {
	t.Helper()
	tpl := prepared(t)
	dir := t.TempDir()
	if err := copyTree(tpl.dir, dir); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "attesta.db"), Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return start(t, db, tpl.kek, blob.Dir(filepath.Join(dir, "blobs")), configure)
}

// templateDB is the database and blob store prepared once per test
// process, with the key-encryption key that opens its keys.
type templateDB struct {
	once sync.Once
	dir  string
	kek  *issuer.KeyEncryptionKey
	err  error
}

var template templateDB

// prepared returns the template, preparing it on first use.
func prepared(t testing.TB) *templateDB {
	template.once.Do(func() {
		template.dir, template.err = os.MkdirTemp("", "attesta-testserver-")
		if template.err != nil {
			return
		}
		if template.kek, _, template.err = issuer.GenerateKeyEncryptionKey(); template.err != nil {
			return
		}
		ctx := context.Background()
		db, err := sqlite.Open(ctx, filepath.Join(template.dir, "attesta.db"), Clock)
		if err != nil {
			template.err = err
			return
		}
		template.err = server.Prepare(ctx, db, options(template.kek, blob.Dir(filepath.Join(template.dir, "blobs"))))
		if err := db.Close(); template.err == nil {
			template.err = err
		}
	})
	if template.err != nil {
		t.Fatalf("preparing the test servers' database: %v", template.err)
	}
	return &template
}

// copyTree copies the files under from into to.
func copyTree(from, to string) error {
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o600)
	})
}

// options are the options of a test server.
func options(kek *issuer.KeyEncryptionKey, blobs blob.Store) server.Options {
	return server.Options{Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: Clock, ShutdownTimeout: time.Second,
		PublicURL: PublicURL, KEK: kek, APITokenSHA256: api.HashToken(APIToken), GenericIssuer: GenericIssuer,
		WitnessFor: []checkpoint.Verifier{NeighbourLog.Verifier()}, Blobs: blobs}
}

// NewOn is NewWith on a database of either engine, which the caller
// closes after the test; it is prepared here.
func NewOn(t testing.TB, db server.Database, configure func(*server.Options)) *server.Server {
	t.Helper()
	kek, _, err := issuer.GenerateKeyEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	return start(t, db, kek, blob.Dir(t.TempDir()), configure)
}

// start prepares db (nothing to do on a copy of the template) and starts
// a server on it, with its runner of jobs.
func start(t testing.TB, db server.Database, kek *issuer.KeyEncryptionKey, blobs blob.Store, configure func(*server.Options)) *server.Server {
	t.Helper()
	ctx := context.Background()
	opts := options(kek, blobs)
	if err := server.Prepare(ctx, db, opts); err != nil {
		t.Fatal(err)
	}
	if configure != nil {
		configure(&opts)
	}
	srv, err := server.New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.SequenceLog(ctx); err != nil {
		t.Fatal(err)
	}
	// The runner of jobs (imports), which a served server runs; stopped
	// before the database is closed.
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		if err := srv.RunJobs(jobsCtx); err != nil {
			t.Error(err)
		}
	}()
	t.Cleanup(func() {
		stopJobs()
		<-jobsDone
	})
	return srv
}

// Start returns a running HTTP test server; it is closed when the test ends.
func Start(t testing.TB) *httptest.Server {
	t.Helper()
	ts, _ := StartServer(t)
	return ts
}

// StartServer is Start that also returns the server, for tests that reach
// its services.
func StartServer(t testing.TB) (*httptest.Server, *server.Server) {
	t.Helper()
	srv := New(t)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts, srv
}

// Postgres opens a database in a new schema of the PostgreSQL server at
// ATTESTA_TEST_POSTGRES_URL (default 127.0.0.1:5432, database test),
// dropped when the test ends, or skips the test when none answers: for
// the benchmarks that measure both engines. name prefixes the schema.
func Postgres(tb testing.TB, name string) server.Database {
	tb.Helper()
	url := os.Getenv("ATTESTA_TEST_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Skipf("no PostgreSQL server: %v", err)
	}
	defer admin.Close(ctx)
	schema := fmt.Sprintf("attesta_%s_%d", name, time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	db, err := postgres.Open(ctx, url+"&search_path="+schema, Clock)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
