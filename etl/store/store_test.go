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

// TestConnectErrorHidesPassword: a database that cannot be reached is named
// in the error, its password never (the rules are etl/redact's).
func TestConnectErrorHidesPassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2",
		"postgres://u@127.0.0.1:1/db?password=s3cret&connect_timeout=2",
		"host=127.0.0.1 port=1 user=u password=s3cret dbname=db connect_timeout=2",
	} {
		_, err := store.Open(context.Background(), store.Config{URL: dsn})
		require.Error(t, err, dsn)
		require.NotContains(t, err.Error(), "s3cret", dsn)
		require.Contains(t, err.Error(), "REDACTED", dsn)
	}
}
