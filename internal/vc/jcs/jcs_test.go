package jcs

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
)

// Appendix B of RFC 8785: IEEE 754 bit patterns and their serialization.
func TestNumbersRFC8785AppendixB(t *testing.T) {
	tests := []struct {
		bits uint64
		want string
	}{
		{0x0000000000000000, "0"},
		{0x8000000000000000, "0"},
		{0x0000000000000001, "5e-324"},
		{0x8000000000000001, "-5e-324"},
		{0x7fefffffffffffff, "1.7976931348623157e+308"},
		{0xffefffffffffffff, "-1.7976931348623157e+308"},
		{0x4340000000000000, "9007199254740992"},
		{0xc340000000000000, "-9007199254740992"},
		{0x4430000000000000, "295147905179352830000"},
		{0x44b52d02c7e14af5, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6, "1e+23"},
		{0x44b52d02c7e14af7, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4e, "999999999999999700000"},
		{0x444b1ae4d6e2ef4f, "999999999999999900000"},
		{0x444b1ae4d6e2ef50, "1e+21"},
		{0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8d, "0.000001"},
		{0x41b3de4355555553, "333333333.3333332"},
		{0x41b3de4355555554, "333333333.33333325"},
		{0x41b3de4355555555, "333333333.3333333"},
		{0x41b3de4355555556, "333333333.3333334"},
		{0x41b3de4355555557, "333333333.33333343"},
		{0xbecbf647612f3696, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959, "1424953923781206.2"},
	}
	for _, tt := range tests {
		if got := string(AppendNumber(nil, math.Float64frombits(tt.bits))); got != tt.want {
			t.Errorf("%#016x: got %s, want %s", tt.bits, got, tt.want)
		}
	}
}

// The example of RFC 8785 section 3.2.3 (sorting by UTF-16 code units) and
// section 3.2.2 (string and literal serialization).
func TestCanonicalizeRFC8785Examples(t *testing.T) {
	tests := []struct{ in, want string }{
		{
			`{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
			  "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}`,
			"{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
		},
		{
			`{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
			  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
			  "literals": [null, true, false]}`,
			`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
		},
	}
	for _, tt := range tests {
		got, err := Canonicalize([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

// The W3C eddsa-jcs-2022 test vector's canonical document.
func TestCanonicalizeW3CVector(t *testing.T) {
	in := conformance.Read(t, "vc-di-eddsa-testvectors/unsigned.json")
	want := conformance.Read(t, "vc-di-eddsa-testvectors/eddsa-jcs-2022/canonDocJCS.txt")
	got, err := Canonicalize(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != strings.TrimSpace(string(want)) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestCanonicalizeRejects(t *testing.T) {
	tests := []struct{ in, msg string }{
		{`{"a":1,"a":2}`, `duplicate member name "a"`},
		{`{"a":"\ud800"}`, "unpaired UTF-16 surrogate"},
		{`{"a":"\udc00\ud800"}`, "unpaired UTF-16 surrogate"},
		{"{\"a\":\"\xff\"}", "invalid UTF-8"},
		{`{"a":1e400}`, "not an IEEE 754 double"},
		{`{"a":01}`, "leading zero"},
		{`{"a":"x"} {}`, "unexpected data after"},
		{`{"a":"\q"}`, `invalid escape \q`},
		{"{\"a\":\"\t\"}", "control character"},
		{`[1,]`, "invalid character"},
		{`{"a" 1}`, "expected ':'"},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "nesting deeper"},
		{``, "unexpected end"},
	}
	for _, tt := range tests {
		_, err := Canonicalize([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%q: got %v, want an error containing %q", tt.in, err, tt.msg)
		}
	}
}

func FuzzCanonicalize(f *testing.F) {
	f.Add([]byte(`{"b":[1,2.5,-0,1e21,"\u00e9"],"a":{"z":null,"y":true}}`))
	f.Add([]byte(`"\ud83d\ude00"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Canonicalize(data)
		if _, derr := Decode(data); (derr == nil) != (err == nil) {
			t.Fatalf("Canonicalize error %v but Decode error %v", err, derr)
		}
		if err != nil {
			return
		}
		again, err := Canonicalize(out)
		if err != nil {
			t.Fatalf("canonical output does not parse: %v\n%s", err, out)
		}
		if string(again) != string(out) {
			t.Fatalf("not idempotent:\n%s\n%s", out, again)
		}
	})
}

func TestDecode(t *testing.T) {
	v, err := Decode([]byte(`{"a":[1,2.50,"x",true,false,null,{}],"b":{"c":-0}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(v)
	if string(got) != `{"a":[1,2.50,"x",true,false,null,{}],"b":{"c":-0}}` {
		t.Errorf("Decode round trip = %s", got)
	}
	for _, bad := range []string{`{"a":1,"a":1}`, "{\"a\":\"\xff\"}", `[1e999]`, `{"a":1}x`} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}
