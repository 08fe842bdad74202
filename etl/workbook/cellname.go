package workbook

import "strconv"

// ColumnName is the letters of column col: 1 is "A", 16384 "XFD". ok is
// false for a column outside the sheet's bounds.
func ColumnName(col int) (name string, ok bool) {
	if col < 1 || col > excelMaxCols {
		return "", false
	}
	return columnName(col), true
}

// CellName is the A1 name of the cell at col and row (both from 1), such
// as "C12". ok is false for a cell outside the sheet's bounds.
func CellName(col, row int) (name string, ok bool) {
	letters, ok := ColumnName(col)
	if !ok || row < 1 || row > excelMaxRows {
		return "", false
	}
	return letters + strconv.Itoa(row), true
}

// ParseCellName is the column and row of an A1 name such as "C12", the
// form the reader writes in its errors (upper-case letters, no '$'). ok is
// false for anything else or a cell outside the sheet's bounds.
func ParseCellName(name string) (col, row int, ok bool) {
	return parseCellRef([]byte(name))
}
