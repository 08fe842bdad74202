package daemon_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

// killRuns is the number of kill -9 iterations: 50, or RETURNS_KILLS.
func killRuns() int {
	if n, err := strconv.Atoi(os.Getenv("RETURNS_KILLS")); err == nil && n > 0 {
		return n
	}
	return 50
}

// manyAttempts lifts inbox.max_attempts for the kill test: a process that
// dies while a file is in hand counts an attempt against that file (a file
// that kills the daemon, e.g. by its memory, is set aside after three), and
// 50 random kills land on the slowest file more often than that. The test
// is about exactly-once under kills, not about that policy, which
// etl/intake's tests cover.
const manyAttempts = "RETURNS_INBOX_MAX_ATTEMPTS=1000"

// TestKill9Daemon kills `returns serve` with SIGKILL at random moments
// (once it has started, uniform from 0 to 600ms after a burst of files
// arrived, 50 times) while 30 files arrive in bursts, then runs it to
// completion and stops it with SIGTERM. Each kill must land (the process
// dies of SIGKILL) and at least one must land while a file is in hand;
// every file must reach exactly one terminal state, recorded once, on disk
// once; every valid content loaded once and completely; nothing of the
// rejected ones.
func TestKill9Daemon(t *testing.T) {
	t.Parallel()
	url, st, state := serveSetup(t)
	files := arrivals(t, 30, 4000)
	logPath, logFile := serveLog(t, "serve.log")

	rng := rand.New(rand.NewPCG(4, 4))
	kills, runs, midFile := killRuns(), 0, 0
	next := 0
	started := time.Now()
	for i := 0; i < kills; i++ {
		cmd := serveCmd(t, url, state, logFile, manyAttempts)
		require.NoError(t, cmd.Start())
		// Kill only a daemon that runs: once it has logged its start.
		sharedtest.WaitFor(t, 60*time.Second, "serve to start", func() bool {
			return countLines(t, logPath, `"daemon: started"`)[`"daemon: started"`] > runs
		})
		// A burst of 1–3 files every third run until all have arrived,
		// dropped into the running daemon, which takes them at once.
		if i%3 == 0 && next < len(files) {
			for n := 1 + rng.IntN(3); n > 0 && next < len(files); n-- {
				drop(t, state, files[next].Name, files[next].Data)
				next++
			}
		}
		// The fault: SIGKILL at a random moment, 0 to 600ms from now.
		time.Sleep(time.Duration(rng.Int64N(int64(600 * time.Millisecond))))
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		err := cmd.Wait()
		// The kill landed: the process was still running and died of it.
		ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
		require.True(t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, "run %d: serve was not killed by SIGKILL: %v", i, err)
		// A staging copy left behind is a file the kill cut short.
		if entries, _ := os.ReadDir(filepath.Join(state, "staging")); len(entries) > 0 {
			midFile++
		}
		runs++
	}
	for ; next < len(files); next++ {
		drop(t, state, files[next].Name, files[next].Data)
	}
	killed := time.Since(started)

	// The clean run: until the inbox is empty, then SIGTERM.
	cmd := serveCmd(t, url, state, logFile, manyAttempts)
	require.NoError(t, cmd.Start())
	// Started (its signal handler is in place) and done.
	sharedtest.WaitFor(t, 60*time.Second, "serve to start", func() bool {
		return countLines(t, logPath, `"daemon: started"`)[`"daemon: started"`] > runs
	})
	sharedtest.WaitFor(t, 90*time.Second, "every file decided", func() bool { return settled(t, state) })
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "serve must exit 0 on SIGTERM")

	v := check(t, st, state, files)
	lines := countLines(t, logPath, `"daemon: file loaded"`, `"daemon: file rejected"`, `"daemon: file duplicate"`,
		`"daemon: move redone from the recorded outcome"`, `"inbox: staged"`, `"daemon: started"`)
	t.Logf("kill -9: %d kills in %s (%d daemon starts); %d files: %d loaded, %d rejected, %d duplicates; lost %d, twice %d, partial %d, wrong %d",
		runs, killed.Round(time.Second), lines[`"daemon: started"`], len(files), v.Loaded, v.Rejected, v.Duplicates, v.Lost, v.Twice, v.Partial, v.Wrong)
	t.Logf("kill -9: %d stagings for %d files (each extra one is a file whose work a kill cut short), %d moves redone from a recorded outcome",
		lines[`"inbox: staged"`], len(files), lines[`"daemon: move redone from the recorded outcome"`])
	t.Logf("kill -9: %d of %d kills landed while a file was in hand (its staging copy left behind)", midFile, runs)
	require.True(t, v.clean(), "invariants violated: %+v", v)
	require.Equal(t, len(files), v.Loaded+v.Rejected+v.Duplicates)
	require.Positive(t, midFile, "no kill landed while a file was in hand: the test proved nothing about crashes mid-file")
}

// TestSIGTERMFinishesFileInHand sends SIGTERM while a big file is being
// loaded: serve must finish it (loaded and archived) and exit 0.
func TestSIGTERMFinishesFileInHand(t *testing.T) {
	t.Parallel()
	url, st, state := serveSetup(t)
	files := arrivals(t, 6, 60000)[:1] // the big file only
	logPath, logFile := serveLog(t, "serve.log")
	cmd := serveCmd(t, url, state, logFile)
	require.NoError(t, cmd.Start())
	drop(t, state, files[0].Name, files[0].Data)
	sharedtest.WaitFor(t, 30*time.Second, "the file to be staged", func() bool {
		return countLines(t, logPath, `"inbox: staged"`)[`"inbox: staged"`] > 0
	})
	sent := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "serve must exit 0 on SIGTERM")
	t.Logf("SIGTERM: exited 0 %s after the signal", time.Since(sent).Round(time.Millisecond))
	lines := countLines(t, logPath, `"daemon: file loaded"`)
	require.Equal(t, 1, lines[`"daemon: file loaded"`], "the file in hand is finished before exit")
	log, err := os.ReadFile(logPath)
	require.NoError(t, err)
	stopping, loaded := bytes.Index(log, []byte(`"serve: stopping`)), bytes.Index(log, []byte(`"daemon: file loaded"`))
	require.True(t, stopping >= 0 && stopping < loaded, "SIGTERM arrived while the file was in hand, before it was loaded")
	v := check(t, st, state, files)
	require.True(t, v.clean(), "invariants violated: %+v", v)
	require.Equal(t, 1, v.Loaded)
}

// TestDatabaseOutage stops PostgreSQL (pg_ctl stop -m immediate) while
// files arrive, keeps it down for 6s and starts it again: nothing is lost,
// everything is loaded once it is back, and the daemon retried with a
// capped back-off (counted), not in a tight loop. It stops the shared test
// cluster, so it does not run in parallel with the other tests.
func TestDatabaseOutage(t *testing.T) {
	url := storetest.URL(t)
	srv := storetest.Server()
	if srv == nil {
		t.Skip("RETURNS_TEST_DATABASE_URL is set: the test cannot stop that server")
	}
	b := setup(t)
	b.url = url
	st, err := store.Open(context.Background(), store.Config{URL: url})
	require.NoError(t, err)
	defer st.Close()
	b.st = st
	require.NoError(t, os.Chmod(b.state, 0o755))
	files := arrivals(t, 16, 500)
	const (
		scan      = 100 * time.Millisecond
		retryBase = 200 * time.Millisecond
		retryCap  = 2 * time.Second
		outage    = 6 * time.Second
	)
	d := b.start(t, func(c *daemon.Config) {
		c.ScanInterval, c.RetryBase, c.RetryCap, c.Listen = scan, retryBase, retryCap, "127.0.0.1:0"
	})
	for _, f := range files[:4] {
		drop(t, b.state, f.Name, f.Data)
	}
	sharedtest.WaitFor(t, 30*time.Second, "the first files", func() bool { return len(inboxFiles(t, b.state)) == 0 })
	before := metric(t, d, "returns_transient_failures_total")

	ctx := context.Background()
	pid, _ := srv.Postmaster()
	require.NoError(t, srv.Kill(ctx))
	down := time.Now()
	sharedtest.WaitFor(t, 10*time.Second, "the postmaster to be gone", func() bool { _, up := srv.Postmaster(); return !up && !alive(pid) })
	for _, f := range files[4:] {
		drop(t, b.state, f.Name, f.Data)
		time.Sleep(100 * time.Millisecond)
	}
	resp, err := http.Get("http://" + d.Addr().String() + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "not ready while the database is down")
	time.Sleep(outage - time.Since(down))
	during := metric(t, d, "returns_transient_failures_total") - before
	require.Equal(t, len(files)-4, len(inboxFiles(t, b.state)), "nothing leaves the inbox while the database is down")
	require.NoError(t, srv.Restart(ctx))
	up := time.Now()
	sharedtest.WaitFor(t, 60*time.Second, "the inbox to empty after the outage", func() bool { return len(inboxFiles(t, b.state)) == 0 })
	recovered := time.Since(up)
	require.NoError(t, d.Stop(ctx))

	// A tight loop would have failed once per scan; the back-off allows
	// about log2(cap/base) doubling attempts then one per cap.
	tight := float64(outage / scan)
	bound := 4.0 + float64(outage/retryCap) + 2
	t.Logf("database outage: %s down, %d files arrived meanwhile; %.0f failed attempts while down (a tight loop at the %s scan: %.0f; bound %.0f); all loaded %s after restart",
		outage, len(files)-4, during, scan, tight, bound, recovered.Round(time.Millisecond))
	require.LessOrEqual(t, during, bound, "retries must back off")
	require.GreaterOrEqual(t, during, 1.0, "the outage was noticed")
	v := check(t, st, b.state, files)
	require.True(t, v.clean(), "invariants violated: %+v", v)
	require.Equal(t, len(files), v.Loaded+v.Rejected+v.Duplicates)
}
