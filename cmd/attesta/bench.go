package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/did"
	"github.com/attesta/attesta/issuer"
)

// benchCmd measures eddsa-rdfc-2022 issue and verify throughput on one core
// on the reference credential, then the same for Digital Bazaar's stack
// (interop/vc.mjs bench) in the same run, and prints the ratios.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("bench", stdout, stderr)
	fs := c.fs
	seconds := fs.Float64("seconds", 5, "how long each measurement runs")
	file := fs.String("credential", "testdata/conformance/reference/ob3-reference-credential.json", "the credential to sign and verify")
	canonical := fs.String("canonical", "testdata/conformance/reference/ob3-reference-credential.canonical.nq", "its expected canonical N-Quads (checked before measuring; empty to skip)")
	noJS := fs.Bool("no-js", false, "do not run the JavaScript stack")
	if _, err := c.parse(args, 0); err != nil {
		return err
	}
	runtime.GOMAXPROCS(1) // per core
	doc, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	suite, err := credential.NewSuite()
	if err != nil {
		return err
	}
	if *canonical != "" {
		want, err := os.ReadFile(*canonical)
		if err != nil {
			return err
		}
		got, err := suite.CanonicalDocument(doc, dataintegrity.EdDSARDFC2022)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("canonical N-Quads of %s differ from %s: not measuring", *file, *canonical)
		}
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	vm := did.KeyDID(pub) + "#" + did.EncodePublicKey(pub)
	signer := issuer.NewSigner(issuer.Issuer{DID: did.KeyDID(pub)}, vm, priv)
	opts := dataintegrity.Options{VerificationMethod: vm, Created: time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)}
	signed, err := suite.Sign(doc, signer, opts)
	if err != nil {
		return err
	}
	resolver := didKeyResolver{}
	measure := func(fn func() error) (float64, error) {
		for range 50 { // warm up
			if err := fn(); err != nil {
				return 0, err
			}
		}
		deadline := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
		n, start := 0, time.Now()
		for time.Now().Before(deadline) {
			if err := fn(); err != nil {
				return 0, err
			}
			n++
		}
		return float64(n) / time.Since(start).Seconds(), nil
	}
	issue, err := measure(func() error { _, err := suite.Sign(doc, signer, opts); return err })
	if err != nil {
		return err
	}
	verify, err := measure(func() error {
		res, err := suite.Verify(ctx, signed, resolver)
		if err == nil && res[0].Err != nil {
			err = res[0].Err
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "attesta (Go, 1 core)  eddsa-rdfc-2022 issue %8.0f/s  verify %8.0f/s  on %s\n", issue, verify, filepath.Base(*file))
	if *noJS {
		return nil
	}
	js, err := benchJS(ctx, *file, *seconds, stderr)
	if err != nil {
		return fmt.Errorf("JavaScript stack: %w (run npm ci --prefix interop, or pass --no-js)", err)
	}
	fmt.Fprintf(stdout, "Digital Bazaar (Node)  eddsa-rdfc-2022 issue %8.0f/s  verify %8.0f/s\n", js.IssuePerSec, js.VerifyPerSec)
	fmt.Fprintf(stdout, "ratio                  issue %8.1f×   verify %8.1f×\n", issue/js.IssuePerSec, verify/js.VerifyPerSec)
	return nil
}

type didKeyResolver struct{}

func (didKeyResolver) ResolveKey(_ context.Context, vm string) (ed25519.PublicKey, error) {
	controller, _, _ := strings.Cut(vm, "#")
	doc, err := did.ResolveKey(controller)
	if err != nil {
		return nil, err
	}
	m, ok := doc.AssertionKey(vm)
	if !ok {
		return nil, fmt.Errorf("no key %s", vm)
	}
	return m.PublicKey()
}

type jsBench struct {
	IssuePerSec  float64 `json:"issuePerSec"`
	VerifyPerSec float64 `json:"verifyPerSec"`
}

func benchJS(ctx context.Context, file string, seconds float64, stderr io.Writer) (jsBench, error) {
	dir, err := os.MkdirTemp("", "attesta-bench")
	if err != nil {
		return jsBench{}, err
	}
	defer os.RemoveAll(dir)
	pub, priv, _ := ed25519.GenerateKey(nil)
	kp, _ := json.Marshal(keyPair{did.EncodePublicKey(pub), did.EncodePrivateKey(priv)})
	keyFile := filepath.Join(dir, "key.json")
	if err := os.WriteFile(keyFile, kp, 0o600); err != nil {
		return jsBench{}, err
	}
	cmd := exec.CommandContext(ctx, "node", "internal/interop/vc.mjs", "bench", "--key", keyFile, "--seconds", fmt.Sprint(seconds), file)
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return jsBench{}, err
	}
	var b jsBench
	if err := json.Unmarshal(out, &b); err != nil || b.IssuePerSec == 0 {
		return jsBench{}, fmt.Errorf("unexpected output %q", out)
	}
	return b, nil
}
