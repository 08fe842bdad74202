package inbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStageCopiesAndHashes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	content := make([]byte, 300<<10)
	_, _ = rand.Read(content)
	b.write(t, "GD-KCQ-001/BCQ.xlsx", content)
	ready, _ := b.settle(t, 2)
	require.Len(t, ready, 1)

	st, err := b.ib.Stage(t.Context(), ready[0])
	require.NoError(t, err)

	sum := sha256.Sum256(content)
	require.Equal(t, hex.EncodeToString(sum[:]), st.SHA256)
	require.Equal(t, int64(len(content)), st.Size)
	require.Equal(t, "GD-KCQ-001/BCQ.xlsx", st.Rel)
	require.Equal(t, "BCQ.xlsx", st.Name)
	require.Equal(t, "GD-KCQ-001", st.Org)
	require.Equal(t, ready[0].Ino, st.Ino)
	require.Regexp(t, `^[0-9a-f]{32}$`, st.ID)
	require.Equal(t, filepath.Join(b.state, "staging", st.ID+".xlsx"), st.Path)

	cp, err := os.ReadFile(st.Path)
	require.NoError(t, err)
	require.Equal(t, content, cp, "the copy equals the original")
	fi, err := os.Stat(st.Path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(filepath.Dir(st.Path))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	require.Equal(t, []string{st.ID + ".xlsx"}, b.dirNames(t, "staging"), "no temp file left")

	orig, err := os.ReadFile(filepath.Join(b.inbox, "GD-KCQ-001/BCQ.xlsx"))
	require.NoError(t, err)
	require.Equal(t, content, orig, "the original stays in the inbox, untouched")
}

func TestStageChangedSinceScan(t *testing.T) {
	t.Parallel()
	b := setup(t)
	p := b.write(t, "grown.xlsx", []byte("first part"))
	b.write(t, "replaced.xlsx", []byte("old"))
	b.write(t, "gone.xlsx", []byte("bye"))
	ready, _ := b.settle(t, 2)
	require.Len(t, ready, 3)

	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(" and more")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	tmp := filepath.Join(b.inbox, "new.part")
	require.NoError(t, os.WriteFile(tmp, []byte("new"), 0o640))
	require.NoError(t, os.Rename(tmp, filepath.Join(b.inbox, "replaced.xlsx")))
	require.NoError(t, os.Remove(filepath.Join(b.inbox, "gone.xlsx")))

	for _, r := range ready {
		_, err := b.ib.Stage(t.Context(), r)
		require.ErrorIs(t, err, ErrChanged, r.Rel)
	}
	require.Empty(t, b.dirNames(t, "staging"))

	// The changed files come back once they are stable again.
	again, _ := b.settle(t, 3)
	require.Equal(t, []string{"grown.xlsx", "replaced.xlsx"}, rels(again))
	for _, r := range again {
		st, err := b.ib.Stage(t.Context(), r)
		require.NoError(t, err)
		require.Equal(t, r.Size, st.Size)
	}
}

func TestStageHonoursContext(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.write(t, "a.xlsx", make([]byte, 1<<20))
	ready, _ := b.settle(t, 2)
	require.Len(t, ready, 1)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := b.ib.Stage(ctx, ready[0])
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, b.dirNames(t, "staging"))
	r, _ := b.scan(t)
	require.Len(t, r, 1, "a failed Stage hands the file back")
}
