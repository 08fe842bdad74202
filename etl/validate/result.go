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
	Value   string      `json:"value"`
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
