// Package ingest validates a workbook and loads it into the store in one
// pass and one transaction: the validator streams typed records into the
// load transaction, which is committed only when the file is accepted.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

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
}

// Options tune an ingest.
type Options struct {
	Validate   validate.Options
	ReceivedAt time.Time // defaults to now; Validate.Now, when set, is the clock of the rules
	FileName   string    // defaults to the base name of the path
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
	meta := store.FileMeta{SHA256: sha, FileName: opts.FileName, ReceivedAt: opts.ReceivedAt, Template: tmpl}
	load, err := st.BeginLoad(ctx, meta)
	var dup *store.DuplicateError
	if errors.As(err, &dup) {
		res := &Result{Result: &validate.Result{File: opts.FileName, SHA256: sha, Template: tmpl, Rows: map[string]int{}},
			Outcome: Duplicate, SubmissionID: dup.SubmissionID, DuplicateOf: dup}
		if err := st.RecordRejected(ctx, meta, string(Duplicate), "", "", 0, 0, dup.SubmissionID, store.Outcome{}); err != nil {
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
		if err := st.RecordRejected(ctx, meta, string(Rejected), string(vres.Reason), vres.Org, vres.Year, vres.Quarter, 0, out); err != nil {
			return nil, err
		}
		return res, nil
	}
	id, err := load.Commit(ctx, out)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", opts.FileName, err)
	}
	res.Outcome, res.SubmissionID, res.Version = Loaded, id, load.Version()
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
