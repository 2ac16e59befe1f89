package server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/storage/sqlite"
)

// TestRestoreSQLite: backup (attesta backup's VACUUM INTO) → more issuance
// and status changes → restore (the copy in place of the file, the
// write-ahead log removed) → recovery → every credential verifies or is
// reported lost. internal/cluster runs it on PostgreSQL, with pg_dump.
func TestRestoreSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "attesta.db")
	testserver.RestoreScenario(t, testserver.Engine{
		Open: func(t *testing.T) server.Database {
			db, err := sqlite.Open(context.Background(), path, testserver.Clock)
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
		Backup: func(t *testing.T, db server.Database) func(*testing.T) {
			backup := filepath.Join(t.TempDir(), "backup.db")
			if err := db.(*sqlite.DB).Backup(context.Background(), backup); err != nil {
				t.Fatal(err)
			}
			return func(t *testing.T) {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					os.Remove(path + suffix)
				}
				data, err := os.ReadFile(backup)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		},
	})
}
