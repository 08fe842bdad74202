package inbox

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
)

type testBundle struct {
	ib    *Inbox
	clock *sharedtest.Clock
	state string // the state directory
	inbox string // state/inbox
	logs  *sharedtest.Buffer
	cfg   Config
}

// setup makes an Inbox on a fresh state directory with the default readiness
// rules (2 scans, 10 s) on a fake clock. mutate adjusts the config.
func setup(t *testing.T, mutate ...func(*Config)) *testBundle {
	t.Helper()
	state := filepath.Join(t.TempDir(), "var")
	clock := sharedtest.NewClock(time.Date(2025, 10, 5, 8, 0, 0, 0, time.UTC))
	logs := &sharedtest.Buffer{}
	cfg := Config{
		StateDir: state,
		Now:      clock.Now,
		Logger:   slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	ib, err := New(&cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ib.Close()) })
	return &testBundle{ib: ib, clock: clock, state: state, inbox: filepath.Join(state, "inbox"), logs: logs, cfg: ib.cfg}
}

// write creates inbox/rel (and its folders) with content.
func (b *testBundle) write(t *testing.T, rel string, content []byte) string {
	t.Helper()
	p := filepath.Join(b.inbox, filepath.FromSlash(rel))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o750))
	require.NoError(t, os.WriteFile(p, content, 0o640))
	return p
}

// scan runs one Scan that must finish within 10 s (a FIFO opened by mistake
// would block it for ever: the test fails instead of hanging).
func (b *testBundle) scan(t *testing.T) ([]Ready, []Quarantined) {
	t.Helper()
	type result struct {
		r   []Ready
		q   []Quarantined
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, q, err := b.ib.Scan(context.Background())
		done <- result{r, q, err}
	}()
	select {
	case res := <-done:
		require.NoError(t, res.err)
		for _, r := range res.r {
			require.True(t, filepath.IsLocal(r.Rel), "Rel %q escapes the inbox", r.Rel)
		}
		return res.r, res.q
	case <-time.After(10 * time.Second):
		t.Fatal("Scan blocked")
		return nil, nil
	}
}

// settle scans rounds times, advancing the clock by MinAge after each scan,
// and returns everything that came out.
func (b *testBundle) settle(t *testing.T, rounds int) ([]Ready, []Quarantined) {
	t.Helper()
	var ready []Ready
	var quarantined []Quarantined
	for range rounds {
		r, q := b.scan(t)
		ready = append(ready, r...)
		quarantined = append(quarantined, q...)
		b.clock.Advance(b.cfg.MinAge)
	}
	return ready, quarantined
}

func rels(rs []Ready) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Rel
	}
	slices.Sort(out)
	return out
}

// requireNoNames checks that no log line carries any of the names.
func (b *testBundle) requireNoNames(t *testing.T, names ...string) {
	t.Helper()
	logs := b.logs.String()
	for _, n := range names {
		require.NotContains(t, logs, n, "a file name reached the log")
	}
}

// dirNames lists a folder of the state directory.
func (b *testBundle) dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(b.state, dir))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestConfigDefaultsAndValidation(t *testing.T) {
	t.Parallel()

	c := Config{}.withDefaults()
	require.Equal(t, "var", c.StateDir)
	require.Equal(t, 10*time.Second, c.MinAge)
	require.Equal(t, 2, c.StableScans)
	require.Equal(t, int64(64<<20), c.MaxFileSize)
	require.NotNil(t, c.Now)
	require.NotNil(t, c.Logger)

	for _, bad := range []Config{{MinAge: -time.Second}, {StableScans: -1}, {MaxFileSize: -5}} {
		bad.StateDir = t.TempDir()
		_, err := New(&bad)
		require.Error(t, err)
	}
}

func TestNewCreatesLayout(t *testing.T) {
	t.Parallel()
	b := setup(t)

	for _, d := range []string{"inbox", "staging", "archive", "rejected", "quarantine"} {
		fi, err := os.Stat(filepath.Join(b.state, d))
		require.NoError(t, err)
		require.True(t, fi.IsDir())
	}
	fi, err := os.Stat(filepath.Join(b.state, "staging"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "staging must be private")
	require.Equal(t, b.inbox, b.ib.InboxDir())

	// A staging folder made too open by someone else is closed again.
	require.NoError(t, os.Chmod(filepath.Join(b.state, "staging"), 0o755))
	ib2, err := New(&Config{StateDir: b.state, Logger: b.cfg.Logger})
	require.NoError(t, err)
	require.NoError(t, ib2.Close())
	fi, err = os.Stat(filepath.Join(b.state, "staging"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
}

func TestNameHash(t *testing.T) {
	t.Parallel()
	require.Len(t, NameHash("Nguyễn Văn A.xlsx"), 12)
	require.Equal(t, NameHash("a"), NameHash("a"))
	require.NotEqual(t, NameHash("a"), NameHash("b"))
	require.False(t, strings.Contains(NameHash("abc"), "abc"))
}
