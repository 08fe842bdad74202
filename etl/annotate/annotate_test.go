package annotate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
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

// rejectedSamples are broken samples whose original is annotated: INVALID_DATA
// (cell, row and workbook rules, an error plus a warning, a merge, a hidden
// row and sheet, a formula) and TEMPLATE_MISMATCH (a missing column and sheet).
var rejectedSamples = []string{
	"invalid_kn01_under18.xlsx",
	"invalid_ambiguous_date.xlsx",
	"invalid_ambiguous_number.xlsx",
	"invalid_cs04_no_temp_until.xlsx",
	"invalid_gs02_db_khai_tru.xlsx",
	"invalid_th01_balance.xlsx",
	"invalid_merged.xlsx",
	"invalid_hidden_row.xlsx",
	"invalid_hidden_sheet.xlsx",
	"invalid_formula_no_value.xlsx",
	"invalid_kn08_duplicate.xlsx",
	"template_missing_column.xlsx",
	"template_no_ketnap.xlsx",
	"template_version_bcq9.xlsx",
}

// TestAnnotatesRejectedSamples: every cell with an issue is filled (red for
// errors, amber for warnings) and carries a comment with the Vietnamese
// message and fix; the first sheet "Lỗi" lists every issue with a link to its
// cell and says what to do; everything else is as it was.
func TestAnnotatesRejectedSamples(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(brokenDir, "expected.json"))
	require.NoError(t, err)
	var expected map[string]struct {
		Reason string   `json:"reason"`
		Cells  []string `json:"cells"`
	}
	require.NoError(t, json.Unmarshal(raw, &expected))
	for _, name := range rejectedSamples {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join(brokenDir, name)
			res, out := annotated(t, src)
			require.Equal(t, validate.Rejected, res.Status)
			require.True(t, annotate.Needed(res))
			require.Equal(t, strings.TrimSuffix(name, ".xlsx")+".loi.xlsx", filepath.Base(out))
			orig, ann := open(t, src), open(t, out)

			// Sheet order: "Lỗi" first and active, the rest as they were.
			require.Equal(t, append([]string{"Lỗi"}, orig.GetSheetList()...), ann.GetSheetList())
			require.Equal(t, 0, ann.GetActiveSheetIndex())

			// Cells: fill and comment per issue.
			marked := map[string]bool{}
			for _, is := range res.Issues {
				for _, at := range issueCells(is) {
					cell := markCell(t, orig, is.Sheet, at)
					marked[is.Sheet+"!"+at] = true
					want := annotate.ErrorFill
					if worst(t, orig, res.Issues, is.Sheet, cell) == schema.Warning {
						want = annotate.WarningFill
					}
					require.Equal(t, want, fillOf(t, ann, is.Sheet, cell), "fill of %s!%s", is.Sheet, cell)
					c, ok := commentsOf(t, ann, is.Sheet)[cell]
					require.True(t, ok, "comment on %s!%s", is.Sheet, cell)
					require.Equal(t, "Returns", c.Author)
					text := commentText(c)
					require.Contains(t, text, is.Message.VI)
					require.Contains(t, text, is.Rule)
					if is.Hint.VI != "" {
						require.Contains(t, text, "Cách sửa: "+is.Hint.VI)
					}
					sameStyleButFill(t, orig, ann, is.Sheet, cell)
				}
			}
			for _, c := range expected[name].Cells {
				if expected[name].Reason == string(reason.InvalidData) && !strings.Contains(c, ":") {
					require.True(t, marked[c], "expected.json's cell %s is marked", c)
				}
			}

			// The issues sheet: one row per issue, links to the cells.
			table, first := issuesTable(t, ann)
			require.Len(t, table, len(res.Issues))
			for i, is := range res.Issues {
				r := table[i]
				require.True(t, strings.HasPrefix(r[1], is.Sheet), "sheet %q", r[1])
				require.Equal(t, is.Rule, r[4])
				require.Equal(t, map[schema.Severity]string{schema.Error: "Lỗi", schema.Warning: "Cảnh báo"}[is.Severity], r[5])
				require.Equal(t, is.Message.VI, r[7])
				ok, link, err := ann.GetCellHyperLink("Lỗi", cellName(t, 3, first+i))
				require.NoError(t, err)
				switch {
				case is.Cell != "":
					require.Equal(t, is.Cell, r[2])
					require.True(t, ok)
					require.Equal(t, "'"+is.Sheet+"'!"+is.Cell, link)
				case name == "template_no_ketnap.xlsx":
					require.False(t, ok, "no link to a missing sheet")
				default:
					require.True(t, ok, "link to the sheet or row of %s", is.Rule)
				}
			}
			text := allText(t, ann)
			require.Contains(t, text, "BỊ TỪ CHỐI ("+string(res.Reason)+")")
			require.Regexp(t, regexp.MustCompile(`Có \d+ lỗi và \d+ cảnh báo, ở các trang: `), text)
			redCell := false
			for _, is := range res.Issues {
				redCell = redCell || (len(issueCells(is)) > 0 && is.Severity == schema.Error)
			}
			if redCell {
				require.Contains(t, text, "Sửa các ô tô đỏ")
			} else {
				require.NotContains(t, text, "Sửa các ô tô đỏ", "no red cell to speak of")
				require.Contains(t, text, "cột \"Cách sửa\"")
			}
			if res.Reason != reason.InvalidData {
				require.Contains(t, text, "Việc cần làm: "+res.Reason.Fix("vi"))
			}

			sameWorkbook(t, orig, ann)
		})
	}
}

// worst returns the worst severity of the issues marked on one cell.
func worst(t *testing.T, f *excelize.File, issues []validate.Issue, sheet, cell string) schema.Severity {
	sev := schema.Warning
	for _, is := range issues {
		for _, at := range issueCells(is) {
			if is.Sheet == sheet && markCell(t, f, sheet, at) == cell && is.Severity != schema.Warning {
				sev = schema.Error
			}
		}
	}
	return sev
}

func cellName(t *testing.T, col, row int) string {
	t.Helper()
	c, err := excelize.CoordinatesToCellName(col, row)
	require.NoError(t, err)
	return c
}

// sameStyleButFill checks that a marked cell kept its number format, font,
// borders, alignment and protection.
func sameStyleButFill(t *testing.T, orig, ann *excelize.File, sheet, cell string) {
	t.Helper()
	style := func(f *excelize.File) *excelize.Style {
		id, err := f.GetCellStyle(sheet, cell)
		require.NoError(t, err)
		st, err := f.GetStyle(id)
		require.NoError(t, err)
		st.Fill = excelize.Fill{}
		return st
	}
	require.Equal(t, style(orig), style(ann), "style of %s!%s apart from its fill", sheet, cell)
}

// sameWorkbook checks that every original sheet kept every raw cell value,
// column width, data validation and merge, and the defined names their scope.
func sameWorkbook(t *testing.T, orig, ann *excelize.File) {
	t.Helper()
	for _, sheet := range orig.GetSheetList() {
		want := rows(t, orig, sheet)
		require.Equal(t, want, rows(t, ann, sheet), "values of %s", sheet)
		width := 26
		for _, r := range want {
			width = max(width, len(r)+2)
		}
		for c := 1; c <= width; c++ {
			col, err := excelize.ColumnNumberToName(c)
			require.NoError(t, err)
			w1, err := orig.GetColWidth(sheet, col)
			require.NoError(t, err)
			w2, err := ann.GetColWidth(sheet, col)
			require.NoError(t, err)
			require.Equal(t, w1, w2, "width of %s!%s", sheet, col)
		}
		dv1, err := orig.GetDataValidations(sheet)
		require.NoError(t, err)
		dv2, err := ann.GetDataValidations(sheet)
		require.NoError(t, err)
		require.Equal(t, dv1, dv2, "data validations of %s", sheet)
		m1, err := orig.GetMergeCells(sheet)
		require.NoError(t, err)
		m2, err := ann.GetMergeCells(sheet)
		require.NoError(t, err)
		require.Equal(t, m1, m2, "merges of %s", sheet)
		v1, err := orig.GetSheetVisible(sheet)
		require.NoError(t, err)
		v2, err := ann.GetSheetVisible(sheet)
		require.NoError(t, err)
		require.Equal(t, v1, v2, "visibility of %s", sheet)
	}
	require.Equal(t, orig.GetDefinedName(), originalNames(ann))
}

// originalNames returns the defined names of an annotated workbook but the
// issues sheet's own (its print area and titles).
func originalNames(ann *excelize.File) []excelize.DefinedName {
	var names []excelize.DefinedName
	for _, dn := range ann.GetDefinedName() {
		if dn.Scope != "Lỗi" && dn.Scope != "Issues" {
			names = append(names, dn)
		}
	}
	return names
}

// TestWarningsOnly: an accepted file with warnings gets amber cells, a
// comment and an issues sheet that says it was accepted.
func TestWarningsOnly(t *testing.T) {
	t.Parallel()
	var cell string
	src := copyWith(t, "BCQ_warn.xlsx", func(f *excelize.File) {
		cell = fieldCell(t, f, "KetNap", "general_education", 1)
		require.NoError(t, f.SetCellStr("KetNap", cell, "TH")) // KN-03: below THCS, a warning
	})
	res, out := annotated(t, src)
	require.Equal(t, validate.Accepted, res.Status)
	require.Zero(t, res.Errors)
	require.Positive(t, res.Warnings)
	require.True(t, annotate.Needed(res))
	orig, ann := open(t, src), open(t, out)
	require.Equal(t, annotate.WarningFill, fillOf(t, ann, "KetNap", cell))
	c, ok := commentsOf(t, ann, "KetNap")[cell]
	require.True(t, ok)
	require.Contains(t, commentText(c), "Cảnh báo [KN-03]")
	text := allText(t, ann)
	require.Contains(t, text, "ĐƯỢC CHẤP NHẬN")
	require.Contains(t, text, "Có 0 lỗi và 1 cảnh báo, ở các trang: KetNap.")
	require.Contains(t, text, "Các ô tô vàng là cảnh báo")
	require.NotContains(t, text, "Sửa các ô tô đỏ")
	sameStyleButFill(t, orig, ann, "KetNap", cell)
	sameWorkbook(t, orig, ann)

	valid := validateFile(t, validSample)
	require.False(t, annotate.Needed(valid), "an accepted file without warnings needs no feedback workbook")
}

// TestDateCellsKeepTheirFormat: a marked date cell keeps its number format
// (a date stays a date).
func TestDateCellsKeepTheirFormat(t *testing.T) {
	t.Parallel()
	src := filepath.Join(brokenDir, "invalid_kn04_ceremony_outside.xlsx") // KetNap!R3, a date
	res, out := annotated(t, src)
	require.Equal(t, "R3", res.Issues[0].Cell)
	orig, ann := open(t, src), open(t, out)
	id, err := orig.GetCellStyle("KetNap", "R3")
	require.NoError(t, err)
	st, err := orig.GetStyle(id)
	require.NoError(t, err)
	require.True(t, st.NumFmt != 0 || st.CustomNumFmt != nil, "the sample's date cell has a date format")
	sameStyleButFill(t, orig, ann, "KetNap", "R3")
	require.Equal(t, annotate.ErrorFill, fillOf(t, ann, "KetNap", "R3"))
}

// fileLevel are samples that must never be opened: the feedback is a new
// workbook with only the issues sheet.
var fileLevel = map[string]string{
	"encrypted.xlsx":             "Gỡ mật khẩu",
	"format_xls.xlsx":            "Excel Workbook (*.xlsx)",
	"format_ods.xlsx":            "Excel 2007-365 (.xlsx)",
	"not_xlsx_empty.xlsx":        "lưu lại với kiểu",
	"not_xlsx_garbage.xlsx":      "",
	"not_xlsx_text.xlsx":         "",
	"corrupt_zip_truncated.xlsx": "",
	"corrupt_sst_negative.xlsx":  "",
	"dtd_xxe.xlsx":               "",
	"too_large_entries.xlsx":     "",
}

// TestFileLevelReasonsGetAnExplanation: a file that could not be opened gets
// a workbook with the "Lỗi" sheet alone that says why and what to do, and
// its original is not read at all.
func TestFileLevelReasonsGetAnExplanation(t *testing.T) {
	t.Parallel()
	for name, fix := range fileLevel {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join(brokenDir, name)
			res := validateFile(t, src)
			require.False(t, annotate.Openable(res))
			require.True(t, annotate.Needed(res))

			// Write never reads the original of such a result.
			var buf bytes.Buffer
			require.NoError(t, annotate.Write(&buf, panicReaderAt{}, 1000, res, options(t)))

			out := filepath.Join(t.TempDir(), annotate.Name(name))
			require.NoError(t, annotate.File(context.Background(), src, out, res, options(t)))
			ann := open(t, out)
			require.Equal(t, []string{"Lỗi"}, ann.GetSheetList())
			text := allText(t, ann)
			require.Contains(t, text, "Hệ thống không mở được tệp này")
			require.Contains(t, text, res.Reason.Title("vi"))
			require.Contains(t, text, "Việc cần làm: "+res.Reason.Fix("vi"))
			if fix != "" {
				require.Contains(t, text, fix)
			}
			table, _ := issuesTable(t, ann)
			require.Len(t, table, len(res.Issues))
			require.Equal(t, string(res.Reason), table[0][4])
			require.Contains(t, []string{"Toàn tệp", "Cả trang"}, table[0][2])
		})
	}
}

type panicReaderAt struct{}

func (panicReaderAt) ReadAt([]byte, int64) (int, error) { panic("the original must not be read") }

// TestUnopenableOriginalGetsTheList: when excelize cannot open an original
// that passed validation (here: within tiny unzip limits), the issue list is
// written alone with a note.
func TestUnopenableOriginalGetsTheList(t *testing.T) {
	t.Parallel()
	src := filepath.Join(brokenDir, "invalid_kn01_under18.xlsx")
	res := validateFile(t, src)
	opts := options(t)
	opts.Limits.UnzipSizeLimit, opts.Limits.UnzipXMLSizeLimit = 1024, 1024
	opts.Logger = nil
	out := filepath.Join(t.TempDir(), "x.loi.xlsx")
	require.NoError(t, annotate.File(context.Background(), src, out, res, opts))
	ann := open(t, out)
	require.Equal(t, []string{"Lỗi"}, ann.GetSheetList())
	text := allText(t, ann)
	require.Contains(t, text, "Không đánh dấu được trên chính tệp của bạn")
	table, _ := issuesTable(t, ann)
	require.Len(t, table, len(res.Issues))
	require.Equal(t, "C3", table[0][2])
}

// TestContentChanged: an original that is not the validated content is not
// annotated, and nothing is left at the destination.
func TestContentChanged(t *testing.T) {
	t.Parallel()
	res := validateFile(t, filepath.Join(brokenDir, "invalid_kn01_under18.xlsx"))
	out := filepath.Join(t.TempDir(), "x.loi.xlsx")
	err := annotate.File(context.Background(), filepath.Join(brokenDir, "invalid_kn04_ceremony_outside.xlsx"), out, res, options(t))
	require.ErrorIs(t, err, annotate.ErrContentChanged)
	require.False(t, exists(out))
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	require.Empty(t, entries, "no temporary file left")
}

// Formula-injection payloads, as values typed by an operator.
var payloads = []string{"=cmd|' /C calc'!A0", "+1", "-1", "@x", "\t=1", "\r=1", "=HYPERLINK(\"http://evil.test\",\"x\")"}

// TestFormulaInjectionIsText: values that look like formulas (from real cells
// and in issues) are written on the issues sheet as text with a leading
// apostrophe, never as formulas.
func TestFormulaInjectionIsText(t *testing.T) {
	t.Parallel()
	var cell string
	src := copyWith(t, "=evil.xlsx", func(f *excelize.File) {
		cell = fieldCell(t, f, "KetNap", "ethnicity_code", 1)
		require.NoError(t, f.SetCellStr("KetNap", cell, payloads[0])) // a real KN-10 issue with that value
	})
	res := validateFile(t, src)
	require.Equal(t, validate.Rejected, res.Status)
	found := false
	for _, is := range res.Issues {
		found = found || is.Value == payloads[0]
	}
	require.True(t, found, "the validator reports the payload cell")
	for i, p := range payloads {
		res.Issues = append(res.Issues, validate.Issue{Sheet: "KetNap", Cell: cellName(t, 1, 3+i), Field: p, Rule: "X-" + p,
			Severity: schema.Error, Value: p, Message: schema.Text{VI: p, EN: p}, Hint: schema.Text{VI: p, EN: p}})
	}
	out := filepath.Join(t.TempDir(), annotate.Name(src))
	require.NoError(t, annotate.File(context.Background(), src, out, res, options(t)))

	// No formula anywhere: the original sample has none.
	for part, body := range zipParts(t, out) {
		if strings.HasPrefix(part, "xl/worksheets/") {
			require.NotRegexp(t, `<f[ >/]`, body, "a formula in %s", part)
		}
	}
	ann := open(t, out)
	text := allText(t, ann)
	require.Contains(t, text, "\nTệp: =evil.xlsx · ", "a line that starts with a label needs no apostrophe")
	table, first := issuesTable(t, ann)
	for i, p := range payloads {
		r := table[len(table)-len(payloads)+i]
		row := first + len(table) - len(payloads) + i
		for _, col := range []int{4, 5, 7, 8, 9} { // field, rule, value, message, hint
			v := r[col-1]
			if col == 5 {
				require.Equal(t, "X-"+p, v)
				continue
			}
			require.Equal(t, "'"+p, v, "column %d", col)
			typ, err := ann.GetCellType("Lỗi", cellName(t, col, row))
			require.NoError(t, err)
			require.Contains(t, []excelize.CellType{excelize.CellTypeSharedString, excelize.CellTypeInlineString}, typ)
			f, err := ann.GetCellFormula("Lỗi", cellName(t, col, row))
			require.NoError(t, err)
			require.Empty(t, f)
		}
	}
	// The real issue's row shows the value as text too.
	require.Contains(t, text, "'"+payloads[0])
}

// TestCommentsAndSheetAlreadyThere: an operator's comment on a marked cell
// is kept above ours; an existing sheet named "Lỗi" is kept and ours is
// "Lỗi (2)"; sent back and annotated again, our old part is replaced, the
// operator's part kept once.
func TestCommentsAndSheetAlreadyThere(t *testing.T) {
	t.Parallel()
	src, cell := badEthnicityWith(t, "BCQ_comment.xlsx", func(f *excelize.File, c string) {
		require.NoError(t, f.AddComment("KetNap", excelize.Comment{Cell: c, Author: "Cán bộ", Text: "đã hỏi lại"}))
		_, err := f.NewSheet("Lỗi")
		require.NoError(t, err)
		require.NoError(t, f.SetCellStr("Lỗi", "A1", "ghi chú của tôi"))
	})
	res, out := annotated(t, src)
	ann := open(t, out)
	require.Equal(t, "Lỗi (2)", ann.GetSheetName(0))
	v, err := ann.GetCellValue("Lỗi", "A1")
	require.NoError(t, err)
	require.Equal(t, "ghi chú của tôi", v)
	text := commentText(commentsOf(t, ann, "KetNap")[cell])
	require.Contains(t, text, "Cán bộ: đã hỏi lại")
	require.Contains(t, text, "[KN-10]")

	// Round two: the annotated copy sent back as it is.
	res2 := validateFile(t, out)
	require.Equal(t, ruleCells(res), ruleCells(res2), "the feedback sheet and notes do not change the validation")
	out2 := filepath.Join(t.TempDir(), "again.loi.xlsx")
	require.NoError(t, annotate.File(context.Background(), out, out2, res2, options(t)))
	ann2 := open(t, out2)
	require.Equal(t, "Lỗi (3)", ann2.GetSheetName(0))
	text2 := commentText(commentsOf(t, ann2, "KetNap")[cell])
	require.Equal(t, 1, strings.Count(text2, "Cán bộ: đã hỏi lại"))
	require.Equal(t, 1, strings.Count(text2, "[KN-10]"))
}

func ruleCells(res *validate.Result) []string {
	var out []string
	for _, is := range res.Issues {
		out = append(out, is.Sheet+"!"+is.Cell+" "+is.Rule+" "+string(is.Severity))
	}
	return out
}

// TestAnnotatedCopyValidatesTheSame: an operator may correct the annotated
// copy and send it back: the feedback sheet, fills and comments change
// nothing in the validation.
func TestAnnotatedCopyValidatesTheSame(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"invalid_kn01_under18.xlsx", "invalid_gs02_db_khai_tru.xlsx", "template_missing_column.xlsx"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, out := annotated(t, filepath.Join(brokenDir, name))
			again := validateFile(t, out)
			require.Equal(t, res.Status, again.Status)
			require.Equal(t, res.Reason, again.Reason)
			require.Equal(t, ruleCells(res), ruleCells(again))
		})
	}
}

// TestMaxComments: past the cap, cells are still filled and listed, without a comment.
func TestMaxComments(t *testing.T) {
	t.Parallel()
	res := validateFile(t, validSample)
	for r := 3; r <= 7; r++ {
		res.AddIssue(validate.Issue{Sheet: "KetNap", Cell: cellName(t, 1, r), Rule: "X", Severity: schema.Error,
			Message: schema.Text{VI: "m"}}, 0)
	}
	opts := options(t)
	opts.MaxComments = 2
	out := filepath.Join(t.TempDir(), "x.loi.xlsx")
	require.NoError(t, annotate.File(context.Background(), validSample, out, res, opts))
	ann := open(t, out)
	cmts := commentsOf(t, ann, "KetNap")
	require.Len(t, cmts, 2)
	for r := 3; r <= 7; r++ {
		require.Equal(t, annotate.ErrorFill, fillOf(t, ann, "KetNap", cellName(t, 1, r)))
	}
	require.Contains(t, allText(t, ann), "Chỉ 2 ô đầu tiên có ghi chú")
}

// TestEnglish: the same workbook in English.
func TestEnglish(t *testing.T) {
	t.Parallel()
	src := filepath.Join(brokenDir, "invalid_kn01_under18.xlsx")
	res := validateFile(t, src)
	opts := options(t)
	opts.Lang = "en"
	out := filepath.Join(t.TempDir(), "x.loi.xlsx")
	require.NoError(t, annotate.File(context.Background(), src, out, res, opts))
	ann := open(t, out)
	require.Equal(t, "Issues", ann.GetSheetName(0))
	text := allText(t, ann)
	require.Contains(t, text, "REJECTED (INVALID_DATA)")
	require.Contains(t, text, res.Issues[0].Message.EN)
	require.Contains(t, commentText(commentsOf(t, ann, "KetNap")["C3"]), "How to fix: "+res.Issues[0].Hint.EN)

	opts.Lang = "fr"
	require.Error(t, annotate.Write(&bytes.Buffer{}, nil, 0, res, opts))
}

// TestSheetScopedNamesFollowTheirSheet: moving the feedback sheet first
// renumbers sheet-scoped defined names (print areas, local names).
func TestSheetScopedNamesFollowTheirSheet(t *testing.T) {
	t.Parallel()
	src, _ := badEthnicityWith(t, "BCQ_names.xlsx", func(f *excelize.File, _ string) {
		require.NoError(t, f.SetDefinedName(&excelize.DefinedName{Name: "VungIn", RefersTo: "KetNap!$A$1:$T$10", Scope: "KetNap"}))
		require.NoError(t, f.SetDefinedName(&excelize.DefinedName{Name: "Chung", RefersTo: "ThongTin!$A$1"}))
	})
	_, out := annotated(t, src)
	orig, ann := open(t, src), open(t, out)
	require.Equal(t, orig.GetDefinedName(), originalNames(ann))
	require.Contains(t, ann.GetDefinedName(), excelize.DefinedName{Name: "VungIn", RefersTo: "KetNap!$A$1:$T$10", Scope: "KetNap"})
}

func TestName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"BCQ_GD-KCQ-001_2025Q3.xlsx":        "BCQ_GD-KCQ-001_2025Q3.loi.xlsx",
		"in/sub/BCQ_GD-KCQ-001_2025Q3.XLSX": "BCQ_GD-KCQ-001_2025Q3.loi.xlsx",
		`C:\Users\a\Báo cáo quý 3.xls`:      "Báo cáo quý 3.loi.xlsx",
		"../../etc/passwd":                  "passwd.loi.xlsx",
		"..":                                "tep.loi.xlsx",
		"":                                  "tep.loi.xlsx",
		".hidden.xlsx":                      "hidden.loi.xlsx",
		"a\u202eb\r\nc:d*e?.xlsx":           "ab c_d_e_.loi.xlsx",
		"Ba\u0301o ca\u0301o.xlsx":          "Báo cáo.loi.xlsx",
		"report.csv":                        "report.csv.loi.xlsx",
		strings.Repeat("ệ", 150) + ".xlsx":  strings.Repeat("ệ", 66) + ".loi.xlsx",
	} {
		require.Equal(t, want, annotate.Name(in), "Name(%q)", in)
	}
	require.Equal(t, "x (2).loi.xlsx", annotate.NameN("x.xlsx", 2))
}

func TestNilResult(t *testing.T) {
	t.Parallel()
	err := annotate.Write(&bytes.Buffer{}, nil, 0, nil, annotate.Options{})
	require.Error(t, err)
	require.False(t, errors.Is(err, annotate.ErrContentChanged))
	require.False(t, annotate.Needed(nil))
	require.False(t, annotate.Openable(nil))
}
