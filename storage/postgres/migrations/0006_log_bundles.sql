-- The transparency log in about 74 bytes per entry (docs/design/notary.md).
-- Integrated entries are packed 256 to a row (the C2SP entry bundle); only
-- the tree hashes at heights 8 and more are stored, one per 128 entries:
-- the lower ones are recomputed from a bundle when a proof or tile needs
-- them. log_entries keeps the entries appended but not yet integrated.

-- Bundles are incompressible digests: stored out of line without a
-- compression attempt.
CREATE TABLE log_bundles (
    bundle_no  BIGINT PRIMARY KEY CHECK (bundle_no >= 0),
    entries    BYTEA  NOT NULL CHECK (octet_length(entries) BETWEEN 73 AND 18688 AND octet_length(entries) % 73 = 0)
);
ALTER TABLE log_bundles ALTER COLUMN entries SET STORAGE EXTERNAL;

-- Tree hashes at heights ≥ 8, by their stored index
-- (golang.org/x/mod/sumdb/tlog.StoredHashIndex).
CREATE TABLE log_tree (
    stored_index  BIGINT PRIMARY KEY CHECK (stored_index >= 0),
    hash          BYTEA  NOT NULL CHECK (octet_length(hash) = 32)
);

-- How many entries are integrated. 0 after this migration: the sequencer
-- rebuilds the tree of the existing checkpoints from the entries and checks
-- it against their roots before it signs anything new.
CREATE TABLE log_integrated (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  BIGINT  NOT NULL CHECK (size >= 0)
);

INSERT INTO log_integrated (id, size) VALUES (1, 0);

DROP TABLE log_hashes;

-- A pending entry leaves log_entries only once packed, byte for byte, in its
-- bundle; it never changes.
DROP TRIGGER log_entries_append_only ON log_entries;

CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION log_append_only();

CREATE FUNCTION log_entries_delete_packed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM log_bundles
                   WHERE bundle_no = OLD.leaf_index / 256
                     AND substring(entries FROM (OLD.leaf_index % 256)::int * 73 + 1 FOR 73) = OLD.entry) THEN
        RAISE EXCEPTION 'a log entry leaves log_entries only once packed in its bundle';
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER log_entries_delete_packed BEFORE DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION log_entries_delete_packed();

-- A bundle only grows at its end; it is never deleted.
CREATE FUNCTION log_bundles_extend_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.bundle_no <> OLD.bundle_no OR substring(NEW.entries FROM 1 FOR octet_length(OLD.entries)) <> OLD.entries THEN
        RAISE EXCEPTION 'log_bundles is append-only';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_bundles_extend_only BEFORE UPDATE ON log_bundles
    FOR EACH ROW EXECUTE FUNCTION log_bundles_extend_only();

CREATE TRIGGER log_bundles_no_delete BEFORE DELETE ON log_bundles
    FOR EACH ROW EXECUTE FUNCTION log_append_only();

CREATE TRIGGER log_tree_append_only BEFORE UPDATE OR DELETE ON log_tree
    FOR EACH ROW EXECUTE FUNCTION log_append_only();

CREATE FUNCTION log_integrated_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.size < OLD.size THEN
        RAISE EXCEPTION 'the integrated size of the log only grows';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_integrated_grows BEFORE UPDATE ON log_integrated
    FOR EACH ROW EXECUTE FUNCTION log_integrated_grows();
