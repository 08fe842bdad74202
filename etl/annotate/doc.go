// Package annotate writes the feedback workbook a submitter gets back: a copy
// of their own workbook with every cell that has an issue filled (errors red,
// warnings amber) and carrying a comment with the message and what to do, and
// a first sheet, "Lỗi" ("Issues" in English), that says in plain words what
// was found and what to do next, then lists every issue (sheet, cell, field,
// rule, severity, the value as typed, message, fix) with a link to its cell.
// The cells an issue used (validate.Issue.Related: the inputs of a balance
// rule such as TH-01) are filled and commented too, with a line that names
// the issue's own cell; the list links to that cell only.
// Everything else in the workbook is left as it was: other sheets, values,
// styles (a filled cell keeps its number format, font, borders and
// alignment), column widths, data validations, defined names.
//
// A file that could not be opened (any file-level reason code: NOT_XLSX,
// FORMAT_*, ENCRYPTED, CORRUPT_*, DTD, TOO_LARGE, TOO_MANY_ROWS), or whose
// original cannot be annotated within [Limits], gets a small new workbook
// with only the issues sheet and that explanation instead. Every input gets
// a workbook: a budget exceeded, a shape excelize would write back wrongly,
// even a panic inside excelize ([PanicError]) ends in the issue list alone
// with a note that says why; only a cancelled context, a write error or
// [ErrContentChanged] is returned as an error.
//
// # Budgets
//
// Annotation costs time and memory that grow linearly with the file, and a
// hostile file meets a budget before the machine does. The budgets, all in
// [Limits] with these defaults:
//
//   - the original: at most 17 MiB, and at most 16 MiB unpacked (all
//     parts, read from the zip's directory before anything is unpacked;
//     a 0.94 MB file whose shared strings unpack to 150 MB stops here);
//   - each sheet with cells to mark: at most 2 MiB unpacked, its last row at
//     most 50,000, every cell to mark within row 50,000 and column 1,024
//     (excelize holds such a sheet whole, at about 30 times its size, and a
//     row for every row number);
//   - at most 5,000 merged ranges in the workbook (excelize's handling of
//     merges costs the square of their number: 200,000 of them in a 1 MB
//     file ran past 300 s);
//   - 60 s in all ([context.Context] deadline; the context is checked while
//     the package is scanned and between cells and issue rows).
//
// Within them the peak memory of one annotation stays under 100 MB (about
// 90 MB at 2 MiB of marked sheet and 1,000 issues; 22 MB for the hostile
// files, which get the issue list alone at once): BenchmarkHostile measures
// it. The workbook's shared-string table is never parsed: the issues sheet
// is written with inline strings. Sheets without cells to mark are copied
// as they are, never parsed by excelize.
//
// # What the copy never carries
//
// An annotated copy never carries a live formula: every cell formula is
// removed before excelize opens the original, the cell keeping its cached
// value as a plain value (a formula without a cached value leaves an empty
// cell), and the calculation chain is dropped. External links are dropped
// too (parts, relationships, <externalReferences>; a defined name that used
// one becomes #REF!), so that opening the copy never reaches another file or
// server. What Excel showed is what the copy shows.
//
// # Optional parts
//
// A valid workbook may leave out every optional element and part
// (<sheetViews>, <sheetFormatPr>, <cols>, the styles, theme, shared-strings
// and docProps parts). Before excelize opens the original, a missing styles
// part, or its missing fonts, fills, borders or cell formats, are added, and
// a missing theme becomes the default Office theme (what Excel uses then);
// excelize's MoveSheet, UngroupSheets and SetActiveSheet, which panic on a
// sheet without <sheetViews> and read every sheet, are never called.
//
// # Printing
//
// The issues sheet prints on A4 in landscape, fitted to one page wide, with
// its header row repeated on every page and the sheet name and page number
// in the footer; its print area is the summary and the table.
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
