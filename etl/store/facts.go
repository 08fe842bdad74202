package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/facts"
)

// The digest's data (migration 00020): the recipients, the facts of a
// scope and quarter ([facts.Facts]) and the digests sent. Recipients are versioned like the
// registry. Every query that fills a digest runs in one read-only
// transaction as role returns_digest with SET LOCAL returns.scope_org: it
// reads only the security-barrier views of schema scoped, which keep the
// rows of the scope's subtree, so the scope is PostgreSQL's to enforce, not
// this code's.

// ErrRecipientsUnchanged is returned by [Store.ImportRecipients], with the
// current version, when the workbook's SHA-256 is the current version's.
var ErrRecipientsUnchanged = errors.New("recipients unchanged: same content as the current version")

// ErrDigestSent is returned by [Store.QueueDigest] when the recipient's
// digest of the quarter was queued before and no resend was asked for.
var ErrDigestSent = errors.New("digest already sent for this recipient and quarter")

// Recipient is one digest recipient, as stored.
type Recipient struct {
	Email        string `db:"email"`
	Name         string `db:"name"`
	ScopeOrgCode string `db:"scope_org_code"`
	Language     string `db:"language"`
	Active       bool   `db:"active"`
	SourceRow    int    `db:"source_row"`
}

// RecipientsMeta identifies the recipients workbook being imported.
type RecipientsMeta struct {
	SHA256   string
	FileName string
}

// ImportRecipients stores a validated recipients list as a new version,
// current from its commit, in one transaction as the loader. Every scope
// must name an organisation of the current registry (checked again here,
// under the registry lock). The same content as the current version
// writes nothing and returns ErrRecipientsUnchanged.
func (s *Store) ImportRecipients(ctx context.Context, meta RecipientsMeta, list []Recipient) (version int64, err error) {
	defer func() {
		if err != nil && !errors.Is(err, ErrRecipientsUnchanged) {
			err = fmt.Errorf("store: import recipients %s: %w", short(meta.SHA256), err)
		}
	}()
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		cur, same, err := lockVersions(ctx, tx, "recipient_version", "returns.recipients", meta.SHA256)
		if err != nil {
			return err
		}
		if same {
			version = cur
			return ErrRecipientsUnchanged
		}
		scopes := make([]string, 0, len(list))
		for _, r := range list {
			scopes = append(scopes, r.ScopeOrgCode)
		}
		var unknown []string
		if err := tx.SelectContext(ctx, &unknown, `SELECT DISTINCT c FROM unnest($1::text[]) c
			WHERE NOT EXISTS (SELECT FROM returns.org_unit o
				WHERE o.registry_version_id = (SELECT max(id) FROM returns.registry_version) AND o.code = c)`, pq.Array(scopes)); err != nil {
			return fmt.Errorf("check scopes: %w", err)
		}
		if len(unknown) > 0 {
			return fmt.Errorf("%d scope organisation(s) not in the current registry, e.g. %s", len(unknown), unknown[0])
		}
		if err := tx.GetContext(ctx, &version, `INSERT INTO returns.recipient_version (sha256, file_name, imported_at, count)
			VALUES ($1, $2, $3, $4) RETURNING id`, meta.SHA256, meta.FileName, s.now(), len(list)); err != nil {
			return fmt.Errorf("new version: %w", err)
		}
		for _, r := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO returns.recipient (recipient_version_id, email, name, scope_org_code, language, active, source_row)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, version, r.Email, r.Name, r.ScopeOrgCode, r.Language, r.Active, r.SourceRow); err != nil {
				return fmt.Errorf("recipient of row %d: %w", r.SourceRow, err)
			}
		}
		return nil
	})
	if errors.Is(err, ErrRecipientsUnchanged) {
		return version, ErrRecipientsUnchanged
	}
	if err != nil {
		return 0, err
	}
	s.logger.InfoContext(ctx, "store: recipients imported", slog.Int64("version", version), slog.Int("recipients", len(list)))
	return version, nil
}

// CurrentRecipients returns the recipients of the current version in
// workbook order (none when never imported) and the version (0 then).
func (s *Store) CurrentRecipients(ctx context.Context) (list []Recipient, version int64, err error) {
	if err := s.db.GetContext(ctx, &version, `SELECT coalesce(max(id), 0) FROM returns.recipient_version`); err != nil {
		return nil, 0, fmt.Errorf("store: current recipients: %w", err)
	}
	if err := s.db.SelectContext(ctx, &list, `SELECT email, name, scope_org_code, language, active, source_row
		FROM returns.recipient WHERE recipient_version_id = $1 ORDER BY source_row, email`, version); err != nil {
		return nil, 0, fmt.Errorf("store: current recipients: %w", err)
	}
	return list, version, nil
}

// FactsOptions tune [Store.DigestFacts].
type FactsOptions struct {
	// Recipient, when set, is whose previous digest restatements are counted from.
	Recipient string
	// Personal allows the names of people a manager must act on.
	Personal bool
	// DeadlineDays after the quarter's end its returns are due, and Zone the
	// zone quarters and deadlines are reckoned in: the configuration's
	// deadline_days (0 is valid) and time_zone (required).
	DeadlineDays int
	Zone         *time.Location
}

// DigestFacts reads the facts of the digest of scope (an organisation code)
// for quarter q, in one read-only repeatable-read transaction under that
// scope: every row comes through the scoped views as returns_digest.
func (s *Store) DigestFacts(ctx context.Context, scope string, q domain.Quarter, opts FactsOptions) (f *facts.Facts, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("store: digest facts of %s %s: %w", scope, q, err)
		}
	}()
	if opts.Zone == nil || opts.DeadlineDays < 0 {
		return nil, fmt.Errorf("no calendar: FactsOptions.Zone is required and DeadlineDays may not be negative (zone %v, %d days)", opts.Zone, opts.DeadlineDays)
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	return readFacts(ctx, tx, scope, q, opts)
}

// readFacts reads the facts of the digest of scope for quarter q in tx:
// first what is not scoped (the recipient's last digest), then, as
// returns_digest under scope, the organisations, the cut-off, the figures
// and counts from the first quarter of the year before to q, the rejected
// files, the unmatched transfers, the people to act on and the
// restatements since the last digest.
func readFacts(ctx context.Context, tx *sqlx.Tx, scope string, q domain.Quarter, opts FactsOptions) (*facts.Facts, error) {
	f := &facts.Facts{Quarter: q, DeadlineDays: opts.DeadlineDays, Zone: opts.Zone, UnmatchedTransfers: map[string]int{}}
	var err error
	if opts.Recipient != "" {
		if f.PreviousDigest, err = readPreviousDigest(ctx, tx, opts.Recipient); err != nil {
			return nil, err
		}
	}
	if err := enterDigestScope(ctx, tx, scope); err != nil {
		return nil, err
	}
	from := domain.Quarter{Year: q.Year - 1, Q: 1}.Index()
	to := q.Index()
	if f.Orgs, f.Scope, err = readDigestOrgs(ctx, tx, scope); err != nil {
		return nil, err
	}
	if err := tx.GetContext(ctx, &f.Cutoff, `SELECT coalesce(max(loaded_at), 'epoch'::timestamptz) FROM scoped.loads`); err != nil {
		return nil, fmt.Errorf("cut-off: %w", err)
	}
	if f.Figures, err = readFigures(ctx, tx, from, to); err != nil {
		return nil, err
	}
	if err := readActivityCounts(ctx, tx, f, from, to); err != nil {
		return nil, err
	}
	if f.Rejected, err = readRejected(ctx, tx, q); err != nil {
		return nil, fmt.Errorf("rejected files: %w", err)
	}
	if err := readUnmatchedTransfers(ctx, tx, f, to, opts.Personal); err != nil {
		return nil, fmt.Errorf("unmatched transfers: %w", err)
	}
	if opts.Personal {
		people, err := readProbationEnded(ctx, tx, q)
		if err != nil {
			return nil, fmt.Errorf("probation: %w", err)
		}
		f.People = append(f.People, people...)
	}
	if !f.PreviousDigest.IsZero() {
		if f.Restatements, err = readRestatements(ctx, tx, f.PreviousDigest, to); err != nil {
			return nil, fmt.Errorf("restatements: %w", err)
		}
	}
	return f, nil
}

// readPreviousDigest is the cut-off of the last digest sent to a
// recipient (zero: none).
func readPreviousDigest(ctx context.Context, tx *sqlx.Tx, recipient string) (time.Time, error) {
	var prev sql.NullTime
	if err := tx.GetContext(ctx, &prev, `SELECT max(cutoff) FROM returns.digest_sent WHERE email = $1`, recipient); err != nil {
		return time.Time{}, fmt.Errorf("previous digest: %w", err)
	}
	return prev.Time, nil
}

// enterDigestScope makes the rest of tx read as returns_digest, through
// the scoped views, under the organisation scope.
func enterDigestScope(ctx context.Context, tx *sqlx.Tx, scope string) error {
	if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE returns_digest`); err != nil {
		return fmt.Errorf("digest role: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT set_config('returns.scope_org', $1, true)`, scope); err != nil {
		return fmt.Errorf("scope: %w", err)
	}
	return nil
}

// readDigestOrgs reads the organisations of the scope, in registry order,
// and the scope organisation itself, which must be among them.
func readDigestOrgs(ctx context.Context, tx *sqlx.Tx, scope string) (orgs []domain.Org, scopeOrg domain.Org, err error) {
	var rows []orgRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+orgColumns+` FROM scoped.orgs ORDER BY source_row, code`); err != nil {
		return nil, domain.Org{}, fmt.Errorf("organisations: %w", err)
	}
	for _, r := range rows {
		o := r.org()
		if o.Code == scope {
			scopeOrg = o
		}
		orgs = append(orgs, o)
	}
	if scopeOrg.Code == "" {
		return nil, domain.Org{}, fmt.Errorf("scope organisation %s is not in the current registry", scope)
	}
	return orgs, scopeOrg, nil
}

// readFigures reads the figures of every current return of the quarters
// from..to (quarter indexes): its submission, its summary and the counts
// of its admission rows.
func readFigures(ctx context.Context, tx *sqlx.Tx, from, to int) ([]facts.Figures, error) {
	rows, err := tx.QueryxContext(ctx, `SELECT s.org_code, s.year, s.quarter, s.version, s.received_at, s.first_received_at, s.loaded_at,
			s.submission_id, coalesce(s.file_name, ''), s.errors, s.warnings,
			coalesce(t.members_start_official, 0), coalesce(t.members_start_probationary, 0),
			coalesce(t.members_end_official, 0), coalesce(t.members_end_probationary, 0),
			coalesce(t.admitted, 0), coalesce(t.readmitted, 0), coalesce(t.recognised_official, 0),
			coalesce(t.transfer_in_official, 0), coalesce(t.transfer_out_official, 0),
			coalesce(t.temp_in, 0), coalesce(t.temp_out, 0), coalesce(t.deceased, 0), coalesce(t.expelled, 0),
			coalesce(t.struck_off, 0), coalesce(t.resigned, 0), coalesce(t.increase_other, 0), coalesce(t.decrease_other, 0),
			coalesce(t.admission_target_year, 0),
			coalesce(a.n, 0), coalesce(a.women, 0), coalesce(a.youth, 0), coalesce(a.minority, 0),
			coalesce(a.religious, 0), coalesce(a.nonstate, 0)
		FROM scoped.submissions s
		LEFT JOIN scoped.summaries t ON t.submission_id = s.submission_id
		LEFT JOIN (SELECT submission_id, count(*) AS n,
				count(*) FILTER (WHERE gender = 'F') AS women,
				count(*) FILTER (WHERE is_youth_union_member) AS youth,
				count(*) FILTER (WHERE ethnicity_code IS NOT NULL AND ethnicity_code <> '01') AS minority,
				count(*) FILTER (WHERE religion_code IS NOT NULL AND religion_code <> '00') AS religious,
				count(*) FILTER (WHERE workplace_sector IN ('DN_TU_NHAN', 'DN_FDI', 'HTX')) AS nonstate
			FROM scoped.admissions WHERE year * 4 + quarter - 1 BETWEEN $1 AND $2 GROUP BY submission_id) a
			ON a.submission_id = s.submission_id
		WHERE s.year * 4 + s.quarter - 1 BETWEEN $1 AND $2
		ORDER BY s.org_code, s.year, s.quarter`, from, to)
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	var out []facts.Figures
	for rows.Next() {
		var g facts.Figures
		if err := rows.Scan(&g.Org, &g.Quarter.Year, &g.Quarter.Q, &g.Version, &g.ReceivedAt, &g.FirstReceivedAt, &g.LoadedAt,
			&g.SubmissionID, &g.FileName, &g.Errors, &g.Warnings, &g.StartOfficial, &g.StartProbationary, &g.EndOfficial, &g.EndProbationary,
			&g.Admitted, &g.Readmitted, &g.Recognised, &g.TransferIn, &g.TransferOut, &g.TempIn, &g.TempOut,
			&g.Deceased, &g.Expelled, &g.StruckOff, &g.Resigned, &g.IncreaseOther, &g.DecreaseOther, &g.Target,
			&g.AdmissionRows, &g.Women, &g.Youth, &g.Minority, &g.Religious, &g.NonState); err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	return out, nil
}

// readActivityCounts reads the counts of the quarters from..to (quarter
// indexes) into f: transfers, supervisions, disciplines and the outcomes
// of supervision and inspection.
func readActivityCounts(ctx context.Context, tx *sqlx.Tx, f *facts.Facts, from, to int) (err error) {
	if f.Transfers, err = readCounts(ctx, tx, "transfers", `SELECT org_code, year, quarter, coalesce(direction, ''), coalesce(transfer_type, ''),
			coalesce(scope, ''), '', count(*)
		FROM scoped.transfers WHERE year * 4 + quarter - 1 BETWEEN $1 AND $2 GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`, from, to); err != nil {
		return err
	}
	if f.Supervisions, err = readCounts(ctx, tx, "supervisions", `SELECT org_code, year, quarter, coalesce(actor, ''), coalesce(activity, ''),
			coalesce(supervision_form, inspection_type, ''), coalesce(subject_type, ''), count(*)
		FROM scoped.supervisions WHERE year * 4 + quarter - 1 BETWEEN $1 AND $2 GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`, from, to); err != nil {
		return err
	}
	// Every discipline: KyLuat rows and GiamSat rows with a discipline form
	// (migration 00022, docs/domain.md §6.2 item 7).
	if f.Disciplines, err = readCounts(ctx, tx, "disciplines", `SELECT org_code, year, quarter, coalesce(discipline_form, ''), coalesce(subject_type, ''),
			origin, decided_by, count(*)
		FROM scoped.disciplines_all WHERE year * 4 + quarter - 1 BETWEEN $1 AND $2 GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`, from, to); err != nil {
		return err
	}
	// Outcomes of supervision and inspection: by activity, result and
	// whether a discipline was decided on the row.
	if f.Outcomes, err = readCounts(ctx, tx, "outcomes", `SELECT org_code, year, quarter, coalesce(activity, ''), coalesce(result, ''),
			CASE WHEN discipline_form IS NOT NULL THEN 'C' ELSE 'K' END, '', count(*)
		FROM scoped.supervisions WHERE year * 4 + quarter - 1 BETWEEN $1 AND $2 GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`, from, to); err != nil {
		return err
	}
	return nil
}

// readCounts runs a count query over the quarters from..to (quarter
// indexes) whose rows are organisation, year, quarter, four keys and the
// count; what names it in errors.
func readCounts(ctx context.Context, tx *sqlx.Tx, what, query string, from, to int) ([]facts.Count, error) {
	rows, err := tx.QueryxContext(ctx, query, from, to)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []facts.Count
	for rows.Next() {
		var c facts.Count
		if err := rows.Scan(&c.Org, &c.Quarter.Year, &c.Quarter.Q, &c.Keys[0], &c.Keys[1], &c.Keys[2], &c.Keys[3], &c.N); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// readRejected reads the latest rejected file of quarter q of each
// organisation without an accepted return.
func readRejected(ctx context.Context, tx *sqlx.Tx, q domain.Quarter) ([]facts.Rejected, error) {
	rows, err := tx.QueryxContext(ctx, `SELECT DISTINCT ON (e.org_code) e.org_code, coalesce(e.reason, ''), e.decided_at
			FROM scoped.file_events e
			WHERE e.year = $1 AND e.quarter = $2 AND e.outcome = 'rejected'
			  AND NOT EXISTS (SELECT FROM scoped.submissions s WHERE s.org_code = e.org_code AND s.year = e.year AND s.quarter = e.quarter)
			ORDER BY e.org_code, e.decided_at DESC`, q.Year, q.Q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []facts.Rejected
	for rows.Next() {
		r := facts.Rejected{Quarter: q}
		if err := rows.Scan(&r.Org, &r.Reason, &r.At); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// readUnmatchedTransfers counts into f the unmatched letters of quarters
// up to to (a quarter index) older than 30 days at f's cut-off (CS-07),
// per organisation, and with personal data lists each as a person to act
// on.
func readUnmatchedTransfers(ctx context.Context, tx *sqlx.Tx, f *facts.Facts, to int, personal bool) error {
	old := f.Cutoff.AddDate(0, 0, -30)
	rows, err := tx.QueryxContext(ctx, `SELECT org_code, coalesce(full_name, ''), coalesce(letter_no, ''), coalesce(direction, ''), event_date
			FROM scoped.unmatched_transfers WHERE year * 4 + quarter - 1 <= $1 AND event_date <= $2
			ORDER BY org_code, event_date, source_row`, to, old)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p facts.Person
		var dir string
		if err := rows.Scan(&p.Org, &p.Name, &p.Detail, &dir, &p.Date); err != nil {
			return err
		}
		f.UnmatchedTransfers[p.Org]++
		if personal {
			p.Kind, p.Detail = facts.PersonUnmatchedTransfer, dir+" "+p.Detail
			f.People = append(f.People, p)
		}
	}
	return rows.Err()
}

// readProbationEnded reads the admitted members whose 12 months of
// probation ended in quarter q: due for recognition as full members.
func readProbationEnded(ctx context.Context, tx *sqlx.Tx, q domain.Quarter) ([]facts.Person, error) {
	qs := time.Date(q.Year, time.Month(3*q.Q-2), 1, 0, 0, 0, 0, time.UTC)
	qe := qs.AddDate(0, 3, -1)
	rows, err := tx.QueryxContext(ctx, `SELECT org_code, coalesce(full_name, ''), coalesce(decision_no, ''), probation_end
				FROM scoped.admissions WHERE probation_end BETWEEN $1 AND $2 ORDER BY org_code, probation_end, source_row`, qs, qe)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []facts.Person
	for rows.Next() {
		p := facts.Person{Kind: facts.PersonProbationEnded}
		if err := rows.Scan(&p.Org, &p.Name, &p.Detail, &p.Date); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// readRestatements reads the returns of quarters before to (a quarter
// index) restated since the previous digest. A restatement is a current
// return of an earlier quarter loaded after the previous digest whose
// figures differ from the version that digest saw (none: a late return).
// A new phone number is not a restatement (migration 00022,
// scoped.figure_versions).
func readRestatements(ctx context.Context, tx *sqlx.Tx, previous time.Time, to int) ([]facts.Restatement, error) {
	rows, err := tx.QueryxContext(ctx, `SELECT c.org_code, c.year, c.quarter, c.version, c.loaded_at
				FROM scoped.figure_versions c
				WHERE c.status = 'accepted' AND c.loaded_at > $1 AND c.year * 4 + c.quarter - 1 < $2
				  AND c.figures_hash IS DISTINCT FROM (SELECT p.figures_hash FROM scoped.figure_versions p
					WHERE p.org_code = c.org_code AND p.year = c.year AND p.quarter = c.quarter AND p.loaded_at <= $1
					ORDER BY p.version DESC LIMIT 1)
				ORDER BY c.org_code, c.year, c.quarter`, previous, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []facts.Restatement
	for rows.Next() {
		var r facts.Restatement
		if err := rows.Scan(&r.Org, &r.Quarter.Year, &r.Quarter.Q, &r.Version, &r.LoadedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DigestSent is a digest queued for a recipient and quarter.
type DigestSent struct {
	Email     string    `db:"email"`
	Year      int       `db:"year"`
	Quarter   int       `db:"quarter"`
	Resend    int       `db:"resend"`
	OutboxID  int64     `db:"outbox_id"`
	MessageID string    `db:"message_id"`
	Cutoff    time.Time `db:"cutoff"`
	QueuedAt  time.Time `db:"queued_at"`
}

// DigestsSent lists the digests queued for quarter q, by recipient.
func (s *Store) DigestsSent(ctx context.Context, q domain.Quarter) (out []DigestSent, err error) {
	if err := s.db.SelectContext(ctx, &out, `SELECT email, year, quarter, resend, outbox_id, message_id, cutoff, queued_at
		FROM returns.digest_sent WHERE year = $1 AND quarter = $2 ORDER BY email, resend`, q.Year, q.Q); err != nil {
		return nil, fmt.Errorf("store: digests sent for %s: %w", q, err)
	}
	return out, nil
}

// DigestQueued is what [Store.QueueDigest] did.
type DigestQueued struct {
	OutboxID int64
	Resend   int  // 0 for the first digest, then 1, 2, … for each resend
	Created  bool // false when this digest was queued before (same row, same Message-ID)
}

// QueueDigest queues m, the digest of quarter q for recipient email, in the
// outbox and records it in digest_sent, in one transaction. Without resend,
// a digest already recorded for the recipient and quarter gives
// ErrDigestSent and queues nothing. messageID(resend) gives the Message-ID
// and dedupe key suffix for the attempt's resend number, so a repeated
// queueing (a crash before commit, a retry) reuses the same row and id.
func (s *Store) QueueDigest(ctx context.Context, email string, q domain.Quarter, scope string, cutoff time.Time, resend bool,
	build func(resend int) (Mail, error)) (res DigestQueued, err error) {
	defer wrapOutboxErr(&err, "store: queue digest %s", q)
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE returns_loader`); err != nil {
			return err
		}
		// One queueing per recipient and quarter at a time.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('returns.digest:' || $1 || ':' || $2, 0))`, email, q.String()); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM returns.digest_sent WHERE email = $1 AND year = $2 AND quarter = $3`, email, q.Year, q.Q); err != nil {
			return fmt.Errorf("sent before: %w", err)
		}
		if n > 0 && !resend {
			return ErrDigestSent
		}
		res.Resend = n
		m, err := build(n)
		if err != nil {
			return err
		}
		id, created, err := s.EnqueueMail(ctx, tx, m)
		if err != nil {
			return err
		}
		res.OutboxID, res.Created = id, created
		if _, err := tx.ExecContext(ctx, `INSERT INTO returns.digest_sent (email, year, quarter, resend, scope_org_code, outbox_id, message_id, cutoff, queued_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
			email, q.Year, q.Q, n, scope, id, m.MessageID, cutoff, s.now()); err != nil {
			return fmt.Errorf("record: %w", err)
		}
		return nil
	})
	return res, err
}

// MissingReturns counts the grassroots organisations of the current
// registry active in quarter q without an accepted return for it (the
// whole registry, for the digest schedule's "every expected return is in").
func (s *Store) MissingReturns(ctx context.Context, q domain.Quarter) (n int, err error) {
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM returns.org_unit o
		WHERE o.registry_version_id = (SELECT max(id) FROM returns.registry_version)
		  AND o.org_type = ANY($4)
		  AND o.valid_from_q <= $1 AND (o.valid_to_q IS NULL OR o.valid_to_q >= $1)
		  AND NOT EXISTS (SELECT FROM returns.submission s WHERE s.org_code = o.code AND s.year = $2 AND s.quarter = $3 AND s.status = 'accepted')`,
		q.Index(), q.Year, q.Q, pq.Array(domain.ReportingTypes)); err != nil {
		return 0, fmt.Errorf("store: missing returns of %s: %w", q, err)
	}
	return n, nil
}
