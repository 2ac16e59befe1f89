// Package rdf holds RDF datasets as attesta signs them: terms and quads, the
// N-Quads syntax, and RDF Dataset Canonicalization ([RDFC-1.0]).
//
// Credentials are signed over the canonical N-Quads of their RDF dataset, so the
// bytes this package writes are the bytes a signature covers. They must be
// identical to what every other conforming implementation writes.
//
// [RDFC-1.0]: https://www.w3.org/TR/rdf-canon/
package rdf

// Kind says what a [Term] is.
type Kind uint8

const (
	// None is the zero Kind: an absent term. A quad whose Graph is None is in
	// the default graph.
	None Kind = iota
	// IRI is an absolute IRI; Term.Value holds it without angle brackets.
	IRI
	// Blank is a blank node; Term.Value holds its label without the "_:" prefix.
	Blank
	// Literal is a literal; Term.Value holds its lexical form, Term.Datatype its
	// datatype IRI and Term.Language its language tag (then Datatype is
	// rdf:langString).
	Literal
)

// Well-known datatype IRIs.
const (
	XSDString   = "http://www.w3.org/2001/XMLSchema#string"
	XSDBoolean  = "http://www.w3.org/2001/XMLSchema#boolean"
	XSDInteger  = "http://www.w3.org/2001/XMLSchema#integer"
	XSDDouble   = "http://www.w3.org/2001/XMLSchema#double"
	RDFLangStr  = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
	RDFJSON     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
	RDFType     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
	RDFFirst    = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
	RDFRest     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
	RDFNil      = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
	I18NBase    = "https://www.w3.org/ns/i18n#"
	XSDDateTime = "http://www.w3.org/2001/XMLSchema#dateTime"
)

// Term is an IRI, a blank node or a literal.
type Term struct {
	Kind     Kind
	Value    string
	Datatype string // literals only; empty means xsd:string
	Language string // literals only; set for rdf:langString
}

// NewIRI returns an IRI term.
func NewIRI(iri string) Term { return Term{Kind: IRI, Value: iri} }

// NewBlank returns a blank node term with the given label (without "_:").
func NewBlank(label string) Term { return Term{Kind: Blank, Value: label} }

// NewLiteral returns a literal with the given lexical form and datatype. An
// empty datatype means xsd:string.
func NewLiteral(value, datatype string) Term {
	return Term{Kind: Literal, Value: value, Datatype: datatype}
}

// NewLangString returns a language-tagged string.
func NewLangString(value, language string) Term {
	return Term{Kind: Literal, Value: value, Datatype: RDFLangStr, Language: language}
}

// Quad is a statement in a named graph, or in the default graph when Graph.Kind
// is None.
type Quad struct {
	Subject, Predicate, Object, Graph Term
}
