package s3

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The four worked examples of Amazon S3's documentation, "Examples:
// Signature Calculations in AWS Signature Version 4" (header-based
// authentication): the same key, bucket and moment, and the signatures AWS
// published for them.
func TestSignatureExamples(t *testing.T) {
	signer := Signer{Region: "us-east-1", Service: "s3", Credentials: Credentials{
		AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	}}
	at := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, method, url string
		headers           map[string]string
		payload           string
		signedHeaders     string
		signature         string
	}{
		{"GET object", "GET", "https://examplebucket.s3.amazonaws.com/test.txt",
			map[string]string{"Range": "bytes=0-9"}, EmptySHA256,
			"host;range;x-amz-content-sha256;x-amz-date",
			"f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
		{"PUT object", "PUT", "https://examplebucket.s3.amazonaws.com/test$file.text",
			map[string]string{"Date": "Fri, 24 May 2013 00:00:00 GMT", "X-Amz-Storage-Class": "REDUCED_REDUNDANCY"},
			"44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", // SHA-256 of "Welcome to Amazon S3."
			"date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
			"98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"},
		{"GET bucket lifecycle", "GET", "https://examplebucket.s3.amazonaws.com/?lifecycle", nil, EmptySHA256,
			"host;x-amz-content-sha256;x-amz-date",
			"fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
		{"GET bucket (list objects)", "GET", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", nil, EmptySHA256,
			"host;x-amz-content-sha256;x-amz-date",
			"34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := http.NewRequest(c.method, c.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.headers {
				r.Header.Set(k, v)
			}
			signer.Sign(r, c.payload, at)
			want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=" +
				c.signedHeaders + ",Signature=" + c.signature
			if got := r.Header.Get("Authorization"); got != want {
				t.Errorf("Authorization:\n got %s\nwant %s", got, want)
			}
			if r.Header.Get("X-Amz-Date") != "20130524T000000Z" || r.Header.Get("X-Amz-Content-Sha256") != c.payload {
				t.Errorf("headers %v", r.Header)
			}
		})
	}
}

// A session token is sent and signed; headers a proxy may change are not
// signed.
func TestSignedHeaders(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://127.0.0.1:9000/b/k", nil)
	r.Header.Set("User-Agent", "x")
	r.Header.Set("Content-Md5", "abc")
	Signer{Region: "eu-south-1", Service: "s3", Credentials: Credentials{AccessKey: "A", SecretKey: "S", SessionToken: "T"}}.Sign(r, EmptySHA256, time.Now())
	if r.Header.Get("X-Amz-Security-Token") != "T" {
		t.Fatal("no session token")
	}
	auth := r.Header.Get("Authorization")
	if !strings.Contains(auth, "SignedHeaders=content-md5;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") {
		t.Errorf("Authorization %s", auth)
	}
	if !strings.Contains(auth, "/eu-south-1/s3/aws4_request,") {
		t.Errorf("scope in %s", auth)
	}
}

func TestURIEncode(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"a b", "a%20b"},
		{"a+b", "a%2Bb"},
		{"test$file.text", "test%24file.text"},
		{"A-z_0.9~", "A-z_0.9~"},
		{"a/b", "a%2Fb"},
		{"é", "%C3%A9"},
		{"=&?#", "%3D%26%3F%23"},
	} {
		if got := uriEncode(c.in); got != c.want {
			t.Errorf("uriEncode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
