// Package annotate writes the feedback workbook a submitter gets back: a copy
// of their own workbook with every cell that has an issue filled (errors red,
// warnings amber) and carrying a comment with the message and what to do, and
// a first sheet, "Lỗi" ("Issues" in English), that says in plain words what
// was found and what to do next, then lists every issue (sheet, cell, field,
// rule, severity, the value as typed, message, fix) with a link to its cell.
// Everything else in the workbook is left as it was: other sheets, values,
// styles (a filled cell keeps its number format, font, borders and
// alignment), column widths, data validations, defined names.
//
// A file that could not be opened (any file-level reason code: NOT_XLSX,
// FORMAT_*, ENCRYPTED, CORRUPT_*, DTD, TOO_LARGE, TOO_MANY_ROWS), or whose
// original excelize cannot open within [Limits], gets a small new workbook
// with only the issues sheet and that explanation instead.
//
// # Safety
//
// The original is opened with excelize only when validation got past every
// file-level check (the strict reader proved the whole package sound), only
// when its SHA-256 is the one validated (when the result carries one), and
// always with explicit unzip limits and a temporary directory ([Limits]).
// Nothing from the workbook or the issues is ever written as a formula: every
// text goes in with SetCellStr, and a text that starts with "=", "+", "-",
// "@", a tab, CR, LF or NUL gets a leading apostrophe (OWASP's advice for
// formula injection), so that it stays text even when a user presses F2 and
// Enter. Hyperlink targets are built only from the names of the workbook's
// own sheets matched to the issue and from A1 references checked to be A1
// references; never from cell values.
//
// # File names
//
// The annotated copy of "BCQ_GD-KCQ-001_2025Q3.xlsx" is
// "BCQ_GD-KCQ-001_2025Q3.loi.xlsx" ("lỗi" is Vietnamese for errors), in the
// folder the caller chooses; see [Name]. The name is the same in both
// languages so that tools find it.
package annotate
