-- The third-party commission: commissions nominated by a Chamber with
-- their members, their sessions (the sitting's own record as JSON: quorum,
-- attendance, declarations, conflicts, criteria, signatures), the
-- candidates of each session with their evidence, the decisions (one row
-- per candidate and competence, unchangeable once the minutes are signed),
-- the badges issued from them, the area credentials stacked on them, and
-- the notices a person reads on their dashboard. Times TIMESTAMPTZ.

CREATE TABLE commissions (
    id           TEXT NOT NULL PRIMARY KEY,
    chamber_id   TEXT NOT NULL REFERENCES organisations (id),
    sector       TEXT NOT NULL,
    content      TEXT NOT NULL,
    nominated_by TEXT NOT NULL,
    nominated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX commissions_chamber ON commissions (chamber_id, nominated_at);

CREATE TABLE commission_members (
    commission_id TEXT NOT NULL REFERENCES commissions (id),
    person_id     TEXT NOT NULL REFERENCES persons (id),
    role          TEXT NOT NULL,
    PRIMARY KEY (commission_id, person_id)
);
CREATE INDEX commission_members_person ON commission_members (person_id);

CREATE TABLE commission_sessions (
    id             TEXT    NOT NULL PRIMARY KEY,
    commission_id  TEXT    NOT NULL REFERENCES commissions (id),
    number         INTEGER NOT NULL,
    date           TIMESTAMPTZ    NOT NULL,
    head           TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    created_at     TIMESTAMPTZ    NOT NULL,
    closed_at      TIMESTAMPTZ,
    minutes        TEXT,
    minutes_digest TEXT,
    log_index      BIGINT,
    job_id         TEXT,
    UNIQUE (commission_id, number)
);

CREATE TABLE session_candidates (
    session_id TEXT    NOT NULL REFERENCES commission_sessions (id),
    person_id  TEXT    NOT NULL REFERENCES persons (id),
    dossier_id TEXT    NOT NULL REFERENCES dossiers (id),
    position   INTEGER NOT NULL,
    content    TEXT    NOT NULL,
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX session_candidates_dossier ON session_candidates (dossier_id);
CREATE INDEX session_candidates_person ON session_candidates (person_id);

CREATE TABLE commission_decisions (
    session_id TEXT NOT NULL,
    candidate  TEXT NOT NULL,
    competence TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    content    TEXT NOT NULL,
    PRIMARY KEY (session_id, candidate, competence),
    FOREIGN KEY (session_id, candidate) REFERENCES session_candidates (session_id, person_id)
);

-- Signed minutes are final: their decisions never change, whatever writes.
CREATE FUNCTION commission_decision_final() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sid TEXT := CASE WHEN TG_OP = 'INSERT' THEN NEW.session_id ELSE OLD.session_id END;
BEGIN
    IF (SELECT closed_at FROM commission_sessions WHERE id = sid) IS NOT NULL THEN
        RAISE EXCEPTION 'the minutes are signed: their decisions never change';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER commission_decisions_final BEFORE INSERT OR UPDATE OR DELETE ON commission_decisions
    FOR EACH ROW EXECUTE FUNCTION commission_decision_final();

CREATE TABLE badges (
    session_id    TEXT NOT NULL,
    candidate     TEXT NOT NULL,
    competence    TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE REFERENCES credentials (id),
    issued_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, candidate, competence),
    FOREIGN KEY (session_id, candidate, competence) REFERENCES commission_decisions (session_id, candidate, competence)
);
CREATE INDEX badges_candidate ON badges (candidate);

CREATE TABLE stacked_badges (
    person_id     TEXT    NOT NULL REFERENCES persons (id),
    sector        TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    path          TEXT    NOT NULL,
    credential_id TEXT    NOT NULL UNIQUE REFERENCES credentials (id),
    badges        TEXT    NOT NULL,
    issued_at     TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (person_id, sector, version, path)
);

CREATE TABLE notices (
    id         TEXT NOT NULL PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES persons (id),
    key        TEXT NOT NULL,
    args       TEXT NOT NULL,
    link       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ
);
CREATE INDEX notices_person ON notices (person_id, created_at);
