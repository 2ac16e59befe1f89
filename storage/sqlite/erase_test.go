package sqlite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/storage/sqlite"
	"github.com/attesta/attesta/storage/storagetest"
)

// An uploaded file is erased from the database file, not only unlinked,
// once its job ends: no byte of it is left in the file's free pages.
func TestEndedJobInputErased(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "attesta.db")
	clock := storagetest.NewClock()
	db, err := sqlite.Open(ctx, path, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	marker := bytes.Repeat([]byte("Rinaldi;Giorgio;2026-0201;"), 2000) // 52 kB: overflow pages
	svc := job.NewService(db.Jobs(), clock.Now, nil)
	p := &auth.Principal{Person: "p-1", Membership: auth.Membership{Org: "itis-avogadro", Role: auth.SchoolReferent, OrgKind: auth.School}}
	j, err := svc.Create(ctx, p, job.Spec{Kind: "test.erase", Params: []byte(`{}`), Input: marker, Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Cancel(ctx, p, j.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil { // checkpoints the write-ahead log into the file
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("Rinaldi;Giorgio;2026-0201;Rinaldi")) {
		t.Error("the cancelled job's input is still in the database file")
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		if wal, _ := os.ReadFile(path + "-wal"); bytes.Contains(wal, []byte("Rinaldi;Giorgio;2026-0201;Rinaldi")) {
			t.Error("the cancelled job's input is still in the write-ahead log")
		}
	}
}
