// Package validate checks a workbook against its template schema, cell by
// cell and rule by rule, while the strict reader streams its rows, and
// collects every issue with its sheet, cell, rule, severity and a message in
// Vietnamese and English. It never stops at the first problem.
//
// A file-level problem (the file is not a readable xlsx, a part is damaged)
// rejects the file with that reason code. A required sheet or column that is
// missing, or an unknown template version, rejects it as TEMPLATE_MISMATCH;
// any error-severity issue as INVALID_DATA. Warnings alone never reject.
package validate
