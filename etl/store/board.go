package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/returns-project/returns/etl/domain"
)

// This file holds the quarter board: the organisations expected to report
// in a quarter, with their accepted return and their rejected files (the
// console reads the same through the views, [Console.Board]).

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
