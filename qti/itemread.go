package qti

import (
	"encoding/xml"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/item"
)

// reader reads the elements of one file of a package, recording problems.
type reader struct {
	file string
	c    *collector

	sources, targets map[string]bool // the identifiers of an item's choices (of a matching, sources) and targets
}

func (r *reader) fail(n *node, m attesta.Message) { r.c.at(r.file, n, m) }

// required returns the attribute name of n, recording a problem if it is
// missing.
func (r *reader) required(n *node, name string) (string, bool) {
	v, ok := n.attr(name)
	if !ok {
		r.fail(n, attesta.M("err.qti.attr.required", name))
	}
	return v, ok
}

// identifier returns the attribute name of n, an identifier.
func (r *reader) identifier(n *node, name string) string {
	v, ok := r.required(n, name)
	if ok && !item.Identifier(v) {
		r.fail(n, attesta.M("err.qti.identifier", name, v))
	}
	return v
}

func (r *reader) boolAttr(n *node, name string, def bool) bool {
	v, ok := n.attr(name)
	if !ok {
		return def
	}
	switch strings.TrimFunc(v, xmlSpace) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	r.fail(n, attesta.M("err.qti.attr.value", name, v))
	return def
}

// intAttr returns a non-negative integer attribute.
func (r *reader) intAttr(n *node, name string, def int) int {
	v, ok := n.attr(name)
	if !ok {
		return def
	}
	i, err := strconv.Atoi(strings.TrimFunc(v, xmlSpace))
	if err != nil || i < 0 || i > 1<<20 {
		r.fail(n, attesta.M("err.qti.attr.value", name, v))
		return def
	}
	return i
}

// floatAttr returns a finite number attribute, nil if it is missing.
func (r *reader) floatAttr(n *node, name string) *float64 {
	v, ok := n.attr(name)
	if !ok {
		return nil
	}
	f, err := strconv.ParseFloat(strings.TrimFunc(v, xmlSpace), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		r.fail(n, attesta.M("err.qti.attr.value", name, v))
		return nil
	}
	return &f
}

// unsupportedAttr refuses the attribute name of n, whose value attesta
// cannot honour, saying why.
func (r *reader) unsupportedAttr(n *node, name, value string, why attesta.Message) {
	r.fail(n, attesta.M("err.qti.unsupported.attribute", name, value, why))
}

// templateURIs are the ways items name the two templates: QTI 3.0's URIs,
// with or without ".xml", and the older ones some tools still write (the
// templates say the same).
var templateURIs = regexp.MustCompile(`^https?://(purl\.imsglobal\.org/spec/qti/v3p0/rptemplates|www\.imsglobal\.org/question/qti_v(2p[0-2]|3p0)/rptemplates)/(match_correct|map_response)(\.xml)?$`)

// The two templates as an item may write them out in full (QTI 3.0's
// rptemplates/match_correct.xml and map_response.xml).
const (
	matchCorrectXML = `<qti-response-processing xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0">
  <qti-response-condition><qti-response-if>
    <qti-match><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-match>
    <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">1</qti-base-value></qti-set-outcome-value>
  </qti-response-if><qti-response-else>
    <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0</qti-base-value></qti-set-outcome-value>
  </qti-response-else></qti-response-condition></qti-response-processing>`
	mapResponseXML = `<qti-response-processing xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0">
  <qti-response-condition><qti-response-if>
    <qti-is-null><qti-variable identifier="RESPONSE"/></qti-is-null>
    <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0</qti-base-value></qti-set-outcome-value>
  </qti-response-if><qti-response-else>
    <qti-set-outcome-value identifier="SCORE"><qti-map-response identifier="RESPONSE"/></qti-set-outcome-value>
  </qti-response-else></qti-response-condition></qti-response-processing>`
)

var matchCorrectCanon, mapResponseCanon = canonOf(matchCorrectXML), canonOf(mapResponseXML)

func canonOf(s string) string {
	var c collector
	return canon(parseXML("", []byte(s), &c))
}

// canon is n's elements, attributes and texts without white space or
// comments, numbers as numbers: two response processings are the same
// when their canon is.
func canon(n *node) string {
	if n == nil {
		return ""
	}
	if n.isText() {
		t := strings.TrimFunc(n.text, xmlSpace)
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			return number(f)
		}
		return t
	}
	var b strings.Builder
	b.WriteString("<" + n.name.Space + " " + n.name.Local)
	attrs := slices.Clone(n.attrs)
	slices.SortFunc(attrs, func(a, b xml.Attr) int {
		return strings.Compare(a.Name.Space+" "+a.Name.Local, b.Name.Space+" "+b.Name.Local)
	})
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		b.WriteString(" " + a.Name.Local + "=" + strings.TrimFunc(a.Value, xmlSpace))
	}
	b.WriteString(">")
	for _, k := range n.kids {
		b.WriteString(canon(k))
	}
	b.WriteString("</>")
	return b.String()
}

// readItem reads an item document; ok is false if it has a problem.
func readItem(file string, root *node, c *collector) (it item.Item, ok bool) {
	r := &reader{file: file, c: c}
	before := c.count()
	defer func() { ok = c.count() == before }()
	if root.name.Space != ItemNamespace || root.name.Local != "qti-assessment-item" {
		r.wrongRoot(root, "qti-assessment-item")
		return it, false
	}
	it.ID = r.identifier(root, "identifier")
	it.Title, _ = root.attr("title")
	for _, a := range root.attrs {
		if a.Name.Space == xmlNamespace && a.Name.Local == "lang" {
			lang, _, _ := strings.Cut(a.Value, "-")
			it.Lang = strings.ToLower(strings.TrimFunc(lang, xmlSpace))
		}
	}
	if r.boolAttr(root, "adaptive", false) {
		r.unsupportedAttr(root, "adaptive", "true", attesta.M("err.qti.why.adaptive"))
	}
	var decls, outcomes, bodies, processings []*node
	for _, k := range root.kids {
		switch {
		case k.isText():
			if strings.TrimFunc(k.text, xmlSpace) != "" {
				r.fail(root, attesta.M("err.qti.item.stray", root.name.Local))
			}
		case k.name.Space != ItemNamespace:
			r.fail(k, refusal(k))
		case k.name.Local == "qti-response-declaration":
			decls = append(decls, k)
		case k.name.Local == "qti-outcome-declaration":
			outcomes = append(outcomes, k)
		case k.name.Local == "qti-item-body":
			bodies = append(bodies, k)
		case k.name.Local == "qti-response-processing":
			processings = append(processings, k)
		default:
			r.fail(k, refusal(k))
		}
	}
	for _, o := range outcomes {
		r.outcome(o)
	}
	if len(decls) == 0 {
		r.fail(root, attesta.M("err.qti.item.declaration.none"))
	}
	for _, d := range decls[min(1, len(decls)):] {
		r.fail(d, attesta.M("err.qti.item.declaration.many"))
	}
	if len(bodies) != 1 {
		r.fail(root, attesta.M("err.qti.item.body"))
		return it, false
	}
	for _, p := range processings[min(1, len(processings)):] {
		r.fail(p, attesta.M("err.qti.item.processing.many"))
	}
	body := &bodyReader{file: file, c: c, allow: true}
	body.walk(bodies[0])
	if len(body.found) == 0 {
		if !body.refusedInteraction { // else the interaction there is is refused by name
			r.fail(bodies[0], attesta.M("err.qti.item.interaction.none"))
		}
		return it, false
	}
	for _, n := range body.found[1:] {
		r.fail(n, attesta.M("err.qti.item.interaction.many", n.name.Local))
	}
	inter := body.found[0]
	after, marks := body.raw.String(), body.marks
	if len(body.found) > 1 {
		after, marks = "", nil // the item is refused: what follows is not read
	}
	r.interaction(inter, &it)
	r.texts(&it, inter, body.before[0], after, marks)
	if len(decls) > 0 {
		r.declaration(decls[0], inter, &it)
	}
	if len(processings) == 0 {
		r.fail(root, attesta.M("err.qti.item.processing.none"))
	} else {
		it.Scoring = r.scoring(processings[0], decls)
	}
	r.settle(&it)
	return it, false
}

// wrongRoot records that a document's root is not the element want.
func (r *reader) wrongRoot(root *node, want string) {
	switch {
	case root.name.Local == "assessmentItem" || root.name.Local == "assessmentTest":
		r.fail(root, attesta.M("err.qti.xml.qti2", root.name.Space))
	case root.name.Local == want:
		r.fail(root, attesta.M("err.qti.xml.namespace", root.name.Space, ItemNamespace))
	default:
		r.fail(root, attesta.M("err.qti.xml.root", root.name.Local, want))
	}
}

// outcome checks an outcome declaration: SCORE is a single float; the
// others are not attesta's concern (the templates set SCORE only).
func (r *reader) outcome(n *node) {
	id, _ := n.attr("identifier")
	if id != "SCORE" {
		return
	}
	if c, _ := n.attr("cardinality"); c != "single" {
		r.fail(n, attesta.M("err.qti.item.score"))
		return
	}
	if b, _ := n.attr("base-type"); b != "float" && b != "integer" {
		r.fail(n, attesta.M("err.qti.item.score"))
	}
}

// scoring reads the response processing: one of the two templates, named
// or written out.
func (r *reader) scoring(n *node, decls []*node) item.Scoring {
	var s item.Scoring
	if uri, ok := n.attr("template"); ok {
		m := templateURIs.FindStringSubmatch(strings.TrimFunc(uri, xmlSpace))
		if m == nil {
			r.unsupportedAttr(n, "template", uri, attesta.M("err.qti.why.template"))
			return ""
		}
		s = item.Scoring(m[3])
		if len(n.elems()) > 0 {
			r.fail(n, attesta.M("err.qti.unsupported.processing"))
			return ""
		}
	} else {
		switch canon(&node{name: n.name, kids: n.kids}) {
		case matchCorrectCanon:
			s = item.MatchCorrect
		case mapResponseCanon:
			s = item.MapResponse
		default:
			r.fail(n, attesta.M("err.qti.unsupported.processing"))
			return ""
		}
	}
	if len(decls) > 0 {
		if id, _ := decls[0].attr("identifier"); id != responseID {
			r.fail(decls[0], attesta.M("err.qti.item.template.response", id, responseID))
		}
	}
	return s
}

// interaction reads the interaction of the item: its kind, choices and
// settings.
func (r *reader) interaction(n *node, it *item.Item) {
	r.identifier(n, "response-identifier")
	switch n.name.Local {
	case "qti-choice-interaction":
		it.Kind = item.SingleChoice // settled by the declaration's cardinality
		it.Shuffle = r.boolAttr(n, "shuffle", false)
		it.Choices = r.choices(n, "qti-simple-choice", it.Shuffle)
	case "qti-order-interaction":
		it.Kind, it.Shuffle = item.Ordering, true
		it.Choices = r.choices(n, "qti-simple-choice", r.boolAttr(n, "shuffle", false))
		for _, a := range []string{"min-choices", "max-choices"} {
			if v := r.intAttr(n, a, 0); v != 0 && v != len(it.Choices) {
				r.unsupportedAttr(n, a, strconv.Itoa(v), attesta.M("err.qti.why.order"))
			}
		}
	case "qti-match-interaction":
		it.Kind = item.Matching
		it.Shuffle = r.boolAttr(n, "shuffle", false)
		r.matchSets(n, it)
		if v := r.intAttr(n, "max-associations", 0); v != 0 && v < len(it.Choices) {
			r.unsupportedAttr(n, "max-associations", strconv.Itoa(v), attesta.M("err.qti.why.associations"))
		}
		if v := r.intAttr(n, "min-associations", 0); v > 1 {
			r.unsupportedAttr(n, "min-associations", strconv.Itoa(v), attesta.M("err.qti.why.minimum"))
		}
	case "qti-inline-choice-interaction":
		it.Kind = item.InlineChoice
		it.Shuffle = r.boolAttr(n, "shuffle", false)
		for _, k := range n.kids {
			switch {
			case k.isText():
				if strings.TrimFunc(k.text, xmlSpace) != "" {
					r.fail(n, attesta.M("err.qti.item.stray", n.name.Local))
				}
			case k.name.Space == ItemNamespace && k.name.Local == "qti-inline-choice":
				r.fixed(k, it.Shuffle)
				it.Choices = append(it.Choices, item.Choice{ID: r.identifier(k, "identifier"), Text: oneLine(richText(r.file, r.c, k))})
			default:
				r.fail(k, refusal(k))
			}
		}
	case "qti-text-entry-interaction":
		it.Kind = item.TextEntry
		it.ExpectedLength = r.intAttr(n, "expected-length", 0)
		for _, a := range []string{"pattern-mask", "string-identifier"} {
			if v, ok := n.attr(a); ok {
				r.unsupportedAttr(n, a, v, attesta.M("err.qti.why.textentry"))
			}
		}
		if len(n.elems()) > 0 || n.hasText() {
			r.fail(n, attesta.M("err.qti.item.stray", n.name.Local))
		}
	}
}

// fixed refuses a choice fixed in its place among shuffled ones.
func (r *reader) fixed(n *node, shuffle bool) {
	if r.boolAttr(n, "fixed", false) && shuffle {
		r.unsupportedAttr(n, "fixed", "true", attesta.M("err.qti.why.fixed"))
	}
	for _, a := range []string{"template-identifier", "show-hide"} {
		if v, ok := n.attr(a); ok {
			r.unsupportedAttr(n, a, v, attesta.M("err.qti.why.templates"))
		}
	}
}

// choices reads the choices (elements named name) of a block interaction
// n, and its prompt.
func (r *reader) choices(n *node, name string, shuffle bool) []item.Choice {
	var out []item.Choice
	for _, k := range n.kids {
		switch {
		case k.isText():
			if strings.TrimFunc(k.text, xmlSpace) != "" {
				r.fail(n, attesta.M("err.qti.item.stray", n.name.Local))
			}
		case k.name.Space == ItemNamespace && k.name.Local == "qti-prompt":
		case k.name.Space == ItemNamespace && k.name.Local == name:
			r.fixed(k, shuffle)
			out = append(out, item.Choice{ID: r.identifier(k, "identifier"), Text: richText(r.file, r.c, k)})
		default:
			r.fail(k, refusal(k))
		}
	}
	return out
}

// matchSets reads a match interaction's two sets: the sources, each
// matched to one target, and the targets.
func (r *reader) matchSets(n *node, it *item.Item) {
	var sets []*node
	for _, k := range n.kids {
		switch {
		case k.isText():
			if strings.TrimFunc(k.text, xmlSpace) != "" {
				r.fail(n, attesta.M("err.qti.item.stray", n.name.Local))
			}
		case k.name.Space == ItemNamespace && k.name.Local == "qti-prompt":
		case k.name.Space == ItemNamespace && k.name.Local == "qti-simple-match-set":
			sets = append(sets, k)
		default:
			r.fail(k, refusal(k))
		}
	}
	if len(sets) != 2 {
		r.fail(n, attesta.M("err.qti.item.matchsets", len(sets)))
		return
	}
	it.Choices = r.choices(sets[0], "qti-simple-associable-choice", it.Shuffle)
	it.Targets = r.choices(sets[1], "qti-simple-associable-choice", it.Shuffle)
	for i, k := range sets[0].elems() {
		if i < len(it.Choices) {
			if v := r.intAttr(k, "match-max", 1); v != 1 {
				r.unsupportedAttr(k, "match-max", strconv.Itoa(v), attesta.M("err.qti.why.matchmax"))
			}
		}
	}
	for _, set := range sets {
		for _, k := range set.elems() {
			if v := r.intAttr(k, "match-min", 0); v > 1 || v == 1 && set == sets[1] {
				r.unsupportedAttr(k, "match-min", strconv.Itoa(v), attesta.M("err.qti.why.minimum"))
			}
			if v, ok := k.attr("match-group"); ok {
				r.unsupportedAttr(k, "match-group", v, attesta.M("err.qti.why.matchgroup"))
			}
		}
	}
}

// texts reads the prompt, and the sentence around the gap of an inline
// interaction, from the raw text before and after the interaction (and
// its qti-prompt).
func (r *reader) texts(it *item.Item, inter *node, before, after string, marks []mark) {
	rest := after
	switch it.Kind {
	case item.InlineChoice, item.TextEntry:
		if i := strings.LastIndex(before, blockBreak); i >= 0 {
			it.Prompt, it.Before = text(before[:i]), text(before[i+1:])
		} else {
			it.Before = text(before)
		}
		j := strings.Index(after, blockBreak)
		if j < 0 {
			j = len(after)
		}
		it.After, rest = text(after[:j]), after[j:]
	default:
		prompt := text(before)
		for _, k := range inter.elems() {
			if k.name.Space == ItemNamespace && k.name.Local == "qti-prompt" {
				if p := richText(r.file, r.c, k); p != "" {
					prompt = clean(prompt + "\n\n" + p)
				}
			}
		}
		it.Prompt = prompt
	}
	if text(rest) == "" {
		return
	}
	off := len(after) - len(rest) + strings.IndexFunc(rest, func(c rune) bool { return !xmlSpace(c) && c != 0 && c != '\n' })
	at := &node{name: inter.name, line: inter.line, col: inter.col}
	for _, m := range marks {
		if m.off <= off {
			at = &node{name: xml.Name{Local: m.elem}, line: m.line, col: m.col}
		}
	}
	r.fail(at, attesta.M("err.qti.item.after", inter.name.Local))
}

// declaration reads the response declaration: its cardinality and base
// type must be the kind's, its correct response and map name choices that
// exist.
func (r *reader) declaration(d, inter *node, it *item.Item) {
	r.sources, r.targets = ids(it.Choices), ids(it.Targets)
	if id := r.identifier(d, "identifier"); id != "" {
		if ref, _ := inter.attr("response-identifier"); ref != id {
			r.fail(inter, attesta.M("err.qti.item.response", ref, id))
		}
	}
	card, _ := r.required(d, "cardinality")
	base, _ := d.attr("base-type")
	if it.Kind == item.SingleChoice {
		maxChoices := r.intAttr(inter, "max-choices", 1)
		switch card {
		case "multiple":
			it.Kind = item.MultipleChoice
			if maxChoices != 0 && maxChoices < len(it.Choices) {
				r.unsupportedAttr(inter, "max-choices", strconv.Itoa(maxChoices), attesta.M("err.qti.why.maxchoices"))
			}
			if v := r.intAttr(inter, "min-choices", 0); v > 1 {
				r.unsupportedAttr(inter, "min-choices", strconv.Itoa(v), attesta.M("err.qti.why.minimum"))
			}
		case "single":
			if maxChoices != 1 {
				r.unsupportedAttr(inter, "max-choices", strconv.Itoa(maxChoices), attesta.M("err.qti.why.single"))
			}
		}
	}
	wantCard, wantBase := declaration(it.Kind)
	if card != "" && card != wantCard {
		r.fail(d, attesta.M("err.qti.item.cardinality", card, inter.name.Local, wantCard))
		return
	}
	if base != wantBase {
		r.fail(d, attesta.M("err.qti.item.basetype", base, inter.name.Local, wantBase))
		return
	}
	for _, k := range d.kids {
		switch {
		case k.isText():
			if strings.TrimFunc(k.text, xmlSpace) != "" {
				r.fail(d, attesta.M("err.qti.item.stray", d.name.Local))
			}
		case k.name.Space == ItemNamespace && k.name.Local == "qti-correct-response":
			for _, v := range r.values(k) {
				if val, ok := r.value(v.n, v.text, it); ok {
					it.Correct = append(it.Correct, val)
				}
			}
			if card == "single" && len(it.Correct) > 1 {
				r.fail(k, attesta.M("err.qti.item.correct.many"))
			}
		case k.name.Space == ItemNamespace && k.name.Local == "qti-mapping":
			it.Map = r.mapping(k, it)
		case k.name.Space == ItemNamespace && k.name.Local == "qti-default-value":
			r.fail(k, attesta.M("err.qti.unsupported.default"))
		default:
			r.fail(k, refusal(k))
		}
	}
}

type value struct {
	n    *node
	text string
}

// values reads the qti-value children of n.
func (r *reader) values(n *node) []value {
	var out []value
	for _, k := range n.kids {
		switch {
		case k.isText():
			if strings.TrimFunc(k.text, xmlSpace) != "" {
				r.fail(n, attesta.M("err.qti.item.stray", n.name.Local))
			}
		case k.name.Space == ItemNamespace && k.name.Local == "qti-value" && len(k.elems()) == 0:
			out = append(out, value{k, k.textContent()})
		default:
			r.fail(k, refusal(k))
		}
	}
	return out
}

// value reads a value of the response, as attesta writes it: a choice's
// identifier, a pair "source target", or a text as it is.
func (r *reader) value(n *node, v string, it *item.Item) (string, bool) {
	switch it.Kind {
	case item.TextEntry:
		return v, true
	case item.Matching:
		f := strings.FieldsFunc(v, xmlSpace)
		if len(f) != 2 || !r.sources[f[0]] || !r.targets[f[1]] {
			r.fail(n, attesta.M("err.qti.item.pair", v))
			return "", false
		}
		return item.Pair(f[0], f[1]), true
	}
	v = strings.TrimFunc(v, xmlSpace)
	if !r.sources[v] {
		r.fail(n, attesta.M("err.qti.item.value", v))
		return "", false
	}
	return v, true
}

// mapping reads a qti-mapping.
func (r *reader) mapping(n *node, it *item.Item) *item.Map {
	m := &item.Map{Lower: r.floatAttr(n, "lower-bound"), Upper: r.floatAttr(n, "upper-bound")}
	if d := r.floatAttr(n, "default-value"); d != nil {
		m.Default = *d
	}
	var sensitive []bool
	for _, k := range n.kids {
		switch {
		case k.isText():
			if strings.TrimFunc(k.text, xmlSpace) != "" {
				r.fail(n, attesta.M("err.qti.item.stray", n.name.Local))
			}
		case k.name.Space == ItemNamespace && k.name.Local == "qti-map-entry":
			key, ok := r.required(k, "map-key")
			if !ok {
				continue
			}
			points := r.floatAttr(k, "mapped-value")
			if points == nil {
				if _, there := k.attr("mapped-value"); !there {
					r.fail(k, attesta.M("err.qti.attr.required", "mapped-value"))
				}
				continue
			}
			// QTI 3.0 leaves case-sensitive optional and players differ
			// on what its absence means; attesta reads it as true (a
			// map with "York" and "york" means them apart) and always
			// writes it.
			sensitive = append(sensitive, r.boolAttr(k, "case-sensitive", true))
			if key, ok = r.value(k, key, it); ok {
				m.Entries = append(m.Entries, item.MapEntry{Key: key, Points: *points})
			}
		default:
			r.fail(k, refusal(k))
		}
	}
	if it.Kind == item.TextEntry && len(sensitive) > 0 {
		if slices.Contains(sensitive, !sensitive[0]) {
			r.fail(n, attesta.M("err.qti.item.map.case"))
		}
		m.CaseSensitive = sensitive[0]
	}
	return m
}

// settle makes what was read an item as attesta keeps it: a choice
// interaction with the choices true and false is a true/false item; a map
// is kept only for map_response; a text entry scored match_correct is its
// correct text worth 1, case sensitive, which is what match_correct does.
func (r *reader) settle(it *item.Item) {
	if it.Kind == item.SingleChoice && len(it.Choices) == 2 && it.Choices[0].ID == "true" && it.Choices[1].ID == "false" {
		it.Kind = item.TrueFalse
	}
	if it.Scoring == item.MatchCorrect {
		it.Map = nil
		if it.Kind == item.TextEntry && len(it.Correct) == 1 {
			it.Scoring = item.MapResponse
			it.Map = &item.Map{Entries: []item.MapEntry{{Key: it.Correct[0], Points: 1}}, CaseSensitive: true}
		}
	}
	if it.Map != nil && len(it.Map.Entries) == 0 {
		it.Map.Entries = nil
	}
}

func ids(cs []item.Choice) map[string]bool {
	m := make(map[string]bool, len(cs))
	for _, c := range cs {
		m[c.ID] = true
	}
	return m
}
