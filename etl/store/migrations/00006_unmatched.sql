-- +goose Up
-- Transfer letters whose other side has not been reported (yet): a DI at one
-- organisation of the registry without the DEN at the organisation it names,
-- or the reverse, among current submissions. The digest lists the ones older
-- than 30 days (CS-07).
CREATE VIEW reporting.unmatched_transfers AS
SELECT s.org_code, s.year, s.quarter, s.id AS submission_id, t.source_sheet, t.source_row,
       t.full_name, t.direction, t.transfer_type, t.counterpart_org_code, t.letter_no, t.event_date
FROM returns.transfer t
JOIN returns.submission s ON s.id = t.submission_id AND s.status = 'accepted'
WHERE t.counterpart_org_code IS NOT NULL
  AND t.transfer_type IN ('CHINH_THUC', 'TAM_THOI')
  AND NOT EXISTS (
      SELECT FROM returns.transfer u
      JOIN returns.submission s2 ON s2.id = u.submission_id AND s2.status = 'accepted'
      WHERE s2.org_code = t.counterpart_org_code AND u.direction <> t.direction AND u.transfer_type = t.transfer_type
        AND (u.card_no = t.card_no OR u.profile_no = t.profile_no OR (u.name_key = t.name_key AND u.birth_date = t.birth_date)));
COMMENT ON VIEW reporting.unmatched_transfers IS 'Transfer letters between organisations of the system whose other side is not in the current submissions.';
GRANT SELECT ON reporting.unmatched_transfers TO returns_loader, returns_reader;

-- +goose Down
DROP VIEW reporting.unmatched_transfers;
