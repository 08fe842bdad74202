package workbook

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// vietnamese holds names with diacritics, in NFC as typed.
var vietnamese = []string{"Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "Phạm Đức Thắng", "Võ Thị Ánh Tuyết", "Đặng Quốc Huy", "Bùi Thị Hương", "Hồ Minh Khôi"}

func TestDifferentialExcelizeSetCellValue(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	require.NoError(t, f.SetSheetName("Sheet1", "KetNap"))
	for i, name := range vietnamese {
		r := i + 2
		require.NoError(t, f.SetCellValue("KetNap", fmt.Sprintf("A%d", r), i+1))
		require.NoError(t, f.SetCellValue("KetNap", fmt.Sprintf("B%d", r), name))
		require.NoError(t, f.SetCellValue("KetNap", fmt.Sprintf("C%d", r), 45000.5+float64(i)))
		require.NoError(t, f.SetCellValue("KetNap", fmt.Sprintf("D%d", r), i%2 == 0))
		require.NoError(t, f.SetCellValue("KetNap", fmt.Sprintf("F%d", r), norm.NFD.String(name)))
		require.NoError(t, f.SetCellFormula("KetNap", fmt.Sprintf("G%d", r), fmt.Sprintf("A%d*2", r)))
	}
	require.NoError(t, f.SetCellValue("KetNap", "A1", "  khoảng trắng đầu"))
	require.NoError(t, f.SetCellValue("KetNap", "B1", "a & b < c > d \"e\" 'f' Ạ"))
	require.NoError(t, f.SetCellValue("KetNap", "C1", "dòng 1\ndòng 2\r\nx"))
	_, err := f.NewSheet("Ẩn")
	require.NoError(t, err)
	require.NoError(t, f.SetCellValue("Ẩn", "B3", "hidden sheet"))
	require.NoError(t, f.SetSheetVisible("Ẩn", false))
	require.NoError(t, f.SetRowVisible("KetNap", 3, false))
	require.NoError(t, f.SetColVisible("KetNap", "E", false))
	require.NoError(t, f.MergeCell("KetNap", "H1", "J2"))
	data := excelizeBytes(t, f)

	res := requireSameAsExcelize(t, data)
	require.Equal(t, []SheetInfo{{Name: "KetNap", State: Visible, Part: "xl/worksheets/sheet1.xml"}, {Name: "Ẩn", State: Hidden, Part: "xl/worksheets/sheet2.xml"}}, res.sheets)
	cells := cellsOf(res, "KetNap")
	require.Equal(t, Cell{Col: 2, Kind: String, Value: "Nguyễn Văn An"}, cells["B2"])
	require.Equal(t, Cell{Col: 4, Kind: Bool, Value: "1"}, cells["D2"])
	require.Equal(t, Number, cells["A2"].Kind)
	require.True(t, cells["G2"].Formula, "a formula without a cached value is reported")
	require.Empty(t, cells["G2"].Value)
	require.Equal(t, "  khoảng trắng đầu", cells["A1"].Value)
	require.Equal(t, norm.NFD.String("Nguyễn Văn An"), cells["F2"].Value, "text is not normalised")
	require.Equal(t, []Range{{FromCol: 8, FromRow: 1, ToCol: 10, ToRow: 2}}, res.meta["KetNap"].Merges)
	require.Equal(t, []int{5}, res.meta["KetNap"].HiddenCols)
	for _, r := range res.rows["KetNap"] {
		require.Equal(t, r.Num == 3, r.Hidden, "row %d", r.Num)
	}
}

func TestDifferentialExcelizeStreamWriter(t *testing.T) {
	t.Parallel()
	data := streamWorkbook(t, 2000)
	res := requireSameAsExcelize(t, data)
	require.Len(t, res.rows["KetNap"], 2001)
	require.Equal(t, 2001, res.meta["KetNap"].Rows)
}

// streamWorkbook writes a realistic "KetNap" sheet of n data rows with
// excelize's StreamWriter.
func streamWorkbook(t testing.TB, n int) []byte {
	t.Helper()
	f := excelize.NewFile()
	require.NoError(t, f.SetSheetName("Sheet1", "KetNap"))
	sw, err := f.NewStreamWriter("KetNap")
	require.NoError(t, err)
	require.NoError(t, sw.SetRow("A1", headerRow()))
	row := make([]any, 15)
	for i := 0; i < n; i++ {
		fillRow(row, i)
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		require.NoError(t, sw.SetRow(cell, row))
	}
	require.NoError(t, sw.Flush())
	return excelizeBytes(t, f)
}

func headerRow() []any {
	return []any{"STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Quê quán", "Nghề nghiệp",
		"Trình độ", "Ngày kết nạp", "Chi bộ", "Mã đảng viên", "Số thẻ", "Ghi chú", "Điểm"}
}

func fillRow(row []any, i int) {
	row[0] = i + 1
	row[1] = vietnamese[i%len(vietnamese)] + fmt.Sprintf(" %d", i)
	row[2] = 30000 + i%15000
	row[3] = []string{"Nam", "Nữ"}[i%2]
	row[4] = []string{"Kinh", "Tày", "Thái", "Mường"}[i%4]
	row[5] = "Không"
	row[6] = []string{"Hà Nội", "Nghệ An", "Thừa Thiên Huế", "Cần Thơ"}[i%4]
	row[7] = "Giáo viên"
	row[8] = "Đại học"
	row[9] = 44000 + i%2000
	row[10] = fmt.Sprintf("Chi bộ %d", i%37)
	row[11] = fmt.Sprintf("DV%08d", i)
	row[12] = 100000 + i
	row[13] = ""
	row[14] = float64(i%1000) / 8
}

// handBuilt are packages written the way other programs write them.
func handBuilt() map[string]map[string]string {
	m := map[string]map[string]string{}
	// openpyxl-like: inline strings, no shared-strings part.
	m["inline-strings"] = skeleton(sheetXML(
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Họ tên</t></is></c><c r="B1" t="inlineStr"><is><t xml:space="preserve">  lề </t></is></c></row>`+
			`<row r="2"><c r="A2" t="inlineStr"><is><r><t>Nguyễn </t></r><r><rPr><b/></rPr><t>Văn</t></r><rPh><t>x</t></rPh></is></c><c r="B2"><v>12.5</v></c></row>`), "")
	// writers that omit r on rows and cells.
	m["no-r"] = skeleton(sheetXML(
		`<row><c t="s"><v>0</v></c><c><v>1</v></c><c t="s"><v>1</v></c></row>`+
			`<row><c/><c t="b"><v>0</v></c></row><row r="5"><c r="C5"><v>3</v></c><c><v>4</v></c></row>`), sstXML("a", "b"))
	// .NET OpenXML SDK: prefixed namespace.
	m["prefixed"] = skeleton(xmlDecl+`<x:worksheet xmlns:x="`+nsMain+`"><x:sheetData>`+
		`<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>7</x:v></x:c></x:row>`+
		`</x:sheetData></x:worksheet>`, xmlDecl+`<x:sst xmlns:x="`+nsMain+`"><x:si><x:t>Xin chào</x:t></x:si></x:sst>`)
	// Strict OOXML namespaces.
	strict := skeleton(xmlDecl+`<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheetData>`+
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c></row></sheetData></worksheet>`,
		xmlDecl+`<sst xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><si><t>strict</t></si></sst>`)
	strict["xl/workbook.xml"] = xmlDecl + `<workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main" xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships">` +
		`<workbookPr date1904="true"/><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	strict["_rels/.rels"] = xmlDecl + `<Relationships xmlns="` + nsPkgRel + `"><Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" Target="/xl/workbook.xml"/></Relationships>`
	strict["xl/_rels/workbook.xml.rels"] = xmlDecl + `<Relationships xmlns="` + nsPkgRel + `">` +
		`<Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	m["strict"] = strict
	// Every cell type, formulas with cached values, entities, escapes.
	m["types"] = skeleton(sheetXML(
		`<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="e"><v>#REF!</v></c><c r="C1" t="str"><f>A1&amp;"x"</f><v>TRUEx</v></c>`+
			`<c r="D1"><f>1+1</f><v>2</v></c><c r="E1" t="d"><v>2024-03-05T00:00:00Z</v></c><c r="F1" t="s"><v>1</v></c>`+
			`<c r="G1" s="3"/><c r="H1" t="s"><v>2</v></c><c r="I1"><v>1.5E3</v></c></row>`+
			`<row r="3" hidden="1"><c r="A3" t="inlineStr"><is><t>&amp; &lt; &gt; &quot; &apos; &#x1EA0; &#7840;</t></is></c></row>`),
		sstXML("x", "a &amp; b &#x1EA0;", "tab_x0009_here _x005F_x0041_ <![CDATA[<raw>]]>"))
	return m
}

func TestDifferentialHandBuilt(t *testing.T) {
	t.Parallel()
	for name, parts := range handBuilt() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			requireSameAsExcelize(t, zipMap(t, parts))
		})
	}
	res, err := readBytes(zipMap(t, handBuilt()["types"]), Limits{})
	require.NoError(t, err)
	cells := cellsOf(res, "Sheet1")
	require.Equal(t, Cell{Col: 1, Kind: Bool, Value: "1"}, cells["A1"])
	require.Equal(t, Cell{Col: 2, Kind: Error, Value: "#REF!"}, cells["B1"])
	require.Equal(t, Cell{Col: 3, Kind: String, Value: "TRUEx", Formula: true}, cells["C1"])
	require.Equal(t, Cell{Col: 4, Kind: Number, Value: "2", Formula: true}, cells["D1"])
	require.Equal(t, Cell{Col: 5, Kind: Date, Value: "2024-03-05T00:00:00Z"}, cells["E1"])
	require.Equal(t, "a & b Ạ", cells["F1"].Value)
	require.Equal(t, "tab\there _x0041_ <raw>", cells["H1"].Value)
	require.Equal(t, "& < > \" ' Ạ Ạ", cells["A3"].Value)
	require.NotContains(t, cells, "G1", "a styled blank is not reported")
	require.True(t, res.rows["Sheet1"][1].Hidden)

	res, err = readBytes(zipMap(t, handBuilt()["strict"]), Limits{})
	require.NoError(t, err)
	require.True(t, res.d1904)
	res, err = readBytes(zipMap(t, handBuilt()["no-r"]), Limits{})
	require.NoError(t, err)
	require.Equal(t, []int{1, 2, 5}, []int{res.rows["Sheet1"][0].Num, res.rows["Sheet1"][1].Num, res.rows["Sheet1"][2].Num})
	require.Equal(t, map[string]Cell{
		"A1": {Col: 1, Kind: String, Value: "a"}, "B1": {Col: 2, Kind: Number, Value: "1"}, "C1": {Col: 3, Kind: String, Value: "b"},
		"B2": {Col: 2, Kind: Bool, Value: "0"}, "C5": {Col: 3, Kind: Number, Value: "3"}, "D5": {Col: 4, Kind: Number, Value: "4"},
	}, cellsOf(res, "Sheet1"))
}

func TestDate1904(t *testing.T) {
	t.Parallel()
	for _, v := range []struct {
		attr string
		want bool
	}{{`date1904="1"`, true}, {`date1904="true"`, true}, {`date1904="0"`, false}, {``, false}} {
		parts := skeleton(sheetXML(`<row r="1"><c r="A1"><v>45000</v></c></row>`), "")
		parts["xl/workbook.xml"] = xmlDecl + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><workbookPr ` + v.attr + `/>` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
		res, err := readBytes(zipMap(t, parts), Limits{})
		require.NoError(t, err)
		require.Equal(t, v.want, res.d1904, v.attr)
	}
	// excelize-written 1904 workbook
	f := excelize.NewFile()
	require.NoError(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: boolPtr(true)}))
	require.NoError(t, f.SetCellValue("Sheet1", "A1", 45000))
	res := requireSameAsExcelize(t, excelizeBytes(t, f))
	require.True(t, res.d1904)
}

func boolPtr(b bool) *bool { return &b }

// TestFixtures reads the workbooks LibreOffice and openpyxl wrote
// (testdata/make_fixtures.sh) and compares them with excelize.
func TestFixtures(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("testdata/*.xlsx")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			res := requireSameAsExcelize(t, data)
			require.NotEmpty(t, res.sheets)
		})
	}
}

// TestFixtureDetails checks what excelize's grid cannot show: states,
// hidden rows and columns, merges, formulas without cached values, 1904.
func TestFixtureDetails(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"openpyxl.xlsx", "libreoffice-roundtrip.xlsx", "openpyxl-1904.xlsx"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		res, err := readBytes(data, Limits{})
		require.NoError(t, err, name)
		require.Equal(t, name == "openpyxl-1904.xlsx", res.d1904, name)
		require.Equal(t, "KetNap", res.sheets[0].Name)
		if name != "openpyxl-1904.xlsx" {
			require.Equal(t, Hidden, res.sheets[1].State, name)
		}
		cells := cellsOf(res, "KetNap")
		require.Equal(t, "Nguyễn Văn An", cells["B2"].Value, name)
		require.Equal(t, "  Phạm Đức Thắng", cells["B5"].Value, name)
		require.Equal(t, String, cells["H1"].Kind, name)
		require.Equal(t, "Gộp ô & <ký tự>", cells["H1"].Value, name)
		require.Equal(t, Bool, cells["D3"].Kind, name)
		require.True(t, cells["F2"].Formula, name)
		if name == "libreoffice-roundtrip.xlsx" {
			require.Equal(t, "2", cells["F2"].Value, "LibreOffice stores the computed result")
		} else {
			require.Equal(t, "", cells["F2"].Value, "openpyxl stores no cached value")
		}
		require.Contains(t, res.meta["KetNap"].Merges, Range{FromCol: 8, FromRow: 1, ToCol: 10, ToRow: 2}, name)
		require.Contains(t, res.meta["KetNap"].HiddenCols, 5, name)
		for _, r := range res.rows["KetNap"] {
			if r.Num == 3 {
				require.True(t, r.Hidden, name)
			}
		}
	}
}
