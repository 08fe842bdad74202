package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

func TestAccounts(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	storetest.Canaries(t, st)
	ctx := context.Background()
	_, err := st.CreateAccount(ctx, "ghost", store.RoleManager, "NOPE", "h")
	require.ErrorContains(t, err, "not in the current registry")
	_, err = st.CreateAccount(ctx, "admin", store.RoleAdministrator, "T", "h")
	require.Error(t, err, "an administrator has no scope")
	_, err = st.CreateAccount(ctx, "Bad Login", store.RoleAdministrator, "", "h")
	require.Error(t, err)
	id, err := st.CreateAccount(ctx, "quanly", store.RoleManager, "T-D1", "h")
	require.NoError(t, err)

	require.NoError(t, st.CreateSession(ctx, id, "tok", "csrf", time.Now().Add(time.Hour)))
	ses, err := st.SessionByToken(ctx, "tok")
	require.NoError(t, err)
	require.Equal(t, "T-D1", ses.ScopeOrg.String)
	require.NoError(t, st.CreateSession(ctx, id, "old", "csrf", time.Now().Add(-time.Second)))
	ses, err = st.SessionByToken(ctx, "old")
	require.NoError(t, err)
	require.Nil(t, ses, "an expired session is no session")

	until, err := st.SigninFailed(ctx, id, 2, time.Hour)
	require.NoError(t, err)
	require.True(t, until.IsZero())
	until, err = st.SigninFailed(ctx, id, 2, time.Hour)
	require.NoError(t, err)
	require.True(t, until.After(time.Now()), "locked at the second failure")

	require.NoError(t, st.SetAccountDisabled(ctx, "quanly", true))
	ses, err = st.SessionByToken(ctx, "tok")
	require.NoError(t, err)
	require.Nil(t, ses, "disabling ends the sessions")
	require.ErrorIs(t, st.SetPassword(ctx, "nobody", "h"), store.ErrNoAccount)
}

// TestConsoleRoles: what PostgreSQL lets each role read.
func TestConsoleRoles(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	for _, q := range []string{
		`SET ROLE returns_digest; SELECT count(*) FROM unscoped.web_files`,
		`SET ROLE returns_digest; SELECT count(*) FROM returns.web_account`,
		`SET ROLE returns_loader; SELECT count(*) FROM returns.web_account`,
		`SET ROLE returns_loader; SELECT count(*) FROM returns.web_session`,
	} {
		tx, err := st.DB().BeginTx(ctx, nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(ctx, q)
		require.ErrorContains(t, err, "permission denied", q)
		_ = tx.Rollback()
	}
	// Without a scope, the scoped views are empty.
	storetest.Canaries(t, st)
	require.NoError(t, st.View(ctx, store.Viewer{}, func(c *store.Console) error {
		orgs, err := c.Orgs(ctx)
		require.Empty(t, orgs)
		return err
	}))
}

// TestWebMigrationDown: 00024 goes down and up again cleanly.
func TestWebMigrationDown(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	p, err := goose.NewProvider(goose.DialectPostgres, st.DB().DB, store.Migrations(), goose.WithTableName("public.returns_schema_version"))
	require.NoError(t, err)
	_, err = p.ApplyVersion(ctx, 24, false)
	require.NoError(t, err)
	var n int
	require.NoError(t, st.DB().Get(&n, `SELECT count(*) FROM pg_namespace WHERE nspname = 'unscoped'`))
	require.Zero(t, n)
	_, err = p.ApplyVersion(ctx, 24, true)
	require.NoError(t, err)
}
