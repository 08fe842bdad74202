package registry

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/template"
)

// Write writes reg as a DONVI workbook in the layout Read expects: sheet
// DonVi with the Vietnamese labels in row 1 (each with its hint as a
// comment), the field names in hidden row 2 and one organisation per row
// from row 3, every value a text cell.
//
// A text that starts like a formula (=, +, -, @, tab or carriage return) is
// still a plain string cell, and its style carries Excel's quotePrefix (the
// leading apostrophe): editing the cell keeps it text rather than turning it
// into a formula (docs/reliability.md §3.1).
func Write(w io.Writer, set *schema.Set, reg *Registry) error {
	err := WriteTable(w, set, domain.RegistryTemplate, SheetName, len(reg.Orgs), func(i int, field string) string {
		return orgValue(&reg.Orgs[i], field)
	})
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	return nil
}

// WriteTable writes a one-sheet workbook of template templateID in the
// registry's layout (labels with hints in row 1, field names in hidden row
// 2, rows from row 3, every value a text cell, formula-like texts quoted):
// n rows whose cell texts value gives by row index and field name. Other
// administrative workbooks laid out like the registry (the digest
// recipients) are written with it.
func WriteTable(w io.Writer, set *schema.Set, templateID, sheetName string, n int, value func(i int, field string) string) error {
	t := set.Templates[templateID]
	if t == nil {
		return fmt.Errorf("write: the schemas have no %s template", templateID)
	}
	s := t.Sheet(sheetName)
	if s == nil {
		return fmt.Errorf("write: template %s has no sheet %s", templateID, sheetName)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := writeSheet(f, t, s, n, value); err != nil {
		return fmt.Errorf("write %s: %w", templateID, err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write %s: %w", templateID, err)
	}
	return nil
}

// FormulaLike reports whether a text would be taken for a formula by a
// spreadsheet program if it were typed in: it starts with =, +, -, @, a tab
// or a carriage return.
func FormulaLike(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

func writeSheet(f *excelize.File, t *schema.Template, s *schema.Sheet, n int, value func(i int, field string) string) error {
	if err := f.SetSheetName("Sheet1", s.Name); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}},
	})
	if err != nil {
		return err
	}
	fieldName, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080", Italic: true}, NumFmt: 49})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return err
	}
	// A distinct style (left-aligned, so that NewStyle does not hand back
	// the plain text style) that then gets quotePrefix, which excelize's
	// Style does not expose.
	quoted, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Horizontal: "left"}})
	if err != nil {
		return err
	}
	if f.Styles == nil || f.Styles.CellXfs == nil || quoted >= len(f.Styles.CellXfs.Xf) || quoted == text {
		return errors.New("cannot set the quote-prefix style")
	}
	yes := true
	f.Styles.CellXfs.Xf[quoted].QuotePrefix = &yes

	put := func(col, row int, v string, style int) error {
		if v == "" {
			return nil
		}
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		if err := f.SetCellStr(s.Name, cell, v); err != nil {
			return err
		}
		if FormulaLike(v) {
			style = quoted
		}
		return f.SetCellStyle(s.Name, cell, cell, style)
	}
	headerRow := max(s.HeaderRow, 1)
	fieldRow := max(s.FieldRow, headerRow+1)
	dataRow := max(s.DataRow, fieldRow+1)
	for i, fl := range s.Fields {
		col := i + 1
		name, _ := excelize.ColumnNumberToName(col)
		label := template.Label(fl)
		if err := put(col, headerRow, label, header); err != nil {
			return err
		}
		if err := put(col, fieldRow, fl.Name, fieldName); err != nil {
			return err
		}
		if err := template.FieldColumn(f, s.Name, name, headerRow, fl, 20); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(s.Name, headerRow, 45); err != nil {
		return err
	}
	if err := f.SetRowVisible(s.Name, fieldRow, false); err != nil {
		return err
	}
	for r := range n {
		row := dataRow + r
		for i, fl := range s.Fields {
			if err := put(i+1, row, value(r, fl.Name), text); err != nil {
				return fmt.Errorf("row %d: %w", row, err)
			}
		}
	}
	if err := f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: fieldRow, TopLeftCell: fmt.Sprintf("A%d", dataRow), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.SetCustomProps(excelize.CustomProperty{Name: "ReturnsTemplate", Value: t.Version}); err != nil {
		return err
	}
	return f.SetDocProps(&excelize.DocProperties{Title: t.Title.VI, Subject: t.ID, Creator: "returns", Version: t.Version})
}

// orgValue is the cell text of field name for o ("" for a field the
// registry does not know, should the schema add one).
func orgValue(o *domain.Org, name string) string {
	switch name {
	case "org_code":
		return o.Code
	case "org_name":
		return o.Name
	case "org_type":
		return o.Type
	case "parent_code":
		return o.ParentCode
	case "valid_from":
		return o.ValidFrom.String()
	case "valid_to":
		return o.ValidTo.String()
	case "successor_code":
		return o.SuccessorCode
	case "contact_emails":
		return JoinEmails(o.ContactEmails)
	}
	return ""
}
