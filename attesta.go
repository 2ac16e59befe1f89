// Package attesta holds what every part of attesta shares: the kinds of
// error a use-case can end with, and the clock.
//
// # Errors
//
// Domain packages return [*Error] values with one of a few [Code]s. The web
// and API surfaces map a code to an HTTP status in exactly one place each;
// the Message is safe to show to a user, while the wrapped Err carries the
// internal detail for logs.
package attesta

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Code classifies an error by what the caller can do about it.
type Code string

// The error codes. Anything else is an internal error.
const (
	NotFound        Code = "not_found"       // the object does not exist, or the caller may not know it does
	Invalid         Code = "invalid"         // the input is malformed or breaks a rule; nothing was changed
	Conflict        Code = "conflict"        // the object's state does not allow the action (e.g. it is published)
	Forbidden       Code = "forbidden"       // the caller may see the object but not do this to it
	Unauthenticated Code = "unauthenticated" // the caller must sign in first
	Throttled       Code = "throttled"       // too many attempts: the caller must wait
	Internal        Code = "internal"        // a failure the caller cannot fix
)

// Error is a domain error: a code, a message fit for users, and optionally the
// underlying cause.
type Error struct {
	Code    Code
	Message string // in English
	// IT, when set, is the message in Italian, for Italian pages.
	IT  string
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Err.Error() != e.Message {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Said returns an *Error with a message said in Italian and English.
func Said(code Code, it, en string) *Error { return &Error{Code: code, Message: en, IT: it} }

// MessageIn returns the user-facing message of err in lang ("it" or "en"):
// the Italian one where there is one, the problems of FieldErrors each in
// lang, else as ErrorMessage.
func MessageIn(err error, lang string) string {
	var fe FieldErrors
	if errors.As(err, &fe) {
		var b strings.Builder
		for i, f := range fe {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(f.In(lang))
		}
		return b.String()
	}
	var e *Error
	if errors.As(err, &e) && lang == "it" && e.IT != "" {
		return e.IT
	}
	return ErrorMessage(err)
}

// ErrorCode returns the code of the first *Error in err's chain, or Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or a generic message that reveals nothing of the cause.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Clock tells the time. Use-cases take one so that tests and signed outputs
// are reproducible.
type Clock func() time.Time

// SystemClock is the wall clock, in UTC, truncated to microseconds so that
// every database engine stores it exactly.
func SystemClock() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// FieldError is a problem with one field of a user's input, said in Italian
// and English, so that a form or an import can point at the field.
type FieldError struct {
	Field string `json:"field"`
	IT    string `json:"it"`
	EN    string `json:"en"`
}

// FieldErrors are the problems found in one input. As an error it reports
// all of them in English; wrap it with [Invalid] to return it.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	var b strings.Builder
	for i, e := range fe {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Field + ": " + e.EN)
	}
	return b.String()
}

// Add records a problem with field.
func (fe *FieldErrors) Add(field, it, en string) {
	*fe = append(*fe, FieldError{Field: field, IT: it, EN: en})
}

// Err returns nil when there is no problem, else an *Error with code
// Invalid whose message lists the problems and which wraps fe.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: fe.Error(), Err: fe}
}

// Conflict is like Err, with code Conflict: the input is well formed but
// clashes with what is stored (a taken code, a duplicate).
func (fe FieldErrors) Conflict() error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: Conflict, Message: fe.Error(), Err: fe}
}

// In returns the message of e in lang ("it" or "en").
func (e FieldError) In(lang string) string {
	if lang == "en" {
		return e.EN
	}
	return e.IT
}
