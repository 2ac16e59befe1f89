package cluster_test

import (
	"context"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/internal/testserver"
	"github.com/attesta/attesta/storage/postgres"
)

// TestRestorePostgreSQL is internal/server's TestRestoreSQLite on
// PostgreSQL, backed up and restored as the README says: pg_dump while
// attesta runs, then, with attesta stopped, the schema dropped and
// pg_restore.
func TestRestorePostgreSQL(t *testing.T) {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to back up PostgreSQL: %v", tool, err)
		}
	}
	c := newCluster(t)
	u, _ := url.Parse(c.url)
	schema := u.Query().Get("search_path")
	testserver.RestoreScenario(t, testserver.Engine{
		Open: func(t *testing.T) server.Database {
			db, err := postgres.Open(context.Background(), c.url, c.clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			return db
		},
		Backup: func(t *testing.T, db server.Database) func(*testing.T) {
			dump := filepath.Join(t.TempDir(), "attesta.dump")
			if out, err := exec.Command("pg_dump", "--format=custom", "--schema="+schema, "--file="+dump, postgresURL()).CombinedOutput(); err != nil {
				t.Fatalf("pg_dump: %v\n%s", err, out)
			}
			return func(t *testing.T) {
				ctx := context.Background()
				admin, err := pgx.Connect(ctx, postgresURL())
				if err != nil {
					t.Fatal(err)
				}
				defer admin.Close(ctx)
				if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command("pg_restore", "--dbname="+postgresURL(), dump).CombinedOutput(); err != nil {
					t.Fatalf("pg_restore: %v\n%s", err, out)
				}
			}
		},
	})
}
