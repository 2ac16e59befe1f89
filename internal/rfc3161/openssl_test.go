package rfc3161

// The tests in this file run against a real TSA: OpenSSL's `openssl ts
// -reply`, behind an HTTP responder that hands it each request. They skip
// if openssl is not on PATH, unless ATTESTA_REQUIRE_OPENSSL=1.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/rfc3161/tsatest"
)

// The PKI and the TSA profiles (tsatest.RSA, RSA512, EC, NonCritical) are
// those of internal/tsatest, made once for the package's tests.

func TestMain(m *testing.M) {
	code := m.Run()
	tsatest.Cleanup()
	os.Exit(code)
}

// openSSL returns the PKI, or skips the test if openssl is missing.
func openSSL(t testing.TB) *tsatest.PKI {
	t.Helper()
	return tsatest.Load(t)
}

// stamp returns a token of the TSA of section over digest, through Client.
func stamp(t *testing.T, f *tsatest.PKI, section string, hash crypto.Hash, digest []byte) *Token {
	t.Helper()
	tsa := f.Start(t, section)
	c := &Client{URL: tsa.URL, HTTP: tsa.HTTP, Hash: hash}
	tok, err := c.Timestamp(context.Background(), digest)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func digestOf(h crypto.Hash, s string) []byte {
	d := h.New()
	d.Write([]byte(s))
	return d.Sum(nil)
}

func TestOpenSSLRoundTrip(t *testing.T) {
	f := openSSL(t)
	for _, tc := range []struct {
		section   string
		hash      crypto.Hash
		signer    string
		digest    crypto.Hash // of the SignerInfo
		accuracy  time.Duration
		essV1     bool // signing-certificate (v1) rather than v2
		precision time.Duration
	}{
		{tsatest.RSA, 0, "Attesta Test tsa-rsa", crypto.SHA256, 1500100 * time.Microsecond, false, time.Millisecond},
		{tsatest.RSA512, crypto.SHA512, "Attesta Test tsa-rsa", crypto.SHA512, 250 * time.Millisecond, false, time.Second},
		{tsatest.EC, crypto.SHA384, "Attesta Test tsa-ec", crypto.SHA384, 2 * time.Second, true, time.Second},
	} {
		t.Run(tc.section, func(t *testing.T) {
			hash := tc.hash
			if hash == 0 {
				hash = crypto.SHA256
			}
			digest := digestOf(hash, "attesta.example/log\n7\n"+tc.section+"\n")
			before := time.Now().Truncate(tc.precision)
			tok := stamp(t, f, tc.section, tc.hash, digest)
			after := time.Now()
			if err := tok.Verify(digest, VerifyOptions{Roots: f.Roots, Nonce: tok.Nonce, Hash: hash}); err != nil {
				t.Fatal(err)
			}
			// The chain is valid now as well as at GenTime.
			if err := tok.Verify(digest, VerifyOptions{Roots: f.Roots, CurrentTime: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if tok.GenTime.Before(before) || tok.GenTime.After(after) {
				t.Errorf("genTime %v not between %v and %v", tok.GenTime, before, after)
			}
			if tok.GenTime.Truncate(tc.precision) != tok.GenTime {
				t.Errorf("genTime %v finer than %v", tok.GenTime, tc.precision)
			}
			if !tok.Policy.Equal(asn1.ObjectIdentifier{1, 2, 3, 4, 1}) {
				t.Errorf("policy %v, want 1.2.3.4.1", tok.Policy)
			}
			if tok.Serial.Sign() <= 0 {
				t.Errorf("serial %v", tok.Serial)
			}
			if tok.Hash != hash || tok.Accuracy != tc.accuracy || tok.Signer.Subject.CommonName != tc.signer ||
				tok.si.digest != tc.digest || len(tok.Certificates) != 2 {
				t.Errorf("hash %v, accuracy %v, signer %q, signer digest %v, %d certificates",
					tok.Hash, tok.Accuracy, tok.Signer.Subject.CommonName, tok.si.digest, len(tok.Certificates))
			}
			_, v1, _ := tok.attr(oidSigningCert, ErrSigningCertificate)
			_, v2, _ := tok.attr(oidSigningCertV2, ErrSigningCertificate)
			if v1 != tc.essV1 || v2 == tc.essV1 {
				t.Errorf("signing-certificate %v, signing-certificate-v2 %v", v1, v2)
			}

			// The next token has the next serial number.
			next := stamp(t, f, tc.section, tc.hash, digest)
			if want := new(big.Int).Add(tok.Serial, big.NewInt(1)); next.Serial.Cmp(want) != 0 {
				t.Errorf("serials %v then %v", tok.Serial, next.Serial)
			}

			// OpenSSL agrees that the token is valid.
			file := filepath.Join(t.TempDir(), "token.der")
			if err := os.WriteFile(file, tok.Raw, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := f.OpenSSL("ts", "-verify", "-digest", hex.EncodeToString(digest), "-token_in", "-in", file,
				"-CAfile", f.Path("root.pem"), "-untrusted", f.Path("inter.pem")); err != nil || !bytes.Contains(out, []byte("Verification: OK")) {
				t.Errorf("openssl ts -verify: %v %s", err, out)
			}
		})
	}
}

// flipped returns a copy of tok.Raw with the byte at offset i of part, a
// subslice of it found only once, changed.
func flipped(t *testing.T, tok *Token, part []byte, i int) []byte {
	t.Helper()
	at := bytes.Index(tok.Raw, part)
	if at < 0 || bytes.Contains(tok.Raw[at+1:], part) {
		t.Fatalf("% x is not once in the token", part)
	}
	b := append([]byte(nil), tok.Raw...)
	b[at+i] ^= 0x01
	return b
}

// tstFieldEnd is the offset of the last byte of the n-th field of a
// TSTInfo.
func tstFieldEnd(t *testing.T, tstInfo []byte, n int) int {
	t.Helper()
	e, _, err := parseElement(tstInfo)
	if err != nil {
		t.Fatal(err)
	}
	r := contents(e, "TSTInfo")
	for i := 0; ; i++ {
		if _, err := r.next("field"); err != nil {
			t.Fatal(err)
		}
		if i == n {
			return len(tstInfo) - len(r.rest) - 1
		}
	}
}

func TestOpenSSLTampered(t *testing.T) {
	f := openSSL(t)
	foreign := poolFromPEM(t, "testdata/golden-root.pem") // another CA
	for _, section := range []string{tsatest.RSA, tsatest.EC} {
		t.Run(section, func(t *testing.T) {
			digest := digestOf(crypto.SHA256, "attesta.example/log\n8\n")
			tok := stamp(t, f, section, 0, digest)
			ok := VerifyOptions{Roots: f.Roots}
			if err := tok.Verify(digest, ok); err != nil {
				t.Fatal(err)
			}
			wrong := digestOf(crypto.SHA256, "attesta.example/log\n9\n")

			// A byte of the TSTInfo's serial number: still a TSTInfo, no
			// longer the one signed.
			badTST, err := ParseToken(flipped(t, tok, tok.tstInfo, tstFieldEnd(t, tok.tstInfo, 3)))
			if err != nil {
				t.Fatal(err)
			}
			if badTST.Serial.Cmp(tok.Serial) == 0 {
				t.Fatal("serial unchanged")
			}
			badSig, err := ParseToken(flipped(t, tok, tok.si.signature, len(tok.si.signature)-1))
			if err != nil {
				t.Fatal(err)
			}
			everyByte(t, tok.Raw, digest, ok)
			for _, tc := range []struct {
				name   string
				tok    *Token
				digest []byte
				opts   VerifyOptions
				want   error
				text   string
			}{
				{"wrong digest", tok, wrong, ok, ErrImprintMismatch, "message imprint does not match the digest"},
				{"root not trusted", tok, digest, VerifyOptions{Roots: foreign}, ErrUntrusted, "certificate chain: x509: certificate signed by unknown authority"},
				{"TSTInfo changed", badTST, digest, ok, ErrMessageDigest, "message-digest attribute: "},
				{"signature changed", badSig, digest, ok, ErrSignature, "signature: "},
			} {
				t.Run(tc.name, func(t *testing.T) {
					err := tc.tok.Verify(tc.digest, tc.opts)
					if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), tc.text) {
						t.Fatalf("got %v, want %v starting with %q", err, tc.want, tc.text)
					}
					t.Log(err)
				})
			}
		})
	}
}

// TestOpenSSLKeyUsage has a TSTInfo made by OpenSSL's TSA signed again with
// `openssl cms -sign -cades` (which adds signing-certificate-v2), by a TSA
// certificate whose extendedKeyUsage timeStamping is not critical. `openssl
// ts -reply` itself refuses to sign with that certificate, and so must
// Verify, though Go's chain verification for ExtKeyUsageTimeStamping
// accepts it. The same TSTInfo signed the same way by the proper TSA
// certificate verifies; that token names its signer by subject key
// identifier.
func TestOpenSSLKeyUsage(t *testing.T) {
	f := openSSL(t)
	digest := digestOf(crypto.SHA256, "attesta.example/log\n10\n")
	tok := stamp(t, f, tsatest.EC, 0, digest)

	if _, err := f.Reply(tsatest.NonCritical, mustRequest(t, digest)); err == nil || !strings.Contains(err.Error(), "invalid signer certificate purpose") {
		t.Errorf("openssl ts -reply with a non-critical extendedKeyUsage: %v", err)
	}

	tmp := t.TempDir()
	tst := filepath.Join(tmp, "cms-tstinfo.der")
	if err := os.WriteFile(tst, tok.tstInfo, 0o600); err != nil {
		t.Fatal(err)
	}
	sign := func(signer string) *Token {
		out := filepath.Join(tmp, "cms-"+signer+".der")
		if _, err := f.OpenSSL("cms", "-sign", "-binary", "-nodetach", "-in", tst, "-econtent_type", oidTSTInfo.String(),
			"-signer", f.Path(signer+".pem"), "-inkey", f.Path(signer+".key"), "-certfile", f.Path("inter.pem"),
			"-md", "sha256", "-nosmimecap", "-cades", "-keyid", "-outform", "DER", "-out", out); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := ParseToken(b)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	opts := VerifyOptions{Roots: f.Roots}

	good := sign("tsa-ec")
	if good.si.keyID == nil {
		t.Error("openssl cms -keyid: no subjectKeyIdentifier")
	}
	if err := good.Verify(digest, opts); err != nil {
		t.Errorf("re-signed by tsa-ec: %v", err)
	}

	everyByte(t, good.Raw, digest, opts)

	bad := sign("tsa-noncrit")
	err := bad.Verify(digest, opts)
	if !errors.Is(err, ErrKeyUsage) || err.Error() != "TSA certificate not for time stamping: extendedKeyUsage is not critical" {
		t.Errorf("got %v, want ErrKeyUsage: not critical", err)
	}
	if err := bad.checkChain(opts); err != nil {
		t.Errorf("Go's chain verification: %v", err)
	}
}

func mustRequest(t *testing.T, digest []byte) []byte {
	t.Helper()
	req, err := NewRequest(digest, crypto.SHA256, big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestOpenSSLRejection has OpenSSL's TSA refuse requests: SHA-1, which the
// configuration's digests do not list, and a policy it does not have.
func TestOpenSSLRejection(t *testing.T) {
	f := openSSL(t)
	tsa := f.Start(t, tsatest.RSA)
	post := func(query []byte) ([]byte, error) {
		resp, err := tsa.HTTP.Post(tsa.URL, "application/timestamp-query", bytes.NewReader(query))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}

	tmp := t.TempDir()
	data := filepath.Join(tmp, "data.txt")
	if err := os.WriteFile(data, []byte("attesta"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.OpenSSL("ts", "-query", "-data", data, "-sha1", "-cert", "-out", filepath.Join(tmp, "sha1.tsq")); err != nil {
		t.Fatal(err)
	}
	query, err := os.ReadFile(filepath.Join(tmp, "sha1.tsq"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := post(query)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseResponse(resp)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != Rejection || se.FailInfo != BadAlg {
		t.Fatalf("got %v, want a rejection with badAlg", err)
	}
	if !strings.HasPrefix(err.Error(), "TSA returned status rejection, failInfo badAlg, text ") {
		t.Errorf("error %q", err)
	}
	t.Log(err)

	// A request with a policy: one the TSA has is granted, and is the
	// token's; another is refused.
	type reqWithPolicy struct {
		Version        int
		MessageImprint messageImprint
		ReqPolicy      asn1.ObjectIdentifier
		CertReq        bool
	}
	digest := sha256.Sum256([]byte("attesta"))
	for _, tc := range []struct {
		policy asn1.ObjectIdentifier
		fail   FailureInfo
	}{
		{asn1.ObjectIdentifier{1, 2, 3, 4, 5}, 0},
		{asn1.ObjectIdentifier{1, 2, 3, 4, 9}, UnacceptedPolicy},
	} {
		query := mustMarshal(t, reqWithPolicy{1, messageImprint{algorithmIdentifier{oidSHA256}, digest[:]}, tc.policy, true})
		resp, err := post(query)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := ParseResponse(resp)
		if tc.fail == 0 {
			if err != nil {
				t.Fatal(err)
			}
			if !tok.Policy.Equal(tc.policy) {
				t.Errorf("policy %v, want %v", tok.Policy, tc.policy)
			}
			if err := tok.Verify(digest[:], VerifyOptions{Roots: f.Roots}); err != nil {
				t.Error(err)
			}
			continue
		}
		if !errors.As(err, &se) || se.Status != Rejection || se.FailInfo != tc.fail {
			t.Errorf("policy %v: got %v, want a rejection with %v", tc.policy, err, tc.fail)
		}
		t.Log(err)
	}
}

// TestOpenSSLReplay has a TSA answer every request with its first reply:
// the client notices the nonce, or the imprint, is not its request's.
func TestOpenSSLReplay(t *testing.T) {
	f := openSSL(t)
	var (
		mu    sync.Mutex
		first []byte
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			query, err := io.ReadAll(http.MaxBytesReader(w, r.Body, tsatest.MaxQuery))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			resp, err := f.Reply(tsatest.RSA, query)
			if err != nil {
				t.Error(err)
				http.Error(w, "TSA failure", http.StatusInternalServerError)
				return
			}
			first = resp
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(first)
	}))
	defer srv.Close()
	c := &Client{URL: srv.URL, HTTP: srv.Client()}
	digest := digestOf(crypto.SHA256, "attesta.example/log\n11\n")
	if _, err := c.Timestamp(context.Background(), digest); err != nil {
		t.Fatal(err)
	}
	_, err := c.Timestamp(context.Background(), digest)
	if !errors.Is(err, ErrNonceMismatch) {
		t.Errorf("same digest: got %v, want ErrNonceMismatch", err)
	}
	_, err = c.Timestamp(context.Background(), digestOf(crypto.SHA256, "other"))
	if !errors.Is(err, ErrImprintMismatch) {
		t.Errorf("other digest: got %v, want ErrImprintMismatch", err)
	}
}
