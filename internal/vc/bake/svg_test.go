package bake

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestBakeSVGLayout(t *testing.T) {
	tests := []struct {
		name, img, cred, want string
	}{
		{
			name: "json",
			img:  testSVG,
			cred: `{"a":"]]>","b":"x` + "\r\n" + `"}`,
			want: `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">` +
				`<openbadges:credential><![CDATA[{"a":"]]]]><![CDATA[>","b":"x]]>&#13;<![CDATA[` + "\n" + `"}]]></openbadges:credential>
  <rect width="4" height="4" fill="#36c"/>
</svg>
`,
		},
		{
			name: "jws, self-closing prefixed root",
			img:  `<s:svg xmlns:s="http://www.w3.org/2000/svg"/>`,
			cred: sampleJWS,
			want: `<s:svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" xmlns:s="http://www.w3.org/2000/svg">` +
				`<openbadges:credential verify="` + sampleJWS + `"></openbadges:credential></s:svg>`,
		},
		{
			name: "byte order mark, CRLF, comment before the root",
			img:  "\ufeff<!-- c -->\r\n<svg\r\n  width=\"4\">\r\n</svg>\r\n",
			cred: sampleJWS,
			want: "\ufeff<!-- c -->\r\n<svg xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"\r\n  width=\"4\">" +
				`<openbadges:credential verify="` + sampleJWS + `"></openbadges:credential>` + "\r\n</svg>\r\n",
		},
		{
			name: "namespace already bound to another prefix",
			img:  `<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><g/></svg>`,
			cred: sampleJWS,
			want: `<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><ob:credential verify="` + sampleJWS + `"></ob:credential><g/></svg>`,
		},
		{
			name: "reserved prefix bound to the namespace is not reused",
			img:  `<svg xmlns:xmlns="https://purl.imsglobal.org/ob/v3p0"/>`,
			cred: sampleJWS,
			want: `<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" xmlns:xmlns="https://purl.imsglobal.org/ob/v3p0">` +
				`<openbadges:credential verify="` + sampleJWS + `"></openbadges:credential></svg>`,
		},
		{
			name: "prefix openbadges bound to OB 2.0",
			img:  `<svg xmlns:openbadges="http://openbadges.org"><g/></svg>`,
			cred: sampleJWS,
			want: `<svg xmlns:openbadges="http://openbadges.org"><openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" verify="` + sampleJWS + `"></openbadges:credential><g/></svg>`,
		},
	}
	for _, tt := range tests {
		got, err := BakeSVG([]byte(tt.img), []byte(tt.cred))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tt.name, got, tt.want)
		}
		back, err := ExtractSVG(got)
		if err != nil || string(back) != tt.cred {
			t.Errorf("%s: extracted %q, %v; want %q", tt.name, back, err, tt.cred)
		}
	}
}

func TestExtractSVG(t *testing.T) {
	tests := []struct {
		name, img, want string
	}{
		{
			name: "other prefix",
			img:  `<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="https://purl.imsglobal.org/ob/v3p0"><x:credential><![CDATA[{"a":1}]]></x:credential></svg>`,
			want: `{"a":1}`,
		},
		{
			name: "default namespace on the element",
			img:  `<svg><credential xmlns="https://purl.imsglobal.org/ob/v3p0">  ` + sampleJWS + "\n</credential></svg>",
			want: sampleJWS,
		},
		{
			name: "verify attribute, whitespace",
			img:  `<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify=" ` + sampleJWS + ` ">` + "\n  " + `</openbadges:credential></svg>`,
			want: sampleJWS,
		},
		{
			name: "escaped text, no CDATA",
			img:  `<svg xmlns:o="https://purl.imsglobal.org/ob/v3p0"><o:credential>{"a":"&lt;&amp;&#x1F3C5;"}</o:credential></svg>`,
			want: `{"a":"<&` + "\U0001F3C5" + `"}`,
		},
		{
			name: "nested, comment inside, BOM and DOCTYPE without internal subset",
			img:  "\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg><g><o:credential xmlns:o=\"https://purl.imsglobal.org/ob/v3p0\"><![CDATA[{\"a\":]]><!-- c -->1}</o:credential></g></svg>\n<!-- trailer -->\n",
			want: `{"a":1}`,
		},
	}
	for _, tt := range tests {
		got, err := ExtractSVG([]byte(tt.img))
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestExtractSVGErrors(t *testing.T) {
	const ns = `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`
	tests := []struct {
		name, img string
		want      error
		message   string
	}{
		{"no element", testSVG, ErrNoCredential, "no credential element"},
		{"wrong namespace", `<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v2p0"><openbadges:credential verify="a.b.c"/></svg>`, ErrNoCredential, `in namespace "https://purl.imsglobal.org/ob/v2p0"`},
		{"undeclared prefix", `<svg><openbadges:credential verify="a.b.c"/></svg>`, ErrNoCredential, `prefix "openbadges", bound to no namespace`},
		{"no namespace", `<svg><credential verify="a.b.c"/></svg>`, ErrNoCredential, "in no namespace"},
		{"ob2 assertion", `<svg xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="a.b.c"/></svg>`, ErrNoCredential, "Open Badges 2.0"},
		{"two elements", `<svg ` + ns + `><openbadges:credential verify="a.b.c"/>` + "\n" + `<openbadges:credential verify="a.b.c"/></svg>`, ErrMultipleCredentials, "line 1 and credential element at line 2"},
		{"verify and content", `<svg ` + ns + `><openbadges:credential verify="a.b.c">{}</openbadges:credential></svg>`, ErrInvalidCredential, "both a verify attribute and content"},
		{"child element", `<svg ` + ns + `><openbadges:credential><b>{}</b></openbadges:credential></svg>`, ErrInvalidCredential, "child element <b>"},
		{"empty", `<svg ` + ns + `><openbadges:credential>  <![CDATA[ ]]> </openbadges:credential></svg>`, ErrInvalidCredential, "empty"},
		{"garbage", `<svg ` + ns + `><openbadges:credential>hello</openbadges:credential></svg>`, ErrInvalidCredential, "line 1: neither"},
		{"not svg", `<html><body/></html>`, ErrMalformedSVG, "not svg"},
		{"svg in other namespace", `<svg xmlns="http://example.org/"/>`, ErrMalformedSVG, "not svg"},
		{"not well-formed", `<svg><g></svg>`, ErrMalformedSVG, "syntax error"},
		{"unclosed", `<svg ` + ns + `><openbadges:credential>{}`, ErrMalformedSVG, "unexpected EOF"},
		{"empty input", ``, ErrMalformedSVG, "no root element"},
		{"second root", `<svg/><svg/>`, ErrMalformedSVG, "after the root element"},
		{"text after root", `<svg/>junk`, ErrMalformedSVG, "text outside the root element"},
		{"duplicate attribute", `<svg a="1" a="2"/>`, ErrMalformedSVG, "duplicate attribute a"},
		{"duplicate namespace declaration", `<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" xmlns:openbadges="x"/>`, ErrMalformedSVG, "duplicate attribute xmlns:openbadges"},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><svg/>`, ErrMalformedSVG, "ISO-8859-1"},
		{"undefined entity", `<svg ` + ns + `><openbadges:credential>&cred;</openbadges:credential></svg>`, ErrMalformedSVG, "entity"},
		{
			"billion laughs",
			`<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
				`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><svg ` + ns + `><openbadges:credential>&lol3;</openbadges:credential></svg>`,
			ErrMalformedSVG, "internal subset",
		},
		{
			"external entity",
			`<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><svg ` + ns + `><openbadges:credential>&xxe;</openbadges:credential></svg>`,
			ErrMalformedSVG, "internal subset",
		},
		{"entity declaration outside doctype", `<svg><!ENTITY a "b"></svg>`, ErrMalformedSVG, "outside a DOCTYPE"},
		{"doctype inside root", `<svg><!DOCTYPE svg></svg>`, ErrMalformedSVG, "DOCTYPE inside"},
		{"too deep", `<svg>` + strings.Repeat("<g>", maxSVGDepth) + strings.Repeat("</g>", maxSVGDepth) + `</svg>`, ErrMalformedSVG, "nested deeper"},
		{"too large", `<svg>` + strings.Repeat(" ", MaxImageSize) + `</svg>`, ErrImageTooLarge, ""},
	}
	for _, tt := range tests {
		_, err := ExtractSVG([]byte(tt.img))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.message) {
			t.Errorf("%s: message %q lacks %q", tt.name, err, tt.message)
		}
	}
}

func TestBakeSVGErrors(t *testing.T) {
	const el = `<openbadges:credential verify="a.b.c"/>`
	const ns = `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`
	if _, err := BakeSVG([]byte(`<svg `+ns+`>`+el+`</svg>`), []byte(sampleJWS)); !errors.Is(err, ErrAlreadyBaked) {
		t.Errorf("bake into baked svg: %v, want ErrAlreadyBaked", err)
	}
	if _, _, err := Bake([]byte(`<svg `+ns+`>`+el+el+`</svg>`), []byte(sampleJWS), Options{Replace: true}); !errors.Is(err, ErrMultipleCredentials) {
		t.Errorf("replace with two elements: %v, want ErrMultipleCredentials", err)
	}
	if _, err := BakeSVG([]byte(`<svg><g></svg>`), []byte(sampleJWS)); !errors.Is(err, ErrMalformedSVG) {
		t.Errorf("bake into malformed svg: %v, want ErrMalformedSVG", err)
	}

	// Replacing moves the credential to the first child and keeps the rest.
	img := `<svg ` + ns + `><g>` + el + `</g><!-- x --></svg>`
	out, _, err := Bake([]byte(img), []byte(sampleJWS), Options{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `<svg ` + ns + `><openbadges:credential verify="` + sampleJWS + `"></openbadges:credential><g></g><!-- x --></svg>`
	if string(out) != want {
		t.Errorf("replace: got\n%s\nwant\n%s", out, want)
	}
}

// An SVG that carries, besides its credential, an element a reader could
// take for another credential is refused; baking drops it with Replace.
func TestSVGAmbiguous(t *testing.T) {
	const ns = `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`
	cred := `<openbadges:credential verify="` + sampleJWS + `"/>`
	for _, other := range []string{
		`<assertion xmlns="http://openbadges.org" verify="a.b.c"/>`,
		`<credential verify="a.b.c"/>`,
		`<x:credential xmlns:x="https://purl.imsglobal.org/ob/v2p0">{}</x:credential>`,
		`<openbadges:Credential verify="a.b.c"/>`,
	} {
		for _, img := range []string{`<svg ` + ns + `>` + cred + `<g>` + other + `</g></svg>`, `<svg ` + ns + `>` + other + cred + `</svg>`} {
			if _, err := ExtractSVG([]byte(img)); !errors.Is(err, ErrAmbiguousCredential) {
				t.Errorf("%s: %v, want ErrAmbiguousCredential", img, err)
			}
			if _, err := BakeSVG([]byte(strings.Replace(img, cred, "", 1)), []byte(sampleJSON)); !errors.Is(err, ErrAmbiguousCredential) {
				t.Errorf("bake into %s: %v, want ErrAmbiguousCredential", img, err)
			}
			out, _, err := Bake([]byte(img), []byte(sampleJSON), Options{Replace: true})
			if err != nil {
				t.Errorf("replace in %s: %v", img, err)
				continue
			}
			if got, err := ExtractSVG(out); err != nil || string(got) != sampleJSON || strings.Contains(string(out), other) {
				t.Errorf("replace in %s: %s\nextracts %q, %v", img, out, got, err)
			}
		}
	}
}

// ActiveContent lists what an SVG would run or fetch; a plain picture, and
// references within it or to inline raster pictures, have none.
func TestActiveContent(t *testing.T) {
	const png = "data:image/png;base64,iVBORw0KGgo="
	clean := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" style="fill:url(#g)">` +
		`<defs><linearGradient id="g"/><style>rect{fill:url( '#g' )}</style></defs><use xlink:href="#g"/><image href="` + png + `"/>` +
		`<rect offset="1" opacity="0.5" orient="auto"/><animate attributeName="opacity" to="1"/></svg>`
	if got, n, err := ActiveContent([]byte(clean)); err != nil || n != 0 || len(got) != 0 {
		t.Errorf("a picture without active content: %v %d %v", got, n, err)
	}
	tests := []struct {
		name, img string
		want      []Active
	}{
		{"script element", `<svg><script>alert(1)</script></svg>`, []Active{{1, ActiveScript, "element <script>"}}},
		{"script in XHTML in foreignObject", "<svg>\n<foreignObject><html:SCRIPT xmlns:html=\"http://www.w3.org/1999/xhtml\"/></foreignObject></svg>",
			[]Active{{2, ActiveScript, "element <SCRIPT>"}}},
		{"event handler on the root", `<svg onload="alert(1)"/>`, []Active{{1, ActiveHandler, "attribute onload of <svg>"}}},
		{"event handler, any case", `<svg><g ONClick="x()"/></svg>`, []Active{{1, ActiveHandler, "attribute ONClick of <g>"}}},
		{"javascript link", `<svg xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href=" jav&#x09;ascript:alert(1)"/></svg>`,
			[]Active{{1, ActiveScript, "attribute href of <a> (a javascript: URL)"}}},
		{"outside picture", `<svg><image href="https://tracker.example/p.png"/></svg>`,
			[]Active{{1, ActiveReference, `attribute href of <image> ("https://tracker.example/p.png")`}}},
		{"relative reference", `<svg><use href="other.svg#icon"/></svg>`, []Active{{1, ActiveReference, `attribute href of <use> ("other.svg#icon")`}}},
		{"svg in a data URL", `<svg><image href="data:image/svg+xml,&lt;svg onload=x()/>"/></svg>`,
			[]Active{{1, ActiveReference, "attribute href of <image> (a data: URL that is not a PNG, JPEG, GIF or WebP picture)"}}},
		{"embedded document", `<svg><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" srcdoc="x"/></foreignObject></svg>`,
			[]Active{{1, ActiveReference, "element <iframe>"}, {1, ActiveReference, "attribute srcdoc of <iframe> (an embedded document)"}}},
		{"animated link", `<svg><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>`,
			[]Active{{1, ActiveHandler, "<set> animating href"}, {1, ActiveScript, "attribute to of <set> (a javascript: URL)"}}},
		{"animated handler", `<svg><animate attributeName="onbegin" values="x"/></svg>`, []Active{{1, ActiveHandler, "<animate> animating onbegin"}}},
		{"style sheet import", "<svg><style>\n@import 'https://x.example/a.css';</style></svg>", []Active{{2, ActiveReference, "a <style> element (an @import)"}}},
		{"style url", `<svg><rect style="fill: url(https://x.example/p)"/></svg>`,
			[]Active{{1, ActiveReference, "attribute style of <rect> (url(https://x.example/p))"}}},
		{"xml-stylesheet", `<?xml-stylesheet href="https://x.example/s.css"?><svg/>`, []Active{{1, ActiveReference, "an xml-stylesheet processing instruction"}}},
	}
	for _, tt := range tests {
		got, n, err := ActiveContent([]byte(tt.img))
		if err != nil || n != len(tt.want) || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v (%d), %v; want %v", tt.name, got, n, err, tt.want)
		}
	}
	// Many are counted, a few are listed.
	many := `<svg>` + strings.Repeat(`<g onclick="x()"/>`, 50) + `</svg>`
	if got, n, err := ActiveContent([]byte(many)); err != nil || n != 50 || len(got) != maxActive {
		t.Errorf("50 handlers: %d listed of %d, %v", len(got), n, err)
	}
	// A credential is extracted from an image with active content alike:
	// reporting it is the verifier's business.
	baked, err := BakeSVG([]byte(`<svg onload="x()"/>`), []byte(sampleJWS))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ExtractSVG(baked); err != nil || string(got) != sampleJWS {
		t.Errorf("extract from an image with active content: %q, %v", got, err)
	}
	if _, _, err := ActiveContent([]byte(`<svg><g></svg>`)); !errors.Is(err, ErrMalformedSVG) {
		t.Errorf("malformed: %v", err)
	}
}
