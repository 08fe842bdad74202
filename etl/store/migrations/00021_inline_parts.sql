-- +goose Up
-- Inline parts of a queued mail (the digest's chart): an attachment with a
-- Content-ID is embedded and shown by the HTML body as cid:<content_id>.
ALTER TABLE returns.outbox_attachment ADD COLUMN content_id text
    CHECK (content_id IS NULL OR content_id ~ '^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+$');

-- +goose Down
ALTER TABLE returns.outbox_attachment DROP COLUMN content_id;
