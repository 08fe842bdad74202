package daemon_test

import (
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/sharedtest"
)

// TestDailySummary: the daily-summary job mails the operators, through the
// outbox and once per day, the counts of the day before (files received,
// loaded, rejected, quarantined, unanswered) with the files that need a
// person; the counts are those recorded, computed here independently.
func TestDailySummary(t *testing.T) {
	t.Parallel()
	b := setup(t)
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	now := time.Now().In(loc)
	yesterday := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, loc).AddDate(0, 0, -1)
	events := []struct{ name, outcome, reason, org, answered string }{
		{"a.xlsx", "loaded", "", "GD-A", "contacts"},
		{"b.xlsx", "loaded", "", "GD-B", "none"},
		{"c.xlsx", "rejected", "INVALID_DATA", "GD-C", "contacts"},
		{"d.xlsx", "rejected", "NOT_XLSX", "", "operators"},
		{"e.xlsx", "quarantined", "SYMLINK", "", "none"},
	}
	for _, e := range events {
		_, err := b.st.DB().Exec(`INSERT INTO returns.file_event (sha256, file_name, org_code, outcome, reason, received_at, decided_at, answered)
			VALUES ('x', $1, nullif($2, ''), $3, nullif($4, ''), $5, $5, $6)`, e.name, e.org, e.outcome, e.reason, yesterday, e.answered)
		require.NoError(t, err)
	}
	// One of today: not in yesterday's summary.
	_, err = b.st.DB().Exec(`INSERT INTO returns.file_event (sha256, file_name, outcome, reason, received_at, decided_at, answered)
		VALUES ('x', 'today.xlsx', 'quarantined', 'BAD_NAME', now(), now(), 'none')`)
	require.NoError(t, err)
	// The job missed a run: run_once makes it run at start-up.
	_, err = b.st.DB().Exec(`INSERT INTO returns.job_run (job, slot, owner, started_at) VALUES ('daily-summary', $1, 'earlier', $1)`,
		time.Now().Add(-72*time.Hour).Truncate(time.Minute))
	require.NoError(t, err)
	for _, j := range b.jobs {
		if j.Kind == schedule.KindDailySummary {
			require.Equal(t, schedule.MissedRunOnce, j.OnMissed)
		}
	}
	d := b.start(t, func(c *daemon.Config) { c.Operators = []string{"ops@returns.test"} })
	type row struct {
		To      pq.StringArray `db:"recipients"`
		Subject string         `db:"subject"`
		Text    string         `db:"body_text"`
	}
	var rows []row
	sharedtest.WaitFor(t, 20*time.Second, "the daily summary", func() bool {
		rows = nil
		require.NoError(t, b.st.DB().Select(&rows, `SELECT recipients, subject, body_text FROM returns.outbox WHERE kind = 'daily_summary'`))
		return len(rows) > 0
	})
	require.NoError(t, d.Stop(t.Context()))
	require.Len(t, rows, 1)
	require.Equal(t, []string{"ops@returns.test"}, []string(rows[0].To))
	day := yesterday.Format("02/01/2006")
	require.Contains(t, rows[0].Subject, "Tổng hợp ngày "+day+": nhận 5, nạp 2, từ chối 2, cách ly 1, chưa báo 2")
	require.Contains(t, rows[0].Text, "- Không xác định được đơn vị: 2")
	require.Contains(t, rows[0].Text, "e.xlsx")
	require.Contains(t, rows[0].Text, "d.xlsx")
	require.NotContains(t, rows[0].Text, "today.xlsx")
	require.NotContains(t, rows[0].Text, "c.xlsx", "a rejection answered to its organisation needs nobody")
}
