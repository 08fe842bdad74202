package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/normalize"
)

// ErrDuplicate is returned by [Store.BeginLoad] when the same content was
// loaded before; errors.As gives the *DuplicateError with what it duplicates.
var ErrDuplicate = errors.New("duplicate content")

// DuplicateError says which submission a content duplicates.
type DuplicateError struct {
	SubmissionID int64
	ReceivedAt   time.Time
	// Version is the submission's version for its organisation and
	// quarter (the digest's "Lần nộp").
	Version int
	// The organisation and quarter of the submission it repeats.
	Org           string
	Year, Quarter int
	// Unchanged says that the file's bytes differ from the submission's
	// file but the values are the same (see [Load.Unchanged]): a return
	// opened and saved again. False for the very same bytes.
	Unchanged bool
}

func (e *DuplicateError) Error() string {
	if e.Unchanged {
		return fmt.Sprintf("unchanged content: duplicate of submission %d (version %d) received on %s", e.SubmissionID, e.Version, e.ReceivedAt.Format("02/01/2006 15:04"))
	}
	return fmt.Sprintf("duplicate of submission %d received on %s", e.SubmissionID, e.ReceivedAt.Format("02/01/2006 15:04"))
}
func (e *DuplicateError) Unwrap() error { return ErrDuplicate }

// FileMeta identifies the file being loaded.
type FileMeta struct {
	SHA256     string
	FileName   string
	ReceivedAt time.Time
	// InboxKey names the inbox entry the file came from (the daemon's
	// files); "" for none. At most one outcome is recorded per key.
	InboxKey string
	// Answered says who is told of the outcome (see [Answered]); "" when
	// no mail was asked for.
	Answered Answered
}

// Load is one workbook's load transaction. It receives the typed records
// while the validator streams them (it is a validate.Sink) and is committed
// only when the file is accepted; otherwise rolled back, so nobody ever sees
// part of a file.
type Load struct {
	s    *Store
	tx   *sqlx.Tx
	meta FileMeta
	tmpl *Template
	last *Sheet // the sheet of the latest record

	submissionID int64
	version      int
	org          string
	quarter      domain.Quarter

	copying   *Sheet    // the sheet being copied, with copy
	copy      *sql.Stmt // its COPY
	nameField int       // index of full_name in the sheet being copied, or -1
	args      []any
	done      bool
	copied    map[string]int // rows copied per table

	// content is the fingerprint of the values recorded (see
	// [Load.Unchanged]); enc its reused encoding buffer.
	content hash.Hash
	enc     []byte
	// prevID is the accepted submission this load supersedes (0: none).
	prevID int64
	// stored is the key-value record's part the rules read, as the
	// summary insert returned it (nil: read it back; see [Load.RuleFacts]).
	stored *Summary
	// unchanged is set by [Load.Unchanged] when the content is that of
	// prevID: Commit then records the file as its duplicate.
	unchanged *DuplicateError
}

// BeginLoad starts the transaction of one file of template t. It returns a
// *DuplicateError when the content was loaded before.
func (s *Store) BeginLoad(ctx context.Context, t *Template, meta FileMeta) (*Load, error) {
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("store: begin load: %w", err)
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin load %s: %w", short(meta.SHA256), err)
	}
	l := &Load{s: s, tx: tx, meta: meta, tmpl: t, content: sha256.New()}
	l.enc = appendField(l.enc[:0], 'T', t.ID)
	l.content.Write(l.enc)
	// Loading runs with the loader's privileges only: it can insert and
	// supersede, never drop, alter or truncate. Two workers with the same
	// content serialise on the lock; the second then finds the first one's
	// ledger row (read by the next statement, after the lock is held).
	// Everything the content loads comes after the savepoint, so that an
	// unchanged content can be undone while the content's lock is kept.
	// The three go in one simple query, the hash as a literal.
	if _, err := tx.ExecContext(ctx, `SET LOCAL ROLE returns_loader;
		SELECT pg_advisory_xact_lock(hashtextextended('returns.sha:' || `+pq.QuoteLiteral(meta.SHA256)+`, 0));
		SAVEPOINT content`); err != nil {
		l.Rollback()
		return nil, fmt.Errorf("store: begin load %s: role, lock and savepoint: %w", short(meta.SHA256), err)
	}
	if dup, err := duplicateOf(ctx, tx, meta.SHA256); err != nil {
		l.Rollback()
		return nil, fmt.Errorf("store: begin load %s: %w", short(meta.SHA256), err)
	} else if dup != nil {
		l.Rollback()
		return nil, dup
	}
	return l, nil
}

func duplicateOf(ctx context.Context, q sqlx.QueryerContext, sha string) (*DuplicateError, error) {
	// A ledger row whose hash is not its submission's file's is that of a
	// file recorded as unchanged content (Load.Unchanged).
	d, err := one[DuplicateError](ctx, q, `SELECT l.submission_id AS submissionid, s.received_at AS receivedat,
		s.version, s.org_code AS org, s.year, s.quarter, l.sha256 <> s.sha256 AS unchanged
		FROM returns.ledger l JOIN returns.submission s ON s.id = l.submission_id WHERE l.sha256 = $1`, sha)
	if err != nil {
		return nil, fmt.Errorf("read ledger: %w", err)
	}
	return d, nil
}

// SubmissionID is the id of the submission being loaded (0 before the
// key-value record arrived).
func (l *Load) SubmissionID() int64 { return l.submissionID }

// Version is the submission's version number for its organisation and quarter.
func (l *Load) Version() int { return l.version }

// Record stores one typed record of the sheet named sheet, whose values are
// in the order of its [Sheet.Columns] (the validator's records, in file
// order). The key-value record comes first and creates the submission;
// table rows are copied with COPY.
func (l *Load) Record(ctx context.Context, sheet string, sourceRow int, values []any) error {
	sh := l.last
	if sh == nil || sh.Name != sheet {
		if sh = l.tmpl.Sheet(sheet); sh == nil {
			return fmt.Errorf("store: load: sheet %s has no table", sheet)
		}
		l.last = sh
	}
	l.fingerprint(sh, values)
	if sh.Summary {
		return l.summary(ctx, sh, sourceRow, values)
	}
	if l.submissionID == 0 {
		// No usable summary record: the file is being rejected anyway;
		// nothing to store.
		return nil
	}
	if l.copying != sh {
		if err := l.beginCopy(ctx, sh); err != nil {
			return err
		}
	}
	l.args[0], l.args[1], l.args[2] = l.submissionID, sh.Name, sourceRow
	for i, v := range values {
		l.args[i+3] = dbValue(v)
	}
	if l.nameField >= 0 {
		var key any
		if name, ok := values[l.nameField].(string); ok {
			key = normalize.Key(name)
		}
		l.args[len(l.args)-1] = key
	}
	if _, err := l.copy.ExecContext(ctx, l.args...); err != nil {
		return fmt.Errorf("store: copy %s row %d: %w", sh.Name, sourceRow, err)
	}
	l.copied[sh.Table]++
	return nil
}

// beginCopy ends the COPY under way, if any, and starts that of sh.
func (l *Load) beginCopy(ctx context.Context, sh *Sheet) error {
	if err := l.endCopy(ctx); err != nil {
		return err
	}
	cols := append([]string{"submission_id", "source_sheet", "source_row"}, sh.Columns...)
	l.nameField = -1
	if nameKeyTables[sh.Table] {
		l.nameField = slices.Index(sh.Columns, "full_name")
	}
	if l.nameField >= 0 {
		cols = append(cols, "name_key")
	}
	stmt, err := l.tx.PrepareContext(ctx, pq.CopyInSchema("returns", sh.Table, cols...))
	if err != nil {
		return fmt.Errorf("store: copy into %s: %w", sh.Table, err)
	}
	l.copy, l.copying = stmt, sh
	l.args = make([]any, len(cols))
	if l.copied == nil {
		l.copied = map[string]int{}
	}
	return nil
}

func dbValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.Format("2006-01-02")
	}
	return v
}

func (l *Load) endCopy(ctx context.Context) error {
	if l.copy == nil {
		return nil
	}
	stmt := l.copy
	l.copy, l.copying = nil, nil
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return fmt.Errorf("store: finish copy: %w", err)
	}
	return stmt.Close()
}

// summary creates the submission, superseding the current one of the same
// organisation and quarter, and stores the key-value record.
func (l *Load) summary(ctx context.Context, sh *Sheet, sourceRow int, values []any) error {
	get := func(name string) any {
		if i := slices.Index(sh.Columns, name); i >= 0 {
			return values[i]
		}
		return nil
	}
	org, _ := get("org_code").(string)
	year, _ := get("year").(int64)
	qtr, _ := get("quarter").(int64)
	version, _ := get("template_version").(string)
	if org == "" || year == 0 || qtr < 1 || qtr > 4 {
		return nil // rejected by validation; nothing to store
	}
	l.org, l.quarter = org, domain.Quarter{Year: int(year), Q: int(qtr)}
	if err := l.createSubmission(ctx, version); err != nil {
		return err
	}
	cols := append([]string{"submission_id", "source_sheet", "source_row"}, sh.Columns...)
	args := []any{l.submissionID, sh.Name, sourceRow}
	marks := []string{"$1", "$2", "$3"}
	for i := range sh.Columns {
		args = append(args, dbValue(values[i]))
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	q := fmt.Sprintf(`INSERT INTO returns.%s (%s) VALUES (%s) RETURNING %s`, pq.QuoteIdentifier(sh.Table), strings.Join(cols, ", "), strings.Join(marks, ", "), summaryFacts)
	var stored Summary
	if err := l.tx.GetContext(ctx, &stored, q, args...); err != nil {
		return fmt.Errorf("store: insert %s: %w", sh.Table, err)
	}
	l.stored = &stored
	return nil
}

// createSubmission creates the submission of the load's organisation and
// quarter, the next version of them, superseding the accepted one.
func (l *Load) createSubmission(ctx context.Context, templateVersion string) error {
	tx, org, year, qtr := l.tx, l.org, l.quarter.Year, l.quarter.Q
	// Submissions of one organisation and quarter are numbered and
	// superseded one at a time.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('returns.sub:' || $1 || ':' || $2 || ':' || $3, 0))`, org, year, qtr); err != nil {
		return fmt.Errorf("store: lock %s %s: %w", org, l.quarter, err)
	}
	// The accepted one (at most one: index submission_current) is
	// superseded first, then the new one created and named as its
	// successor in the same statement.
	now := l.s.now()
	var prev sql.NullInt64
	if err := tx.GetContext(ctx, &prev, `UPDATE returns.submission SET status = 'superseded', superseded_at = $4
		WHERE org_code = $1 AND year = $2 AND quarter = $3 AND status = 'accepted' RETURNING id`, org, year, qtr, now); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: supersede the current submission of %s %s: %w", org, l.quarter, err)
	}
	l.prevID = prev.Int64
	err := tx.QueryRowxContext(ctx, `WITH created AS (
			INSERT INTO returns.submission (org_code, year, quarter, template_version, file_name, sha256, received_at, loaded_at, version, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
				(SELECT coalesce(max(version), 0) + 1 FROM returns.submission WHERE org_code = $1 AND year = $2 AND quarter = $3), 'accepted')
			RETURNING id, version),
		successor AS (
			UPDATE returns.submission s SET superseded_by = created.id FROM created WHERE s.id = $9)
		SELECT id, version FROM created`, org, year, qtr, templateVersion, l.meta.FileName, l.meta.SHA256, l.meta.ReceivedAt, now, prev).Scan(&l.submissionID, &l.version)
	if err != nil {
		return fmt.Errorf("store: create submission of %s %s: %w", org, l.quarter, err)
	}
	return nil
}

// Issue is a validation issue as stored.
type Issue struct {
	Sheet, Cell, Field, Rule, Severity, Value string
	Row                                       int
	MessageVI, MessageEN                      string
}

// Outcome is what the validation concluded, stored with the file.
type Outcome struct {
	Errors, Warnings int
	Issues           []Issue
}

// Commit finishes the load: the ledger row, the file's event and its
// issues, in the same transaction as the rows. When COMMIT itself fails the
// ledger is read back on a fresh connection: the load happened if and only
// if its ledger row is there (a COMMIT whose reply was lost may have
// succeeded; docs/reliability.md §0.2).
func (l *Load) Commit(ctx context.Context, out Outcome) (int64, error) {
	if l.done {
		return 0, errors.New("store: load already finished")
	}
	if l.unchanged != nil {
		return l.commitUnchanged(ctx)
	}
	if l.submissionID == 0 {
		l.Rollback()
		return 0, errors.New("store: commit: no submission was created (no valid summary record)")
	}
	if err := l.endCopy(ctx); err != nil {
		l.Rollback()
		return 0, err
	}
	tx := l.tx
	// One statement: the file's event (first: the main query reads it, so
	// an inbox key met twice fails there as before), its issues (when few;
	// many are copied after), the submission's counts and fingerprint, and
	// the ledger row.
	inline := out.Issues
	if len(inline) > maxInlineIssues {
		inline = nil
	}
	var eventID int64
	if err := tx.GetContext(ctx, &eventID, `WITH event AS (
			INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, submission_id, errors, warnings, received_at, decided_at, inbox_key, answered)
			VALUES ($1, $2, $3, $4, $5, 'loaded', $6, $7, $8, $9, $10, nullif($11, ''), nullif($12, '')) RETURNING id),
		issues AS (
			INSERT INTO returns.validation_issue (submission_id, file_event_id, sheet, cell, source_row, field, rule_id, severity, value, message_vi, message_en)
			SELECT $6, event.id, i.sheet, i.cell, i.source_row, i.field, i.rule_id, i.severity, i.value, i.message_vi, i.message_en
			FROM event, unnest($14::text[], $15::text[], $16::int[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[])
				WITH ORDINALITY AS i(sheet, cell, source_row, field, rule_id, severity, value, message_vi, message_en, n)
			ORDER BY i.n),
		counts AS (
			UPDATE returns.submission SET errors = $7, warnings = $8, content_sha256 = $13 WHERE id = $6),
		ledger AS (
			INSERT INTO returns.ledger (sha256, submission_id, loaded_at) VALUES ($1, $6, $10))
		SELECT id FROM event`,
		append([]any{l.meta.SHA256, l.meta.FileName, l.org, l.quarter.Year, l.quarter.Q, l.submissionID, out.Errors, out.Warnings,
			l.meta.ReceivedAt, l.s.now(), l.meta.InboxKey, string(l.meta.Answered), l.Fingerprint()}, issueArrays(inline)...)...); err != nil {
		l.Rollback()
		return 0, fmt.Errorf("store: commit: record event, issues and ledger: %w", err)
	}
	if len(inline) < len(out.Issues) {
		if err := insertIssues(ctx, tx, l.submissionID, eventID, out.Issues); err != nil {
			l.Rollback()
			return 0, err
		}
	}
	return l.finish(ctx, l.submissionID)
}

// finish commits the load whose ledger row names submission want.
func (l *Load) finish(ctx context.Context, want int64) (int64, error) {
	l.done = true
	cerr := l.tx.Commit()
	if cerr == nil {
		return want, nil
	}
	// Reconcile through the ledger on a fresh connection. The content's
	// advisory lock is taken first: the cut transaction holds it until it
	// has committed or aborted on the server, so the ledger's answer is
	// final (read too early, it misses a commit still under way).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var dup *DuplicateError
	err := l.s.tx(rctx, func(rtx *sqlx.Tx) error {
		if _, err := rtx.ExecContext(rctx, `SELECT pg_advisory_xact_lock(hashtextextended('returns.sha:' || $1, 0))`, l.meta.SHA256); err != nil {
			return err
		}
		var err error
		dup, err = duplicateOf(rctx, rtx, l.meta.SHA256)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: commit %s: %w (and the ledger could not be read to reconcile: %v)", short(l.meta.SHA256), cerr, err)
	}
	if dup != nil && dup.SubmissionID == want {
		l.s.logger.WarnContext(ctx, "store: commit reported an error but the ledger shows it happened", "sha", short(l.meta.SHA256))
		return want, nil
	}
	return 0, fmt.Errorf("store: commit %s: %w", short(l.meta.SHA256), cerr)
}

// # What counts as the same content
//
// Two files have the same content when they load the same values: for
// every sheet the validator passes on (ThongTin field by field, each table
// sheet row by row, in the order of the file), the same field holds the
// same value as stored — after the validator's normalisation. So a count
// written as the text "4" or as the number 4, a date as a serial or as
// dd/mm/yyyy text, text in NFD or NFC or with extra spaces, styles, column widths,
// the order of the sheets, shared or inline strings, the file's metadata and
// the program that saved it do not count; any value that differs, a row
// added, removed or moved to another place among the rows, does. The row
// numbers themselves do not count (an empty row inserted between two rows
// changes no value). Decimals compare as the validator read them (finer
// than the database keeps them: a change there is a new version, never a
// lost one).
//
// The fingerprint is the SHA-256 of the template id and, for each record in
// file order, the sheet name and each field's name, type and value, every
// item tagged and length-prefixed (appendField), so that no two different
// contents encode alike. It is stored with the submission
// (returns.submission.content_sha256, migration 00025).

// fingerprint adds one record to the content fingerprint.
func (l *Load) fingerprint(sh *Sheet, values []any) {
	b := appendField(l.enc[:0], 'S', sh.Name)
	for i, c := range sh.Columns {
		b = appendField(b, 'F', c)
		var v any
		if i < len(values) {
			v = dbValue(values[i])
		}
		switch v := v.(type) {
		case nil:
			b = append(b, 'N')
		case string:
			b = appendField(b, 's', v)
		case int64:
			b = binary.BigEndian.AppendUint64(append(b, 'i'), uint64(v))
		case float64:
			b = appendField(b, 'd', strconv.FormatFloat(v, 'g', -1, 64))
		case bool:
			b = appendField(b, 'b', strconv.FormatBool(v))
		default:
			b = appendField(b, '?', fmt.Sprintf("%T %v", v, v))
		}
	}
	l.enc = b
	l.content.Write(b)
}

// appendField appends one tagged, length-prefixed item of the encoding.
func appendField(b []byte, tag byte, s string) []byte {
	b = binary.AppendUvarint(append(b, tag), uint64(len(s)))
	return append(b, s...)
}

// Fingerprint is the hex SHA-256 of the content recorded so far (see "What
// counts as the same content").
func (l *Load) Fingerprint() string {
	return hex.EncodeToString(l.content.Sum(nil))
}

// Unchanged reports whether the content recorded is that of the accepted
// submission this load would supersede (the current one of its
// organisation and quarter; see "What counts as the same content"): a
// return opened and saved again without a change of any value. When it
// is, everything the load did is undone (the new submission, its rows, the
// superseding) and the submission it repeats is returned, Unchanged set;
// [Load.Commit] then records the file as a duplicate of it, with the
// file's ledger row, so no new version appears. Call it once every record
// is in, before Commit; nil when the content is new.
func (l *Load) Unchanged(ctx context.Context) (*DuplicateError, error) {
	if l.done || l.submissionID == 0 || l.prevID == 0 {
		return nil, nil
	}
	if err := l.endCopy(ctx); err != nil {
		return nil, err
	}
	d, err := one[DuplicateError](ctx, l.tx, `SELECT id AS submissionid, received_at AS receivedat, version, org_code AS org, year, quarter
		FROM returns.submission WHERE id = $1 AND content_sha256 = $2`, l.prevID, l.Fingerprint())
	if err != nil {
		return nil, fmt.Errorf("store: compare content with submission %d: %w", l.prevID, err)
	}
	if d == nil {
		return nil, nil
	}
	if _, err := l.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT content`); err != nil {
		return nil, fmt.Errorf("store: undo unchanged content: %w", err)
	}
	d.Unchanged = true
	l.unchanged, l.submissionID, l.version = d, 0, 0
	return d, nil
}

// commitUnchanged records a file found unchanged ([Load.Unchanged]): its
// event, outcome duplicate of the submission it repeats, and its ledger row
// (the file's hash names that submission, so the same bytes again are a
// duplicate at once), with the mails queued since, in one transaction.
func (l *Load) commitUnchanged(ctx context.Context) (int64, error) {
	d := l.unchanged
	if _, err := l.tx.ExecContext(ctx, `INSERT INTO returns.file_event (sha256, file_name, org_code, year, quarter, outcome, submission_id, received_at, decided_at, inbox_key, answered)
		VALUES ($1, $2, $3, $4, $5, 'duplicate', $6, $7, $8, nullif($9, ''), nullif($10, ''))`,
		l.meta.SHA256, l.meta.FileName, d.Org, d.Year, d.Quarter, d.SubmissionID, l.meta.ReceivedAt, l.s.now(), l.meta.InboxKey, string(l.meta.Answered)); err != nil {
		l.Rollback()
		return 0, fmt.Errorf("store: commit unchanged: record event: %w", err)
	}
	if _, err := l.tx.ExecContext(ctx, `INSERT INTO returns.ledger (sha256, submission_id, loaded_at) VALUES ($1, $2, $3)`, l.meta.SHA256, d.SubmissionID, l.s.now()); err != nil {
		l.Rollback()
		return 0, fmt.Errorf("store: commit unchanged: ledger: %w", err)
	}
	return l.finish(ctx, d.SubmissionID)
}

// maxInlineIssues is the most issues [Load.Commit] sends as arrays in its
// one statement; more are copied (COPY) after it.
var maxInlineIssues = 1000

// issueArrays are the columns of issues as arrays, in the order of the
// unnest in [Load.Commit] (a row 0 is NULL).
func issueArrays(issues []Issue) []any {
	var sheet, cell, field, rule, severity, value, vi, en []string
	var row []sql.NullInt64
	for _, is := range issues {
		sheet, cell, field, rule = append(sheet, is.Sheet), append(cell, is.Cell), append(field, is.Field), append(rule, is.Rule)
		severity, value, vi, en = append(severity, is.Severity), append(value, is.Value), append(vi, is.MessageVI), append(en, is.MessageEN)
		row = append(row, sql.NullInt64{Int64: int64(is.Row), Valid: is.Row > 0})
	}
	return []any{pq.Array(sheet), pq.Array(cell), pq.Array(row), pq.Array(field), pq.Array(rule), pq.Array(severity),
		pq.Array(value), pq.Array(vi), pq.Array(en)}
}

func insertIssues(ctx context.Context, tx *sqlx.Tx, submissionID, eventID int64, issues []Issue) error {
	if len(issues) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyInSchema("returns", "validation_issue",
		"submission_id", "file_event_id", "sheet", "cell", "source_row", "field", "rule_id", "severity", "value", "message_vi", "message_en"))
	if err != nil {
		return fmt.Errorf("store: issues: %w", err)
	}
	var sub any
	if submissionID != 0 {
		sub = submissionID
	}
	for _, is := range issues {
		var row any
		if is.Row > 0 {
			row = is.Row
		}
		if _, err := stmt.ExecContext(ctx, sub, eventID, is.Sheet, is.Cell, row, is.Field, is.Rule, is.Severity, is.Value, is.MessageVI, is.MessageEN); err != nil {
			stmt.Close()
			return fmt.Errorf("store: issues: %w", err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return fmt.Errorf("store: issues: %w", err)
	}
	return stmt.Close()
}

// Rollback abandons the load. It is safe to call more than once.
func (l *Load) Rollback() {
	if l.done {
		return
	}
	l.done = true
	if l.copy != nil {
		_ = l.copy.Close()
	}
	_ = l.tx.Rollback()
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
