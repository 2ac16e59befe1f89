package tsatest_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/rfc3161"
	"github.com/attesta/attesta/internal/rfc3161/tsatest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	tsatest.Cleanup()
	os.Exit(code)
}

// TestStart has the TSA of Start timestamp a digest through the timestamp
// package's client, and verifies the token with Roots, with RootsPEM and
// with RootsFile.
func TestStart(t *testing.T) {
	tsa := tsatest.Start(t)
	digest := sha256.Sum256([]byte("attesta tsatest\n"))
	before := time.Now().Truncate(time.Millisecond)
	c := &rfc3161.Client{URL: tsa.URL, HTTP: tsa.HTTP}
	tok, err := c.Timestamp(context.Background(), digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Verify(digest[:], rfc3161.VerifyOptions{Roots: tsa.Roots, Nonce: tok.Nonce}); err != nil {
		t.Fatal(err)
	}
	if tok.GenTime.Before(before) || tok.GenTime.After(time.Now()) {
		t.Errorf("genTime %v", tok.GenTime)
	}
	if cn := tok.Signer.Subject.CommonName; cn != "Attesta Test tsa-rsa" {
		t.Errorf("signer %q", cn)
	}

	pemFile, err := os.ReadFile(tsa.RootsFile(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pemFile, tsa.RootsPEM) {
		t.Error("RootsFile differs from RootsPEM")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(tsa.RootsPEM) {
		t.Fatal("RootsPEM: no certificate")
	}
	if err := tok.Verify(digest[:], rfc3161.VerifyOptions{Roots: pool}); err != nil {
		t.Errorf("verified with RootsPEM: %v", err)
	}

	// Without the root, the token's chain is not trusted.
	if err := tok.Verify(digest[:], rfc3161.VerifyOptions{Roots: x509.NewCertPool()}); !errors.Is(err, rfc3161.ErrUntrusted) {
		t.Errorf("verified with no root: got %v, want ErrUntrusted", err)
	}
}

// TestProfiles has each TSA profile of the PKI timestamp a digest, all
// verified by the same root, and shows that OpenSSL refuses to sign with
// the NonCritical one.
func TestProfiles(t *testing.T) {
	p := tsatest.Load(t)
	for _, tc := range []struct {
		profile string
		signer  string
	}{
		{tsatest.RSA, "Attesta Test tsa-rsa"},
		{tsatest.RSA512, "Attesta Test tsa-rsa"},
		{tsatest.EC, "Attesta Test tsa-ec"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			tsa := p.Start(t, tc.profile)
			digest := crypto.SHA384.New()
			digest.Write([]byte(tc.profile))
			sum := digest.Sum(nil)
			c := &rfc3161.Client{URL: tsa.URL, HTTP: tsa.HTTP, Hash: crypto.SHA384}
			tok, err := c.Timestamp(context.Background(), sum)
			if err != nil {
				t.Fatal(err)
			}
			if err := tok.Verify(sum, rfc3161.VerifyOptions{Roots: p.Roots, Hash: crypto.SHA384}); err != nil {
				t.Fatal(err)
			}
			if cn := tok.Signer.Subject.CommonName; cn != tc.signer {
				t.Errorf("signer %q, want %q", cn, tc.signer)
			}
		})
	}

	digest := sha256.Sum256([]byte("attesta"))
	req, err := rfc3161.NewRequest(digest[:], crypto.SHA256, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Reply(tsatest.NonCritical, req); err == nil || !strings.Contains(err.Error(), "invalid signer certificate purpose") {
		t.Errorf("openssl ts -reply with a non-critical extendedKeyUsage: %v", err)
	}
}

// TestHandlerLimits has the responder refuse what is not a timestamp query
// of at most MaxQuery bytes, without running openssl.
func TestHandlerLimits(t *testing.T) {
	tsa := tsatest.Start(t)
	for _, tc := range []struct {
		name        string
		method      string
		contentType string
		body        []byte
		status      int
	}{
		{"GET", http.MethodGet, "", nil, http.StatusMethodNotAllowed},
		{"content type", http.MethodPost, "application/octet-stream", []byte{0x30, 0x00}, http.StatusUnsupportedMediaType},
		{"too large", http.MethodPost, "application/timestamp-query", make([]byte, tsatest.MaxQuery+1), http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, tsa.URL, bytes.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := tsa.HTTP.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

// TestCleanup checks that Cleanup removes the PKI's directory and that the
// next Load makes a new PKI.
func TestCleanup(t *testing.T) {
	p := tsatest.Load(t)
	tsatest.Cleanup()
	if _, err := os.Stat(p.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after Cleanup: %v", p.Dir, err)
	}
	q := tsatest.Load(t)
	if q == p || q.Dir == p.Dir {
		t.Error("Load after Cleanup returned the removed PKI")
	}
	if _, err := os.Stat(q.Path("root.pem")); err != nil {
		t.Error(err)
	}
}
