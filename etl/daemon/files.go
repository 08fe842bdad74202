package daemon

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/ingest"
	"github.com/returns-project/returns/etl/report"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

// scan is the inbox-scan job: one scan, then every ready file, up to
// Config.Workers at a time, until the inbox is done, a transient failure
// backs the daemon off, or Stop is called (the files in hand are finished;
// the rest wait).
func (d *Daemon) scan(ctx context.Context) error {
	d.fileMu.Lock()
	defer d.fileMu.Unlock()
	if _, wait := d.backoff(); wait {
		return nil
	}
	ready, quarantined, err := d.cfg.Inbox.Scan(ctx)
	for _, q := range quarantined {
		d.metrics.files.WithLabelValues("quarantined").Inc()
		d.log.InfoContext(ctx, "daemon: quarantined", slog.String("name_hash", inbox.NameHash(q.Rel)), slog.String("reason", string(q.Reason)))
	}
	if err != nil {
		return err
	}
	d.metrics.queue.Set(float64(len(ready)))
	// Config.Workers files at a time. Once one fails for a reason that is
	// not the file's (the database went away), or Stop is called, the files
	// not yet started are handed back for a later scan; those in hand finish.
	var (
		wg      sync.WaitGroup
		errMu   sync.Mutex
		firstEr error
		left    atomic.Int64
	)
	left.Store(int64(len(ready)))
	next := make(chan inbox.Ready)
	for range min(d.cfg.Workers, len(ready)) {
		wg.Go(func() {
			for r := range next {
				errMu.Lock()
				give := firstEr != nil
				errMu.Unlock()
				if give || d.stopping.Load() || ctx.Err() != nil {
					d.cfg.Inbox.Retry(r)
					continue
				}
				if err := d.process(ctx, r); err != nil {
					errMu.Lock()
					if firstEr == nil {
						firstEr = err
					}
					errMu.Unlock()
					continue
				}
				d.succeeded()
				d.metrics.queue.Set(float64(left.Add(-1)))
			}
		})
	}
	for _, r := range ready {
		next <- r
	}
	close(next)
	wg.Wait()
	if firstEr != nil {
		d.failed(ctx, "process file", firstEr)
		return firstEr
	}
	return nil
}

// inboxKey identifies an inbox entry across restarts and daemons: its path,
// device, inode, size and mtime, hashed (the database never sees the name).
func inboxKey(r inbox.Ready) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%d\x00%d", r.Rel, r.Dev, r.Ino, r.Size, r.ModTime.UnixNano()))
	return hex.EncodeToString(sum[:])
}

// process drives one ready file to its terminal state. A nil error means
// the file is done or was left for later by design (claimed by another
// daemon, changed since the scan); an error is transient (not the file's
// fault) and the file stays in the inbox.
func (d *Daemon) process(ctx context.Context, r inbox.Ready) (err error) {
	nameHash := inbox.NameHash(r.Rel)
	var st *inbox.Staged
	defer func() {
		// A panic (a library on a hostile file) is a transient failure of
		// this file: it is handed back, never stuck as offered.
		if p := recover(); p != nil {
			err = fmt.Errorf("panic while processing: %v", p)
			if st != nil {
				_ = d.cfg.Inbox.Discard(st)
			} else {
				d.cfg.Inbox.Retry(r)
			}
		}
		if err != nil {
			err = scrub(err, r.Rel, r.Name)
		}
	}()
	key := inboxKey(r)
	claim, err := d.cfg.Store.ClaimFile(ctx, key)
	if err != nil {
		d.cfg.Inbox.Retry(r)
		return err
	}
	if claim == nil {
		d.metrics.claimedElse.Inc()
		d.log.DebugContext(ctx, "daemon: file claimed by another daemon", slog.String("name_hash", nameHash))
		d.cfg.Inbox.Retry(r)
		return nil
	}
	defer claim.Release(ctx)
	st, err = d.cfg.Inbox.Stage(ctx, r)
	if errors.Is(err, inbox.ErrChanged) {
		return nil
	}
	if err != nil {
		return err
	}
	start := time.Now()
	rec, err := d.cfg.Store.OutcomeOf(ctx, key)
	if err != nil {
		_ = d.cfg.Inbox.Discard(st)
		return err
	}
	if rec != nil {
		return d.redo(ctx, st, rec, start)
	}
	res, err := d.ingest(ctx, st, key)
	if err != nil {
		_ = d.cfg.Inbox.Discard(st)
		return err
	}
	attrs := []any{slog.String("name_hash", nameHash), slog.String("sha", short(st.SHA256)), slog.String("org", res.Org),
		slog.String("period", res.Period), slog.String("outcome", string(res.Outcome))}
	switch res.Outcome {
	case ingest.Loaded, ingest.Duplicate:
		if err := d.archive(ctx, st, res.Org, res.Year, res.Quarter); err != nil {
			return err
		}
		rows := 0
		if res.Outcome == ingest.Loaded {
			for _, n := range res.Rows {
				rows += n
			}
			d.metrics.rows.Add(float64(rows))
		}
		d.metrics.files.WithLabelValues(string(res.Outcome)).Inc()
		d.log.InfoContext(ctx, "daemon: file "+string(res.Outcome), append(attrs, slog.Int("rows", rows),
			slog.Int64("submission", res.SubmissionID), slog.Int("warnings", res.Warnings), slog.Duration("took", time.Since(start)))...)
	default:
		if err := d.reject(ctx, st, res.Result, res.Annotated); err != nil {
			return err
		}
		d.metrics.files.WithLabelValues("rejected").Inc()
		d.metrics.rejects.WithLabelValues(string(res.Reason)).Inc()
		d.log.InfoContext(ctx, "daemon: file rejected", append(attrs, slog.String("reason", string(res.Reason)),
			slog.Int("errors", res.Errors), slog.Duration("took", time.Since(start)))...)
	}
	return nil
}

// redo finishes a file whose outcome was recorded by an earlier run that
// did not live to move it: the move is redone from the record; nothing is
// judged or loaded again.
func (d *Daemon) redo(ctx context.Context, st *inbox.Staged, rec *store.RecordedOutcome, start time.Time) error {
	attrs := []any{slog.String("name_hash", inbox.NameHash(st.Rel)), slog.String("sha", short(st.SHA256)),
		slog.String("org", rec.Org), slog.String("outcome", rec.Outcome)}
	if rec.SHA256 != st.SHA256 {
		// Same path, inode, size and mtime but other bytes: rewritten in
		// place with its mtime restored. Not ours to guess: leave it.
		_ = d.cfg.Inbox.Discard(st)
		d.log.WarnContext(ctx, "daemon: content differs from the recorded outcome's; left in the inbox", attrs...)
		return nil
	}
	switch rec.Outcome {
	case string(ingest.Loaded), string(ingest.Duplicate):
		if err := d.archive(ctx, st, rec.Org, rec.Year, rec.Quarter); err != nil {
			return err
		}
	default:
		// The reports are written again from a validation of the same bytes
		// (no database rules: the verdict stays the recorded one).
		res, err := d.revalidate(ctx, st)
		if err != nil {
			_ = d.cfg.Inbox.Discard(st)
			return err
		}
		// Reports of an earlier attempt cut short before the original moved.
		if _, err := d.cfg.Inbox.DropOrphanReports(st, reportKeys...); err != nil {
			_ = d.cfg.Inbox.Discard(st)
			return err
		}
		if err := d.reject(ctx, st, res, nil); err != nil {
			return err
		}
	}
	d.metrics.recovered.Inc()
	d.log.InfoContext(ctx, "daemon: move redone from the recorded outcome", append(attrs, slog.Duration("took", time.Since(start)))...)
	return nil
}

// ingest judges and loads the staged copy. Its SHA-256 was computed while
// copying, so the copy is read once more only to be judged, not hashed again.
func (d *Daemon) ingest(ctx context.Context, st *inbox.Staged, key string) (*ingest.Result, error) {
	f, err := os.Open(st.Path)
	if err != nil {
		return nil, fmt.Errorf("reopen staged copy: %w", err)
	}
	defer f.Close()
	return ingest.Reader(ctx, f, st.Size, st.SHA256, d.cfg.Schemas, d.cfg.Store, ingest.Options{
		Validate: d.cfg.Validate, ReceivedAt: d.cfg.Now(), FileName: st.Name, Notify: true,
		OrgHint: st.Org, Annotate: d.cfg.Annotate, InboxKey: key,
	})
}

func (d *Daemon) revalidate(ctx context.Context, st *inbox.Staged) (*validate.Result, error) {
	f, err := os.Open(st.Path)
	if err != nil {
		return nil, fmt.Errorf("reopen staged copy: %w", err)
	}
	defer f.Close()
	res, err := validate.Reader(ctx, f, st.Size, d.cfg.Schemas, d.cfg.Validate)
	if err != nil {
		return nil, err
	}
	res.File, res.SHA256 = st.Name, st.SHA256
	return res, nil
}

// archive moves a loaded or duplicate file to archive/<year>-Q<q>/<org>/. A
// file changed in the inbox since it was staged stays there for the next
// scan (a new entry); the outcome is recorded for the old one.
func (d *Daemon) archive(ctx context.Context, st *inbox.Staged, org string, year, quarter int) error {
	_, err := d.cfg.Inbox.Archive(ctx, st, year, quarter, org)
	if errors.Is(err, inbox.ErrChanged) {
		return nil
	}
	if err != nil {
		_ = d.cfg.Inbox.Discard(st)
	}
	return err
}

// reportKeys name the reports beside a rejected original: <name>.loi.txt,
// <name>.json and <name>.loi.xlsx.
var reportKeys = []string{"loi.txt", "json", "loi.xlsx"}

// reject moves a rejected file to rejected/ with its reports: the
// Vietnamese text report (.loi.txt), the JSON report (.json) and, when the
// file has cell issues to show, the annotated workbook (.loi.xlsx):
// annotated when ingest built it for the result mail, else built here.
func (d *Daemon) reject(ctx context.Context, st *inbox.Staged, res *validate.Result, annotated []byte) error {
	reports := map[string][]byte{}
	var txt, js bytes.Buffer
	if err := report.WriteText(&txt, res, "vi"); err != nil {
		_ = d.cfg.Inbox.Discard(st)
		return fmt.Errorf("text report: %w", err)
	}
	jr := report.JSON(res, "vi")
	jr.Status = string(ingest.Rejected)
	if err := report.WriteJSONResult(&js, jr); err != nil {
		_ = d.cfg.Inbox.Discard(st)
		return fmt.Errorf("json report: %w", err)
	}
	reports[reportKeys[0]], reports[reportKeys[1]] = txt.Bytes(), js.Bytes()
	switch {
	case annotated != nil:
		reports[reportKeys[2]] = annotated
	case annotate.Needed(res):
		f, err := os.Open(st.Path)
		if err != nil {
			_ = d.cfg.Inbox.Discard(st)
			return fmt.Errorf("reopen staged copy: %w", err)
		}
		var buf bytes.Buffer
		aerr := annotate.WriteContext(ctx, &buf, f, st.Size, res, d.cfg.Annotate)
		f.Close()
		if aerr != nil {
			_ = d.cfg.Inbox.Discard(st)
			return fmt.Errorf("annotated workbook: %w", aerr)
		}
		reports[reportKeys[2]] = buf.Bytes()
	}
	_, err := d.cfg.Inbox.Reject(ctx, st, reports)
	if errors.Is(err, inbox.ErrChanged) {
		return nil
	}
	if err != nil {
		_ = d.cfg.Inbox.Discard(st)
	}
	return err
}

// scrub replaces the file's path and name in an error's text by their
// hash, so that no person's name reaches a log line.
func scrub(err error, names ...string) error {
	msg := err.Error()
	changed := false
	for _, n := range names {
		if n != "" && strings.Contains(msg, n) {
			msg = strings.ReplaceAll(msg, n, "<"+inbox.NameHash(n)+">")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
