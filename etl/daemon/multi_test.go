package daemon_test

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
)

// TestTwoDaemons runs two `returns serve` processes on one database and
// one inbox (the state directory) while 30 files arrive in bursts: each
// file reaches exactly one terminal state, recorded once and on disk once
// (claims through PostgreSQL), and both processes decided files: the
// per-file log lines of the two add up to the 30 files, each process having
// some.
func TestTwoDaemons(t *testing.T) {
	t.Parallel()
	url, st, state := serveSetup(t)
	files := arrivals(t, 30, 2000)

	var (
		cmds   [2]*exec.Cmd
		logs   [2]string
		exited [2]chan error
	)
	for i := range 2 {
		var f *os.File
		logs[i], f = serveLog(t, fmt.Sprintf("serve-%d.log", i))
		cmds[i] = serveCmd(t, url, state, f)
		require.NoError(t, cmds[i].Start())
		exited[i] = make(chan error, 1)
		go func() { exited[i] <- cmds[i].Wait() }()
		t.Cleanup(func() { _ = cmds[i].Process.Signal(syscall.SIGKILL) })
	}
	for i := range 2 {
		sharedtest.WaitFor(t, 60*time.Second, fmt.Sprintf("daemon %d to start", i), func() bool {
			return countLines(t, logs[i], `"daemon: started"`)[`"daemon: started"`] == 1
		})
	}
	for i, f := range files {
		drop(t, state, f.Name, f.Data)
		if i%5 == 4 {
			// The next burst once this one is decided.
			sharedtest.WaitFor(t, 60*time.Second, "the burst to be decided", func() bool { return len(inboxFiles(t, state)) == 0 })
		}
	}
	sharedtest.WaitFor(t, 90*time.Second, "every file decided", func() bool { return settled(t, state) })
	var decided [2]int
	for i := range 2 {
		require.NoError(t, cmds[i].Process.Signal(syscall.SIGTERM))
		select {
		case err := <-exited[i]:
			require.NoError(t, err, "daemon %d exits 0 on SIGTERM", i)
		case <-time.After(60 * time.Second):
			t.Fatalf("daemon %d did not exit within 60s of SIGTERM", i)
		}
		n := countLines(t, logs[i], `"daemon: file loaded"`, `"daemon: file rejected"`, `"daemon: file duplicate"`)
		decided[i] = n[`"daemon: file loaded"`] + n[`"daemon: file rejected"`] + n[`"daemon: file duplicate"`]
	}
	v := check(t, st, state, files)
	t.Logf("two processes: files decided %d + %d = %d of %d; %d loaded, %d rejected, %d duplicates",
		decided[0], decided[1], decided[0]+decided[1], len(files), v.Loaded, v.Rejected, v.Duplicates)
	require.True(t, v.clean(), "invariants violated: %+v", v)
	require.Equal(t, len(files), v.Loaded+v.Rejected+v.Duplicates)
	require.Equal(t, len(files), decided[0]+decided[1], "each file decided once, by one of the two")
	require.Positive(t, decided[0], "the first process decided files")
	require.Positive(t, decided[1], "the second process decided files")
}
