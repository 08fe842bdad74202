package generate

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// BigQuarter is the period of the WriteBig workbook.
var BigQuarter = Quarter{2025, 3}

// BigOrgCode is the org_code of the WriteBig workbook (the province's largest organisation).
const BigOrgCode = BigOrg

// WriteBig writes a BCQ-1 workbook whose KetNap sheet has rows admission rows
// of valid, distinct people (17 filled columns), for benchmarks and caps.
// ThongTin balances (admitted = rows); the other data sheets hold headers only.
// Every data sheet goes through excelize's StreamWriter, so memory stays
// bounded (excelize spills the sheet to a temporary file past 16 MiB).
func WriteBig(out io.Writer, rows int) error {
	q := BigQuarter
	info := Info{OrgCode: BigOrgCode, OrgName: "Đảng bộ Tổng công ty Dệt may Giả Định", OrgType: OrgTypeDangBoCoSo,
		ParentCode: "GD-KDN", Year: q.Year, Quarter: q.Q, TemplateVersion: TemplateVersion, CellsCount: 12,
		MembersStartOfficial: 2*rows + 1000, MembersStartProbationary: 40, Admitted: rows,
		MembersEndOfficial: 2*rows + 1000, MembersEndProbationary: 40 + rows, AdmissionTargetYear: 4 * rows,
		PreparerName: "Nguyễn Thị Mẫu", Phone: "0912 000 111", Email: emailOf(BigOrgCode), PreparedOn: q.End().AddDate(0, 0, 5)}
	return writeSized(out, &info, bigPeople{org: BigOrgCode, decidingBody: "Đảng ủy Tổng công ty Dệt may Giả Định", rows: rows})
}

// writeSized writes a BCQ-1 workbook of info whose KetNap sheet lists
// people (info.Admitted must be people.rows), the other data sheets with
// headers only, every data sheet through excelize's StreamWriter.
func writeSized(out io.Writer, info *Info, people bigPeople) error {
	f := excelize.NewFile()
	defer f.Close()
	w := &writer{f: f, listRef: map[string]string{}, opts: WriteOptions{StreamWriter: true}}
	if err := w.styles(); err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetThongTin); err != nil {
		return err
	}
	for _, s := range []string{SheetKetNap, SheetChuyenSinhHoat, SheetGiamSat} {
		if _, err := f.NewSheet(s); err != nil {
			return err
		}
	}
	if err := w.codeLists(); err != nil {
		return err
	}
	if err := w.thongTin(info); err != nil {
		return err
	}
	if err := w.bigKetNap(people, Quarter{info.Year, info.Quarter}); err != nil {
		return fmt.Errorf("write %d rows: %w", people.rows, err)
	}
	for _, s := range []string{SheetChuyenSinhHoat, SheetGiamSat} {
		if err := w.tableStream(s, nil); err != nil {
			return err
		}
	}
	if err := w.instructions(); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if _, err := f.WriteTo(out); err != nil {
		return fmt.Errorf("write %s %s: %w", info.OrgCode, Quarter{info.Year, info.Quarter}, err)
	}
	return nil
}

// bigPeople says whose admissions a sized KetNap sheet lists: rows people
// of org, the first of them person number first of the generator's
// sequence (files that start far enough apart share nobody).
type bigPeople struct {
	org, decidingBody string
	rows, first       int
}

func (w *writer) bigKetNap(people bigPeople, q Quarter) error {
	rows := people.rows
	sw, err := w.f.NewStreamWriter(SheetKetNap)
	if err != nil {
		return err
	}
	cols := Fields[SheetKetNap]
	labels := make([]any, len(cols))
	names := make([]any, len(cols))
	for c, fl := range cols {
		labels[c] = excelize.Cell{StyleID: w.header, Value: fl.Label}
		names[c] = excelize.Cell{StyleID: w.fieldRow, Value: fl.Name}
	}
	if err := sw.SetRow("A1", labels); err != nil {
		return err
	}
	if err := sw.SetRow("A2", names, excelize.RowOpts{Hidden: true}); err != nil {
		return err
	}
	// Precomputed working days of the quarter for ceremonies, and names:
	// row i gets name combination i/birthSpan and birth day i%birthSpan, so
	// (name, birth date) never repeats.
	var days []time.Time
	for d := q.Start(); !d.After(q.End()); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			days = append(days, d)
		}
	}
	const birthSpan = 9000 // days from 01/01/1976: born 1976–2000, aged 25–49
	birthBase := date(1976, 1, 1)
	fam := make([]string, len(familyNames))
	for i, f := range familyNames {
		fam[i] = f.name
	}
	cells := []string{}
	for i := 1; i <= 12; i++ {
		cells = append(cells, fmt.Sprintf("%s-CB%02d", people.org, i))
	}
	// The name lists repeat common names to weight them; combinations must
	// not repeat here, so each list is used without its repeats.
	uMaleMiddle, uMaleGiven := distinct(maleMiddle), distinct(maleGiven)
	uFemaleMiddle, uFemaleGiven := distinct(femaleMiddle), distinct(femaleGiven)
	fam = distinct(fam)
	vals := make([]any, len(cols))
	for n := 0; n < rows; n++ {
		i := people.first + n
		k := i / birthSpan
		gender, mid, giv := "Nam", uMaleMiddle, uMaleGiven
		if k%2 == 1 {
			gender, mid, giv = "Nữ", uFemaleMiddle, uFemaleGiven
		}
		k /= 2
		name := fam[k%len(fam)] + " " + mid[(k/len(fam))%len(mid)] + " " + giv[(k/len(fam)/len(mid))%len(giv)]
		birth := birthBase.AddDate(0, 0, i%birthSpan)
		ceremony := days[i%len(days)]
		decision := addWorkdays(ceremony, -10)
		eth, rel := "01", "00"
		if i%13 == 0 {
			eth = "06"
		}
		if i%17 == 0 {
			rel = "02"
		}
		row := map[string]any{
			"full_name": name, "gender": gender, "birth_date": birth, "ethnicity_code": eth, "religion_code": rel,
			"general_education": "THPT", "professional_level": "TC", "political_theory": "SC",
			"occupation_group": "CONG_NHAN_LD", "workplace_sector": "DN_NHA_NUOC",
			"is_youth_union_member": cb(birth.Year() >= 1995), "is_readmission": "K", "cell_code": cells[i%len(cells)],
			"decision_no": fmt.Sprintf("%d-QĐ/ĐU", i+1), "decision_date": decision,
			"deciding_body": people.decidingBody, "ceremony_date": ceremony,
		}
		if err := w.streamRow(sw, n+3, cols, row, vals); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// distinct returns list without repeated entries, in first-seen order.
func distinct(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
