package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/samples/generate"
)

// TestStatusBoard imports the sample registry, loads two returns of
// 2025-Q3 and the quarter board shows them loaded (late: they were received
// now, long after the deadline), every other organisation expected to
// report as missing, and no organisation that does not report.
func TestStatusBoard(t *testing.T) {
	withRegistry(t)
	code, _, stderr := run(t, "status", "--quarter", "2025-Q3")
	require.Equal(t, ExitOK, code, stderr)

	dir := filepath.Join(samplesDir, "province", "2025Q3")
	loaded := []string{"GD-HSG-003", "GD-HSG-004"}
	var paths []string
	for _, org := range loaded {
		paths = append(paths, filepath.Join(dir, "BCQ_"+org+"_2025Q3.xlsx"))
	}
	code, out, stderr := run(t, append([]string{"ingest", "--json"}, paths...)...)
	require.Equal(t, ExitOK, code, out+stderr)
	// GD-HSG-005's return is rejected: its balance does not add up.
	p := generate.Generate(1)
	r := *p.Return("GD-HSG-005", generate.Quarter{Year: 2025, Q: 3})
	r.Info.MembersEndOfficial++
	var buf bytes.Buffer
	require.NoError(t, generate.WriteReturn(&buf, &r, generate.WriteOptions{}))
	broken := filepath.Join(t.TempDir(), r.FileName())
	require.NoError(t, os.WriteFile(broken, buf.Bytes(), 0o644))
	code, out, stderr = run(t, "ingest", "--json", broken)
	require.Equal(t, ExitRejected, code, out+stderr)

	code, out, stderr = run(t, "status", "--quarter", "2025-Q3", "--json")
	require.Equal(t, ExitOK, code, stderr)
	var lines []boardLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var b boardLine
		require.NoError(t, json.Unmarshal([]byte(l), &b), l)
		lines = append(lines, b)
	}
	reg := readRegistry(t, registrySample(t))
	want := 0
	for _, o := range reg.Orgs {
		if domain.IsReportingType(o.Type) && o.ValidFrom.Index() <= 2025*4+2 && (o.ValidTo.IsZero() || o.ValidTo.Index() >= 2025*4+2) {
			want++
		}
	}
	require.Len(t, lines, want, "every organisation expected to report, and only those")
	byStatus := map[string]int{}
	for _, l := range lines {
		byStatus[l.Status]++
		if l.Org == "GD-HSG-005" {
			require.Equal(t, "rejected", l.Status)
			require.Equal(t, 1, l.Rejected)
			require.Equal(t, "INVALID_DATA", l.LastReason)
		}
		if l.Org == loaded[0] || l.Org == loaded[1] {
			require.Equal(t, "loaded", l.Status, l.Org)
			require.EqualValues(t, 1, l.Version)
			require.NotNil(t, l.OnTime)
			require.False(t, *l.OnTime, "received now, after the 2025-Q3 deadline")
		}
		require.Equal(t, "2025-Q3", l.Quarter)
	}
	require.Equal(t, 2, byStatus["loaded"])
	require.Equal(t, 1, byStatus["rejected"])
	require.Equal(t, want-3, byStatus["missing"])

	code, out, stderr = run(t, "status", "--quarter", "2025-Q3")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "Quý III/2025 — hạn nộp 10/10/2025")
	require.Contains(t, out, "2 đã nạp (2 trễ hạn), 1 bị từ chối")
	// A rejected organisation's line says why in words, when, and how often.
	require.Contains(t, out, reason.InvalidData.Title("vi")+" (INVALID_DATA), ")
	require.Contains(t, out, ", 1 tệp bị từ chối")

	require.NotContains(t, out, "Tệp cần xử lý", "every file so far is attributed and answered")

	// A file nobody can be found for is listed below the board, with its
	// reason in words and its name escaped.
	junk := filepath.Join(t.TempDir(), "khong-ro\u202e.xlsx")
	require.NoError(t, os.WriteFile(junk, []byte("not a workbook"), 0o644))
	code, out, stderr = run(t, "ingest", junk)
	require.Equal(t, ExitRejected, code, out+stderr)
	code, out, stderr = run(t, "status", "--quarter", "2025-Q3")
	require.Equal(t, ExitOK, code, stderr)
	require.Contains(t, out, "Tệp cần xử lý (30 ngày qua): 1")
	require.Contains(t, out, `khong-ro\u202e.xlsx`, "the name escaped")
	require.NotContains(t, out, "\u202e")
	require.Contains(t, out, "chưa rõ đơn vị")
	require.Contains(t, out, "Tệp không phải là bảng tính Excel", "the reason in words")
	require.NotContains(t, out, "NOT_XLSX")

	code, _, _ = run(t, "status", "--quarter", "2025-Q5")
	require.Equal(t, ExitUsage, code)

	// With no --quarter, the board opens on the quarter with returns, not on
	// an empty later one, and says why (unless a quarter is being collected
	// right now, which then comes first).
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	if last := domain.LastEnded(time.Now(), loc); time.Now().After(domain.Deadline(last, 10, loc)) {
		code, out, stderr = run(t, "status")
		require.Equal(t, ExitOK, code, stderr)
		require.Contains(t, out, "Quý III/2025 — hạn nộp 10/10/2025")
		require.Contains(t, stderr, "Quý III/2025: quý gần nhất có báo cáo")
	}
}

func TestBoardQuarter(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	require.NoError(t, err)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		require.NoError(t, err)
		return tm
	}
	idx := func(y, q int) int { return y*4 + q - 1 }
	for _, c := range []struct {
		name   string
		now    time.Time
		latest int
		ok     bool
		want   string
		why    string
	}{
		{"samples loaded long after their quarter", at("2026-12-02 09:00"), idx(2025, 3), true, "2025-Q3", "quý gần nhất có báo cáo (Quý III/2026 chưa có báo cáo nào)"},
		{"a quarter being collected comes first", at("2026-10-05 09:00"), idx(2026, 2), true, "2026-Q3", "đang trong hạn nộp báo cáo (hạn 10/10/2026)"},
		{"last day of the deadline", at("2026-10-10 23:59"), idx(2025, 3), true, "2026-Q3", "hạn 10/10/2026"},
		{"the day after the deadline, no returns", at("2026-10-11 00:00"), 0, false, "2026-Q3", "quý gần nhất đã kết thúc"},
		{"returns for the last ended quarter", at("2026-12-02 09:00"), idx(2026, 3), true, "2026-Q3", "quý gần nhất đã kết thúc"},
		{"Q4 collected in January", at("2027-01-03 09:00"), idx(2026, 3), true, "2026-Q4", "hạn 10/01/2027"},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, why := registry.BoardQuarter(c.now, loc, 10, domain.QuarterOf(c.latest), c.ok, "vi")
			require.Equal(t, c.want, q.String())
			require.Contains(t, why, c.why)
		})
	}
}
