package annotate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/annotate"
)

// TestIssuesSheetPrintReady: the issues sheet prints on pages one wide, in
// landscape (its nine columns are wider than a portrait page), on A4, with
// its print area the summary and the table and the table's header row
// repeated on every page; in the annotated copy and in the issue list
// alone. Read back with excelize and, where installed, openpyxl.
func TestIssuesSheetPrintReady(t *testing.T) {
	t.Parallel()
	annotatedCopy := func(t *testing.T) string {
		_, out := annotated(t, filepath.Join(brokenDir, "invalid_kn01_under18.xlsx"))
		return out
	}
	listAlone := func(t *testing.T) string {
		src := filepath.Join(brokenDir, "corrupt_xml_truncated.xlsx")
		res := validateFile(t, src)
		require.False(t, annotate.Openable(res))
		var buf bytes.Buffer
		require.NoError(t, annotate.WriteContext(context.Background(), &buf, nil, 0, res, options(t)))
		out := filepath.Join(t.TempDir(), "x.loi.xlsx")
		require.NoError(t, os.WriteFile(out, buf.Bytes(), 0o600))
		return out
	}
	for name, mk := range map[string]func(*testing.T) string{"annotated": annotatedCopy, "list-alone": listAlone} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := mk(t)
			ann := open(t, out)
			table, first := issuesTable(t, ann)
			header, last := first-1, first-1+len(table)

			pl, err := ann.GetPageLayout("Lỗi")
			require.NoError(t, err)
			require.Equal(t, "landscape", *pl.Orientation)
			require.Equal(t, 9, *pl.Size)
			require.Equal(t, 1, *pl.FitToWidth)
			require.Equal(t, 0, *pl.FitToHeight)
			props, err := ann.GetSheetProps("Lỗi")
			require.NoError(t, err)
			require.True(t, *props.FitToPage)
			names := map[string]string{}
			for _, dn := range ann.GetDefinedName() {
				if dn.Scope == "Lỗi" {
					names[dn.Name] = dn.RefersTo
				}
			}
			require.Equal(t, map[string]string{
				"_xlnm.Print_Area":   fmt.Sprintf("'Lỗi'!$A$1:$I$%d", last),
				"_xlnm.Print_Titles": fmt.Sprintf("'Lỗi'!$%d:$%d", header, header),
			}, names)

			py := python()
			if py == "" {
				t.Skip("openpyxl is not installed (Debian: apt-get install python3-openpyxl): the independent reader's check did not run")
			}
			const script = `
import json, sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]
ps = ws.page_setup
json.dump({"title": ws.title, "area": str(ws.print_area), "rows": str(ws.print_title_rows),
  "orientation": ps.orientation, "paper": str(ps.paperSize), "fitw": str(ps.fitToWidth), "fith": str(ps.fitToHeight),
  "fit": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)}, sys.stdout)
`
			cmd := exec.CommandContext(context.Background(), py, "-c", script, out)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			raw, err := cmd.Output()
			require.NoError(t, err, stderr.String())
			var r map[string]any
			require.NoError(t, json.Unmarshal(raw, &r))
			// openpyxl gives the sheet's print areas as a list and its title
			// rows as a range.
			require.Equal(t, map[string]any{"title": "Lỗi", "area": fmt.Sprintf("['$A$1:$I$%d']", last),
				"rows": fmt.Sprintf("$%d:$%d", header, header), "orientation": "landscape", "paper": "9",
				"fitw": "1", "fith": "0", "fit": true}, r)
		})
	}
}
