package validate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/sharedtest"
)

// TestFileSizeCapBeforeHashing: a 4 GiB file (sparse, so the test is cheap)
// is rejected TOO_LARGE from its size alone; it is not hashed (no SHA256),
// which would read all 4 GiB first.
func TestFileSizeCapBeforeHashing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "huge.xlsx")
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = f.Write([]byte("PK\x03\x04"))
	require.NoError(t, err)
	require.NoError(t, f.Truncate(4<<30))
	require.NoError(t, f.Close())

	res, err := CheckFile(context.Background(), path, sharedtest.Schemas(t), Options{})
	require.NoError(t, err)
	require.Equal(t, Rejected, res.Status)
	require.Equal(t, reason.TooLarge, res.Reason)
	require.Empty(t, res.SHA256, "not hashed")
	require.Equal(t, "huge.xlsx", res.File)
}

// TestSpecialFilesRefusedBeforeOpening: a FIFO is refused without being
// opened (an open for reading would block until a writer comes); so is a
// directory. OpenHashed, which ingest uses, refuses them the same way.
func TestSpecialFilesRefusedBeforeOpening(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.xlsx")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan [2]error, 1)
	go func() {
		_, err1 := CheckFile(context.Background(), fifo, sharedtest.Schemas(t), Options{})
		_, _, _, err2 := OpenHashed(fifo)
		done <- [2]error{err1, err2}
	}()
	select {
	case errs := <-done:
		for _, err := range errs {
			require.ErrorIs(t, err, ErrNotRegular)
		}
	case <-time.After(2 * time.Minute):
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("blocked on a FIFO")
	}
	_, err := CheckFile(context.Background(), dir, sharedtest.Schemas(t), Options{})
	require.True(t, errors.Is(err, ErrNotRegular), "%v", err)
}
