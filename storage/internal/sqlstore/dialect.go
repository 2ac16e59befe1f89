package sqlstore

import "time"

// Dialect is how an engine's SQL differs from the subset the stores
// write. storage/sqlite and storage/postgres each fill one in.
type Dialect struct {
	// Time encodes a time, not zero and in UTC, as a column value: the
	// time itself for PostgreSQL's TIMESTAMPTZ; text in TimeLayout for
	// SQLite. Times read back are decoded from either (tcol).
	Time func(time.Time) any
	// IsUnique reports whether a statement failed on a UNIQUE or PRIMARY
	// KEY constraint (in SQLite, on any constraint but a foreign key, as
	// it always has); IsForeignKey, on a FOREIGN KEY constraint (the row
	// refers to one that does not exist).
	IsUnique, IsForeignKey func(error) bool
	// ForUpdate, appended to a SELECT in a write transaction, locks the
	// rows read until the transaction ends, so that concurrent changes of
	// the same row are decided one after the other: " FOR UPDATE" in
	// PostgreSQL; "" in SQLite, whose single writer already runs write
	// transactions one at a time.
	ForUpdate string
	// Binary, after a text column in ORDER BY, orders byte by byte:
	// ` COLLATE "C"` in PostgreSQL, whose default follows the database's
	// locale; "" in SQLite, where it is the default.
	Binary string
	// Blob is the type of binary columns, for CAST: BYTEA or BLOB.
	Blob string
	// True is what a boolean column equals when set, written as the
	// partial indexes on it are, so that queries use them: TRUE in
	// PostgreSQL; 1 in SQLite, which stores booleans as 0 and 1.
	True string
	// Int64s returns the condition that column col is one of values,
	// passed as the single argument arg at placeholder ph, so that one
	// statement serves lists of any length: col = ANY($1) with an array in
	// PostgreSQL, col IN (SELECT value FROM json_each($1)) with a JSON
	// array in SQLite.
	Int64s func(col, ph string, values []int64) (cond string, arg any)
	// Savepoints says a failed statement aborts its transaction
	// (PostgreSQL): writes whose failure the caller may handle then run in
	// a savepoint. In SQLite a failed statement undoes only itself.
	Savepoints bool
}
