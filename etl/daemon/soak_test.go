package daemon_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/samples/generate"
)

// TestSoak drops 1,000 sample returns (RETURNS_SOAK_FILES to change it) in
// bursts of 100 into the inbox of a running `returns serve` and reports
// files per second, the daemon's peak memory (VmHWM of /proc/<pid>/status)
// and that every file reached exactly one terminal state. It takes a few
// minutes, so it runs only with RETURNS_SOAK=1.
//
// The files are the returns of seven generated provinces (seeds 1–7), so
// organisations and quarters repeat across seeds: later ones supersede
// earlier ones or are rejected by the database rules against the previous
// quarter; which is which depends on the order, so the soak checks the
// terminal states, not the verdicts.
func TestSoak(t *testing.T) {
	if os.Getenv("RETURNS_SOAK") == "" {
		t.Skip("set RETURNS_SOAK=1 to run the soak")
	}
	n := 1000
	if v := os.Getenv("RETURNS_SOAK_FILES"); v != "" {
		fmt.Sscan(v, &n)
	}
	url, st, state := serveSetup(t)

	type file struct {
		name string
		data []byte
	}
	var files []file
	for seed := int64(1); len(files) < n; seed++ {
		p := generate.Generate(seed)
		for _, r := range p.Returns {
			if len(files) == n {
				break
			}
			var b bytes.Buffer
			require.NoError(t, generate.WriteReturn(&b, r, generate.WriteOptions{}))
			files = append(files, file{fmt.Sprintf("s%d-%s", seed, r.FileName()), b.Bytes()})
		}
	}
	logPath, logFile := serveLog(t, "serve.log")
	cmd := serveCmd(t, url, state, logFile)
	require.NoError(t, cmd.Start())
	sharedtest.WaitFor(t, 30*time.Second, "the daemon to start", func() bool {
		return countLines(t, logPath, `"daemon: started"`)[`"daemon: started"`] == 1
	})

	start := time.Now()
	const burst = 100
	for i := 0; i < len(files); i += burst {
		for _, f := range files[i:min(i+burst, len(files))] {
			drop(t, state, f.name, f.data)
		}
		time.Sleep(2 * time.Second)
	}
	sharedtest.WaitFor(t, 20*time.Minute, "the inbox to empty", func() bool { return len(inboxFiles(t, state)) == 0 })
	took := time.Since(start)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	require.NoError(t, err)
	hwm := ""
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())

	// Every file in exactly one terminal place and with exactly one
	// recorded outcome.
	where := map[string][]string{}
	for _, dir := range []string{"archive", "rejected", "quarantine", "inbox"} {
		require.NoError(t, filepath.WalkDir(filepath.Join(state, dir), func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				where[filepath.Base(p)] = append(where[filepath.Base(p)], dir)
			}
			return err
		}))
	}
	outcomes := map[string]int{}
	var bad []string
	for _, f := range files {
		var got []string
		require.NoError(t, st.DB().Select(&got, `SELECT outcome FROM returns.file_event WHERE file_name = $1`, f.name))
		if len(got) != 1 || len(where[f.name]) != 1 {
			bad = append(bad, fmt.Sprintf("%s: outcomes %v, on disk in %v", f.name, got, where[f.name]))
			continue
		}
		outcomes[got[0]]++
		dir := map[string]string{"loaded": "archive", "duplicate": "archive", "rejected": "rejected"}[got[0]]
		if where[f.name][0] != dir {
			bad = append(bad, fmt.Sprintf("%s: %s but in %s", f.name, got[0], where[f.name][0]))
		}
	}
	// The daemon's own rate: decided files over the time from the first
	// staging to the last decision (the arrival pauses between bursts
	// included, as the daemon waits for files then).
	first, last := decisionSpan(t, logPath)
	busy := last.Sub(first)
	var leftovers int
	entries, _ := os.ReadDir(filepath.Join(state, "staging"))
	leftovers = len(entries)
	t.Logf("soak: %d files in bursts of %d every 2s: all decided %s after the first drop = %.1f files/s (first staging to last decision %s); outcomes %v; daemon peak RSS (VmHWM) %s; %d not in exactly one terminal state; %d left in staging",
		len(files), burst, took.Round(100*time.Millisecond), float64(len(files))/took.Seconds(), busy.Round(100*time.Millisecond), outcomes, hwm, len(bad), leftovers)
	require.Empty(t, bad)
	require.Zero(t, leftovers)
}

// decisionSpan returns the times of the first "inbox: staged" and the last
// "daemon: file …" decision in the JSON log.
func decisionSpan(t *testing.T, path string) (first, last time.Time) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		var l struct {
			Time time.Time `json:"time"`
			Msg  string    `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &l) != nil {
			continue
		}
		if l.Msg == "inbox: staged" && first.IsZero() {
			first = l.Time
		}
		if strings.HasPrefix(l.Msg, "daemon: file ") {
			last = l.Time
		}
	}
	return first, last
}
