package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/job"
)

// jobRows are the jobs (package job): long work that any process shows,
// confirms and runs. Every write that changes a job's state is
// conditional on the state and the lease token the writer read
// (ReplaceJob), which is how runners in several processes claim a job
// once, and how one that lost its lease is kept from ending it.
type jobRows struct{ *Tx }

// importTx is the imports' transaction: organisations and people, and the
// job an import ends with its rows (importer.Writer's ReplaceJob).
type importTx struct {
	peopleTx
	jobRows
}

var (
	_ job.Reader      = jobRows{}
	_ job.Writer      = jobRows{}
	_ importer.Reader = importTx{}
	_ importer.Writer = importTx{}
	_ job.Store       = store[job.Reader, job.Writer]{}
)

// Jobs returns the store of jobs.
func (db *DB) Jobs() job.Store {
	return store[job.Reader, job.Writer]{db,
		func(t *Tx) job.Reader { return jobRows{t} },
		func(t *Tx) job.Writer { return jobRows{t} }}
}

func newImportTx(t *Tx) importTx { return importTx{newPeopleTx(t), jobRows{t}} }

// jobColumns are the columns of a job but its input, in scanJob's order.
const jobColumns = `id, kind, person_id, org_id, role, state, done, total, params, preview, result, failure,
	created_at, expires_at, queued_at, started_at, ended_at, worker, lease, lease_until, attempts`

func scanJob(row Row) (*job.Job, error) {
	var j job.Job
	var role, state, kind, preview, result, failure string
	err := row.Scan(&j.ID, &kind, &j.Owner.Person, &j.Owner.Org, &role, &state, &j.Done, &j.Total, (*bytesText)(&j.Params),
		nstr{&preview}, nstr{&result}, nstr{&failure}, tcol{&j.Created}, tcol{&j.Expires}, tcol{&j.Queued}, tcol{&j.Started},
		tcol{&j.Ended}, &j.Worker, &j.Lease, tcol{&j.LeaseUntil}, &j.Attempts)
	if err != nil {
		return nil, err
	}
	j.Kind, j.Owner.Role, j.State = job.Kind(kind), auth.Role(role), job.State(state)
	if preview != "" {
		j.Preview = []byte(preview)
	}
	if result != "" {
		j.Result = []byte(result)
	}
	if failure != "" {
		j.Failure = &job.Failure{}
		if err := json.Unmarshal([]byte(failure), j.Failure); err != nil {
			return nil, fmt.Errorf("reading the failure of job %s: %w", j.ID, err)
		}
	}
	return &j, nil
}

// bytesText scans a text column into bytes.
type bytesText []byte

func (b *bytesText) Scan(v any) error {
	var s string
	if err := (nstr{&s}).Scan(v); err != nil {
		return err
	}
	*b = []byte(s)
	return nil
}

// text passes JSON bytes as a text column, none as NULL.
func text(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// Job implements job.Reader.
func (t jobRows) Job(ctx context.Context, id string) (*job.Job, error) {
	j, err := scanJob(t.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.job.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading job %s: %w", id, err)
	}
	return j, nil
}

// JobInput implements job.Reader.
func (t jobRows) JobInput(ctx context.Context, id string) ([]byte, error) {
	var in []byte
	err := t.QueryRow(ctx, `SELECT input FROM jobs WHERE id = $1`, id).Scan(&in)
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.job.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the input of job %s: %w", id, err)
	}
	return in, nil
}

// Live implements job.Reader.
func (t jobRows) Live(ctx context.Context, person string, now time.Time) (mine, all int, err error) {
	// Two counts in one round trip: the person's, on the index by
	// person, and all, on the index by state.
	err = t.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM jobs WHERE person_id = $1
			AND (state IN ('queued', 'running') OR (state = 'previewed' AND expires_at > $2))),
		(SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') OR (state = 'previewed' AND expires_at > $2))`,
		person, t.at(now)).Scan(&mine, &all)
	if err != nil {
		return 0, 0, fmt.Errorf("counting jobs: %w", err)
	}
	return mine, all, nil
}

// InsertJob implements job.Writer.
func (t jobRows) InsertJob(ctx context.Context, j *job.Job) error {
	failure, err := failureText(j.Failure)
	if err != nil {
		return err
	}
	_, err = t.isolated(ctx, `INSERT INTO jobs (id, kind, person_id, org_id, role, state, done, total, params, input, preview, result, failure,
		created_at, expires_at, queued_at, started_at, ended_at, worker, lease, lease_until, attempts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
		j.ID, string(j.Kind), j.Owner.Person, j.Owner.Org, string(j.Owner.Role), string(j.State), j.Done, j.Total, string(j.Params),
		nullBytes(j.Input), text(j.Preview), text(j.Result), null(failure), t.at(j.Created), t.at(j.Expires), t.tm(j.Queued),
		t.tm(j.Started), t.tm(j.Ended), j.Worker, j.Lease, t.tm(j.LeaseUntil), j.Attempts)
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.job.taken", j.ID)
	}
	if err != nil {
		return fmt.Errorf("inserting job %s: %w", j.ID, err)
	}
	return nil
}

// failureText encodes a job's failure as JSON, none as "".
func failureText(f *job.Failure) (string, error) {
	if f == nil {
		return "", nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encoding a job's failure: %w", err)
	}
	return string(b), nil
}

// ReplaceJob implements job.Ender: one conditional UPDATE, so that of two
// writers that read the job in the same state only one writes it (the
// other, at READ COMMITTED, finds the row changed once the first commits).
func (t jobRows) ReplaceJob(ctx context.Context, j *job.Job, was job.Fence) error {
	failure, err := failureText(j.Failure)
	if err != nil {
		return err
	}
	n, err := t.Exec(ctx, `UPDATE jobs SET state = $1, done = $2, total = $3, preview = $4, result = $5, failure = $6,
		expires_at = $7, queued_at = $8, started_at = $9, ended_at = $10, worker = $11, lease = $12, lease_until = $13, attempts = $14
		WHERE id = $15 AND state = $16 AND lease = $17`,
		string(j.State), j.Done, j.Total, text(j.Preview), text(j.Result), null(failure), t.at(j.Expires), t.tm(j.Queued),
		t.tm(j.Started), t.tm(j.Ended), j.Worker, j.Lease, t.tm(j.LeaseUntil), j.Attempts, j.ID, string(was.State), was.Lease)
	if err != nil {
		return fmt.Errorf("updating job %s: %w", j.ID, err)
	}
	if n != 1 {
		return attesta.E(attesta.Conflict, "err.job.changed", j.ID)
	}
	if j.State.Ended() {
		if _, err := t.Exec(ctx, `UPDATE jobs SET input = NULL WHERE id = $1 AND input IS NOT NULL`, j.ID); err != nil {
			return fmt.Errorf("deleting the input of job %s: %w", j.ID, err)
		}
	}
	return nil
}

// Claimable implements job.Writer.
func (t jobRows) Claimable(ctx context.Context, kinds []job.Kind, now time.Time, limit int) ([]job.Job, error) {
	var a args
	ks := make([]string, len(kinds))
	for i, k := range kinds {
		ks[i] = string(k)
	}
	q := `SELECT ` + jobColumns + ` FROM jobs WHERE kind IN ` + a.in(ks) + `
		AND (state = 'queued' OR (state = 'running' AND lease_until < ` + a.add(t.at(now)) + `))
		ORDER BY queued_at, id LIMIT ` + a.add(limit)
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing claimable jobs: %w", err)
	}
	defer rows.Close()
	var out []job.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("listing claimable jobs: %w", err)
		}
		out = append(out, *j)
	}
	return out, rows.Err()
}

// Purge implements job.Writer.
func (t jobRows) Purge(ctx context.Context, expired, ended time.Time) (int, error) {
	n, err := t.Exec(ctx, `DELETE FROM jobs WHERE (state = 'previewed' AND expires_at < $1)
		OR (state IN ('done', 'failed', 'cancelled') AND ended_at < $2)`, t.at(expired), t.at(ended))
	if err != nil {
		return 0, fmt.Errorf("purging jobs: %w", err)
	}
	return int(n), nil
}
