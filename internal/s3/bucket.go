// Package s3 keeps objects in a bucket of an S3-compatible object store
// (Amazon S3, MinIO, Ceph, Garage, and the like): a minimal client over
// net/http that gets and puts whole objects, signed with AWS Signature
// Version 4.
//
// A [Bucket] has the two operations of attesta's blob store (package
// blob): Get, whose error is fs.ErrNotExist to errors.Is when the key does
// not exist, and only then; and Put, which S3 applies whole or not at all
// and which is durable once it has answered. A missing bucket, a refused
// signature or an unreachable service are errors, never "no object": the
// blob store is the lock a restored database is checked against, and a
// misconfigured bucket must not read as an empty log.
package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxObject is the largest object a Bucket reads unless told
// otherwise.
const DefaultMaxObject = 64 << 20

// Bucket is a bucket of an S3-compatible service, or the part of it under
// a key prefix.
type Bucket struct {
	// Endpoint is the service's base URL, scheme and host (and port):
	// https://s3.eu-south-1.amazonaws.com, http://127.0.0.1:9000.
	Endpoint *url.URL
	// Name is the bucket's name.
	Name string
	// Prefix is put before every key: "" or a path ending in "/".
	Prefix string
	// VirtualHost addresses the bucket as a host name
	// (bucket.endpoint-host/key) rather than as the path's first
	// element (endpoint-host/bucket/key).
	VirtualHost bool
	// Signer signs each request; its Service is "s3".
	Signer Signer
	// HTTP sends the requests; nil is a client with a 60-second timeout.
	HTTP *http.Client
	// MaxObject is the largest object Get reads (default
	// DefaultMaxObject); a larger one is an error.
	MaxObject int64
	// Retries is how many times a request that failed for a reason that
	// may pass (the network, a 500, 503 SlowDown) is sent again (default
	// 3); Put is idempotent, so resending it is safe.
	Retries int
	// now is the clock; nil is time.Now.
	now func() time.Time
}

// Error is an answer of the service other than success.
type Error struct {
	Op, Key string // "get" or "put", and the object's key
	Status  int    // the HTTP status
	Code    string // S3's error code (NoSuchKey, AccessDenied, SignatureDoesNotMatch…), if it sent one
	Message string // S3's message, if it sent one
}

func (e *Error) Error() string {
	s := fmt.Sprintf("s3 %s %s: %d %s", e.Op, e.Key, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is makes a missing key (S3's NoSuchKey) fs.ErrNotExist; a missing
// bucket is not.
func (e *Error) Is(target error) bool {
	return target == fs.ErrNotExist && e.Status == http.StatusNotFound && e.Code == "NoSuchKey"
}

// Get returns the object's bytes, or an error that is fs.ErrNotExist to
// errors.Is if the key does not exist.
func (b *Bucket) Get(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := b.do(ctx, "get", name, nil, func(resp *http.Response) error {
		max := b.MaxObject
		if max <= 0 {
			max = DefaultMaxObject
		}
		if resp.ContentLength > max {
			return fmt.Errorf("s3 get %s: the object has %d bytes, more than the %d allowed", b.key(name), resp.ContentLength, max)
		}
		var err error
		data, err = io.ReadAll(io.LimitReader(resp.Body, max+1))
		if err != nil {
			return fmt.Errorf("s3 get %s: %w", b.key(name), err)
		}
		if int64(len(data)) > max {
			return fmt.Errorf("s3 get %s: the object has more than the %d bytes allowed", b.key(name), max)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}

// Put stores data under name, replacing any object there. S3 stores an
// object whole or not at all, and has it durably once it has answered;
// the body's MD5 and SHA-256 are sent, so a body damaged on the way is
// refused rather than stored.
func (b *Bucket) Put(ctx context.Context, name string, data []byte) error {
	return b.do(ctx, "put", name, data, func(*http.Response) error { return nil })
}

// key is the object key of name.
func (b *Bucket) key(name string) string { return b.Prefix + name }

// URL returns the URL of the object name, its path encoded as it is signed.
func (b *Bucket) URL(name string) *url.URL {
	u := *b.Endpoint
	base := strings.TrimSuffix(u.Path, "/")
	if b.VirtualHost {
		u.Host = b.Name + "." + u.Host
		u.Path = base + "/" + b.key(name)
	} else {
		u.Path = base + "/" + b.Name + "/" + b.key(name)
	}
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	// Encode each segment the way it is signed, so that what is sent is
	// what is signed (Go would leave "$", "+" and the like as they are).
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		segs[i] = uriEncode(s)
	}
	u.RawPath = strings.Join(segs, "/")
	return &u
}

// do sends one request, resending it while it fails for a reason that may
// pass, and calls ok with a 200 answer.
func (b *Bucket) do(ctx context.Context, op, name string, body []byte, ok func(*http.Response) error) error {
	if err := checkName(name); err != nil {
		return err
	}
	client := b.HTTP
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	retries := b.Retries
	if retries == 0 {
		retries = 3
	}
	now := b.now
	if now == nil {
		now = time.Now
	}
	payload := EmptySHA256
	var md5sum string
	if op == "put" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
		m := md5.Sum(body)
		md5sum = base64.StdEncoding.EncodeToString(m[:])
	}
	u := b.URL(name)
	for attempt := 0; ; attempt++ {
		method := http.MethodGet
		var rd io.Reader
		if op == "put" {
			method, rd = http.MethodPut, bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
		if err != nil {
			return fmt.Errorf("s3 %s %s: %w", op, b.key(name), err)
		}
		if op == "put" {
			req.Header.Set("Content-Type", "application/octet-stream")
			req.Header.Set("Content-MD5", md5sum)
		}
		b.Signer.Sign(req, payload, now())
		resp, err := client.Do(req)
		var retry bool
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("s3 %s %s: %w", op, b.key(name), ctx.Err())
			}
			err = fmt.Errorf("s3 %s %s: %w", op, b.key(name), err)
			retry = true
		} else {
			if resp.StatusCode == http.StatusOK {
				err = ok(resp)
				resp.Body.Close()
				return err
			}
			err = answerError(op, b.key(name), resp)
			resp.Body.Close()
			retry = resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		}
		if !retry || attempt >= retries {
			return err
		}
		// Full jitter over an exponential step: 100 ms, 200 ms, 400 ms…
		wait := time.Duration(rand.Int64N(int64(100*time.Millisecond) << attempt))
		select {
		case <-ctx.Done():
			return fmt.Errorf("s3 %s %s: %w (after %v)", op, b.key(name), ctx.Err(), err)
		case <-time.After(wait):
		}
	}
}

// answerError reads S3's error document, if any.
func answerError(op, key string, resp *http.Response) error {
	e := &Error{Op: op, Key: key, Status: resp.StatusCode}
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if xml.Unmarshal(data, &doc) == nil {
		e.Code, e.Message = clean(doc.Code, 64), clean(doc.Message, 512)
	}
	return e
}

// clean keeps at most max bytes of printable text from a service's answer.
func clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// checkName refuses a name the blob store would refuse: a slash-separated
// path of printable ASCII without empty, "." or ".." elements.
func checkName(name string) error {
	if name == "" || len(name) > 1024 || !fs.ValidPath(name) || name == "." {
		return fmt.Errorf("blob name %q is not valid", name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return fmt.Errorf("blob name %q is not valid", name)
		}
	}
	return nil
}

// Parse reads a bucket's address,
//
//	s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION&addressing=path|virtual]
//
// with the credentials from getenv: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and, for temporary credentials,
// AWS_SESSION_TOKEN; the region, if the address does not name it, from
// AWS_REGION (default us-east-1). Without an endpoint the bucket is on
// Amazon S3 (https://s3.REGION.amazonaws.com), addressed as a host name;
// with one, as a path, which every S3-compatible service accepts.
// Credentials in the address itself are refused: they would show in the
// process list and in logs.
func Parse(address string, getenv func(string) string) (*Bucket, error) {
	u, err := url.Parse(address)
	if err != nil || u.Scheme != "s3" {
		return nil, fmt.Errorf("%q is not an s3://BUCKET/PREFIX address", address)
	}
	if u.User != nil {
		return nil, errors.New("an s3:// address must not carry credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	b := &Bucket{Name: u.Host, Prefix: strings.TrimPrefix(u.Path, "/")}
	if !validBucket(b.Name) {
		return nil, fmt.Errorf("%q is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens)", b.Name)
	}
	if b.Prefix != "" {
		b.Prefix = strings.TrimSuffix(b.Prefix, "/") + "/"
		if checkName(strings.TrimSuffix(b.Prefix, "/")) != nil {
			return nil, fmt.Errorf("%q is not a valid key prefix", b.Prefix)
		}
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "endpoint", "region", "addressing":
		default:
			return nil, fmt.Errorf("s3 address: unknown parameter %q (endpoint, region, addressing)", k)
		}
	}
	region := q.Get("region")
	if region == "" {
		region = getenv("AWS_REGION")
	}
	if region == "" {
		region = "us-east-1"
	}
	if ep := q.Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		if err != nil || (e.Scheme != "https" && e.Scheme != "http") || e.Host == "" || e.User != nil || e.RawQuery != "" || e.Fragment != "" {
			return nil, fmt.Errorf("s3 address: endpoint %q is not an http(s)://host[:port] URL", ep)
		}
		b.Endpoint = e
	} else {
		b.Endpoint = &url.URL{Scheme: "https", Host: "s3." + region + ".amazonaws.com"}
		b.VirtualHost = !strings.Contains(b.Name, ".") // a dotted name does not match the wildcard certificate
	}
	switch q.Get("addressing") {
	case "":
	case "path":
		b.VirtualHost = false
	case "virtual":
		b.VirtualHost = true
	default:
		return nil, fmt.Errorf("s3 address: addressing is path or virtual, not %q", q.Get("addressing"))
	}
	b.Signer = Signer{Region: region, Service: "s3", Credentials: Credentials{
		AccessKey: getenv("AWS_ACCESS_KEY_ID"), SecretKey: getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: getenv("AWS_SESSION_TOKEN"),
	}}
	if b.Signer.Credentials.AccessKey == "" || b.Signer.Credentials.SecretKey == "" {
		return nil, errors.New("an s3:// blob store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
	}
	return b, nil
}

// String names the bucket without its credentials.
func (b *Bucket) String() string {
	s := "s3://" + b.Name + "/" + b.Prefix
	return s + " at " + b.Endpoint.String() + " (region " + b.Signer.Region + ", " + map[bool]string{false: "path", true: "virtual-host"}[b.VirtualHost] + " addressing)"
}

// validBucket reports whether name follows S3's rules for bucket names.
func validBucket(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	first, last := name[0], name[len(name)-1]
	return first != '.' && first != '-' && last != '.' && last != '-' && !strings.Contains(name, "..")
}
