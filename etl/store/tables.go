package store

import (
	"context"
	"errors"
	"fmt"
)

// Template says where the records of one template's workbooks land: the
// table of each sheet and its columns in the order of a record's values.
// The caller builds it from the template's schema (each sheet names its
// table); the store knows no schema.
type Template struct {
	ID     string // template id, e.g. domain.ReturnTemplate
	Sheets []Sheet
}

// Sheet is one sheet of a [Template].
type Sheet struct {
	Name  string // the sheet's name in the workbook, e.g. "KetNap"
	Table string // the table of schema returns its records land in
	// Summary marks the key-value sheet: its one record creates the
	// submission (its fields org_code, year, quarter and template_version
	// identify it).
	Summary bool
	// Columns are the columns of a record's values, in order: the sheet's
	// field names.
	Columns []string
}

// Sheet returns the sheet named name, or nil.
func (t *Template) Sheet(name string) *Sheet {
	if t == nil {
		return nil
	}
	for i := range t.Sheets {
		if t.Sheets[i].Name == name {
			return &t.Sheets[i]
		}
	}
	return nil
}

// sheetOf returns the name of the sheet whose records land in table, or "".
func (t *Template) sheetOf(table string) string {
	if t == nil {
		return ""
	}
	for _, sh := range t.Sheets {
		if sh.Table == table {
			return sh.Name
		}
	}
	return ""
}

// check says why the records of t cannot be loaded, if they cannot.
func (t *Template) check() error {
	if t == nil || len(t.Sheets) == 0 {
		return errors.New("no template, or one without sheets")
	}
	for _, sh := range t.Sheets {
		if sh.Table == "" {
			return fmt.Errorf("sheet %s of template %s has no table", sh.Name, t.ID)
		}
	}
	return nil
}

// nameKeyTables are the tables that carry name_key, the folded full name
// (normalize.Key of the full_name column) that the database rules match
// people by.
var nameKeyTables = map[string]bool{"admission": true, "transfer": true}

// CheckColumns verifies that every column of every sheet of t is a column
// of its table, so that no field is ever dropped on load.
func (s *Store) CheckColumns(ctx context.Context, t *Template) error {
	if err := t.check(); err != nil {
		return fmt.Errorf("store: check columns: %w", err)
	}
	for _, sh := range t.Sheets {
		var cols []string
		if err := s.db.SelectContext(ctx, &cols, `SELECT column_name FROM information_schema.columns WHERE table_schema = 'returns' AND table_name = $1`, sh.Table); err != nil {
			return fmt.Errorf("store: columns of %s: %w", sh.Table, err)
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[c] = true
		}
		for _, c := range sh.Columns {
			if !have[c] {
				return fmt.Errorf("store: field %q of sheet %s has no column in table returns.%s: add a migration", c, sh.Name, sh.Table)
			}
		}
	}
	return nil
}
