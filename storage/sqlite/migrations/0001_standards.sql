-- Versions of the national competence standards. The content is the JSON of
-- a competence.Standard; the other columns are what lists show and what
-- constraints need.
CREATE TABLE standard_versions (
    sector          TEXT    NOT NULL,
    version         INTEGER NOT NULL CHECK (version > 0),
    status          TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
    title_it        TEXT    NOT NULL,
    title_en        TEXT    NOT NULL,
    description_it  TEXT    NOT NULL,
    description_en  TEXT    NOT NULL,
    levels          TEXT    NOT NULL, -- JSON array
    paths           INTEGER NOT NULL,
    competences     INTEGER NOT NULL,
    published_at    TEXT,             -- RFC 3339, UTC; NULL for a draft
    digest          TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    PRIMARY KEY (sector, version),
    CHECK ((status = 'draft') = (published_at IS NULL))
) STRICT;

-- At most one draft and one published version per sector.
CREATE UNIQUE INDEX standard_versions_one_draft ON standard_versions (sector) WHERE status = 'draft';
CREATE UNIQUE INDEX standard_versions_one_published ON standard_versions (sector) WHERE status = 'published';

-- Facts about the database itself, such as whether the first-start dataset
-- was loaded.
CREATE TABLE meta (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
