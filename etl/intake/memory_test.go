package intake_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store/storetest"
	"github.com/returns-project/returns/samples/generate"
)

// TestIngest100kPeakMemory loads a 100,000-row return end to end with the
// real binary (`returns ingest`: read, every rule, COPY, database rules,
// commit) and reads the process's peak resident memory from the kernel:
// issue 14's bound is 100 MB. The file is written by a child process and the
// binary built before, so that neither counts. Set RETURNS_BIG=1 to run it
// (CI does).
func TestIngest100kPeakMemory(t *testing.T) {
	if os.Getenv("RETURNS_BIG") == "" {
		t.Skip("set RETURNS_BIG=1 to ingest a 100,000-row file and measure peak memory")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big100k.xlsx")
	gen := exec.Command(os.Args[0], "-test.run=^TestHelperWrite100k$")
	gen.Env = append(os.Environ(), "RETURNS_HELPER_FILE="+path)
	out, err := gen.CombinedOutput()
	require.NoError(t, err, string(out))
	env := []string{"RETURNS_DATABASE_URL=" + storetest.URL(t), "RETURNS_STATE_DIR=" + filepath.Join(dir, "state")}
	out, peakMB, cpu := sharedtest.RunPeak(t, "../../cmd/returns", env, "ingest", "--json", path)
	require.Contains(t, string(out), `"status":"loaded"`)
	require.Contains(t, string(out), `"KetNap":100000`)
	t.Logf("100,000 rows ingested end to end in %s of CPU, peak RSS %.1f MB", cpu, peakMB)
	require.Less(t, peakMB, 100.0, "peak resident memory must stay under 100 MB")
}

// TestHelperWrite100k is the child of TestIngest100kPeakMemory that writes
// the file.
func TestHelperWrite100k(t *testing.T) {
	path := os.Getenv("RETURNS_HELPER_FILE")
	if path == "" || !strings.HasSuffix(path, "100k.xlsx") {
		t.Skip("helper process only")
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	w := bufio.NewWriterSize(f, 1<<20)
	require.NoError(t, generate.WriteBig(w, 100_000))
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())
}
