package digest_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/digest"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/facts"
)

// summaryRow is the TongHop row of a figure id, raw cell values by header.
func summaryRow(t *testing.T, b []byte, id string) map[string]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows(digest.SheetSummary, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	for _, r := range rows[1:] {
		if len(r) > 0 && r[0] == id {
			out := map[string]string{}
			for i, h := range rows[0] {
				if i < len(r) {
					out[h] = r[i]
				}
			}
			return out
		}
	}
	t.Fatalf("no TongHop row %s", id)
	return nil
}

// withoutQuarter drops every figure of quarter q (no return at all).
func withoutQuarter(f *facts.Facts, q domain.Quarter) *facts.Facts {
	var keep []facts.Figures
	for _, g := range f.Figures {
		if g.Quarter != q {
			keep = append(keep, g)
		}
	}
	f.Figures = keep
	return f
}

// TestZeroBasePrintsBaseAndChange (issue 10, defect 3): a real base of 0
// prints the base and the change, only the percentage is "—", in the
// text, the HTML and the xlsx; a missing base (no return in the base
// period) reads differently.
func TestZeroBasePrintsBaseAndChange(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 3}
	d := digest.Build(sampleFacts(q))
	// B reported in 2025-Q2 with no inspection: a base of 0.
	require.Equal(t, digest.Change{OK: false, Cur: 2, Base: 0, Orgs: 2}, d.Inspection.QoQ)
	r := mustRender(t, d, digest.RenderOptions{})
	require.Contains(t, r.Text, "- Kiểm tra (lượt): 2 | +2 (—) từ 0 | +2 (—) từ 0")
	require.Contains(t, html.UnescapeString(r.HTML), "+2 (—) từ 0")
	row := summaryRow(t, r.XLSX, "inspections")
	qoq := "So với quý trước (Quý II/2025): "
	require.Equal(t, "0", row[qoq+"kỳ gốc"], "the base 0 is printed")
	require.Equal(t, "2", row[qoq+"kỳ này, cùng đơn vị"])
	require.Equal(t, "2", row[qoq+"thay đổi"], "the change is printed")
	require.Equal(t, "—", row[qoq+"% thay đổi"], "only the percentage is —")

	// No return at all in 2025-Q2: no base, said so.
	d = digest.Build(withoutQuarter(sampleFacts(q), domain.Quarter{Year: 2025, Q: 2}))
	require.False(t, d.MembersEnd.QoQ.HasBase())
	r = mustRender(t, d, digest.RenderOptions{})
	require.Contains(t, r.Text, "- Cuối quý: 223 | — (chưa có báo cáo) |")
	en := mustRender(t, d, digest.RenderOptions{Lang: "en"})
	require.Contains(t, en.Text, "- At end of quarter: 223 | — (no return) |")
	row = summaryRow(t, r.XLSX, "members_end")
	require.Empty(t, row[qoq+"kỳ gốc"], "no base value when there is no return")
	require.Equal(t, "— (chưa có báo cáo)", row[qoq+"ghi chú"])
}

// TestYearToDateOnCommonQuarters (issue 10, defect 2): 2024-Q1 has no
// return, so 2025 Q1–Q3 is compared with 2024 on Q2–Q3 only, labelled so,
// in every output; the chart and TheoQuy say the 2024 year to date lacks
// Q1.
func TestYearToDateOnCommonQuarters(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 3}
	d := digest.Build(withoutQuarter(sampleFacts(q), domain.Quarter{Year: 2024, Q: 1}))
	// Admissions (see facts): 2024-Q2 and Q3 each A (O1+O2) 3, B 3, C 1;
	// 2025-Q2 A 3, B 3, C 1; 2025-Q3 A 4, B 3, D 1 (C rejected, D new).
	// Pairs: Q2 A, B, C (7 against 7); Q3 A, B (7 against 6).
	ytd := d.AdmissionsYTD
	require.Equal(t, 7+7+8, ytd.Value, "the year to date itself is Q1–Q3")
	require.Equal(t, []int{2, 3}, ytd.YoY.Quarters)
	require.True(t, ytd.YoY.Partial)
	require.Equal(t, 14, ytd.YoY.Cur)
	require.Equal(t, 13, ytd.YoY.Base)
	r := mustRender(t, d, digest.RenderOptions{})
	require.Contains(t, r.Text, "- Lũy kế từ đầu năm: 22 | · | Q2–Q3 so với Q2–Q3/2024: 14, +1 (+7,69%) từ 13")
	require.Contains(t, html.UnescapeString(r.HTML), "Q2–Q3 so với Q2–Q3/2024: 14, +1 (+7,69%) từ 13")
	en := mustRender(t, d, digest.RenderOptions{Lang: "en"})
	require.Contains(t, en.Text, "Q2–Q3 vs Q2–Q3 2024: 14, +1 (+7.69%) from 13")
	row := summaryRow(t, r.XLSX, "admissions_ytd")
	yoy := "So với cùng kỳ (Quý III/2024): "
	require.Equal(t, "13", row[yoy+"kỳ gốc"])
	require.Equal(t, "14", row[yoy+"kỳ này, cùng đơn vị"])
	require.Equal(t, "Q2–Q3 so với Q2–Q3/2024", row[yoy+"ghi chú"])

	// The chart and TheoQuy: 2024's year to date lacks Q1, and restarts in 2025.
	require.Equal(t, domain.Quarter{Year: 2024, Q: 2}, d.ByQuarter[0].Quarter)
	require.Equal(t, []int{1}, d.ByQuarter[0].Missing)
	for _, x := range d.ByQuarter {
		if x.Quarter.Year == 2025 {
			require.Empty(t, x.Missing)
		}
		if x.Quarter.Q == 1 {
			require.Equal(t, x.Admissions, x.YTD, "the year to date restarts in Q1")
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.XLSX))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows(digest.SheetQuarters)
	require.NoError(t, err)
	require.Equal(t, "Quý II/2024", rows[1][0])
	require.Contains(t, rows[1][4], "2024 thiếu Q1")
	require.Len(t, rows[4], 4, "2025-Q1 has no note")

	// No base-year quarter at all: "—" with the reason.
	fx := sampleFacts(q)
	for _, y := range []int{1, 2, 3} {
		fx = withoutQuarter(fx, domain.Quarter{Year: 2024, Q: y})
	}
	d = digest.Build(fx)
	require.False(t, d.AdmissionsYTD.YoY.HasBase())
	r = mustRender(t, d, digest.RenderOptions{})
	require.Contains(t, r.Text, "- Lũy kế từ đầu năm: 22 | · | — (năm 2024 không có báo cáo cùng quý)")
}

// TestDisciplinesFromKyLuatAndGiamSat (issue 10, defect 1, the digest
// side; the store side is in the province test): the total, by form and
// by who decided, in the text, HTML and xlsx.
func TestDisciplinesFromKyLuatAndGiamSat(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 3}
	f := sampleFacts(q)
	f.Disciplines = []facts.Count{
		{Org: "B", Quarter: q, Keys: [4]string{"KHIEN_TRACH", "DANG_VIEN", "GiamSat", "UBKT"}, N: 2},
		{Org: "A", Quarter: q, Keys: [4]string{"CANH_CAO", "DANG_VIEN", "KyLuat", "CAP_UY"}, N: 1},
		{Org: "B", Quarter: q.Prev(), Keys: [4]string{"KHIEN_TRACH", "DANG_VIEN", "KyLuat", "CHI_BO"}, N: 1},
	}
	f.Outcomes = []facts.Count{{Org: "B", Quarter: q, Keys: [4]string{"KIEM_TRA", "CO_VI_PHAM", "C"}, N: 2}}
	d := digest.Build(f)
	require.Equal(t, 3, d.DisciplineTotal.Value)
	require.Equal(t, 2, d.Values["disciplines_giamsat"].Value)
	require.Equal(t, 1, d.Values["disciplines_kyluat"].Value)
	require.Equal(t, 2, d.Values["outcome_disciplined"].Value)
	require.Equal(t, 2, d.Values["outcome_violation"].Value)
	r := mustRender(t, d, digest.RenderOptions{})
	require.Contains(t, r.Text, "- Kỷ luật: 3 | +2 (+200,00%) từ 1 |")
	require.Contains(t, r.Text, "Kỷ luật Khiển trách – Đảng viên: 2")
	require.Contains(t, r.Text, "Kỷ luật – Cấp quyết định Ủy ban kiểm tra – Qua giám sát, kiểm tra (GiamSat): 2")
	require.Contains(t, r.Text, "Kỷ luật – Cấp quyết định Cấp ủy – Kỷ luật khác (KyLuat): 1")
	require.Contains(t, html.UnescapeString(r.HTML), "Qua giám sát, kiểm tra (GiamSat)")
	require.Equal(t, "3", summaryRow(t, r.XLSX, "disciplines")["Quý này"])
	require.Equal(t, "2", summaryRow(t, r.XLSX, "disciplines_giamsat")["Quý này"])
	require.Contains(t, r.Text, "- Kỷ luật: 3 | +2 (+200,00%) từ 1", "key figures box")
}

// TestScopeCountsUnitsValidInTheQuarter: "N đơn vị trực thuộc" counts the
// organisations below the scope valid in the quarter: A, B, C, D, not O1
// and O2 that ended in 2025-Q2.
func TestScopeCountsUnitsValidInTheQuarter(t *testing.T) {
	t.Parallel()
	d := digest.Build(sampleFacts(domain.Quarter{Year: 2025, Q: 3}))
	require.Equal(t, 4, d.Below)
	r := mustRender(t, d, digest.RenderOptions{})
	require.Contains(t, r.Text, "Phạm vi: Đảng bộ Khối (R) và 4 đơn vị trực thuộc")
}

// TestEmptyScopeRenders: a scope with no return at all gets a digest that
// says so (the chart draws the quarter's zeros).
func TestEmptyScopeRenders(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 3}
	f := sampleFacts(q)
	f.Figures, f.Supervisions, f.People, f.UnmatchedTransfers = nil, nil, nil, nil
	f.Cutoff = time.Unix(0, 0) // what the store reads when nothing was loaded
	d := digest.Build(f)
	require.True(t, d.Empty)
	r := mustRender(t, d, digest.RenderOptions{})
	require.Contains(t, r.Text, "Phạm vi này chưa có báo cáo nào được chấp nhận cho Quý III/2025")
	require.Contains(t, r.Text, "Chưa có số liệu: chưa nạp báo cáo nào của phạm vi này; hạn nộp 10/10/2025 23:59")
	require.NotContains(t, r.Text, "1970")
	require.Contains(t, html.UnescapeString(r.HTML), "Phạm vi này chưa có báo cáo nào được chấp nhận cho Quý III/2025")
	require.Equal(t, []byte("\x89PNG"), r.Chart[:4])
	require.Equal(t, []byte("PK"), r.XLSX[:2])
}

// TestLateAndMissingListsCapped: the body lists the first ten and "và N
// đơn vị khác"; the attachment's TinhHinhNop lists every one.
func TestLateAndMissingListsCapped(t *testing.T) {
	t.Parallel()
	q := domain.Quarter{Year: 2025, Q: 3}
	f := sampleFacts(q)
	for i := range 14 {
		f.Orgs = append(f.Orgs, domain.Org{Code: fmt.Sprintf("M%02d", i), Name: fmt.Sprintf("Chi bộ Thiếu %02d", i), Type: "CHI_BO_CO_SO",
			ParentCode: "R", ValidFrom: q})
	}
	d := digest.Build(f)
	require.Len(t, d.Completeness.MissingUnits, 15)
	r := mustRender(t, d, digest.RenderOptions{})
	require.Contains(t, r.Text, "- và 5 đơn vị khác\n")
	require.Equal(t, 10, strings.Count(r.Text, ": chưa nhận được")+strings.Count(r.Text, ": bị từ chối"))
	require.Contains(t, html.UnescapeString(r.HTML), "<li>và 5 đơn vị khác</li>")
	x, err := excelize.OpenReader(bytes.NewReader(r.XLSX))
	require.NoError(t, err)
	defer x.Close()
	rows, err := x.GetRows(digest.SheetReturns)
	require.NoError(t, err)
	require.Len(t, rows, 1+3+15, "header, three reported, fifteen missing")
}

// TestKeyFiguresBox: the box at the top, each figure with its change
// against the previous quarter.
func TestKeyFiguresBox(t *testing.T) {
	t.Parallel()
	d := digest.Build(sampleFacts(domain.Quarter{Year: 2025, Q: 3}))
	r := mustRender(t, d, digest.RenderOptions{})
	box := r.Text[strings.Index(r.Text, "Số liệu chính"):strings.Index(r.Text, "1. Tình hình nộp báo cáo")]
	require.Contains(t, box, "- Cuối quý: 223 | +11 (+5,73%) từ 192")
	require.Contains(t, box, "- Kết nạp lũy kế so với chỉ tiêu năm: 22/21 (104,76%) | +8 (+38,10 điểm %)")
	require.Contains(t, box, "- Chênh lệch chuyển chính thức: 0 | 0 từ 0")
	require.Contains(t, box, "- Kỷ luật: 0 | 0 (—) từ 0")
	// On time: 3 of 4 now; in Q2 (O1, O2, B, C expected) every return of
	// this fixture came in after the Q3 quarter's end, so late: 0 of 4.
	require.Contains(t, box, "- Đúng hạn: 3/4 (75,00%) | +3 (+75,00 điểm %) từ 0/4")
}

// TestXLSXNumberFormats: numbers are numbers with Excel's own formats,
// every sheet has its header frozen and filters, the printed sheets print.
func TestXLSXNumberFormats(t *testing.T) {
	t.Parallel()
	d := digest.Build(sampleFacts(domain.Quarter{Year: 2025, Q: 3}))
	b, err := digest.XLSX(d, "vi")
	require.NoError(t, err)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	require.NoError(t, err)
	defer f.Close()
	typ, err := f.GetCellType(digest.SheetSummary, "C3")
	require.NoError(t, err)
	require.NotEqual(t, excelize.CellTypeSharedString, typ, "a figure is a number")
	formatOf := func(sheet, cell string) string {
		s, err := f.GetCellStyle(sheet, cell)
		require.NoError(t, err)
		st, err := f.GetStyle(s)
		require.NoError(t, err)
		if st.CustomNumFmt == nil {
			return ""
		}
		return *st.CustomNumFmt
	}
	require.Equal(t, digest.FormatInt, formatOf(digest.SheetSummary, "C3"))
	require.Equal(t, digest.FormatPercent, formatOf(digest.SheetSummary, "D3"), "share of the expected returns")
	for _, sheet := range []string{digest.SheetSummary, digest.SheetUnits, digest.SheetReturns, digest.SheetQuarters} {
		panes, err := f.GetPanes(sheet)
		require.NoError(t, err)
		require.True(t, panes.Freeze, sheet)
		names := f.GetDefinedName()
		var titles, filter bool
		for _, n := range names {
			titles = titles || (n.Name == "_xlnm.Print_Titles" && n.Scope == sheet)
			filter = filter || (n.Name == "_xlnm._FilterDatabase" && n.Scope == sheet)
		}
		require.True(t, titles, "%s repeats its header row when printed", sheet)
		require.True(t, filter, "%s has filters", sheet)
	}
	// The big streamed sheets are Excel tables (with filters), set up to
	// print like the others.
	tables, err := f.GetTables(digest.SheetHistory)
	require.NoError(t, err)
	require.Len(t, tables, 1)
	layout, err := f.GetPageLayout(digest.SheetHistory)
	require.NoError(t, err)
	require.Equal(t, "landscape", *layout.Orientation)
	require.Equal(t, 1, *layout.FitToWidth)
	// DonVi carries each organisation's submission.
	rows, err := f.GetRows(digest.SheetUnits, excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	head := rows[0]
	require.Equal(t, "Mã lần nộp (submission_id)", head[len(head)-1])
	require.Equal(t, "Tệp", head[len(head)-3])
}

// TestFiguresPage: docs/figures.md is the definitions table; set
// RETURNS_UPDATE_DOCS=1 to rewrite it.
func TestFiguresPage(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", "docs", "figures.md")
	want := digest.FiguresMarkdown()
	if os.Getenv("RETURNS_UPDATE_DOCS") != "" {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
	}
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, want, string(got), "docs/figures.md differs from etl/digest/figures.go: RETURNS_UPDATE_DOCS=1 go test ./etl/digest -run TestFiguresPage")
	for _, def := range digest.Definitions {
		require.Contains(t, string(got), "`"+def.ID+"`")
	}
}

// TestEveryDefinitionIsPrinted: each figure of the definitions table is a
// line of the text and of the HTML, and a row of TongHop, in both
// languages: the renderers take their figures from the table.
func TestEveryDefinitionIsPrinted(t *testing.T) {
	t.Parallel()
	d := digest.Build(sampleFacts(domain.Quarter{Year: 2025, Q: 3}))
	for _, lang := range []string{"vi", "en"} {
		r := mustRender(t, d, digest.RenderOptions{Lang: lang})
		h := html.UnescapeString(r.HTML)
		for _, def := range digest.Definitions {
			label := def.Label[0]
			if lang == "en" {
				label = def.Label[1]
			}
			require.Contains(t, r.Text, "- "+label+": ", "%s %s", lang, def.ID)
			require.Contains(t, h, ">"+label+"<", "%s %s", lang, def.ID)
			require.NotEmpty(t, summaryRow(t, r.XLSX, def.ID), def.ID)
		}
		// The tables are headed by their definitions' labels.
		for _, id := range []string{"superv_by_actor", "superv_by_subject"} {
			for _, b := range digest.Breakdowns {
				if b.ID == id {
					label := b.Label[0]
					if lang == "en" {
						label = b.Label[1]
					}
					require.Contains(t, r.Text, "\n"+label+":\n", id)
					require.Contains(t, h, "<b>"+label+"</b>", id)
				}
			}
		}
	}
}

// TestXLSXSameEachTime: the same digest gives the same workbook each time,
// part for part (style ids once followed a map's random order, so two
// copies of one digest differed). The one exception is excelize's own:
// [Content_Types].xml lists its defaults in a map's order, so that part is
// compared as a set of entries.
func TestXLSXSameEachTime(t *testing.T) {
	t.Parallel()
	d := digest.Build(sampleFacts(domain.Quarter{Year: 2025, Q: 3}))
	parts := func() map[string]string {
		b, err := digest.XLSX(d, "vi")
		require.NoError(t, err)
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		m := map[string]string{}
		for _, f := range z.File {
			r, err := f.Open()
			require.NoError(t, err)
			data, err := io.ReadAll(r)
			require.NoError(t, err)
			m[f.Name] = string(data)
			if f.Name == "[Content_Types].xml" {
				entries := strings.Split(m[f.Name], "><")
				slices.Sort(entries)
				m[f.Name] = strings.Join(entries, "\n")
			}
		}
		return m
	}
	first := parts()
	for i := 0; i < 8; i++ {
		require.Equal(t, first, parts(), "run %d differs", i+2)
	}
}
