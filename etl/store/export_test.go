package store

// SetMaxInlineIssues sets the most issues Load.Commit sends as arrays and
// returns a func that restores it.
func SetMaxInlineIssues(n int) (restore func()) {
	old := maxInlineIssues
	maxInlineIssues = n
	return func() { maxInlineIssues = old }
}
