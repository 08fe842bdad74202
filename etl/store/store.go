// Package store is the only package that speaks SQL: it migrates the
// database, records file outcomes, loads accepted returns in one transaction
// with their ledger row, and answers the queries of the status board and the
// digest.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/returns-project/returns/etl/redact"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a handle on the returns database.
type Store struct {
	db     *sqlx.DB
	logger *slog.Logger
	now    func() time.Time
}

// Config configures a Store. Zero fields take the defaults noted on each.
type Config struct {
	// URL is the PostgreSQL connection URL. Required.
	URL string
	// MaxConns bounds open connections. Defaults to 8.
	MaxConns int
	// Logger receives store messages. Defaults to a discarding logger.
	Logger *slog.Logger
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
}

// Open connects to the database (without migrating it) and checks that it answers.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.URL == "" {
		return nil, errors.New("store: no database URL")
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = 8
	}
	cfg.Logger = cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	db, err := sqlx.Open("postgres", oneRoundTrip(cfg.URL))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", redact.URL(cfg.URL), redact.Error(err, redact.Password(cfg.URL)))
	}
	db.SetMaxOpenConns(cfg.MaxConns)
	db.SetMaxIdleConns(cfg.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, connectError(cfg.URL, err)
	}
	return &Store{db: db, logger: cfg.Logger, now: cfg.Now}, nil
}

// oneRoundTrip returns dsn with lib/pq's binary_parameters on, unless dsn
// sets it: a query with parameters then costs one round trip (Parse, Bind,
// Execute, Sync sent together) instead of two (the statement described
// first). The values are sent as before, as text, but for []byte, sent as
// binary: the store passes []byte only for bytea (the outbox's
// attachments), whose binary form is the bytes themselves.
func oneRoundTrip(dsn string) string {
	if strings.Contains(dsn, "binary_parameters") {
		return dsn
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " binary_parameters=yes"
}

// Ping checks that the database answers (the daemon's readiness).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the pool to the store's own test helpers.
func (s *Store) DB() *sqlx.DB { return s.db }

// Migrations returns the embedded migration files.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory exists: a build defect
	}
	return sub
}

// Migrate applies every pending migration, holding a PostgreSQL advisory
// lock so that two daemons starting together migrate once.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, s.db.DB, Migrations(),
		goose.WithSessionLocker(locker), goose.WithTableName("public.returns_schema_version"))
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range res {
		s.logger.InfoContext(ctx, "store: migration applied", slog.Int64("version", r.Source.Version), slog.Duration("took", r.Duration))
	}
	return len(res), nil
}

// tx runs fn in a transaction, rolling back on any error. The rollback runs
// even if ctx was cancelled.
func (s *Store) tx(ctx context.Context, fn func(*sqlx.Tx) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// one reads the one row query returns into a new T; nil, and no error,
// when it returns none.
func one[T any](ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (*T, error) {
	v := new(T)
	err := sqlx.GetContext(ctx, q, v, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// connectError says that the database of dsn could not be reached, with
// dsn's password out of the text (the driver's error may echo it).
func connectError(dsn string, err error) error {
	return fmt.Errorf("store: connect to %s: %w", redact.URL(dsn), redact.Error(err, redact.Password(dsn)))
}

// EnsureDatabase creates database name on the server of adminURL if it does
// not exist (the private cluster's first start).
func EnsureDatabase(ctx context.Context, adminURL, name string) error {
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return connectError(adminURL, err)
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return connectError(adminURL, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		return fmt.Errorf("store: create database %s: %w", name, err)
	}
	return nil
}
