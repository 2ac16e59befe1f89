package server_test

import (
	"testing"

	"github.com/attesta/attesta/internal/testserver"
)

// TestRestoreSQLite: backup (attesta backup's VACUUM INTO) → more issuance
// and status changes → restore (the copy in place of the file, the
// write-ahead log removed) → recovery → every credential verifies or is
// reported lost. internal/cluster runs it on PostgreSQL, with pg_dump, and
// internal/interop with the blob store in an S3 bucket.
func TestRestoreSQLite(t *testing.T) {
	testserver.RestoreScenario(t, testserver.SQLite(t))
}
