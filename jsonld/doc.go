// Package jsonld converts JSON-LD documents to RDF.
package jsonld
