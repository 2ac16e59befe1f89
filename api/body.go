package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/attesta/attesta"
)

// readJSON reads a JSON request body into v, strictly: the body must say it
// is JSON (Content-Type application/json, or a +json type), be within the
// route's limit, be valid UTF-8, hold one value whose objects repeat no
// member name (two readers could otherwise see two documents), and name no
// member v does not have.
func readJSON(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return attesta.E(attesta.MediaType, "err.api.body.type", ct)
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return attesta.E(attesta.TooLarge, "err.api.body.large", tooBig.Limit)
		}
		return attesta.E(attesta.Invalid, "err.api.body.unreadable", err)
	}
	if !utf8.Valid(data) {
		return attesta.E(attesta.Invalid, "err.api.body.utf8")
	}
	if err := checkDuplicates(data); err != nil {
		return attesta.E(attesta.Invalid, "err.api.body.invalid", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return attesta.E(attesta.Invalid, "err.api.body.invalid", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return attesta.E(attesta.Invalid, "err.api.body.invalid", errors.New("data after the JSON value"))
	}
	return nil
}

// duplicateError names a member given twice in one object.
type duplicateError struct{ name, path string }

func (e *duplicateError) Error() string {
	return fmt.Sprintf("member %q given twice in %s", e.name, e.path)
}

// checkDuplicates walks a JSON text and returns an error for an object
// that repeats a member name, or for JSON that is not valid. data is valid
// UTF-8 (readJSON checks it first): names of invalid UTF-8 would be read
// with U+FFFD for each bad byte, and two different ones could read alike.
func checkDuplicates(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		names  map[string]bool // nil for an array
		path   string          // of the object or array, e.g. $.credential.issuer
		last   string          // the member being read
		expect bool            // in an object, the next token is a member name
	}
	var stack []frame
	path := func() string { // of a value about to be read
		switch top := len(stack) - 1; {
		case top < 0:
			return "$"
		case stack[top].names == nil:
			return stack[top].path + "[]"
		default:
			return stack[top].path + "." + stack[top].last
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].names != nil && stack[top].expect {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:top]
				continue
			}
			name, _ := tok.(string)
			if stack[top].names[name] {
				return &duplicateError{name: name, path: stack[top].path}
			}
			stack[top].names[name] = true
			stack[top].last, stack[top].expect = name, false
			continue
		}
		p := path()
		if top >= 0 && stack[top].names != nil {
			stack[top].expect = true // a value is read: a name comes next
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{names: map[string]bool{}, path: p, expect: true})
		case json.Delim('['):
			stack = append(stack, frame{path: p})
		case json.Delim(']'), json.Delim('}'):
			stack = stack[:top]
		}
	}
}
