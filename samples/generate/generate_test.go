package generate

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

func TestTreeAndMerger(t *testing.T) {
	t.Parallel()
	p := Generate(1)
	require.GreaterOrEqual(t, len(p.Orgs), 30)
	levels := map[int]int{}
	for _, o := range p.Orgs {
		levels[o.Level]++
		if o.ParentCode != "" {
			parent := p.Org(o.ParentCode)
			require.NotNil(t, parent, o.Code)
			require.Equal(t, parent.Level+1, o.Level, o.Code)
		}
		if o.Grassroots() {
			require.Equal(t, 2, o.Level, o.Code)
			require.Contains(t, []string{OrgTypeDangBoCoSo, OrgTypeChiBoCoSo}, o.Type)
		}
	}
	require.Equal(t, 1, levels[0])
	require.GreaterOrEqual(t, levels[1], 3)
	require.GreaterOrEqual(t, levels[2], 20)
	require.Equal(t, 6, len(p.Quarters))
	succ := p.Org(Successor)
	require.Equal(t, []string{MergedA, MergedB}, succ.Predecessors)
	for _, c := range succ.Predecessors {
		o := p.Org(c)
		require.Equal(t, Successor, o.Successor)
		require.Equal(t, date(2025, 6, 30), o.ValidTo)
		require.Nil(t, p.Return(c, Quarter{2025, 3}))
		require.NotNil(t, p.Return(c, Quarter{2025, 2}))
	}
	require.Nil(t, p.Return(Successor, Quarter{2025, 2}))
	first := p.Return(Successor, Quarter{2025, 3})
	require.NotNil(t, first)
	a, b := p.Return(MergedA, Quarter{2025, 2}), p.Return(MergedB, Quarter{2025, 2})
	require.Equal(t, a.Info.MembersEndOfficial+b.Info.MembersEndOfficial, first.Info.MembersStartOfficial)
	require.Equal(t, a.Info.MembersEndProbationary+b.Info.MembersEndProbationary, first.Info.MembersStartProbationary)
	big := p.Return(BigOrg, LastQuarter)
	require.GreaterOrEqual(t, big.Info.MembersEnd(), 1000)
}

func TestBalancesAndCounts(t *testing.T) {
	t.Parallel()
	p := Generate(1)
	zero := 0
	for _, r := range p.Returns {
		i := r.Info
		q := r.Period()
		name := r.FileName()
		require.Equal(t, i.BalanceEnd(), i.MembersEnd(), "TH-01 %s", name)
		// TH-03 / KN-09
		adm, readm := 0, 0
		for _, a := range r.Admissions {
			if a.IsReadmission {
				readm++
			} else {
				adm++
			}
			age := monthsBetween(a.BirthDate, a.DecisionDate)
			require.GreaterOrEqual(t, age, 18*12, "KN-01 %s", name)
			require.LessOrEqual(t, age, 60*12, "KN-02 %s", name)
			require.True(t, q.Contains(a.CeremonyDate), "KN-04 %s", name)
			require.False(t, a.DecisionDate.After(a.CeremonyDate), "KN-05 %s", name)
			require.LessOrEqual(t, WorkdaysBetween(a.DecisionDate, a.CeremonyDate), 30, "KN-05 %s", name)
		}
		if len(r.Admissions) == 0 {
			zero++
		}
		require.Equal(t, i.Admitted, adm, name)
		require.Equal(t, i.Readmitted, readm, name)
		require.LessOrEqual(t, len(r.Admissions), 10)
		require.LessOrEqual(t, len(r.Transfers), 10)
		require.LessOrEqual(t, len(r.Supervisions), 8)
		in, out, tin, tout := 0, 0, 0, 0
		letters := map[string]bool{}
		for _, tr := range r.Transfers {
			require.False(t, letters[tr.LetterNo], "letter %s in %s", tr.LetterNo, name)
			letters[tr.LetterNo] = true
			require.True(t, q.Contains(tr.EventDate), "CS-01 %s", name)
			require.False(t, tr.DuesPaidThrough.Before(monthOf(tr.EventDate).AddDate(0, -1, 0)), "CS-09 %s", name)
			if tr.MemberStatus == "CT" {
				require.NotEmpty(t, tr.CardNo)
				require.False(t, tr.OfficialDate.Before(tr.JoinDate.AddDate(1, 0, 0)), "CS-05 %s", name)
			} else {
				require.Empty(t, tr.CardNo)
				require.True(t, tr.OfficialDate.IsZero())
			}
			switch {
			case tr.TransferType == "TAM_THOI":
				require.False(t, tr.TempUntil.IsZero(), "CS-04")
				require.True(t, tr.TempUntil.After(tr.EventDate.AddDate(0, 3, -1)) && tr.TempUntil.Before(tr.EventDate.AddDate(1, 0, 0)), "CS-04 %s", name)
				if tr.Direction == "DEN" {
					tin++
				} else {
					tout++
				}
			case tr.Direction == "DEN":
				in++
			default:
				out++
			}
		}
		require.Equal(t, i.TransferInOfficial, in, name)
		require.Equal(t, i.TransferOutOfficial, out, name)
		require.Equal(t, i.TempIn, tin, name)
		require.Equal(t, i.TempOut, tout, name)
		expelled := 0
		for _, s := range r.Supervisions {
			require.Equal(t, s.Activity == "GIAM_SAT", s.SupervisionForm != "", "GS-01")
			require.Equal(t, s.Activity == "KIEM_TRA", s.InspectionType != "", "GS-01")
			if !s.ConclusionDate.IsZero() {
				require.False(t, s.StartDate.After(s.ConclusionDate), "GS-04")
				require.True(t, q.Contains(s.ConclusionDate), "GS-04")
			} else {
				require.True(t, q.Contains(s.StartDate), "GS-04")
			}
			if s.DisciplineForm != "" {
				require.True(t, allowedForm(s.SubjectType, s.SubjectMemberStatus, s.DisciplineForm), "GS-02 %+v", s)
				require.False(t, s.DisciplineDate.Before(s.ConclusionDate))
			}
			if s.DisciplineForm == "KHAI_TRU" {
				expelled++
			}
		}
		for _, d := range r.Disciplines {
			require.True(t, allowedForm(d.SubjectType, d.SubjectMemberStatus, d.DisciplineForm), "GS-02")
			require.True(t, q.Contains(d.DecisionDate))
			if d.DisciplineForm == "KHAI_TRU" {
				expelled++
			}
		}
		require.Equal(t, i.Expelled, expelled, name)
		require.False(t, i.PreparedOn.Before(q.End().AddDate(0, 0, -5)), name)
		require.Positive(t, i.AdmissionTargetYear)
		// TH-02
		if prev := p.Return(r.Org.Code, q.Prev()); prev != nil {
			require.Equal(t, prev.Info.MembersEndOfficial, i.MembersStartOfficial, "TH-02 %s", name)
			require.Equal(t, prev.Info.MembersEndProbationary, i.MembersStartProbationary, "TH-02 %s", name)
		} else {
			require.True(t, q == FirstQuarter || r.Org.Code == Successor, name)
		}
	}
	require.Positive(t, zero, "some returns have no admissions")
}

func allowedForm(subject, status, form string) bool {
	switch {
	case subject == "TO_CHUC_DANG":
		return form == "KHIEN_TRACH" || form == "CANH_CAO" || form == "GIAI_TAN"
	case status == "DB":
		return form == "KHIEN_TRACH" || form == "CANH_CAO"
	}
	return form == "KHIEN_TRACH" || form == "CANH_CAO" || form == "CACH_CHUC" || form == "KHAI_TRU"
}

func monthsBetween(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return m
}

func TestMatchedTransfersAndUniquePeople(t *testing.T) {
	t.Parallel()
	p := Generate(1)
	people := map[string]bool{}
	matched := 0
	for _, r := range p.Returns {
		for _, a := range r.Admissions {
			k := a.FullName + a.BirthDate.String()
			require.False(t, people[k], "KN-08 %s", a.FullName)
			people[k] = true
		}
		for _, tr := range r.Transfers {
			if tr.Direction != "DI" || tr.CounterpartOrgCode == "" {
				continue
			}
			other := p.Return(tr.CounterpartOrgCode, r.Period())
			require.NotNil(t, other)
			found := false
			for _, d := range other.Transfers {
				if d.Direction == "DEN" && d.CardNo == tr.CardNo && d.CounterpartOrgCode == r.Org.Code {
					require.LessOrEqual(t, d.EventDate.Sub(tr.EventDate), 30*24*time.Hour, "CS-03")
					found = true
				}
			}
			require.True(t, found, "CS-07 %s", tr.CardNo)
			matched++
		}
	}
	require.GreaterOrEqual(t, matched, 6)
}

func TestNamesNFCWithDiacritics(t *testing.T) {
	t.Parallel()
	p := Generate(1)
	withMarks := 0
	for _, r := range p.Returns {
		for _, a := range r.Admissions {
			require.True(t, norm.NFC.IsNormalString(a.FullName), a.FullName)
			require.GreaterOrEqual(t, len(bytesFields(a.FullName)), 3, a.FullName)
			for _, c := range a.FullName {
				if c > unicode.MaxASCII {
					withMarks++
					break
				}
			}
		}
	}
	require.Greater(t, withMarks, 50)
	for _, o := range p.Orgs {
		require.True(t, norm.NFC.IsNormalString(o.Name))
	}
}

func bytesFields(s string) [][]byte { return bytes.Fields([]byte(s)) }

func TestDeterminism(t *testing.T) {
	t.Parallel()
	a, err := json.Marshal(Generate(7))
	require.NoError(t, err)
	b, err := json.Marshal(Generate(7))
	require.NoError(t, err)
	require.Equal(t, a, b)
	c, err := json.Marshal(Generate(8))
	require.NoError(t, err)
	require.NotEqual(t, a, c)
	for _, opts := range []WriteOptions{{}, {StreamWriter: true}, {Date1904: true, NFD: true, ShuffleColumns: true}} {
		var w1, w2 bytes.Buffer
		require.NoError(t, WriteReturn(&w1, Generate(7).Returns[3], opts))
		require.NoError(t, WriteReturn(&w2, Generate(7).Returns[3], opts))
		require.Equal(t, w1.Bytes(), w2.Bytes(), "%+v", opts)
	}
}

// readBack opens a written return and gives, per sheet, rows keyed by field
// name (raw cell values) plus ThongTin by field name.
func readBack(t *testing.T, data []byte, noFieldRow bool) (*excelize.File, map[string]string, map[string][]map[string]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	rows, err := f.GetRows(SheetThongTin)
	require.NoError(t, err)
	require.Equal(t, ThongTinHeader[:], norm3(rows[0]))
	info := map[string]string{}
	for _, row := range rows[1:] {
		if len(row) >= 3 {
			info[row[1]] = row[2]
		} else if len(row) == 2 {
			info[row[1]] = ""
		}
	}
	sheets := map[string][]map[string]string{}
	for _, s := range DataSheets {
		rows, err := f.GetRows(s)
		if s == SheetKyLuat && err != nil {
			continue
		}
		require.NoError(t, err, s)
		var keys []string
		first := 2
		if noFieldRow {
			for _, l := range rows[0] {
				l = norm.NFC.String(l)
				for _, fl := range Fields[s] {
					if fl.Label == l {
						keys = append(keys, fl.Name)
					}
				}
			}
			first = 1
		} else {
			keys = rows[1]
		}
		require.Len(t, keys, len(Fields[s]), s)
		for _, row := range rows[min(first, len(rows)):] {
			m := map[string]string{}
			for c, v := range row {
				m[keys[c]] = v
			}
			sheets[s] = append(sheets[s], m)
		}
	}
	return f, info, sheets
}

func norm3(r []string) []string {
	out := make([]string, len(r))
	for i, s := range r {
		out[i] = norm.NFC.String(s)
	}
	return out
}

func pickReturn(t *testing.T, p *Province) *Return {
	for _, r := range p.Returns {
		if len(r.Admissions) >= 2 && len(r.Transfers) >= 3 && len(r.Supervisions) >= 2 && len(r.Disciplines) > 0 && r.Org.Code == BigOrg {
			return r
		}
	}
	for _, r := range p.Returns {
		if len(r.Admissions) >= 2 && len(r.Transfers) >= 3 && len(r.Disciplines) > 0 {
			return r
		}
	}
	t.Fatal("no return with every sheet")
	return nil
}

func TestWriteReturnRoundTrip(t *testing.T) {
	t.Parallel()
	p := Generate(1)
	r := pickReturn(t, p)
	variants := map[string]WriteOptions{
		"default":    {},
		"text":       {DatesAsText: true},
		"nofield":    {NoFieldRow: true},
		"visible":    {FieldRowVisible: true},
		"1904":       {Date1904: true},
		"nfd":        {NFD: true},
		"numtext":    {NumbersAsText: true},
		"shuffle":    {ShuffleColumns: true, ShuffleSeed: 3},
		"stream":     {StreamWriter: true},
		"stream1904": {StreamWriter: true, Date1904: true, ShuffleColumns: true},
	}
	for name, opts := range variants {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			require.NoError(t, WriteReturn(&buf, r, opts))
			f, info, sheets := readBack(t, buf.Bytes(), opts.NoFieldRow)
			props, err := f.GetWorkbookProps()
			require.NoError(t, err)
			d1904 := props.Date1904 != nil && *props.Date1904
			require.Equal(t, opts.Date1904, d1904)
			dateOf := func(s string) time.Time {
				if opts.DatesAsText {
					d, err := time.Parse("02/01/2006", s)
					require.NoError(t, err, s)
					return d
				}
				x, err := strconv.ParseFloat(s, 64)
				require.NoError(t, err, s)
				d, err := excelize.ExcelDateToTime(x, d1904)
				require.NoError(t, err)
				return d.Round(time.Hour)
			}
			text := func(s string) string {
				if opts.NFD && s != norm.NFC.String(s) {
					require.Equal(t, norm.NFD.String(s), s)
				}
				return norm.NFC.String(s)
			}
			require.Equal(t, r.Info.OrgName, text(info["org_name"]))
			require.Equal(t, "BCQ-1", info["template_version"])
			end := info["members_end_official"]
			if opts.NumbersAsText {
				require.Equal(t, FormatCount(r.Info.MembersEndOfficial), end)
			} else {
				require.Equal(t, strconv.Itoa(r.Info.MembersEndOfficial), end)
			}
			require.Equal(t, r.Info.PreparedOn, dateOf(info["prepared_on"]))
			require.Len(t, sheets[SheetKetNap], len(r.Admissions))
			for i, a := range r.Admissions {
				row := sheets[SheetKetNap][i]
				require.Equal(t, a.FullName, text(row["full_name"]))
				require.Equal(t, a.Gender, text(row["gender"]))
				require.Equal(t, a.BirthDate, dateOf(row["birth_date"]))
				require.Equal(t, a.CeremonyDate, dateOf(row["ceremony_date"]))
				require.Equal(t, a.EthnicityCode, row["ethnicity_code"])
				require.Equal(t, a.DecisionNo, text(row["decision_no"]))
			}
			require.Len(t, sheets[SheetChuyenSinhHoat], len(r.Transfers))
			for i, tr := range r.Transfers {
				row := sheets[SheetChuyenSinhHoat][i]
				require.Equal(t, tr.CardNo, row["card_no"])
				require.Equal(t, tr.EventDate, dateOf(row["event_date"]))
				require.Equal(t, FormatMonth(tr.DuesPaidThrough), row["dues_paid_through"])
			}
			require.Len(t, sheets[SheetGiamSat], len(r.Supervisions))
			require.Len(t, sheets[SheetKyLuat], len(r.Disciplines))
			if !opts.NoFieldRow && !opts.StreamWriter {
				visible, err := f.GetRowVisible(SheetKetNap, 2)
				require.NoError(t, err)
				require.Equal(t, opts.FieldRowVisible, visible)
			}
			vis, err := f.GetSheetVisible(SheetDanhMuc)
			require.NoError(t, err)
			require.False(t, vis)
		})
	}
}

func TestExcelSerial(t *testing.T) {
	t.Parallel()
	d := date(2025, 3, 15)
	require.Equal(t, 45731.0, ExcelSerial(d, false))
	require.Equal(t, 45731.0-1462, ExcelSerial(d, true))
	// excelize's own time writer agrees in both systems.
	for _, d1904 := range []bool{false, true} {
		f := excelize.NewFile()
		require.NoError(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &d1904}))
		require.NoError(t, f.SetCellValue("Sheet1", "A1", d))
		v, err := f.GetCellValue("Sheet1", "A1", excelize.Options{RawCellValue: true})
		require.NoError(t, err)
		require.Equal(t, strconv.FormatFloat(ExcelSerial(d, d1904), 'f', -1, 64), v)
		require.NoError(t, f.Close())
	}
	require.Equal(t, "1.178", FormatCount(1178))
	require.Equal(t, "4.046", FormatCount(4046))
	require.Equal(t, "1.234.567", FormatCount(1234567))
	require.Equal(t, "999", FormatCount(999))
}

func TestWriteBig(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, WriteBig(&buf, 3000))
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows(SheetKetNap)
	require.NoError(t, err)
	require.Len(t, rows, 3002)
	require.GreaterOrEqual(t, len(rows[2500]), 17)
	seen := map[string]bool{}
	for _, r := range rows[2:] {
		k := r[0] + r[2]
		require.False(t, seen[k])
		seen[k] = true
	}
}
