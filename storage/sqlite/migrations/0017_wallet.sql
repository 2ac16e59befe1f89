-- Wallet pickup (package wallet, docs/design/wallet.md): a credential may be
-- a copy of another, issued to the holder's wallet and bound to its DID
-- (copy_of: the badge it copies); a status change of the badge changes its
-- copies in the same transaction. And the credential offers of the
-- OpenID4VCI pre-authorized code flow: one badge's offer to its learner,
-- the pre-authorized code, the transaction code and the access token kept
-- only as SHA-256 digests; at most one offer of a badge is live.

ALTER TABLE credentials ADD COLUMN copy_of TEXT REFERENCES credentials (id);
CREATE INDEX credentials_copies ON credentials (copy_of) WHERE copy_of IS NOT NULL;

CREATE TABLE wallet_offers (
    id               TEXT    NOT NULL PRIMARY KEY,
    credential_id    TEXT    NOT NULL REFERENCES credentials (id),
    person_id        TEXT    NOT NULL REFERENCES persons (id),
    issuer_id        TEXT    NOT NULL,
    code_hash        TEXT    NOT NULL UNIQUE,
    tx_hash          TEXT    NOT NULL,
    sent_to          TEXT    NOT NULL,
    created_by       TEXT    NOT NULL,
    created_by_name  TEXT    NOT NULL,
    created_at       TEXT    NOT NULL,
    expires_at       TEXT    NOT NULL,
    attempts         INTEGER NOT NULL CHECK (attempts >= 0),
    state            TEXT    NOT NULL CHECK (state IN ('offered', 'redeemed', 'issued', 'replaced', 'exhausted', 'replayed', 'expired')),
    token_hash       TEXT    UNIQUE,
    token_expires_at TEXT,
    copy_id          TEXT    UNIQUE REFERENCES credentials (id),
    holder           TEXT    NOT NULL,
    ended_at         TEXT
) STRICT;
CREATE INDEX wallet_offers_credential ON wallet_offers (credential_id, created_at);
CREATE UNIQUE INDEX wallet_offers_live ON wallet_offers (credential_id) WHERE state IN ('offered', 'redeemed');
