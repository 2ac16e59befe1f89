// Package fonts holds the one typeface attesta sets its documents and
// pictures in, DejaVu Sans Condensed (regular and bold), embedded: the
// printouts (package pdf) and the badges' pictures (package badgeimage).
// LICENSE says where the font comes from and its licence.
package fonts

import _ "embed"

// Regular and Bold are the TrueType fonts.
var (
	//go:embed DejaVuSansCondensed.ttf
	Regular []byte
	//go:embed DejaVuSansCondensed-Bold.ttf
	Bold []byte
)
