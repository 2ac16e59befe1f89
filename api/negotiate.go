package api

import (
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// negotiate picks the media type to answer r with among offers, by its
// Accept header (RFC 9110 §12.5.1): each offer takes the quality of the
// most specific range that matches it (type/subtype, then type/*, then
// */*), and the best quality wins, the earlier offer among equals. It is
// the first offer when r says nothing, and "" when r accepts none.
func negotiate(r *http.Request, offers ...string) string {
	accept := r.Header.Values("Accept")
	if len(accept) == 0 {
		return offers[0]
	}
	q := make([]float64, len(offers))
	spec := make([]int, len(offers))
	for i := range spec {
		spec[i] = -1
	}
	for _, field := range accept {
		for item := range strings.SplitSeq(field, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(item))
			if err != nil {
				continue
			}
			quality := 1.0
			if v, ok := params["q"]; ok {
				if quality, err = strconv.ParseFloat(v, 64); err != nil || quality < 0 || quality > 1 {
					continue
				}
			}
			for i, offer := range offers {
				if s := specificity(mt, offer); s > spec[i] {
					spec[i], q[i] = s, quality
				}
			}
		}
	}
	best, bestQ := "", 0.0
	for i, offer := range offers {
		if q[i] > bestQ {
			best, bestQ = offer, q[i]
		}
	}
	return best
}

// specificity says how closely a media range matches a type: 2 exactly,
// 1 by type/*, 0 by */*, -1 not at all.
func specificity(mediaRange, offer string) int {
	switch {
	case mediaRange == offer:
		return 2
	case mediaRange == "*/*":
		return 0
	case strings.HasSuffix(mediaRange, "/*") && strings.HasPrefix(offer, strings.TrimSuffix(mediaRange, "*")):
		return 1
	}
	return -1
}
