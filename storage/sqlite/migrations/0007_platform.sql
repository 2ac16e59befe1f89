-- The platform backbone: organisations, people and their roles, classes,
-- accounts and sessions, personal access tokens, one-time links, the
-- outbox, and the append-only audit trail. Times are UTC text in the
-- engine's layout; secrets are stored only as SHA-256 hashes.

CREATE TABLE organisations (
    id          TEXT NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('national', 'chamber', 'school', 'company', 'association')),
    name        TEXT NOT NULL,
    province    TEXT NOT NULL,
    provinces   TEXT NOT NULL, -- a Chamber's siglas, space-separated
    school_code TEXT UNIQUE,   -- codice meccanografico, schools only
    school_type TEXT NOT NULL,
    tax_code    TEXT UNIQUE,   -- codice fiscale / partita IVA
    rea         TEXT NOT NULL,
    ateco       TEXT NOT NULL,
    email       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX organisations_province ON organisations (province);
CREATE INDEX organisations_name ON organisations (name, id);

CREATE TABLE persons (
    id          TEXT NOT NULL PRIMARY KEY,
    given_name  TEXT NOT NULL,
    family_name TEXT NOT NULL,
    email       TEXT UNIQUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE memberships (
    person_id TEXT NOT NULL REFERENCES persons (id),
    org_id    TEXT NOT NULL REFERENCES organisations (id),
    role      TEXT NOT NULL,
    PRIMARY KEY (person_id, org_id, role)
) STRICT;
CREATE INDEX memberships_org ON memberships (org_id);

CREATE TABLE students (
    person_id  TEXT NOT NULL PRIMARY KEY REFERENCES persons (id),
    school_id  TEXT NOT NULL REFERENCES organisations (id),
    number     TEXT NOT NULL,
    contact    TEXT NOT NULL,
    consent_by TEXT NOT NULL,
    consent_at TEXT,
    UNIQUE (school_id, number)
) STRICT;

CREATE TABLE classes (
    id         TEXT NOT NULL PRIMARY KEY,
    school_id  TEXT NOT NULL REFERENCES organisations (id),
    year       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (school_id, year, name)
) STRICT;

CREATE TABLE class_students (
    class_id  TEXT NOT NULL REFERENCES classes (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (class_id, person_id)
) STRICT;
CREATE INDEX class_students_person ON class_students (person_id);

CREATE TABLE class_teachers (
    class_id  TEXT NOT NULL REFERENCES classes (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (class_id, person_id)
) STRICT;

CREATE TABLE accounts (
    person_id           TEXT NOT NULL PRIMARY KEY REFERENCES persons (id),
    password_hash       TEXT NOT NULL,
    password_changed_at TEXT,
    failed_logins       INTEGER NOT NULL,
    locked_until        TEXT
) STRICT;

CREATE TABLE sessions (
    id_hash    BLOB NOT NULL PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons (id),
    org_id     TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    method     TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE access_tokens (
    id           TEXT NOT NULL PRIMARY KEY,
    hash         BLOB NOT NULL UNIQUE,
    person_id    TEXT NOT NULL REFERENCES persons (id),
    org_id       TEXT NOT NULL,
    role         TEXT NOT NULL,
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;
CREATE INDEX access_tokens_person ON access_tokens (person_id);

CREATE TABLE one_time_links (
    hash       BLOB NOT NULL PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons (id),
    purpose    TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;

CREATE TABLE oidc_identities (
    issuer    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (issuer, subject)
) STRICT;

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    attempts   INTEGER NOT NULL,
    last_error TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    actor_org   TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    org         TEXT NOT NULL,
    province    TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
) STRICT;
CREATE INDEX audit_events_org ON audit_events (org, seq);
CREATE INDEX audit_events_province ON audit_events (province, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
