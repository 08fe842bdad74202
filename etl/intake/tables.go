package intake

import (
	"context"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
)

// StoreTemplate tells the store where the records of t land: each sheet's
// table (its `table:` in the schema), whether it is the key-value sheet
// that creates the submission, and its columns, the field names in the
// order of a record's values. Nil for nil.
func StoreTemplate(t *schema.Template) *store.Template {
	if t == nil {
		return nil
	}
	out := &store.Template{ID: t.ID, Sheets: make([]store.Sheet, len(t.Sheets))}
	for i, sh := range t.Sheets {
		cols := make([]string, len(sh.Fields))
		for j, f := range sh.Fields {
			cols[j] = f.Name
		}
		out.Sheets[i] = store.Sheet{Name: sh.Name, Table: sh.Table, Summary: sh.Layout == schema.KeyValue, Columns: cols}
	}
	return out
}

// loadSink hands the validator's records to the load transaction (a
// validate.Sink): the store knows sheets by name.
type loadSink struct{ load *store.Load }

func (s loadSink) Record(ctx context.Context, sheet *schema.Sheet, sourceRow int, values []any) error {
	return s.load.Record(ctx, sheet.Name, sourceRow, values)
}
