package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/storage/internal/guard"
)

// dossierRows are the evidence dossiers, in a transaction.
type dossierRows struct{ *Tx }

// Dossier implements dossier.Reader.
func (t dossierRows) Dossier(ctx context.Context, id string) (*dossier.Dossier, error) {
	d := dossier.Dossier{ID: id}
	var returns, artefacts, lock string
	err := t.QueryRow(ctx, `SELECT experience_id, student_id, state, notes, returns_json, artefacts_json, lock_json FROM dossiers WHERE id = $1`, id).
		Scan(&d.Experience, &d.Student, &d.State, &d.Notes, &returns, &artefacts, nstr{&lock})
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.dossier.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading dossier %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(returns), &d.Returns); err != nil {
		return nil, fmt.Errorf("reading dossier %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(artefacts), &d.Artefacts); err != nil {
		return nil, fmt.Errorf("reading dossier %s: %w", id, err)
	}
	if lock != "" {
		d.Lock = new(dossier.Lock)
		if err := json.Unmarshal([]byte(lock), d.Lock); err != nil {
			return nil, fmt.Errorf("reading dossier %s: %w", id, err)
		}
	}
	return &d, nil
}

// PutDossier implements dossier.Writer.
func (t dossierRows) PutDossier(ctx context.Context, d *dossier.Dossier) error {
	returns, err := json.Marshal(d.Returns)
	if err != nil {
		return err
	}
	if d.Returns == nil {
		returns = []byte("[]")
	}
	artefacts, err := json.Marshal(d.Artefacts)
	if err != nil {
		return err
	}
	if d.Artefacts == nil {
		artefacts = []byte("[]")
	}
	var lock any
	if d.Lock != nil {
		data, err := json.Marshal(d.Lock)
		if err != nil {
			return err
		}
		lock = string(data)
	}
	n, err := t.Exec(ctx, `UPDATE dossiers SET state = $1, notes = $2, returns_json = $3, artefacts_json = $4, lock_json = $5 WHERE id = $6`,
		string(d.State), d.Notes, string(returns), string(artefacts), lock, d.ID)
	if err != nil {
		return fmt.Errorf("writing dossier %s: %w", d.ID, err)
	}
	if n == 1 {
		return nil
	}
	_, err = t.Exec(ctx, `INSERT INTO dossiers (id, experience_id, student_id, state, notes, returns_json, artefacts_json, lock_json)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.ID, d.Experience, d.Student, string(d.State), d.Notes, string(returns), string(artefacts), lock)
	if err != nil {
		return fmt.Errorf("writing dossier %s: %w", d.ID, err)
	}
	return nil
}

// AppendLog implements dossier.Writer: the entry goes to the log in this
// transaction, as a credential's does.
func (t dossierRows) AppendLog(ctx context.Context, entry []byte) (int64, error) {
	if err := guard.LogEntry(entry); err != nil {
		return 0, err
	}
	leaf, err := t.db.e.AppendLog(ctx, t.Conn, entry)
	if err != nil {
		return 0, fmt.Errorf("appending a dossier's lock to the log: %w", err)
	}
	return leaf, nil
}

// TestResults implements dossier.Reader.
func (t dossierRows) TestResults(ctx context.Context, student, sector string, version int) ([]dossier.TestLine, error) {
	rows, err := t.Query(ctx, `SELECT b.id, b.content, a.id, a.number, a.ended, a.result
		FROM attempts a JOIN sittings s ON s.id = a.sitting_id JOIN blueprints b ON b.id = a.blueprint_id
		WHERE a.candidate = $1 AND b.sector = $2 AND b.standard = $3 AND a.state = 'submitted' AND a.result IS NOT NULL
			AND s.released_at IS NOT NULL
		ORDER BY a.ended, a.id`, student, sector, version)
	if err != nil {
		return nil, fmt.Errorf("listing the test results of %s: %w", student, err)
	}
	defer rows.Close()
	var out []dossier.TestLine
	for rows.Next() {
		var l dossier.TestLine
		var content, result string
		var ended time.Time
		if err := rows.Scan(&l.Test, &content, &l.Attempt, &l.Number, tcol{&ended}, &result); err != nil {
			return nil, fmt.Errorf("listing the test results of %s: %w", student, err)
		}
		var b assessment.Blueprint
		var r assessment.Result
		if err := json.Unmarshal([]byte(content), &b); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(result), &r); err != nil {
			return nil, err
		}
		l.Title, l.Ended, l.Score, l.Max = b.Title, ended.UTC().Format("2006-01-02T15:04:05.000Z"), r.Score, r.Max
		l.Competences = []dossier.TestCompetence{}
		for _, c := range r.Competences {
			tc := dossier.TestCompetence{Competence: c.Competence, Score: c.Score, Max: c.Max,
				Percent: c.Percent, Threshold: c.Threshold, Passed: c.Passed}
			for _, d := range c.Dimensions {
				tc.Dimensions = append(tc.Dimensions, dossier.TestDimension{Dimension: string(d.Dimension), Score: d.Score, Max: d.Max, Percent: d.Percent})
			}
			l.Competences = append(l.Competences, tc)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
