package daemon_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/mail"
	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/schedules"
)

// answering is a daemon built as `returns serve` builds it from a
// configuration (cfg; config.Defaults() when nothing is configured), with
// mail written as .eml files to outbox/.
type answering struct {
	d      *daemon.Daemon
	state  string
	outbox string
}

// startAnswering starts it over st; jobs, when not nil, adjusts the
// schedule files' jobs.
func startAnswering(t testing.TB, st *store.Store, cfg config.Config, log *slog.Logger, jobs func([]schedule.Job)) *answering {
	t.Helper()
	state := t.TempDir()
	set := sharedtest.Schemas(t)
	js, err := schedule.Load(schedules.FS, cfg.TimeZone)
	require.NoError(t, err)
	if jobs != nil {
		jobs(js)
	}
	loc, err := cfg.Location()
	require.NoError(t, err)
	ib, err := inbox.New(&inbox.Config{StateDir: state, MinAge: cfg.Inbox.MinAge, StableScans: cfg.Inbox.StableScans,
		LockTimeout: cfg.Inbox.LockTimeout, MaxFileSize: int64(cfg.Limits.MaxFileMB) << 20, Logger: log})
	require.NoError(t, err)
	t.Cleanup(func() { ib.Close() })
	outbox := filepath.Join(state, "outbox")
	require.NoError(t, os.MkdirAll(outbox, 0o750))
	sender, err := mail.NewSender(mail.Config{OutboxDir: outbox, Logger: log})
	require.NoError(t, err)
	d, err := daemon.New(daemon.Config{Store: st, Inbox: ib, StateDir: state, Schemas: set, Jobs: js, Sender: sender,
		Location: loc, DeadlineDays: cfg.DeadlineDays, ScanInterval: cfg.Inbox.ScanInterval, Workers: cfg.Inbox.Workers,
		NoWatch: !cfg.Inbox.Watch, Annotate: annotate.Options{Lang: "vi", Template: set.Templates["BCQ-1"], Logger: log},
		Logger: log})
	require.NoError(t, err)
	require.NoError(t, d.Start(context.Background()))
	t.Cleanup(func() { _ = d.Stop(context.Background()) })
	return &answering{d: d, state: state, outbox: outbox}
}

// emls counts the .eml files written.
func (a *answering) emls() int {
	entries, _ := os.ReadDir(a.outbox)
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") && !strings.HasPrefix(e.Name(), ".") {
			n++
		}
	}
	return n
}

// writeClosed writes inbox/rel as a plain writer does (create, write,
// close: no temporary name).
func writeClosed(t testing.TB, state, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(state, "inbox", filepath.FromSlash(rel))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	f, err := os.Create(p)
	require.NoError(t, err)
	_, err = f.Write(data)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestWatchedDropAnsweredAtOnce: with the periodic scan and the outbox
// job out of reach (scan every hour, readiness rules of an hour, outbox
// delivery disabled), files written into the inbox (a plain writer that
// closes the file, and a file renamed into an organisation folder made
// after the start) are decided and their result mail written: only the
// watcher's close events and the outbox pass after an outcome can do it.
func TestWatchedDropAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seedRegistry(t, b.st, b.p)
	files := arrivals(t, 6, 50)
	cfg := config.Defaults()
	cfg.Inbox.ScanInterval, cfg.Inbox.MinAge, cfg.Inbox.StableScans = time.Hour, time.Hour, 5
	logs := &sharedtest.Buffer{}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := startAnswering(t, b.st, cfg, log, func(js []schedule.Job) {
		for i := range js {
			if js[i].Kind == schedule.KindOutboxDelivery {
				js[i].Enabled = false
			}
		}
	})
	writeClosed(t, a.state, files[1].Name, files[1].Data)
	sharedtest.WaitFor(t, 30*time.Second, "the first file decided and its mail written", func() bool {
		return len(inboxFiles(t, a.state)) == 0 && a.emls() == 1
	})
	// A new organisation folder is followed (a file written into it in the
	// very moment it is made could be complete before it is watched, and
	// would wait for the stability rule).
	require.NoError(t, os.Mkdir(filepath.Join(a.state, "inbox", files[2].Org), 0o755))
	hash := inbox.NameHash(files[2].Org)
	sharedtest.WaitFor(t, 30*time.Second, "the new folder to be watched", func() bool {
		return strings.Contains(logs.String(), `msg="inbox: watching folder" name_hash=`+hash)
	})
	drop(t, a.state, filepath.Join(files[2].Org, files[2].Name), files[2].Data)
	sharedtest.WaitFor(t, 30*time.Second, "the second file decided and its mail written", func() bool {
		return len(inboxFiles(t, a.state)) == 0 && a.emls() == 2
	})
	var outcomes []string
	require.NoError(t, b.st.DB().Select(&outcomes, `SELECT outcome || ' ' || coalesce(reason, '') FROM returns.file_event ORDER BY id`))
	require.Equal(t, []string{"loaded ", "loaded "}, outcomes)
	// The .eml is written before its row is marked sent.
	sharedtest.WaitFor(t, 10*time.Second, "both mails marked sent", func() bool {
		return count(t, b.st, `SELECT count(*) FROM returns.outbox WHERE status = 'sent'`) == 2
	})
}

// TestWatchedLockFileHoldsBack: a closed file beside its Excel owner file
// is left alone while the owner file is there; once it goes, the file is
// decided.
func TestWatchedLockFileHoldsBack(t *testing.T) {
	t.Parallel()
	b := setup(t)
	files := arrivals(t, 6, 50)
	cfg := config.Defaults()
	cfg.Inbox.ScanInterval, cfg.Inbox.MinAge, cfg.Inbox.StableScans = 100*time.Millisecond, time.Hour, 5
	logs := &sharedtest.Buffer{}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), &slog.HandlerOptions{Level: slog.LevelInfo}))
	a := startAnswering(t, b.st, cfg, log, nil)
	name := files[1].Name
	writeClosed(t, a.state, "~$"+name[2:], []byte("owner"))
	writeClosed(t, a.state, name, files[1].Data)
	sharedtest.WaitFor(t, 30*time.Second, "the hold to be logged", func() bool { return strings.Contains(logs.String(), "held back by a lock file") })
	require.Len(t, inboxFiles(t, a.state), 2, "held back while the owner file is there")
	require.NoError(t, os.Remove(filepath.Join(a.state, "inbox", "~$"+name[2:])))
	sharedtest.WaitFor(t, 30*time.Second, "the file decided", func() bool { return len(inboxFiles(t, a.state)) == 0 })
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE outcome = 'loaded'`))
}
