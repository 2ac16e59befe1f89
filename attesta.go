// Package attesta holds what every part of attesta shares: the kinds of
// error a use-case can end with, the messages it says to people, and the
// clock.
//
// # Errors
//
// Domain packages return [*Error] values: a [Code] saying what the caller
// can do about it, a [Message] for people (a key of the message catalogues
// with its arguments, never a sentence), and the internal cause, which is
// logged and never shown. [E] makes one, [Wrap] makes one around a cause;
// [FieldErrors] name the fields of an input at fault. Package
// internal/httpstatus maps a code to an HTTP status, once for the web and
// the API; the edges say the message in the reader's language with
// [MessageIn]. docs/design/errors.md tells the reasons.
package attesta

import "time"

// Clock tells the time. Use-cases take one so that tests and signed outputs
// are reproducible.
type Clock func() time.Time

// SystemClock is the wall clock, in UTC, truncated to microseconds so that
// every database engine stores it exactly.
func SystemClock() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
