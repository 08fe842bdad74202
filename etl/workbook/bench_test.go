package workbook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/sharedtest"
)

// benchFiles caches generated workbooks in the temp directory across the
// benchmarks of one run (and across runs: the name carries the row count).
var benchFiles sync.Map // rows -> path

func benchWorkbook(tb testing.TB, rows int) string {
	tb.Helper()
	if p, ok := benchFiles.Load(rows); ok {
		return p.(string)
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("returns-workbook-bench-%d-v1.xlsx", rows))
	if _, err := os.Stat(path); err != nil {
		f := excelize.NewFile()
		require.NoError(tb, f.SetSheetName("Sheet1", "KetNap"))
		sw, err := f.NewStreamWriter("KetNap")
		require.NoError(tb, err)
		require.NoError(tb, sw.SetRow("A1", headerRow()))
		row := make([]any, 15)
		for i := 0; i < rows; i++ {
			fillRow(row, i)
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			require.NoError(tb, sw.SetRow(cell, row))
		}
		require.NoError(tb, sw.Flush())
		tmp := strings.TrimSuffix(path, ".xlsx") + ".tmp.xlsx"
		require.NoError(tb, f.SaveAs(tmp))
		require.NoError(tb, f.Close())
		require.NoError(tb, os.Rename(tmp, path))
	}
	benchFiles.Store(rows, path)
	return path
}

// readFile reads the KetNap sheet of path and returns the number of cells.
func readFileCells(tb testing.TB, path string) int {
	ctx := context.Background()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(tb, err)
	b, err := Open(ctx, f, st.Size(), Limits{})
	require.NoError(tb, err)
	n := 0
	_, err = b.ReadSheet(ctx, "KetNap", func(r *Row) error { n += len(r.Cells); return nil })
	require.NoError(tb, err)
	require.NoError(tb, b.Close())
	return n
}

// BenchmarkStrictReader reads the 100,000-row sheet; BenchmarkValidate100k
// (etl/validate) reads it too, with its CPU time and against inflating it.
func BenchmarkStrictReader(b *testing.B) {
	path := benchWorkbook(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		require.Greater(b, readFileCells(b, path), 1_000_000)
	}
	b.ReportMetric(float64(100_001*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkExcelizeRows(b *testing.B) {
	path := benchWorkbook(b, 100_000)
	b.ResetTimer()
	for b.Loop() {
		require.Greater(b, sharedtest.ExcelizeCells(b, path, "KetNap"), 1_000_000)
	}
	b.ReportMetric(float64(100_001*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestMillionRowsRSS reads a 1,000,000-row workbook and reports the peak
// heap and the process's peak RSS. It is slow (the file takes a minute to
// write), so it runs only with RETURNS_BIG=1, in its own process:
//
//	RETURNS_BIG=1 go test -run TestMillionRowsRSS -v ./etl/workbook/
func TestMillionRowsRSS(t *testing.T) {
	if os.Getenv("RETURNS_BIG") == "" {
		t.Skip("set RETURNS_BIG=1 to read a 1,000,000-row workbook")
	}
	path := benchWorkbook(t, 1_000_000)
	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			default:
			}
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			runtime.Gosched()
		}
	}()
	ctx := context.Background()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	st, _ := f.Stat()
	// Measure the reader alone: VmHWM is reset so that generating the file
	// does not count.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	// A million 15-column rows take 76 MB zipped, past the default cap.
	b, err := Open(ctx, f, st.Size(), Limits{MaxFileSize: 256 << 20})
	require.NoError(t, err)
	rows := 0
	_, err = b.ReadSheet(ctx, "KetNap", func(r *Row) error { rows++; return nil })
	require.NoError(t, err)
	require.NoError(t, b.Close())
	close(stop)
	<-done
	require.Equal(t, 1_000_001, rows)
	hwm := sharedtest.VmHWM()
	t.Logf("1,000,001 rows: peak heap in use %.1f MiB, VmHWM %.1f MiB, file %.1f MiB", float64(peak)/(1<<20), float64(hwm)/(1<<10), float64(st.Size())/(1<<20))
	require.Less(t, hwm, int64(100<<10), "peak RSS under 100 MB")
}
