package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/google/uuid"

	"github.com/returns-project/returns/etl/schedule"
)

// errSlotTaken is the locker's answer when another daemon (or an earlier
// run of this one) already ran the slot: gocron then skips the run.
var errSlotTaken = errors.New("scheduled run already claimed")

// errBackingOff is the locker's answer while transient failures hold work
// back: no database round trip is made.
var errBackingOff = errors.New("backing off after a failure")

// startScheduler creates the gocron scheduler with the jobs and starts it.
func (d *Daemon) startScheduler(ctx context.Context) error {
	s, err := gocron.NewScheduler(
		gocron.WithLocation(d.cfg.Location),
		gocron.WithDistributedLocker(locker{d}),
		// Shutdown waits for the runs in progress; Stop bounds the wait.
		gocron.WithStopTimeout(24*time.Hour),
	)
	if err != nil {
		return fmt.Errorf("scheduler: %w", err)
	}
	now := d.cfg.Now()
	for _, j := range d.cfg.Jobs {
		if !j.Enabled {
			d.log.InfoContext(ctx, "daemon: job disabled", slog.String("job", j.Name))
			continue
		}
		def := gocron.CronJob(j.Crontab(), false)
		if j.Kind == schedule.KindInboxScan && d.cfg.ScanInterval > 0 {
			def = gocron.DurationJob(d.cfg.ScanInterval)
		}
		opts := []gocron.JobOption{
			gocron.WithName(j.Name),
			gocron.WithTags(string(j.Kind)),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithEventListeners(gocron.AfterLockError(func(_ uuid.UUID, name string, err error) {
				// The inbox scan's failures are logged with its back-off.
				if !errors.Is(err, errSlotTaken) && !errors.Is(err, errBackingOff) && j.Kind != schedule.KindInboxScan {
					d.log.Warn("daemon: job not run: its slot could not be claimed", slog.String("job", name), slog.String("error", err.Error()))
				}
			})),
		}
		var missed int
		var runOnce bool
		if j.Kind != schedule.KindInboxScan { // the scan records no runs; startLoops scans at once
			last, err := d.cfg.Store.LastJobRun(ctx, j.Name)
			if err != nil {
				_ = s.Shutdown()
				return err
			}
			missed, runOnce = j.Missed(last, now)
		}
		if missed > 0 {
			d.log.InfoContext(ctx, "daemon: runs missed while no daemon ran", slog.String("job", j.Name),
				slog.Int("missed", missed), slog.String("policy", string(j.OnMissed)), slog.Bool("run_now", runOnce))
		}
		if runOnce {
			opts = append(opts, gocron.WithStartAt(gocron.WithStartImmediately()))
		}
		job := j
		if _, err := s.NewJob(def, gocron.NewTask(func() { d.run(job) }), opts...); err != nil {
			_ = s.Shutdown()
			return fmt.Errorf("schedule %s (%s): %w", j.Name, j.File, err)
		}
	}
	d.sched = s
	s.Start()
	return nil
}

// locker is gocron's distributed locker over returns.job_run: a run claims
// its slot, so each scheduled run is executed once across daemons.
type locker struct{ d *Daemon }

func (l locker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	d := l.d
	if d.stopping.Load() {
		return nil, errSlotTaken
	}
	j, ok := d.jobs[key]
	if !ok {
		return nil, fmt.Errorf("unknown job %q", key)
	}
	if j.Kind == schedule.KindInboxScan {
		if _, wait := d.backoff(); wait {
			return nil, errBackingOff
		}
		// Every daemon scans: files are claimed one by one through
		// PostgreSQL, so a slot per scan (every few seconds) would only fill
		// returns.job_run.
		return unlock{}, nil
	}
	slot := d.slotOf(j, d.cfg.Now())
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	got, err := d.cfg.Store.ClaimJobRun(cctx, j.Name, slot, d.cfg.Owner)
	if err != nil {
		if j.Kind == schedule.KindInboxScan {
			d.failed(ctx, "claim scheduled run", err)
		}
		return nil, err
	}
	if !got {
		return nil, errSlotTaken
	}
	d.slotMu.Lock()
	d.slots[j.Name] = slot
	d.slotMu.Unlock()
	return unlock{}, nil
}

// unlock: the slot stays claimed (it is the run's record); the run records
// its end itself.
type unlock struct{}

func (unlock) Unlock(context.Context) error { return nil }

// slotOf is the scheduled slot a run at now belongs to: now rounded to the
// schedule's resolution (a minute for cron expressions, the interval for
// ScanInterval), so that daemons whose timers fire a little apart agree.
func (d *Daemon) slotOf(j schedule.Job, now time.Time) time.Time {
	res := time.Minute
	if j.Kind == schedule.KindInboxScan && d.cfg.ScanInterval > 0 {
		res = d.cfg.ScanInterval
	}
	return now.Round(res).UTC()
}

// run is every job's task: it dispatches on the kind, bounds the run with
// the job's timeout, and records the outcome and the metrics.
func (d *Daemon) run(j schedule.Job) {
	ctx := d.work
	if j.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, j.Timeout)
		defer cancel()
	}
	d.slotMu.Lock()
	slot, haveSlot := d.slots[j.Name]
	delete(d.slots, j.Name)
	d.slotMu.Unlock()
	start := time.Now()
	err := d.runSafely(ctx, j)
	took := time.Since(start)
	d.metrics.jobRuns.WithLabelValues(j.Name).Inc()
	if err != nil {
		d.metrics.jobFailures.WithLabelValues(j.Name).Inc()
		if !errors.Is(err, context.Canceled) {
			d.log.Error("daemon: job failed", slog.String("job", j.Name), slog.Duration("took", took), slog.String("error", err.Error()))
		}
	} else {
		d.metrics.jobLastSuccess.WithLabelValues(j.Name).Set(float64(d.cfg.Now().Unix()))
		d.log.Debug("daemon: job done", slog.String("job", j.Name), slog.Duration("took", took))
	}
	if haveSlot {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if ferr := d.cfg.Store.FinishJobRun(fctx, j.Name, slot, err == nil); ferr != nil {
			d.log.Warn("daemon: record end of run", slog.String("job", j.Name), slog.String("error", ferr.Error()))
		}
		cancel()
	}
}

// runSafely is runKind with a panic turned into the run's error, so that
// the run is recorded as failed and the daemon goes on.
func (d *Daemon) runSafely(ctx context.Context, j schedule.Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in job %s: %v", j.Name, r)
		}
	}()
	return d.runKind(ctx, j)
}

func (d *Daemon) runKind(ctx context.Context, j schedule.Job) error {
	switch j.Kind {
	case schedule.KindInboxScan:
		before := d.metrics.decided()
		err := d.scan(ctx)
		if d.metrics.decided() != before {
			d.mailSoon()
		}
		return err
	case schedule.KindOutboxDelivery:
		return d.deliver(ctx)
	case schedule.KindReminders:
		return d.remind(ctx)
	case schedule.KindHousekeeping:
		return d.housekeep(ctx)
	case schedule.KindDailySummary:
		return d.dailySummary(ctx)
	case schedule.KindDigest:
		if d.cfg.Digest == nil {
			d.log.InfoContext(ctx, "daemon: the digest is not configured: nothing sent", slog.String("job", j.Name))
			return nil
		}
		return d.cfg.Digest(ctx, d.cfg.Now())
	}
	return fmt.Errorf("unknown job kind %q", j.Kind)
}
