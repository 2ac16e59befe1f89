package jsonld

import (
	"unicode/utf8"
)

// isKeyword reports whether s is a JSON-LD 1.1 keyword.
func isKeyword(s string) bool {
	if len(s) < 3 || s[0] != '@' {
		return false
	}
	switch s {
	case "@base", "@container", "@context", "@direction", "@graph", "@id",
		"@import", "@included", "@index", "@json", "@language", "@list",
		"@nest", "@none", "@prefix", "@propagate", "@protected", "@reverse",
		"@set", "@type", "@value", "@version", "@vocab":
		return true
	}
	return false
}

// looksLikeKeyword reports whether s has the form "@" ALPHA+, which JSON-LD
// reserves for future keywords.
func looksLikeKeyword(s string) bool {
	if len(s) < 2 || s[0] != '@' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// validLanguage reports whether s matches jsonld.js's BCP 47 check,
// [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*.
func validLanguage(s string) bool {
	n := 0
	first := true
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '-' {
			if n == 0 || n > 8 {
				return false
			}
			n = 0
			first = false
			continue
		}
		c := s[i]
		switch {
		case c|0x20 >= 'a' && c|0x20 <= 'z':
		case !first && c >= '0' && c <= '9':
		default:
			return false
		}
		n++
	}
	return true
}

// schemeLen returns the length of s's scheme ([A-Za-z][A-Za-z0-9+.-]*)
// when it is followed by ':', or 0.
func schemeLen(s string) int {
	if len(s) == 0 || (s[0]|0x20) < 'a' || (s[0]|0x20) > 'z' {
		return 0
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i
		case (c|0x20) >= 'a' && (c|0x20) <= 'z', c >= '0' && c <= '9', c == '+', c == '-', c == '.':
		default:
			return 0
		}
	}
	return 0
}

// isBlank reports whether s is a blank node identifier.
func isBlank(s string) bool { return len(s) >= 2 && s[0] == '_' && s[1] == ':' }

// isAbsolute reports whether jsonld.js would treat s as an absolute IRI or a
// blank node identifier: a scheme (or "_") and ':' followed by no
// whitespace. jsonld.js also accepts ',' in schemes; this does not.
func isAbsolute(s string) bool {
	if isBlank(s) {
		return !hasSpace(s[2:])
	}
	n := schemeLen(s)
	return n > 0 && !hasSpace(s[n+1:])
}

// hasSpace reports whether s contains a character JavaScript's \s matches.
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			if c == ' ' || c >= '\t' && c <= '\r' {
				return true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if isJSSpace(r) {
			return true
		}
		i += size - 1
	}
	return false
}

func isJSSpace(r rune) bool {
	switch {
	case r == 0xA0, r == 0x1680, r >= 0x2000 && r <= 0x200A, r == 0x2028,
		r == 0x2029, r == 0x202F, r == 0x205F, r == 0x3000, r == 0xFEFF:
		return true
	}
	return false
}

// badIRIChar returns the first character of iri that may not appear in an
// IRI (RFC 3987) or an N-Quads IRIREF, and whether there is one: controls,
// space, <>"{}|^`\, C1 controls and the Unicode spaces JavaScript's \s
// matches. iri must be absolute.
func badIRIChar(iri string) (rune, bool) {
	for i := 0; i < len(iri); i++ {
		c := iri[i]
		if c < 0x80 {
			if iriForbidden[c] {
				return rune(c), true
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(iri[i:])
		if r == utf8.RuneError && size == 1 || r >= 0x80 && r <= 0x9F || isJSSpace(r) ||
			r >= 0xFFF0 && r <= 0xFFFF {
			return r, true
		}
		i += size - 1
	}
	return 0, false
}

// iriForbidden marks the ASCII characters an IRI may not contain.
var iriForbidden = func() (t [128]bool) {
	for c := range 0x21 {
		t[c] = true
	}
	for _, c := range "\x7f<>\"{}|^`\\" {
		t[c] = true
	}
	return t
}()

// iriClass is what classifyIRI found.
type iriClass uint8

const (
	iriOK       iriClass = iota // an absolute IRI usable in RDF
	iriBlank                    // a blank node identifier
	iriRelative                 // no scheme: jsonld.js drops it
	iriInvalid                  // absolute but with forbidden characters
)

func classifyIRI(s string) iriClass {
	if isBlank(s) {
		if hasSpace(s[2:]) {
			return iriInvalid
		}
		return iriBlank
	}
	if schemeLen(s) == 0 {
		return iriRelative
	}
	if _, bad := badIRIChar(s); bad {
		return iriInvalid
	}
	return iriOK
}
