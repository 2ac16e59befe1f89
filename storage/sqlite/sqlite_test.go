package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/storage/sqlite"
	"github.com/attesta/attesta/storage/storagetest"
)

func open(t *testing.T, now attesta.Clock) storagetest.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "attesta.db"), now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return testDB{db}
}

// testDB gives the suite a way to fill a status list (storagetest.ListFiller).
type testDB struct{ *sqlite.DB }

func (db testDB) SetAllocated(ctx context.Context, issuerID string, list, n int) error {
	return sqlite.SetAllocated(ctx, db.DB, issuerID, list, n)
}

var _ storagetest.ListFiller = testDB{}

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
