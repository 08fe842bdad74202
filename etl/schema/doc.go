// Package schema loads the declarative workbook schemas (YAML files in
// schemas/, embedded and overridable by a folder), checks them and compiles
// their rules, written in CEL, so that a broken schema stops start-up with
// one error naming the file and the field.
//
// # Loading
//
//	set, err := schema.Load(schema.Overlay(dir, schemas.FS))
//
// Load returns every problem at once as a *LoadError (errors.Is
// ErrInvalidSchema), one line each, e.g.
//
//	bcq-1/ketnap.yaml: field "birth_date": unknown type "dat" (want text, int, decimal, date, bool, code, month, email)
//
// # Evaluating
//
// Everything is compiled at load; evaluation is safe for concurrent use.
// The validator builds a Vars per record and calls, per rule:
//
//	ok, err := rule.Eval(&schema.Vars{Row: row, Info: info, Period: period, Agg: agg, Now: now})
//
// ok is true when the rule holds or does not apply; err is an evaluation
// failure (report it as the rule failing to run, not as bad data). Likewise
// Field.RequiredIn for required_when and Aggregate.Matches for an
// aggregate's where. Rows are map[string]any of string, int64, float64,
// bool and time.Time (UTC midnight) values, blank cells absent; the maps
// are read, never written, and never copied. KetNap's seven rules take
// about 3 µs per row on one core (BenchmarkRowRules).
//
// # Rule ids for the validator's own checks
//
// A value that fails its code list, pattern, length or range is reported
// under Field.Rule when set (filled from Sheet.CodeRule for code fields:
// KetNap's code fields report KN-10; KetNap.profile_no KN-07;
// ThongTin.admission_target_year TH-06; ThongTin.year and quarter TH-07b),
// else under the validator's built-in id. Unique keys carry their own ids
// (KN-08, CS-08, GS-06); Unique.Blanks says blank cells are part of the key.
//
// Code cells are matched with CodeList.Lookup (code, label or alias,
// compared by normalize.Key).
package schema
