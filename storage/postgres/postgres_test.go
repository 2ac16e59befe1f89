package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
func testURL(t *testing.T) string {
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

func open(t *testing.T, now attesta.Clock) storagetest.DB {
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

// testDB gives the suite a way to fill a status list (storagetest.ListFiller).
type testDB struct{ *postgres.DB }

func (db testDB) SetAllocated(ctx context.Context, issuerID string, list, n int) error {
	return postgres.SetAllocated(ctx, db.DB, issuerID, list, n)
}

var _ storagetest.ListFiller = testDB{}

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
