package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/mail"
	"github.com/returns-project/returns/etl/pgserver"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/etl/web"
	"github.com/returns-project/returns/etl/workbook"
	"github.com/returns-project/returns/schemas"
)

// stopTimeout is how long SIGTERM or Ctrl-C lets the file in hand finish.
const stopTimeout = 30 * time.Second

func newServeCmd(g *globals) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "serve [--config FILE]",
		Short: "Run the daemon: scan the inbox, load returns, send mail, on the schedules",
		Long: `serve runs returns unattended until SIGTERM or Ctrl-C. With nothing
configured it keeps its state under ./var (inbox/, archive/, rejected/,
quarantine/, outbox/, staging/ and a private PostgreSQL cluster in pg/) and
writes mail as .eml files to var/outbox. A configuration file (--config or
RETURNS_CONFIG) and RETURNS_<SECTION>_<KEY> variables override any setting;
` + "`returns config example`" + ` prints every key. Pending migrations are applied at
start-up. /healthz, /readyz and /metrics are served on http.listen
(127.0.0.1:8787 by default).
On SIGTERM or SIGINT the file in hand is finished (within 30s) and serve
exits 0. Exit status 2: the configuration or the database is not usable.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(file)
			if err != nil {
				return err
			}
			if g.schemasDir != "" {
				cfg.Schemas.Dir = g.schemasDir
			}
			return serve(cmd.Context(), cfg, cmd.ErrOrStderr())
		},
	}
	cmd.Flags().StringVar(&file, "config", "", "configuration file (default: $"+config.EnvConfig+", else none)")
	return cmd
}

// checkListen binds the HTTP address once and lets it go, before anything
// slow or lasting starts (the private cluster's initdb, migrations): a port
// another program holds is said at once, naming the setting to change.
func checkListen(addr string) error {
	if addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http.listen %s cannot be used (%v): another program (or another returns serve) holds it; set http.listen in the configuration or RETURNS_HTTP_LISTEN, e.g. RETURNS_HTTP_LISTEN=127.0.0.1:8788", addr, err)
	}
	return l.Close()
}

func serve(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	log := commandLogger(stderr, cfg.Log)
	// The inbox keeps its folders together under state.dir; folders set
	// apart would be silently ignored, so they are refused.
	for _, f := range []struct{ key, val, name string }{
		{"state.inbox", cfg.State.Inbox, "inbox"}, {"state.archive", cfg.State.Archive, "archive"},
		{"state.rejected", cfg.State.Rejected, "rejected"}, {"state.quarantine", cfg.State.Quarantine, "quarantine"},
		{"state.staging", cfg.State.Staging, "staging"},
	} {
		if filepath.Clean(f.val) != filepath.Join(cfg.State.Dir, f.name) {
			return usageError("%s: serve keeps this folder under state.dir (%s); moving it elsewhere is not supported yet", f.key, filepath.Join(cfg.State.Dir, f.name))
		}
	}
	if err := checkFolder("schemas.dir", cfg.Schemas.Dir); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	set, err := schema.Load(schema.Overlay(cfg.Schemas.Dir, schemas.FS))
	if err != nil {
		return &exitError{code: ExitUsage, err: fmt.Errorf("load schemas: %w", err)}
	}
	jobs, err := loadSchedules(cfg.Schedules.Dir, cfg.TimeZone)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	if err := checkListen(cfg.HTTP.Listen); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	loc, err := cfg.Location()
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	tls, err := mail.ParseTLSPolicy(cfg.SMTP.TLS)
	if err != nil {
		return &exitError{code: ExitUsage, err: fmt.Errorf("smtp.tls: %w", err)}
	}
	sender, err := mail.NewSender(mail.Config{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, Username: cfg.SMTP.Username,
		Password: cfg.SMTP.Password, From: cfg.SMTP.From, TLS: tls, Timeout: cfg.SMTP.Timeout,
		OutboxDir: cfg.State.Outbox, Logger: log})
	if err != nil {
		return &exitError{code: ExitUsage, err: fmt.Errorf("mail: %w", err)}
	}
	// The database first: it creates state.dir searchable by the private
	// cluster's user when returns runs as root.
	db, err := openDatabase(ctx, log, cfg)
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	if db.server != nil {
		// The private cluster is restarted with back-off if it stops; files
		// wait in the inbox meanwhile. Supervision ends before db.Close.
		stopSupervising := db.server.Supervise(ctx, pgserver.SuperviseConfig{})
		defer stopSupervising()
	}
	ib, err := inbox.New(&inbox.Config{StateDir: cfg.State.Dir, MinAge: cfg.Inbox.MinAge, StableScans: cfg.Inbox.StableScans, LockTimeout: cfg.Inbox.LockTimeout,
		MaxFileSize: int64(cfg.Inbox.MaxFileMB) << 20, Logger: log})
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	defer ib.Close()
	if err := os.MkdirAll(cfg.State.Outbox, 0o750); err != nil {
		return &exitError{code: ExitUsage, err: fmt.Errorf("state.outbox: %w", err)}
	}

	if err := db.store.CheckColumns(ctx, intake.StoreTemplate(set.Templates[domain.ReturnTemplate])); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	digestOpts := digestjob.Options{SendDay: cfg.Digest.SendDay, SendWhenComplete: cfg.Digest.SendWhenComplete,
		IncludePersonalData: cfg.Digest.IncludePersonalData, DeadlineDays: cfg.DeadlineDays, Zone: loc,
		From: cfg.SMTP.From, Logger: log}
	console, err := web.New(web.Config{Store: db.store, StateDir: cfg.State.Dir, Listen: cfg.HTTP.Listen, Zone: loc,
		DeadlineDays: cfg.DeadlineDays, ManagerPersonalData: cfg.Digest.IncludePersonalData, Logger: log})
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	d, err := daemon.New(daemon.Config{
		Store: db.store, Inbox: ib, StateDir: cfg.State.Dir, Schemas: set, Jobs: jobs, Sender: sender,
		Location: loc, DeadlineDays: cfg.DeadlineDays, ScanInterval: cfg.Inbox.ScanInterval, Workers: cfg.Inbox.Workers, NoWatch: !cfg.Inbox.Watch,
		Retention: time.Duration(cfg.State.ArchiveRetentionDays) * 24 * time.Hour,
		Validate: validate.Options{MaxRows: cfg.Limits.MaxRows, MaxIssues: cfg.Limits.MaxIssues,
			Limits: workbook.Limits{MaxFileSize: int64(cfg.Limits.MaxFileMB) << 20}},
		Annotate:  annotate.Options{Lang: "vi", Template: set.Templates[domain.ReturnTemplate], Logger: log},
		Operators: cfg.Operators.List(), MaxAttempts: cfg.Inbox.MaxAttempts,
		StopTimeout: stopTimeout, Listen: cfg.HTTP.Listen, Console: console, Logger: log,
		Digest: func(ctx context.Context, now time.Time) error {
			return digestjob.RunQuarterly(ctx, db.store, now, digestOpts)
		},
	})
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	if err := d.Start(ctx); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	log.Info("serve: running; stop with Ctrl-C or SIGTERM", slog.String("listen", cfg.HTTP.Listen))
	<-ctx.Done()
	log.Info("serve: stopping: finishing the file in hand")
	if err := d.Stop(context.WithoutCancel(ctx)); err != nil {
		log.Warn("serve: stop", slog.String("error", err.Error()))
	}
	return nil
}
