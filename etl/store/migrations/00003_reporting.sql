-- +goose Up
-- Stable views for analysts and the digest: only the current accepted
-- submission of each organisation and quarter. Names and columns here are a
-- contract: add columns, never rename or remove them.

CREATE VIEW reporting.submissions AS
SELECT s.id AS submission_id, s.org_code, s.year, s.quarter, s.version, s.template_version,
       s.file_name, s.sha256, s.received_at, s.loaded_at, s.errors, s.warnings,
       'ThongTin'::text AS source_sheet, NULL::int AS source_row
FROM returns.submission s
WHERE s.status = 'accepted';
COMMENT ON VIEW reporting.submissions IS 'Current accepted submission of each organisation and quarter (one row each).';

CREATE VIEW reporting.summaries AS
SELECT s.org_code, s.year, s.quarter, s.submission_id, t.source_sheet, t.source_row,
       t.org_name, t.org_type, t.parent_code, t.template_version, t.cells_count,
       t.members_start_official, t.members_start_probationary,
       t.admitted, t.readmitted, t.recognised_official, t.transfer_in_official, t.transfer_out_official,
       t.increase_other, t.increase_other_note, t.deceased, t.expelled, t.struck_off, t.resigned,
       t.decrease_other, t.decrease_other_note, t.members_end_official, t.members_end_probationary,
       t.temp_in, t.temp_out, t.admission_target_year, t.prepared_on
FROM reporting.submissions s JOIN returns.summary t USING (submission_id);
COMMENT ON VIEW reporting.summaries IS 'ThongTin of current submissions: membership balance and counts.';

CREATE VIEW reporting.admissions AS
SELECT s.org_code, s.year, s.quarter, s.submission_id, a.source_sheet, a.source_row,
       a.full_name, a.gender, a.birth_date, a.ethnicity_code, a.religion_code, a.general_education,
       a.professional_level, a.political_theory, a.occupation_group, a.workplace_sector,
       a.is_youth_union_member, a.is_readmission, a.cell_code, a.decision_no, a.decision_date,
       a.deciding_body, a.ceremony_date, a.probation_end, a.profile_no
FROM reporting.submissions s JOIN returns.admission a USING (submission_id);
COMMENT ON VIEW reporting.admissions IS 'KetNap rows of current submissions (citizen ID withheld).';

CREATE VIEW reporting.transfers AS
SELECT s.org_code, s.year, s.quarter, s.submission_id, t.source_sheet, t.source_row,
       t.full_name, t.birth_date, t.gender, t.member_status, t.card_no, t.profile_no, t.join_date, t.official_date,
       t.direction, t.transfer_type, t.scope, t.reason, t.counterpart_org_name, t.counterpart_org_code,
       t.letter_no, t.event_date, t.decision_date, t.temp_until, t.dues_paid_through, t.cell_code
FROM reporting.submissions s JOIN returns.transfer t USING (submission_id);
COMMENT ON VIEW reporting.transfers IS 'ChuyenSinhHoat rows of current submissions.';

CREATE VIEW reporting.supervisions AS
SELECT s.org_code, s.year, s.quarter, s.submission_id, g.source_sheet, g.source_row,
       g.actor, g.activity, g.supervision_form, g.inspection_type, g.subject_type, g.subject_name,
       g.subject_org_code, g.subject_member_id, g.subject_member_status, g.is_committee_member, g.topic,
       g.decision_no, g.start_date, g.conclusion_date, g.result, g.discipline_required, g.discipline_form,
       g.discipline_body, g.discipline_date
FROM reporting.submissions s JOIN returns.supervision g USING (submission_id);
COMMENT ON VIEW reporting.supervisions IS 'GiamSat rows of current submissions.';

CREATE VIEW reporting.disciplines AS
SELECT s.org_code, s.year, s.quarter, s.submission_id, d.source_sheet, d.source_row,
       d.subject_type, d.subject_name, d.subject_member_id, d.subject_member_status, d.is_committee_member,
       d.violation_summary, d.discipline_form, d.discipline_body, d.decision_no, d.decision_date, d.source
FROM reporting.submissions s JOIN returns.discipline d USING (submission_id);
COMMENT ON VIEW reporting.disciplines IS 'KyLuat rows of current submissions.';

-- Least privilege (shared/reliability.md §3.4): the loader writes data but
-- cannot drop, alter or truncate; the reader only reads reporting.
GRANT USAGE ON SCHEMA returns TO returns_loader;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA returns TO returns_loader;
GRANT UPDATE ON returns.submission TO returns_loader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA returns TO returns_loader;
GRANT EXECUTE ON FUNCTION returns.qidx(int, int) TO returns_loader;
GRANT USAGE ON SCHEMA reporting TO returns_loader, returns_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA reporting TO returns_loader, returns_reader;

-- +goose Down
DROP VIEW reporting.disciplines, reporting.supervisions, reporting.transfers, reporting.admissions, reporting.summaries, reporting.submissions;
