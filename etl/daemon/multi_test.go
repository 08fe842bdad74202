package daemon_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/store"
)

// TestTwoDaemons runs two daemons on one database and one inbox while 30
// files arrive: each file is processed once (claims through PostgreSQL),
// and each scheduled run is executed once: the runs both daemons executed
// add up to the slots claimed in returns.job_run, one row per slot.
func TestTwoDaemons(t *testing.T) {
	t.Parallel()
	b := setup(t)
	require.NoError(t, os.Chmod(b.state, 0o755))
	files := arrivals(t, 30, 2000)
	var ds []*daemon.Daemon
	for i := range 2 {
		st, err := store.Open(context.Background(), store.Config{URL: b.url})
		require.NoError(t, err)
		t.Cleanup(func() { st.Close() })
		b2 := *b
		b2.st = st
		ds = append(ds, b2.start(t, func(c *daemon.Config) {
			c.Owner, c.Listen, c.ScanInterval = fmt.Sprintf("daemon-%d", i), "127.0.0.1:0", 50*time.Millisecond
		}))
	}
	for i, f := range files {
		drop(t, b.state, f.Name, f.Data)
		if i%5 == 4 {
			time.Sleep(150 * time.Millisecond)
		}
	}
	waitFor(t, 90*time.Second, "the inbox to empty", func() bool { return len(inboxFiles(t, b.state)) == 0 })
	ctx := context.Background()
	var runs, files0, elsewhere [2]float64
	for _, d := range ds {
		require.NoError(t, d.Stop(ctx))
	}
	for i, d := range ds {
		runs[i] = metricH(t, d, `returns_job_runs_total{job="inbox-scan"}`)
		files0[i] = metricH(t, d, `returns_files_total{outcome="loaded"}`) + metricH(t, d, `returns_files_total{outcome="rejected"}`) +
			metricH(t, d, `returns_files_total{outcome="duplicate"}`)
		elsewhere[i] = metricH(t, d, "returns_files_claimed_elsewhere_total")
	}
	var slots int
	require.NoError(t, b.st.DB().Get(&slots, `SELECT count(*) FROM returns.job_run WHERE job = 'inbox-scan' AND finished_at IS NOT NULL`))
	v := check(t, b.st, b.state, files)
	t.Logf("two daemons: files processed %v+%v=%v of %d, claims lost to the other %v/%v; inbox-scan runs %v+%v=%v, slots claimed %d",
		files0[0], files0[1], files0[0]+files0[1], len(files), elsewhere[0], elsewhere[1], runs[0], runs[1], runs[0]+runs[1], slots)
	require.True(t, v.clean(), "invariants violated: %+v", v)
	require.Equal(t, float64(len(files)), files0[0]+files0[1], "each file processed once")
	require.Equal(t, float64(slots), runs[0]+runs[1], "each scheduled run executed once")
	require.Positive(t, runs[0])
	require.Positive(t, runs[1])
}
