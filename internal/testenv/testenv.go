// Package testenv runs the tests of a package that all need one thing from
// outside Go (a PostgreSQL server, Chromium, Node.js with the interop
// packages) and makes its absence show in go test's normal output.
//
// In package-list mode (go test ./...) the go command prints only
// "ok  pkg  0.1s" for a package that passes and discards everything its test
// binary wrote, skips included. The one thing a passing binary can add to
// that line is go's own "[no tests to run]", which it prints when the
// binary's output holds the line "testing: warning: no tests to run". So a
// package whose every test needs the missing thing runs none of them and
// prints that line, and go test ./... shows
//
//	ok  	github.com/attesta/attesta/storage/postgres	0.01s [no tests to run]
//
// while go test -v also shows why. With the package's ATTESTA_REQUIRE_…
// variable set (as in CI) the missing thing is a failure instead.
//
// Tests of such packages still run against real servers and browsers: this
// decides only whether they run.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// noTests is the line after which the go command adds "[no tests to run]"
// to a passing package's summary line.
const noTests = "testing: warning: no tests to run"

// Main is the TestMain of a package all of whose tests need one
// prerequisite. missing checks it once and returns why it is absent, or nil.
// When it is present, Main runs the tests. When it is absent and the
// environment variable require is empty, Main prints the reason on one line
// and the no-tests marker, and exits 0 without running them; when require is
// set, it prints the reason and exits 1.
func Main(m *testing.M, require string, missing func() error) {
	if err := missing(); err != nil {
		if os.Getenv(require) != "" {
			fmt.Printf("FAIL: %v (%s is set, so this is an error)\n", err, require)
			os.Exit(1)
		}
		fmt.Printf("skipping every test of this package: %v; set %s=1 to make this an error\n%s\n", err, require, noTests)
		os.Exit(0)
	}
	os.Exit(m.Run())
}
