// Package interop holds the interoperability tests of attesta's credentials
// against Digital Bazaar's JavaScript VC stack, driven through vc.mjs, and of
// its Europass export against the EDC SHACL shapes, driven through shacl.mjs
// (see README.md). It has no code of its own: only tests.
package interop
