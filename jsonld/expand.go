package jsonld

import (
	"context"
	"slices"
	"strings"
)

// xnode is an element of the expanded document: a node, value, list, set or
// graph object, with the entries the expansion algorithm gives it. The has*
// flags mirror which entries jsonld.js's expanded object would hold.
type xnode struct {
	id       string
	hasID    bool
	types    []string // @type, for nodes and (one entry) value objects
	hasTypes bool
	props    []xprop
	rev      []xprop
	hasRev   bool
	graph    []*xnode
	hasGraph bool
	incl     []*xnode
	hasIncl  bool
	index    string
	hasIndex bool

	val      jv // @value
	hasValue bool
	lang     string
	hasLang  bool
	dir      string
	hasDir   bool

	list    []*xnode
	hasList bool
	set     []*xnode
	hasSet  bool
}

type xprop struct {
	iri  string
	vals []*xnode
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

func (n *xnode) addProp(iri string, vals []*xnode) {
	for i := range n.props {
		if n.props[i].iri == iri {
			n.props[i].vals = append(n.props[i].vals, vals...)
			return
		}
	}
	n.props = append(n.props, xprop{iri: iri, vals: vals})
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
	null bool
	arr  bool
	one  *xnode
	many []*xnode
}

var nullRes = xres{null: true}

func (r xres) slice() []*xnode {
	switch {
	case r.null:
		return nil
	case r.arr:
		return r.many
	}
	return []*xnode{r.one}
}

// expander holds the state of expanding one document.
type expander struct {
	cs     *ctxState
	ctx    context.Context
	nodes  int
	limit  int
	arena  []xnode
	ptrBuf []*xnode
}

func (e *expander) newNode(path *pathNode) (*xnode, error) {
	e.nodes++
	if e.nodes > e.limit {
		return nil, newError(CodeLimit, path, "more than %d expanded elements", e.limit)
	}
	if e.nodes&1023 == 0 && e.ctx != nil {
		if err := e.ctx.Err(); err != nil {
			return nil, &Error{Code: CodeCanceled, Path: path.String(), Err: err}
		}
	}
	if len(e.arena) == cap(e.arena) {
		e.arena = make([]xnode, 0, 64)
	}
	e.arena = e.arena[:len(e.arena)+1]
	return &e.arena[len(e.arena)-1], nil
}

// one wraps n into a one-element slice without a separate allocation for
// small results.
func (e *expander) one(n *xnode) []*xnode {
	if len(e.ptrBuf) == cap(e.ptrBuf) {
		e.ptrBuf = make([]*xnode, 0, 128)
	}
	e.ptrBuf = append(e.ptrBuf, n)
	return e.ptrBuf[len(e.ptrBuf)-1 : len(e.ptrBuf) : len(e.ptrBuf)]
}

func (e *expander) setPath(p *pathNode) { e.cs.path = p }

// expandIRIOf expands a key with vocab semantics, reusing a looked-up term.
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

// expand is the Expansion algorithm, following jsonld.js where it and the
// specification differ. activeProp is the unexpanded active property, "" with
// hasAP false for none.
func (e *expander) expand(ac *activeContext, activeProp string, hasAP bool, elem *jv,
	insideList, insideIndex bool, path *pathNode) (xres, error) {
	switch elem.k {
	case kNull:
		return nullRes, nil
	case kArr:
		var cont container
		if hasAP {
			if d := ac.terms[activeProp]; d != nil {
				cont = d.cont
			}
		}
		insideList = insideList || cont&cList != 0
		out := make([]*xnode, 0, len(elem.arr))
		for i := range elem.arr {
			p := pathNode{parent: path, idx: i}
			r, err := e.expand(ac, activeProp, hasAP, &elem.arr[i], false, insideIndex, &p)
			if err != nil {
				return xres{}, err
			}
			if insideList && r.arr {
				l, err := e.newNode(&p)
				if err != nil {
					return xres{}, err
				}
				l.hasList, l.list = true, r.many
				r = xres{one: l}
			}
			switch {
			case r.null:
			case r.arr:
				out = append(out, r.many...)
			default:
				out = append(out, r.one)
			}
		}
		return xres{arr: true, many: out}, nil
	case kObj:
		return e.expandObjectElem(ac, activeProp, hasAP, elem, insideList, insideIndex, path)
	}
	// A scalar.
	if !insideList {
		if !hasAP {
			return xres{}, newError(CodeFreeFloatingScalar, path, "a value outside any property would be dropped")
		}
		if iri, _, _ := expandKey(ac, activeProp); iri == "@graph" {
			return xres{}, newError(CodeFreeFloatingScalar, path, "a value in @graph would be dropped")
		}
	}
	n, err := e.expandValue(ac, activeProp, elem, path)
	if err != nil {
		return xres{}, err
	}
	return xres{one: n}, nil
}

func (e *expander) expandObjectElem(ac *activeContext, activeProp string, hasAP bool, elem *jv,
	insideList, insideIndex bool, path *pathNode) (xres, error) {
	var expandedAP string
	var apDef *termDef
	if hasAP {
		expandedAP, apDef, _ = expandKey(ac, activeProp)
	}
	// Revert a type-scoped context, unless the element is a value object or
	// a node reference.
	tsc := ac
	if ac.previous == nil {
		tsc = nil
	}
	mustRevert := !insideIndex
	if mustRevert && tsc != nil && len(elem.obj) <= 2 && !elem.has("@context") {
		for i := range elem.obj {
			iri, _, _ := expandKey(tsc, elem.obj[i].key)
			if iri == "@value" {
				mustRevert = false
				ac = tsc
				break
			}
			if iri == "@id" && len(elem.obj) == 1 {
				mustRevert = false
				break
			}
		}
	}
	if mustRevert && ac.previous != nil {
		ac = ac.previous
	}
	e.setPath(path)
	if apDef != nil && apDef.ctx != nil {
		var err error
		if ac, err = e.cs.processScoped(ac, apDef.ctx, true, true); err != nil {
			return xres{}, err
		}
	}
	if lc, ok := elem.get("@context"); ok {
		e.setPath(&pathNode{parent: path, key: "@context", idx: -1})
		var err error
		if ac, err = e.cs.process(ac, lc, true, false, true); err != nil {
			return xres{}, err
		}
	}
	tsc = ac

	// Apply type-scoped contexts, in the order of the sorted types.
	typeKey := ""
	for i := range elem.obj {
		key := elem.obj[i].key
		if iri, _, _ := expandKey(ac, key); iri != "@type" {
			continue
		}
		if typeKey == "" {
			typeKey = key
		}
		v := &elem.obj[i].val
		var types []string
		switch v.k {
		case kStr:
			types = []string{v.s}
		case kArr:
			for j := range v.arr {
				if v.arr[j].k == kStr {
					types = append(types, v.arr[j].s)
				}
			}
			if len(types) > 1 {
				slices.SortFunc(types, utf16Compare)
			}
		}
		for _, t := range types {
			if d := tsc.terms[t]; d != nil && d.ctx != nil {
				e.setPath(&pathNode{parent: path, key: key, idx: -1})
				var err error
				if ac, err = e.cs.processScoped(ac, d.ctx, false, false); err != nil {
					return xres{}, err
				}
			}
		}
	}

	rval, err := e.newNode(path)
	if err != nil {
		return xres{}, err
	}
	if err := e.expandObject(ac, activeProp, hasAP, expandedAP, elem, rval, insideList, typeKey, tsc, path); err != nil {
		return xres{}, err
	}

	count := rval.count()
	switch {
	case rval.hasValue:
		if rval.hasTypes && (rval.hasLang || rval.hasDir) {
			return xres{}, newError(CodeInvalidValueObject, path, "a value object may not have both @type and @language or @direction")
		}
		valid := count - 1
		for _, b := range [...]bool{rval.hasTypes, rval.hasIndex, rval.hasLang, rval.hasDir} {
			if b {
				valid--
			}
		}
		if valid != 0 {
			return xres{}, newError(CodeInvalidValueObject, path, "a value object may only have @value, @type, @language, @direction and @index")
		}
		if rval.hasTypes && len(rval.types) != 1 {
			return xres{}, newError(CodeInvalidTypedValue, path, "a value object must have one @type")
		}
		isJSON := rval.hasTypes && rval.types[0] == "@json"
		switch {
		case isJSON:
		case rval.val.k == kNull:
			return xres{}, newError(CodeNullValue, path, "a null @value would be dropped")
		case rval.hasLang && rval.val.k != kStr:
			return xres{}, newError(CodeInvalidLanguageTaggedV, path, "only strings may be language-tagged")
		case rval.hasTypes:
			t := rval.types[0]
			switch classifyIRI(t) {
			case iriOK:
			case iriInvalid:
				return xres{}, newError(CodeInvalidIRI, path, "datatype %q is not a valid IRI", t)
			default:
				return xres{}, newError(CodeInvalidTypedValue, path, "datatype %q is not an absolute IRI", t)
			}
		}
	case rval.hasSet || rval.hasList:
		if count > 1 && !(count == 2 && rval.hasIndex) {
			return xres{}, newError(CodeInvalidSetOrList, path, "a @set or @list object may only have @index besides")
		}
		if rval.hasSet {
			return xres{arr: true, many: rval.set}, nil
		}
	case count == 1 && rval.hasLang:
		return xres{}, newError(CodeObjectOnlyLanguage, path, "an object with only @language would be dropped")
	}

	if !insideList {
		top := !hasAP || expandedAP == "@graph"
		if !top && hasAP {
			if d := ac.terms[activeProp]; d != nil && d.cont&cGraph != 0 {
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

// dropCheck rejects what jsonld.js drops at the top level of a graph: empty
// objects, values, lists and node objects with only @id.
func dropCheck(n *xnode, count int, path *pathNode) error {
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

// expandObject expands the entries of element into rval (jsonld.js's
// _expandObject).
func (e *expander) expandObject(ac *activeContext, activeProp string, hasAP bool, expandedAP string,
	elem *jv, rval *xnode, insideList bool, typeKey string, tsc *activeContext, path *pathNode) error {
	isJSONType := false
	if typeKey != "" {
		tv, _ := elem.get(typeKey)
		if tv.k == kArr && len(tv.arr) > 0 {
			tv = &tv.arr[0]
		}
		if tv.k == kStr {
			iri, _, _ := expandKey(ac, tv.s)
			isJSONType = iri == "@json"
		}
	}
	var nests []string
	var rawValue *jv
	for i := range elem.obj {
		key := elem.obj[i].key
		value := &elem.obj[i].val
		if key == "@context" {
			continue
		}
		kp := pathNode{parent: path, key: key, idx: -1}
		ep, def, null := expandKey(ac, key)
		if null {
			return newError(CodeInvalidProperty, &kp, "property %q is mapped to null: it would be dropped", key)
		}
		kw := isKeyword(ep)
		if !kw {
			cls := iriOK
			if def != nil {
				cls = def.cls
			} else {
				cls = classifyIRI(ep)
			}
			switch cls {
			case iriRelative:
				if looksLikeKeyword(key) {
					return newError(CodeInvalidProperty, &kp, "%q is not a JSON-LD keyword", key)
				}
				return newError(CodeInvalidProperty, &kp, "property %q is not defined by the context and does not expand to an absolute IRI", key)
			case iriInvalid:
				return newError(CodeInvalidIRI, &kp, "property %q expands to %q, which is not a valid IRI", key, ep)
			case iriBlank:
				return newError(CodeBlankNodePredicate, &kp, "property %q expands to the blank node %q, which RDF does not allow as a predicate", key, ep)
			}
		}
		if kw {
			if expandedAP == "@reverse" {
				return newError(CodeInvalidReverseMap, &kp, "a keyword cannot be used as a @reverse property")
			}
			if hasKeyword(rval, ep) && ep != "@included" && ep != "@type" {
				return newError(CodeCollidingKeywords, &kp, "%s appears more than once", ep)
			}
		}
		switch ep {
		case "@id":
			if value.k != kStr {
				return newError(CodeInvalidIDValue, &kp, "@id must be a string, not %s", value.typeName())
			}
			id, err := e.expandID(ac, value.s, &kp)
			if err != nil {
				return err
			}
			rval.id, rval.hasID = id, true
			continue
		case "@type":
			var vals []*jv
			switch value.k {
			case kStr:
				vals = []*jv{value}
			case kArr:
				for j := range value.arr {
					if value.arr[j].k != kStr {
						return newError(CodeInvalidTypeValue, &kp, "@type must be a string or an array of strings")
					}
					vals = append(vals, &value.arr[j])
				}
			default:
				return newError(CodeInvalidTypeValue, &kp, "@type must be a string or an array of strings")
			}
			rval.hasTypes = true
			for j, v := range vals {
				iri, _, null := expandKey(tsc, v.s)
				tp := &kp
				if value.k == kArr {
					tp = &pathNode{parent: &kp, idx: j}
				}
				if iri != "@json" {
					if err := checkTypeIRI(iri, null, v.s, tp); err != nil {
						return err
					}
				}
				rval.types = append(rval.types, iri)
			}
			continue
		case "@included":
			r, err := e.expand(ac, activeProp, hasAP, value, false, false, &kp)
			if err != nil {
				return err
			}
			items := r.slice()
			for _, it := range items {
				if !it.isSubject() {
					return newError(CodeInvalidIncluded, &kp, "values of @included must be node objects")
				}
			}
			rval.incl = append(rval.incl, items...)
			rval.hasIncl = true
			continue
		case "@graph":
			if value.k != kObj && value.k != kArr {
				return newError(CodeInvalidGraph, &kp, "@graph must be an object or an array")
			}
		case "@value":
			if !isJSONType && (value.k == kObj || value.k == kArr) {
				return newError(CodeInvalidValueObjectVal, &kp, "@value must not be an object or an array")
			}
			rawValue = value
			rval.val, rval.hasValue = *value, true
			continue
		case "@language":
			if value.k == kNull {
				continue
			}
			if value.k != kStr {
				return newError(CodeInvalidLanguageTagged, &kp, "@language must be a string")
			}
			if !validLanguage(value.s) {
				return newError(CodeInvalidLanguageValue, &kp, "@language %q is not a BCP 47 language tag", value.s)
			}
			rval.lang, rval.hasLang = strings.ToLower(value.s), true
			continue
		case "@direction":
			if value.k != kStr || value.s != "ltr" && value.s != "rtl" {
				return newError(CodeInvalidBaseDirection, &kp, `@direction must be "ltr" or "rtl"`)
			}
			rval.dir, rval.hasDir = value.s, true
			continue
		case "@index":
			if value.k != kStr {
				return newError(CodeInvalidIndexValue, &kp, "@index must be a string")
			}
			rval.index, rval.hasIndex = value.s, true
			continue
		case "@reverse":
			if value.k != kObj {
				return newError(CodeInvalidReverseValue, &kp, "@reverse must be an object")
			}
			r, err := e.expand(ac, "@reverse", true, value, false, false, &kp)
			if err != nil {
				return err
			}
			if !r.null && !r.arr {
				for _, p := range r.one.props {
					for _, it := range p.vals {
						if it.hasValue || it.hasList {
							return newError(CodeInvalidReverseProperty, &kp, "a @reverse value must not be a value or a list")
						}
					}
					addTo(&rval.rev, p.iri, p.vals)
				}
				rval.hasRev = rval.hasRev || len(r.one.props) > 0
			}
			continue
		case "@nest":
			nests = append(nests, key)
			continue
		case "@list", "@set":
		default:
			if kw {
				return newError(CodeInvalidProperty, &kp, "keyword %s is not allowed here: jsonld.js would drop it", ep)
			}
		}

		// A property (or @graph, @list, @set).
		termCtx := ac
		if def != nil && def.ctx != nil {
			e.setPath(&kp)
			var err error
			if termCtx, err = e.cs.processScoped(ac, def.ctx, true, true); err != nil {
				return err
			}
		}
		var cont container
		if def != nil {
			cont = def.cont
		}
		var ev xres
		var err error
		switch {
		case cont&cLanguage != 0 && value.k == kObj:
			dir := ""
			if td := termCtx.terms[key]; td != nil {
				dir = td.direction
			}
			ev, err = e.expandLanguageMap(termCtx, value, dir, &kp)
		case cont&cIndex != 0 && value.k == kObj:
			indexKey := "@index"
			if td := termCtx.terms[key]; td != nil && td.hasIndex {
				indexKey = td.index
			}
			propertyIndex := ""
			if indexKey != "@index" {
				iri, _, null := expandKey(ac, indexKey)
				if null || !isAbsolute(iri) || isBlank(iri) {
					return newError(CodeInvalidTermDefinition, &kp, "@index %q does not expand to an IRI", indexKey)
				}
				propertyIndex = iri
			}
			ev, err = e.expandIndexMap(termCtx, key, value, cont&cGraph != 0, indexKey, propertyIndex, &kp)
		case cont&cID != 0 && value.k == kObj:
			ev, err = e.expandIndexMap(termCtx, key, value, cont&cGraph != 0, "@id", "", &kp)
		case cont&cType != 0 && value.k == kObj:
			tc := termCtx
			if tc.previous != nil {
				tc = tc.previous
			}
			ev, err = e.expandIndexMap(tc, key, value, false, "@type", "", &kp)
		case ep == "@list" || ep == "@set":
			isList := ep == "@list"
			nap, nhas := activeProp, hasAP
			if isList && expandedAP == "@graph" {
				nap, nhas = "", false
			}
			ev, err = e.expand(termCtx, nap, nhas, value, isList, false, &kp)
		case def != nil && def.typ == "@json":
			n, nerr := e.newNode(&kp)
			if nerr != nil {
				return nerr
			}
			n.hasValue, n.val = true, *value
			n.hasTypes, n.types = true, jsonType
			ev = xres{one: n}
		default:
			ev, err = e.expand(termCtx, key, true, value, false, false, &kp)
		}
		if err != nil {
			return err
		}
		if ev.null {
			continue
		}
		if ep != "@list" && cont&cList != 0 && (ev.arr || !ev.one.hasList) {
			l, err := e.newNode(&kp)
			if err != nil {
				return err
			}
			l.hasList = true
			l.list = ev.slice()
			if l.list == nil {
				l.list = []*xnode{}
			}
			ev = xres{one: l}
		}
		if cont&cGraph != 0 && cont&(cID|cIndex) == 0 {
			items := ev.slice()
			for j, it := range items {
				ip := &kp
				if ev.arr {
					ip = &pathNode{parent: &kp, idx: j}
				}
				if err := dropCheck(it, it.count(), ip); err != nil {
					return err
				}
			}
			if len(items) == 0 {
				continue
			}
			wrapped := make([]*xnode, len(items))
			for j, it := range items {
				g, err := e.newNode(&kp)
				if err != nil {
					return err
				}
				g.hasGraph, g.graph = true, e.one(it)
				wrapped[j] = g
			}
			ev = xres{arr: true, many: wrapped}
		}
		if td := termCtx.terms[key]; td != nil && td.reverse {
			items := ev.slice()
			for _, it := range items {
				if it.hasValue || it.hasList {
					return newError(CodeInvalidReverseProperty, &kp, "a @reverse property value must not be a value or a list")
				}
			}
			addTo(&rval.rev, ep, items)
			rval.hasRev = true
			continue
		}
		vals := ev.slice()
		if !ev.arr && ev.one != nil {
			vals = e.one(ev.one)
		}
		switch ep {
		case "@list":
			rval.list = append(rval.list, vals...)
			if rval.list == nil {
				rval.list = []*xnode{}
			}
			rval.hasList = true
		case "@set":
			rval.set = append(rval.set, vals...)
			rval.hasSet = true
		case "@graph":
			rval.graph = append(rval.graph, vals...)
			rval.hasGraph = true
		default:
			if vals == nil {
				vals = []*xnode{}
			}
			rval.addProp(ep, vals)
		}
	}
	_ = rawValue

	for _, key := range nests {
		nv, _ := elem.get(key)
		kp := pathNode{parent: path, key: key, idx: -1}
		for j := range nv.items() {
			item := nv.item(j)
			ip := &kp
			if nv.k == kArr {
				ip = &pathNode{parent: &kp, idx: j}
			}
			if item.k != kObj {
				return newError(CodeInvalidNest, ip, "a nested value must be an object")
			}
			for _, m := range item.obj {
				if iri, _, _ := expandKey(ac, m.key); iri == "@value" {
					return newError(CodeInvalidNest, ip, "a nested value must be a node object")
				}
			}
			if err := e.expandObject(ac, activeProp, hasAP, expandedAP, item, rval, insideList, typeKey, tsc, ip); err != nil {
				return err
			}
		}
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

// expandID expands a node identifier (document-relative, no base IRI).
func (e *expander) expandID(ac *activeContext, v string, path *pathNode) (string, error) {
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

func checkTypeIRI(iri string, null bool, raw string, path *pathNode) error {
	if null {
		return newError(CodeRelativeType, path, "type %q expands to null", raw)
	}
	switch classifyIRI(iri) {
	case iriOK, iriBlank:
		return nil
	case iriInvalid:
		return newError(CodeInvalidIRI, path, "type %q expands to %q, which is not a valid IRI", raw, iri)
	}
	return newError(CodeRelativeType, path, "type %q is not defined by the context and is not an absolute IRI", raw)
}

// expandValue is Value Expansion of a scalar.
func (e *expander) expandValue(ac *activeContext, activeProp string, value *jv, path *pathNode) (*xnode, error) {
	ep, def, _ := expandKey(ac, activeProp)
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
		n.types = e.typeSlice(typ)
	case value.k == kStr:
		if def != nil && def.hasLanguage {
			if def.language != "" {
				n.lang, n.hasLang = def.language, true
			}
		} else if ac.hasLanguage {
			n.lang, n.hasLang = ac.language, true
		}
		if def != nil && def.direction != "" {
			n.dir, n.hasDir = def.direction, true
		}
	}
	n.val, n.hasValue = *value, true
	return n, nil
}

func (e *expander) typeSlice(t string) []string {
	return []string{t}
}

// expandLanguageMap expands a language map.
func (e *expander) expandLanguageMap(ac *activeContext, m *jv, dir string, path *pathNode) (xres, error) {
	var out []*xnode
	for i := range m.obj {
		key := m.obj[i].key
		kp := pathNode{parent: path, key: key, idx: -1}
		iri, _, _ := expandKey(ac, key)
		v := &m.obj[i].val
		for j := range v.items() {
			item := v.item(j)
			if item.k == kNull {
				continue
			}
			ip := &kp
			if v.k == kArr {
				ip = &pathNode{parent: &kp, idx: j}
			}
			if item.k != kStr {
				return xres{}, newError(CodeInvalidLanguageMap, ip, "language map values must be strings")
			}
			n, err := e.newNode(ip)
			if err != nil {
				return xres{}, err
			}
			n.val, n.hasValue = *item, true
			if iri != "@none" {
				if !validLanguage(key) {
					return xres{}, newError(CodeInvalidLanguageValue, &kp, "%q is not a BCP 47 language tag", key)
				}
				n.lang, n.hasLang = strings.ToLower(key), true
			}
			if dir != "" {
				n.dir, n.hasDir = dir, true
			}
			out = append(out, n)
		}
	}
	return xres{arr: true, many: out}, nil
}

// expandIndexMap expands index, id and type maps.
func (e *expander) expandIndexMap(ac *activeContext, activeProp string, m *jv, asGraph bool,
	indexKey, propertyIndex string, path *pathNode) (xres, error) {
	var out []*xnode
	isType := indexKey == "@type"
	for i := range m.obj {
		key := m.obj[i].key
		kp := pathNode{parent: path, key: key, idx: -1}
		if isType {
			if d := ac.terms[key]; d != nil && d.ctx != nil {
				e.setPath(&kp)
				var err error
				if ac, err = e.cs.processScoped(ac, d.ctx, false, false); err != nil {
					return xres{}, err
				}
			}
		}
		v := &m.obj[i].val
		var items []*xnode
		if v.k == kArr {
			r, err := e.expand(ac, activeProp, true, v, false, true, &kp)
			if err != nil {
				return xres{}, err
			}
			items = r.slice()
		} else {
			arr := jv{k: kArr, arr: []jv{*v}}
			r, err := e.expand(ac, activeProp, true, &arr, false, true, &kp)
			if err != nil {
				return xres{}, err
			}
			items = r.slice()
		}
		var expandedKey string
		var keyValue *xnode
		if propertyIndex != "" {
			if key == "@none" {
				expandedKey = "@none"
			} else {
				kv := jv{k: kStr, s: key}
				n, err := e.expandValue(ac, indexKey, &kv, &kp)
				if err != nil {
					return xres{}, err
				}
				keyValue = n
			}
		} else {
			expandedKey, _, _ = expandKey(ac, key)
		}
		switch {
		case indexKey == "@id" && expandedKey != "@none":
			id, err := e.expandID(ac, key, &kp)
			if err != nil {
				return xres{}, err
			}
			key = id
		case isType && expandedKey != "@none":
			if err := checkTypeIRI(expandedKey, false, key, &kp); err != nil {
				return xres{}, err
			}
			key = expandedKey
		}
		for _, item := range items {
			if asGraph && !item.isGraph() {
				g, err := e.newNode(&kp)
				if err != nil {
					return xres{}, err
				}
				g.hasGraph, g.graph = true, e.one(item)
				item = g
			}
			switch {
			case isType:
				if expandedKey == "@none" {
					break
				}
				if item.hasValue {
					return xres{}, newError(CodeInvalidTypedValue, &kp, "a value in a type map cannot take the map's type")
				}
				item.types = append([]string{key}, item.types...)
				item.hasTypes = true
			case item.hasValue && indexKey != "@language" && indexKey != "@index":
				return xres{}, newError(CodeInvalidValueObject, &kp, "a value object cannot take the index %s", indexKey)
			case propertyIndex != "":
				if keyValue != nil {
					item.props = append([]xprop{{iri: propertyIndex, vals: []*xnode{keyValue}}}, item.props...)
					// Merge with an existing entry for the same property.
					for k := 1; k < len(item.props); k++ {
						if item.props[k].iri == propertyIndex {
							item.props[0].vals = append(item.props[0].vals, item.props[k].vals...)
							item.props = append(item.props[:k], item.props[k+1:]...)
							break
						}
					}
				}
			case expandedKey != "@none":
				switch indexKey {
				case "@index":
					if !item.hasIndex {
						item.index, item.hasIndex = key, true
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
	return xres{arr: true, many: out}, nil
}
