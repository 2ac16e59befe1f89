-- The transparency log in about 80 bytes per entry (docs/design/notary.md).
-- Integrated entries are packed 16 to a row (a "pack", which fits in a page);
-- only the tree hashes at heights 4 and more are stored, about one per 8
-- entries: the lower ones are recomputed from a pack when a proof or tile
-- needs them. log_entries keeps the entries appended but not yet integrated.

CREATE TABLE log_packs (
    pack_no  INTEGER PRIMARY KEY CHECK (pack_no >= 0),
    entries    BLOB    NOT NULL CHECK (length(entries) BETWEEN 73 AND 1168 AND length(entries) % 73 = 0)
) STRICT;

-- Tree hashes at heights ≥ 4, 32 to a row: the hashes at heights ≥ 4 of a
-- tree of n entries are those of the tree of n/16 packs, so node (L, k) has
-- the dense index StoredHashIndex(L-4, k) of golang.org/x/mod/sumdb/tlog, and
-- row r holds dense indexes 32r to 32r+31 (storage/internal/guard.TreeIndex).
-- Only the last row is partial; the next Integrate extends it.
CREATE TABLE log_tree (
    row_no  INTEGER PRIMARY KEY CHECK (row_no >= 0),
    hashes  BLOB    NOT NULL CHECK (length(hashes) BETWEEN 32 AND 1024 AND length(hashes) % 32 = 0)
) STRICT;

-- How many entries are integrated. 0 after this migration: the sequencer
-- rebuilds the tree of the existing checkpoints from the entries and checks
-- it against their roots before it signs anything new.
CREATE TABLE log_integrated (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  INTEGER NOT NULL CHECK (size >= 0)
) STRICT;

INSERT INTO log_integrated (id, size) VALUES (1, 0);

DROP TABLE log_hashes;

-- A pending entry leaves log_entries only once packed, byte for byte, in its
-- pack.
DROP TRIGGER log_entries_no_delete;

CREATE TRIGGER log_entries_delete_packed BEFORE DELETE ON log_entries
WHEN NOT EXISTS (SELECT 1 FROM log_packs
                 WHERE pack_no = OLD.leaf_index / 16
                   AND substr(entries, (OLD.leaf_index % 16) * 73 + 1, 73) = OLD.entry)
BEGIN
    SELECT RAISE(ABORT, 'a log entry leaves log_entries only once packed in its pack');
END;

-- A pack only grows at its end; it is never deleted.
CREATE TRIGGER log_packs_append_only BEFORE UPDATE ON log_packs
WHEN NEW.pack_no IS NOT OLD.pack_no OR substr(NEW.entries, 1, length(OLD.entries)) IS NOT OLD.entries
BEGIN
    SELECT RAISE(ABORT, 'log_packs is append-only');
END;

CREATE TRIGGER log_packs_no_delete BEFORE DELETE ON log_packs
BEGIN
    SELECT RAISE(ABORT, 'log_packs is append-only');
END;

CREATE TRIGGER log_tree_append_only BEFORE UPDATE ON log_tree
WHEN NEW.row_no IS NOT OLD.row_no OR substr(NEW.hashes, 1, length(OLD.hashes)) IS NOT OLD.hashes
BEGIN
    SELECT RAISE(ABORT, 'log_tree is append-only');
END;

CREATE TRIGGER log_tree_no_delete BEFORE DELETE ON log_tree
BEGIN
    SELECT RAISE(ABORT, 'log_tree is append-only');
END;

CREATE TRIGGER log_integrated_grows BEFORE UPDATE ON log_integrated
WHEN NEW.size < OLD.size
BEGIN
    SELECT RAISE(ABORT, 'the integrated size of the log only grows');
END;
