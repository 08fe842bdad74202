package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/atomicfile"
)

// writeOver puts old at dir/out.txt, then writes content over it through
// atomicfile.Write, which fails with fail when fail is not nil. It returns
// the path, what it holds afterwards, and Write's error.
func writeOver(t *testing.T, old, content string, fail error) (path, holds string, err error) {
	path = filepath.Join(t.TempDir(), "out.txt")
	require.NoError(t, os.WriteFile(path, []byte(old), 0o600))
	err = atomicfile.Write(path, 0o640, func(w io.Writer) error {
		if _, err := io.WriteString(w, content); err != nil {
			return err
		}
		return fail
	})
	b, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	names, rerr := os.ReadDir(filepath.Dir(path))
	require.NoError(t, rerr)
	require.Len(t, names, 1, "no temporary file is left")
	return path, string(b), err
}

func TestWriteReplacesWhole(t *testing.T) {
	t.Parallel()
	path, holds, err := writeOver(t, "old", "new", nil)
	require.NoError(t, err)
	require.Equal(t, "new", holds)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Zero(t, fi.Mode().Perm()&^0o640, "no more than the permissions asked for")
}

func TestWriteFailureKeepsOld(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	path, holds, err := writeOver(t, "old", "half", boom)
	require.ErrorIs(t, err, boom)
	require.Contains(t, err.Error(), path)
	require.Equal(t, "old", holds)
}

func TestWriteMissingFolder(t *testing.T) {
	t.Parallel()
	err := atomicfile.Write(filepath.Join(t.TempDir(), "no", "such", "out.txt"), 0o600, func(io.Writer) error { return nil })
	require.ErrorIs(t, err, os.ErrNotExist)
}
