// Package storetest gives tests a real, migrated PostgreSQL database: one
// throwaway cluster per test binary (the same private-cluster mechanism the
// daemon uses), or the server of RETURNS_TEST_DATABASE_URL, and a fresh
// database per test cloned from a migrated template database.
//
// Without PostgreSQL installed the tests skip with the reason, except in CI
// (CI set), where they fail: database tests never skip silently in CI.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/lib/pq" // the PostgreSQL driver

	"github.com/returns-project/returns/etl/pgserver"
	"github.com/returns-project/returns/etl/store"
)

var (
	once     sync.Once
	initErr  error
	srv      *pgserver.Server
	srvDir   string
	adminURL string // connects to a maintenance database of the server
	template string // migrated template database
	counter  atomic.Int64
)

// Main runs the tests of a package and stops the cluster afterwards. Call it
// from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if srv != nil {
		_ = srv.Stop(context.Background())
		_ = os.RemoveAll(srvDir)
	}
	os.Exit(code)
}

func setup() error {
	ctx := context.Background()
	if u := os.Getenv("RETURNS_TEST_DATABASE_URL"); u != "" {
		adminURL = u
	} else {
		dir, err := os.MkdirTemp("", "rpg")
		if err != nil {
			return err
		}
		srvDir = dir
		// The server may run as another user (when tests run as root): let
		// it reach its directory.
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
		s, err := pgserver.Start(ctx, pgserver.Config{Dir: filepath.Join(dir, "pg")})
		if err != nil {
			return err
		}
		srv = s
		adminURL = s.URL("postgres")
	}
	template = fmt.Sprintf("returns_tmpl_%d", os.Getpid())
	if err := exec(ctx, adminURL, fmt.Sprintf("DROP DATABASE IF EXISTS %s", template)); err != nil {
		return err
	}
	if err := exec(ctx, adminURL, fmt.Sprintf("CREATE DATABASE %s", template)); err != nil {
		return err
	}
	st, err := store.Open(ctx, store.Config{URL: withDB(adminURL, template), MaxConns: 2})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	return nil
}

func exec(ctx context.Context, dsn, query string) error {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, query); err != nil {
		return fmt.Errorf("%s: %w", query, err)
	}
	return nil
}

// withDB returns dsn pointing at database name.
func withDB(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

// URL returns the URL of a fresh, migrated database dropped when t ends.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { initErr = setup() })
	if initErr != nil {
		// Only a machine without PostgreSQL may skip, and only outside CI;
		// anything else (a migration that fails, a server that will not
		// start) is a failure, never a silent skip.
		if errors.Is(initErr, pgserver.ErrNotInstalled) && os.Getenv("CI") == "" {
			t.Skipf("no PostgreSQL for database tests: %v", initErr)
		}
		t.Fatalf("database tests cannot run: %v", initErr)
	}
	name := fmt.Sprintf("returns_t%d_%d", os.Getpid(), counter.Add(1))
	ctx := context.Background()
	if err := exec(ctx, adminURL, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_ = exec(context.Background(), adminURL, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDB(adminURL, name)
}

// New returns a Store on a fresh, migrated database.
func New(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{URL: URL(t)})
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Server returns the throwaway cluster, or nil when the tests use
// RETURNS_TEST_DATABASE_URL. Fault tests use it to stop and restart the server.
func Server() *pgserver.Server { return srv }
