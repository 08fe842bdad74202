-- +goose Up
-- What the daemon needs (issue 4): which inbox entry an outcome belongs to,
-- and the scheduled runs, claimed once across daemons.

-- inbox_key names the inbox entry a file_event decided (its path, device,
-- inode, size and mtime; see daemon.inboxKey): a daemon that crashed after
-- recording the outcome but before moving the file finds the outcome here
-- and only redoes the move. At most one outcome per entry, whatever races.
ALTER TABLE returns.file_event ADD COLUMN inbox_key text;
CREATE UNIQUE INDEX file_event_inbox_key ON returns.file_event (inbox_key) WHERE inbox_key IS NOT NULL;

-- One row per scheduled run of a job, inserted by the daemon that runs it:
-- the primary key makes each slot run once across daemons, and the latest
-- slot is the job's last run for the missed-run policy.
CREATE TABLE returns.job_run (
    job         text        NOT NULL CHECK (job ~ '^[a-z0-9][a-z0-9-]*$'),
    slot        timestamptz NOT NULL,
    owner       text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    ok          boolean,
    PRIMARY KEY (job, slot)
);

-- +goose Down
DROP TABLE returns.job_run;
DROP INDEX returns.file_event_inbox_key;
ALTER TABLE returns.file_event DROP COLUMN inbox_key;
