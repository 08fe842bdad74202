package daemon_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/sharedtest"
)

// readyOf is the inbox.Ready a scan would give for the file at rel.
func readyOf(t *testing.T, state, rel string) inbox.Ready {
	t.Helper()
	fi, err := os.Lstat(filepath.Join(state, "inbox", rel))
	require.NoError(t, err)
	sys := fi.Sys().(*syscall.Stat_t)
	return inbox.Ready{Rel: rel, Name: filepath.Base(rel), Size: fi.Size(), ModTime: fi.ModTime(), Dev: uint64(sys.Dev), Ino: uint64(sys.Ino)}
}

// TestMoveRedoneFromRecordedOutcome stages the crash between an outcome and
// its move: the outcomes of a valid and a rejected file are recorded under
// their inbox entries' keys while the files stay in the inbox. The daemon
// must only move them (with the rejected file's reports), judging, loading
// and mailing nothing again.
func TestMoveRedoneFromRecordedOutcome(t *testing.T) {
	t.Parallel()
	b := setup(t)
	files := arrivals(t, 6, 100)
	good, bad := files[1], files[3]
	require.True(t, good.Valid)
	require.False(t, bad.Valid)
	require.NoError(t, os.MkdirAll(filepath.Join(b.state, "inbox"), 0o750))
	for _, f := range []arrival{good, bad} {
		drop(t, b.state, f.Name, f.Data)
		key := daemon.InboxKey(readyOf(t, b.state, f.Name))
		res, err := intake.JudgeFile(context.Background(), filepath.Join(b.state, "inbox", f.Name), b.set, b.st,
			intake.Options{InboxKey: key, FileName: f.Name})
		require.NoError(t, err)
		require.NotEqual(t, domain.Duplicate, res.Outcome)
	}
	// The crash also cut the rejection short after its first report.
	require.NoError(t, os.MkdirAll(filepath.Join(b.state, "rejected"), 0o750))
	stale := filepath.Join(b.state, "rejected", strings.TrimSuffix(bad.Name, ".xlsx")+".loi.txt")
	require.NoError(t, os.WriteFile(stale, []byte("stale"), 0o640))
	d := b.start(t, func(c *daemon.Config) { c.Listen = "127.0.0.1:0" })
	sharedtest.WaitFor(t, 20*time.Second, "the inbox to empty", func() bool { return settled(t, b.state) })
	// The file is counted once its journey has released it, a moment
	// after the move: stop the daemon (the files in hand finish) first.
	require.NoError(t, d.Stop(context.Background()))
	require.Equal(t, 2.0, metricH(t, d, "returns_moves_redone_total"))
	txt, err := os.ReadFile(stale)
	require.NoError(t, err)
	require.Contains(t, string(txt), "TH-01", "the stale report was replaced and the original kept its name")
	require.Equal(t, 0.0, metricH(t, d, `returns_files_total{outcome="loaded"}`), "nothing judged again")
	require.Equal(t, 0.0, metricH(t, d, `returns_files_total{outcome="rejected"}`), "nothing judged again")
	v := check(t, b.st, b.state, []arrival{good, bad})
	require.True(t, v.clean(), "%+v", v)
	require.Equal(t, 1, v.Loaded)
	require.Equal(t, 1, v.Rejected)
}

// TestLogHasNoNames: file names (which often carry people's names) never
// reach the log, whatever happens to the file.
func TestLogHasNoNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var logBuf sharedtest.Buffer
	files := arrivals(t, 6, 100)
	names := []string{"Nguyễn Văn Bình.xlsx", "Trần Thị Hoa/báo cáo quý.xlsx", "Lê Minh junk.xlsx"}
	b.start(t, func(c *daemon.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	drop(t, b.state, names[0], files[1].Data)
	drop(t, b.state, names[1], files[3].Data)
	drop(t, b.state, names[2], files[4].Data)
	sharedtest.WaitFor(t, 20*time.Second, "the inbox to empty", func() bool { return settled(t, b.state) })
	log := logBuf.String()
	require.Contains(t, log, "daemon: file loaded")
	require.Contains(t, log, "daemon: file rejected")
	for _, n := range append(names, "Nguyễn", "Trần", "Hoa", "Bình", "báo cáo") {
		require.NotContains(t, log, n)
	}
}

// TestStopTimeoutCancelsFileInHand: when the file in hand does not finish
// within StopTimeout, Stop cancels it and says so; nothing of it is
// recorded or loaded, the staging copy is gone and the file, still in the
// inbox, is loaded by the next daemon.
func TestStopTimeoutCancelsFileInHand(t *testing.T) {
	t.Parallel()
	b := setup(t)
	files := arrivals(t, 6, 60000)[:1]
	d := b.start(t, func(c *daemon.Config) { c.StopTimeout = 300 * time.Millisecond })
	drop(t, b.state, files[0].Name, files[0].Data)
	sharedtest.WaitFor(t, 20*time.Second, "the file in hand", func() bool {
		entries, _ := os.ReadDir(filepath.Join(b.state, "staging"))
		return len(entries) == 1
	})
	require.Error(t, d.Stop(context.Background()), "Stop says it had to cancel")
	require.Len(t, inboxFiles(t, b.state), 1, "the cancelled file stays in the inbox")
	require.Zero(t, count(t, b.st, `SELECT count(*) FROM returns.file_event`))
	require.Zero(t, count(t, b.st, `SELECT count(*) FROM returns.ledger`))
	entries, err := os.ReadDir(filepath.Join(b.state, "staging"))
	require.NoError(t, err)
	require.Empty(t, entries)

	b.start(t, nil)
	sharedtest.WaitFor(t, 60*time.Second, "the file loaded by the next daemon", func() bool { return settled(t, b.state) })
	v := check(t, b.st, b.state, files)
	require.True(t, v.clean(), "%+v", v)
	require.Equal(t, 1, v.Loaded)
}
