package daemon

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/mail"
	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

// Config configures a [Daemon]. Store, Inbox, Schemas and Jobs are
// required; every other zero field takes the default noted on it.
type Config struct {
	// Store is the database. Required.
	Store *store.Store
	// Inbox is the inbox and its state folders. Required.
	Inbox *inbox.Inbox
	// StateDir is the inbox's state directory, for housekeeping (archive
	// retention). Defaults to "" (no retention pass).
	StateDir string
	// Schemas are the workbook schemas. Required.
	Schemas *schema.Set
	// Jobs are the scheduled jobs (schedule.Load); disabled ones are not
	// scheduled. Required.
	Jobs []schedule.Job
	// Sender delivers the outbox. Defaults to nil: the outbox job logs that
	// delivery is not configured.
	Sender *mail.Sender
	// Digest builds and queues the quarterly digest; it is called by the
	// digest job. Defaults to nil: the job logs that the digest is not
	// configured.
	Digest func(ctx context.Context, now time.Time) error
	// Location is the zone of quarters, deadlines and the times mails show:
	// the configuration's time_zone. Required.
	Location *time.Location
	// DeadlineDays is how many days after a quarter's end its returns are
	// due (see [domain.Deadline]). Zero is a valid value; callers pass the
	// configuration's deadline_days.
	DeadlineDays int
	// ScanInterval, when positive, runs the inbox-scan job every
	// ScanInterval instead of on its cron expression. With the inbox watched
	// (see NoWatch) this periodic scan is the safety net: it finds the files
	// whose close the kernel could not report (a network file system mounted
	// from elsewhere, events lost) and applies the stability rule to them.
	// Defaults to 0: the schedule file's expression.
	ScanInterval time.Duration
	// NoWatch turns the inbox watcher off. By default the inbox is watched
	// ([inbox.Inbox.Watch]): a file whose writer closed it, or that was
	// renamed in, is scanned and processed at once instead of at the next
	// periodic scan, and a file's result mail is delivered as soon as its
	// outcome is recorded instead of at the next outbox run. Defaults to
	// false: watched.
	NoWatch bool
	// Workers is how many ready files one scan processes at once, each
	// claimed, judged, loaded and moved on its own. Defaults to 1.
	Workers int
	// Retention is how long archived originals are kept after their
	// quarter's end; housekeeping removes older quarter folders. Defaults
	// to 0: kept for ever.
	Retention time.Duration
	// Validate tunes validation (limits). Defaults to validate's defaults.
	Validate validate.Options
	// Annotate tunes the annotated workbooks. Defaults to annotate's defaults.
	Annotate annotate.Options
	// Operators receive the answer about files no organisation could be
	// found for, and the daily summary. Defaults to none.
	Operators []string
	// RetryBase is the first back-off after an error that is not the file's
	// fault (database down). Defaults to 1s.
	RetryBase time.Duration
	// RetryCap bounds the back-off. Defaults to 1m.
	RetryCap time.Duration
	// StopTimeout is how long Stop lets the file in hand finish before
	// cancelling it. Defaults to 30s.
	StopTimeout time.Duration
	// MaxAttempts is how many times a file whose processing fails by its
	// own fault is tried before it is rejected (intake.Config.MaxAttempts).
	// Defaults to 3.
	MaxAttempts int
	// Console is the web console (etl/web), mounted at / beside the
	// health, readiness and metrics endpoints, which keep precedence.
	// Defaults to nil: no console.
	Console http.Handler
	// Listen is the host:port of the health and metrics listener. Defaults
	// to "": no listener.
	Listen string
	// Owner names this daemon in returns.job_run. Defaults to
	// host:pid:random.
	Owner string
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// Logger receives the log lines. Defaults to a discarding logger (the
	// command line passes its own).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	c.RetryBase = cmp.Or(c.RetryBase, time.Second)
	c.RetryCap = cmp.Or(c.RetryCap, time.Minute)
	c.StopTimeout = cmp.Or(c.StopTimeout, 30*time.Second)
	c.Workers = max(c.Workers, 1)
	if c.Owner == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		c.Owner = fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	return c
}

func (c Config) validate() error {
	switch {
	case c.Store == nil:
		return errors.New("no Store")
	case c.Inbox == nil:
		return errors.New("no Inbox")
	case c.Schemas == nil:
		return errors.New("no Schemas")
	case len(c.Jobs) == 0:
		return errors.New("no Jobs")
	case c.Location == nil:
		return errors.New("no Location (the configuration's time_zone)")
	case c.DeadlineDays < 0:
		return fmt.Errorf("DeadlineDays %d is negative", c.DeadlineDays)
	case c.ScanInterval < 0:
		return fmt.Errorf("ScanInterval %s is negative", c.ScanInterval)
	case c.RetryCap < c.RetryBase:
		return fmt.Errorf("RetryCap %s is below RetryBase %s", c.RetryCap, c.RetryBase)
	}
	if _, ok := c.Schemas.Templates[domain.ReturnTemplate]; !ok {
		return fmt.Errorf("schemas have no template %s", domain.ReturnTemplate)
	}
	return nil
}

// Daemon is the running pipeline. Start it once; Stop ends it.
type Daemon struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	jobs    map[string]schedule.Job

	startMu sync.Mutex
	started bool
	sched   gocron.Scheduler
	srv     *http.Server
	ln      net.Listener
	stopped chan struct{}

	// work is the context of job runs: cancelled only by a hard stop, so a
	// soft stop lets the file in hand finish.
	work       context.Context
	cancelWork context.CancelFunc
	stopping   atomic.Bool
	running    atomic.Bool

	fileMu sync.Mutex     // the inbox scan and housekeeping never run together
	intake *intake.Intake // the files' journey, built by the first scan (files.go)

	retryMu    sync.Mutex
	retryUntil time.Time
	failures   int // consecutive transient failures

	slotMu sync.Mutex
	slots  map[string]time.Time // job → slot of its run in progress

	watcher  *inbox.Watcher // nil when not watching
	scanKick chan struct{}  // a scan now (coalesced)
	mailKick chan struct{}  // an outbox pass now (coalesced)
	quit     chan struct{}  // closed by Stop: the loops end
	loops    sync.WaitGroup
}

// New checks cfg and builds a Daemon; nothing runs until Start.
func New(cfg Config) (*Daemon, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("daemon: config: %w", err)
	}
	d := &Daemon{cfg: c, log: c.Logger, metrics: newMetrics(), jobs: map[string]schedule.Job{},
		stopped: make(chan struct{}), slots: map[string]time.Time{},
		scanKick: make(chan struct{}, 1), mailKick: make(chan struct{}, 1), quit: make(chan struct{})}
	for _, j := range c.Jobs {
		d.jobs[j.Name] = j
	}
	return d, nil
}

// Start recovers from an earlier run, schedules the jobs (applying their
// missed-run policies), starts the listener when Config.Listen is set and
// returns. ctx bounds the start-up only. Calling it again does nothing.
func (d *Daemon) Start(ctx context.Context) error {
	d.startMu.Lock()
	defer d.startMu.Unlock()
	if d.started {
		return nil
	}
	// Staging copies and temp files left by a crash: no file is in hand yet,
	// so every staging copy is an orphan; the originals are still in the
	// inbox and are offered again by the scan.
	removed, err := d.cfg.Inbox.Recover(ctx, nil)
	if err != nil {
		return fmt.Errorf("daemon: start: %w", err)
	}
	d.log.InfoContext(ctx, "daemon: recovered", slog.Int("removed", removed))
	d.work, d.cancelWork = context.WithCancel(context.WithoutCancel(ctx))
	if err := d.startScheduler(ctx); err != nil {
		d.cancelWork()
		return fmt.Errorf("daemon: start: %w", err)
	}
	if d.cfg.Listen != "" {
		ln, err := net.Listen("tcp", d.cfg.Listen)
		if err != nil {
			_ = d.sched.Shutdown()
			d.cancelWork()
			return fmt.Errorf("daemon: listen on %s: %w", d.cfg.Listen, err)
		}
		d.ln = ln
		d.srv = &http.Server{Handler: d.Handler(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.log.Error("daemon: http listener", slog.String("error", err.Error()))
			}
		}()
		d.log.InfoContext(ctx, "daemon: listening", slog.String("addr", ln.Addr().String()))
	}
	d.startLoops(ctx)
	d.running.Store(true)
	d.started = true
	d.log.InfoContext(ctx, "daemon: started", slog.String("owner", d.cfg.Owner), slog.Int("jobs", len(d.cfg.Jobs)))
	return nil
}

// Addr is the listener's address (nil without one).
func (d *Daemon) Addr() net.Addr {
	if d.ln == nil {
		return nil
	}
	return d.ln.Addr()
}

// Stop stops taking new work, waits up to Config.StopTimeout (or until ctx
// ends) for the runs in progress to finish — the file in hand is finished,
// the rest stay in the inbox — then cancels whatever is still running and
// closes the listener. It returns an error when work had to be cancelled.
func (d *Daemon) Stop(ctx context.Context) error {
	d.startMu.Lock()
	defer d.startMu.Unlock()
	if !d.started {
		return nil
	}
	select {
	case <-d.stopped:
		return nil
	default:
	}
	defer close(d.stopped)
	d.stopping.Store(true)
	d.running.Store(false)
	close(d.quit)
	done := make(chan error, 1)
	go func() {
		err := d.sched.Shutdown()
		d.loops.Wait()
		done <- err
	}()
	var err error
	t := time.NewTimer(d.cfg.StopTimeout)
	defer t.Stop()
	select {
	case err = <-done:
	case <-t.C:
		d.cancelWork()
		err = fmt.Errorf("daemon: stop: work still running after %s was cancelled", d.cfg.StopTimeout)
		<-done
	case <-ctx.Done():
		d.cancelWork()
		err = fmt.Errorf("daemon: stop: %w", ctx.Err())
		<-done
	}
	d.cancelWork()
	if d.watcher != nil {
		if werr := d.watcher.Close(); werr != nil {
			d.log.Warn("daemon: stop watching the inbox", slog.String("error", werr.Error()))
		}
	}
	if d.srv != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = d.srv.Shutdown(sctx)
		cancel()
	}
	d.log.Info("daemon: stopped")
	return err
}

// Stopped is closed when Stop has finished.
func (d *Daemon) Stopped() <-chan struct{} { return d.stopped }

// backoff reports whether transient failures hold work back now.
func (d *Daemon) backoff() (time.Duration, bool) {
	d.retryMu.Lock()
	defer d.retryMu.Unlock()
	left := d.retryUntil.Sub(d.cfg.Now())
	return left, left > 0
}

// failed records a transient failure and pushes the next attempt back:
// RetryBase doubled per consecutive failure, at most RetryCap.
func (d *Daemon) failed(ctx context.Context, what string, err error) {
	d.retryMu.Lock()
	d.failures++
	wait := d.cfg.RetryBase
	for i := 1; i < d.failures && wait < d.cfg.RetryCap; i++ {
		wait *= 2
	}
	wait = min(wait, d.cfg.RetryCap)
	d.retryUntil = d.cfg.Now().Add(wait)
	n := d.failures
	d.retryMu.Unlock()
	d.metrics.transient.Inc()
	if errors.Is(err, context.Canceled) {
		return
	}
	d.log.WarnContext(ctx, "daemon: not the file's fault, will retry", slog.String("during", what),
		slog.Int("consecutive", n), slog.Duration("retry_in", wait), slog.String("error", err.Error()))
}

// succeeded clears the back-off.
func (d *Daemon) succeeded() {
	d.retryMu.Lock()
	d.failures = 0
	d.retryUntil = time.Time{}
	d.retryMu.Unlock()
}

// startLoops starts what makes the daemon fast when idle: the inbox
// watcher, whose wake-ups (and [Daemon.scanSoon]) run the inbox scan at
// once, and the mail loop, which runs an outbox pass on [Daemon.mailSoon].
// Without an enabled inbox-scan job nothing is watched.
func (d *Daemon) startLoops(ctx context.Context) {
	var scanJob *schedule.Job
	for _, j := range d.cfg.Jobs {
		if j.Kind == schedule.KindInboxScan && j.Enabled {
			scanJob = &j
			break
		}
	}
	var wake <-chan struct{}
	if scanJob != nil && !d.cfg.NoWatch {
		w, err := d.cfg.Inbox.Watch()
		if err != nil {
			// Not fatal: the periodic scan still finds every file.
			d.log.WarnContext(ctx, "daemon: the inbox cannot be watched; files are found by the periodic scan only",
				slog.String("error", err.Error()))
		} else {
			d.watcher, wake = w, w.Wake()
			d.log.InfoContext(ctx, "daemon: watching the inbox", slog.Int("folders", len(w.Watched())))
		}
		// Files waiting since before the start are found at once.
		d.scanSoon()
	}
	if scanJob != nil {
		job := *scanJob
		d.loops.Go(func() {
			for {
				select {
				case <-d.quit:
					return
				case <-wake:
				case <-d.scanKick:
				}
				if d.stopping.Load() {
					return
				}
				d.run(job)
			}
		})
	}
	d.loops.Go(func() {
		for {
			select {
			case <-d.quit:
				return
			case <-d.mailKick:
			}
			if d.cfg.Sender == nil || d.stopping.Load() {
				continue
			}
			mctx, cancel := context.WithTimeout(d.work, 5*time.Minute)
			if err := d.deliver(mctx); err != nil && !errors.Is(err, context.Canceled) {
				d.log.Warn("daemon: outbox pass after an outcome", slog.String("error", err.Error()))
			}
			cancel()
		}
	})
}

// scanSoon asks for an inbox scan now (coalesced with one already asked
// for); the watcher does it when a file is complete.
func (d *Daemon) scanSoon() {
	select {
	case d.scanKick <- struct{}{}:
	default:
	}
}

// mailSoon asks for an outbox pass now (coalesced), so that a file's result
// mail is sent, or written as an .eml file, as soon as its outcome is
// recorded rather than at the next outbox-delivery run. The inbox scan
// calls it when a scan decided files; call it after each outcome too.
func (d *Daemon) mailSoon() {
	select {
	case d.mailKick <- struct{}{}:
	default:
	}
}
