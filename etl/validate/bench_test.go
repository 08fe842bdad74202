package validate

import (
	"archive/zip"
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/workbook"
	"github.com/returns-project/returns/samples/generate"
)

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
)

// bigFile is a BCQ-1 return whose KetNap sheet has 100,000 rows, written
// once per test binary.
func bigFile(tb testing.TB) string {
	tb.Helper()
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "returns-bench")
		if err != nil {
			bigErr = err
			return
		}
		bigPath = filepath.Join(dir, "big100k.xlsx")
		bigErr = writeBig(bigPath, 100_000)
	})
	require.NoError(tb, bigErr)
	return bigPath
}

func writeBig(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := generate.WriteBig(w, rows); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// inflateSheet inflates the largest worksheet part of the workbook at path
// (the KetNap sheet of bigFile) into io.Discard: the floor that reading and
// validating is measured against (issue 14: within 2× of it).
func inflateSheet(tb testing.TB, path string) int64 {
	tb.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(tb, err)
	defer zr.Close()
	var sheet *zip.File
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") && (sheet == nil || f.UncompressedSize64 > sheet.UncompressedSize64) {
			sheet = f
		}
	}
	require.NotNil(tb, sheet)
	rc, err := sheet.Open()
	require.NoError(tb, err)
	n, err := io.Copy(io.Discard, rc)
	require.NoError(tb, err)
	require.NoError(tb, rc.Close())
	return n
}

// cpuTime is the CPU time this process has used, every thread included (the
// reader's goroutine and the collector): on a shared machine it moves less
// than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/1e6/float64(b.N), "cpu-ms/op")
}

// BenchmarkValidate100k reads and validates a 100,000-row KetNap sheet, and
// in the same run inflates the sheet's XML alone (the baseline of issue 14),
// reads it with the strict reader alone and with excelize's Rows (raw
// values). read-and-validate also reports x-inflate: its time per file
// divided by the fastest of three inflates timed just before it, and
// cpu-x-inflate, the same ratio of CPU time (every thread: the reader runs
// on its own goroutine, so on an idle machine this ratio is the higher one;
// on a loaded one it is the one to trust).
func BenchmarkValidate100k(b *testing.B) {
	path := bigFile(b)
	set := sharedtest.Schemas(b)
	ctx := context.Background()
	b.Run("inflate", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			require.Greater(b, inflateSheet(b, path), int64(10<<20))
		}
		reportCPU(b, cpu)
	})
	b.Run("excelize-rows", func(b *testing.B) {
		for b.Loop() {
			require.Greater(b, sharedtest.ExcelizeCells(b, path, "KetNap"), 100_000)
		}
	})
	b.Run("strict-reader", func(b *testing.B) {
		cpu := cpuTime()
		for b.Loop() {
			f, err := os.Open(path)
			require.NoError(b, err)
			st, _ := f.Stat()
			book, err := workbook.Open(ctx, f, st.Size(), workbook.Limits{})
			require.NoError(b, err)
			n := 0
			_, err = book.ReadSheet(ctx, "KetNap", func(r *workbook.Row) error { n += len(r.Cells); return nil })
			require.NoError(b, err)
			require.NoError(b, book.Close())
			f.Close()
			require.Greater(b, n, 100_000)
		}
		reportCPU(b, cpu)
	})
	b.Run("read-and-validate", func(b *testing.B) {
		inflate, inflateCPU := time.Duration(1<<63-1), time.Duration(1<<63-1)
		for range 3 {
			start, cpu := time.Now(), cpuTime()
			inflateSheet(b, path)
			inflate, inflateCPU = min(inflate, time.Since(start)), min(inflateCPU, cpuTime()-cpu)
		}
		b.ResetTimer()
		cpu := cpuTime()
		for b.Loop() {
			res, err := CheckFile(ctx, path, set, Options{})
			require.NoError(b, err)
			require.Equal(b, Accepted, res.Status, "%+v", firstIssues(res))
			require.Equal(b, 100_000, res.Rows["KetNap"])
		}
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/float64(inflateCPU), "cpu-x-inflate")
		reportCPU(b, cpu)
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(inflate), "x-inflate")
	})
}

func firstIssues(res *Result) []Issue {
	if len(res.Issues) > 5 {
		return res.Issues[:5]
	}
	return res.Issues
}

// TestMillionRowsPeakMemory validates a 1,000,000-row file with the returns
// binary, as a user would, and checks its peak resident memory (the
// kernel's maxrss of the child). It takes about a minute, so it runs only
// with RETURNS_BIG=1.
func TestMillionRowsPeakMemory(t *testing.T) {
	if os.Getenv("RETURNS_BIG") == "" {
		t.Skip("set RETURNS_BIG=1 to validate a 1,000,000-row file and measure peak memory")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "big1m.xlsx")
	// The file is written by a child too: the kernel counts a child's peak
	// memory from the moment it was forked, so this process must stay small.
	gen := exec.Command(os.Args[0], "-test.run=^TestHelperWriteBig$")
	gen.Env = append(os.Environ(), "RETURNS_HELPER_FILE="+path)
	out, err := gen.CombinedOutput()
	require.NoError(t, err, string(out))
	out, peakMB, cpu := sharedtest.RunPeak(t, "../../cmd/returns", nil, "validate", "--json", "--max-rows", "1048576", "--max-file-mb", "256", path)
	require.Contains(t, string(out), `"status":"accepted"`)
	require.Contains(t, string(out), `"KetNap":1000000`)
	t.Logf("1,000,000 rows validated in %s, peak RSS %.1f MB", cpu, peakMB)
	require.Less(t, peakMB, 100.0, "peak resident memory must stay under 100 MB")
}

// TestHelperWriteBig is the child of TestMillionRowsPeakMemory that writes
// the file.
func TestHelperWriteBig(t *testing.T) {
	path := os.Getenv("RETURNS_HELPER_FILE")
	if path == "" {
		t.Skip("helper process only")
	}
	require.NoError(t, writeBig(path, 1_000_000))
}
