package qr

import (
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMatrix: the code has the size of a QR version (21 + 4v modules) and
// its three finder patterns, 7 × 7 with a dark ring, a light ring and a dark
// 3 × 3 centre, at three corners.
func TestMatrix(t *testing.T) {
	m, err := Matrix("openid-credential-offer://?credential_offer=%7B%7D", Medium)
	if err != nil {
		t.Fatal(err)
	}
	n := len(m)
	if (n-21)%4 != 0 || n < 21 {
		t.Fatalf("%d modules a side is no QR version", n)
	}
	for _, row := range m {
		if len(row) != n {
			t.Fatal("not square")
		}
	}
	finder := func(x0, y0 int) {
		for y := range 7 {
			for x := range 7 {
				ring := max(abs(x-3), abs(y-3))
				want := ring != 2
				if m[y0+y][x0+x] != want {
					t.Fatalf("finder at %d,%d: module %d,%d is %v", x0, y0, x, y, !want)
				}
			}
		}
	}
	finder(0, 0)
	finder(n-7, 0)
	finder(0, n-7)
	if _, err := Matrix(strings.Repeat("x", 3000), Highest); err == nil {
		t.Fatal("a text too long for any version was encoded")
	}
}

// TestSVG: well-formed, with the quiet zone, its title escaped, and as
// many dark unit squares as the matrix.
func TestSVG(t *testing.T) {
	text := "https://attesta.example/verify?id=1"
	m, _ := Matrix(text, Low)
	s, err := SVG(text, Low, 200, `Codice QR <"offerta">`)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal([]byte(s), new(struct{})); err != nil {
		t.Fatalf("not XML: %v\n%s", err, s)
	}
	if !strings.Contains(s, `<title>Codice QR &lt;&#34;offerta&#34;&gt;</title>`) || !strings.Contains(s, `width="200"`) {
		t.Fatalf("svg %s", s)
	}
	side := strconv.Itoa(len(m) + 2*QuietZone)
	if !strings.Contains(s, `viewBox="0 0 `+side+" "+side+`"`) {
		t.Fatalf("viewBox without the quiet zone: %s", s[:120])
	}
	dark := 0
	for _, row := range m {
		for _, v := range row {
			if v {
				dark++
			}
		}
	}
	drawn := 0
	for _, h := range regexp.MustCompile(`h(\d+)v1`).FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(h[1])
		drawn += n
	}
	if drawn != dark {
		t.Fatalf("%d modules drawn, %d dark", drawn, dark)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
