package daemon

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/intake"
)

// journey is the file's journey as this daemon configures it, built once
// (it remembers attempts owed back across scans). Call it holding fileMu.
func (d *Daemon) journey() (*intake.Intake, error) {
	if d.intake != nil {
		return d.intake, nil
	}
	j, err := intake.New(intake.Config{Store: d.cfg.Store, Inbox: d.cfg.Inbox, Schemas: d.cfg.Schemas, Zone: d.cfg.Location, Validate: d.cfg.Validate,
		Annotate: d.cfg.Annotate, Operators: d.cfg.Operators, MaxAttempts: d.cfg.MaxAttempts, Now: d.cfg.Now, Logger: d.log})
	if err != nil {
		return nil, err
	}
	d.intake = j
	return j, nil
}

// scan is the inbox-scan job: one scan, then every ready file, up to
// Config.Workers at a time, through its journey (etl/intake), until the
// inbox is done, a failure of the environment backs the daemon off, or
// Stop is called (the files in hand are finished; the rest wait). A file
// that fails for its own reasons waits for its next attempt while the
// others go on.
func (d *Daemon) scan(ctx context.Context) error {
	d.fileMu.Lock()
	defer d.fileMu.Unlock()
	if _, wait := d.backoff(); wait {
		return nil
	}
	j, err := d.journey()
	if err != nil {
		return err
	}
	// Quarantined entries whose record failed (the database was down).
	if fates, err := j.RecordPending(ctx); len(fates) > 0 || err != nil {
		for _, f := range fates {
			d.log.InfoContext(ctx, "daemon: file quarantined (recorded late)", slog.String("name_hash", f.NameHash),
				slog.String("reason", string(f.Reason)), slog.String("answered", string(f.Answered)))
		}
		if err != nil {
			d.failed(ctx, "record quarantined entries", err)
			return err
		}
	}
	ready, quarantined, err := d.cfg.Inbox.Scan(ctx)
	for _, q := range quarantined {
		f, qerr := j.Quarantined(ctx, q)
		d.metrics.files.WithLabelValues(string(domain.Quarantined)).Inc()
		attrs := []any{slog.String("name_hash", f.NameHash), slog.String("outcome", string(domain.Quarantined)), slog.String("reason", string(f.Reason)),
			slog.String("org", f.Org), slog.String("answered", string(f.Answered))}
		if qerr != nil {
			// The entry is in quarantine/ with its reason file; its record
			// and mail are made at a later scan (RecordPending).
			d.log.ErrorContext(ctx, "daemon: file quarantined, not recorded", append(attrs, slog.String("error", qerr.Error()))...)
			continue
		}
		d.log.InfoContext(ctx, "daemon: file quarantined", attrs...)
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
				f, err := j.Take(ctx, r)
				d.logFate(ctx, f, err)
				if err == nil && f.Outcome != "" {
					// The file's answer is in the outbox: write it now, not
					// after the rest of the batch (coalesced).
					d.mailSoon()
				}
				if err != nil {
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

// logFate writes the file's one log line (outcome and duration; name hash,
// content hash, organisation and counts only) and counts it.
func (d *Daemon) logFate(ctx context.Context, f intake.Fate, err error) {
	attrs := []any{slog.String("name_hash", f.NameHash), slog.String("sha", short(f.SHA256)), slog.Duration("took", f.Took)}
	switch {
	case err != nil:
		d.log.InfoContext(ctx, "daemon: file waits", append(attrs, slog.String("outcome", "waiting"),
			slog.String("why", "environment"))...)
	case f.Waiting == intake.WaitClaimed:
		d.metrics.claimedElse.Inc()
		d.log.DebugContext(ctx, "daemon: file claimed by another daemon", attrs...)
	case f.Waiting == intake.WaitRetry:
		d.metrics.fileRetries.Inc()
		d.log.WarnContext(ctx, "daemon: file waits", append(attrs, slog.String("outcome", "waiting"), slog.String("why", string(f.Waiting)),
			slog.Int("attempt", f.Attempt), slog.String("error", f.AttemptErr.Error()))...)
	case f.Waiting != "":
		d.log.InfoContext(ctx, "daemon: file waits", append(attrs, slog.String("outcome", "waiting"), slog.String("why", string(f.Waiting)))...)
	case f.Redone:
		d.metrics.recovered.Inc()
		d.log.InfoContext(ctx, "daemon: move redone from the recorded outcome", append(attrs, slog.String("outcome", f.Outcome),
			slog.String("org", f.Org))...)
	default:
		attrs = append(attrs, slog.String("outcome", f.Outcome), slog.String("org", f.Org), slog.String("period", f.Period),
			slog.String("answered", string(f.Answered)), slog.Int("attempt", f.Attempt))
		d.metrics.files.WithLabelValues(f.Outcome).Inc()
		if f.Outcome == string(domain.Rejected) {
			d.metrics.rejects.WithLabelValues(string(f.Reason)).Inc()
			d.log.InfoContext(ctx, "daemon: file rejected", append(attrs, slog.String("reason", string(f.Reason)), slog.Int("errors", f.Errors))...)
			return
		}
		d.metrics.rows.Add(float64(f.Rows))
		d.log.InfoContext(ctx, "daemon: file "+f.Outcome, append(attrs, slog.Int("rows", f.Rows), slog.Int64("submission", f.SubmissionID),
			slog.Int("warnings", f.Warnings))...)
	}
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
