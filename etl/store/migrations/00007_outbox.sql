-- +goose Up
-- The transactional outbox (shared/reliability.md §0.3, G4, G5): a mail is
-- queued in the same transaction as what it reports (a load, a digest run)
-- and delivered afterwards, with retries, by package mail. Delivery is
-- at-least-once: a duplicate happens only in the RFC 1047 gap (or when the
-- database fails between the server's 250 and marking the row sent), and it
-- carries the same Message-ID.
--
-- Life of a row: pending --claim--> sending --250--> sent
--                                      |  \--5xx or too many attempts--> failed
--                                      \--4xx, network--> pending (later)
-- next_attempt_at is when the row is next due: for a pending row its retry
-- time, for a sending row the expiry of the sender's lease, after which a
-- crashed sender's row is claimed again.
CREATE TABLE returns.outbox (
    id              bigserial PRIMARY KEY,
    message_id      text        NOT NULL UNIQUE CHECK (message_id ~ '^<[^<>[:space:]]+@[^<>[:space:]]+>$'),
    kind            text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*$'),
    dedupe_key      text        NOT NULL UNIQUE,
    recipients      text[]      NOT NULL CHECK (cardinality(recipients) > 0),
    subject         text        NOT NULL,
    in_reply_to     text,
    thread_refs     text[]      NOT NULL DEFAULT '{}',
    body_text       text        NOT NULL,
    body_html       text,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        int         NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
COMMENT ON COLUMN returns.outbox.thread_refs IS 'References header: message ids of the thread, oldest first.';
COMMENT ON COLUMN returns.outbox.last_error IS 'Last delivery error (SMTP reply or network error; never a password).';

-- What the sender scans: only unsent rows, by due time.
CREATE INDEX outbox_due ON returns.outbox (next_attempt_at, id) WHERE status IN ('pending', 'sending');

CREATE TABLE returns.outbox_attachment (
    outbox_id    bigint NOT NULL REFERENCES returns.outbox (id) ON DELETE CASCADE,
    position     int    NOT NULL,
    file_name    text   NOT NULL,
    content_type text   NOT NULL,
    content      bytea  NOT NULL,
    PRIMARY KEY (outbox_id, position)
);

-- The loader queues result mails in its load transaction and the sender
-- (same role for now) claims and marks rows: SELECT … FOR UPDATE needs UPDATE.
-- Default privileges (00005) already grant SELECT and INSERT; granted again
-- here so the migration stands on its own.
GRANT SELECT, INSERT, UPDATE ON returns.outbox TO returns_loader;
GRANT SELECT, INSERT ON returns.outbox_attachment TO returns_loader;
GRANT USAGE ON SEQUENCE returns.outbox_id_seq TO returns_loader;

-- +goose Down
DROP TABLE returns.outbox_attachment, returns.outbox;
