-- The online test's item bank: every version of every item, its content as
-- JSON text (package item's Item), with the columns a listing filters on.
-- A version's content changes only while it is a draft: once sent for
-- review, approved or retired, it is what a sitting may have drawn, and a
-- change is the next version. Nothing is deleted. owner is '' for the
-- national bank, else the Chamber whose bank it is.

CREATE TABLE item_versions (
    id            TEXT        NOT NULL,
    version       INTEGER     NOT NULL CHECK (version >= 1),
    owner         TEXT        NOT NULL,
    status        TEXT        NOT NULL CHECK (status IN ('draft', 'in_review', 'approved', 'retired')),
    sector        TEXT        NOT NULL,
    standard      INTEGER     NOT NULL,
    competence    TEXT        NOT NULL,
    dimension     TEXT        NOT NULL,
    difficulty    TEXT        NOT NULL,
    lang          TEXT        NOT NULL,
    kind          TEXT        NOT NULL,
    content       TEXT        NOT NULL,
    author        TEXT        NOT NULL,
    author_name   TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    reviewer      TEXT        NOT NULL DEFAULT '',
    reviewer_name TEXT        NOT NULL DEFAULT '',
    reviewed_at   TIMESTAMPTZ,
    comment       TEXT        NOT NULL DEFAULT '',
    PRIMARY KEY (id, version),
    FOREIGN KEY (sector, standard) REFERENCES standard_versions (sector, version)
);
CREATE INDEX item_versions_bank ON item_versions (owner, sector, competence);

CREATE FUNCTION item_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'draft' AND (NEW.content IS DISTINCT FROM OLD.content OR NEW.id IS DISTINCT FROM OLD.id
        OR NEW.version IS DISTINCT FROM OLD.version OR NEW.owner IS DISTINCT FROM OLD.owner) THEN
        RAISE EXCEPTION 'an item version sent for review keeps its content; a change is the next version';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER item_versions_frozen BEFORE UPDATE ON item_versions
    FOR EACH ROW EXECUTE FUNCTION item_version_frozen();

CREATE TRIGGER item_versions_no_delete BEFORE DELETE ON item_versions
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
