package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDisplayName: displayName escapes what a terminal would obey and
// keeps the rest of a name as it is.
func TestDisplayName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"BCQ_GD-01_2025Q1.xlsx":  "BCQ_GD-01_2025Q1.xlsx",
		"Báo cáo quý 1.xlsx":     "Báo cáo quý 1.xlsx",
		"a\tb\rc\x00.xlsx":       `a\tb\rc\x00.xlsx`,
		"x\u200by\u2066z":        `x\u200by\u2066z`,
		"\xff\xfe.xlsx":          `\xff\xfe.xlsx`,
		`back\slash`:             `back\\slash`,
		"c1\u0085control\u2028.": `c1\u0085control\u2028.`,
	} {
		require.Equal(t, want, displayName(in), "%q", in)
	}
}

// TestValidateRefusesSpecialFiles: a FIFO named like a workbook is refused
// without being opened (opening it for reading would block until a writer
// comes), and the other files of the run are still checked.
func TestValidateRefusesSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.xlsx")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	good, err := filepath.Glob(filepath.Join(samplesDir, "valid", "BCQ_*.xlsx"))
	require.NoError(t, err)
	require.NotEmpty(t, good)

	type outcome struct {
		code        int
		out, stderr string
	}
	done := make(chan outcome, 1)
	go func() {
		code, out, stderr := run(t, "validate", "--json", fifo, good[0])
		done <- outcome{code, out, stderr}
	}()
	select {
	case o := <-done:
		require.Equal(t, ExitUsage, o.code)
		require.Contains(t, o.stderr, "not a regular file")
		require.Len(t, decodeLines(t, o.out), 1, "the workbook after the FIFO is checked")
	case <-time.After(2 * time.Minute):
		// Unblock the reader so that the test binary can end, then fail.
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("validate blocked on a FIFO")
	}
}

// TestValidateEscapesControlCharactersInNames: the human report and the
// messages show a file name's control characters escaped, never raw (an
// escape sequence or a bidirectional override in a name must not act on the
// terminal).
func TestValidateEscapesControlCharactersInNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := filepath.Glob(filepath.Join(samplesDir, "broken", "invalid_kn01_under18.xlsx"))
	require.NoError(t, err)
	require.Len(t, src, 1)
	data, err := os.ReadFile(src[0])
	require.NoError(t, err)
	name := "bad\x1b[2J\u202eeman\n.xlsx"
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, data, 0o600))

	code, out, stderr := run(t, "validate", "--annotate", filepath.Join(dir, "ann"), path)
	require.Equal(t, ExitRejected, code, stderr)
	for _, s := range []string{out, stderr} {
		require.NotContains(t, s, "\x1b")
		require.NotContains(t, s, "\u202e")
		require.False(t, strings.Contains(s, "eman\n"), "no raw newline from the name")
	}
	require.Contains(t, out, `bad\x1b[2J\u202eeman\n.xlsx`)
	require.Contains(t, stderr, `\u202e`)
}
