// Package sharedtest holds the small helpers that tests of several packages
// need alike: the embedded workbook schemas, a log buffer safe for
// concurrent writers, a clock the test advances, a poll that waits for a
// condition, and for benchmarks the
// process's peak memory and the excelize baseline. Only tests import it (a
// wall of etl/walls_test.go says so).
package sharedtest

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/schemas"
)

// Schemas loads the embedded workbook schemas, failing the test if they do
// not load.
func Schemas(tb testing.TB) *schema.Set {
	tb.Helper()
	set, err := schema.Load(schemas.FS)
	if err != nil {
		tb.Fatalf("load the schemas: %v", err)
	}
	return set
}

// Buffer is a bytes.Buffer safe for concurrent writers (a logger written by
// several goroutines while the test reads it).
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Clock is an injected clock that the test advances instead of sleeping.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// WaitFor polls cond until it holds, failing the test (naming what it waited
// for) when it still does not after within.
func WaitFor(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ExcelizeCells reads sheet of the workbook at path with excelize's
// streaming Rows (raw values), the baseline the benchmarks of our own reader
// compare with, and returns the number of cells read.
func ExcelizeCells(tb testing.TB, path, sheet string) int {
	tb.Helper()
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(sheet)
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			tb.Fatal(err)
		}
		n += len(cols)
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// VmHWM returns the process's peak resident set size in KiB (0 where
// /proc/self/status cannot be read).
func VmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

// RunPeak builds the returns command (pkg, e.g. "../../cmd/returns") into a
// temporary folder, runs it with args (env added to this process's), fails
// the test when it fails, and returns its standard output, its peak
// resident memory in MB as the kernel counted it, and its CPU time. The
// build is a process of its own and the test's memory is not the child's,
// so neither counts.
func RunPeak(tb testing.TB, pkg string, env []string, args ...string) (out []byte, peakMB float64, cpu time.Duration) {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "returns")
	if b, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("returns %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		tb.Fatal("no resource usage for the child process")
	}
	return out, float64(ru.Maxrss) / 1024, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime() // Linux reports kilobytes
}
