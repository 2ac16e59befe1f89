-- The witness role (package witness): attesta cosigns the checkpoints of
-- other Chambers' logs, after checking that each extends the last one it
-- cosigned.

-- The witness's cosigning key, sealed with the key-encryption key.
CREATE TABLE witness_key (
    id          INTEGER     PRIMARY KEY CHECK (id = 1),
    sealed      BYTEA       NOT NULL CHECK (octet_length(sealed) > 0),
    created_at  TIMESTAMPTZ NOT NULL
);

-- The latest checkpoint cosigned for each log followed, with the
-- cosignature: what the next checkpoint of that log must be consistent with.
CREATE TABLE witness_logs (
    origin      TEXT        PRIMARY KEY CHECK (length(origin) BETWEEN 1 AND 255),
    size        BIGINT      NOT NULL CHECK (size >= 0),
    root        BYTEA       NOT NULL CHECK (octet_length(root) = 32),
    note        BYTEA       NOT NULL CHECK (octet_length(note) > 0),
    updated_at  TIMESTAMPTZ NOT NULL
);

-- A witness never goes back: a log's size only grows.
CREATE FUNCTION witness_logs_grow_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.origin <> OLD.origin OR NEW.size < OLD.size OR (NEW.size = OLD.size AND NEW.root <> OLD.root) THEN
        RAISE EXCEPTION 'a witnessed log only grows';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER witness_logs_grow_only BEFORE UPDATE ON witness_logs
    FOR EACH ROW EXECUTE FUNCTION witness_logs_grow_only();

CREATE TRIGGER witness_logs_no_delete BEFORE DELETE ON witness_logs
    FOR EACH ROW EXECUTE FUNCTION log_append_only();
