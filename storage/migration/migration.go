// Package migration reads a storage engine's embedded, ordered schema
// migrations. Each engine applies them with its own SQL; this package only
// makes sure the set is well formed: files named NNNN_name.sql, numbered
// 1, 2, 3… without gaps or duplicates.
package migration

import (
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
)

// Migration is one schema change.
type Migration struct {
	Version int    // 1, 2, 3…
	Name    string // the file name
	SQL     string
}

var namePattern = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// Load reads every *.sql file at the root of fsys, in version order.
func Load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries { // ReadDir sorts by name
		m := namePattern.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if v != len(out)+1 {
			return nil, fmt.Errorf("migration %q: expected version %d", e.Name(), len(out)+1)
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no migrations found")
	}
	return out, nil
}
