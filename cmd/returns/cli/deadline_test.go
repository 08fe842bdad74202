package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReceivedAtTheDeadlineIsLateEverywhere: a return received at the
// deadline instant itself (00:00:00 on the day after the due day, in
// time_zone) is late on the quarter board (`returns status`) and in the
// digest alike; one received the minute before is on time in both. The
// digest once counted the instant itself on time.
func TestReceivedAtTheDeadlineIsLateEverywhere(t *testing.T) {
	useTestDatabase(t)
	mustRun(t, "registry", "import", registrySample(t))
	mustRun(t, "recipients", "import", filepath.Join(samplesDir, "recipients.xlsx"))

	// 2025-Q3 ends 30/09; with deadline_days 10 (the default) its returns
	// are due on 10/10, and late from 11/10 00:00 Asia/Ho_Chi_Minh.
	dir := filepath.Join(samplesDir, "province", "2025Q3")
	for org, at := range map[string]string{"GD-HSG-003": "11/10/2025 00:00", "GD-HSG-004": "10/10/2025 23:59"} {
		mustRun(t, "ingest", "--received-at", at, filepath.Join(dir, "BCQ_"+org+"_2025Q3.xlsx"))
	}

	out := mustRun(t, "status", "--quarter", "2025-Q3", "--json")
	onTime := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var b boardLine
		require.NoError(t, json.Unmarshal([]byte(l), &b), l)
		if b.OnTime != nil {
			onTime[b.Org] = *b.OnTime
		}
	}
	require.Equal(t, map[string]bool{"GD-HSG-003": false, "GD-HSG-004": true}, onTime, "the board")

	preview := t.TempDir()
	mustRun(t, "digest", "--quarter", "2025-Q3", "--recipient", "advisor@gd.example", "--out", preview)
	text, err := os.ReadFile(filepath.Join(preview, "001-GD", "digest.txt"))
	require.NoError(t, err)
	late := lateList(string(text))
	require.Len(t, late, 1, "the digest's late organisations:\n%s", text)
	require.Contains(t, late[0], "(GD-HSG-003)", "the digest")
	require.Contains(t, string(text), "returns were due 10/10/2025 23:59", "the digest states the last minute on time")
}

// lateList is the lines of the (English) digest text's list of late
// organisations.
func lateList(text string) []string {
	_, after, ok := strings.Cut(text, "Late organisations:\n")
	if !ok {
		return nil
	}
	var out []string
	for _, l := range strings.Split(after, "\n") {
		if !strings.HasPrefix(l, "- ") {
			break
		}
		out = append(out, l)
	}
	return out
}
