package inbox_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/inbox"
)

// TestDropPlacesWithoutOverwriting: a drop is hidden until placed, placed
// whole under its name, never over an existing file, and leaves no
// temporary file behind either way.
func TestDropPlacesWithoutOverwriting(t *testing.T) {
	state := t.TempDir()
	folder := filepath.Join(state, "inbox", "org1")
	content := "workbook bytes"

	d, err := inbox.NewDrop(state, "inbox/org1", strings.NewReader(content))
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(content))
	require.Equal(t, hex.EncodeToString(sum[:]), d.SHA256)
	require.EqualValues(t, len(content), d.Size)
	names := func() []string {
		var out []string
		entries, err := os.ReadDir(folder)
		require.NoError(t, err)
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	before := names()
	require.Len(t, before, 1)
	require.True(t, strings.HasPrefix(before[0], "."), "the unplaced drop is hidden from scans: %v", before)

	require.NoError(t, os.WriteFile(filepath.Join(folder, "taken.xlsx"), []byte("operator's file"), 0o600))
	require.ErrorIs(t, d.Place("taken.xlsx"), fs.ErrExist)
	b, err := os.ReadFile(filepath.Join(folder, "taken.xlsx"))
	require.NoError(t, err)
	require.Equal(t, "operator's file", string(b), "an existing file is never replaced")

	require.NoError(t, d.Place("new.xlsx"))
	d.Close()
	b, err = os.ReadFile(filepath.Join(folder, "new.xlsx"))
	require.NoError(t, err)
	require.Equal(t, content, string(b))
	require.ElementsMatch(t, []string{"new.xlsx", "taken.xlsx"}, names(), "no temporary file is left")
}
