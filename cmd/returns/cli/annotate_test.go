package cli

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestValidateAnnotate: --annotate DIR creates DIR, writes one annotated
// workbook per rejected file or file with warnings (none for a clean
// accepted file), says where on stderr, and changes neither the report nor
// the exit status.
func TestValidateAnnotate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "feedback", "2025Q3") // does not exist yet
	files := []string{
		filepath.Join(samplesDir, "valid", "BCQ_GD-HSG-001_2025Q2.xlsx"),
		filepath.Join(samplesDir, "broken", "invalid_kn01_under18.xlsx"),
		filepath.Join(samplesDir, "broken", "invalid_gs02_db_khai_tru.xlsx"),
		filepath.Join(samplesDir, "broken", "encrypted.xlsx"),
		filepath.Join(samplesDir, "broken", "format_xls.xlsx"),
	}
	code, out, errOut := run(t, append([]string{"validate", "--json", "--annotate", dir}, files...)...)
	plainCode, plainOut, _ := run(t, append([]string{"validate", "--json"}, files...)...)
	require.Equal(t, ExitRejected, code, errOut)
	require.Equal(t, plainCode, code, "exit status unchanged by --annotate")
	require.Equal(t, plainOut, out, "report unchanged by --annotate")

	want := []string{"encrypted.loi.xlsx", "format_xls.loi.xlsx", "invalid_gs02_db_khai_tru.loi.xlsx", "invalid_kn01_under18.loi.xlsx"}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	sort.Strings(got)
	require.Equal(t, want, got, "one workbook per rejected file, none for the clean one, no temporary file left")
	for _, name := range want {
		require.Contains(t, errOut, filepath.Join(dir, name), "stderr says where")
		f, err := excelize.OpenFile(filepath.Join(dir, name))
		require.NoError(t, err)
		require.Equal(t, "Lỗi", f.GetSheetName(0))
		n := len(f.GetSheetList())
		require.NoError(t, f.Close())
		if name == "encrypted.loi.xlsx" || name == "format_xls.loi.xlsx" {
			require.Equal(t, 1, n, "a file that could not be opened gets the explanation alone")
		} else {
			require.Greater(t, n, 4, "the operator's own sheets follow")
		}
	}
}

// TestValidateAnnotateAcceptedAndTwins: a clean accepted file gets nothing
// (exit 0); two files with the same name get two workbooks; English
// messages on --lang en.
func TestValidateAnnotateAcceptedAndTwins(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, _, errOut := run(t, "validate", "--annotate", dir, filepath.Join(samplesDir, "valid", "BCQ_GD-HSG-001_2025Q2.xlsx"))
	require.Equal(t, ExitOK, code, errOut)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)

	src := filepath.Join(samplesDir, "broken", "invalid_kn01_under18.xlsx")
	code, _, errOut = run(t, "validate", "--lang", "en", "--annotate", dir, src, src)
	require.Equal(t, ExitRejected, code, errOut)
	require.Contains(t, errOut, "annotated copy of")
	for _, name := range []string{"invalid_kn01_under18.loi.xlsx", "invalid_kn01_under18 (2).loi.xlsx"} {
		f, err := excelize.OpenFile(filepath.Join(dir, name))
		require.NoError(t, err, name)
		require.Equal(t, "Issues", f.GetSheetName(0))
		require.NoError(t, f.Close())
	}
}

// TestValidateAnnotateBadDir: a DIR that cannot be a folder is a usage error.
func TestValidateAnnotateBadDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "not-a-dir")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	code, _, errOut := run(t, "validate", "--annotate", file, filepath.Join(samplesDir, "broken", "invalid_kn01_under18.xlsx"))
	require.Equal(t, ExitUsage, code)
	require.Contains(t, errOut, "--annotate")
}
