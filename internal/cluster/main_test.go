package cluster_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta/internal/testenv"
)

// postgresURL is the server the tests use; each test gets a schema of its
// own.
func postgresURL() string {
	if u := os.Getenv("ATTESTA_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// TestMain runs the tests only when a PostgreSQL server answers at
// ATTESTA_TEST_POSTGRES_URL (default that of postgresURL).
func TestMain(m *testing.M) {
	testenv.Main(m, "ATTESTA_REQUIRE_POSTGRES", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, postgresURL())
		if err != nil {
			return fmt.Errorf("no PostgreSQL server at ATTESTA_TEST_POSTGRES_URL (default 127.0.0.1:5432): %v", err)
		}
		return conn.Close(ctx)
	})
}
