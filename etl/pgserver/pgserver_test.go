package pgserver

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
)

// TestStartReuseStop creates a cluster, connects through its socket with
// psql, starts it again (reused, not re-created) and stops it.
func TestStartReuseStop(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t, "rpg")
	ctx := context.Background()

	s, err := Start(ctx, Config{Dir: filepath.Join(dir, "pg")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop(context.Background()) })

	psql := func() string {
		out, err := exec.Command(filepath.Join(s.BinDir(), "psql"), "-X", "-At", "-h", s.SocketDir(), "-U", "returns", "-d", "postgres",
			"-c", "select current_setting('listen_addresses') || '|' || current_user").CombinedOutput()
		require.NoError(t, err, string(out))
		return strings.TrimSpace(string(out))
	}
	require.Equal(t, "|returns", psql(), "no TCP listener, superuser returns")

	// A second Start on the same directory reuses the running cluster.
	s2, err := Start(ctx, Config{Dir: filepath.Join(dir, "pg")})
	require.NoError(t, err)
	require.False(t, s2.started)
	require.NoError(t, s2.Stop(ctx), "stopping a reused server is a no-op")
	require.Equal(t, "|returns", psql())

	require.NoError(t, s.Stop(ctx))
	require.False(t, s.running(ctx))
	// Restart after a clean stop keeps the data directory.
	s3, err := Start(ctx, Config{Dir: filepath.Join(dir, "pg")})
	require.NoError(t, err)
	require.True(t, s3.started)
	require.NoError(t, s3.Stop(ctx))
}

func TestNotInstalledIsOneClearSentence(t *testing.T) {
	t.Setenv("RETURNS_PG_BINDIR", t.TempDir())
	_, err := FindBinDir()
	require.ErrorIs(t, err, ErrNotInstalled)
	require.Contains(t, err.Error(), "apt-get install postgresql")
	require.Contains(t, err.Error(), "RETURNS_DATABASE_URL")
}

// TestSuperviseRestartsKilledPostmaster kills the postmaster with SIGKILL
// (checked: the process is gone) and waits for the supervisor to start the
// cluster again: a new postmaster that answers queries.
func TestSuperviseRestartsKilledPostmaster(t *testing.T) {
	t.Parallel()
	dir := clusterDir(t, "rsv")
	ctx := context.Background()
	logs := &sharedtest.Buffer{}
	s, err := Start(ctx, Config{Dir: filepath.Join(dir, "pg"), Logger: slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), nil))})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	stop := s.Supervise(ctx, SuperviseConfig{Interval: 50 * time.Millisecond, RetryBase: 100 * time.Millisecond, RetryCap: time.Second})
	defer stop()

	psql := func() error {
		return exec.Command(filepath.Join(s.BinDir(), "psql"), "-X", "-At", "-h", s.SocketDir(), "-U", "returns", "-d", "postgres",
			"-c", "select 1").Run()
	}
	require.NoError(t, psql())
	old, alive := s.Postmaster()
	require.True(t, alive)
	require.NoError(t, syscall.Kill(old, syscall.SIGKILL))
	sharedtest.WaitFor(t, 10*time.Second, "the killed postmaster to be gone", func() bool { return !processAlive(old) })

	sharedtest.WaitFor(t, 60*time.Second, "a new postmaster that answers", func() bool {
		pid, alive := s.Postmaster()
		return alive && pid != old && psql() == nil
	})
	require.Contains(t, logs.String(), "not running: starting it again")
	// The new postmaster answers a moment before pg_ctl returns to the
	// supervisor, which then logs the restart.
	sharedtest.WaitFor(t, 30*time.Second, "the supervisor to log the restart", func() bool {
		return strings.Contains(logs.String(), "runs again")
	})
	stop()
	require.True(t, s.isStarted(), "a cluster restarted by the supervisor is stopped by Stop")
	require.NoError(t, s.Stop(ctx))
	_, alive = s.Postmaster()
	require.False(t, alive)
}

// clusterDir skips the test where PostgreSQL is not installed (outside CI)
// and returns a fresh directory, removed at the end, for a cluster: short
// (a socket path has a length limit, so not t.TempDir) and readable by the
// postgres user.
func clusterDir(t *testing.T, prefix string) string {
	t.Helper()
	if _, err := FindBinDir(); err != nil && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", prefix)
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	return dir
}
