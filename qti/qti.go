// Package qti reads and writes the item bank as 1EdTech QTI 3.0: items as
// qti-assessment-item documents, the online test's blueprint as a
// qti-assessment-test, both in an IMS content package (a zip with an
// imsmanifest.xml), and a sitting's results as a QTI Results Reporting
// assessmentResult document and as CSV.
//
// # The subset
//
// attesta delivers seven kinds of item ([item.Kind]); each is one QTI
// interaction, scored by one of QTI's two response-processing templates:
//
//	single choice     qti-choice-interaction max-choices="1", cardinality single, base-type identifier
//	true/false        the same, with the choices true and false
//	multiple choice   qti-choice-interaction max-choices="0", cardinality multiple, base-type identifier
//	ordering          qti-order-interaction, cardinality ordered, base-type identifier
//	matching          qti-match-interaction with two qti-simple-match-set, cardinality multiple, base-type directedPair
//	inline choice     qti-inline-choice-interaction inside a <p>, cardinality single, base-type identifier
//	text entry        qti-text-entry-interaction inside a <p>, cardinality single, base-type string
//
// and qti-response-processing template= [item.MatchCorrectURI] or
// [item.MapResponseURI] (the mapping in qti-mapping). An item's text is
// plain: [Import] reads p, div, blockquote, ul, ol, li, br, span, strong,
// em, sub and sup as paragraphs, lines and text, and refuses everything
// else by name, with its file, line and column: another interaction
// ("qti-hotspot-interaction is not supported: …"), an image or any other
// media, MathML, feedback, templates, adaptive items, a response processing
// that is not one of the two templates, stylesheets, companion materials,
// and an attribute attesta cannot honour (a max-choices limit, a
// pattern-mask). docs/design/qti.md tells what is read how and why.
//
// # Where the tags go
//
// QTI has no element for what attesta tags an item with (sector, standard
// version, competence, ADA, result, dimension, difficulty, version, status):
// they are an attesta:item element (namespace [MetadataNamespace]) in the
// LOM metadata of the item's resource in imsmanifest.xml, which the LOM
// binding lets hold elements of other namespaces. A test's per-section
// competence and dimension are an attesta:test element there too. Lang is
// the item's xml:lang.
//
// # Import
//
// [Import] reads a package and returns its items and tests, or every
// problem it found ([Problems]: file, line, column, element, message) and
// nothing else. It checks the structure (identifiers, the cardinality and
// base type of each kind, that the correct response and the map name
// choices that exist); the rules of an item against the standard it is
// written for are [item.Item.Validate]'s, for the caller to apply. A
// package is untrusted input: no DTD, no entity, bounded size, file count,
// depth and per-file size ([MaxPackageSize], [MaxFiles], [MaxFileSize],
// [MaxTotalSize], [MaxDepth]), checked on the zip's directory before
// anything is decompressed.
//
// # Tests
//
// A [Test] is the blueprint of an online test: one nonlinear part of
// sections, each drawing some of its items at random (qti-selection,
// qti-ordering), timed as a whole (qti-time-limits). What QTI's tests do
// beyond that (branching, preconditions, weights, outcome processing,
// nested sections) is refused by name: attesta draws and scores itself.
//
// # Export
//
// [Export] writes the package deterministically: the same items and tests
// give the same bytes, so export → import → export is byte-identical (the
// golden files in testdata/golden show every kind). Texts are written as a
// browser shows them: runs of spaces are one space, paragraphs are apart
// by a blank line; [Import] reads them back the same. An ordering is always
// written shuffled (listed in their correct order, its options would give
// the answer away) and read back so.
//
// # Results
//
// [ResultXML] writes one sitting ([Attempt]) as an assessmentResult
// document; [ResultsCSV] writes many sittings as CSV, one row per
// sitting and item.
package qti

import (
	"fmt"
	"strings"

	"github.com/attesta/attesta"
)

// The namespaces attesta writes and reads.
const (
	// ItemNamespace is QTI 3.0's namespace of items and tests.
	ItemNamespace = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
	// ManifestNamespace is the QTI 3.0 profile of IMS Content Packaging.
	ManifestNamespace = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
	// ResultNamespace is QTI 3.0 Results Reporting's.
	ResultNamespace = "http://www.imsglobal.org/xsd/imsqti_result_v3p0"
	// MetadataNamespace is attesta's, for the tags QTI has no element
	// for.
	MetadataNamespace = "https://w3id.org/attesta/qti/v1"

	lomNamespace   = "http://ltsc.ieee.org/xsd/LOM"
	cp11Namespace  = "http://www.imsglobal.org/xsd/imscp_v1p1" // plain IMS CP 1.1, read too
	xsiNamespace   = "http://www.w3.org/2001/XMLSchema-instance"
	xmlNamespace   = "http://www.w3.org/XML/1998/namespace"
	mathNamespace  = "http://www.w3.org/1998/Math/MathML"
	itemSchema     = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
	manifestSchema = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd"
	lomSchema      = "https://purl.imsglobal.org/spec/md/v1p3/schema/xsd/imsmd_loose_v1p3p2.xsd"
	resultSchema   = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_resultv3p0_v1p0.xsd"
)

// The resource types of a QTI 3.0 package.
const (
	ItemResource = "imsqti_item_xmlv3p0"
	TestResource = "imsqti_test_xmlv3p0"
)

// The limits [Import] holds a package to. A package over one is refused
// before its files are decompressed (the zip's directory says their
// sizes, and reading stops at the limit if it lies).
const (
	MaxPackageSize = 32 << 20 // the zip itself
	MaxFiles       = 10000    // entries in the zip
	MaxFileSize    = 4 << 20  // an XML file, uncompressed
	MaxTotalSize   = 64 << 20 // all the entries, uncompressed
	MaxDepth       = 64       // nesting of XML elements
	maxNodes       = 200000   // elements and texts of one file
)

// Manifest is the name of the package's manifest.
const Manifest = "imsmanifest.xml"

// Problem is one thing wrong with a package: where it is (the file in the
// package, the 1-based line and column of the element's start tag, the
// element's name) and what is wrong, as a message the edge says in the
// reader's language.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`   // 0 if unknown
	Column  int    `json:"column,omitempty"` // 0 if unknown
	Element string `json:"element,omitempty"`
	attesta.Message
	// IT and EN are the message said in Italian and English, for readers
	// of the JSON.
	IT string `json:"it"`
	EN string `json:"en"`
}

func newProblem(file string, line, col int, element string, m attesta.Message) Problem {
	return Problem{File: file, Line: line, Column: col, Element: element, Message: m, IT: m.In("it"), EN: m.In("en")}
}

// In returns what is wrong in lang, without where.
func (p Problem) In(lang string) string { return p.Message.In(lang) }

// Where says where the problem is in lang: "items/a.xml, riga 3, colonna
// 5, qti-hotspot-interaction".
func (p Problem) Where(lang string) string {
	var parts []string
	if p.File != "" {
		parts = append(parts, p.File)
	}
	if p.Line > 0 {
		parts = append(parts, attesta.M("err.qti.where.line", p.Line, p.Column).In(lang))
	}
	if p.Element != "" {
		parts = append(parts, p.Element)
	}
	return strings.Join(parts, ", ")
}

// String returns the problem in English as a compiler prints it:
// "items/a.xml:3:5: qti-hotspot-interaction: …".
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File + ":")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", p.Line, p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Element != "" {
		b.WriteString(p.Element + ": ")
	}
	b.WriteString(p.In("en"))
	return b.String()
}

// Problems are the problems of one package, in the order found (file by
// file, in document order). As an error it reports them in English, one a
// line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s):\n%s", len(ps), strings.Join(lines, "\n"))
}

// In says the problems in lang, each after where it is, apart by "; ".
func (ps Problems) In(lang string) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		if w := p.Where(lang); w != "" {
			b.WriteString(w + ": ")
		}
		b.WriteString(p.In(lang))
	}
	return b.String()
}
