-- Training experiences ("percorsi FSL/PCTO"): a school and a host company
-- design one for some students of a class against a pinned version of the
-- national standard. The latest design is kept on the experience (as JSON,
-- with its students in experience_students for the listings); every
-- revision of the design is kept in experience_revisions with the two
-- sign-offs; hours are append-only records, a correction superseding the
-- record it corrects. Times are UTC text in the engine's layout; days are
-- text as 2006-01-02.

CREATE TABLE experiences (
    id            TEXT    NOT NULL PRIMARY KEY,
    school_id     TEXT    NOT NULL REFERENCES organisations (id),
    company_id    TEXT    NOT NULL REFERENCES organisations (id),
    class_id      TEXT    NOT NULL REFERENCES classes (id),
    year          TEXT    NOT NULL,
    sector        TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('draft', 'co_designed', 'in_progress', 'closed', 'cancelled')),
    revision      INTEGER NOT NULL CHECK (revision >= 1),
    agreed        INTEGER NOT NULL CHECK (agreed >= 0 AND agreed <= revision),
    title         TEXT    NOT NULL,
    school_tutor  TEXT    NOT NULL REFERENCES persons (id),
    company_tutor TEXT    NOT NULL REFERENCES persons (id),
    planned_hours INTEGER NOT NULL,
    design        TEXT    NOT NULL,
    cancel_reason TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    FOREIGN KEY (sector, version) REFERENCES standard_versions (sector, version)
) STRICT;
CREATE INDEX experiences_school ON experiences (school_id, created_at);
CREATE INDEX experiences_company ON experiences (company_id, created_at);

CREATE TABLE experience_students (
    experience_id TEXT NOT NULL REFERENCES experiences (id),
    person_id     TEXT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (experience_id, person_id)
) STRICT;
CREATE INDEX experience_students_person ON experience_students (person_id);

CREATE TABLE experience_revisions (
    experience_id     TEXT    NOT NULL REFERENCES experiences (id),
    number            INTEGER NOT NULL CHECK (number >= 1),
    design            TEXT    NOT NULL,
    digest            TEXT    NOT NULL,
    author            TEXT    NOT NULL,
    author_name       TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    school_sign_off   TEXT,
    company_sign_off  TEXT,
    PRIMARY KEY (experience_id, number)
) STRICT;

-- A revision once signed off by a side keeps its design, and a sign-off,
-- once given, stays: a change is a new revision.
CREATE TRIGGER experience_revisions_frozen BEFORE UPDATE ON experience_revisions
WHEN ((OLD.school_sign_off IS NOT NULL OR OLD.company_sign_off IS NOT NULL)
      AND (NEW.design IS NOT OLD.design OR NEW.digest IS NOT OLD.digest))
  OR (OLD.school_sign_off IS NOT NULL AND NEW.school_sign_off IS NOT OLD.school_sign_off)
  OR (OLD.company_sign_off IS NOT NULL AND NEW.company_sign_off IS NOT OLD.company_sign_off)
BEGIN
    SELECT RAISE(ABORT, 'a revision signed off keeps its design and its sign-offs');
END;

CREATE TABLE experience_hours (
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    experience_id TEXT    NOT NULL REFERENCES experiences (id),
    student_id    TEXT    NOT NULL REFERENCES persons (id),
    day           TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    weekly        INTEGER NOT NULL CHECK (weekly IN (0, 1)),
    minutes       INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 10080),
    activity      TEXT    NOT NULL,
    supersedes    TEXT    UNIQUE REFERENCES experience_hours (id),
    author        TEXT    NOT NULL,
    author_name   TEXT    NOT NULL,
    author_role   TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX experience_hours_experience ON experience_hours (experience_id, student_id, day, seq);

CREATE TRIGGER experience_hours_no_update BEFORE UPDATE ON experience_hours
BEGIN
    SELECT RAISE(ABORT, 'experience_hours is append-only');
END;

CREATE TRIGGER experience_hours_no_delete BEFORE DELETE ON experience_hours
BEGIN
    SELECT RAISE(ABORT, 'experience_hours is append-only');
END;

-- Observation sheets: each version of a student's sheet in an experience,
-- its rows as JSON. A version once submitted keeps its rows and its
-- submission; a correction is the next version.
CREATE TABLE observation_sheets (
    id             TEXT    NOT NULL,
    experience_id  TEXT    NOT NULL REFERENCES experiences (id),
    student_id     TEXT    NOT NULL REFERENCES persons (id),
    version        INTEGER NOT NULL CHECK (version >= 1),
    state          TEXT    NOT NULL CHECK (state IN ('draft', 'submitted', 'countersigned')),
    revision       INTEGER NOT NULL,
    rows_json      TEXT    NOT NULL,
    saved_by       TEXT    NOT NULL,
    saved_name     TEXT    NOT NULL,
    saved_at       TEXT,
    submitted      TEXT,
    countersigned  TEXT,
    reopened       TEXT,
    reason         TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (id, version),
    UNIQUE (experience_id, student_id, version)
) STRICT;

CREATE TRIGGER observation_sheets_locked BEFORE UPDATE ON observation_sheets
WHEN OLD.submitted IS NOT NULL
 AND (NEW.rows_json IS NOT OLD.rows_json OR NEW.submitted IS NOT OLD.submitted
      OR (OLD.countersigned IS NOT NULL AND NEW.countersigned IS NOT OLD.countersigned))
BEGIN
    SELECT RAISE(ABORT, 'a submitted sheet keeps its rows and signatures');
END;

CREATE TRIGGER observation_sheets_no_delete BEFORE DELETE ON observation_sheets
BEGIN
    SELECT RAISE(ABORT, 'observation_sheets keeps every version');
END;

-- Evidence dossiers: a candidate's dossier for an experience, once
-- something was stored for it (notes, a return, a file, the lock): its
-- files as JSON (each with its digest, the content being in the blob store,
-- and the sheet's rows it supports). The lock holds
-- the notarized document and the index of its log entry; a locked dossier
-- no longer changes.
CREATE TABLE dossiers (
    id            TEXT    NOT NULL PRIMARY KEY,
    experience_id TEXT    NOT NULL REFERENCES experiences (id),
    student_id    TEXT    NOT NULL REFERENCES persons (id),
    state         TEXT    NOT NULL CHECK (state IN ('open', 'returned', 'locked')),
    notes         TEXT    NOT NULL,
    returns_json  TEXT    NOT NULL,
    artefacts_json TEXT   NOT NULL DEFAULT '[]',
    lock_json     TEXT,
    UNIQUE (experience_id, student_id)
) STRICT;

CREATE TRIGGER dossiers_locked BEFORE UPDATE ON dossiers
WHEN OLD.lock_json IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a locked dossier no longer changes');
END;
