package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/observation"
)

// sheetRows are the observation sheets, in a transaction.
type sheetRows struct{ *Tx }

// Sheets implements observation.Reader.
func (t sheetRows) Sheets(ctx context.Context, experienceID string) ([]observation.Sheet, error) {
	rows, err := t.Query(ctx, `SELECT id, student_id, version, state, revision, rows_json, saved_by, saved_name, saved_at,
			submitted, countersigned, reopened, reason
		FROM observation_sheets WHERE experience_id = $1 ORDER BY student_id, version`, experienceID)
	if err != nil {
		return nil, fmt.Errorf("listing the sheets of experience %s: %w", experienceID, err)
	}
	defer rows.Close()
	var out []observation.Sheet
	for rows.Next() {
		s := observation.Sheet{Experience: experienceID}
		var rowsJSON, submitted, countersigned, reopened string
		if err := rows.Scan(&s.ID, &s.Student, &s.Version, &s.State, &s.Revision, &rowsJSON, &s.SavedBy, &s.SavedName, tcol{&s.SavedAt},
			nstr{&submitted}, nstr{&countersigned}, nstr{&reopened}, &s.Reason); err != nil {
			return nil, fmt.Errorf("reading the sheets of experience %s: %w", experienceID, err)
		}
		if err := json.Unmarshal([]byte(rowsJSON), &s.Rows); err != nil {
			return nil, fmt.Errorf("reading sheet %s: %w", s.ID, err)
		}
		for _, sg := range []struct {
			text string
			to   **observation.Signature
		}{{submitted, &s.Submitted}, {countersigned, &s.Countersigned}, {reopened, &s.Reopened}} {
			if sg.text == "" {
				continue
			}
			*sg.to = new(observation.Signature)
			if err := json.Unmarshal([]byte(sg.text), *sg.to); err != nil {
				return nil, fmt.Errorf("reading sheet %s: %w", s.ID, err)
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SheetExperience implements observation.Reader.
func (t sheetRows) SheetExperience(ctx context.Context, id string) (string, string, error) {
	var e, s string
	err := t.QueryRow(ctx, `SELECT experience_id, student_id FROM observation_sheets WHERE id = $1 LIMIT 1`, id).Scan(&e, &s)
	if noRows(err) {
		return "", "", attesta.E(attesta.NotFound, "err.observation.notfound", id)
	}
	if err != nil {
		return "", "", fmt.Errorf("reading sheet %s: %w", id, err)
	}
	return e, s, nil
}

// signature encodes a signature, or NULL.
func signature(s *observation.Signature) (any, error) {
	if s == nil {
		return nil, nil
	}
	data, err := json.Marshal(s)
	return string(data), err
}

// sheetValues encodes a sheet's rows and signatures.
func sheetValues(s *observation.Sheet) (rows string, sigs [3]any, err error) {
	data, err := json.Marshal(s.Rows)
	if err != nil {
		return "", sigs, err
	}
	for i, sg := range []*observation.Signature{s.Submitted, s.Countersigned, s.Reopened} {
		if sigs[i], err = signature(sg); err != nil {
			return "", sigs, err
		}
	}
	return string(data), sigs, nil
}

// InsertSheet implements observation.Writer.
func (t sheetRows) InsertSheet(ctx context.Context, s *observation.Sheet) error {
	rows, sigs, err := sheetValues(s)
	if err != nil {
		return err
	}
	_, err = t.isolated(ctx, `INSERT INTO observation_sheets (id, experience_id, student_id, version, state, revision, rows_json,
			saved_by, saved_name, saved_at, submitted, countersigned, reopened, reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		s.ID, s.Experience, s.Student, s.Version, string(s.State), s.Revision, rows, s.SavedBy, s.SavedName, t.tm(s.SavedAt),
		sigs[0], sigs[1], sigs[2], s.Reason)
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.observation.stale", s.Version-1, s.Version)
	}
	if err != nil {
		return fmt.Errorf("writing sheet %s: %w", s.ID, err)
	}
	return nil
}

// UpdateSheet implements observation.Writer.
func (t sheetRows) UpdateSheet(ctx context.Context, s *observation.Sheet) error {
	rows, sigs, err := sheetValues(s)
	if err != nil {
		return err
	}
	n, err := t.Exec(ctx, `UPDATE observation_sheets SET state = $1, rows_json = $2, saved_by = $3, saved_name = $4, saved_at = $5,
			submitted = $6, countersigned = $7 WHERE id = $8 AND version = $9`,
		string(s.State), rows, s.SavedBy, s.SavedName, t.tm(s.SavedAt), sigs[0], sigs[1], s.ID, s.Version)
	if err != nil {
		return fmt.Errorf("writing sheet %s: %w", s.ID, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.observation.notfound", s.ID)
	}
	return nil
}
