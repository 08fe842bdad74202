package validate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/workbook"
)

// kvValueCol is the column of a key-value sheet that holds the values; the
// label is in column 1 and the field name in column 2.
const kvValueCol = 3

// kvValueCell is where a field's value cell is on a key-value sheet, with
// whether it holds anything, for the checks that need the whole sheet
// (merges, hidden columns).
type kvValueCell struct {
	field, row int
	filled     bool
}

// keyValue validates a sheet of label | field | value lines (ThongTin).
//
// As in table, the field lookup and the record are local variables handed
// to the methods, so that they stay on the stack.
func (v *validator) keyValue(ctx context.Context, name string, s *schema.Sheet) error {
	n := len(s.Fields)
	fields := fieldLookup{byName: make(map[string]int, n), byLabel: make(map[string]int, n*2)}
	fields.fill(s)
	headerRow := max(s.HeaderRow, 1)
	rec := newRecord(s)
	lineOf := make([]int, n) // field index → its line, 0 if absent
	var valueCells []kvValueCell
	meta, err := v.book.ReadSheet(ctx, name, func(r *workbook.Row) error {
		if r.Num <= headerRow {
			return nil
		}
		if vc, ok := v.kvLine(s, r, fields, rec, lineOf); ok {
			valueCells = append(valueCells, vc)
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.kvUnseen(s, meta, valueCells, rec)
	for i, f := range s.Fields {
		if lineOf[i] == 0 && f.Required {
			v.issue(missingColumn(v.tmpl.ID, s, headerRow, i, lineOf))
			v.templateMismatch = true
		}
	}
	v.res.Rows[s.Name] = 1
	v.kvPublish(s, rec, lineOf)
	v.checkRecord(rec, 0, func(i int) cellRef {
		if lineOf[i] > 0 {
			return cellRef{lineOf[i], kvValueCol}
		}
		return cellRef{}
	})
	if v.opts.Sink != nil {
		if err := v.opts.Sink.Record(ctx, s, 0, rec.values); err != nil {
			return fmt.Errorf("sink %s: %w", s.Name, err)
		}
	}
	return nil
}

// kvCells picks the label, field name and value cell out of a key-value line.
func kvCells(r *workbook.Row) (label, field string, value *workbook.Cell) {
	for ci := range r.Cells {
		c := &r.Cells[ci]
		switch c.Col {
		case 1:
			label = normalize.Text(c.Value)
		case 2:
			field = normalize.Text(c.Value)
		case kvValueCol:
			value = c
		}
	}
	return label, field, value
}

// kvLine reads one line of a key-value sheet into rec, noting its line in
// lineOf. It returns the field's value cell, and false for a line that
// names no field it may load (unknown, repeated, or labelled as another).
func (v *validator) kvLine(s *schema.Sheet, r *workbook.Row, fields fieldLookup, rec *record, lineOf []int) (kvValueCell, bool) {
	label, field, value := kvCells(r)
	i, ok := fields.byName[strings.ToLower(field)]
	if !ok && field == "" && label != "" {
		i, ok = fields.byLabel[normalize.Key(label)]
	}
	if ok && field != "" && label != "" {
		// The label is what a person reads: a line labelled as one
		// field and coded as another would load the wrong thing.
		if li, known := fields.byLabel[normalize.Key(label)]; known && li != i {
			v.kvMislabelled(s, r.Num, i, label, field, value, rec, lineOf)
			return kvValueCell{}, false
		}
	}
	if !ok {
		if value != nil && normalize.Text(value.Value) != "" && (field != "" || label != "") {
			is := builtinIssue(RuleColumnUnknown, schema.Warning)
			is.Sheet, is.Row, is.Col, is.Cell, is.Value = s.Name, r.Num, 2, cellName(2, r.Num), field+label
			v.issue(is)
		}
		return kvValueCell{}, false
	}
	if lineOf[i] != 0 {
		is := builtinIssue(RuleColumnDuplicate, schema.Error)
		is.Sheet, is.Field, is.Row, is.Col, is.Cell = s.Name, s.Fields[i].Name, r.Num, 2, cellName(2, r.Num)
		v.issue(is)
		v.templateMismatch = true
		return kvValueCell{}, false
	}
	lineOf[i] = r.Num
	var text string
	if value != nil {
		text = normalize.Text(value.Value)
	}
	vc := kvValueCell{field: i, row: r.Num,
		filled: value != nil && (value.Formula || value.Kind == workbook.Error || text != "")}
	if r.Hidden && value != nil {
		is := builtinIssue(RuleHiddenRow, schema.Error)
		is.Sheet, is.Row, is.Col, is.Cell = s.Name, r.Num, kvValueCol, cellName(kvValueCol, r.Num)
		v.issue(is)
	}
	if value == nil || (!value.Formula && value.Kind != workbook.Error && text == "") {
		return vc, true
	}
	v.kvValue(s, r.Num, i, value, text, rec)
	return vc, true
}

// kvMislabelled rejects line row, coded as field i but labelled as another
// field. The field counts as found but not to be trusted: not loaded, and
// not reported as missing either.
func (v *validator) kvMislabelled(s *schema.Sheet, row, i int, label, field string, value *workbook.Cell, rec *record, lineOf []int) {
	is := builtinIssue(RuleHeaderMismatch, schema.Error)
	is.Sheet, is.Field, is.Row, is.Col, is.Cell, is.Value = s.Name, s.Fields[i].Name, row, 1, cellName(1, row), label+" ≠ "+field
	v.issue(is)
	v.templateMismatch = true
	if lineOf[i] == 0 {
		lineOf[i] = row
		if value != nil {
			rec.raw[i] = displayValue(value)
		}
	}
}

// kvValue converts the value cell of field i, on line row, into rec.
func (v *validator) kvValue(s *schema.Sheet, row, i int, value *workbook.Cell, text string, rec *record) {
	rec.raw[i] = displayValue(value)
	rec.where[i] = cellRef{row, kvValueCol}
	val, rule := v.convert(s.Fields[i], value, text)
	if rule != "" {
		is := builtinIssue(rule, schema.Error)
		is.Rule = fieldRule(s, s.Fields[i], rule)
		is.Sheet, is.Field, is.Row, is.Col, is.Cell, is.Value = s.Name, s.Fields[i].Name, row, kvValueCol, cellName(kvValueCol, row), rec.raw[i]
		v.issue(is)
		return
	}
	if t, ok := val.(time.Time); ok && value.Kind == workbook.Number {
		rec.raw[i] = locale.Date(t)
	}
	rec.set(i, val)
}

// kvUnseen rejects each value Excel does not show, so that it is not loaded
// as if it were seen: under a merged range (only its top-left cell is
// shown), or in a hidden or zero-width column.
func (v *validator) kvUnseen(s *schema.Sheet, meta workbook.SheetMeta, valueCells []kvValueCell, rec *record) {
	for _, vc := range valueCells {
		f := s.Fields[vc.field]
		if vc.filled && meta.ColHidden(kvValueCol) {
			is := builtinIssue(RuleHiddenColumn, schema.Error)
			is.Sheet, is.Field, is.Row, is.Col, is.Cell, is.Value = s.Name, f.Name, vc.row, kvValueCol, cellName(kvValueCol, vc.row), rec.raw[vc.field]
			v.issue(is)
		}
		for _, m := range meta.Merges {
			if vc.row < m.FromRow || vc.row > m.ToRow || kvValueCol < m.FromCol || kvValueCol > m.ToCol {
				continue
			}
			if m.FromRow == m.ToRow && m.FromCol == kvValueCol {
				continue // the value is the top-left cell, widened to the right: shown as is
			}
			is := builtinIssue(RuleMerged, schema.Error)
			is.Sheet, is.Field, is.Row, is.Col, is.Cell = s.Name, f.Name, vc.row, kvValueCol, cellName(kvValueCol, vc.row)
			is.Value = cellName(m.FromCol, m.FromRow) + ":" + cellName(m.ToCol, m.ToRow)
			v.issue(is)
			break
		}
	}
}

// kvPublish makes the key-value record the validator's information about
// the return (organisation, period, version) and records where each of its
// fields is, found or only named.
func (v *validator) kvPublish(s *schema.Sheet, rec *record, lineOf []int) {
	v.setInfo(rec)
	v.infoSheet, v.infoCols, v.infoRaw = s.Name, rec.cols(), rec.rawByName()
	for i, f := range s.Fields {
		if _, ok := v.infoCols[f.Name]; !ok && lineOf[i] > 0 {
			v.infoCols[f.Name] = cellRef{lineOf[i], kvValueCol}
		}
	}
	if v.res.keyCells == nil {
		v.res.keyCells = map[string]map[string]cellRef{}
	}
	v.res.keyCells[s.Name] = v.infoCols
}
