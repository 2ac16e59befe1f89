-- A learner's public links to their badges (package share): one per badge
-- (a competence badge or an area credential), its token new each time it
-- is turned on, the fields the public page shows as JSON, the link's own
-- expiry, and what turning it on rests on (the learner of age, or a
-- guardian's consent by name).

CREATE TABLE badge_shares (
    credential_id TEXT    NOT NULL PRIMARY KEY REFERENCES credentials (id),
    person_id     TEXT    NOT NULL REFERENCES persons (id),
    token         TEXT    UNIQUE,
    shared        INTEGER NOT NULL CHECK (shared IN (0, 1)),
    fields        TEXT    NOT NULL,
    expires_at    TEXT,
    adult         INTEGER NOT NULL CHECK (adult IN (0, 1)),
    guardian      TEXT    NOT NULL,
    consent_at    TEXT,
    created_at    TEXT    NOT NULL,
    changed_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX badge_shares_person ON badge_shares (person_id);
