package validate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/workbook"
)

// fieldLookup finds a sheet's fields by what a workbook may call them: by
// machine name (lower case) and by label or alias (normalize.Key).
type fieldLookup struct {
	byName  map[string]int
	byLabel map[string]int
}

// fill indexes the fields of s. The maps are made by the caller, so that
// they can live on its stack.
func (fi fieldLookup) fill(s *schema.Sheet) {
	for i, f := range s.Fields {
		fi.byName[strings.ToLower(f.Name)] = i
		for _, l := range append([]string{f.Label.VI, f.Label.EN}, f.Aliases...) {
			if k := normalize.Key(l); k != "" {
				fi.byLabel[k] = i
			}
		}
	}
}

// table validates a sheet laid out as a table: a label row, an optional
// (hidden) field-name row, then one record per row.
//
// The per-sheet state is split in two on purpose: tableSheet holds what
// reaches the heap anyway (it is shared with issues and the validator),
// while the field lookup, the record and the column bookkeeping are local
// variables here, handed to the methods that need them, so that Go's
// escape analysis (which does not tell one struct field from another) keeps
// them on the stack, as when this was one function.
func (v *validator) table(ctx context.Context, name string, s *schema.Sheet) error {
	t := newTableSheet(v, name, s)
	n := len(s.Fields)
	fields := fieldLookup{byName: make(map[string]int, n), byLabel: make(map[string]int, n*2)}
	fields.fill(s)
	var (
		rec       = newRecord(s)
		fieldCols = make([]int, n) // field index → column, 0 if absent
		dataCols  = map[int]int{}  // column → first data row with a value
		labels    []workbook.Cell  // the label row, kept until the header is settled
	)
	meta, err := pipeRows(ctx, v.book, name, func(r *workbook.Row) error {
		if !t.header(r, fields, fieldCols, &labels) || r.Num < t.start || v.templateMismatch {
			return nil
		}
		if !t.readCells(r, rec, dataCols) {
			return nil
		}
		return t.record(ctx, r, rec, fieldCols)
	})
	if err != nil {
		return err
	}
	if !t.settled {
		// A sheet with nothing at all below its labels: settle to report
		// missing columns.
		t.settle(nil, labels, fields, fieldCols)
	}
	t.finish(meta, fieldCols, dataCols)
	return nil
}

// tableSheet is one table sheet being read: where its header and data
// start, which column holds which field once the header is settled, and
// how many data rows it has shown so far.
type tableSheet struct {
	v    *validator
	s    *schema.Sheet
	name string

	headerRow int // the row of labels a person reads
	fieldRow  int // the row that may hold the machine field names
	maxRows   int

	settled  bool
	colField map[int]int // column → field index
	start    int         // the first data row

	rows int // data rows seen
	uniq *uniqueness
}

// newTableSheet works out the sheet's layout from its schema. It returns a
// value so that the reader of one sheet can live on its caller's stack.
func newTableSheet(v *validator, name string, s *schema.Sheet) tableSheet {
	headerRow := max(s.HeaderRow, 1)
	fieldRow := s.FieldRow
	if fieldRow == 0 {
		fieldRow = headerRow + 1
	}
	maxRows := v.opts.MaxRows
	if s.MaxRows > 0 && s.MaxRows < maxRows {
		maxRows = s.MaxRows
	}
	return tableSheet{
		v: v, s: s, name: name,
		headerRow: headerRow, fieldRow: fieldRow, maxRows: maxRows,
		start: max(s.DataRow, fieldRow+1),
		uniq:  newUniqueness(s),
	}
}

// header takes the rows above the data: it keeps the label row, and
// settles the columns once the field row is known to hold field names or
// not. It reports whether r is still to be read as data.
func (t *tableSheet) header(r *workbook.Row, fields fieldLookup, fieldCols []int, labels *[]workbook.Cell) bool {
	switch {
	case r.Num < t.headerRow:
		return false
	case r.Num == t.headerRow:
		*labels = append((*labels)[:0], r.Cells...)
		return false
	case !t.settled && r.Num == t.fieldRow:
		if looksLikeFieldRow(r.Cells, fields.byName) {
			t.settle(r.Cells, *labels, fields, fieldCols)
			return false
		}
		t.settle(nil, *labels, fields, fieldCols)
	case !t.settled:
		t.settle(nil, *labels, fields, fieldCols)
	}
	return true
}

// settle decides which column holds which field: by the field-name row
// when there is one (fieldNames), else by the labels, whose next row is
// then the first data row. It fills fieldCols (field index → column).
// Unknown, repeated and missing columns are reported here.
func (t *tableSheet) settle(fieldNames, labels []workbook.Cell, fields fieldLookup, fieldCols []int) {
	t.settled = true
	t.colField = map[int]int{}
	seen := map[int]int{} // field index → its column
	byName := fieldNames != nil
	src, hdr := fieldNames, t.fieldRow
	if !byName {
		src, hdr = labels, t.headerRow
		t.start = t.headerRow + 1
	}
	for _, c := range src {
		txt := normalize.Text(c.Value)
		if txt == "" {
			continue
		}
		var (
			i  int
			ok bool
		)
		if byName {
			i, ok = fields.byName[strings.ToLower(txt)]
		} else {
			i, ok = fields.byLabel[normalize.Key(txt)]
		}
		if !ok {
			t.unknownColumn(c.Col, hdr, txt)
			continue
		}
		if prev, dup := seen[i]; dup {
			t.duplicateColumn(i, prev, c.Col, hdr)
			continue
		}
		seen[i] = c.Col
		t.colField[c.Col] = i
		fieldCols[i] = c.Col
	}
	if byName {
		t.v.checkLabels(t.s, t.headerRow, labels, t.colField, fields.byLabel)
	}
	for i, f := range t.s.Fields {
		if _, ok := seen[i]; ok || !(f.Required || f.RequiredWhen != "") {
			continue
		}
		t.v.issue(missingColumn(t.v.tmpl.ID, t.s, t.headerRow, i, fieldCols))
		t.v.templateMismatch = true
	}
}

// unknownColumn warns of a header no field answers to; a row-number column
// (STT) is expected and passed over.
func (t *tableSheet) unknownColumn(col, hdr int, txt string) {
	if k := normalize.Key(txt); k == "stt" || k == "sott" {
		return
	}
	is := builtinIssue(RuleColumnUnknown, schema.Warning)
	is.Sheet, is.Row, is.Col, is.Cell, is.Value = t.s.Name, hdr, col, cellName(col, hdr), txt
	t.v.issue(is)
}

// duplicateColumn rejects a second column for field i, already at column
// prev: which of the two to load cannot be guessed.
func (t *tableSheet) duplicateColumn(i, prev, col, hdr int) {
	is := builtinIssue(RuleColumnDuplicate, schema.Error)
	is.Sheet, is.Field, is.Row, is.Col, is.Cell = t.s.Name, t.s.Fields[i].Name, hdr, col, cellName(col, hdr)
	is.Value = fmt.Sprintf("%s, %s", cellName(prev, hdr), cellName(col, hdr))
	t.v.issue(is)
	t.v.templateMismatch = true
}

// readCells fills rec from the cells of data row r, converting each to its
// field's type, notes in dataCols the first data row of each column, and
// reports whether the row holds anything at all.
func (t *tableSheet) readCells(r *workbook.Row, rec *record, dataCols map[int]int) bool {
	rec.reset()
	hasData := false
	for ci := range r.Cells {
		c := &r.Cells[ci]
		i, ok := t.colField[c.Col]
		if !ok {
			continue
		}
		text := normalize.Text(c.Value)
		if !c.Formula && c.Kind != workbook.Error && text == "" {
			continue
		}
		hasData = true
		if _, seen := dataCols[c.Col]; !seen {
			dataCols[c.Col] = r.Num
		}
		rec.raw[i] = displayValue(c)
		rec.where[i] = cellRef{r.Num, c.Col}
		val, rule := t.v.convert(t.s.Fields[i], c, text)
		if rule != "" {
			t.cellIssue(rule, i, r.Num, c.Col, rec.raw[i])
			continue
		}
		if _, ok := val.(time.Time); ok && c.Kind == workbook.Number {
			rec.serial[i] = true // a serial means nothing to the operator: text gives the date
		}
		rec.set(i, val)
	}
	return hasData
}

// cellIssue reports a cell of field i that does not convert to its type.
func (t *tableSheet) cellIssue(rule string, i, row, col int, raw string) {
	f := t.s.Fields[i]
	is := builtinIssue(rule, schema.Error)
	is.Rule = fieldRule(t.s, f, rule)
	is.Sheet, is.Field, is.Row, is.Col, is.Cell, is.Value = t.s.Name, f.Name, row, col, cellName(col, row), raw
	t.v.issue(is)
}

// record checks rec, read from data row r (row limit, hidden row, required
// fields, rules, uniqueness), adds it to the sheet's totals and hands it to
// the sink.
func (t *tableSheet) record(ctx context.Context, r *workbook.Row, rec *record, fieldCols []int) error {
	v, s := t.v, t.s
	t.rows++
	if t.rows > t.maxRows {
		return reason.Errorf(reason.TooManyRows, t.name, "more than %d data rows", t.maxRows)
	}
	if r.Hidden {
		t.hiddenRow(r)
	}
	rowNum := r.Num
	v.checkRecord(rec, rowNum, func(i int) cellRef {
		if fieldCols[i] > 0 {
			return cellRef{rowNum, fieldCols[i]}
		}
		return cellRef{rowNum, 0}
	})
	t.uniq.check(v, rec, rowNum)
	v.aggregate(s, rec)
	if v.opts.Sink != nil {
		if err := v.opts.Sink.Record(ctx, s, rowNum, rec.values); err != nil {
			return fmt.Errorf("sink %s row %d: %w", s.Name, rowNum, err)
		}
	}
	return nil
}

// hiddenRow rejects a data row Excel does not show: its values would load
// unseen.
func (t *tableSheet) hiddenRow(r *workbook.Row) {
	is := builtinIssue(RuleHiddenRow, schema.Error)
	is.Sheet, is.Row = t.s.Name, r.Num
	if len(r.Cells) > 0 {
		is.Col, is.Cell = r.Cells[0].Col, cellName(r.Cells[0].Col, r.Num)
	}
	t.v.issue(is)
}

// finish closes the sheet once every row is read: the row count, where each
// field's column is, duplicates across rows, and the values Excel does not
// show (hidden columns, merged cells).
func (t *tableSheet) finish(meta workbook.SheetMeta, fieldCols []int, dataCols map[int]int) {
	v, s := t.v, t.s
	v.res.Rows[s.Name] = t.rows
	cols := make(map[string]int, len(s.Fields))
	for i, c := range fieldCols {
		if c > 0 {
			cols[s.Fields[i].Name] = c
		}
	}
	if v.res.columns == nil {
		v.res.columns = map[string]map[string]int{}
	}
	v.res.columns[s.Name] = cols
	t.uniq.finish(v)
	t.hiddenColumns(meta, dataCols)
	t.mergedCells(meta)
}

// hiddenColumns rejects each hidden column that holds data, at its first
// value.
func (t *tableSheet) hiddenColumns(meta workbook.SheetMeta, dataCols map[int]int) {
	hidden := make([]int, 0, len(dataCols))
	for c := range dataCols {
		if meta.ColHidden(c) {
			hidden = append(hidden, c)
		}
	}
	slices.Sort(hidden)
	for _, hc := range hidden {
		first := dataCols[hc]
		is := builtinIssue(RuleHiddenColumn, schema.Error)
		is.Sheet, is.Row, is.Col, is.Cell = t.s.Name, first, hc, cellName(hc, first)
		if i, ok := t.colField[hc]; ok {
			is.Field = t.s.Fields[i].Name
		}
		t.v.issue(is)
	}
}

// mergedCells rejects each merged range reaching the data rows: only its
// top-left cell is shown.
func (t *tableSheet) mergedCells(meta workbook.SheetMeta) {
	for _, m := range meta.Merges {
		if m.ToRow < t.start {
			continue
		}
		is := builtinIssue(RuleMerged, schema.Error)
		is.Sheet, is.Row, is.Col, is.Cell = t.s.Name, m.FromRow, m.FromCol, cellName(m.FromCol, m.FromRow)
		is.Value = cellName(m.FromCol, m.FromRow) + ":" + cellName(m.ToCol, m.ToRow)
		t.v.issue(is)
	}
}
