package jsonld

import (
	"fmt"
	"strconv"
	"strings"
)

// Error codes. Where jsonld.js reports the same condition, the code is its
// jsonld.ValidationError event code (safe mode) or the JSON-LD 1.1 error code
// it throws; the others name checks this package makes beyond jsonld.js.
const (
	// Safe-mode events of jsonld.js: data would be dropped or not be RDF.
	CodeInvalidProperty        = "invalid property"         // key expands to no absolute IRI or keyword
	CodeRelativeID             = "relative @id reference"   // @id not an absolute IRI or blank node
	CodeRelativeType           = "relative @type reference" // @type not an absolute IRI
	CodeRelativeVocab          = "relative @vocab reference"
	CodeRelativeObject         = "relative object reference" // "@type": "@id" value not absolute
	CodeReservedID             = "reserved @id value"        // @id like "@foo"
	CodeReservedTerm           = "reserved term"             // context term like "@foo"
	CodeReservedReverse        = "reserved @reverse value"
	CodeInvalidLanguageValue   = "invalid @language value" // not BCP 47
	CodeEmptyObject            = "empty object"
	CodeFreeFloatingScalar     = "free-floating scalar"
	CodeNullValue              = "null @value value"
	CodeObjectOnlyID           = "object with only @id"
	CodeObjectOnlyLanguage     = "object with only @language"
	CodeObjectOnlyList         = "object with only @list"
	CodeObjectOnlyValue        = "object with only @value"
	CodeBlankNodePredicate     = "blank node predicate"
	CodeInvalidIDValue         = "invalid @id value"
	CodeInvalidTypeValue       = "invalid type value"
	CodeInvalidTypedValue      = "invalid typed value"
	CodeInvalidValueObject     = "invalid value object"
	CodeInvalidValueObjectVal  = "invalid value object value"
	CodeInvalidLanguageTagged  = "invalid language-tagged string"
	CodeInvalidLanguageTaggedV = "invalid language-tagged value"
	CodeInvalidLanguageMap     = "invalid language map value"
	CodeInvalidBaseDirection   = "invalid base direction"
	CodeInvalidIndexValue      = "invalid @index value"
	CodeInvalidReverseValue    = "invalid @reverse value"
	CodeInvalidReverseProperty = "invalid reverse property value"
	CodeInvalidReverseMap      = "invalid reverse property map"
	CodeInvalidIncluded        = "invalid @included value"
	CodeInvalidGraph           = "invalid @graph value"
	CodeInvalidNest            = "invalid @nest value"
	CodeInvalidSetOrList       = "invalid set or list object"
	CodeCollidingKeywords      = "colliding keywords"
	CodeConflictingIndexes     = "conflicting indexes"

	// Context processing errors of JSON-LD 1.1.
	CodeInvalidLocalContext    = "invalid local context"
	CodeInvalidRemoteContext   = "invalid remote context"
	CodeLoadingContextFailed   = "loading remote context failed"
	CodeContextOverflow        = "context overflow"
	CodeInvalidVersion         = "invalid @version value"
	CodeInvalidBaseIRI         = "invalid base IRI"
	CodeInvalidVocabMapping    = "invalid vocab mapping"
	CodeInvalidDefaultLanguage = "invalid default language"
	CodeInvalidPropagate       = "invalid @propagate value"
	CodeInvalidProtected       = "invalid @protected value"
	CodeInvalidImport          = "invalid @import value"
	CodeInvalidContextEntry    = "invalid context entry"
	CodeInvalidContextNull     = "invalid context nullification"
	CodeKeywordRedefinition    = "keyword redefinition"
	CodeInvalidTermDefinition  = "invalid term definition"
	CodeInvalidIRIMapping      = "invalid IRI mapping"
	CodeCyclicIRIMapping       = "cyclic IRI mapping"
	CodeInvalidTypeMapping     = "invalid type mapping"
	CodeInvalidContainer       = "invalid container mapping"
	CodeInvalidLanguageMapping = "invalid language mapping"
	CodeInvalidReverse         = "invalid reverse property"
	CodeInvalidKeywordAlias    = "invalid keyword alias"
	CodeInvalidPrefix          = "invalid @prefix value"
	CodeInvalidScopedContext   = "invalid scoped context"
	CodeProtectedRedefinition  = "protected term redefinition"

	// Checks beyond jsonld.js.
	CodeInvalidJSON     = "invalid JSON"        // not strict RFC 8259 / I-JSON text
	CodeInvalidNumber   = "invalid number"      // not a finite IEEE 754 double
	CodeLossyNumber     = "lossy number"        // jsonld.js would write another number
	CodeInvalidIRI      = "invalid IRI"         // absolute, but characters RDF forbids
	CodeUnsupported     = "unsupported feature" // @base, context @direction
	CodeDroppedValue    = "dropped value"       // jsonld.js would merge away a value
	CodeDuplicateQuad   = "duplicate quad"      // jsonld.js would write a statement twice
	CodeLimit           = "limit exceeded"
	CodeCanceled        = "canceled"
	CodeInvalidDocument = "invalid document" // Documents construction
)

// Error reports why a document cannot be processed. Every rejection of the
// package is an *Error, possibly wrapping a cause.
type Error struct {
	// Code classifies the problem; see the Code constants.
	Code string
	// Path locates the offending element as a JSON Pointer (RFC 6901) into
	// the input document, "" for the document itself; for JSON syntax errors
	// it is "@" followed by the byte offset.
	Path string
	// Message describes the problem.
	Message string
	// Err is the underlying cause, if any.
	Err error
}

// Error formats e as "jsonld: CODE at PATH: MESSAGE: CAUSE".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("jsonld: ")
	b.WriteString(e.Code)
	if e.Path != "" {
		b.WriteString(" at ")
		b.WriteString(e.Path)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// paths records the steps from the document root to the elements being
// processed, as a tree of frames in one slice. Building a step appends a
// frame; the JSON pointer string is made only when an error is reported.
type paths struct {
	frames []frame
}

type frame struct {
	parent int32 // -1 for the root
	idx    int32 // array index, or -1 for an object member
	key    string
}

func newPaths() *paths { return &paths{} }

func (p *paths) reset() { p.frames = p.frames[:0] }

func (p *paths) root() pathRef { return pathRef{p: p, i: -1} }

// pathRef is a location in a document: the root, or a frame of p.
type pathRef struct {
	p *paths
	i int32
}

// key returns the location of member k of the object at r.
func (r pathRef) key(k string) pathRef {
	if r.p == nil {
		return r
	}
	r.p.frames = append(r.p.frames, frame{parent: r.i, idx: -1, key: k})
	return pathRef{p: r.p, i: int32(len(r.p.frames) - 1)}
}

// index returns the location of item i of the array at r.
func (r pathRef) index(i int) pathRef {
	if r.p == nil {
		return r
	}
	r.p.frames = append(r.p.frames, frame{parent: r.i, idx: int32(i)})
	return pathRef{p: r.p, i: int32(len(r.p.frames) - 1)}
}

// String returns r as a JSON Pointer.
func (r pathRef) String() string {
	if r.p == nil || r.i < 0 {
		return ""
	}
	var b strings.Builder
	r.p.write(&b, r.i)
	return b.String()
}

func (p *paths) write(b *strings.Builder, i int32) {
	f := &p.frames[i]
	if f.parent >= 0 {
		p.write(b, f.parent)
	}
	b.WriteByte('/')
	if f.idx >= 0 {
		b.WriteString(strconv.Itoa(int(f.idx)))
		return
	}
	for j := 0; j < len(f.key); j++ {
		switch c := f.key[j]; c {
		case '~':
			b.WriteString("~0")
		case '/':
			b.WriteString("~1")
		default:
			b.WriteByte(c)
		}
	}
}

func newError(code string, path pathRef, format string, args ...any) *Error {
	return &Error{Code: code, Path: path.String(), Message: fmt.Sprintf(format, args...)}
}
