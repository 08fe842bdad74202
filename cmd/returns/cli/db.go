package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/pgserver"
	"github.com/returns-project/returns/etl/store"
)

// commandLogger is the one logger of every command, built from the log
// settings (log.level, log.format) and written to the command's standard
// error. The packages get it through their Config or Options: none of them
// reaches for slog.Default, and a nil Logger there discards (a library does
// not choose where its lines go).
func commandLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated by config.Load
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// database is an open, migrated store, what must be stopped with it and the
// command's logger.
type database struct {
	store  *store.Store
	server *pgserver.Server // nil when database.url points at a server
	log    *slog.Logger
}

func (d *database) Close(ctx context.Context) {
	if d.store != nil {
		d.store.Close()
	}
	if d.server != nil {
		if err := d.server.Stop(context.WithoutCancel(ctx)); err != nil {
			d.log.WarnContext(ctx, "stop private PostgreSQL", slog.String("error", err.Error()))
		}
	}
}

// withDatabase is the database preamble of every command but serve: it opens
// the configured database with the command's logger (see [openDatabase]),
// runs fn and closes the database.
func withDatabase(cmd *cobra.Command, cfg *config.Config, fn func(db *database) error) error {
	ctx := cmd.Context()
	db, err := openDatabase(ctx, commandLogger(cmd.ErrOrStderr(), cfg.Log), cfg)
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	return fn(db)
}

// openDatabase connects to the configured database (database.url: the
// configuration file of RETURNS_CONFIG, RETURNS_DATABASE_URL or
// RETURNS_DATABASE_URL_FILE), or, when none is set, starts the private
// cluster under the state directory (state.dir/pg, RETURNS_STATE_DIR), and
// applies pending migrations. Any failure is an exit-2 error: it is not a
// file's fault.
func openDatabase(ctx context.Context, log *slog.Logger, cfg *config.Config) (*database, error) {
	d := &database{log: log}
	dsn := cfg.Database.URL
	if dsn == "" {
		dir, err := filepath.Abs(filepath.Join(cfg.State.Dir, "pg"))
		if err != nil {
			return nil, usageError("state directory: %v", err)
		}
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return nil, usageError("state directory: %v", err)
		}
		srv, err := pgserver.Start(ctx, pgserver.Config{Dir: dir, Logger: log})
		if err != nil {
			if errors.Is(err, pgserver.ErrNotInstalled) {
				return nil, &exitError{code: ExitUsage, err: err}
			}
			return nil, &exitError{code: ExitUsage, err: fmt.Errorf("start the private database under %s: %w", dir, err)}
		}
		d.server = srv
		if err := store.EnsureDatabase(ctx, srv.URL("postgres"), "returns"); err != nil {
			d.Close(ctx)
			return nil, &exitError{code: ExitUsage, err: err}
		}
		dsn = srv.URL("returns")
	}
	st, err := store.Open(ctx, store.Config{URL: dsn, Logger: log})
	if err != nil {
		d.Close(ctx)
		return nil, &exitError{code: ExitUsage, err: fmt.Errorf("the database cannot be reached (this is not the file's fault; nothing was judged): %w", err)}
	}
	d.store = st
	if _, err := st.Migrate(ctx); err != nil {
		d.Close(ctx)
		return nil, &exitError{code: ExitUsage, err: err}
	}
	return d, nil
}

func newMigrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations (start-up does it too)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig("")
			if err != nil {
				return err
			}
			return withDatabase(cmd, cfg, func(*database) error {
				fmt.Fprintln(cmd.ErrOrStderr(), "database is up to date")
				return nil
			})
		},
	}
}
