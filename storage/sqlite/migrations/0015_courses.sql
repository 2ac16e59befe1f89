-- Training courses for company tutors and teachers, kept by a Chamber
-- (package course): the course with its plan (programme, lessons, rule)
-- as JSON, its participants with their outcome and tutor badge, the
-- minutes each attended each lesson; and each Chamber's settings of the
-- tutor badge. A participant's badge, once recorded, is never changed nor
-- removed: the engines refuse it.

CREATE TABLE courses (
    id         TEXT    NOT NULL PRIMARY KEY,
    chamber_id TEXT    NOT NULL REFERENCES organisations (id),
    audience   TEXT    NOT NULL CHECK (audience IN ('company_tutors', 'teachers')),
    state      TEXT    NOT NULL CHECK (state IN ('planned', 'running', 'closed', 'cancelled')),
    title      TEXT    NOT NULL,
    plan       TEXT    NOT NULL,
    hours      INTEGER NOT NULL CHECK (hours >= 0),
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    closed_at  TEXT
) STRICT;
CREATE INDEX courses_chamber ON courses (chamber_id, created_at);

CREATE TABLE course_participants (
    course_id     TEXT    NOT NULL REFERENCES courses (id),
    person_id     TEXT    NOT NULL REFERENCES persons (id),
    position      INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('company_tutor', 'school_tutor', 'school_referent')),
    org_id        TEXT    NOT NULL REFERENCES organisations (id),
    outcome       TEXT    NOT NULL CHECK (outcome IN ('', 'completed', 'not_completed')),
    minutes       INTEGER NOT NULL CHECK (minutes >= 0),
    completed_at  TEXT,
    valid_until   TEXT,
    credential_id TEXT    UNIQUE,
    issued_at     TEXT,
    PRIMARY KEY (course_id, person_id)
) STRICT;
CREATE INDEX course_participants_person ON course_participants (person_id);

CREATE TRIGGER course_participants_badge_kept BEFORE UPDATE ON course_participants
WHEN OLD.credential_id IS NOT NULL AND NEW.credential_id IS NOT OLD.credential_id
BEGIN
    SELECT RAISE(ABORT, 'a tutor badge recorded with its participant is kept');
END;

CREATE TRIGGER course_participants_badge_no_delete BEFORE DELETE ON course_participants
WHEN OLD.credential_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a tutor badge recorded with its participant is kept');
END;

CREATE TABLE course_attendance (
    course_id TEXT    NOT NULL,
    lesson    INTEGER NOT NULL CHECK (lesson >= 1),
    person_id TEXT    NOT NULL,
    minutes   INTEGER NOT NULL CHECK (minutes >= 0),
    PRIMARY KEY (course_id, lesson, person_id),
    FOREIGN KEY (course_id, person_id) REFERENCES course_participants (course_id, person_id)
) STRICT;

CREATE TABLE course_settings (
    chamber_id           TEXT    NOT NULL PRIMARY KEY REFERENCES organisations (id),
    require_tutor_badge  INTEGER NOT NULL CHECK (require_tutor_badge IN (0, 1)),
    tutor_badge_validity INTEGER NOT NULL CHECK (tutor_badge_validity BETWEEN 0 AND 120), -- months; 0: forever
    updated_at           TEXT    NOT NULL
) STRICT;
