-- The transparency log (package notary). Entries are appended in the
-- transaction that stores the credential or status change they record; the
-- sequencer later hashes them into the Merkle tree and signs a checkpoint.

-- How many entries were appended: the leaf index of the next one. Taking an
-- index and storing its entry happen in one transaction, so the indexes
-- are 0, 1, 2, … without gaps.
CREATE TABLE log_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    entries  INTEGER NOT NULL CHECK (entries >= 0)
) STRICT;

INSERT INTO log_state (id, entries) VALUES (1, 0);

-- The entries (notary.Entry, 73 bytes), by leaf index. leaf_index is the
-- rowid: no separate key is stored.
CREATE TABLE log_entries (
    leaf_index  INTEGER PRIMARY KEY CHECK (leaf_index >= 0),
    entry       BLOB    NOT NULL CHECK (length(entry) = 73)
) STRICT;

-- The Merkle tree's stored hashes (32 bytes each), in stored-index order
-- (merkle.StoredHashIndex), 62 to a row: row r holds the hashes r·62 to
-- r·62+61, concatenated (package storage/internal/hashrows). Only the last
-- row may be partial; the next Integrate extends it.
CREATE TABLE log_hashes (
    row_no  INTEGER PRIMARY KEY CHECK (row_no >= 0),
    hashes  BLOB    NOT NULL CHECK (length(hashes) BETWEEN 32 AND 1984 AND length(hashes) % 32 = 0)
) STRICT;

-- Signed checkpoints: the signed note (with any witness cosignatures) and an
-- RFC 3161 timestamp token over the SHA-256 of its text.
CREATE TABLE log_checkpoints (
    size        INTEGER PRIMARY KEY CHECK (size >= 0),
    root        BLOB    NOT NULL CHECK (length(root) = 32),
    note        BLOB    NOT NULL CHECK (length(note) > 0),
    timestamp   BLOB,   -- NULL until timestamped
    created_at  TEXT    NOT NULL
) STRICT;

-- The log's signing key, sealed with the key-encryption key.
CREATE TABLE log_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sealed      BLOB    NOT NULL CHECK (length(sealed) > 0),
    created_at  TEXT    NOT NULL
) STRICT;

CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN
    SELECT RAISE(ABORT, 'log_entries is append-only');
END;

CREATE TRIGGER log_entries_no_delete BEFORE DELETE ON log_entries
BEGIN
    SELECT RAISE(ABORT, 'log_entries is append-only');
END;

CREATE TRIGGER log_hashes_append_only BEFORE UPDATE ON log_hashes
WHEN NEW.row_no IS NOT OLD.row_no OR substr(NEW.hashes, 1, length(OLD.hashes)) IS NOT OLD.hashes
BEGIN
    SELECT RAISE(ABORT, 'log_hashes is append-only');
END;

CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
BEGIN
    SELECT RAISE(ABORT, 'log_hashes is append-only');
END;

-- A checkpoint's note and timestamp may change (cosignatures are added), not
-- what it commits to.
CREATE TRIGGER log_checkpoints_fixed BEFORE UPDATE ON log_checkpoints
WHEN NEW.size IS NOT OLD.size OR NEW.root IS NOT OLD.root OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'a checkpoint''s size, root and time do not change');
END;

CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'log_checkpoints is append-only');
END;
