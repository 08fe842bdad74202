package daemon_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
)

// TestPrivateDatabaseSupervised runs `returns serve` with nothing
// configured (its own private PostgreSQL under the state directory), loads
// a file, kills the postmaster with SIGKILL (checked: the process is gone
// and /readyz says not ready), drops a second file while the database is
// down, and waits for the daemon to start PostgreSQL again on its own:
// /readyz recovers, a new postmaster runs and the second file is loaded.
// SIGTERM then stops the daemon and the cluster it restarted.
func TestPrivateDatabaseSupervised(t *testing.T) {
	t.Parallel()
	state, err := os.MkdirTemp("", "rsd")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(state) })
	require.NoError(t, os.Chmod(state, 0o755))
	files := arrivals(t, 6, 50)
	logPath, logFile := serveLog(t, "serve.log")

	cmd := exec.Command(binary(t), "serve")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RETURNS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "RETURNS_STATE_DIR="+state, "RETURNS_HTTP_LISTEN=127.0.0.1:0", "RETURNS_LOG_FORMAT=json",
		"RETURNS_LOG_LEVEL=info")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		pgctl := filepath.Join(state, "pg", "data")
		_ = exec.Command("sh", "-c", "pid=$(head -1 "+pgctl+"/postmaster.pid 2>/dev/null) && kill -9 $pid").Run()
	})

	var addr string
	sharedtest.WaitFor(t, 120*time.Second, "serve to listen", func() bool {
		addr = logValue(t, logPath, "daemon: listening", "addr")
		return addr != ""
	})
	ready := func() int {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	loaded := func() int { return countLines(t, logPath, `"daemon: file loaded"`)[`"daemon: file loaded"`] }
	sharedtest.WaitFor(t, 30*time.Second, "/readyz", func() bool { return ready() == http.StatusOK })
	drop(t, state, files[1].Name, files[1].Data)
	sharedtest.WaitFor(t, 60*time.Second, "the first file loaded", func() bool { return loaded() == 1 })

	old := postmasterPID(t, state)
	require.True(t, alive(old), "the postmaster runs before the kill")
	require.NoError(t, syscall.Kill(old, syscall.SIGKILL))
	sharedtest.WaitFor(t, 10*time.Second, "the killed postmaster to be gone", func() bool { return !alive(old) })
	sharedtest.WaitFor(t, 10*time.Second, "/readyz to report the outage", func() bool { return ready() == http.StatusServiceUnavailable })
	drop(t, state, files[2].Name, files[2].Data)

	sharedtest.WaitFor(t, 120*time.Second, "/readyz to recover", func() bool { return ready() == http.StatusOK })
	now := postmasterPID(t, state)
	require.NotEqual(t, old, now, "a new postmaster")
	require.True(t, alive(now))
	sharedtest.WaitFor(t, 120*time.Second, "the file dropped during the outage to be loaded", func() bool { return loaded() == 2 })
	sharedtest.WaitFor(t, 10*time.Second, "the inbox to empty", func() bool { return len(inboxFiles(t, state)) == 0 })
	lines := countLines(t, logPath, "not running: starting it again", "runs again")
	require.Equal(t, 1, lines["runs again"], "one restart")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "serve exits 0 on SIGTERM")
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not exit within 60s of SIGTERM")
	}
	// pg_ctl stop returns once postmaster.pid is gone, a moment before the
	// process itself.
	sharedtest.WaitFor(t, 10*time.Second, "the restarted cluster to stop with the daemon", func() bool { return !alive(now) })
}

// postmasterPID reads the private cluster's postmaster.pid.
func postmasterPID(t *testing.T, state string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(state, "pg", "data", "postmaster.pid"))
	require.NoError(t, err)
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	require.NoError(t, err)
	return pid
}

// alive reports whether pid is a running process (not a zombie).
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || (stat[i+2] != 'Z' && stat[i+2] != 'X')
}

// logValue is the string attribute key of the first JSON log line whose
// message is msg ("" when there is none yet).
func logValue(t *testing.T, path, msg, key string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil || m["msg"] != msg {
			continue
		}
		if v, ok := m[key].(string); ok {
			return v
		}
	}
	return ""
}
