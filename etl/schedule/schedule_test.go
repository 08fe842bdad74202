package schedule

import (
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/schedules"
)

// testZone stands for the configuration's time_zone.
const testZone = "Asia/Ho_Chi_Minh"

func hcm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	return loc
}

func loadEmbedded(t *testing.T) map[string]Job {
	t.Helper()
	jobs, err := Load(schedules.FS, testZone)
	require.NoError(t, err)
	byName := map[string]Job{}
	for _, j := range jobs {
		byName[j.Name] = j
	}
	return byName
}

func TestEmbeddedSchedulesLoad(t *testing.T) {
	t.Parallel()
	jobs := loadEmbedded(t)
	want := map[string]Kind{
		"inbox-scan":       KindInboxScan,
		"outbox-delivery":  KindOutboxDelivery,
		"quarterly-digest": KindDigest,
		"reminders":        KindReminders,
		"housekeeping":     KindHousekeeping,
		"daily-summary":    KindDailySummary,
	}
	require.Len(t, jobs, len(want))
	for name, kind := range want {
		j, ok := jobs[name]
		require.True(t, ok, name)
		require.Equal(t, kind, j.Kind, name)
		require.True(t, j.Enabled, name)
		require.Equal(t, "Asia/Ho_Chi_Minh", j.Location.String(), name)
		require.Equal(t, name+".yaml", j.File)
		require.NotEmpty(t, j.Description.Vi, name)
		require.NotEmpty(t, j.Description.En, name)
		require.Positive(t, j.Timeout, name)
		require.Len(t, j.Next(time.Now(), 3), 3, name)
	}
	require.Equal(t, MissedRunOnce, jobs["quarterly-digest"].OnMissed)
	require.Equal(t, MissedSkip, jobs["inbox-scan"].OnMissed)
}

func TestQuarterlyDigestNextRuns(t *testing.T) {
	t.Parallel()
	loc := hcm(t)
	j := loadEmbedded(t)["quarterly-digest"]
	// The job fires daily at 08:00; the digest job itself decides whether
	// a quarter is due (digestjob.RunQuarterly).
	from := time.Date(2025, 10, 15, 8, 0, 0, 0, loc) // exactly a run: strictly after it
	got := j.Next(from, 3)
	require.Equal(t, []time.Time{
		time.Date(2025, 10, 16, 8, 0, 0, 0, loc),
		time.Date(2025, 10, 17, 8, 0, 0, 0, loc),
		time.Date(2025, 10, 18, 8, 0, 0, 0, loc),
	}, got)
	// The zone is the job's, whatever the zone of after: 08:00 in Ho Chi
	// Minh City is 01:00 UTC.
	got = j.Next(time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), 1)
	require.Equal(t, time.Date(2025, 12, 31, 1, 0, 0, 0, time.UTC), got[0].UTC())
	require.Equal(t, loc, got[0].Location())
	require.Equal(t, "CRON_TZ=Asia/Ho_Chi_Minh 0 8 * * *", j.Crontab())
}

func TestMissed(t *testing.T) {
	t.Parallel()
	loc := hcm(t)
	jobs := loadEmbedded(t)
	digest, housekeeping := jobs["quarterly-digest"], jobs["housekeeping"]
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, loc) }

	t.Run("run_once", func(t *testing.T) {
		t.Parallel()
		// Last digest run 15/10/2025 08:00; down until 18/10/2025 09:00:
		// three daily runs missed, made up for by one.
		n, once := digest.Missed(at(2025, 10, 15, 8, 0), at(2025, 10, 18, 9, 0))
		require.Equal(t, 3, n)
		require.True(t, once)
		// Nothing due since the last run.
		n, once = digest.Missed(at(2025, 10, 15, 8, 0), at(2025, 10, 16, 7, 59))
		require.Zero(t, n)
		require.False(t, once)
		// A run due exactly now counts.
		n, once = digest.Missed(at(2025, 10, 15, 8, 0), at(2025, 10, 16, 8, 0))
		require.Equal(t, 1, n)
		require.True(t, once)
	})
	t.Run("skip", func(t *testing.T) {
		t.Parallel()
		// 03:30 daily: from 01/03 04:00 to 04/03 12:00 missed 02, 03 and 04/03.
		n, once := housekeeping.Missed(at(2026, 3, 1, 4, 0), at(2026, 3, 4, 12, 0))
		require.Equal(t, 3, n)
		require.False(t, once)
	})
	t.Run("never ran, clock behind", func(t *testing.T) {
		t.Parallel()
		n, once := digest.Missed(time.Time{}, at(2026, 4, 20, 9, 0))
		require.Zero(t, n)
		require.False(t, once)
		n, once = digest.Missed(at(2026, 4, 20, 9, 0), at(2025, 1, 1, 0, 0))
		require.Zero(t, n)
		require.False(t, once)
	})
	t.Run("capped", func(t *testing.T) {
		t.Parallel()
		n, _ := jobs["inbox-scan"].Missed(at(2020, 1, 1, 0, 0), at(2026, 1, 1, 0, 0))
		require.Equal(t, MaxMissed, n)
	})
}

const goodFile = `name: nightly
description: {vi: Hằng đêm, en: Nightly}
cron: "0 2 * * *"
job: housekeeping
`

func TestBrokenScheduleFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, content, field, msg string
	}{
		{"bad cron", "name: x\ndescription: {vi: a, en: b}\ncron: \"61 * * * *\"\njob: housekeeping\n", "cron", "end of range (61) above maximum (59)"},
		{"six fields", "name: x\ndescription: {vi: a, en: b}\ncron: \"0 0 8 * * *\"\njob: housekeeping\n", "cron", "has 6 fields, want 5"},
		{"descriptor", "name: x\ndescription: {vi: a, en: b}\ncron: \"@daily\"\njob: housekeeping\n", "cron", "descriptors"},
		{"zone in cron", "name: x\ndescription: {vi: a, en: b}\ncron: \"CRON_TZ=UTC 0 8 * * *\"\njob: housekeeping\n", "cron", "set time_zone"},
		{"never fires", "name: x\ndescription: {vi: a, en: b}\ncron: \"0 0 31 2 *\"\njob: housekeeping\n", "cron", "never fires"},
		{"unknown zone", "name: x\ndescription: {vi: a, en: b}\ncron: \"0 8 * * *\"\ntime_zone: Asia/Hanoi_City\njob: housekeeping\n", "time_zone", `unknown time zone "Asia/Hanoi_City"`},
		{"unknown job", "name: x\ndescription: {vi: a, en: b}\ncron: \"0 8 * * *\"\njob: backup\n", "job", `unknown job "backup"`},
		{"missing job", "name: x\ndescription: {vi: a, en: b}\ncron: \"0 8 * * *\"\n", "job", "missing"},
		{"bad missed", "name: x\ndescription: {vi: a, en: b}\ncron: \"0 8 * * *\"\njob: digest\nmissed: catch_up\n", "missed", `unknown policy "catch_up"`},
		{"bad timeout", "name: x\ndescription: {vi: a, en: b}\ncron: \"0 8 * * *\"\njob: digest\ntimeout: soon\n", "timeout", "not a duration"},
		{"bad name", "name: Nightly Job\ndescription: {vi: a, en: b}\ncron: \"0 8 * * *\"\njob: digest\n", "name", "lowercase"},
		{"no english", "name: x\ndescription: {vi: a}\ncron: \"0 8 * * *\"\njob: digest\n", "description.en", "missing"},
		{"unknown field", "name: x\ndescription: {vi: a, en: b}\ncron: \"0 8 * * *\"\njob: digest\nretries: 3\n", "", "line 5: retries: unknown field"},
		{"not yaml", "name: [\n", "", "yaml"},
		{"empty", "", "", "empty file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{
				"nightly.yaml": {Data: []byte(goodFile)},
				"broken.yaml":  {Data: []byte(tc.content)},
				"README.md":    {Data: []byte("not a schedule")},
			}
			var jobs []Job
			var err error
			require.NotPanics(t, func() { jobs, err = Load(fsys, testZone) })
			require.Nil(t, jobs)
			require.ErrorIs(t, err, ErrInvalid)
			var fe *FileError
			require.True(t, errors.As(err, &fe), err)
			require.Equal(t, "broken.yaml", fe.File)
			require.Equal(t, tc.field, fe.Field, err)
			require.ErrorContains(t, err, tc.msg)
			prefix := "broken.yaml: "
			if tc.field != "" {
				prefix += tc.field + ": "
			}
			require.Contains(t, err.Error(), prefix)
			require.NotContains(t, err.Error(), "nightly.yaml", "only the broken file is blamed")
		})
	}
}

func TestDuplicateNames(t *testing.T) {
	t.Parallel()
	_, err := Load(fstest.MapFS{
		"a.yaml": {Data: []byte(goodFile)},
		"b.yml":  {Data: []byte(goodFile)},
	}, testZone)
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, `b.yml: name: job "nightly" is also defined in a.yaml`)
}

func TestDefaultsAndNoFiles(t *testing.T) {
	t.Parallel()
	jobs, err := Load(fstest.MapFS{"nightly.yaml": {Data: []byte(goodFile + "enabled: false\n")}}, testZone)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	j := jobs[0]
	require.Equal(t, testZone, j.TimeZone, "a schedule without time_zone takes the configured zone")
	require.Equal(t, MissedSkip, j.OnMissed)
	require.False(t, j.Enabled)
	require.Zero(t, j.Timeout)

	_, err = Load(fstest.MapFS{"README.md": {Data: []byte("x")}}, testZone)
	require.ErrorIs(t, err, ErrInvalid)

	_, err = Load(fstest.MapFS{"nightly.yaml": {Data: []byte(goodFile)}}, "")
	require.ErrorContains(t, err, "no zone", "the zone is the configuration's: no default here")
}

// TestJobsMapOntoGocron builds a gocron v2 scheduler from the embedded jobs
// as the daemon will, and checks that gocron's next runs are Next's.
func TestJobsMapOntoGocron(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 2, 27, 10, 17, 0, 0, time.UTC)
	s, err := gocron.NewScheduler(gocron.WithClock(clockwork.NewFakeClockAt(start)), gocron.WithLocation(time.UTC))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Shutdown()) })
	jobs := loadEmbedded(t)
	scheduled := map[string]gocron.Job{}
	for name, j := range jobs {
		gj, err := s.NewJob(gocron.CronJob(j.Crontab(), false), gocron.NewTask(func() {}),
			gocron.WithName(j.Name), gocron.WithTags(string(j.Kind)),
			gocron.WithSingletonMode(gocron.LimitModeReschedule))
		require.NoError(t, err, name)
		scheduled[name] = gj
	}
	s.Start()
	for name, gj := range scheduled {
		var got []time.Time
		require.Eventually(t, func() bool {
			got, err = gj.NextRuns(3)
			return err == nil && len(got) == 3 && !got[0].IsZero()
		}, 5*time.Second, 5*time.Millisecond, name)
		want := jobs[name].Next(start, 3)
		for i := range want {
			require.True(t, want[i].Equal(got[i]), "%s run %d: gocron %s, Next %s", name, i, got[i], want[i])
		}
	}
}

// FuzzLoad: whatever a schedule file holds, Load returns jobs that have a
// next run or an error, and never panics.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(goodFile))
	for _, expr := range []string{"0 0 31 2 *", "*/0 * * * *", "1-0 * * * *", "TZ= * * * *", "0 8 15 1,4,7,10 *", "? ? ? ? ?", "0-59/61 * * * *"} {
		f.Add([]byte("name: x\ndescription: {vi: a, en: b}\njob: digest\ncron: \"" + expr + "\"\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		jobs, err := Load(fstest.MapFS{"f.yaml": {Data: data}}, testZone)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		require.Len(t, jobs, 1)
		require.Len(t, jobs[0].Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1), 1)
	})
}
