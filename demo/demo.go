// Package demo loads the dataset a new attesta database starts with, so
// that a newcomer sees a working site at once: the bundled national
// competence standards (and, as the platform grows, demo organisations,
// people and badges).
package demo

import (
	"context"
	"fmt"

	"github.com/attesta/attesta/competence"
)

// Load imports the first-start dataset. It is idempotent: loading twice
// changes nothing the second time.
func Load(ctx context.Context, standards *competence.Service) error {
	f, err := competence.Bundled()
	if err != nil {
		return fmt.Errorf("reading the bundled standards: %w", err)
	}
	if _, err := standards.Import(ctx, f); err != nil {
		return fmt.Errorf("loading the bundled standards: %w", err)
	}
	return nil
}
