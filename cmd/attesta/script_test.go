package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/attesta/attesta/internal/testserver"
)

// The transcripts of the command line are testdata/*.txt: each is a txtar
// archive whose comment is a script of attesta command lines, and whose files
// are the inputs and the exact outputs expected (see the testscript package
// for the language, and the commands below for the few added to it).
//
// When a command's output changes on purpose, regenerate the expected
// outputs with
//
//	go test ./cmd/attesta -run TestScript -update
//
// which rewrites, in the archives, every file that a failing `cmp stdout`,
// `cmp stderr` or `cmp FILE` compares against; read the diff before
// committing it. (Arguments, `stdout`/`stderr` regexps and `cmpenv` files are
// not rewritten.)
var updateScripts = flag.Bool("update", false, "rewrite the expected outputs of the transcripts in testdata/*.txt")

// scriptMain is attesta as the transcripts run it: the real run, in a
// process of its own, with the clock stopped at testserver.Clock and the
// randomness drawn from a generator seeded with the number of the
// invocation in the script (the first attesta a script runs gets seed 1, the
// next seed 2…). Every id, key and proof a transcript shows is then the same
// at each run, and no two invocations make the same ones. Two keys do not
// come from it: a development key-encryption key and the log's signing key
// are always random, so the transcripts set the former and read the latter
// from the server. The exit code is kept for the `status` command.
func scriptMain() int {
	n, record, err := scriptInvocation()
	if err != nil {
		fmt.Fprintf(os.Stderr, "attesta (test): %v\n", err)
		return 3
	}
	clock = testserver.Clock
	seed := sha256.Sum256([]byte("attesta transcript invocation " + strconv.Itoa(n)))
	random = rand.NewChaCha8(seed)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	record(code)
	return code
}

// scriptInvocation numbers this invocation of attesta in the script, by
// creating the first free $WORK/.tmp/attesta-runs/N, and returns N and a
// function that writes the exit code into that file.
func scriptInvocation() (int, func(int), error) {
	work := os.Getenv("WORK")
	if work == "" {
		return 0, nil, errors.New("$WORK is not set: run by testscript only")
	}
	dir := filepath.Join(work, ".tmp", "attesta-runs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, nil, err
	}
	for n := 1; ; n++ {
		path := filepath.Join(dir, strconv.Itoa(n))
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return 0, nil, err
		}
		return n, func(code int) { fmt.Fprint(f, code); f.Close() }, nil
	}
}

// TestScript runs the transcripts, each in a directory of its own with
// attesta and the commands below added to those of testscript.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                "testdata",
		UpdateScripts:      *updateScripts,
		RequireUniqueNames: true,
		Setup: func(env *testscript.Env) error {
			if os.Getenv("GORACE") == "" {
				// Under -race, not a second's sleep at each exit.
				env.Setenv("GORACE", "atexit_sleep_ms=10")
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"status":   cmdStatus,
			"freeport": cmdFreeport,
			"waitfor":  cmdWaitfor,
			"httpget":  cmdHTTPGet,
			"readenv":  cmdReadenv,
			"replace":  cmdReplace,
			"tlscert":  cmdTLSCert,
		},
	})
}

// status N: the attesta started last exited with code N.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: status CODE")
	}
	dir := filepath.Join(ts.Getenv("WORK"), ".tmp", "attesta-runs")
	var last int
	entries, err := os.ReadDir(dir)
	ts.Check(err)
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && n > last {
			last = n
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(last)))
	ts.Check(err)
	if got := string(data); got != args[0] {
		ts.Fatalf("attesta exited with %q, want %s", got, args[0])
	}
}

// freeport VAR: set VAR to a free TCP port of 127.0.0.1.
func cmdFreeport(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	ts.Setenv(args[0], strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	ln.Close()
}

// waitfor URL: wait up to 60 seconds until a GET of URL answers 200.
func cmdWaitfor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: waitfor URL")
	}
	client := scriptClient(ts, 5*time.Second)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(args[0])
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not answer 200 in 60s (last: %v)", args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// httpget URL: print the body of a GET of URL, which must answer 200 (or,
// with !, must not).
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: httpget URL")
	}
	resp, err := scriptClient(ts, 30*time.Second).Get(args[0])
	ts.Check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ts.Check(err)
	ts.Stdout().Write(body)
	switch ok := resp.StatusCode == http.StatusOK; {
	case ok && neg:
		ts.Fatalf("GET %s: 200, want an error", args[0])
	case !ok && !neg:
		ts.Fatalf("GET %s: %s", args[0], resp.Status)
	}
}

// scriptClient is the HTTP client of waitfor and httpget: it trusts the
// certificate authorities of the PEM file $TLS_ROOTS besides the system's.
func scriptClient(ts *testscript.TestScript, timeout time.Duration) *http.Client {
	c := &http.Client{Timeout: timeout}
	if roots := ts.Getenv("TLS_ROOTS"); roots != "" {
		data, err := os.ReadFile(ts.MkAbs(roots))
		ts.Check(err)
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			ts.Fatalf("%s: no certificate", roots)
		}
		c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	}
	return c
}

// tlscert NAME: write NAME.crt, a self-signed certificate for localhost
// and 127.0.0.1 valid for a day, and NAME.key, its private key.
func cmdTLSCert(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: tlscert NAME")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	ts.Check(err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &key.PublicKey, key)
	ts.Check(err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
}

// readenv VAR FILE [FIELD]: set VAR to the content of FILE (which may be
// stdout or stderr) less its final newline or, given FIELD, to the string
// value of that top-level field of the JSON object in FILE.
func cmdReadenv(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 || neg {
		ts.Fatalf("usage: readenv VAR FILE [FIELD]")
	}
	data := ts.ReadFile(args[1])
	value := strings.TrimSuffix(data, "\n")
	if len(args) == 3 {
		var obj map[string]any
		ts.Check(json.Unmarshal([]byte(data), &obj))
		s, ok := obj[args[2]].(string)
		if !ok {
			ts.Fatalf("%s has no string field %q", args[1], args[2])
		}
		value = s
	}
	ts.Setenv(args[0], value)
}

// replace FILE OLD NEW: replace the first OLD in FILE with NEW, which must
// be there (to alter a signed credential, say).
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	data := ts.ReadFile(args[0])
	if !strings.Contains(data, args[1]) {
		ts.Fatalf("%s does not contain %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Replace(data, args[1], args[2], 1)), 0o644))
}
