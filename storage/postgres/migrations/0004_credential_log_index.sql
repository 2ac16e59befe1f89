-- The leaf index of each credential's issue entry in the transparency log,
-- to find its inclusion proof; NULL for credentials issued before the log.
ALTER TABLE credentials ADD COLUMN log_index BIGINT;
