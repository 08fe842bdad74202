package daemon_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/mail"
	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/sharedtest"
)

// TestResultMailAndDelivery: with a registry, every file's result mail is
// queued to its organisation's registered contacts (the rejected one with
// its annotated workbook); the outbox-delivery job then delivers them, here
// as .eml files (no SMTP server configured).
func TestResultMailAndDelivery(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seedRegistry(t, b.st, b.p)
	files := arrivals(t, 6, 100)
	good, bad := files[1], files[3]
	d := b.start(t, nil)
	drop(t, b.state, good.Name, good.Data)
	drop(t, b.state, bad.Name, bad.Data)
	sharedtest.WaitFor(t, 20*time.Second, "the inbox to empty", func() bool { return len(inboxFiles(t, b.state)) == 0 })
	require.NoError(t, d.Stop(t.Context()))

	type row struct {
		Kind     string         `db:"kind"`
		To       pq.StringArray `db:"recipients"`
		Status   string         `db:"status"`
		Attached int            `db:"attached"`
		Subject  string         `db:"subject"`
	}
	var rows []row
	require.NoError(t, b.st.DB().Select(&rows, `SELECT kind, recipients, status, subject,
		(SELECT count(*) FROM returns.outbox_attachment a WHERE a.outbox_id = o.id) AS attached FROM returns.outbox o ORDER BY id`))
	require.Len(t, rows, 2)
	for i, f := range []arrival{good, bad} {
		org := f.Org
		if org == "" {
			org = b.p.ReturnsIn(b.p.Quarters[len(b.p.Quarters)-1])[0].Org.Code // the broken balance's organisation
		}
		require.Equal(t, "result", rows[i].Kind)
		require.Equal(t, []string{b.p.Org(org).Email}, []string(rows[i].To), "registry contacts only")
		require.Equal(t, "pending", rows[i].Status)
	}
	require.Equal(t, 1, rows[1].Attached, "the rejected file's mail carries its annotated workbook")

	// Delivery: the outbox-delivery job, made to run at start-up through
	// its missed-run policy, writes the mail as .eml files.
	for i := range b.jobs {
		if b.jobs[i].Kind == schedule.KindOutboxDelivery {
			b.jobs[i].OnMissed = schedule.MissedRunOnce
		}
	}
	_, err := b.st.DB().Exec(`INSERT INTO returns.job_run (job, slot, owner, started_at) VALUES ('outbox-delivery', $1, 'earlier', $1)`,
		time.Now().Add(-time.Hour).Truncate(time.Minute))
	require.NoError(t, err)
	outDir := filepath.Join(b.state, "outbox")
	sender, err := mail.NewSender(mail.Config{OutboxDir: outDir})
	require.NoError(t, err)
	b.start(t, func(c *daemon.Config) { c.Sender = sender })
	sharedtest.WaitFor(t, 10*time.Second, "the .eml files", func() bool {
		entries, _ := os.ReadDir(outDir)
		n := 0
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".eml") && !strings.HasPrefix(e.Name(), ".") {
				n++
			}
		}
		return n == 2
	})
	sharedtest.WaitFor(t, 5*time.Second, "the rows marked sent", func() bool {
		return count(t, b.st, `SELECT count(*) FROM returns.outbox WHERE status = 'sent'`) == 2
	})
}

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
