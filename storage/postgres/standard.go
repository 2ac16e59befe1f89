package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
)

// Standards returns the store of the competence standards.
func (db *DB) Standards() competence.Store { return standardStore{db} }

type standardStore struct{ db *DB }

var _ competence.Store = standardStore{}

func (s standardStore) View(ctx context.Context, fn func(competence.Reader) error) error {
	return s.db.view(ctx, func(tx pgx.Tx) error { return fn(standardTx{tx, s.db}) })
}

func (s standardStore) Update(ctx context.Context, fn func(competence.Writer) error) error {
	return s.db.update(ctx, func(tx pgx.Tx) error { return fn(standardTx{tx, s.db}) })
}

type standardTx struct {
	tx pgx.Tx
	db *DB
}

func (t standardTx) Infos(ctx context.Context) ([]competence.Info, error) {
	rows, err := t.tx.Query(ctx, `SELECT sector, version, status, title_it, title_en,
		description_it, description_en, levels, paths, competences, published_at, digest
		FROM standard_versions ORDER BY sector COLLATE "C", version`)
	if err != nil {
		return nil, fmt.Errorf("listing standard versions: %w", err)
	}
	defer rows.Close()
	var out []competence.Info
	for rows.Next() {
		var in competence.Info
		var levels []byte
		var published *time.Time
		if err := rows.Scan(&in.Sector, &in.Version, &in.Status, &in.Title.IT, &in.Title.EN,
			&in.Description.IT, &in.Description.EN, &levels, &in.Paths, &in.Competences, &published, &in.Digest); err != nil {
			return nil, fmt.Errorf("reading standard versions: %w", err)
		}
		if err := json.Unmarshal(levels, &in.Levels); err != nil {
			return nil, fmt.Errorf("reading levels of %s v%d: %w", in.Sector, in.Version, err)
		}
		if published != nil {
			in.PublishedAt = published.UTC()
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing standard versions: %w", err)
	}
	return out, nil
}

func (t standardTx) Standard(ctx context.Context, sector string, version int) (*competence.Standard, error) {
	var content []byte
	var status, digest string
	var published *time.Time
	err := t.tx.QueryRow(ctx, `SELECT status, published_at, digest, content FROM standard_versions
		WHERE sector = $1 AND version = $2`, sector, version).Scan(&status, &published, &digest, &content)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, attesta.Errorf(attesta.NotFound, "version %d of sector %q not found", version, sector)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s v%d: %w", sector, version, err)
	}
	var s competence.Standard
	if err := json.Unmarshal(content, &s); err != nil {
		return nil, fmt.Errorf("decoding %s v%d: %w", sector, version, err)
	}
	s.Sector, s.Version, s.Status, s.Digest = sector, version, competence.Status(status), digest
	s.PublishedAt = time.Time{}
	if published != nil {
		s.PublishedAt = published.UTC()
	}
	return &s, nil
}

// row is what both Insert and Replace write.
type row struct {
	levels, content []byte
	published       *time.Time
}

func rowOf(s *competence.Standard) (row, error) {
	levels := []byte("[]")
	if s.Levels != nil {
		var err error
		if levels, err = json.Marshal(s.Levels); err != nil {
			return row{}, err
		}
	}
	content, err := json.Marshal(s)
	if err != nil {
		return row{}, err
	}
	r := row{levels: levels, content: content}
	if !s.PublishedAt.IsZero() {
		p := s.PublishedAt
		r.published = &p
	}
	return r, nil
}

func (t standardTx) Insert(ctx context.Context, s *competence.Standard) error {
	r, err := rowOf(s)
	if err != nil {
		return fmt.Errorf("encoding %s v%d: %w", s.Sector, s.Version, err)
	}
	now := t.db.now()
	_, err = t.exec(ctx, `INSERT INTO standard_versions (sector, version, status, title_it, title_en,
		description_it, description_en, levels, paths, competences, published_at, digest, content, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
		s.Sector, s.Version, string(s.Status), s.Title.IT, s.Title.EN, s.Description.IT, s.Description.EN,
		string(r.levels), len(s.Paths), len(s.Competences), r.published, s.Digest, string(r.content), now)
	if isConstraint(err) {
		return attesta.Errorf(attesta.Conflict, "version %d of %s conflicts with a stored version", s.Version, s.Sector)
	}
	if err != nil {
		return fmt.Errorf("inserting %s v%d: %w", s.Sector, s.Version, err)
	}
	return nil
}

func (t standardTx) Replace(ctx context.Context, s *competence.Standard, was competence.Status) error {
	r, err := rowOf(s)
	if err != nil {
		return fmt.Errorf("encoding %s v%d: %w", s.Sector, s.Version, err)
	}
	tag, err := t.exec(ctx, `UPDATE standard_versions SET status = $1, title_it = $2, title_en = $3,
		description_it = $4, description_en = $5, levels = $6, paths = $7, competences = $8, published_at = $9,
		digest = $10, content = $11, updated_at = $12
		WHERE sector = $13 AND version = $14 AND status = $15`,
		string(s.Status), s.Title.IT, s.Title.EN, s.Description.IT, s.Description.EN, string(r.levels), len(s.Paths),
		len(s.Competences), r.published, s.Digest, string(r.content), t.db.now(), s.Sector, s.Version, string(was))
	if isConstraint(err) {
		return attesta.Errorf(attesta.Conflict, "version %d of %s conflicts with a stored version", s.Version, s.Sector)
	}
	if err != nil {
		return fmt.Errorf("updating %s v%d: %w", s.Sector, s.Version, err)
	}
	if tag.RowsAffected() != 1 {
		return attesta.Errorf(attesta.Conflict, "version %d of %s is no longer %s", s.Version, s.Sector, was)
	}
	return nil
}

// exec runs one statement inside a savepoint, so that a failed statement
// (a constraint violation the caller handles) leaves the transaction
// usable, as it does in SQLite.
func (t standardTx) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	sp, err := t.tx.Begin(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := sp.Exec(ctx, sql, args...)
	if err != nil {
		if rerr := sp.Rollback(ctx); rerr != nil {
			return tag, errors.Join(err, rerr)
		}
		return tag, err
	}
	return tag, sp.Commit(ctx)
}
