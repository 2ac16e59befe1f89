package credential

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"

	"github.com/attesta/attesta/internal/vc/did"
)

// A credential's relatedResource ([VC-DATA-MODEL-2.0] §5.3) binds it to the
// exact bytes of other resources — most often its own JSON-LD contexts — by
// their digests. attesta fetches nothing: it checks a digest against the
// resources it holds, which are the contexts it embeds and the earlier
// published revisions of those, since a credential carries the digest of
// whichever revision was published when it was issued. A resource attesta
// does not hold is not checked (its digest is the issuer's word).
//
// [VC-DATA-MODEL-2.0]: https://www.w3.org/TR/vc-data-model-2.0/#integrity-of-related-resources

// revisions are earlier published revisions of embedded contexts, by URL:
// data for relatedResource digests, never for JSON-LD processing.
var revisions = map[string][]pinnedContext{
	// The VC 2.0 context as published from July 2024 to February 2025
	// (w3c/vc-data-model @ 8d0ee1072f16284a1a0613d78bd7c20c915bad09,
	// contexts/credentials/v2).
	ContextVC: {{"www.w3.org_ns_credentials_v2.2024-07-03.jsonld", "24a18c90e9856d526111f29376e302d970b2bd10182e33959995b0207d7043b9"}},
}

// knownResource returns every revision of a resource attesta holds.
func knownResource(url string) [][]byte {
	var out [][]byte
	for _, p := range append([]pinnedContext{pinned[url]}, revisions[url]...) {
		if p.file == "" {
			continue
		}
		data, err := contextFiles.ReadFile("contexts/" + p.file)
		if err != nil {
			continue
		}
		if sum := sha256.Sum256(data); fmt.Sprintf("%x", sum) != p.sha256 {
			continue
		}
		out = append(out, data)
	}
	return out
}

// relatedResources checks the relatedResource member: objects, each with a
// unique id and at least one well-formed digest that, for a resource attesta
// holds, matches one of its revisions.
func (s *structure) relatedResources(v any) {
	if v == nil {
		return
	}
	seen := map[string]bool{}
	s.each("relatedResource", v, func(path string, r map[string]any) {
		id, _ := r["id"].(string)
		s.iri(path+".id", r["id"])
		if id != "" && seen[id] {
			s.add(path+".id", fmt.Sprintf("%s is listed twice", short(id)))
		}
		seen[id] = true
		sri, hasSRI := r["digestSRI"]
		mb, hasMB := r["digestMultibase"]
		if !hasSRI && !hasMB {
			s.add(path, "needs a digestSRI or a digestMultibase")
			return
		}
		known := knownResource(id)
		if hasSRI {
			s.digest(path+".digestSRI", sri, parseSRI, known)
		}
		if hasMB {
			s.digest(path+".digestMultibase", mb, parseMultibaseDigest, known)
		}
	})
}

// digest checks one digest value with parse, and against the revisions
// of the resource when attesta holds it.
func (s *structure) digest(path string, v any, parse func(string) (func() hash.Hash, []byte, error), known [][]byte) {
	str, _ := v.(string)
	newHash, sum, err := parse(str)
	if err != nil {
		s.add(path, err.Error())
		return
	}
	if len(known) == 0 {
		return
	}
	for _, data := range known {
		h := newHash()
		h.Write(data)
		if bytes.Equal(h.Sum(nil), sum) {
			return
		}
	}
	s.add(path, "does not match the resource")
}

// parseSRI reads a Subresource Integrity value: sha256-, sha384- or
// sha512- followed by the digest in base64.
func parseSRI(v string) (func() hash.Hash, []byte, error) {
	alg, b64, ok := strings.Cut(v, "-")
	newHash, size := hashNamed(alg)
	if !ok || newHash == nil {
		return nil, nil, fmt.Errorf("%q is not sha256-, sha384- or sha512- and a base64 digest", short(v))
	}
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) != size {
		return nil, nil, fmt.Errorf("%q is not a base64 %s digest", short(v), alg)
	}
	return newHash, sum, nil
}

// parseMultibaseDigest reads a digestMultibase: base64url ("u") or base58btc
// ("z") of a SHA-2 multihash, or of a bare SHA-256 digest.
func parseMultibaseDigest(v string) (func() hash.Hash, []byte, error) {
	var raw []byte
	var err error
	switch {
	case strings.HasPrefix(v, "u"):
		raw, err = base64.RawURLEncoding.DecodeString(v[1:])
	case strings.HasPrefix(v, "z"):
		raw, err = did.DecodeBase58(v[1:])
	default:
		err = fmt.Errorf("not base64url (u) or base58btc (z)")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%q is not a multibase digest: %v", short(v), err)
	}
	multihash := map[byte]string{0x12: "sha256", 0x20: "sha384", 0x13: "sha512"}
	if len(raw) > 2 {
		if alg, ok := multihash[raw[0]]; ok {
			if newHash, size := hashNamed(alg); int(raw[1]) == size && len(raw) == 2+size {
				return newHash, raw[2:], nil
			}
		}
	}
	if len(raw) == sha256.Size {
		return sha256.New, raw, nil
	}
	return nil, nil, fmt.Errorf("%q is neither a SHA-2 multihash nor a SHA-256 digest", short(v))
}

func hashNamed(alg string) (func() hash.Hash, int) {
	switch alg {
	case "sha256":
		return sha256.New, sha256.Size
	case "sha384":
		return sha512.New384, sha512.Size384
	case "sha512":
		return sha512.New, sha512.Size
	}
	return nil, 0
}
