package s3

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// EmptySHA256 is the hex SHA-256 of no bytes, the payload hash of a
// request without a body.
const EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Credentials are an access key pair, and the session token of temporary
// credentials.
type Credentials struct {
	AccessKey    string
	SecretKey    string
	SessionToken string
}

// Signer signs requests with AWS Signature Version 4 in the Authorization
// header, for one region and service ("s3").
type Signer struct {
	Credentials Credentials
	Region      string
	Service     string
}

// Sign adds to r the headers of Signature Version 4 for the time at:
// X-Amz-Date, X-Amz-Content-Sha256 (payloadHash, the hex SHA-256 of the
// body), X-Amz-Security-Token when there is a session token, and
// Authorization. It signs the host and every header of r that a proxy has
// no reason to change: Content-MD5, Content-Type, Date, Range, If-Match,
// If-None-Match and the X-Amz-* headers.
func (s Signer) Sign(r *http.Request, payloadHash string, at time.Time) {
	at = at.UTC()
	stamp := at.Format("20060102T150405Z")
	day := stamp[:8]
	r.Header.Set("X-Amz-Date", stamp)
	r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if s.Credentials.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", s.Credentials.SessionToken)
	}
	names, canonicalHeaders := signedHeaders(r)
	var cr strings.Builder
	cr.WriteString(r.Method)
	cr.WriteByte('\n')
	cr.WriteString(canonicalPath(r.URL.EscapedPath()))
	cr.WriteByte('\n')
	cr.WriteString(canonicalQuery(r.URL.RawQuery))
	cr.WriteByte('\n')
	cr.WriteString(canonicalHeaders)
	cr.WriteByte('\n')
	cr.WriteString(names)
	cr.WriteByte('\n')
	cr.WriteString(payloadHash)

	scope := day + "/" + s.Region + "/" + s.Service + "/aws4_request"
	crHash := sha256.Sum256([]byte(cr.String()))
	toSign := "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(crHash[:])
	key := hmacSHA256([]byte("AWS4"+s.Credentials.SecretKey), day)
	for _, part := range []string{s.Region, s.Service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.Credentials.AccessKey+"/"+scope+
		",SignedHeaders="+names+",Signature="+sig)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signed reports whether a header (lower case) is signed.
func signed(name string) bool {
	switch name {
	case "content-md5", "content-type", "date", "range", "if-match", "if-none-match":
		return true
	}
	return strings.HasPrefix(name, "x-amz-")
}

// signedHeaders returns the signed headers' names, ";"-separated, and
// their canonical form: "name:value\n" each, sorted, values trimmed and
// inner runs of spaces made one.
func signedHeaders(r *http.Request) (names, canonical string) {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	values := map[string]string{"host": host}
	for k, vs := range r.Header {
		k = strings.ToLower(k)
		if !signed(k) {
			continue
		}
		trimmed := make([]string, len(vs))
		for i, v := range vs {
			trimmed[i] = strings.Join(strings.Fields(v), " ")
		}
		values[k] = strings.Join(trimmed, ",")
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(values[k])
		b.WriteByte('\n')
	}
	return strings.Join(keys, ";"), b.String()
}

// canonicalPath re-encodes an escaped URL path the way Signature Version
// 4 wants it for S3: each segment URI-encoded once, slashes kept.
func canonicalPath(escaped string) string {
	if escaped == "" {
		return "/"
	}
	segs := strings.Split(escaped, "/")
	for i, seg := range segs {
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
		segs[i] = uriEncode(seg)
	}
	return strings.Join(segs, "/")
}

// canonicalQuery sorts the query's parameters by name, then value, each
// URI-encoded.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var params []kv
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if u, err := url.QueryUnescape(k); err == nil {
			k = u
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		params = append(params, kv{uriEncode(k), uriEncode(v)})
	}
	slices.SortFunc(params, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// uriEncode encodes every byte but RFC 3986's unreserved characters as
// %XX (upper case), "/" included.
func uriEncode(s string) string {
	const hexdigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&15])
		}
	}
	return b.String()
}
