package workbook

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/returns-project/returns/etl/reason"
)

// Element kinds of a worksheet, decided from the local name and the parent's
// kind, so that namespace prefixes (x:row) and Strict OOXML read the same.
type elemKind uint8

const (
	kOther elemKind = iota
	kRoot
	kSheetData
	kCols
	kCol
	kMerges
	kMerge
	kRow
	kCell
	kV
	kF
	kIS
	kIST
	kRun
	kRunT
	kIgnore  // known elements whose content is not read (extLst, rPh)
	kForeign // an element of another namespace outside the cell table
)

// Cell types as the t attribute declares them.
type cellType uint8

const (
	ctNumber cellType = iota
	ctShared
	ctInline
	ctFormulaStr
	ctBool
	ctError
	ctDate
)

// What Excel cannot show: a row lower than minRowHeight points, a column
// narrower than minColWidth characters (Excel itself hides by setting 0;
// anything this small shows no readable character either).
const (
	minRowHeight = 3.0
	minColWidth  = 1.0
)

const (
	// maxMerges bounds the merged ranges kept for one sheet.
	maxMerges = 1 << 20
	// ctxEvery is how many rows pass between context checks.
	ctxEvery = 4096
)

// pendingValue is a cell value kept in the row's byte buffer until the row
// ends, when one string is made for the whole row.
type pendingValue struct {
	cell, start, end int
}

type sheetReader struct {
	sc     *scanner
	sst    *sst
	styles []styleHides
	lim    Limits
	part   string

	kinds    [16]elemKind
	dataSeen bool

	row     Row
	rowOpen bool
	prevRow int
	vals    []byte
	pending []pendingValue

	// the current cell
	col      int
	prevCol  int
	ctype    cellType
	formula  bool
	nV, nIS  int
	vText    []byte
	isText   []byte
	isT, isR bool
	collect  *[]byte
	hides    styleHides // what the cell's number format hides

	meta       SheetMeta
	zeroHeight bool
}

// readSheet streams the rows of one worksheet part to fn.
func readSheet(ctx context.Context, r io.Reader, part string, table *sst, styles []styleHides, lim Limits, fn func(*Row) error) (SheetMeta, error) {
	sr := &sheetReader{sc: newScanner(r, part, lim.maxToken()), sst: table, styles: styles, lim: lim, part: part}
	meta, err := sr.run(ctx, fn)
	slices.Sort(meta.HiddenCols)
	meta.HiddenCols = slices.Compact(meta.HiddenCols)
	return meta, err
}

func (sr *sheetReader) run(ctx context.Context, fn func(*Row) error) (SheetMeta, error) {
	sc := sr.sc
	maxBytes := sr.lim.cellHardCap() * utf8.UTFMax
	for {
		switch sc.next() {
		case tokErr:
			return sr.meta, sc.err
		case tokEOF:
			return sr.meta, nil
		case tokText:
			if sr.collect != nil {
				*sr.collect = append(*sr.collect, sc.text...)
				if len(*sr.collect) > maxBytes {
					return sr.meta, sr.errorf(reason.TooLarge, "cell in row %d longer than %d characters", sr.row.Num, sr.lim.cellHardCap())
				}
			}
		case tokStart:
			if err := sr.start(ctx); err != nil {
				return sr.meta, err
			}
		case tokEnd:
			if err := sr.end(fn); err != nil {
				return sr.meta, err
			}
		}
	}
}

func (sr *sheetReader) errorf(code reason.Code, format string, args ...any) error {
	return reason.Errorf(code, sr.part, format, args...)
}

func (sr *sheetReader) start(ctx context.Context) error {
	sc := sr.sc
	d := sc.depth()
	// The name stays in the scanner's buffer: a string made of it for every
	// start tag was the reader's only allocation per cell.
	local := sc.local
	k := kOther
	parent := kOther
	if d >= 2 && d-1 < len(sr.kinds) {
		parent = sr.kinds[d-1]
	}
	main := sc.inMain()
	switch {
	case d == 1:
		switch string(local) {
		case "worksheet", "chartsheet", "dialogsheet":
		default:
			return sr.errorf(reason.CorruptXML, "root element is not a worksheet")
		}
		if !main {
			return sr.errorf(reason.CorruptXML, "root element is not in the SpreadsheetML namespace (%s)", sc.nsURI(sc.ns))
		}
		k = kRoot
	case parent == kIgnore:
		// Inside extLst or a phonetic run: nothing there is cell content.
		k = kIgnore
	case !main && (parent == kSheetData || parent == kRow || parent == kCell || parent == kIS || parent == kRun):
		// ECMA-376 Part 3: an element of a namespace Excel does not
		// understand is ignored with everything in it (or the file is
		// refused); Excel never writes one inside the cell table.
		return sr.foreign(parent, string(local))
	case !main || parent == kOther || parent == kForeign:
		// A foreign element, or an element Excel does not place here, may
		// hold nothing that looks like cell content: a row there would be
		// read by some tools and shown by none.
		switch string(local) {
		case "sheetData", "row", "c":
			return reason.Errorf(reason.ForeignMarkup, sr.part, "element %q (namespace %s) outside its place in the worksheet, after row %d",
				string(local), sc.nsURI(sc.ns), sr.prevRow)
		}
		if !main {
			k = kForeign
		}
	default:
		switch parent {
		case kRoot:
			switch string(local) {
			case "sheetData":
				if sr.dataSeen {
					return sr.errorf(reason.CorruptXML, "more than one sheetData element")
				}
				sr.dataSeen = true
				k = kSheetData
			case "cols":
				k = kCols
			case "mergeCells":
				k = kMerges
			case "sheetFormatPr":
				if err := sr.sheetFormat(); err != nil {
					return err
				}
			case "extLst":
				k = kIgnore
			}
		case kSheetData:
			if string(local) != "row" {
				return sr.errorf(reason.CorruptRows, "unexpected element in sheetData after row %d", sr.prevRow)
			}
			k = kRow
			if err := sr.startRow(ctx); err != nil {
				return err
			}
		case kRow:
			switch string(local) {
			case "c":
				k = kCell
				if err := sr.startCell(); err != nil {
					return err
				}
			case "extLst":
				k = kIgnore
			default:
				return sr.errorf(reason.CorruptCells, "unexpected element in row %d", sr.row.Num)
			}
		case kCell:
			switch string(local) {
			case "v":
				k = kV
				sr.nV++
				if sr.nV > 1 {
					return sr.errorf(reason.CorruptCells, "cell %s has more than one value", cellName(sr.col, sr.row.Num))
				}
				sr.collect = &sr.vText
			case "f":
				k = kF
				sr.formula = true
			case "is":
				k = kIS
				sr.nIS++
				if sr.nIS > 1 {
					return sr.errorf(reason.CorruptCells, "cell %s has more than one inline string", cellName(sr.col, sr.row.Num))
				}
			case "extLst":
				k = kIgnore
			default:
				return sr.errorf(reason.CorruptCells, "unexpected element in cell %s", cellName(sr.col, sr.row.Num))
			}
		case kIS:
			switch string(local) {
			case "t":
				if sr.isT || sr.isR {
					return sr.errorf(reason.CorruptCells, "inline string of cell %s has more than one plain text element", cellName(sr.col, sr.row.Num))
				}
				sr.isT = true
				k = kIST
				sr.collect = &sr.isText
			case "r":
				sr.isR = true
				k = kRun
			default:
				k = kIgnore // rPh, phoneticPr: not the cell's text
			}
		case kRun:
			if string(local) == "t" {
				k = kRunT
				sr.collect = &sr.isText
			} else {
				k = kIgnore // rPr
			}
		case kCols:
			if string(local) == "col" {
				k = kCol
				if err := sr.col_(); err != nil {
					return err
				}
			}
		case kMerges:
			if string(local) == "mergeCell" {
				k = kMerge
				if err := sr.merge(); err != nil {
					return err
				}
			}
		}
	}
	if d < len(sr.kinds) {
		sr.kinds[d] = k
	}
	return nil
}

// foreign refuses an element of another namespace inside the cell table,
// naming the row or cell it is in.
func (sr *sheetReader) foreign(parent elemKind, local string) error {
	where := fmt.Sprintf("after row %d", sr.prevRow)
	e := reason.Errorf(reason.ForeignMarkup, sr.part, "")
	switch parent {
	case kRow:
		where = fmt.Sprintf("in row %d", sr.row.Num)
		e.Cell = cellName(sr.prevCol+1, sr.row.Num)
	case kCell, kIS, kRun:
		where = "in cell " + cellName(sr.col, sr.row.Num)
		e.Cell = cellName(sr.col, sr.row.Num)
	default:
		e.Cell = cellName(1, sr.prevRow+1)
	}
	e.Detail = fmt.Sprintf("element %q of namespace %s %s (Excel does not show it)", local, sr.sc.nsURI(sr.sc.ns), where)
	return e
}

func (sr *sheetReader) end(fn func(*Row) error) error {
	d := sr.sc.depth()
	if d >= len(sr.kinds) {
		return nil
	}
	switch sr.kinds[d] {
	case kV, kIST, kRunT:
		sr.collect = nil
	case kCell:
		return sr.endCell()
	case kRow:
		return sr.endRow(fn)
	}
	return nil
}

func (sr *sheetReader) startRow(ctx context.Context) error {
	sc := sr.sc
	num := sr.prevRow + 1
	if v, ok, dup := sc.attr("r"); dup {
		return sr.errorf(reason.CorruptRows, "row after row %d has two r attributes", sr.prevRow)
	} else if ok {
		n, good := parseUint(v)
		if !good || n < 1 || n > excelMaxRows {
			return sr.errorf(reason.CorruptRows, "row number after row %d is not in 1..%d", sr.prevRow, excelMaxRows)
		}
		if n <= sr.prevRow {
			return sr.errorf(reason.CorruptRows, "row %d follows row %d (rows out of order)", n, sr.prevRow)
		}
		num = n
	}
	if num > excelMaxRows {
		return sr.errorf(reason.CorruptRows, "row number after row %d is not in 1..%d", sr.prevRow, excelMaxRows)
	}
	if num > sr.lim.MaxRows {
		return reason.Errorf(reason.TooManyRows, sr.part, "row %d is beyond the limit of %d rows", num, sr.lim.MaxRows)
	}
	hidden := false
	if v, ok, dup := sc.attr("hidden"); dup {
		return sr.errorf(reason.CorruptXML, "row %d has two hidden attributes", num)
	} else if ok {
		b, good := parseBool(v)
		if !good {
			return sr.errorf(reason.CorruptXML, "row %d has a hidden attribute that is not a boolean", num)
		}
		hidden = b
	}
	// A row too low to show a character is hidden whatever its hidden
	// attribute says: Excel hides a row by giving it height 0. With
	// zeroHeight on sheetFormatPr, rows are hidden unless they set their own
	// height (ECMA-376 Part 1, 18.3.1.81).
	ht, hasHt, err := sr.floatAttr("ht", num)
	if err != nil {
		return err
	}
	switch {
	case hasHt && ht < minRowHeight:
		hidden = true
	case sr.zeroHeight && !hasHt:
		hidden = true
	}
	sr.meta.Rows++
	if sr.meta.Rows%ctxEvery == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	sr.prevRow = num
	sr.row.Num = num
	sr.row.Hidden = hidden
	sr.row.Cells = sr.row.Cells[:0]
	sr.vals = sr.vals[:0]
	sr.pending = sr.pending[:0]
	sr.prevCol = 0
	sr.rowOpen = true
	return nil
}

func (sr *sheetReader) endRow(fn func(*Row) error) error {
	if len(sr.pending) > 0 {
		s := string(sr.vals)
		for _, p := range sr.pending {
			sr.row.Cells[p.cell].Value = s[p.start:p.end]
		}
	}
	sr.rowOpen = false
	return fn(&sr.row)
}

func (sr *sheetReader) startCell() error {
	sc := sr.sc
	col := sr.prevCol + 1
	if v, ok, dup := sc.attr("r"); dup {
		return sr.errorf(reason.CorruptCells, "cell after %s has two r attributes", cellName(sr.prevCol, sr.row.Num))
	} else if ok {
		c, r, good := parseCellRef(v)
		if !good {
			return sr.errorf(reason.CorruptCells, "bad cell reference in row %d after column %d", sr.row.Num, sr.prevCol)
		}
		if r != sr.row.Num {
			return sr.errorf(reason.CorruptCells, "cell %s is inside row %d", cellName(c, r), sr.row.Num)
		}
		if c <= sr.prevCol {
			return sr.errorf(reason.CorruptCells, "cell %s follows %s (cells out of column order)", cellName(c, r), cellName(sr.prevCol, r))
		}
		col = c
	}
	if col > excelMaxCols {
		return sr.errorf(reason.CorruptCells, "column after %s is beyond XFD", cellName(sr.prevCol, sr.row.Num))
	}
	ct := ctNumber
	if v, ok, dup := sc.attr("t"); dup {
		return sr.errorf(reason.CorruptCells, "cell %s has two t attributes", cellName(col, sr.row.Num))
	} else if ok {
		switch string(v) {
		case "n":
		case "s":
			ct = ctShared
		case "inlineStr":
			ct = ctInline
		case "str":
			ct = ctFormulaStr
		case "b":
			ct = ctBool
		case "e":
			ct = ctError
		case "d":
			ct = ctDate
		default:
			return sr.errorf(reason.CorruptCells, "cell %s has an unknown type", cellName(col, sr.row.Num))
		}
	}
	// The style index means nothing here, but a cell whose style is not a
	// number is damaged, and other readers drop such a cell silently.
	v, ok, dup := sc.attr("s")
	if dup || ok && !isDigits(v) {
		return sr.errorf(reason.CorruptCells, "cell %s has a bad style attribute", cellName(col, sr.row.Num))
	}
	sr.hides = styleHides{}
	if ok && len(sr.styles) > 0 {
		if x, good := parseUint(v); good && x < len(sr.styles) {
			sr.hides = sr.styles[x]
		}
	}
	sr.col, sr.prevCol, sr.ctype = col, col, ct
	sr.formula, sr.nV, sr.nIS, sr.isT, sr.isR = false, 0, 0, false, false
	sr.vText, sr.isText = sr.vText[:0], sr.isText[:0]
	return nil
}

// endCell resolves the cell's value and adds it to the row unless it is
// empty. A formula is always reported, with an empty value when it has no
// cached result: the validator must see it.
func (sr *sheetReader) endCell() error {
	name := func() string { return cellName(sr.col, sr.row.Num) }
	cell := Cell{Col: sr.col, Formula: sr.formula}
	var raw []byte // value to copy into the row buffer, if not shared
	switch sr.ctype {
	case ctShared:
		cell.Kind = String
		if sr.nV > 0 {
			i, ok := parseUint(sr.vText)
			if !ok || i >= sr.sst.len() {
				return sr.errorf(reason.CorruptSST, "cell %s refers to a shared string that does not exist (table has %d)", name(), sr.sst.len())
			}
			cell.Value = sr.sst.get(i)
		}
	case ctInline:
		cell.Kind = String
		if sr.nIS > 0 {
			start := len(sr.vals)
			sr.vals = appendUnescaped(sr.vals, sr.isText)
			raw = sr.vals[start:]
			sr.vals = sr.vals[:start]
		} else {
			raw = sr.vText
		}
	case ctFormulaStr:
		cell.Kind, raw = String, sr.vText
	case ctBool:
		cell.Kind, raw = Bool, sr.vText
		if len(raw) > 0 && string(raw) != "0" && string(raw) != "1" {
			return sr.errorf(reason.CorruptCells, "boolean cell %s holds neither 0 nor 1", name())
		}
	case ctError:
		cell.Kind, raw = Error, sr.vText
	case ctDate:
		cell.Kind, raw = Date, sr.vText
	default:
		cell.Kind, raw = Number, sr.vText
	}
	hardCap := sr.lim.cellHardCap()
	if len(raw) > hardCap && utf8.RuneCount(raw) > hardCap ||
		len(cell.Value) > hardCap && utf8.RuneCountInString(cell.Value) > hardCap {
		return sr.errorf(reason.TooLarge, "cell %s longer than %d characters", name(), hardCap)
	}
	if len(raw) == 0 && cell.Value == "" && !cell.Formula {
		return nil
	}
	switch cell.Kind {
	case Number, Date:
		cell.Hidden = sr.hides.numbers
	case String:
		cell.Hidden = sr.hides.text
	}
	if len(raw) > 0 {
		start := len(sr.vals)
		sr.vals = append(sr.vals, raw...)
		sr.pending = append(sr.pending, pendingValue{cell: len(sr.row.Cells), start: start, end: len(sr.vals)})
	}
	sr.row.Cells = append(sr.row.Cells, cell)
	return nil
}

func (sr *sheetReader) col_() error {
	sc := sr.sc
	minV, ok1, d1 := sc.attr("min")
	maxV, ok2, d2 := sc.attr("max")
	if d1 || d2 || !ok1 || !ok2 {
		return sr.errorf(reason.CorruptXML, "column definition without a single min and max")
	}
	lo, g1 := parseUint(minV)
	hi, g2 := parseUint(maxV)
	if !g1 || !g2 || lo < 1 || lo > hi || hi > excelMaxCols {
		return sr.errorf(reason.CorruptXML, "column definition with a bad range")
	}
	v, ok, dup := sc.attr("hidden")
	if dup {
		return sr.errorf(reason.CorruptXML, "column definition with two hidden attributes")
	}
	hidden := false
	if ok {
		b, good := parseBool(v)
		if !good {
			return sr.errorf(reason.CorruptXML, "column definition with a hidden attribute that is not a boolean")
		}
		hidden = b
	}
	// A column too narrow to show a character is hidden: Excel hides a
	// column by giving it width 0.
	w, hasW, err := sr.floatAttr("width", 0)
	if err != nil {
		return err
	}
	if hasW && w < minColWidth {
		hidden = true
	}
	if len(sr.meta.colDefs) >= 4*excelMaxCols {
		return sr.errorf(reason.CorruptXML, "too many column definitions")
	}
	sr.meta.colDefs = append(sr.meta.colDefs, colDef{lo: lo, hi: hi, hidden: hidden})
	if hidden {
		if len(sr.meta.HiddenCols)+hi-lo+1 > 4*excelMaxCols {
			return sr.errorf(reason.CorruptXML, "too many hidden column definitions")
		}
		for c := lo; c <= hi; c++ {
			sr.meta.HiddenCols = append(sr.meta.HiddenCols, c)
		}
	}
	return nil
}

// floatAttr parses an optional numeric attribute of the current tag.
func (sr *sheetReader) floatAttr(name string, row int) (float64, bool, error) {
	v, ok, dup := sr.sc.attr(name)
	if dup {
		return 0, false, sr.errorf(reason.CorruptXML, "two %s attributes (row %d)", name, row)
	}
	if !ok {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f != f {
		return 0, false, sr.errorf(reason.CorruptXML, "attribute %s is not a number (row %d)", name, row)
	}
	return f, true, nil
}

// sheetFormat reads the sheet's row and column defaults (sheetFormatPr):
// rows hidden by default (zeroHeight) and a default column width too narrow
// to show anything hide what they cover.
func (sr *sheetReader) sheetFormat() error {
	if sr.dataSeen {
		return sr.errorf(reason.CorruptXML, "sheetFormatPr after sheetData")
	}
	if v, ok, dup := sr.sc.attr("zeroHeight"); dup {
		return sr.errorf(reason.CorruptXML, "two zeroHeight attributes")
	} else if ok {
		b, good := parseBool(v)
		if !good {
			return sr.errorf(reason.CorruptXML, "zeroHeight is not a boolean")
		}
		sr.zeroHeight = b
		sr.meta.RowsHiddenByDefault = b
	}
	w, ok, err := sr.floatAttr("defaultColWidth", 0)
	if err != nil {
		return err
	}
	if ok && w < minColWidth {
		sr.meta.ColsHiddenByDefault = true
	}
	if !ok {
		if b, ok, err := sr.floatAttr("baseColWidth", 0); err != nil {
			return err
		} else if ok && b < minColWidth {
			sr.meta.ColsHiddenByDefault = true
		}
	}
	return nil
}

func (sr *sheetReader) merge() error {
	v, ok, dup := sr.sc.attr("ref")
	if !ok || dup {
		return sr.errorf(reason.CorruptXML, "merged range without a single ref")
	}
	rg, good := parseRange(v)
	if !good {
		return sr.errorf(reason.CorruptXML, "merged range %d has a bad reference", len(sr.meta.Merges)+1)
	}
	if len(sr.meta.Merges) >= maxMerges {
		return sr.errorf(reason.TooLarge, "more than %d merged ranges", maxMerges)
	}
	sr.meta.Merges = append(sr.meta.Merges, rg)
	return nil
}
