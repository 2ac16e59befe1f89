package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/blob/blobtest"
)

// fake is an S3 service in memory for one bucket. It checks what a real
// one checks: the signature over the request as it arrived, the body's
// SHA-256 and MD5; and answers as S3 does, with XML errors.
type fake struct {
	t         *testing.T
	bucket    string
	virtual   bool
	secret    string
	mu        sync.Mutex
	objects   map[string][]byte
	requests  int
	fail      func(n int) (status int, code string) // the answer to request n (from 1), if not 0
	lastPaths []string
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	f.lastPaths = append(f.lastPaths, r.URL.EscapedPath())
	if f.fail != nil {
		if status, code := f.fail(f.requests); status != 0 {
			answer(w, status, code)
			return
		}
	}
	body, _ := io.ReadAll(r.Body)
	if !f.signatureHolds(r) {
		answer(w, http.StatusForbidden, "SignatureDoesNotMatch")
		return
	}
	sum := sha256.Sum256(body)
	if r.Header.Get("X-Amz-Content-Sha256") != hex.EncodeToString(sum[:]) {
		answer(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch")
		return
	}
	var key string
	if f.virtual {
		if r.Host != f.bucket+".s3.test" {
			answer(w, http.StatusNotFound, "NoSuchBucket")
			return
		}
		key = strings.TrimPrefix(r.URL.Path, "/")
	} else {
		bucket, k, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if bucket != f.bucket {
			answer(w, http.StatusNotFound, "NoSuchBucket")
			return
		}
		key = k
	}
	switch r.Method {
	case http.MethodPut:
		m := md5.Sum(body)
		if r.Header.Get("Content-Md5") != base64.StdEncoding.EncodeToString(m[:]) {
			answer(w, http.StatusBadRequest, "BadDigest")
			return
		}
		f.objects[key] = body
	case http.MethodGet:
		data, ok := f.objects[key]
		if !ok {
			answer(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		w.Write(data)
	default:
		answer(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
	}
}

// signatureHolds signs a copy of r, as received, with the fake's secret
// and compares.
func (f *fake) signatureHolds(r *http.Request) bool {
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	auth := r.Header.Get("Authorization")
	cred := strings.TrimPrefix(strings.Split(auth, ",")[0], "AWS4-HMAC-SHA256 Credential=")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return false
	}
	c := r.Clone(context.Background())
	c.URL = &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	Signer{Region: parts[2], Service: parts[3], Credentials: Credentials{AccessKey: parts[0], SecretKey: f.secret,
		SessionToken: r.Header.Get("X-Amz-Security-Token")}}.Sign(c, r.Header.Get("X-Amz-Content-Sha256"), at)
	return c.Header.Get("Authorization") == auth
}

func answer(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>the fake says %s</Message><RequestId>1</RequestId></Error>", code, code)
}

// serve starts f and returns a Bucket for it.
func serve(t *testing.T, f *fake) *Bucket {
	t.Helper()
	f.t, f.objects = t, map[string][]byte{}
	if f.bucket == "" {
		f.bucket = "attesta-log"
	}
	if f.secret == "" {
		f.secret = "secret"
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	// Every host name dials the test server: virtual-host addressing puts
	// the bucket in the host name.
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	b, err := Parse("s3://"+f.bucket+"/log?endpoint=http://s3.test&region=eu-south-1", func(k string) string {
		return map[string]string{"AWS_ACCESS_KEY_ID": "attesta", "AWS_SECRET_ACCESS_KEY": "secret"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	b.VirtualHost, b.HTTP = f.virtual, client
	return b
}

// The bucket keeps the blob store's contract, addressed either way, under
// a prefix; what it sends is what it signed.
func TestBucketContract(t *testing.T) {
	for _, virtual := range []bool{false, true} {
		t.Run(fmt.Sprintf("virtual=%v", virtual), func(t *testing.T) {
			f := &fake{virtual: virtual}
			b := serve(t, f)
			blobtest.Contract(t, b)
			if _, ok := f.objects["log/tile/entries/000"]; !ok {
				t.Errorf("keys %v: want them under the prefix log/", f.objects)
			}
		})
	}
}

// Names with characters that URL paths leave as they are still reach the
// right key: what is sent is encoded as it is signed.
func TestKeysEncodedAsSigned(t *testing.T) {
	f := &fake{}
	b := serve(t, f)
	ctx := context.Background()
	for _, name := range []string{"a$b", "c+d", "e=f;g", "h'i(j)*k!", "tile/0/x001/234.p/5"} {
		if err := b.Put(ctx, name, []byte(name)); err != nil {
			t.Fatalf("put %s: %v", name, err)
		}
		if got, err := b.Get(ctx, name); err != nil || string(got) != name {
			t.Fatalf("get %s: %q, %v", name, got, err)
		}
		if _, ok := f.objects["log/"+name]; !ok {
			t.Errorf("key of %q not found among %v", name, f.objects)
		}
	}
}

// Only a missing key is "no object". A missing bucket, a refused
// signature or a broken service are errors that say what the service said:
// the blob store is the lock a restored database is checked against, and
// a misconfigured bucket must not read as an empty log.
func TestOnlyAMissingKeyIsNotExist(t *testing.T) {
	ctx := context.Background()

	f := &fake{}
	b := serve(t, f)
	b.Name = "another-bucket"
	_, err := b.Get(ctx, "checkpoint")
	var e *Error
	if err == nil || errors.Is(err, fs.ErrNotExist) || !errors.As(err, &e) || e.Code != "NoSuchBucket" || e.Status != 404 {
		t.Fatalf("missing bucket: %v", err)
	}
	if !strings.Contains(err.Error(), "s3 get log/checkpoint: 404 Not Found: NoSuchBucket: the fake says NoSuchBucket") {
		t.Errorf("message %q", err)
	}

	b = serve(t, &fake{})
	b.Signer.Credentials.SecretKey = "wrong"
	if _, err := b.Get(ctx, "checkpoint"); err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "403 Forbidden: SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := b.Put(ctx, "checkpoint", []byte("x")); err == nil {
		t.Fatal("put with a wrong secret succeeded")
	}
}

// A request that fails for a reason that may pass is sent again, a
// refusal is not; the service's answers are never retried for ever.
func TestRetries(t *testing.T) {
	ctx := context.Background()
	f := &fake{fail: func(n int) (int, string) {
		if n <= 2 {
			return http.StatusServiceUnavailable, "SlowDown"
		}
		return 0, ""
	}}
	b := serve(t, f)
	if err := b.Put(ctx, "checkpoint", []byte("cp")); err != nil {
		t.Fatalf("put after two SlowDowns: %v", err)
	}
	if f.requests != 3 {
		t.Errorf("%d requests, want 3", f.requests)
	}

	f = &fake{fail: func(int) (int, string) { return http.StatusInternalServerError, "InternalError" }}
	b = serve(t, f)
	if err := b.Put(ctx, "checkpoint", []byte("cp")); err == nil || !strings.Contains(err.Error(), "500 Internal Server Error: InternalError") {
		t.Fatalf("put on a broken service: %v", err)
	}
	if f.requests != 4 {
		t.Errorf("%d requests, want 1 and 3 retries", f.requests)
	}

	f = &fake{fail: func(int) (int, string) { return http.StatusForbidden, "AccessDenied" }}
	b = serve(t, f)
	if _, err := b.Get(ctx, "checkpoint"); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("get refused: %v", err)
	}
	if f.requests != 1 {
		t.Errorf("a refusal was sent %d times", f.requests)
	}

	// A cancelled context stops the retries.
	f = &fake{fail: func(int) (int, string) { return http.StatusServiceUnavailable, "SlowDown" }}
	b = serve(t, f)
	b.Retries = 1000
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := b.Put(cctx, "checkpoint", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("put with a deadline: %v", err)
	}
}

// An object larger than the limit is an error, whatever the service says
// of its length.
func TestMaxObject(t *testing.T) {
	ctx := context.Background()
	b := serve(t, &fake{})
	if err := b.Put(ctx, "big", bytes.Repeat([]byte("x"), 1000)); err != nil {
		t.Fatal(err)
	}
	b.MaxObject = 999
	if _, err := b.Get(ctx, "big"); err == nil || !strings.Contains(err.Error(), "1000 bytes, more than the 999 allowed") {
		t.Fatalf("get of a large object: %v", err)
	}
	b.MaxObject = 1000
	if data, err := b.Get(ctx, "big"); err != nil || len(data) != 1000 {
		t.Fatalf("get at the limit: %d, %v", len(data), err)
	}
}

func TestParse(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET"}
	getenv := func(k string) string { return env[k] }
	good := []struct{ address, url, region string }{
		{"s3://attesta-log", "https://attesta-log.s3.us-east-1.amazonaws.com/checkpoint", "us-east-1"},
		{"s3://attesta-log/prod/log/?region=eu-south-1", "https://attesta-log.s3.eu-south-1.amazonaws.com/prod/log/checkpoint", "eu-south-1"},
		{"s3://attesta.log?region=eu-south-1", "https://s3.eu-south-1.amazonaws.com/attesta.log/checkpoint", "eu-south-1"},
		{"s3://attesta-log/p?endpoint=http://127.0.0.1:9000", "http://127.0.0.1:9000/attesta-log/p/checkpoint", "us-east-1"},
		{"s3://attesta-log?endpoint=https://s3.example.it/base&addressing=virtual&region=it", "https://attesta-log.s3.example.it/base/checkpoint", "it"},
	}
	for _, g := range good {
		b, err := Parse(g.address, getenv)
		if err != nil {
			t.Errorf("Parse(%q): %v", g.address, err)
			continue
		}
		if got := b.URL("checkpoint").String(); got != g.url || b.Signer.Region != g.region {
			t.Errorf("Parse(%q): %s in %s, want %s in %s", g.address, got, b.Signer.Region, g.url, g.region)
		}
		if strings.Contains(b.String(), "SECRET") {
			t.Errorf("String() shows the secret: %s", b)
		}
	}
	env["AWS_REGION"] = "eu-west-1"
	if b, _ := Parse("s3://attesta-log", getenv); b == nil || b.Signer.Region != "eu-west-1" {
		t.Errorf("AWS_REGION not used")
	}
	bad := map[string]string{
		"/var/blobs":                          "not an s3://BUCKET/PREFIX address",
		"s3://AKID:SECRET@attesta-log":        "must not carry credentials",
		"s3://Attesta_Log":                    "not a valid bucket name",
		"s3://ab":                             "not a valid bucket name",
		"s3://attesta-log/a/../b":             "not a valid key prefix",
		"s3://attesta-log?endpoint=ftp://x":   "endpoint \"ftp://x\" is not",
		"s3://attesta-log?addressing=sideway": "addressing is path or virtual",
		"s3://attesta-log?acl=public":         "unknown parameter \"acl\"",
	}
	for address, want := range bad {
		if _, err := Parse(address, getenv); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q): %v, want %q", address, err, want)
		}
	}
	if _, err := Parse("s3://attesta-log", func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") {
		t.Errorf("no credentials: %v", err)
	}
}
