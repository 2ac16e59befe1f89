-- The online test: tests (blueprints, as JSON text, never changed),
-- students' accommodations, sittings with their candidates and their
-- append-only history, attempts (the form drawn, the clock, the result)
-- and their answers, one row per item answered, written as each answer is
-- given. Durations are milliseconds; times TIMESTAMPTZ.

CREATE TABLE blueprints (
    id         TEXT        NOT NULL PRIMARY KEY,
    owner      TEXT        NOT NULL,
    sector     TEXT        NOT NULL,
    standard   INTEGER     NOT NULL,
    content    TEXT        NOT NULL,
    created_by TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (sector, standard) REFERENCES standard_versions (sector, version)
);

CREATE FUNCTION blueprint_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a test never changes; a change is a new test';
END;
$$;
CREATE TRIGGER blueprints_frozen BEFORE UPDATE ON blueprints
    FOR EACH ROW EXECUTE FUNCTION blueprint_frozen();

CREATE TABLE accommodations (
    student_id TEXT        NOT NULL PRIMARY KEY REFERENCES persons (id),
    content    TEXT        NOT NULL,
    set_by     TEXT        NOT NULL,
    set_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE sittings (
    id             TEXT        NOT NULL PRIMARY KEY,
    blueprint_id   TEXT        NOT NULL REFERENCES blueprints (id),
    title          TEXT        NOT NULL,
    owner          TEXT        NOT NULL REFERENCES organisations (id),
    owner_province TEXT        NOT NULL,
    opens          TIMESTAMPTZ NOT NULL,
    closes         TIMESTAMPTZ NOT NULL,
    code           TEXT        NOT NULL,
    proctors       TEXT        NOT NULL,
    created_by     TEXT        NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    ended_at       TIMESTAMPTZ,
    released_at    TIMESTAMPTZ
);
CREATE INDEX sittings_owner ON sittings (owner, opens);

CREATE TABLE sitting_candidates (
    sitting_id    TEXT NOT NULL REFERENCES sittings (id),
    person_id     TEXT NOT NULL REFERENCES persons (id),
    name          TEXT NOT NULL,
    school_id     TEXT NOT NULL REFERENCES organisations (id),
    province      TEXT NOT NULL,
    authorized_by TEXT NOT NULL DEFAULT '',
    authorized_at TIMESTAMPTZ,
    PRIMARY KEY (sitting_id, person_id)
);
CREATE INDEX sitting_candidates_person ON sitting_candidates (person_id);

CREATE TABLE sitting_events (
    seq        BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sitting_id TEXT        NOT NULL REFERENCES sittings (id),
    kind       TEXT        NOT NULL,
    attempt_id TEXT        NOT NULL DEFAULT '',
    candidate  TEXT        NOT NULL DEFAULT '',
    category   TEXT        NOT NULL DEFAULT '',
    note       TEXT        NOT NULL DEFAULT '',
    by_person  TEXT        NOT NULL DEFAULT '',
    by_name    TEXT        NOT NULL DEFAULT '',
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX sitting_events_sitting ON sitting_events (sitting_id, seq);
CREATE TRIGGER sitting_events_append_only BEFORE UPDATE OR DELETE ON sitting_events
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TABLE attempts (
    id            TEXT        NOT NULL PRIMARY KEY,
    sitting_id    TEXT        NOT NULL REFERENCES sittings (id),
    blueprint_id  TEXT        NOT NULL REFERENCES blueprints (id),
    candidate     TEXT        NOT NULL REFERENCES persons (id),
    number        INTEGER     NOT NULL CHECK (number >= 1),
    form          TEXT        NOT NULL,
    state         TEXT        NOT NULL CHECK (state IN ('active', 'paused', 'submitted')),
    started       TIMESTAMPTZ NOT NULL,
    time_limit    BIGINT      NOT NULL,
    accommodation TEXT        NOT NULL,
    paused_for    BIGINT      NOT NULL DEFAULT 0,
    paused_at     TIMESTAMPTZ,
    deadline      TIMESTAMPTZ,
    ended         TIMESTAMPTZ,
    expired       INTEGER     NOT NULL DEFAULT 0 CHECK (expired IN (0, 1)),
    events        TEXT        NOT NULL DEFAULT '[]',
    result        TEXT,
    UNIQUE (blueprint_id, candidate, number)
);
CREATE INDEX attempts_sitting ON attempts (sitting_id);
CREATE INDEX attempts_due ON attempts (deadline) WHERE state = 'active';
-- One attempt not yet submitted per candidate, whatever the test.
CREATE UNIQUE INDEX attempts_one_open ON attempts (candidate) WHERE state <> 'submitted';

CREATE FUNCTION attempt_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'submitted' THEN
        RAISE EXCEPTION 'a submitted attempt no longer changes';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER attempts_final BEFORE UPDATE ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempt_final();

CREATE TABLE attempt_answers (
    attempt_id TEXT        NOT NULL REFERENCES attempts (id),
    item_id    TEXT        NOT NULL,
    response   TEXT        NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    first_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (attempt_id, item_id)
);
