package rfc3161

import (
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// DER identifier octets used by the structures of RFC 3161 and RFC 5652.
const (
	tagBoolean     = 0x01
	tagInteger     = 0x02
	tagBitString   = 0x03
	tagOctetString = 0x04
	tagNull        = 0x05
	tagOID         = 0x06
	tagUTF8String  = 0x0c
	tagGenTime     = 0x18
	tagSequence    = 0x30
	tagSet         = 0x31
)

// ctxTag returns the identifier octet of context-specific tag n, constructed or
// primitive.
func ctxTag(n byte, constructed bool) byte {
	if constructed {
		return 0xa0 | n
	}
	return 0x80 | n
}

// element is one DER tag-length-value.
type element struct {
	tag  byte   // identifier octet; only low tag numbers (< 31) occur here
	full []byte // identifier, length and contents
	body []byte // contents
}

// parseElement reads the element at the start of b and returns the bytes that
// follow it. Only DER is accepted: definite, minimally encoded lengths and
// single-octet identifiers.
func parseElement(b []byte) (element, []byte, error) {
	if len(b) < 2 {
		return element{}, nil, fmt.Errorf("truncated element")
	}
	tag := b[0]
	if tag&0x1f == 0x1f {
		return element{}, nil, fmt.Errorf("high tag number 0x%02x", tag)
	}
	n, hdr := int(b[1]), 2
	switch {
	case n == 0x80:
		return element{}, nil, fmt.Errorf("indefinite length")
	case n > 0x80:
		k := n & 0x7f
		if k > 3 { // 16 MiB is more than any input this package accepts
			return element{}, nil, fmt.Errorf("length of %d octets", k)
		}
		if len(b) < 2+k {
			return element{}, nil, fmt.Errorf("truncated length")
		}
		if b[2] == 0 {
			return element{}, nil, fmt.Errorf("length not minimally encoded")
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		if n < 0x80 {
			return element{}, nil, fmt.Errorf("length not minimally encoded")
		}
		hdr += k
	}
	if n > len(b)-hdr {
		return element{}, nil, fmt.Errorf("truncated element: length %d, %d octets left", n, len(b)-hdr)
	}
	end := hdr + n
	return element{tag: tag, full: b[:end:end], body: b[hdr:end:end]}, b[end:], nil
}

// reader reads the elements of a SEQUENCE or SET one after another.
type reader struct {
	what string // name of the structure, for errors
	rest []byte
}

// contents returns a reader over the contents of e.
func contents(e element, what string) *reader { return &reader{what: what, rest: e.body} }

// more reports whether elements remain.
func (r *reader) more() bool { return len(r.rest) > 0 }

// peek reports whether the next element has identifier tag.
func (r *reader) peek(tag byte) bool { return len(r.rest) > 0 && r.rest[0] == tag }

// next reads any element.
func (r *reader) next(field string) (element, error) {
	e, rest, err := parseElement(r.rest)
	if err != nil {
		return element{}, fmt.Errorf("%s: %s: %w", r.what, field, err)
	}
	r.rest = rest
	return e, nil
}

// read reads the next element, which must have identifier tag.
func (r *reader) read(tag byte, field string) (element, error) {
	if !r.more() {
		return element{}, fmt.Errorf("%s: missing %s", r.what, field)
	}
	if r.rest[0] != tag {
		return element{}, fmt.Errorf("%s: %s: tag 0x%02x, want 0x%02x", r.what, field, r.rest[0], tag)
	}
	return r.next(field)
}

// optional reads the next element if it has identifier tag.
func (r *reader) optional(tag byte, field string) (element, bool, error) {
	if !r.peek(tag) {
		return element{}, false, nil
	}
	e, err := r.next(field)
	return e, err == nil, err
}

// end fails if elements remain.
func (r *reader) end() error {
	if r.more() {
		return fmt.Errorf("%s: unexpected element with tag 0x%02x", r.what, r.rest[0])
	}
	return nil
}

// retag returns the DER of e with identifier tag instead of its own, to decode
// an implicitly tagged value as its underlying type.
func retag(e element, tag byte) []byte {
	b := append([]byte(nil), e.full...)
	b[0] = tag
	return b
}

// unmarshal decodes the complete DER in b into v with encoding/asn1, which
// checks minimal encodings of integers and object identifiers.
func unmarshal(b []byte, v any, params string) error {
	rest, err := asn1.UnmarshalWithParams(b, v, params)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("trailing data")
	}
	return nil
}

// readInt reads an INTEGER.
func (r *reader) readInt(field string) (*big.Int, error) {
	e, err := r.read(tagInteger, field)
	if err != nil {
		return nil, err
	}
	return intValue(e, r.what+": "+field)
}

// intValue decodes the INTEGER in e, whatever its tag.
func intValue(e element, what string) (*big.Int, error) {
	n := new(big.Int)
	if err := unmarshal(retag(e, tagInteger), &n, ""); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// readSmallInt reads an INTEGER that must fit an int.
func (r *reader) readSmallInt(field string) (int, error) {
	n, err := r.readInt(field)
	if err != nil {
		return 0, err
	}
	if !n.IsInt64() || n.Int64() < -1<<31 || n.Int64() > 1<<31-1 {
		return 0, fmt.Errorf("%s: %s: %v out of range", r.what, field, n)
	}
	return int(n.Int64()), nil
}

// readOID reads an OBJECT IDENTIFIER.
func (r *reader) readOID(field string) (asn1.ObjectIdentifier, error) {
	e, err := r.read(tagOID, field)
	if err != nil {
		return nil, err
	}
	var oid asn1.ObjectIdentifier
	if err := unmarshal(e.full, &oid, ""); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", r.what, field, err)
	}
	return oid, nil
}

// readOctets reads an OCTET STRING (primitive, as DER requires).
func (r *reader) readOctets(field string) ([]byte, error) {
	e, err := r.read(tagOctetString, field)
	if err != nil {
		return nil, err
	}
	return e.body, nil
}

// optionalBool reads a BOOLEAN if present; DER allows only 0x00 and 0xff.
func (r *reader) optionalBool(field string) (value, present bool, err error) {
	e, ok, err := r.optional(tagBoolean, field)
	if !ok || err != nil {
		return false, false, err
	}
	if err := unmarshal(e.full, &value, ""); err != nil {
		return false, false, fmt.Errorf("%s: %s: %w", r.what, field, err)
	}
	return value, true, nil
}

// readGeneralizedTime reads a GeneralizedTime in the form RFC 3161 §2.4.2
// requires: UTC with "Z", seconds always present, fractions without trailing
// zeros.
func (r *reader) readGeneralizedTime(field string) (time.Time, error) {
	e, err := r.read(tagGenTime, field)
	if err != nil {
		return time.Time{}, err
	}
	if len(e.body) < 15 || e.body[len(e.body)-1] != 'Z' {
		return time.Time{}, fmt.Errorf("%s: %s: %q is not YYYYMMDDhhmmss[.s...]Z", r.what, field, e.body)
	}
	var t time.Time
	// encoding/asn1 re-formats the time and compares it with the input, so
	// trailing zeros in fractions and other non-DER forms are refused.
	if err := unmarshal(e.full, &t, "generalized"); err != nil {
		return time.Time{}, fmt.Errorf("%s: %s: %w", r.what, field, err)
	}
	return t.UTC(), nil
}

// algorithm is an AlgorithmIdentifier.
type algorithm struct {
	oid    asn1.ObjectIdentifier
	params []byte // DER of the parameters; nil if absent
}

// readAlgorithm reads an AlgorithmIdentifier.
func (r *reader) readAlgorithm(field string) (algorithm, error) {
	e, err := r.read(tagSequence, field)
	if err != nil {
		return algorithm{}, err
	}
	s := contents(e, r.what+": "+field)
	oid, err := s.readOID("algorithm")
	if err != nil {
		return algorithm{}, err
	}
	a := algorithm{oid: oid}
	if s.more() {
		p, err := s.next("parameters")
		if err != nil {
			return algorithm{}, err
		}
		a.params = p.full
	}
	return a, s.end()
}

// noParams reports whether the parameters are absent or NULL, the two forms
// RFC 5754 allows for SHA-2 and RFC 8017 for RSA.
func (a algorithm) noParams() bool {
	return a.params == nil || (len(a.params) == 2 && a.params[0] == tagNull && a.params[1] == 0)
}
