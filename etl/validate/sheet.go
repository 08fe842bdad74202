package validate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/workbook"
)

// cellName is the A1 name of a cell, "" outside the sheet's bounds.
func cellName(col, row int) string {
	s, _ := workbook.CellName(col, row)
	return s
}

// record is one record being validated: its typed values and raw texts,
// indexed like the sheet's fields, and where each came from.
type record struct {
	sheet  *schema.Sheet
	values []any
	raw    []string
	serial []bool // raw is a date serial, shown as its date (see text)
	where  []cellRef
	row    map[string]any // the same values by name, as rules see them
}

func newRecord(s *schema.Sheet) *record {
	n := len(s.Fields)
	return &record{sheet: s, values: make([]any, n), raw: make([]string, n), serial: make([]bool, n), where: make([]cellRef, n), row: make(map[string]any, n)}
}

func (r *record) reset() {
	clear(r.values)
	clear(r.raw)
	clear(r.serial)
	clear(r.where)
	clear(r.row)
}

// set stores the typed value of field i.
func (r *record) set(i int, val any) {
	r.values[i] = val
	if val != nil {
		r.row[r.sheet.Fields[i].Name] = val
	}
}

func (r *record) cols() map[string]cellRef {
	m := make(map[string]cellRef, len(r.where))
	for i, w := range r.where {
		if w.row != 0 {
			m[r.sheet.Fields[i].Name] = w
		}
	}
	return m
}

func (r *record) rawByName() map[string]string {
	m := make(map[string]string, len(r.raw))
	for i, s := range r.raw {
		if s != "" {
			m[r.sheet.Fields[i].Name] = r.text(i)
		}
	}
	return m
}

// text is the cell text of field i as the operator knows it: a date serial
// as its date. The date is formatted only when an issue quotes it, not for
// every date of every row.
func (r *record) text(i int) string {
	if t, ok := r.values[i].(time.Time); ok && r.serial[i] {
		return locale.Date(t)
	}
	return r.raw[i]
}

// checkRecord runs the per-record checks every layout shares: required
// fields and the sheet's rules.
func (v *validator) checkRecord(rec *record, rowNum int, fieldRow func(i int) cellRef) {
	s := rec.sheet
	var vars *schema.Vars
	varsReady := false
	for i, f := range s.Fields {
		if rec.values[i] != nil || rec.raw[i] != "" {
			continue
		}
		required := f.Required
		if !required && f.RequiredWhenProgram != nil {
			if !varsReady {
				vars, varsReady = v.vars(rec.row), true
			}
			var err error
			required, err = f.RequiredIn(vars)
			if err != nil {
				required = false
			}
		}
		if required {
			is := builtinIssue(RuleRequired, schema.Error)
			ref := fieldRow(i)
			is.Sheet, is.Field, is.Row, is.Col = s.Name, f.Name, ref.row, ref.col
			if ref.col > 0 {
				is.Cell = cellName(ref.col, ref.row)
			}
			v.issue(is)
		}
	}
	if len(s.Rules) == 0 {
		return
	}
	if !varsReady {
		vars = v.vars(rec.row)
	}
	var cols map[string]cellRef
	var raw map[string]string
	for _, rule := range s.Rules {
		ok, err := rule.Eval(vars)
		if err == nil && ok {
			continue
		}
		if cols == nil {
			cols, raw = rec.cols(), rec.rawByName()
			// Fields whose column exists but whose cell is empty still point
			// at their cell.
			for i, f := range s.Fields {
				if _, ok := cols[f.Name]; !ok {
					if ref := fieldRow(i); ref.col > 0 {
						cols[f.Name] = ref
					}
				}
			}
		}
		v.evalRule(rule, vars, s.Name, rowNum, cols, raw)
	}
}

// checkLabels compares the visible labels with the field-name row that
// decided the columns (it is hidden in the template): a person reads the
// labels, so a column labelled as one field and named as another, or a
// labelled column that no field name claims, would load something other
// than what Excel shows. Either rejects the file; a column the field row
// names under an empty or unknown label is a warning.
func (v *validator) checkLabels(s *schema.Sheet, headerRow int, labels []workbook.Cell, colField map[int]int, fieldByLabel map[string]int) {
	labelField := map[int]int{}
	labelText := map[int]string{}
	for _, c := range labels {
		txt := normalize.Text(c.Value)
		if txt == "" {
			continue
		}
		labelText[c.Col] = txt
		if i, ok := fieldByLabel[normalize.Key(txt)]; ok {
			labelField[c.Col] = i
		}
	}
	report := func(col int, sev schema.Severity, field, value string) {
		is := builtinIssue(RuleHeaderMismatch, sev)
		is.Sheet, is.Field, is.Row, is.Col, is.Cell, is.Value = s.Name, field, headerRow, col, cellName(col, headerRow), value
		v.issue(is)
		if sev == schema.Error {
			v.templateMismatch = true
		}
	}
	cols := make([]int, 0, len(labelField)+len(colField))
	for col := range labelField {
		cols = append(cols, col)
	}
	for col := range colField {
		if _, ok := labelField[col]; !ok {
			cols = append(cols, col)
		}
	}
	slices.Sort(cols)
	for _, col := range cols {
		li, labelled := labelField[col]
		ni, named := colField[col]
		switch {
		case labelled && !named:
			report(col, schema.Error, s.Fields[li].Name, labelText[col]+" ≠ (không có mã trường)")
		case labelled && ni != li:
			report(col, schema.Error, s.Fields[ni].Name, labelText[col]+" ≠ "+s.Fields[ni].Name)
		case !labelled:
			report(col, schema.Warning, s.Fields[ni].Name, labelText[col]+" ≠ "+s.Fields[ni].Name)
		}
	}
}

// looksLikeFieldRow reports whether a row holds the machine field names: most
// of its non-empty cells name a field.
func looksLikeFieldRow(cells []workbook.Cell, fieldByName map[string]int) bool {
	named, total := 0, 0
	for _, c := range cells {
		txt := normalize.Text(c.Value)
		if txt == "" {
			continue
		}
		total++
		if _, ok := fieldByName[strings.ToLower(txt)]; ok {
			named++
		}
	}
	return named > 0 && named*2 >= total
}

// setInfo takes the organisation, period and template version from the
// key-value record.
func (v *validator) setInfo(rec *record) {
	info := make(map[string]any, len(rec.row))
	for k, val := range rec.row {
		info[k] = val
	}
	v.info = info
	v.res.Info = info
	if org, ok := info["org_code"].(string); ok {
		v.res.Org = org
	}
	y, yok := info["year"].(int64)
	q, qok := info["quarter"].(int64)
	if yok && qok && q >= 1 && q <= 4 && y >= 1900 && y <= 9999 {
		v.period = schema.NewPeriod(int(y), int(q))
		v.res.Year, v.res.Quarter = int(y), int(q)
		v.res.Period = fmt.Sprintf("%d-Q%d", y, q)
	}
	if ver, ok := info["template_version"].(string); ok && v.tmpl.Version != "" && !strings.EqualFold(ver, v.tmpl.Version) {
		v.templateMismatch = true
		for _, r := range rec.sheet.Rules {
			if r.ID == RuleTemplateVersion {
				return // the schema's own TH-07 reports it, with its message
			}
		}
		is := builtinIssue(RuleTemplateVersion, schema.Error)
		if i := fieldIndex(rec.sheet, "template_version"); i >= 0 {
			is.Sheet, is.Field, is.Row, is.Col, is.Value = rec.sheet.Name, "template_version", rec.where[i].row, rec.where[i].col, ver
			is.Cell = cellName(is.Col, is.Row)
		}
		v.issue(is)
		v.templateMismatch = true
	}
}

// fieldRule is the id an issue of a built-in check is reported under: the
// field's own rule id (e.g. KN-07 for a profile number's format) or the
// sheet's code-list rule (KN-10) where the schema names one, for the checks
// that are the domain's rules; type, ambiguity and emptiness keep theirs.
func fieldRule(s *schema.Sheet, f *schema.Field, builtin string) string {
	switch builtin {
	case RuleCode, RulePattern, RuleLength, RuleRange:
	default:
		return builtin
	}
	if f.Rule != "" {
		return f.Rule
	}
	if builtin == RuleCode && s.CodeRule != "" {
		return s.CodeRule
	}
	return builtin
}

func fieldIndex(s *schema.Sheet, name string) int {
	for i, f := range s.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// aggregate adds the record to the template's aggregates over its sheet.
func (v *validator) aggregate(s *schema.Sheet, rec *record) {
	if len(v.tmpl.Aggregates) == 0 {
		return
	}
	var vars *schema.Vars
	ready := false
	for _, a := range v.tmpl.Aggregates {
		if a.Sheet != s.Name {
			continue
		}
		if !ready {
			vars, ready = v.vars(rec.row), true
		}
		ok, err := a.Matches(vars)
		if err != nil || !ok {
			continue
		}
		if a.Sum == "" {
			v.agg[a.Name]++
		} else if n, ok := rec.row[a.Sum].(int64); ok {
			v.agg[a.Name] += n
		}
	}
}

func appendText(t schema.Text, vi, en string) schema.Text {
	return schema.Text{VI: t.VI + vi, EN: t.EN + en}
}
