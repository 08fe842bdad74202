package annotate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// issueAt is a rejected result with one error on each given "Sheet!A1".
func issueAt(cells ...string) *validate.Result {
	res := &validate.Result{File: "x.xlsx", Status: validate.Rejected, Reason: reason.InvalidData}
	for _, c := range cells {
		sheet, cell, _ := strings.Cut(c, "!")
		res.Issues = append(res.Issues, validate.Issue{Sheet: sheet, Cell: cell, Field: "f", Rule: "R-01",
			Severity: schema.Error, Value: "v", Message: schema.Text{VI: "Sai " + c, EN: "Wrong " + c}})
		res.Errors++
	}
	return res
}

// annotateBytes annotates a package held in memory and returns the path of
// the annotated copy. It fails the test on a panic, naming it.
func annotateBytes(t *testing.T, data []byte, res *validate.Result, opts annotate.Options) string {
	t.Helper()
	var buf bytes.Buffer
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("annotate panicked: %v", r)
			}
		}()
		require.NoError(t, annotate.WriteContext(context.Background(), &buf, bytes.NewReader(data), int64(len(data)), res, opts))
	}()
	out := filepath.Join(t.TempDir(), "out.loi.xlsx")
	require.NoError(t, os.WriteFile(out, buf.Bytes(), 0o600))
	return out
}

// requireAnnotated checks that out is the annotated original (not the issue
// list alone): "Lỗi" first and active, then the original's sheets, and each
// issue cell filled red with a comment.
func requireAnnotated(t *testing.T, out string, sheets []string, res *validate.Result) *excelize.File {
	t.Helper()
	ann := open(t, out)
	require.Equal(t, append([]string{"Lỗi"}, sheets...), ann.GetSheetList())
	require.Equal(t, 0, ann.GetActiveSheetIndex())
	parts := zipParts(t, out)
	for _, is := range res.Issues {
		require.Equal(t, annotate.ErrorFill, rawFill(t, ann, parts, is.Sheet, is.Cell), "%s!%s", is.Sheet, is.Cell)
		require.Contains(t, commentText(commentsOf(t, ann, is.Sheet)[is.Cell]), is.Message.VI)
	}
	table, _ := issuesTable(t, ann)
	require.Len(t, table, len(res.Issues))
	return ann
}

// TestOptionalPartsMissing: a valid OOXML workbook may leave out every
// optional element and part (sheetViews, sheetFormatPr, cols, dimension,
// the styles, shared-strings and docProps parts); annotating it must not
// panic and must mark its cells. excelize's MoveSheet panicked on a sheet
// without <sheetViews>.
func TestOptionalPartsMissing(t *testing.T) {
	t.Parallel()
	many := make([]pkgSheet, 60)
	for i := range many {
		many[i] = pkgSheet{name: fmt.Sprintf("S%02d", i+1), body: simpleData}
	}
	tabSelected := `<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>`
	cases := map[string]struct {
		p     pkg
		cells []string
	}{
		"bare": {pkg{sheets: []pkgSheet{{name: "Sheet1", body: simpleData}}}, []string{"Sheet1!B2"}},
		"styles-sst-docprops-no-sheetviews": {pkg{styles: true, docProps: true, sst: []string{"Tên", "An"},
			sheets: []pkgSheet{{name: "Sheet1", body: `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>5</v></c></row></sheetData>`}}},
			[]string{"Sheet1!B2", "Sheet1!A1"}},
		"second-sheet-without-sheetviews": {pkg{styles: true, sheets: []pkgSheet{
			{name: "A", body: tabSelected + simpleData}, {name: "B", body: simpleData}}}, []string{"B!B2"}},
		"two-tabs-selected": {pkg{sheets: []pkgSheet{
			{name: "A", body: tabSelected + simpleData}, {name: "B", body: tabSelected + simpleData}}}, []string{"A!A1"}},
		"many-sheets": {pkg{sheets: many}, []string{"S40!B2", "S01!A1", "S60!A2"}},
		"cols-and-format-without-views": {pkg{styles: true, sheets: []pkgSheet{{name: "Sheet1",
			body: `<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="2" width="20" customWidth="1"/></cols>` + simpleData}}},
			[]string{"Sheet1!B1"}},
		"prefixed-namespace": {pkg{sheets: []pkgSheet{{name: "Sheet1", xml: xmlHead + `<x:worksheet xmlns:x="` + nsMain + `">` +
			`<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>`}}},
			[]string{"Sheet1!B1"}},
		"existing-comments-and-vml": {pkg{styles: true, sheets: []pkgSheet{{name: "Sheet1",
			body: simpleData + `<legacyDrawing r:id="rId2"/>`,
			rels: [][3]string{{"rId1", "comments", "../comments1.xml"}, {"rId2", "vmlDrawing", "../drawings/vmlDrawing1.vml"}}}},
			extra: map[string]pkgPart{
				"xl/comments1.xml": {ctBase + "comments+xml", xmlHead + `<comments xmlns="` + nsMain + `"><authors><author>Lan</author></authors>` +
					`<commentList><comment ref="A2" authorId="0"><text><r><t>kiểm tra lại</t></r></text></comment></commentList></comments>`},
				"xl/drawings/vmlDrawing1.vml": {"", vmlOneComment},
			}}, []string{"Sheet1!A2", "Sheet1!B2"}},
		"table": {pkg{styles: true, sheets: []pkgSheet{{name: "Sheet1",
			body: `<dimension ref="A1:B2"/>` + strings.ReplaceAll(simpleData, `t="inlineStr"><is><t>Tên</t></is>`, `t="inlineStr"><is><t>Ten</t></is>`) + `<tableParts count="1"><tablePart r:id="rId1"/></tableParts>`,
			rels: [][3]string{{"rId1", "table", "../tables/table1.xml"}}}},
			extra: map[string]pkgPart{
				"xl/tables/table1.xml": {ctBase + "table+xml", xmlHead + `<table xmlns="` + nsMain + `" id="1" name="Bang1" displayName="Bang1" ref="A1:B2">` +
					`<autoFilter ref="A1:B2"/><tableColumns count="2"><tableColumn id="1" name="Ten"/><tableColumn id="2" name="1"/></tableColumns>` +
					`<tableStyleInfo name="TableStyleMedium2" showRowStripes="1"/></table>`},
			}}, []string{"Sheet1!B2"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := issueAt(c.cells...)
			out := annotateBytes(t, c.p.bytes(t), res, options(t))
			var names []string
			for _, s := range c.p.sheets {
				names = append(names, s.name)
			}
			ann := requireAnnotated(t, out, names, res)
			if name == "existing-comments-and-vml" {
				// The operator's own note is kept on top of ours.
				require.Contains(t, commentText(commentsOf(t, ann, "Sheet1")["A2"]), "Lan: kiểm tra lại")
			}
			// Exactly one tab is selected (two selected tabs are a group,
			// and typing would change both sheets).
			selected := 0
			for name, body := range zipParts(t, out) {
				if strings.HasPrefix(name, "xl/worksheets/") {
					selected += len(tabSelectedRE.FindAllString(body, -1))
				}
			}
			require.Equal(t, 1, selected)
			// Sheets without cells to mark are copied, never parsed and
			// written back by excelize (which would read every sheet).
			marked := map[string]bool{}
			for _, c := range c.cells {
				marked[strings.Split(c, "!")[0]] = true
			}
			src := filepath.Join(t.TempDir(), "src.xlsx")
			require.NoError(t, os.WriteFile(src, c.p.bytes(t), 0o600))
			in := zipParts(t, src)
			outParts := zipParts(t, out)
			for i, s := range c.p.sheets {
				part := fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
				if !marked[s.name] && !tabSelectedRE.MatchString(in[part]) {
					require.Equal(t, in[part], outParts[part], "sheet %s was rewritten", s.name)
				}
			}
			// openpyxl, an independent reader, opens the copy.
			if py := python(); py != "" {
				cmd := exec.CommandContext(context.Background(), py, "-c",
					`import json, sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); json.dump(wb.sheetnames, sys.stdout)`, out)
				var stderr strings.Builder
				cmd.Stderr = &stderr
				raw, err := cmd.Output()
				require.NoError(t, err, stderr.String())
				var got []string
				require.NoError(t, json.Unmarshal(raw, &got))
				require.Equal(t, append([]string{"Lỗi"}, names...), got)
			}
		})
	}
}

var tabSelectedRE = regexp.MustCompile(`tabSelected="(1|true)"`)

const vmlOneComment = `<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">` +
	`<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout>` +
	`<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>` +
	`<v:shape id="_x0000_s1025" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:108pt;height:59.25pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">` +
	`<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>` +
	`<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>1, 15, 0, 2, 3, 15, 3, 16</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>1</x:Row><x:Column>0</x:Column></x:ClientData></v:shape></xml>`

// rawFill returns the fill colour (RGB) of a cell's style as written in
// styles.xml, independently of excelize's reading of colours (which needs a
// theme part).
func rawFill(t *testing.T, f *excelize.File, parts map[string]string, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	require.NoError(t, err)
	var ss struct {
		Fills []struct {
			FG struct {
				RGB string `xml:"rgb,attr"`
			} `xml:"patternFill>fgColor"`
		} `xml:"fills>fill"`
		XFs []struct {
			FillID int `xml:"fillId,attr"`
		} `xml:"cellXfs>xf"`
	}
	require.NoError(t, xml.Unmarshal([]byte(parts["xl/styles.xml"]), &ss))
	require.Less(t, id, len(ss.XFs))
	fill := ss.XFs[id].FillID
	require.Less(t, fill, len(ss.Fills))
	rgb := strings.ToUpper(ss.Fills[fill].FG.RGB)
	if len(rgb) == 8 {
		rgb = rgb[2:]
	}
	return rgb
}

var excelizeRaw = excelize.Options{RawCellValue: true}

// TestSharedStringsUntouched: the issues sheet is written with inline
// strings, so the workbook's shared-string table is never parsed (a hostile
// one unpacks to 30 times its size in excelize's memory) and is copied as
// it was, byte for byte.
func TestSharedStringsUntouched(t *testing.T) {
	t.Parallel()
	p := pkg{styles: true, sst: []string{"Tên", "An", "Bình"},
		sheets: []pkgSheet{{name: "Sheet1", body: `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>` +
			`<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c></row></sheetData>`}}}
	data := p.bytes(t)
	res := issueAt("Sheet1!B2")
	res.Issues[0].Value = "Bình"
	out := annotateBytes(t, data, res, options(t))
	ann := requireAnnotated(t, out, []string{"Sheet1"}, res)
	src := filepath.Join(t.TempDir(), "src.xlsx")
	require.NoError(t, os.WriteFile(src, data, 0o600))
	require.Equal(t, zipParts(t, src)["xl/sharedStrings.xml"], zipParts(t, out)["xl/sharedStrings.xml"])
	v, err := ann.GetCellValue("Sheet1", "B2")
	require.NoError(t, err)
	require.Equal(t, "Bình", v)
}

// TestStyleColoursWithoutTheme: a workbook without a theme part (optional)
// keeps the font and border colours of a marked cell; excelize reads every
// colour as none when there is no theme, so a default one is added.
func TestStyleColoursWithoutTheme(t *testing.T) {
	t.Parallel()
	styles := xmlHead + `<styleSheet xmlns="` + nsMain + `">` +
		`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><color rgb="FFFF0000"/><sz val="11"/><name val="Calibri"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>` +
		`<border><left style="thin"><color rgb="FF00B050"/></left><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1"/></cellXfs></styleSheet>`
	data := pkg{stylesXML: styles, sheets: []pkgSheet{{name: "Sheet1",
		body: `<sheetData><row r="1"><c r="A1" s="1"><v>1</v></c></row></sheetData>`}}}.bytes(t)
	res := issueAt("Sheet1!A1")
	out := annotateBytes(t, data, res, options(t))
	ann := requireAnnotated(t, out, []string{"Sheet1"}, res)
	id, err := ann.GetCellStyle("Sheet1", "A1")
	require.NoError(t, err)
	var ss struct {
		Fonts []struct {
			B     *struct{} `xml:"b"`
			Color struct {
				RGB string `xml:"rgb,attr"`
			} `xml:"color"`
		} `xml:"fonts>font"`
		Borders []struct {
			Left struct {
				Style string `xml:"style,attr"`
				Color struct {
					RGB string `xml:"rgb,attr"`
				} `xml:"color"`
			} `xml:"left"`
		} `xml:"borders>border"`
		XFs []struct {
			FontID   int `xml:"fontId,attr"`
			BorderID int `xml:"borderId,attr"`
		} `xml:"cellXfs>xf"`
	}
	require.NoError(t, xml.Unmarshal([]byte(zipParts(t, out)["xl/styles.xml"]), &ss))
	xf := ss.XFs[id]
	font, border := ss.Fonts[xf.FontID], ss.Borders[xf.BorderID]
	require.NotNil(t, font.B, "bold kept")
	require.Equal(t, "FFFF0000", strings.ToUpper(font.Color.RGB))
	require.Equal(t, "thin", border.Left.Style)
	require.Equal(t, "FF00B050", strings.ToUpper(border.Left.Color.RGB))
}
