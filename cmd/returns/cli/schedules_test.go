package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var runRE = regexp.MustCompile(`\d\d/\d\d/\d{4} \d\d:\d\d`)

func TestSchedulesListsNextThreeRuns(t *testing.T) {
	t.Parallel()
	// An override folder: housekeeping moves to 04:15, the rest stay embedded.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "housekeeping.yaml"), []byte(`name: housekeeping
description: {vi: Dọn dẹp, en: Housekeeping}
cron: "15 4 * * *"
job: housekeeping
`), 0o644))

	code, out, stderr := run(t, "schedules", "--schedules", dir, "--lang", "en")
	require.Equal(t, ExitOK, code, stderr)
	blocks := strings.Split(strings.TrimSpace(out), "\n\n")
	require.Len(t, blocks, 6, out)
	for _, name := range []string{"daily-summary", "housekeeping", "inbox-scan", "outbox-delivery", "quarterly-digest", "reminders"} {
		var block string
		for _, b := range blocks {
			if strings.HasPrefix(b, name+" ") {
				block = b
			}
		}
		require.NotEmpty(t, block, "%s missing from\n%s", name, out)
		require.Contains(t, block, "next runs: ")
		require.Len(t, runRE.FindAllString(block, -1), 3, block)
	}
	require.Contains(t, out, `housekeeping (housekeeping) "15 4 * * *"`)
	require.Regexp(t, `next runs: \d\d/\d\d/\d{4} 04:15,`, out)
	// The digest job fires daily; the job itself decides when a quarter is due.
	require.Regexp(t, `quarterly-digest \(digest\) "0 8 \* \* \*"[^\n]*\n[^\n]*\n  next runs: \d\d/\d\d/\d{4} 08:00, \d\d/\d\d/\d{4} 08:00, \d\d/\d\d/\d{4} 08:00`, out)
}

func TestSchedulesJSON(t *testing.T) {
	t.Parallel()
	code, out, stderr := run(t, "schedules", "--json", "--schedules", t.TempDir())
	require.Equal(t, ExitOK, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 6)
	for _, line := range lines {
		var j scheduleJSON
		require.NoError(t, json.Unmarshal([]byte(line), &j), line)
		require.True(t, j.Enabled)
		require.Equal(t, "Asia/Ho_Chi_Minh", j.TimeZone)
		require.Len(t, j.Next, 3, line)
		require.True(t, j.Next[0].After(time.Now().Add(-time.Minute)), line)
		_, offset := j.Next[0].Zone()
		require.Equal(t, 7*3600, offset, line)
	}
}

func TestSchedulesErrors(t *testing.T) {
	t.Parallel()
	t.Run("broken file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "quarterly-digest.yaml"), []byte(`name: quarterly-digest
description: {vi: a, en: b}
cron: "0 8 15 1,4,7,10 *"
time_zone: Asia/Saigon_City
job: digets
`), 0o644))
		code, out, stderr := run(t, "schedules", "--schedules", dir)
		require.Equal(t, ExitUsage, code)
		require.Empty(t, out)
		file := filepath.Join(dir, "quarterly-digest.yaml")
		require.Contains(t, stderr, file+`: time_zone: unknown time zone "Asia/Saigon_City"`)
		require.Contains(t, stderr, file+`: job: unknown job "digets"`)
	})
	t.Run("missing folder", func(t *testing.T) {
		t.Parallel()
		code, _, stderr := run(t, "schedules", "--schedules", filepath.Join(t.TempDir(), "nope"))
		require.Equal(t, ExitUsage, code)
		require.Contains(t, stderr, "nope")
	})
	t.Run("bad language", func(t *testing.T) {
		t.Parallel()
		code, _, _ := run(t, "schedules", "--lang", "fr")
		require.Equal(t, ExitUsage, code)
	})
	t.Run("disabled job", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		src, err := os.ReadFile("../../../schedules/reminders.yaml")
		require.NoError(t, err)
		off := strings.Replace(string(src), "enabled: true", "enabled: false", 1)
		require.NotEqual(t, string(src), off)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "reminders.yaml"), []byte(off), 0o644))
		code, out, stderr := run(t, "schedules", "--schedules", dir)
		require.Equal(t, ExitOK, code, stderr)
		require.Contains(t, out, "đã tắt (enabled: false)")
	})
}
