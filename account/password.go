package account

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/attesta/attesta"
)

// Argon2Params are the argon2id parameters of new password hashes: OWASP's
// recommended minimum (19 MiB, two passes, one lane). Stored hashes carry
// their own parameters, so these can be raised later.
var Argon2Params = argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32}

type argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
}

// Password limits.
const (
	MinPassword = 12
	MaxPassword = 256
)

var b64 = base64.RawStdEncoding

// HashPassword returns the PHC string of password's argon2id hash with a
// new 16-byte salt from rnd.
func HashPassword(rnd io.Reader, password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", fmt.Errorf("hashing a password: %w", err)
	}
	p := Argon2Params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC string hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	var p argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("reading argon2 parameters: %w", err)
	}
	if p.Memory > 1<<20 || p.Time > 16 || p.Threads == 0 {
		return false, fmt.Errorf("argon2 parameters out of range")
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("reading the salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, fmt.Errorf("reading the hash")
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when there is no account, so that a wrong
// address costs as much time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword(strings.NewReader(strings.Repeat("s", 16)), "not a password")
	if err != nil {
		panic(err)
	}
	return h
})

// CheckNewPassword returns why password may not be chosen, or nil.
func CheckNewPassword(password, email string) error {
	var fe attesta.FieldErrors
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPassword:
		fe.Problem("password", "err.account.password.short", MinPassword)
	case len(password) > MaxPassword:
		fe.Problem("password", "err.account.password.long", MaxPassword)
	case email != "" && strings.Contains(strings.ToLower(password), strings.ToLower(strings.Split(email, "@")[0])):
		fe.Problem("password", "err.account.password.email")
	case len(strings.Fields(password)) == 0 || strings.Count(password, string([]rune(password)[0])) == n:
		fe.Problem("password", "err.account.password.repeated")
	}
	return fe.Err()
}
