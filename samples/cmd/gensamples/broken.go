package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/samples/generate"
)

// Expect is what the pipeline must answer for one broken sample.
type Expect struct {
	Reason string   `json:"reason"`
	Rules  []string `json:"rules,omitempty"`
	// Cells are the A1 references (Sheet!A1) the rules should point at, when there is one.
	Cells []string `json:"cells,omitempty"`
	// What the file is, in one line.
	What string `json:"what"`
	// Generated is set for files not committed (too big): regenerate them with the named call.
	Generated string `json:"generated,omitempty"`
}

type brokenFile struct {
	name   string
	data   []byte
	expect Expect
}

// pickBase chooses the return the broken samples start from: 2025-Q1, an
// đảng bộ cơ sở with at least three admissions, a temporary transfer and a
// supervision row.
func pickBase(p *generate.Province) *generate.Return {
	for _, r := range p.ReturnsIn(generate.Quarter{Year: 2025, Q: 1}) {
		if r.Org.Type != generate.OrgTypeDangBoCoSo || len(r.Admissions) < 3 || len(r.Supervisions) < 1 || r.Org.Code == generate.BigOrg {
			continue
		}
		for _, t := range r.Transfers {
			if t.TransferType == "TAM_THOI" {
				return r
			}
		}
	}
	panic("gensamples: no base return for broken samples")
}

func writeReturn(r *generate.Return, opts generate.WriteOptions) []byte {
	var buf bytes.Buffer
	must(generate.WriteReturn(&buf, r, opts))
	return buf.Bytes()
}

// book opens b with excelize, applies fn and saves.
func book(b []byte, fn func(f *excelize.File)) []byte {
	f, err := excelize.OpenReader(bytes.NewReader(b))
	must(err)
	defer f.Close()
	fn(f)
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	must(err)
	return buf.Bytes()
}

// col is the column letter of field in a table sheet written in template order.
func col(sheet, field string) string {
	for i, f := range generate.Fields[sheet] {
		if f.Name == field {
			c, _ := excelize.ColumnNumberToName(i + 1)
			return c
		}
	}
	panic("no field " + sheet + "." + field)
}

// infoCell is the value cell of a ThongTin field.
func infoCell(field string) string {
	for i, f := range generate.Fields[generate.SheetThongTin] {
		if f.Name == field {
			return fmt.Sprintf("C%d", i+2)
		}
	}
	panic("no field " + field)
}

func ref(sheet, cell string) string { return sheet + "!" + cell }

func brokenSamples(p *generate.Province, bombSize int) []brokenFile {
	base := pickBase(p)
	q := base.Period()
	good := writeReturn(base, generate.WriteOptions{})
	ketnap := sheetPart(good, generate.SheetKetNap)
	var out []brokenFile
	add := func(name string, data []byte, e Expect) { out = append(out, brokenFile{name, data, e}) }
	rnd := rand.New(rand.NewPCG(uint64(p.Seed), 42))

	// Not a workbook at all.
	add("not_xlsx_empty.xlsx", []byte{}, Expect{Reason: "NOT_XLSX", What: "empty file (0 bytes)"})
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(rnd.IntN(256))
	}
	add("not_xlsx_garbage.xlsx", garbage, Expect{Reason: "NOT_XLSX", What: "4 KiB of random bytes"})
	add("not_xlsx_text.xlsx", []byte("org_code;year;quarter;admitted\r\nGD-KCQ-003;2025;1;3\r\n"),
		Expect{Reason: "NOT_XLSX", What: "a CSV text file renamed to .xlsx"})

	// Other formats.
	add("format_xls.xlsx", cfbFile("Workbook", generate_biff()), Expect{Reason: "FORMAT_XLS",
		What: "hand-built CFB/OLE2 container (v3, 512-byte sectors) with a BIFF8 \"Workbook\" stream"})
	add("format_xlsb.xlsx", xlsb(), Expect{Reason: "FORMAT_XLSB", What: "zip with xl/workbook.bin and the binary main content type"})
	add("format_xlsm.xlsx", xlsm(good), Expect{Reason: "FORMAT_XLSM",
		What: "a valid return whose main part is sheet.macroEnabled.main+xml, with xl/vbaProject.bin"})
	add("format_ods.xlsx", ods(), Expect{Reason: "FORMAT_ODS", What: "OpenDocument spreadsheet: stored mimetype entry first"})
	enc := func() []byte {
		f, err := excelize.OpenReader(bytes.NewReader(good))
		must(err)
		defer f.Close()
		var buf bytes.Buffer
		_, err = f.WriteTo(&buf, excelize.Options{Password: "GiaDinh@2025"})
		must(err)
		return buf.Bytes()
	}()
	add("encrypted.xlsx", enc, Expect{Reason: "ENCRYPTED", What: "valid return saved by excelize with password GiaDinh@2025 (ECMA-376 agile encryption in a CFB container)"})

	// Damaged packages.
	add("corrupt_zip_truncated.xlsx", good[:len(good)*6/10], Expect{Reason: "CORRUPT_ZIP", What: "valid return cut at 60% (no central directory)"})
	add("corrupt_part_ketnap.xlsx", corruptDeflate(good, ketnap), Expect{Reason: "CORRUPT_PART",
		What: "KetNap entry's deflate data broken half-way (a block of reserved type 11 after the first half); zip directory, CRC and size intact"})
	add("corrupt_xml_truncated.xlsx", edit(good, ketnap, func(x []byte) []byte { return x[:len(x)/2] }),
		Expect{Reason: "CORRUPT_XML", What: "KetNap sheet XML cut at 50%, repackaged with a correct CRC"})
	add("dtd_billion_laughs.xlsx", edit(good, ketnap, func(x []byte) []byte {
		return bytes.Replace(x, []byte("?>"), []byte(`?><!DOCTYPE worksheet [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>`), 1)
	}), Expect{Reason: "DTD", What: "KetNap sheet with a DOCTYPE declaring nested entities (billion-laughs style)"})
	add("dtd_xxe.xlsx", edit(good, "xl/sharedStrings.xml", func(x []byte) []byte {
		x = bytes.Replace(x, []byte("?>"), []byte(`?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`), 1)
		return bytes.Replace(x, []byte("<t>"), []byte("<t>&xxe;"), 1)
	}), Expect{Reason: "DTD", What: "shared strings with an external entity (XXE) declared and used"})
	add("corrupt_sst_negative.xlsx", edit(good, ketnap, func(x []byte) []byte { return setSSTIndex(x, "A3", "-1") }),
		Expect{Reason: "CORRUPT_SST", What: "KetNap A3 is a shared string with index -1"})
	add("corrupt_sst_overflow.xlsx", edit(good, ketnap, func(x []byte) []byte { return setSSTIndex(x, "A4", "999999") }),
		Expect{Reason: "CORRUPT_SST", What: "KetNap A4 is a shared string with index 999999 (≥ count)"})
	add("corrupt_rows_negative.xlsx", edit(good, ketnap, func(x []byte) []byte {
		return bytes.Replace(x, []byte(`<row r="4">`), []byte(`<row r="-1">`), 1)
	}), Expect{Reason: "CORRUPT_ROWS", What: `KetNap row 4 renumbered r="-1"`})
	add("corrupt_rows_2000000.xlsx", edit(good, ketnap, func(x []byte) []byte {
		n := len(base.Admissions) + 2
		return renumberRow(x, n, 2000000)
	}), Expect{Reason: "CORRUPT_ROWS", What: `last KetNap row renumbered r="2000000" (beyond 1,048,576), cell refs too`})
	add("corrupt_rows_decreasing.xlsx", edit(good, ketnap, func(x []byte) []byte { return swapRows(x, 3, 4) }),
		Expect{Reason: "CORRUPT_ROWS", What: "KetNap rows 3 and 4 stored in the order 4, 3"})
	add("corrupt_cells_order.xlsx", edit(good, ketnap, func(x []byte) []byte { return moveCellFirst(x, 3, "C3") }),
		Expect{Reason: "CORRUPT_CELLS", What: "KetNap row 3 stores C3 before A3"})

	// Size caps.
	if bombSize > 0 {
		es, err := readZip(good)
		must(err)
		es = append(es, entry{"xl/media/zeros.bin", make([]byte, bombSize)})
		add("too_large_bomb.xlsx", writeZip(es), Expect{Reason: "TOO_LARGE",
			What: fmt.Sprintf("valid return plus an entry of %d MB of zeros deflated to a few hundred KB", bombSize>>20)})
	}
	es, err := readZip(good)
	must(err)
	for i := 0; i < 2000; i++ {
		es = append(es, entry{fmt.Sprintf("customXml/item%04d.xml", i), []byte("<a/>")})
	}
	add("too_large_entries.xlsx", writeZip(es), Expect{Reason: "TOO_LARGE", What: "valid return plus 2,000 tiny zip entries (cap 1,000)"})

	// Template.
	add("template_no_ketnap.xlsx", book(good, func(f *excelize.File) { must(f.DeleteSheet(generate.SheetKetNap)) }),
		Expect{Reason: "TEMPLATE_MISMATCH", Rules: []string{"WB-SHEET-MISSING"}, What: "the KetNap sheet is missing"})
	add("template_missing_column.xlsx", book(good, func(f *excelize.File) {
		must(f.RemoveCol(generate.SheetKetNap, col(generate.SheetKetNap, "ceremony_date")))
	}), Expect{Reason: "TEMPLATE_MISMATCH", Rules: []string{"WB-COLUMN-MISSING"}, Cells: []string{"KetNap!R1"},
		What: "KetNap without its required ceremony_date column (column R removed)"})
	add("template_version_bcq9.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellStr(generate.SheetThongTin, infoCell("template_version"), "BCQ-9"))
	}), Expect{Reason: "TEMPLATE_MISMATCH", Rules: []string{"TH-07"}, Cells: []string{ref("ThongTin", infoCell("template_version"))},
		What: `ThongTin.template_version is "BCQ-9"`})

	// Invalid data, one rule family per file.
	kn := generate.SheetKetNap
	a0 := base.Admissions[0]
	setDate := func(f *excelize.File, sheet, cell string, v float64) {
		must(f.SetCellFloat(sheet, cell, v, -1, 64))
	}
	birth := kn + "!" + col(kn, "birth_date") + "3"
	add("invalid_kn01_under18.xlsx", book(good, func(f *excelize.File) {
		setDate(f, kn, col(kn, "birth_date")+"3", generate.ExcelSerial(a0.DecisionDate.AddDate(-17, -3, 0), false))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"KN-01"}, Cells: []string{birth}, What: "first admission is 17 years 3 months old on the decision date"})
	outside := q.Start().AddDate(0, 0, -45)
	add("invalid_kn04_ceremony_outside.xlsx", book(good, func(f *excelize.File) {
		setDate(f, kn, col(kn, "ceremony_date")+"3", generate.ExcelSerial(outside, false))
		setDate(f, kn, col(kn, "decision_date")+"3", generate.ExcelSerial(outside.AddDate(0, 0, -10), false))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"KN-04"}, Cells: []string{kn + "!" + col(kn, "ceremony_date") + "3"},
		What: "first admission's ceremony " + generate.FormatDate(outside) + " is before the quarter (decision date moved with it)"})
	add("invalid_th01_balance.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellInt(generate.SheetThongTin, infoCell("members_end_official"), int64(base.Info.MembersEndOfficial+3)))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"TH-01"}, Cells: []string{ref("ThongTin", infoCell("members_end_official"))},
		What: "members_end_official is 3 more than the balance gives"})
	add("invalid_th03_counts.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellInt(generate.SheetThongTin, infoCell("transfer_in_official"), int64(base.Info.TransferInOfficial+1)))
		must(f.SetCellInt(generate.SheetThongTin, infoCell("members_end_official"), int64(base.Info.MembersEndOfficial+1)))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"TH-03"}, Cells: []string{ref("ThongTin", infoCell("transfer_in_official"))},
		What: "transfer_in_official is one more than the DEN+CHINH_THUC rows (end count raised too, so TH-01 still holds)"})
	add("invalid_kn10_ethnicity.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellStr(kn, col(kn, "ethnicity_code")+"4", "99"))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"KN-10"}, Cells: []string{kn + "!" + col(kn, "ethnicity_code") + "4"},
		What: `second admission has ethnicity code "99" (not in the list; a validator may report its code-list check as WB-CODE)`})
	cs := generate.SheetChuyenSinhHoat
	tamRow := 0
	for i, t := range base.Transfers {
		if t.TransferType == "TAM_THOI" {
			tamRow = i + 3
			break
		}
	}
	tempCell := fmt.Sprintf("%s%d", col(cs, "temp_until"), tamRow)
	add("invalid_cs04_no_temp_until.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellValue(cs, tempCell, nil))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"CS-04"}, Cells: []string{cs + "!" + tempCell}, What: "a TAM_THOI transfer without temp_until"})
	gs := generate.SheetGiamSat
	add("invalid_gs02_db_khai_tru.xlsx", book(good, func(f *excelize.File) {
		set := func(field, v string) { must(f.SetCellStr(gs, col(gs, field)+"3", v)) }
		set("subject_type", "DANG_VIEN")
		set("subject_name", "Đỗ Thị Giả Định")
		set("subject_org_code", "")
		must(f.SetCellValue(gs, col(gs, "subject_org_code")+"3", nil))
		set("subject_member_id", "GD-765432")
		set("subject_member_status", "DB")
		set("is_committee_member", "K")
		set("result", "CO_VI_PHAM")
		set("discipline_required", "C")
		set("discipline_form", "KHAI_TRU")
		set("discipline_body", "Ủy ban Kiểm tra "+base.Org.DecidingBody)
		start := base.Supervisions[0].StartDate
		setDate(f, gs, col(gs, "conclusion_date")+"3", generate.ExcelSerial(start.AddDate(0, 0, 7), false))
		setDate(f, gs, col(gs, "discipline_date")+"3", generate.ExcelSerial(start.AddDate(0, 0, 9), false))
		must(f.SetCellStyle(gs, col(gs, "conclusion_date")+"3", col(gs, "conclusion_date")+"3", dateStyle(f)))
		must(f.SetCellStyle(gs, col(gs, "discipline_date")+"3", col(gs, "discipline_date")+"3", dateStyle(f)))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"GS-02"}, Cells: []string{gs + "!" + col(gs, "discipline_form") + "3"},
		What: "first GiamSat row: a dự bị member disciplined with KHAI_TRU (only KHIEN_TRACH/CANH_CAO allowed)"})
	add("invalid_kn08_duplicate.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellStr(kn, col(kn, "full_name")+"4", a0.FullName))
		setDate(f, kn, col(kn, "birth_date")+"4", generate.ExcelSerial(a0.BirthDate, false))
		must(f.SetCellValue(kn, col(kn, "citizen_id")+"4", nil))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"KN-08"}, Cells: []string{kn + "!A4"},
		What: "KetNap rows 3 and 4 are the same person (full name and birth date)"})
	add("invalid_ambiguous_number.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellStr(generate.SheetThongTin, infoCell("admission_target_year"), "1,250"))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"AMBIGUOUS_NUMBER"}, Cells: []string{ref("ThongTin", infoCell("admission_target_year"))},
		What: `admission_target_year is the text "1,250" (1250 in English grouping, 1,25 in Vietnamese)`})
	add("invalid_ambiguous_date.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellStr(kn, col(kn, "birth_date")+"3", "03/15/1995"))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"AMBIGUOUS_DATE"}, Cells: []string{birth},
		What: `first admission's birth_date is the text "03/15/1995" (month/day order)`})
	withFormula := book(good, func(f *excelize.File) {
		must(f.SetCellFormula(generate.SheetThongTin, infoCell("admitted"), "COUNTIF(KetNap!M3:M200,\"K\")"))
	})
	// excelize keeps the old value as the formula's cached result: drop it,
	// as a writer that never calculates would.
	add("invalid_formula_no_value.xlsx", edit(withFormula, sheetPart(withFormula, generate.SheetThongTin), func(x []byte) []byte {
		return regexp.MustCompile(`(</f>)<v>[^<]*</v>`).ReplaceAll(x, []byte("$1"))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-FORMULA"}, Cells: []string{ref("ThongTin", infoCell("admitted"))},
		What: "ThongTin.admitted is a formula with no cached value"})
	add("invalid_hidden_row.xlsx", book(good, func(f *excelize.File) { must(f.SetRowVisible(kn, 4, false)) }),
		Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-ROW"}, Cells: []string{kn + "!A4"}, What: "KetNap data row 4 is hidden"})
	eth := col(kn, "ethnicity_code")
	add("invalid_merged.xlsx", book(good, func(f *excelize.File) {
		must(f.MergeCell(kn, eth+"3", eth+"4"))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-MERGED"}, Cells: []string{kn + "!" + eth + "3:" + eth + "4"},
		What: "KetNap ethnicity cells of rows 3 and 4 merged"})
	add("invalid_hidden_sheet.xlsx", book(good, func(f *excelize.File) { must(f.SetSheetVisible(kn, false)) }),
		Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-SHEET"}, What: "the KetNap sheet is hidden"})
	out = append(out, shownSamples(base, good)...)
	add("too_large_shared_strings.xlsx", sharedStringsFlood(good, 24<<20, rnd), Expect{Reason: "TOO_LARGE",
		What: "valid return whose shared strings hold 24 MB more text that deflates about 150:1 (above the 16 MiB floor and 32 bytes per byte of file)"})
	return out
}

func dateStyle(f *excelize.File) int {
	fmtS := "dd/mm/yyyy"
	s, err := f.NewStyle(&excelize.Style{CustomNumFmt: &fmtS})
	must(err)
	return s
}

func generate_biff() []byte { return biffWorkbook(4200) }

func setSSTIndex(x []byte, cell, idx string) []byte {
	s := string(x)
	i := strings.Index(s, `<c r="`+cell+`"`)
	if i < 0 {
		panic("no cell " + cell)
	}
	j := strings.Index(s[i:], "<v>") + i + 3
	k := strings.Index(s[j:], "</v>") + j
	if !strings.Contains(s[i:j], `t="s"`) {
		panic(cell + " is not a shared string")
	}
	return []byte(s[:j] + idx + s[k:])
}

func rowSpan(s string, n int) (int, int) {
	i := strings.Index(s, fmt.Sprintf(`<row r="%d"`, n))
	if i < 0 {
		panic(fmt.Sprint("no row ", n))
	}
	j := strings.Index(s[i:], "</row>") + i + len("</row>")
	return i, j
}

func renumberRow(x []byte, from, to int) []byte {
	s := string(x)
	i, j := rowSpan(s, from)
	row := s[i:j]
	row = strings.Replace(row, fmt.Sprintf(`<row r="%d"`, from), fmt.Sprintf(`<row r="%d"`, to), 1)
	for c := 'A'; c <= 'Z'; c++ {
		row = strings.ReplaceAll(row, fmt.Sprintf(`r="%c%d"`, c, from), fmt.Sprintf(`r="%c%d"`, c, to))
	}
	return []byte(s[:i] + row + s[j:])
}

func swapRows(x []byte, a, b int) []byte {
	s := string(x)
	i, j := rowSpan(s, a)
	k, l := rowSpan(s, b)
	if j != k {
		panic("rows not adjacent")
	}
	return []byte(s[:i] + s[k:l] + s[i:j] + s[l:])
}

func moveCellFirst(x []byte, row int, cell string) []byte {
	s := string(x)
	i, j := rowSpan(s, row)
	r := s[i:j]
	open := strings.Index(r, ">") + 1
	ci := strings.Index(r, `<c r="`+cell+`"`)
	ce := strings.Index(r[ci:], "</c>") + ci + 4
	c := r[ci:ce]
	r = r[:ci] + r[ce:]
	r = r[:open] + c + r[open:]
	return []byte(s[:i] + r + s[j:])
}

func xlsb() []byte {
	ct := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/></Types>`
	rels := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>`
	wbRels := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>`
	// BIFF12 records: BrtBeginBook (0x83 0x01), BrtEndBook (0x84 0x01); a sheet with BrtBeginSheet/BrtEndSheet.
	wb := []byte{0x83, 0x01, 0x00, 0x8F, 0x01, 0x00, 0x90, 0x01, 0x00, 0x84, 0x01, 0x00}
	sh := []byte{0x81, 0x01, 0x00, 0x91, 0x01, 0x00, 0x92, 0x01, 0x00, 0x82, 0x01, 0x00}
	return writeZip([]entry{{"[Content_Types].xml", []byte(ct)}, {"_rels/.rels", []byte(rels)},
		{"xl/workbook.bin", wb}, {"xl/_rels/workbook.bin.rels", []byte(wbRels)}, {"xl/worksheets/sheet1.bin", sh}})
}

func xlsm(good []byte) []byte {
	es, err := readZip(good)
	must(err)
	for i := range es {
		switch es[i].name {
		case "[Content_Types].xml":
			s := string(es[i].data)
			s = strings.Replace(s, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
				"application/vnd.ms-excel.sheet.macroEnabled.main+xml", 1)
			s = strings.Replace(s, "<Default ", `<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default `, 1)
			es[i].data = []byte(s)
		case "xl/_rels/workbook.xml.rels":
			es[i].data = bytes.Replace(es[i].data, []byte("</Relationships>"),
				[]byte(`<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>`), 1)
		}
	}
	es = append(es, entry{"xl/vbaProject.bin", cfbFile("VBA", []byte("Attribute VB_Name = \"Module1\"\r\nSub Auto_Open()\r\nEnd Sub\r\n"))})
	return writeZip(es)
}

func ods() []byte {
	manifest := `<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`
	content := `<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:spreadsheet><table:table table:name="ThongTin"><table:table-row><table:table-cell office:value-type="string"><text:p>Chỉ tiêu</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Mã trường</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>Giá trị</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>`
	return writeZip([]entry{{"mimetype", []byte("application/vnd.oasis.opendocument.spreadsheet")},
		{"META-INF/manifest.xml", []byte(manifest)}, {"content.xml", []byte(content)}}, "mimetype")
}
