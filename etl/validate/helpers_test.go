package validate

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/schemas"
)

func loadSet(tb testing.TB) *schema.Set {
	tb.Helper()
	set, err := schema.Load(schemas.FS)
	require.NoError(tb, err)
	return set
}

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
