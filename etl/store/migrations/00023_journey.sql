-- +goose Up
-- Every file is answered and no file can jam the daemon (issue 11).

-- A quarantined inbox entry (a link, a pipe, a bad name, an oversize file)
-- is never opened, so it has no content hash (''), but it is recorded so
-- that the board and `returns status` show it.
ALTER TABLE returns.file_event DROP CONSTRAINT file_event_outcome_check;
ALTER TABLE returns.file_event ADD CONSTRAINT file_event_outcome_check
    CHECK (outcome IN ('loaded', 'rejected', 'duplicate', 'quarantined'));

-- answered says who was told of the outcome: the organisation's registered
-- contacts, the operators (the file could not be attributed), or nobody
-- (no contact and no operator address configured). NULL: no mail was asked
-- for (returns ingest without --notify).
ALTER TABLE returns.file_event ADD COLUMN answered text CHECK (answered IN ('contacts', 'operators', 'none'));
CREATE INDEX file_event_decided ON returns.file_event (decided_at);

-- Attempts at one inbox entry (its inbox key, see returns.file_event): a
-- file that fails in a way that is not the environment's (a panic, a time
-- budget exceeded, an unknown error; a process killed while on it) is
-- tried at most a few times, then rejected with a reason. Removed when the
-- entry reaches its terminal state.
CREATE TABLE returns.file_attempt (
    inbox_key  text        PRIMARY KEY,
    attempts   int         NOT NULL CHECK (attempts >= 0),
    last_error text        NOT NULL DEFAULT '',
    first_at   timestamptz NOT NULL,
    last_at    timestamptz NOT NULL
);

-- +goose Down
DROP TABLE returns.file_attempt;
DROP INDEX returns.file_event_decided;
ALTER TABLE returns.file_event DROP COLUMN answered;
DELETE FROM returns.file_event WHERE outcome = 'quarantined';
ALTER TABLE returns.file_event DROP CONSTRAINT file_event_outcome_check;
ALTER TABLE returns.file_event ADD CONSTRAINT file_event_outcome_check
    CHECK (outcome IN ('loaded', 'rejected', 'duplicate'));
