package jsonld

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Pinned is a context document and the SHA-256 digest its bytes must have.
type Pinned struct {
	Data   []byte
	SHA256 string // hexadecimal
}

// Documents is an immutable set of context documents, each known by its URL
// and pinned by its hash. It is the only source of remote contexts: a
// context URL that is not in the set is an error, and nothing is ever
// fetched. A Documents is safe for concurrent use.
type Documents struct {
	docs map[string]*jv
}

// maxDocumentDepth bounds the nesting of context documents.
const maxDocumentDepth = 128

// NewDocuments checks every document against its digest, parses it as
// strict JSON and returns the set. URLs must be absolute IRIs.
func NewDocuments(docs map[string]Pinned) (*Documents, error) {
	d := &Documents{docs: make(map[string]*jv, len(docs))}
	urls := make([]string, 0, len(docs))
	for u := range docs {
		urls = append(urls, u)
	}
	slices.Sort(urls) // deterministic error reporting
	for _, u := range urls {
		p := docs[u]
		if classifyIRI(u) != iriOK {
			return nil, &Error{Code: CodeInvalidDocument, Message: fmt.Sprintf("document URL %q is not an absolute IRI", u)}
		}
		want, err := hex.DecodeString(strings.TrimSpace(p.SHA256))
		if err != nil || len(want) != sha256.Size {
			return nil, &Error{Code: CodeInvalidDocument, Message: fmt.Sprintf("document %s: SHA-256 %q is not 64 hexadecimal digits", u, p.SHA256)}
		}
		got := sha256.Sum256(p.Data)
		if string(got[:]) != string(want) {
			return nil, &Error{Code: CodeInvalidDocument, Message: fmt.Sprintf("document %s: SHA-256 is %x, pinned %s", u, got, strings.ToLower(p.SHA256))}
		}
		dec := decoder{src: string(p.Data), maxDepth: maxDocumentDepth}
		v, err := dec.decode()
		if err != nil {
			return nil, &Error{Code: CodeInvalidDocument, Message: fmt.Sprintf("document %s", u), Err: err}
		}
		if v.k != kObj {
			return nil, &Error{Code: CodeInvalidDocument, Message: fmt.Sprintf("document %s is not a JSON object", u)}
		}
		d.docs[u] = &v
	}
	return d, nil
}

// Has reports whether the set holds a document for url.
func (d *Documents) Has(url string) bool {
	if d == nil {
		return false
	}
	_, ok := d.docs[url]
	return ok
}

// URLs returns the URLs of the documents, sorted.
func (d *Documents) URLs() []string {
	if d == nil {
		return nil
	}
	urls := make([]string, 0, len(d.docs))
	for u := range d.docs {
		urls = append(urls, u)
	}
	slices.Sort(urls)
	return urls
}

func (d *Documents) get(url string) (*jv, bool) {
	if d == nil {
		return nil, false
	}
	v, ok := d.docs[url]
	return v, ok
}

// Limits bounds the work done for one input document. The zero value of
// each field selects its default.
type Limits struct {
	// MaxInputBytes is the largest JSON text accepted (default 1 MiB).
	MaxInputBytes int
	// MaxDepth is the deepest nesting of JSON arrays and objects (default 64).
	MaxDepth int
	// MaxNodes bounds the JSON values of the input, the elements expansion
	// produces and the term definitions created for its inline contexts,
	// each counted separately (default 100,000).
	MaxNodes int
	// MaxQuads is the most RDF quads produced (default 100,000).
	MaxQuads int
	// MaxContextDepth is the deepest nesting of context URLs, a context that
	// loads a context that loads … (default 10, like jsonld.js).
	MaxContextDepth int
	// MaxCachedContexts bounds the processed contexts a Processor keeps
	// (default 4,096). Beyond it contexts are still processed, not cached.
	MaxCachedContexts int
}

// Default limits.
const (
	DefaultMaxInputBytes     = 1 << 20
	DefaultMaxDepth          = 64
	DefaultMaxNodes          = 100_000
	DefaultMaxQuads          = 100_000
	DefaultMaxContextDepth   = 10
	DefaultMaxCachedContexts = 4096
)

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxInputBytes, DefaultMaxInputBytes)
	def(&l.MaxDepth, DefaultMaxDepth)
	def(&l.MaxNodes, DefaultMaxNodes)
	def(&l.MaxQuads, DefaultMaxQuads)
	def(&l.MaxContextDepth, DefaultMaxContextDepth)
	def(&l.MaxCachedContexts, DefaultMaxCachedContexts)
	return l
}
