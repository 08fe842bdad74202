package schema_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/schemas"
)

func TestLoadEmbedded(t *testing.T) {
	t.Parallel()
	set, err := schema.Load(schemas.FS)
	require.NoError(t, err)
	require.Contains(t, set.Templates, "BCQ-1")
}
