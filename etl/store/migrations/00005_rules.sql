-- +goose Up
-- What the rules that need the database look up: folded names (normalize.Key,
-- computed by the loader) for duplicates across quarters and for matching
-- transfer letters between organisations.

ALTER TABLE returns.admission ADD COLUMN name_key text;
ALTER TABLE returns.transfer ADD COLUMN name_key text;
CREATE INDEX admission_person ON returns.admission (name_key, birth_date);
CREATE INDEX admission_citizen ON returns.admission (citizen_id) WHERE citizen_id IS NOT NULL;
CREATE INDEX transfer_match ON returns.transfer (counterpart_org_code, direction);
CREATE INDEX transfer_card ON returns.transfer (card_no) WHERE card_no IS NOT NULL;
CREATE INDEX summary_org ON returns.summary (org_code, year, quarter);
CREATE INDEX org_unit_parent ON returns.org_unit (registry_version_id, parent_code);
CREATE INDEX org_unit_successor ON returns.org_unit (registry_version_id, successor_code);

-- Tables added by later migrations get the same privileges as the first ones.
ALTER DEFAULT PRIVILEGES IN SCHEMA returns GRANT SELECT, INSERT ON TABLES TO returns_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA returns GRANT USAGE ON SEQUENCES TO returns_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA reporting GRANT SELECT ON TABLES TO returns_loader, returns_reader;

-- +goose Down
DROP INDEX returns.org_unit_successor, returns.org_unit_parent;
DROP INDEX returns.summary_org, returns.transfer_card, returns.transfer_match, returns.admission_citizen, returns.admission_person;
ALTER TABLE returns.transfer DROP COLUMN name_key;
ALTER TABLE returns.admission DROP COLUMN name_key;
