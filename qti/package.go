package qti

import (
	"archive/zip"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/item"
)

// Package is what a content package holds: items and tests.
type Package struct {
	Items []item.Item `json:"items"`
	Tests []Test      `json:"tests"`
}

// zipTime is the time of every file Export writes: a package is a
// function of its items and tests, never of when it was made.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Export writes items and tests as a QTI 3.0 content package (a zip):
// imsmanifest.xml, then items/<id>.xml in the order given, then
// tests/<id>.xml. The same input gives the same bytes. It expects items
// that pass [item.Item.Validate] and refuses those it cannot write (an
// identifier QTI would not take, two items with one identifier, an
// unknown kind or scoring) and tests naming items not exported.
func Export(items []item.Item, tests []Test) ([]byte, error) {
	known := map[string]bool{}
	for i := range items {
		if err := checkItem(&items[i]); err != nil {
			return nil, err
		}
		if known[items[i].ID] {
			return nil, attesta.E(attesta.Invalid, "err.qti.export.twice", items[i].ID)
		}
		known[items[i].ID] = true
	}
	seen := map[string]bool{}
	for i := range tests {
		if err := checkTest(&tests[i], known); err != nil {
			return nil, err
		}
		if seen[tests[i].ID] {
			return nil, attesta.E(attesta.Invalid, "err.qti.export.test.twice", tests[i].ID)
		}
		seen[tests[i].ID] = true
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte) error {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime}
		h.SetMode(0o644)
		f, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("adding %s: %w", name, err)
		}
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		return nil
	}
	if err := add(Manifest, manifestXML(items, tests)); err != nil {
		return nil, err
	}
	for i := range items {
		data, err := ItemXML(&items[i])
		if err != nil {
			return nil, err
		}
		if err := add(itemFile(items[i].ID), data); err != nil {
			return nil, err
		}
	}
	for i := range tests {
		if err := add(testFile(tests[i].ID), testXML(&tests[i])); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("closing the package: %w", err)
	}
	return buf.Bytes(), nil
}

// manifestXML writes the package's imsmanifest.xml: a resource for each
// item and test, with attesta's tags in its LOM metadata.
func manifestXML(items []item.Item, tests []Test) []byte {
	w := newWriter()
	w.open("manifest", "xmlns", ManifestNamespace, "xmlns:imsmd", lomNamespace, "xmlns:attesta", MetadataNamespace,
		"xmlns:xsi", xsiNamespace, "xsi:schemaLocation", ManifestNamespace+" "+manifestSchema+" "+lomNamespace+" "+lomSchema,
		"identifier", "attesta-package")
	w.open("metadata")
	w.leaf("schema", "QTI Package")
	w.leaf("schemaversion", "3.0.0")
	w.close("metadata")
	w.empty("organizations")
	if len(items)+len(tests) == 0 {
		w.empty("resources")
	} else {
		w.open("resources")
		for i := range items {
			it := &items[i]
			w.open("resource", "identifier", "item-"+it.ID, "type", ItemResource, "href", itemFile(it.ID))
			w.open("metadata")
			w.open("imsmd:lom")
			standard := ""
			if it.Standard != 0 {
				standard = strconv.Itoa(it.Standard)
			}
			w.empty("attesta:item", "version!", strconv.Itoa(it.Version), "status!", string(it.Status),
				"sector", it.Sector, "standard", standard, "competence", it.Competence, "ada", it.ADA,
				"result", it.Result, "dimension", string(it.Dimension), "difficulty", string(it.Difficulty))
			w.close("imsmd:lom")
			w.close("metadata")
			w.empty("file", "href", itemFile(it.ID))
			w.close("resource")
		}
		for i := range tests {
			t := &tests[i]
			w.open("resource", "identifier", "test-"+t.ID, "type", TestResource, "href", testFile(t.ID))
			tagged := slices.ContainsFunc(t.Sections, func(s Section) bool { return s.Competence != "" || s.Dimension != "" })
			if tagged {
				w.open("metadata")
				w.open("imsmd:lom")
				w.open("attesta:test")
				for _, s := range t.Sections {
					if s.Competence != "" || s.Dimension != "" {
						w.empty("attesta:section", "identifier", s.ID, "competence", s.Competence, "dimension", string(s.Dimension))
					}
				}
				w.close("attesta:test")
				w.close("imsmd:lom")
				w.close("metadata")
			}
			w.empty("file", "href", testFile(t.ID))
			for _, s := range t.Sections {
				for _, id := range s.Items {
					w.empty("dependency", "identifierref", "item-"+id)
				}
			}
			w.close("resource")
		}
		w.close("resources")
	}
	w.close("manifest")
	return w.bytes()
}

// Import reads a QTI 3.0 content package. It returns its items and tests,
// in the manifest's order, or, if anything in it is wrong or beyond what
// attesta delivers, an error with code Invalid wrapping every problem
// found ([Problems]) and nothing else. The items are not checked against
// their standard: that is [item.Item.Validate]'s, for the caller.
func Import(data []byte) (Package, error) {
	c := &collector{}
	pkg := importPackage(data, c)
	if len(c.ps) > 0 {
		order := map[string]int{}
		for _, p := range c.ps {
			if _, ok := order[p.File]; !ok {
				order[p.File] = len(order)
			}
		}
		slices.SortStableFunc(c.ps, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(order[a.File], order[b.File]), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		if c.extra > 0 {
			c.ps = append(c.ps, newProblem("", 0, 0, "", attesta.M("err.qti.problems.more", c.extra)))
		}
		return Package{}, attesta.Wrap(c.ps, attesta.Invalid, "err.qti.package.invalid")
	}
	return pkg, nil
}

// files are the entries of a package's zip, by name.
type files struct {
	byName map[string]*zip.File
	read   int64 // bytes decompressed so far
}

// open checks the zip's directory against the limits before anything is
// decompressed.
func openZip(data []byte, c *collector) *files {
	if len(data) > MaxPackageSize {
		c.file("", attesta.M("err.qti.zip.size", MaxPackageSize>>20))
		return nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		c.file("", attesta.M("err.qti.zip.invalid", err.Error()))
		return nil
	}
	if len(zr.File) > MaxFiles {
		c.file("", attesta.M("err.qti.zip.files", len(zr.File), MaxFiles))
		return nil
	}
	fs := &files{byName: map[string]*zip.File{}}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		name := f.Name
		switch {
		case !safeName(name):
			c.file(name, attesta.M("err.qti.zip.name"))
		case fs.byName[name] != nil:
			c.file(name, attesta.M("err.qti.zip.twice"))
		}
		fs.byName[name] = f
	}
	if total > MaxTotalSize {
		c.file("", attesta.M("err.qti.zip.total", MaxTotalSize>>20))
	}
	if len(c.ps) > 0 {
		return nil
	}
	return fs
}

// safeName reports whether a zip entry's name is a relative path that
// stays in the package.
func safeName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "\\\x00") && !strings.HasPrefix(name, "/") &&
		!slices.Contains(strings.Split(strings.TrimSuffix(name, "/"), "/"), "..")
}

// get reads the file name of the package, within MaxFileSize whatever its
// header says.
func (fs *files) get(name string, c *collector) ([]byte, bool) {
	f := fs.byName[name]
	if f == nil || strings.HasSuffix(name, "/") {
		return nil, false
	}
	if f.UncompressedSize64 > MaxFileSize {
		c.file(name, attesta.M("err.qti.zip.filesize", MaxFileSize>>20))
		return nil, true
	}
	rc, err := f.Open()
	if err != nil {
		c.file(name, attesta.M("err.qti.zip.invalid", err.Error()))
		return nil, true
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxFileSize+1))
	switch {
	case err != nil:
		c.file(name, attesta.M("err.qti.zip.invalid", err.Error()))
		return nil, true
	case len(data) > MaxFileSize:
		c.file(name, attesta.M("err.qti.zip.filesize", MaxFileSize>>20))
		return nil, true
	}
	fs.read += int64(len(data))
	if fs.read > MaxTotalSize {
		c.file(name, attesta.M("err.qti.zip.total", MaxTotalSize>>20))
		return nil, true
	}
	return data, true
}

// parse reads and parses the XML file name; nil if it has a problem.
func (fs *files) parse(name string, c *collector) *node {
	data, ok := fs.get(name, c)
	switch {
	case !ok:
		c.file(name, attesta.M("err.qti.file.missing"))
		return nil
	case data == nil:
		return nil
	}
	return parseXML(name, data, c)
}

// resource is an entry of the manifest that attesta reads.
type resource struct {
	n    *node
	id   string
	typ  string
	file string // the resolved href
	meta *node  // attesta:item or attesta:test, if any
}

// passive are the types of resource attesta passes over: files an item
// would use (its use refuses the item) and templates.
var passive = []string{"webcontent", "css2", "css3", "controlfile", "pls", "resourcemetadata/xml",
	"resourceextmetadata/xml", "qtiusagedata/xml", "imsqti_rptemplate_xmlv3p0", "extension"}

func importPackage(data []byte, c *collector) Package {
	var pkg Package
	fs := openZip(data, c)
	if fs == nil {
		return pkg
	}
	root := fs.parse(Manifest, c)
	if root == nil {
		return pkg
	}
	res := readManifest(root, c)
	files := map[string]string{} // item file → identifier ("" if refused)
	ids := map[string]*node{}
	for _, rs := range res {
		if rs.typ != ItemResource {
			continue
		}
		r := &reader{file: Manifest, c: c}
		n := fs.parse(rs.file, c)
		if n == nil {
			files[rs.file] = ""
			continue
		}
		it, ok := readItem(rs.file, n, c)
		if prev := ids[it.ID]; prev != nil && it.ID != "" {
			r.fail(rs.n, attesta.M("err.qti.identifier.twice", it.ID))
			ok = false
		}
		ids[it.ID] = rs.n
		if !r.itemMeta(rs.meta, &it) || !ok {
			files[rs.file] = ""
			continue
		}
		if it.Status == "" && it.Version == 0 {
			it.Status, it.Version = item.Draft, 1 // an item from elsewhere
		}
		files[rs.file] = it.ID
		pkg.Items = append(pkg.Items, it)
	}
	tests := map[string]bool{}
	for _, rs := range res {
		if rs.typ != TestResource {
			continue
		}
		n := fs.parse(rs.file, c)
		if n == nil {
			continue
		}
		t, ok := readTest(rs.file, n, files, c)
		r := &reader{file: Manifest, c: c}
		if tests[t.ID] && t.ID != "" {
			r.fail(rs.n, attesta.M("err.qti.identifier.twice", t.ID))
			ok = false
		}
		tests[t.ID] = true
		if r.testMeta(rs.meta, &t) && ok {
			pkg.Tests = append(pkg.Tests, t)
		}
	}
	return pkg
}

// readManifest reads the resources of the manifest attesta reads, and
// refuses those it does not deliver.
func readManifest(root *node, c *collector) []resource {
	r := &reader{file: Manifest, c: c}
	ns := root.name.Space
	if root.name.Local != "manifest" || ns != ManifestNamespace && ns != cp11Namespace {
		if root.name.Local == "manifest" {
			r.fail(root, attesta.M("err.qti.xml.namespace", ns, ManifestNamespace))
		} else {
			r.fail(root, attesta.M("err.qti.xml.root", root.name.Local, "manifest"))
		}
		return nil
	}
	if _, ok := root.attr("base"); ok {
		r.fail(root, attesta.M("err.qti.manifest.base"))
	}
	var out []resource
	seen := map[string]bool{}
	for _, k := range root.elems() {
		if k.name.Space == ns && k.name.Local == "manifest" {
			r.fail(k, attesta.M("err.qti.manifest.sub"))
		}
		if k.name.Space != ns || k.name.Local != "resources" {
			continue // metadata, organizations: nothing attesta reads
		}
		for _, a := range k.attrs {
			if a.Name.Local == "base" {
				r.fail(k, attesta.M("err.qti.manifest.base"))
			}
		}
		for _, rn := range k.elems() {
			if rn.name.Space != ns || rn.name.Local != "resource" {
				continue
			}
			rs, ok := r.resource(rn, ns)
			if !ok {
				continue
			}
			if seen[rs.file] {
				r.fail(rn, attesta.M("err.qti.manifest.file.twice", rs.file))
				continue
			}
			seen[rs.file] = true
			out = append(out, rs)
		}
	}
	return out
}

// resource reads a resource of the manifest: false for one attesta passes
// over or refuses.
func (r *reader) resource(n *node, ns string) (resource, bool) {
	rs := resource{n: n}
	rs.id, _ = r.required(n, "identifier")
	typ, ok := r.required(n, "type")
	if !ok {
		return rs, false
	}
	rs.typ = strings.TrimFunc(typ, xmlSpace)
	switch {
	case rs.typ == ItemResource || rs.typ == TestResource:
	case slices.Contains(passive, rs.typ) || strings.HasPrefix(rs.typ, "associatedcontent/"):
		return rs, false
	case strings.HasPrefix(rs.typ, "imsqti_") && !strings.HasSuffix(rs.typ, "v3p0"):
		r.fail(n, attesta.M("err.qti.manifest.version", rs.typ))
		return rs, false
	default:
		r.fail(n, attesta.M("err.qti.manifest.type", rs.typ))
		return rs, false
	}
	for _, a := range n.attrs {
		if a.Name.Local == "base" {
			r.fail(n, attesta.M("err.qti.manifest.base"))
			return rs, false
		}
	}
	href, ok := r.required(n, "href")
	if !ok {
		return rs, false
	}
	if rs.file, ok = resolve(Manifest, href); !ok {
		r.fail(n, attesta.M("err.qti.manifest.href", href))
		return rs, false
	}
	for _, k := range n.elems() {
		if k.name.Space == ns && k.name.Local == "metadata" {
			rs.meta = findMeta(k)
		}
	}
	return rs, true
}

// findMeta finds attesta's element in a resource's metadata.
func findMeta(n *node) *node {
	if n.name.Space == MetadataNamespace && (n.name.Local == "item" || n.name.Local == "test") {
		return n
	}
	for _, k := range n.elems() {
		if m := findMeta(k); m != nil {
			return m
		}
	}
	return nil
}

// itemMeta reads attesta's tags of an item from its resource's metadata.
func (r *reader) itemMeta(n *node, it *item.Item) bool {
	if n == nil {
		return true
	}
	before := r.c.count()
	if n.name.Local != "item" {
		r.fail(n, attesta.M("err.qti.meta.element", n.name.Local, "item"))
		return false
	}
	str := func(name string) string { v, _ := n.attr(name); return v }
	num := func(name string, min int) int {
		v, ok := n.attr(name)
		if !ok {
			return 0
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < min {
			r.fail(n, attesta.M("err.qti.attr.value", name, v))
		}
		return i
	}
	if _, ok := r.required(n, "version"); ok {
		it.Version = num("version", 1)
	}
	it.Status = item.Status(str("status"))
	if !slices.Contains(item.Statuses, it.Status) {
		r.fail(n, attesta.M("err.qti.attr.value", "status", string(it.Status)))
	}
	it.Sector, it.Standard = str("sector"), num("standard", 0)
	it.Competence, it.ADA, it.Result = str("competence"), str("ada"), str("result")
	it.Dimension, it.Difficulty = item.Dimension(str("dimension")), item.Difficulty(str("difficulty"))
	return r.c.count() == before
}

// testMeta reads the competence and dimension of a test's sections from
// its resource's metadata.
func (r *reader) testMeta(n *node, t *Test) bool {
	if n == nil {
		return true
	}
	before := r.c.count()
	if n.name.Local != "test" {
		r.fail(n, attesta.M("err.qti.meta.element", n.name.Local, "test"))
		return false
	}
	seen, index := map[string]bool{}, map[string]int{}
	for i, s := range t.Sections {
		index[s.ID] = i
	}
	for _, k := range n.elems() {
		if k.name.Space != MetadataNamespace || k.name.Local != "section" {
			r.fail(k, attesta.M("err.qti.meta.element", k.name.Local, "section"))
			continue
		}
		id, _ := r.required(k, "identifier")
		i, ok := index[id]
		switch {
		case !ok:
			r.fail(k, attesta.M("err.qti.meta.section", id))
			continue
		case seen[id]:
			r.fail(k, attesta.M("err.qti.identifier.twice", id))
			continue
		}
		seen[id] = true
		t.Sections[i].Competence, _ = k.attr("competence")
		d, _ := k.attr("dimension")
		t.Sections[i].Dimension = item.Dimension(d)
	}
	return r.c.count() == before
}
