-- What learners do with their badges and their data. Their public links to their badges (package share): one per badge
-- (a competence badge or an area credential), its token new each time it
-- is turned on, the fields the public page shows as JSON, the link's own
-- expiry, and what turning it on rests on (the learner of age, or a
-- guardian's consent by name).

CREATE TABLE badge_shares (
    credential_id TEXT    NOT NULL PRIMARY KEY REFERENCES credentials (id),
    person_id     TEXT    NOT NULL REFERENCES persons (id),
    token         TEXT    UNIQUE,
    shared        INTEGER NOT NULL CHECK (shared IN (0, 1)),
    fields        TEXT    NOT NULL,
    expires_at    TEXT,
    adult         INTEGER NOT NULL CHECK (adult IN (0, 1)),
    guardian      TEXT    NOT NULL,
    consent_at    TEXT,
    created_at    TEXT    NOT NULL,
    changed_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX badge_shares_person ON badge_shares (person_id);

-- Their requests of erasure (package rights), which the Chamber of their
-- territory completes; kept, pseudonymised, as the record that it was done.
CREATE TABLE data_requests (
    id           TEXT NOT NULL PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES persons (id),
    name         TEXT NOT NULL,
    school_id    TEXT NOT NULL REFERENCES organisations (id),
    province     TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('requested', 'completed')),
    reason       TEXT NOT NULL,
    requested_at TEXT    NOT NULL,
    completed_at TEXT   ,
    completed_by TEXT NOT NULL,
    note         TEXT NOT NULL
) STRICT;
CREATE INDEX data_requests_province ON data_requests (province, state, requested_at);
CREATE UNIQUE INDEX data_requests_pending ON data_requests (person_id) WHERE state = 'requested';
