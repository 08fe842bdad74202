package inbox

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRecoverRemovesOrphansKeepsClaimed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	claimed := b.stageOne(t, "claimed.xlsx", []byte("claimed"))
	orphan := b.stageOne(t, "orphan.xlsx", []byte("orphan"))
	done := b.stageOne(t, "done.xlsx", []byte("done"))
	_, err := b.ib.Archive(t.Context(), done, 2025, 1, "GD-001")
	require.NoError(t, err)

	leftovers := []string{
		"staging/0123456789abcdef0123456789abcdef.xlsx.tmp", // an interrupted copy
		"rejected/.tmp-0123456789abcdef",                    // an interrupted report
		"quarantine/.tmp-0123456789abcdef",                  // an interrupted reason file
		"archive/2025-Q1/GD-001/.tmp-0123456789abcdef",
	}
	for _, l := range leftovers {
		require.NoError(t, os.WriteFile(filepath.Join(b.state, l), []byte("partial"), 0o600))
	}
	notOurs := filepath.Join(b.state, "staging", "README.txt")
	require.NoError(t, os.WriteFile(notOurs, []byte("admin note"), 0o600))
	inboxTmp := b.write(t, "upload.xlsx.tmp", []byte("someone's upload"))

	var asked []string
	removed, err := b.ib.Recover(t.Context(), func(id string) bool {
		asked = append(asked, id)
		return id == claimed.ID
	})
	require.NoError(t, err)
	require.Equal(t, 1+len(leftovers), removed)
	require.ElementsMatch(t, []string{claimed.ID, orphan.ID}, asked)

	_, err = os.Stat(claimed.Path)
	require.NoError(t, err, "a claimed copy is kept")
	_, err = os.Stat(orphan.Path)
	require.ErrorIs(t, err, os.ErrNotExist)
	for _, l := range leftovers {
		_, err := os.Stat(filepath.Join(b.state, l))
		require.ErrorIs(t, err, os.ErrNotExist, l)
	}
	_, err = os.Stat(notOurs)
	require.NoError(t, err, "files Recover did not make are left alone")
	_, err = os.Stat(inboxTmp)
	require.NoError(t, err, "the inbox is never touched")
	for _, n := range []string{"claimed.xlsx", "orphan.xlsx"} {
		_, err := os.Stat(filepath.Join(b.inbox, n))
		require.NoError(t, err, "originals stay in the inbox")
	}

	// nil keep claims nothing.
	removed, err = b.ib.Recover(t.Context(), nil)
	require.NoError(t, err)
	require.Equal(t, 1, removed)
	require.Equal(t, []string{"README.txt"}, b.dirNames(t, "staging"))
}
