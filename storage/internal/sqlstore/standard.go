package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/competence"
)

// standardRows are the versions of the competence standards, in a
// transaction.
type standardRows struct{ *Tx }

// Infos implements competence.Reader.
func (t standardRows) Infos(ctx context.Context) ([]competence.Info, error) {
	rows, err := t.Query(ctx, `SELECT sector, version, status, title_it, title_en,
		description_it, description_en, levels, paths, competences, published_at, digest
		FROM standard_versions ORDER BY sector`+t.d.Binary+`, version`)
	if err != nil {
		return nil, fmt.Errorf("listing standard versions: %w", err)
	}
	defer rows.Close()
	var out []competence.Info
	for rows.Next() {
		var in competence.Info
		var levels []byte
		if err := rows.Scan(&in.Sector, &in.Version, &in.Status, &in.Title.IT, &in.Title.EN,
			&in.Description.IT, &in.Description.EN, &levels, &in.Paths, &in.Competences, tcol{&in.PublishedAt}, &in.Digest); err != nil {
			return nil, fmt.Errorf("reading standard versions: %w", err)
		}
		if err := json.Unmarshal(levels, &in.Levels); err != nil {
			return nil, fmt.Errorf("reading levels of %s v%d: %w", in.Sector, in.Version, err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing standard versions: %w", err)
	}
	return out, nil
}

// Standard implements competence.Reader.
func (t standardRows) Standard(ctx context.Context, sector string, version int) (*competence.Standard, error) {
	var content []byte
	var status, digest string
	var s competence.Standard
	err := t.QueryRow(ctx, `SELECT status, published_at, digest, content FROM standard_versions
		WHERE sector = $1 AND version = $2`, sector, version).Scan(&status, tcol{&s.PublishedAt}, &digest, &content)
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.competence.version.notfound", version, sector)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s v%d: %w", sector, version, err)
	}
	published := s.PublishedAt
	if err := json.Unmarshal(content, &s); err != nil {
		return nil, fmt.Errorf("decoding %s v%d: %w", sector, version, err)
	}
	s.Sector, s.Version, s.Status, s.Digest, s.PublishedAt = sector, version, competence.Status(status), digest, published
	return &s, nil
}

// standardRow is what both Insert and Replace write.
type standardRow struct {
	levels, content string
}

func standardRowOf(s *competence.Standard) (standardRow, error) {
	levels := []byte("[]")
	if s.Levels != nil {
		var err error
		if levels, err = json.Marshal(s.Levels); err != nil {
			return standardRow{}, err
		}
	}
	content, err := json.Marshal(s)
	if err != nil {
		return standardRow{}, err
	}
	return standardRow{levels: string(levels), content: string(content)}, nil
}

// Insert implements competence.Writer. A Conflict leaves the transaction
// usable.
func (t standardRows) Insert(ctx context.Context, s *competence.Standard) error {
	r, err := standardRowOf(s)
	if err != nil {
		return fmt.Errorf("encoding %s v%d: %w", s.Sector, s.Version, err)
	}
	now := t.at(t.db.now())
	_, err = t.isolated(ctx, `INSERT INTO standard_versions (sector, version, status, title_it, title_en,
		description_it, description_en, levels, paths, competences, published_at, digest, content, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
		s.Sector, s.Version, string(s.Status), s.Title.IT, s.Title.EN, s.Description.IT, s.Description.EN,
		r.levels, len(s.Paths), len(s.Competences), t.tm(s.PublishedAt), s.Digest, r.content, now)
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.storage.standard.taken", s.Version, s.Sector)
	}
	if err != nil {
		return fmt.Errorf("inserting %s v%d: %w", s.Sector, s.Version, err)
	}
	return nil
}

// Replace implements competence.Writer. A Conflict leaves the transaction
// usable.
func (t standardRows) Replace(ctx context.Context, s *competence.Standard, was competence.Status) error {
	r, err := standardRowOf(s)
	if err != nil {
		return fmt.Errorf("encoding %s v%d: %w", s.Sector, s.Version, err)
	}
	n, err := t.isolated(ctx, `UPDATE standard_versions SET status = $1, title_it = $2, title_en = $3,
		description_it = $4, description_en = $5, levels = $6, paths = $7, competences = $8, published_at = $9,
		digest = $10, content = $11, updated_at = $12
		WHERE sector = $13 AND version = $14 AND status = $15`,
		string(s.Status), s.Title.IT, s.Title.EN, s.Description.IT, s.Description.EN, r.levels, len(s.Paths),
		len(s.Competences), t.tm(s.PublishedAt), s.Digest, r.content, t.at(t.db.now()), s.Sector, s.Version, string(was))
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.storage.standard.taken", s.Version, s.Sector)
	}
	if err != nil {
		return fmt.Errorf("updating %s v%d: %w", s.Sector, s.Version, err)
	}
	if n != 1 {
		return attesta.E(attesta.Conflict, "err.storage.standard.changed", s.Version, s.Sector)
	}
	return nil
}
