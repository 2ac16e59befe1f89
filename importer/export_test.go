package importer

// The cell functions, for the tests of package importer_test.
var (
	NeutraliseCell = neutralise
	ReadCell       = readCell
)
