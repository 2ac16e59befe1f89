// Package credential builds, signs, revokes and verifies attesta's
// credentials: Open Badges 3.0 OpenBadgeCredentials on the W3C Verifiable
// Credentials Data Model 2.0, one per certified competence, carrying the EU
// micro-credential elements.
package credential

// Format is how a credential is secured.
type Format string

// The formats attesta issues.
const (
	// RDFC is a Data Integrity proof with the eddsa-rdfc-2022 cryptosuite,
	// the Open Badges certification requirement and the default.
	RDFC Format = "eddsa-rdfc-2022"
	// JCS is a Data Integrity proof with the eddsa-jcs-2022 cryptosuite.
	JCS Format = "eddsa-jcs-2022"
	// JWT is the VC-JOSE enveloped form: a compact JWS signed with EdDSA.
	JWT Format = "vc-jwt"
)

// Valid reports whether f is a format attesta issues.
func (f Format) Valid() bool { return f == RDFC || f == JCS || f == JWT }
