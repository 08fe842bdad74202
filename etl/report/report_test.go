package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

func sample() *validate.Result {
	msg := schema.Text{VI: "Chưa đủ 18 tuổi.", EN: "Under 18."}
	return &validate.Result{
		File: "BCQ_X_2025Q3.xlsx", SHA256: strings.Repeat("a", 64), Status: validate.Rejected, Reason: reason.InvalidData,
		Org: "GD-KCQ-001", Period: "2025-Q3", Year: 2025, Quarter: 3, Template: "BCQ-1",
		Rows: map[string]int{"KetNap": 4046}, Errors: 2, Warnings: 1, IssuesOmitted: 5,
		Issues: []validate.Issue{
			{Sheet: "KetNap", Cell: "C5", Field: "birth_date", Rule: "KN-01", Severity: schema.Error, Value: "14/03/2010", Message: msg},
			{Sheet: "KetNap", Cell: "C9", Field: "birth_date", Rule: "KN-01", Severity: schema.Error, Value: "01/01/2011", Message: msg},
			{Sheet: "ThongTin", Cell: "C20", Field: "admission_target_year", Rule: "TH-06", Severity: schema.Warning, Message: schema.Text{VI: "Chỉ tiêu", EN: "Target"}},
		},
	}
}

// TestJSONShape pins the keys of the JSON line: they are a contract.
func TestJSONShape(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, sample(), "en"))
	line := buf.String()
	require.True(t, strings.HasSuffix(line, "\n"))
	require.Equal(t, 1, strings.Count(line, "\n"), "one line per file")
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &m))
	for _, k := range []string{"file", "sha256", "status", "reason", "org", "period", "template", "rows", "errors", "warnings", "issues", "issues_omitted"} {
		require.Contains(t, m, k)
	}
	require.Equal(t, "rejected", m["status"])
	require.Equal(t, "2025-Q3", m["period"])
	is := m["issues"].([]any)[0].(map[string]any)
	for _, k := range []string{"sheet", "cell", "field", "rule", "severity", "value", "message"} {
		require.Contains(t, is, k)
	}
	require.Equal(t, "Under 18.", is["message"])
	require.Equal(t, "C5", is["cell"])
}

// TestTextGroupsBySheetAndRule checks the human report: one heading per
// sheet, one line per rule with its count, then every cell.
func TestTextGroupsBySheetAndRule(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, WriteText(&buf, sample(), "vi"))
	out := buf.String()
	require.Contains(t, out, "BỊ TỪ CHỐI (INVALID_DATA)")
	require.Contains(t, out, "Quý III/2025")
	require.Contains(t, out, "KetNap 4.046", "Vietnamese number grouping")
	require.Equal(t, 1, strings.Count(out, "[KN-01]"), "issues of one rule are grouped")
	require.Contains(t, out, "(2)")
	require.Contains(t, out, `C5 (birth_date) = "14/03/2010"`)
	require.Contains(t, out, `C9 (birth_date) = "01/01/2011"`)
	require.Less(t, strings.Index(out, "Trang KetNap"), strings.Index(out, "Trang ThongTin"))
	require.Contains(t, out, "Còn 5 vấn đề khác")
	buf.Reset()
	require.NoError(t, WriteText(&buf, sample(), "en"))
	require.Contains(t, buf.String(), "REJECTED")
	require.Contains(t, buf.String(), "Q3 2025")
	require.Contains(t, buf.String(), "5 more issues")
	require.Contains(t, buf.String(), "2 errors, 1 warning", "one warning, not \"1 warnings\"")
	one := sample()
	one.Errors, one.Warnings = 1, 0
	buf.Reset()
	require.NoError(t, WriteText(&buf, one, "en"))
	require.Contains(t, buf.String(), "1 error, 0 warnings")
}
