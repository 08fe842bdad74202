package inbox

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// watching starts a Watcher on b's inbox, stopped at the end of the test.
func (b *testBundle) watching(t *testing.T) *Watcher {
	t.Helper()
	w, err := b.ib.Watch()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, w.Close()) })
	return w
}

// readyAfterWake waits (at most 10 s) for the watcher's wake-ups and scans
// after each until rel is offered; it fails if rel never is. The fake clock
// is not advanced: only a close seen by the kernel can make rel ready.
func (b *testBundle) readyAfterWake(t *testing.T, w *Watcher, rel string) Ready {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-w.Wake():
			r, _ := b.scan(t)
			for _, x := range r {
				if x.Rel == rel {
					return x
				}
			}
		case <-deadline:
			t.Fatalf("%s was not offered within 10 s of its close", rel)
		}
	}
}

// markedClosed waits until the kernel's close of rel has been recorded.
func (b *testBundle) markedClosed(t *testing.T, rel string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.ib.closedMu.Lock()
		_, ok := b.ib.closed[rel]
		b.ib.closedMu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no close recorded for %s", rel)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWatchCloseMakesReadyAtOnce: with readiness rules no file could meet
// in the test (5 scans, an hour), a file is offered as soon as its writer
// closes it (in the inbox and in an organisation folder made after the
// watcher started, and one level below), and not while it is still open.
func TestWatchCloseMakesReadyAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *Config) { c.StableScans = 5; c.MinAge = time.Hour })
	w := b.watching(t)

	for _, rel := range []string{"a.xlsx", "GD-001/b.xlsx", "GD-002/sub/c.xlsx"} {
		p := filepath.Join(b.inbox, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o750))
		// The new folders are followed before the file is written.
		dir := filepath.ToSlash(filepath.Dir(rel))
		if dir != "." {
			deadline := time.Now().Add(10 * time.Second)
			for !slices.Contains(w.Watched(), dir) {
				require.False(t, time.Now().After(deadline), "folder %s not followed", dir)
				time.Sleep(10 * time.Millisecond)
			}
		}
		f, err := os.Create(p)
		require.NoError(t, err)
		_, err = f.Write([]byte("PK content"))
		require.NoError(t, err)
		require.NoError(t, f.Sync())
		r, _ := b.scan(t)
		require.Empty(t, r, "%s is still open: not ready", rel)
		require.NoError(t, f.Close())
		got := b.readyAfterWake(t, w, rel)
		require.Equal(t, int64(10), got.Size)
	}
	require.Contains(t, b.logs.String(), "closed=true")
}

// TestWatchRenameInIsComplete: a file renamed into the inbox (how careful
// writers publish a finished file) is ready at once.
func TestWatchRenameInIsComplete(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *Config) { c.StableScans = 5; c.MinAge = time.Hour })
	w := b.watching(t)
	outside := filepath.Join(b.state, "elsewhere.xlsx")
	require.NoError(t, os.WriteFile(outside, []byte("PK"), 0o640))
	require.NoError(t, os.Rename(outside, filepath.Join(b.inbox, "moved.xlsx")))
	b.readyAfterWake(t, w, "moved.xlsx")
}

// TestWatchChangedAfterCloseWaits: a file written again after its close
// (its fingerprint is no longer the closed one) falls back to the
// stability rule.
func TestWatchChangedAfterCloseWaits(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *Config) { c.StableScans = 2; c.MinAge = time.Minute })
	b.watching(t)
	p := b.write(t, "grow.xlsx", []byte("first"))
	b.markedClosed(t, "grow.xlsx")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Write([]byte(" and more"))
	require.NoError(t, err)
	r, _ := b.scan(t)
	require.Empty(t, r, "changed since its close and still open: not ready")
	b.clock.Advance(time.Minute)
	r, _ = b.scan(t)
	require.Len(t, r, 1, "the stability rule still decides")
}

// TestWatchLockFileHoldsBack: a closed file beside a lock file of Excel or
// LibreOffice waits while the lock is there, is ready once it goes, and is
// read anyway once it has stayed unchanged for LockTimeout.
func TestWatchLockFileHoldsBack(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, lock string }{
		{"BCQ_GD-001_2025Q3.xlsx", "~$Q_GD-001_2025Q3.xlsx"}, // Excel, long name: first two characters dropped
		{"a.xlsx", "~$a.xlsx"},                               // Excel, short name
		{"BCQ_GD-002_2025Q3.xlsx", ".~lock.BCQ_GD-002_2025Q3.xlsx#"},
	} {
		t.Run(c.lock, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(cfg *Config) { cfg.StableScans = 2; cfg.MinAge = time.Second; cfg.LockTimeout = 10 * time.Minute })
			w := b.watching(t)
			b.write(t, c.lock, []byte("owner"))
			b.write(t, c.name, []byte("PK"))
			b.markedClosed(t, c.name)
			for range 3 {
				r, _ := b.scan(t)
				require.Empty(t, r, "held back by %s", c.lock)
				b.clock.Advance(time.Minute)
			}
			require.Contains(t, b.logs.String(), "held back by a lock file")
			require.NoError(t, os.Remove(filepath.Join(b.inbox, c.lock)))
			b.readyAfterWake(t, w, c.name)
		})
	}
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		b := setup(t, func(cfg *Config) { cfg.StableScans = 2; cfg.MinAge = time.Second; cfg.LockTimeout = 10 * time.Minute })
		b.write(t, ".~lock.x.xlsx#", []byte("owner"))
		b.write(t, "x.xlsx", []byte("PK"))
		r, _ := b.scan(t)
		require.Empty(t, r)
		b.clock.Advance(9 * time.Minute)
		r, _ = b.scan(t)
		require.Empty(t, r, "held back before the timeout")
		b.clock.Advance(2 * time.Minute)
		r, _ = b.scan(t)
		require.Len(t, r, 1, "read once unchanged for LockTimeout")
		require.Contains(t, b.logs.String(), "lock file still there")
	})
}

func TestLockHeld(t *testing.T) {
	t.Parallel()
	names := []string{"BCQ_GD-001_2025Q3.xlsx", "~$Q_GD-001_2025Q3.xlsx", "short.xlsx", "~$short.xlsx",
		"lo.xlsx", ".~lock.lo.xlsx#", "free.xlsx", "~$", ".~lock.#", "Q_GD-001_2025Q3.xlsx.bak"}
	held := lockHeld(names)
	require.Equal(t, map[string]bool{"BCQ_GD-001_2025Q3.xlsx": true, "Q_GD-001_2025Q3.xlsx": false, "short.xlsx": true, "lo.xlsx": true},
		map[string]bool{"BCQ_GD-001_2025Q3.xlsx": held["BCQ_GD-001_2025Q3.xlsx"], "Q_GD-001_2025Q3.xlsx": held["Q_GD-001_2025Q3.xlsx"],
			"short.xlsx": held["short.xlsx"], "lo.xlsx": held["lo.xlsx"]})
	require.False(t, held["free.xlsx"])
	require.Len(t, held, 3)
}
