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
	require.NotContains(t, is, "related", "related is left out when the issue used no other cell")

	// An issue that used other cells carries them, in order.
	res := sample()
	res.Issues[0].Related = []string{"C9", "C10"}
	buf.Reset()
	require.NoError(t, WriteJSON(&buf, res, "vi"))
	m = nil
	require.NoError(t, json.Unmarshal(buf.Bytes(), &m))
	is = m["issues"].([]any)[0].(map[string]any)
	for _, k := range []string{"sheet", "cell", "field", "rule", "severity", "value", "message", "related"} {
		require.Contains(t, is, k)
	}
	require.Equal(t, []any{"C9", "C10"}, is["related"])
	require.NotContains(t, m["issues"].([]any)[1].(map[string]any), "related")
}

// TestTextRelatedAndOwnMessages: an issue's line names the other cells it
// used after its cell, and an issue whose message (or fix) differs from its
// group's first prints its own: two missing columns give two explanations.
func TestTextRelatedAndOwnMessages(t *testing.T) {
	t.Parallel()
	res := &validate.Result{
		File: "BCQ_X_2025Q3.xlsx", Status: validate.Rejected, Reason: reason.InvalidData, Template: "BCQ-1", Errors: 4,
		Issues: []validate.Issue{
			{Sheet: "ThongTin", Cell: "C23", Field: "members_end_official", Rule: "TH-01", Severity: schema.Error, Value: "424",
				Related: []string{"C9", "C10", "C11"}, Message: schema.Text{VI: "Cân đối sai.", EN: "Balance off."}},
			{Sheet: "KetNap", Cell: "R1", Rule: "WB-COLUMN-MISSING", Severity: schema.Error,
				Message: schema.Text{VI: "Thiếu cột Ngày sinh ở R1.", EN: "Column Birth date missing at R1."},
				Hint:    schema.Text{VI: "Thêm cột Ngày sinh.", EN: "Add the Birth date column."}},
			{Sheet: "KetNap", Cell: "S1", Rule: "WB-COLUMN-MISSING", Severity: schema.Error,
				Message: schema.Text{VI: "Thiếu cột Quê quán ở S1.", EN: "Column Home town missing at S1."},
				Hint:    schema.Text{VI: "Thêm cột Quê quán.", EN: "Add the Home town column."}},
			{Sheet: "KetNap", Cell: "T1", Rule: "WB-COLUMN-MISSING", Severity: schema.Error,
				Message: schema.Text{VI: "Thiếu cột Ngày sinh ở R1.", EN: "Column Birth date missing at R1."},
				Hint:    schema.Text{VI: "Thêm cột Ngày sinh.", EN: "Add the Birth date column."}},
		},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteText(&buf, res, "vi"))
	out := buf.String()
	require.Contains(t, out, "\n      C23 (members_end_official) = \"424\"; ô liên quan: C9, C10, C11\n")
	require.Equal(t, 1, strings.Count(out, "[WB-COLUMN-MISSING]"), "one group")
	require.Contains(t, out, "[WB-COLUMN-MISSING] Lỗi — Thiếu cột Ngày sinh ở R1. (3)")
	require.Contains(t, out, "\n      R1\n", "the first issue's message is the heading's")
	require.Contains(t, out, "\n      S1 — Thiếu cột Quê quán ở S1. — Cách sửa: Thêm cột Quê quán.\n")
	require.Contains(t, out, "\n      T1\n", "the same message as the heading's is not repeated")
	require.Equal(t, 1, strings.Count(out, "Thiếu cột Ngày sinh"))
	require.Equal(t, 1, strings.Count(out, "Thiếu cột Quê quán"))

	buf.Reset()
	require.NoError(t, WriteText(&buf, res, "en"))
	out = buf.String()
	require.Contains(t, out, "C23 (members_end_official) = \"424\"; related cells: C9, C10, C11\n")
	require.Contains(t, out, "S1 — Column Home town missing at S1. — How to fix: Add the Home town column.\n")
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
