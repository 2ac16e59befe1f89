// Package jsonld converts JSON-LD 1.1 documents to RDF, strictly, offline and
// fast. It implements the algorithms of [JSON-LD 1.1 Processing Algorithms
// and API] that credentials need — Context Processing, Create Term
// Definition, IRI Expansion, Value Expansion, Expansion, Node Map Generation
// and Deserialize JSON-LD to RDF — and produces the quads that jsonld.js
// (Digital Bazaar, versions 8 and 9) produces with the options every
// Data Integrity verifier uses: safe mode and rdfDirection "i18n-datatype".
// After RDFC-1.0 canonicalization (package rdf) the N-Quads are byte for
// byte those of jsonld.js and rdf-canonize. Where the two would differ, or
// where jsonld.js would sign something other than what a reader of the
// document sees, the document is rejected instead.
//
// # Use
//
// Build the set of context documents once, each pinned by its SHA-256, and
// one Processor over it; share the Processor:
//
//	docs, err := jsonld.NewDocuments(map[string]jsonld.Pinned{
//		"https://www.w3.org/ns/credentials/v2": {Data: v2, SHA256: "8a9f49…"},
//	})
//	p := jsonld.NewProcessor(docs, jsonld.Limits{})
//	quads, err := p.ToRDF(ctx, credentialJSON)
//
// A context URL that is not in the set is an error naming the URL: nothing
// is ever fetched. Documents are processed without a base IRI.
//
// # Strictness
//
// jsonld.js in safe mode fails on the warning events it considers unsafe;
// this package reports each of them as an [*Error] whose Code is the event
// code, and the errors jsonld.js throws with their JSON-LD error codes. Keys
// are processed in jsonld.js's order, so the first problem reported is the
// one jsonld.js reports. Rejected, with their codes:
//
//   - a key that expands to no absolute IRI or keyword, as an undefined term
//     without @vocab, a term mapped to null, or "@foo" ("invalid property");
//   - @id values that are not absolute IRIs or blank node identifiers
//     ("relative @id reference"), types that are not ("relative @type
//     reference"), values of "@type": "@id" terms that are not ("relative
//     object reference"), a relative @vocab ("relative @vocab reference"),
//     keyword-like @id values and terms ("reserved @id value", "reserved
//     term");
//   - what expansion would drop at the top of a graph: an empty object, a
//     value or list object, a node with only @id (also as the value of a
//     @graph container), a scalar, a null @value, an object with only
//     @language ("empty object", "object with only @id", …);
//   - language tags that fail jsonld.js's BCP 47 check
//     [a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})* ("invalid @language value");
//   - blank node predicates ("blank node predicate");
//   - the errors of the algorithms: "invalid @id value" for a non-string
//     @id, "invalid type value", "invalid value object", "invalid base
//     direction" for a @direction other than "ltr" or "rtl", "invalid
//     @version value" for anything but the number 1.1, "protected term
//     redefinition" (with the exception for identical definitions, and
//     property-scoped contexts allowed to override), "invalid context
//     nullification", "colliding keywords", and so on.
//
// Beyond jsonld.js, with codes of this package:
//
//   - "invalid IRI": an absolute IRI with characters that IRIs and N-Quads
//     forbid (controls, space, <>"{}|^`\, C1 controls, Unicode spaces), and
//     schemes are checked as [A-Za-z][A-Za-z0-9+.-]*; jsonld.js would write
//     an IRI that no N-Quads parser reads, or drop a node;
//   - "invalid property" for keywords that have no meaning in a node
//     object (@embed, @none, @vocab, …), which jsonld.js silently drops;
//   - "lossy number": a number JavaScript prints without a '.' although it
//     has a fraction, like 1e-7, which jsonld.js writes as the integer "0",
//     and xsd:double strings that are not decimal numbers, which it rewrites
//     through parseFloat (to NaN for "abc");
//   - "duplicate quad": a statement jsonld.js would write twice (values
//     differing only in @index, equal @json objects, two empty lists, a
//     literal given both plainly and as xsd:string, @type together with an
//     explicit rdf:type); canonicalization treats the dataset as a set, so
//     such a document cannot be signed compatibly;
//   - "dropped value": two values that jsonld.js's node map considers equal
//     although their @direction differs, so that one would not be signed;
//   - "unsupported feature": @base other than null (documents have no base
//     IRI), and a default @direction in a context, which jsonld.js forgets
//     as soon as another context is applied;
//   - "keyword redefinition" for an @import whose context sets @vocab,
//     @language or another context keyword: jsonld.js reads those before
//     merging the import and then fails on them;
//   - "invalid JSON": input that is not strict RFC 8259 / I-JSON: invalid
//     UTF-8, lone surrogate escapes, duplicate member names (jsonld.js would
//     silently keep the last), a byte order mark; "invalid number" for
//     numbers beyond the range of doubles.
//
// Null values of properties, null @language and empty arrays carry no data;
// they are dropped, as in jsonld.js.
//
// # Numbers and literals
//
// JSON numbers are IEEE 754 doubles, as JSON.parse makes them. A number
// that is integral and below 1e21 in magnitude is an xsd:integer written
// with all its digits (2.0 → "2", 12345678901234567890 →
// "12345678901234567168", -0 → "0"); others are xsd:double in jsonld.js's
// form, toExponential(15) without trailing zeros (2.5 → "2.5E0", 0.1 →
// "1.0E-1", 1e21 → "1.0E21"), rounding ties away from zero as JavaScript
// does. A number typed by its term keeps that datatype with the same
// lexical rules ("creditsEarned": 3.0 → "3"^^xsd:float). @json literals are
// canonicalized with RFC 8785 (JCS). Strings with @direction become
// literals with the datatype https://www.w3.org/ns/i18n#{language}_{direction},
// the language lower-cased (as all language tags are). Literal values are
// kept exactly; escaping them is the business of the N-Quads writer.
//
// # Performance
//
// A Processor caches every processed context, keyed by the active context
// it was applied to and the identity of the local context (its URL, the
// term definition it comes from, or the content of an inline context), so
// the protected, type-scoped credential contexts are processed once per
// process, not once per node. Active contexts are immutable and shared
// between goroutines. The JSON decoder, the expansion and the node map
// allocate from pooled arenas; IRIs are checked by byte scanning, and the
// checks of term definitions are made once, when the term is defined. The
// cache is bounded (Limits.MaxCachedContexts, and 8 MiB of inline
// contexts); beyond it contexts are processed without being kept.
//
// # Limits
//
// Every input is bounded by [Limits]: its size, its nesting depth, the JSON
// values, expanded elements and term definitions it may cause, the quads it
// may produce, and the nesting of remote contexts. Exceeding one is an
// error with code "limit exceeded".
//
// [JSON-LD 1.1 Processing Algorithms and API]: https://www.w3.org/TR/json-ld11-api/
package jsonld
