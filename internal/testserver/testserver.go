// Package testserver starts a complete attesta server on a new SQLite
// database with the first-start dataset, for tests of the web, the API and
// the browser tests.
package testserver

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/attesta/attesta/api"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/tlog/checkpoint"
	"github.com/attesta/attesta/issuer"
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

// NewWith is New with options changed by configure (nil: none).
func NewWith(t testing.TB, configure func(*server.Options)) *server.Server {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "attesta.db"), Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return NewOn(t, db, configure)
}

// NewOn is NewWith on a database of either engine, which the caller
// closes after the test.
func NewOn(t testing.TB, db server.Database, configure func(*server.Options)) *server.Server {
	t.Helper()
	ctx := context.Background()
	kek, _, err := issuer.GenerateKeyEncryptionKey()
	if err != nil {
		t.Fatal(err)
	}
	opts := server.Options{Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: Clock, ShutdownTimeout: time.Second,
		PublicURL: PublicURL, KEK: kek, APITokenSHA256: api.HashToken(APIToken), GenericIssuer: GenericIssuer,
		WitnessFor: []checkpoint.Verifier{NeighbourLog.Verifier()}, Blobs: blob.Dir(t.TempDir())}
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
