package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// TestIngestUnchangedResubmission: a sample return opened and saved again
// (excelize, a wider column) is told to the operator as unchanged from
// version 1 received on its day, in text and in JSON, and loads nothing.
func TestIngestUnchangedResubmission(t *testing.T) {
	st, path, _ := ingestSample(t)

	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	require.NoError(t, f.SetColWidth("ThongTin", "B", "B", 61))
	again := filepath.Join(t.TempDir(), "BCQ_GD-HSG-003_2025Q3 (1).xlsx")
	require.NoError(t, f.SaveAs(again))
	require.NoError(t, f.Close())
	orig, err := os.ReadFile(path)
	require.NoError(t, err)
	resaved, err := os.ReadFile(again)
	require.NoError(t, err)
	require.NotEqual(t, orig, resaved)

	code, out, stderr := run(t, "ingest", again)
	require.Equal(t, ExitOK, code, out+stderr)
	require.Contains(t, out, "Báo cáo không thay đổi so với lần nộp số 1 ngày 05/10/2025")
	require.Contains(t, out, "0 đã nạp, 1 trùng, 0 bị từ chối")

	code, out, stderr = run(t, "ingest", "--json", "--lang", "en", again)
	require.Equal(t, ExitOK, code, out+stderr)
	var jr struct {
		Status      string `json:"status"`
		Version     int    `json:"version"`
		DuplicateOf string `json:"duplicate_of"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &jr), out)
	require.Equal(t, "duplicate", jr.Status)
	require.Equal(t, 1, jr.Version)
	require.Contains(t, jr.DuplicateOf, "The return is unchanged from version 1 received on 05/10/2025")

	var n int
	require.NoError(t, st.DB().Get(&n, `SELECT count(*) FROM returns.submission`))
	require.Equal(t, 1, n)
}
