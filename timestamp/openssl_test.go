package timestamp

// The tests in this file run against a real TSA: OpenSSL's `openssl ts
// -reply`, behind an HTTP responder that hands it each request. They skip
// if openssl is not on PATH, unless ATTESTA_REQUIRE_OPENSSL=1.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fixture is a throw-away PKI and OpenSSL TSA configuration: a root CA (EC
// P-256), an intermediate CA (EC P-384) and three TSA certificates issued by
// it: tsa-rsa (RSA 2048) and tsa-ec (EC P-256) with extendedKeyUsage
// critical,timeStamping, and tsa-noncrit (EC P-256) with a non-critical one.
type fixture struct {
	openssl string
	dir     string
	cnf     string
	roots   *x509.CertPool
	mu      sync.Mutex // one openssl ts -reply at a time: they share serial files
}

var (
	fixtureOnce sync.Once
	theFixture  *fixture
	fixtureErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theFixture != nil {
		os.RemoveAll(theFixture.dir)
	}
	os.Exit(code)
}

// openSSL returns the fixture, or skips the test if openssl is missing.
func openSSL(t testing.TB) *fixture {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("ATTESTA_REQUIRE_OPENSSL") == "1" {
			t.Fatalf("openssl is not on PATH and ATTESTA_REQUIRE_OPENSSL=1: %v", err)
		}
		t.Skip("openssl is not on PATH: skipping the tests against OpenSSL's TSA (set ATTESTA_REQUIRE_OPENSSL=1 to fail instead)")
	}
	fixtureOnce.Do(func() { theFixture, fixtureErr = newFixture(path) })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return theFixture
}

const fixtureConfig = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused

[ root_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ inter_ext ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ tsa_noncrit_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ tsa ]
default_tsa = tsa_rsa

# RSA, SHA-256, signing-certificate-v2 with SHA-256, milliseconds, TSA name.
[ tsa_rsa ]
dir = DIR
serial = $dir/serial-rsa
crypto_device = builtin
signer_cert = $dir/tsa-rsa.pem
signer_key = $dir/tsa-rsa.key
certs = $dir/inter.pem
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1, millisecs:500, microsecs:100
clock_precision_digits = 3
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256

# RSA, SHA-512, signing-certificate-v2 with SHA-512 (hashAlgorithm encoded).
[ tsa_rsa512 ]
dir = DIR
serial = $dir/serial-rsa512
crypto_device = builtin
signer_cert = $dir/tsa-rsa.pem
signer_key = $dir/tsa-rsa.key
certs = $dir/inter.pem
signer_digest = sha512
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = millisecs:250
ordering = yes
tsa_name = yes
ess_cert_id_alg = sha512

# ECDSA, SHA-384, signing-certificate (v1, SHA-1) over the chain, whole
# seconds, no TSA name.
[ tsa_ec ]
dir = DIR
serial = $dir/serial-ec
crypto_device = builtin
signer_cert = $dir/tsa-ec.pem
signer_key = $dir/tsa-ec.key
certs = $dir/inter.pem
signer_digest = sha384
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:2
clock_precision_digits = 0
ordering = no
tsa_name = no
ess_cert_id_chain = yes
ess_cert_id_alg = sha1

# What OpenSSL refuses to run: a TSA whose extendedKeyUsage is not critical.
[ tsa_noncrit ]
dir = DIR
serial = $dir/serial-ec
crypto_device = builtin
signer_cert = $dir/tsa-noncrit.pem
signer_key = $dir/tsa-noncrit.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
`

func newFixture(openssl string) (*fixture, error) {
	dir, err := os.MkdirTemp("", "attesta-tsa-")
	if err != nil {
		return nil, err
	}
	f := &fixture{openssl: openssl, dir: dir, cnf: filepath.Join(dir, "openssl.cnf")}
	if err := os.WriteFile(f.cnf, []byte(strings.ReplaceAll(fixtureConfig, "DIR", dir)), 0o600); err != nil {
		return nil, err
	}
	for _, s := range []string{"serial-rsa", "serial-rsa512", "serial-ec"} {
		if err := os.WriteFile(filepath.Join(dir, s), []byte("01\n"), 0o600); err != nil {
			return nil, err
		}
	}
	cmds := [][]string{
		{"req", "-x509", "-config", f.cnf, "-extensions", "root_ext", "-days", "3650",
			"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key", "-out", "root.pem",
			"-subj", "/O=Attesta Test/CN=Attesta Test Root CA"},
		{"req", "-new", "-config", f.cnf, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes",
			"-keyout", "inter.key", "-out", "inter.csr", "-subj", "/O=Attesta Test/CN=Attesta Test TSA CA"},
		{"x509", "-req", "-in", "inter.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "2", "-days", "3650",
			"-extfile", f.cnf, "-extensions", "inter_ext", "-out", "inter.pem"},
	}
	for i, leaf := range []struct{ name, key, ext string }{
		{"tsa-rsa", "rsa:2048", "tsa_ext"},
		{"tsa-ec", "ec", "tsa_ext"},
		{"tsa-noncrit", "ec", "tsa_noncrit_ext"},
	} {
		req := []string{"req", "-new", "-config", f.cnf, "-newkey", leaf.key}
		if leaf.key == "ec" {
			req = append(req, "-pkeyopt", "ec_paramgen_curve:P-256")
		}
		req = append(req, "-nodes", "-keyout", leaf.name+".key", "-out", leaf.name+".csr",
			"-subj", "/O=Attesta Test/CN=Attesta Test "+leaf.name)
		cmds = append(cmds, req, []string{"x509", "-req", "-in", leaf.name + ".csr", "-CA", "inter.pem", "-CAkey", "inter.key",
			"-set_serial", fmt.Sprint(10 + i), "-days", "3650", "-extfile", f.cnf, "-extensions", leaf.ext, "-out", leaf.name + ".pem"})
	}
	for _, c := range cmds {
		if _, err := f.run(c...); err != nil {
			return nil, err
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		return nil, err
	}
	f.roots = x509.NewCertPool()
	if !f.roots.AppendCertsFromPEM(b) {
		return nil, errors.New("root.pem: no certificate")
	}
	return f, nil
}

// run runs openssl in the fixture's directory.
func (f *fixture) run(args ...string) ([]byte, error) {
	cmd := exec.Command(f.openssl, args...)
	cmd.Dir = f.dir
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+f.cnf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out, nil
}

// path is the name of file in the fixture's directory.
func (f *fixture) path(file string) string { return filepath.Join(f.dir, file) }

// reply has `openssl ts -reply` answer query with the TSA of section.
func (f *fixture) reply(section string, query []byte) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	req, err := os.CreateTemp(f.dir, "req-*.tsq")
	if err != nil {
		return nil, err
	}
	defer os.Remove(req.Name())
	if _, err := req.Write(query); err != nil {
		req.Close()
		return nil, err
	}
	if err := req.Close(); err != nil {
		return nil, err
	}
	resp := strings.TrimSuffix(req.Name(), ".tsq") + ".tsr"
	defer os.Remove(resp)
	if _, err := f.run("ts", "-reply", "-config", f.cnf, "-section", section, "-queryfile", req.Name(), "-out", resp); err != nil {
		return nil, err
	}
	return os.ReadFile(resp)
}

// server is an RFC 3161 HTTP TSA answering with OpenSSL's TSA of section.
func (f *fixture) server(t *testing.T, section string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/timestamp-query" {
			http.Error(w, "want a POST of application/timestamp-query", http.StatusBadRequest)
			return
		}
		query, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := f.reply(section, query)
		if err != nil {
			t.Error(err)
			http.Error(w, "TSA failure", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// stamp returns a token of the TSA of section over digest, through Client.
func (f *fixture) stamp(t *testing.T, section string, hash crypto.Hash, digest []byte) *Token {
	t.Helper()
	srv := f.server(t, section)
	c := &Client{URL: srv.URL, HTTP: srv.Client(), Hash: hash}
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
		{"tsa_rsa", 0, "Attesta Test tsa-rsa", crypto.SHA256, 1500100 * time.Microsecond, false, time.Millisecond},
		{"tsa_rsa512", crypto.SHA512, "Attesta Test tsa-rsa", crypto.SHA512, 250 * time.Millisecond, false, time.Second},
		{"tsa_ec", crypto.SHA384, "Attesta Test tsa-ec", crypto.SHA384, 2 * time.Second, true, time.Second},
	} {
		t.Run(tc.section, func(t *testing.T) {
			hash := tc.hash
			if hash == 0 {
				hash = crypto.SHA256
			}
			digest := digestOf(hash, "attesta.example/log\n7\n"+tc.section+"\n")
			before := time.Now().Truncate(tc.precision)
			tok := f.stamp(t, tc.section, tc.hash, digest)
			after := time.Now()
			if err := tok.Verify(digest, VerifyOptions{Roots: f.roots, Nonce: tok.Nonce, Hash: hash}); err != nil {
				t.Fatal(err)
			}
			// The chain is valid now as well as at GenTime.
			if err := tok.Verify(digest, VerifyOptions{Roots: f.roots, CurrentTime: time.Now()}); err != nil {
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
			next := f.stamp(t, tc.section, tc.hash, digest)
			if want := new(big.Int).Add(tok.Serial, big.NewInt(1)); next.Serial.Cmp(want) != 0 {
				t.Errorf("serials %v then %v", tok.Serial, next.Serial)
			}

			// OpenSSL agrees that the token is valid.
			file := f.path(tc.section + "-token.der")
			if err := os.WriteFile(file, tok.Raw, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := f.run("ts", "-verify", "-digest", hex.EncodeToString(digest), "-token_in", "-in", file,
				"-CAfile", f.path("root.pem"), "-untrusted", f.path("inter.pem")); err != nil || !bytes.Contains(out, []byte("Verification: OK")) {
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
	for _, section := range []string{"tsa_rsa", "tsa_ec"} {
		t.Run(section, func(t *testing.T) {
			digest := digestOf(crypto.SHA256, "attesta.example/log\n8\n")
			tok := f.stamp(t, section, 0, digest)
			ok := VerifyOptions{Roots: f.roots}
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
	tok := f.stamp(t, "tsa_ec", 0, digest)

	if _, err := f.reply("tsa_noncrit", mustRequest(t, digest)); err == nil || !strings.Contains(err.Error(), "invalid signer certificate purpose") {
		t.Errorf("openssl ts -reply with a non-critical extendedKeyUsage: %v", err)
	}

	tst := f.path("cms-tstinfo.der")
	if err := os.WriteFile(tst, tok.tstInfo, 0o600); err != nil {
		t.Fatal(err)
	}
	sign := func(signer string) *Token {
		out := f.path("cms-" + signer + ".der")
		if _, err := f.run("cms", "-sign", "-binary", "-nodetach", "-in", tst, "-econtent_type", oidTSTInfo.String(),
			"-signer", f.path(signer+".pem"), "-inkey", f.path(signer+".key"), "-certfile", f.path("inter.pem"),
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
	opts := VerifyOptions{Roots: f.roots}

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
	srv := f.server(t, "tsa_rsa")
	post := func(query []byte) ([]byte, error) {
		resp, err := srv.Client().Post(srv.URL, "application/timestamp-query", bytes.NewReader(query))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}

	data := f.path("data.txt")
	if err := os.WriteFile(data, []byte("attesta"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.run("ts", "-query", "-data", data, "-sha1", "-cert", "-out", f.path("sha1.tsq")); err != nil {
		t.Fatal(err)
	}
	query, err := os.ReadFile(f.path("sha1.tsq"))
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
			if err := tok.Verify(digest[:], VerifyOptions{Roots: f.roots}); err != nil {
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
			query, _ := io.ReadAll(r.Body)
			resp, err := f.reply("tsa_rsa", query)
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
