package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	n, err := st.Migrate(context.Background())
	require.NoError(t, err)
	require.Zero(t, n, "the template database is migrated already")
	var schemas []string
	require.NoError(t, st.DB().Select(&schemas, `SELECT nspname FROM pg_namespace WHERE nspname IN ('returns','reporting') ORDER BY 1`))
	require.Equal(t, []string{"reporting", "returns"}, schemas)
}

func TestRedact(t *testing.T) {
	t.Parallel()
	require.Equal(t, "postgres://u:REDACTED@h:5432/db", store.Redact("postgres://u:s3cret@h:5432/db"))
	require.NotContains(t, store.Redact("host=h user=u password=s3cret dbname=x"), "s3cret")
	require.NotContains(t, store.Redact("postgres://u@h/db?password=s3cret"), "s3cret")
}
