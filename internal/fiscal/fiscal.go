// Package fiscal validates the Italian tax identifiers attesta records for
// host companies and organisations: the partita IVA (VAT number) and the
// codice fiscale, of persons (16 characters) or of entities (11 digits, the
// same algorithm as the partita IVA). Validation checks the form and the
// check character; it cannot tell whether the number was ever assigned.
package fiscal

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Error says why an identifier is not valid. Key names the reason, one of
// [Keys]; Args are its details, for the verbs of the reason's text. Error
// says it in English; a caller that speaks to people in other languages
// keeps a text of its own for each key, with the same verbs. An argument
// may be another *Error: the reason of a reason.
type Error struct {
	Key  string
	Args []any
}

func (e *Error) Error() string { return fmt.Sprintf(english[e.Key], e.Args...) }

// english holds the text of each reason.
var english = map[string]string{
	"piva.length": "a partita IVA has 11 digits, not %d",
	"piva.digits": "a partita IVA has only digits, not %q",
	"piva.zeros":  "a partita IVA cannot be all zeros",
	"piva.check":  "the check digit of the partita IVA is %c, not %c",
	"cf.numeric":  "invalid numeric codice fiscale: %s",
	"cf.length":   "a codice fiscale has 16 characters (11 digits for an entity), not %d",
	"cf.letter":   "character %d of a codice fiscale must be a letter, not %q",
	"cf.digit":    "character %d of a codice fiscale must be a digit, not %q",
	"cf.month":    "the month letter of the codice fiscale is %q, not one of ABCDEHLMPRST",
	"cf.day":      "the birth day of the codice fiscale is %02d: 1–31, or 41–71",
	"cf.check":    "the check character of the codice fiscale is %c, not %c",
}

// Keys returns the keys of every reason, sorted.
func Keys() []string {
	return slices.Sorted(maps.Keys(english))
}

// English returns the English text of the reason key, with its verbs.
func English(key string) string { return english[key] }

func invalid(key string, args ...any) error {
	return &Error{Key: key, Args: args}
}

// NormalizePartitaIVA trims spaces and an "IT" prefix.
func NormalizePartitaIVA(s string) string {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	return strings.TrimPrefix(s, "IT")
}

// CheckPartitaIVA reports whether s (normalized) is a valid partita IVA:
// 11 digits whose last is the check digit of the first ten (the Luhn
// algorithm), and not all zeros.
func CheckPartitaIVA(s string) error {
	if len(s) != 11 {
		return invalid("piva.length", len(s))
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return invalid("piva.digits", s[i])
		}
	}
	if s == "00000000000" {
		return invalid("piva.zeros")
	}
	if want := luhnCheck(s[:10]); s[10] != want {
		return invalid("piva.check", want, s[10])
	}
	return nil
}

// luhnCheck returns the check digit of ten digits: digits in odd positions
// (1st, 3rd, …) count as they are, those in even positions doubled, less 9
// when over 9.
func luhnCheck(digits string) byte {
	sum := 0
	for i := range len(digits) {
		d := int(digits[i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// NormalizeCodiceFiscale trims spaces and upper-cases.
func NormalizeCodiceFiscale(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// CheckCodiceFiscale reports whether s (normalized) is a valid codice
// fiscale: 11 digits for an entity (checked as a partita IVA), or 16
// characters for a person — six letters, then the birth year, month letter,
// day and place, whose digits may be replaced by the letters LMNPQRSTUV
// (omocodia), and the check letter.
func CheckCodiceFiscale(s string) error {
	if len(s) == 11 {
		if err := CheckPartitaIVA(s); err != nil {
			return invalid("cf.numeric", err)
		}
		return nil
	}
	if len(s) != 16 {
		return invalid("cf.length", len(s))
	}
	for i := range 16 {
		c := s[i]
		switch {
		case i < 6 || i == 8 || i == 11 || i == 15:
			if c < 'A' || c > 'Z' {
				return invalid("cf.letter", i+1, c)
			}
		default: // digits, or their omocodia letters
			if (c < '0' || c > '9') && !strings.ContainsRune(omocodia, rune(c)) {
				return invalid("cf.digit", i+1, c)
			}
		}
	}
	if !strings.ContainsRune("ABCDEHLMPRST", rune(s[8])) {
		return invalid("cf.month", s[8])
	}
	day := digitOf(s[9])*10 + digitOf(s[10])
	if day < 1 || day > 71 || (day > 31 && day < 41) {
		return invalid("cf.day", day)
	}
	if want := cfCheck(s[:15]); s[15] != want {
		return invalid("cf.check", want, s[15])
	}
	return nil
}

// omocodia are the letters that replace the digits 0–9 in a codice fiscale
// made unique.
const omocodia = "LMNPQRSTUV"

func digitOf(c byte) int {
	if c >= '0' && c <= '9' {
		return int(c - '0')
	}
	return strings.IndexByte(omocodia, c)
}

// oddValues are the values of the characters in odd positions (1st, 3rd, …)
// for the check character, digits 0–9 then letters A–Z.
var oddValues = [36]int{
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0–9
	1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23, // A–Z
}

// cfCheck returns the check letter of the first 15 characters.
func cfCheck(s string) byte {
	sum := 0
	for i := range 15 {
		c := s[i]
		var k int // index in 0–9, A–Z
		var even int
		if c >= '0' && c <= '9' {
			k, even = int(c-'0'), int(c-'0')
		} else {
			k, even = 10+int(c-'A'), int(c-'A')
		}
		if i%2 == 0 {
			sum += oddValues[k]
		} else {
			sum += even
		}
	}
	return byte('A' + sum%26)
}
