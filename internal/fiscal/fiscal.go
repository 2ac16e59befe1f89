// Package fiscal validates the Italian tax identifiers attesta records for
// host companies and organisations: the partita IVA (VAT number) and the
// codice fiscale, of persons (16 characters) or of entities (11 digits, the
// same algorithm as the partita IVA). Validation checks the form and the
// check character; it cannot tell whether the number was ever assigned.
package fiscal

import (
	"fmt"
	"strings"
)

// Error says why an identifier is not valid, in Italian and English.
type Error struct {
	IT, EN string
}

func (e *Error) Error() string { return e.EN }

func invalid(it, en string, args ...any) error {
	return &Error{IT: fmt.Sprintf(it, args...), EN: fmt.Sprintf(en, args...)}
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
		return invalid("la partita IVA ha 11 cifre, non %d", "a partita IVA has 11 digits, not %d", len(s))
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return invalid("la partita IVA contiene %q: solo cifre", "a partita IVA has only digits, not %q", s[i])
		}
	}
	if s == "00000000000" {
		return invalid("la partita IVA non può essere tutta zeri", "a partita IVA cannot be all zeros")
	}
	if want := luhnCheck(s[:10]); s[10] != want {
		return invalid("la cifra di controllo della partita IVA è %c, non %c", "the check digit of the partita IVA is %c, not %c", want, s[10])
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
			e := err.(*Error)
			return &Error{IT: "codice fiscale numerico non valido: " + e.IT, EN: "invalid numeric codice fiscale: " + e.EN}
		}
		return nil
	}
	if len(s) != 16 {
		return invalid("il codice fiscale ha 16 caratteri (11 cifre per un ente), non %d", "a codice fiscale has 16 characters (11 digits for an entity), not %d", len(s))
	}
	for i := range 16 {
		c := s[i]
		switch {
		case i < 6 || i == 8 || i == 11 || i == 15:
			if c < 'A' || c > 'Z' {
				return invalid("il carattere %d del codice fiscale deve essere una lettera, non %q", "character %d of a codice fiscale must be a letter, not %q", i+1, c)
			}
		default: // digits, or their omocodia letters
			if (c < '0' || c > '9') && !strings.ContainsRune(omocodia, rune(c)) {
				return invalid("il carattere %d del codice fiscale deve essere una cifra, non %q", "character %d of a codice fiscale must be a digit, not %q", i+1, c)
			}
		}
	}
	if !strings.ContainsRune("ABCDEHLMPRST", rune(s[8])) {
		return invalid("la lettera del mese nel codice fiscale è %q, non una di ABCDEHLMPRST", "the month letter of the codice fiscale is %q, not one of ABCDEHLMPRST", s[8])
	}
	day := digitOf(s[9])*10 + digitOf(s[10])
	if day < 1 || day > 71 || (day > 31 && day < 41) {
		return invalid("il giorno di nascita nel codice fiscale è %02d: 1–31, o 41–71", "the birth day of the codice fiscale is %02d: 1–31, or 41–71", day)
	}
	if want := cfCheck(s[:15]); s[15] != want {
		return invalid("il carattere di controllo del codice fiscale è %c, non %c", "the check character of the codice fiscale is %c, not %c", want, s[15])
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
