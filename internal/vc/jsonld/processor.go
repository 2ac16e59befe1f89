package jsonld

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/attesta/attesta/internal/vc/rdf"
)

// Processor converts JSON-LD documents to RDF. Create one with NewProcessor
// and share it: it caches processed contexts, and is safe for concurrent use.
type Processor struct {
	docs    *Documents
	limits  Limits
	initial *activeContext
	cached  atomic.Int64 // processed contexts held in caches
	inline  atomic.Int64 // bytes of inline contexts held in caches
	pool    sync.Pool    // *job
}

// maxInlineCacheBytes bounds the memory held by cached inline contexts, and
// maxInlineContext the size of one that is cached.
const (
	maxInlineCacheBytes = 8 << 20
	maxInlineContext    = 64 << 10
)

// NewProcessor returns a processor that resolves context URLs with docs
// (which may be nil: then only inline contexts work) and bounds every input
// by limits.
func NewProcessor(docs *Documents, limits Limits) *Processor {
	return &Processor{
		docs:    docs,
		limits:  limits.withDefaults(),
		initial: &activeContext{terms: map[string]*termDef{}, persistent: true},
	}
}

// Limits returns the limits in force, defaults filled in.
func (p *Processor) Limits() Limits { return p.limits }

// job is the reusable state of one conversion.
type job struct {
	dec decoder
	jvs arena[jv]
	cs  ctxState
	exp expander
	w   rdfWriter
}

func (p *Processor) getJob() *job {
	if j, ok := p.pool.Get().(*job); ok {
		return j
	}
	return &job{w: rdfWriter{blanks: map[string]string{}, graphs: map[string]*graphRec{}}}
}

// putJob returns j to the pool. Its arenas are not cleared: the pool drops
// them at the next garbage collections, and until then they hold at most
// one document.
func (p *Processor) putJob(j *job) {
	if cap(j.dec.stack) > 4096 || cap(j.dec.sbuf) > 1<<16 || cap(j.w.entries) > 1<<16 || len(j.exp.paths.frames) > 1<<16 {
		return
	}
	j.jvs.drop(64)
	for _, a := range []interface{ drop(int) }{&j.exp.xnodes, &j.exp.exts, &j.exp.ptrs, &j.exp.strs, &j.exp.props, &j.exp.idx, &j.w.subjs, &j.w.grecs} {
		a.drop(64)
	}
	j.w.reset(0)
	j.exp.ctx = nil
	j.exp.cs = nil
	j.cs = ctxState{urls: j.cs.urls[:0]}
	p.pool.Put(j)
}

// ToRDF converts the JSON-LD document data to RDF quads: the Deserialize
// JSON-LD to RDF algorithm with jsonld.js's safe mode and rdfDirection
// "i18n-datatype". Blank nodes are labelled b0, b1, …; the quads are in no
// particular order. Every problem is reported as an *Error.
func (p *Processor) ToRDF(ctx context.Context, data []byte) ([]rdf.Quad, error) {
	j := p.getJob()
	defer p.putJob(j)
	doc, err := p.decode(j, data)
	if err != nil {
		return nil, err
	}
	return p.appendRDF(ctx, j, &doc, nil)
}

// AppendRDF is ToRDF appending the quads to dst, so that a caller can reuse
// one slice for many documents. On error dst is returned unchanged.
func (p *Processor) AppendRDF(ctx context.Context, dst []rdf.Quad, data []byte) ([]rdf.Quad, error) {
	j := p.getJob()
	defer p.putJob(j)
	doc, err := p.decode(j, data)
	if err != nil {
		return dst, err
	}
	return p.appendRDF(ctx, j, &doc, dst)
}

// ToRDFValue is ToRDF for a document already decoded into the values
// encoding/json produces: map[string]any, []any, string, bool, nil and
// numbers as float64 or json.Number (Go integer types are accepted too).
func (p *Processor) ToRDFValue(ctx context.Context, v any) ([]rdf.Quad, error) {
	doc, err := p.fromAny(v)
	if err != nil {
		return nil, err
	}
	j := p.getJob()
	defer p.putJob(j)
	return p.appendRDF(ctx, j, &doc, nil)
}

// Expand returns the expanded form of the JSON-LD document data, as
// encoding/json values (numbers as float64). It applies the same checks as
// ToRDF, except those made while writing RDF.
func (p *Processor) Expand(ctx context.Context, data []byte) ([]any, error) {
	j := p.getJob()
	defer p.putJob(j)
	doc, err := p.decode(j, data)
	if err != nil {
		return nil, err
	}
	items, err := p.expandDoc(ctx, j, &doc)
	if err != nil {
		return nil, err
	}
	return nodesToAny(items), nil
}

// ExpandValue is Expand for an already decoded document (see ToRDFValue).
func (p *Processor) ExpandValue(ctx context.Context, v any) ([]any, error) {
	doc, err := p.fromAny(v)
	if err != nil {
		return nil, err
	}
	j := p.getJob()
	defer p.putJob(j)
	items, err := p.expandDoc(ctx, j, &doc)
	if err != nil {
		return nil, err
	}
	return nodesToAny(items), nil
}

func (p *Processor) decode(j *job, data []byte) (jv, error) {
	if len(data) > p.limits.MaxInputBytes {
		return jv{}, &Error{Code: CodeLimit, Message: fmt.Sprintf("input of %d bytes exceeds %d", len(data), p.limits.MaxInputBytes)}
	}
	j.jvs.reset()
	j.dec = decoder{src: string(data), maxDepth: p.limits.MaxDepth, maxVals: p.limits.MaxNodes,
		stack: j.dec.stack[:0], sbuf: j.dec.sbuf[:0], arena: &j.jvs}
	return j.dec.decode()
}

func (p *Processor) fromAny(v any) (jv, error) {
	count := 0
	return fromAny(v, 0, p.limits.MaxDepth, &count, p.limits.MaxNodes, newPaths().root())
}

func (p *Processor) expandDoc(ctx context.Context, j *job, doc *jv) ([]*xnode, error) {
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Code: CodeCanceled, Err: err}
		}
	}
	j.cs = ctxState{p: p, urls: j.cs.urls[:0]}
	e := &j.exp
	e.reset(&j.cs, ctx, p.limits.MaxNodes)
	r, err := e.expand(p.initial, "", false, doc, false, false, e.paths.root())
	if err != nil {
		return nil, err
	}
	if !r.null && !r.multi && r.one.hasGraph && r.one.count() == 1 {
		return r.one.x.graph, nil
	}
	return e.slice(r), nil
}

func (p *Processor) appendRDF(ctx context.Context, j *job, doc *jv, dst []rdf.Quad) ([]rdf.Quad, error) {
	items, err := p.expandDoc(ctx, j, doc)
	if err != nil {
		return dst, err
	}
	w := &j.w
	w.reset(len(dst) + p.limits.MaxQuads)
	if dst == nil {
		dst = make([]rdf.Quad, 0, min(j.exp.hint+8, p.limits.MaxQuads))
	}
	w.quads = dst
	g := w.graph("")
	for _, n := range items {
		if err := w.top(n, g); err != nil {
			w.quads = nil
			return dst, err
		}
	}
	q := w.quads
	w.quads = nil
	return q, nil
}

// nodesToAny converts expanded elements to encoding/json values.
func nodesToAny(items []*xnode) []any {
	out := make([]any, len(items))
	for i, n := range items {
		out[i] = n.toAny()
	}
	return out
}

func (n *xnode) toAny() any {
	m := map[string]any{}
	if n.hasValue {
		m["@value"] = n.val.toAny()
		if n.hasTypes {
			m["@type"] = n.types[0]
		}
	} else if n.hasTypes {
		t := make([]any, len(n.types))
		for i, s := range n.types {
			t[i] = s
		}
		m["@type"] = t
	}
	if n.hasID {
		m["@id"] = n.id
	}
	if n.hasLang {
		m["@language"] = n.lang
	}
	if n.hasDir {
		m["@direction"] = n.x.dir
	}
	if n.hasIndex {
		m["@index"] = n.x.index
	}
	if n.hasList {
		m["@list"] = nodesToAny(n.list)
	}
	if n.hasSet {
		m["@set"] = nodesToAny(n.x.set)
	}
	if n.hasGraph {
		m["@graph"] = nodesToAny(n.x.graph)
	}
	if n.hasIncl {
		m["@included"] = nodesToAny(n.x.incl)
	}
	for _, p := range n.props {
		m[p.iri] = nodesToAny(p.vals)
	}
	if n.hasRev {
		r := map[string]any{}
		for _, p := range n.x.rev {
			r[p.iri] = nodesToAny(p.vals)
		}
		m["@reverse"] = r
	}
	return m
}
