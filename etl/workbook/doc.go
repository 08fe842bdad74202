// Package workbook reads xlsx workbooks strictly, in one streaming pass, and
// proves their integrity while it reads: format sniffing (xls, encrypted,
// xlsb, xlsm, ods told apart), every zip entry read to its end (CRC and
// declared size), strict XML without DTDs, rows and cells in order,
// shared-string indexes in range, and caps on entries, sizes and rows.
//
// The spreadsheet library silently drops rows of damaged files
// (docs/reliability.md §0), and its reader is about 20 times slower than
// inflating the data, so the sheet XML is scanned here by a byte-level
// scanner. excelize remains the tool for writing workbooks and for the
// differential tests that keep this reader honest.
package workbook
