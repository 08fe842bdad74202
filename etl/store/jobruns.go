package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// This file holds the scheduled runs (returns.job_run): each slot of a job
// is claimed once across daemons, and the latest run of each is kept.

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
