package rfc3161

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"
)

// VerifyOptions are the trust anchors and expectations of [Token.Verify].
type VerifyOptions struct {
	// Roots are the trusted roots of time-stamping authorities. Required:
	// the system roots are not used.
	Roots *x509.CertPool
	// Intermediates are certificates besides those in the token that may
	// complete the chain.
	Intermediates *x509.CertPool
	// CurrentTime is when the chain must be valid; zero means the token's
	// GenTime.
	CurrentTime time.Time
	// Nonce, if set, must be the token's nonce.
	Nonce *big.Int
	// Hash, if set, must be the hash algorithm of the message imprint.
	Hash crypto.Hash
}

// The checks of [Token.Verify]; each failure wraps one of these.
var (
	ErrImprintMismatch    = errors.New("message imprint does not match the digest")
	ErrNonceMismatch      = errors.New("nonce does not match")
	ErrSignerNotFound     = errors.New("signer certificate not in the token")
	ErrKeyUsage           = errors.New("TSA certificate not for time stamping")
	ErrContentType        = errors.New("content-type attribute")
	ErrMessageDigest      = errors.New("message-digest attribute")
	ErrSigningCertificate = errors.New("signing-certificate attribute")
	ErrSignature          = errors.New("signature")
	ErrTSAName            = errors.New("TSA name")
	ErrUntrusted          = errors.New("certificate chain")
)

// Verify checks that the token timestamps digest and that a TSA trusted
// through opts signed it. The checks are listed in the package documentation;
// the error of the first that fails wraps the corresponding Err value.
func (t *Token) Verify(digest []byte, opts VerifyOptions) error {
	if opts.Hash != 0 && opts.Hash != t.Hash {
		return fmt.Errorf("%w: the token has %v, want %v", ErrImprintMismatch, t.Hash, opts.Hash)
	}
	if len(digest) != len(t.HashedMessage) || !bytes.Equal(digest, t.HashedMessage) {
		return fmt.Errorf("%w: the token has %v %x, the digest is %x", ErrImprintMismatch, t.Hash, t.HashedMessage, digest)
	}
	if opts.Nonce != nil && (t.Nonce == nil || t.Nonce.Cmp(opts.Nonce) != 0) {
		return fmt.Errorf("%w: token has %v, want %v", ErrNonceMismatch, t.Nonce, opts.Nonce)
	}
	if t.Signer == nil {
		return ErrSignerNotFound
	}
	if err := checkTSAKeyUsage(t.Signer); err != nil {
		return err
	}
	if err := t.checkContentType(); err != nil {
		return err
	}
	if err := t.checkMessageDigest(); err != nil {
		return err
	}
	if err := t.checkSigningCertificate(); err != nil {
		return err
	}
	if err := t.checkSignature(); err != nil {
		return err
	}
	if err := t.checkTSAName(); err != nil {
		return err
	}
	return t.checkChain(opts)
}

// checkTSAKeyUsage enforces RFC 3161 §2.3: one extendedKeyUsage extension,
// critical, with id-kp-timeStamping alone.
func checkTSAKeyUsage(c *x509.Certificate) error {
	n, critical := 0, false
	for _, e := range c.Extensions {
		if e.Id.Equal(oidExtKeyUsage) {
			n++
			critical = e.Critical
		}
	}
	switch {
	case n == 0:
		return fmt.Errorf("%w: no extendedKeyUsage", ErrKeyUsage)
	case n > 1:
		return fmt.Errorf("%w: %d extendedKeyUsage extensions", ErrKeyUsage, n)
	case !critical:
		return fmt.Errorf("%w: extendedKeyUsage is not critical", ErrKeyUsage)
	case len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping || len(c.UnknownExtKeyUsage) > 0:
		return fmt.Errorf("%w: extendedKeyUsage is not id-kp-timeStamping alone", ErrKeyUsage)
	}
	return nil
}

// attr returns the single value of the signed attribute oid; ok is false if
// the attribute is absent.
func (t *Token) attr(oid asn1.ObjectIdentifier, sentinel error) (v element, ok bool, err error) {
	var found *attribute
	for i := range t.si.attrs {
		if t.si.attrs[i].oid.Equal(oid) {
			if found != nil {
				return element{}, false, fmt.Errorf("%w: present twice", sentinel)
			}
			found = &t.si.attrs[i]
		}
	}
	if found == nil {
		return element{}, false, nil
	}
	if len(found.values) != 1 {
		return element{}, false, fmt.Errorf("%w: %d values", sentinel, len(found.values))
	}
	return found.values[0], true, nil
}

// checkContentType checks the content-type attribute against id-ct-TSTInfo.
func (t *Token) checkContentType() error {
	v, ok, err := t.attr(oidContentType, ErrContentType)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: missing", ErrContentType)
	}
	r := &reader{what: "content-type", rest: v.full}
	oid, err := r.readOID("value")
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrContentType, err)
	}
	if !oid.Equal(oidTSTInfo) {
		return fmt.Errorf("%w: %v, want id-ct-TSTInfo %v", ErrContentType, oid, oidTSTInfo)
	}
	return nil
}

// checkMessageDigest checks the message-digest attribute against the hash
// of the TSTInfo.
func (t *Token) checkMessageDigest() error {
	v, ok, err := t.attr(oidMessageDigest, ErrMessageDigest)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: missing", ErrMessageDigest)
	}
	if v.tag != tagOctetString {
		return fmt.Errorf("%w: tag 0x%02x, want OCTET STRING", ErrMessageDigest, v.tag)
	}
	h := t.si.digest.New()
	h.Write(t.tstInfo)
	if sum := h.Sum(nil); !bytes.Equal(v.body, sum) {
		return fmt.Errorf("%w: %x, but the TSTInfo's %v is %x", ErrMessageDigest, v.body, t.si.digest, sum)
	}
	return nil
}

// checkSigningCertificate checks that the ESS signing-certificate and
// signing-certificate-v2 attributes present, at least one, name the signer
// certificate first (RFC 2634 §5.4, RFC 5035 §3).
func (t *Token) checkSigningCertificate() error {
	v1, ok1, err := t.attr(oidSigningCert, ErrSigningCertificate)
	if err != nil {
		return err
	}
	v2, ok2, err := t.attr(oidSigningCertV2, ErrSigningCertificate)
	if err != nil {
		return err
	}
	if !ok1 && !ok2 {
		return fmt.Errorf("%w: neither signing-certificate nor signing-certificate-v2 present", ErrSigningCertificate)
	}
	if ok1 {
		if err := matchSigningCertificate(v1, false, t.Signer); err != nil {
			return fmt.Errorf("%w: signing-certificate: %w", ErrSigningCertificate, err)
		}
	}
	if ok2 {
		if err := matchSigningCertificate(v2, true, t.Signer); err != nil {
			return fmt.Errorf("%w: signing-certificate-v2: %w", ErrSigningCertificate, err)
		}
	}
	return nil
}

// matchSigningCertificate checks that the first ESSCertID (v2 if v2) of the
// SigningCertificate(V2) v identifies c.
func matchSigningCertificate(v element, v2 bool, c *x509.Certificate) error {
	if v.tag != tagSequence {
		return fmt.Errorf("tag 0x%02x, want SEQUENCE", v.tag)
	}
	r := contents(v, "SigningCertificate")
	certs, err := r.read(tagSequence, "certs")
	if err != nil {
		return err
	}
	if _, _, err := r.optional(tagSequence, "policies"); err != nil {
		return err
	}
	if err := r.end(); err != nil {
		return err
	}
	ids := contents(certs, "SigningCertificate certs")
	first, err := ids.read(tagSequence, "ESSCertID")
	if err != nil {
		return err
	}
	for ids.more() {
		if _, err := ids.read(tagSequence, "ESSCertID"); err != nil {
			return err
		}
	}
	id := contents(first, "ESSCertID")
	hash := crypto.SHA1
	if v2 {
		hash = crypto.SHA256 // the DEFAULT
		if id.peek(tagSequence) {
			a, err := id.readAlgorithm("hashAlgorithm")
			if err != nil {
				return err
			}
			var ok bool
			if hash, ok = hashOf(a); !ok {
				return fmt.Errorf("ESSCertIDv2: unsupported hashAlgorithm %v", a.oid)
			}
		}
	}
	want, err := id.readOctets("certHash")
	if err != nil {
		return err
	}
	var got []byte
	if hash == crypto.SHA1 {
		s := sha1.Sum(c.Raw)
		got = s[:]
	} else {
		h := hash.New()
		h.Write(c.Raw)
		got = h.Sum(nil)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("certHash %x, but the signer certificate's %v is %x", want, hash, got)
	}
	if is, ok, err := id.optional(tagSequence, "issuerSerial"); err != nil {
		return err
	} else if ok {
		if err := matchIssuerSerial(is, c); err != nil {
			return err
		}
	}
	return id.end()
}

// matchIssuerSerial checks that an IssuerSerial names the issuer and serial
// number of c.
func matchIssuerSerial(e element, c *x509.Certificate) error {
	r := contents(e, "IssuerSerial")
	names, err := r.read(tagSequence, "issuer")
	if err != nil {
		return err
	}
	serial, err := r.readInt("serialNumber")
	if err != nil {
		return err
	}
	if err := r.end(); err != nil {
		return err
	}
	if serial.Cmp(c.SerialNumber) != 0 {
		return fmt.Errorf("issuerSerial: serial number %v, but the signer certificate's is %v", serial, c.SerialNumber)
	}
	for g := contents(names, "GeneralNames"); g.more(); {
		n, err := g.next("GeneralName")
		if err != nil {
			return err
		}
		if n.tag == ctxTag(4, true) && bytes.Equal(n.body, c.RawIssuer) {
			return nil
		}
	}
	return fmt.Errorf("issuerSerial: issuer is not the signer certificate's")
}

// checkSignature verifies the signature over the DER of the signed
// attributes, as a SET OF (RFC 5652 §5.4).
func (t *Token) checkSignature() error {
	h := t.si.digest
	var want crypto.Hash // hash named by the signature algorithm, if any
	rsaAlg := true
	switch a := t.si.sigAlg.oid; {
	case a.Equal(oidRSAEncryption):
	case a.Equal(oidSHA256WithRSA):
		want = crypto.SHA256
	case a.Equal(oidSHA384WithRSA):
		want = crypto.SHA384
	case a.Equal(oidSHA512WithRSA):
		want = crypto.SHA512
	case a.Equal(oidECPublicKey):
		rsaAlg = false
	case a.Equal(oidECDSAWithSHA256):
		want, rsaAlg = crypto.SHA256, false
	case a.Equal(oidECDSAWithSHA384):
		want, rsaAlg = crypto.SHA384, false
	case a.Equal(oidECDSAWithSHA512):
		want, rsaAlg = crypto.SHA512, false
	default:
		return fmt.Errorf("%w: unsupported algorithm %v", ErrSignature, a)
	}
	if !t.si.sigAlg.noParams() {
		return fmt.Errorf("%w: unexpected parameters of algorithm %v", ErrSignature, t.si.sigAlg.oid)
	}
	if want != 0 && want != h {
		return fmt.Errorf("%w: algorithm %v uses %v, but the digest algorithm is %v", ErrSignature, t.si.sigAlg.oid, want, h)
	}
	d := h.New()
	d.Write(retag(t.si.signedAttrs, tagSet))
	sum := d.Sum(nil)
	switch pub := t.Signer.PublicKey.(type) {
	case *rsa.PublicKey:
		if !rsaAlg {
			return fmt.Errorf("%w: ECDSA algorithm %v with an RSA key", ErrSignature, t.si.sigAlg.oid)
		}
		if err := rsa.VerifyPKCS1v15(pub, h, sum, t.si.signature); err != nil {
			return fmt.Errorf("%w: RSA: %w", ErrSignature, err)
		}
	case *ecdsa.PublicKey:
		if rsaAlg {
			return fmt.Errorf("%w: RSA algorithm %v with an ECDSA key", ErrSignature, t.si.sigAlg.oid)
		}
		if !ecdsa.VerifyASN1(pub, sum, t.si.signature) {
			return fmt.Errorf("%w: ECDSA verification failed", ErrSignature)
		}
	default:
		return fmt.Errorf("%w: unsupported public key %T", ErrSignature, pub)
	}
	return nil
}

// checkTSAName checks that the TSTInfo's tsa field, if present, is one of
// the signer certificate's names (RFC 3161 §2.4.2).
func (t *Token) checkTSAName() error {
	if t.tsaName == nil {
		return nil
	}
	n, _, err := parseElement(t.tsaName)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTSAName, err)
	}
	c := t.Signer
	switch n.tag {
	case ctxTag(4, true): // directoryName, explicitly tagged as Name is a CHOICE
		if bytes.Equal(n.body, c.RawSubject) {
			return nil
		}
		return fmt.Errorf("%w: directoryName is not the signer certificate's subject %q", ErrTSAName, c.Subject)
	case ctxTag(1, false):
		if slices.Contains(c.EmailAddresses, string(n.body)) {
			return nil
		}
	case ctxTag(2, false):
		if slices.Contains(c.DNSNames, string(n.body)) {
			return nil
		}
	case ctxTag(6, false):
		for _, u := range c.URIs {
			if u.String() == string(n.body) {
				return nil
			}
		}
	default:
		return fmt.Errorf("%w: unsupported GeneralName form 0x%02x", ErrTSAName, n.tag)
	}
	return fmt.Errorf("%w: %q is not a name of the signer certificate", ErrTSAName, n.body)
}

// checkChain checks that the token was made while the signer certificate
// was valid, and verifies that certificate up to opts.Roots for time
// stamping.
func (t *Token) checkChain(opts VerifyOptions) error {
	if opts.Roots == nil {
		return fmt.Errorf("%w: no roots given", ErrUntrusted)
	}
	inter := x509.NewCertPool()
	if opts.Intermediates != nil {
		inter = opts.Intermediates.Clone()
	}
	for _, c := range t.Certificates {
		if c != t.Signer {
			inter.AddCert(c)
		}
	}
	if c := t.Signer; t.GenTime.Before(c.NotBefore) || t.GenTime.After(c.NotAfter) {
		return fmt.Errorf("%w: genTime %v outside the TSA certificate's validity, %v to %v",
			ErrUntrusted, t.GenTime, c.NotBefore, c.NotAfter)
	}
	at := opts.CurrentTime
	if at.IsZero() {
		at = t.GenTime
	}
	_, err := t.Signer.Verify(x509.VerifyOptions{
		Roots:         opts.Roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUntrusted, err)
	}
	return nil
}
