package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
)

// Standards returns the store of the competence standards.
func (db *DB) Standards() competence.Store { return standardStore{db} }

type standardStore struct{ db *DB }

var _ competence.Store = standardStore{}

func (s standardStore) View(ctx context.Context, fn func(competence.Reader) error) error {
	return s.db.view(ctx, func(tx *sql.Tx) error { return fn(standardTx{tx, s.db}) })
}

func (s standardStore) Update(ctx context.Context, fn func(competence.Writer) error) error {
	return s.db.update(ctx, func(tx *sql.Tx) error { return fn(standardTx{tx, s.db}) })
}

type standardTx struct {
	tx *sql.Tx
	db *DB
}

func (t standardTx) Infos(ctx context.Context) ([]competence.Info, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT sector, version, status, title_it, title_en,
		description_it, description_en, levels, paths, competences, published_at, digest
		FROM standard_versions ORDER BY sector, version`)
	if err != nil {
		return nil, fmt.Errorf("listing standard versions: %w", err)
	}
	defer rows.Close()
	var out []competence.Info
	for rows.Next() {
		var in competence.Info
		var levels string
		var published sql.NullString
		if err := rows.Scan(&in.Sector, &in.Version, &in.Status, &in.Title.IT, &in.Title.EN,
			&in.Description.IT, &in.Description.EN, &levels, &in.Paths, &in.Competences, &published, &in.Digest); err != nil {
			return nil, fmt.Errorf("reading standard versions: %w", err)
		}
		if err := json.Unmarshal([]byte(levels), &in.Levels); err != nil {
			return nil, fmt.Errorf("reading levels of %s v%d: %w", in.Sector, in.Version, err)
		}
		if published.Valid {
			if in.PublishedAt, err = parseTime(published.String); err != nil {
				return nil, fmt.Errorf("reading %s v%d: %w", in.Sector, in.Version, err)
			}
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing standard versions: %w", err)
	}
	return out, nil
}

func (t standardTx) Standard(ctx context.Context, sector string, version int) (*competence.Standard, error) {
	var content, status, digest string
	var published sql.NullString
	err := t.tx.QueryRowContext(ctx, `SELECT status, published_at, digest, content FROM standard_versions
		WHERE sector = ? AND version = ?`, sector, version).Scan(&status, &published, &digest, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attesta.Errorf(attesta.NotFound, "version %d of sector %q not found", version, sector)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s v%d: %w", sector, version, err)
	}
	var s competence.Standard
	if err := json.Unmarshal([]byte(content), &s); err != nil {
		return nil, fmt.Errorf("decoding %s v%d: %w", sector, version, err)
	}
	s.Sector, s.Version, s.Status, s.Digest = sector, version, competence.Status(status), digest
	if published.Valid {
		if s.PublishedAt, err = parseTime(published.String); err != nil {
			return nil, fmt.Errorf("reading %s v%d: %w", sector, version, err)
		}
	}
	return &s, nil
}

// row is what both Insert and Replace write.
type row struct {
	levels, content string
	published       sql.NullString
}

func rowOf(s *competence.Standard) (row, error) {
	levels, err := json.Marshal(s.Levels)
	if err != nil {
		return row{}, err
	}
	if s.Levels == nil {
		levels = []byte("[]")
	}
	content, err := json.Marshal(s)
	if err != nil {
		return row{}, err
	}
	r := row{levels: string(levels), content: string(content)}
	if !s.PublishedAt.IsZero() {
		r.published = sql.NullString{String: formatTime(s.PublishedAt), Valid: true}
	}
	return r, nil
}

func (t standardTx) Insert(ctx context.Context, s *competence.Standard) error {
	r, err := rowOf(s)
	if err != nil {
		return fmt.Errorf("encoding %s v%d: %w", s.Sector, s.Version, err)
	}
	now := formatTime(t.db.now())
	_, err = t.tx.ExecContext(ctx, `INSERT INTO standard_versions (sector, version, status, title_it, title_en,
		description_it, description_en, levels, paths, competences, published_at, digest, content, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.Sector, s.Version, s.Status, s.Title.IT, s.Title.EN, s.Description.IT, s.Description.EN,
		r.levels, len(s.Paths), len(s.Competences), r.published, s.Digest, r.content, now, now)
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
	res, err := t.tx.ExecContext(ctx, `UPDATE standard_versions SET status = ?, title_it = ?, title_en = ?,
		description_it = ?, description_en = ?, levels = ?, paths = ?, competences = ?, published_at = ?,
		digest = ?, content = ?, updated_at = ?
		WHERE sector = ? AND version = ? AND status = ?`,
		s.Status, s.Title.IT, s.Title.EN, s.Description.IT, s.Description.EN, r.levels, len(s.Paths),
		len(s.Competences), r.published, s.Digest, r.content, formatTime(t.db.now()), s.Sector, s.Version, was)
	if isConstraint(err) {
		return attesta.Errorf(attesta.Conflict, "version %d of %s conflicts with a stored version", s.Version, s.Sector)
	}
	if err != nil {
		return fmt.Errorf("updating %s v%d: %w", s.Sector, s.Version, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return attesta.Errorf(attesta.Conflict, "version %d of %s is no longer %s", s.Version, s.Sector, was)
	}
	return nil
}
