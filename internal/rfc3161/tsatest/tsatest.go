// Package tsatest runs a real RFC 3161 Time-Stamp Authority for tests:
// OpenSSL's `openssl ts -reply`, behind a local HTTP responder that hands it
// each request, with a throw-away PKI made by the openssl command.
//
// A test calls [Start] for a TSA, points a timestamp client at its URL, and
// verifies the tokens with its Roots (or RootsPEM, or [TSA.RootsFile] for a
// command-line flag). [Load] gives the PKI itself, for tests that need the
// other TSA profiles, the certificates and keys, or to run openssl in it.
//
// Tests skip when openssl is not on PATH, unless ATTESTA_REQUIRE_OPENSSL=1,
// which makes a missing openssl a failure.
//
// The PKI is made once per test process, on first use, in a new directory
// of [os.TempDir] named attesta-tsatest-*, and shared by the tests of the
// process: every TSA of the process has the same root CA, and the TSA
// profiles keep their serial numbers across tests. [Cleanup] removes the
// directory; call it from TestMain after m.Run:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		tsatest.Cleanup()
//		os.Exit(code)
//	}
//
// Without it the directory (a few kilobytes) is left behind. The HTTP
// servers are closed by the Cleanup of the test that started them.
package tsatest

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The TSA profiles, by their section of the OpenSSL configuration. All sign
// with certificates issued by the intermediate CA, have default policy
// 1.2.3.4.1 and accept SHA-256, SHA-384 and SHA-512 message imprints.
const (
	// RSA signs with tsa-rsa (RSA 2048) and SHA-256, adds
	// signing-certificate-v2 (SHA-256), the TSA name, and a genTime in
	// milliseconds with accuracy 1.5001 s; it also grants policy 1.2.3.4.5.
	// It is the profile of [Start].
	RSA = "tsa_rsa"
	// RSA512 signs with tsa-rsa and SHA-512, adds signing-certificate-v2
	// (SHA-512) and the TSA name; whole seconds, accuracy 250 ms.
	RSA512 = "tsa_rsa512"
	// EC signs with tsa-ec (ECDSA P-256) and SHA-384, adds
	// signing-certificate (v1, SHA-1) over the chain, no TSA name; whole
	// seconds, accuracy 2 s.
	EC = "tsa_ec"
	// NonCritical would sign with tsa-noncrit, whose extendedKeyUsage
	// timeStamping is not critical: `openssl ts -reply` refuses to.
	NonCritical = "tsa_noncrit"
)

// MaxQuery is the largest request body the HTTP responder reads; a larger
// one is refused with 413 Request Entity Too Large.
const MaxQuery = 64 << 10

// RequireEnv is the environment variable which, set to 1, makes a missing
// openssl a test failure rather than a skip.
const RequireEnv = "ATTESTA_REQUIRE_OPENSSL"

// PKI is the throw-away PKI and OpenSSL TSA configuration shared by the
// tests of a process. Its directory Dir holds, in PEM:
//
//   - root.pem, root.key: the root CA, EC P-256, self-signed;
//   - inter.pem, inter.key: the intermediate CA, EC P-384, issued by the
//     root, pathlen 0;
//   - tsa-rsa.pem/.key (RSA 2048) and tsa-ec.pem/.key (EC P-256): TSA
//     certificates issued by the intermediate, extendedKeyUsage
//     critical,timeStamping;
//   - tsa-noncrit.pem/.key (EC P-256): the same with a non-critical
//     extendedKeyUsage timeStamping;
//   - openssl.cnf: the configuration, with the TSA profiles as sections.
//
// Tests must not change these files; they should write their own files
// elsewhere, such as in [testing.T.TempDir].
type PKI struct {
	Dir      string
	Roots    *x509.CertPool // the root CA
	RootsPEM []byte         // the root CA, PEM; do not modify

	openssl string
	cnf     string
	mu      sync.Mutex // one openssl ts -reply at a time: they share serial files
}

var (
	sharedMu  sync.Mutex
	shared    *PKI
	sharedErr error
)

// Load returns the PKI of the process, making it on first use. It skips t
// if openssl is not on PATH, or fails it if ATTESTA_REQUIRE_OPENSSL=1.
func Load(t testing.TB) *PKI {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("openssl is not on PATH and %s=1: %v", RequireEnv, err)
		}
		t.Skipf("openssl is not on PATH: skipping the tests against OpenSSL's TSA (set %s=1 to fail instead)", RequireEnv)
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = newPKI(path)
	}
	if sharedErr != nil {
		t.Fatalf("tsatest: %v", sharedErr)
	}
	return shared
}

// Cleanup removes the directory of the process's PKI, if one was made; a
// later [Load] makes a new PKI. Call it when no test uses the PKI any more,
// as from TestMain after m.Run.
func Cleanup() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared != nil {
		shared.mu.Lock()
		os.RemoveAll(shared.Dir)
		shared.mu.Unlock()
	}
	shared, sharedErr = nil, nil
}

const config = `
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

// newPKI makes the PKI in a new directory, which it removes on failure.
func newPKI(openssl string) (_ *PKI, err error) {
	dir, err := os.MkdirTemp("", "attesta-tsatest-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	p := &PKI{Dir: dir, openssl: openssl, cnf: filepath.Join(dir, "openssl.cnf")}
	if err := os.WriteFile(p.cnf, []byte(strings.ReplaceAll(config, "DIR", dir)), 0o600); err != nil {
		return nil, err
	}
	for _, s := range []string{"serial-rsa", "serial-rsa512", "serial-ec"} {
		if err := os.WriteFile(filepath.Join(dir, s), []byte("01\n"), 0o600); err != nil {
			return nil, err
		}
	}
	cmds := [][]string{
		{"req", "-x509", "-config", p.cnf, "-extensions", "root_ext", "-days", "3650",
			"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key", "-out", "root.pem",
			"-subj", "/O=Attesta Test/CN=Attesta Test Root CA"},
		{"req", "-new", "-config", p.cnf, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes",
			"-keyout", "inter.key", "-out", "inter.csr", "-subj", "/O=Attesta Test/CN=Attesta Test TSA CA"},
		{"x509", "-req", "-in", "inter.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "2", "-days", "3650",
			"-extfile", p.cnf, "-extensions", "inter_ext", "-out", "inter.pem"},
	}
	for i, leaf := range []struct{ name, key, ext string }{
		{"tsa-rsa", "rsa:2048", "tsa_ext"},
		{"tsa-ec", "ec", "tsa_ext"},
		{"tsa-noncrit", "ec", "tsa_noncrit_ext"},
	} {
		req := []string{"req", "-new", "-config", p.cnf, "-newkey", leaf.key}
		if leaf.key == "ec" {
			req = append(req, "-pkeyopt", "ec_paramgen_curve:P-256")
		}
		req = append(req, "-nodes", "-keyout", leaf.name+".key", "-out", leaf.name+".csr",
			"-subj", "/O=Attesta Test/CN=Attesta Test "+leaf.name)
		cmds = append(cmds, req, []string{"x509", "-req", "-in", leaf.name + ".csr", "-CA", "inter.pem", "-CAkey", "inter.key",
			"-set_serial", fmt.Sprint(10 + i), "-days", "3650", "-extfile", p.cnf, "-extensions", leaf.ext, "-out", leaf.name + ".pem"})
	}
	for _, c := range cmds {
		if _, err := p.OpenSSL(c...); err != nil {
			return nil, err
		}
	}
	p.RootsPEM, err = os.ReadFile(p.Path("root.pem"))
	if err != nil {
		return nil, err
	}
	p.Roots = x509.NewCertPool()
	if !p.Roots.AppendCertsFromPEM(p.RootsPEM) {
		return nil, errors.New("root.pem: no certificate")
	}
	return p, nil
}

// Path returns the name of file in the PKI's directory.
func (p *PKI) Path(file string) string { return filepath.Join(p.Dir, file) }

// OpenSSL runs the openssl command with args in the PKI's directory, with
// OPENSSL_CONF naming its configuration, and returns its combined output.
// The error includes the command and its output.
func (p *PKI) OpenSSL(args ...string) ([]byte, error) {
	cmd := exec.Command(p.openssl, args...)
	cmd.Dir = p.Dir
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+p.cnf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out, nil
}

// Reply has `openssl ts -reply` answer query, the DER of a TimeStampReq,
// with the TSA of profile, and returns the DER of its TimeStampResp: a
// token, or a rejection (badDataFormat for a query that is not a
// TimeStampReq). It fails if openssl does, as with [NonCritical].
func (p *PKI) Reply(profile string, query []byte) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	req, err := os.CreateTemp(p.Dir, "req-*.tsq")
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
	if _, err := p.OpenSSL("ts", "-reply", "-config", p.cnf, "-section", profile, "-queryfile", req.Name(), "-out", resp); err != nil {
		return nil, err
	}
	return os.ReadFile(resp)
}

// Handler is an RFC 3161 HTTP TSA (§3.4) answering with [PKI.Reply] for
// profile: it takes a POST of application/timestamp-query of at most
// [MaxQuery] bytes and replies application/timestamp-reply. A failure of
// openssl is an error of t, and a 500 reply.
func (p *PKI) Handler(t testing.TB, profile string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "want a POST of application/timestamp-query", http.StatusMethodNotAllowed)
			return
		}
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/timestamp-query" {
			http.Error(w, "want a POST of application/timestamp-query", http.StatusUnsupportedMediaType)
			return
		}
		query, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxQuery))
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				http.Error(w, fmt.Sprintf("request larger than %d bytes", MaxQuery), http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := p.Reply(profile, query)
		if err != nil {
			t.Errorf("tsatest: %v", err)
			http.Error(w, "TSA failure", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
		w.Write(resp)
	})
}

// TSA is a running HTTP TSA.
type TSA struct {
	URL      string         // POST application/timestamp-query here
	HTTP     *http.Client   // a client for URL
	Roots    *x509.CertPool // the root CA that verifies its tokens
	RootsPEM []byte         // the same, PEM
	Profile  string         // its profile: RSA, RSA512, EC
	PKI      *PKI           // the PKI it signs with
}

// Start starts an HTTP TSA of profile [RSA] on the process's PKI, closed
// when t ends. It skips t if openssl is not on PATH, or fails it if
// ATTESTA_REQUIRE_OPENSSL=1.
func Start(t testing.TB) *TSA {
	t.Helper()
	return Load(t).Start(t, RSA)
}

// Start starts an HTTP TSA of profile, closed when t ends.
func (p *PKI) Start(t testing.TB, profile string) *TSA {
	t.Helper()
	srv := httptest.NewServer(p.Handler(t, profile))
	t.Cleanup(srv.Close)
	return &TSA{
		URL:      srv.URL,
		HTTP:     srv.Client(),
		Roots:    p.Roots,
		RootsPEM: bytes.Clone(p.RootsPEM),
		Profile:  profile,
		PKI:      p,
	}
}

// RootsFile writes RootsPEM to a file of t's temporary directory, for a
// command-line flag, and returns its name.
func (a *TSA) RootsFile(t testing.TB) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "tsa-roots.pem")
	if err := os.WriteFile(name, a.RootsPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}
