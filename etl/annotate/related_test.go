package annotate_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

// TestMarksTheCellsABalanceUsed: a TH-01 balance error (the generated
// return with members_end_official one too many) fills red and comments
// not only the cell it points at but every input of the balance, each
// comment naming the rule and the issue's own cell; the issues sheet still
// links to that cell only. The balance's inputs are found by their field
// names in the workbook's column B (domain.md's TH-01), not from the issue.
func TestMarksTheCellsABalanceUsed(t *testing.T) {
	t.Parallel()
	p := generate.Generate(1)
	var r *generate.Return
	for _, x := range p.ReturnsIn(p.Quarters[len(p.Quarters)-1]) {
		if x.Org.Code != generate.BigOrgCode {
			r = x
			break
		}
	}
	require.NotNil(t, r)
	bad := *r
	bad.Info.MembersEndOfficial++ // TH-01: the balance does not add up
	var buf bytes.Buffer
	require.NoError(t, generate.WriteReturn(&buf, &bad, generate.WriteOptions{}))
	src := filepath.Join(t.TempDir(), bad.FileName())
	require.NoError(t, os.WriteFile(src, buf.Bytes(), 0o600))

	res := validateFile(t, src)
	require.Equal(t, validate.Rejected, res.Status)
	th01 := -1
	for i, is := range res.Issues {
		if is.Rule == "TH-01" {
			th01 = i
		}
	}
	require.GreaterOrEqual(t, th01, 0, "%+v", res.Issues)
	is := res.Issues[th01]
	require.NotEmpty(t, is.Related)

	out := filepath.Join(t.TempDir(), annotate.Name(src))
	require.NoError(t, annotate.File(context.Background(), src, out, res, options(t)))
	orig, ann := open(t, src), open(t, out)
	const sheet = generate.SheetThongTin
	require.Equal(t, sheet, is.Sheet)

	// The cell of each field, from the field names in column B.
	cellOf := map[string]string{}
	for n, row := range rows(t, orig, sheet) {
		if len(row) > 1 {
			cellOf[row[1]] = cellName(t, 3, n+1)
		}
	}
	inputs := []string{
		"members_start_official", "members_start_probationary", "admitted", "readmitted",
		"transfer_in_official", "increase_other", "transfer_out_official", "deceased", "expelled",
		"struck_off", "resigned", "decrease_other", "members_end_probationary",
	}
	require.Equal(t, cellOf["members_end_official"], is.Cell)
	comments := commentsOf(t, ann, sheet)
	check := func(cell string, related bool) {
		t.Helper()
		require.Equal(t, annotate.ErrorFill, fillOf(t, ann, sheet, cell), "fill of %s!%s", sheet, cell)
		c, ok := comments[cell]
		require.True(t, ok, "comment on %s!%s", sheet, cell)
		text := commentText(c)
		require.Contains(t, text, "[TH-01]")
		require.Contains(t, text, is.Message.VI)
		if related {
			require.Contains(t, text, "lỗi được ghi ở ô "+is.Cell)
		} else {
			require.NotContains(t, text, "lỗi được ghi ở ô")
		}
	}
	check(is.Cell, false)
	for _, f := range inputs {
		cell, ok := cellOf[f]
		require.True(t, ok, "field %s on %s", f, sheet)
		require.Contains(t, is.Related, cell, "%s is an input of the balance", f)
		check(cell, true)
	}
	for _, cell := range is.Related {
		check(cell, true)
	}

	// No other cell of the sheet changed its fill.
	want := map[string]bool{}
	for _, x := range res.Issues {
		if x.Sheet == sheet {
			for _, c := range issueCells(x) {
				want[c] = true
			}
		}
	}
	for n, row := range rows(t, orig, sheet) {
		for c := range row {
			cell := cellName(t, c+1, n+1)
			if !want[cell] {
				require.Equal(t, fillOf(t, orig, sheet, cell), fillOf(t, ann, sheet, cell), "%s!%s is not part of an issue", sheet, cell)
			}
		}
	}

	// The issues sheet: TH-01's row links to its own cell only.
	table, first := issuesTable(t, ann)
	require.Len(t, table, len(res.Issues))
	require.Equal(t, is.Cell, table[th01][2])
	ok, link, err := ann.GetCellHyperLink("Lỗi", cellName(t, 3, first+th01))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "'"+sheet+"'!"+is.Cell, link)
}

// TestRelatedMergesAndBudgets: a related cell under a merge marks the
// merge's first cell, once per issue even when two of its cells are there;
// the issue's own cell among its related ones is not listed twice; a ref
// that is not A1 is skipped; the worst severity of a cell wins; and a
// related cell past a budget sends the workbook to the issue list alone.
func TestRelatedMergesAndBudgets(t *testing.T) {
	t.Parallel()
	src := copyWith(t, "merged.xlsx", func(f *excelize.File) {
		require.NoError(t, f.MergeCell("ThongTin", "C9", "C10"))
	})
	res := &validate.Result{File: "merged.xlsx", Status: validate.Rejected, Reason: reason.InvalidData, Errors: 1, Warnings: 1,
		Issues: []validate.Issue{
			{Sheet: "ThongTin", Cell: "C23", Rule: "W-01", Severity: schema.Warning,
				Related: []string{"C9", "C10", "$C$11", "not a cell", "C23"}, Message: schema.Text{VI: "Cảnh báo cân đối", EN: "Balance warning"}},
			{Sheet: "ThongTin", Cell: "C11", Rule: "E-01", Severity: schema.Error, Message: schema.Text{VI: "Lỗi C11", EN: "Error C11"}},
		}}
	out := filepath.Join(t.TempDir(), annotate.Name(src))
	require.NoError(t, annotate.File(context.Background(), src, out, res, options(t)))
	ann := open(t, out)
	cmts := commentsOf(t, ann, "ThongTin")

	require.Equal(t, annotate.WarningFill, fillOf(t, ann, "ThongTin", "C9"))
	require.Equal(t, 1, strings.Count(commentText(cmts["C9"]), "[W-01]"), "C9 and C10 are one merged cell: the issue once")
	require.Contains(t, commentText(cmts["C9"]), "lỗi được ghi ở ô C23")
	require.NotContains(t, cmts, "C10")
	require.Equal(t, annotate.ErrorFill, fillOf(t, ann, "ThongTin", "C11"), "an error on the cell wins over the warning it is related to")
	c11 := commentText(cmts["C11"])
	require.Contains(t, c11, "[E-01]")
	require.Contains(t, c11, "[W-01]")
	require.Equal(t, annotate.WarningFill, fillOf(t, ann, "ThongTin", "C23"))
	require.Equal(t, 1, strings.Count(commentText(cmts["C23"]), "[W-01]"))
	require.NotContains(t, commentText(cmts["C23"]), "lỗi được ghi ở ô")
	require.Len(t, cmts, 3)
	text := allText(t, ann)
	require.Contains(t, text, "Sửa các ô tô đỏ")
	require.Contains(t, text, "Các ô tô vàng là cảnh báo")

	// A related cell past the row budget: the issue list alone, saying why.
	res.Issues[0].Related = []string{"C60000"}
	out2 := filepath.Join(t.TempDir(), "2.loi.xlsx")
	opts := options(t)
	opts.Logger = slog.New(slog.DiscardHandler)
	require.NoError(t, annotate.File(context.Background(), src, out2, res, opts))
	ann2 := open(t, out2)
	require.Equal(t, []string{"Lỗi"}, ann2.GetSheetList())
	require.Contains(t, allText(t, ann2), "dòng 60.000")
}
