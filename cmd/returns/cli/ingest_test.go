package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

// ingestSample points the commands at a throwaway database and ingests one
// sample return, received on 05/10/2025 at 09:30. It returns the store,
// the sample's path and what the command printed.
func ingestSample(t *testing.T) (st *store.Store, path, out string) {
	url := storetest.URL(t)
	t.Setenv("RETURNS_DATABASE_URL", url)
	path = filepath.Join(samplesDir, "province", "2025Q3", "BCQ_GD-HSG-003_2025Q3.xlsx")
	code, out, stderr := run(t, "ingest", "--received-at", "05/10/2025 09:30", path)
	require.Equal(t, ExitOK, code, out+stderr)
	st, err := store.Open(context.Background(), store.Config{URL: url})
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st, path, out
}

// TestIngestReceivedAtAndSummary: --received-at records when a return was
// really received (the digest's on-time figures read it), and every run
// ends with one summary line (on standard error with --json).
func TestIngestReceivedAtAndSummary(t *testing.T) {
	st, path, out := ingestSample(t)
	require.Contains(t, out, "1 đã nạp, 0 trùng, 0 bị từ chối, trong ")
	var got time.Time
	require.NoError(t, st.DB().Get(&got, `SELECT received_at FROM returns.submission`))
	require.True(t, got.Equal(time.Date(2025, 10, 5, 2, 30, 0, 0, time.UTC)), "received at %s", got)

	code, out, stderr := run(t, "ingest", "--json", "--lang", "en", path)
	require.Equal(t, ExitOK, code, out+stderr)
	require.Contains(t, stderr, "0 loaded, 1 duplicates, 0 rejected, in ")
	require.NotContains(t, out, "duplicates, ", "the JSON lines stay JSON")

	for _, bad := range []string{"31/02/2025", "hôm qua", time.Now().AddDate(0, 0, 2).Format("02/01/2006")} {
		code, _, stderr = run(t, "ingest", "--received-at", bad, path)
		require.Equal(t, ExitUsage, code, bad)
		require.Contains(t, stderr, "--received-at", bad)
	}
}

// TestIngestHonoursLimits: ingest applies the configuration's limits.* as
// serve does, and takes the same limit flags as validate, a flag winning.
func TestIngestHonoursLimits(t *testing.T) {
	t.Setenv("RETURNS_DATABASE_URL", storetest.URL(t))
	path := filepath.Join(samplesDir, "province", "2025Q3", "BCQ_GD-HSG-004_2025Q3.xlsx")

	t.Setenv("RETURNS_LIMITS_MAX_ROWS", "1")
	code, out, stderr := run(t, "ingest", "--json", path)
	require.Equal(t, ExitRejected, code, out+stderr)
	require.Equal(t, "TOO_MANY_ROWS", decodeLines(t, out)[0].Reason, "limits.max_rows of the configuration")

	code, out, stderr = run(t, "ingest", "--json", "--max-rows", "1000", path)
	require.Equal(t, ExitOK, code, out+stderr)
	require.Equal(t, "loaded", decodeLines(t, out)[0].Status, "--max-rows wins over the configuration")

	code, _, stderr = run(t, "ingest", "--max-rows", "0", path)
	require.Equal(t, ExitUsage, code)
	require.Contains(t, stderr, "--max-rows")
}

// TestProgressOnlyOnATerminal: the progress line of a long batch never goes
// to a file or a pipe (logs and captured output stay clean).
func TestProgressOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	require.NoError(t, err)
	defer f.Close()
	p := progressLine(f, 100, "vi")
	for i := range 100 {
		p(i)
	}
	p(-1)
	st, err := f.Stat()
	require.NoError(t, err)
	require.Zero(t, st.Size(), "not a terminal: no progress line")
}
