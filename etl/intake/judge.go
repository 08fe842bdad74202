package intake

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/notify"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

// Result is the outcome of judging one file.
type Result struct {
	*validate.Result
	Outcome      domain.Outcome // Loaded, Rejected or Duplicate (of etl/domain)
	SubmissionID int64          // the loaded submission, or the one a duplicate repeats
	Version      int            // version of the loaded submission for its organisation and quarter
	DuplicateOf  *store.DuplicateError
	// Annotated is the annotated workbook (or, for a file that could not be
	// opened, the small workbook explaining what to do), built once by
	// [annotated] for the result mail and the rejected/ folder; nil when none
	// was needed or asked for.
	Annotated []byte
	// Answered says who the result mail was queued for ("" when none was
	// asked for).
	Answered store.Answered
	// Attribution is the organisation (and period) the file was attributed
	// to, and how.
	Attribution Attribution
}

// Options tune the judging of one file.
type Options struct {
	Validate   validate.Options
	ReceivedAt time.Time // defaults to now; Validate.Now, when set, is the clock of the rules
	FileName   string    // defaults to the base name of the path
	// Notify queues the result mail to the organisation's registered
	// contacts in the outbox, in the same transaction as the outcome (to
	// Operators when no organisation can be found). Off by default.
	Notify bool
	// Zone is the zone the result mail shows times in (the configuration's
	// time_zone). Required with Notify.
	Zone *time.Location
	// Operators receive the result mail of a file no organisation could be
	// found for. Defaults to none: such a file's outcome is recorded as
	// answered to nobody.
	Operators []string
	// OrgHint names the organisation a file comes from by where it was
	// dropped (the inbox folder inbox/<org>/): the first place the
	// organisation is taken from (see [Attribute]).
	OrgHint string
	// Annotate tunes the annotated workbook.
	Annotate annotate.Options
	// KeepAnnotated builds the annotated workbook of a rejected file, mail
	// or not (the daemon keeps it beside the rejected original). Off by
	// default: built only for a mail.
	KeepAnnotated bool
	// InboxKey names the inbox entry the file came from (the daemon's
	// files): the outcome is recorded with it, at most once per key (see
	// store.FileMeta). Defaults to "" (none).
	InboxKey string

	// annotateHook, when set, runs before the annotated workbook is built
	// (tests make it panic).
	annotateHook func()
}

// JudgeFile judges and loads the workbook at path. An error means the file could
// not be judged (the database is unreachable, the disk failed): it is not
// the file's fault and the file must be retried later.
func JudgeFile(ctx context.Context, path string, set *schema.Set, st *store.Store, opts Options) (*Result, error) {
	// A file over the size cap is rejected on its size alone, before a byte
	// of it is hashed (a 4 GiB file would be read whole for nothing); it has
	// no content hash, so nothing is recorded.
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() > opts.Validate.Limits.FileCap() {
		vres, err := validate.CheckFile(ctx, path, set, opts.Validate)
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		return &Result{Result: vres, Outcome: domain.Rejected}, nil
	}
	f, size, sha, err := validate.OpenHashed(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	if opts.FileName == "" {
		opts.FileName = filepath.Base(path)
	}
	return JudgeReader(ctx, f, size, sha, set, st, opts)
}

// JudgeReader judges and loads a workbook whose content hashes to sha: read and
// validate it while its rows stream into the load transaction, run the
// database rules, and record the outcome with its result mail: loaded (the
// mail in the load's own transaction), rejected or duplicate. A value the
// database refuses ends in a rejection (VALUE_REFUSED), not in an error.
func JudgeReader(ctx context.Context, r io.ReaderAt, size int64, sha string, set *schema.Set, st *store.Store, opts Options) (*Result, error) {
	tmpl := opts.Validate.Template
	if tmpl == "" {
		tmpl = domain.ReturnTemplate
	}
	opts.Validate.Template = tmpl
	tables := StoreTemplate(set.Templates[tmpl])
	if opts.ReceivedAt.IsZero() {
		opts.ReceivedAt = time.Now()
	}
	meta := store.FileMeta{SHA256: sha, FileName: opts.FileName, ReceivedAt: opts.ReceivedAt, InboxKey: opts.InboxKey}
	load, err := st.BeginLoad(ctx, tables, meta)
	var dup *store.DuplicateError
	if errors.As(err, &dup) {
		res := &Result{Result: &validate.Result{File: opts.FileName, SHA256: sha, Template: tmpl, Rows: map[string]int{},
			Org: dup.Org, Year: dup.Year, Quarter: dup.Quarter, Period: fmt.Sprintf("%d-Q%d", dup.Year, dup.Quarter)},
			Outcome: domain.Duplicate, SubmissionID: dup.SubmissionID, Version: dup.Version, DuplicateOf: dup}
		mails, err := resultMails(ctx, st.Addressee, res, opts, nil, 0)
		if err != nil {
			return nil, err
		}
		meta.Answered = res.Answered
		if err := st.RecordDuplicate(ctx, meta, dup, mails...); err != nil {
			return nil, err
		}
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	defer load.Rollback()

	vopts := opts.Validate
	vopts.Sink = loadSink{load}
	now := time.Now
	if vopts.Now != nil {
		now = vopts.Now
	}
	vres, err := validate.CheckReader(ctx, r, size, set, vopts)
	if err != nil {
		if refused, ok := store.Refused(err, tables); ok {
			return rejectRefused(ctx, st, load, meta, refused, set, opts, r, size)
		}
		return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
	}
	vres.File, vres.SHA256 = opts.FileName, sha
	res := &Result{Result: vres}
	if vres.Status == validate.Accepted {
		// The rules that need the database run inside the load
		// transaction, on the rows just copied.
		facts, err := load.RuleFacts(ctx)
		if err != nil {
			if refused, ok := store.Refused(err, tables); ok {
				return rejectRefused(ctx, st, load, meta, refused, set, opts, r, size)
			}
			return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
		}
		addFindings(vres, dbFindings(facts, now()), vopts.MaxIssues)
	}
	if vres.Status != validate.Accepted {
		load.Rollback()
		res.Outcome = domain.Rejected
		return res, recordRejected(ctx, st, meta, res, opts, r, size)
	}
	// A return saved again without a change of any value (another program,
	// another way of storing the same values) is no new version: the file
	// is recorded as a duplicate of the current submission
	// (store.Load.Unchanged says what counts as the same content).
	if dup, err := load.Unchanged(ctx); err != nil {
		return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
	} else if dup != nil {
		res.Outcome, res.SubmissionID, res.Version, res.DuplicateOf = domain.Duplicate, dup.SubmissionID, dup.Version, dup
	} else {
		res.Outcome, res.SubmissionID, res.Version = domain.Loaded, load.SubmissionID(), load.Version()
	}
	// The result mail is queued in the load's own transaction: it goes out
	// if and only if the data (or the duplicate's record) is there.
	mails, err := resultMails(ctx, load.Addressee, res, opts, r, size)
	if err != nil {
		return nil, err
	}
	for _, m := range mails {
		if _, _, err := load.EnqueueMail(ctx, m); err != nil {
			return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
		}
	}
	load.Answer(res.Answered)
	id, err := load.Commit(ctx, outcome(vres))
	if err != nil {
		if refused, ok := store.Refused(err, tables); ok {
			return rejectRefused(ctx, st, load, meta, refused, set, opts, r, size)
		}
		return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
	}
	res.SubmissionID = id
	return res, nil
}

// recordRejected records a rejection with its result mail, in a
// transaction of its own. The organisation and period recorded are the
// workbook's, else those the file was attributed to, so that the board
// shows the file under them.
func recordRejected(ctx context.Context, st *store.Store, meta store.FileMeta, res *Result, opts Options, r io.ReaderAt, size int64) error {
	mails, err := resultMails(ctx, st.Addressee, res, opts, r, size)
	if err != nil {
		return err
	}
	if res.Annotated == nil && opts.KeepAnnotated && annotate.Needed(res.Result) {
		res.Annotated = annotated(ctx, r, size, res.Result, opts)
	}
	meta.Answered = res.Answered
	rej := store.Rejection{File: meta, Reason: string(res.Reason), Org: res.Org, Quarter: domain.Quarter{Year: res.Year, Q: res.Quarter},
		Outcome: outcome(res.Result), Mails: mails}
	if rej.Org == "" {
		a := Attribute(opts.OrgHint, res.Result, opts.FileName)
		rej.Org = a.Org
		if res.Year == 0 {
			rej.Quarter = domain.Quarter{Year: a.Year, Q: a.Quarter}
		}
	}
	return st.RecordRejection(ctx, rej)
}

// rejectRefused rejects a file one of whose values the database refused
// (VALUE_REFUSED): the load is rolled back and the file is judged again
// without loading, for its reports, with the refusal as a file-level issue.
func rejectRefused(ctx context.Context, st *store.Store, load *store.Load, meta store.FileMeta, refused *store.RefusedValue, set *schema.Set, opts Options, r io.ReaderAt, size int64) (*Result, error) {
	load.Rollback()
	vopts := opts.Validate
	vopts.Sink = nil
	vres, err := validate.CheckReader(ctx, r, size, set, vopts)
	if vres == nil || err != nil {
		vres = &validate.Result{Template: opts.Validate.Template, Rows: map[string]int{}}
	}
	vres.File, vres.SHA256 = meta.FileName, meta.SHA256
	addRefused(vres, refused, opts.Validate.MaxIssues)
	res := &Result{Result: vres, Outcome: domain.Rejected}
	return res, recordRejected(ctx, st, meta, res, opts, r, size)
}

func outcome(r *validate.Result) store.Outcome {
	out := store.Outcome{Errors: r.Errors, Warnings: r.Warnings, Issues: make([]store.Issue, 0, len(r.Issues))}
	for _, is := range r.Issues {
		out.Issues = append(out.Issues, store.Issue{Sheet: is.Sheet, Cell: is.Cell, Field: is.Field, Rule: is.Rule,
			Severity: string(is.Severity), Value: is.Value, Row: is.Row, MessageVI: is.Message.VI, MessageEN: is.Message.EN})
	}
	return out
}

// resultMails builds the result mail of res: to the registered contacts of
// the organisation the file is attributed to ([Attribute]), else to the
// operators; none when notification is off. res.Answered says who it went
// to. The annotated workbook is attached when the file was rejected or has
// warnings.
func resultMails(ctx context.Context, addressee func(context.Context, string) (store.Addressee, error), res *Result, opts Options, r io.ReaderAt, size int64) ([]store.Mail, error) {
	if !opts.Notify {
		return nil, nil
	}
	o := notify.Outcome{Status: res.Outcome, Zone: opts.Zone, Result: res.Result, ReceivedAt: opts.ReceivedAt,
		SubmissionID: res.SubmissionID, Version: res.Version}
	var to []string
	for _, a := range Candidates(opts.OrgHint, res.Result, opts.FileName) {
		got, err := addressee(ctx, a.Org)
		if err != nil {
			return nil, err
		}
		if len(got.Emails) > 0 {
			to, o.Org, o.OrgName, res.Attribution = got.Emails, a.Org, got.Name, a
			res.Answered = store.AnsweredContacts
			break
		}
	}
	if to == nil {
		if len(opts.Operators) == 0 {
			res.Answered = store.AnsweredNone
			return nil, nil
		}
		to, o.Operators = opts.Operators, true
		res.Answered = store.AnsweredOperators
	}
	if res.DuplicateOf != nil {
		o.DupReceived, o.Unchanged = res.DuplicateOf.ReceivedAt, res.DuplicateOf.Unchanged
	}
	var attachment []byte
	name := ""
	if annotate.Needed(res.Result) {
		// Without the original (a file not read again), the explanation
		// workbook alone.
		if res.Annotated == nil {
			res.Annotated = annotated(ctx, r, size, res.Result, opts)
		}
		attachment, name = res.Annotated, annotate.Name(res.File)
	}
	m, err := notify.Mail(o, to, attachment, name)
	if err != nil {
		return nil, err
	}
	return []store.Mail{m}, nil
}

// annotated builds the annotated workbook of res: the one place it is
// built. It never fails the file: when the original cannot be annotated
// (an error, or a panic inside the spreadsheet library on a workbook it
// cannot handle), the small workbook with the issue list alone is built
// instead, and when even that fails, nil (the reports and the mail still
// say everything).
func annotated(ctx context.Context, r io.ReaderAt, size int64, res *validate.Result, opts Options) []byte {
	log := cmp.Or(opts.Annotate.Logger, slog.New(slog.DiscardHandler))
	build := func(original io.ReaderAt) (out []byte, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v\n%s", p, clipStack(debug.Stack()))
			}
		}()
		if opts.annotateHook != nil && original != nil {
			opts.annotateHook()
		}
		var buf bytes.Buffer
		if err := annotate.WriteContext(ctx, &buf, original, size, res, opts.Annotate); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	out, err := build(r)
	if err == nil {
		return out
	}
	log.Warn("intake: the original could not be annotated; the issue list alone is attached",
		slog.String("sha", short(res.SHA256)), slog.String("error", err.Error()))
	out, err = build(nil)
	if err != nil {
		log.Error("intake: no annotated workbook", slog.String("sha", short(res.SHA256)), slog.String("error", err.Error()))
		return nil
	}
	return out
}

// clipStack keeps the first lines of a panic's stack for the log.
func clipStack(b []byte) []byte {
	if len(b) > 2000 {
		return b[:2000]
	}
	return b
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// addRefused adds the file-level issue of a value the database refused,
// pointing at its column when the database said which.
func addRefused(res *validate.Result, v *store.RefusedValue, maxIssues int) {
	if maxIssues <= 0 {
		maxIssues = 1000
	}
	code := reason.ValueRefused
	res.Status, res.Reason = validate.Rejected, code
	res.Detail = fmt.Sprintf("SQLSTATE %s table %s column %s line %d", v.SQLState, v.Table, v.Column, v.Line)
	where := refusedWhere(v, "trang %s", ", cột %s", ", dòng dữ liệu thứ %d")
	whereEN := refusedWhere(v, "sheet %s", ", column %s", ", data row %d")
	is := validate.Issue{Rule: string(code), Severity: schema.Error, Sheet: v.Sheet, Field: v.Column,
		Message: schema.Text{VI: code.Title("vi") + where, EN: code.Title("en") + whereEN},
		Hint:    schema.Text{VI: code.Fix("vi"), EN: code.Fix("en")}, Value: clipRunes(v.Message, 200)}
	res.Errors++
	res.Issues = append([]validate.Issue{is}, res.Issues...)
	if len(res.Issues) > maxIssues {
		res.IssuesOmitted += len(res.Issues) - maxIssues
		res.Issues = res.Issues[:maxIssues]
	}
}

// refusedWhere says where the refused value v was going, " (sheet S,
// column C, data row N)" in the words given, as far as the database said;
// "" when it did not say which sheet.
func refusedWhere(v *store.RefusedValue, sheet, column, line string) string {
	if v.Sheet == "" {
		return ""
	}
	where := " (" + fmt.Sprintf(sheet, v.Sheet)
	if v.Column != "" {
		where += fmt.Sprintf(column, v.Column)
	}
	if v.Line > 0 {
		where += fmt.Sprintf(line, v.Line)
	}
	return where + ")"
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
