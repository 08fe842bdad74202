-- +goose Up
-- Unchanged resubmissions (issue 10): the fingerprint of what a submission
-- loaded, so that a return opened and saved again in another program (new
-- bytes, the same values) is recognised as the same content and creates no
-- new version.
--
-- content_sha256 is the SHA-256 of the values loaded for every field of
-- every sheet, after the validator's normalisation, in a canonical encoding
-- (store.Load: "What counts as the same content"). NULL for submissions
-- loaded before this migration: they are never taken as unchanged.
--
-- A file found unchanged gets its ledger row like a loaded one, naming the
-- submission it repeats (whose own file's sha256 differs): the ledger stays
-- "one row per file content ever answered from the data", and the same bytes
-- again are a duplicate at once. So count(ledger) = count(submission) + the
-- files found unchanged.
ALTER TABLE returns.submission ADD COLUMN content_sha256 text CHECK (content_sha256 ~ '^[0-9a-f]{64}$');

-- +goose Down
ALTER TABLE returns.submission DROP COLUMN content_sha256;
