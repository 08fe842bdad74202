package digestjob_test

// The independent model of the digest (truth_test.go): the raw workbooks
// read with excelize's GetRows (raw cell values; production reads with its
// own strict reader, etl/workbook), and the figures of docs/domain.md §6
// computed from them with quarter arithmetic, like-for-like comparisons and
// formatting written here, without the packages digest, locale or store.

import (
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// tq is a quarter as an index: year*4 + quarter − 1.
type tq int

func mkq(y, q int) tq    { return tq(y*4 + q - 1) }
func (q tq) year() int   { return int(q) / 4 }
func (q tq) qn() int     { return int(q)%4 + 1 }
func (q tq) prev() tq    { return q - 1 }
func (q tq) yearAgo() tq { return q - 4 }
func parseTQ(s string) (tq, bool) { // "2025-Q3"
	if len(s) != 7 || s[4:6] != "-Q" {
		return 0, false
	}
	y, err1 := strconv.Atoi(s[:4])
	q, err2 := strconv.Atoi(s[6:])
	if err1 != nil || err2 != nil || q < 1 || q > 4 {
		return 0, false
	}
	return mkq(y, q), true
}

// tOrg is a registry row.
type tOrg struct {
	code, name, typ, parent, successor string
	from, to                           tq
	hasTo                              bool
	row                                int
}

func (o *tOrg) grassroots() bool { return o.typ == "DANG_BO_CO_SO" || o.typ == "CHI_BO_CO_SO" }
func (o *tOrg) activeIn(q tq) bool {
	return o.from <= q && (!o.hasTo || q <= o.to)
}

// tRow is a data row by field name (the hidden field-name row 2).
type tRow map[string]string

func (r tRow) n(field string) int {
	s := strings.TrimSpace(r[field])
	s = strings.ReplaceAll(s, ".", "") // a text count "1.178" is 1178 (docs/domain.md §7)
	n, _ := strconv.Atoi(s)
	return n
}

// tRet is one workbook as read here.
type tRet struct {
	file     string
	org      string
	q        tq
	info     tRow
	sheets   map[string][]tRow
	received time.Time
	warnings int
	// loadedFrom and loadedTo bracket its load.
	loadedFrom, loadedTo time.Time
}

// readTruthRegistry reads DonVi of the registry workbook.
func readTruthRegistry(t testing.TB, path string) (map[string]*tOrg, []string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	orgs := map[string]*tOrg{}
	var order []string
	for i, m := range fieldRows(t, f, "DonVi") {
		if m["org_code"] == "" {
			continue
		}
		o := &tOrg{code: m["org_code"], name: m["org_name"], typ: m["org_type"], parent: m["parent_code"], successor: m["successor_code"], row: i + 3}
		var ok bool
		o.from, ok = parseTQ(m["valid_from"])
		require.True(t, ok, "valid_from %q", m["valid_from"])
		if m["valid_to"] != "" {
			o.to, ok = parseTQ(m["valid_to"])
			require.True(t, ok)
			o.hasTo = true
		}
		orgs[o.code] = o
		order = append(order, o.code)
	}
	return orgs, order
}

// fieldRows reads the rows of sheet below its field-name row (row 2), by
// field name, raw values trimmed: element i is workbook row i+3. None when
// the sheet has no field-name row.
func fieldRows(t testing.TB, f *excelize.File, sheet string) []tRow {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	if len(rows) < 2 {
		return nil
	}
	out := make([]tRow, 0, len(rows)-2)
	for _, row := range rows[2:] {
		m := tRow{}
		for j, name := range rows[1] {
			if j < len(row) {
				m[name] = strings.TrimSpace(row[j])
			}
		}
		out = append(out, m)
	}
	return out
}

// blank says whether every cell of the row is empty.
func (r tRow) blank() bool {
	for _, v := range r {
		if v != "" {
			return false
		}
	}
	return true
}

// readTruthReturn reads a BCQ-1 workbook: ThongTin by field name in column
// B, the tables by the field names of row 2.
func readTruthReturn(t testing.TB, path string) *tRet {
	t.Helper()
	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	raw := excelize.Options{RawCellValue: true}
	r := &tRet{file: filepath.Base(path), info: tRow{}, sheets: map[string][]tRow{}}
	rows, err := f.GetRows("ThongTin", raw)
	require.NoError(t, err)
	for _, row := range rows[1:] {
		if len(row) >= 2 {
			v := ""
			if len(row) >= 3 {
				v = strings.TrimSpace(row[2])
			}
			r.info[strings.TrimSpace(row[1])] = v
		}
	}
	for _, sh := range []string{"KetNap", "ChuyenSinhHoat", "GiamSat", "KyLuat"} {
		if idx, _ := f.GetSheetIndex(sh); idx < 0 {
			continue
		}
		for _, m := range fieldRows(t, f, sh) {
			if !m.blank() {
				r.sheets[sh] = append(r.sheets[sh], m)
			}
		}
	}
	r.org = r.info["org_code"]
	r.q = mkq(r.info.n("year"), r.info.n("quarter"))
	return r
}

// serialDate is an Excel 1900-system serial as a day (UTC).
func serialDate(s string) time.Time {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if d, err := time.Parse("02/01/2006", s); err == nil {
			return d
		}
		return time.Time{}
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f))
}

// tWorld is the registry and the current version of every return.
type tWorld struct {
	orgs  map[string]*tOrg
	order []string // registry order
	// cur is the current (last loaded) version of each organisation and quarter.
	cur map[string]map[tq]*tRet
	// first is when the first version of each organisation and quarter was received.
	first    map[string]map[tq]time.Time
	versions map[string]map[tq]int
	// rejected is the reason of the last rejected file of an organisation and quarter.
	rejected map[string]map[tq]string
	// hist is every loaded version of each organisation and quarter, oldest first.
	hist map[string]map[tq][]*tRet
	// digestSent is when the 2025-Q2 digests were sent (the previous digest).
	digestSent time.Time
}

func buildTruthWorld(t testing.TB, c *truthCorpus) *tWorld {
	t.Helper()
	w := &tWorld{cur: map[string]map[tq]*tRet{}, first: map[string]map[tq]time.Time{}, versions: map[string]map[tq]int{},
		rejected: map[string]map[tq]string{}, hist: map[string]map[tq][]*tRet{}, digestSent: c.digestSent}
	w.orgs, w.order = readTruthRegistry(t, c.registryPath)
	for _, f := range c.files {
		r := readTruthReturn(t, f.path)
		if f.rejected {
			if w.rejected[r.org] == nil {
				w.rejected[r.org] = map[tq]string{}
			}
			w.rejected[r.org][r.q] = f.reason
			continue
		}
		r.received, r.warnings, r.loadedFrom, r.loadedTo = f.received, f.warnings, f.loadedFrom, f.loadedTo
		if w.cur[r.org] == nil {
			w.cur[r.org], w.first[r.org], w.versions[r.org] = map[tq]*tRet{}, map[tq]time.Time{}, map[tq]int{}
		}
		if _, ok := w.cur[r.org][r.q]; !ok {
			w.first[r.org][r.q] = f.received
		}
		w.cur[r.org][r.q] = r
		w.versions[r.org][r.q]++
		if w.hist[r.org] == nil {
			w.hist[r.org] = map[tq][]*tRet{}
		}
		w.hist[r.org][r.q] = append(w.hist[r.org][r.q], r)
	}
	return w
}

// figures is what a return says that the digest shows: every count of
// ThongTin, and the detail rows by the codes the digest counts them by
// (not the preparer's name, phone or e-mail); two versions with the same
// figures restate nothing.
func figures(r *tRet) string {
	var parts []string
	for _, f := range []string{"members_start_official", "members_start_probationary", "admitted", "readmitted", "recognised_official",
		"transfer_in_official", "transfer_out_official", "increase_other", "deceased", "expelled", "struck_off", "resigned",
		"decrease_other", "members_end_official", "members_end_probationary", "temp_in", "temp_out", "admission_target_year"} {
		parts = append(parts, f+"="+r.info[f])
	}
	keys := map[string][]string{
		"KetNap":         {"gender", "is_youth_union_member", "ethnicity_code", "religion_code", "workplace_sector"},
		"ChuyenSinhHoat": {"direction", "transfer_type", "scope"},
		"GiamSat":        {"actor", "activity", "supervision_form", "inspection_type", "subject_type", "result", "discipline_form", "discipline_body"},
		"KyLuat":         {"discipline_form", "subject_type", "discipline_body"},
	}
	for _, sh := range []string{"KetNap", "ChuyenSinhHoat", "GiamSat", "KyLuat"} {
		var rows []string
		for _, x := range r.sheets[sh] {
			var k []string
			for _, f := range keys[sh] {
				k = append(k, x[f])
			}
			rows = append(rows, strings.Join(k, ","))
		}
		sort.Strings(rows)
		parts = append(parts, sh+":"+strings.Join(rows, ";"))
	}
	return strings.Join(parts, "|") + "|w=" + strconv.Itoa(r.warnings)
}

// scope is the organisation, everything below it, and the predecessors of those.
func (w *tWorld) scope(code string) map[string]bool {
	in := map[string]bool{code: true}
	for changed := true; changed; {
		changed = false
		for _, c := range w.order {
			o := w.orgs[c]
			if !in[c] && (in[o.parent] || (o.successor != "" && in[o.successor])) {
				in[c], changed = true, true
			}
		}
	}
	return in
}

// rep is the organisation code counts in, in quarter q: itself, or its
// successor (through a chain) when it no longer exists.
func (w *tWorld) rep(code string, q tq) string {
	for range 20 {
		o := w.orgs[code]
		if o == nil || o.activeIn(q) || o.successor == "" {
			return code
		}
		code = o.successor
	}
	return code
}

// retsIn lists the current returns of the scope in quarter q, in code order.
func (w *tWorld) retsIn(scope map[string]bool, q tq) []*tRet {
	var out []*tRet
	for code := range scope {
		if r := w.cur[code][q]; r != nil {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].org < out[j].org })
	return out
}

// measure is one number of one return.
type measure func(r *tRet) int

func info(field string) measure { return func(r *tRet) int { return r.info.n(field) } }

func rows(sheet string, keep func(tRow) bool) measure {
	return func(r *tRet) int {
		n := 0
		for _, x := range r.sheets[sheet] {
			if keep == nil || keep(x) {
				n++
			}
		}
		return n
	}
}

func plus(ms ...measure) measure {
	return func(r *tRet) int {
		n := 0
		for _, m := range ms {
			n += m(r)
		}
		return n
	}
}

// The measures of docs/domain.md §6 and §7.
var (
	mStart     = plus(info("members_start_official"), info("members_start_probationary"))
	mEnd       = plus(info("members_end_official"), info("members_end_probationary"))
	mNet       = func(r *tRet) int { return mEnd(r) - mStart(r) }
	mAdm       = plus(info("admitted"), info("readmitted"))
	mKetNap    = rows("KetNap", nil)
	mWomen     = rows("KetNap", func(x tRow) bool { return x["gender"] == "Nữ" })
	mYouth     = rows("KetNap", func(x tRow) bool { return x["is_youth_union_member"] == "C" })
	mMinority  = rows("KetNap", func(x tRow) bool { return x["ethnicity_code"] != "" && x["ethnicity_code"] != "01" })
	mReligious = rows("KetNap", func(x tRow) bool { return x["religion_code"] != "" && x["religion_code"] != "00" })
	mNonState  = rows("KetNap", func(x tRow) bool {
		s := x["workplace_sector"]
		return s == "DN_TU_NHAN" || s == "DN_FDI" || s == "HTX"
	})
	mTransfer = func(dir, typ string) measure {
		return rows("ChuyenSinhHoat", func(x tRow) bool { return x["direction"] == dir && x["transfer_type"] == typ })
	}
	mGiamSat = rows("GiamSat", func(x tRow) bool { return x["activity"] == "GIAM_SAT" })
	mKiemTra = rows("GiamSat", func(x tRow) bool { return x["activity"] == "KIEM_TRA" })
	// Disciplines: KyLuat rows plus GiamSat rows with a discipline form (§6.2 item 7, §7.5).
	mDiscGS = rows("GiamSat", func(x tRow) bool { return x["discipline_form"] != "" })
	mDiscKL = rows("KyLuat", nil)
	mDisc   = plus(mDiscGS, mDiscKL)
)
