-- Territorial tables ("tavoli territoriali"): a Chamber's table for a
-- sector and a school year, its member organisations (the Chamber is a
-- member implicitly and has no row), its meetings with agenda and minutes,
-- and the minutes' attachments with their content. Meetings and
-- attachments are numbered (seq) in the order they were recorded. Times
-- are UTC text in the engine's layout; days are text as 2006-01-02.

CREATE TABLE territorial_tables (
    id         TEXT NOT NULL PRIMARY KEY,
    chamber_id TEXT NOT NULL REFERENCES organisations (id),
    sector     TEXT NOT NULL,
    year       TEXT NOT NULL,
    title      TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (chamber_id, sector, year)
) STRICT;

CREATE TABLE territorial_table_members (
    table_id TEXT NOT NULL REFERENCES territorial_tables (id),
    org_id   TEXT NOT NULL REFERENCES organisations (id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (table_id, org_id)
) STRICT;
CREATE INDEX territorial_table_members_org ON territorial_table_members (org_id);

CREATE TABLE table_meetings (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    table_id   TEXT NOT NULL REFERENCES territorial_tables (id),
    day        TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    agenda     TEXT NOT NULL,
    minutes    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX table_meetings_table ON table_meetings (table_id, day, seq);

CREATE TABLE table_meeting_attachments (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    meeting_id   TEXT NOT NULL REFERENCES table_meetings (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size BETWEEN 1 AND 5242880),
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX table_meeting_attachments_meeting ON table_meeting_attachments (meeting_id, seq);
