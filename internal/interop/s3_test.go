package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/attesta/attesta/blob/blobtest"
	"github.com/attesta/attesta/internal/s3"
	"github.com/attesta/attesta/internal/testserver"
)

// s3rver starts s3rver, an S3-compatible server of the npm registry, on a
// free port of the loopback interface with the given buckets; it is
// stopped when the test ends. It returns the endpoint. s3rver knows the
// access key S3RVER but does not check Signature Version 4 signatures:
// TestSigV4AgainstAWSSigner checks attesta's against AWS's own signer.
func s3rver(t *testing.T, buckets ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := []string{"node_modules/s3rver/bin/s3rver.js", "--directory", t.TempDir(), "--address", "127.0.0.1",
		"--port", fmt.Sprint(port), "--silent", "--service-endpoint", "example.test"}
	for _, b := range buckets {
		args = append(args, "--configure-bucket", b)
	}
	cmd := exec.Command("node", args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("s3rver did not start: %v\n%s", err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// bucket opens address with s3rver's key pair, or the secret given.
func bucket(t *testing.T, address, secret string) *s3.Bucket {
	t.Helper()
	b, err := s3.Parse(address, func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": secret}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// attesta's S3 client keeps the blob store's contract on an S3 server it
// did not write, which checks its signatures: addressed by path and by
// host name, under a prefix and at the bucket's root.
func TestS3Contract(t *testing.T) {
	endpoint := s3rver(t, "attesta-blobs", "attesta-vhost")
	t.Run("path", func(t *testing.T) {
		blobtest.Contract(t, bucket(t, "s3://attesta-blobs/milano/log?endpoint="+endpoint, "S3RVER"))
	})
	t.Run("root", func(t *testing.T) {
		blobtest.Contract(t, bucket(t, "s3://attesta-blobs?endpoint="+endpoint, "S3RVER"))
	})
	t.Run("virtual-host", func(t *testing.T) {
		// The bucket is in the host name, attesta-vhost.s3.example.test,
		// which the test's client dials on s3rver's port.
		u, _ := url.Parse(endpoint)
		b := bucket(t, "s3://attesta-vhost/log?addressing=virtual&endpoint=http://s3.example.test:"+u.Port(), "S3RVER")
		b.HTTP = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, u.Host)
		}}}
		blobtest.Contract(t, b)
	})
}

// The server's refusals come back as errors that say what it said, and a
// missing bucket does not read as "no object": the blob store is the lock
// a restored database is checked against. (A wrong secret, which s3rver
// does not notice, is internal/s3's TestOnlyAMissingKeyIsNotExist, and
// SeaweedFS's refusal of it internal/seaweedtest's TestRefusals.)
func TestS3Refusals(t *testing.T) {
	endpoint := s3rver(t, "attesta-blobs")
	ctx := context.Background()
	var e *s3.Error
	missing := bucket(t, "s3://no-such-bucket?endpoint="+endpoint, "S3RVER")
	if _, err := missing.Get(ctx, "checkpoint"); !errors.As(err, &e) || e.Code != "NoSuchBucket" || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get from a missing bucket: %v", err)
	}
	if err := missing.Put(ctx, "checkpoint", []byte("x")); !errors.As(err, &e) || e.Code != "NoSuchBucket" {
		t.Errorf("put to a missing bucket: %v", err)
	}
	unknown := bucket(t, "s3://attesta-blobs?endpoint="+endpoint, "S3RVER")
	unknown.Signer.Credentials.AccessKey = "NOT-A-KEY"
	if _, err := unknown.Get(ctx, "checkpoint"); !errors.As(err, &e) || e.Code != "InvalidAccessKeyId" || errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get with an unknown access key: %v", err)
	}
	good := bucket(t, "s3://attesta-blobs?endpoint="+endpoint, "S3RVER")
	if _, err := good.Get(ctx, "checkpoint"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a missing key: %v, want fs.ErrNotExist", err)
	}
}

// The restore test of issue 12 with the published log and the status
// reservations in an S3 bucket: a restored SQLite database is caught
// against the bucket, recovered from it, and the log read back from the
// bucket audits as an extension of what it was.
func TestS3Restore(t *testing.T) {
	endpoint := s3rver(t, "attesta-blobs")
	e := testserver.SQLite(t)
	e.Blobs = bucket(t, "s3://attesta-blobs/restore?endpoint="+endpoint, "S3RVER")
	testserver.RestoreScenario(t, e)
}

// attesta's Signature Version 4 signer gives, for a thousand varied
// requests, the Authorization header AWS's own signer gives
// (@smithy/signature-v4, the AWS SDK for JavaScript's): keys with every
// kind of character, queries, signed headers with runs of spaces, session
// tokens, regions and dates. The four worked examples of S3's
// documentation are checked in internal/s3.
func TestSigV4AgainstAWSSigner(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 2026))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	runes := []string{"a", "Z", "0", "-", "_", ".", "~", "$", "+", "=", ";", "'", "(", ")", "*", "!", "@", ",", "&", "é", "ß", "€", "%", ":", " "}
	type request struct {
		Method      string            `json:"method"`
		Hostname    string            `json:"hostname"`
		Port        int               `json:"port,omitempty"`
		Path        string            `json:"path"`
		Query       map[string]string `json:"query,omitempty"`
		Headers     map[string]string `json:"headers"`
		Region      string            `json:"region"`
		Credentials map[string]string `json:"credentials"`
		Date        string            `json:"date"`
	}
	var in bytes.Buffer
	var want []string
	for range 1000 {
		var key strings.Builder
		for i := range 1 + rng.IntN(4) {
			if i > 0 {
				key.WriteByte('/')
			}
			for range 1 + rng.IntN(8) {
				key.WriteString(pick(runes))
			}
		}
		u, _ := url.Parse(pick([]string{"http://127.0.0.1:9000", "https://s3.eu-south-1.amazonaws.com", "http://minio.local:9000"}))
		b := &s3.Bucket{Endpoint: u, Name: pick([]string{"attesta-log", "b.with.dots"}), Prefix: pick([]string{"", "milano/log/"})}
		target := b.URL(key.String())
		method := pick([]string{"GET", "PUT"})
		query := map[string]string{}
		if rng.IntN(3) == 0 {
			query[pick([]string{"prefix", "max-keys", "list-type", "continuation-token"})] = pick([]string{"2", "J", "a b", "x+y/z", "é"})
			query["versionId"] = pick([]string{"", "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"})
		}
		qv := url.Values{}
		for k, v := range query {
			qv.Set(k, v)
		}
		target.RawQuery = qv.Encode()
		req, _ := http.NewRequest(method, target.String(), nil)
		headers := map[string]string{}
		set := func(k, v string) { req.Header.Set(k, v); headers[strings.ToLower(k)] = v }
		payload := s3.EmptySHA256
		if method == "PUT" {
			payload = fmt.Sprintf("%064x", rng.Uint64())
			set("Content-Type", pick([]string{"application/octet-stream", "text/plain;  charset=utf-8"}))
			set("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")
		}
		if rng.IntN(2) == 0 {
			set("X-Amz-Meta-Note", pick([]string{"one", "  two   spaces  ", "a,b"}))
		}
		if method == "GET" && rng.IntN(3) == 0 {
			set("Range", "bytes=0-9")
		}
		creds := s3.Credentials{AccessKey: pick([]string{"AKIDEXAMPLE", "S3RVER"}), SecretKey: fmt.Sprintf("secret/%x+", rng.Uint32())}
		if rng.IntN(3) == 0 {
			creds.SessionToken = fmt.Sprintf("token%x/=", rng.Uint64())
		}
		region := pick([]string{"us-east-1", "eu-south-1", "it-milano"})
		at := time.Unix(1_700_000_000+rng.Int64N(200_000_000), 0).UTC()
		s3.Signer{Credentials: creds, Region: region, Service: "s3"}.Sign(req, payload, at)
		want = append(want, req.Header.Get("Authorization"))

		headers["host"] = req.URL.Host
		headers["x-amz-content-sha256"] = payload
		r := request{Method: method, Hostname: req.URL.Hostname(), Path: req.URL.EscapedPath(), Query: query, Headers: headers,
			Region: region, Date: at.Format(time.RFC3339),
			Credentials: map[string]string{"accessKeyId": creds.AccessKey, "secretAccessKey": creds.SecretKey}}
		if p := req.URL.Port(); p != "" {
			r.Port, _ = strconv.Atoi(p)
		}
		if creds.SessionToken != "" {
			r.Credentials["sessionToken"] = creds.SessionToken
		}
		line, _ := json.Marshal(r)
		in.Write(line)
		in.WriteByte('\n')
	}
	lines := strings.Split(in.String(), "\n")
	cmd := exec.Command("node", "sigv4.mjs")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sigv4.mjs: %v\n%s", err, stderr.String())
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d signatures from AWS's signer for %d requests", len(got), len(want))
	}
	bad := 0
	for i := range want {
		// AWS's signer separates the parts with ", ", attesta with ","
		// as S3's documentation does; both are valid.
		if strings.ReplaceAll(got[i], ", ", ",") != want[i] {
			if bad++; bad <= 5 {
				t.Errorf("request %s\n attesta %s\n     AWS %s", lines[i], want[i], got[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d signatures differ", bad, len(want))
	}
}
