-- +goose Up
-- Detail tables of the BCQ-1 template (shared/domain.md §7). Column names
-- are the schema's field names: the loader maps fields to columns by name
-- and refuses to start when a schema field has no column.
-- Every row carries its submission, sheet and source row.

CREATE TABLE returns.summary (
    submission_id              bigint NOT NULL REFERENCES returns.submission (id),
    source_sheet               text   NOT NULL,
    source_row                 int    NOT NULL,
    org_code                   text,
    org_name                   text,
    org_type                   text,
    parent_code                text,
    year                       int,
    quarter                    int,
    template_version           text,
    cells_count                int,
    members_start_official     int,
    members_start_probationary int,
    admitted                   int,
    readmitted                 int,
    recognised_official        int,
    transfer_in_official       int,
    transfer_out_official      int,
    increase_other             int,
    increase_other_note        text,
    deceased                   int,
    expelled                   int,
    struck_off                 int,
    resigned                   int,
    decrease_other             int,
    decrease_other_note        text,
    members_end_official       int,
    members_end_probationary   int,
    temp_in                    int,
    temp_out                   int,
    admission_target_year      int,
    preparer_name              text,
    phone                      text,
    email                      text,
    prepared_on                date,
    PRIMARY KEY (submission_id)
);

CREATE TABLE returns.admission (
    submission_id         bigint NOT NULL REFERENCES returns.submission (id),
    source_sheet          text   NOT NULL,
    source_row            int    NOT NULL,
    full_name             text,
    gender                text,
    birth_date            date,
    citizen_id            text,
    ethnicity_code        text,
    religion_code         text,
    general_education     text,
    professional_level    text,
    political_theory      text,
    occupation_group      text,
    workplace_sector      text,
    is_youth_union_member boolean,
    is_readmission        boolean,
    cell_code             text,
    decision_no           text,
    decision_date         date,
    deciding_body         text,
    ceremony_date         date,
    profile_no            text,
    note                  text,
    -- KN-06: probation ends 12 months after the ceremony (derived).
    probation_end         date GENERATED ALWAYS AS ((ceremony_date + interval '12 months')::date) STORED,
    PRIMARY KEY (submission_id, source_row)
);

CREATE TABLE returns.transfer (
    submission_id        bigint NOT NULL REFERENCES returns.submission (id),
    source_sheet         text   NOT NULL,
    source_row           int    NOT NULL,
    full_name            text,
    birth_date           date,
    gender               text,
    member_status        text,
    card_no              text,
    profile_no           text,
    join_date            date,
    official_date        date,
    direction            text,
    transfer_type        text,
    scope                text,
    reason               text,
    counterpart_org_name text,
    counterpart_org_code text,
    letter_no            text,
    event_date           date,
    decision_date        date,
    temp_until           date,
    dues_paid_through    date,
    cell_code            text,
    note                 text,
    PRIMARY KEY (submission_id, source_row)
);

CREATE TABLE returns.supervision (
    submission_id         bigint NOT NULL REFERENCES returns.submission (id),
    source_sheet          text   NOT NULL,
    source_row            int    NOT NULL,
    actor                 text,
    activity              text,
    supervision_form      text,
    inspection_type       text,
    subject_type          text,
    subject_name          text,
    subject_org_code      text,
    subject_member_id     text,
    subject_member_status text,
    is_committee_member   boolean,
    topic                 text,
    decision_no           text,
    start_date            date,
    conclusion_date       date,
    result                text,
    discipline_required   boolean,
    discipline_form       text,
    discipline_body       text,
    discipline_date       date,
    PRIMARY KEY (submission_id, source_row)
);

CREATE TABLE returns.discipline (
    submission_id         bigint NOT NULL REFERENCES returns.submission (id),
    source_sheet          text   NOT NULL,
    source_row            int    NOT NULL,
    subject_type          text,
    subject_name          text,
    subject_member_id     text,
    subject_member_status text,
    is_committee_member   boolean,
    violation_summary     text,
    discipline_form       text,
    discipline_body       text,
    decision_no           text,
    decision_date         date,
    source                text,
    PRIMARY KEY (submission_id, source_row)
);

-- +goose Down
DROP TABLE returns.discipline, returns.supervision, returns.transfer, returns.admission, returns.summary;
