package validate

import (
	"bytes"
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
)

// groupVI writes n the Vietnamese way (dots between thousands), by hand
// rather than through etl/locale, which the code under test uses.
func groupVI(n int64, sep string) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// TestBalanceSaysExpectedValue: the TH-01 sample gives 424 full members at
// the end where the balance gives 421. The issue must say the number
// expected and the sum behind it, in both languages with their number
// formats, and list every ThongTin cell the sum reads. The expected figure
// is worked out here from the cells, the workbook read with excelize, with
// the start raised past a thousand so that grouping shows.
func TestBalanceSaysExpectedValue(t *testing.T) {
	t.Parallel()
	f, err := excelize.OpenFile(filepath.Join("..", "..", "samples", "broken", "invalid_th01_balance.xlsx"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("ThongTin")
	require.NoError(t, err)
	cell := map[string]string{}
	val := map[string]int64{}
	for i, r := range rows {
		if len(r) < 3 || r[1] == "" {
			continue
		}
		cell[r[1]] = "C" + strconv.Itoa(i+1)
		if n, err := strconv.ParseInt(strings.ReplaceAll(r[2], ".", ""), 10, 64); err == nil {
			val[r[1]] = n
		}
	}
	val["members_start_official"] += 3629
	require.NoError(t, f.SetCellInt("ThongTin", cell["members_start_official"], val["members_start_official"]))
	val["members_end_official"] += 3629
	require.NoError(t, f.SetCellInt("ThongTin", cell["members_end_official"], val["members_end_official"]))
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))

	plus := []string{"members_start_official", "members_start_probationary", "admitted", "readmitted", "transfer_in_official", "increase_other"}
	minus := []string{"transfer_out_official", "deceased", "expelled", "struck_off", "resigned", "decrease_other", "members_end_probationary"}
	var want int64
	for _, k := range plus {
		want += val[k]
	}
	for _, k := range minus {
		want -= val[k]
	}
	given := val["members_end_official"]
	require.NotEqual(t, want, given)
	require.Greater(t, want, int64(999))

	res, err := CheckReader(context.Background(), bytes.NewReader(buf.Bytes()), int64(buf.Len()), sharedtest.Schemas(t), Options{Now: fixedNow})
	require.NoError(t, err)
	th01 := lastIssue(t, res, "TH-01")
	require.Equal(t, cell["members_end_official"], th01.Cell)
	vi, en := th01.Message.VI, th01.Message.EN
	require.Contains(t, vi, "phải là "+groupVI(want, ".")+" = "+groupVI(val["members_start_official"], ".")+" (đầu kỳ chính thức)")
	require.Contains(t, vi, "tệp ghi "+groupVI(given, ".")+" (chính thức cuối kỳ)")
	require.Contains(t, vi, "− "+groupVI(val["members_end_probationary"], ".")+" (dự bị cuối kỳ)")
	require.Contains(t, en, "must be "+groupVI(want, ",")+" = "+groupVI(val["members_start_official"], ",")+" (full at start)")
	require.Contains(t, en, "the file gives "+groupVI(given, ","))
	// Every term that is not 0 is in the sum, with its sign.
	for _, k := range append(plus, minus...) {
		if val[k] == 0 {
			continue
		}
		require.Contains(t, vi, groupVI(val[k], ".")+" (", k)
	}

	var wantCells []string
	for _, k := range append(append(plus, minus...), "members_end_official") {
		if c := cell[k]; c != th01.Cell {
			wantCells = append(wantCells, c)
		}
	}
	require.ElementsMatch(t, wantCells, th01.Related, "every ThongTin cell of the sum is part of the issue")
}

// TestExpectText covers the wording of ranges, signs and single terms.
func TestExpectText(t *testing.T) {
	t.Parallel()
	term := func(sign int64, vi string) *schema.Term {
		return &schema.Term{Sign: sign, Label: schema.Text{VI: vi, EN: vi + "-en"}}
	}
	e := &schema.Expect{
		What:  schema.Text{VI: "Dự bị cuối kỳ", EN: "Probationary at end"},
		Given: []*schema.Term{term(1, "dự bị cuối kỳ")},
		Sum:   []*schema.Term{term(1, "đầu kỳ"), term(-1, "công nhận"), term(1, "chuyển đến")},
		Less:  []*schema.Term{term(1, "từ trần"), term(1, "xóa tên")},
		More:  []*schema.Term{term(1, "tăng khác")},
	}
	o := schema.Outcome{Given: 5000, Given1: []int64{5000}, Base: 4046 - 12, Sum1: []int64{4046, 12, 0},
		Less: 3, Less1: []int64{1, 2}, More: 0, More1: []int64{0}, Lo: 4031, Hi: 4034, OutOfRange: true}
	x := expectText(e, o)
	require.Equal(t, "Dự bị cuối kỳ phải từ 4.031 đến 4.034: 4.034 = 4.046 (đầu kỳ) − 12 (công nhận), trừ tối đa 3 = 1 (từ trần) + 2 (xóa tên), cộng tối đa 0 (tăng khác); tệp ghi 5.000 (dự bị cuối kỳ).", x.VI)
	require.Equal(t, "Probationary at end must be between 4,031 and 4,034: 4,034 = 4,046 (đầu kỳ-en) − 12 (công nhận-en), less up to 3 = 1 (từ trần-en) + 2 (xóa tên-en), plus up to 0 (tăng khác-en); the file gives 5,000 (dự bị cuối kỳ-en).", x.EN)

	one := &schema.Expect{What: schema.Text{VI: "Số kết nạp mới", EN: "Admitted"},
		Given: []*schema.Term{term(1, "kết nạp mới")}, Sum: []*schema.Term{term(1, "số dòng ở trang KetNap")}}
	x = expectText(one, schema.Outcome{Given: 5, Given1: []int64{5}, Base: 0, Sum1: []int64{0}, OutOfRange: true})
	require.Equal(t, "Số kết nạp mới phải là 0 (số dòng ở trang KetNap); tệp ghi 5 (kết nạp mới).", x.VI)
	x = expectText(one, schema.Outcome{Given: 5, Given1: []int64{5}, Base: 4, Sum1: []int64{4}, OutOfRange: true})
	require.Equal(t, "Số kết nạp mới phải là 4 (số dòng ở trang KetNap); tệp ghi 5 (kết nạp mới).", x.VI)
	neg := &schema.Expect{What: schema.Text{VI: "X", EN: "X"}, Given: []*schema.Term{term(1, "x")},
		Sum: []*schema.Term{term(1, "a"), term(-1, "b")}}
	x = expectText(neg, schema.Outcome{Given: 0, Given1: []int64{0}, Base: -1000, Sum1: []int64{0, 1000}, OutOfRange: true})
	require.Equal(t, "X phải là −1.000 = −1.000 (b); tệp ghi 0 (x).", x.VI)
}

// TestCountSaysExpectedValue: the TH-03 sample gives one more official
// transfer in than ChuyenSinhHoat has rows for; the issue says how many
// rows there are (counted here with excelize) and the number given.
func TestCountSaysExpectedValue(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "samples", "broken", "invalid_th03_counts.xlsx")
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("ChuyenSinhHoat")
	require.NoError(t, err)
	col := map[string]int{}
	for i, name := range rows[1] {
		col[name] = i
	}
	var n int64
	for _, r := range rows[2:] {
		get := func(k string) string {
			if col[k] < len(r) {
				return r[col[k]]
			}
			return ""
		}
		if get("direction") == "DEN" && get("transfer_type") == "CHINH_THUC" {
			n++
		}
	}
	given, err := f.GetCellValue("ThongTin", "C15")
	require.NoError(t, err)

	res, err := CheckFile(context.Background(), path, sharedtest.Schemas(t), Options{Now: fixedNow})
	require.NoError(t, err)
	is := lastIssue(t, res, "TH-03")
	require.Contains(t, is.Message.VI, "Số chuyển đến chính thức phải là "+strconv.FormatInt(n, 10)+
		" (số dòng ở trang ChuyenSinhHoat có Chiều = DEN và Hình thức = CHINH_THUC); tệp ghi "+given+" (chuyển đến chính thức).")
	require.Contains(t, is.Message.EN, "Official transfers in must be "+strconv.FormatInt(n, 10)+" (ChuyenSinhHoat rows with direction DEN and type CHINH_THUC); the file gives "+given)
	require.Empty(t, is.Related, "the rows are on another sheet: only the ThongTin cell is marked")
}
