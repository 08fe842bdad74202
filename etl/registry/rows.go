package registry

import (
	"context"

	"github.com/returns-project/returns/etl/schema"
)

// SheetRows is a validate.Sink that hands every validated row of one sheet
// to Add, readable by field name: what the registry and the recipients list
// keep of their workbooks.
type SheetRows struct {
	Sheet string
	Add   func(r FieldRow)
	index map[string]int // field name → index in a row's values
}

// FieldRow is one validated row of a [SheetRows] sheet.
type FieldRow struct {
	SourceRow int // the workbook row
	index     map[string]int
	values    []any
}

// Record implements validate.Sink.
func (s *SheetRows) Record(_ context.Context, sheet *schema.Sheet, sourceRow int, values []any) error {
	if sheet.Name != s.Sheet {
		return nil
	}
	if s.index == nil {
		s.index = make(map[string]int, len(sheet.Fields))
		for i, f := range sheet.Fields {
			s.index[f.Name] = i
		}
	}
	s.Add(FieldRow{SourceRow: sourceRow, index: s.index, values: values})
	return nil
}

func (r FieldRow) value(name string) any {
	if i, ok := r.index[name]; ok {
		return r.values[i]
	}
	return nil
}

// Text is the text of field name; "" when the sheet has no such field or
// the cell is blank.
func (r FieldRow) Text(name string) string {
	s, _ := r.value(name).(string)
	return s
}

// Bool is the value of a C/K field name; false when absent or blank.
func (r FieldRow) Bool(name string) bool {
	b, _ := r.value(name).(bool)
	return b
}
