package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/attesta/attesta"
)

// The JSON API reads strictly: JSON by its content type, within the limit
// (413 beyond), valid UTF-8, no member given twice at any depth, nothing
// after the value, no unknown member.
func TestReadJSONStrict(t *testing.T) {
	type inner struct {
		B any `json:"b"`
	}
	type target struct {
		A any   `json:"a"`
		I inner `json:"i"`
		L []any `json:"l"`
	}
	for _, tc := range []struct {
		name, ctype, body string
		code              attesta.Code
		key               string
	}{
		{"plain JSON", "application/json", `{"a":1,"i":{"b":2},"l":[{"x":1},{"x":1}]}`, "", ""},
		{"a +json type with parameters", "application/ld+json; charset=utf-8", `{"a":1}`, "", ""},
		{"no content type", "", `{"a":1}`, attesta.MediaType, "err.api.body.type"},
		{"a form", "application/x-www-form-urlencoded", `a=1`, attesta.MediaType, "err.api.body.type"},
		{"text", "text/plain", `{"a":1}`, attesta.MediaType, "err.api.body.type"},
		{"invalid UTF-8", "application/json", "{\"a\":\"\xff\xfe\"}", attesta.Invalid, "err.api.body.utf8"},
		{"a duplicate member", "application/json", `{"a":1,"a":2}`, attesta.Invalid, "err.api.body.invalid"},
		{"a duplicate member deeper", "application/json", `{"i":{"b":1,"b":1}}`, attesta.Invalid, "err.api.body.invalid"},
		{"a duplicate member in an array's object", "application/json", `{"l":[{},{"x":1,"x":1}]}`, attesta.Invalid, "err.api.body.invalid"},
		{"escaped duplicate", "application/json", `{"a":1,"\u0061":2}`, attesta.Invalid, "err.api.body.invalid"},
		{"trailing data", "application/json", `{"a":1}{"a":2}`, attesta.Invalid, "err.api.body.invalid"},
		{"unknown member", "application/json", `{"z":1}`, attesta.Invalid, "err.api.body.invalid"},
		{"over the limit", "application/json", `{"a":"` + strings.Repeat("x", 100) + `"}`, attesta.TooLarge, "err.api.body.large"},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		if tc.ctype != "" {
			r.Header.Set("Content-Type", tc.ctype)
		}
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 64)
		var v target
		err := readJSON(r, &v)
		if attesta.ErrorCode(err) != tc.code && !(tc.code == "" && err == nil) || attesta.ErrorKey(err) != tc.key {
			t.Errorf("%s: %v (code %q, key %q), want code %q, key %q", tc.name, err, attesta.ErrorCode(err), attesta.ErrorKey(err), tc.code, tc.key)
		}
	}
	if err := checkDuplicates([]byte(`{"i":{"b":{"c":1,"c":2}}}`)); err == nil || !strings.Contains(err.Error(), "$.i.b") {
		t.Errorf("the path of a duplicate: %v", err)
	}
}

// checkDuplicates refuses valid JSON only for a repeated member name, and
// reads anything without panicking.
func FuzzCheckDuplicates(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"a":[{"a":1},{"a":2}]}}`))
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte(`[{"x":{}},"y",null]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkDuplicates(data)
		if !utf8.Valid(data) {
			// readJSON refuses it first: names of invalid UTF-8 are read
			// with U+FFFD for each bad byte, so two different ones may
			// read the same. Only not panicking matters here.
			return
		}
		var dup *duplicateError
		if err != nil && !errors.As(err, &dup) && json.Valid(data) {
			t.Fatalf("%q: refused valid JSON: %v", data, err)
		}
		if errors.As(err, &dup) && !bytes.Contains(data, []byte(dup.name)) && !bytes.Contains(data, []byte(`\`)) {
			t.Fatalf("%q: a duplicate %q it does not hold", data, dup.name)
		}
	})
}
