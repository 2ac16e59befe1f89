package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/attesta/attesta/storage/internal/sqlstore"
)

// SetAllocated sets how many positions a status list has handed out, so that
// tests can reach the end of a list without allocating every position.
func SetAllocated(ctx context.Context, db *DB, issuerID string, list, n int) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE status_lists SET allocated = $1 WHERE issuer_id = $2 AND list_no = $3`,
			n, issuerID, list)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("no status list %d of issuer %s", list, issuerID)
		}
		return nil
	})
}

// AppendLog appends entries to the transparency log as the credential store
// does, in one transaction, rolled back if fail is not nil.
func AppendLog(ctx context.Context, db *DB, entries [][]byte, fail error) error {
	return sqlstore.Update(ctx, db.DB, func(t *sqlstore.Tx) error {
		for _, e := range entries {
			if _, err := (engine{db.pool}).AppendLog(ctx, t.Conn, e); err != nil {
				return err
			}
		}
		return fail
	})
}

// AppendLogBulk appends entries with one counter update and one insert, to
// build large logs for benchmarks quickly (updating the counter row once per
// entry in one transaction grows a chain of row versions).
func AppendLogBulk(ctx context.Context, db *DB, entries [][]byte) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var first int64
		if err := tx.QueryRow(ctx, `UPDATE log_state SET entries = entries + $1 WHERE id = 1 RETURNING entries - $1`,
			len(entries)).Scan(&first); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO log_entries (leaf_index, entry)
			SELECT $1 + ord - 1, e FROM unnest($2::bytea[]) WITH ORDINALITY AS t(e, ord)`, first, entries)
		return err
	})
}

// Maintain vacuums the log's tables and updates the planner's statistics,
// as autovacuum does as they grow: the pending entries' table is emptied by
// every Integrate, and its dead rows are what a range read skips.
func Maintain(ctx context.Context, db *DB) error {
	_, err := db.pool.Exec(ctx, `VACUUM ANALYZE log_packs, log_tree, log_entries, log_checkpoints`)
	return err
}

// TableBytes returns the bytes each table takes, its indexes and TOAST
// included (pg_total_relation_size), after a VACUUM that reclaims dead row
// versions.
func TableBytes(ctx context.Context, db *DB, tables ...string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range tables {
		// Twice: the second pass recycles the index pages the first
		// emptied, as autovacuum does over time.
		for range 2 {
			if _, err := db.pool.Exec(ctx, `VACUUM `+pgx.Identifier{t}.Sanitize()); err != nil {
				return nil, fmt.Errorf("vacuuming %s: %w", t, err)
			}
		}
		var n int64
		if err := db.pool.QueryRow(ctx, `SELECT pg_total_relation_size($1::regclass)`, t).Scan(&n); err != nil {
			return nil, fmt.Errorf("measuring %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// Exec runs a statement in a write transaction, for tests that check what
// the schema refuses.
func Exec(ctx context.Context, db *DB, query string, args ...any) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, query, args...)
		return err
	})
}
