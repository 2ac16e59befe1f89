package qti

import (
	"math"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/item"
)

// Test is the blueprint of an online test as QTI writes it: one
// qti-test-part, navigation-mode nonlinear and submission-mode
// simultaneous (the candidate moves freely among the items and hands them
// in together, as on paper), timed as a whole, made of sections each
// drawing some of its items at random.
type Test struct {
	// ID is the test's identifier, as the items'.
	ID    string `json:"id"`
	Title string `json:"title"`
	// TimeLimit is the time the candidate has, in seconds; 0 for none
	// (qti-time-limits max-time).
	TimeLimit int       `json:"time_limit,omitempty"`
	Sections  []Section `json:"sections"`
}

// Section is a part of a test: the items it draws from.
type Section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Select is how many of Items each candidate is given, drawn without
	// replacement (qti-selection); 0 gives all.
	Select int `json:"select,omitempty"`
	// Shuffle says whether they are shown in a random order
	// (qti-ordering).
	Shuffle bool `json:"shuffle,omitempty"`
	// Competence and Dimension say what the section checks, when it
	// checks one competence or one dimension; QTI has no attribute for
	// them (they are in the package's manifest).
	Competence string         `json:"competence,omitempty"`
	Dimension  item.Dimension `json:"dimension,omitempty"`
	// Items are the identifiers of the items, in order.
	Items []string `json:"items"`
}

// checkTest refuses what Export cannot write so that Import reads it back;
// known are the items exported.
func checkTest(t *Test, known map[string]bool) error {
	if !item.Identifier(t.ID) {
		return attesta.E(attesta.Invalid, "err.qti.export.test", t.ID)
	}
	if t.TimeLimit < 0 {
		return attesta.E(attesta.Invalid, "err.qti.export.time", t.ID)
	}
	sections, items := map[string]bool{}, map[string]bool{}
	for _, s := range t.Sections {
		if !item.Identifier(s.ID) || sections[s.ID] {
			return attesta.E(attesta.Invalid, "err.qti.export.section", t.ID, s.ID)
		}
		sections[s.ID] = true
		if s.Select < 0 || s.Select > len(s.Items) {
			return attesta.E(attesta.Invalid, "err.qti.export.select", t.ID, s.ID)
		}
		for _, id := range s.Items {
			switch {
			case !known[id]:
				return attesta.E(attesta.Invalid, "err.qti.export.ref", t.ID, id)
			case items[id]:
				return attesta.E(attesta.Invalid, "err.qti.export.ref.twice", t.ID, id)
			}
			items[id] = true
		}
	}
	return nil
}

// itemFile is where Export puts an item in the package; testFile a test.
func itemFile(id string) string { return "items/" + id + ".xml" }
func testFile(id string) string { return "tests/" + id + ".xml" }

// testXML writes t as a qti-assessment-test.
func testXML(t *Test) []byte {
	w := newWriter()
	w.open("qti-assessment-test", "xmlns", ItemNamespace, "xmlns:xsi", xsiNamespace,
		"xsi:schemaLocation", ItemNamespace+" "+itemSchema, "identifier", t.ID, "title!", t.Title)
	if t.TimeLimit > 0 {
		w.empty("qti-time-limits", "max-time", strconv.Itoa(t.TimeLimit))
	}
	w.open("qti-test-part", "identifier", "part", "navigation-mode", "nonlinear", "submission-mode", "simultaneous")
	for _, s := range t.Sections {
		w.open("qti-assessment-section", "identifier", s.ID, "title!", s.Title, "visible", "true")
		if s.Select > 0 {
			w.empty("qti-selection", "select", strconv.Itoa(s.Select), "with-replacement", "false")
		}
		if s.Shuffle {
			w.empty("qti-ordering", "shuffle", "true")
		}
		for _, id := range s.Items {
			w.empty("qti-assessment-item-ref", "identifier", id, "href", "../"+itemFile(id))
		}
		w.close("qti-assessment-section")
	}
	w.close("qti-test-part")
	w.close("qti-assessment-test")
	return w.bytes()
}

// testLogic are the elements of a test that make it adaptive, branched,
// weighted or scored by QTI: attesta draws and scores itself.
var testLogic = []string{"qti-outcome-processing", "qti-branch-rule", "qti-pre-condition", "qti-item-session-control",
	"qti-weight", "qti-variable-mapping", "qti-template-default", "qti-assessment-section-ref", "qti-assessment-section"}

// refuseTest records the refusal of n, an element of a test.
func (r *reader) refuseTest(n *node) {
	if n.name.Space == ItemNamespace && slices.Contains(testLogic, n.name.Local) {
		r.fail(n, attesta.M("err.qti.unsupported.test", n.name.Local))
		return
	}
	if n.name.Space == ItemNamespace && n.name.Local == "qti-time-limits" {
		r.fail(n, attesta.M("err.qti.unsupported.timelimits"))
		return
	}
	r.fail(n, refusal(n))
}

// stray records non-white text directly in n.
func (r *reader) stray(n, k *node) bool {
	if !k.isText() {
		return false
	}
	if strings.TrimFunc(k.text, xmlSpace) != "" {
		r.fail(n, attesta.M("err.qti.item.stray", n.name.Local))
	}
	return true
}

// readTest reads a test document; items maps the package's item files to
// their identifiers ("" for an item that has problems of its own).
func readTest(file string, root *node, items map[string]string, c *collector) (t Test, ok bool) {
	r := &reader{file: file, c: c}
	before := c.count()
	defer func() { ok = c.count() == before }()
	if root.name.Space != ItemNamespace || root.name.Local != "qti-assessment-test" {
		r.wrongRoot(root, "qti-assessment-test")
		return t, false
	}
	t.ID = r.identifier(root, "identifier")
	t.Title, _ = root.attr("title")
	var parts []*node
	for _, k := range root.kids {
		switch {
		case r.stray(root, k):
		case k.name.Space != ItemNamespace:
			r.fail(k, refusal(k))
		case k.name.Local == "qti-outcome-declaration":
			// QTI's test outcomes are computed by outcome processing,
			// which is refused; their declarations say nothing.
		case k.name.Local == "qti-time-limits":
			t.TimeLimit = r.timeLimit(k)
		case k.name.Local == "qti-test-part":
			parts = append(parts, k)
		default:
			r.refuseTest(k)
		}
	}
	if len(parts) == 0 {
		r.fail(root, attesta.M("err.qti.test.parts"))
		return t, false
	}
	for _, p := range parts[1:] {
		r.fail(p, attesta.M("err.qti.test.parts"))
	}
	part := parts[0]
	if v, ok := r.required(part, "navigation-mode"); ok && v != "nonlinear" {
		r.unsupportedAttr(part, "navigation-mode", v, attesta.M("err.qti.why.navigation"))
	}
	if v, ok := r.required(part, "submission-mode"); ok && v != "simultaneous" && v != "individual" {
		r.fail(part, attesta.M("err.qti.attr.value", "submission-mode", v))
	}
	seenSection, seenRef, seenItem := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, k := range part.kids {
		switch {
		case r.stray(part, k):
		case k.name.Space == ItemNamespace && k.name.Local == "qti-assessment-section":
			s := r.section(k, items, seenRef, seenItem)
			if seenSection[s.ID] && s.ID != "" {
				r.fail(k, attesta.M("err.qti.identifier.twice", s.ID))
			}
			seenSection[s.ID] = true
			t.Sections = append(t.Sections, s)
		default:
			r.refuseTest(k)
		}
	}
	return t, false
}

// timeLimit reads qti-time-limits: a maximum time in whole seconds.
func (r *reader) timeLimit(n *node) int {
	if v := r.floatAttr(n, "min-time"); v != nil && *v > 0 {
		r.unsupportedAttr(n, "min-time", number(*v), attesta.M("err.qti.why.mintime"))
	}
	if r.boolAttr(n, "allow-late-submission", false) {
		r.unsupportedAttr(n, "allow-late-submission", "true", attesta.M("err.qti.why.late"))
	}
	v := r.floatAttr(n, "max-time")
	if v == nil {
		return 0
	}
	if *v < 0 || *v != math.Trunc(*v) || *v > math.MaxInt32 {
		r.fail(n, attesta.M("err.qti.attr.value", "max-time", number(*v)))
		return 0
	}
	return int(*v)
}

func (r *reader) section(n *node, items map[string]string, seenRef, seenItem map[string]bool) Section {
	s := Section{ID: r.identifier(n, "identifier")}
	s.Title, _ = n.attr("title")
	var selection *node
	refs := 0
	for _, k := range n.kids {
		switch {
		case r.stray(n, k):
		case k.name.Space != ItemNamespace:
			r.fail(k, refusal(k))
		case k.name.Local == "qti-selection":
			selection = k
			if v, ok := r.required(k, "select"); ok {
				s.Select = r.intAttr(k, "select", 0)
				if s.Select == 0 {
					r.fail(k, attesta.M("err.qti.attr.value", "select", v))
				}
			}
			if r.boolAttr(k, "with-replacement", false) {
				r.unsupportedAttr(k, "with-replacement", "true", attesta.M("err.qti.why.replacement"))
			}
		case k.name.Local == "qti-ordering":
			s.Shuffle = r.boolAttr(k, "shuffle", false)
		case k.name.Local == "qti-assessment-item-ref":
			refs++
			if id, ok := r.itemRef(k, items, seenRef, seenItem); ok {
				s.Items = append(s.Items, id)
			}
		default:
			r.refuseTest(k)
		}
	}
	if selection != nil && s.Select > refs {
		r.fail(selection, attesta.M("err.qti.test.select", s.Select, refs))
	}
	return s
}

// itemRef reads a reference to an item of the package, by its href.
func (r *reader) itemRef(n *node, items map[string]string, seenRef, seenItem map[string]bool) (string, bool) {
	if id := r.identifier(n, "identifier"); id != "" {
		if seenRef[id] {
			r.fail(n, attesta.M("err.qti.identifier.twice", id))
		}
		seenRef[id] = true
	}
	for _, k := range n.elems() {
		r.refuseTest(k)
	}
	href, ok := r.required(n, "href")
	if !ok {
		return "", false
	}
	p, ok := resolve(r.file, href)
	id, known := items[p]
	switch {
	case !ok || !known:
		r.fail(n, attesta.M("err.qti.test.ref", href))
		return "", false
	case id == "":
		return "", false // the item's problems are said with its file
	case seenItem[id]:
		r.fail(n, attesta.M("err.qti.test.twice", id))
		return "", false
	}
	seenItem[id] = true
	return id, true
}

// resolve returns the path in the package of href, a relative URI in the
// file from: false if it is absolute or leaves the package.
func resolve(from, href string) (string, bool) {
	href = strings.TrimFunc(href, xmlSpace)
	u, err := url.Parse(href)
	if err != nil || u.IsAbs() || u.Host != "" || strings.HasPrefix(u.Path, "/") || u.Path == "" {
		return "", false
	}
	p := path.Join(path.Dir(from), u.Path)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	return p, true
}
