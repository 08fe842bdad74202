package schema

// This file is the package's contract: the shape of a schema once loaded and
// compiled. Load (in load.go) reads the YAML files and fills these types.

import (
	"math"
	"time"

	"cel.dev/cel-go/cel"
)

// Text is a message in the users' languages: Vietnamese first, English available.
type Text struct {
	VI string `yaml:"vi"`
	EN string `yaml:"en"`
}

// In returns the text in lang ("en" gives English when present; anything else Vietnamese).
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.VI
}

// Severity of a rule: an error blocks the file, a warning does not.
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// FieldType is the type of a field's values.
type FieldType string

// Field types. The Go value handed to rules is given for each.
const (
	TypeText    FieldType = "text"    // string, NFC-normalised and cleaned
	TypeInt     FieldType = "int"     // int64; "4.046" in text means 4046
	TypeDecimal FieldType = "decimal" // float64; "89,51" in text means 89.51
	TypeDate    FieldType = "date"    // time.Time at UTC midnight; serial (1900/1904) or dd/mm/yyyy text
	TypeBool    FieldType = "bool"    // bool; C/K (Có/Không), also a real boolean cell
	TypeCode    FieldType = "code"    // string: the canonical code of CodeList (aliases and labels accepted)
	TypeMonth   FieldType = "month"   // time.Time, first day of the month; MM/YYYY text or a date
	TypeEmail   FieldType = "email"   // string, syntax-checked
)

// What the database can store (etl/store/migrations): every int field lands
// in a PostgreSQL integer column. A value the validator accepts must fit, so
// a field's range is the one it declares within these limits, or these
// limits. (Dates and months are held to normalize.MinDate..MaxDate.)
const (
	MinInt = math.MinInt32 // PostgreSQL integer
	MaxInt = math.MaxInt32
)

// IntBounds returns the range an int field accepts: its declared min and
// max, or the integer column's limits where it declares none.
func (f *Field) IntBounds() (lo, hi int64) {
	lo, hi = MinInt, MaxInt
	if f.Min != nil && *f.Min > float64(lo) {
		lo = int64(math.Ceil(*f.Min))
	}
	if f.Max != nil && *f.Max < float64(hi) {
		hi = int64(math.Floor(*f.Max))
	}
	return lo, hi
}

// Set is every template the deployment knows, with the code lists they share.
type Set struct {
	Templates map[string]*Template // by Template.ID
	CodeLists map[string]*CodeList // by CodeList.ID
	Files     []string             // files loaded, for diagnostics
}

// Template is a workbook layout: BCQ-1, or the organisation registry.
type Template struct {
	ID      string `yaml:"id"`      // e.g. "BCQ-1"
	Title   Text   `yaml:"title"`   // shown in the template and reports
	Version string `yaml:"version"` // stamp written in the template and expected back (ThongTin.template_version)
	// SheetFiles are the sheet definition files, relative to the template file.
	SheetFiles []string `yaml:"sheets"`
	// Aggregates are per-file figures computed while the rows stream past,
	// for workbook rules (KN-09, TH-03).
	Aggregates []*Aggregate `yaml:"aggregates"`
	// Rules are workbook-level rules evaluated once after every sheet was read.
	Rules []*Rule `yaml:"rules"`
	// Instructions are the paragraphs of the template's instructions sheet.
	Instructions []Text `yaml:"instructions"`
	// Misfiled, when set, is what a person is told who gives a file of
	// this template where another template is expected (the registry
	// dropped into the returns inbox): what the file is and where it goes.
	Misfiled *Misfiled `yaml:"misfiled"`

	Sheets []*Sheet `yaml:"-"` // resolved from SheetFiles, in order
	File   string   `yaml:"-"` // file it was loaded from
}

// Misfiled is the message and hint for a file of a template given where
// another template is expected. Message says what the file is ("Tệp này là
// danh sách đơn vị"); the validator adds what was expected (", không phải
// <the expected template's title>.").
type Misfiled struct {
	Message Text `yaml:"message"`
	Hint    Text `yaml:"hint"`
}

// Required returns the sheets a workbook of the template must have.
func (t *Template) Required() []*Sheet {
	var out []*Sheet
	for _, s := range t.Sheets {
		if !s.Optional {
			out = append(out, s)
		}
	}
	return out
}

// KeyValue returns the template's key-value sheet (ThongTin), whose record
// rules and workbook rules see as info, or nil.
func (t *Template) KeyValue() *Sheet {
	for _, s := range t.Sheets {
		if s.Layout == KeyValue {
			return s
		}
	}
	return nil
}

// Sheet returns the sheet named name, or nil.
func (t *Template) Sheet(name string) *Sheet {
	for _, s := range t.Sheets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Layout of a sheet.
type Layout string

// Layouts.
const (
	// Table: row HeaderRow holds Vietnamese labels, row FieldRow (hidden)
	// the field names, data from DataRow on, one record per row.
	Table Layout = "table"
	// KeyValue: column A label, column B field name, column C value; one
	// record for the whole sheet (ThongTin).
	KeyValue Layout = "keyvalue"
)

// Sheet is one sheet of a template.
type Sheet struct {
	Name      string    `yaml:"name"`       // exact sheet name, e.g. "KetNap"
	Title     Text      `yaml:"title"`      // human title
	Layout    Layout    `yaml:"layout"`     // table (default) or keyvalue
	Optional  bool      `yaml:"optional"`   // may be absent from the workbook
	HeaderRow int       `yaml:"header_row"` // table: row of labels. Defaults to 1.
	FieldRow  int       `yaml:"field_row"`  // table: row of field names. Defaults to 2.
	DataRow   int       `yaml:"data_row"`   // table: first data row. Defaults to 3.
	MaxRows   int       `yaml:"max_rows"`   // data rows allowed. Defaults to 200,000.
	Fields    []*Field  `yaml:"fields"`
	Unique    []*Unique `yaml:"unique"` // keys that must not repeat within the sheet
	Rules     []*Rule   `yaml:"rules"`  // row rules (table) or record rules (keyvalue)
	// CodeRule is the rule id reported when a code field of this sheet holds
	// a value that is not in its code list (e.g. "KN-10"); it is copied at
	// load into Field.Rule of every code field that names none. Empty means
	// the validator's built-in id.
	CodeRule string `yaml:"code_rule"`
	// Table is the table of the database (schema returns) the sheet's
	// records land in, e.g. "admission"; empty for a template that is not
	// loaded that way (the registry). Either every sheet of a template
	// names its table or none does.
	Table string `yaml:"table"`

	File string `yaml:"-"`
}

// Field returns the field named name, or nil.
func (s *Sheet) Field(name string) *Field {
	for _, f := range s.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Field is one column (table) or one line (keyvalue) of a sheet.
type Field struct {
	Name     string    `yaml:"name"`    // machine name, e.g. "birth_date"
	Label    Text      `yaml:"label"`   // header label; Vietnamese is what the template prints
	Aliases  []string  `yaml:"aliases"` // other labels accepted when the field-name row is absent
	Type     FieldType `yaml:"type"`
	Required bool      `yaml:"required"`
	// RequiredWhen is a CEL condition over row (and info, period): the field
	// is required when it is true. Evaluated only when Required is false.
	RequiredWhen string   `yaml:"required_when"`
	CodeList     string   `yaml:"codelist"` // for TypeCode
	Pattern      string   `yaml:"pattern"`  // RE2 that the whole text must match (after cleaning)
	MinLen       int      `yaml:"min_len"`  // characters
	MaxLen       int      `yaml:"max_len"`  // characters; 0 means the sheet default of 255 for text
	Min          *float64 `yaml:"min"`      // numeric lower bound
	Max          *float64 `yaml:"max"`      // numeric upper bound
	Unique       bool     `yaml:"unique"`   // no two rows may share a non-empty value
	Personal     bool     `yaml:"personal"` // personal data: never logged, removable from digests
	Hint         Text     `yaml:"hint"`     // how to fill it in: template comment and fix hint
	Width        float64  `yaml:"width"`    // column width in the generated template
	// Rule is the rule id reported, instead of the validator's built-in id,
	// when the value fails the field's own checks: not in the code list, not
	// matching Pattern, outside MinLen/MaxLen or Min/Max (e.g. "KN-07" for
	// KetNap.profile_no, "TH-06" for a negative admission target). Type
	// errors (not a number, not a date, ambiguous text) and missing required
	// values keep their built-in ids. Empty means the built-in id.
	Rule string `yaml:"rule"`

	RequiredWhenProgram cel.Program                           `yaml:"-"`
	PatternRE           interface{ MatchString(string) bool } `yaml:"-"`
}

// Unique is a key of several fields that must not repeat within a sheet.
type Unique struct {
	ID     string   `yaml:"id"`     // rule id, e.g. "KN-08"
	Fields []string `yaml:"fields"` // the key
	Fold   bool     `yaml:"fold"`   // compare text folded (case, spacing, diacritics ignored)
	// Blanks makes blank cells part of the key (as empty values). Without
	// it a row with any key field blank is not checked. GS-06 ("identical
	// rows") needs it.
	Blanks   bool     `yaml:"blanks"`
	Severity Severity `yaml:"severity"`
	Message  Text     `yaml:"message"`
	Hint     Text     `yaml:"hint"`
}

// Rule is a check written in CEL. Row rules see `row` (the record, a map of
// field name to value, absent fields missing so that has(row.x) works),
// `info` (the ThongTin record) and `period` (year, quarter, start, end).
// Workbook rules also see `agg` (the template's aggregates).
type Rule struct {
	ID       string   `yaml:"id"`       // e.g. "KN-01"
	Severity Severity `yaml:"severity"` // error blocks, warning does not
	When     string   `yaml:"when"`     // CEL precondition; the rule applies only when true
	Check    string   `yaml:"check"`    // CEL; must be true, else an issue
	Fields   []string `yaml:"fields"`   // the cells an issue points at (the first is the main one)
	Message  Text     `yaml:"message"`  // what is wrong
	Hint     Text     `yaml:"hint"`     // how to fix it
	// Expect, when set, gives the value the check expects as a sum of the
	// record's fields and aggregates (see Expect): the issue then says the
	// number expected and the sum, and Fields is completed at load with
	// every cell the sum reads.
	Expect *Expect `yaml:"expect"`

	WhenProgram  cel.Program `yaml:"-"` // nil when When is empty
	CheckProgram cel.Program `yaml:"-"`
	File         string      `yaml:"-"`
	// Sheet is the sheet the rule belongs to; empty for workbook rules.
	Sheet string `yaml:"-"`
	// UsesPeriod is set at load when When or Check reads period: such a rule
	// does not apply (Eval reports ok) while the period is unknown
	// (Vars.Period.Year == 0), since the year or quarter is itself reported.
	UsesPeriod bool `yaml:"-"`
}

// Aggregate is a per-file figure: the number of rows of Sheet for which
// Where holds (or every row), or the sum of the int field Sum over them.
type Aggregate struct {
	Name  string `yaml:"name"`
	Sheet string `yaml:"sheet"`
	Where string `yaml:"where"` // CEL over row; empty means every row
	Sum   string `yaml:"sum"`   // int field to add up; empty means count rows

	WhereProgram cel.Program `yaml:"-"`
}

// CodeList is an enumeration such as ethnicity or transfer type.
type CodeList struct {
	ID      string `yaml:"id"`
	Title   Text   `yaml:"title"`
	Version string `yaml:"version"` // which official table the codes follow
	Source  string `yaml:"source"`  // where the list comes from
	Codes   []Code `yaml:"codes"`

	File  string            `yaml:"-"` // file it was loaded from
	index map[string]string // normalize.Key of code, labels and aliases → code
}

// Code is one value of a code list.
type Code struct {
	Code    string   `yaml:"code"`
	Label   Text     `yaml:"label"`
	Aliases []string `yaml:"aliases"` // other spellings accepted in cells
}

// Period is the reporting quarter a record belongs to, as rules see it
// (period.year, period.quarter, period.start, period.end). The zero Period
// means "unknown": rules that read period do not apply.
type Period struct {
	Year, Quarter int
	Start, End    time.Time // first and last day, UTC midnight
}

// NewPeriod returns quarter q (1-4) of year y.
func NewPeriod(y, q int) Period {
	start := time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, time.UTC)
	return Period{Year: y, Quarter: q, Start: start, End: start.AddDate(0, 3, -1)}
}

// Vars are the values rules are evaluated over. Rows hold Go values as the
// validator converts cells: string (text, code, email), int64 (int),
// float64 (decimal), bool, time.Time at UTC midnight (date, month). A blank
// or invalid cell is absent from the map, so rules test has(row.x) first.
//
//   - Row: the record being checked (a table row, or the key-value record);
//     nil for workbook rules.
//   - Info: the key-value record (ThongTin); nil before it is read.
//   - Period: the reporting quarter; zero when unknown.
//   - Agg: the template's aggregates by name (workbook rules).
//   - Now: the current time; the zero time means time.Now().
type Vars struct {
	Row    map[string]any
	Info   map[string]any
	Period Period
	Agg    map[string]int64
	Now    time.Time
}
