package browsertest_test

import (
	"testing"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/testenv"
)

// TestMain runs the browser tests only when Chromium is installed.
func TestMain(m *testing.M) {
	testenv.Main(m, "ATTESTA_REQUIRE_BROWSER", func() error {
		_, err := browsertest.Find()
		return err
	})
}
