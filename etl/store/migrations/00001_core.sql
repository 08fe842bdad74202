-- +goose Up
-- The core of the store: roles, the organisation registry, the ingestion
-- ledger, submissions and their validation issues.

-- +goose StatementBegin
DO $$
BEGIN
    -- Roles are cluster-wide: create them once, whatever the database.
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'returns_loader') THEN
        CREATE ROLE returns_loader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'returns_reader') THEN
        CREATE ROLE returns_reader NOLOGIN;
    END IF;
END
$$;
-- +goose StatementEnd

CREATE SCHEMA returns;
CREATE SCHEMA reporting;
REVOKE ALL ON SCHEMA returns FROM PUBLIC;
REVOKE ALL ON SCHEMA reporting FROM PUBLIC;

-- Quarters are stored as an index (year*4 + quarter-1) where ranges matter,
-- so that "active in 2025-Q3" is a plain comparison.
CREATE FUNCTION returns.qidx(y int, q int) RETURNS int
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN y * 4 + q - 1;

-- One row per registry workbook imported; the newest is current.
CREATE TABLE returns.registry_version (
    id          bigserial PRIMARY KEY,
    sha256      text        NOT NULL,
    file_name   text        NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    org_count   int         NOT NULL
);

CREATE TABLE returns.org_unit (
    registry_version_id bigint  NOT NULL REFERENCES returns.registry_version (id),
    code                text    NOT NULL,
    name                text    NOT NULL,
    org_type            text    NOT NULL,
    parent_code         text,
    valid_from_q        int     NOT NULL,
    valid_to_q          int,
    successor_code      text,
    contact_emails      text[]  NOT NULL DEFAULT '{}',
    source_row          int     NOT NULL,
    PRIMARY KEY (registry_version_id, code),
    CHECK (valid_to_q IS NULL OR valid_to_q >= valid_from_q)
);

-- The ledger: one row per file content ever loaded, written in the same
-- transaction as its rows. After an ambiguous COMMIT the ledger says
-- whether it happened (shared/reliability.md §0.2).
CREATE TABLE returns.ledger (
    sha256        text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    submission_id bigint      NOT NULL,
    loaded_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE returns.submission (
    id               bigserial PRIMARY KEY,
    org_code         text        NOT NULL,
    year             int         NOT NULL,
    quarter          int         NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    template_version text        NOT NULL,
    file_name        text        NOT NULL,
    sha256           text        NOT NULL UNIQUE,
    received_at      timestamptz NOT NULL,
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    version          int         NOT NULL CHECK (version >= 1),
    status           text        NOT NULL CHECK (status IN ('accepted', 'superseded')),
    superseded_by    bigint REFERENCES returns.submission (id),
    superseded_at    timestamptz,
    errors           int         NOT NULL DEFAULT 0,
    warnings         int         NOT NULL DEFAULT 0,
    UNIQUE (org_code, year, quarter, version)
);
-- At most one current (accepted) submission per organisation and quarter.
CREATE UNIQUE INDEX submission_current ON returns.submission (org_code, year, quarter) WHERE status = 'accepted';

ALTER TABLE returns.ledger ADD FOREIGN KEY (submission_id) REFERENCES returns.submission (id);

-- Every outcome of every file, loaded or not: what the status board,
-- metrics and the digest's completeness count.
CREATE TABLE returns.file_event (
    id            bigserial PRIMARY KEY,
    sha256        text        NOT NULL,
    file_name     text        NOT NULL,
    org_code      text,
    year          int,
    quarter       int,
    outcome       text        NOT NULL CHECK (outcome IN ('loaded', 'rejected', 'duplicate')),
    reason        text,
    submission_id bigint REFERENCES returns.submission (id),
    errors        int         NOT NULL DEFAULT 0,
    warnings      int         NOT NULL DEFAULT 0,
    received_at   timestamptz NOT NULL,
    decided_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX file_event_period ON returns.file_event (year, quarter, org_code);
CREATE INDEX file_event_sha ON returns.file_event (sha256);

-- Issues of loaded submissions (warnings stay visible) and of rejected
-- files (by their event).
CREATE TABLE returns.validation_issue (
    id            bigserial PRIMARY KEY,
    submission_id bigint REFERENCES returns.submission (id),
    file_event_id bigint REFERENCES returns.file_event (id),
    sheet         text NOT NULL DEFAULT '',
    cell          text NOT NULL DEFAULT '',
    source_row    int,
    field         text NOT NULL DEFAULT '',
    rule_id       text NOT NULL,
    severity      text NOT NULL CHECK (severity IN ('error', 'warning')),
    value         text NOT NULL DEFAULT '',
    message_vi    text NOT NULL,
    message_en    text NOT NULL,
    CHECK (submission_id IS NOT NULL OR file_event_id IS NOT NULL)
);
CREATE INDEX validation_issue_submission ON returns.validation_issue (submission_id);

-- +goose Down
DROP SCHEMA reporting CASCADE;
DROP SCHEMA returns CASCADE;
