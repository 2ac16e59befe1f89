package jsonld

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/attesta/attesta/internal/vc/rdf"
)

// rdfWriter turns the expanded document into quads. It merges node objects
// by identifier and drops repeated values the way jsonld.js's node map does
// (values compared by @value, @type, @language and @index; node references
// by @id; lists never), so that the quads are exactly those jsonld.js
// produces, duplicates included.
type rdfWriter struct {
	quads   []rdf.Quad
	max     int
	blanks  map[string]string // document blank node label → issued label
	next    int
	graphs  map[string]*graphRec
	subjs   arena[subjRec]
	grecs   arena[graphRec]
	entries []entry               // values recorded per subject, linked lists
	maps    []map[string]*subjRec // subject maps of graphs, reused
	nmaps   int
	num     []byte
}

type graphRec struct {
	term     rdf.Term
	subjects map[string]*subjRec
}

type subjRec struct {
	term     rdf.Term
	head     int32 // first entry, -1 for none
	index    string
	hasIndex bool
}

type entry struct {
	pred    string // IRI, or "@type"
	rdfPred string // IRI
	key     valKey
	obj     rdf.Term
	next    int32
}

type valKey struct {
	ref     bool // a node reference: id in s
	k       kind // kind of @value
	hasLang bool
	hasIdx  bool
	b       bool
	s       string // id, or string @value
	n       float64
	typ     string
	lang    string
	idx     string
	dir     string
}

func (a *valKey) equal(b *valKey) bool {
	if a.ref || b.ref {
		return a.ref == b.ref && a.s == b.s
	}
	if a.k != b.k || a.typ != b.typ || a.lang != b.lang || a.hasLang != b.hasLang ||
		a.idx != b.idx || a.hasIdx != b.hasIdx {
		return false
	}
	switch a.k {
	case kStr:
		return a.s == b.s
	case kNum:
		return a.n == b.n
	case kBool:
		return a.b == b.b
	case kNull:
		return true
	}
	return false // @json objects and arrays are never equal (JavaScript ===)
}

func (w *rdfWriter) reset(max int) {
	w.quads = nil
	w.max = max
	clear(w.blanks)
	clear(w.graphs)
	w.next = 0
	w.subjs.reset()
	w.grecs.reset()
	w.entries = w.entries[:0]
	for i := range w.nmaps {
		clear(w.maps[i])
	}
	w.nmaps = 0
}

var blankLabels = func() [512]string {
	var l [512]string
	for i := range l {
		l[i] = "_:b" + strconv.Itoa(i)
	}
	return l
}()

func (w *rdfWriter) fresh() string {
	i := w.next
	w.next++
	if i < len(blankLabels) {
		return blankLabels[i]
	}
	return "_:b" + strconv.Itoa(i)
}

func (w *rdfWriter) relabel(id string) string {
	if l, ok := w.blanks[id]; ok {
		return l
	}
	l := w.fresh()
	w.blanks[id] = l
	return l
}

// term makes the RDF term for a node identifier.
func term(id string) rdf.Term {
	if isBlank(id) {
		return rdf.Term{Kind: rdf.Blank, Value: id[2:]}
	}
	return rdf.Term{Kind: rdf.IRI, Value: id}
}

func (w *rdfWriter) graph(name string) *graphRec {
	g, ok := w.graphs[name]
	if !ok {
		g = w.grecs.new()
		if w.nmaps == len(w.maps) {
			w.maps = append(w.maps, make(map[string]*subjRec))
		}
		g.subjects = w.maps[w.nmaps]
		w.nmaps++
		if name != "" {
			g.term = term(name)
		}
		w.graphs[name] = g
	}
	return g
}

func (w *rdfWriter) subject(g *graphRec, id string) *subjRec {
	if s, ok := g.subjects[id]; ok {
		return s
	}
	s := w.subjs.new()
	s.term = term(id)
	s.head = -1
	g.subjects[id] = s
	return s
}

// add records value k of pred on s, whose RDF object is obj, and reports
// whether it is new. Values are told apart as jsonld.js's node map does; a
// value jsonld.js keeps that is the same RDF statement as one already
// written is an error, since jsonld.js would write the statement twice,
// and a value it drops that differs in @direction is an error too.
func (w *rdfWriter) add(s *subjRec, pred string, k *valKey, obj rdf.Term) (bool, error) {
	rdfPred := pred
	if pred == "@type" {
		rdfPred = rdf.RDFType
	}
	dup := false
	for i := s.head; i >= 0; i = w.entries[i].next {
		e := &w.entries[i]
		if e.pred == pred && e.key.equal(k) {
			if !k.ref && e.key.dir != k.dir {
				return false, &Error{Code: CodeDroppedValue, Message: "two values of " + pred + " of " +
					s.term.Value + " differ only in @direction; jsonld.js would drop one"}
			}
			return false, nil
		}
		if e.rdfPred == rdfPred && e.obj == obj {
			dup = true
		}
	}
	if dup {
		return false, &Error{Code: CodeDuplicateQuad, Message: "jsonld.js would write the statement " +
			string(rdf.AppendQuad(nil, rdf.Quad{Subject: s.term, Predicate: rdf.NewIRI(rdfPred), Object: obj})) + " twice"}
	}
	w.entries = append(w.entries, entry{pred: pred, rdfPred: rdfPred, key: *k, obj: obj, next: s.head})
	s.head = int32(len(w.entries) - 1)
	return true, nil
}

func (w *rdfWriter) emit(s, p, o rdf.Term, g *graphRec) error {
	if len(w.quads) >= w.max {
		return &Error{Code: CodeLimit, Message: "more than " + strconv.Itoa(w.max) + " quads"}
	}
	w.quads = append(w.quads, rdf.Quad{Subject: s, Predicate: p, Object: o, Graph: g.term})
	return nil
}

func (w *rdfWriter) nodeName(n *xnode) string {
	if n.hasID {
		if isBlank(n.id) {
			return w.relabel(n.id)
		}
		return n.id
	}
	return w.fresh()
}

// top adds an element of a graph's node list.
func (w *rdfWriter) top(n *xnode, g *graphRec) error {
	if n.hasValue || n.hasList {
		return nil // rejected by expansion; cannot happen
	}
	return w.node(n, w.nodeName(n), g)
}

var (
	typePred  = rdf.NewIRI(rdf.RDFType)
	firstPred = rdf.NewIRI(rdf.RDFFirst)
	restPred  = rdf.NewIRI(rdf.RDFRest)
	nilTerm   = rdf.NewIRI(rdf.RDFNil)
)

func (w *rdfWriter) node(n *xnode, id string, g *graphRec) error {
	s := w.subject(g, id)
	if n.hasIndex {
		if s.hasIndex && s.index != n.x.index {
			return &Error{Code: CodeConflictingIndexes, Message: "node " + id + " has two different @index values"}
		}
		s.index, s.hasIndex = n.x.index, true
	}
	for _, t := range n.types {
		if isBlank(t) {
			t = w.relabel(t)
		}
		k := valKey{ref: true, s: t}
		o := term(t)
		added, err := w.add(s, "@type", &k, o)
		if err != nil {
			return err
		}
		if added {
			if err := w.emit(s.term, typePred, o, g); err != nil {
				return err
			}
		}
	}
	for i := range n.props {
		p := &n.props[i]
		pred := rdf.Term{Kind: rdf.IRI, Value: p.iri}
		for _, v := range p.vals {
			switch {
			case v.hasValue:
				k := valueKey(v)
				o, err := w.literal(v)
				if err != nil {
					return err
				}
				added, err := w.add(s, p.iri, &k, o)
				if err != nil {
					return err
				}
				if added {
					if err := w.emit(s.term, pred, o, g); err != nil {
						return err
					}
				}
			case v.hasList:
				head, err := w.list(v.list, g)
				if err != nil {
					return err
				}
				k := valKey{k: kArr} // lists are never the same value
				if _, err := w.add(s, p.iri, &k, head); err != nil {
					return err
				}
				if err := w.emit(s.term, pred, head, g); err != nil {
					return err
				}
			default:
				cid := w.nodeName(v)
				k := valKey{ref: true, s: cid}
				o := term(cid)
				added, err := w.add(s, p.iri, &k, o)
				if err != nil {
					return err
				}
				if added {
					if err := w.emit(s.term, pred, o, g); err != nil {
						return err
					}
				}
				if err := w.node(v, cid, g); err != nil {
					return err
				}
			}
		}
	}
	if n.x == nil {
		return nil
	}
	for i := range n.x.rev {
		p := &n.x.rev[i]
		pred := rdf.Term{Kind: rdf.IRI, Value: p.iri}
		for _, item := range p.vals {
			iid := w.nodeName(item)
			if err := w.node(item, iid, g); err != nil {
				return err
			}
			is := w.subject(g, iid)
			k := valKey{ref: true, s: id}
			added, err := w.add(is, p.iri, &k, s.term)
			if err != nil {
				return err
			}
			if added {
				if err := w.emit(is.term, pred, s.term, g); err != nil {
					return err
				}
			}
		}
	}
	if n.hasGraph {
		gg := w.graph(id)
		for _, item := range n.x.graph {
			if err := w.top(item, gg); err != nil {
				return err
			}
		}
	}
	for _, item := range n.x.incl {
		if err := w.top(item, g); err != nil {
			return err
		}
	}
	return nil
}

// list writes an RDF collection and returns its head.
func (w *rdfWriter) list(items []*xnode, g *graphRec) (rdf.Term, error) {
	if len(items) == 0 {
		return nilTerm, nil
	}
	head := term(w.fresh())
	subject := head
	for i, item := range items {
		var o rdf.Term
		var err error
		switch {
		case item.hasValue:
			o, err = w.literal(item)
		case item.hasList:
			o, err = w.list(item.list, g)
		default:
			id := w.nodeName(item)
			if err = w.node(item, id, g); err == nil {
				o = term(id)
			}
		}
		if err != nil {
			return rdf.Term{}, err
		}
		if err := w.emit(subject, firstPred, o, g); err != nil {
			return rdf.Term{}, err
		}
		next := nilTerm
		if i < len(items)-1 {
			next = term(w.fresh())
		}
		if err := w.emit(subject, restPred, next, g); err != nil {
			return rdf.Term{}, err
		}
		subject = next
	}
	return head, nil
}

func valueKey(v *xnode) valKey {
	k := valKey{k: v.val.k, s: v.val.s, n: v.val.n, b: v.val.b, lang: v.lang, hasLang: v.hasLang}
	if v.hasTypes {
		k.typ = v.types[0]
	}
	if v.x != nil {
		k.idx, k.hasIdx, k.dir = v.x.index, v.hasIndex, v.x.dir
	}
	return k
}

// literal converts a value object to an RDF literal exactly as jsonld.js does
// with rdfDirection "i18n-datatype".
func (w *rdfWriter) literal(v *xnode) (rdf.Term, error) {
	dt := ""
	if v.hasTypes {
		dt = v.types[0]
	}
	val := &v.val
	switch {
	case dt == "@json":
		return rdf.NewLiteral(string(val.appendCanonical(nil)), rdf.RDFJSON), nil
	case val.k == kBool:
		s := "false"
		if val.b {
			s = "true"
		}
		return rdf.NewLiteral(s, orDefault(dt, rdf.XSDBoolean)), nil
	case val.k == kNum && (isDouble(val.n) || dt == rdf.XSDDouble):
		return rdf.NewLiteral(w.double(val.n), orDefault(dt, rdf.XSDDouble)), nil
	case val.k == kStr && dt == rdf.XSDDouble:
		f, ok := parseDoubleString(val.s)
		if !ok {
			return rdf.Term{}, &Error{Code: CodeLossyNumber,
				Message: "xsd:double value " + strconv.Quote(val.s) + " is not a finite decimal number: jsonld.js would rewrite it"}
		}
		return rdf.NewLiteral(w.double(f), dt), nil
	case val.k == kNum:
		if val.n != math.Trunc(val.n) {
			return rdf.Term{}, &Error{Code: CodeLossyNumber,
				Message: "number " + strconv.FormatFloat(val.n, 'g', -1, 64) + " would be written as an integer by jsonld.js"}
		}
		return rdf.NewLiteral(integer(val.n), orDefault(dt, rdf.XSDInteger)), nil
	case val.k != kStr:
		return rdf.Term{}, &Error{Code: CodeInvalidValueObjectVal, Message: "@value must be a string, number or boolean"}
	case v.hasDir:
		return rdf.NewLiteral(val.s, rdf.I18NBase+v.lang+"_"+v.x.dir), nil
	case v.hasLang:
		return rdf.NewLangString(val.s, v.lang), nil
	case dt == rdf.RDFLangStr:
		return rdf.Term{}, &Error{Code: CodeInvalidTypedValue, Message: "rdf:langString needs a language"}
	case dt == rdf.XSDString:
		dt = ""
	}
	return rdf.NewLiteral(val.s, dt), nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	if s == rdf.XSDString {
		return ""
	}
	return s
}

// isDouble is jsonld.js's test: String(v) contains '.', or |v| >= 1e21.
// Non-integral numbers below 1e-6 written by JavaScript with a one-digit
// mantissa ("1e-7") fail it; literal rejects those as lossy.
func isDouble(v float64) bool {
	a := math.Abs(v)
	if a >= 1e21 {
		return true
	}
	if a == math.Trunc(a) {
		return false
	}
	if a >= 1e-6 {
		return true
	}
	s := strconv.FormatFloat(a, 'e', -1, 64)
	return strings.IndexByte(s[:strings.IndexByte(s, 'e')], '.') >= 0
}

// integer formats an integral double as JavaScript's toFixed(0): all its
// digits, and "0" for negative zero.
func integer(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// double formats v as jsonld.js writes xsd:double values:
// v.toExponential(15) with trailing zeros of the fraction removed (keeping
// one digit) and "e+" written "E": 2.5 → "2.5E0", 1e21 → "1.0E21".
func (w *rdfWriter) double(v float64) string {
	b := w.num[:0]
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	digits, exp := toExponential15(v)
	b = append(b, digits[0], '.')
	frac := strings.TrimRight(digits[1:], "0")
	if frac == "" {
		frac = "0"
	}
	b = append(b, frac...)
	b = append(b, 'E')
	b = strconv.AppendInt(b, int64(exp), 10)
	w.num = b
	return string(b)
}

// toExponential15 returns the 16 significant digits and the decimal exponent
// of v >= 0 rounded as ECMAScript's toExponential(15) does: to nearest, ties
// away from zero.
func toExponential15(v float64) (string, int) {
	if v == 0 {
		return "0000000000000000", 0
	}
	s := strconv.FormatFloat(v, 'e', 15, 64) // d.ddddddddddddddde±XX
	digits := s[:1] + s[2:17]
	exp, _ := strconv.Atoi(s[18:])
	// strconv rounds exact ties to even; check for a tie.
	s17 := strconv.FormatFloat(v, 'e', 16, 64)
	if s17[17] == '5' {
		r, ok := new(big.Rat).SetString(s17)
		if ok && r.Cmp(new(big.Rat).SetFloat64(v)) == 0 {
			// An exact tie: round the 16 digits of s17 up.
			d := []byte(s17[:1] + s17[2:17])
			e, _ := strconv.Atoi(s17[19:])
			i := len(d) - 1
			for ; i >= 0; i-- {
				if d[i] < '9' {
					d[i]++
					break
				}
				d[i] = '0'
			}
			if i < 0 {
				d = append([]byte{'1'}, d[:len(d)-1]...)
				e++
			}
			return string(d), e
		}
	}
	return digits, exp
}

// parseDoubleString parses what jsonld.js would pass to parseFloat for an
// xsd:double string, accepting only a complete finite decimal number, where
// parseFloat and strconv agree.
func parseDoubleString(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
