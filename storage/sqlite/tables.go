package sqlite

import (
	"github.com/attesta/attesta/storage/internal/sqlstore"
	"github.com/attesta/attesta/tables"
)

// Tables returns the store of the territorial tables.
func (db *DB) Tables() tables.Store { return sqlstore.Tables{R: runner{db}} }
