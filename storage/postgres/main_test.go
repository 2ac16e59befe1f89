package postgres_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta/internal/testenv"
)

// TestMain runs the tests only when a PostgreSQL server answers at
// ATTESTA_TEST_POSTGRES_URL (default that of testURL).
func TestMain(m *testing.M) {
	testenv.Main(m, "ATTESTA_REQUIRE_POSTGRES", func() error {
		u := os.Getenv("ATTESTA_TEST_POSTGRES_URL")
		if u == "" {
			u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			return fmt.Errorf("no PostgreSQL server at ATTESTA_TEST_POSTGRES_URL (default 127.0.0.1:5432): %v", err)
		}
		return conn.Close(ctx)
	})
}
