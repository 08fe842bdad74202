package daemon_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/samples/generate"
)

// seedRegistry imports the generated province's organisations with their
// contact addresses.
func seedRegistry(t testing.TB, st *store.Store, p *generate.Province) {
	t.Helper()
	var orgs []domain.Org
	for i, o := range p.Orgs {
		so := domain.Org{Code: o.Code, Name: o.Name, Type: o.Type, ParentCode: o.ParentCode,
			ValidFrom: domain.QuarterAt(o.ValidFrom, time.UTC), SuccessorCode: o.Successor, SourceRow: i + 3}
		if o.Email != "" {
			so.ContactEmails = []string{o.Email}
		}
		if !o.ValidTo.IsZero() {
			so.ValidTo = domain.QuarterAt(o.ValidTo, time.UTC)
		}
		orgs = append(orgs, so)
	}
	_, err := st.ImportRegistry(context.Background(), store.RegistryMeta{SHA256: strings.Repeat("b", 64), FileName: "seed.xlsx"}, orgs)
	require.NoError(t, err)
}

// TestMissedRunsAndReminders: a run_once job (reminders) that missed runs
// while no daemon ran is run once at start-up; a skip job (housekeeping)
// that missed runs is not. The reminders run queues one Vietnamese reminder
// per organisation expected to report for the latest ended quarter that has
// a contact, keyed so that it is queued once per organisation and quarter.
func TestMissedRunsAndReminders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seedRegistry(t, b.st, b.p)
	old := time.Now().Add(-72 * time.Hour).Truncate(time.Minute)
	for _, job := range []string{"reminders", "housekeeping"} {
		_, err := b.st.DB().Exec(`INSERT INTO returns.job_run (job, slot, owner, started_at, finished_at, ok) VALUES ($1, $2, 'earlier', $2, $2, true)`, job, old)
		require.NoError(t, err)
	}
	// The digest (run_once, quarterly) last ran more than a quarter ago.
	_, err := b.st.DB().Exec(`INSERT INTO returns.job_run (job, slot, owner, started_at) VALUES ('quarterly-digest', $1, 'earlier', $1)`,
		time.Now().AddDate(0, -4, 0).Truncate(time.Minute))
	require.NoError(t, err)
	var digests atomic.Int32
	b.start(t, func(c *daemon.Config) {
		c.Digest = func(context.Context, time.Time) error { digests.Add(1); return nil }
	})
	sharedtest.WaitFor(t, 10*time.Second, "the missed reminders run", func() bool {
		return count(t, b.st, `SELECT count(*) FROM returns.job_run WHERE job = 'reminders' AND finished_at IS NOT NULL`) == 2
	})
	// The start-up runs are claimed together; once the digest's made-up run
	// has finished, a housekeeping run made up at start-up would have been
	// claimed too.
	sharedtest.WaitFor(t, 10*time.Second, "the missed digest run", func() bool {
		return count(t, b.st, `SELECT count(*) FROM returns.job_run WHERE job = 'quarterly-digest' AND owner <> 'earlier' AND finished_at IS NOT NULL`) == 1
	})
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.job_run WHERE job = 'housekeeping'`), "a skip job does not make up for missed runs")
	require.EqualValues(t, 1, digests.Load(), "the injected digest ran once for its missed run")

	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	q := domain.LastEnded(time.Now(), loc)
	rows, err := b.st.QuarterBoard(context.Background(), q.Year, q.Q)
	require.NoError(t, err)
	want := map[string]bool{}
	gq := generate.Quarter{Year: q.Year, Q: q.Q}
	for _, o := range b.p.Orgs {
		if o.Grassroots() && o.ActiveIn(gq) && o.Email != "" {
			want[o.Code] = true
		}
	}
	require.NotEmpty(t, want)
	require.Len(t, rows, len(want), "the board lists the organisations expected to report")
	type mail struct {
		Key     string         `db:"dedupe_key"`
		To      pq.StringArray `db:"recipients"`
		Subject string         `db:"subject"`
		Text    string         `db:"body_text"`
	}
	var mails []mail
	require.NoError(t, b.st.DB().Select(&mails, `SELECT dedupe_key, recipients, subject, body_text FROM returns.outbox WHERE kind = 'reminder'`))
	require.Len(t, mails, len(want))
	for _, m := range mails {
		org := strings.Split(m.Key, ":")[1]
		require.True(t, want[org], "reminder to %s", org)
		require.Equal(t, "reminder:"+org+":"+domain.Quarter{Year: q.Year, Q: q.Q}.String(), m.Key)
		require.Equal(t, []string{b.p.Org(org).Email}, []string(m.To))
		require.Contains(t, m.Subject, "Nhắc nộp báo cáo")
		require.Contains(t, m.Text, "Hạn nộp là ngày")
	}
}

func TestDeadline(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	q := domain.Quarter{Year: 2025, Q: 3}
	require.Equal(t, time.Date(2025, 10, 11, 0, 0, 0, 0, loc), domain.Deadline(q, 10, loc))
	require.Equal(t, time.Date(2026, 1, 11, 0, 0, 0, 0, loc), domain.Deadline(domain.Quarter{Year: 2025, Q: 4}, 10, loc))
	require.Equal(t, q, domain.LastEnded(time.Date(2025, 12, 31, 23, 0, 0, 0, loc), loc))
	require.Equal(t, domain.Quarter{Year: 2025, Q: 4}, domain.LastEnded(time.Date(2026, 1, 1, 0, 0, 0, 0, loc), loc))
}

// TestHousekeeping runs the housekeeping job at start-up (its missed-run
// policy switched to run_once for the test): archive quarters that ended
// more than Retention ago are removed, later ones kept, and old run records
// pruned but for each job's latest.
func TestHousekeeping(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i := range b.jobs {
		if b.jobs[i].Kind == schedule.KindHousekeeping {
			b.jobs[i].OnMissed = schedule.MissedRunOnce
		}
	}
	old := time.Now().AddDate(0, 0, -40).Truncate(time.Minute)
	for _, slot := range []time.Time{old, old.Add(time.Minute)} {
		_, err := b.st.DB().Exec(`INSERT INTO returns.job_run (job, slot, owner, started_at) VALUES ('housekeeping', $1, 'earlier', $1)`, slot)
		require.NoError(t, err)
	}
	for _, q := range []string{"2020-Q1", "2099-Q4"} {
		dir := filepath.Join(b.state, "archive", q, "ORG")
		require.NoError(t, os.MkdirAll(dir, 0o750))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "x.xlsx"), []byte("x"), 0o640))
	}
	b.start(t, func(c *daemon.Config) { c.Retention = 365 * 24 * time.Hour })
	sharedtest.WaitFor(t, 10*time.Second, "the housekeeping run", func() bool {
		return count(t, b.st, `SELECT count(*) FROM returns.job_run WHERE job = 'housekeeping' AND owner <> 'earlier' AND finished_at IS NOT NULL`) == 1
	})
	_, err := os.Stat(filepath.Join(b.state, "archive", "2020-Q1"))
	require.ErrorIs(t, err, os.ErrNotExist, "a quarter past retention is removed")
	_, err = os.Stat(filepath.Join(b.state, "archive", "2099-Q4", "ORG", "x.xlsx"))
	require.NoError(t, err, "a recent quarter is kept")
	require.Equal(t, 1, count(t, b.st, `SELECT count(*) FROM returns.job_run WHERE job = 'housekeeping'`), "old run records pruned, the latest kept")
}

// TestPanicInJob: a job that panics (here the injected digest) is recorded
// as a failed run and counted; the daemon goes on loading files.
func TestPanicInJob(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.st.DB().Exec(`INSERT INTO returns.job_run (job, slot, owner, started_at) VALUES ('quarterly-digest', $1, 'earlier', $1)`,
		time.Now().AddDate(0, -4, 0).Truncate(time.Minute))
	require.NoError(t, err)
	d := b.start(t, func(c *daemon.Config) {
		c.Digest = func(context.Context, time.Time) error { panic("digest bug") }
	})
	sharedtest.WaitFor(t, 10*time.Second, "the failed digest run", func() bool {
		return count(t, b.st, `SELECT count(*) FROM returns.job_run WHERE job = 'quarterly-digest' AND ok = false`) == 1
	})
	require.Equal(t, 1.0, metricH(t, d, `returns_job_failures_total{job="quarterly-digest"}`))
	files := arrivals(t, 6, 100)
	drop(t, b.state, files[1].Name, files[1].Data)
	// The original leaves the inbox just before the outcome is counted.
	sharedtest.WaitFor(t, 20*time.Second, "a file loaded after the panic", func() bool {
		return len(inboxFiles(t, b.state)) == 0 && metricH(t, d, `returns_files_total{outcome="loaded"}`) == 1
	})
}
