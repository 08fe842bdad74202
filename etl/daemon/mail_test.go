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
