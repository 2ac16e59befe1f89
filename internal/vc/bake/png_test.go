package bake

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"testing"
)

func TestBakePNGLayout(t *testing.T) {
	img := testPNG()
	baked, err := BakePNG(img, []byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	// The original datastream up to IEND is kept, the chunk comes next, then IEND.
	chunk := pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "", "", sampleJSON))
	want := insertBeforeIEND(img, chunk)
	if !bytes.Equal(baked, want) {
		t.Errorf("baked png differs from the original with the chunk inserted before IEND")
	}
	// The image still decodes.
	if _, err := png.Decode(bytes.NewReader(baked)); err != nil {
		t.Errorf("image/png cannot decode the baked image: %v", err)
	}
}

func TestReplacePNGInPlace(t *testing.T) {
	// The credential chunk sits between two other chunks; replacing it keeps
	// its position and every other byte.
	before := pngChunkBytes("tEXt", []byte("Comment\x00before"))
	after := pngChunkBytes("tEXt", []byte("Comment\x00after"))
	old := pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "en", "Credential", sampleJWS))
	img := insertBeforeIEND(testPNG(), before, old, after)
	out, _, err := Bake(img, []byte(sampleJSON), Options{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	want := insertBeforeIEND(testPNG(), before, pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "", "", sampleJSON)), after)
	if !bytes.Equal(out, want) {
		t.Error("replacement did not keep the chunk's position and the other chunks")
	}
}

func TestExtractPNGErrors(t *testing.T) {
	base := testPNG()
	cred := pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "", "", sampleJWS))
	baked := insertBeforeIEND(base, cred)

	tamperedCRC := bytes.Clone(baked)
	tamperedCRC[len(tamperedCRC)-12-1]++ // last byte of the credential chunk's CRC
	tamperedData := bytes.Clone(baked)
	tamperedData[len(tamperedData)-12-4-10] ^= 1 // inside the credential text
	tamperedIDAT := bytes.Clone(baked)
	tamperedIDAT[8+25+12]++ // first data byte after IHDR

	hugeLength := bytes.Clone(base)
	copy(hugeLength[8+25:], []byte{0x80, 0, 0, 0})

	tests := []struct {
		name    string
		img     []byte
		want    error
		message string // a fragment of the expected message
	}{
		{"empty", nil, ErrMalformedPNG, "truncated signature"},
		{"signature only", []byte(pngSignature), ErrMalformedPNG, "no IEND"},
		{"crlf-damaged signature", append([]byte("\x89PNG\r\r\n\x1a\n"), base[8:]...), ErrMalformedPNG, "bad signature"},
		{"no credential", base, ErrNoCredential, "no iTXt chunk with keyword openbadgecredential"},
		{"tampered crc", tamperedCRC, ErrMalformedPNG, `chunk 2 ("iTXt") at offset 72: CRC mismatch`},
		{"tampered text", tamperedData, ErrMalformedPNG, "CRC mismatch"},
		{"tampered idat", tamperedIDAT, ErrMalformedPNG, `("IDAT")`},
		{"length over 2^31-1", hugeLength, ErrMalformedPNG, "exceeds 2^31-1"},
		{"truncated", baked[:len(baked)-20], ErrMalformedPNG, "only"},
		{"truncated header", baked[:len(baked)-7], ErrMalformedPNG, "truncated header"},
		{"missing IEND", baked[:len(baked)-12], ErrMalformedPNG, "no IEND"},
		{"data after IEND", append(bytes.Clone(baked), "junk"...), ErrMalformedPNG, "4 bytes after IEND"},
		{"IHDR not first", append(append([]byte(pngSignature), pngChunkBytes("tEXt", []byte("a\x00b"))...), base[8:]...), ErrMalformedPNG, "not IHDR"},
		{"bad chunk type", insertBeforeIEND(base, pngChunkBytes("iT1t", nil)), ErrMalformedPNG, "invalid chunk type"},
		{"two credentials", insertBeforeIEND(base, cred, cred), ErrMultipleCredentials, `chunk 2 ("iTXt") at offset 72 and chunk 3`},
		{"compressed", insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData(PNGKeyword, 1, 0, "", "", "x\x9c"))), ErrCompressedCredential, "forbids compression"},
		{"bad compression flag", insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData(PNGKeyword, 2, 0, "", "", sampleJWS))), ErrMalformedPNG, "compression flag 2"},
		{"bad compression method", insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 8, "", "", sampleJWS))), ErrMalformedPNG, "compression method 8"},
		{"truncated after keyword", insertBeforeIEND(base, pngChunkBytes("iTXt", []byte(PNGKeyword+"\x00\x00"))), ErrMalformedPNG, "truncated after keyword"},
		{"unterminated language tag", insertBeforeIEND(base, pngChunkBytes("iTXt", []byte(PNGKeyword+"\x00\x00\x00en"))), ErrMalformedPNG, "language tag not terminated"},
		{"unterminated translated keyword", insertBeforeIEND(base, pngChunkBytes("iTXt", []byte(PNGKeyword+"\x00\x00\x00\x00x"))), ErrMalformedPNG, "translated keyword not terminated"},
		{"empty text", insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "", "", " "))), ErrInvalidCredential, "empty"},
		{"garbage text", insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "", "", "garbage"))), ErrInvalidCredential, "neither a JSON object nor a compact JWS"},
		{"ob2 assertion", insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData("openbadges", 0, 0, "", "", "https://example.org/a"))), ErrNoCredential, "Open Badges 2.0"},
		{"tEXt credential", insertBeforeIEND(base, pngChunkBytes("tEXt", []byte(PNGKeyword+"\x00"+sampleJWS))), ErrNoCredential, "must be in an iTXt chunk"},
		{"keyword case", insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData("OpenBadgeCredential", 0, 0, "", "", sampleJWS))), ErrNoCredential, ""},
	}
	for _, tt := range tests {
		_, err := ExtractPNG(tt.img)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.message) {
			t.Errorf("%s: message %q lacks %q", tt.name, err, tt.message)
		}
	}
}

// An image that carries, besides its credential, another text chunk with a
// credential-like keyword — in a tEXt, zTXt or iTXt chunk, OB 3.0's or OB
// 2.0's keyword, in any case — is refused: readers would not agree on which
// badge it carries.
func TestExtractPNGAmbiguous(t *testing.T) {
	base := testPNG()
	cred := pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "", "", sampleJWS))
	other := map[string][]byte{
		"tEXt": []byte("%s\x00" + sampleJSON),
		"zTXt": []byte("%s\x00\x00x\x9c"),
		"iTXt": itxtData("%s", 0, 0, "", "", sampleJSON),
	}
	for _, typ := range []string{"tEXt", "zTXt", "iTXt"} {
		for _, kw := range []string{"openbadgecredential", "openbadges", "OpenBadgeCredential", "OPENBADGES"} {
			if typ == "iTXt" && kw == PNGKeyword {
				continue // two credentials: ErrMultipleCredentials
			}
			chunk := pngChunkBytes(typ, bytes.Replace(other[typ], []byte("%s"), []byte(kw), 1))
			for _, order := range [][][]byte{{cred, chunk}, {chunk, cred}} {
				_, err := ExtractPNG(insertBeforeIEND(base, order...))
				if !errors.Is(err, ErrAmbiguousCredential) || !strings.Contains(err.Error(), fmt.Sprintf("(%q) at offset", typ)) ||
					!strings.Contains(err.Error(), fmt.Sprintf("keyword %q", kw)) {
					t.Errorf("credential and a %s chunk with keyword %s: %v, want ErrAmbiguousCredential naming it", typ, kw, err)
				}
			}
		}
	}
	// Other text chunks are no concern.
	img := insertBeforeIEND(base, pngChunkBytes("tEXt", []byte("Comment\x00openbadgecredential")), cred,
		pngChunkBytes("iTXt", itxtData("openbadges-note", 0, 0, "", "", "x")))
	if got, err := ExtractPNG(img); err != nil || string(got) != sampleJWS {
		t.Errorf("credential with unrelated text chunks: %q, %v", got, err)
	}
}

// Baking into an image with a credential-like chunk is refused, or with
// Replace drops it, so that the result is not ambiguous.
func TestBakePNGAmbiguous(t *testing.T) {
	base := testPNG()
	ob2 := pngChunkBytes("iTXt", itxtData("openbadges", 0, 0, "", "", "https://example.org/assertion"))
	text := pngChunkBytes("tEXt", []byte("openbadgecredential\x00"+sampleJWS))
	comment := pngChunkBytes("tEXt", []byte("Comment\x00kept"))
	img := insertBeforeIEND(base, ob2, comment, text)
	if _, err := BakePNG(img, []byte(sampleJSON)); !errors.Is(err, ErrAmbiguousCredential) {
		t.Errorf("bake into an image with an OB 2.0 chunk: %v, want ErrAmbiguousCredential", err)
	}
	out, _, err := Bake(img, []byte(sampleJSON), Options{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	want := insertBeforeIEND(base, comment, pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "", "", sampleJSON)))
	if !bytes.Equal(out, want) {
		t.Error("replace did not drop the credential-like chunks and keep the others")
	}
	if got, err := ExtractPNG(out); err != nil || string(got) != sampleJSON {
		t.Errorf("after replace: %q, %v", got, err)
	}
}

func TestExtractPNGLenient(t *testing.T) {
	// A language tag and translated keyword are allowed, and whitespace
	// around the text is dropped.
	img := insertBeforeIEND(testPNG(), pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "en", "Credential", "\n"+sampleJSON+"\n")))
	got, err := ExtractPNG(img)
	if err != nil || string(got) != sampleJSON {
		t.Errorf("got %q, %v", got, err)
	}
	// The result is a copy.
	got[0] = 'X'
	if again, _ := ExtractPNG(img); string(again) != sampleJSON {
		t.Error("ExtractPNG returned a slice of its input")
	}
}

func TestBakePNGErrors(t *testing.T) {
	base := testPNG()
	cred := pngChunkBytes("iTXt", itxtData(PNGKeyword, 0, 0, "", "", sampleJWS))
	two := insertBeforeIEND(base, cred, cred)
	if _, _, err := Bake(two, []byte(sampleJSON), Options{Replace: true}); !errors.Is(err, ErrMultipleCredentials) {
		t.Errorf("replace with two chunks: %v, want ErrMultipleCredentials", err)
	}
	// A compressed credential chunk counts as a credential: it is refused
	// without Replace and replaced with it.
	compressed := insertBeforeIEND(base, pngChunkBytes("iTXt", itxtData(PNGKeyword, 1, 0, "", "", "x\x9c")))
	if _, err := BakePNG(compressed, []byte(sampleJSON)); !errors.Is(err, ErrAlreadyBaked) {
		t.Errorf("bake over compressed chunk: %v, want ErrAlreadyBaked", err)
	}
	out, _, err := Bake(compressed, []byte(sampleJSON), Options{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ExtractPNG(out); err != nil || string(got) != sampleJSON {
		t.Errorf("after replacing a compressed chunk: %q, %v", got, err)
	}
	bad := bytes.Clone(base)
	bad[20]++
	if _, err := BakePNG(bad, []byte(sampleJSON)); !errors.Is(err, ErrMalformedPNG) {
		t.Errorf("bake into corrupt png: %v, want ErrMalformedPNG", err)
	}
}
