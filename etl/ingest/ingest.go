// Package ingest validates a workbook and loads it into the store in one
// pass and one transaction: the validator streams typed records into the
// load transaction, which is committed only when the file is accepted.
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/notify"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

// Status of an ingested file.
type Status string

// Statuses: every file ends in exactly one of them.
const (
	Loaded    Status = "loaded"
	Rejected  Status = "rejected"
	Duplicate Status = "duplicate"
)

// Result is the outcome of ingesting one file.
type Result struct {
	*validate.Result
	Outcome      Status
	SubmissionID int64 // the loaded submission, or the one a duplicate repeats
	Version      int   // version of the loaded submission for its organisation and quarter
	DuplicateOf  *store.DuplicateError
	// Annotated is the annotated workbook built for the result mail (a
	// rejected file or one with warnings, when the organisation has
	// contacts), for callers that keep it too; nil when none was built.
	Annotated []byte
}

// Options tune an ingest.
type Options struct {
	Validate   validate.Options
	ReceivedAt time.Time // defaults to now; Validate.Now, when set, is the clock of the rules
	FileName   string    // defaults to the base name of the path
	// Notify queues the result mail to the organisation's registered
	// contacts in the outbox, in the same transaction as the outcome. Off by
	// default.
	Notify bool
	// OrgHint names the organisation a file comes from when the file itself
	// cannot say (it could not be read): e.g. the inbox folder it was dropped in.
	OrgHint string
	// Annotate tunes the annotated workbook attached to result mails.
	Annotate annotate.Options
	// InboxKey names the inbox entry the file came from (the daemon's
	// files): the outcome is recorded with it, at most once per key (see
	// store.FileMeta). Defaults to "" (none).
	InboxKey string
}

// File ingests the workbook at path. An error means the file could not be
// judged (the database is unreachable, the disk failed): it is not the
// file's fault and the file must be retried later.
func File(ctx context.Context, path string, set *schema.Set, st *store.Store, opts Options) (*Result, error) {
	f, size, sha, err := validate.OpenHashed(path)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	if opts.FileName == "" {
		opts.FileName = filepath.Base(path)
	}
	if opts.ReceivedAt.IsZero() {
		opts.ReceivedAt = time.Now()
	}
	return Reader(ctx, f, size, sha, set, st, opts)
}

// Reader ingests a workbook whose content hashes to sha.
func Reader(ctx context.Context, r io.ReaderAt, size int64, sha string, set *schema.Set, st *store.Store, opts Options) (*Result, error) {
	tmpl := opts.Validate.Template
	if tmpl == "" {
		tmpl = "BCQ-1"
	}
	if opts.ReceivedAt.IsZero() {
		opts.ReceivedAt = time.Now()
	}
	meta := store.FileMeta{SHA256: sha, FileName: opts.FileName, ReceivedAt: opts.ReceivedAt, Template: tmpl, InboxKey: opts.InboxKey}
	load, err := st.BeginLoad(ctx, meta)
	var dup *store.DuplicateError
	if errors.As(err, &dup) {
		res := &Result{Result: &validate.Result{File: opts.FileName, SHA256: sha, Template: tmpl, Rows: map[string]int{},
			Org: dup.Org, Year: dup.Year, Quarter: dup.Quarter, Period: fmt.Sprintf("%d-Q%d", dup.Year, dup.Quarter)},
			Outcome: Duplicate, SubmissionID: dup.SubmissionID, DuplicateOf: dup}
		mails, err := resultMails(ctx, st.Contacts, res, opts, nil, 0)
		if err != nil {
			return nil, err
		}
		if err := st.RecordRejected(ctx, meta, string(Duplicate), "", dup.Org, dup.Year, dup.Quarter, dup.SubmissionID, store.Outcome{}, mails...); err != nil {
			return nil, err
		}
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	defer load.Rollback()

	vopts := opts.Validate
	vopts.Sink = load
	now := time.Now
	if vopts.Now != nil {
		now = vopts.Now
	}
	vres, err := validate.Reader(ctx, r, size, set, vopts)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
	}
	vres.File, vres.SHA256 = opts.FileName, sha
	res := &Result{Result: vres}
	if vres.Status == validate.Accepted {
		// The rules that need the database run inside the load
		// transaction, on the rows just copied.
		findings, err := load.Checks(ctx, now())
		if err != nil {
			return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
		}
		addFindings(vres, findings, vopts.MaxIssues)
	}
	out := outcome(vres)
	if vres.Status != validate.Accepted {
		load.Rollback()
		res.Outcome = Rejected
		mails, err := resultMails(ctx, st.Contacts, res, opts, r, size)
		if err != nil {
			return nil, err
		}
		if err := st.RecordRejected(ctx, meta, string(Rejected), string(vres.Reason), vres.Org, vres.Year, vres.Quarter, 0, out, mails...); err != nil {
			return nil, err
		}
		return res, nil
	}
	// The result mail is queued in the load's own transaction: it goes out
	// if and only if the data is there.
	res.Outcome, res.SubmissionID, res.Version = Loaded, load.SubmissionID(), load.Version()
	mails, err := resultMails(ctx, load.Contacts, res, opts, r, size)
	if err != nil {
		return nil, err
	}
	for _, m := range mails {
		if _, _, err := load.EnqueueMail(ctx, m); err != nil {
			return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
		}
	}
	id, err := load.Commit(ctx, out)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
	}
	res.SubmissionID = id
	return res, nil
}

func outcome(r *validate.Result) store.Outcome {
	out := store.Outcome{Errors: r.Errors, Warnings: r.Warnings, Issues: make([]store.Issue, 0, len(r.Issues))}
	for _, is := range r.Issues {
		out.Issues = append(out.Issues, store.Issue{Sheet: is.Sheet, Cell: is.Cell, Field: is.Field, Rule: is.Rule,
			Severity: string(is.Severity), Value: is.Value, Row: is.Row, MessageVI: is.Message.VI, MessageEN: is.Message.EN})
	}
	return out
}

// resultMails builds the result mail of res for the organisation's
// registered contacts (none when notification is off or nobody is
// registered). The annotated workbook is attached when the file was
// rejected or has warnings.
func resultMails(ctx context.Context, contacts func(context.Context, string) ([]string, error), res *Result, opts Options, r io.ReaderAt, size int64) ([]store.Mail, error) {
	if !opts.Notify {
		return nil, nil
	}
	org := res.Org
	if org == "" {
		org = opts.OrgHint
	}
	if org == "" {
		return nil, nil
	}
	to, err := contacts(ctx, org)
	if err != nil || len(to) == 0 {
		return nil, err
	}
	o := notify.Outcome{Status: notify.Status(res.Outcome), Result: res.Result, ReceivedAt: opts.ReceivedAt,
		SubmissionID: res.SubmissionID, Version: res.Version, Org: org}
	if res.DuplicateOf != nil {
		o.DupReceived = res.DuplicateOf.ReceivedAt
	}
	var attachment []byte
	name := ""
	if r != nil && annotate.Needed(res.Result) {
		var buf bytes.Buffer
		if err := annotate.WriteContext(ctx, &buf, r, size, res.Result, opts.Annotate); err != nil {
			return nil, fmt.Errorf("ingest %s: annotated workbook: %w", opts.FileName, err)
		}
		attachment, name = buf.Bytes(), annotate.Name(res.File)
		res.Annotated = attachment
	}
	m, err := notify.Mail(o, to, attachment, name)
	if err != nil {
		return nil, err
	}
	return []store.Mail{m}, nil
}
