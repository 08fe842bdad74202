package workbook_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/workbook"
)

func TestCellNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		col, row int
		name     string
	}{{1, 1, "A1"}, {26, 3, "Z3"}, {27, 10, "AA10"}, {16384, 1048576, "XFD1048576"}} {
		got, ok := workbook.CellName(c.col, c.row)
		require.True(t, ok, c.name)
		require.Equal(t, c.name, got)
		col, row, ok := workbook.ParseCellName(c.name)
		require.True(t, ok, c.name)
		require.Equal(t, []int{c.col, c.row}, []int{col, row})
	}
	for _, c := range [][2]int{{0, 1}, {1, 0}, {16385, 1}, {1, 1048577}, {-1, -1}} {
		_, ok := workbook.CellName(c[0], c[1])
		require.False(t, ok, c)
	}
	name, ok := workbook.ColumnName(28)
	require.True(t, ok)
	require.Equal(t, "AB", name)
	_, ok = workbook.ColumnName(0)
	require.False(t, ok)
	for _, bad := range []string{"", "A", "1", "A0", "a1", "$A$1", "XFE1", "A1048577", "ABCD1", "A1:B2", "row 3 start"} {
		_, _, ok := workbook.ParseCellName(bad)
		require.False(t, ok, bad)
	}
}
