-- The issuers: the Chambers of Commerce that sign credentials. The profile is
-- the JSON of an issuer.Profile.
CREATE TABLE issuers (
    id          TEXT        NOT NULL PRIMARY KEY,
    did         TEXT        NOT NULL UNIQUE,
    profile     JSONB       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Signing keys of the issuers, numbered 1, 2, … per issuer. The private key
-- is stored only sealed with the key-encryption key; a retired key stays, so
-- that what it signed keeps verifying.
CREATE TABLE issuer_keys (
    issuer_id            TEXT        NOT NULL REFERENCES issuers (id),
    seq                  INTEGER     NOT NULL CHECK (seq > 0),
    verification_method  TEXT        NOT NULL UNIQUE,
    public_key           BYTEA       NOT NULL CHECK (octet_length(public_key) = 32),
    sealed               BYTEA       NOT NULL,
    kek_id               TEXT        NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    retired_at           TIMESTAMPTZ, -- NULL for the current key
    PRIMARY KEY (issuer_id, seq)
);

-- At most one current key per issuer.
CREATE UNIQUE INDEX issuer_keys_one_current ON issuer_keys (issuer_id) WHERE retired_at IS NULL;

-- The status lists of each issuer. A list hands out the positions
-- Permute(perm_key, 0), Permute(perm_key, 1), … (package status); allocated
-- counts those handed out and only grows. version grows with every status
-- change of a credential in the list.
CREATE TABLE status_lists (
    issuer_id   TEXT        NOT NULL REFERENCES issuers (id),
    list_no     INTEGER     NOT NULL CHECK (list_no > 0),
    perm_key    BYTEA       NOT NULL CHECK (octet_length(perm_key) = 32),
    allocated   INTEGER     NOT NULL CHECK (allocated BETWEEN 0 AND 131072),
    version     BIGINT      NOT NULL CHECK (version >= 0),
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer_id, list_no)
);

-- Issued credentials, exactly as issued, with their current status.
CREATE TABLE credentials (
    id            TEXT        NOT NULL PRIMARY KEY,
    issuer_id     TEXT        NOT NULL,
    list_no       INTEGER     NOT NULL,
    status_index  INTEGER     NOT NULL CHECK (status_index BETWEEN 0 AND 131071),
    format        TEXT        NOT NULL,
    body          TEXT        NOT NULL,
    digest        TEXT        NOT NULL,
    achievement   TEXT        NOT NULL,
    issued_at     TIMESTAMPTZ NOT NULL,
    valid_until   TIMESTAMPTZ, -- NULL if it does not expire
    revoked       BOOLEAN     NOT NULL,
    suspended     BOOLEAN     NOT NULL,
    reason        TEXT        NOT NULL, -- of the last status change
    changed_at    TIMESTAMPTZ, -- of the last status change; NULL if none
    UNIQUE (issuer_id, list_no, status_index),
    FOREIGN KEY (issuer_id, list_no) REFERENCES status_lists (issuer_id, list_no)
);

CREATE INDEX credentials_revoked ON credentials (issuer_id, list_no, status_index) WHERE revoked;
CREATE INDEX credentials_suspended ON credentials (issuer_id, list_no, status_index) WHERE suspended;

-- Every status change, kept forever.
CREATE TABLE status_events (
    seq            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credential_id  TEXT        NOT NULL REFERENCES credentials (id),
    action         TEXT        NOT NULL CHECK (action IN ('revoke', 'suspend', 'reinstate')),
    reason         TEXT        NOT NULL,
    actor          TEXT        NOT NULL,
    at             TIMESTAMPTZ NOT NULL
);

CREATE INDEX status_events_credential ON status_events (credential_id, seq);

CREATE FUNCTION status_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'status_events is append-only';
END;
$$;

CREATE TRIGGER status_events_append_only BEFORE UPDATE OR DELETE ON status_events
    FOR EACH ROW EXECUTE FUNCTION status_events_append_only();

-- The last signed status list credential of each list and purpose, and the
-- status_lists.version it was signed from.
CREATE TABLE signed_status_lists (
    issuer_id  TEXT        NOT NULL,
    list_no    INTEGER     NOT NULL,
    purpose    TEXT        NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    version    BIGINT      NOT NULL CHECK (version >= 0),
    body       TEXT        NOT NULL,
    signed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer_id, list_no, purpose),
    FOREIGN KEY (issuer_id, list_no) REFERENCES status_lists (issuer_id, list_no)
);
