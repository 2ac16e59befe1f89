package rfc3161

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"
)

// golden reads the token made by testdata/gen.sh with OpenSSL's command line
// and the root to verify it with.
func golden(t testing.TB) (resp []byte, digest []byte, roots *x509.CertPool) {
	t.Helper()
	resp, err := os.ReadFile("testdata/golden.tsr")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/golden.txt")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return resp, sum[:], poolFromPEM(t, "testdata/golden-root.pem")
}

func poolFromPEM(t testing.TB, path string) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	p.AddCert(c)
	return p
}

func TestGolden(t *testing.T) {
	resp, digest, roots := golden(t)
	tok, err := ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.Verify(digest, VerifyOptions{Roots: roots, Hash: crypto.SHA256}); err != nil {
		t.Fatal(err)
	}
	if !tok.Policy.Equal(asn1.ObjectIdentifier{1, 2, 3, 4, 1}) {
		t.Errorf("policy %v", tok.Policy)
	}
	if tok.Serial.Cmp(big.NewInt(0x2b)) != 0 {
		t.Errorf("serial %v, want 43 (the one after gen.sh's serial file)", tok.Serial)
	}
	if want := time.Second + 500*time.Millisecond + 100*time.Microsecond; tok.Accuracy != want {
		t.Errorf("accuracy %v, want %v", tok.Accuracy, want)
	}
	if tok.Nonce == nil || tok.Signer == nil || tok.Signer.Subject.CommonName != "Attesta Golden TSA" || len(tok.Certificates) != 2 {
		t.Errorf("nonce %v, signer %v, %d certificates", tok.Nonce, tok.Signer, len(tok.Certificates))
	}
	if tok.GenTime.Location() != time.UTC || tok.GenTime.Nanosecond()%int(time.Millisecond) != 0 {
		t.Errorf("genTime %v: want UTC with milliseconds (clock_precision_digits = 3)", tok.GenTime)
	}

	// The token alone, as stored with a checkpoint, parses to the same.
	tok2, err := ParseToken(tok.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if !tok2.GenTime.Equal(tok.GenTime) || tok2.Serial.Cmp(tok.Serial) != 0 {
		t.Errorf("ParseToken(Raw) differs from ParseResponse")
	}

	// The request gen.sh sent carries the nonce found in the token.
	req, err := os.ReadFile("testdata/golden.tsq")
	if err != nil {
		t.Fatal(err)
	}
	var q timeStampReq
	if rest, err := asn1.Unmarshal(req, &q); err != nil || len(rest) > 0 {
		t.Fatal(err)
	}
	if err := tok.Verify(digest, VerifyOptions{Roots: roots, Nonce: q.Nonce}); err != nil {
		t.Errorf("with the request's nonce: %v", err)
	}
	// Ours, for the same digest and nonce, is the request OpenSSL made
	// (which writes NULL hash parameters where we omit them).
	ours, err := NewRequest(digest, crypto.SHA256, q.Nonce)
	if err != nil {
		t.Fatal(err)
	}
	var p timeStampReq
	if _, err := asn1.Unmarshal(ours, &p); err != nil {
		t.Fatal(err)
	}
	if p.Version != q.Version || string(p.MessageImprint.HashedMessage) != string(q.MessageImprint.HashedMessage) ||
		!p.MessageImprint.HashAlgorithm.Algorithm.Equal(q.MessageImprint.HashAlgorithm.Algorithm) ||
		p.Nonce.Cmp(q.Nonce) != 0 || p.CertReq != q.CertReq {
		t.Errorf("NewRequest %+v, openssl ts -query %+v", p, q)
	}
}

func TestGoldenFailures(t *testing.T) {
	resp, digest, roots := golden(t)
	tok, err := ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	other := append([]byte(nil), digest...)
	other[0] ^= 1
	foreign := x509.NewCertPool()
	foreign.AddCert(selfSigned(t))
	for _, tc := range []struct {
		name   string
		digest []byte
		opts   VerifyOptions
		want   error
	}{
		{"wrong digest", other, VerifyOptions{Roots: roots}, ErrImprintMismatch},
		{"short digest", digest[:20], VerifyOptions{Roots: roots}, ErrImprintMismatch},
		{"wrong hash", digest, VerifyOptions{Roots: roots, Hash: crypto.SHA384}, ErrImprintMismatch},
		{"wrong nonce", digest, VerifyOptions{Roots: roots, Nonce: big.NewInt(7)}, ErrNonceMismatch},
		{"no roots", digest, VerifyOptions{}, ErrUntrusted},
		{"root not in pool", digest, VerifyOptions{Roots: foreign}, ErrUntrusted},
		{"after expiry", digest, VerifyOptions{Roots: roots, CurrentTime: tok.GenTime.AddDate(30, 0, 0)}, ErrUntrusted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tok.Verify(tc.digest, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
	var unknown x509.UnknownAuthorityError
	if err := tok.Verify(digest, VerifyOptions{Roots: foreign}); !errors.As(err, &unknown) {
		t.Errorf("%v does not wrap x509.UnknownAuthorityError", err)
	}
}

// TestGoldenEveryByte flips each byte of the golden token in turn: every
// change must be refused, by ParseToken or by Verify. This is what the
// strictness of parsing is for: the parts of a token no signature covers
// (the SignerInfo's sid and algorithms, the SignedData's wrapping) must not
// be malleable either.
func TestGoldenEveryByte(t *testing.T) {
	resp, digest, roots := golden(t)
	tok, err := ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	everyByte(t, tok.Raw, digest, VerifyOptions{Roots: roots})
}

// everyByte checks that no change of one byte of the token raw is accepted.
func everyByte(t *testing.T, raw, digest []byte, opts VerifyOptions) {
	t.Helper()
	masks := []byte{0x01, 0x80}
	if testing.Short() {
		masks = masks[:1]
	}
	b := append([]byte(nil), raw...)
	for _, m := range masks {
		for i := range b {
			b[i] ^= m
			if tok, err := ParseToken(b); err == nil {
				if err := tok.Verify(digest, opts); err == nil {
					t.Errorf("byte %d ^ 0x%02x: accepted", i, m)
				}
			}
			b[i] ^= m
		}
	}
}

func TestParseStrict(t *testing.T) {
	resp, digest, roots := golden(t)
	tok, err := ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	raw := tok.Raw

	// Rebuild the token with a SignedData changed by edit.
	rebuild := func(edit func(sd [][]byte) [][]byte) []byte {
		ci, _, _ := parseElement(raw)
		r := contents(ci, "")
		oid, _ := r.next("")
		wrap, _ := r.next("")
		sd, _, _ := parseElement(wrap.body)
		var parts [][]byte
		for s := contents(sd, ""); s.more(); {
			e, _ := s.next("")
			parts = append(parts, e.full)
		}
		parts = edit(parts)
		return tlv(0x30, oid.full, tlv(0xa0, tlv(0x30, parts...)))
	}
	// The parts of the golden SignedData.
	const (
		sdVersion = iota
		sdDigestAlgs
		sdEncap
		sdCerts
		sdSigners
	)

	twoSigners := rebuild(func(p [][]byte) [][]byte {
		si, _, _ := parseElement(p[sdSigners])
		p[sdSigners] = tlv(0x31, si.body, si.body)
		return p
	})
	version2 := rebuild(func(p [][]byte) [][]byte {
		p[sdVersion] = []byte{0x02, 0x01, 0x02}
		return p
	})
	noCerts := rebuild(func(p [][]byte) [][]byte {
		return append(p[:sdCerts], p[sdSigners])
	})
	// The TSTInfo with its version changed to 2.
	tstV2 := rebuild(func(p [][]byte) [][]byte {
		tst := append([]byte(nil), tok.tstInfo...)
		ver := []byte{0x02, 0x01, 0x01}
		i := bytes.Index(tst, ver)
		tst[i+2] = 2
		p[sdEncap] = tlv(0x30, mustMarshal(t, oidTSTInfo), tlv(0xa0, tlv(0x04, tst)))
		return p
	})
	// An SKI sid in a version 1 SignerInfo.
	badSIVersion := rebuild(func(p [][]byte) [][]byte {
		sis, _, _ := parseElement(p[sdSigners])
		si, _, _ := parseElement(sis.body)
		var f [][]byte
		for s := contents(si, ""); s.more(); {
			e, _ := s.next("")
			f = append(f, e.full)
		}
		f[1] = tlv(0x80, tok.Signer.SubjectKeyId)
		p[sdSigners] = tlv(0x31, tlv(0x30, f...))
		return p
	})
	indefinite := append([]byte{0x30, 0x80}, raw[4:]...) // raw has a 2-octet length
	indefinite = append(indefinite, 0, 0)

	for _, tc := range []struct {
		name string
		der  []byte
		want string
	}{
		{"trailing data", append(append([]byte(nil), raw...), 0), "trailing data"},
		{"truncated", raw[:len(raw)-1], "truncated"},
		{"indefinite length", indefinite, "indefinite length"},
		{"two signers", twoSigners, "more than one SignerInfo"},
		{"SignedData version 2", version2, "unknown version 2"},
		{"TSTInfo version 2", tstV2, "TSTInfo: unknown version 2"},
		{"SignerInfo version", badSIVersion, "version 1 with subjectKeyIdentifier"},
		{"too large", make([]byte, MaxSize+1), "more than"},
		{"empty", nil, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseToken(tc.der)
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an ErrMalformed saying %q", err, tc.want)
			}
			t.Log(err)
		})
	}

	// Without certificates the token parses, but cannot be verified.
	tok2, err := ParseToken(noCerts)
	if err != nil {
		t.Fatal(err)
	}
	if err := tok2.Verify(digest, VerifyOptions{Roots: roots}); !errors.Is(err, ErrSignerNotFound) {
		t.Errorf("got %v, want ErrSignerNotFound", err)
	}
}

func TestParseResponseStatus(t *testing.T) {
	// A TimeStampResp written by hand: rejection, a text, failInfo
	// badAlg|unacceptedPolicy.
	der := tlv(0x30, tlv(0x30,
		[]byte{0x02, 0x01, 0x02},
		tlv(0x30, tlv(0x0c, []byte("no SHA-1 here"))),
		[]byte{0x03, 0x03, 0x00, 0x80, 0x01}))
	_, err := ParseResponse(der)
	var se *StatusError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want a *StatusError", err)
	}
	if se.Status != Rejection || se.FailInfo != BadAlg|UnacceptedPolicy || len(se.Text) != 1 {
		t.Errorf("got %+v", se)
	}
	const want = `TSA returned status rejection, failInfo badAlg|unacceptedPolicy, text "no SHA-1 here"`
	if err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}

	// Minimal: status only.
	for _, tc := range []struct {
		der  []byte
		want string
	}{
		{[]byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x03}, "TSA returned status waiting"},
		{[]byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x09}, "TSA returned status status 9"},
		{[]byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00}, "malformed response: status granted without a token"},
		{[]byte{0x30, 0x06, 0x30, 0x03, 0x02, 0x01, 0x02, 0x00}, "malformed response: TimeStampResp: unexpected element"},
		{[]byte{0x30, 0x07, 0x30, 0x05, 0x02, 0x01, 0x02, 0x30, 0x00}, "PKIFreeText: empty"},
	} {
		_, err := ParseResponse(tc.der)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("% x: got %v, want %q", tc.der, err, tc.want)
		}
	}
}

func TestNewRequest(t *testing.T) {
	d := make([]byte, 48)
	if _, err := NewRequest(d, crypto.SHA384, nil); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		digest []byte
		hash   crypto.Hash
		nonce  *big.Int
	}{
		{d[:32], crypto.SHA384, nil},
		{d[:20], crypto.SHA1, nil},
		{d[:32], crypto.SHA3_256, nil},
		{d[:32], 0, big.NewInt(-1)},
	} {
		if _, err := NewRequest(tc.digest, tc.hash, tc.nonce); err == nil {
			t.Errorf("%d bytes, %v, nonce %v: no error", len(tc.digest), tc.hash, tc.nonce)
		}
	}
	// Without a nonce and with SHA-256, the request is fixed.
	der, err := NewRequest(make([]byte, 32), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0x30, 0x37, 0x02, 0x01, 0x01, 0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09,
		0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20}, make([]byte, 32)...)
	want = append(want, 0x01, 0x01, 0xff)
	if string(der) != string(want) {
		t.Errorf("got % x\nwant % x", der, want)
	}
}

// tlv is the DER of one element.
func tlv(tag byte, parts ...[]byte) []byte {
	var body []byte
	for _, p := range parts {
		body = append(body, p...)
	}
	n := len(body)
	out := []byte{tag}
	switch {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	default:
		out = append(out, 0x82, byte(n>>8), byte(n))
	}
	return append(out, body...)
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// selfSigned is a root CA that signed nothing.
func selfSigned(t testing.TB) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"Attesta Test"}, CommonName: "Attesta Golden Root CA"}, // same name, other key
		NotBefore:             time.Now().AddDate(-30, 0, 0),
		NotAfter:              time.Now().AddDate(30, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTSAName(t *testing.T) {
	resp, digest, roots := golden(t)
	tok, err := ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	name := tlv(0xa4, tok.Signer.RawSubject)
	if !bytes.Equal(tok.tsaName, name) {
		t.Fatalf("tsa % x, want the signer's subject", tok.tsaName)
	}
	other := tlv(0xa4, tok.Signer.RawIssuer)
	for _, tc := range []struct {
		name []byte
		want string
	}{
		{other, `TSA name: directoryName is not the signer certificate's subject "CN=Attesta Golden TSA,O=Attesta Test"`},
		{tlv(0x82, []byte("tsa.example")), `TSA name: "tsa.example" is not a name of the signer certificate`},
		{tlv(0x86, []byte("https://tsa.example/")), `TSA name: "https://tsa.example/" is not a name of the signer certificate`},
		{tlv(0x81, []byte("tsa@example.org")), `TSA name: "tsa@example.org" is not a name of the signer certificate`},
		{tlv(0x87, []byte{127, 0, 0, 1}), "TSA name: unsupported GeneralName form 0x87"},
	} {
		tok.tsaName = tc.name
		if err := tok.checkTSAName(); !errors.Is(err, ErrTSAName) || err.Error() != tc.want {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	tok.tsaName = nil
	if err := tok.Verify(digest, VerifyOptions{Roots: roots}); err != nil {
		t.Errorf("without a TSA name: %v", err)
	}
}

// TestIntermediates verifies the golden token without its intermediate CA
// certificate, which then has to come from VerifyOptions.Intermediates.
func TestIntermediates(t *testing.T) {
	resp, digest, roots := golden(t)
	tok, err := ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	ci, _, _ := parseElement(tok.Raw)
	r := contents(ci, "")
	oid, _ := r.next("")
	wrap, _ := r.next("")
	sd, _, _ := parseElement(wrap.body)
	var parts [][]byte
	for s := contents(sd, ""); s.more(); {
		e, _ := s.next("")
		if e.tag == 0xa0 {
			e.full = tlv(0xa0, tok.Signer.Raw)
		}
		parts = append(parts, e.full)
	}
	alone, err := ParseToken(tlv(0x30, oid.full, tlv(0xa0, tlv(0x30, parts...))))
	if err != nil {
		t.Fatal(err)
	}
	if len(alone.Certificates) != 1 || alone.Signer == nil {
		t.Fatalf("%d certificates, signer %v", len(alone.Certificates), alone.Signer)
	}
	if err := alone.Verify(digest, VerifyOptions{Roots: roots}); !errors.Is(err, ErrUntrusted) {
		t.Errorf("without the intermediate: got %v, want ErrUntrusted", err)
	}
	inter := x509.NewCertPool()
	for _, c := range tok.Certificates {
		if c != tok.Signer {
			inter.AddCert(c)
		}
	}
	if err := alone.Verify(digest, VerifyOptions{Roots: roots, Intermediates: inter}); err != nil {
		t.Errorf("with the intermediate in Intermediates: %v", err)
	}
	// A token made after its TSA certificate expired is refused, whatever
	// the time of verification.
	alone.GenTime = alone.Signer.NotAfter.Add(time.Second)
	if err := alone.Verify(digest, VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: tok.GenTime}); !errors.Is(err, ErrUntrusted) ||
		!strings.Contains(err.Error(), "outside the TSA certificate's validity") {
		t.Errorf("genTime after expiry: got %v", err)
	}
}
