package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/store/storetest"
)

// TestDecidedBy: who decided a discipline, from the free-text body
// (migration 00022), whatever the case or the spelling of "ủy"/"uỷ", and
// whatever the database's locale.
func TestDecidedBy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.New(t)
	for body, want := range map[string]string{
		"Ủy ban Kiểm tra Đảng ủy xã Hư Cấu":   "UBKT",
		"  uỷ ban kiểm tra Huyện ủy Giả Định": "UBKT",
		"ỦY BAN KIỂM TRA TỈNH ỦY":             "UBKT",
		"TỈNH ỦY GIẢ ĐỊNH":                    "CAP_UY",
		"UBKT Đảng ủy Khối":                   "UBKT",
		"Ban Thường vụ Đảng ủy phường Mẫu":    "BTV",
		"BTV Huyện ủy":                        "BTV",
		"Chi bộ Thôn Một":                     "CHI_BO",
		"Đảng ủy Công ty Ví Dụ":               "CAP_UY",
		"Đảng bộ xã Hư Cấu":                   "CAP_UY",
		"Tỉnh uỷ Giả Định":                    "CAP_UY",
		"Huyện ủy Mẫu":                        "CAP_UY",
		"Hội đồng kỷ luật":                    "KHAC",
		"":                                    "KHAC",
		"UBKTX":                               "KHAC",
	} {
		var got string
		require.NoError(t, st.DB().GetContext(ctx, &got, `SELECT returns.decided_by($1)`, body))
		require.Equal(t, want, got, "%q", body)
	}
	var got string
	require.NoError(t, st.DB().GetContext(ctx, &got, `SELECT returns.decided_by(NULL)`))
	require.Equal(t, "KHAC", got)
}
