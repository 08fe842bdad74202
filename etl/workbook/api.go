package workbook

// This file is the package's contract with the rest of the pipeline. The
// implementation lives beside it.

import (
	"context"
	"io"
)

// Kind is the type of a stored cell value, as the file declares it.
type Kind uint8

// Cell kinds. Empty cells are never reported.
const (
	Number Kind = iota + 1 // <v> of a cell with no t or t="n": the raw number text, e.g. "45000" or "1.5E3"
	String                 // shared (t="s", resolved), inline (t="inlineStr", rich runs joined) or formula string (t="str")
	Bool                   // t="b": Value is "1" or "0"
	Error                  // t="e": Value is the error text, e.g. "#REF!"
	Date                   // t="d": Value is the ISO 8601 text the file holds
)

func (k Kind) String() string {
	switch k {
	case Number:
		return "number"
	case String:
		return "string"
	case Bool:
		return "bool"
	case Error:
		return "error"
	case Date:
		return "date"
	}
	return "unknown"
}

// Cell is one non-empty cell of a row.
type Cell struct {
	Col     int    // 1-based column number (A = 1)
	Kind    Kind   // value type
	Value   string // raw value: text exactly as stored (entities decoded, not normalised); numbers as written
	Formula bool   // the cell has a formula; Value is its cached result
	// Hidden: the cell's number format shows nothing for its value (a
	// custom format such as ";;;" with empty sections); Excel shows an
	// empty cell.
	Hidden bool
}

// Row is one row of a sheet as stored, with its non-empty cells in column order.
// A row element with no non-empty cell is still reported (Cells empty) so that
// callers can see hidden or formatted blank rows.
type Row struct {
	Num int // 1-based row number
	// Hidden: Excel does not show the row: hidden="1", a height below 3
	// points (Excel hides a row by setting its height to 0), or no height of
	// its own in a sheet whose rows are hidden by default (zeroHeight).
	Hidden bool
	Cells  []Cell // non-empty cells, strictly increasing Col
}

// Range is a rectangular cell range, 1-based and inclusive, e.g. from a merge.
type Range struct {
	FromCol, FromRow, ToCol, ToRow int
}

// SheetState is the visibility of a sheet.
type SheetState string

// Sheet visibility states as the workbook declares them.
const (
	Visible    SheetState = "visible"
	Hidden     SheetState = "hidden"
	VeryHidden SheetState = "veryHidden"
)

// SheetInfo describes one sheet of the workbook, in workbook order.
type SheetInfo struct {
	Name  string     // sheet name exactly as stored (not normalised)
	State SheetState // visibility
	Part  string     // zip entry of the sheet XML, e.g. "xl/worksheets/sheet1.xml"
}

// SheetMeta is what a sheet declares besides its rows; it is complete only
// after the whole sheet part has been read.
type SheetMeta struct {
	Merges     []Range // merged ranges
	HiddenCols []int   // hidden column numbers (from <cols>: hidden="1" or a width below one character)
	Rows       int     // number of <row> elements read
	// RowsHiddenByDefault: sheetFormatPr zeroHeight="1", rows without a
	// height of their own are hidden (each Row.Hidden says so already).
	RowsHiddenByDefault bool
	// ColsHiddenByDefault: the default column width is below one
	// character, so every column without a <col> definition is hidden.
	ColsHiddenByDefault bool

	colDefs []colDef
}

// colDef is one <col> definition.
type colDef struct {
	lo, hi int
	hidden bool
}

// ColHidden reports whether Excel hides column col (1-based): hidden or
// too narrow by its own definition, or by the sheet's default width.
func (m SheetMeta) ColHidden(col int) bool {
	defined := false
	for _, d := range m.colDefs {
		if col >= d.lo && col <= d.hi {
			if d.hidden {
				return true
			}
			defined = true
		}
	}
	return !defined && m.ColsHiddenByDefault
}

// Limits bound what a single file may cost. Zero fields take the defaults
// noted on each.
type Limits struct {
	MaxFileSize   int64   // compressed file size. Defaults to 64 MiB.
	MaxEntries    int     // zip entries. Defaults to 1,000.
	MaxEntrySize  int64   // declared uncompressed size of one entry. Defaults to 1 GiB.
	MaxTotalSize  int64   // declared uncompressed size of all entries. Defaults to 2 GiB.
	MinRatio      float64 // compressed/uncompressed below this, for entries past 100 KiB, is a bomb. Defaults to 0.005.
	MaxRows       int     // rows per sheet (including header rows). Defaults to 1,048,576 (the Excel maximum); the pipeline sets its own cap.
	MaxCellChars  int     // characters in one cell. Defaults to 32,767 (Excel's own cap).
	MaxSharedText int64   // bytes of shared-string text kept in memory. Defaults to 256 MiB.
	// SharedTextPerByte caps the shared-string text relative to the file:
	// at most this many bytes of text per byte of the (compressed) file,
	// with a floor of 16 MiB, so memory follows what was submitted rather
	// than what a tiny file can inflate to. Defaults to 32 (real returns
	// hold 3 to 10 bytes of text per byte of file).
	SharedTextPerByte int64
}

// Book is an opened workbook being read in one strict pass. It is not safe
// for concurrent use. Every method that meets damage returns a *reason.Error.
//
// The life of a Book: Open (sniffs the format and reads the package
// structure: content types, relationships, workbook, shared strings), then
// ReadSheet for each sheet wanted, then Close, which reads every entry not
// yet read to its end so that a damaged part anywhere in the file is found.
type Book interface {
	// Sheets lists the sheets in workbook order.
	Sheets() []SheetInfo
	// Date1904 reports whether the workbook uses the 1904 date system.
	Date1904() bool
	// RecalcOnLoad reports whether the workbook asks Excel to recalculate
	// every formula when the file is opened (calcPr fullCalcOnLoad="1"):
	// then Excel shows freshly computed results, and a formula's cached
	// value, which is all the file holds, may not be what Excel shows.
	RecalcOnLoad() bool
	// ReadSheet streams the rows of the named sheet (exact stored name) to fn,
	// in order. The *Row and its Cells are reused after fn returns: copy what
	// you keep. An error from fn stops the read and is returned as is.
	ReadSheet(ctx context.Context, name string, fn func(*Row) error) (SheetMeta, error)
	// Close finishes the pass (every remaining entry read to its end, CRC and
	// size checked) and releases resources. It returns the first damage found.
	Close() error
}

// Open sniffs r and opens it as an xlsx workbook within lim. A file that is
// not a readable xlsx workbook gives a *reason.Error (NOT_XLSX, FORMAT_*,
// ENCRYPTED, CORRUPT_*, DTD, TOO_LARGE).
func Open(ctx context.Context, r io.ReaderAt, size int64, lim Limits) (Book, error) {
	return open(ctx, r, size, lim)
}
