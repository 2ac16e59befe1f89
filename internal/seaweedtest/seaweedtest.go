// Package seaweedtest starts SeaweedFS, an S3-compatible object store that
// verifies Signature Version 4 signatures, for the tests of attesta's S3
// blob store (internal/s3) and of what is kept in it (the log, the status
// reservations, the dossier's artefacts).
//
// [Start] runs `weed server -s3` — one process holding a master, a volume
// server, a filer and the S3 gateway — on free ports of the loopback
// interface, with its data in the test's temporary directory and one
// identity whose access key and secret every request must be signed with;
// it waits until an object can be written (some ten seconds), and stops
// the server when the test ends.
//
// The weed binary is ATTESTA_SEAWEEDFS, or the one scripts/seaweedfs
// builds into the cache. A test package runs its tests through [Main]:
// without the binary it runs none and says why on go test's line
// ([no tests to run], as internal/testenv does); with
// ATTESTA_REQUIRE_SEAWEEDFS=1, as in CI, that is a failure.
package seaweedtest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/attesta/attesta/internal/s3"
	"github.com/attesta/attesta/internal/testenv"
)

// Version is the version of SeaweedFS's module that scripts/seaweedfs
// builds; the test of this package checks that they agree.
const Version = "v0.0.0-20261109003541-7506e5f91cd6"

// The identity every request is signed with.
const (
	AccessKey = "ATTESTATESTKEY"
	SecretKey = "attesta-test-secret/with+signs="
	Region    = "us-east-1"
)

// Binary returns the path of the weed binary: ATTESTA_SEAWEEDFS, or else
// the one scripts/seaweedfs leaves in the cache.
func Binary() (string, error) {
	if p := os.Getenv("ATTESTA_SEAWEEDFS"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("ATTESTA_SEAWEEDFS: %w", err)
		}
		return p, nil
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", errors.New("the tests need SeaweedFS: set ATTESTA_SEAWEEDFS=$(bash scripts/seaweedfs)")
		}
		cache = filepath.Join(home, ".cache")
	}
	p := filepath.Join(cache, "attesta", "weed-"+Version)
	if _, err := os.Stat(p); err != nil {
		return "", errors.New("the tests need SeaweedFS's weed: run bash scripts/seaweedfs, which builds it into the cache (or set ATTESTA_SEAWEEDFS)")
	}
	return p, nil
}

// Main is the TestMain of a package whose every test needs SeaweedFS.
func Main(m *testing.M) {
	testenv.Main(m, "ATTESTA_REQUIRE_SEAWEEDFS", func() error {
		_, err := Binary()
		return err
	})
}

// Server is a running SeaweedFS.
type Server struct {
	// Endpoint is the S3 gateway's base URL, http://127.0.0.1:PORT.
	Endpoint string
}

// freePorts returns n ports that were free on the loopback interface.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// Start starts SeaweedFS and returns once its S3 gateway stores objects;
// it is killed when t ends (its data is the test's to throw away). Ports
// are chosen free, then bound by weed: should another process take one in
// between, weed exits and is started again on others.
func Start(t testing.TB) *Server {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s, out, err := start(t)
		if err == nil {
			return s
		}
		if attempt < 3 && strings.Contains(out, "address already in use") {
			continue
		}
		t.Fatalf("%v\n%s", err, out)
	}
}

func start(t testing.TB) (*Server, string, error) {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		return nil, "", err
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		return nil, "", err
	}
	// The identities of the S3 gateway: with one configured, every
	// request must carry a valid signature of its key.
	identities, _ := json.Marshal(map[string]any{"identities": []any{map[string]any{
		"name":        "attesta",
		"credentials": []any{map[string]string{"accessKey": AccessKey, "secretKey": SecretKey}},
		"actions":     []string{"Admin", "Read", "Write", "List", "Tagging"},
	}}})
	config := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(config, identities, 0o600); err != nil {
		return nil, "", err
	}
	p := freePorts(t, 8)
	args := []string{"server", "-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port=" + strconv.Itoa(p[0]), "-master.port.grpc=" + strconv.Itoa(p[1]),
		"-volume.port=" + strconv.Itoa(p[2]), "-volume.port.grpc=" + strconv.Itoa(p[3]),
		"-filer", "-filer.port=" + strconv.Itoa(p[4]), "-filer.port.grpc=" + strconv.Itoa(p[5]),
		"-s3", "-s3.port=" + strconv.Itoa(p[6]), "-s3.port.grpc=" + strconv.Itoa(p[7]), "-s3.config=" + config,
		// No other listener, no bucket made by a write (a misnamed bucket
		// must be an error), no report sent outside.
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.autoCreateBucket=false", "-master.telemetry=false",
		"-master.volumeSizeLimitMB=64", "-volume.max=100",
		"-filer.localSocket=" + filepath.Join(dir, "filer.sock"), "-s3.localSocket=" + filepath.Join(dir, "s3.sock"),
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", p[6])}
	// Ready when an object can be written: the gateway answers, the filer
	// and a volume server have joined the master (the filer waits some
	// seconds for peers first). The probe bucket is apart from the tests'.
	probe := s.Client("attesta-probe", "", SecretKey)
	probe.Retries = -1
	ctx := context.Background()
	start := time.Now()
	for deadline := start.Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		select {
		case err := <-exited:
			exited <- err
			stop()
			return nil, out.String(), fmt.Errorf("weed server exited: %v", err)
		default:
		}
		err := s.createBucket(ctx, "attesta-probe")
		if err == nil {
			err = probe.Put(ctx, "ready", []byte("ready"))
		}
		if err == nil {
			t.Logf("SeaweedFS stores objects at %s, %s after its start", s.Endpoint, time.Since(start).Round(time.Millisecond))
			t.Cleanup(stop)
			return s, "", nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, out.String(), fmt.Errorf("SeaweedFS did not start: %v", err)
		}
	}
}

// Client returns a client of bucket (under prefix) signing with secret,
// without creating the bucket.
func (s *Server) Client(bucket, prefix, secret string) *s3.Bucket {
	u, _ := url.Parse(s.Endpoint)
	if prefix != "" {
		prefix = strings.TrimSuffix(prefix, "/") + "/"
	}
	return &s3.Bucket{Endpoint: u, Name: bucket, Prefix: prefix, Signer: s3.Signer{Region: Region, Service: "s3",
		Credentials: s3.Credentials{AccessKey: AccessKey, SecretKey: secret}}}
}

// Bucket creates bucket and returns a client of it, under prefix.
func (s *Server) Bucket(t testing.TB, bucket, prefix string) *s3.Bucket {
	t.Helper()
	if err := s.createBucket(context.Background(), bucket); err != nil {
		t.Fatal(err)
	}
	return s.Client(bucket, prefix, SecretKey)
}

// request sends a signed request with an empty body and returns the
// answer's body, or an error with its status and body.
func (s *Server) request(ctx context.Context, method, target string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, err
	}
	s3.Signer{Region: Region, Service: "s3", Credentials: s3.Credentials{AccessKey: AccessKey, SecretKey: SecretKey}}.Sign(req, s3.EmptySHA256, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s: %s", method, target, resp.Status, body.String())
	}
	return body.Bytes(), nil
}

// createBucket creates bucket; one that exists already and is ours is
// fine.
func (s *Server) createBucket(ctx context.Context, bucket string) error {
	_, err := s.request(ctx, http.MethodPut, s.Endpoint+"/"+bucket)
	if err != nil && strings.Contains(err.Error(), "BucketAlreadyOwnedByYou") {
		return nil
	}
	return err
}

// List returns the keys of bucket's objects, sorted.
func (s *Server) List(t testing.TB, bucket string) []string {
	t.Helper()
	var keys []string
	token := ""
	for {
		q := url.Values{"list-type": {"2"}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		body, err := s.request(context.Background(), http.MethodGet, s.Endpoint+"/"+bucket+"?"+q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Contents []struct {
				Key string `xml:"Key"`
			} `xml:"Contents"`
			IsTruncated           bool   `xml:"IsTruncated"`
			NextContinuationToken string `xml:"NextContinuationToken"`
		}
		if err := xml.Unmarshal(body, &page); err != nil {
			t.Fatalf("listing %s: %v", bucket, err)
		}
		for _, c := range page.Contents {
			keys = append(keys, c.Key)
		}
		if !page.IsTruncated || page.NextContinuationToken == "" {
			break
		}
		token = page.NextContinuationToken
	}
	slices.Sort(keys)
	return keys
}

// lockedBuffer collects the server's output, written from its pipes'
// goroutines and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
