package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/internal/rfc3161/tsatest"
	"github.com/attesta/attesta/internal/s3"
)

// TestMain lets the test binary act as attesta itself when asked, so that
// tests can run it as a child process and send it signals, and installs it
// as the attesta command of the transcripts (script_test.go).
func TestMain(m *testing.M) {
	if os.Getenv("ATTESTA_TEST_RUN_MAIN") == "1" {
		if d, err := time.ParseDuration(os.Getenv("ATTESTA_TEST_JOB_LEASE")); err == nil {
			jobRunner.Lease, jobRunner.Poll = d, d/4
		}
		main()
		return
	}
	testscript.Main(cleanupM{m}, map[string]func(){
		"attesta": func() { os.Exit(scriptMain()) },
	})
}

// cleanupM runs the tests, then stops the TSA processes they started.
type cleanupM struct{ m *testing.M }

func (c cleanupM) Run() int {
	code := c.m.Run()
	tsatest.Cleanup()
	return code
}

func noEnv(string) string { return "" }

// cli runs a command in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, noEnv)
	return code, stdout.String(), stderr.String()
}

func TestVersionAndUsage(t *testing.T) {
	if code, out, _ := cli(t, "version"); code != 0 || !strings.HasPrefix(out, "attesta ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, errOut := cli(t, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if code, _, _ := cli(t); code != 2 {
		t.Errorf("no command: %d", code)
	}
	if code, _, errOut := cli(t, "serve", "--log-format", "xml"); code != 1 || !strings.Contains(errOut, `--log-format="xml": must be text or json`) {
		t.Errorf("bad flag value: %d %q", code, errOut)
	}
}

func TestConfigPrecedence(t *testing.T) {
	env := map[string]string{"ATTESTA_ADDR": ":9000", "ATTESTA_LOG_LEVEL": "debug"}
	for _, tc := range []struct {
		args []string
		addr string
	}{
		{nil, ":9000"},                         // environment
		{[]string{"--addr", ":7000"}, ":7000"}, // flag beats environment
	} {
		cfg, _, err := newCommand("serve", io.Discard, os.Stderr).parseConfig(tc.args, 0, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Addr != tc.addr || cfg.LogLevel.String() != "DEBUG" || cfg.DataDir != "./attesta-data" || cfg.ShutdownTimeout != 15*time.Second {
			t.Errorf("%v: %+v", tc.args, cfg)
		}
	}
	_, _, err := newCommand("serve", io.Discard, os.Stderr).parseConfig(nil, 0, func(k string) string {
		return map[string]string{"ATTESTA_DATABASE_URL": "mysql://x"}[k]
	})
	if err == nil || !strings.Contains(err.Error(), "ATTESTA_DATABASE_URL") {
		t.Errorf("bad environment value: %v", err)
	}
}

// The artefacts' settings: limits in MiB with their defaults, clamd's
// address, a bucket that reads back the largest artefact.
func TestArtefactSettings(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	parse := func(args ...string) (*Config, error) {
		cfg, _, err := newCommand("serve", io.Discard, os.Stderr).parseConfig(args, 0, func(string) string { return "" })
		return cfg, err
	}
	cfg, err := parse()
	if err != nil || cfg.ArtefactLimits != artefact.DefaultLimits || cfg.Clamd != nil {
		t.Fatalf("defaults: %+v, %v", cfg, err)
	}
	cfg, err = parse("--artefact-limit-video", "300", "--clamd", "unix:///run/clamav/clamd.ctl", "--blob-store", "s3://attesta-blobs?endpoint=http://127.0.0.1:9000")
	if err != nil || cfg.ArtefactLimits.Video != 300<<20 || cfg.Clamd == nil || cfg.Clamd.Network != "unix" {
		t.Fatalf("given: %+v, %v", cfg, err)
	}
	opts, err := cfg.serverOptions(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if b := opts.Blobs.(*s3.Bucket); b.MaxObject != 300<<20 || opts.Scanner != cfg.Clamd || opts.ArtefactLimits.Video != 300<<20 {
		t.Errorf("server options: max object %d, scanner %v", b.MaxObject, opts.Scanner)
	}
	for _, bad := range [][]string{{"--artefact-limit-image", "0"}, {"--artefact-limit-document", "2.5"}, {"--artefact-limit-video", "5000"}, {"--clamd", "clamav"}} {
		if _, err := parse(bad...); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestImportRejectsMalformedFile: a file with three defects is rejected
// with three precise messages, and the database is unchanged.
func TestImportRejectsMalformedFile(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := cli(t, "migrate", "--data-dir", dir); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := cli(t, "standards", "import", "--data-dir", dir, "../../competence/bundled/standards.yaml"); code != 0 {
		t.Fatal(errOut)
	}
	_, before, _ := cli(t, "standards", "export", "--data-dir", dir)
	code, _, errOut := cli(t, "standards", "import", "--data-dir", dir, "../../competence/testdata/malformed.yaml")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := []string{
		`malformed.yaml:11:48: standards[0].paths[0].competences[0].school_types[1]: school type "istituto-d-arte" is not one of tecnico, professionale, liceo`,
		`malformed.yaml:12:20: standards[0].paths[0].competences[1].code: competence "C99" is not defined in this standard's competences`,
		`malformed.yaml:17:22: standards[0].competences[0].microcredential.eqf_level: EQF level must be between 1 and 8, found 11`,
		"nothing was changed",
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Errorf("missing %q in:\n%s", w, errOut)
		}
	}
	if n := strings.Count(errOut, "malformed.yaml:"); n != 3 {
		t.Errorf("%d problems reported, want 3:\n%s", n, errOut)
	}
	if _, after, _ := cli(t, "standards", "export", "--data-dir", dir); after != before {
		t.Error("the rejected import changed the database")
	}
}

// TestExportImportExport: export → import into a new database → export is
// byte-identical, through files as a user would do it.
func TestExportImportExport(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	first := filepath.Join(t.TempDir(), "first.yaml")
	second := filepath.Join(t.TempDir(), "second.yaml")
	if code, _, errOut := cli(t, "standards", "import", "--data-dir", a, "../../competence/bundled/standards.yaml"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := cli(t, "standards", "export", "--data-dir", a, "-o", first); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := cli(t, "standards", "import", "--data-dir", b, first)
	if code != 0 || !strings.Contains(out, "created") {
		t.Fatal(out, errOut)
	}
	if code, _, errOut := cli(t, "standards", "export", "--data-dir", b, "-o", second); code != 0 {
		t.Fatal(errOut)
	}
	x, _ := os.ReadFile(first)
	y, _ := os.ReadFile(second)
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Error("export → import → export is not byte-identical")
	}
	if code, out, _ := cli(t, "standards", "check", first); code != 0 || !strings.Contains(out, "is valid: 6 standard version(s)") {
		t.Errorf("check: %d %q", code, out)
	}
}

// child is `attesta serve` running as a child process.
type child struct {
	URL  string
	cmd  *exec.Cmd
	logs chan string // its stderr, line by line
}

// serveChild runs `attesta serve` with args on a free local port and waits until
// it is ready. It is killed when the test ends if still running.
func serveChild(t *testing.T, args ...string) *child {
	t.Helper()
	return serveChildUntil(t, "/readyz", args...)
}

// serveChildUntil is serveChild, waiting for path to answer 200 (/healthz:
// a server that is up, ready or not).
func serveChildUntil(t *testing.T, path string, args ...string) *child {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), "ATTESTA_TEST_RUN_MAIN=1")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	c := &child{URL: "http://" + addr, cmd: cmd, logs: make(chan string, 1000)}
	go func() {
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			select {
			case c.logs <- s.Text():
			default: // a test that does not read the logs does not block the child
			}
		}
		close(c.logs)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(c.URL + path)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			var logs []string
			for len(c.logs) > 0 {
				logs = append(logs, <-c.logs)
			}
			t.Fatalf("server did not become ready; it said:\n%s", strings.Join(logs, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (c *child) stop(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGTERM)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// TestServeShutsDownOnSIGTERM runs attesta serve as a child process on a
// new data directory, waits until it is ready, sends SIGTERM and expects a
// clean exit.
func TestServeShutsDownOnSIGTERM(t *testing.T) {
	c := serveChild(t, "--data-dir", t.TempDir(), "--log-format", "json")
	resp, err := http.Get(c.URL + "/sectors/meccatronica")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("catalogue: %v %v", resp, err)
	}
	resp.Body.Close()
	c.stop(t)
	var all []string
	for l := range c.logs {
		all = append(all, l)
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{`"msg":"database migrated"`, `"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(joined, want) {
			t.Errorf("log lacks %s:\n%s", want, joined)
		}
	}
}

// TestREADMEDocumentsConfiguration: every setting's flag and environment
// variable appears in the README.
func TestREADMEDocumentsConfiguration(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range settings() {
		for _, name := range []string{"--" + s.flag, s.env} {
			if !bytes.Contains(readme, []byte(fmt.Sprintf("`%s`", name))) {
				t.Errorf("README does not document %s", name)
			}
		}
	}
}
