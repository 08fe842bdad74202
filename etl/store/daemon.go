package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/returns-project/returns/etl/domain"
)

// This file holds what the daemon asks of the database: file claims across
// daemons, the outcome recorded for an inbox entry, the scheduled runs, the
// organisations late with their return and the quarter board.

// Ping checks that the database answers (the daemon's readiness).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// FileClaim is a claim on one inbox entry: a PostgreSQL session advisory
// lock held on a connection of its own. It ends with [FileClaim.Release],
// or by itself when the process or its connection dies, so a daemon killed
// in the middle of a file never blocks it for the others.
type FileClaim struct {
	conn *sql.Conn
	key  string
}

// ClaimFile tries to claim the inbox entry key for this process. It returns
// nil and no error when another session holds it.
func (s *Store) ClaimFile(ctx context.Context, key string) (_ *FileClaim, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: claim file: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended('returns.inbox:' || $1, 0))`, key).Scan(&got); err != nil {
		discard(conn)
		return nil, fmt.Errorf("store: claim file: %w", err)
	}
	if !got {
		_ = conn.Close()
		return nil, nil
	}
	return &FileClaim{conn: conn, key: key}, nil
}

// Release ends the claim. When the lock cannot be released (the connection
// broke), the connection is discarded rather than returned to the pool, so
// the lock ends with it.
func (c *FileClaim) Release(ctx context.Context) {
	if c == nil || c.conn == nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	var ok bool
	if err := c.conn.QueryRowContext(rctx, `SELECT pg_advisory_unlock(hashtextextended('returns.inbox:' || $1, 0))`, c.key).Scan(&ok); err != nil || !ok {
		discard(c.conn)
	} else {
		_ = c.conn.Close()
	}
	c.conn = nil
}

// discard closes conn and keeps database/sql from reusing it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}

// RecordedOutcome is the outcome recorded for an inbox entry.
type RecordedOutcome struct {
	Outcome      string `db:"outcome"` // loaded, rejected or duplicate
	SHA256       string `db:"sha256"`
	Reason       string `db:"reason"`
	Org          string `db:"org_code"`
	Year         int    `db:"year"`
	Quarter      int    `db:"quarter"`
	SubmissionID int64  `db:"submission_id"`
}

// OutcomeOf returns the outcome recorded for the inbox entry key, or nil
// when none is.
func (s *Store) OutcomeOf(ctx context.Context, key string) (*RecordedOutcome, error) {
	var o RecordedOutcome
	err := s.db.GetContext(ctx, &o, `SELECT outcome, sha256, coalesce(reason, '') AS reason, coalesce(org_code, '') AS org_code,
		coalesce(year, 0) AS year, coalesce(quarter, 0) AS quarter, coalesce(submission_id, 0) AS submission_id
		FROM returns.file_event WHERE inbox_key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: outcome of inbox entry: %w", err)
	}
	return &o, nil
}

// ClaimJobRun records that owner runs job for its scheduled slot. It
// returns false, without error, when that slot was claimed already (by
// another daemon): each scheduled run is executed once.
func (s *Store) ClaimJobRun(ctx context.Context, job string, slot time.Time, owner string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO returns.job_run (job, slot, owner, started_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (job, slot) DO NOTHING`, job, slot, owner, s.now())
	if err != nil {
		return false, fmt.Errorf("store: claim run of %s: %w", job, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim run of %s: %w", job, err)
	}
	return n == 1, nil
}

// FinishJobRun records the end of a run claimed with [Store.ClaimJobRun].
func (s *Store) FinishJobRun(ctx context.Context, job string, slot time.Time, ok bool) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE returns.job_run SET finished_at = $3, ok = $4 WHERE job = $1 AND slot = $2`,
		job, slot, s.now(), ok); err != nil {
		return fmt.Errorf("store: finish run of %s: %w", job, err)
	}
	return nil
}

// LastJobRun returns the latest slot of job that any daemon claimed; zero
// when it never ran.
func (s *Store) LastJobRun(ctx context.Context, job string) (time.Time, error) {
	var t sql.NullTime
	if err := s.db.GetContext(ctx, &t, `SELECT max(slot) FROM returns.job_run WHERE job = $1`, job); err != nil {
		return time.Time{}, fmt.Errorf("store: last run of %s: %w", job, err)
	}
	return t.Time, nil
}

// JobRuns counts the claimed runs of job (tests and the status of a job).
func (s *Store) JobRuns(ctx context.Context, job string) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM returns.job_run WHERE job = $1`, job); err != nil {
		return 0, fmt.Errorf("store: runs of %s: %w", job, err)
	}
	return n, nil
}

// BoardRow is one organisation expected to report in a quarter: a
// grassroots organisation active in the current registry for the whole
// quarter, with its accepted return if any and its rejected files.
type BoardRow struct {
	Org     string   `db:"code"`
	Name    string   `db:"name"`
	Type    string   `db:"org_type"`
	Emails  []string `db:"-"`
	Parent  string   `db:"parent_code"`
	Current struct {
		SubmissionID sql.NullInt64 `db:"id"`
		Version      sql.NullInt64 `db:"version"`
		ReceivedAt   sql.NullTime  `db:"received_at"`
		LoadedAt     sql.NullTime  `db:"loaded_at"`
	} `db:"cur"`
	// FirstReceivedAt is when the first accepted version arrived (on time or
	// late is judged by it); null when none was.
	FirstReceivedAt sql.NullTime `db:"first_received_at"`
	// Rejected counts the files of the quarter rejected for this
	// organisation; LastReason is the reason code of the latest.
	Rejected       int            `db:"rejected"`
	LastReason     sql.NullString `db:"last_reason"`
	LastRejectedAt sql.NullTime   `db:"last_rejected_at"`
}

type boardScan struct {
	BoardRow
	Emails pq.StringArray `db:"contact_emails"`
}

// QuarterBoard lists, by organisation code, every organisation expected to
// report for year and quarter (see [BoardRow]). It returns [ErrNoRegistry]
// when no registry was imported.
func (s *Store) QuarterBoard(ctx context.Context, year, quarter int) (rows []BoardRow, err error) {
	return quarterBoard(ctx, s.db, year, quarter)
}

func quarterBoard(ctx context.Context, q sqlx.QueryerContext, year, quarter int) ([]BoardRow, error) {
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM returns.registry_version`); err != nil {
		return nil, fmt.Errorf("store: quarter board: %w", err)
	}
	if n == 0 {
		return nil, ErrNoRegistry
	}
	var scans []boardScan
	err := sqlx.SelectContext(ctx, q, &scans, `
		WITH orgs AS (
			SELECT code, name, org_type, coalesce(parent_code, '') AS parent_code, contact_emails FROM returns.org_unit
			WHERE registry_version_id = (SELECT max(id) FROM returns.registry_version)
			  AND org_type = ANY($4) AND valid_from_q <= $3 AND (valid_to_q IS NULL OR valid_to_q >= $3))
		SELECT o.code, o.name, o.org_type, o.parent_code, o.contact_emails,
			s.id AS "cur.id", s.version AS "cur.version", s.received_at AS "cur.received_at", s.loaded_at AS "cur.loaded_at",
			(SELECT min(f.received_at) FROM returns.submission f WHERE f.org_code = o.code AND f.year = $1 AND f.quarter = $2) AS first_received_at,
			(SELECT count(*) FROM returns.file_event e WHERE e.org_code = o.code AND e.year = $1 AND e.quarter = $2 AND e.outcome = 'rejected') AS rejected,
			(SELECT e.reason FROM returns.file_event e WHERE e.org_code = o.code AND e.year = $1 AND e.quarter = $2 AND e.outcome = 'rejected'
				ORDER BY e.decided_at DESC, e.id DESC LIMIT 1) AS last_reason,
			(SELECT max(e.decided_at) FROM returns.file_event e WHERE e.org_code = o.code AND e.year = $1 AND e.quarter = $2 AND e.outcome = 'rejected') AS last_rejected_at
		FROM orgs o
		LEFT JOIN returns.submission s ON s.org_code = o.code AND s.year = $1 AND s.quarter = $2 AND s.status = 'accepted'
		ORDER BY o.code`, year, quarter, year*4+quarter-1, pq.Array(domain.ReportingTypes))
	if err != nil {
		return nil, fmt.Errorf("store: quarter board %d-Q%d: %w", year, quarter, err)
	}
	rows := make([]BoardRow, len(scans))
	for i, sc := range scans {
		rows[i] = sc.BoardRow
		rows[i].Emails = []string(sc.Emails)
	}
	return rows, nil
}

// PruneJobRuns removes the scheduled-run records older than before, keeping
// each job's latest (its last run for the missed-run policy).
func (s *Store) PruneJobRuns(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM returns.job_run r WHERE r.slot < $1
		AND r.slot < (SELECT max(slot) FROM returns.job_run l WHERE l.job = r.job)`, before)
	if err != nil {
		return 0, fmt.Errorf("store: prune job runs: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
