-- Restoring an older copy of the database (docs/design/backup.md).
--
-- reserved: how far the list's counter may go before a reservation is
-- written to the blob store, apart from the database. A position is handed
-- out only below it, so a restored database learns from the blob store how
-- far each list may have gone after the copy was taken.
ALTER TABLE status_lists ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved BETWEEN 0 AND 131072);

-- Counters [from_n, to_n) of a list that may have been handed out to
-- credentials the restored database lost: their positions are shown as
-- suspended (a lost credential that was revoked never shows as valid), and
-- never handed out again (allocated is moved past them). A list the
-- restored database did not know is lost whole.
CREATE TABLE status_lost (
    issuer_id    TEXT        NOT NULL,
    list_no      INTEGER     NOT NULL,
    from_n       INTEGER     NOT NULL,
    to_n         INTEGER     NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    CHECK (0 <= from_n AND from_n < to_n AND to_n <= 131072),
    PRIMARY KEY (issuer_id, list_no, from_n),
    FOREIGN KEY (issuer_id, list_no) REFERENCES status_lists (issuer_id, list_no)
);
