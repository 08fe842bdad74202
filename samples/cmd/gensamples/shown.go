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

// Samples where what a plain reader finds in the file is not what Excel
// shows (issue 11, "What Excel shows is what is loaded"). Each one is
// decided from the OOXML specification and Excel's behaviour: rejected with
// a reason code and a cell, never loaded as if it had been seen.

const (
	nsMC       = "http://schemas.openxmlformats.org/markup-compatibility/2006"
	nsX14ac    = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
	nsForeign  = "urn:example:not-spreadsheetml"
	nsRevision = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
)

// cellSpan finds the element of cell ref in sheet XML s.
func cellSpan(s, ref string) (int, int) {
	re := regexp.MustCompile(`<c r="` + ref + `"[^>]*?(/>|>.*?</c>)`)
	m := re.FindStringIndex(s)
	if m == nil {
		panic("no cell " + ref)
	}
	return m[0], m[1]
}

// replaceCell replaces the element of cell ref with repl.
func replaceCell(x []byte, ref, repl string) []byte {
	s := string(x)
	i, j := cellSpan(s, ref)
	return []byte(s[:i] + repl + s[j:])
}

// rowAttrs adds attributes to the start tag of row n.
func rowAttrs(x []byte, n int, attrs string) []byte {
	open := fmt.Sprintf(`<row r="%d"`, n)
	if !bytes.Contains(x, []byte(open)) {
		panic(fmt.Sprint("no row ", n))
	}
	return bytes.Replace(x, []byte(open), []byte(open+" "+attrs), 1)
}

// rootAttrs adds namespace declarations (or other attributes) to the worksheet root.
func rootAttrs(x []byte, attrs string) []byte {
	return bytes.Replace(x, []byte("<worksheet "), []byte("<worksheet "+attrs+" "), 1)
}

// infoRow is the row of a ThongTin field.
func infoRow(field string) int {
	for i, f := range generate.Fields[generate.SheetThongTin] {
		if f.Name == field {
			return i + 2
		}
	}
	panic("no field " + field)
}

func shownSamples(base *generate.Return, good []byte) []brokenFile {
	var out []brokenFile
	add := func(name string, data []byte, e Expect) { out = append(out, brokenFile{name, data, e}) }
	kn, tt := generate.SheetKetNap, generate.SheetThongTin
	ketnap, thongtin := sheetPart(good, kn), sheetPart(good, tt)
	last := len(base.Admissions) + 2 // last KetNap data row
	nameCol := col(kn, "full_name")

	// Markup compatibility (ECMA-376 Part 3): Excel skips elements of a
	// namespace it does not understand when the namespace is ignorable
	// (and refuses the file otherwise), so a row or value there is never
	// shown. Excel never writes such markup inside the cell table: rejected.
	extraRow := func(prefix string) string {
		r := last + 1
		return fmt.Sprintf(`<%[1]srow r="%[2]d"><%[1]sc r="%[3]s%[2]d" t="inlineStr"><%[1]sis><%[1]st>Người Không Hiện</%[1]st></%[1]sis></%[1]sc></%[1]srow>`, prefix, r, nameCol)
	}
	add("foreign_row_ignorable.xlsx", edit(good, ketnap, func(x []byte) []byte {
		x = rootAttrs(x, `xmlns:mc="`+nsMC+`" xmlns:xr="`+nsRevision+`" mc:Ignorable="xr"`)
		return bytes.Replace(x, []byte("</sheetData>"), []byte(extraRow("xr:")+"</sheetData>"), 1)
	}), Expect{Reason: "FOREIGN_MARKUP", Cells: []string{fmt.Sprintf("%s!A%d", kn, last+1)},
		What: fmt.Sprintf("an extra KetNap row %d in the ignorable namespace xr (mc:Ignorable): Excel skips it", last+1)})
	add("foreign_row_default_namespace.xlsx", edit(good, ketnap, func(x []byte) []byte {
		row := strings.Replace(extraRow(""), "<row ", `<row xmlns="`+nsForeign+`" `, 1)
		return bytes.Replace(x, []byte("</sheetData>"), []byte(row+"</sheetData>"), 1)
	}), Expect{Reason: "FOREIGN_MARKUP", Cells: []string{fmt.Sprintf("%s!A%d", kn, last+1)},
		What: fmt.Sprintf("an extra unprefixed KetNap row %d whose default namespace is not SpreadsheetML", last+1)})
	add("foreign_row_alternate_content.xlsx", edit(good, ketnap, func(x []byte) []byte {
		x = rootAttrs(x, `xmlns:mc="`+nsMC+`" xmlns:x14ac="`+nsX14ac+`"`)
		ac := `<mc:AlternateContent><mc:Choice Requires="x14ac">` + extraRow("") + `</mc:Choice></mc:AlternateContent>`
		return bytes.Replace(x, []byte("</sheetData>"), []byte(ac+"</sheetData>"), 1)
	}), Expect{Reason: "FOREIGN_MARKUP", Cells: []string{fmt.Sprintf("%s!A%d", kn, last+1)},
		What: fmt.Sprintf("an extra KetNap row %d inside mc:AlternateContent/mc:Choice in sheetData", last+1)})
	endRow := infoRow("members_end_official")
	add("foreign_value_namespace.xlsx", edit(good, thongtin, func(x []byte) []byte {
		ref := fmt.Sprintf("C%d", endRow)
		return replaceCell(x, ref, fmt.Sprintf(`<c r="%s" s="5"><q:v xmlns:q="%s">%d</q:v></c>`, ref, nsForeign, base.Info.MembersEndOfficial+50))
	}), Expect{Reason: "FOREIGN_MARKUP", Cells: []string{fmt.Sprintf("%s!C%d", tt, endRow)},
		What: "ThongTin.members_end_official's value is a <q:v> of a foreign namespace (Excel shows an empty cell)"})
	add("foreign_shared_string.xlsx", edit(good, "xl/sharedStrings.xml", func(x []byte) []byte {
		// The first item's text moves into a foreign namespace: Excel
		// shows an empty string where a plain reader reads the text.
		return bytes.Replace(x, []byte("<si><t>"), []byte(`<si><t></t><q:t xmlns:q="`+nsForeign+`">`), 1)
	}), Expect{Reason: "FOREIGN_MARKUP", What: "shared string 0 holds an empty <t> and its text in a foreign-namespace <q:t>"})

	// Tabs that show the same name: Excel compares sheet names without
	// case but keeps spaces and invisible characters, so "KetNap " and
	// "KetNap\u200b" are different sheets that look the same. Rejected: we
	// cannot know which one the person meant.
	decoy := func(name string) []byte {
		return book(good, func(f *excelize.File) {
			src, err := f.GetSheetIndex(kn)
			must(err)
			idx, err := f.NewSheet(name)
			must(err)
			must(f.CopySheet(src, idx))
			must(f.SetCellStr(name, nameCol+"3", "Người Giả Mạo"))
			// The decoy comes first, as the tab a reader would meet first.
			must(f.MoveSheet(name, kn))
		})
	}
	for _, d := range []struct{ file, name, what string }{
		{"template_decoy_sheet_space.xlsx", "KetNap ", `a copy of KetNap named "KetNap " (trailing space) with another name in row 3`},
		{"template_decoy_sheet_zwsp.xlsx", "KetNap\u200b", `a copy of KetNap named "KetNap" + U+200B ZERO WIDTH SPACE with another name in row 3`},
		{"template_decoy_sheet_cyrillic.xlsx", "K\u0435tNap", `a copy of KetNap named with a Cyrillic "е" (U+0435) with another name in row 3`},
	} {
		add(d.file, decoy(d.name), Expect{Reason: "TEMPLATE_MISMATCH", Rules: []string{"WB-SHEET-AMBIGUOUS"}, What: d.what})
	}

	// The hidden field-name row decides the columns; the labels in row 1
	// are what a person reads. They must agree.
	cmtCol := col(kn, "deciding_body")
	add("template_field_row_swapped.xlsx", edit(good, ketnap, func(x []byte) []byte {
		s := string(x)
		a, b := nameCol+"2", cmtCol+"2"
		i, j := cellSpan(s, a)
		k, l := cellSpan(s, b)
		ca, cb := s[i:j], s[k:l]
		ca2 := strings.Replace(cb, `r="`+b+`"`, `r="`+a+`"`, 1)
		cb2 := strings.Replace(ca, `r="`+a+`"`, `r="`+b+`"`, 1)
		return []byte(s[:i] + ca2 + s[j:k] + cb2 + s[l:])
	}), Expect{Reason: "TEMPLATE_MISMATCH", Rules: []string{"WB-HEADER-MISMATCH"}, Cells: []string{kn + "!" + nameCol + "1", kn + "!" + cmtCol + "1"},
		What: "KetNap's hidden field-name row names the full_name column deciding_body and the reverse (labels unchanged): the committee would load as every person's name"})
	add("template_thongtin_label_swapped.xlsx", edit(good, thongtin, func(x []byte) []byte {
		// Column B (field codes) of admitted and members_end_official
		// swapped: the labels in column A say otherwise.
		s := string(x)
		a, b := fmt.Sprintf("B%d", infoRow("admitted")), fmt.Sprintf("B%d", endRow)
		i, j := cellSpan(s, a)
		k, l := cellSpan(s, b)
		ca, cb := s[i:j], s[k:l]
		return []byte(s[:i] + strings.Replace(cb, `r="`+b+`"`, `r="`+a+`"`, 1) + s[j:k] + strings.Replace(ca, `r="`+a+`"`, `r="`+b+`"`, 1) + s[l:])
	}), Expect{Reason: "TEMPLATE_MISMATCH", Rules: []string{"WB-HEADER-MISMATCH"}, Cells: []string{fmt.Sprintf("%s!A%d", tt, infoRow("admitted"))},
		What: "ThongTin's field codes of admitted and members_end_official swapped in column B; the labels in column A unchanged"})

	// ThongTin values Excel does not show.
	admRow := infoRow("admitted")
	admCell := fmt.Sprintf("C%d", admRow)
	add("invalid_thongtin_merged.xlsx", edit(good, thongtin, func(x []byte) []byte {
		// Written by hand: excelize empties the covered cells when it
		// merges, as Excel does; a crafted file keeps a value there.
		if bytes.Contains(x, []byte("<mergeCells")) {
			panic("ThongTin has merges already")
		}
		return bytes.Replace(x, []byte("</sheetData>"), []byte(fmt.Sprintf(`</sheetData><mergeCells count="1"><mergeCell ref="B%d:%s"/></mergeCells>`, admRow, admCell)), 1)
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-MERGED"}, Cells: []string{tt + "!" + admCell},
		What: "ThongTin B:C of admitted merged: Excel shows the field code, the value lies under the merge"})
	add("invalid_thongtin_hidden_column.xlsx", edit(good, thongtin, func(x []byte) []byte {
		return bytes.Replace(x, []byte(`<col customWidth="true" max="3" min="3" width="40">`), []byte(`<col customWidth="true" max="3" min="3" width="40" hidden="1">`), 1)
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-COLUMN"}, Cells: []string{tt + "!C2"},
		What: "ThongTin column C (the values) hidden"})
	add("invalid_thongtin_column_width0.xlsx", edit(good, thongtin, func(x []byte) []byte {
		return bytes.Replace(x, []byte(`<col customWidth="true" max="3" min="3" width="40">`), []byte(`<col customWidth="true" max="3" min="3" width="0">`), 1)
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-COLUMN"}, Cells: []string{tt + "!C2"},
		What: "ThongTin column C has width 0 (no hidden attribute)"})
	add("invalid_thongtin_column_narrow_default.xlsx", edit(good, thongtin, func(x []byte) []byte {
		x = bytes.Replace(x, []byte(`<col customWidth="true" max="3" min="3" width="40"></col>`), nil, 1)
		return bytes.Replace(x, []byte(`<sheetFormatPr defaultRowHeight="15">`), []byte(`<sheetFormatPr defaultRowHeight="15" defaultColWidth="0">`), 1)
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-COLUMN"}, Cells: []string{tt + "!C2"},
		What: "ThongTin column C has no width of its own and the sheet's default column width is 0"})
	add("invalid_thongtin_row_height0.xlsx", edit(good, thongtin, func(x []byte) []byte {
		return rowAttrs(x, admRow, `ht="0" customHeight="1"`)
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-ROW"}, Cells: []string{tt + "!" + admCell},
		What: "ThongTin row of admitted has height 0 (no hidden attribute)"})
	add("invalid_thongtin_row_height_tiny.xlsx", edit(good, thongtin, func(x []byte) []byte {
		return rowAttrs(x, admRow, `ht="0.75" customHeight="1"`)
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-ROW"}, Cells: []string{tt + "!" + admCell},
		What: "ThongTin row of admitted is 0.75 point high: no character shows"})
	add("invalid_ketnap_zero_height_default.xlsx", edit(good, ketnap, func(x []byte) []byte {
		x = bytes.Replace(x, []byte("<sheetData>"), []byte(`<sheetFormatPr defaultRowHeight="15" zeroHeight="1"/><sheetData>`), 1)
		return rowAttrs(rowAttrs(x, 1, `ht="15" customHeight="1"`), 2, `ht="15" customHeight="1"`)
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-ROW"}, Cells: []string{kn + "!A3"},
		What: "KetNap sheetFormatPr zeroHeight=\"1\": the data rows, which set no height, are hidden by default"})

	// A number format with empty sections (";;;") shows nothing.
	add("invalid_hidden_number_format.xlsx", book(good, func(f *excelize.File) {
		code := ";;;"
		st, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
		must(err)
		must(f.SetCellStyle(tt, admCell, admCell, st))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-HIDDEN-VALUE"}, Cells: []string{tt + "!" + admCell},
		What: `ThongTin.admitted has the custom number format ";;;": Excel shows an empty cell`})

	// Formulas: with calcPr fullCalcOnLoad Excel recalculates on opening
	// and shows what it computes, not the cached value in the file.
	add("invalid_formula_recalc_on_load.xlsx", edit(book(good, func(f *excelize.File) {
		must(f.SetCellFormula(tt, admCell, fmt.Sprintf("%d+5", base.Info.Admitted)))
		full := true
		must(f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: &full}))
	}), "xl/workbook.xml", func(x []byte) []byte {
		if !bytes.Contains(x, []byte(`fullCalcOnLoad="1"`)) && !bytes.Contains(x, []byte(`fullCalcOnLoad="true"`)) {
			panic("no fullCalcOnLoad")
		}
		return x
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-FORMULA-RECALC"}, Cells: []string{tt + "!" + admCell},
		What: fmt.Sprintf("ThongTin.admitted is the formula =%d+5 with the stale cached value %d, and calcPr fullCalcOnLoad=\"1\" (Excel shows %d)",
			base.Info.Admitted, base.Info.Admitted, base.Info.Admitted+5)})

	// Dates must be 1900-2100 whatever the cell type.
	birthCol := col(kn, "birth_date")
	dateCell := func(v string) func([]byte) []byte {
		return func(x []byte) []byte {
			ref := birthCol + "3"
			return replaceCell(x, ref, fmt.Sprintf(`<c r="%s" t="d"><v>%s</v></c>`, ref, v))
		}
	}
	birth := kn + "!" + birthCol + "3"
	add("invalid_date_9999.xlsx", edit(good, ketnap, dateCell("9999-12-31T00:00:00")),
		Expect{Reason: "INVALID_DATA", Rules: []string{"WB-DATE-RANGE"}, Cells: []string{birth}, What: `first admission's birth_date is a t="d" cell 9999-12-31`})
	add("invalid_date_year0.xlsx", edit(good, ketnap, dateCell("0000-06-15")),
		Expect{Reason: "INVALID_DATA", Rules: []string{"WB-DATE-RANGE"}, Cells: []string{birth}, What: `first admission's birth_date is a t="d" cell 0000-06-15 (year 0, which PostgreSQL refuses)`})
	add("invalid_date_serial_9999.xlsx", edit(good, ketnap, func(x []byte) []byte {
		ref := birthCol + "3"
		return replaceCell(x, ref, fmt.Sprintf(`<c r="%s" s="%s"><v>2958465</v></c>`, ref, styleOf(x, ref)))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-DATE-RANGE"}, Cells: []string{birth}, What: "first admission's birth_date is the serial 2958465 (31/12/9999)"})
	add("invalid_date_text_1899.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellStr(kn, birthCol+"3", "31/12/1899"))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-DATE-RANGE"}, Cells: []string{birth}, What: `first admission's birth_date is the text "31/12/1899"`})

	// Counts beyond the integer column (2,147,483,647).
	tempIn := fmt.Sprintf("C%d", infoRow("temp_in"))
	add("invalid_count_above_int32.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellInt(tt, tempIn, 2147483648))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-RANGE"}, Cells: []string{tt + "!" + tempIn}, What: "ThongTin.temp_in is 2147483648 (2^31, one past the integer column)"})
	add("invalid_count_text_huge.xlsx", book(good, func(f *excelize.File) {
		must(f.SetCellStr(tt, tempIn, "9.000.000.000"))
	}), Expect{Reason: "INVALID_DATA", Rules: []string{"WB-RANGE"}, Cells: []string{tt + "!" + tempIn}, What: `ThongTin.temp_in is the text "9.000.000.000"`})

	// VBA projects whatever way they are typed.
	add("format_xlsm_default_type.xlsx", vbaByDefault(good, false), Expect{Reason: "FORMAT_XLSM",
		What: `a valid return (main part .sheet.main+xml) plus xl/project.vba, a VBA project typed by <Default Extension="vba"> only, no Override, no relationship`})
	add("format_xlsm_relationship.xlsx", vbaByDefault(good, true), Expect{Reason: "FORMAT_XLSM",
		What: "a valid return whose workbook has a vbaProject relationship to xl/macro.dat, typed application/octet-stream"})
	return out
}

// styleOf returns the s attribute of cell ref.
func styleOf(x []byte, ref string) string {
	s := string(x)
	i, j := cellSpan(s, ref)
	m := regexp.MustCompile(` s="(\d+)"`).FindStringSubmatch(s[i:j])
	if m == nil {
		return "0"
	}
	return m[1]
}

// vbaByDefault adds a VBA project to a valid return without the Override a
// macro-enabled workbook carries: typed by a Default for its extension, or
// (rel) only related from the workbook.
func vbaByDefault(good []byte, rel bool) []byte {
	es, err := readZip(good)
	must(err)
	vba := cfbFile("VBA", []byte("Attribute VB_Name = \"Module1\"\r\nSub Auto_Open()\r\nEnd Sub\r\n"))
	name, ext, typ := "xl/project.vba", "vba", "application/vnd.ms-office.vbaProject"
	if rel {
		name, ext, typ = "xl/macro.dat", "dat", "application/octet-stream"
	}
	for i := range es {
		switch {
		case es[i].name == "[Content_Types].xml":
			es[i].data = bytes.Replace(es[i].data, []byte("<Default "), []byte(`<Default Extension="`+ext+`" ContentType="`+typ+`"/><Default `), 1)
		case es[i].name == "xl/_rels/workbook.xml.rels" && rel:
			es[i].data = bytes.Replace(es[i].data, []byte("</Relationships>"),
				[]byte(`<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="macro.dat"/></Relationships>`), 1)
		}
	}
	es = append(es, entry{name, vba})
	return writeZip(es)
}

// sharedStringsFlood is a valid return whose shared strings hold size bytes
// of text that deflates about 150 to 1 (below the zip-bomb ratio): the
// string cap, relative to the file's size, must stop it.
func sharedStringsFlood(good []byte, size int, rnd *rand.Rand) []byte {
	es, err := readZip(good)
	must(err)
	// One random letter among 240 fixed ones: deflate codes the rest as
	// matches, the letter as a literal.
	fixed := strings.Repeat("Nguyễn Văn An ", 18)
	for i := range es {
		if es[i].name != "xl/sharedStrings.xml" {
			continue
		}
		var extra bytes.Buffer
		for extra.Len() < size {
			extra.WriteString("<si><t>")
			extra.WriteString(fixed)
			extra.WriteByte("abcdefghijklmnopqrstuvwxyz"[rnd.IntN(26)])
			extra.WriteString("</t></si>")
		}
		es[i].data = bytes.Replace(es[i].data, []byte("</sst>"), append(extra.Bytes(), "</sst>"...), 1)
	}
	return writeZip(es)
}

// shownNotes closes the broken samples' README: why the "what Excel shows"
// samples are rejected rather than loaded (the decisions table is in the
// repository README, "What Excel shows is what is loaded").
const shownNotes = `
What Excel shows is what is loaded (the decisions, case by case, are in the repository README under that title):

- ` + "`foreign_*`" + `: Markup Compatibility (ECMA-376 Part 3) lets a consumer skip an element of an ignorable namespace with all it holds, and requires it to refuse a non-ignorable namespace it does not understand; either way Excel does not show such a row, cell, value or string, and Excel never writes one inside the cell table. Rejected ` + "`FOREIGN_MARKUP`" + ` at the cell. SpreadsheetML under a prefix (` + "`x:row`" + `) or in Strict namespaces reads as usual.
- ` + "`template_decoy_sheet_*`" + `: a second tab that shows the same name (trailing space, U+200B, a Cyrillic е) holds other data; the name a person reads decides, so two candidates are ` + "`WB-SHEET-AMBIGUOUS`" + `.
- ` + "`template_field_row_swapped.xlsx`, `template_thongtin_label_swapped.xlsx`" + `: the field codes (row 2 of a table, hidden; column B of ThongTin) contradict the labels a person reads: ` + "`WB-HEADER-MISMATCH`" + ` at the label.
- ` + "`invalid_thongtin_*`, `invalid_ketnap_zero_height_default.xlsx`" + `: a value under a merge, in a hidden column, in a column of width 0 (or too narrow for one character, or with a default width of 0), in a row of height 0 (or below 3 points, or hidden by ` + "`zeroHeight`" + `) is not shown by Excel.
- ` + "`invalid_formula_recalc_on_load.xlsx`" + `: with ` + "`calcPr fullCalcOnLoad=\"1\"`" + ` Excel shows what it computes on opening, not the cached value the file holds.
- ` + "`invalid_date_*`, `invalid_count_*`" + `: every value accepted must be storable: dates 01/03/1900–31/12/2100 whatever the cell type, counts within PostgreSQL's integer.
- ` + "`format_xlsm_default_type.xlsx`, `format_xlsm_relationship.xlsx`" + `: a part's content type is its Override or else the Default of its extension; a VBA project typed either way, or related from the workbook, is a macro.
- ` + "`invalid_hidden_number_format.xlsx`" + `: a custom number format whose sections are empty (` + "`;;;`" + `) makes Excel show an empty cell: ` + "`WB-HIDDEN-VALUE`" + `.
- ` + "`too_large_shared_strings.xlsx`" + `: 24 MB of shared strings in a file of under 200 KB; text is capped at 32 bytes per byte of file (floor 16 MiB).
`
