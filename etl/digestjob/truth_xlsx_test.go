package digestjob_test

// The xlsx attachment read back with excelize (raw cell values) and
// compared with the independent model, sheet by sheet.

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/digest"
	"github.com/returns-project/returns/etl/store"
)

// sheetRows reads a sheet of the attachment with raw values.
func sheetRows(t testing.TB, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil
	}
	return rows
}

func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

func num(n int) string { return strconv.Itoa(n) }

// frac is a fraction as the model computes it, for numeric comparison.
func frac(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// eqCell compares a cell: numerically (to 1e-9) when the expected value is
// a number, as text otherwise.
func (s *tScore) eqCell(id, want, got string) {
	wf, err1 := strconv.ParseFloat(want, 64)
	gf, err2 := strconv.ParseFloat(got, 64)
	if err1 == nil && err2 == nil && math.Abs(wf-gf) <= 1e-9*math.Max(1, math.Abs(wf)) {
		s.compared++
		s.matched++
		return
	}
	s.eq(id, want, got)
}

// eqRow compares every expected field of a row (want, by field name) with
// the cell of its column (col: field name → column index), in field order.
func (s *tScore) eqRow(id string, want map[string]string, col map[string]int, row []string) {
	for _, k := range slices.Sorted(maps.Keys(want)) {
		c, ok := col[k]
		if !ok {
			s.miss(id+"."+k, "column missing")
			continue
		}
		s.eqCell(id+"."+k, want[k], cell(row, c))
	}
}

// serial is an instant as an Excel date-time serial of its wall clock in Vietnam.
func serial(t time.Time) string {
	wall := t.In(time.FixedZone("ICT", 7*3600))
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	w := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), time.UTC)
	return frac(w.Sub(base).Hours() / 24)
}

// tHeads are the column headers of the attachment (vi, en).
var tHeads = map[string][2]string{
	"name": {"Đơn vị", "Organisation"}, "code": {"Mã", "Code"}, "parent": {"Mã cấp trên", "Parent"}, "version": {"Lần nộp", "Version"},
	"first": {"Nhận lần đầu", "First received"}, "ontime": {"Đúng hạn", "On time"}, "status": {"Tình trạng", "Status"},
	"file": {"Tệp", "File"}, "received": {"Nhận lúc (bản hiện hành)", "Received (current version)"}, "subid": {"Mã lần nộp (submission_id)", "Submission id"},
	"rep": {"Tính vào đơn vị (sáp nhập)", "Counted in (merger)"}, "quarter": {"Quý", "Quarter"},
	"start": {"Đầu quý", "At start of quarter"}, "end": {"Cuối quý", "At end of quarter"}, "net": {"Tăng/giảm trong quý", "Net change"},
	"official": {"Chính thức (cuối quý)", "Full members (end)"}, "prob": {"Dự bị (cuối quý)", "Probationary (end)"},
	"recognised": {"Công nhận chính thức trong quý", "Recognised as full members"},
	"deceased":   {"Từ trần", "Deceased"}, "struck_off": {"Xóa tên", "Struck off"}, "resigned": {"Xin ra khỏi Đảng", "Resigned"},
	"expelled": {"Khai trừ", "Expelled"}, "decrease_other": {"Giảm khác", "Other decreases"},
	"adm": {"Kết nạp trong quý", "Admitted in the quarter"}, "admitted": {"Kết nạp", "Admitted"}, "readmitted": {"Kết nạp lại", "Readmitted"},
	"tin": {"Chuyển đến chính thức", "Official transfers in"}, "tout": {"Chuyển đi chính thức", "Official transfers out"},
	"tnet": {"Chênh lệch chuyển chính thức", "Official transfers, net"}, "tempin": {"Tạm thời đến", "Temporary in"}, "tempout": {"Tạm thời đi", "Temporary out"},
	"superv": {"Giám sát (lượt)", "Supervisions"}, "inspect": {"Kiểm tra (lượt)", "Inspections"},
	"violation": {"Kết luận có vi phạm", "Found in violation"}, "signs": {"Có dấu hiệu vi phạm", "With signs of violation"},
	"disciplined": {"Thi hành kỷ luật qua giám sát, kiểm tra", "Disciplined as a result"}, "disc": {"Kỷ luật", "Disciplinary measures"},
	"disc_gs": {"trong đó qua giám sát, kiểm tra", "of which after supervision or inspection"}, "disc_kl": {"trong đó kỷ luật khác (KyLuat)", "of which other (KyLuat)"},
	"ytd": {"Lũy kế từ đầu năm", "Year to date"}, "target": {"Chỉ tiêu năm", "Annual target"}, "progress": {"% chỉ tiêu", "% of target"},
	"rows": {"Dòng KetNap", "KetNap rows"}, "women": {"Nữ", "Women"}, "youth": {"Đoàn viên TNCS HCM", "Youth Union members"},
	"minority": {"Dân tộc thiểu số", "Ethnic minorities"}, "religious": {"Có đạo", "Religious"}, "nonstate": {"Ngoài khu vực nhà nước / FDI", "Non-state sector / FDI"},
	"warnings": {"Cảnh báo", "Warnings"},
}

// columns maps the header keys to column indexes of a header row.
func columns(lang string, header []string) map[string]int {
	at := map[string]int{}
	for i, h := range header {
		at[strings.TrimSpace(h)] = i
	}
	out := map[string]int{}
	for k, v := range tHeads {
		l := v[0]
		if lang == "en" {
			l = v[1]
		}
		if i, ok := at[l]; ok {
			out[k] = i
		}
	}
	return out
}

// unitValues are the per-return figures of the DonVi and SoLieuGoc sheets.
func unitValues(w *tWorld, r *tRet) map[string]string {
	n := func(f string) string { return num(r.info.n(f)) }
	return map[string]string{
		"start": num(mStart(r)), "end": num(mEnd(r)), "net": num(mNet(r)), "official": n("members_end_official"), "prob": n("members_end_probationary"),
		"recognised": n("recognised_official"), "deceased": n("deceased"), "struck_off": n("struck_off"), "resigned": n("resigned"),
		"expelled": n("expelled"), "decrease_other": n("decrease_other"), "adm": num(mAdm(r)), "admitted": n("admitted"), "readmitted": n("readmitted"),
		"tempin": num(mTransfer("DEN", "TAM_THOI")(r)), "tempout": num(mTransfer("DI", "TAM_THOI")(r)),
		"superv": num(mGiamSat(r)), "inspect": num(mKiemTra(r)),
		"violation":   num(rows("GiamSat", func(x tRow) bool { return x["result"] == "CO_VI_PHAM" })(r)),
		"signs":       num(rows("GiamSat", func(x tRow) bool { return x["result"] == "CO_DAU_HIEU_VI_PHAM" })(r)),
		"disciplined": num(mDiscGS(r)), "disc": num(mDisc(r)), "disc_gs": num(mDiscGS(r)), "disc_kl": num(mDiscKL(r)),
		"target": n("admission_target_year"), "rows": num(mKetNap(r)), "women": num(mWomen(r)), "youth": num(mYouth(r)),
		"minority": num(mMinority(r)), "religious": num(mReligious(r)), "nonstate": num(mNonState(r)), "warnings": num(r.warnings),
		"file": r.file, "received": serial(r.received),
	}
}

// compareXLSX reads the attachment back and compares its sheets.
func compareXLSX(t testing.TB, s *tScore, st *store.Store, who, lang string, w *tWorld, e *tDigest, b []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer f.Close()
	l := func(vi, en string) string {
		if lang == "en" {
			return en
		}
		return vi
	}
	subIDs := submissionIDs(t, st)

	// TongHop: one row per figure id.
	sum := map[string][]string{}
	for _, row := range sheetRows(t, f, digest.SheetSummary) {
		if len(row) > 0 {
			sum[cell(row, 0)] = row
		}
	}
	empty6 := []string{"", "", "", "", "", ""}
	noBase := l("— (chưa có báo cáo)", "— (no return)")
	cmp := func(c tChange, net bool, note string) []string {
		if !c.has {
			return []string{"", "", "", "", "0", noBase}
		}
		pct := ""
		if !net {
			pct = "—"
			if p, ok := c.pct(); ok {
				pct = frac(p / 100)
			}
		}
		return []string{num(c.base), num(c.cur), num(c.delta()), pct, num(c.orgs), note}
	}
	want := map[string][]string{}
	pp := func(x float64) string { return fSignedDec(lang, x) + " " + l("điểm %", "pp") }
	// The returns against the previous quarter (the key figures box): the
	// previous count, this one, the change, the expected returns then and
	// the change of the rate in points; rejected files of the previous
	// quarter are not compared.
	ret := func(id string, n int) {
		share := "—"
		if e.expected > 0 {
			share = frac(float64(n) / float64(e.expected))
		}
		qoq := empty6
		switch {
		case id == "returns_rejected":
		case e.prevExpected == 0:
			qoq = []string{"", "", "", "", "0", noBase}
		default:
			p := e.prevCount[id]
			note := ""
			if e.expected > 0 {
				note = pp(100*float64(n)/float64(e.expected) - 100*float64(p)/float64(e.prevExpected))
			}
			qoq = []string{num(p), num(n), num(n - p), "", num(e.prevExpected), note}
		}
		want[id] = append(append([]string{num(n), share}, qoq...), empty6...)
	}
	ret("returns_expected", e.expected)
	ret("returns_reported", e.reported)
	ret("returns_on_time", e.onTime)
	ret("returns_late", e.late)
	ret("returns_rejected", e.rejected)
	ret("returns_missing", e.missing)
	metric := func(id string, m tMetric, net bool) {
		v := num(m.value)
		want[id] = append(append([]string{v, ""}, cmp(m.qoq, net, "")...), cmp(m.yoy, net, "")...)
	}
	for id, m := range map[string]tMetric{"members_start": e.start, "members_end": e.end, "members_official": e.official,
		"members_probationary": e.prob, "members_recognised": e.recognised, "left_deceased": e.left["deceased"],
		"left_struck_off": e.left["struck_off"], "left_resigned": e.left["resigned"], "left_expelled": e.left["expelled"],
		"left_other": e.left["decrease_other"], "admissions_quarter": e.adm, "transfers_in": e.tin, "transfers_out": e.tout,
		"transfers_temp_in": e.tempIn, "transfers_temp_out": e.tempOut, "supervisions": e.superv, "inspections": e.inspect,
		"outcome_violation": e.violation, "outcome_signs": e.signs, "outcome_disciplined": e.discGS, "disciplines": e.disc,
		"disciplines_giamsat": e.discGS, "disciplines_kyluat": e.discKL} {
		metric(id, m, false)
	}
	metric("members_net", e.net, true)
	metric("transfers_net", e.tnet, true)
	ytdNote := ""
	if !e.ytd.yoy.has {
		ytdNote = l(fmt.Sprintf("— (năm %d không có báo cáo cùng quý)", e.q.year()-1), fmt.Sprintf("— (%d has no returns for the same quarters)", e.q.year()-1))
	} else if len(e.ytdQuarters) < e.q.qn() {
		ytdNote = ytdLabel(lang, e)
	}
	ytdYoY := cmp(e.ytd.yoy, false, ytdNote)
	if !e.ytd.yoy.has {
		ytdYoY[5] = ytdNote
	}
	want["admissions_ytd"] = append(append([]string{num(e.ytd.value), ""}, empty6...), ytdYoY...)
	want["admissions_target"] = append(append([]string{num(e.target), ""}, empty6...), empty6...)
	progress := l("chưa có chỉ tiêu", "no target")
	if e.progressOK {
		progress = frac(e.progress / 100)
	}
	added := []string{"", "", num(e.adm.value), "", "", ""}
	if e.progressOK {
		added[5] = pp(100 * float64(e.adm.value) / float64(e.target))
	}
	want["admissions_progress"] = append(append([]string{num(e.ytd.value), progress}, added...), empty6...)
	for id, sh := range map[string]tShare{"share_women": e.women, "share_youth": e.youth, "share_minority": e.minority,
		"share_religious": e.religious, "share_nonstate": e.nonState} {
		share := "—"
		if sh.den > 0 {
			share = frac(float64(sh.num) / float64(sh.den))
		}
		pp := func(x float64, ok bool) []string {
			v := "—"
			if ok {
				v = frac(x)
			}
			return []string{"", "", v, "", "", l("điểm %", "pp")}
		}
		want[id] = append(append([]string{num(sh.num), share}, pp(sh.qoq, sh.qoqOK)...), pp(sh.yoy, sh.yoyOK)...)
	}
	for _, id := range slices.Sorted(maps.Keys(want)) {
		row, ok := sum[id]
		if !ok {
			s.miss(who+" TongHop."+id, "row missing")
			continue
		}
		for i, x := range want[id] {
			s.eqCell(fmt.Sprintf("%s TongHop.%s[%d]", who, id, i+2), x, cell(row, i+2))
		}
	}
	// Excel number formats, so that a Vietnamese Excel shows 4.046 and
	// 89,51%: every number of TongHop is checked.
	fmtOf := func(sheet string, col, row int) string {
		axis, _ := excelize.CoordinatesToCellName(col+1, row+1)
		id, err := f.GetCellStyle(sheet, axis)
		if err != nil {
			return "?"
		}
		st, err := f.GetStyle(id)
		if err != nil || st == nil {
			return "?"
		}
		if st.CustomNumFmt != nil {
			return *st.CustomNumFmt
		}
		return map[int]string{0: "General", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 22: "m/d/yy h:mm", 49: "@"}[st.NumFmt]
	}
	const fInt, fPct, fSign, fPoints = "#,##0", "0.00%", "+#,##0;-#,##0;0", "+0.00;-0.00;0.00"
	for i, row := range sheetRows(t, f, digest.SheetSummary) {
		if i == 0 {
			continue
		}
		share := strings.HasPrefix(cell(row, 0), "share_")
		kinds := []string{fInt, fPct}
		if id := cell(row, 0); id == "members_net" || id == "transfers_net" {
			kinds[0] = fSign // a net change is printed with its sign
		}
		for range 2 {
			change := fSign
			if share {
				change = fPoints
			}
			kinds = append(kinds, fInt, fInt, change, fPct, fInt, "")
		}
		for j, k := range kinds {
			if _, err := strconv.ParseFloat(cell(row, j+2), 64); err != nil || k == "" {
				continue
			}
			s.eq(fmt.Sprintf("%s TongHop.%s[%d].format", who, cell(row, 0), j+2), k, fmtOf(digest.SheetSummary, j+2, i))
		}
	}

	for id := range sum {
		if _, ok := want[id]; !ok && id != l("Mã chỉ tiêu", "Figure id") {
			s.miss(who+" TongHop."+id, "a figure the model does not know")
		}
	}

	// DonVi: one row per return of the quarter.
	deadline := e.deadline
	yes, no := l("C", "Y"), l("K", "N")
	units := sheetRows(t, f, digest.SheetUnits)
	var col map[string]int
	byCode := map[string][]string{}
	if len(units) > 0 {
		col = columns(lang, units[0])
		for _, row := range units[1:] {
			byCode[cell(row, col["code"])] = row
		}
	}
	ytdBy := map[string]int{}
	for k := 1; k <= e.q.qn(); k++ {
		for code := range w.cur {
			if r := w.cur[code][mkq(e.q.year(), k)]; r != nil {
				ytdBy[w.rep(code, e.q)] += mAdm(r)
			}
		}
	}
	for _, r := range e.rets {
		id := who + " DonVi." + r.org
		row, ok := byCode[r.org]
		if !ok {
			s.miss(id, "row missing")
			continue
		}
		v := unitValues(w, r)
		v["name"], v["parent"], v["version"] = w.orgs[r.org].name, w.orgs[r.org].parent, num(w.versions[r.org][e.q])
		v["first"] = serial(w.first[r.org][e.q])
		v["ontime"] = yes
		if w.first[r.org][e.q].After(deadline) {
			v["ontime"] = no
		}
		v["tin"], v["tout"] = num(mTransfer("DEN", "CHINH_THUC")(r)), num(mTransfer("DI", "CHINH_THUC")(r))
		v["tnet"] = num(mTransfer("DEN", "CHINH_THUC")(r) - mTransfer("DI", "CHINH_THUC")(r))
		v["ytd"] = num(ytdBy[r.org])
		v["progress"] = "—"
		if t := r.info.n("admission_target_year"); t > 0 {
			v["progress"] = frac(float64(ytdBy[r.org]) / float64(t))
		}
		v["subid"] = subIDs[subKey(r.org, e.q)]
		delete(v, "admitted")
		s.eqRow(id, v, col, row)
	}
	s.eq(who+" DonVi.rows", num(len(e.rets)), num(max(0, len(units)-1)))
	if len(units) > 1 {
		if c, ok := col["first"]; ok {
			s.eq(who+" DonVi.first.format", "dd/mm/yyyy hh:mm", fmtOf(digest.SheetUnits, c, 1))
		}
	}

	in := w.scope(e.scope.code)
	// TinhHinhNop: every expected organisation with its return.
	status := sheetRows(t, f, digest.SheetReturns)
	var scol map[string]int
	byCode = map[string][]string{}
	if len(status) > 0 {
		scol = columns(lang, status[0])
		for _, row := range status[1:] {
			byCode[cell(row, scol["code"])] = row
		}
	}
	expected := 0
	for _, code := range w.order {
		o := w.orgs[code]
		if !in[code] || !o.grassroots() || !o.activeIn(e.q) {
			continue
		}
		expected++
		id := who + " TinhHinhNop." + code
		row, ok := byCode[code]
		if !ok {
			s.miss(id, "row missing")
			continue
		}
		r := w.cur[code][e.q]
		v := map[string]string{"name": o.name}
		switch {
		case r == nil && w.rejected[code][e.q] != "":
			v["status"] = l("bị từ chối: ", "rejected: ") + w.rejected[code][e.q]
		case r == nil:
			v["status"] = l("Chưa có báo cáo", "Missing")
		default:
			v["status"] = l("Đúng hạn", "On time")
			if w.first[code][e.q].After(deadline) {
				v["status"] = l("Nộp muộn", "Late")
			}
			v["version"], v["first"], v["file"] = num(w.versions[code][e.q]), serial(w.first[code][e.q]), r.file
			v["subid"] = subIDs[subKey(code, e.q)]
		}
		for _, k := range []string{"name", "status", "version", "first", "file", "subid"} {
			s.eqCell(id+"."+k, v[k], cell(row, scol[k]))
		}
	}
	s.eq(who+" TinhHinhNop.rows", num(expected), num(max(0, len(status)-1)))

	// TheoQuy: admissions, year to date and target by quarter.
	in = w.scope(e.scope.code)
	qrows := sheetRows(t, f, digest.SheetQuarters)
	if len(qrows) > 0 {
		qrows = qrows[1:]
	}
	s.eq(who+" TheoQuy.rows", num(len(e.byQuarter)), num(len(qrows)))
	for i, x := range e.byQuarter {
		if i >= len(qrows) {
			break
		}
		id := fmt.Sprintf("%s TheoQuy.%d-Q%d", who, x.q.year(), x.q.qn())
		s.eq(id+".quarter", qname(lang, x.q), cell(qrows[i], 0))
		for j, v := range []int{x.adm, x.ytd, x.target} {
			s.eq(fmt.Sprintf("%s[%d]", id, j+1), num(v), cell(qrows[i], j+1))
		}
		// A year to date that lacks an earlier quarter of its year says so.
		var missing []int
		for k := 1; k < x.q.qn(); k++ {
			if len(w.retsIn(in, mkq(x.q.year(), k))) == 0 {
				missing = append(missing, k)
			}
		}
		note := ""
		if len(missing) > 0 {
			note = l(fmt.Sprintf("Lũy kế năm %d thiếu %s (không có báo cáo)", x.q.year(), quarterList(missing)),
				fmt.Sprintf("Year to date %d lacks %s (no returns)", x.q.year(), quarterList(missing)))
		}
		s.eq(id+".note", note, cell(qrows[i], 4))
	}

	in = w.scope(e.scope.code)
	// SoLieuGoc: every organisation and quarter the comparisons use.
	hist := sheetRows(t, f, digest.SheetHistory)
	var hcol map[string]int
	type key struct{ code, q string }
	byKey := map[key][]string{}
	if len(hist) > 0 {
		hcol = columns(lang, hist[0])
		for _, row := range hist[1:] {
			byKey[key{cell(row, hcol["code"]), cell(row, hcol["quarter"])}] = row
		}
	}
	nHist := 0
	for k := mkq(e.q.year()-1, 1); k <= e.q; k++ {
		for _, r := range w.retsIn(in, k) {
			nHist++
			id := fmt.Sprintf("%s SoLieuGoc.%s.%d-Q%d", who, r.org, k.year(), k.qn())
			row, ok := byKey[key{r.org, qname(lang, k)}]
			if !ok {
				s.miss(id, "row missing")
				continue
			}
			v := unitValues(w, r)
			v["name"], v["rep"], v["version"] = w.orgs[r.org].name, w.rep(r.org, e.q), num(w.versions[r.org][k])
			v["first"], v["subid"] = serial(w.first[r.org][k]), subIDs[subKey(r.org, k)]
			v["tin"], v["tout"] = r.info["transfer_in_official"], r.info["transfer_out_official"]
			for _, drop := range []string{"net", "adm", "tnet", "superv", "inspect", "violation", "signs", "disciplined", "disc", "disc_gs", "disc_kl", "received"} {
				delete(v, drop)
			}
			s.eqRow(id, v, hcol, row)
		}
	}
	s.eq(who+" SoLieuGoc.rows", num(nHist), num(max(0, len(hist)-1)))

	// ChuyenSH and GiamSat: counts per organisation, quarter and codes.
	countSheet := func(sheet, id string, want map[string]int, keyCols []int, nCol int) {
		got := map[string]int{}
		for i, row := range sheetRows(t, f, sheet) {
			if i == 0 {
				continue
			}
			var k []string
			for _, c := range keyCols {
				k = append(k, cell(row, c))
			}
			n := 1 // a sheet of rows, not of counts
			if nCol >= 0 {
				n, _ = strconv.Atoi(cell(row, nCol))
			}
			got[strings.Join(k, "|")] += n
		}
		all := map[string]bool{}
		for k := range want {
			all[k] = true
		}
		for k := range got {
			all[k] = true
		}
		sorted := make([]string, 0, len(all))
		for k := range all {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			s.eq(who+" "+id+"."+k, num(want[k]), num(got[k]))
		}
	}
	wantT, wantG := map[string]int{}, map[string]int{}
	outcomes := l("Kết quả giám sát, kiểm tra", "Outcomes of supervision and inspection")
	disc := l("Kỷ luật", "Disciplinary measures")
	for k := mkq(e.q.year()-1, 1); k <= e.q; k++ {
		for _, r := range w.retsIn(in, k) {
			qn := qname(lang, k)
			for _, x := range r.sheets["ChuyenSinhHoat"] {
				wantT[strings.Join([]string{r.org, qn, code(lang, x["direction"]), code(lang, x["transfer_type"]), code(lang, x["scope"])}, "|")]++
			}
			for _, x := range r.sheets["GiamSat"] {
				form := x["supervision_form"]
				if form == "" {
					form = x["inspection_type"]
				}
				wantG[strings.Join([]string{r.org, qn, code(lang, x["activity"]), code(lang, x["actor"]), code(lang, form), code(lang, x["subject_type"])}, "|")]++
				res := code(lang, x["result"])
				if x["discipline_form"] != "" {
					res += " – " + disc
				}
				wantG[strings.Join([]string{r.org, qn, outcomes, code(lang, x["activity"]), res, ""}, "|")]++
				if x["discipline_form"] != "" {
					wantG[strings.Join([]string{r.org, qn, disc, code(lang, decidedBy(x["discipline_body"])) + " / " + origin(lang, "GiamSat"),
						code(lang, x["discipline_form"]), code(lang, x["subject_type"])}, "|")]++
				}
			}
			for _, x := range r.sheets["KyLuat"] {
				wantG[strings.Join([]string{r.org, qn, disc, code(lang, decidedBy(x["discipline_body"])) + " / " + origin(lang, "KyLuat"),
					code(lang, x["discipline_form"]), code(lang, x["subject_type"])}, "|")]++
			}
		}
	}
	countSheet(digest.SheetTransfers, "ChuyenSH", wantT, []int{1, 2, 3, 4, 5}, 6)

	// CanXuLy: the people to act on, only with personal data.
	wantP := map[string]int{}
	for _, p := range e.people {
		kind := l("Hết thời gian dự bị, cần xét công nhận", "Probation ended: due for recognition")
		if p.kind == "unmatched" {
			kind = l("Chuyển sinh hoạt chưa khớp", "Unmatched transfer")
		}
		wantP[strings.Join([]string{w.orgs[p.org].name, p.org, kind, p.name, p.detail, p.date.Format("02/01/2006")}, "|")]++
	}
	countSheet(digest.SheetPeople, "CanXuLy", wantP, []int{0, 1, 2, 3, 4, 5}, -1)
	countSheet(digest.SheetSuperv, "GiamSat", wantG, []int{1, 2, 3, 4, 5, 6}, 7)
}

// quarterList is "Q1", "Q1–Q2" (consecutive) or "Q1, Q3".
func quarterList(qs []int) string {
	parts := make([]string, len(qs))
	consecutive := true
	for i, q := range qs {
		parts[i] = fmt.Sprintf("Q%d", q)
		consecutive = consecutive && (i == 0 || q == qs[i-1]+1)
	}
	if len(qs) > 1 && consecutive {
		return parts[0] + "–" + parts[len(parts)-1]
	}
	return strings.Join(parts, ", ")
}

func subKey(org string, q tq) string { return fmt.Sprintf("%s|%d|%d", org, q.year(), q.qn()) }

// submissionIDs are the submission ids of the current returns, from
// reporting.submissions (itself compared with the workbooks).
func submissionIDs(t testing.TB, st *store.Store) map[string]string {
	t.Helper()
	rows, err := st.DB().QueryxContext(context.Background(), `SELECT org_code, year, quarter, submission_id FROM reporting.submissions`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var org string
		var y, q int
		var id int64
		require.NoError(t, rows.Scan(&org, &y, &q, &id))
		out[subKey(org, mkq(y, q))] = strconv.FormatInt(id, 10)
	}
	require.NoError(t, rows.Err())
	return out
}
