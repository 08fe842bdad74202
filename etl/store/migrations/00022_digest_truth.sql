-- +goose Up
-- The digest tells the truth (issue 10).
--
-- 1. Disciplines. The template puts a discipline decided after supervision
--    or inspection on the GiamSat row (discipline_form), and KyLuat holds
--    only the discipline that is not on a GiamSat row (shared/domain.md
--    §6.2 item 7, §7.5). reporting.disciplines keeps meaning "KyLuat rows";
--    reporting.disciplines_all is every discipline decided in the quarter:
--    the KyLuat rows and the GiamSat rows with a discipline_form, told apart
--    by origin ('KyLuat' / 'GiamSat').
--
--    decided_by classifies the free-text discipline_body (who decided), so
--    that a province can add it up:
--      UBKT    it starts with "Ủy ban kiểm tra" (any case, "Ủy" or "Uỷ") or "UBKT"
--      BTV     it starts with "Ban thường vụ" (any case) or "BTV"
--      CHI_BO  it starts with "Chi bộ" (any case)
--      CAP_UY  it starts with "Đảng ủy", "Đảng bộ", "Tỉnh ủy", "Thành ủy", "Huyện ủy",
--              "Quận ủy", "Thị ủy" (any case, "ủy" or "uỷ")
--      KHAC    anything else, or no body
--    after trimming spaces; the text is NFC (the loader normalises it). The
--    patterns spell both cases of each letter, so they do not depend on the
--    database's locale.
--
-- 2. Restatements. scoped.figure_versions gives, for every version of every
--    submission of the scope (current or superseded), a hash of the figures
--    the digest computes from it: the ThongTin counts, the composition of the
--    KetNap rows, the ChuyenSinhHoat rows by direction, type and scope, the
--    GiamSat rows by actor, activity, form, subject, result and discipline,
--    the KyLuat rows by form, subject and decided_by, and the warnings. A
--    late or corrected return is a restatement only when this hash differs
--    from the version the previous digest saw (a new phone number is not).

-- +goose StatementBegin
CREATE FUNCTION returns.decided_by(body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN body IS NULL OR btrim(body) = '' THEN 'KHAC'
    WHEN btrim(body) ~ '^([ỦủỦ]y|[Uu][ỷỶ]|ỦY|UỶ)[ ]+[Bb][Aa][Nn][ ]+[Kk][Ii][Ểể][Mm][ ]+[Tt][Rr][Aa]' OR btrim(body) ~ '^[Uu][Bb][Kk][Tt]\M' THEN 'UBKT'
    WHEN btrim(body) ~ '^[Bb][Aa][Nn][ ]+[Tt][Hh][Ưư][Ờờ][Nn][Gg][ ]+[Vv][Ụụ]' OR btrim(body) ~ '^[Bb][Tt][Vv]\M' THEN 'BTV'
    WHEN btrim(body) ~ '^[Cc][Hh][Ii][ ]+[Bb][Ộộ]' THEN 'CHI_BO'
    WHEN btrim(body) ~ '^([Đđ][Ảả][Nn][Gg]|[Tt][Ỉỉ][Nn][Hh]|[Tt][Hh][Àà][Nn][Hh]|[Hh][Uu][Yy][Ệệ][Nn]|[Qq][Uu][Ậậ][Nn]|[Tt][Hh][Ịị])[ ]+([Ủủ][Yy]|[Uu][Ỷỷ])'
      OR btrim(body) ~ '^[Đđ][Ảả][Nn][Gg][ ]+[Bb][Ộộ]' THEN 'CAP_UY'
    ELSE 'KHAC'
END;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION returns.decided_by(text) TO PUBLIC;

CREATE VIEW reporting.disciplines_all AS
SELECT s.org_code, s.year, s.quarter, s.submission_id, d.source_sheet, d.source_row,
       'KyLuat'::text AS origin,
       d.subject_type, d.subject_name, d.subject_member_id, d.subject_member_status, d.is_committee_member,
       d.discipline_form, d.discipline_body, returns.decided_by(d.discipline_body) AS decided_by,
       d.decision_no, d.decision_date,
       d.source, NULL::text AS actor, NULL::text AS activity, NULL::text AS result
FROM reporting.submissions s JOIN returns.discipline d USING (submission_id)
UNION ALL
SELECT s.org_code, s.year, s.quarter, s.submission_id, g.source_sheet, g.source_row,
       'GiamSat'::text AS origin,
       g.subject_type, g.subject_name, g.subject_member_id, g.subject_member_status, g.is_committee_member,
       g.discipline_form, g.discipline_body, returns.decided_by(g.discipline_body) AS decided_by,
       g.decision_no, g.discipline_date,
       NULL::text, g.actor, g.activity, g.result
FROM reporting.submissions s JOIN returns.supervision g USING (submission_id)
WHERE g.discipline_form IS NOT NULL;
COMMENT ON VIEW reporting.disciplines_all IS 'Every discipline of current submissions: KyLuat rows and GiamSat rows with a discipline_form (origin), with decided_by (UBKT, BTV, CHI_BO, CAP_UY, KHAC) from discipline_body.';
GRANT SELECT ON reporting.disciplines_all TO returns_loader, returns_reader;

CREATE VIEW scoped.disciplines_all WITH (security_barrier) AS
SELECT * FROM reporting.disciplines_all WHERE org_code IN (SELECT returns.scope_orgs());

CREATE VIEW scoped.figure_versions WITH (security_barrier) AS
SELECT s.id AS submission_id, s.org_code, s.year, s.quarter, s.version, s.status, s.loaded_at,
       md5(concat_ws('|',
           (SELECT concat_ws(',', t.members_start_official, t.members_start_probationary, t.admitted, t.readmitted,
                   t.recognised_official, t.transfer_in_official, t.transfer_out_official, t.increase_other, t.deceased,
                   t.expelled, t.struck_off, t.resigned, t.decrease_other, t.members_end_official,
                   t.members_end_probationary, t.temp_in, t.temp_out, t.admission_target_year)
            FROM returns.summary t WHERE t.submission_id = s.id),
           (SELECT string_agg(concat_ws(',', x.gender, x.is_youth_union_member, x.ethnicity_code, x.religion_code,
                   x.workplace_sector, x.n), ';' ORDER BY x.gender, x.is_youth_union_member, x.ethnicity_code, x.religion_code, x.workplace_sector)
            FROM (SELECT gender, is_youth_union_member, ethnicity_code, religion_code, workplace_sector, count(*) AS n
                  FROM returns.admission WHERE submission_id = s.id GROUP BY 1, 2, 3, 4, 5) x),
           (SELECT string_agg(concat_ws(',', x.direction, x.transfer_type, x.scope, x.n), ';' ORDER BY x.direction, x.transfer_type, x.scope)
            FROM (SELECT direction, transfer_type, scope, count(*) AS n
                  FROM returns.transfer WHERE submission_id = s.id GROUP BY 1, 2, 3) x),
           (SELECT string_agg(concat_ws(',', x.actor, x.activity, x.form, x.subject_type, x.result, x.discipline_form, x.body, x.n), ';'
                   ORDER BY x.actor, x.activity, x.form, x.subject_type, x.result, x.discipline_form, x.body)
            FROM (SELECT actor, activity, coalesce(supervision_form, inspection_type) AS form, subject_type, result, discipline_form,
                         returns.decided_by(discipline_body) AS body, count(*) AS n
                  FROM returns.supervision WHERE submission_id = s.id GROUP BY 1, 2, 3, 4, 5, 6, 7) x),
           (SELECT string_agg(concat_ws(',', x.discipline_form, x.subject_type, x.body, x.n), ';' ORDER BY x.discipline_form, x.subject_type, x.body)
            FROM (SELECT discipline_form, subject_type, returns.decided_by(discipline_body) AS body, count(*) AS n
                  FROM returns.discipline WHERE submission_id = s.id GROUP BY 1, 2, 3) x),
           s.warnings)) AS figures_hash
FROM returns.submission s WHERE s.org_code IN (SELECT returns.scope_orgs());

GRANT SELECT ON scoped.disciplines_all, scoped.figure_versions TO returns_digest;

-- +goose Down
DROP VIEW scoped.figure_versions, scoped.disciplines_all, reporting.disciplines_all;
DROP FUNCTION returns.decided_by(text);
