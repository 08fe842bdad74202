package daemon_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/inbox"
	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/samples/generate"
	"github.com/returns-project/returns/schedules"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type bundle struct {
	st    *store.Store
	url   string
	state string
	set   *schema.Set
	jobs  []schedule.Job
	p     *generate.Province
}

func setup(t *testing.T) *bundle {
	t.Helper()
	url := storetest.URL(t)
	st, err := store.Open(context.Background(), store.Config{URL: url})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	set := sharedtest.Schemas(t)
	jobs, err := schedule.Load(schedules.FS, "Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	return &bundle{st: st, url: url, state: t.TempDir(), set: set, jobs: jobs, p: generate.Generate(1)}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// start runs a daemon over b's state directory with a fast scan.
func (b *bundle) start(t *testing.T, mod func(*daemon.Config)) *daemon.Daemon {
	t.Helper()
	ib, err := inbox.New(&inbox.Config{StateDir: b.state, MinAge: time.Millisecond, StableScans: 2, Logger: testLogger(t)})
	require.NoError(t, err)
	t.Cleanup(func() { ib.Close() })
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	cfg := daemon.Config{Store: b.st, Inbox: ib, StateDir: b.state, Schemas: b.set, Jobs: b.jobs, Location: loc, DeadlineDays: 10,
		ScanInterval: 100 * time.Millisecond, RetryBase: 100 * time.Millisecond, RetryCap: time.Second, Logger: testLogger(t)}
	if mod != nil {
		mod(&cfg)
	}
	d, err := daemon.New(cfg)
	require.NoError(t, err)
	require.NoError(t, d.Start(context.Background()))
	t.Cleanup(func() { _ = d.Stop(context.Background()) })
	return d
}

func write(t *testing.T, r *generate.Return) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, generate.WriteReturn(&buf, r, generate.WriteOptions{}))
	return buf.Bytes()
}

func shaOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// drop writes a file into the inbox atomically (temp name, then rename).
func drop(t *testing.T, state, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(state, "inbox", rel)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".part")
	require.NoError(t, os.WriteFile(tmp, data, 0o644))
	require.NoError(t, os.Rename(tmp, p))
}

func inboxFiles(t *testing.T, state string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(filepath.Join(state, "inbox"), func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// settled says every dropped file has left the inbox and its staging copy
// is gone: the original moves out a moment before the copy is removed, so
// an empty inbox alone is not yet a finished file.
func settled(t *testing.T, state string) bool {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(state, "staging"))
	return len(inboxFiles(t, state)) == 0 && (err == nil && len(entries) == 0 || os.IsNotExist(err))
}

func count(t *testing.T, st *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, st.DB().Get(&n, q, args...))
	return n
}

// TestPipeline drops valid, rejected and duplicate files (one in an
// organisation's subfolder) and checks each reaches its one terminal state
// with its reports, the metrics and the health endpoints.
func TestPipeline(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.start(t, func(c *daemon.Config) { c.Listen = "127.0.0.1:0" })

	last := b.p.Quarters[len(b.p.Quarters)-1]
	rs := b.p.ReturnsIn(last)
	require.GreaterOrEqual(t, len(rs), 3)
	good1, good2 := write(t, rs[0]), write(t, rs[1])
	bad := *rs[2]
	bad.Info.MembersEndOfficial++ // TH-01: the balance does not add up
	badData := write(t, &bad)
	drop(t, b.state, rs[0].FileName(), good1)
	drop(t, b.state, filepath.Join(rs[1].Org.Code, rs[1].FileName()), good2)
	drop(t, b.state, "rejected.xlsx", badData)
	drop(t, b.state, "copy.xlsx", good1)
	drop(t, b.state, "notes.txt.tmp", []byte("ignored"))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(b.state, "inbox", "link.xlsx")))

	sharedtest.WaitFor(t, 20*time.Second, "the inbox to empty", func() bool { return len(inboxFiles(t, b.state)) == 1 })
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.ledger WHERE sha256 = $1`, shaOf(good1)))
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.ledger WHERE sha256 = $1`, shaOf(good2)))
	require.Equal(t, 2, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE outcome = 'loaded'`))
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE outcome = 'duplicate'`))
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE outcome = 'rejected'`))
	require.Equal(t, 4, count(t, b.st, `SELECT count(*) FROM returns.file_event WHERE inbox_key IS NOT NULL`))
	_, err := os.Lstat(filepath.Join(b.state, "quarantine", "link.xlsx"))
	require.NoError(t, err, "the symlink is quarantined, never followed")

	qdir := fmt.Sprintf("%d-Q%d", last.Year, last.Q)
	arch := filepath.Join(b.state, "archive", qdir, rs[0].Org.Code)
	got, err := os.ReadFile(filepath.Join(arch, rs[0].FileName()))
	require.NoError(t, err)
	require.Equal(t, good1, got)
	entries, err := os.ReadDir(arch)
	require.NoError(t, err)
	require.Len(t, entries, 2, "the original and its duplicate copy")
	_, err = os.Stat(filepath.Join(b.state, "archive", qdir, rs[1].Org.Code, rs[1].FileName()))
	require.NoError(t, err)
	txt, err := os.ReadFile(filepath.Join(b.state, "rejected", "rejected.loi.txt"))
	require.NoError(t, err)
	require.Contains(t, string(txt), "TH-01")
	js, err := os.ReadFile(filepath.Join(b.state, "rejected", "rejected.json"))
	require.NoError(t, err)
	require.Contains(t, string(js), `"rejected"`)
	_, err = os.Stat(filepath.Join(b.state, "rejected", "rejected.loi.xlsx"))
	require.NoError(t, err)

	base := "http://" + d.Addr().String()
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, _ := get("/healthz")
	require.Equal(t, 200, code)
	code, _ = get("/readyz")
	require.Equal(t, 200, code)
	// Each file is counted once its journey has released it, a moment after
	// its move: wait for the counts.
	wants := []string{`returns_files_total{outcome="loaded"} 2`, `returns_files_total{outcome="duplicate"} 1`,
		`returns_files_total{outcome="rejected"} 1`, `returns_files_total{outcome="quarantined"} 1`, `returns_rejects_total{reason="INVALID_DATA"} 1`, `returns_job_runs_total{job="inbox-scan"}`,
		`returns_job_last_success_timestamp_seconds{job="inbox-scan"}`, "returns_inbox_queue_depth 0", "returns_rows_loaded_total"}
	var m string
	sharedtest.WaitFor(t, 20*time.Second, "the files counted", func() bool {
		code, m = get("/metrics")
		if code != 200 {
			return false
		}
		for _, want := range wants {
			if !strings.Contains(m, want) {
				return false
			}
		}
		return true
	})
	require.NoError(t, d.Stop(context.Background()))
}

// metric reads one sample of the daemon's /metrics.
func metric(t *testing.T, d *daemon.Daemon, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + d.Addr().String() + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			require.NoError(t, err)
			return f
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

// metricH reads one sample through the daemon's handler (works after Stop).
func metricH(t *testing.T, d *daemon.Daemon, name string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			require.NoError(t, err)
			return f
		}
	}
	return 0
}
