package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/returns-project/returns/etl/domain"
)

// This file holds the web console's reads. Every page reads in one
// read-only transaction opened by [Store.View] for a [Viewer]: an
// administrator reads the unscoped views, anyone else the scoped ones as
// role returns_digest under their organisation (migration 00024). The SQL
// text is the same for both; PostgreSQL decides what it returns.

// Viewer is who a console page is read for.
type Viewer struct {
	// All reads everything (administrators and the open console).
	All bool
	// Scope is the organisation whose subtree is visible when All is false;
	// "" (or an unknown code) sees nothing.
	Scope string
	// Account is the signed-in account (0: none): the outcomes of the files
	// it uploaded are visible to it whatever their organisation.
	Account int64
}

// Console is one page's read-only view of the database; see [Store.View].
type Console struct {
	tx *sqlx.Tx
}

// View runs fn with a Console limited to what v may see, in one read-only
// repeatable-read transaction (a page's figures agree with each other).
func (s *Store) View(ctx context.Context, v Viewer, fn func(*Console) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return fmt.Errorf("store: console view: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if v.All {
		_, err = tx.ExecContext(ctx, `SET LOCAL search_path = unscoped, reporting, pg_catalog`)
	} else {
		_, err = tx.ExecContext(ctx, `SET LOCAL ROLE returns_digest`)
		if err == nil {
			_, err = tx.ExecContext(ctx, `SET LOCAL search_path = scoped, pg_catalog`)
		}
		if err == nil {
			_, err = tx.ExecContext(ctx, `SELECT set_config('returns.scope_org', $1, true), set_config('returns.web_account', $2, true)`,
				v.Scope, strconv.FormatInt(v.Account, 10))
		}
	}
	if err != nil {
		return fmt.Errorf("store: console view: %w", err)
	}
	return fn(&Console{tx: tx})
}

// Board is the quarter board of the organisations visible (see
// [Store.QuarterBoard], whose figures it repeats through the views; Emails
// is left empty). It is empty when no registry was imported or none of it
// is visible.
func (c *Console) Board(ctx context.Context, year, quarter int) ([]BoardRow, error) {
	var n int
	if err := c.tx.GetContext(ctx, &n, `SELECT count(*) FROM orgs`); err != nil {
		return nil, fmt.Errorf("store: board: %w", err)
	}
	if n == 0 {
		return nil, nil // no registry, or nothing of it visible
	}
	var rows []BoardRow
	err := c.tx.SelectContext(ctx, &rows, `
		WITH o AS (
			SELECT code, name, org_type, coalesce(parent_code, '') AS parent_code FROM orgs
			WHERE org_type = ANY($4) AND valid_from_q <= $3 AND (valid_to_q IS NULL OR valid_to_q >= $3)),
		first AS (
			SELECT org_code, min(received_at) AS first_received_at FROM web_submissions
			WHERE year = $1 AND quarter = $2 GROUP BY org_code),
		rej AS (
			SELECT DISTINCT ON (org_code) org_code, count(*) OVER w AS n, reason, max(decided_at) OVER w AS last_at
			FROM web_files WHERE year = $1 AND quarter = $2 AND outcome = 'rejected'
			WINDOW w AS (PARTITION BY org_code)
			ORDER BY org_code, decided_at DESC, id DESC)
		SELECT o.code, o.name, o.org_type, o.parent_code,
			s.id AS "cur.id", s.version AS "cur.version", s.received_at AS "cur.received_at", s.loaded_at AS "cur.loaded_at",
			f.first_received_at, coalesce(r.n, 0) AS rejected, r.reason AS last_reason, r.last_at AS last_rejected_at
		FROM o
		LEFT JOIN web_submissions s ON s.org_code = o.code AND s.year = $1 AND s.quarter = $2 AND s.status = 'accepted'
		LEFT JOIN first f ON f.org_code = o.code
		LEFT JOIN rej r ON r.org_code = o.code
		ORDER BY o.code`, year, quarter, year*4+quarter-1, pq.Array(domain.ReportingTypes))
	if err != nil {
		return nil, fmt.Errorf("store: board %d-Q%d: %w", year, quarter, err)
	}
	return rows, nil
}

// ConsoleOrg is an organisation of the current registry.
type ConsoleOrg struct {
	Code      string `db:"code"`
	Name      string `db:"name"`
	Type      string `db:"org_type"`
	Parent    string `db:"parent_code"`
	FromQ     int    `db:"valid_from_q"`
	ToQ       int    `db:"valid_to_q"` // 0: still active
	Successor string `db:"successor_code"`
}

const orgCols = `code, name, org_type, coalesce(parent_code, '') AS parent_code, valid_from_q, coalesce(valid_to_q, 0) AS valid_to_q,
	coalesce(successor_code, '') AS successor_code`

// Orgs lists the visible organisations of the current registry in the
// registry's order.
func (c *Console) Orgs(ctx context.Context) (list []ConsoleOrg, err error) {
	if err := c.tx.SelectContext(ctx, &list, `SELECT `+orgCols+` FROM orgs ORDER BY source_row, code`); err != nil {
		return nil, fmt.Errorf("store: organisations: %w", err)
	}
	return list, nil
}

// Org returns a visible organisation, or nil.
func (c *Console) Org(ctx context.Context, code string) (*ConsoleOrg, error) {
	var o ConsoleOrg
	err := c.tx.GetContext(ctx, &o, `SELECT `+orgCols+` FROM orgs WHERE code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: organisation %s: %w", code, err)
	}
	return &o, nil
}

// FileEvent is the recorded outcome of one file.
type FileEvent struct {
	ID           int64         `db:"id"`
	SHA256       string        `db:"sha256"`
	FileName     string        `db:"file_name"`
	Org          string        `db:"org_code"`
	Year         int           `db:"year"`
	Quarter      int           `db:"quarter"`
	Outcome      string        `db:"outcome"` // loaded, rejected or duplicate
	Reason       string        `db:"reason"`
	SubmissionID sql.NullInt64 `db:"submission_id"`
	Errors       int           `db:"errors"`
	Warnings     int           `db:"warnings"`
	ReceivedAt   time.Time     `db:"received_at"`
	DecidedAt    time.Time     `db:"decided_at"`
}

const fileCols = `id, sha256, file_name, org_code, year, quarter, outcome, reason, submission_id, errors, warnings, received_at, decided_at`

// FileFilter narrows [Console.Files].
type FileFilter struct {
	Org     string // "" for all
	Outcome string // "" for all
	Limit   int    // defaults to 100
}

// Files lists the latest visible file outcomes, newest first.
func (c *Console) Files(ctx context.Context, f FileFilter) (list []FileEvent, err error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	err = c.tx.SelectContext(ctx, &list, `SELECT `+fileCols+` FROM web_files
		WHERE ($1 = '' OR org_code = $1) AND ($2 = '' OR outcome = $2)
		ORDER BY decided_at DESC, id DESC LIMIT $3`, f.Org, f.Outcome, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: files: %w", err)
	}
	return list, nil
}

// File returns a visible file outcome, or nil.
func (c *Console) File(ctx context.Context, id int64) (*FileEvent, error) {
	var e FileEvent
	err := c.tx.GetContext(ctx, &e, `SELECT `+fileCols+` FROM web_files WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: file %d: %w", id, err)
	}
	return &e, nil
}

// FileBySHA returns the latest visible outcome of the content sha decided
// at or after since, or nil when none is yet.
func (c *Console) FileBySHA(ctx context.Context, sha string, since time.Time) (*FileEvent, error) {
	var e FileEvent
	err := c.tx.GetContext(ctx, &e, `SELECT `+fileCols+` FROM web_files WHERE sha256 = $1 AND decided_at >= $2
		ORDER BY decided_at DESC, id DESC LIMIT 1`, sha, since)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: file of content %.12s: %w", sha, err)
	}
	return &e, nil
}

// IssueRow is one stored validation issue.
type IssueRow struct {
	Sheet     string        `db:"sheet"`
	Cell      string        `db:"cell"`
	SourceRow sql.NullInt64 `db:"source_row"`
	Field     string        `db:"field"`
	Rule      string        `db:"rule_id"`
	Severity  string        `db:"severity"`
	Value     string        `db:"value"`
	MessageVI string        `db:"message_vi"`
	MessageEN string        `db:"message_en"`
}

// Issues lists the validation issues of a file outcome (its event's, or its
// submission's when it was loaded), by sheet, rule and position.
func (c *Console) Issues(ctx context.Context, e *FileEvent) (list []IssueRow, err error) {
	err = c.tx.SelectContext(ctx, &list, `SELECT sheet, cell, source_row, field, rule_id, severity, value, message_vi, message_en
		FROM web_issues WHERE file_event_id = $1 OR (file_event_id IS NULL AND submission_id = $2)
		ORDER BY sheet, rule_id, source_row NULLS FIRST, cell, id`, e.ID, e.SubmissionID)
	if err != nil {
		return nil, fmt.Errorf("store: issues of file %d: %w", e.ID, err)
	}
	return list, nil
}

// Version is one version of an organisation's return for a quarter.
type Version struct {
	ID         int64     `db:"id"`
	Org        string    `db:"org_code"`
	Year       int       `db:"year"`
	Quarter    int       `db:"quarter"`
	Version    int       `db:"version"`
	Status     string    `db:"status"` // accepted (current) or superseded
	FileName   string    `db:"file_name"`
	SHA256     string    `db:"sha256"`
	ReceivedAt time.Time `db:"received_at"`
	LoadedAt   time.Time `db:"loaded_at"`
	Errors     int       `db:"errors"`
	Warnings   int       `db:"warnings"`
	// EventID is the file outcome that loaded it (0 if none is recorded).
	EventID int64 `db:"event_id"`
	// Figures are the ThongTin figures of the version.
	Figures
}

// Figures are the key ThongTin figures of a return.
type Figures struct {
	MembersEnd   int64 `db:"members_end"`
	Admitted     int64 `db:"admitted"`
	TransferIn   int64 `db:"transfer_in"`
	TransferOut  int64 `db:"transfer_out"`
	Admissions   int64 `db:"admission_rows"`
	Transfers    int64 `db:"transfer_rows"`
	Supervisions int64 `db:"supervision_rows"`
	Disciplines  int64 `db:"discipline_rows"`
}

// Versions lists the visible versions of an organisation's returns, newest
// quarter and version first; year 0 lists every quarter.
func (c *Console) Versions(ctx context.Context, org string, year, quarter int) (list []Version, err error) {
	// Figures and row counts of every version, current or superseded,
	// through web_figures and web_rows (scoped like web_submissions).
	err = c.tx.SelectContext(ctx, &list, `SELECT s.id, s.org_code, s.year, s.quarter, s.version, s.status, s.file_name, s.sha256,
			s.received_at, s.loaded_at, s.errors, s.warnings,
			coalesce((SELECT max(e.id) FROM web_files e WHERE e.submission_id = s.id AND e.outcome = 'loaded'), 0) AS event_id,
			coalesce(f.members_end_official, 0) + coalesce(f.members_end_probationary, 0) AS members_end, coalesce(f.admitted, 0) AS admitted,
			coalesce(f.transfer_in_official, 0) AS transfer_in, coalesce(f.transfer_out_official, 0) AS transfer_out,
			coalesce(r.admission_rows, 0) AS admission_rows, coalesce(r.transfer_rows, 0) AS transfer_rows,
			coalesce(r.supervision_rows, 0) AS supervision_rows, coalesce(r.discipline_rows, 0) AS discipline_rows
		FROM web_submissions s
		LEFT JOIN web_figures f ON f.submission_id = s.id
		LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE sheet = 'KetNap') AS admission_rows,
				count(*) FILTER (WHERE sheet = 'ChuyenSinhHoat') AS transfer_rows,
				count(*) FILTER (WHERE sheet = 'GiamSat') AS supervision_rows,
				count(*) FILTER (WHERE sheet = 'KyLuat') AS discipline_rows
			FROM web_rows x WHERE x.submission_id = s.id) r ON true
		WHERE s.org_code = $1 AND ($2 = 0 OR (s.year = $2 AND s.quarter = $3))
		ORDER BY s.year DESC, s.quarter DESC, s.version DESC`, org, year, quarter)
	if err != nil {
		return nil, fmt.Errorf("store: versions of %s: %w", org, err)
	}
	return list, nil
}

// SourceRow is one loaded row behind a figure, with where it came from.
type SourceRow struct {
	SubmissionID int64          `db:"submission_id"`
	Sheet        string         `db:"source_sheet"`
	Row          int            `db:"source_row"`
	Name         sql.NullString `db:"name"` // personal data: shown only to roles allowed
	Kind         string         `db:"kind"` // gender / direction / form: what the row is
	Date         sql.NullTime   `db:"date"`
	Ref          string         `db:"ref"` // decision or letter number
}

// Sheets whose rows [Console.Rows] lists.
var rowQueries = map[string]string{
	"KetNap": `SELECT submission_id, source_sheet, source_row, full_name AS name, coalesce(gender, '') AS kind,
		decision_date AS date, coalesce(decision_no, '') AS ref FROM admissions WHERE submission_id = $1 ORDER BY source_row`,
	"ChuyenSinhHoat": `SELECT submission_id, source_sheet, source_row, full_name AS name, coalesce(direction, '') || ' ' || coalesce(transfer_type, '') AS kind,
		event_date AS date, coalesce(letter_no, '') AS ref FROM transfers WHERE submission_id = $1 ORDER BY source_row`,
	"GiamSat": `SELECT submission_id, source_sheet, source_row, subject_name AS name, coalesce(activity, '') AS kind,
		start_date AS date, coalesce(decision_no, '') AS ref FROM supervisions WHERE submission_id = $1 ORDER BY source_row`,
	"KyLuat": `SELECT submission_id, source_sheet, source_row, subject_name AS name, coalesce(discipline_form, '') AS kind,
		decision_date AS date, coalesce(decision_no, '') AS ref FROM disciplines WHERE submission_id = $1 ORDER BY source_row`,
}

// RowSheets are the sheets [Console.Rows] knows, in the template's order.
var RowSheets = []string{"KetNap", "ChuyenSinhHoat", "GiamSat", "KyLuat"}

// Rows lists the loaded rows of sheet in a current, visible submission.
func (c *Console) Rows(ctx context.Context, submissionID int64, sheet string) (list []SourceRow, err error) {
	q, ok := rowQueries[sheet]
	if !ok {
		return nil, fmt.Errorf("store: rows: unknown sheet %q", sheet)
	}
	if err := c.tx.SelectContext(ctx, &list, q, submissionID); err != nil {
		return nil, fmt.Errorf("store: rows of %s in submission %d: %w", sheet, submissionID, err)
	}
	return list, nil
}

// OutboxLine is one mail of the outbox, without its body.
type OutboxLine struct {
	ID         int64          `db:"id"`
	Kind       string         `db:"kind"`
	Recipients pq.StringArray `db:"recipients"`
	Subject    string         `db:"subject"`
	Status     string         `db:"status"`
	Attempts   int            `db:"attempts"`
	LastError  sql.NullString `db:"last_error"`
	CreatedAt  time.Time      `db:"created_at"`
	SentAt     sql.NullTime   `db:"sent_at"`
	NextAt     time.Time      `db:"next_attempt_at"`
}

// OutboxMailBody is one outbox mail with its bodies.
type OutboxMailBody struct {
	OutboxLine
	Text string         `db:"body_text"`
	HTML sql.NullString `db:"body_html"`
}

// Outbox lists the latest mails of the outbox (administrators only: it is
// not scoped), newest first, optionally only those of status.
func (s *Store) Outbox(ctx context.Context, status string, limit int) (list []OutboxLine, err error) {
	err = s.db.SelectContext(ctx, &list, `SELECT id, kind, recipients, subject, status, attempts, last_error, created_at, sent_at, next_attempt_at
		FROM returns.outbox WHERE ($1 = '' OR status = $1) ORDER BY id DESC LIMIT $2`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	return list, nil
}

// OutboxMail returns one mail of the outbox with its bodies, or nil.
func (s *Store) OutboxMail(ctx context.Context, id int64) (*OutboxMailBody, error) {
	var m OutboxMailBody
	err := s.db.GetContext(ctx, &m, `SELECT id, kind, recipients, subject, status, attempts, last_error, created_at, sent_at, next_attempt_at,
		body_text, body_html FROM returns.outbox WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: outbox mail %d: %w", id, err)
	}
	return &m, nil
}

// DigestLine is one digest queued for a recipient.
type DigestLine struct {
	Email    string       `db:"email"`
	Year     int          `db:"year"`
	Quarter  int          `db:"quarter"`
	Resend   int          `db:"resend"`
	Scope    string       `db:"scope_org_code"`
	OutboxID int64        `db:"outbox_id"`
	QueuedAt time.Time    `db:"queued_at"`
	Status   string       `db:"status"`
	SentAt   sql.NullTime `db:"sent_at"`
}

// Digests lists the digests queued, newest first (administrators only).
func (s *Store) Digests(ctx context.Context, limit int) (list []DigestLine, err error) {
	err = s.db.SelectContext(ctx, &list, `SELECT d.email, d.year, d.quarter, d.resend, d.scope_org_code, d.outbox_id, d.queued_at,
			o.status, o.sent_at
		FROM returns.digest_sent d JOIN returns.outbox o ON o.id = d.outbox_id
		ORDER BY d.year DESC, d.quarter DESC, d.queued_at DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: digests: %w", err)
	}
	return list, nil
}

// SubmissionOrg sets *org to the organisation of a visible submission, or
// leaves it "" when there is none.
func (c *Console) SubmissionOrg(ctx context.Context, id int64, org *string) error {
	err := c.tx.GetContext(ctx, org, `SELECT org_code FROM web_submissions WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: submission %d: %w", id, err)
	}
	return nil
}

// SheetDiff is what changed in one sheet from a version to the next: rows
// whose key (the person, or the subject and decision) is new, gone, or kept
// with other content.
type SheetDiff struct {
	Sheet   string `db:"sheet"`
	Added   int    `db:"added"`
	Removed int    `db:"removed"`
	Changed int    `db:"changed"`
}

// Diff compares the rows of two visible submissions, sheet by sheet (only
// the sheets with a change).
func (c *Console) Diff(ctx context.Context, older, newer int64) (list []SheetDiff, err error) {
	err = c.tx.SelectContext(ctx, &list, `WITH o AS (SELECT sheet, key, array_agg(h ORDER BY h) AS h FROM web_rows WHERE submission_id = $1 GROUP BY sheet, key),
			n AS (SELECT sheet, key, array_agg(h ORDER BY h) AS h FROM web_rows WHERE submission_id = $2 GROUP BY sheet, key)
		SELECT sheet,
			coalesce(sum(cardinality(n.h)) FILTER (WHERE o.key IS NULL), 0) AS added,
			coalesce(sum(cardinality(o.h)) FILTER (WHERE n.key IS NULL), 0) AS removed,
			count(*) FILTER (WHERE o.key IS NOT NULL AND n.key IS NOT NULL AND o.h <> n.h) AS changed
		FROM o FULL JOIN n USING (sheet, key)
		GROUP BY sheet
		HAVING count(*) FILTER (WHERE o.key IS NULL OR n.key IS NULL OR o.h <> n.h) > 0
		ORDER BY array_position(ARRAY['KetNap', 'ChuyenSinhHoat', 'GiamSat', 'KyLuat'], sheet)`, older, newer)
	if err != nil {
		return nil, fmt.Errorf("store: diff of submissions %d and %d: %w", older, newer, err)
	}
	return list, nil
}
