-- The transparency log (package notary). Entries are appended in the
-- transaction that stores the credential or status change they record; the
-- sequencer later hashes them into the Merkle tree and signs a checkpoint.

-- How many entries were appended: the leaf index of the next one. Taking an
-- index (UPDATE … RETURNING, which locks this row until commit) and storing
-- its entry happen in one transaction, so concurrent appends queue and the
-- indexes are 0, 1, 2, … without gaps.
CREATE TABLE log_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    entries  BIGINT  NOT NULL CHECK (entries >= 0)
);

INSERT INTO log_state (id, entries) VALUES (1, 0);

-- The entries (notary.Entry, 73 bytes), by leaf index.
CREATE TABLE log_entries (
    leaf_index  BIGINT PRIMARY KEY CHECK (leaf_index >= 0),
    entry       BYTEA  NOT NULL CHECK (octet_length(entry) = 73)
);

-- The Merkle tree's stored hashes (32 bytes each), in stored-index order
-- (merkle.StoredHashIndex), 62 to a row: row r holds the hashes r·62 to
-- r·62+61, concatenated (package storage/internal/hashrows). Only the last
-- row may be partial; the next Integrate extends it. A full row stays under
-- the 2 KB TOAST threshold: no compression attempt, no out-of-line storage.
CREATE TABLE log_hashes (
    row_no  BIGINT PRIMARY KEY CHECK (row_no >= 0),
    hashes  BYTEA  NOT NULL CHECK (octet_length(hashes) BETWEEN 32 AND 1984 AND octet_length(hashes) % 32 = 0)
);

-- Signed checkpoints: the signed note (with any witness cosignatures) and an
-- RFC 3161 timestamp token over the SHA-256 of its text.
CREATE TABLE log_checkpoints (
    size        BIGINT      PRIMARY KEY CHECK (size >= 0),
    root        BYTEA       NOT NULL CHECK (octet_length(root) = 32),
    note        BYTEA       NOT NULL CHECK (octet_length(note) > 0),
    timestamp   BYTEA,      -- NULL until timestamped
    created_at  TIMESTAMPTZ NOT NULL
);

-- The log's signing key, sealed with the key-encryption key.
CREATE TABLE log_key (
    id          INTEGER     PRIMARY KEY CHECK (id = 1),
    sealed      BYTEA       NOT NULL CHECK (octet_length(sealed) > 0),
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

CREATE TRIGGER log_entries_append_only BEFORE UPDATE OR DELETE ON log_entries
    FOR EACH ROW EXECUTE FUNCTION log_append_only();

CREATE TRIGGER log_hashes_no_delete BEFORE DELETE ON log_hashes
    FOR EACH ROW EXECUTE FUNCTION log_append_only();

-- A row of hashes may only grow at its end.
CREATE FUNCTION log_hashes_extend_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.row_no <> OLD.row_no OR substring(NEW.hashes FROM 1 FOR octet_length(OLD.hashes)) <> OLD.hashes THEN
        RAISE EXCEPTION 'log_hashes is append-only';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_hashes_extend_only BEFORE UPDATE ON log_hashes
    FOR EACH ROW EXECUTE FUNCTION log_hashes_extend_only();

CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION log_append_only();

-- A checkpoint's note and timestamp may change (cosignatures are added), not
-- what it commits to.
CREATE FUNCTION log_checkpoints_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.size <> OLD.size OR NEW.root <> OLD.root OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'a checkpoint''s size, root and time do not change';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER log_checkpoints_fixed BEFORE UPDATE ON log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION log_checkpoints_fixed();
