package workbook

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/reason"
)

// What Excel shows is what is read: markup compatibility, visibility by
// height and width, recalculation on load, macro parts typed by Default.

const (
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
	nsForeign = "urn:example:foreign"
)

func worksheet(attrs, body string) string {
	return xmlDecl + `<worksheet xmlns="` + nsMain + `" ` + attrs + `>` + body + `</worksheet>`
}

func TestForeignMarkupInCellTableRefused(t *testing.T) {
	t.Parallel()
	row1 := `<row r="1"><c r="A1"><v>1</v></c></row>`
	cases := map[string]struct {
		sheet string
		cell  string
	}{
		"ignorable row": {worksheet(`xmlns:mc="`+nsMC+`" xmlns:xr="urn:xr" mc:Ignorable="xr"`,
			`<sheetData>`+row1+`<xr:row r="2"><xr:c r="A2"><xr:v>2</xr:v></xr:c></xr:row></sheetData>`), "A2"},
		"default namespace row": {worksheet(``, `<sheetData>`+row1+`<row xmlns="`+nsForeign+`" r="2"><c r="A2"><v>2</v></c></row></sheetData>`), "A2"},
		"alternate content": {worksheet(`xmlns:mc="`+nsMC+`"`,
			`<sheetData>`+row1+`<mc:AlternateContent><mc:Choice Requires="x14"><row r="2"><c r="A2"><v>2</v></c></row></mc:Choice></mc:AlternateContent></sheetData>`), "A2"},
		"foreign cell":        {worksheet(`xmlns:q="`+nsForeign+`"`, `<sheetData><row r="1"><c r="A1"><v>1</v></c><q:c r="B1"><q:v>2</q:v></q:c></row></sheetData>`), "B1"},
		"foreign value":       {worksheet(`xmlns:q="`+nsForeign+`"`, `<sheetData><row r="1"><c r="A1"><q:v>1</q:v></c></row></sheetData>`), "A1"},
		"foreign inline text": {worksheet(`xmlns:q="`+nsForeign+`"`, `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><q:t>hidden</q:t></is></c></row></sheetData>`), "A1"},
		"unbound prefix":      {worksheet(``, `<sheetData><row r="1"><c r="A1"><z:v>1</z:v></c></row></sheetData>`), "A1"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := readBytes(zipMap(t, skeleton(c.sheet, "")), Limits{})
			re := requireCode(t, err, reason.ForeignMarkup)
			require.Equal(t, c.cell, re.Cell)
		})
	}
	// Misplaced cell-table elements anywhere else.
	for name, sheet := range map[string]string{
		"sheetData in a choice":    worksheet(`xmlns:mc="`+nsMC+`"`, `<mc:AlternateContent><mc:Choice Requires="x14"><sheetData>`+row1+`</sheetData></mc:Choice></mc:AlternateContent>`),
		"row in a foreign element": worksheet(`xmlns:q="`+nsForeign+`"`, `<sheetData/><q:extra><row r="2"/></q:extra>`),
		"row in sheetViews":        worksheet(``, `<sheetViews><row r="1"/></sheetViews><sheetData/>`),
	} {
		_, err := readBytes(zipMap(t, skeleton(sheet, "")), Limits{})
		requireCode(t, err, reason.ForeignMarkup)
		_ = name
	}
}

func TestSpreadsheetMLUnderAnyPrefixRead(t *testing.T) {
	t.Parallel()
	// The main namespace under a prefix, foreign attributes, foreign
	// elements outside the cell table and extension lists are all fine.
	sheet := xmlDecl + `<x:worksheet xmlns:x="` + nsMain + `" xmlns:mc="` + nsMC + `" xmlns:x14ac="urn:x14ac" xmlns:q="` + nsForeign + `" mc:Ignorable="x14ac">` +
		`<q:note>ignored</q:note><x:sheetData><x:row r="1" x14ac:dyDescent="0.25"><x:c r="A1"><x:v>7</x:v></x:c>` +
		`<x:c r="B1" t="inlineStr"><x:is><x:r><x:rPr><x:b/></x:rPr><x:t>ab</x:t></x:r><x:rPh><x:t>zz</x:t></x:rPh></x:is></x:c></x:row></x:sheetData>` +
		`<x:extLst><x:ext uri="{X}"><q:row r="9"/></x:ext></x:extLst></x:worksheet>`
	res, err := readBytes(zipMap(t, skeleton(sheet, "")), Limits{})
	require.NoError(t, err)
	rows := res.rows["Sheet1"]
	require.Len(t, rows, 1)
	require.Equal(t, []Cell{{Col: 1, Kind: Number, Value: "7"}, {Col: 2, Kind: String, Value: "ab"}}, rows[0].Cells)
}

func TestForeignSharedStringRefused(t *testing.T) {
	t.Parallel()
	sheet := sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`)
	for _, sst := range []string{
		xmlDecl + `<sst xmlns="` + nsMain + `" xmlns:q="` + nsForeign + `"><q:si><t>a</t></q:si><si><t>b</t></si></sst>`,
		xmlDecl + `<sst xmlns="` + nsMain + `" xmlns:q="` + nsForeign + `"><si><q:t>a</q:t></si></sst>`,
		xmlDecl + `<sst xmlns="` + nsMain + `" xmlns:q="` + nsForeign + `"><si><r><q:t>a</q:t></r></si></sst>`,
	} {
		_, err := readBytes(zipMap(t, skeleton(sheet, sst)), Limits{})
		requireCode(t, err, reason.ForeignMarkup)
	}
}

func TestHiddenByHeightAndWidth(t *testing.T) {
	t.Parallel()
	rows := `<row r="1"><c r="A1"><v>1</v></c></row><row r="2" ht="0" customHeight="1"><c r="A2"><v>2</v></c></row>` +
		`<row r="3" ht="2.5"><c r="A3"><v>3</v></c></row><row r="4" ht="3"><c r="A4"><v>4</v></c></row><row r="5" hidden="1"><c r="A5"><v>5</v></c></row>`
	sheet := worksheet(``, `<cols><col min="2" max="2" width="0"/><col min="3" max="3" width="0.9" customWidth="1"/><col min="4" max="4" width="1"/><col min="5" max="6" hidden="true" width="9"/></cols><sheetData>`+rows+`</sheetData>`)
	res, err := readBytes(zipMap(t, skeleton(sheet, "")), Limits{})
	require.NoError(t, err)
	var hidden []int
	for _, r := range res.rows["Sheet1"] {
		if r.Hidden {
			hidden = append(hidden, r.Num)
		}
	}
	require.Equal(t, []int{2, 3, 5}, hidden)
	meta := res.meta["Sheet1"]
	var cols []int
	for c := 1; c <= 8; c++ {
		if meta.ColHidden(c) {
			cols = append(cols, c)
		}
	}
	require.Equal(t, []int{2, 3, 5, 6}, cols)

	// Defaults: zeroHeight hides rows without a height of their own; a
	// default column width of 0 hides columns without a definition.
	sheet = worksheet(``, `<sheetFormatPr defaultRowHeight="15" zeroHeight="1" defaultColWidth="0"/><cols><col min="2" max="2" width="12"/></cols><sheetData>`+
		`<row r="1" ht="15" customHeight="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row></sheetData>`)
	res, err = readBytes(zipMap(t, skeleton(sheet, "")), Limits{})
	require.NoError(t, err)
	require.False(t, res.rows["Sheet1"][0].Hidden)
	require.True(t, res.rows["Sheet1"][1].Hidden)
	meta = res.meta["Sheet1"]
	require.True(t, meta.ColHidden(1))
	require.False(t, meta.ColHidden(2))
	require.True(t, meta.ColHidden(3))

	// sheetFormatPr after the rows it would hide is out of schema order.
	sheet = worksheet(``, `<sheetData><row r="1"/></sheetData><sheetFormatPr zeroHeight="1"/>`)
	_, err = readBytes(zipMap(t, skeleton(sheet, "")), Limits{})
	requireCode(t, err, reason.CorruptXML)
}

func TestRecalcOnLoad(t *testing.T) {
	t.Parallel()
	for attr, want := range map[string]bool{``: false, `<calcPr calcId="191029"/>`: false, `<calcPr fullCalcOnLoad="1"/>`: true, `<calcPr fullCalcOnLoad="true"/>`: true} {
		parts := skeleton(sheetXML(`<row r="1"/>`), "")
		parts["xl/workbook.xml"] = strings.Replace(parts["xl/workbook.xml"], `</sheets>`, `</sheets>`+attr, 1)
		data := zipMap(t, parts)
		b, err := Open(t.Context(), strings.NewReader(string(data)), int64(len(data)), Limits{})
		require.NoError(t, err, attr)
		require.Equal(t, want, b.RecalcOnLoad(), attr)
		require.NoError(t, b.Close())
	}
}

func TestSheetOutsideTheSheetListRefused(t *testing.T) {
	t.Parallel()
	parts := skeleton(sheetXML(`<row r="1"/>`), "")
	parts["xl/workbook.xml"] = strings.Replace(parts["xl/workbook.xml"], `<sheets>`,
		`<sheets><mc:AlternateContent xmlns:mc="`+nsMC+`"><mc:Choice Requires="x15"><sheet name="Hidden" sheetId="2" r:id="rId1"/></mc:Choice></mc:AlternateContent>`, 1)
	_, err := readBytes(zipMap(t, parts), Limits{})
	requireCode(t, err, reason.ForeignMarkup)
}

func TestVBAProjectTypedByDefault(t *testing.T) {
	t.Parallel()
	vba := cfbFile("VBA", []byte("Sub Auto_Open()\r\nEnd Sub\r\n"))
	for name, edit := range map[string]func(p map[string]string){
		"default type": func(p map[string]string) {
			p["[Content_Types].xml"] = strings.Replace(p["[Content_Types].xml"], `<Default `, `<Default Extension="dat" ContentType="application/vnd.ms-office.vbaProject"/><Default `, 1)
			p["xl/macros.dat"] = string(vba)
		},
		"relationship": func(p map[string]string) {
			p["xl/_rels/workbook.xml.rels"] = strings.Replace(p["xl/_rels/workbook.xml.rels"], `</Relationships>`,
				`<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="m.dat"/></Relationships>`, 1)
			p["xl/m.dat"] = string(vba)
		},
	} {
		parts := skeleton(sheetXML(`<row r="1"/>`), "")
		edit(parts)
		_, err := readBytes(zipMap(t, parts), Limits{})
		requireCode(t, err, reason.FormatXLSM)
		_ = name
	}
	// A Default for a VBA type that no part uses (excelize writes one in
	// every workbook) is not a macro.
	parts := skeleton(sheetXML(`<row r="1"/>`), "")
	parts["[Content_Types].xml"] = strings.Replace(parts["[Content_Types].xml"], `<Default `, `<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default `, 1)
	_, err := readBytes(zipMap(t, parts), Limits{})
	require.NoError(t, err)
}

// TestSharedStringsCappedByFileSize: the text kept for shared strings is
// capped at SharedTextPerByte bytes per byte of file (floor 16 MiB), below
// the absolute MaxSharedText.
func TestSharedStringsCappedByFileSize(t *testing.T) {
	t.Parallel()
	lim := Limits{}.withDefaults()
	require.Equal(t, int64(16<<20), lim.sharedTextCap(100<<10))
	require.Equal(t, int64(32<<20), lim.sharedTextCap(1<<20))
	require.Equal(t, int64(256<<20), lim.sharedTextCap(60<<20))

	// 20 MiB of strings that compress far below a MiB: refused, though
	// the absolute cap (256 MiB) and the bomb ratio would let it through.
	var b strings.Builder
	b.WriteString(xmlDecl + `<sst xmlns="` + nsMain + `">`)
	item := strings.Repeat("Nguyễn Văn An ", 18)
	for i := 0; b.Len() < 20<<20; i++ {
		fmt.Fprintf(&b, "<si><t>%s%c</t></si>", item, 'a'+rune(i*7919%26))
	}
	b.WriteString(`</sst>`)
	data := zipMap(t, skeleton(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`), b.String()))
	require.Less(t, len(data), 1<<20)
	_, err := readBytes(data, Limits{})
	re := requireCode(t, err, reason.TooLarge)
	require.Contains(t, re.Detail, "shared strings exceed")
	// With a higher ratio the same file reads.
	_, err = readBytes(data, Limits{SharedTextPerByte: 1000})
	require.NoError(t, err)
}

func TestFormatHides(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]styleHides{
		"":                 {},
		"General":          {},
		"0;-0;;@":          {},
		";;;":              {numbers: true, text: true},
		";;":               {numbers: true},
		";":                {numbers: true},
		`[Red];[Blue];" "`: {numbers: true},
		`0;;`:              {},
		`;;;@`:             {numbers: true},
		`;;;""`:            {numbers: true, text: true},
		`"a;b";;;`:         {text: true},
		`\;;;;`:            {text: true},
		`_-;_-;_-;_-`:      {numbers: true, text: true},
		`#,##0;;0;`:        {text: true},
	} {
		require.Equal(t, want, formatHides(code), "%q", code)
	}
}

func TestHiddenByNumberFormat(t *testing.T) {
	t.Parallel()
	parts := skeleton(sheetXML(`<row r="1"><c r="A1" s="1"><v>5</v></c><c r="B1" s="1" t="inlineStr"><is><t>x</t></is></c><c r="C1" s="2"><v>6</v></c><c r="D1" s="2" t="inlineStr"><is><t>y</t></is></c><c r="E1" s="0"><v>7</v></c></row>`), "")
	parts["xl/styles.xml"] = xmlDecl + `<styleSheet xmlns="` + nsMain + `"><numFmts count="2"><numFmt numFmtId="164" formatCode=";;;"/><numFmt numFmtId="165" formatCode=";;"/></numFmts>` +
		`<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165"/></cellXfs></styleSheet>`
	parts["xl/_rels/workbook.xml.rels"] = strings.Replace(parts["xl/_rels/workbook.xml.rels"], `</Relationships>`,
		`<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 1)
	res, err := readBytes(zipMap(t, parts), Limits{})
	require.NoError(t, err)
	var hidden []int
	for _, c := range res.rows["Sheet1"][0].Cells {
		if c.Hidden {
			hidden = append(hidden, c.Col)
		}
	}
	require.Equal(t, []int{1, 2, 3}, hidden)
}
