package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/returns-project/returns/etl/mail/outmail"
)

// The outbox (migration 00007): mails queued in the same transaction as what
// they report, delivered later by package mail through ClaimDueMail and the
// Mark functions. See the migration for the life of a row.

// Mail is a mail to queue; see [outmail.Mail].
type Mail = outmail.Mail

// MailAttachment is a file attached to a queued mail.
type MailAttachment = outmail.Attachment

// OutboxMail is a row claimed for delivery by [Store.ClaimDueMail].
type OutboxMail = outmail.Queued

// OutboxStats counts outbox rows by status ([Store.OutboxStats]).
type OutboxStats = outmail.Stats

// ErrInvalidMail is returned by [Store.EnqueueMail] for a mail that must not
// be queued (bad address, key, kind or header); never worth a retry.
var ErrInvalidMail = outmail.ErrInvalid

// ErrMailNotSending is returned by [Store.MarkRetry] and [Store.MarkFailed]
// when the row is not being sent any more: another sender whose claim came
// after an expired lease has already settled it, or the id is unknown.
var ErrMailNotSending = outmail.ErrNotSending

// ErrMailNotFound is returned by [Store.MarkSent] for an unknown id.
var ErrMailNotFound = errors.New("outbox mail not found")

const maxErrorText = 2000

// EnqueueMail queues m in q, a transaction of the caller (the load that the
// mail reports on) or nil for the pool. It returns the row's id and whether
// it was created: a DedupeKey queued before is a no-op returning the
// existing row's id (created false), even when the two enqueues race. A mail
// that fails [outmail.Mail.Validate] gives ErrInvalidMail. The message id
// is generated here when m has none, once: retries reuse it.
func (s *Store) EnqueueMail(ctx context.Context, q sqlx.ExtContext, m Mail) (id int64, created bool, err error) {
	defer wrapOutboxErr(&err, "store: enqueue mail %q", m.Kind)
	if err := m.Validate(); err != nil {
		return 0, false, err
	}
	if q == nil {
		q = s.db
	}
	if m.MessageID == "" {
		m.MessageID = outmail.NewMessageID()
	}
	now := s.now()
	due := now
	if m.NotBefore.After(due) {
		due = m.NotBefore
	}
	refs := m.References
	if refs == nil {
		refs = []string{}
	}
	// ON CONFLICT DO NOTHING waits for a concurrent insert of the same key
	// to settle, then inserts nothing; the SELECT below finds that row.
	err = sqlx.GetContext(ctx, q, &id, `INSERT INTO returns.outbox (message_id, kind, dedupe_key, recipients, subject,
			in_reply_to, thread_refs, body_text, body_html, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
		m.MessageID, m.Kind, m.DedupeKey, pq.Array(m.To), m.Subject, optionalText(m.InReplyTo), pq.Array(refs),
		m.Text, optionalText(m.HTML), due, now)
	if errors.Is(err, sql.ErrNoRows) {
		if err := sqlx.GetContext(ctx, q, &id, `SELECT id FROM returns.outbox WHERE dedupe_key = $1`, m.DedupeKey); err != nil {
			return 0, false, fmt.Errorf("existing row: %w", err)
		}
		return id, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	for i, a := range m.Attachments {
		if _, err := q.ExecContext(ctx, `INSERT INTO returns.outbox_attachment (outbox_id, position, file_name, content_type, content, content_id)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, i, a.Name, a.ContentType, a.Content, optionalText(a.ContentID)); err != nil {
			return 0, false, fmt.Errorf("attachment %d: %w", i+1, err)
		}
	}
	return id, true, nil
}

// EnqueueMail queues m in the load's transaction: it is committed with the
// load or not at all. See [Store.EnqueueMail].
func (l *Load) EnqueueMail(ctx context.Context, m Mail) (id int64, created bool, err error) {
	return l.s.EnqueueMail(ctx, l.tx, m)
}

type outboxRow struct {
	ID         int64          `db:"id"`
	MessageID  string         `db:"message_id"`
	Kind       string         `db:"kind"`
	DedupeKey  string         `db:"dedupe_key"`
	Recipients pq.StringArray `db:"recipients"`
	Subject    string         `db:"subject"`
	InReplyTo  sql.NullString `db:"in_reply_to"`
	ThreadRefs pq.StringArray `db:"thread_refs"`
	BodyText   string         `db:"body_text"`
	BodyHTML   sql.NullString `db:"body_html"`
	Attempts   int            `db:"attempts"`
	CreatedAt  time.Time      `db:"created_at"`
}

type attachmentRow struct {
	OutboxID    int64          `db:"outbox_id"`
	FileName    string         `db:"file_name"`
	ContentType string         `db:"content_type"`
	Content     []byte         `db:"content"`
	ContentID   sql.NullString `db:"content_id"`
}

// ClaimDueMail claims up to limit rows due at now (pending rows whose retry
// time has come, and rows whose sender's lease expired), oldest due first,
// with SELECT … FOR UPDATE SKIP LOCKED: two senders never claim the same row
// at once. Each claimed row is marked 'sending' with a lease until now+lease
// and its attempt counted. The sender must settle every row with MarkSent,
// MarkRetry or MarkFailed before the lease ends; if it crashes, the row is
// due again when the lease expires.
func (s *Store) ClaimDueMail(ctx context.Context, now time.Time, limit int, lease time.Duration) (mails []OutboxMail, err error) {
	defer wrapOutboxErr(&err, "store: claim due mail")
	if limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("limit %d and lease %s must be positive", limit, lease)
	}
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		mails = nil
		if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE returns_loader`); err != nil {
			return err
		}
		var rows []outboxRow
		if err := tx.SelectContext(ctx, &rows, `WITH due AS (
				SELECT id FROM returns.outbox
				WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1
				ORDER BY next_attempt_at, id
				LIMIT $2
				FOR UPDATE SKIP LOCKED)
			UPDATE returns.outbox o SET status = 'sending', attempts = o.attempts + 1, next_attempt_at = $3
			FROM due WHERE o.id = due.id
			RETURNING o.id, o.message_id, o.kind, o.dedupe_key, o.recipients, o.subject, o.in_reply_to,
				o.thread_refs, o.body_text, o.body_html, o.attempts, o.created_at`,
			now, limit, now.Add(lease)); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		var atts []attachmentRow
		if err := tx.SelectContext(ctx, &atts, `SELECT outbox_id, file_name, content_type, content, content_id
			FROM returns.outbox_attachment WHERE outbox_id = ANY($1) ORDER BY outbox_id, position`, pq.Array(ids)); err != nil {
			return fmt.Errorf("attachments: %w", err)
		}
		byID := map[int64][]MailAttachment{}
		for _, a := range atts {
			byID[a.OutboxID] = append(byID[a.OutboxID], MailAttachment{Name: a.FileName, ContentType: a.ContentType, Content: a.Content, ContentID: a.ContentID.String})
		}
		for _, r := range rows {
			mails = append(mails, OutboxMail{
				ID: r.ID,
				Mail: Mail{
					Kind: r.Kind, DedupeKey: r.DedupeKey, MessageID: r.MessageID, To: []string(r.Recipients),
					Subject: r.Subject, InReplyTo: r.InReplyTo.String, References: []string(r.ThreadRefs),
					Text: r.BodyText, HTML: r.BodyHTML.String, Attachments: byID[r.ID],
				},
				Attempts:  r.Attempts,
				CreatedAt: r.CreatedAt,
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(mails, func(a, b OutboxMail) int { return cmp.Compare(a.ID, b.ID) })
	return mails, nil
}

// MarkSent records that the server accepted mail id. Sent is final: marking
// a row sent again is a no-op; ErrMailNotFound for an unknown id.
func (s *Store) MarkSent(ctx context.Context, id int64) (err error) {
	defer wrapOutboxErr(&err, "store: mark mail %d sent", id)
	return s.mark(ctx, id, ErrMailNotFound, `UPDATE returns.outbox SET status = 'sent', sent_at = coalesce(sent_at, $2), last_error = NULL
		WHERE id = $1`, s.now())
}

// MarkRetry puts mail id, being sent, back to pending until next, recording
// errText (which must hold no password). ErrMailNotSending when the row is
// not being sent (another sender settled it).
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, errText string) (err error) {
	defer wrapOutboxErr(&err, "store: mark mail %d for retry", id)
	return s.mark(ctx, id, ErrMailNotSending, `UPDATE returns.outbox SET status = 'pending', next_attempt_at = $2, last_error = $3
		WHERE id = $1 AND status = 'sending'`, next, clipError(errText))
}

// MarkFailed gives up on mail id, being sent, recording errText (which must
// hold no password). ErrMailNotSending when the row is not being sent.
func (s *Store) MarkFailed(ctx context.Context, id int64, errText string) (err error) {
	defer wrapOutboxErr(&err, "store: mark mail %d failed", id)
	return s.mark(ctx, id, ErrMailNotSending, `UPDATE returns.outbox SET status = 'failed', last_error = $2
		WHERE id = $1 AND status = 'sending'`, clipError(errText))
}

func (s *Store) mark(ctx context.Context, id int64, none error, query string, args ...any) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE returns_loader`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, query, append([]any{id}, args...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return none
		}
		return nil
	})
}

// OutboxStats counts the outbox rows by status, the rows due now and the
// age of the oldest unsent one (for metrics and the status view).
func (s *Store) OutboxStats(ctx context.Context) (st OutboxStats, err error) {
	defer wrapOutboxErr(&err, "store: outbox stats")
	var row struct {
		Pending int          `db:"pending"`
		Sending int          `db:"sending"`
		Sent    int          `db:"sent"`
		Failed  int          `db:"failed"`
		Due     int          `db:"due"`
		Oldest  sql.NullTime `db:"oldest"`
	}
	err = s.db.GetContext(ctx, &row, `SELECT
			count(*) FILTER (WHERE status = 'pending') AS pending,
			count(*) FILTER (WHERE status = 'sending') AS sending,
			count(*) FILTER (WHERE status = 'sent') AS sent,
			count(*) FILTER (WHERE status = 'failed') AS failed,
			count(*) FILTER (WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1) AS due,
			min(created_at) FILTER (WHERE status IN ('pending', 'sending')) AS oldest
		FROM returns.outbox`, s.now())
	if err != nil {
		return st, err
	}
	return OutboxStats{Pending: row.Pending, Sending: row.Sending, Sent: row.Sent, Failed: row.Failed,
		Due: row.Due, OldestUnsent: row.Oldest.Time}, nil
}

func clipError(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	cut := maxErrorText
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// wrapOutboxErr prefixes *errp with the operation, keeping the sentinels of the
// outbox (errors.Is still finds them).
func wrapOutboxErr(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

// optionalText stores "" as NULL.
func optionalText(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
