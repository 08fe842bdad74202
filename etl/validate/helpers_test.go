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
