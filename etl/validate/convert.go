package validate

import (
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/workbook"
)

// defaultMaxLen bounds text fields that declare no length of their own.
const defaultMaxLen = 255

// displayValue is the cell's content as the operator would recognise it.
func displayValue(c *workbook.Cell) string {
	s := c.Value
	if c.Formula && s == "" {
		return "="
	}
	if utf8.RuneCountInString(s) > 200 {
		r := []rune(s)
		s = string(r[:200]) + "…"
	}
	return s
}

// convert turns a cell into the field's typed value, or names the built-in
// rule it breaks. A nil value with no rule means the cell is empty. text is
// normalize.Text(c.Value), which the caller has already made to decide
// whether the cell is empty.
func (v *validator) convert(f *schema.Field, c *workbook.Cell, text string) (any, string) {
	if c.Hidden && c.Value != "" {
		// Its number format (";;;") makes Excel show an empty cell.
		return nil, RuleHiddenValue
	}
	if c.Formula && c.Value == "" {
		return nil, RuleFormula
	}
	if c.Formula && v.recalc {
		// Excel will show the result it computes on opening, which the
		// file does not hold: the cached value may be stale.
		return nil, RuleFormulaRecalc
	}
	if c.Kind == workbook.Error {
		return nil, RuleErrorCell
	}
	switch f.Type {
	case schema.TypeInt:
		var n int64
		var err error
		switch c.Kind {
		case workbook.Number:
			n, err = normalize.CellInt(c.Value)
		case workbook.String:
			n, err = normalize.Int(c.Value)
		default:
			return nil, RuleType
		}
		if err != nil {
			return nil, numberRule(err)
		}
		// Within the declared range, and always within the integer
		// column the value is stored in.
		if lo, hi := f.IntBounds(); n < lo || n > hi {
			return nil, RuleRange
		}
		return n, ""
	case schema.TypeDecimal:
		var x float64
		var err error
		switch c.Kind {
		case workbook.Number:
			x, err = normalize.CellDecimal(c.Value)
		case workbook.String:
			x, err = normalize.Decimal(c.Value)
		default:
			return nil, RuleType
		}
		if err != nil {
			return nil, numberRule(err)
		}
		if (f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max) {
			return nil, RuleRange
		}
		return x, ""
	case schema.TypeDate, schema.TypeMonth:
		t, err := v.date(f, c)
		if err == nil {
			// Whatever the cell type: an ISO date cell (t="d") can hold
			// year 0 or 9999, which no serial or text date gets past.
			err = normalize.DateInRange(t)
		}
		switch {
		case errors.Is(err, normalize.ErrAmbiguousDate):
			return nil, RuleAmbiguousDate
		case errors.Is(err, normalize.ErrDateRange):
			return nil, RuleDateRange
		case err != nil:
			return nil, RuleType
		}
		return t, ""
	case schema.TypeBool:
		switch c.Kind {
		case workbook.Bool:
			return c.Value == "1" || strings.EqualFold(c.Value, "true"), ""
		case workbook.String:
			b, err := normalize.Bool(c.Value)
			if err != nil {
				return nil, RuleType
			}
			return b, ""
		}
		return nil, RuleType
	case schema.TypeCode:
		s := text
		if s == "" {
			return nil, ""
		}
		cl := v.set.CodeLists[f.CodeList]
		if cl == nil {
			return nil, RuleCode
		}
		if code, ok := cl.Lookup(s); ok {
			return code, ""
		}
		// A code such as "01" typed into a number cell arrives as 1: the
		// same code, not a guess, as no list holds both 1 and 01.
		if c.Kind == workbook.Number {
			if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < 100 {
				if code, ok := cl.Lookup(twoDigits(n)); ok {
					return code, ""
				}
			}
		}
		return nil, RuleCode
	case schema.TypeEmail:
		s := text
		if s == "" {
			return nil, ""
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" {
			return nil, RulePattern
		}
		return s, v.textLimits(f, s)
	default: // text
		s := text
		if s == "" {
			return nil, ""
		}
		if rule := v.textLimits(f, s); rule != "" {
			return nil, rule
		}
		return s, ""
	}
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (v *validator) textLimits(f *schema.Field, s string) string {
	n := utf8.RuneCountInString(s)
	maxLen := f.MaxLen
	if maxLen == 0 {
		maxLen = defaultMaxLen
	}
	if n > maxLen || (f.MinLen > 0 && n < f.MinLen) {
		return RuleLength
	}
	if f.PatternRE != nil && !f.PatternRE.MatchString(s) {
		return RulePattern
	}
	return ""
}

func numberRule(err error) string {
	if errors.Is(err, normalize.ErrAmbiguousNumber) {
		return RuleAmbiguousNumber
	}
	return RuleType
}

// date reads a date or month cell: a serial in the workbook's date system,
// dd/mm/yyyy text, or an ISO date cell.
func (v *validator) date(f *schema.Field, c *workbook.Cell) (time.Time, error) {
	var t time.Time
	var err error
	switch c.Kind {
	case workbook.Number:
		t, err = normalize.DateSerial(c.Value, v.date1904)
	case workbook.String:
		if f.Type == schema.TypeMonth {
			return normalize.Month(c.Value)
		}
		t, err = normalize.DateText(c.Value)
	case workbook.Date:
		s := c.Value
		if len(s) >= 10 {
			s = s[:10]
		}
		t, err = time.Parse("2006-01-02", s)
	default:
		return time.Time{}, normalize.ErrNotDate
	}
	if err != nil {
		return time.Time{}, err
	}
	if f.Type == schema.TypeMonth {
		t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return t, nil
}
