// Package interop holds the interoperability tests of attesta's credentials
// against Digital Bazaar's JavaScript VC stack, driven through vc.mjs (see
// README.md). It has no code of its own: only tests.
package interop
