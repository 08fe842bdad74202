// Package template writes the blank workbook of a template, generated from
// the same schemas the validator checks against: Vietnamese labels, the
// hidden field-name row, drop-down lists fed by a hidden code-list sheet, an
// instructions sheet and the template version stamp.
package template

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/schema"
)

// Sheet names the generator adds besides the template's own sheets.
const (
	CodeListSheet     = "DanhMuc"
	InstructionsSheet = "HuongDan"
)

// Options tune the generated workbook. Zero fields take the defaults noted.
type Options struct {
	// InputRows is how many rows of each table sheet carry drop-downs and
	// formats. Defaults to 1,000.
	InputRows int
}

// Write writes the blank workbook of t to w.
func Write(w io.Writer, set *schema.Set, t *schema.Template, opts Options) error {
	if opts.InputRows <= 0 {
		opts.InputRows = 1000
	}
	f := excelize.NewFile()
	defer f.Close()
	g := &gen{f: f, set: set, t: t, opts: opts, listRef: map[string]string{}}
	if err := g.build(); err != nil {
		return fmt.Errorf("write template %s: %w", t.ID, err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write template %s: %w", t.ID, err)
	}
	return nil
}

type gen struct {
	f       *excelize.File
	set     *schema.Set
	t       *schema.Template
	opts    Options
	listRef map[string]string // code list id → absolute range on the code-list sheet

	header, fieldName, text, date, intStyle, wrap int
}

func (g *gen) build() error {
	f := g.f
	var err error
	if g.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}},
	}); err != nil {
		return err
	}
	if g.fieldName, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080", Italic: true}, NumFmt: 49}); err != nil {
		return err
	}
	if g.text, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil { // "@": keeps 01 as text
		return err
	}
	dateFmt := "dd/mm/yyyy"
	if g.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return err
	}
	if g.intStyle, err = f.NewStyle(&excelize.Style{NumFmt: 3}); err != nil { // #,##0
		return err
	}
	if g.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return err
	}

	first := true
	for _, s := range g.t.Sheets {
		if first {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				return err
			}
			first = false
		} else if _, err := f.NewSheet(s.Name); err != nil {
			return err
		}
	}
	// The code lists come before the sheets that refer to them.
	if err := g.codeLists(); err != nil {
		return err
	}
	for _, s := range g.t.Sheets {
		var err error
		if s.Layout == schema.KeyValue {
			err = g.keyValue(s)
		} else {
			err = g.table(s)
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", s.Name, err)
		}
	}
	if err := g.instructions(); err != nil {
		return err
	}
	if err := f.SetCustomProps(excelize.CustomProperty{Name: "ReturnsTemplate", Value: g.t.Version}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.SetDocProps(&excelize.DocProperties{Title: g.t.Title.VI, Subject: g.t.ID, Creator: "returns", Version: g.t.Version})
}

// usedLists returns the code lists the template's fields use, in order of use.
func (g *gen) usedLists() []*schema.CodeList {
	var out []*schema.CodeList
	seen := map[string]bool{}
	for _, s := range g.t.Sheets {
		for _, fl := range s.Fields {
			if fl.Type != schema.TypeCode || seen[fl.CodeList] {
				continue
			}
			seen[fl.CodeList] = true
			if cl := g.set.CodeLists[fl.CodeList]; cl != nil {
				out = append(out, cl)
			}
		}
	}
	return out
}

// codeLists writes the hidden sheet of code lists: for each list a code
// column (what the drop-downs offer) and a label column beside it.
func (g *gen) codeLists() error {
	f := g.f
	if _, err := f.NewSheet(CodeListSheet); err != nil {
		return err
	}
	col := 1
	for _, cl := range g.usedLists() {
		codeCol, _ := excelize.ColumnNumberToName(col)
		labelCol, _ := excelize.ColumnNumberToName(col + 1)
		if err := g.setText(CodeListSheet, codeCol+"1", cl.ID); err != nil {
			return err
		}
		if err := g.setText(CodeListSheet, labelCol+"1", cl.Title.VI); err != nil {
			return err
		}
		for i, c := range cl.Codes {
			if err := g.setText(CodeListSheet, fmt.Sprintf("%s%d", codeCol, i+2), c.Code); err != nil {
				return err
			}
			if err := g.setText(CodeListSheet, fmt.Sprintf("%s%d", labelCol, i+2), c.Label.VI); err != nil {
				return err
			}
		}
		g.listRef[cl.ID] = fmt.Sprintf("%s!$%s$2:$%s$%d", CodeListSheet, codeCol, codeCol, len(cl.Codes)+1)
		_ = f.SetColWidth(CodeListSheet, codeCol, codeCol, 18)
		_ = f.SetColWidth(CodeListSheet, labelCol, labelCol, 36)
		col += 3
	}
	return f.SetSheetVisible(CodeListSheet, false)
}

// setText writes a string cell. Text from schemas is trusted, but a value
// that starts like a formula is still written as plain text (a leading
// apostrophe is Excel's own marker), never as a formula.
func (g *gen) setText(sheet, cell, s string) error {
	return g.f.SetCellStr(sheet, cell, s)
}

func (g *gen) validation(sheet, sqref string, fl *schema.Field) error {
	var dv *excelize.DataValidation
	switch fl.Type {
	case schema.TypeCode:
		ref, ok := g.listRef[fl.CodeList]
		if !ok {
			return nil
		}
		dv = excelize.NewDataValidation(true)
		dv.SetSqrefDropList(ref)
	case schema.TypeBool:
		dv = excelize.NewDataValidation(true)
		if err := dv.SetDropList([]string{"C", "K"}); err != nil {
			return err
		}
	default:
		return nil
	}
	dv.SetSqref(sqref)
	dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", "Chọn một giá trị trong danh sách thả xuống.")
	if h := fl.Hint.VI; h != "" {
		dv.SetInput(trim(fl.Label.VI, 32), trim(h, 255))
	}
	return g.f.AddDataValidation(sheet, dv)
}

func trim(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (g *gen) styleFor(fl *schema.Field) int {
	switch fl.Type {
	case schema.TypeDate:
		return g.date
	case schema.TypeInt:
		return g.intStyle
	case schema.TypeDecimal, schema.TypeBool:
		return 0
	}
	return g.text
}

// keyValue writes a label | field | value sheet with one line per field.
func (g *gen) keyValue(s *schema.Sheet) error {
	f := g.f
	for i, h := range []string{"Chỉ tiêu", "Mã trường", "Giá trị"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := g.setText(s.Name, cell, h); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(s.Name, "A1", "C1", g.header); err != nil {
		return err
	}
	for i, fl := range s.Fields {
		row := i + 2
		label := Label(fl)
		if err := g.setText(s.Name, fmt.Sprintf("A%d", row), label); err != nil {
			return err
		}
		if err := g.setText(s.Name, fmt.Sprintf("B%d", row), fl.Name); err != nil {
			return err
		}
		if err := f.SetCellStyle(s.Name, fmt.Sprintf("B%d", row), fmt.Sprintf("B%d", row), g.fieldName); err != nil {
			return err
		}
		valueCell := fmt.Sprintf("C%d", row)
		if st := g.styleFor(fl); st != 0 {
			if err := f.SetCellStyle(s.Name, valueCell, valueCell, st); err != nil {
				return err
			}
		}
		if fl.Name == "template_version" {
			if err := g.setText(s.Name, valueCell, g.t.Version); err != nil {
				return err
			}
		}
		if err := g.validation(s.Name, valueCell, fl); err != nil {
			return err
		}
		if fl.Hint.VI != "" {
			if err := f.AddComment(s.Name, excelize.Comment{Author: "returns", Cell: fmt.Sprintf("A%d", row), Text: fl.Hint.VI}); err != nil {
				return err
			}
		}
	}
	if err := f.SetColWidth(s.Name, "A", "A", 46); err != nil {
		return err
	}
	if err := f.SetColWidth(s.Name, "B", "B", 28); err != nil {
		return err
	}
	if err := f.SetColWidth(s.Name, "C", "C", 24); err != nil {
		return err
	}
	return f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// table writes the header rows of a table sheet and formats its input rows.
func (g *gen) table(s *schema.Sheet) error {
	f := g.f
	headerRow := max(s.HeaderRow, 1)
	fieldRow := s.FieldRow
	if fieldRow == 0 {
		fieldRow = headerRow + 1
	}
	dataRow := max(s.DataRow, fieldRow+1)
	last := dataRow + g.opts.InputRows - 1
	for i, fl := range s.Fields {
		col := i + 1
		name, _ := excelize.ColumnNumberToName(col)
		label := Label(fl)
		if err := g.setText(s.Name, fmt.Sprintf("%s%d", name, headerRow), label); err != nil {
			return err
		}
		if err := g.setText(s.Name, fmt.Sprintf("%s%d", name, fieldRow), fl.Name); err != nil {
			return err
		}
		if err := FieldColumn(f, s.Name, name, headerRow, fl, defaultWidth(fl)); err != nil {
			return err
		}
		if st := g.styleFor(fl); st != 0 {
			if err := f.SetCellStyle(s.Name, fmt.Sprintf("%s%d", name, dataRow), fmt.Sprintf("%s%d", name, last), st); err != nil {
				return err
			}
		}
		if err := g.validation(s.Name, fmt.Sprintf("%s%d:%s%d", name, dataRow, name, last), fl); err != nil {
			return err
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(max(len(s.Fields), 1))
	if err := f.SetCellStyle(s.Name, fmt.Sprintf("A%d", headerRow), fmt.Sprintf("%s%d", lastCol, headerRow), g.header); err != nil {
		return err
	}
	if err := f.SetCellStyle(s.Name, fmt.Sprintf("A%d", fieldRow), fmt.Sprintf("%s%d", lastCol, fieldRow), g.fieldName); err != nil {
		return err
	}
	if err := f.SetRowHeight(s.Name, headerRow, 45); err != nil {
		return err
	}
	if err := f.SetRowVisible(s.Name, fieldRow, false); err != nil {
		return err
	}
	return f.SetPanes(s.Name, &excelize.Panes{Freeze: true, YSplit: fieldRow, TopLeftCell: fmt.Sprintf("A%d", dataRow), ActivePane: "bottomLeft"})
}

// Label is the label of a field's column: its Vietnamese label, marked (*)
// when the field is required.
func Label(fl *schema.Field) string {
	if fl.Required {
		return fl.Label.VI + " (*)"
	}
	return fl.Label.VI
}

// FieldColumn finishes the column col (a letter) of field fl on a sheet
// whose labels stand on headerRow: the field's hint, in Vietnamese, as a
// comment on its label, and the column's width, the field's own or def.
// The registry's and the recipients' workbooks share it.
func FieldColumn(f *excelize.File, sheet, col string, headerRow int, fl *schema.Field, def float64) error {
	if fl.Hint.VI != "" {
		if err := f.AddComment(sheet, excelize.Comment{Author: "returns", Cell: fmt.Sprintf("%s%d", col, headerRow), Text: fl.Hint.VI}); err != nil {
			return err
		}
	}
	width := fl.Width
	if width == 0 {
		width = def
	}
	return f.SetColWidth(sheet, col, col, width)
}

func defaultWidth(fl *schema.Field) float64 {
	switch fl.Type {
	case schema.TypeDate, schema.TypeMonth:
		return 13
	case schema.TypeBool, schema.TypeInt:
		return 10
	case schema.TypeCode:
		return 18
	}
	if fl.MaxLen > 100 || fl.MaxLen == 0 {
		return 30
	}
	return 20
}

// instructions writes the protected instructions sheet: the template's
// paragraphs, then every sheet's fields with what each one wants.
func (g *gen) instructions() error {
	f := g.f
	sh := InstructionsSheet
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	row := 1
	put := func(s string, style int) error {
		cell := fmt.Sprintf("A%d", row)
		row++
		if err := g.setText(sh, cell, s); err != nil {
			return err
		}
		if style != 0 {
			return f.SetCellStyle(sh, cell, cell, style)
		}
		return nil
	}
	if err := put(fmt.Sprintf("%s — %s", g.t.Title.VI, g.t.Version), g.header); err != nil {
		return err
	}
	for _, p := range g.t.Instructions {
		if err := put(p.VI, g.wrap); err != nil {
			return err
		}
	}
	row++
	for _, s := range g.t.Sheets {
		title := s.Name
		if s.Title.VI != "" {
			title += ": " + s.Title.VI
		}
		if s.Optional {
			title += " (không bắt buộc)"
		}
		if err := put(title, g.header); err != nil {
			return err
		}
		for _, fl := range s.Fields {
			var b strings.Builder
			b.WriteString(fl.Label.VI)
			if fl.Required {
				b.WriteString(" (bắt buộc)")
			}
			if fl.Hint.VI != "" {
				b.WriteString(": " + fl.Hint.VI)
			}
			if fl.Type == schema.TypeCode {
				if cl := g.set.CodeLists[fl.CodeList]; cl != nil {
					b.WriteString(" — mã theo danh mục " + cl.ID + " (trang " + CodeListSheet + ")")
				}
			}
			if err := put("• "+b.String(), g.wrap); err != nil {
				return err
			}
		}
		row++
	}
	if err := f.SetColWidth(sh, "A", "A", 120); err != nil {
		return err
	}
	return f.ProtectSheet(sh, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true})
}
