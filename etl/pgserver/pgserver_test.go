package pgserver

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStartReuseStop creates a cluster, connects through its socket with
// psql, starts it again (reused, not re-created) and stops it.
func TestStartReuseStop(t *testing.T) {
	t.Parallel()
	if _, err := FindBinDir(); err != nil && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", "rpg")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
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
