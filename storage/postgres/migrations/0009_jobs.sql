-- Jobs: long work kept in the database (package job), so that a job
-- started by one attesta process is shown, confirmed and run by any, and
-- one whose process died is taken up by another. A job's input (an
-- uploaded file: personal data) is deleted when the job ends; its preview
-- once it is confirmed. params, preview, result and failure are JSON.
-- Times are TIMESTAMPTZ.

CREATE TABLE jobs (
    id          TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    role        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('previewed', 'queued', 'running', 'done', 'failed', 'cancelled')),
    done        INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    params      TEXT NOT NULL,
    input       BYTEA,
    preview     TEXT,
    result      TEXT,
    failure     TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    queued_at   TIMESTAMPTZ,
    started_at  TIMESTAMPTZ,
    ended_at    TIMESTAMPTZ,
    worker      TEXT NOT NULL,
    lease       TEXT NOT NULL,
    lease_until TIMESTAMPTZ,
    attempts    INTEGER NOT NULL
);
CREATE INDEX jobs_person ON jobs (person_id, state);
CREATE INDEX jobs_state ON jobs (state, queued_at, id);
