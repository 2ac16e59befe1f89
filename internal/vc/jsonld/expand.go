package jsonld

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta/internal/vc/rdf"
)

const (
	rdfXSDDouble  = rdf.XSDDouble
	rdfLangString = rdf.RDFLangStr
)

// xnode is an element of the expanded document: a node, value, list, set or
// graph object, with the entries the expansion algorithm gives it. The has*
// flags mirror which entries jsonld.js's expanded object would hold.
type xnode struct {
	id    string
	types []string // @type, for nodes and (one entry) value objects
	props []xprop
	val   jv // @value
	lang  string
	list  []*xnode // @list
	x     *xext    // rarer entries

	hasID, hasTypes, hasValue, hasLang, hasList         bool
	hasRev, hasGraph, hasIncl, hasIndex, hasDir, hasSet bool
}

// xext holds the entries of an xnode that few elements have.
type xext struct {
	rev   []xprop
	graph []*xnode
	incl  []*xnode
	set   []*xnode
	index string
	dir   string
}

type xprop struct {
	iri  string
	vals []*xnode
}

func (n *xnode) ext(e *expander) *xext {
	if n.x == nil {
		n.x = e.exts.new()
	}
	return n.x
}

func (n *xnode) count() int {
	c := len(n.props)
	for _, b := range [...]bool{n.hasID, n.hasTypes, n.hasRev, n.hasGraph, n.hasIncl, n.hasIndex,
		n.hasValue, n.hasLang, n.hasDir, n.hasList, n.hasSet} {
		if b {
			c++
		}
	}
	return c
}

// isSubject is jsonld.js's test for a node object with content: not a value,
// set or list, and more than an @id.
func (n *xnode) isSubject() bool {
	return !n.hasValue && !n.hasSet && !n.hasList && (n.count() > 1 || !n.hasID)
}

func (n *xnode) isGraph() bool {
	if !n.hasGraph {
		return false
	}
	c := n.count() - 1
	if n.hasID {
		c--
	}
	if n.hasIndex {
		c--
	}
	return c == 0
}

func addTo(list *[]xprop, iri string, vals []*xnode) {
	for i := range *list {
		if (*list)[i].iri == iri {
			(*list)[i].vals = append((*list)[i].vals, vals...)
			return
		}
	}
	*list = append(*list, xprop{iri: iri, vals: vals})
}

// xres is the result of expanding an element: null, one object, or an array.
type xres struct {
	null  bool
	multi bool // an array
	one   *xnode
	many  []*xnode
}

var nullRes = xres{null: true}

// expander holds the state of expanding one document.
type expander struct {
	paths paths
	cs    *ctxState
	ctx   context.Context
	nodes int
	limit int
	hint  int // estimate of the number of quads

	xnodes arena[xnode]
	exts   arena[xext]
	ptrs   arena[*xnode]
	strs   arena[string]
	props  arena[xprop]
	idx    arena[int32]
}

func (e *expander) reset(cs *ctxState, ctx context.Context, limit int) {
	e.cs, e.ctx, e.limit = cs, ctx, limit
	e.nodes, e.hint = 0, 0
	e.paths.reset()
	e.xnodes.reset()
	e.exts.reset()
	e.ptrs.reset()
	e.strs.reset()
	e.props.reset()
	e.idx.reset()
}

func (e *expander) newNode(path pathRef) (*xnode, error) {
	e.nodes++
	if e.nodes > e.limit {
		return nil, newError(CodeLimit, path, "more than %d expanded elements", e.limit)
	}
	if e.nodes&1023 == 0 && e.ctx != nil {
		if err := e.ctx.Err(); err != nil {
			return nil, &Error{Code: CodeCanceled, Path: path.String(), Err: err}
		}
	}
	e.hint++
	return e.xnodes.new(), nil
}

// slice returns the elements of r as a slice.
func (e *expander) slice(r xres) []*xnode {
	switch {
	case r.null:
		return nil
	case r.multi:
		return r.many
	}
	return e.one(r.one)
}

// one returns a one-element slice holding n.
func (e *expander) one(n *xnode) []*xnode {
	s := e.ptrs.take(1)
	s[0] = n
	return s
}

// expandKey expands a key (or type) with vocab semantics, returning the term
// definition it used, if any.
func expandKey(ac *activeContext, key string) (string, *termDef, bool) {
	if d, ok := ac.terms[key]; ok {
		if d.nullID {
			return "", d, true
		}
		return d.id, d, false
	}
	iri, null := ac.expandIRI(key, true)
	return iri, nil, null
}

// expandKeyDef is expandKey when the term definition of key in ac, d, has
// been looked up already.
func expandKeyDef(ac *activeContext, key string, d *termDef) (string, *termDef, bool) {
	if d != nil {
		if d.nullID {
			return "", d, true
		}
		return d.id, d, false
	}
	iri, null := ac.expandIRI(key, true)
	return iri, nil, null
}

// expand is the Expansion algorithm, following jsonld.js where it and the
// specification differ. activeProp is the unexpanded active property, with
// hasAP false for none.
func (e *expander) expand(ac *activeContext, activeProp string, hasAP bool, elem *jv,
	insideList, insideIndex bool, path pathRef) (xres, error) {
	return e.expandDef(ac, activeProp, hasAP, nil, false, elem, insideList, insideIndex, path)
}

// expandDef is expand with the term definition of activeProp in ac, apd,
// when apKnown is set.
func (e *expander) expandDef(ac *activeContext, activeProp string, hasAP bool, apd *termDef, apKnown bool, elem *jv,
	insideList, insideIndex bool, path pathRef) (xres, error) {
	if hasAP && !apKnown {
		apd, apKnown = ac.terms[activeProp], true
	}
	switch elem.k {
	case kNull:
		return nullRes, nil
	case kArr:
		var cont container
		if apd != nil {
			cont = apd.cont
		}
		insideList = insideList || cont&cList != 0
		out := e.ptrs.slice(len(elem.a))
		for i := range elem.a {
			p := path.index(i)
			r, err := e.expandDef(ac, activeProp, hasAP, apd, apKnown, &elem.a[i], false, insideIndex, p)
			if err != nil {
				return xres{}, err
			}
			if insideList && r.multi {
				l, err := e.newNode(p)
				if err != nil {
					return xres{}, err
				}
				l.hasList, l.list = true, r.many
				e.hint += len(r.many)
				r = xres{one: l}
			}
			switch {
			case r.null:
			case r.multi:
				out = append(out, r.many...)
			default:
				out = append(out, r.one)
			}
		}
		return xres{multi: true, many: out}, nil
	case kObj:
		return e.expandObjectElem(ac, activeProp, hasAP, apd, elem, insideList, insideIndex, path)
	}
	// A scalar.
	if !insideList {
		if !hasAP {
			return xres{}, newError(CodeFreeFloatingScalar, path, "a value outside any property would be dropped")
		}
		if iri, _, _ := expandKeyDef(ac, activeProp, apd); iri == "@graph" {
			return xres{}, newError(CodeFreeFloatingScalar, path, "a value in @graph would be dropped")
		}
	}
	n, err := e.expandValueDef(ac, activeProp, apd, elem, path)
	if err != nil {
		return xres{}, err
	}
	return xres{one: n}, nil
}

func (e *expander) expandObjectElem(ac *activeContext, activeProp string, hasAP bool, apDef *termDef, elem *jv,
	insideList, insideIndex bool, path pathRef) (xres, error) {
	var expandedAP string
	if hasAP {
		expandedAP, _, _ = expandKeyDef(ac, activeProp, apDef)
	}
	ac0 := ac
	// Revert a type-scoped context, unless the element is a value object or
	// a node reference (jsonld.js's test).
	mustRevert := !insideIndex
	if mustRevert && ac.previous != nil && len(elem.a) <= 2 && !elem.has("@context") {
		tsc := ac
		for i := range elem.a {
			iri, _, _ := expandKey(tsc, elem.a[i].key)
			if iri == "@value" {
				mustRevert = false
				ac = tsc
				break
			}
			if iri == "@id" && len(elem.a) == 1 {
				mustRevert = false
				break
			}
		}
	}
	if mustRevert && ac.previous != nil {
		ac = ac.previous
	}
	if apDef != nil && apDef.ctx != nil {
		var err error
		if ac, err = e.cs.processScoped(ac, apDef.ctx, true, true, path); err != nil {
			return xres{}, err
		}
	}
	if lc, ok := elem.get("@context"); ok {
		var err error
		if ac, err = e.cs.process(ac, lc, true, false, true, path.key("@context")); err != nil {
			return xres{}, err
		}
	}
	tsc := ac

	// Apply type-scoped contexts, in the order of the sorted types.
	typeKey := ""
	for i := range elem.a {
		key := elem.a[i].key
		if !ac.isTypeKey(key) {
			continue
		}
		if typeKey == "" || utf16Compare(key, typeKey) < 0 {
			typeKey = key // the first in jsonld.js's sorted order
		}
		v := &elem.a[i]
		switch v.k {
		case kStr:
			if d := tsc.terms[v.s]; d != nil && d.ctx != nil {
				var err error
				if ac, err = e.cs.processScoped(ac, d.ctx, false, false, path.key(key)); err != nil {
					return xres{}, err
				}
			}
		case kArr:
			var types []string
			for j := range v.a {
				if v.a[j].k == kStr {
					if d := tsc.terms[v.a[j].s]; d != nil && d.ctx != nil {
						types = append(types, v.a[j].s)
					}
				}
			}
			if len(types) > 1 {
				slices.SortFunc(types, utf16Compare)
			}
			for _, t := range types {
				var err error
				if ac, err = e.cs.processScoped(ac, tsc.terms[t].ctx, false, false, path.key(key)); err != nil {
					return xres{}, err
				}
			}
		}
	}

	rval, err := e.newNode(path)
	if err != nil {
		return xres{}, err
	}
	rval.props = e.props.slice(len(elem.a))
	if err := e.expandObject(ac, activeProp, hasAP, expandedAP, elem, rval, typeKey, tsc, path); err != nil {
		return xres{}, err
	}

	count := rval.count()
	switch {
	case rval.hasValue:
		if err := e.checkValueObject(rval, count, path); err != nil {
			return xres{}, err
		}
	case rval.hasSet || rval.hasList:
		if count > 1 && !(count == 2 && rval.hasIndex) {
			return xres{}, newError(CodeInvalidSetOrList, path, "a @set or @list object may only have @index besides")
		}
		if rval.hasSet {
			return xres{multi: true, many: rval.x.set}, nil
		}
	case count == 1 && rval.hasLang:
		return xres{}, newError(CodeObjectOnlyLanguage, path, "an object with only @language would be dropped")
	default:
		for _, t := range rval.types {
			if t == "@json" {
				return xres{}, newError(CodeInvalidTypeValue, path, "@json is the type of a value, not of a node")
			}
		}
	}

	if !insideList {
		top := !hasAP || expandedAP == "@graph"
		if !top {
			d := apDef
			if ac != ac0 {
				d = ac.terms[activeProp]
			}
			if d != nil && d.cont&cGraph != 0 {
				top = true
			}
		}
		if top {
			if err := dropCheck(rval, count, path); err != nil {
				return xres{}, err
			}
		}
	}
	return xres{one: rval}, nil
}

// checkValueObject validates a value object as jsonld.js does, and rejects
// what it would convert to RDF with a loss.
func (e *expander) checkValueObject(n *xnode, count int, path pathRef) error {
	if n.hasTypes && (n.hasLang || n.hasDir) {
		return newError(CodeInvalidValueObject, path, "a value object may not have both @type and @language or @direction")
	}
	valid := count - 1
	for _, b := range [...]bool{n.hasTypes, n.hasIndex, n.hasLang, n.hasDir} {
		if b {
			valid--
		}
	}
	if valid != 0 {
		return newError(CodeInvalidValueObject, path, "a value object may only have @value, @type, @language, @direction and @index")
	}
	if n.hasTypes && len(n.types) != 1 {
		return newError(CodeInvalidTypedValue, path, "a value object must have one @type")
	}
	if n.hasTypes && n.types[0] == "@json" {
		return nil
	}
	switch {
	case n.val.k == kNull:
		return newError(CodeNullValue, path, "a null @value would be dropped")
	case n.hasLang && n.val.k != kStr:
		return newError(CodeInvalidLanguageTaggedV, path, "only strings may be language-tagged")
	case n.hasTypes:
		t := n.types[0]
		switch classifyIRI(t) {
		case iriOK:
		case iriInvalid:
			return newError(CodeInvalidIRI, path, "datatype %q is not a valid IRI", t)
		default:
			return newError(CodeInvalidTypedValue, path, "datatype %q is not an absolute IRI", t)
		}
	}
	return checkLiteral(n, path)
}

// checkLiteral rejects values jsonld.js would write as a different literal
// than the one the document shows.
func checkLiteral(n *xnode, path pathRef) error {
	dt := ""
	if n.hasTypes {
		dt = n.types[0]
	}
	switch n.val.k {
	case kNum:
		if !isDouble(n.val.n) && dt != rdfXSDDouble && n.val.n != math.Trunc(n.val.n) {
			return newError(CodeLossyNumber, path, "jsonld.js would write %s as the integer %s",
				strconv.FormatFloat(n.val.n, 'g', -1, 64), integer(math.Trunc(n.val.n)))
		}
	case kStr:
		if dt == rdfXSDDouble {
			if _, ok := parseDoubleString(n.val.s); !ok {
				return newError(CodeLossyNumber, path, "xsd:double value %q is not a finite decimal number: jsonld.js would rewrite it", n.val.s)
			}
		}
		if dt == rdfLangString && !n.hasLang {
			return newError(CodeInvalidTypedValue, path, "rdf:langString needs a language")
		}
	}
	return nil
}

// dropCheck rejects what jsonld.js drops at the top level of a graph: empty
// objects, values, lists and node objects with only @id.
func dropCheck(n *xnode, count int, path pathRef) error {
	switch {
	case count == 0:
		return newError(CodeEmptyObject, path, "an empty object here would be dropped")
	case n.hasValue:
		return newError(CodeObjectOnlyValue, path, "a value object here would be dropped")
	case n.hasList:
		return newError(CodeObjectOnlyList, path, "a list object here would be dropped")
	case count == 1 && n.hasID:
		return newError(CodeObjectOnlyID, path, "a node object with only @id here would be dropped")
	}
	return nil
}

// order returns the indexes of the members of elem in the order jsonld.js
// processes them: sorted by key, in UTF-16 code unit order. The order decides
// which problem is reported first when there are several.
func (e *expander) order(elem *jv) []int32 {
	idx := e.idx.take(len(elem.a))
	for i := range idx {
		idx[i] = int32(i)
	}
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && utf16Compare(elem.a[idx[j-1]].key, elem.a[idx[j]].key) > 0; j-- {
			idx[j-1], idx[j] = idx[j], idx[j-1]
		}
	}
	return idx
}

// expandObject expands the entries of element into rval (jsonld.js's
// _expandObject).
func (e *expander) expandObject(ac *activeContext, activeProp string, hasAP bool, expandedAP string,
	elem *jv, rval *xnode, typeKey string, tsc *activeContext, path pathRef) error {
	isJSONType := false
	if typeKey != "" {
		tv, _ := elem.get(typeKey)
		if tv.k == kArr && len(tv.a) > 0 {
			tv = &tv.a[0]
		}
		if tv.k == kStr {
			iri, _, _ := expandKey(ac, tv.s)
			isJSONType = iri == "@json"
		}
	}
	hasNest := false
	order := e.order(elem)
	for _, i := range order {
		key := elem.a[i].key
		value := &elem.a[i]
		if key == "@context" {
			continue
		}
		kp := path.key(key)
		ep, def, null := expandKey(ac, key)
		if null {
			return newError(CodeInvalidProperty, kp, "property %q is mapped to null: it would be dropped", key)
		}
		kw := isKeyword(ep)
		if !kw {
			var cls iriClass
			if def != nil {
				cls = def.cls
			} else {
				cls = classifyIRI(ep)
			}
			switch cls {
			case iriRelative:
				if looksLikeKeyword(key) {
					return newError(CodeInvalidProperty, kp, "%q is not a JSON-LD keyword", key)
				}
				return newError(CodeInvalidProperty, kp, "property %q is not defined by the context and does not expand to an absolute IRI", key)
			case iriInvalid:
				return newError(CodeInvalidIRI, kp, "property %q expands to %q, which is not a valid IRI", key, ep)
			case iriBlank:
				return newError(CodeBlankNodePredicate, kp, "property %q expands to the blank node %q, which RDF does not allow as a predicate", key, ep)
			}
		} else {
			if expandedAP == "@reverse" {
				return newError(CodeInvalidReverseMap, kp, "a keyword cannot be used as a @reverse property")
			}
			if hasKeyword(rval, ep) && ep != "@included" && ep != "@type" {
				return newError(CodeCollidingKeywords, kp, "%s appears more than once", ep)
			}
		}
		switch ep {
		case "@id":
			if value.k != kStr {
				return newError(CodeInvalidIDValue, kp, "@id must be a string, not %s", value.typeName())
			}
			id, err := expandID(ac, value.s, kp)
			if err != nil {
				return err
			}
			rval.id, rval.hasID = id, true
			continue
		case "@type":
			if err := e.expandTypes(tsc, value, rval, kp); err != nil {
				return err
			}
			continue
		case "@included":
			r, err := e.expand(ac, activeProp, hasAP, value, false, false, kp)
			if err != nil {
				return err
			}
			items := e.slice(r)
			for _, it := range items {
				if !it.isSubject() {
					return newError(CodeInvalidIncluded, kp, "values of @included must be node objects")
				}
			}
			x := rval.ext(e)
			x.incl = append(x.incl, items...)
			rval.hasIncl = true
			continue
		case "@graph":
			if value.k != kObj && value.k != kArr {
				return newError(CodeInvalidGraph, kp, "@graph must be an object or an array")
			}
		case "@value":
			if !isJSONType && (value.k == kObj || value.k == kArr) {
				return newError(CodeInvalidValueObjectVal, kp, "@value must not be an object or an array")
			}
			rval.val, rval.hasValue = *value, true
			continue
		case "@language":
			if value.k == kNull {
				continue
			}
			if value.k != kStr {
				return newError(CodeInvalidLanguageTagged, kp, "@language must be a string")
			}
			if !validLanguage(value.s) {
				return newError(CodeInvalidLanguageValue, kp, "@language %q is not a BCP 47 language tag", value.s)
			}
			rval.lang, rval.hasLang = lower(value.s), true
			continue
		case "@direction":
			if value.k != kStr || value.s != "ltr" && value.s != "rtl" {
				return newError(CodeInvalidBaseDirection, kp, `@direction must be "ltr" or "rtl"`)
			}
			rval.ext(e).dir, rval.hasDir = value.s, true
			continue
		case "@index":
			if value.k != kStr {
				return newError(CodeInvalidIndexValue, kp, "@index must be a string")
			}
			rval.ext(e).index, rval.hasIndex = value.s, true
			continue
		case "@reverse":
			if value.k != kObj {
				return newError(CodeInvalidReverseValue, kp, "@reverse must be an object")
			}
			r, err := e.expand(ac, "@reverse", true, value, false, false, kp)
			if err != nil {
				return err
			}
			if !r.null && !r.multi && len(r.one.props) > 0 {
				x := rval.ext(e)
				for _, p := range r.one.props {
					for _, it := range p.vals {
						if it.hasValue || it.hasList {
							return newError(CodeInvalidReverseProperty, kp, "a @reverse value must not be a value or a list")
						}
					}
					addTo(&x.rev, p.iri, p.vals)
				}
				rval.hasRev = true
			}
			continue
		case "@nest":
			hasNest = true
			continue
		case "@list", "@set":
		default:
			if kw {
				return newError(CodeInvalidProperty, kp, "keyword %s is not allowed here: jsonld.js would drop it", ep)
			}
		}
		if err := e.expandProperty(ac, activeProp, hasAP, expandedAP, key, ep, def, value, rval, kp); err != nil {
			return err
		}
	}

	if !hasNest {
		return nil
	}
	for _, i := range order {
		key := elem.a[i].key
		if key == "@context" {
			continue
		}
		if iri, _, _ := expandKey(ac, key); iri != "@nest" {
			continue
		}
		nv := &elem.a[i]
		kp := path.key(key)
		for j := range nv.items() {
			item := nv.item(j)
			ip := kp
			if nv.k == kArr {
				ip = kp.index(j)
			}
			if item.k != kObj {
				return newError(CodeInvalidNest, ip, "a nested value must be an object")
			}
			for _, m := range item.a {
				if iri, _, _ := expandKey(ac, m.key); iri == "@value" {
					return newError(CodeInvalidNest, ip, "a nested value must be a node object")
				}
			}
			if err := e.expandObject(ac, activeProp, hasAP, expandedAP, item, rval, typeKey, tsc, ip); err != nil {
				return err
			}
		}
	}
	return nil
}

// expandTypes expands the value of an @type entry.
func (e *expander) expandTypes(tsc *activeContext, value *jv, rval *xnode, kp pathRef) error {
	switch value.k {
	case kStr:
		iri, def, null := expandKey(tsc, value.s)
		if iri != "@json" {
			if err := checkTypeIRI(iri, null, value.s, def, kp); err != nil {
				return err
			}
		}
		if rval.hasTypes {
			rval.types = append(rval.types, iri)
		} else {
			rval.types = e.strs.take(1)
			rval.types[0] = iri
		}
	case kArr:
		for j := range value.a {
			if value.a[j].k != kStr {
				return newError(CodeInvalidTypeValue, kp, "@type must be a string or an array of strings")
			}
		}
		if !rval.hasTypes {
			rval.types = e.strs.slice(len(value.a))
		}
		for j := range value.a {
			v := value.a[j].s
			iri, def, null := expandKey(tsc, v)
			if iri != "@json" {
				if err := checkTypeIRI(iri, null, v, def, kp.index(j)); err != nil {
					return err
				}
			}
			rval.types = append(rval.types, iri)
		}
	default:
		return newError(CodeInvalidTypeValue, kp, "@type must be a string or an array of strings")
	}
	rval.hasTypes = true
	e.hint += len(rval.types)
	return nil
}

// expandProperty expands the value of a property (or of @graph, @list or
// @set) and adds it to rval.
func (e *expander) expandProperty(ac *activeContext, activeProp string, hasAP bool, expandedAP string,
	key, ep string, def *termDef, value *jv, rval *xnode, kp pathRef) error {
	termCtx := ac
	if def != nil && def.ctx != nil {
		var err error
		if termCtx, err = e.cs.processScoped(ac, def.ctx, true, true, kp); err != nil {
			return err
		}
	}
	var cont container
	if def != nil {
		cont = def.cont
	}
	td := def
	if termCtx != ac {
		td = termCtx.terms[key]
	}
	var ev xres
	var err error
	switch {
	case cont&cLanguage != 0 && value.k == kObj:
		dir := ""
		if td != nil {
			dir = td.direction
		}
		ev, err = e.expandLanguageMap(termCtx, value, dir, kp)
	case cont&cIndex != 0 && value.k == kObj:
		indexKey := "@index"
		if td != nil && td.hasIndex {
			indexKey = td.index
		}
		propertyIndex := ""
		if indexKey != "@index" {
			iri, _, null := expandKey(ac, indexKey)
			if null || classifyIRI(iri) != iriOK {
				return newError(CodeInvalidTermDefinition, kp, "@index %q does not expand to an IRI", indexKey)
			}
			propertyIndex = iri
		}
		ev, err = e.expandIndexMap(termCtx, key, value, cont&cGraph != 0, indexKey, propertyIndex, kp)
	case cont&cID != 0 && value.k == kObj:
		ev, err = e.expandIndexMap(termCtx, key, value, cont&cGraph != 0, "@id", "", kp)
	case cont&cType != 0 && value.k == kObj:
		tc := termCtx
		if tc.previous != nil {
			tc = tc.previous
		}
		ev, err = e.expandIndexMap(tc, key, value, false, "@type", "", kp)
	case ep == "@list" || ep == "@set":
		isList := ep == "@list"
		nap, nhas := activeProp, hasAP
		if isList && expandedAP == "@graph" {
			nap, nhas = "", false
		}
		ev, err = e.expand(termCtx, nap, nhas, value, isList, false, kp)
	case def != nil && def.typ == "@json":
		n, nerr := e.newNode(kp)
		if nerr != nil {
			return nerr
		}
		n.hasValue, n.val = true, *value
		n.hasTypes, n.types = true, jsonType
		ev = xres{one: n}
	default:
		ev, err = e.expandDef(termCtx, key, true, td, true, value, false, false, kp)
	}
	if err != nil {
		return err
	}
	if ev.null {
		return nil
	}
	if ep != "@list" && cont&cList != 0 && (ev.multi || !ev.one.hasList) {
		l, err := e.newNode(kp)
		if err != nil {
			return err
		}
		l.hasList = true
		l.list = e.slice(ev)
		if l.list == nil {
			l.list = []*xnode{}
		}
		e.hint += len(l.list)
		ev = xres{one: l}
	}
	if cont&cGraph != 0 && cont&(cID|cIndex) == 0 {
		items := e.slice(ev)
		for j, it := range items {
			ip := kp
			if ev.multi {
				ip = kp.index(j)
			}
			if err := dropCheck(it, it.count(), ip); err != nil {
				return err
			}
		}
		if len(items) == 0 {
			return nil
		}
		wrapped := e.ptrs.take(len(items))
		for j, it := range items {
			g, err := e.newNode(kp)
			if err != nil {
				return err
			}
			g.hasGraph = true
			g.ext(e).graph = e.one(it)
			wrapped[j] = g
		}
		ev = xres{multi: true, many: wrapped}
	}
	if td != nil && td.reverse {
		items := e.slice(ev)
		for _, it := range items {
			if it.hasValue || it.hasList {
				return newError(CodeInvalidReverseProperty, kp, "a @reverse property value must not be a value or a list")
			}
		}
		addTo(&rval.ext(e).rev, ep, items)
		rval.hasRev = true
		return nil
	}
	vals := e.slice(ev)
	switch ep {
	case "@list":
		rval.list = append(rval.list, vals...)
		if rval.list == nil {
			rval.list = []*xnode{}
		}
		e.hint += len(vals)
		rval.hasList = true
	case "@set":
		x := rval.ext(e)
		x.set = append(x.set, vals...)
		rval.hasSet = true
	case "@graph":
		x := rval.ext(e)
		x.graph = append(x.graph, vals...)
		rval.hasGraph = true
	default:
		if vals == nil {
			vals = []*xnode{}
		}
		addTo(&rval.props, ep, vals)
	}
	return nil
}

var jsonType = []string{"@json"}

func hasKeyword(n *xnode, kw string) bool {
	switch kw {
	case "@id":
		return n.hasID
	case "@type":
		return n.hasTypes
	case "@value":
		return n.hasValue
	case "@language":
		return n.hasLang
	case "@direction":
		return n.hasDir
	case "@index":
		return n.hasIndex
	case "@reverse":
		return n.hasRev
	case "@graph":
		return n.hasGraph
	case "@included":
		return n.hasIncl
	case "@list":
		return n.hasList
	case "@set":
		return n.hasSet
	}
	return false
}

// lower returns s in lower case, without allocating when it already is.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// expandID expands a node identifier (document-relative, no base IRI).
func expandID(ac *activeContext, v string, path pathRef) (string, error) {
	id, null := ac.expandIRI(v, false)
	if null {
		return "", newError(CodeReservedID, path, "@id %q has the form of a keyword", v)
	}
	switch classifyIRI(id) {
	case iriOK, iriBlank:
		return id, nil
	case iriInvalid:
		return "", newError(CodeInvalidIRI, path, "@id %q is not a valid IRI", id)
	}
	return "", newError(CodeRelativeID, path, "@id %q is not an absolute IRI (there is no base IRI)", v)
}

func checkTypeIRI(iri string, null bool, raw string, def *termDef, path pathRef) error {
	if null {
		return newError(CodeRelativeType, path, "type %q expands to null", raw)
	}
	var cls iriClass
	if def != nil {
		cls = def.cls
	} else {
		cls = classifyIRI(iri)
	}
	switch cls {
	case iriOK, iriBlank:
		return nil
	case iriInvalid:
		return newError(CodeInvalidIRI, path, "type %q expands to %q, which is not a valid IRI", raw, iri)
	}
	return newError(CodeRelativeType, path, "type %q is not defined by the context and is not an absolute IRI", raw)
}

// expandValue is Value Expansion of a scalar.
func (e *expander) expandValue(ac *activeContext, activeProp string, value *jv, path pathRef) (*xnode, error) {
	return e.expandValueDef(ac, activeProp, ac.terms[activeProp], value, path)
}

// expandValueDef is expandValue with the term definition of activeProp.
func (e *expander) expandValueDef(ac *activeContext, activeProp string, def *termDef, value *jv, path pathRef) (*xnode, error) {
	ep, _, _ := expandKeyDef(ac, activeProp, def)
	if isKeyword(ep) && ep != "@graph" {
		return nil, newError(CodeInvalidProperty, path, "a scalar is not allowed as the value of %s", ep)
	}
	typ := ""
	if def != nil {
		typ = def.typ
	}
	n, err := e.newNode(path)
	if err != nil {
		return nil, err
	}
	if value.k == kStr && (typ == "@id" || typ == "@vocab" || ep == "@graph") {
		id, null := ac.expandIRI(value.s, typ == "@vocab")
		if null {
			return nil, newError(CodeReservedID, path, "%q has the form of a keyword", value.s)
		}
		switch classifyIRI(id) {
		case iriRelative:
			return nil, newError(CodeRelativeObject, path, "%q is not an absolute IRI (there is no base IRI)", value.s)
		case iriInvalid:
			return nil, newError(CodeInvalidIRI, path, "%q is not a valid IRI", id)
		}
		n.id, n.hasID = id, true
		return n, nil
	}
	switch {
	case typ != "" && typ != "@id" && typ != "@vocab" && typ != "@none":
		if typ != "@json" {
			switch def.typCls {
			case iriInvalid:
				return nil, newError(CodeInvalidIRI, path, "datatype %q is not a valid IRI", typ)
			case iriRelative, iriBlank:
				return nil, newError(CodeInvalidTypedValue, path, "datatype %q is not an absolute IRI", typ)
			}
		}
		n.hasTypes = true
		n.types = def.typSlice
	case value.k == kStr:
		if def != nil && def.hasLanguage {
			if def.language != "" {
				n.lang, n.hasLang = def.language, true
			}
		} else if ac.hasLanguage {
			n.lang, n.hasLang = ac.language, true
		}
		if def != nil && def.direction != "" {
			n.ext(e).dir, n.hasDir = def.direction, true
		}
	}
	n.val, n.hasValue = *value, true
	if err := checkLiteral(n, path); err != nil {
		return nil, err
	}
	return n, nil
}

// expandLanguageMap expands a language map.
func (e *expander) expandLanguageMap(ac *activeContext, m *jv, dir string, path pathRef) (xres, error) {
	out := e.ptrs.slice(len(m.a))
	for _, v := range sortedMembers(m) {
		key := v.key
		kp := path.key(key)
		iri, _, _ := expandKey(ac, key)
		for j := range v.items() {
			item := v.item(j)
			if item.k == kNull {
				continue
			}
			if item.k != kStr {
				return xres{}, newError(CodeInvalidLanguageMap, kp, "language map values must be strings")
			}
			if iri != "@none" && !validLanguage(key) {
				return xres{}, newError(CodeInvalidLanguageValue, kp, "%q is not a BCP 47 language tag", key)
			}
			n, err := e.newNode(kp)
			if err != nil {
				return xres{}, err
			}
			n.val, n.hasValue = *item, true
			if iri != "@none" {
				n.lang, n.hasLang = lower(key), true
			}
			if dir != "" {
				n.ext(e).dir, n.hasDir = dir, true
			}
			out = append(out, n)
		}
	}
	return xres{multi: true, many: out}, nil
}

// expandIndexMap expands index, id and type maps.
func (e *expander) expandIndexMap(ac *activeContext, activeProp string, m *jv, asGraph bool,
	indexKey, propertyIndex string, path pathRef) (xres, error) {
	var out []*xnode
	isType := indexKey == "@type"
	for _, mv := range sortedMembers(m) {
		key := mv.key
		kp := path.key(key)
		if isType {
			if d := ac.terms[key]; d != nil && d.ctx != nil {
				var err error
				if ac, err = e.cs.processScoped(ac, d.ctx, false, false, kp); err != nil {
					return xres{}, err
				}
			}
		}
		r, err := e.expand(ac, activeProp, true, mv, false, true, kp)
		if err != nil {
			return xres{}, err
		}
		items := e.slice(r)
		var expandedKey string
		var keyValue *xnode
		if propertyIndex != "" {
			if key == "@none" {
				expandedKey = "@none"
			} else {
				kv := jv{k: kStr, s: key}
				if keyValue, err = e.expandValue(ac, indexKey, &kv, kp); err != nil {
					return xres{}, err
				}
			}
		} else {
			expandedKey, _, _ = expandKey(ac, key)
		}
		switch {
		case indexKey == "@id" && expandedKey != "@none":
			if key, err = expandID(ac, key, kp); err != nil {
				return xres{}, err
			}
		case isType && expandedKey != "@none":
			if err := checkTypeIRI(expandedKey, false, key, nil, kp); err != nil {
				return xres{}, err
			}
			key = expandedKey
		}
		for _, item := range items {
			if asGraph && !item.isGraph() {
				g, err := e.newNode(kp)
				if err != nil {
					return xres{}, err
				}
				g.hasGraph = true
				g.ext(e).graph = e.one(item)
				item = g
			}
			switch {
			case isType:
				if expandedKey == "@none" {
					break
				}
				if item.hasValue {
					return xres{}, newError(CodeInvalidTypedValue, kp, "a value in a type map cannot take the map's type")
				}
				item.types = append([]string{key}, item.types...)
				item.hasTypes = true
				e.hint++
			case item.hasValue && indexKey != "@language" && indexKey != "@index":
				return xres{}, newError(CodeInvalidValueObject, kp, "a value object cannot take the index %s", indexKey)
			case propertyIndex != "":
				if keyValue != nil {
					vals := []*xnode{keyValue}
					for k := range item.props {
						if item.props[k].iri == propertyIndex {
							vals = append(vals, item.props[k].vals...)
							item.props = slices.Delete(slices.Clone(item.props), k, k+1)
							break
						}
					}
					item.props = append([]xprop{{iri: propertyIndex, vals: vals}}, item.props...)
				}
			case expandedKey != "@none":
				switch indexKey {
				case "@index":
					if !item.hasIndex {
						item.ext(e).index, item.hasIndex = key, true
					}
				case "@id":
					if !item.hasID {
						item.id, item.hasID = key, true
					}
				}
			}
			out = append(out, item)
		}
	}
	return xres{multi: true, many: out}, nil
}
