package inbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestScanReadyAfterStableScansAndMinAge(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "BCQ_GD-001_2025Q3.xlsx", []byte("content"))

	r, q := b.scan(t)
	require.Empty(t, r, "first sighting is never ready")
	require.Empty(t, q)

	b.clock.Advance(time.Second)
	r, _ = b.scan(t)
	require.Empty(t, r, "two equal scans, but only 1 s since first seen (MinAge 10 s)")

	b.clock.Advance(9 * time.Second)
	r, _ = b.scan(t)
	require.Len(t, r, 1)
	require.Equal(t, "BCQ_GD-001_2025Q3.xlsx", r[0].Rel)
	require.Equal(t, "BCQ_GD-001_2025Q3.xlsx", r[0].Name)
	require.Empty(t, r[0].Org)
	require.Equal(t, int64(7), r[0].Size)
	require.NotZero(t, r[0].Ino)

	for range 3 {
		b.clock.Advance(time.Minute)
		r, _ = b.scan(t)
		require.Empty(t, r, "offered exactly once")
	}
}

func TestScanStableScansCountsScans(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *Config) { c.StableScans = 3; c.MinAge = time.Nanosecond })
	b.write(t, "a.xlsx", []byte("x"))

	for i := range 2 {
		b.clock.Advance(time.Second)
		r, _ := b.scan(t)
		require.Empty(t, r, "scan %d of 3", i+1)
	}
	b.clock.Advance(time.Second)
	r, _ := b.scan(t)
	require.Len(t, r, 1)
}

// T10: a slow writer appends between scans; the file is never ready while it
// grows, and ready exactly once after it stops.
func TestScanSlowWriterNotReadyWhileGrowing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.write(t, "slow.xlsx", nil)

	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	chunk := make([]byte, 10<<10)
	for i := range 6 { // 10 KB per 10 s scan interval, a minute of writing
		_, err := f.Write(chunk)
		require.NoError(t, err)
		r, _ := b.scan(t)
		require.Empty(t, r, "ready while still being written (scan %d)", i)
		b.clock.Advance(10 * time.Second)
	}
	require.NoError(t, f.Close())

	ready, _ := b.settle(t, 4)
	require.Equal(t, []string{"slow.xlsx"}, rels(ready))
	require.Equal(t, int64(60<<10), ready[0].Size)

	st, err := b.ib.Stage(t.Context(), ready[0])
	require.NoError(t, err)
	require.Equal(t, int64(60<<10), st.Size, "the copy is the complete file")
}

// T11: a preallocating writer makes the full-size file first, then fills it;
// the size never moves, only the mtime does.
func TestScanPreallocatingWriterWaitsForMtime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const size = 64 << 10
	p := b.write(t, "prealloc.xlsx", make([]byte, size))
	base := time.Now().Add(-time.Hour).Truncate(time.Second)

	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	require.NoError(t, err)
	for i := range 4 {
		_, err := f.WriteAt([]byte("PK\x03\x04 filled"), int64(i)*1024)
		require.NoError(t, err)
		// Pin a distinct mtime: writes within one kernel clock tick can share one.
		require.NoError(t, os.Chtimes(p, base, base.Add(time.Duration(i)*time.Second)))
		r, _ := b.scan(t)
		require.Empty(t, r, "ready while being filled (scan %d)", i)
		b.clock.Advance(10 * time.Second)
	}
	require.NoError(t, f.Close())
	fi, err := os.Stat(p)
	require.NoError(t, err)
	require.Equal(t, int64(size), fi.Size())

	ready, _ := b.settle(t, 4)
	require.Equal(t, []string{"prealloc.xlsx"}, rels(ready))
}

// T12: 1,000 files uploaded as *.part and renamed on completion, in five
// waves, among 50 Excel and LibreOffice lock files: each file is ready
// exactly once, lock and temp files are neither offered nor touched.
func TestScanRenameOnComplete(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const n = 1000
	for i := range n {
		b.write(t, fmt.Sprintf("org%02d/BCQ_%04d.xlsx.part", i%10, i), fmt.Appendf(nil, "workbook %d", i))
	}
	type kept struct {
		content string
		mtime   time.Time
	}
	locks := map[string]kept{}
	for i := range 25 {
		for _, rel := range []string{fmt.Sprintf("org%02d/~$BCQ_%04d.xlsx", i%10, i), fmt.Sprintf(".~lock.BCQ_%04d.xlsx#", i)} {
			p := b.write(t, rel, []byte("owner "+rel))
			fi, err := os.Stat(p)
			require.NoError(t, err)
			locks[p] = kept{"owner " + rel, fi.ModTime()}
		}
	}
	b.write(t, "still-uploading.xlsx.part", []byte("half"))
	b.write(t, "download.xlsx.crdownload", []byte("half"))
	b.write(t, "scratch.tmp", []byte("x"))

	count := map[string]int{}
	wave := n / 5
	for w := range 5 {
		for i := w * wave; i < (w+1)*wave; i++ {
			old := filepath.Join(b.inbox, fmt.Sprintf("org%02d/BCQ_%04d.xlsx.part", i%10, i))
			require.NoError(t, os.Rename(old, old[:len(old)-len(".part")]))
		}
		r, q := b.scan(t)
		require.Empty(t, q)
		for _, x := range r {
			count[x.Rel]++
		}
		b.clock.Advance(10 * time.Second)
	}
	ready, q := b.settle(t, 4)
	require.Empty(t, q)
	for _, x := range ready {
		count[x.Rel]++
	}
	// The 25 files beside an Excel owner file (~$<name>, same folder) are
	// held back while it is there; the LibreOffice locks at the top level
	// are not beside their files.
	require.Len(t, count, n-25)
	for i := range 25 {
		require.NotContains(t, count, fmt.Sprintf("org%02d/BCQ_%04d.xlsx", i%10, i))
	}
	for p, k := range locks {
		got, err := os.ReadFile(p)
		require.NoError(t, err, "lock file removed or moved")
		require.Equal(t, k.content, string(got))
		fi, err := os.Stat(p)
		require.NoError(t, err)
		require.Equal(t, k.mtime, fi.ModTime())
	}
	for i := range 25 {
		require.NoError(t, os.Remove(filepath.Join(b.inbox, fmt.Sprintf("org%02d/~$BCQ_%04d.xlsx", i%10, i))))
	}
	ready, q = b.settle(t, 2)
	require.Empty(t, q)
	for _, x := range ready {
		count[x.Rel]++
	}

	require.Len(t, count, n)
	for rel, c := range count {
		require.Equal(t, 1, c, "%s offered %d times", rel, c)
		require.Equal(t, ".xlsx", filepath.Ext(rel))
	}
	for _, name := range []string{"still-uploading.xlsx.part", "download.xlsx.crdownload", "scratch.tmp"} {
		_, err := os.Stat(filepath.Join(b.inbox, name))
		require.NoError(t, err)
	}
}

func TestScanForgetsVanishedEntries(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.write(t, "a.xlsx", []byte("one"))
	b.scan(t)
	b.clock.Advance(10 * time.Second)
	require.NoError(t, os.Remove(p))
	r, _ := b.scan(t)
	require.Empty(t, r)
	require.Empty(t, b.ib.obs, "the observation of a vanished file is forgotten")

	// Back again under the same name: a new file, it must prove itself again.
	b.write(t, "a.xlsx", []byte("two"))
	r, _ = b.scan(t)
	require.Empty(t, r)
	b.clock.Advance(10 * time.Second)
	r, _ = b.scan(t)
	require.Len(t, r, 1)
}

func TestScanRetryAndDiscardOfferAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "a.xlsx", []byte("a"))
	b.write(t, "b.xlsx", []byte("b"))
	ready, _ := b.settle(t, 2)
	require.Equal(t, []string{"a.xlsx", "b.xlsx"}, rels(ready))

	b.ib.Retry(ready[0])
	st, err := b.ib.Stage(t.Context(), ready[1])
	require.NoError(t, err)
	require.NoError(t, b.ib.Discard(st))
	_, err = os.Stat(st.Path)
	require.ErrorIs(t, err, os.ErrNotExist, "Discard removes the copy")

	r, _ := b.scan(t)
	require.Equal(t, []string{"a.xlsx", "b.xlsx"}, rels(r), "both handed back, both offered again")
	r, _ = b.scan(t)
	require.Empty(t, r)
}

func TestScanSubfoldersAndDepth(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "top.xlsx", []byte("t"))
	b.write(t, "GD-KCQ-001/q3.xlsx", []byte("1"))
	b.write(t, "GD-KCQ-001/cu/q3.xlsx", []byte("2"))
	b.write(t, "GD-KCQ-001/cu/too/deep.xlsx", []byte("3"))
	b.write(t, ".incoming/uploading.xlsx", []byte("4"))
	b.write(t, "GD-KCQ-001/.hidden/x.xlsx", []byte("5"))

	ready, q := b.settle(t, 3)
	require.Empty(t, q)
	require.Equal(t, []string{"GD-KCQ-001/cu/q3.xlsx", "GD-KCQ-001/q3.xlsx", "top.xlsx"}, rels(ready))
	for _, r := range ready {
		if r.Rel == "top.xlsx" {
			require.Empty(t, r.Org)
		} else {
			require.Equal(t, "GD-KCQ-001", r.Org)
		}
	}
	_, err := os.Stat(filepath.Join(b.inbox, "GD-KCQ-001/cu/too/deep.xlsx"))
	require.NoError(t, err, "too deep: left alone")
	require.Equal(t, 1, strings.Count(b.logs.String(), "folder too deep"), "reported once, not every scan")
	b.requireNoNames(t, "GD-KCQ-001", "deep.xlsx", "top.xlsx")
}

// A scan cut short by its context returns the error and offers nothing; the
// files it would have offered come in the next scan.
func TestScanCancelledOffersAgain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "a.xlsx", []byte("a"))
	b.scan(t)
	b.clock.Advance(10 * time.Second)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r, _, err := b.ib.Scan(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, r)
	r, _ = b.scan(t)
	require.Len(t, r, 1)
}

// T10 on the real clock, behind RETURNS_SLOW=1 (about 6 s): a writer appends
// 10 KB every 100 ms for 3 s while the inbox is scanned every 250 ms with
// MinAge 1 s; the file is ready only after the writer stops, exactly once.
func TestScanSlowWriterRealClock(t *testing.T) {
	if os.Getenv("RETURNS_SLOW") == "" {
		t.Skip("set RETURNS_SLOW=1 to run the real-clock slow-writer test")
	}
	t.Parallel()
	b := setup(t, func(c *Config) { c.Now = time.Now; c.MinAge = time.Second })
	p := b.write(t, "slow.xlsx", nil)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return
		}
		defer f.Close()
		for range 30 {
			_, _ = f.Write(make([]byte, 10<<10))
			time.Sleep(100 * time.Millisecond)
		}
	}()
	var ready []Ready
	extra := 4 // scans after the first offer, to see it is not repeated
	for deadline := time.Now().Add(10 * time.Second); extra > 0 && time.Now().Before(deadline); {
		r, _ := b.scan(t)
		select {
		case <-stopped:
		default:
			require.Empty(t, r, "ready while the writer is still writing")
		}
		ready = append(ready, r...)
		if len(ready) > 0 {
			extra--
		}
		time.Sleep(250 * time.Millisecond)
	}
	require.Len(t, ready, 1)
	require.Equal(t, int64(300<<10), ready[0].Size)
}
