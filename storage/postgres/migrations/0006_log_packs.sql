-- The transparency log in about 80 bytes per entry (docs/design/notary.md).
-- Integrated entries are packed 16 to a row (a "pack", which fits in a page);
-- only the tree hashes at heights 4 and more are stored, about one per 8
-- entries: the lower ones are recomputed from a pack when a proof or tile
-- needs them. log_entries keeps the entries appended but not yet integrated.

CREATE TABLE log_packs (
    pack_no  BIGINT PRIMARY KEY CHECK (pack_no >= 0),
    entries    BYTEA  NOT NULL CHECK (octet_length(entries) BETWEEN 73 AND 1168 AND octet_length(entries) % 73 = 0)
);

-- Tree hashes at heights ≥ 4, 32 to a row: the hashes at heights ≥ 4 of a
-- tree of n entries are those of the tree of n/16 packs, so node (L, k) has
-- the dense index StoredHashIndex(L-4, k) of golang.org/x/mod/sumdb/tlog, and
-- row r holds dense indexes 32r to 32r+31 (storage/internal/guard.TreeIndex).
-- Only the last row is partial; the next Integrate extends it.
CREATE TABLE log_tree (
    row_no  BIGINT PRIMARY KEY CHECK (row_no >= 0),
    hashes  BYTEA  NOT NULL CHECK (octet_length(hashes) BETWEEN 32 AND 1024 AND octet_length(hashes) % 32 = 0)
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

-- Every Integrate deletes the entries it packs: have autovacuum clean
-- log_entries after every 10,000 dead rows, however large the log, since a
-- range read of pending entries otherwise visits them (a proof at 10M entries
-- took 2.7 ms before a vacuum, 0.64 ms after).
ALTER TABLE log_entries SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
                             autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 10000);

-- A pending entry leaves log_entries only once packed, byte for byte, in its
-- pack; it never changes.
DROP TRIGGER log_entries_append_only ON log_entries;

CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION log_append_only();

CREATE FUNCTION log_entries_delete_packed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM log_packs
                   WHERE pack_no = OLD.leaf_index / 16
                     AND substring(entries FROM (OLD.leaf_index % 16)::int * 73 + 1 FOR 73) = OLD.entry) THEN
        RAISE EXCEPTION 'a log entry leaves log_entries only once packed in its pack';
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER log_entries_delete_packed BEFORE DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION log_entries_delete_packed();

-- A pack only grows at its end; it is never deleted.
CREATE FUNCTION log_packs_extend_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.pack_no <> OLD.pack_no OR substring(NEW.entries FROM 1 FOR octet_length(OLD.entries)) <> OLD.entries THEN
        RAISE EXCEPTION 'log_packs is append-only';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_packs_extend_only BEFORE UPDATE ON log_packs
    FOR EACH ROW EXECUTE FUNCTION log_packs_extend_only();

CREATE TRIGGER log_packs_no_delete BEFORE DELETE ON log_packs
    FOR EACH ROW EXECUTE FUNCTION log_append_only();

CREATE FUNCTION log_tree_extend_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.row_no <> OLD.row_no OR substring(NEW.hashes FROM 1 FOR octet_length(OLD.hashes)) <> OLD.hashes THEN
        RAISE EXCEPTION 'log_tree is append-only';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_tree_extend_only BEFORE UPDATE ON log_tree
    FOR EACH ROW EXECUTE FUNCTION log_tree_extend_only();

CREATE TRIGGER log_tree_no_delete BEFORE DELETE ON log_tree
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
