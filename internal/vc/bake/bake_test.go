package bake

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
)

// sampleJSON is a JSON credential with characters that need care in SVG: a
// CDATA end marker, a CRLF, and non-ASCII text.
const sampleJSON = "{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],\r\n" +
	"\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],\"name\":\"Teamwork ]]> <b>&amp; \u00e9\u00e8 \U0001F3C5\"}"

// sampleJWS is a compact JWS of a small credential.
var sampleJWS = strings.Join([]string{
	base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","typ":"vc+jwt"}`)),
	base64.RawURLEncoding.EncodeToString([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"]}`)),
	base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb, 0xff}, 32)),
}, ".")

// testPNG returns a 4×4 PNG image encoded by image/png.
var testPNG = sync.OnceValue(func() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for x := range 4 {
		for y := range 4 {
			img.Set(x, y, color.NRGBA{uint8(60 * x), uint8(60 * y), 200, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

const testSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">
  <rect width="4" height="4" fill="#36c"/>
</svg>
`

// pngChunkBytes encodes one PNG chunk.
func pngChunkBytes(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// itxtData encodes the data of an iTXt chunk.
func itxtData(keyword string, flag, method byte, lang, translated, text string) []byte {
	b := append([]byte(keyword), 0, flag, method)
	b = append(b, lang...)
	b = append(b, 0)
	b = append(b, translated...)
	b = append(b, 0)
	return append(b, text...)
}

// insertBeforeIEND inserts encoded chunks before the IEND chunk of img.
func insertBeforeIEND(img []byte, chunks ...[]byte) []byte {
	at := len(img) - 12
	out := append([]byte(nil), img[:at]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, img[at:]...)
}

func TestRoundTrip(t *testing.T) {
	for _, img := range []struct {
		name   string
		data   []byte
		format Format
	}{
		{"png", testPNG(), FormatPNG},
		{"svg", []byte(testSVG), FormatSVG},
	} {
		for _, cred := range []string{sampleJSON, sampleJWS} {
			name := img.name + "/" + cred[:5]
			baked, f, err := Bake(img.data, []byte(cred), Options{})
			if err != nil {
				t.Fatalf("%s: Bake: %v", name, err)
			}
			if f != img.format {
				t.Errorf("%s: Bake format %v, want %v", name, f, img.format)
			}
			got, f, err := Extract(baked)
			if err != nil {
				t.Fatalf("%s: Extract: %v", name, err)
			}
			if f != img.format {
				t.Errorf("%s: Extract format %v, want %v", name, f, img.format)
			}
			if string(got) != cred {
				t.Errorf("%s: extracted\n%q\nwant\n%q", name, got, cred)
			}

			// A second bake is refused, a replacing one is not.
			_, _, err = Bake(baked, []byte(sampleJWS), Options{})
			if !errors.Is(err, ErrAlreadyBaked) {
				t.Errorf("%s: re-bake: got %v, want ErrAlreadyBaked", name, err)
			}
			rebaked, _, err := Bake(baked, []byte(sampleJWS), Options{Replace: true})
			if err != nil {
				t.Fatalf("%s: replace: %v", name, err)
			}
			if got, _, err := Extract(rebaked); err != nil || string(got) != sampleJWS {
				t.Errorf("%s: after replace: %q, %v", name, got, err)
			}
			// Replacing a credential by itself gives back the same image.
			same, _, err := Bake(rebaked, []byte(sampleJWS), Options{Replace: true})
			if err != nil || !bytes.Equal(same, rebaked) {
				t.Errorf("%s: replacing a credential by itself changed the image (%v)", name, err)
			}
		}
	}
}

func TestBakeTrimsWhitespace(t *testing.T) {
	for _, img := range [][]byte{testPNG(), []byte(testSVG)} {
		baked, _, err := Bake(img, []byte("\n\t "+sampleJWS+" \r\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := Extract(baked)
		if err != nil || string(got) != sampleJWS {
			t.Errorf("got %q, %v; want %q", got, err, sampleJWS)
		}
	}
}

func TestInvalidCredential(t *testing.T) {
	tests := []struct {
		name, cred string
		want       error
	}{
		{"empty", "", ErrInvalidCredential},
		{"whitespace", " \n\t", ErrInvalidCredential},
		{"not json or jws", "hello", ErrInvalidCredential},
		{"unbalanced json", `{"a":1`, ErrInvalidCredential},
		{"json array", `[{"a":1}]`, ErrInvalidCredential},
		{"two parts", "aGVsbG8.d29ybGQ", ErrInvalidCredential},
		{"four parts", "a.b.c.d", ErrInvalidCredential},
		{"empty signature", "aGVsbG8.d29ybGQ.", ErrInvalidCredential},
		{"padding", "aGVsbG8=.d29ybGQ.c2ln", ErrInvalidCredential},
		{"space inside jws", "aGVsbG8. d29ybGQ.c2ln", ErrInvalidCredential},
		{"invalid utf-8", "{\"a\":\"\xff\"}", ErrInvalidCredential},
		{"nul", "{\"a\":\"\x00\"}", ErrInvalidCredential},
		{"control", "{\"a\":\"\x1b\"}", ErrInvalidCredential},
		{"u+fffe", "{\"a\":\"\uFFFE\"}", ErrInvalidCredential},
		{"too large", "{" + strings.Repeat(" ", MaxCredentialSize) + "}", ErrCredentialTooLarge},
	}
	for _, tt := range tests {
		for _, img := range [][]byte{testPNG(), []byte(testSVG)} {
			_, f, err := Bake(img, []byte(tt.cred), Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("%s: Bake %v: got %v, want %v", tt.name, f, err, tt.want)
			}
		}
	}
	// The limit counts the credential, not the whitespace around it.
	cred := "{" + strings.Repeat(" ", MaxCredentialSize-2) + "}"
	if _, err := BakePNG(testPNG(), []byte("\n"+cred+"\n")); err != nil {
		t.Errorf("credential of MaxCredentialSize bytes: %v", err)
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		data string
		want Format
	}{
		{pngSignature + "rest", FormatPNG},
		{"\x89PNG\n\x1a\n", FormatPNG}, // damaged signature: reported as a malformed PNG
		{"<svg/>", FormatSVG},
		{"\ufeff\n  <?xml version=\"1.0\"?><svg/>", FormatSVG},
		{"", FormatUnknown},
		{"GIF89a", FormatUnknown},
		{"{\"a\":1}", FormatUnknown},
	}
	for _, tt := range tests {
		if got := DetectFormat([]byte(tt.data)); got != tt.want {
			t.Errorf("DetectFormat(%q) = %v, want %v", tt.data, got, tt.want)
		}
	}
	if _, _, err := Extract([]byte("GIF89a")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Extract(GIF): %v, want ErrUnknownFormat", err)
	}
	if _, _, err := Bake([]byte("GIF89a"), []byte(sampleJWS), Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Bake(GIF): %v, want ErrUnknownFormat", err)
	}
	if _, err := ExtractPNG([]byte("\x89PNG\n\x1a\n" + strings.Repeat("x", 20))); !errors.Is(err, ErrMalformedPNG) {
		t.Errorf("damaged signature: %v, want ErrMalformedPNG", err)
	}
}

func TestImageTooLarge(t *testing.T) {
	big := append([]byte(pngSignature), make([]byte, MaxImageSize)...)
	if _, err := ExtractPNG(big); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("ExtractPNG: %v, want ErrImageTooLarge", err)
	}
	bigSVG := []byte("<svg>" + strings.Repeat(" ", MaxImageSize) + "</svg>")
	if _, err := ExtractSVG(bigSVG); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("ExtractSVG: %v, want ErrImageTooLarge", err)
	}

	// An image just under the limit cannot grow past it.
	comment := make([]byte, MaxImageSize-len(testPNG())-12-100)
	nearPNG := insertBeforeIEND(testPNG(), pngChunkBytes("tEXt", append([]byte("Comment\x00"), comment...)))
	if _, err := BakePNG(nearPNG, []byte(sampleJWS)); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("BakePNG near limit: %v, want ErrImageTooLarge", err)
	}
	nearSVG := []byte("<svg>" + strings.Repeat(" ", MaxImageSize-100) + "</svg>")
	if _, err := BakeSVG(nearSVG, []byte(sampleJWS)); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("BakeSVG near limit: %v, want ErrImageTooLarge", err)
	}
}

func TestFormatString(t *testing.T) {
	for f, want := range map[Format]string{FormatPNG: "png", FormatSVG: "svg", FormatUnknown: "unknown", Format(42): "unknown"} {
		if got := f.String(); got != want {
			t.Errorf("Format(%d).String() = %q, want %q", int(f), got, want)
		}
	}
}
