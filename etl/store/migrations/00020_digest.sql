-- +goose Up
-- The managers' quarterly digest (issue 6): recipients, the scope they see,
-- and what was sent to whom.
--
-- Scope is enforced by PostgreSQL, not by the digest code
-- (shared/reliability.md §3.4, §3.6). The digest reads only through the
-- security-barrier views of schema `scoped`, as role returns_digest, which
-- has no privilege on schemas returns or reporting and no BYPASSRLS. Every
-- scoped view keeps only the rows of organisations in the scope named by
-- the transaction's setting returns.scope_org (SET LOCAL, so a pooled
-- connection never carries one digest's scope into the next): that
-- organisation and every organisation below it in the current registry, and
-- the predecessors (through successor_code, recursively) of any of them,
-- whose history is their history. No setting, or an unknown code, is an
-- empty scope: the views return nothing.

-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'returns_digest') THEN
        CREATE ROLE returns_digest NOLOGIN NOBYPASSRLS;
    END IF;
END
$$;
-- +goose StatementEnd

-- Recipients: one row per imported recipients workbook (the newest is
-- current) and its rows.
CREATE TABLE returns.recipient_version (
    id          bigserial PRIMARY KEY,
    sha256      text        NOT NULL,
    file_name   text        NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    count       int         NOT NULL
);

CREATE TABLE returns.recipient (
    recipient_version_id bigint  NOT NULL REFERENCES returns.recipient_version (id),
    email                text    NOT NULL CHECK (email ~ '^[^[:space:]<>@]+@[^[:space:]<>@]+$'),
    name                 text    NOT NULL,
    scope_org_code       text    NOT NULL,
    language             text    NOT NULL CHECK (language IN ('vi', 'en')),
    active               boolean NOT NULL,
    source_row           int     NOT NULL,
    PRIMARY KEY (recipient_version_id, email)
);

-- One row per digest queued: recipient and quarter, with the outbox row and
-- the data cut-off (the newest load it saw). A second row for the same
-- recipient and quarter exists only when resent on purpose (resend > 0).
-- The next digest flags as restatements the submissions of covered
-- quarters loaded after this cut-off.
CREATE TABLE returns.digest_sent (
    email       text        NOT NULL,
    year        int         NOT NULL,
    quarter     int         NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    resend      int         NOT NULL DEFAULT 0 CHECK (resend >= 0),
    scope_org_code text     NOT NULL,
    outbox_id   bigint      NOT NULL REFERENCES returns.outbox (id),
    message_id  text        NOT NULL,
    cutoff      timestamptz NOT NULL,
    queued_at   timestamptz NOT NULL,
    PRIMARY KEY (email, year, quarter, resend)
);

-- The organisations of the current scope (see above). SECURITY DEFINER: the
-- digest role reads the registry only through it.
-- +goose StatementBegin
CREATE FUNCTION returns.scope_orgs() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH RECURSIVE cur AS (
        SELECT code, parent_code, successor_code FROM returns.org_unit
        WHERE registry_version_id = (SELECT max(id) FROM returns.registry_version)),
    -- Who is under whom: a child under its parent, a predecessor under its
    -- successor. One edge list keeps the recursion a plain (hash) join.
    edge AS (
        SELECT parent_code AS up, code FROM cur WHERE parent_code IS NOT NULL
        UNION ALL
        SELECT successor_code, code FROM cur WHERE successor_code IS NOT NULL),
    down AS (
        SELECT c.code FROM cur c WHERE c.code = nullif(current_setting('returns.scope_org', true), '')
        UNION
        SELECT e.code FROM edge e JOIN down d ON e.up = d.code)
    SELECT code FROM down;
END;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION returns.scope_orgs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION returns.scope_orgs() TO returns_digest;

CREATE SCHEMA scoped;
REVOKE ALL ON SCHEMA scoped FROM PUBLIC;
COMMENT ON SCHEMA scoped IS 'The reporting data of the digest, limited to the organisations of returns.scope_org (read by returns_digest).';

CREATE VIEW scoped.orgs WITH (security_barrier) AS
SELECT o.code, o.name, o.org_type, o.parent_code, o.valid_from_q, o.valid_to_q, o.successor_code, o.source_row
FROM returns.org_unit o
WHERE o.registry_version_id = (SELECT max(id) FROM returns.registry_version)
  AND o.code IN (SELECT returns.scope_orgs());

CREATE VIEW scoped.submissions WITH (security_barrier) AS
SELECT s.*, (SELECT min(x.received_at) FROM returns.submission x
             WHERE x.org_code = s.org_code AND x.year = s.year AND x.quarter = s.quarter) AS first_received_at
FROM reporting.submissions s WHERE s.org_code IN (SELECT returns.scope_orgs());

CREATE VIEW scoped.summaries WITH (security_barrier) AS
SELECT * FROM reporting.summaries WHERE org_code IN (SELECT returns.scope_orgs());

CREATE VIEW scoped.admissions WITH (security_barrier) AS
SELECT * FROM reporting.admissions WHERE org_code IN (SELECT returns.scope_orgs());

CREATE VIEW scoped.transfers WITH (security_barrier) AS
SELECT * FROM reporting.transfers WHERE org_code IN (SELECT returns.scope_orgs());

CREATE VIEW scoped.supervisions WITH (security_barrier) AS
SELECT * FROM reporting.supervisions WHERE org_code IN (SELECT returns.scope_orgs());

CREATE VIEW scoped.disciplines WITH (security_barrier) AS
SELECT * FROM reporting.disciplines WHERE org_code IN (SELECT returns.scope_orgs());

CREATE VIEW scoped.unmatched_transfers WITH (security_barrier) AS
SELECT * FROM reporting.unmatched_transfers WHERE org_code IN (SELECT returns.scope_orgs());

-- Rejected files and their reasons, for completeness.
CREATE VIEW scoped.file_events WITH (security_barrier) AS
SELECT e.org_code, e.year, e.quarter, e.outcome, e.reason, e.errors, e.warnings, e.received_at, e.decided_at
FROM returns.file_event e WHERE e.org_code IN (SELECT returns.scope_orgs());

-- Validation issues of current submissions (data quality), without values.
CREATE VIEW scoped.issues WITH (security_barrier) AS
SELECT s.org_code, s.year, s.quarter, i.rule_id, i.severity
FROM returns.validation_issue i JOIN returns.submission s ON s.id = i.submission_id AND s.status = 'accepted'
WHERE s.org_code IN (SELECT returns.scope_orgs());

-- Loads after a digest's cut-off: late and corrected returns (restatements).
CREATE VIEW scoped.loads WITH (security_barrier) AS
SELECT s.org_code, s.year, s.quarter, s.version, s.status, s.loaded_at, s.received_at
FROM returns.submission s WHERE s.org_code IN (SELECT returns.scope_orgs());

GRANT USAGE ON SCHEMA scoped TO returns_digest;
GRANT SELECT ON ALL TABLES IN SCHEMA scoped TO returns_digest;

-- The loader imports recipients and records what the digest queued.
GRANT SELECT, INSERT ON returns.recipient_version, returns.recipient, returns.digest_sent TO returns_loader;
GRANT USAGE ON SEQUENCE returns.recipient_version_id_seq TO returns_loader;

-- +goose Down
DROP SCHEMA scoped CASCADE;
DROP FUNCTION returns.scope_orgs();
DROP TABLE returns.digest_sent, returns.recipient, returns.recipient_version;
