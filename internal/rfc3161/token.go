// Package rfc3161 is an RFC 3161 Time-Stamp Protocol client and a verifier
// of time-stamp tokens, written with the standard library only.
//
// attesta has the checkpoints of its transparency log timestamped by a
// Time-Stamp Authority (TSA): [Client.Timestamp] sends the SHA-256 of a
// checkpoint and returns the TSA's [Token], whose DER ([Token.Raw]) is stored
// with the checkpoint. Anyone can later check, with [ParseToken] and
// [Token.Verify], that the TSA signed that digest at [Token.GenTime].
//
// # What is checked
//
// Parsing is strict: DER only (definite minimal lengths, no trailing data at
// any level), known versions only, exactly one signer, a size limit of
// [MaxSize], no unknown critical TSTInfo extension. Verification checks, and
// reports in its error, each of: the message imprint (hash algorithm and
// digest), the nonce if one is expected, the signer certificate (found in the
// token by issuer and serial number or subject key identifier), its
// extendedKeyUsage (only id-kp-timeStamping, and critical, RFC 3161 §2.3), the
// signed attributes (content-type id-ct-TSTInfo, message-digest of the
// TSTInfo, an ESS signing-certificate or signing-certificate-v2 naming the
// signer first), the signature over the signed attributes (RSA PKCS #1 v1.5
// or ECDSA with SHA-256, SHA-384 or SHA-512), the TSA name if the token has
// one, the token's time within the validity of the TSA certificate, and the
// certificate chain up to the given roots for time stamping, at the token's
// own time unless told otherwise.
//
// Each verification failure wraps one of the Err values below, so callers can
// tell which check failed with [errors.Is]; a TSA's refusal is a
// [*StatusError].
//
// Not supported: RSA-PSS, EdDSA and SHA-1 signatures, SHA-1 message
// imprints, attribute certificates in tokens, BER-encoded tokens.
package rfc3161

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxSize bounds the DER of a token or a response, and the body of a TSA's
// reply. Real tokens, certificates included, are a few kilobytes.
const MaxSize = 64 << 10

// ErrMalformed is wrapped by every parsing error.
var ErrMalformed = errors.New("malformed")

// Token is a parsed RFC 3161 TimeStampToken: a CMS SignedData whose content
// is a TSTInfo. Parsing does not verify anything; see [Token.Verify].
type Token struct {
	Raw           []byte                // DER ContentInfo (SignedData)
	GenTime       time.Time             // when the TSA says it signed, UTC
	Serial        *big.Int              // the TSA's serial number of the token
	Policy        asn1.ObjectIdentifier // the TSA policy the token was issued under
	Hash          crypto.Hash           // hash algorithm of the message imprint
	HashedMessage []byte                // the digest that was timestamped
	Nonce         *big.Int              // nil if the request had none
	Accuracy      time.Duration         // zero if the TSA did not say
	Certificates  []*x509.Certificate   // all certificates in the token
	Signer        *x509.Certificate     // the signer's, nil if the token does not include it

	tstInfo          []byte // DER TSTInfo (eContent)
	tsaName          []byte // DER GeneralName of the tsa field, nil if absent
	digestAlgorithms []algorithm
	si               signerInfo
}

// signerInfo is the token's one CMS SignerInfo.
type signerInfo struct {
	issuer      []byte   // DER Name of issuerAndSerialNumber; nil if sid is a key identifier
	serial      *big.Int // serial number of issuerAndSerialNumber
	keyID       []byte   // subjectKeyIdentifier
	digestAlg   algorithm
	digest      crypto.Hash
	signedAttrs element // [0] IMPLICIT SET OF Attribute, as received
	attrs       []attribute
	sigAlg      algorithm
	signature   []byte
}

// attribute is a CMS Attribute.
type attribute struct {
	oid    asn1.ObjectIdentifier
	values []element
}

// malformed returns a parsing error wrapping ErrMalformed.
func malformed(what string, err error) error {
	return fmt.Errorf("%w %s: %w", ErrMalformed, what, err)
}

// Status is a PKIStatus of RFC 3161 §2.4.2.
type Status int

// The statuses of RFC 3161; only Granted and GrantedWithMods come with a
// token.
const (
	Granted                Status = 0
	GrantedWithMods        Status = 1
	Rejection              Status = 2
	Waiting                Status = 3
	RevocationWarning      Status = 4
	RevocationNotification Status = 5
)

var statusNames = []string{"granted", "grantedWithMods", "rejection", "waiting", "revocationWarning", "revocationNotification"}

// String returns the name RFC 3161 gives s.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status %d", int(s))
}

// FailureInfo is a PKIFailureInfo: bit n set for failure n.
type FailureInfo uint32

// The failures of RFC 3161 §2.4.2.
const (
	BadAlg              FailureInfo = 1 << 0
	BadRequest          FailureInfo = 1 << 2
	BadDataFormat       FailureInfo = 1 << 5
	TimeNotAvailable    FailureInfo = 1 << 14
	UnacceptedPolicy    FailureInfo = 1 << 15
	UnacceptedExtension FailureInfo = 1 << 16
	AddInfoNotAvailable FailureInfo = 1 << 17
	SystemFailure       FailureInfo = 1 << 25
)

var failureNames = map[int]string{0: "badAlg", 2: "badRequest", 5: "badDataFormat", 14: "timeNotAvailable",
	15: "unacceptedPolicy", 16: "unacceptedExtension", 17: "addInfoNotAvailable", 25: "systemFailure"}

// String lists the names of the bits set, separated by "|".
func (f FailureInfo) String() string {
	var names []string
	for i := range 32 {
		if f&(1<<i) == 0 {
			continue
		}
		if n, ok := failureNames[i]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("bit%d", i))
		}
	}
	if names == nil {
		return "none"
	}
	return strings.Join(names, "|")
}

// StatusError is a TSA's refusal: a TimeStampResp whose status is neither
// granted nor grantedWithMods.
type StatusError struct {
	Status   Status
	FailInfo FailureInfo // zero if the TSA gave none
	Text     []string    // the statusString, if any
}

// Error names the status, the failures and the TSA's text.
func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "TSA returned status %v", e.Status)
	if e.FailInfo != 0 {
		fmt.Fprintf(&b, ", failInfo %v", e.FailInfo)
	}
	if len(e.Text) > 0 {
		fmt.Fprintf(&b, ", text %q", strings.Join(e.Text, "; "))
	}
	return b.String()
}

// ParseResponse parses a DER TimeStampResp. If the TSA granted the request
// (possibly with modifications) it returns the parsed token, otherwise a
// [*StatusError].
func ParseResponse(der []byte) (*Token, error) {
	if len(der) > MaxSize {
		return nil, fmt.Errorf("%w response: %d bytes, more than %d", ErrMalformed, len(der), MaxSize)
	}
	e, rest, err := parseElement(der)
	if err != nil {
		return nil, malformed("response", err)
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w response: %d bytes of trailing data", ErrMalformed, len(rest))
	}
	if e.tag != tagSequence {
		return nil, fmt.Errorf("%w response: tag 0x%02x, want SEQUENCE", ErrMalformed, e.tag)
	}
	r := contents(e, "TimeStampResp")
	si, err := r.read(tagSequence, "status")
	if err != nil {
		return nil, malformed("response", err)
	}
	status, err := parseStatusInfo(si)
	if err != nil {
		return nil, malformed("response", err)
	}
	tok, hasToken, err := r.optional(tagSequence, "timeStampToken")
	if err != nil {
		return nil, malformed("response", err)
	}
	if err := r.end(); err != nil {
		return nil, malformed("response", err)
	}
	if status.Status != Granted && status.Status != GrantedWithMods {
		return nil, status
	}
	if !hasToken {
		return nil, fmt.Errorf("%w response: status %v without a token", ErrMalformed, status.Status)
	}
	return ParseToken(tok.full)
}

// parseStatusInfo parses a PKIStatusInfo.
func parseStatusInfo(e element) (*StatusError, error) {
	r := contents(e, "PKIStatusInfo")
	n, err := r.readSmallInt("status")
	if err != nil {
		return nil, err
	}
	s := &StatusError{Status: Status(n)}
	if text, ok, err := r.optional(tagSequence, "statusString"); err != nil {
		return nil, err
	} else if ok {
		t := contents(text, "PKIFreeText")
		for t.more() {
			u, err := t.read(tagUTF8String, "UTF8String")
			if err != nil {
				return nil, err
			}
			if !utf8.Valid(u.body) {
				return nil, fmt.Errorf("PKIFreeText: invalid UTF-8")
			}
			s.Text = append(s.Text, string(u.body))
		}
		if len(s.Text) == 0 {
			return nil, fmt.Errorf("PKIFreeText: empty")
		}
	}
	if fi, ok, err := r.optional(tagBitString, "failInfo"); err != nil {
		return nil, err
	} else if ok {
		var bits asn1.BitString
		if err := unmarshal(fi.full, &bits, ""); err != nil {
			return nil, fmt.Errorf("PKIStatusInfo: failInfo: %w", err)
		}
		for i := range bits.BitLength {
			if bits.At(i) == 0 {
				continue
			}
			if i >= 32 {
				return nil, fmt.Errorf("PKIStatusInfo: failInfo: unknown bit %d", i)
			}
			s.FailInfo |= 1 << i
		}
	}
	return s, r.end()
}

// ParseToken parses a DER TimeStampToken: a ContentInfo holding a SignedData
// whose encapsulated content is a TSTInfo, signed by exactly one signer.
// [Token.Signer] is set if the token includes the signer's certificate.
func ParseToken(der []byte) (*Token, error) {
	if len(der) > MaxSize {
		return nil, fmt.Errorf("%w token: %d bytes, more than %d", ErrMalformed, len(der), MaxSize)
	}
	t, err := parseToken(bytes.Clone(der))
	if err != nil {
		return nil, malformed("token", err)
	}
	return t, nil
}

func parseToken(der []byte) (*Token, error) {
	ci, rest, err := parseElement(der)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%d bytes of trailing data", len(rest))
	}
	if ci.tag != tagSequence {
		return nil, fmt.Errorf("ContentInfo: tag 0x%02x, want SEQUENCE", ci.tag)
	}
	r := contents(ci, "ContentInfo")
	ct, err := r.readOID("contentType")
	if err != nil {
		return nil, err
	}
	if !ct.Equal(oidSignedData) {
		return nil, fmt.Errorf("ContentInfo: contentType %v, want SignedData %v", ct, oidSignedData)
	}
	wrap, err := r.read(ctxTag(0, true), "content")
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	w := contents(wrap, "ContentInfo content")
	sd, err := w.read(tagSequence, "SignedData")
	if err != nil {
		return nil, err
	}
	if err := w.end(); err != nil {
		return nil, err
	}

	t := &Token{Raw: der}
	s := contents(sd, "SignedData")
	// RFC 5652 §5.1 asks for version 3 since the content is not id-data;
	// version 1 is tolerated as some TSAs wrote it.
	if v, err := s.readSmallInt("version"); err != nil {
		return nil, err
	} else if v != 1 && v != 3 {
		return nil, fmt.Errorf("SignedData: unknown version %d", v)
	}
	das, err := s.read(tagSet, "digestAlgorithms")
	if err != nil {
		return nil, err
	}
	for d := contents(das, "SignedData digestAlgorithms"); d.more(); {
		a, err := d.readAlgorithm("DigestAlgorithmIdentifier")
		if err != nil {
			return nil, err
		}
		if !a.noParams() {
			return nil, fmt.Errorf("SignedData: digest algorithm %v with parameters", a.oid)
		}
		t.digestAlgorithms = append(t.digestAlgorithms, a)
	}
	eci, err := s.read(tagSequence, "encapContentInfo")
	if err != nil {
		return nil, err
	}
	if t.tstInfo, err = parseEncapContent(eci); err != nil {
		return nil, err
	}
	if certs, ok, err := s.optional(ctxTag(0, true), "certificates"); err != nil {
		return nil, err
	} else if ok {
		for c := contents(certs, "SignedData certificates"); c.more(); {
			e, err := c.read(tagSequence, "Certificate")
			if err != nil {
				return nil, fmt.Errorf("%w (only X.509 certificates are supported)", err)
			}
			cert, err := x509.ParseCertificate(e.full)
			if err != nil {
				return nil, fmt.Errorf("SignedData: certificate %d: %w", len(t.Certificates), err)
			}
			t.Certificates = append(t.Certificates, cert)
		}
	}
	if _, _, err := s.optional(ctxTag(1, true), "crls"); err != nil {
		return nil, err
	}
	sis, err := s.read(tagSet, "signerInfos")
	if err != nil {
		return nil, err
	}
	if err := s.end(); err != nil {
		return nil, err
	}
	si := contents(sis, "SignedData signerInfos")
	first, err := si.read(tagSequence, "SignerInfo")
	if err != nil {
		return nil, err
	}
	if si.more() {
		return nil, fmt.Errorf("SignedData: more than one SignerInfo")
	}
	if t.si, err = parseSignerInfo(first); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(t.digestAlgorithms, func(a algorithm) bool { h, ok := hashOf(a); return ok && h == t.si.digest }) {
		return nil, fmt.Errorf("SignedData: digestAlgorithms lacks the signer's %v", t.si.digest)
	}
	if err := parseTSTInfo(t.tstInfo, t); err != nil {
		return nil, err
	}
	for _, c := range t.Certificates {
		if t.si.identifies(c) {
			t.Signer = c
			break
		}
	}
	return t, nil
}

// parseEncapContent returns the eContent of an EncapsulatedContentInfo whose
// type is id-ct-TSTInfo.
func parseEncapContent(e element) ([]byte, error) {
	r := contents(e, "EncapsulatedContentInfo")
	ct, err := r.readOID("eContentType")
	if err != nil {
		return nil, err
	}
	if !ct.Equal(oidTSTInfo) {
		return nil, fmt.Errorf("EncapsulatedContentInfo: eContentType %v, want id-ct-TSTInfo %v", ct, oidTSTInfo)
	}
	wrap, err := r.read(ctxTag(0, true), "eContent")
	if err != nil {
		return nil, err
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	w := contents(wrap, "eContent")
	b, err := w.readOctets("OCTET STRING")
	if err != nil {
		return nil, err
	}
	return b, w.end()
}

// parseSignerInfo parses a SignerInfo; signed attributes are required, as
// the content is not id-data (RFC 5652 §5.3).
func parseSignerInfo(e element) (signerInfo, error) {
	var si signerInfo
	r := contents(e, "SignerInfo")
	v, err := r.readSmallInt("version")
	if err != nil {
		return si, err
	}
	switch {
	case r.peek(tagSequence):
		ias, _ := r.next("sid")
		s := contents(ias, "IssuerAndSerialNumber")
		name, err := s.read(tagSequence, "issuer")
		if err != nil {
			return si, err
		}
		si.issuer = name.full
		if si.serial, err = s.readInt("serialNumber"); err != nil {
			return si, err
		}
		if err := s.end(); err != nil {
			return si, err
		}
		if v != 1 {
			return si, fmt.Errorf("SignerInfo: version %d with issuerAndSerialNumber, want 1", v)
		}
	case r.peek(ctxTag(0, false)):
		ski, _ := r.next("sid")
		if len(ski.body) == 0 {
			return si, fmt.Errorf("SignerInfo: empty subjectKeyIdentifier")
		}
		si.keyID = ski.body
		if v != 3 {
			return si, fmt.Errorf("SignerInfo: version %d with subjectKeyIdentifier, want 3", v)
		}
	default:
		return si, fmt.Errorf("SignerInfo: sid is neither issuerAndSerialNumber nor subjectKeyIdentifier")
	}
	if si.digestAlg, err = r.readAlgorithm("digestAlgorithm"); err != nil {
		return si, err
	}
	var ok bool
	if si.digest, ok = hashOf(si.digestAlg); !ok {
		return si, fmt.Errorf("SignerInfo: unsupported digestAlgorithm %v", si.digestAlg.oid)
	}
	if si.signedAttrs, err = r.read(ctxTag(0, true), "signedAttrs"); err != nil {
		return si, err
	}
	for a := contents(si.signedAttrs, "SignerInfo signedAttrs"); a.more(); {
		e, err := a.read(tagSequence, "Attribute")
		if err != nil {
			return si, err
		}
		attr, err := parseAttribute(e)
		if err != nil {
			return si, err
		}
		si.attrs = append(si.attrs, attr)
	}
	if si.sigAlg, err = r.readAlgorithm("signatureAlgorithm"); err != nil {
		return si, err
	}
	if si.signature, err = r.readOctets("signature"); err != nil {
		return si, err
	}
	if _, _, err := r.optional(ctxTag(1, true), "unsignedAttrs"); err != nil {
		return si, err
	}
	return si, r.end()
}

// parseAttribute parses an Attribute, which has at least one value.
func parseAttribute(e element) (attribute, error) {
	r := contents(e, "Attribute")
	oid, err := r.readOID("attrType")
	if err != nil {
		return attribute{}, err
	}
	set, err := r.read(tagSet, "attrValues")
	if err != nil {
		return attribute{}, err
	}
	if err := r.end(); err != nil {
		return attribute{}, err
	}
	a := attribute{oid: oid}
	for v := contents(set, fmt.Sprintf("Attribute %v", oid)); v.more(); {
		e, err := v.next("value")
		if err != nil {
			return attribute{}, err
		}
		a.values = append(a.values, e)
	}
	if len(a.values) == 0 {
		return attribute{}, fmt.Errorf("attribute %v: no value", oid)
	}
	return a, nil
}

// identifies reports whether c is the certificate the sid names.
func (si *signerInfo) identifies(c *x509.Certificate) bool {
	if si.keyID != nil {
		return bytes.Equal(si.keyID, c.SubjectKeyId)
	}
	return bytes.Equal(si.issuer, c.RawIssuer) && si.serial.Cmp(c.SerialNumber) == 0
}

// parseTSTInfo parses the TSTInfo b into t.
func parseTSTInfo(b []byte, t *Token) error {
	e, rest, err := parseElement(b)
	if err != nil {
		return fmt.Errorf("TSTInfo: %w", err)
	}
	if len(rest) > 0 {
		return fmt.Errorf("TSTInfo: %d bytes of trailing data", len(rest))
	}
	if e.tag != tagSequence {
		return fmt.Errorf("TSTInfo: tag 0x%02x, want SEQUENCE", e.tag)
	}
	r := contents(e, "TSTInfo")
	if v, err := r.readSmallInt("version"); err != nil {
		return err
	} else if v != 1 {
		return fmt.Errorf("TSTInfo: unknown version %d", v)
	}
	if t.Policy, err = r.readOID("policy"); err != nil {
		return err
	}
	mi, err := r.read(tagSequence, "messageImprint")
	if err != nil {
		return err
	}
	if t.Hash, t.HashedMessage, err = parseMessageImprint(mi); err != nil {
		return err
	}
	if t.Serial, err = r.readInt("serialNumber"); err != nil {
		return err
	}
	if t.Serial.Sign() < 0 {
		return fmt.Errorf("TSTInfo: negative serialNumber")
	}
	if t.GenTime, err = r.readGeneralizedTime("genTime"); err != nil {
		return err
	}
	if acc, ok, err := r.optional(tagSequence, "accuracy"); err != nil {
		return err
	} else if ok {
		if t.Accuracy, err = parseAccuracy(acc); err != nil {
			return err
		}
	}
	if ordering, ok, err := r.optionalBool("ordering"); err != nil {
		return err
	} else if ok && !ordering {
		return fmt.Errorf("TSTInfo: ordering FALSE encoded (DER omits the default)")
	}
	if r.peek(tagInteger) {
		if t.Nonce, err = r.readInt("nonce"); err != nil {
			return err
		}
	}
	if tsa, ok, err := r.optional(ctxTag(0, true), "tsa"); err != nil {
		return err
	} else if ok {
		g := contents(tsa, "TSTInfo tsa")
		name, err := g.next("GeneralName")
		if err != nil {
			return err
		}
		if err := g.end(); err != nil {
			return err
		}
		t.tsaName = name.full
	}
	if exts, ok, err := r.optional(ctxTag(1, true), "extensions"); err != nil {
		return err
	} else if ok {
		if err := checkExtensions(exts); err != nil {
			return err
		}
	}
	return r.end()
}

// parseMessageImprint parses a MessageImprint.
func parseMessageImprint(e element) (crypto.Hash, []byte, error) {
	r := contents(e, "MessageImprint")
	a, err := r.readAlgorithm("hashAlgorithm")
	if err != nil {
		return 0, nil, err
	}
	h, ok := hashOf(a)
	if !ok {
		return 0, nil, fmt.Errorf("MessageImprint: unsupported hashAlgorithm %v", a.oid)
	}
	m, err := r.readOctets("hashedMessage")
	if err != nil {
		return 0, nil, err
	}
	if len(m) != h.Size() {
		return 0, nil, fmt.Errorf("MessageImprint: %d-byte hashedMessage for %v", len(m), h)
	}
	return h, m, r.end()
}

// parseAccuracy parses an Accuracy: seconds, millis (1..999) and micros
// (1..999), each optional.
func parseAccuracy(e element) (time.Duration, error) {
	r := contents(e, "Accuracy")
	var d time.Duration
	if r.peek(tagInteger) {
		s, err := r.readSmallInt("seconds")
		if err != nil {
			return 0, err
		}
		if s < 0 {
			return 0, fmt.Errorf("accuracy: negative seconds")
		}
		d += time.Duration(s) * time.Second
	}
	for i, f := range []struct {
		name string
		unit time.Duration
	}{{"millis", time.Millisecond}, {"micros", time.Microsecond}} {
		v, ok, err := r.optional(ctxTag(byte(i), false), f.name)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		n, err := intValue(v, "Accuracy: "+f.name)
		if err != nil {
			return 0, err
		}
		if n.Sign() <= 0 || n.Cmp(big.NewInt(999)) > 0 {
			return 0, fmt.Errorf("accuracy: %s %v outside 1..999", f.name, n)
		}
		d += time.Duration(n.Int64()) * f.unit
	}
	return d, r.end()
}

// checkExtensions refuses critical extensions in a TSTInfo: none is defined
// that this package would understand.
func checkExtensions(e element) error {
	r := contents(e, "TSTInfo extensions")
	if !r.more() {
		return fmt.Errorf("TSTInfo: empty extensions")
	}
	for r.more() {
		ext, err := r.read(tagSequence, "Extension")
		if err != nil {
			return err
		}
		x := contents(ext, "Extension")
		oid, err := x.readOID("extnID")
		if err != nil {
			return err
		}
		critical, ok, err := x.optionalBool("critical")
		if err != nil {
			return err
		}
		if ok && !critical {
			return fmt.Errorf("extension %v: critical FALSE encoded (DER omits the default)", oid)
		}
		if _, err := x.readOctets("extnValue"); err != nil {
			return err
		}
		if err := x.end(); err != nil {
			return err
		}
		if critical {
			return fmt.Errorf("TSTInfo: unsupported critical extension %v", oid)
		}
	}
	return nil
}
