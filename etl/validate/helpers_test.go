package validate

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// lastIssue returns the last issue of res under rule, failing the test
// (listing the issues) when there is none.
func lastIssue(t *testing.T, res *Result, rule string) *Issue {
	t.Helper()
	var is *Issue
	for i := range res.Issues {
		if res.Issues[i].Rule == rule {
			is = &res.Issues[i]
		}
	}
	require.NotNil(t, is, "%+v", res.Issues)
	return is
}
