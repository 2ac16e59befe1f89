package testenv

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain plays a package whose prerequisite is missing when the test
// binary is run again with TESTENV_MISSING set.
func TestMain(m *testing.M) {
	if os.Getenv("TESTENV_MISSING") != "" {
		Main(m, "TESTENV_REQUIRE", func() error { return errors.New("no frobnicator at 127.0.0.1:1") })
	}
	os.Exit(m.Run())
}

func TestMissing(t *testing.T) {
	for _, tt := range []struct {
		require string
		code    int
		out     []string
	}{
		{"", 0, []string{"skipping every test of this package: no frobnicator at 127.0.0.1:1; set TESTENV_REQUIRE=1 to make this an error\n", "\n" + noTests + "\n"}},
		{"1", 1, []string{"FAIL: no frobnicator at 127.0.0.1:1 (TESTENV_REQUIRE is set, so this is an error)\n"}},
	} {
		cmd := exec.Command(os.Args[0], "-test.v", "-test.run=^TestProbe$")
		cmd.Env = append(os.Environ(), "TESTENV_MISSING=1", "TESTENV_REQUIRE="+tt.require)
		out, err := cmd.Output()
		code := 0
		if ee, ok := errors.AsType[*exec.ExitError](err); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code {
			t.Errorf("require=%q: exit code %d, want %d\n%s", tt.require, code, tt.code, out)
		}
		for _, want := range tt.out {
			if !strings.Contains(string(out), want) {
				t.Errorf("require=%q: output %q lacks %q", tt.require, out, want)
			}
		}
		if strings.Contains(string(out), "=== RUN") {
			t.Errorf("require=%q: a test ran: %s", tt.require, out)
		}
	}
}

// TestProbe is what the child is asked to run: with its prerequisite
// missing, it must not.
func TestProbe(t *testing.T) {}
