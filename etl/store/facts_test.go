package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/facts"
	"github.com/returns-project/returns/etl/mail/outmail"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/store/storetest"
)

// TestDigestScope: every recipient's facts, read under their scope by
// PostgreSQL, hold exactly the canaries (and the figures) of their subtree.
func TestDigestScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	tree := storetest.Canaries(t, st)
	require.GreaterOrEqual(t, len(tree.Orgs), 30)
	q := domain.Quarter{Year: storetest.CanaryYear, Q: storetest.CanaryQ}
	sawMerger := false
	for _, o := range tree.Orgs {
		want := tree.Subtree(o.Code)
		f, err := st.DigestFacts(ctx, o.Code, q, store.FactsOptions{Personal: true, DeadlineDays: 10, Zone: time.UTC})
		require.NoError(t, err, o.Code)
		var got []string
		for _, p := range f.People {
			require.Equal(t, facts.PersonProbationEnded, p.Kind)
			require.True(t, strings.HasPrefix(p.Name, "CANARY "), p.Name)
			got = append(got, strings.TrimPrefix(p.Name, "CANARY "))
			require.Equal(t, storetest.CanaryName(p.Org), p.Name, "a canary belongs to its own organisation")
		}
		slices.Sort(got)
		require.Equal(t, want, got, "canaries seen by the recipient of %s", o.Code)
		var orgs, figs []string
		for _, g := range f.Orgs {
			orgs = append(orgs, g.Code)
		}
		for _, g := range f.Figures {
			figs = append(figs, g.Org)
		}
		slices.Sort(orgs)
		slices.Sort(figs)
		require.Equal(t, want, orgs)
		require.Equal(t, want, figs)
		if o.Code == "T-D2" {
			require.Contains(t, got, "T-D1-1", "the merged organisations' history belongs to their successor's scope")
			sawMerger = true
		}
		// Without personal data, no names at all.
		f, err = st.DigestFacts(ctx, o.Code, q, store.FactsOptions{DeadlineDays: 10, Zone: time.UTC})
		require.NoError(t, err)
		require.Empty(t, f.People)
	}
	require.True(t, sawMerger)
}

// TestDigestRoleCannotEscape: the digest role reads nothing outside the
// scoped views, and the views read nothing without a scope.
func TestDigestRoleCannotEscape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	storetest.Canaries(t, st)
	tx, err := st.DB().BeginTxx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `SET LOCAL ROLE returns_digest`)
	require.NoError(t, err)
	var n int
	require.NoError(t, tx.GetContext(ctx, &n, `SELECT count(*) FROM scoped.admissions`))
	require.Zero(t, n, "no scope set: nothing")
	var bypass bool
	require.NoError(t, tx.GetContext(ctx, &bypass, `SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user`))
	require.False(t, bypass)
	for _, query := range []string{`SELECT count(*) FROM reporting.admissions`, `SELECT count(*) FROM returns.admission`} {
		_, err := tx.ExecContext(ctx, `SAVEPOINT s`)
		require.NoError(t, err)
		err = tx.GetContext(ctx, &n, query)
		require.ErrorContains(t, err, "permission denied", query)
		_, err = tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT s`)
		require.NoError(t, err)
	}
	_, err = tx.ExecContext(ctx, `SELECT set_config('returns.scope_org', 'T-D3-1', true)`)
	require.NoError(t, err)
	require.NoError(t, tx.GetContext(ctx, &n, `SELECT count(*) FROM scoped.admissions`))
	require.Equal(t, 1, n)
	_, err = tx.ExecContext(ctx, `SELECT set_config('returns.scope_org', 'NO-SUCH', true)`)
	require.NoError(t, err)
	require.NoError(t, tx.GetContext(ctx, &n, `SELECT count(*) FROM scoped.admissions`))
	require.Zero(t, n)
}

func TestQueueDigestOncePerQuarter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	storetest.Canaries(t, st)
	q := domain.Quarter{Year: 2025, Q: 3}
	build := func(resend int) (store.Mail, error) {
		id := "<digest.x." + q.String() + "." + string(rune('0'+resend)) + "@returns.local>"
		return outmail.Mail{Kind: "digest", DedupeKey: "digest:" + q.String() + ":m@x.example:" + string(rune('0'+resend)), MessageID: id,
			To: []string{"m@x.example"}, Subject: "s", Text: "t"}, nil
	}
	r1, err := st.QueueDigest(ctx, "m@x.example", q, "T", q.End(time.UTC), false, build)
	require.NoError(t, err)
	require.True(t, r1.Created)
	_, err = st.QueueDigest(ctx, "m@x.example", q, "T", q.End(time.UTC), false, build)
	require.ErrorIs(t, err, store.ErrDigestSent)
	r2, err := st.QueueDigest(ctx, "m@x.example", q, "T", q.End(time.UTC), true, build)
	require.NoError(t, err)
	require.Equal(t, 1, r2.Resend)
	require.NotEqual(t, r1.OutboxID, r2.OutboxID)
	sent, err := st.DigestsSent(ctx, q)
	require.NoError(t, err)
	require.Len(t, sent, 2)
	require.Equal(t, "<digest.x.2025-Q3.0@returns.local>", sent[0].MessageID)
}

// TestFactsNeedACalendar: the zone and the deadline days are the
// configuration's; the store has no default for either.
func TestFactsNeedACalendar(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	q := domain.Quarter{Year: 2025, Q: 3}
	for _, opts := range []store.FactsOptions{{DeadlineDays: 10}, {Zone: time.UTC, DeadlineDays: -1}} {
		_, err := st.DigestFacts(context.Background(), "T", q, opts)
		require.ErrorContains(t, err, "no calendar")
	}
}
