package competence

import (
	"bytes"
	_ "embed"
)

//go:embed bundled/standards.yaml
var bundled []byte

// BundledName is the name of the standards file shipped in the binary.
const BundledName = "bundled/standards.yaml"

// Bundled returns the standards shipped in the binary: Meccatronica as
// published by the national body, and drafts of the other sectors of the
// "Competenza Certificata" programme.
func Bundled() (*File, error) { return Decode(bytes.NewReader(bundled), BundledName) }

// BundledBytes returns the canonical bytes of the bundled standards file.
func BundledBytes() []byte { return bytes.Clone(bundled) }
