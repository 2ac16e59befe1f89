package rdf

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"sync"
)

// DefaultMaxWork is the work bound [Canonicalize] applies when
// Options.MaxWork is zero. It is far above what real credentials need (the
// whole W3C test suite stays under a tenth of it) yet stops poison graphs such
// as a clique of ten blank nodes within milliseconds.
const DefaultMaxWork = 100_000

// ErrWorkLimit is wrapped by the error [Canonicalize] returns when a dataset
// needs more Hash N-Degree Quads work than Options.MaxWork allows.
var ErrWorkLimit = errors.New("work limit exceeded")

// Options configures [Canonicalize].
type Options struct {
	// Hash creates the hash function of the algorithm; nil means SHA-256.
	// RDFC-1.0 also allows SHA-384 (crypto/sha512.New384).
	Hash func() hash.Hash

	// MaxWork bounds the effort spent in the Hash N-Degree Quads algorithm,
	// the only part of RDFC-1.0 that can take more than linear time. One unit
	// is one call of the algorithm, one related blank node hashed, one
	// permutation tried or one blank node appended to a path. Zero means
	// [DefaultMaxWork]; a negative value means no bound, which is unsafe for
	// untrusted input.
	MaxWork int
}

// Result is the outcome of [Canonicalize].
type Result struct {
	// Quads is the canonical dataset: blank nodes relabelled c14n0, c14n1, …,
	// duplicates removed, in the order of their canonical N-Quads lines.
	Quads []Quad
	// NQuads is the canonical N-Quads document, the bytes a signature covers.
	NQuads []byte
	// Issued maps each input blank node label to its canonical label, both
	// without "_:" (the issued identifiers map of RDFC-1.0).
	Issued map[string]string
}

// Canonicalize runs RDFC-1.0 on the dataset quads and returns its canonical
// form. Duplicate quads count once. The quads are not modified.
//
// Every quad must be well formed (see [Quad.Validate]); blank node labels need
// only be non-empty, as they do not appear in the output. An error wrapping
// [ErrWorkLimit] means the dataset is too symmetrical to canonicalize within
// Options.MaxWork.
func Canonicalize(quads []Quad, opts Options) (*Result, error) {
	c := getCanonicalizer(opts.Hash)
	defer putCanonicalizer(c)
	if err := c.run(quads, opts); err != nil {
		return nil, err
	}
	// Slice all canonical labels from one string.
	var all []byte
	for n := range c.labels {
		all = append(all, "c14n"...)
		all = strconv.AppendInt(all, int64(n), 10)
	}
	allLabels := string(all)
	byNumber := make([]string, len(c.labels))
	for n := range byNumber {
		l := len("c14n") + decimalLen(int32(n))
		byNumber[n], allLabels = allLabels[:l], allLabels[l:]
	}
	res := &Result{Issued: make(map[string]string, len(c.labels))}
	canonLabels := make([]string, len(c.labels))
	for n, label := range c.labels {
		canonLabels[n] = byNumber[c.canon[n]]
		res.Issued[label] = canonLabels[n]
	}
	res.NQuads, res.Quads = c.output(true, canonLabels)
	return res, nil
}

// CanonicalNQuads returns the canonical N-Quads document of the dataset
// quads, as [Canonicalize] does, without building the rest of the Result:
// the faster choice when signing or verifying, which need only the bytes.
func CanonicalNQuads(quads []Quad, opts Options) ([]byte, error) {
	c := getCanonicalizer(opts.Hash)
	defer putCanonicalizer(c)
	if err := c.run(quads, opts); err != nil {
		return nil, err
	}
	out, _ := c.output(false, nil)
	return out, nil
}

// span is a range of canonicalizer.buf.
type span struct{ start, end int }

// quadInfo is what the canonicalizer knows about one input quad.
type quadInfo struct {
	// term holds the serialized subject, predicate, object and graph; an
	// empty span for the default graph. For blank nodes it holds their
	// canonical label once output starts.
	term [4]span
	// node holds the blank node index of the subject, object and graph, or -1.
	node [3]int32
	dup  bool
}

// lineRef is a serialized statement in some buffer.
type lineRef struct {
	start, end int
	quad       int32
}

type canonicalizer struct {
	hashFn     func() hash.Hash // nil for the pooled SHA-256
	h          hash.Hash
	hexLen     int
	sum        []byte
	quads      []Quad
	info       []quadInfo
	ids        map[string]int32
	labels     []string // blank node index → input label
	nodeOff    []int32  // CSR offsets into nodeQ, len(labels)+1
	nodeQ      []int32  // quads mentioning each blank node, without duplicates
	buf        []byte   // serialized terms
	tmp        []byte   // serialized statements
	refs       []lineRef
	sumLen     int
	hashes     []byte  // first-degree hash of each blank node, sumLen apart
	canon      []int32 // blank node index → canonical number, or -1
	nIssued    int32
	order      []int32
	work       int
	maxWork    int
	last       int32   // blank node of the previous lookup, or -1
	issuedAt   []int32 // see lookup
	labelSpans []span  // serialized canonical label of each blank node
	gen        uint32  // generation of iriCache entries
	iriCache   [iriCacheSize]iriSlot
}

var canonPool = sync.Pool{New: func() any { return new(canonicalizer) }}

func getCanonicalizer(hashFn func() hash.Hash) *canonicalizer {
	c := canonPool.Get().(*canonicalizer)
	if hashFn == nil {
		if c.hashFn != nil || c.h == nil {
			c.h = sha256.New()
		}
	} else {
		c.h = hashFn()
	}
	c.hashFn = hashFn
	c.sumLen = c.h.Size()
	c.hexLen = 2 * c.sumLen
	return c
}

func putCanonicalizer(c *canonicalizer) {
	c.quads = nil
	clear(c.labels)
	if cap(c.buf) > 1<<20 || cap(c.tmp) > 1<<20 || len(c.info) > 1<<14 {
		return // do not keep large buffers alive
	}
	canonPool.Put(c)
}

func (c *canonicalizer) run(quads []Quad, opts Options) error {
	c.quads = quads
	c.maxWork = opts.MaxWork
	switch {
	case c.maxWork == 0:
		c.maxWork = DefaultMaxWork
	case c.maxWork < 0:
		c.maxWork = int(^uint(0) >> 1)
	}
	c.work = 0
	if err := c.index(); err != nil {
		return err
	}
	nNodes := len(c.labels)
	c.canon = slices.Grow(c.canon[:0], nNodes)[:nNodes]
	for i := range c.canon {
		c.canon[i] = -1
	}
	c.nIssued = 0
	if nNodes == 0 {
		return nil
	}
	c.firstDegree()

	// Issue canonical identifiers to blank nodes with unique first-degree
	// hashes, in hash order, and group the others.
	order := c.order[:0]
	for n := range int32(nNodes) {
		order = append(order, n)
	}
	hashes, sumLen := c.hashes, c.sumLen
	slices.SortStableFunc(order, func(a, b int32) int {
		return bytes.Compare(hashes[int(a)*sumLen:int(a+1)*sumLen], hashes[int(b)*sumLen:int(b+1)*sumLen])
	})
	c.order = order
	var groups [][]int32
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && bytes.Equal(c.nodeHash(order[i]), c.nodeHash(order[j])) {
			j++
		}
		if j == i+1 {
			c.issue(order[i])
		} else {
			groups = append(groups, order[i:j])
		}
		i = j
	}

	// Distinguish blank nodes sharing a hash with Hash N-Degree Quads.
	type pathResult struct {
		hash   []byte
		issuer []int32
	}
	var results []pathResult
	if len(groups) > 0 {
		c.issuedAt = slices.Grow(c.issuedAt[:0], nNodes)[:nNodes]
	}
	for _, group := range groups {
		results = results[:0]
		for _, n := range group {
			if c.canon[n] >= 0 {
				continue
			}
			c.issuedAt[n] = 0
			h, iss, err := c.hashNDegree(n, []int32{n})
			if err != nil {
				return err
			}
			results = append(results, pathResult{h, iss})
		}
		slices.SortStableFunc(results, func(a, b pathResult) int { return bytes.Compare(a.hash, b.hash) })
		for _, r := range results {
			for _, n := range r.issuer {
				if c.canon[n] < 0 {
					c.issue(n)
				}
			}
		}
	}
	return nil
}

func (c *canonicalizer) issue(n int32) {
	c.canon[n] = c.nIssued
	c.nIssued++
}

// nodeHash returns the first-degree hash of blank node n.
func (c *canonicalizer) nodeHash(n int32) []byte {
	return c.hashes[int(n)*c.sumLen : int(n+1)*c.sumLen]
}

// nodeQuads returns the quads mentioning blank node n.
func (c *canonicalizer) nodeQuads(n int32) []int32 {
	return c.nodeQ[c.nodeOff[n]:c.nodeOff[n+1]]
}

// index validates the quads, numbers their blank nodes, serializes their
// other terms and records which quads mention each blank node.
func (c *canonicalizer) index() error {
	quads := c.quads
	c.info = slices.Grow(c.info[:0], len(quads))[:len(quads)]
	if c.ids == nil {
		c.ids = make(map[string]int32)
	} else {
		clear(c.ids)
	}
	c.gen++
	c.labels = c.labels[:0]
	c.buf = c.buf[:0]
	c.last = -1
	nodeRefs := 0
	for i := range quads {
		q := &quads[i]
		in := &c.info[i]
		in.dup = false
		in.node = [3]int32{-1, -1, -1}
		var err error
		pos := posSubject
		switch q.Subject.Kind {
		case IRI:
			in.term[0], err = c.iriTerm(q.Subject.Value)
		case Blank:
			in.node[0], err = c.blankNode(q.Subject.Value)
			nodeRefs++
		default:
			err = termKindError(q.Subject.Kind)
		}
		if err == nil {
			pos = posPredicate
			if q.Predicate.Kind == IRI {
				in.term[1], err = c.iriTerm(q.Predicate.Value)
			} else {
				err = termKindError(q.Predicate.Kind)
			}
		}
		if err == nil {
			pos = posObject
			switch q.Object.Kind {
			case IRI:
				in.term[2], err = c.iriTerm(q.Object.Value)
			case Blank:
				in.node[1], err = c.blankNode(q.Object.Value)
				nodeRefs++
			case Literal:
				in.term[2], err = c.literalTerm(&q.Object)
			default:
				err = termKindError(q.Object.Kind)
			}
		}
		if err == nil {
			pos = posGraph
			switch q.Graph.Kind {
			case None:
				in.term[3] = span{}
			case IRI:
				in.term[3], err = c.iriTerm(q.Graph.Value)
			case Blank:
				in.node[2], err = c.blankNode(q.Graph.Value)
				nodeRefs++
			default:
				err = termKindError(q.Graph.Kind)
			}
		}
		if err != nil {
			return fmt.Errorf("canonicalize: quad %d: %s: %w", i, posNames[pos], err)
		}
	}
	if len(c.labels) > 1<<30 {
		return errors.New("canonicalize: too many blank nodes")
	}

	// Build the blank node to quads map as compressed rows.
	nNodes := len(c.labels)
	off := slices.Grow(c.nodeOff[:0], nNodes+1)[:nNodes+1]
	clear(off)
	for i := range c.info {
		s, o, g := c.info[i].node[0], c.info[i].node[1], c.info[i].node[2]
		if s >= 0 {
			off[s+1]++
		}
		if o >= 0 && o != s {
			off[o+1]++
		}
		if g >= 0 && g != s && g != o {
			off[g+1]++
		}
	}
	for n := 1; n <= nNodes; n++ {
		off[n] += off[n-1]
	}
	nodeQ := slices.Grow(c.nodeQ[:0], nodeRefs)[:off[nNodes]]
	fill := slices.Grow(c.order[:0], nNodes)[:nNodes]
	copy(fill, off[:nNodes])
	for i := range c.info {
		s, o, g := c.info[i].node[0], c.info[i].node[1], c.info[i].node[2]
		if s >= 0 {
			nodeQ[fill[s]] = int32(i)
			fill[s]++
		}
		if o >= 0 && o != s {
			nodeQ[fill[o]] = int32(i)
			fill[o]++
		}
		if g >= 0 && g != s && g != o {
			nodeQ[fill[g]] = int32(i)
			fill[g]++
		}
	}
	c.order = fill
	c.nodeOff, c.nodeQ = off, nodeQ
	return nil
}

func termKindError(k Kind) error {
	return fmt.Errorf("%s term not allowed", kindName(k))
}

// blankNode returns the index of the blank node labelled label.
func (c *canonicalizer) blankNode(label string) (int32, error) {
	// Consecutive quads often share their blank subject.
	if c.last >= 0 && c.labels[c.last] == label {
		return c.last, nil
	}
	if label == "" {
		return -1, errors.New("empty blank node label")
	}
	n, ok := c.ids[label]
	if !ok {
		n = int32(len(c.labels))
		c.ids[label] = n
		c.labels = append(c.labels, label)
	}
	c.last = n
	return n, nil
}

const (
	iriCacheBits = 9
	iriCacheSize = 1 << iriCacheBits
)

// iriSlot is an entry of the direct-mapped cache of validated, serialized
// IRIs: datasets repeat their subjects, predicates and datatypes.
type iriSlot struct {
	iri string
	sp  span
	gen uint32
}

func iriCacheIndex(s string) int {
	// IRIs of a dataset tend to share prefixes: mix the length with the last
	// eight bytes.
	n := len(s)
	var x uint64
	if n >= 8 {
		t := s[n-8:]
		x = uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
	} else {
		for i := range n {
			x = x<<8 | uint64(s[i])
		}
	}
	x = (x ^ uint64(n)) * 0x9E3779B97F4A7C15
	return int(x >> (64 - iriCacheBits))
}

// iriTerm validates an IRI and returns its serialized form in c.buf.
func (c *canonicalizer) iriTerm(s string) (span, error) {
	slot := &c.iriCache[iriCacheIndex(s)]
	if slot.gen == c.gen && slot.iri == s {
		return slot.sp, nil
	}
	if err := validateIRI(s); err != nil {
		return span{}, err
	}
	start := len(c.buf)
	c.buf = append(c.buf, '<')
	c.buf = append(c.buf, s...)
	c.buf = append(c.buf, '>')
	sp := span{start, len(c.buf)}
	*slot = iriSlot{s, sp, c.gen}
	return sp, nil
}

// literalTerm validates a literal and returns its serialized form in c.buf.
func (c *canonicalizer) literalTerm(t *Term) (span, error) {
	var dt span
	switch {
	case t.Language != "":
		if t.Datatype != "" && t.Datatype != RDFLangStr {
			return span{}, fmt.Errorf("literal with language tag has datatype %q", t.Datatype)
		}
		if !validLangTag(t.Language) {
			return span{}, fmt.Errorf("invalid language tag %q", t.Language)
		}
	case t.Datatype == "" || t.Datatype == XSDString:
	case t.Datatype == RDFLangStr:
		return span{}, errors.New("rdf:langString literal without a language tag")
	default:
		var err error
		if dt, err = c.iriTerm(t.Datatype); err != nil {
			return span{}, fmt.Errorf("datatype: %w", err)
		}
	}
	start := len(c.buf)
	var ok bool
	if c.buf, ok = appendStringUTF8(c.buf, t.Value); !ok {
		return span{}, errors.New("literal is not valid UTF-8")
	}
	if t.Language != "" {
		c.buf = append(c.buf, '@')
		c.buf = append(c.buf, t.Language...)
	} else if dt.end > 0 {
		c.buf = append(c.buf, "^^"...)
		c.buf = append(c.buf, c.buf[dt.start:dt.end]...)
	}
	return span{start, len(c.buf)}, nil
}

// appendFirstDegree writes the statement of quad in for Hash First Degree
// Quads: blank node ref as _:a, other blank nodes as _:z.
func (c *canonicalizer) appendFirstDegree(dst []byte, in *quadInfo, ref int32) []byte {
	buf := c.buf
	for k := range 4 {
		var n int32 = -1
		switch k {
		case 0:
			n = in.node[0]
		case 1:
			dst = append(dst, ' ')
		case 2:
			dst = append(dst, ' ')
			n = in.node[1]
		case 3:
			n = in.node[2]
			if n < 0 && in.term[3].end == 0 {
				return append(dst, " .\n"...)
			}
			dst = append(dst, ' ')
		}
		switch {
		case n < 0:
			dst = append(dst, buf[in.term[k].start:in.term[k].end]...)
		case n == ref:
			dst = append(dst, "_:a"...)
		default:
			dst = append(dst, "_:z"...)
		}
	}
	return append(dst, " .\n"...)
}

// appendCanonical writes the statement of quad in with the canonical blank
// node labels set in in.term.
func appendCanonical(dst, buf []byte, in *quadInfo) []byte {
	t := in.term
	dst = append(dst, buf[t[0].start:t[0].end]...)
	dst = append(dst, ' ')
	dst = append(dst, buf[t[1].start:t[1].end]...)
	dst = append(dst, ' ')
	dst = append(dst, buf[t[2].start:t[2].end]...)
	if t[3].end > 0 {
		dst = append(dst, ' ')
		dst = append(dst, buf[t[3].start:t[3].end]...)
	}
	return append(dst, " .\n"...)
}

func compareLines(buf []byte) func(a, b lineRef) int {
	return func(a, b lineRef) int {
		return bytes.Compare(buf[a.start:a.end], buf[b.start:b.end])
	}
}

// firstDegree runs Hash First Degree Quads for every blank node, marking
// duplicate quads on the way.
func (c *canonicalizer) firstDegree() {
	nNodes := len(c.labels)
	c.hashes = slices.Grow(c.hashes[:0], nNodes*c.sumLen)[:nNodes*c.sumLen]
	for n := range int32(nNodes) {
		tmp := c.tmp[:0]
		refs := c.refs[:0]
		for _, qi := range c.nodeQuads(n) {
			in := &c.info[qi]
			if in.dup {
				continue
			}
			start := len(tmp)
			tmp = c.appendFirstDegree(tmp, in, n)
			refs = append(refs, lineRef{start, len(tmp), qi})
		}
		// Sort equal statements by their blank nodes, so that duplicate
		// quads are adjacent.
		slices.SortFunc(refs, func(a, b lineRef) int {
			if d := bytes.Compare(tmp[a.start:a.end], tmp[b.start:b.end]); d != 0 {
				return d
			}
			x, y := &c.info[a.quad].node, &c.info[b.quad].node
			for k := range x {
				if x[k] != y[k] {
					return cmp.Compare(x[k], y[k])
				}
			}
			return 0
		})
		c.markDuplicates(tmp, refs)
		// Hash the sorted statements in one write.
		sorted := tmp[len(tmp):]
		for _, r := range refs {
			if !c.info[r.quad].dup {
				sorted = append(sorted, tmp[r.start:r.end]...)
			}
		}
		c.h.Reset()
		c.h.Write(sorted)
		c.h.Sum(c.hashes[:int(n)*c.sumLen])
		c.tmp, c.refs = tmp, refs
		if cap(sorted) > cap(tmp) {
			c.tmp = sorted[:0]
		}
	}
}

// markDuplicates marks quads equal to another among first-degree statements
// sorted by statement and then blank nodes: equal statements whose blank
// nodes are the same nodes.
func (c *canonicalizer) markDuplicates(buf []byte, refs []lineRef) {
	for i := 1; i < len(refs); i++ {
		a, b := refs[i-1], refs[i]
		if c.info[a.quad].node == c.info[b.quad].node && bytes.Equal(buf[a.start:a.end], buf[b.start:b.end]) {
			c.info[b.quad].dup = true
		}
	}
}

func (c *canonicalizer) spend(units int) error {
	c.work += units
	if c.work > c.maxWork {
		return fmt.Errorf("canonicalize: hash n-degree quads: %w (more than %d units)", ErrWorkLimit, c.maxWork)
	}
	return nil
}

// Temporary issuers of Hash N-Degree Quads are lists of blank nodes in the
// order they were issued identifiers _:b0, _:b1, …. An issuer is only ever
// copied and extended, so issuedAt, the position of each blank node in the
// issuer that last issued it an identifier, finds a node's identifier in any
// issuer after a check: see lookup and adopt.

// lookup returns the number issuer gave n, or -1.
func (c *canonicalizer) lookup(issuer []int32, n int32) int {
	p := int(c.issuedAt[n])
	if p < len(issuer) && issuer[p] == n {
		return p
	}
	return -1
}

// issueTemp issues the next identifier of issuer to n.
func (c *canonicalizer) issueTemp(issuer []int32, n int32) ([]int32, int) {
	x := len(issuer)
	c.issuedAt[n] = int32(x)
	return append(issuer, n), x
}

// adopt records the positions of issuer[from:], an extension of an issuer
// whose positions are recorded.
func (c *canonicalizer) adopt(issuer []int32, from int) {
	for p := from; p < len(issuer); p++ {
		c.issuedAt[issuer[p]] = int32(p)
	}
}

// relatedHash is an entry of the hash to related blank nodes map.
type relatedHash struct {
	hash []byte
	node int32
}

// hashRelated runs Hash Related Blank Node and appends the hex hash to dst.
func (c *canonicalizer) hashRelated(dst []byte, related int32, qi int32, issuer []int32, pos byte, scratch []byte) ([]byte, []byte) {
	s := append(scratch[:0], pos)
	if pos != 'g' {
		t := c.info[qi].term[1]
		s = append(s, c.buf[t.start:t.end]...)
	}
	if cn := c.canon[related]; cn >= 0 {
		s = append(s, "_:c14n"...)
		s = strconv.AppendInt(s, int64(cn), 10)
	} else if x := c.lookup(issuer, related); x >= 0 {
		s = append(s, "_:b"...)
		s = strconv.AppendInt(s, int64(x), 10)
	} else {
		s = hex.AppendEncode(s, c.nodeHash(related))
	}
	return c.hexSum(dst, s), s
}

// hexSum appends the hex hash of data to dst.
func (c *canonicalizer) hexSum(dst, data []byte) []byte {
	c.h.Reset()
	c.h.Write(data)
	c.sum = c.h.Sum(c.sum[:0])
	return hex.AppendEncode(dst, c.sum)
}

// pathCmp compares a growing path with the chosen path of Hash N-Degree
// Quads in time linear in the length of the path.
type pathCmp struct {
	chosen []byte
	have   bool // chosen is set
	less   bool // the path is already known to be less than chosen
}

// greater reports whether path, which extends a path for which greater was
// false by path[from:], is now known to be greater than chosen, so that the
// permutation can be skipped.
func (pc *pathCmp) greater(path []byte, from int) bool {
	if !pc.have || pc.less {
		return false
	}
	if from < len(pc.chosen) {
		end := min(len(path), len(pc.chosen))
		switch bytes.Compare(path[from:end], pc.chosen[from:end]) {
		case -1:
			pc.less = true
			return false
		case 1:
			return true
		}
	}
	// path equals chosen up to min(len(path), len(chosen)).
	return len(path) > len(pc.chosen)
}

// hashNDegree runs Hash N-Degree Quads for blank node id with the given
// issuer, which it does not modify, and returns the hex hash and the issuer
// it chose.
func (c *canonicalizer) hashNDegree(id int32, issuer []int32) ([]byte, []int32, error) {
	quads := c.nodeQuads(id)
	if err := c.spend(1 + len(quads)); err != nil {
		return nil, nil, err
	}

	// Hash to related blank nodes map, as a list sorted by hash.
	var rel []relatedHash
	var hashes, scratch []byte
	for _, qi := range quads {
		in := &c.info[qi]
		if in.dup {
			continue
		}
		for k, n := range in.node {
			if n < 0 || n == id {
				continue
			}
			hashes, scratch = c.hashRelated(hashes, n, qi, issuer, "sog"[k], scratch)
			rel = append(rel, relatedHash{node: n})
		}
	}
	for i := range rel {
		rel[i].hash = hashes[i*c.hexLen : (i+1)*c.hexLen]
	}
	slices.SortFunc(rel, func(a, b relatedHash) int {
		if d := bytes.Compare(a.hash, b.hash); d != 0 {
			return d
		}
		return int(a.node - b.node)
	})

	var data, path []byte
	var pc pathCmp
	perm := make([]int32, 0, len(rel))
	var recursion []int32
	for i := 0; i < len(rel); {
		j := i + 1
		for j < len(rel) && bytes.Equal(rel[i].hash, rel[j].hash) {
			j++
		}
		data = append(data, rel[i].hash...)
		perm = perm[:0]
		for _, r := range rel[i:j] {
			perm = append(perm, r.node)
		}
		i = j

		pc.chosen, pc.have = pc.chosen[:0], false
		var chosenIssuer []int32
		for {
			// Copying the issuer costs about len(issuer)/32 units.
			if err := c.spend(1 + len(perm) + len(issuer)/32); err != nil {
				return nil, nil, err
			}
			iss := slices.Clip(issuer) // appending copies
			path = path[:0]
			recursion = recursion[:0]
			pc.less = false
			skip := false
			for _, r := range perm {
				from := len(path)
				if cn := c.canon[r]; cn >= 0 {
					path = append(path, "_:c14n"...)
					path = strconv.AppendInt(path, int64(cn), 10)
				} else {
					x := c.lookup(iss, r)
					if x < 0 {
						recursion = append(recursion, r)
						iss, x = c.issueTemp(iss, r)
					}
					path = append(path, "_:b"...)
					path = strconv.AppendInt(path, int64(x), 10)
				}
				if skip = pc.greater(path, from); skip {
					break
				}
			}
			for k := 0; k < len(recursion) && !skip; k++ {
				r := recursion[k]
				h, next, err := c.hashNDegree(r, iss)
				if err != nil {
					return nil, nil, err
				}
				old := len(iss)
				iss = slices.Clip(next)
				c.adopt(iss, old)
				from := len(path)
				path = append(path, "_:b"...)
				path = strconv.AppendInt(path, int64(c.lookup(iss, r)), 10)
				path = append(path, '<')
				path = append(path, h...)
				path = append(path, '>')
				skip = pc.greater(path, from)
			}
			if !skip && (!pc.have || pc.less || len(path) < len(pc.chosen)) {
				pc.chosen = append(pc.chosen[:0], path...)
				pc.have = true
				chosenIssuer = iss
			}
			if !nextPermutation(perm) {
				break
			}
		}
		data = append(data, pc.chosen...)
		old := len(issuer)
		issuer = chosenIssuer
		c.adopt(issuer, old)
	}
	return c.hexSum(nil, data), issuer, nil
}

// nextPermutation rearranges p into the next permutation in lexicographic
// order and reports whether there was one. Equal elements are permuted once.
func nextPermutation(p []int32) bool {
	i := len(p) - 2
	for i >= 0 && p[i] >= p[i+1] {
		i--
	}
	if i < 0 {
		return false
	}
	j := len(p) - 1
	for p[j] <= p[i] {
		j--
	}
	p[i], p[j] = p[j], p[i]
	slices.Reverse(p[i+1:])
	return true
}

// output writes the canonical N-Quads document and, if withQuads, the
// canonical quads, using canonLabels for their blank nodes.
func (c *canonicalizer) output(withQuads bool, canonLabels []string) ([]byte, []Quad) {
	// Serialize the canonical labels and point the blank terms at them.
	spans := slices.Grow(c.labelSpans[:0], len(c.labels))[:len(c.labels)]
	for n := range spans {
		start := len(c.buf)
		c.buf = append(c.buf, "_:c14n"...)
		c.buf = strconv.AppendInt(c.buf, int64(c.canon[n]), 10)
		spans[n] = span{start, len(c.buf)}
	}
	c.labelSpans = spans
	if len(spans) > 0 {
		for i := range c.info {
			in := &c.info[i]
			for k, n := range in.node {
				if n >= 0 {
					in.term[k+min(k, 1)] = spans[n]
				}
			}
		}
	}

	tmp := c.tmp[:0]
	refs := c.refs[:0]
	buf := c.buf
	for i := range c.info {
		in := &c.info[i]
		if in.dup {
			continue
		}
		start := len(tmp)
		tmp = appendCanonical(tmp, buf, in)
		refs = append(refs, lineRef{start, len(tmp), int32(i)})
	}
	c.tmp = tmp
	slices.SortFunc(refs, compareLines(tmp))
	c.refs = refs

	out := make([]byte, 0, len(tmp))
	var quads []Quad
	if withQuads {
		quads = make([]Quad, 0, len(refs))
	}
	var prev []byte
	for k, r := range refs {
		l := tmp[r.start:r.end]
		if k > 0 && bytes.Equal(l, prev) {
			continue // a duplicate quad
		}
		prev = l
		out = append(out, l...)
		if withQuads {
			q := c.quads[r.quad]
			in := &c.info[r.quad]
			for j, t := range [3]*Term{&q.Subject, &q.Object, &q.Graph} {
				if n := in.node[j]; n >= 0 {
					*t = Term{Kind: Blank, Value: canonLabels[n]}
				}
			}
			quads = append(quads, q)
		}
	}
	return out, quads
}

// decimalLen returns the number of decimal digits of n >= 0.
func decimalLen(n int32) int {
	l := 1
	for ; n >= 10; n /= 10 {
		l++
	}
	return l
}
