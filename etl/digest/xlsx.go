package digest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/facts"
	"github.com/returns-project/returns/etl/locale"
)

// Sheets of the attachment.
const (
	SheetSummary   = "TongHop"     // the digest's figures with their bases
	SheetUnits     = "DonVi"       // the quarter's figures per organisation, with its submission
	SheetReturns   = "TinhHinhNop" // every expected organisation: on time, late, missing, rejected
	SheetQuarters  = "TheoQuy"     // admissions by quarter (chart)
	SheetHistory   = "SoLieuGoc"   // every organisation and quarter the comparisons use
	SheetTransfers = "ChuyenSH"    // transfer counts per organisation
	SheetSuperv    = "GiamSat"     // supervision, inspection, outcomes and discipline counts per organisation
	SheetPeople    = "CanXuLy"     // people to act on (only with personal data)
)

// Number formats of the attachment, in Excel's own form: a Vietnamese
// Excel shows 4.046 and 89,51% (the separators are the reader's).
const (
	FormatInt      = "#,##0"
	FormatSigned   = "+#,##0;-#,##0;0"
	FormatPercent  = "0.00%"
	FormatPoints   = "+0.00;-0.00;0.00"
	FormatDateTime = "dd/mm/yyyy hh:mm"
)

// FormulaLike reports whether a text would be taken for a formula when
// typed into a spreadsheet: it starts with =, +, -, @, tab or CR.
func FormulaLike(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// Typed cell values: each gets its number format.
type (
	pctCell    float64 // a fraction, shown as a percentage
	signedCell int     // a change, shown with its sign
	pointsCell float64 // a change in percentage points
)

type colKind int

const (
	colText colKind = iota
	colInt
	colSigned
	colPct
	colPoints
	colTime
)

type book struct {
	f      *excelize.File
	header int
	quoted int
	styles map[colKind]int
	lang   string
	zone   *time.Location // the users' zone, the digest's
	title  string         // the title in every printed page's header
	err    error
}

func (b *book) style(v any) int {
	switch v.(type) {
	case int, int64:
		return b.styles[colInt]
	case signedCell:
		return b.styles[colSigned]
	case pctCell:
		return b.styles[colPct]
	case pointsCell:
		return b.styles[colPoints]
	case time.Time:
		return b.styles[colTime]
	}
	return 0
}

// raw is the value excelize stores for v: numbers as numbers, instants as
// Excel date-times in the users' zone.
func (b *book) raw(v any) any {
	switch x := v.(type) {
	case pctCell:
		return float64(x)
	case signedCell:
		return int(x)
	case pointsCell:
		return float64(x)
	case time.Time:
		if x.IsZero() {
			return nil
		}
		w := x.In(b.zone)
		return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC)
	}
	return v
}

func (b *book) cell(sheet string, col, row int, v any) {
	if b.err != nil || v == nil || v == "" {
		return
	}
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		b.err = err
		return
	}
	switch x := v.(type) {
	case string:
		// Text is always a shared string, never a formula; one that looks
		// like a formula also gets the quote prefix, so that editing the
		// cell keeps it text (docs/reliability.md §3.1).
		err = b.f.SetCellStr(sheet, name, x)
		if err == nil && FormulaLike(x) {
			err = b.f.SetCellStyle(sheet, name, name, b.quoted)
		}
	default:
		r := b.raw(v)
		if r == nil {
			return
		}
		err = b.f.SetCellValue(sheet, name, r)
		if s := b.style(v); err == nil && s != 0 {
			err = b.f.SetCellStyle(sheet, name, name, s)
		}
	}
	if err != nil {
		b.err = fmt.Errorf("%s!%s: %w", sheet, name, err)
	}
}

// printable sets up a sheet for printing: landscape when wide, fit to one
// page wide, the header row repeated on every page, the print area the
// table, the title in the page header.
func (b *book) printable(sheet string, cols, rows int, title string) {
	b.pageSetup(sheet, cols, title)
	b.titles(sheet, cols, rows)
}

// pageSetup sets the page layout of a sheet. A streamed sheet gets it
// before its stream writer starts (which keeps it), so that the sheet is
// never parsed back into memory.
func (b *book) pageSetup(sheet string, cols int, title string) {
	if b.err != nil {
		return
	}
	orient := "portrait"
	if cols > 6 {
		orient = "landscape"
	}
	one, zero, fit := 1, 0, true
	if err := b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		b.err = err
		return
	}
	if err := b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		b.err = err
		return
	}
	if err := b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddHeader: "&C&\"-,Bold\"" + strings.ReplaceAll(title, "&", "&&"),
		OddFooter: "&L" + strings.ReplaceAll(sheet, "&", "&&") + "&R&P/&N"}); err != nil {
		b.err = err
	}
}

// titles names the print titles (the header row) and the print area.
func (b *book) titles(sheet string, cols, rows int) {
	if b.err != nil {
		return
	}
	last, _ := excelize.ColumnNumberToName(max(cols, 1))
	if err := b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$1", sheet), Scope: sheet}); err != nil {
		b.err = err
		return
	}
	b.err = b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("'%s'!$A$1:$%s$%d", sheet, last, max(rows+1, 2)), Scope: sheet})
}

func (b *book) table(sheet string, headers []string, rows [][]any) {
	if b.err != nil {
		return
	}
	if _, err := b.f.NewSheet(sheet); err != nil {
		b.err = err
		return
	}
	for i, h := range headers {
		b.cell(sheet, i+1, 1, h)
	}
	if b.err == nil && len(headers) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(headers), 1)
		b.err = b.f.SetCellStyle(sheet, "A1", last, b.header)
	}
	for r, vals := range rows {
		for c, v := range vals {
			b.cell(sheet, c+1, r+2, v)
		}
	}
	if b.err == nil {
		b.err = b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	if b.err == nil && len(headers) > 1 {
		last, _ := excelize.ColumnNumberToName(len(headers))
		b.err = b.f.SetColWidth(sheet, "B", last, 14)
		if b.err == nil {
			b.err = b.f.SetColWidth(sheet, "A", "A", 34)
		}
	}
	if b.err == nil && len(headers) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(headers), max(len(rows)+1, 2))
		b.err = b.f.AutoFilter(sheet, "A1:"+last, nil)
	}
}

// streamTable writes a large sheet through excelize's StreamWriter (rows
// written once, in order, not kept in memory): the header row, then rows,
// as an Excel table (with its filters). Texts are inline strings,
// formula-like ones with the quote prefix.
func (b *book) streamTable(sheet string, headers []string, rows [][]any, title string) {
	if b.err != nil {
		return
	}
	if _, err := b.f.NewSheet(sheet); err != nil {
		b.err = err
		return
	}
	b.pageSetup(sheet, len(headers), title)
	if b.err != nil {
		return
	}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		b.err = err
		return
	}
	if err := sw.SetColWidth(1, 1, 34); err != nil {
		b.err = err
		return
	}
	if len(headers) > 1 {
		if err := sw.SetColWidth(2, len(headers), 14); err != nil {
			b.err = err
			return
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		b.err = err
		return
	}
	cells := func(vals []any, header bool) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			if v == "" {
				v = nil
			}
			c := excelize.Cell{Value: b.raw(v), StyleID: b.style(v)}
			if header {
				c.StyleID = b.header
			} else if s, ok := v.(string); ok && FormulaLike(s) {
				c.StyleID = b.quoted
			}
			out[i] = c
		}
		return out
	}
	hs := make([]any, len(headers))
	for i, h := range headers {
		hs[i] = h
	}
	if err := sw.SetRow("A1", cells(hs, true)); err != nil {
		b.err = fmt.Errorf("%s: %w", sheet, err)
		return
	}
	for r, vals := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, cells(vals, false)); err != nil {
			b.err = fmt.Errorf("%s row %d: %w", sheet, r+2, err)
			return
		}
	}
	if len(rows) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(headers), len(rows)+1)
		no := false
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: "tbl_" + sheet, StyleName: "TableStyleLight1", ShowRowStripes: &no}); err != nil {
			b.err = fmt.Errorf("%s table: %w", sheet, err)
			return
		}
	}
	b.err = sw.Flush()
	b.titles(sheet, len(headers), len(rows))
}

func l(lang, vi, en string) string {
	if lang == "en" {
		return en
	}
	return vi
}

// XLSX writes the attachment: the digest's figures (TongHop, one row per
// figure of [Definitions] with its bases), the per-organisation figures
// behind them with each organisation's submission, the completeness list,
// every quarter the comparisons use and native Excel charts. Numbers are
// numbers with Excel number formats, every sheet has a frozen header row
// and filters, and the sheets a manager prints are set up to print.
func XLSX(d *Digest, lang string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	b, err := newBook(f, d, lang)
	if err != nil {
		return nil, err
	}
	b.summarySheet(d)
	b.unitsSheet(d)
	b.returnsSheet(d)
	b.quartersSheet(d)
	b.historySheet(d)
	b.transfersSheet(d)
	b.supervisionSheet(d)
	b.peopleSheet(d)
	if b.err == nil {
		// TongHop is the first sheet, and so the active one. (SetActiveSheet
		// would parse every streamed sheet back into memory.)
		b.err = f.SetDocProps(&excelize.DocProperties{Title: b.title, Creator: "returns"})
	}
	if b.err != nil {
		return nil, fmt.Errorf("digest: xlsx: %w", b.err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("digest: xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// newBook starts the attachment's workbook: the header style, the
// quote-prefix style of formula-like texts, one style per number format
// and the title every printed page carries.
func newBook(f *excelize.File, d *Digest, lang string) (*book, error) {
	b := &book{f: f, lang: lang, zone: d.Zone, styles: map[colKind]int{}}
	var err error
	if b.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}); err != nil {
		return nil, fmt.Errorf("digest: xlsx: %w", err)
	}
	if b.quoted, err = f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Horizontal: "left"}}); err != nil {
		return nil, fmt.Errorf("digest: xlsx: %w", err)
	}
	if f.Styles == nil || f.Styles.CellXfs == nil || b.quoted >= len(f.Styles.CellXfs.Xf) {
		return nil, errors.New("digest: xlsx: cannot set the quote-prefix style")
	}
	yes := true
	f.Styles.CellXfs.Xf[b.quoted].QuotePrefix = &yes
	// In a fixed order (not over a map), so that the same digest is the same
	// bytes every time: style ids and number-format ids follow creation order.
	for _, sf := range []struct {
		kind   colKind
		format string
	}{{colInt, FormatInt}, {colSigned, FormatSigned}, {colPct, FormatPercent}, {colPoints, FormatPoints}, {colTime, FormatDateTime}} {
		format := sf.format
		if b.styles[sf.kind], err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
			return nil, fmt.Errorf("digest: xlsx: %w", err)
		}
	}
	b.title = fmt.Sprintf(tr(lang, "title"), b.quarter(d.Quarter), d.Scope.Name)
	return b, nil
}

// quarter is a quarter's name in the book's language.
func (b *book) quarter(q domain.Quarter) string { return locale.Quarter(b.lang, q.Year, q.Q) }

// summarySheet writes TongHop, one row per figure of [Definitions] with
// its value, share and both comparisons, and drops excelize's empty
// Sheet1.
func (b *book) summarySheet(d *Digest) {
	lang, f := b.lang, b.f
	var sum [][]any
	for _, def := range Definitions {
		sum = append(sum, summaryRow(d, lang, def))
	}
	sumHeaders := append(append(append([]string{l(lang, "Mã chỉ tiêu", "Figure id"), tr(lang, "figure"), tr(lang, "value"), l(lang, "Tỷ lệ", "Share")},
		comparisonHeaders(lang, fmt.Sprintf(tr(lang, "qoq"), b.quarter(d.Prev)))...),
		comparisonHeaders(lang, fmt.Sprintf(tr(lang, "yoy"), b.quarter(d.YearAgo)))...), l(lang, "Giải thích", "Explanation"))
	b.table(SheetSummary, sumHeaders, sum)
	if b.err == nil {
		b.err = f.SetColWidth(SheetSummary, "A", "A", 22)
	}
	if b.err == nil {
		b.err = f.SetColWidth(SheetSummary, "B", "B", 34)
	}
	b.printable(SheetSummary, len(sumHeaders), len(sum), b.title)
	if b.err == nil {
		b.err = f.DeleteSheet("Sheet1")
	}
}

// comparisonHeaders are the six column headers of one comparison
// (against the previous quarter or the year before) of TongHop.
func comparisonHeaders(lang, which string) []string {
	return []string{
		which + ": " + l(lang, "kỳ gốc", "base"), which + ": " + l(lang, "kỳ này, cùng đơn vị", "this period, same units"),
		which + ": " + l(lang, "thay đổi", "change"), which + ": " + l(lang, "% thay đổi", "% change"),
		which + ": " + l(lang, "số đơn vị so sánh", "units compared"), which + ": " + l(lang, "ghi chú", "note"),
	}
}

// noComparison is the six empty cells of a comparison a figure lacks.
var noComparison = []any{nil, nil, nil, nil, nil, nil}

// comparisonCells are the six cells of one comparison of a figure: base,
// this period, change, % change, units compared and a note (why there is
// no base, or which quarters a partial year to date covers).
func comparisonCells(d *Digest, lang string, def Definition, c Change, ytd bool) []any {
	if !c.HasBase() {
		note := tr(lang, "no_base")
		if ytd {
			note = fmt.Sprintf(tr(lang, "ytd_none"), d.Quarter.Year-1)
		}
		return []any{nil, nil, nil, nil, 0, note}
	}
	var p any = "—"
	if c.OK && def.Kind != KindNet {
		p = pctCell(c.Pct() / 100)
	}
	if def.Kind == KindNet {
		p = nil
	}
	note := ""
	if c.Partial {
		note = YTDLabel(lang, c.Quarters, d.Quarter.Year-1)
	}
	return []any{c.Base, c.Cur, signedCell(c.Delta()), p, c.Orgs, note}
}

// summaryRow is the TongHop row of one figure: id, label, value, share,
// the comparison with the previous quarter, the comparison with the year
// before and the explanation.
func summaryRow(d *Digest, lang string, def Definition) []any {
	r := []any{def.ID, tr2(lang, def.Label)}
	var share any
	qoq, yoy := noComparison, noComparison
	switch def.Kind {
	case KindSum, KindRows, KindNet:
		m := d.Values[def.ID]
		if def.Kind == KindNet {
			r = append(r, signedCell(m.Value))
		} else {
			r = append(r, m.Value)
		}
		qoq, yoy = comparisonCells(d, lang, def, m.QoQ, false), comparisonCells(d, lang, def, m.YoY, false)
	case KindYTD:
		m := d.Values[def.ID]
		r = append(r, m.Value)
		yoy = comparisonCells(d, lang, def, m.YoY, true)
	case KindShare:
		s := d.Shares[def.ID]
		r = append(r, s.Num)
		share, qoq, yoy = shareCells(lang, s)
	case KindLevel:
		r = append(r, d.Values[def.ID].Value)
	case KindReturns:
		n := d.Values[def.ID].Value
		r = append(r, n)
		share, qoq = returnsCells(d, lang, def, n)
	case KindProgress:
		r = append(r, d.AdmissionsYTD.Value)
		share, qoq = progressCells(d, lang)
	}
	r = append(r, share)
	r = append(r, qoq...)
	r = append(r, yoy...)
	r = append(r, tr2(lang, def.Explain))
	return r
}

// shareCells are the share of a KindShare figure and its changes in
// percentage points against the previous quarter and the year before.
func shareCells(lang string, s Share) (share any, qoq, yoy []any) {
	if s.Den > 0 {
		share = pctCell(s.Pct() / 100)
	} else {
		share = "—"
	}
	qoq, yoy = []any{nil, nil, nil, nil, nil, tr(lang, "pp")}, []any{nil, nil, nil, nil, nil, tr(lang, "pp")}
	if s.QoQOK {
		qoq[2] = pointsCell(s.QoQ)
	} else {
		qoq[2] = "—"
	}
	if s.YoYOK {
		yoy[2] = pointsCell(s.YoY)
	} else {
		yoy[2] = "—"
	}
	return share, qoq, yoy
}

// returnsCells are the rate of a KindReturns figure (n returns) among the
// expected returns and its comparison against the previous quarter, as
// the key figures box says it: the previous count, the change, the
// expected returns then (in the units column) and the change of the rate.
func returnsCells(d *Digest, lang string, def Definition, n int) (share any, qoq []any) {
	fm := formatter{lang: lang, d: d}
	qoq = noComparison
	if d.Completeness.Expected > 0 {
		share = pctCell(float64(n) / float64(d.Completeness.Expected))
	} else {
		share = "—"
	}
	pm := d.PrevCompleteness
	p := prevCount(pm, def.ID)
	switch {
	case def.ID == "returns_rejected":
		// The previous quarter's rejected files are not read: no comparison.
	case pm.Expected == 0:
		qoq = []any{nil, nil, nil, nil, 0, tr(lang, "no_base")}
	default:
		note := ""
		if d.Completeness.Expected > 0 {
			note = fm.pp(100*float64(n)/float64(d.Completeness.Expected) - 100*float64(p)/float64(pm.Expected))
		}
		qoq = []any{p, n, signedCell(n - p), nil, pm.Expected, note}
	}
	return share, qoq
}

// progressCells are the progress towards the admissions target and, against
// the previous quarter, this quarter's admissions and the percentage
// points of the target they added.
func progressCells(d *Digest, lang string) (share any, qoq []any) {
	fm := formatter{lang: lang, d: d}
	if d.ProgressOK {
		share = pctCell(d.Progress / 100)
	} else {
		share = tr(lang, "no_target_short")
	}
	note := ""
	if d.ProgressOK {
		note = fm.pp(100 * float64(d.Admissions.Value) / float64(d.Target))
	}
	return share, []any{nil, nil, signedCell(d.Admissions.Value), nil, nil, note}
}

// unitsSheet writes DonVi, the quarter per organisation: one column per
// figure of an organisation (KindSum, KindNet, KindRows), then the
// admissions ranking and the submission, with a bar chart of the progress.
func (b *book) unitsSheet(d *Digest) {
	lang := b.lang
	perOrg := organisationDefinitions()
	ytdBy := admissionsYTDByOrg(d)
	rowsBy := rowCountsByOrg(d, perOrg)
	var units [][]any
	for _, g := range d.Figures {
		units = append(units, unitRow(d, lang, perOrg, rowsBy, ytdBy, g))
	}
	unitHeaders, ytdCol := unitHeaders(lang, perOrg)
	b.table(SheetUnits, unitHeaders, units)
	b.printable(SheetUnits, len(unitHeaders), len(units), b.title)
	b.unitsChart(len(units), ytdCol)
}

// organisationDefinitions are the figures DonVi shows per organisation:
// KindSum, KindNet and KindRows, in the order of [Definitions].
func organisationDefinitions() []Definition {
	var perOrg []Definition
	for _, def := range Definitions {
		if def.Kind == KindSum || def.Kind == KindNet || def.Kind == KindRows {
			perOrg = append(perOrg, def)
		}
	}
	return perOrg
}

// admissionsYTDByOrg is each organisation's admissions and readmissions of
// the year to date, counted in its successor after a merger.
func admissionsYTDByOrg(d *Digest) map[string]int {
	ytd, _ := ytdQuarters(d.Quarter)
	ytdBy := map[string]int{}
	for _, g := range d.AllFigures {
		for _, q := range ytd {
			if g.Quarter == q {
				ytdBy[repOf(d, g.Org)] += g.Admitted + g.Readmitted
			}
		}
	}
	return ytdBy
}

// rowCountsByOrg is, for each figure counted from rows (KindRows), its
// value this quarter per organisation: figure id → org → value.
func rowCountsByOrg(d *Digest, perOrg []Definition) map[string]map[string]int {
	rowsBy := map[string]map[string]int{}
	f0 := &facts.Facts{Transfers: d.TransferCounts, Supervisions: d.SupervCounts, Disciplines: d.DisciplineCounts, Outcomes: d.OutcomeCounts}
	for _, def := range perOrg {
		if def.rows == nil {
			continue
		}
		m := map[string]int{}
		for _, c := range def.rows(f0) {
			if c.Quarter == d.Quarter {
				m[c.Org] += def.count(c)
			}
		}
		rowsBy[def.ID] = m
	}
	return rowsBy
}

// unitRow is the DonVi row of one organisation's figures.
func unitRow(d *Digest, lang string, perOrg []Definition, rowsBy map[string]map[string]int, ytdBy map[string]int, g facts.Figures) []any {
	o := d.Orgs[g.Org]
	onTime := l(lang, "C", "Y")
	if d.late(g) {
		onTime = l(lang, "K", "N")
	}
	r := []any{o.Name, g.Org, o.ParentCode, g.Version, g.FirstReceivedAt, onTime}
	for _, def := range perOrg {
		var n int
		if def.rows != nil {
			n = rowsBy[def.ID][g.Org]
		} else {
			n = def.value(g)
		}
		if def.Kind == KindNet {
			r = append(r, signedCell(n))
		} else {
			r = append(r, n)
		}
	}
	var progress any = "—"
	if g.Target > 0 {
		progress = pctCell(float64(ytdBy[g.Org]) / float64(g.Target))
	}
	return append(r, g.Readmitted, ytdBy[g.Org], g.Target, progress, g.AdmissionRows, g.Women, g.Youth, g.Minority, g.Religious, g.NonState,
		g.Warnings, g.FileName, g.ReceivedAt, g.SubmissionID)
}

// unitHeaders are the column headers of DonVi and the column number of
// the admissions of the year to date (the target is the next one).
func unitHeaders(lang string, perOrg []Definition) (headers []string, ytdCol int) {
	unitHeaders := []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Mã cấp trên", "Parent"), l(lang, "Lần nộp", "Version"),
		l(lang, "Nhận lần đầu", "First received"), tr(lang, "ontime")}
	for _, def := range perOrg {
		unitHeaders = append(unitHeaders, tr2(lang, def.Label))
	}
	ytdCol = len(unitHeaders) + 2 // after readmitted
	unitHeaders = append(unitHeaders, l(lang, "Kết nạp lại", "Readmitted"), tr(lang, "a_ytd"), tr(lang, "a_target"), l(lang, "% chỉ tiêu", "% of target"),
		l(lang, "Dòng KetNap", "KetNap rows"), tr(lang, "sh_women"), tr(lang, "sh_youth"), tr(lang, "sh_minority"), tr(lang, "sh_religious"), tr(lang, "sh_nonstate"),
		l(lang, "Cảnh báo", "Warnings"), l(lang, "Tệp", "File"), l(lang, "Nhận lúc (bản hiện hành)", "Received (current version)"),
		l(lang, "Mã lần nộp (submission_id)", "Submission id"))
	return unitHeaders, ytdCol
}

// unitsChart adds DonVi's bar chart of the progress by organisation: the
// admissions of the year to date and the target, below the table of
// units rows.
func (b *book) unitsChart(units, ytdCol int) {
	if b.err != nil || units == 0 {
		return
	}
	n := units + 1
	yc, _ := excelize.ColumnNumberToName(ytdCol)
	tc, _ := excelize.ColumnNumberToName(ytdCol + 1)
	b.err = b.f.AddChart(SheetUnits, fmt.Sprintf("A%d", n+3), &excelize.Chart{
		Type: excelize.Bar,
		Series: []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$%s$1", SheetUnits, yc), Categories: fmt.Sprintf("%s!$B$2:$B$%d", SheetUnits, n),
			Values: fmt.Sprintf("%s!$%s$2:$%s$%d", SheetUnits, yc, yc, n)}, {Name: fmt.Sprintf("%s!$%s$1", SheetUnits, tc), Categories: fmt.Sprintf("%s!$B$2:$B$%d", SheetUnits, n),
			Values: fmt.Sprintf("%s!$%s$2:$%s$%d", SheetUnits, tc, tc, n)}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: l(b.lang, "Kết nạp lũy kế và chỉ tiêu theo đơn vị", "Admissions year to date and target by organisation")}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 720, Height: uint(max(320, min(4000, 18*units)))},
	})
}

// returnsSheet writes TinhHinhNop, every expected organisation and how
// its return stands: the full late and missing lists the mail caps.
func (b *book) returnsSheet(d *Digest) {
	lang := b.lang
	byOrg := map[string]facts.Figures{}
	for _, g := range d.Figures {
		byOrg[g.Org] = g
	}
	missing := map[string]Unit{}
	for _, u := range d.Completeness.MissingUnits {
		missing[u.Code] = u
	}
	var rets [][]any
	for _, o := range d.OrgList {
		if !o.Reports() || !o.ActiveIn(d.Quarter) {
			continue
		}
		g, ok := byOrg[o.Code]
		switch {
		case ok && !d.late(g):
			rets = append(rets, []any{o.Name, o.Code, tr(lang, "ontime"), g.Version, g.FirstReceivedAt, g.FileName, g.SubmissionID})
		case ok:
			rets = append(rets, []any{o.Name, o.Code, tr(lang, "late"), g.Version, g.FirstReceivedAt, g.FileName, g.SubmissionID})
		case missing[o.Code].Reason != "":
			rets = append(rets, []any{o.Name, o.Code, fmt.Sprintf(tr(lang, "rejected_reason"), missing[o.Code].Reason), nil, nil, nil, nil})
		default:
			rets = append(rets, []any{o.Name, o.Code, tr(lang, "missing"), nil, nil, nil, nil})
		}
	}
	retHeaders := []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Tình trạng", "Status"), l(lang, "Lần nộp", "Version"),
		l(lang, "Nhận lần đầu", "First received"), l(lang, "Tệp", "File"), l(lang, "Mã lần nộp (submission_id)", "Submission id")}
	b.table(SheetReturns, retHeaders, rets)
	b.printable(SheetReturns, len(retHeaders), len(rets), b.title)
}

// quartersSheet writes TheoQuy, the admissions by quarter, with a native
// chart (columns: the year to date restarts each year); a partial year
// says so.
func (b *book) quartersSheet(d *Digest) {
	lang := b.lang
	var qrows [][]any
	for _, q := range d.ByQuarter {
		note := ""
		if len(q.Missing) > 0 {
			note = fmt.Sprintf(tr(lang, "chart_partial"), q.Quarter.Year, quarterRange(q.Missing))[2:]
		}
		qrows = append(qrows, []any{b.quarter(q.Quarter), q.Admissions, q.YTD, q.Target, note})
	}
	qHeaders := []string{l(lang, "Quý", "Quarter"), tr(lang, "chart_adm"), tr(lang, "chart_ytd"), tr(lang, "chart_target"), l(lang, "Ghi chú lũy kế", "Year-to-date note")}
	b.table(SheetQuarters, qHeaders, qrows)
	b.printable(SheetQuarters, len(qHeaders), len(qrows), b.title)
	b.quartersChart(len(qrows))
}

// quartersChart adds TheoQuy's chart of its quarters rows: admissions and
// the year to date as columns, the target as a line.
func (b *book) quartersChart(quarters int) {
	if b.err != nil || quarters == 0 {
		return
	}
	n := quarters + 1
	cats := fmt.Sprintf("%s!$A$2:$A$%d", SheetQuarters, n)
	series := func(col string) excelize.ChartSeries {
		return excelize.ChartSeries{Name: fmt.Sprintf("%s!$%s$1", SheetQuarters, col), Categories: cats, Values: fmt.Sprintf("%s!$%s$2:$%s$%d", SheetQuarters, col, col, n)}
	}
	b.err = b.f.AddChart(SheetQuarters, "G2", &excelize.Chart{
		Type:      excelize.Col,
		Series:    []excelize.ChartSeries{series("B"), series("C")},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: tr(b.lang, "chart_title")}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 640, Height: 320},
	}, &excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{series("D")}})
}

// historySheet writes SoLieuGoc, every organisation and quarter used by a
// comparison.
func (b *book) historySheet(d *Digest) {
	lang := b.lang
	var hist [][]any
	for _, g := range d.AllFigures {
		hist = append(hist, []any{orgName(d, g.Org), g.Org, repOf(d, g.Org), b.quarter(g.Quarter), g.Version, g.Start(), g.End(), g.EndOfficial, g.EndProbationary,
			g.Admitted, g.Readmitted, g.Target, g.AdmissionRows, g.Women, g.Youth, g.Minority, g.Religious, g.NonState,
			g.TransferIn, g.TransferOut, g.TempIn, g.TempOut, g.Recognised, g.Deceased, g.StruckOff, g.Resigned, g.Expelled, g.DecreaseOther,
			g.Warnings, g.FileName, g.FirstReceivedAt, g.SubmissionID})
	}
	b.streamTable(SheetHistory, []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Tính vào đơn vị (sáp nhập)", "Counted in (merger)"), l(lang, "Quý", "Quarter"),
		l(lang, "Lần nộp", "Version"), tr(lang, "m_start"), tr(lang, "m_end"), tr(lang, "m_official"), tr(lang, "m_prob"), l(lang, "Kết nạp", "Admitted"),
		l(lang, "Kết nạp lại", "Readmitted"), tr(lang, "a_target"), l(lang, "Dòng KetNap", "KetNap rows"), tr(lang, "sh_women"), tr(lang, "sh_youth"),
		tr(lang, "sh_minority"), tr(lang, "sh_religious"), tr(lang, "sh_nonstate"), tr(lang, "t_in_total"), tr(lang, "t_out_total"),
		tr(lang, "t_temp_in"), tr(lang, "t_temp_out"), tr(lang, "m_recognised"), l(lang, "Từ trần", "Deceased"), l(lang, "Xóa tên", "Struck off"),
		l(lang, "Xin ra khỏi Đảng", "Resigned"), l(lang, "Khai trừ", "Expelled"), l(lang, "Giảm khác", "Other decreases"), l(lang, "Cảnh báo", "Warnings"),
		l(lang, "Tệp", "File"), l(lang, "Nhận lần đầu", "First received"), l(lang, "Mã lần nộp (submission_id)", "Submission id")}, hist, b.title)
}

// transfersSheet writes ChuyenSH, the transfer counts per organisation.
func (b *book) transfersSheet(d *Digest) {
	lang := b.lang
	var trs [][]any
	for _, c := range d.TransferCounts {
		trs = append(trs, []any{orgName(d, c.Org), c.Org, b.quarter(c.Quarter), codeLabel(lang, c.Keys[0]), codeLabel(lang, c.Keys[1]), codeLabel(lang, c.Keys[2]), c.N})
	}
	b.streamTable(SheetTransfers, []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Quý", "Quarter"), l(lang, "Chiều", "Direction"),
		l(lang, "Hình thức", "Type"), l(lang, "Phạm vi", "Scope"), tr(lang, "count")}, trs, b.title)
}

// supervisionSheet writes GiamSat, the supervision and inspection,
// outcome and discipline counts per organisation.
func (b *book) supervisionSheet(d *Digest) {
	lang := b.lang
	var sv [][]any
	for _, c := range d.SupervCounts {
		sv = append(sv, []any{orgName(d, c.Org), c.Org, b.quarter(c.Quarter), codeLabel(lang, c.Keys[1]), codeLabel(lang, c.Keys[0]),
			codeLabel(lang, c.Keys[2]), codeLabel(lang, c.Keys[3]), c.N})
	}
	for _, c := range d.OutcomeCounts {
		res := codeLabel(lang, c.Keys[1])
		if c.Keys[2] == "C" {
			res += " – " + tr(lang, "g_disc")
		}
		sv = append(sv, []any{orgName(d, c.Org), c.Org, b.quarter(c.Quarter), tr(lang, "s_outcomes"), codeLabel(lang, c.Keys[0]), res, "", c.N})
	}
	for _, c := range d.DisciplineCounts {
		sv = append(sv, []any{orgName(d, c.Org), c.Org, b.quarter(c.Quarter), tr(lang, "g_disc"), codeLabel(lang, c.Keys[3]) + " / " + originLabel(lang, c.Keys[2]),
			codeLabel(lang, c.Keys[0]), codeLabel(lang, c.Keys[1]), c.N})
	}
	b.streamTable(SheetSuperv, []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Quý", "Quarter"), l(lang, "Loại", "Kind"),
		l(lang, "Chủ thể / cấp quyết định", "Actor / decided by"), l(lang, "Hình thức / kết quả", "Form / result"), tr(lang, "g_subject"), tr(lang, "count")}, sv, b.title)
}

// peopleSheet writes CanXuLy, the people to act on, when the digest
// carries personal data (none: no sheet).
func (b *book) peopleSheet(d *Digest) {
	if len(d.People) == 0 {
		return
	}
	lang := b.lang
	var ppl [][]any
	for _, p := range d.People {
		kind := tr(lang, "p_probation")
		if p.Kind == facts.PersonUnmatchedTransfer {
			kind = tr(lang, "p_unmatched")
		}
		ppl = append(ppl, []any{orgName(d, p.Org), p.Org, kind, p.Name, p.Detail, locale.Date(p.Date)})
	}
	heads := []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Việc", "Case"), l(lang, "Họ và tên", "Name"),
		l(lang, "Số giấy / quyết định", "Letter / decision"), l(lang, "Ngày", "Date")}
	b.table(SheetPeople, heads, ppl)
	b.printable(SheetPeople, len(heads), len(ppl), b.title)
}

// prevCount is the previous quarter's count of a completeness figure.
func prevCount(c Completeness, id string) int {
	switch id {
	case "returns_expected":
		return c.Expected
	case "returns_reported":
		return c.Reported
	case "returns_on_time":
		return c.OnTime
	case "returns_late":
		return c.Late
	case "returns_rejected":
		return c.Rejected
	case "returns_missing":
		return c.Missing
	}
	return 0
}

// repOf is the organisation code stands for in the digest's quarter (its
// successor after a merger).
func repOf(d *Digest, code string) string {
	b := &builder{d: d}
	return b.rep(code)
}
