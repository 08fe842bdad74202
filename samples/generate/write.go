package generate

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// WriteOptions choose variants of the BCQ-1 layout, to exercise readers and
// validators. The zero value writes the template exactly as docs/domain.md §7 says:
// real Excel dates in the 1900 system, a hidden field-name row 2, numbers as
// numbers, NFC text, template column order, excelize's in-memory writer.
type WriteOptions struct {
	// DatesAsText writes every date as dd/mm/yyyy text instead of a date serial.
	DatesAsText bool
	// NoFieldRow leaves out the field-name row 2: labels only in row 1, data
	// from row 2 (a reader must then match columns by Vietnamese label).
	NoFieldRow bool
	// FieldRowVisible writes the field-name row 2 without the hidden flag.
	FieldRowVisible bool
	// Date1904 writes the workbook in the 1904 date system; serials are
	// computed from 1904-01-01.
	Date1904 bool
	// NFD writes every text (labels and values) in Unicode NFD.
	NFD bool
	// NumbersAsText writes the ThongTin counts as text; counts of 1,000 or
	// more get Vietnamese grouping ("1.178"). year and quarter stay numbers.
	NumbersAsText bool
	// ShuffleColumns writes the table columns in a permuted order (seeded by
	// ShuffleSeed), so that only field names tell which column is which.
	ShuffleColumns bool
	ShuffleSeed    uint64
	// StreamWriter writes the table sheets with excelize's StreamWriter
	// (inline strings, no data-validation drop-downs).
	StreamWriter bool
}

// ExcelSerial returns the Excel serial of day t in the 1900 or 1904 date
// system. In the 1900 system it is valid from 1900-03-01 on (serial 61),
// where Excel's phantom 29/02/1900 no longer matters.
func ExcelSerial(t time.Time, date1904 bool) float64 {
	t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return float64(t.Sub(epoch).Hours() / 24)
}

// FormatDate is dd/mm/yyyy.
func FormatDate(t time.Time) string { return t.Format("02/01/2006") }

// FormatMonth is MM/YYYY.
func FormatMonth(t time.Time) string { return t.Format("01/2006") }

// FormatCount writes n the Vietnamese way: 1178 → "1.178".
func FormatCount(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func cb(b bool) string {
	if b {
		return "C"
	}
	return "K"
}

func cbp(b *bool) any {
	if b == nil {
		return nil
	}
	return cb(*b)
}

func dt(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func month(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return FormatMonth(t)
}

// InfoValues returns the ThongTin values by field name: string, int or
// time.Time (a nil value is an empty cell).
func InfoValues(i *Info) map[string]any {
	return map[string]any{
		"org_code": i.OrgCode, "org_name": i.OrgName, "org_type": i.OrgType, "parent_code": i.ParentCode,
		"year": i.Year, "quarter": i.Quarter, "template_version": i.TemplateVersion, "cells_count": i.CellsCount,
		"members_start_official": i.MembersStartOfficial, "members_start_probationary": i.MembersStartProbationary,
		"admitted": i.Admitted, "readmitted": i.Readmitted, "recognised_official": i.RecognisedOfficial,
		"transfer_in_official": i.TransferInOfficial, "transfer_out_official": i.TransferOutOfficial,
		"increase_other": i.IncreaseOther, "deceased": i.Deceased, "expelled": i.Expelled, "struck_off": i.StruckOff,
		"resigned": i.Resigned, "decrease_other": i.DecreaseOther,
		"members_end_official": i.MembersEndOfficial, "members_end_probationary": i.MembersEndProbationary,
		"temp_in": i.TempIn, "temp_out": i.TempOut, "admission_target_year": i.AdmissionTargetYear,
		"preparer_name": i.PreparerName, "phone": i.Phone, "email": i.Email, "prepared_on": dt(i.PreparedOn),
	}
}

// AdmissionValues returns a KetNap row by field name (see InfoValues).
func AdmissionValues(a *Admission) map[string]any {
	return map[string]any{
		"full_name": a.FullName, "gender": a.Gender, "birth_date": dt(a.BirthDate), "citizen_id": a.CitizenID,
		"ethnicity_code": a.EthnicityCode, "religion_code": a.ReligionCode, "general_education": a.GeneralEducation,
		"professional_level": a.ProfessionalLevel, "political_theory": a.PoliticalTheory,
		"occupation_group": a.OccupationGroup, "workplace_sector": a.WorkplaceSector,
		"is_youth_union_member": cb(a.IsYouthUnionMember), "is_readmission": cb(a.IsReadmission),
		"cell_code": a.CellCode, "decision_no": a.DecisionNo, "decision_date": dt(a.DecisionDate),
		"deciding_body": a.DecidingBody, "ceremony_date": dt(a.CeremonyDate), "profile_no": a.ProfileNo, "note": a.Note,
	}
}

// TransferValues returns a ChuyenSinhHoat row by field name; dues_paid_through is MM/YYYY text.
func TransferValues(t *Transfer) map[string]any {
	return map[string]any{
		"full_name": t.FullName, "birth_date": dt(t.BirthDate), "gender": t.Gender, "member_status": t.MemberStatus,
		"card_no": t.CardNo, "profile_no": t.ProfileNo, "join_date": dt(t.JoinDate), "official_date": dt(t.OfficialDate),
		"direction": t.Direction, "transfer_type": t.TransferType, "scope": t.Scope, "reason": t.Reason,
		"counterpart_org_name": t.CounterpartOrgName, "counterpart_org_code": t.CounterpartOrgCode,
		"letter_no": t.LetterNo, "event_date": dt(t.EventDate), "decision_date": dt(t.DecisionDate),
		"temp_until": dt(t.TempUntil), "dues_paid_through": month(t.DuesPaidThrough), "cell_code": t.CellCode, "note": t.Note,
	}
}

// SupervisionValues returns a GiamSat row by field name.
func SupervisionValues(s *Supervision) map[string]any {
	return map[string]any{
		"actor": s.Actor, "activity": s.Activity, "supervision_form": s.SupervisionForm, "inspection_type": s.InspectionType,
		"subject_type": s.SubjectType, "subject_name": s.SubjectName, "subject_org_code": s.SubjectOrgCode,
		"subject_member_id": s.SubjectMemberID, "subject_member_status": s.SubjectMemberStatus,
		"is_committee_member": cbp(s.IsCommitteeMember), "topic": s.Topic, "decision_no": s.DecisionNo,
		"start_date": dt(s.StartDate), "conclusion_date": dt(s.ConclusionDate), "result": s.Result,
		"discipline_required": cb(s.DisciplineRequired), "discipline_form": s.DisciplineForm,
		"discipline_body": s.DisciplineBody, "discipline_date": dt(s.DisciplineDate),
	}
}

// DisciplineValues returns a KyLuat row by field name.
func DisciplineValues(d *Discipline) map[string]any {
	return map[string]any{
		"subject_type": d.SubjectType, "subject_name": d.SubjectName, "subject_member_id": d.SubjectMemberID,
		"subject_member_status": d.SubjectMemberStatus, "is_committee_member": cbp(d.IsCommitteeMember),
		"violation_summary": d.ViolationSummary, "discipline_form": d.DisciplineForm, "discipline_body": d.DisciplineBody,
		"decision_no": d.DecisionNo, "decision_date": dt(d.DecisionDate), "source": d.Source,
	}
}

// SheetRows returns the data rows of a table sheet of r, each by field name.
func SheetRows(r *Return, sheet string) []map[string]any {
	switch sheet {
	case SheetKetNap:
		return valuesOf(r.Admissions, AdmissionValues)
	case SheetChuyenSinhHoat:
		return valuesOf(r.Transfers, TransferValues)
	case SheetGiamSat:
		return valuesOf(r.Supervisions, SupervisionValues)
	case SheetKyLuat:
		return valuesOf(r.Disciplines, DisciplineValues)
	}
	return nil
}

// valuesOf returns the values of each of rows by field name.
func valuesOf[T any](rows []T, values func(*T) map[string]any) []map[string]any {
	var out []map[string]any
	for i := range rows {
		out = append(out, values(&rows[i]))
	}
	return out
}

// Instructions are the paragraphs of the HuongDan sheet.
var Instructions = []string{
	"HƯỚNG DẪN LẬP BÁO CÁO QUÝ (mẫu BCQ-1)",
	"1. Mỗi tổ chức cơ sở đảng lập một tệp cho mỗi quý, tên tệp BCQ_<Mã đơn vị>_<Năm>Q<Quý>.xlsx.",
	"2. Trang ThongTin: điền cột \"Giá trị\"; không sửa cột \"Mã trường\".",
	"3. Các trang KetNap, ChuyenSinhHoat, GiamSat, KyLuat: mỗi dòng một trường hợp, bắt đầu từ dòng 3; không xóa dòng 2 (mã trường, đang ẩn).",
	"4. Ngày ghi theo dạng ngày/tháng/năm (dd/mm/yyyy); mã (dân tộc, tôn giáo, …) chọn trong danh sách thả xuống (trang DanhMuc).",
	"5. Có/Không ghi C/K; giới tính ghi Nam/Nữ; đảng phí đã đóng hết tháng ghi MM/YYYY.",
	"6. Không gộp ô, không ẩn dòng, không dùng công thức trong vùng dữ liệu.",
}

// codeListOf names the DanhMuc list that feeds a code field.
var codeListOf = map[string]string{
	"ethnicity_code": "ethnicity", "religion_code": "religion", "general_education": "general_education",
	"professional_level": "professional_level", "political_theory": "political_theory",
	"occupation_group": "occupation_group", "workplace_sector": "workplace_sector",
	"member_status": "member_status", "subject_member_status": "member_status", "direction": "direction",
	"transfer_type": "transfer_type", "scope": "scope", "reason": "reason", "actor": "actor", "activity": "activity",
	"supervision_form": "supervision_form", "inspection_type": "inspection_type", "subject_type": "subject_type",
	"result": "result", "discipline_form": "discipline_form", "source": "discipline_source", "org_type": "org_type",
}

type writer struct {
	f                                 *excelize.File
	opts                              WriteOptions
	header, fieldRow, text, date, num int
	listRef                           map[string]string
}

func (w *writer) s(v string) string {
	if w.opts.NFD {
		return norm.NFD.String(v)
	}
	return v
}

// cellValue converts a model value to what is written in a cell and the style to use.
func (w *writer) cellValue(f Field, v any) (any, int) {
	switch x := v.(type) {
	case nil:
		return nil, 0
	case string:
		if x == "" {
			return nil, 0
		}
		return w.s(x), w.text
	case int:
		return x, w.num
	case time.Time:
		if w.opts.DatesAsText {
			return FormatDate(x), w.text
		}
		return ExcelSerial(x, w.opts.Date1904), w.date
	}
	return w.s(fmt.Sprint(v)), w.text
}

// columns returns the field order of a table sheet.
func (w *writer) columns(sheet string) []Field {
	fs := append([]Field(nil), Fields[sheet]...)
	if w.opts.ShuffleColumns {
		r := rand.New(rand.NewPCG(w.opts.ShuffleSeed, uint64(len(sheet))))
		r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	}
	return fs
}

// WriteReturn writes r as a BCQ-1 workbook (docs/domain.md §7) to out.
func WriteReturn(out io.Writer, r *Return, opts WriteOptions) error {
	f := excelize.NewFile()
	defer f.Close()
	w := &writer{f: f, opts: opts, listRef: map[string]string{}}
	if err := w.build(r); err != nil {
		return fmt.Errorf("write return %s: %w", r.FileName(), err)
	}
	if !opts.StreamWriter {
		if _, err := f.WriteTo(out); err != nil {
			return fmt.Errorf("write return %s: %w", r.FileName(), err)
		}
		return nil
	}
	// excelize writes the entries of stream-written sheets in map order:
	// repack them in a fixed order so that the file is byte-for-byte
	// reproducible.
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("write return %s: %w", r.FileName(), err)
	}
	if err := repack(out, buf.Bytes()); err != nil {
		return fmt.Errorf("write return %s: %w", r.FileName(), err)
	}
	return nil
}

// repack copies the zip b to out with its entries in a fixed order
// ([Content_Types].xml first, then by name), compressed data copied as is.
func repack(out io.Writer, b []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.SliceStable(files, func(i, j int) bool {
		a, c := files[i].Name, files[j].Name
		if (a == "[Content_Types].xml") != (c == "[Content_Types].xml") {
			return a == "[Content_Types].xml"
		}
		return a < c
	})
	zw := zip.NewWriter(out)
	for _, f := range files {
		rc, err := f.OpenRaw()
		if err != nil {
			return err
		}
		h := f.FileHeader
		w, err := zw.CreateRaw(&h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, rc); err != nil {
			return err
		}
	}
	return zw.Close()
}

func (w *writer) styles() error {
	f := w.f
	var err error
	if w.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "center"}}); err != nil {
		return err
	}
	if w.fieldRow, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080", Italic: true}, NumFmt: 49}); err != nil {
		return err
	}
	if w.text, err = f.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return err
	}
	dateFmt := "dd/mm/yyyy"
	if w.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return err
	}
	w.num, err = f.NewStyle(&excelize.Style{NumFmt: 1})
	return err
}

func (w *writer) build(r *Return) error {
	f := w.f
	if w.opts.Date1904 {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			return err
		}
	}
	if err := w.styles(); err != nil {
		return err
	}
	sheets := []string{SheetThongTin, SheetKetNap, SheetChuyenSinhHoat, SheetGiamSat}
	if len(r.Disciplines) > 0 {
		sheets = append(sheets, SheetKyLuat)
	}
	if err := f.SetSheetName("Sheet1", SheetThongTin); err != nil {
		return err
	}
	for _, s := range sheets[1:] {
		if _, err := f.NewSheet(s); err != nil {
			return err
		}
	}
	if err := w.codeLists(); err != nil {
		return err
	}
	if err := w.thongTin(&r.Info); err != nil {
		return fmt.Errorf("sheet %s: %w", SheetThongTin, err)
	}
	for _, s := range sheets[1:] {
		var err error
		if w.opts.StreamWriter {
			err = w.tableStream(s, SheetRows(r, s))
		} else {
			err = w.table(s, SheetRows(r, s))
		}
		if err != nil {
			return fmt.Errorf("sheet %s: %w", s, err)
		}
	}
	if err := w.instructions(); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.SetDocProps(&excelize.DocProperties{Title: w.s("Báo cáo quý BCQ-1 – " + r.Info.OrgName),
		Subject: TemplateVersion, Creator: "returns samples/generate", Language: "vi-VN"})
}

func (w *writer) codeLists() error {
	f := w.f
	if _, err := f.NewSheet(SheetDanhMuc); err != nil {
		return err
	}
	col := 1
	for _, cl := range CodeLists {
		c1, _ := excelize.ColumnNumberToName(col)
		c2, _ := excelize.ColumnNumberToName(col + 1)
		if err := f.SetCellStr(SheetDanhMuc, c1+"1", cl.ID); err != nil {
			return err
		}
		for i, c := range cl.Codes {
			if err := f.SetCellStr(SheetDanhMuc, fmt.Sprintf("%s%d", c1, i+2), c.Code); err != nil {
				return err
			}
			if err := f.SetCellStr(SheetDanhMuc, fmt.Sprintf("%s%d", c2, i+2), w.s(c.Label)); err != nil {
				return err
			}
		}
		w.listRef[cl.ID] = fmt.Sprintf("%s!$%s$2:$%s$%d", SheetDanhMuc, c1, c1, len(cl.Codes)+1)
		col += 3
	}
	return f.SetSheetVisible(SheetDanhMuc, false)
}

func (w *writer) thongTin(i *Info) error {
	f, sh := w.f, SheetThongTin
	for c, h := range ThongTinHeader {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := f.SetCellStr(sh, cell, w.s(h)); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "A1", "C1", w.header); err != nil {
		return err
	}
	vals := InfoValues(i)
	for n, fl := range Fields[SheetThongTin] {
		row := n + 2
		if err := f.SetCellStr(sh, fmt.Sprintf("A%d", row), w.s(fl.Label)); err != nil {
			return err
		}
		if err := f.SetCellStr(sh, fmt.Sprintf("B%d", row), fl.Name); err != nil {
			return err
		}
		v := vals[fl.Name]
		if n, ok := v.(int); ok && w.opts.NumbersAsText && fl.Name != "year" && fl.Name != "quarter" {
			v = FormatCount(n)
		}
		cv, style := w.cellValue(fl, v)
		cell := fmt.Sprintf("C%d", row)
		if cv == nil {
			continue
		}
		if err := f.SetCellValue(sh, cell, cv); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell, cell, style); err != nil {
			return err
		}
	}
	_ = f.SetColWidth(sh, "A", "A", 40)
	_ = f.SetColWidth(sh, "B", "B", 28)
	_ = f.SetColWidth(sh, "C", "C", 40)
	return nil
}

// dataRow is the first data row of table sheets.
func (w *writer) dataRow() int {
	if w.opts.NoFieldRow {
		return 2
	}
	return 3
}

func (w *writer) table(sh string, rows []map[string]any) error {
	f := w.f
	cols := w.columns(sh)
	for c, fl := range cols {
		name, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetCellStr(sh, name+"1", w.s(fl.Label)); err != nil {
			return err
		}
		if !w.opts.NoFieldRow {
			if err := f.SetCellStr(sh, name+"2", fl.Name); err != nil {
				return err
			}
		}
		_ = f.SetColWidth(sh, name, name, 16)
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if err := f.SetCellStyle(sh, "A1", last+"1", w.header); err != nil {
		return err
	}
	if !w.opts.NoFieldRow {
		if err := f.SetCellStyle(sh, "A2", last+"2", w.fieldRow); err != nil {
			return err
		}
		if !w.opts.FieldRowVisible {
			if err := f.SetRowVisible(sh, 2, false); err != nil {
				return err
			}
		}
	}
	first := w.dataRow()
	for i, row := range rows {
		for c, fl := range cols {
			cv, style := w.cellValue(fl, row[fl.Name])
			if cv == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, first+i)
			if err := f.SetCellValue(sh, cell, cv); err != nil {
				return err
			}
			if err := f.SetCellStyle(sh, cell, cell, style); err != nil {
				return err
			}
		}
	}
	// Drop-downs for code and C/K columns over the data rows and some room below.
	end := first + max(len(rows), 50) - 1
	for c, fl := range cols {
		name, _ := excelize.ColumnNumberToName(c + 1)
		dv := excelize.NewDataValidation(true)
		switch fl.Kind {
		case KindCode:
			dv.SetSqrefDropList(w.listRef[codeListOf[fl.Name]])
		case KindBool:
			if err := dv.SetDropList([]string{"C", "K"}); err != nil {
				return err
			}
		case KindGender:
			if err := dv.SetDropList([]string{w.s("Nam"), w.s("Nữ")}); err != nil {
				return err
			}
		default:
			continue
		}
		dv.SetSqref(fmt.Sprintf("%s%d:%s%d", name, first, name, end))
		if err := f.AddDataValidation(sh, dv); err != nil {
			return err
		}
	}
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: first - 1, TopLeftCell: fmt.Sprintf("A%d", first), ActivePane: "bottomLeft"})
}

func (w *writer) tableStream(sh string, rows []map[string]any) error {
	sw, err := w.f.NewStreamWriter(sh)
	if err != nil {
		return err
	}
	cols := w.columns(sh)
	if err := sw.SetColWidth(1, len(cols), 16); err != nil {
		return err
	}
	labels := make([]any, len(cols))
	names := make([]any, len(cols))
	for c, fl := range cols {
		labels[c] = excelize.Cell{StyleID: w.header, Value: w.s(fl.Label)}
		names[c] = excelize.Cell{StyleID: w.fieldRow, Value: fl.Name}
	}
	if err := sw.SetRow("A1", labels); err != nil {
		return err
	}
	if !w.opts.NoFieldRow {
		if err := sw.SetRow("A2", names, excelize.RowOpts{Hidden: !w.opts.FieldRowVisible}); err != nil {
			return err
		}
	}
	first := w.dataRow()
	vals := make([]any, len(cols))
	for i, row := range rows {
		if err := w.streamRow(sw, first+i, cols, row, vals); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// streamRow writes row (values by field name) as sheet row n of sw, a cell
// a column of cols; vals is the buffer it fills, len(cols) long.
func (w *writer) streamRow(sw *excelize.StreamWriter, n int, cols []Field, row map[string]any, vals []any) error {
	for c, fl := range cols {
		cv, style := w.cellValue(fl, row[fl.Name])
		if cv == nil {
			vals[c] = nil
			continue
		}
		vals[c] = excelize.Cell{StyleID: style, Value: cv}
	}
	cell, _ := excelize.CoordinatesToCellName(1, n)
	return sw.SetRow(cell, vals)
}

func (w *writer) instructions() error {
	f := w.f
	if _, err := f.NewSheet(SheetHuongDan); err != nil {
		return err
	}
	for i, p := range Instructions {
		if err := f.SetCellStr(SheetHuongDan, fmt.Sprintf("A%d", i+1), w.s(p)); err != nil {
			return err
		}
	}
	_ = f.SetColWidth(SheetHuongDan, "A", "A", 120)
	return f.ProtectSheet(SheetHuongDan, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true})
}
