package validate

import (
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
)

// Status of a validated file.
type Status string

// Statuses. Warnings alone never reject.
const (
	Accepted Status = "accepted"
	Rejected Status = "rejected"
)

// Issue is one problem found in a file: where it is, which rule found it and
// what to do about it. Issues with no cell (a missing sheet, a file-level
// reason) have Cell "" and Row 0.
type Issue struct {
	Sheet    string          `json:"sheet"`
	Cell     string          `json:"cell"`
	Row      int             `json:"-"`
	Col      int             `json:"-"`
	Field    string          `json:"field"`
	Rule     string          `json:"rule"`
	Severity schema.Severity `json:"severity"`
	// Value is the cell's content as the operator typed it (it may be
	// personal data: reports only, never logs).
	Value string `json:"value"`
	// Related are the other cells of Sheet the issue is about (A1 names),
	// e.g. every input of a balance rule's sum: an annotated workbook and
	// a report mark them with Cell.
	Related []string    `json:"related,omitempty"`
	Message schema.Text `json:"-"`
	Hint    schema.Text `json:"-"`
}

// Result is the outcome of validating one file.
type Result struct {
	File     string         `json:"file"`
	SHA256   string         `json:"sha256"`
	Status   Status         `json:"status"`
	Reason   reason.Code    `json:"reason"`
	Org      string         `json:"org"`
	Period   string         `json:"period"` // "2025-Q3"
	Template string         `json:"template"`
	Rows     map[string]int `json:"rows"` // data rows per sheet
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Issues   []Issue        `json:"issues"`
	// IssuesOmitted counts the issues left out past Options.MaxIssues.
	IssuesOmitted int `json:"issues_omitted,omitempty"`

	// Year and Quarter of the return, when ThongTin gave them.
	Year    int `json:"-"`
	Quarter int `json:"-"`
	// Info is the ThongTin record, typed (nil when it could not be read).
	Info map[string]any `json:"-"`
	// Detail is the technical detail of a file-level rejection, for the
	// administrator's log (English, never cell values).
	Detail string `json:"-"`

	// columns maps sheet → field → column of table sheets, and keyCells
	// sheet → field → cell of key-value sheets, for issues found later (by
	// the database rules) to point at their cells.
	columns  map[string]map[string]int
	keyCells map[string]map[string]cellRef
}

// Cell returns the A1 name of field's cell on row of sheet ("" when the
// sheet or field was not found). Row is ignored for key-value sheets.
func (r *Result) Cell(sheet, field string, row int) (cell string, col, rowNum int) {
	if ref, ok := r.keyCells[sheet][field]; ok {
		return cellName(ref.col, ref.row), ref.col, ref.row
	}
	if c, ok := r.columns[sheet][field]; ok && row > 0 {
		return cellName(c, row), c, row
	}
	return "", 0, row
}

// AddIssue records an issue found after validation (by the database rules)
// and settles the status again: an error rejects the file as INVALID_DATA.
func (r *Result) AddIssue(is Issue, maxIssues int) {
	if maxIssues <= 0 {
		maxIssues = 1000
	}
	r.addIssue(is, maxIssues)
	if r.Errors > 0 && r.Status == Accepted {
		r.Status, r.Reason = Rejected, reason.InvalidData
	}
}

// addIssue records is, counting it and keeping it unless the cap is reached.
func (r *Result) addIssue(is Issue, max int) {
	switch is.Severity {
	case schema.Warning:
		r.Warnings++
	default:
		is.Severity = schema.Error
		r.Errors++
	}
	if len(r.Issues) >= max {
		r.IssuesOmitted++
		return
	}
	r.Issues = append(r.Issues, is)
}
