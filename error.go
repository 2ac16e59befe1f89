package attesta

import (
	"errors"
	"strings"

	"github.com/attesta/attesta/internal/i18n"
)

// Code classifies an error by what the caller can do about it.
type Code string

// The error codes. Anything else is an internal error. Package
// internal/httpstatus maps each to its HTTP status.
const (
	NotFound        Code = "not_found"       // the object does not exist, or the caller may not know it does
	Invalid         Code = "invalid"         // the input is malformed or breaks a rule; nothing was changed
	Conflict        Code = "conflict"        // the object's state does not allow the action (e.g. it is published)
	Forbidden       Code = "forbidden"       // the caller may see the object but not do this to it
	Unauthenticated Code = "unauthenticated" // the caller must sign in first
	Throttled       Code = "throttled"       // too many attempts: the caller must wait
	TooLarge        Code = "too_large"       // the request's body is over the limit
	MediaType       Code = "media_type"      // the request's body is not of a type the operation reads
	Unavailable     Code = "unavailable"     // the service is stopped until an operator acts (e.g. a restored database)
	Internal        Code = "internal"        // a failure the caller cannot fix
)

// A Message is something said to people: the key of a text in the message
// catalogues (internal/i18n/catalog), and the arguments its verbs format.
// Keys of errors start with "err.", then the package:
// "err.org.name.required". A test makes sure every key given as a literal
// to [E], [Wrap], [M] and [FieldErrors.Problem] is in every catalogue, with
// as many verbs as arguments.
type Message struct {
	Key  string `json:"key,omitempty"`
	Args []any  `json:"-"`
}

// M returns the message key with args.
func M(key string, args ...any) Message { return Message{Key: key, Args: args} }

// Localized is what can be said in a language. An argument of a [Message]
// that is Localized is said in the message's language: another Message (the
// subject of a sentence, a verb), [FieldErrors], an *Error, a bilingual text
// such as a competence's title.
type Localized interface {
	In(lang string) string
}

// In returns the message in lang ("it" or "en").
func (m Message) In(lang string) string {
	args, copied := m.Args, false
	for i, a := range m.Args {
		if l, ok := a.(Localized); ok {
			if !copied {
				args, copied = append([]any(nil), m.Args...), true
			}
			args[i] = l.In(lang)
		}
	}
	return i18n.T(lang, m.Key, args...)
}

// Error is a domain error: what the caller can do about it, what to tell
// people, and the internal cause.
type Error struct {
	Code Code
	// Message is what people are told, in their language ([MessageIn]).
	Message
	// Err is the cause, for logs: it may hold detail people must not see.
	Err error
}

// E returns an *Error with code and the message key with args:
//
//	attesta.E(attesta.NotFound, "err.people.student.notfound", id)
func E(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Message: Message{Key: key, Args: args}}
}

// Wrap is like [E], with err as the cause: it is logged, never shown.
func Wrap(err error, code Code, key string, args ...any) *Error {
	return &Error{Code: code, Message: Message{Key: key, Args: args}, Err: err}
}

// Error returns the message in English, then the cause: for logs.
// [FieldErrors] in the message are said with their fields; a cause that is
// FieldErrors is not said again, as a message that wraps them says them.
func (e *Error) Error() string {
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		switch a := a.(type) {
		case FieldErrors:
			args[i] = a.Error()
		case Localized:
			args[i] = a.In("en")
		default:
			args[i] = a
		}
	}
	msg := i18n.T("en", e.Key, args...)
	if _, ok := e.Err.(FieldErrors); ok || e.Err == nil {
		return msg
	}
	if c := e.Err.Error(); c != msg {
		return msg + ": " + c
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, or Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorKey returns the message key of the first *Error in err's chain, or
// "" when there is none. Tests check it rather than the words.
func ErrorKey(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// MessageIn returns what people are told of err in lang ("it" or "en"): the
// message of the first *Error in its chain, or of [FieldErrors], or a
// generic message that reveals nothing of the cause.
func MessageIn(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		return e.In(lang)
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return fe.In(lang)
	}
	return i18n.T(lang, "err.internal")
}

// fieldsKey is the message of FieldErrors as an *Error: "%s", the
// problems listed.
const fieldsKey = "err.fields"

// FieldError is a problem with one field of a user's input, so that a form
// or an import can point at the field ("" for the input as a whole).
type FieldError struct {
	Field string `json:"field"`
	Message
	// IT and EN are the message said in Italian and English when the
	// problem was recorded, for readers of the JSON.
	IT string `json:"it"`
	EN string `json:"en"`
}

// FieldErrors are the problems found in one input. As an error it reports
// all of them in English, each with its field; [FieldErrors.Err] makes the
// *Error to return, or a message of one's own says them as an argument:
//
//	attesta.Wrap(fe, attesta.Invalid, "err.credential.award", fe)
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	var b strings.Builder
	for i, e := range fe {
		if i > 0 {
			b.WriteString("; ")
		}
		if e.Field != "" {
			b.WriteString(e.Field + ": ")
		}
		b.WriteString(e.In("en"))
	}
	return b.String()
}

// In returns the problems said in lang, without their fields.
func (fe FieldErrors) In(lang string) string {
	var b strings.Builder
	for i, e := range fe {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.In(lang))
	}
	return b.String()
}

// Problem records a problem with field: the message key with args.
func (fe *FieldErrors) Problem(field, key string, args ...any) {
	fe.Say(field, Message{Key: key, Args: args})
}

// Say records a problem with field: m, a message made elsewhere (the
// refusal of a lower package).
func (fe *FieldErrors) Say(field string, m Message) {
	*fe = append(*fe, FieldError{Field: field, Message: m, IT: m.In("it"), EN: m.In("en")})
}

// Err returns nil when there is no problem, else an *Error with code
// Invalid whose message lists the problems and which wraps fe.
func (fe FieldErrors) Err() error { return fe.WithCode(Invalid) }

// Conflict is like Err, with code Conflict: the input is well formed but
// clashes with what is stored (a taken code, a duplicate).
func (fe FieldErrors) Conflict() error { return fe.WithCode(Conflict) }

// WithCode is like Err, with the given code.
func (fe FieldErrors) WithCode(code Code) error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: code, Message: Message{Key: fieldsKey, Args: []any{fe}}, Err: fe}
}
