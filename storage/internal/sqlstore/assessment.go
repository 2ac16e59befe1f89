package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/assessment"
)

// assessmentRows are the online test's tests, sittings and attempts, in a
// transaction.
type assessmentRows struct{ *Tx }

// Blueprint implements assessment.Reader.
func (t assessmentRows) Blueprint(ctx context.Context, id string) (*assessment.Blueprint, error) {
	var content string
	err := t.QueryRow(ctx, `SELECT content FROM blueprints WHERE id = $1`, id).Scan(&content)
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.assessment.blueprint.unknown", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading test %s: %w", id, err)
	}
	var b assessment.Blueprint
	if err := json.Unmarshal([]byte(content), &b); err != nil {
		return nil, fmt.Errorf("reading test %s: %w", id, err)
	}
	return &b, nil
}

// Blueprints implements assessment.Reader.
func (t assessmentRows) Blueprints(ctx context.Context, owners []string) ([]assessment.Blueprint, error) {
	var a args
	q := `SELECT content FROM blueprints`
	if owners != nil {
		q += ` WHERE owner IN ` + a.in(owners)
	}
	rows, err := t.Query(ctx, q+` ORDER BY created_at DESC, id`, a...)
	if err != nil {
		return nil, fmt.Errorf("listing tests: %w", err)
	}
	defer rows.Close()
	var out []assessment.Blueprint
	for rows.Next() {
		var content string
		var b assessment.Blueprint
		if err := rows.Scan(&content); err != nil {
			return nil, fmt.Errorf("listing tests: %w", err)
		}
		if err := json.Unmarshal([]byte(content), &b); err != nil {
			return nil, fmt.Errorf("listing tests: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// InsertBlueprint implements assessment.Writer.
func (t assessmentRows) InsertBlueprint(ctx context.Context, b *assessment.Blueprint, by string, at time.Time) error {
	content, err := json.Marshal(b)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO blueprints (id, owner, sector, standard, content, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		b.ID, b.Owner, b.Sector, b.Standard, string(content), by, t.at(at))
	if err != nil {
		return fmt.Errorf("adding test %s: %w", b.ID, err)
	}
	return nil
}

const sittingColumns = `s.id, s.blueprint_id, s.title, s.owner, s.owner_province, s.opens, s.closes, s.code, s.proctors, s.created_by,
	s.created_at, s.ended_at, s.released_at`

func scanSitting(r Row) (*assessment.Sitting, error) {
	var s assessment.Sitting
	var proctors string
	if err := r.Scan(&s.ID, &s.Blueprint, &s.Title, &s.Owner, &s.OwnerProvince, tcol{&s.Opens}, tcol{&s.Closes}, &s.Code, &proctors,
		&s.CreatedBy, tcol{&s.CreatedAt}, tcol{&s.Ended}, tcol{&s.Released}); err != nil {
		return nil, err
	}
	s.Proctors = strings.Fields(proctors)
	return &s, nil
}

// candidates fills the candidates of sittings.
func (t assessmentRows) candidates(ctx context.Context, ss []*assessment.Sitting) error {
	if len(ss) == 0 {
		return nil
	}
	var a args
	ids := make([]string, len(ss))
	byID := map[string]*assessment.Sitting{}
	for i, s := range ss {
		ids[i], byID[s.ID] = s.ID, s
		s.Candidates = []assessment.Candidate{}
	}
	rows, err := t.Query(ctx, `SELECT sitting_id, person_id, name, school_id, province, authorized_by, authorized_at
		FROM sitting_candidates WHERE sitting_id IN `+a.in(ids)+` ORDER BY sitting_id, name, person_id`, a...)
	if err != nil {
		return fmt.Errorf("listing candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid string
		var c assessment.Candidate
		if err := rows.Scan(&sid, &c.Person, &c.Name, &c.School, &c.Province, &c.AuthorizedBy, tcol{&c.AuthorizedAt}); err != nil {
			return fmt.Errorf("listing candidates: %w", err)
		}
		byID[sid].Candidates = append(byID[sid].Candidates, c)
	}
	return rows.Err()
}

// Sitting implements assessment.Reader.
func (t assessmentRows) Sitting(ctx context.Context, id string) (*assessment.Sitting, error) {
	s, err := scanSitting(t.QueryRow(ctx, `SELECT `+sittingColumns+` FROM sittings s WHERE s.id = $1`, id))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.assessment.sitting.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading sitting %s: %w", id, err)
	}
	return s, t.candidates(ctx, []*assessment.Sitting{s})
}

// Sittings implements assessment.Reader.
func (t assessmentRows) Sittings(ctx context.Context, f assessment.SittingFilter) ([]assessment.Sitting, error) {
	var a args
	var or []string
	if f.Candidate != "" {
		or = append(or, `s.id IN (SELECT sitting_id FROM sitting_candidates WHERE person_id = `+a.add(f.Candidate)+`)`)
	}
	if f.Proctor != "" {
		// Proctors are a space-separated list of ids.
		or = append(or, `(' ' || s.proctors || ' ') LIKE `+a.add("% "+f.Proctor+" %"))
	}
	if f.Candidate == "" {
		or = append(or, a.within(f.Reach, `s.owner_province`, `s.owner`),
			`s.id IN (SELECT sitting_id FROM sitting_candidates c WHERE `+a.within(f.Reach, `c.province`, `c.school_id`)+`)`)
	}
	q := `SELECT ` + sittingColumns + ` FROM sittings s WHERE (` + strings.Join(or, ` OR `) + `) ORDER BY s.opens DESC, s.id LIMIT ` + a.add(max(f.Limit, 1))
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing sittings: %w", err)
	}
	var ss []*assessment.Sitting
	for rows.Next() {
		s, err := scanSitting(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing sittings: %w", err)
		}
		ss = append(ss, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := t.candidates(ctx, ss); err != nil {
		return nil, err
	}
	out := make([]assessment.Sitting, len(ss))
	for i, s := range ss {
		out[i] = *s
	}
	return out, nil
}

// InsertSitting implements assessment.Writer.
func (t assessmentRows) InsertSitting(ctx context.Context, s *assessment.Sitting) error {
	_, err := t.Exec(ctx, `INSERT INTO sittings (id, blueprint_id, title, owner, owner_province, opens, closes, code, proctors, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.ID, s.Blueprint, s.Title, s.Owner, s.OwnerProvince, t.at(s.Opens), t.at(s.Closes), s.Code, strings.Join(s.Proctors, " "), s.CreatedBy, t.at(s.CreatedAt))
	if err != nil {
		return fmt.Errorf("adding sitting %s: %w", s.ID, err)
	}
	for _, c := range s.Candidates {
		if _, err := t.Exec(ctx, `INSERT INTO sitting_candidates (sitting_id, person_id, name, school_id, province) VALUES ($1, $2, $3, $4, $5)`,
			s.ID, c.Person, c.Name, c.School, c.Province); err != nil {
			return fmt.Errorf("adding the candidates of sitting %s: %w", s.ID, err)
		}
	}
	return nil
}

// UpdateSitting implements assessment.Writer.
func (t assessmentRows) UpdateSitting(ctx context.Context, s *assessment.Sitting) error {
	_, err := t.Exec(ctx, `UPDATE sittings SET ended_at = $1, released_at = $2 WHERE id = $3`, t.tm(s.Ended), t.tm(s.Released), s.ID)
	if err != nil {
		return fmt.Errorf("writing sitting %s: %w", s.ID, err)
	}
	return nil
}

// AuthorizeCandidate implements assessment.Writer.
func (t assessmentRows) AuthorizeCandidate(ctx context.Context, sitting string, c *assessment.Candidate) error {
	_, err := t.Exec(ctx, `UPDATE sitting_candidates SET authorized_by = $1, authorized_at = $2 WHERE sitting_id = $3 AND person_id = $4`,
		c.AuthorizedBy, t.tm(c.AuthorizedAt), sitting, c.Person)
	if err != nil {
		return fmt.Errorf("authorizing %s in sitting %s: %w", c.Person, sitting, err)
	}
	return nil
}

// SittingEvents implements assessment.Reader.
func (t assessmentRows) SittingEvents(ctx context.Context, sitting string) ([]assessment.SittingEvent, error) {
	rows, err := t.Query(ctx, `SELECT seq, kind, attempt_id, candidate, category, note, by_person, by_name, at
		FROM sitting_events WHERE sitting_id = $1 ORDER BY seq`, sitting)
	if err != nil {
		return nil, fmt.Errorf("listing the history of sitting %s: %w", sitting, err)
	}
	defer rows.Close()
	var out []assessment.SittingEvent
	for rows.Next() {
		e := assessment.SittingEvent{Sitting: sitting}
		if err := rows.Scan(&e.Seq, &e.Kind, &e.Attempt, &e.Candidate, &e.Category, &e.Note, &e.By, &e.ByName, tcol{&e.At}); err != nil {
			return nil, fmt.Errorf("listing the history of sitting %s: %w", sitting, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AppendEvent implements assessment.Writer.
func (t assessmentRows) AppendEvent(ctx context.Context, e *assessment.SittingEvent) error {
	_, err := t.Exec(ctx, `INSERT INTO sitting_events (sitting_id, kind, attempt_id, candidate, category, note, by_person, by_name, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.Sitting, string(e.Kind), e.Attempt, e.Candidate, string(e.Category), e.Note, e.By, e.ByName, t.at(e.At))
	if err != nil {
		return fmt.Errorf("recording in the history of sitting %s: %w", e.Sitting, err)
	}
	return nil
}

// Accommodation implements assessment.Reader.
func (t assessmentRows) Accommodation(ctx context.Context, student string) (assessment.Accommodation, error) {
	var content string
	var a assessment.Accommodation
	err := t.QueryRow(ctx, `SELECT content FROM accommodations WHERE student_id = $1`, student).Scan(&content)
	if noRows(err) {
		return a, nil
	}
	if err != nil {
		return a, fmt.Errorf("reading the accommodation of %s: %w", student, err)
	}
	return a, json.Unmarshal([]byte(content), &a)
}

// SetAccommodation implements assessment.Writer.
func (t assessmentRows) SetAccommodation(ctx context.Context, student string, a assessment.Accommodation, by string, at time.Time) error {
	content, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO accommodations (student_id, content, set_by, set_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (student_id) DO UPDATE SET content = excluded.content, set_by = excluded.set_by, set_at = excluded.set_at`,
		student, string(content), by, t.at(at))
	if err != nil {
		return fmt.Errorf("writing the accommodation of %s: %w", student, err)
	}
	return nil
}

const attemptColumns = `id, sitting_id, candidate, number, form, state, started, time_limit, accommodation, paused_for, paused_at,
	ended, expired, events`

func scanAttempt(r Row, withForm bool) (*assessment.Attempt, error) {
	var a assessment.Attempt
	var form, acc, events string
	var limit, paused int64
	var expired int
	if err := r.Scan(&a.ID, &a.Sitting, &a.Candidate, &a.Number, &form, &a.State, tcol{&a.Started}, &limit, &acc, &paused,
		tcol{&a.PausedAt}, tcol{&a.Ended}, &expired, &events); err != nil {
		return nil, err
	}
	a.Limit, a.PausedFor, a.Expired = time.Duration(limit)*time.Millisecond, time.Duration(paused)*time.Millisecond, expired == 1
	if withForm {
		if err := json.Unmarshal([]byte(form), &a.Form); err != nil {
			return nil, err
		}
	}
	if err := json.Unmarshal([]byte(acc), &a.Accommodation); err != nil {
		return nil, err
	}
	return &a, json.Unmarshal([]byte(events), &a.Events)
}

// Attempt implements assessment.Reader.
func (t assessmentRows) Attempt(ctx context.Context, id string) (*assessment.Attempt, *assessment.Result, error) {
	var result string
	row := t.QueryRow(ctx, `SELECT `+attemptColumns+`, COALESCE(result, '') FROM attempts WHERE id = $1`, id)
	a, err := scanAttempt(resultRow{row, &result}, true)
	if noRows(err) {
		return nil, nil, attesta.E(attesta.NotFound, "err.assessment.attempt.notfound", id)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading attempt %s: %w", id, err)
	}
	var res *assessment.Result
	if result != "" {
		res = new(assessment.Result)
		if err := json.Unmarshal([]byte(result), res); err != nil {
			return nil, nil, fmt.Errorf("reading the result of attempt %s: %w", id, err)
		}
	}
	rows, err := t.Query(ctx, `SELECT item_id, response, at, first_at FROM attempt_answers WHERE attempt_id = $1 ORDER BY at, item_id`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the answers of attempt %s: %w", id, err)
	}
	defer rows.Close()
	a.Answers = []assessment.Answer{}
	for rows.Next() {
		var ans assessment.Answer
		var resp string
		if err := rows.Scan(&ans.Item, &resp, tcol{&ans.At}, tcol{&ans.First}); err != nil {
			return nil, nil, fmt.Errorf("reading the answers of attempt %s: %w", id, err)
		}
		if err := json.Unmarshal([]byte(resp), &ans.Response); err != nil {
			return nil, nil, fmt.Errorf("reading the answers of attempt %s: %w", id, err)
		}
		a.Answers = append(a.Answers, ans)
	}
	return a, res, rows.Err()
}

// resultRow scans an attempt's columns and then its result.
type resultRow struct {
	Row
	result *string
}

func (r resultRow) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.result)...) }

// Attempts implements assessment.Reader.
func (t assessmentRows) Attempts(ctx context.Context, sitting, candidate, blueprint string) ([]assessment.Attempt, error) {
	var a args
	var where []string
	if sitting != "" {
		where = append(where, `sitting_id = `+a.add(sitting))
	}
	if candidate != "" {
		where = append(where, `candidate = `+a.add(candidate))
	}
	if blueprint != "" {
		where = append(where, `blueprint_id = `+a.add(blueprint))
	}
	if len(where) == 0 {
		return nil, fmt.Errorf("listing attempts: no filter")
	}
	rows, err := t.Query(ctx, `SELECT `+attemptColumns+` FROM attempts WHERE `+strings.Join(where, ` AND `)+` ORDER BY started, id`, a...)
	if err != nil {
		return nil, fmt.Errorf("listing attempts: %w", err)
	}
	defer rows.Close()
	var out []assessment.Attempt
	for rows.Next() {
		at, err := scanAttempt(rows, true)
		if err != nil {
			return nil, fmt.Errorf("listing attempts: %w", err)
		}
		out = append(out, *at)
	}
	return out, rows.Err()
}

// FirstAttempts implements assessment.Reader.
func (t assessmentRows) FirstAttempts(ctx context.Context, sector string, standard, limit int) ([]assessment.FirstAttempt, error) {
	rows, err := t.Query(ctx, `SELECT a.blueprint_id, a.id, a.result FROM attempts a JOIN blueprints b ON b.id = a.blueprint_id
		WHERE b.sector = $1 AND b.standard = $2 AND a.number = 1 AND a.state = 'submitted' AND a.result IS NOT NULL
		ORDER BY a.ended, a.id LIMIT $3`, sector, standard, limit)
	if err != nil {
		return nil, fmt.Errorf("listing first attempts: %w", err)
	}
	defer rows.Close()
	var out []assessment.FirstAttempt
	for rows.Next() {
		var fa assessment.FirstAttempt
		var result string
		if err := rows.Scan(&fa.Test, &fa.Attempt.ID, &result); err != nil {
			return nil, fmt.Errorf("listing first attempts: %w", err)
		}
		if err := json.Unmarshal([]byte(result), &fa.Result); err != nil {
			return nil, fmt.Errorf("reading the result of attempt %s: %w", fa.Attempt.ID, err)
		}
		out = append(out, fa)
	}
	return out, rows.Err()
}

// Due implements assessment.Reader.
func (t assessmentRows) Due(ctx context.Context, before time.Time, limit int) ([]string, error) {
	rows, err := t.Query(ctx, `SELECT id FROM attempts WHERE state = 'active' AND deadline < $1 ORDER BY deadline LIMIT $2`, t.at(before), limit)
	if err != nil {
		return nil, fmt.Errorf("listing attempts past their deadline: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// deadline is the column of an attempt's deadline: NULL while paused or
// without a limit (the sweeper does not look at those).
func (t assessmentRows) deadline(a *assessment.Attempt) any {
	if a.State != assessment.Active || a.Limit == 0 {
		return nil
	}
	return t.at(a.Deadline(a.Started))
}

// InsertAttempt implements assessment.Writer.
func (t assessmentRows) InsertAttempt(ctx context.Context, a *assessment.Attempt) error {
	form, err := json.Marshal(a.Form)
	if err != nil {
		return err
	}
	acc, _ := json.Marshal(a.Accommodation)
	st, err := t.Sitting(ctx, a.Sitting)
	if err != nil {
		return err
	}
	_, err = t.isolated(ctx, `INSERT INTO attempts (id, sitting_id, blueprint_id, candidate, number, form, state, started, time_limit, accommodation, deadline)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.ID, a.Sitting, st.Blueprint, a.Candidate, a.Number, string(form), string(a.State), t.at(a.Started), a.Limit.Milliseconds(), string(acc), t.deadline(a))
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.assessment.active", a.Candidate)
	}
	if err != nil {
		return fmt.Errorf("adding attempt %s: %w", a.ID, err)
	}
	return nil
}

// UpdateAttempt implements assessment.Writer.
func (t assessmentRows) UpdateAttempt(ctx context.Context, a *assessment.Attempt, r *assessment.Result) (bool, error) {
	events, err := json.Marshal(a.Events)
	if err != nil {
		return false, err
	}
	var result any
	if r != nil {
		data, err := json.Marshal(r)
		if err != nil {
			return false, err
		}
		result = string(data)
	}
	expired := 0
	if a.Expired {
		expired = 1
	}
	n, err := t.Exec(ctx, `UPDATE attempts SET state = $1, paused_for = $2, paused_at = $3, deadline = $4, ended = $5, expired = $6,
			events = $7, result = COALESCE($8, result)
		WHERE id = $9 AND state <> 'submitted'`,
		string(a.State), a.PausedFor.Milliseconds(), t.tm(a.PausedAt), t.deadline(a), t.tm(a.Ended), expired, string(events), result, a.ID)
	if err != nil {
		return false, fmt.Errorf("writing attempt %s: %w", a.ID, err)
	}
	return n == 1, nil
}

// PutAnswer implements assessment.Writer.
func (t assessmentRows) PutAnswer(ctx context.Context, attempt string, a *assessment.Answer) error {
	resp, err := json.Marshal(a.Response)
	if err != nil {
		return err
	}
	first := a.First
	if first.IsZero() {
		first = a.At
	}
	_, err = t.Exec(ctx, `INSERT INTO attempt_answers (attempt_id, item_id, response, at, first_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (attempt_id, item_id) DO UPDATE SET response = excluded.response, at = excluded.at`,
		attempt, a.Item, string(resp), t.at(a.At), t.at(first))
	if err != nil {
		return fmt.Errorf("saving an answer of attempt %s: %w", attempt, err)
	}
	return nil
}

// DropAnswer implements assessment.Writer.
func (t assessmentRows) DropAnswer(ctx context.Context, attempt, itemID string) error {
	if _, err := t.Exec(ctx, `DELETE FROM attempt_answers WHERE attempt_id = $1 AND item_id = $2`, attempt, itemID); err != nil {
		return fmt.Errorf("withdrawing an answer of attempt %s: %w", attempt, err)
	}
	return nil
}

// assessmentTx is the online test's transaction: it reads the item bank,
// the standards, people and organisations, and records to the trail.
type assessmentTx struct {
	assessmentRows
	itemRows
	standardRows
	personRows
	orgRows
	trail
}

var (
	_ assessment.Reader = assessmentTx{}
	_ assessment.Writer = assessmentTx{}
)

// Assessments returns the store of the online test.
func (db *DB) Assessments() assessment.Store {
	tx := func(t *Tx) assessmentTx {
		return assessmentTx{assessmentRows{t}, itemRows{t}, standardRows{t}, personRows{t}, orgRows{t}, trail{t}}
	}
	return store[assessment.Reader, assessment.Writer]{db,
		func(t *Tx) assessment.Reader { return tx(t) },
		func(t *Tx) assessment.Writer { return tx(t) }}
}
