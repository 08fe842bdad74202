package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/returns-project/returns/etl/domain"
)

// This file holds what a file's journey records beyond its load: who was
// told of an outcome, the entries quarantined unopened, the attempts at an
// inbox entry that keep failing, the outcome recorded for an inbox entry,
// and what the operators' views read back (the files that need a person,
// the day's counts).

// Answered says who was told of a file's outcome.
type Answered string

// Who can be told.
const (
	AnsweredContacts  Answered = "contacts"  // the organisation's registered contacts
	AnsweredOperators Answered = "operators" // the operators: the file could not be attributed
	AnsweredNone      Answered = "none"      // nobody: no contact and no operator address
)

// QuarantinedFile is an inbox entry moved to quarantine/ without being
// opened, as recorded.
type QuarantinedFile struct {
	// FileName is the entry's cleaned name (the name in quarantine/).
	FileName string
	// Reason is its quarantine reason code (SYMLINK, TOO_LARGE, …).
	Reason string
	// Org, Year and Quarter are what its folder or name says; zero when
	// nothing does.
	Org           string
	Year, Quarter int
	ReceivedAt    time.Time
	Answered      Answered
}

// Rejection is a file judged and not loaded, as recorded with
// [Store.RecordRejection].
type Rejection struct {
	File FileMeta
	// Reason is the reason code of the rejection (reason.Code).
	Reason string
	// Org and Quarter are the workbook's, else those the file was
	// attributed to (the board shows the file under them); zero when
	// unknown.
	Org     string
	Quarter domain.Quarter
	// Outcome is what the validation concluded: counts and issues.
	Outcome Outcome
	// Mails tell the submitter; queued in the same transaction.
	Mails []Mail
}

// RecordRejection records a rejected file with its issues and the mails
// that tell the submitter, in a transaction of its own.
func (s *Store) RecordRejection(ctx context.Context, r Rejection) error {
	return s.recordNotLoaded(ctx, "rejected", 0, r)
}

// RecordDuplicate records a file whose content dup was loaded before (see
// [Store.BeginLoad]), under the organisation and quarter of the submission
// it repeats, with the mails that tell the submitter, in a transaction of
// its own.
func (s *Store) RecordDuplicate(ctx context.Context, meta FileMeta, dup *DuplicateError, mails ...Mail) error {
	return s.recordNotLoaded(ctx, "duplicate", dup.SubmissionID,
		Rejection{File: meta, Org: dup.Org, Quarter: domain.Quarter{Year: dup.Year, Q: dup.Quarter}, Mails: mails})
}

// recordNotLoaded records the outcome of a file that was not loaded, as r
// says; dupOf is the submission a duplicate repeats (0: none).
func (s *Store) recordNotLoaded(ctx context.Context, outcome string, dupOf int64, r Rejection) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE returns_loader`); err != nil {
			return fmt.Errorf("store: record %s: %w", outcome, err)
		}
		for _, m := range r.Mails {
			if _, _, err := s.EnqueueMail(ctx, tx, m); err != nil {
				return err
			}
		}
		var sub any
		if dupOf != 0 {
			sub = dupOf
		}
		meta := r.File
		var eventID int64
		if err := tx.GetContext(ctx, &eventID, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, reason, submission_id, errors, warnings, received_at, decided_at, inbox_key, answered)
			VALUES ($1, $2, nullif($3, ''), nullif($4, 0), nullif($5, 0), $6, nullif($7, ''), $8, $9, $10, $11, $12, nullif($13, ''), nullif($14, '')) RETURNING id`,
			meta.SHA256, meta.FileName, r.Org, r.Quarter.Year, r.Quarter.Q, outcome, r.Reason, sub, r.Outcome.Errors, r.Outcome.Warnings, meta.ReceivedAt, s.now(), meta.InboxKey, string(meta.Answered)); err != nil {
			return fmt.Errorf("store: record %s %s: %w", outcome, short(meta.SHA256), err)
		}
		return insertIssues(ctx, tx, 0, eventID, r.Outcome.Issues)
	})
}

// RecordQuarantined records a quarantined entry and queues the mails that
// tell someone about it, in one transaction.
func (s *Store) RecordQuarantined(ctx context.Context, q QuarantinedFile, mails ...Mail) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		for _, m := range mails {
			if _, _, err := s.EnqueueMail(ctx, tx, m); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, reason, received_at, decided_at, answered)
			VALUES ('', $1, nullif($2, ''), nullif($3, 0), nullif($4, 0), 'quarantined', $5, $6, $7, nullif($8, ''))`,
			q.FileName, q.Org, q.Year, q.Quarter, q.Reason, q.ReceivedAt, s.now(), string(q.Answered)); err != nil {
			return fmt.Errorf("store: record quarantined entry: %w", err)
		}
		return nil
	})
}

// Attempt is one more try at an inbox entry.
type Attempt struct {
	// N counts the tries so far, this one included.
	N int
	// LastError is the failure of the previous try ("" for none).
	LastError string
}

// BeginAttempt counts one more try at the inbox entry key and returns the
// count, this one included. It is counted before the work starts, so that a
// process killed by a file (memory) counts too.
func (s *Store) BeginAttempt(ctx context.Context, key string) (Attempt, error) {
	var a Attempt
	now := s.now()
	err := s.db.QueryRowxContext(ctx, `INSERT INTO returns.file_attempt AS a (inbox_key, attempts, first_at, last_at) VALUES ($1, 1, $2, $2)
		ON CONFLICT (inbox_key) DO UPDATE SET attempts = a.attempts + 1, last_at = $2
		RETURNING attempts, last_error`, key, now).Scan(&a.N, &a.LastError)
	if err != nil {
		return Attempt{}, fmt.Errorf("store: begin attempt: %w", err)
	}
	return a, nil
}

// FailAttempt notes why the current try at key failed (clipped; never cell
// values or names: the caller passes a scrubbed text).
func (s *Store) FailAttempt(ctx context.Context, key, why string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE returns.file_attempt SET last_error = $2 WHERE inbox_key = $1`, key, clipError(why)); err != nil {
		return fmt.Errorf("store: fail attempt: %w", err)
	}
	return nil
}

// RefundAttempts takes back n tries at key: they failed for a reason that
// is not the file's (the database or the disk), so they do not count.
func (s *Store) RefundAttempts(ctx context.Context, key string, n int) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE returns.file_attempt SET attempts = greatest(attempts - $2, 0) WHERE inbox_key = $1`, key, n); err != nil {
		return fmt.Errorf("store: refund attempt: %w", err)
	}
	return nil
}

// ForgetAttempts removes the tries of an entry that reached its terminal
// state.
func (s *Store) ForgetAttempts(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM returns.file_attempt WHERE inbox_key = $1`, key); err != nil {
		return fmt.Errorf("store: forget attempts: %w", err)
	}
	return nil
}

// Attempts returns the tries counted for key (0 when none).
func (s *Store) Attempts(ctx context.Context, key string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT attempts FROM returns.file_attempt WHERE inbox_key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: attempts: %w", err)
	}
	return n, nil
}

// AttentionFile is a file that needs a person: quarantined, rejected
// without an organisation, or answered to nobody.
type AttentionFile struct {
	FileName  string         `db:"file_name"`
	Outcome   string         `db:"outcome"`
	Reason    string         `db:"reason"`
	Org       string         `db:"org_code"`
	Answered  sql.NullString `db:"answered"`
	DecidedAt time.Time      `db:"decided_at"`
}

// AttentionFiles lists, newest first, the files decided since since that
// were quarantined, could not be attributed to an organisation, or whose
// outcome nobody was told of.
func (s *Store) AttentionFiles(ctx context.Context, since time.Time) ([]AttentionFile, error) {
	var out []AttentionFile
	if err := s.db.SelectContext(ctx, &out, `SELECT file_name, outcome, coalesce(reason, '') AS reason, coalesce(org_code, '') AS org_code,
		answered, decided_at FROM returns.file_event
		WHERE decided_at >= $1 AND (outcome = 'quarantined' OR (org_code IS NULL AND outcome <> 'loaded') OR answered = 'none')
		ORDER BY decided_at DESC, id DESC LIMIT 500`, since); err != nil {
		return nil, fmt.Errorf("store: files needing attention: %w", err)
	}
	return out, nil
}

// FileCounts are the files decided in a period, by what became of them.
type FileCounts struct {
	Received    int `db:"received"`
	Loaded      int `db:"loaded"`
	Duplicates  int `db:"duplicates"`
	Rejected    int `db:"rejected"`
	Quarantined int `db:"quarantined"`
	// Unanswered counts the files whose outcome nobody was told of.
	Unanswered int `db:"unanswered"`
	// Unattributed counts the files not loaded that no organisation could
	// be found for.
	Unattributed int `db:"unattributed"`
}

// CountFiles counts the files decided in [from, to).
func (s *Store) CountFiles(ctx context.Context, from, to time.Time) (FileCounts, error) {
	var c FileCounts
	if err := s.db.GetContext(ctx, &c, `SELECT count(*) AS received,
		count(*) FILTER (WHERE outcome = 'loaded') AS loaded,
		count(*) FILTER (WHERE outcome = 'duplicate') AS duplicates,
		count(*) FILTER (WHERE outcome = 'rejected') AS rejected,
		count(*) FILTER (WHERE outcome = 'quarantined') AS quarantined,
		count(*) FILTER (WHERE answered = 'none') AS unanswered,
		count(*) FILTER (WHERE org_code IS NULL AND outcome <> 'loaded') AS unattributed
		FROM returns.file_event WHERE decided_at >= $1 AND decided_at < $2`, from, to); err != nil {
		return FileCounts{}, fmt.Errorf("store: count files: %w", err)
	}
	return c, nil
}

// Answer records who the loaded file's result mail goes to (see
// [Answered]); call it before [Load.Commit].
func (l *Load) Answer(a Answered) { l.meta.Answered = a }

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
	o, err := one[RecordedOutcome](ctx, s.db, `SELECT outcome, sha256, coalesce(reason, '') AS reason, coalesce(org_code, '') AS org_code,
		coalesce(year, 0) AS year, coalesce(quarter, 0) AS quarter, coalesce(submission_id, 0) AS submission_id
		FROM returns.file_event WHERE inbox_key = $1`, key)
	if err != nil {
		return nil, fmt.Errorf("store: outcome of inbox entry: %w", err)
	}
	return o, nil
}
