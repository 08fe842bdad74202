package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/pgserver"
	"github.com/returns-project/returns/etl/store"
)

// database is an open, migrated store and what must be stopped with it.
type database struct {
	store  *store.Store
	server *pgserver.Server // nil when RETURNS_DATABASE_URL points at a server
}

func (d *database) Close(ctx context.Context) {
	if d.store != nil {
		d.store.Close()
	}
	if d.server != nil {
		if err := d.server.Stop(context.WithoutCancel(ctx)); err != nil {
			slog.Default().Warn("stop private PostgreSQL", "err", err)
		}
	}
}

// openDatabase connects to the configured database (database.url: the
// configuration file of RETURNS_CONFIG, RETURNS_DATABASE_URL or
// RETURNS_DATABASE_URL_FILE), or starts the private cluster under the state
// directory (state.dir, RETURNS_STATE_DIR), as `returns serve` does, and
// applies pending migrations. Any failure is an exit-2 error: it is not a
// file's fault.
func openDatabase(ctx context.Context, logger *slog.Logger) (*database, error) {
	cfg, err := loadConfig("")
	if err != nil {
		return nil, err
	}
	return openDatabaseAt(ctx, logger, cfg.Database.URL, cfg.State.Dir)
}

// openDatabaseAt is openDatabase with the URL and state directory given:
// an empty dsn starts the private cluster under state/pg.
func openDatabaseAt(ctx context.Context, logger *slog.Logger, dsn, state string) (*database, error) {
	d := &database{}
	if dsn == "" {
		dir, err := filepath.Abs(filepath.Join(state, "pg"))
		if err != nil {
			return nil, usageError("state directory: %v", err)
		}
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return nil, usageError("state directory: %v", err)
		}
		srv, err := pgserver.Start(ctx, pgserver.Config{Dir: dir, Logger: logger})
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
	st, err := store.Open(ctx, store.Config{URL: dsn, Logger: logger})
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
			d, err := openDatabase(cmd.Context(), slog.Default())
			if err != nil {
				return err
			}
			defer d.Close(cmd.Context())
			fmt.Fprintln(cmd.ErrOrStderr(), "database is up to date")
			return nil
		},
	}
}
