-- +goose Up
-- The web console (issue 12): its accounts, sessions and uploads, and the
-- views it reads through.
--
-- Who sees what is enforced by PostgreSQL as for the digest (00020): a
-- manager's or an operator's page is read in a read-only transaction as
-- role returns_digest, with search_path = scoped and returns.scope_org set
-- to the account's organisation (SET LOCAL), so every query sees only the
-- rows of that subtree, whatever it forgets to filter. An administrator's
-- page runs the same SQL text with search_path = unscoped, reporting: views
-- of the same names and columns over everything. returns_digest has no
-- privilege on schema unscoped.
--
-- An uploader also sees the outcome of the files it uploaded itself (the
-- setting returns.web_account names the account), even when the workbook
-- turned out to belong to another organisation or to none (not a workbook).

CREATE TABLE returns.web_account (
    id                  bigserial PRIMARY KEY,
    login               text        NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
    role                text        NOT NULL CHECK (role IN ('administrator', 'manager', 'operator')),
    scope_org_code      text,
    password_hash       text        NOT NULL,
    disabled            boolean     NOT NULL DEFAULT false,
    failed_signins      int         NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    created_at          timestamptz NOT NULL,
    password_changed_at timestamptz NOT NULL,
    CHECK ((role = 'administrator') = (scope_org_code IS NULL))
);

-- A session: the cookie carries a random token, the table only its SHA-256.
CREATE TABLE returns.web_session (
    token_sha256 text        PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    account_id   bigint      NOT NULL REFERENCES returns.web_account (id) ON DELETE CASCADE,
    csrf         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX web_session_account ON returns.web_session (account_id);

-- A file sent from the browser: written into the inbox as inbox_name, then
-- judged by the daemon like any dropped file; its outcome is the file_event
-- of its content decided after uploaded_at.
CREATE TABLE returns.web_upload (
    id          bigserial PRIMARY KEY,
    account_id  bigint REFERENCES returns.web_account (id),
    org_code    text,
    file_name   text        NOT NULL,
    inbox_name  text        NOT NULL,
    sha256      text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size        bigint      NOT NULL,
    uploaded_at timestamptz NOT NULL
);
CREATE INDEX web_upload_sha ON returns.web_upload (sha256);

-- Password hashes are not the loader's business (00005 granted it every new
-- table of schema returns by default).
REVOKE ALL ON returns.web_account, returns.web_session, returns.web_upload FROM returns_loader;

-- The console lists the latest files first (00023 indexes decided_at alone).
CREATE INDEX file_event_latest ON returns.file_event (decided_at DESC, id DESC);
CREATE INDEX validation_issue_event ON returns.validation_issue (file_event_id);

-- The uploader's own files (see above).
-- +goose StatementBegin
CREATE FUNCTION returns.web_uploaded_shas() RETURNS SETOF text
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT u.sha256 FROM returns.web_upload u
    WHERE u.account_id = nullif(current_setting('returns.web_account', true), '')::bigint;
END;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION returns.web_uploaded_shas() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION returns.web_uploaded_shas() TO returns_digest;

-- Every file's outcome.
CREATE VIEW scoped.web_files WITH (security_barrier) AS
SELECT e.id, e.sha256, e.file_name, coalesce(e.org_code, '') AS org_code, coalesce(e.year, 0) AS year,
       coalesce(e.quarter, 0) AS quarter, e.outcome, coalesce(e.reason, '') AS reason, e.submission_id,
       e.errors, e.warnings, e.received_at, e.decided_at
FROM returns.file_event e
WHERE e.org_code IN (SELECT returns.scope_orgs()) OR e.sha256 IN (SELECT returns.web_uploaded_shas());

-- Every validation issue, of rejected files (by event) and of loaded ones
-- (by submission).
CREATE VIEW scoped.web_issues WITH (security_barrier) AS
SELECT i.id, i.file_event_id, i.submission_id, i.sheet, i.cell, i.source_row, i.field, i.rule_id, i.severity,
       i.value, i.message_vi, i.message_en
FROM returns.validation_issue i
WHERE i.file_event_id IN (SELECT id FROM scoped.web_files)
   OR i.submission_id IN (SELECT s.id FROM returns.submission s WHERE s.org_code IN (SELECT returns.scope_orgs()));

-- Every version of every submission, current or superseded.
CREATE VIEW scoped.web_submissions WITH (security_barrier) AS
SELECT s.id, s.org_code, s.year, s.quarter, s.version, s.status, s.file_name, s.sha256, s.received_at, s.loaded_at,
       s.errors, s.warnings
FROM returns.submission s WHERE s.org_code IN (SELECT returns.scope_orgs());

GRANT SELECT ON scoped.web_files, scoped.web_issues, scoped.web_submissions TO returns_digest;

-- The administrator's views: the same names and columns, over everything.
CREATE SCHEMA unscoped;
REVOKE ALL ON SCHEMA unscoped FROM PUBLIC;
COMMENT ON SCHEMA unscoped IS 'The web console''s views of schema scoped, unfiltered (administrators).';

CREATE VIEW unscoped.orgs AS
SELECT o.code, o.name, o.org_type, o.parent_code, o.valid_from_q, o.valid_to_q, o.successor_code, o.source_row
FROM returns.org_unit o
WHERE o.registry_version_id = (SELECT max(id) FROM returns.registry_version);

CREATE VIEW unscoped.web_files AS
SELECT e.id, e.sha256, e.file_name, coalesce(e.org_code, '') AS org_code, coalesce(e.year, 0) AS year,
       coalesce(e.quarter, 0) AS quarter, e.outcome, coalesce(e.reason, '') AS reason, e.submission_id,
       e.errors, e.warnings, e.received_at, e.decided_at
FROM returns.file_event e;

CREATE VIEW unscoped.web_issues AS
SELECT i.id, i.file_event_id, i.submission_id, i.sheet, i.cell, i.source_row, i.field, i.rule_id, i.severity,
       i.value, i.message_vi, i.message_en
FROM returns.validation_issue i;

CREATE VIEW unscoped.web_submissions AS
SELECT s.id, s.org_code, s.year, s.quarter, s.version, s.status, s.file_name, s.sha256, s.received_at, s.loaded_at,
       s.errors, s.warnings
FROM returns.submission s;

-- Every version's ThongTin figures and rows, for the figures over the
-- quarters and what changed from one version to the next. A row is known by
-- a key (the person, or the subject and decision) and compared by the MD5
-- of its content (every column but where it stood).
CREATE VIEW unscoped.web_figures AS
SELECT s.id AS submission_id, t.members_end_official, t.members_end_probationary, t.admitted, t.transfer_in_official,
       t.transfer_out_official, t.members_start_official, t.members_start_probationary
FROM returns.submission s LEFT JOIN returns.summary t ON t.submission_id = s.id;

CREATE VIEW unscoped.web_rows AS
SELECT a.submission_id, 'KetNap'::text AS sheet, coalesce(a.name_key, a.full_name, '') || '|' || coalesce(a.birth_date::text, '') AS key,
       md5((to_jsonb(a) - 'submission_id' - 'source_row' - 'source_sheet')::text) AS h
FROM returns.admission a
UNION ALL
SELECT t.submission_id, 'ChuyenSinhHoat', coalesce(t.name_key, t.full_name, '') || '|' || coalesce(t.card_no, '') || '|' || coalesce(t.direction, ''),
       md5((to_jsonb(t) - 'submission_id' - 'source_row' - 'source_sheet')::text)
FROM returns.transfer t
UNION ALL
SELECT g.submission_id, 'GiamSat', coalesce(g.subject_name, '') || '|' || coalesce(g.topic, '') || '|' || coalesce(g.activity, ''),
       md5((to_jsonb(g) - 'submission_id' - 'source_row' - 'source_sheet')::text)
FROM returns.supervision g
UNION ALL
SELECT d.submission_id, 'KyLuat', coalesce(d.subject_name, '') || '|' || coalesce(d.decision_no, ''),
       md5((to_jsonb(d) - 'submission_id' - 'source_row' - 'source_sheet')::text)
FROM returns.discipline d;

CREATE VIEW scoped.web_figures WITH (security_barrier) AS
SELECT f.* FROM unscoped.web_figures f
WHERE f.submission_id IN (SELECT s.id FROM returns.submission s WHERE s.org_code IN (SELECT returns.scope_orgs()));

CREATE VIEW scoped.web_rows WITH (security_barrier) AS
SELECT r.* FROM unscoped.web_rows r
WHERE r.submission_id IN (SELECT s.id FROM returns.submission s WHERE s.org_code IN (SELECT returns.scope_orgs()));

GRANT SELECT ON scoped.web_figures, scoped.web_rows TO returns_digest;

-- +goose Down
DROP VIEW scoped.web_rows, scoped.web_figures;
DROP SCHEMA unscoped CASCADE;
DROP VIEW scoped.web_submissions, scoped.web_issues, scoped.web_files;
DROP FUNCTION returns.web_uploaded_shas();
DROP INDEX returns.validation_issue_event, returns.file_event_latest;
DROP TABLE returns.web_upload, returns.web_session, returns.web_account;
