package digestjob_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
)

// TestDigestQuarterIsLastEnded: the quarterly run digests the quarter that
// ended last in the users' zone (domain.LastEnded), whatever the zone of now.
func TestDigestQuarterIsLastEnded(t *testing.T) {
	t.Parallel()
	require.Equal(t, domain.Quarter{Year: 2025, Q: 4}, domain.LastEnded(time.Date(2026, 1, 15, 8, 0, 0, 0, ict), ict))
	require.Equal(t, domain.Quarter{Year: 2025, Q: 3}, domain.LastEnded(time.Date(2025, 10, 1, 0, 30, 0, 0, ict), ict))
	// 30/09 23:30 UTC is already 01/10 in Vietnam.
	require.Equal(t, domain.Quarter{Year: 2025, Q: 3}, domain.LastEnded(time.Date(2025, 9, 30, 23, 30, 0, 0, time.UTC), ict))
}

// TestRunQuarterly: before the send day nothing goes unless every expected
// return is in (and send_when_complete is on); once sent, firing again
// sends nothing.
func TestRunQuarterly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := loadProvince(t)
	q := domain.Quarter{Year: 2025, Q: 3}
	early := time.Date(2025, 10, 3, 8, 0, 0, 0, ict)
	opts := calendar(digestjob.Options{SendDay: 15})
	require.NoError(t, digestjob.RunQuarterly(ctx, st, early, opts))
	sent, err := st.DigestsSent(ctx, q)
	require.NoError(t, err)
	require.Empty(t, sent, "not due before the 15th")

	opts.SendWhenComplete = true
	missing, err := st.MissingReturns(ctx, q)
	require.NoError(t, err)
	require.Zero(t, missing, "the sample province has every 2025-Q3 return")
	require.NoError(t, digestjob.RunQuarterly(ctx, st, early, opts))
	sent, err = st.DigestsSent(ctx, q)
	require.NoError(t, err)
	require.Len(t, sent, 7, "every return is in: sent early")

	require.NoError(t, digestjob.RunQuarterly(ctx, st, time.Date(2025, 10, 15, 8, 0, 0, 0, ict), opts))
	sent, err = st.DigestsSent(ctx, q)
	require.NoError(t, err)
	require.Len(t, sent, 7, "the scheduled run sends nothing twice")

	// A missing return holds the early send back for the next quarter.
	missing, err = st.MissingReturns(ctx, domain.Quarter{Year: 2025, Q: 4})
	require.NoError(t, err)
	require.Equal(t, 23, missing)
	require.NoError(t, digestjob.RunQuarterly(ctx, st, time.Date(2026, 1, 5, 8, 0, 0, 0, ict), opts))
	sent, err = st.DigestsSent(ctx, domain.Quarter{Year: 2025, Q: 4})
	require.NoError(t, err)
	require.Empty(t, sent)
}
