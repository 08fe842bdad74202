package annotate_test

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/schemas"
)

const (
	brokenDir = "../../samples/broken"
	validDir  = "../../samples/valid"
	// validSample has no formulas and no warnings.
	validSample = validDir + "/BCQ_GD-HSG-001_2025Q2.xlsx"
)

var loadSet = sync.OnceValues(func() (*schema.Set, error) { return schema.Load(schemas.FS) })

func set(t *testing.T) *schema.Set {
	t.Helper()
	s, err := loadSet()
	require.NoError(t, err)
	return s
}

func validateFile(t *testing.T, path string) *validate.Result {
	t.Helper()
	res, err := validate.CheckFile(context.Background(), path, set(t), validate.Options{})
	require.NoError(t, err)
	return res
}

func options(t *testing.T) annotate.Options {
	return annotate.Options{Template: set(t).Templates["BCQ-1"], Limits: annotate.Limits{TmpDir: t.TempDir()}}
}

// annotated validates path, writes its annotated workbook and returns the
// result and the annotated file's path.
func annotated(t *testing.T, path string) (*validate.Result, string) {
	t.Helper()
	res := validateFile(t, path)
	out := filepath.Join(t.TempDir(), annotate.Name(path))
	require.NoError(t, annotate.File(context.Background(), path, out, res, options(t)))
	return res, out
}

func open(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true, TmpDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// rows returns every sheet's raw cell values, trailing blanks trimmed.
func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	for i, r := range rs {
		for len(r) > 0 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		rs[i] = r
	}
	for len(rs) > 0 && len(rs[len(rs)-1]) == 0 {
		rs = rs[:len(rs)-1]
	}
	return rs
}

// copyWith writes a copy of the valid sample changed by edit and returns its path.
func copyWith(t *testing.T, name string, edit func(f *excelize.File)) string {
	t.Helper()
	f, err := excelize.OpenFile(validSample)
	require.NoError(t, err)
	defer f.Close()
	edit(f)
	out := filepath.Join(t.TempDir(), name)
	require.NoError(t, f.SaveAs(out))
	return out
}

// badEthnicityWith is copyWith where the first admission's ethnicity code is
// "99" (a KN-10 error), edited further by more; it returns the copy and the
// cell of that code.
func badEthnicityWith(t *testing.T, name string, more func(f *excelize.File, cell string)) (src, cell string) {
	t.Helper()
	src = copyWith(t, name, func(f *excelize.File) {
		cell = fieldCell(t, f, "KetNap", "ethnicity_code", 1)
		require.NoError(t, f.SetCellStr("KetNap", cell, "99"))
		more(f, cell)
	})
	return src, cell
}

// fieldCell returns the cell of field on data row n (1-based) of a table sheet,
// found by the hidden field-name row 2.
func fieldCell(t *testing.T, f *excelize.File, sheet, field string, n int) string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	require.NoError(t, err)
	require.Greater(t, len(rs), 2+n-1)
	for c, v := range rs[1] {
		if v == field {
			cell, err := excelize.CoordinatesToCellName(c+1, 2+n)
			require.NoError(t, err)
			return cell
		}
	}
	t.Fatalf("no field %s on %s", field, sheet)
	return ""
}

// issuesTable returns the rows of the issues table (after the header row)
// of the first sheet, and the first row's number.
func issuesTable(t *testing.T, f *excelize.File) ([][]string, int) {
	t.Helper()
	sheet := f.GetSheetName(0)
	rs, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	for i, r := range rs {
		if len(r) > 0 && (r[0] == "STT" || r[0] == "No.") {
			return rs[i+1:], i + 2
		}
	}
	t.Fatalf("no issues table on %s", sheet)
	return nil, 0
}

// allText returns every cell text of the first sheet, joined by newlines.
func allText(t *testing.T, f *excelize.File) string {
	t.Helper()
	rs, err := f.GetRows(f.GetSheetName(0), excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}

// zipParts returns the named parts of an xlsx file.
func zipParts(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		out[f.Name] = string(b)
	}
	return out
}

func fillOf(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	require.NoError(t, err)
	st, err := f.GetStyle(id)
	require.NoError(t, err)
	if st.Fill.Pattern != 1 || len(st.Fill.Color) == 0 {
		return ""
	}
	c := strings.ToUpper(st.Fill.Color[0])
	if len(c) == 8 { // ARGB
		c = c[2:]
	}
	return c
}

func commentsOf(t *testing.T, f *excelize.File, sheet string) map[string]excelize.Comment {
	t.Helper()
	list, err := f.GetComments(sheet)
	require.NoError(t, err)
	out := map[string]excelize.Comment{}
	for _, c := range list {
		out[c.Cell] = c
	}
	return out
}

func commentText(c excelize.Comment) string {
	s := c.Text
	for _, r := range c.Paragraph {
		s += r.Text
	}
	return s
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// markCell is the cell that carries the mark of an issue on cell: the first
// cell of a merge that covers it, else the cell.
func markCell(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	merges, err := f.GetMergeCells(sheet)
	require.NoError(t, err)
	col, row, err := excelize.CellNameToCoordinates(cell)
	require.NoError(t, err)
	for _, m := range merges {
		c1, r1, err := excelize.CellNameToCoordinates(m.GetStartAxis())
		require.NoError(t, err)
		c2, r2, err := excelize.CellNameToCoordinates(m.GetEndAxis())
		require.NoError(t, err)
		if col >= c1 && col <= c2 && row >= r1 && row <= r2 {
			return m.GetStartAxis()
		}
	}
	return cell
}

// issueCells returns the cells an issue marks: its own cell, then the cells it
// used (Related).
func issueCells(is validate.Issue) []string {
	if is.Cell == "" {
		return is.Related
	}
	return append([]string{is.Cell}, is.Related...)
}
