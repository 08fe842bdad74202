package annotate_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/annotate"
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
