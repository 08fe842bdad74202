package validate

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/sharedtest"
)

// TestMisfiledWorkbook: the registry or the recipients list given where a
// return is expected (the inbox, returns validate, returns ingest) is told
// in words what it is and where it goes, still TEMPLATE_MISMATCH; a return
// given to the registry import likewise. A return merely missing a sheet is
// not taken for another workbook.
func TestMisfiledWorkbook(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	samples := filepath.Join("..", "..", "samples")
	cases := []struct {
		file, template string
		vi, en, hint   string
	}{
		{"registry.xlsx", "BCQ-1",
			"Tệp này là danh sách đơn vị (sổ đăng ký, mẫu DONVI), không phải báo cáo quý",
			"This file is the organisation registry (template DONVI), not the quarterly return", "returns registry import"},
		{"recipients.xlsx", "BCQ-1",
			"Tệp này là danh sách người nhận báo cáo nhanh (mẫu NGUOINHAN), không phải báo cáo quý",
			"This file is the list of digest recipients (template NGUOINHAN), not the quarterly return", "returns recipients import"},
		{"recipients.xlsx", "DONVI",
			"Tệp này là danh sách người nhận báo cáo nhanh (mẫu NGUOINHAN), không phải danh sách đơn vị",
			"not the organisation registry", "returns recipients import"},
		{filepath.Join("valid", "BCQ_GD-HSG-001_2025Q2.xlsx"), "DONVI",
			"Tệp này là báo cáo quý (mẫu BCQ-1), không phải danh sách đơn vị",
			"This file is a quarterly return (template BCQ-1), not the organisation registry", "returns ingest"},
	}
	for _, c := range cases {
		res, err := CheckFile(context.Background(), filepath.Join(samples, c.file), set, Options{Template: c.template})
		require.NoError(t, err)
		require.Equal(t, Rejected, res.Status)
		require.Equal(t, reason.TemplateMismatch, res.Reason, c.file)
		require.Len(t, res.Issues, 1, "%s: %+v", c.file, res.Issues)
		is := res.Issues[0]
		require.Equal(t, RuleOtherTemplate, is.Rule)
		require.Empty(t, is.Value)
		require.Contains(t, is.Message.VI, c.vi, c.file)
		require.Contains(t, is.Message.EN, c.en, c.file)
		require.Contains(t, is.Hint.VI, c.hint, c.file)
		require.Contains(t, is.Hint.EN, c.hint, c.file)
	}

	res, err := CheckFile(context.Background(), filepath.Join(samples, "broken", "template_no_ketnap.xlsx"), set, Options{})
	require.NoError(t, err)
	require.Equal(t, reason.TemplateMismatch, res.Reason)
	for _, is := range res.Issues {
		require.NotEqual(t, RuleOtherTemplate, is.Rule, "a return without KetNap is still a return")
	}
}
