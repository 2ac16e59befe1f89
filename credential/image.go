package credential

import (
	"errors"
	"fmt"
	"strings"

	"github.com/attesta/attesta/internal/vc/bake"
)

// CheckImage is the check of a baked SVG badge's picture: whether it has
// active content (scripts, event handlers, references to outside
// resources). The credential in it is signed and checked apart, so active
// content is a warning, not a failure: the credential may be valid, but
// the picture must not be displayed as it is.
const CheckImage CheckID = "image"

// checkImage reports the active content of the SVG image img.
func (v *Verifier) checkImage(r *Report, img []byte) {
	active, n, err := bake.ActiveContent(img)
	switch {
	case err != nil:
		// Extract parsed it already; this cannot happen.
		r.add(CheckImage, Fail, msg("verify.format.image"), err.Error())
	case n == 0:
		r.add(CheckImage, Pass, msg("verify.image.clean"), "")
	default:
		var d []string
		for _, a := range active {
			d = append(d, a.String())
		}
		detail := strings.Join(d, "; ")
		if n > len(active) {
			detail += fmt.Sprintf("; and %d more", n-len(active))
		}
		r.add(CheckImage, Warn, msg("verify.image.active", n), detail)
	}
}

// imageReason says why no credential could be read from an image: it is
// ambiguous (it carries another credential-like text besides its
// credential), or else it carries no readable one.
func imageReason(err error) Message {
	if errors.Is(err, bake.ErrAmbiguousCredential) {
		return msg("verify.format.ambiguous")
	}
	return msg("verify.format.image")
}
