package jsonld

import (
	"fmt"
	"maps"
	"strings"
	"sync"
)

// container is a set of container mapping keywords.
type container uint8

const (
	cList container = 1 << iota
	cSet
	cIndex
	cLanguage
	cGraph
	cID
	cType
)

var containerNames = [...]struct {
	name string
	c    container
}{{"@list", cList}, {"@set", cSet}, {"@index", cIndex}, {"@language", cLanguage}, {"@graph", cGraph}, {"@id", cID}, {"@type", cType}}

// termDef is a processed term definition. The has* fields record presence
// separately from the value because jsonld.js compares definitions by their
// entries when checking protected terms.
type termDef struct {
	id           string // IRI, blank node identifier or keyword
	nullID       bool   // the term is explicitly mapped to null
	reverse      bool
	typ          string // type mapping, "" for none
	cont         container
	hasCont      bool
	language     string // lowercased; "" with hasLanguage means null
	hasLanguage  bool
	direction    string // "ltr", "rtl"; "" with hasDirection means null
	hasDirection bool
	ctx          *jv // scoped context, nil for none
	index        string
	hasIndex     bool
	nest         string
	hasNest      bool
	prefix       int8 // -1: not set, 0: false, 1: true
	protected    bool

	cls      iriClass // classification of id, unless it is a keyword
	typCls   iriClass // classification of typ when it is an IRI
	typSlice []string // []string{typ}, shared by the values it types
}

func (d *termDef) sameAs(e *termDef) bool {
	if d.id != e.id || d.nullID != e.nullID || d.reverse != e.reverse || d.typ != e.typ ||
		d.cont != e.cont || d.hasCont != e.hasCont || d.language != e.language ||
		d.hasLanguage != e.hasLanguage || d.direction != e.direction ||
		d.hasDirection != e.hasDirection || d.index != e.index || d.hasIndex != e.hasIndex ||
		d.nest != e.nest || d.hasNest != e.hasNest || d.prefix != e.prefix {
		return false
	}
	if (d.ctx == nil) != (e.ctx == nil) {
		return false
	}
	return d.ctx == nil || d.ctx == e.ctx || d.ctx.equal(e.ctx)
}

// activeContext is an immutable processed context. Derived contexts (the
// result of processing a local context on top of this one) are cached in
// derived when the context is persistent, that is, itself cached.
type activeContext struct {
	terms        map[string]*termDef
	vocab        string
	hasVocab     bool
	language     string
	hasLanguage  bool
	hasProtected bool
	previous     *activeContext // context to revert to (type-scoped contexts)
	typeAliases  []string       // terms mapped to @type

	persistent bool
	derived    sync.Map // ckey → *activeContext
}

// ckey identifies a local context processed on top of an active context.
type ckey struct {
	ptr       *jv    // a context value owned by a persistent context or document
	str       string // a URL, or the canonical JSON of an inline context
	kind      uint8
	propagate bool
	override  bool
}

const (
	keyScoped uint8 = iota + 1
	keyURL
	keyInline
	keyPrevious
)

func (ac *activeContext) clone() *activeContext {
	return &activeContext{
		terms:        maps.Clone(ac.terms),
		vocab:        ac.vocab,
		hasVocab:     ac.hasVocab,
		language:     ac.language,
		hasLanguage:  ac.hasLanguage,
		hasProtected: ac.hasProtected,
		previous:     ac.previous,
		typeAliases:  ac.typeAliases,
	}
}

// isTypeKey reports whether key expands to @type.
func (ac *activeContext) isTypeKey(key string) bool {
	if key == "@type" {
		return true
	}
	for _, a := range ac.typeAliases {
		if a == key {
			return true
		}
	}
	return false
}

// ctxState carries what context processing needs for one input document.
type ctxState struct {
	p    *Processor
	work int      // term definitions created
	urls []string // remote contexts being processed, for cycles and depth
}

// lookup returns the cached result of processing k on ac.
func (s *ctxState) lookup(ac *activeContext, k ckey) *activeContext {
	if !ac.persistent {
		return nil
	}
	if v, ok := ac.derived.Load(k); ok {
		return v.(*activeContext)
	}
	return nil
}

// store caches r as the result of processing k on ac, if ac is cached and
// the cache has room, and returns the context to use.
func (s *ctxState) store(ac *activeContext, k ckey, r *activeContext) *activeContext {
	if !ac.persistent {
		return r
	}
	if !r.persistent {
		if s.p.cached.Add(1) > int64(s.p.limits.MaxCachedContexts) {
			s.p.cached.Add(-1)
			return r
		}
		r.persistent = true
	}
	v, _ := ac.derived.LoadOrStore(k, r)
	return v.(*activeContext)
}

// items returns the number of items of v seen as an array: its length, or 1
// for a non-array. item returns one of them, aliasing v.
func (v *jv) items() int {
	if v.k == kArr {
		return len(v.a)
	}
	return 1
}

func (v *jv) item(i int) *jv {
	if v.k == kArr {
		return &v.a[i]
	}
	return v
}

// processScoped applies a scoped context taken from a term definition.
func (s *ctxState) processScoped(ac *activeContext, local *jv, propagate, override bool, path pathRef) (*activeContext, error) {
	k := ckey{ptr: local, kind: keyScoped, propagate: propagate, override: override}
	if r := s.lookup(ac, k); r != nil {
		return r, nil
	}
	r, err := s.process(ac, local, propagate, override, false, path)
	if err != nil {
		return nil, err
	}
	return s.store(ac, k, r), nil
}

// process runs the Context Processing algorithm: local is a context, an
// array of them, a URL or null. inline is set for contexts embedded in the
// input document, which are cached by their content.
func (s *ctxState) process(ac *activeContext, local *jv, propagate, override, inline bool, path pathRef) (*activeContext, error) {
	n := local.items()
	if n == 0 {
		return ac, nil
	}
	// The first context may override propagate.
	if first := s.firstContextObject(local.item(0)); first != nil {
		if p, ok := first.get("@propagate"); ok && p.k == kBool {
			propagate = p.b
		}
	}
	r := ac
	if !propagate && r.previous == nil {
		k := ckey{kind: keyPrevious}
		if c := s.lookup(ac, k); c != nil {
			r = c
		} else {
			c := ac.clone()
			c.previous = ac
			r = s.store(ac, k, c)
		}
	}
	for i := range n {
		var err error
		r, err = s.processOne(r, local.item(i), override, inline, path)
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// firstContextObject returns the context definition v stands for, looking
// through URLs, for reading @propagate.
func (s *ctxState) firstContextObject(v *jv) *jv {
	for range 8 {
		switch v.k {
		case kObj:
			if c, ok := v.get("@context"); ok {
				v = c
				continue
			}
			return v
		case kStr:
			doc, ok := s.p.docs.get(v.s)
			if !ok {
				return nil
			}
			c, ok := doc.get("@context")
			if !ok {
				return nil
			}
			v = c
		case kArr:
			if len(v.a) == 0 {
				return nil
			}
			v = &v.a[0]
		default:
			return nil
		}
	}
	return nil
}

func (s *ctxState) processOne(ac *activeContext, v *jv, override, inline bool, path pathRef) (*activeContext, error) {
	switch v.k {
	case kNull:
		if !override && ac.hasProtected {
			return nil, newError(CodeInvalidContextNull, path, "a context with protected terms cannot be set to null")
		}
		return s.p.initial, nil
	case kStr:
		return s.processURL(ac, v.s, override, path)
	case kObj:
		if inline {
			return s.processInline(ac, v, override, path)
		}
		k := ckey{ptr: v, kind: keyScoped, override: override, propagate: true}
		if r := s.lookup(ac, k); r != nil {
			return r, nil
		}
		r, err := s.define(ac, v, override, path)
		if err != nil {
			return nil, err
		}
		return s.store(ac, k, r), nil
	}
	return nil, newError(CodeInvalidLocalContext, path, "a context must be an object, a URL, null or an array of them, not %s", v.typeName())
}

// processInline processes a context object embedded in the input document.
// It is cached by its content, as a copy that does not retain the input,
// within a memory budget.
func (s *ctxState) processInline(ac *activeContext, v *jv, override bool, path pathRef) (*activeContext, error) {
	if !ac.persistent {
		return s.define(ac, v, override, path)
	}
	key := string(v.appendCanonical(nil))
	k := ckey{str: key, kind: keyInline, override: override}
	if r := s.lookup(ac, k); r != nil {
		return r, nil
	}
	if len(key) > maxInlineContext || s.p.inline.Load()+int64(len(key)) > maxInlineCacheBytes {
		return s.define(ac, v, override, path)
	}
	c := v.clone()
	r, err := s.define(ac, &c, override, path)
	if err != nil {
		return nil, err
	}
	stored := s.store(ac, k, r)
	if stored == r && r.persistent {
		s.p.inline.Add(int64(2 * len(key)))
	}
	return stored, nil
}

func (s *ctxState) processURL(ac *activeContext, url string, override bool, path pathRef) (*activeContext, error) {
	k := ckey{str: url, kind: keyURL, override: override}
	if r := s.lookup(ac, k); r != nil {
		return r, nil
	}
	doc, err := s.load(url, path)
	if err != nil {
		return nil, err
	}
	ctx, ok := doc.get("@context")
	if !ok {
		return ac, nil // jsonld.js: a document without @context is an empty context
	}
	s.urls = append(s.urls, url)
	r := ac
	for i := range ctx.items() {
		r, err = s.processOne(r, ctx.item(i), override, false, path)
		if err != nil {
			s.urls = s.urls[:len(s.urls)-1]
			return nil, err
		}
	}
	s.urls = s.urls[:len(s.urls)-1]
	return s.store(ac, k, r), nil
}

// load returns the document for a context URL, enforcing the depth limit and
// rejecting cycles.
func (s *ctxState) load(url string, path pathRef) (*jv, error) {
	for _, u := range s.urls {
		if u == url {
			return nil, newError(CodeContextOverflow, path, "context %s includes itself", url)
		}
	}
	if len(s.urls) >= s.p.limits.MaxContextDepth {
		return nil, newError(CodeContextOverflow, path, "context %s nested deeper than %d remote contexts", url, s.p.limits.MaxContextDepth)
	}
	doc, ok := s.p.docs.get(url)
	if !ok {
		return nil, newError(CodeLoadingContextFailed, path, "context %s is not among the known documents (nothing is fetched)", url)
	}
	return doc, nil
}

// contextKeywords are the entries of a context definition that are not terms.
var contextKeywords = map[string]bool{
	"@base": true, "@direction": true, "@import": true, "@language": true,
	"@propagate": true, "@protected": true, "@version": true, "@vocab": true,
}

// define processes one context definition (an object) on top of ac.
func (s *ctxState) define(ac *activeContext, ctx *jv, override bool, path pathRef) (*activeContext, error) {
	where := path.String() // paths stay on the caller's stack
	if c, ok := ctx.get("@context"); ok {
		ctx = c
		if ctx.k != kObj {
			return nil, newError(CodeInvalidLocalContext, path, "@context must be an object, not %s", ctx.typeName())
		}
	}
	r := ac.clone()

	if v, ok := ctx.get("@version"); ok {
		if v.k != kNum || v.n != 1.1 {
			return nil, newError(CodeInvalidVersion, path, "@version must be the number 1.1")
		}
	}
	if v, ok := ctx.get("@import"); ok {
		if v.k != kStr {
			return nil, newError(CodeInvalidImport, path, "@import must be a string")
		}
		doc, err := s.load(v.s, path)
		if err != nil {
			return nil, err
		}
		imp, ok := doc.get("@context")
		if !ok || imp.k != kObj {
			return nil, newError(CodeInvalidRemoteContext, path, "imported context %s must hold a context object", v.s)
		}
		if imp.has("@import") {
			return nil, newError(CodeInvalidContextEntry, path, "imported context %s must not include @import", v.s)
		}
		for _, m := range imp.a {
			if m.key != "@protected" && contextKeywords[m.key] && !ctx.has(m.key) {
				// jsonld.js reads these entries before merging the import,
				// and then fails on them.
				return nil, newError(CodeKeywordRedefinition, path, "imported context %s sets %s, which jsonld.js rejects", v.s, m.key)
			}
		}
		merged := make([]jv, 0, len(ctx.a)+len(imp.a))
		merged = append(merged, ctx.a...)
		for _, m := range imp.a {
			if !ctx.has(m.key) {
				merged = append(merged, m)
			}
		}
		ctx = &jv{k: kObj, a: merged}
	}
	if v, ok := ctx.get("@base"); ok && v.k != kNull {
		return nil, newError(CodeUnsupported, path, "@base is not supported: documents are processed without a base IRI")
	}
	if v, ok := ctx.get("@vocab"); ok {
		switch v.k {
		case kNull:
			r.vocab, r.hasVocab = "", false
		case kStr:
			iri, null := r.expandIRI(v.s, true)
			if null || !isAbsolute(iri) {
				return nil, newError(CodeRelativeVocab, path, "@vocab %q is not an absolute IRI", v.s)
			}
			if c := classifyIRI(iri); c == iriInvalid {
				return nil, newError(CodeInvalidIRI, path, "@vocab %q is not a valid IRI", iri)
			}
			r.vocab, r.hasVocab = iri, true
		default:
			return nil, newError(CodeInvalidVocabMapping, path, "@vocab must be a string or null")
		}
	}
	if v, ok := ctx.get("@language"); ok {
		switch v.k {
		case kNull:
			r.language, r.hasLanguage = "", false
		case kStr:
			if !validLanguage(v.s) {
				return nil, newError(CodeInvalidLanguageValue, path, "@language %q is not a BCP 47 language tag", v.s)
			}
			r.language, r.hasLanguage = strings.ToLower(v.s), true
		default:
			return nil, newError(CodeInvalidDefaultLanguage, path, "@language must be a string or null")
		}
	}
	if v, ok := ctx.get("@direction"); ok {
		switch {
		case v.k == kNull:
		case v.k == kStr && (v.s == "ltr" || v.s == "rtl"):
			return nil, newError(CodeUnsupported, path, "a default @direction in a context is not supported (jsonld.js loses it when contexts are combined)")
		default:
			return nil, newError(CodeInvalidBaseDirection, path, `@direction must be "ltr", "rtl" or null`)
		}
	}
	if v, ok := ctx.get("@propagate"); ok && v.k != kBool {
		return nil, newError(CodeInvalidPropagate, path, "@propagate must be a boolean")
	}
	protectedDefault := false
	if v, ok := ctx.get("@protected"); ok {
		if v.k != kBool {
			return nil, newError(CodeInvalidProtected, path, "@protected must be a boolean")
		}
		protectedDefault = v.b
	}

	defined := make(map[string]uint8, len(ctx.a))
	td := termDefiner{s: s, r: r, local: ctx, defined: defined, override: override, protected: protectedDefault, where: where}
	for i := range ctx.a {
		key := ctx.a[i].key
		if contextKeywords[key] {
			continue
		}
		if err := td.define(key); err != nil {
			return nil, err
		}
		// Validate scoped contexts now, as jsonld.js does.
		val := &ctx.a[i]
		if val.k != kObj {
			continue
		}
		sc, ok := val.get("@context")
		if !ok {
			continue
		}
		if sc.k == kStr && s.inChain(sc.s) {
			continue
		}
		if _, err := s.process(r, sc, true, true, false, path); err != nil {
			return nil, &Error{Code: CodeInvalidScopedContext, Path: where,
				Message: fmt.Sprintf("the scoped context of term %q is invalid", key), Err: err}
		}
	}
	r.typeAliases = nil
	for t, d := range r.terms {
		if d.id == "@type" && !d.nullID {
			r.typeAliases = append(r.typeAliases, t)
		}
	}
	return r, nil
}

func (s *ctxState) inChain(url string) bool {
	for _, u := range s.urls {
		if u == url {
			return true
		}
	}
	return false
}

// termDefiner runs Create Term Definition for the terms of one local context.
type termDefiner struct {
	s         *ctxState
	r         *activeContext // being built
	local     *jv
	defined   map[string]uint8 // 1: defining, 2: defined
	override  bool
	protected bool   // the context's @protected
	where     string // path of the element whose context this is
}

func (t *termDefiner) errorf(code, term, format string, args ...any) *Error {
	return &Error{Code: code, Path: t.where, Message: fmt.Sprintf("term %q: %s", term, fmt.Sprintf(format, args...))}
}

func (t *termDefiner) define(term string) error {
	switch t.defined[term] {
	case 2:
		return nil
	case 1:
		return t.errorf(CodeCyclicIRIMapping, term, "its definition depends on itself")
	}
	t.defined[term] = 1
	t.s.work++
	if t.s.work > t.s.p.limits.MaxNodes {
		return &Error{Code: CodeLimit, Path: t.where, Message: fmt.Sprintf("more than %d term definitions", t.s.p.limits.MaxNodes)}
	}
	value, _ := t.local.get(term)

	if term == "@type" && value.k == kObj {
		c, hasC := value.get("@container")
		if !hasC || c.k == kStr && c.s == "@set" {
			if len(value.a) == 0 {
				return t.errorf(CodeKeywordRedefinition, term, "keywords cannot be redefined")
			}
			for _, m := range value.a {
				if m.key != "@container" && m.key != "@id" && m.key != "@protected" {
					return t.errorf(CodeKeywordRedefinition, term, "keywords cannot be redefined")
				}
			}
		} else {
			return t.errorf(CodeKeywordRedefinition, term, "keywords cannot be redefined")
		}
	} else if isKeyword(term) {
		return t.errorf(CodeKeywordRedefinition, term, "keywords cannot be redefined")
	} else if looksLikeKeyword(term) {
		return t.errorf(CodeReservedTerm, term, "terms of the form @keyword are reserved (jsonld.js drops them)")
	} else if term == "" {
		return t.errorf(CodeInvalidTermDefinition, term, "a term cannot be empty")
	}

	previous := t.r.terms[term]
	delete(t.r.terms, term)

	simple := false
	if value.k == kStr || value.k == kNull {
		simple = true
		id := *value
		id.key = "@id"
		value = &jv{k: kObj, a: []jv{id}}
	}
	if value.k != kObj {
		return t.errorf(CodeInvalidTermDefinition, term, "a term definition must be a string, an object or null")
	}
	for _, m := range value.a {
		switch m.key {
		case "@container", "@id", "@language", "@reverse", "@type", "@context",
			"@direction", "@index", "@nest", "@prefix", "@protected":
		default:
			return t.errorf(CodeInvalidTermDefinition, term, "a term definition must not contain %s", m.key)
		}
	}
	d := &termDef{prefix: -1}
	colon := strings.IndexByte(term, ':')
	hasColon := colon > 0
	hasID := false

	if rev, ok := value.get("@reverse"); ok {
		if value.has("@id") || value.has("@nest") {
			return t.errorf(CodeInvalidReverse, term, "a @reverse term definition must not contain @id or @nest")
		}
		if rev.k != kStr {
			return t.errorf(CodeInvalidIRIMapping, term, "@reverse must be a string")
		}
		if looksLikeKeyword(rev.s) {
			return t.errorf(CodeReservedReverse, term, "@reverse %q has the form of a keyword", rev.s)
		}
		id, null, err := t.expandIRI(rev.s)
		if err != nil {
			return err
		}
		if null || !isAbsolute(id) {
			return t.errorf(CodeInvalidIRIMapping, term, "@reverse %q is not an absolute IRI or blank node identifier", rev.s)
		}
		d.id, d.reverse, hasID = id, true, true
	} else if idv, ok := value.get("@id"); ok {
		switch {
		case idv.k == kNull:
			d.nullID, hasID = true, true
		case idv.k != kStr:
			return t.errorf(CodeInvalidIRIMapping, term, "@id must be a string or null")
		case !isKeyword(idv.s) && looksLikeKeyword(idv.s):
			return t.errorf(CodeReservedID, term, "@id %q has the form of a keyword", idv.s)
		case idv.s != term:
			id, null, err := t.expandIRI(idv.s)
			if err != nil {
				return err
			}
			if null || !isAbsolute(id) && !isKeyword(id) {
				return t.errorf(CodeInvalidIRIMapping, term, "@id %q is not an absolute IRI, blank node identifier or keyword", idv.s)
			}
			if iriLikeTerm(term) {
				saved := t.defined[term]
				t.defined[term] = 2
				tid, tnull, err := t.expandIRI(term)
				t.defined[term] = saved
				if err != nil {
					return err
				}
				if tnull || tid != id {
					return t.errorf(CodeInvalidIRIMapping, term, "a term that looks like an IRI must expand to that IRI")
				}
			}
			d.id, hasID = id, true
			d.prefix = 0
			if simple && !hasColon && id != "" && strings.IndexByte(":/?#[]@", id[len(id)-1]) >= 0 {
				d.prefix = 1
			}
		}
	}
	if !hasID {
		switch {
		case hasColon:
			prefix, suffix := term[:colon], term[colon+1:]
			if t.local.has(prefix) {
				if err := t.define(prefix); err != nil {
					return err
				}
			}
			if pd, ok := t.r.terms[prefix]; ok {
				if pd.nullID {
					return t.errorf(CodeInvalidIRIMapping, term, "prefix %q is mapped to null", prefix)
				}
				d.id = pd.id + suffix
			} else {
				d.id = term
			}
		case term == "@type":
			d.id = "@type"
		default:
			if !t.r.hasVocab {
				return t.errorf(CodeInvalidIRIMapping, term, "a term must define an @id when there is no @vocab")
			}
			d.id = t.r.vocab + term
		}
	}

	if p, ok := value.get("@protected"); ok {
		if p.k != kBool {
			return t.errorf(CodeInvalidProtected, term, "@protected must be a boolean")
		}
		d.protected = p.b
	} else {
		d.protected = t.protected
	}
	t.defined[term] = 2

	if tv, ok := value.get("@type"); ok {
		if tv.k != kStr {
			return t.errorf(CodeInvalidTypeMapping, term, "@type must be a string")
		}
		typ := tv.s
		switch typ {
		case "@json", "@none", "@id", "@vocab":
		default:
			iri, null, err := t.expandIRI(typ)
			if err != nil {
				return err
			}
			if null || !isAbsolute(iri) {
				return t.errorf(CodeInvalidTypeMapping, term, "@type %q is not an absolute IRI", typ)
			}
			if isBlank(iri) {
				return t.errorf(CodeInvalidTypeMapping, term, "@type %q is a blank node identifier", typ)
			}
			typ = iri
		}
		d.typ = typ
	}

	if cv, ok := value.get("@container"); ok {
		d.hasCont = true
		var n int
		switch cv.k {
		case kNull:
		case kStr:
			c, ok := containerOf(cv.s)
			if !ok {
				return t.errorf(CodeInvalidContainer, term, "unknown container %q", cv.s)
			}
			d.cont, n = c, 1
		case kArr:
			for _, e := range cv.a {
				if e.k != kStr {
					return t.errorf(CodeInvalidContainer, term, "@container values must be strings")
				}
				c, ok := containerOf(e.s)
				if !ok {
					return t.errorf(CodeInvalidContainer, term, "unknown container %q", e.s)
				}
				d.cont |= c
				n++
			}
		default:
			return t.errorf(CodeInvalidContainer, term, "@container must be a string or an array")
		}
		valid := true
		switch {
		case d.cont&cList != 0:
			valid = n == 1
		case d.cont&cGraph != 0:
			valid = d.cont&^(cGraph|cID|cIndex|cSet) == 0
		default:
			limit := 1
			if d.cont&cSet != 0 {
				limit = 2
			}
			valid = n <= limit
		}
		if !valid {
			return t.errorf(CodeInvalidContainer, term, "invalid combination of containers")
		}
		if d.cont&cType != 0 {
			if d.typ == "" {
				d.typ = "@id"
			}
			if d.typ != "@id" && d.typ != "@vocab" {
				return t.errorf(CodeInvalidTypeMapping, term, "a @type container requires @type @id or @vocab")
			}
		}
		if d.reverse && d.cont&^(cIndex|cSet) != 0 {
			return t.errorf(CodeInvalidReverse, term, "a @reverse term can only have @index or @set containers")
		}
	}

	if iv, ok := value.get("@index"); ok {
		if d.cont&cIndex == 0 {
			return t.errorf(CodeInvalidTermDefinition, term, "@index requires an @index container")
		}
		if iv.k != kStr || strings.HasPrefix(iv.s, "@") {
			return t.errorf(CodeInvalidTermDefinition, term, "@index must be a string that is not a keyword")
		}
		d.index, d.hasIndex = iv.s, true
	}
	if cv, ok := value.get("@context"); ok {
		d.ctx = cv
	}
	if lv, ok := value.get("@language"); ok && !value.has("@type") {
		switch lv.k {
		case kNull:
		case kStr:
			if !validLanguage(lv.s) {
				return t.errorf(CodeInvalidLanguageValue, term, "@language %q is not a BCP 47 language tag", lv.s)
			}
			d.language = strings.ToLower(lv.s)
		default:
			return t.errorf(CodeInvalidLanguageMapping, term, "@language must be a string or null")
		}
		d.hasLanguage = true
	}
	if pv, ok := value.get("@prefix"); ok {
		if strings.ContainsAny(term, ":/") {
			return t.errorf(CodeInvalidTermDefinition, term, "@prefix is not allowed on a term containing ':' or '/'")
		}
		if isKeyword(d.id) {
			return t.errorf(CodeInvalidTermDefinition, term, "keywords may not be used as prefixes")
		}
		if pv.k != kBool {
			return t.errorf(CodeInvalidPrefix, term, "@prefix must be a boolean")
		}
		d.prefix = 0
		if pv.b {
			d.prefix = 1
		}
	}
	if dv, ok := value.get("@direction"); ok {
		switch {
		case dv.k == kNull:
		case dv.k == kStr && (dv.s == "ltr" || dv.s == "rtl"):
			d.direction = dv.s
		default:
			return t.errorf(CodeInvalidBaseDirection, term, `@direction must be "ltr", "rtl" or null`)
		}
		d.hasDirection = true
	}
	if nv, ok := value.get("@nest"); ok {
		if nv.k != kStr || nv.s != "@nest" && strings.HasPrefix(nv.s, "@") {
			return t.errorf(CodeInvalidNest, term, "@nest must be a string that is not a keyword other than @nest")
		}
		d.nest, d.hasNest = nv.s, true
	}
	if d.id == "@context" || d.id == "@preserve" {
		return t.errorf(CodeInvalidKeywordAlias, term, "%s cannot be aliased", d.id)
	}
	if !isKeyword(d.id) {
		d.cls = classifyIRI(d.id)
	}
	if d.typ != "" && d.typ[0] != '@' {
		d.typCls = classifyIRI(d.typ)
	}
	if d.typ != "" {
		d.typSlice = []string{d.typ}
	}
	if previous != nil && previous.protected && !t.override {
		d.protected = true
		if !previous.sameAs(d) {
			return t.errorf(CodeProtectedRedefinition, term, "a protected term cannot be redefined")
		}
		// Keep the previous definition: it is identical, and sharing it
		// keeps pointer identity for cached scoped contexts.
		d = previous
	}
	if d.protected {
		t.r.hasProtected = true
	}
	t.r.terms[term] = d
	return nil
}

// iriLikeTerm reports whether term has the form of an IRI or compact IRI:
// a ':' followed by a character other than ':', or a '/'.
func iriLikeTerm(term string) bool {
	for i := 0; i < len(term); i++ {
		if term[i] == '/' || term[i] == ':' && i+1 < len(term) && term[i+1] != ':' {
			return true
		}
	}
	return false
}

func containerOf(s string) (container, bool) {
	for _, c := range containerNames {
		if c.name == s {
			return c.c, true
		}
	}
	return 0, false
}

// expandIRI is IRI Expansion during context processing (vocab true, no base),
// defining terms of the local context it depends on.
func (t *termDefiner) expandIRI(value string) (string, bool, error) {
	if isKeyword(value) {
		return value, false, nil
	}
	if looksLikeKeyword(value) {
		return "", true, nil
	}
	if t.local.has(value) && t.defined[value] != 2 {
		if err := t.define(value); err != nil {
			return "", false, err
		}
	}
	if d, ok := t.r.terms[value]; ok {
		if d.nullID {
			return "", true, nil
		}
		return d.id, false, nil
	}
	if colon := strings.IndexByte(value, ':'); colon > 0 {
		prefix, suffix := value[:colon], value[colon+1:]
		if prefix == "_" || strings.HasPrefix(suffix, "//") {
			return value, false, nil
		}
		if t.local.has(prefix) {
			if err := t.define(prefix); err != nil {
				return "", false, err
			}
		}
		if d, ok := t.r.terms[prefix]; ok && d.prefix == 1 && !d.nullID {
			return d.id + suffix, false, nil
		}
		if isAbsolute(value) {
			return value, false, nil
		}
	}
	if t.r.hasVocab {
		return t.r.vocab + value, false, nil
	}
	return value, false, nil
}

// expandIRI is IRI Expansion on a finished active context. With vocab false
// the value is document-relative, and since there is no base IRI it is
// returned unchanged when no prefix applies. null reports a value that
// expands to null (keyword-like, or a term mapped to null).
func (ac *activeContext) expandIRI(value string, vocab bool) (iri string, null bool) {
	if len(value) > 0 && value[0] == '@' {
		if isKeyword(value) {
			return value, false
		}
		if looksLikeKeyword(value) {
			return "", true
		}
	}
	if vocab {
		if d, ok := ac.terms[value]; ok {
			if d.nullID {
				return "", true
			}
			return d.id, false
		}
	}
	if colon := strings.IndexByte(value, ':'); colon > 0 {
		prefix, suffix := value[:colon], value[colon+1:]
		if prefix == "_" || strings.HasPrefix(suffix, "//") {
			return value, false
		}
		if d, ok := ac.terms[prefix]; ok && d.prefix == 1 && !d.nullID {
			return d.id + suffix, false
		}
		if isAbsolute(value) {
			return value, false
		}
	}
	if vocab && ac.hasVocab {
		return ac.vocab + value, false
	}
	return value, false
}
