-- The witness role (package witness): attesta cosigns the checkpoints of
-- other Chambers' logs, after checking that each extends the last one it
-- cosigned.

-- The witness's cosigning key, sealed with the key-encryption key.
CREATE TABLE witness_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sealed      BLOB    NOT NULL CHECK (length(sealed) > 0),
    created_at  TEXT    NOT NULL
) STRICT;

-- The latest checkpoint cosigned for each log followed, with the
-- cosignature: what the next checkpoint of that log must be consistent with.
CREATE TABLE witness_logs (
    origin      TEXT    PRIMARY KEY CHECK (length(origin) BETWEEN 1 AND 255),
    size        INTEGER NOT NULL CHECK (size >= 0),
    root        BLOB    NOT NULL CHECK (length(root) = 32),
    note        BLOB    NOT NULL CHECK (length(note) > 0),
    updated_at  TEXT    NOT NULL
) STRICT;

-- A witness never goes back: a log's size only grows.
CREATE TRIGGER witness_logs_grow_only BEFORE UPDATE ON witness_logs
WHEN NEW.origin IS NOT OLD.origin OR NEW.size < OLD.size OR (NEW.size = OLD.size AND NEW.root IS NOT OLD.root)
BEGIN
    SELECT RAISE(ABORT, 'a witnessed log only grows');
END;

CREATE TRIGGER witness_logs_no_delete BEFORE DELETE ON witness_logs
BEGIN
    SELECT RAISE(ABORT, 'witness_logs rows are not deleted');
END;
