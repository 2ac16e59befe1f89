package postgres

import (
	"github.com/attesta/attesta/roundtable"
	"github.com/attesta/attesta/storage/internal/sqlstore"
)

// RoundTables returns the store of the territorial tables.
func (db *DB) RoundTables() roundtable.Store { return sqlstore.RoundTables{R: runner{db}} }
