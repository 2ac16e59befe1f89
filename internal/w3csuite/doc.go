// Package w3csuite runs the W3C Verifiable Credentials test suites — VC
// Data Model 2.0, Data Integrity EdDSA (eddsa-rdfc-2022, eddsa-jcs-2022) and
// Bitstring Status List — against a real `attesta serve` over HTTPS, as an
// implementation runs them to appear in the W3C interoperability reports.
// It has no code of its own: only a test.
//
// The suites are not in this repository: they are Node.js programs of
// others, kept as git bundles at pinned commits beside it, in
// ../shared/conformance/w3c-suites, with their offline runner
// (run-w3c-suites.sh), which installs their npm packages from the registry.
// The test builds attesta, serves it with a certificate it makes, points the
// runner at it and fails unless every test passes: the runner's last line,
// printed by the test, is "TOTAL passing=N failing=0".
//
// Without Node.js, npm, git or the suites, go test reports this package as
// [no tests to run]; with ATTESTA_REQUIRE_W3C_SUITES=1, as in CI, it fails
// instead. ATTESTA_W3C_SUITES_DIR names another copy of the suites' folder;
// the runner's installs are kept between runs in the user's cache directory.
package w3csuite
