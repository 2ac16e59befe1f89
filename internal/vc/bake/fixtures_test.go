package bake

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/attesta/attesta/internal/conformance"
)

// readFixture returns one of 1EdTech's Open Badges 3.0 fixtures, among the
// repository's conformance vectors.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	return conformance.Read(t, "ob30-fixtures/"+name)
}

// extractFixture extracts the credential of a baked fixture, checking the
// detected format.
func extractFixture(t *testing.T, name string) []byte {
	t.Helper()
	cred, f, err := Extract(readFixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if want := strings.TrimPrefix(filepath.Ext(name), "."); f.String() != want {
		t.Errorf("%s: format %v, want %s", name, f, want)
	}
	return cred
}

func compactJSON(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func unmarshalObject(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// jwsParts splits a compact JWS and decodes its header and payload.
func jwsParts(t *testing.T, name string, jws []byte) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(string(jws), ".")
	if len(parts) != 3 {
		t.Fatalf("%s: %d dot-separated parts, want 3", name, len(parts))
	}
	var decoded [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil {
			t.Fatalf("%s: part %d: %v", name, i, err)
		}
		decoded[i] = b
	}
	if len(decoded[2]) == 0 {
		t.Errorf("%s: empty signature", name)
	}
	return unmarshalObject(t, decoded[0]), unmarshalObject(t, decoded[1])
}

// The embedded-proof fixtures: the PNG holds the credential without line
// breaks, the SVG indented in a CDATA section. They are the same JSON once
// compacted. Compared with simple.json they differ only in the proof (another
// key and creation time), so the credential without its proof is compared.
func TestFixturesJSON(t *testing.T) {
	fromPNG := extractFixture(t, "simple-json.png")
	fromSVG := extractFixture(t, "simple-json.svg")
	for name, cred := range map[string][]byte{"png": fromPNG, "svg": fromSVG} {
		if !json.Valid(cred) || cred[0] != '{' || cred[len(cred)-1] != '}' {
			t.Errorf("%s: extracted credential is not a JSON object: %.40q...", name, cred)
		}
	}
	if !bytes.Equal(compactJSON(t, fromPNG), compactJSON(t, fromSVG)) {
		t.Error("simple-json.png and simple-json.svg carry different credentials")
	}

	got := unmarshalObject(t, fromPNG)
	want := unmarshalObject(t, readFixture(t, "simple.json"))
	if got["proof"] == nil || want["proof"] == nil {
		t.Fatal("a proof is missing")
	}
	delete(got, "proof")
	delete(want, "proof")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("baked credential without proof differs from simple.json without proof:\n%v\n%v", got, want)
	}
}

// The VC-JOSE fixtures hold compact JWSs with a VC Data Model 2.0 payload.
// The PNG and the SVG were signed separately: their payloads differ only in
// "iat".
func TestFixturesJWT(t *testing.T) {
	fromPNG := extractFixture(t, "simple-jwt.png")
	fromSVG := extractFixture(t, "simple-jwt.svg")
	hp, pp := jwsParts(t, "simple-jwt.png", fromPNG)
	hs, ps := jwsParts(t, "simple-jwt.svg", fromSVG)
	for _, h := range []map[string]any{hp, hs} {
		if h["alg"] != "RS256" {
			t.Errorf("header alg %v, want RS256", h["alg"])
		}
	}
	for _, p := range []map[string]any{pp, ps} {
		ctx, _ := p["@context"].([]any)
		if len(ctx) == 0 || ctx[0] != "https://www.w3.org/ns/credentials/v2" {
			t.Errorf("payload @context %v, want the VC 2.0 context first", p["@context"])
		}
	}
	if pp["iat"] == ps["iat"] {
		t.Error("expected the two fixtures to differ in iat")
	}
	delete(pp, "iat")
	delete(ps, "iat")
	if !reflect.DeepEqual(pp, ps) {
		t.Error("simple-jwt.png and simple-jwt.svg payloads differ in more than iat")
	}
}

// The _v1 fixtures are baked the same way, with a JWT from an earlier draft
// of OB 3.0: VC Data Model 1.1, the credential in a "vc" claim. Baking is
// independent of the payload, so they are extracted like the others; reading
// the payload is the caller's concern. Both images carry the same JWS.
func TestFixturesJWTv1(t *testing.T) {
	fromPNG := extractFixture(t, "simple-jwt_v1.png")
	fromSVG := extractFixture(t, "simple-jwt_v1.svg")
	if !bytes.Equal(fromPNG, fromSVG) {
		t.Error("simple-jwt_v1.png and simple-jwt_v1.svg carry different JWSs")
	}
	_, payload := jwsParts(t, "simple-jwt_v1.png", fromPNG)
	vc, ok := payload["vc"].(map[string]any)
	if !ok {
		t.Fatalf("payload has no vc claim: %v", payload)
	}
	ctx, _ := vc["@context"].([]any)
	if len(ctx) == 0 || ctx[0] != "https://www.w3.org/2018/credentials/v1" {
		t.Errorf("vc @context %v, want the VC 1.1 context first", vc["@context"])
	}
}

// Baking into the fixtures: refused without Replace; with it, the PNG's
// credential chunk is replaced in place and putting back the original
// credential restores the file byte for byte.
func TestFixturesRebake(t *testing.T) {
	for _, name := range []string{"simple-json.png", "simple-json.svg", "simple-jwt.png", "simple-jwt.svg", "simple-jwt_v1.png", "simple-jwt_v1.svg"} {
		img := readFixture(t, name)
		orig, _, err := Extract(img)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, _, err := Bake(img, []byte(sampleJWS), Options{}); !errors.Is(err, ErrAlreadyBaked) {
			t.Errorf("%s: bake without Replace: %v, want ErrAlreadyBaked", name, err)
		}
		replaced, _, err := Bake(img, []byte(sampleJSON), Options{Replace: true})
		if err != nil {
			t.Fatalf("%s: replace: %v", name, err)
		}
		if got, _, err := Extract(replaced); err != nil || string(got) != sampleJSON {
			t.Errorf("%s: after replace: %.40q, %v", name, got, err)
		}
		restored, _, err := Bake(replaced, orig, Options{Replace: true})
		if err != nil {
			t.Fatalf("%s: restore: %v", name, err)
		}
		if got, _, err := Extract(restored); err != nil || !bytes.Equal(got, orig) {
			t.Errorf("%s: after restore: %.40q, %v", name, got, err)
		}
		if strings.HasSuffix(name, ".png") && !bytes.Equal(restored, img) {
			t.Errorf("%s: restoring the credential did not restore the file", name)
		}
		if strings.HasSuffix(name, ".svg") && bytes.Count(restored, []byte("xmlns:openbadges=")) != 1 {
			t.Errorf("%s: namespace declared again", name)
		}
	}
}
