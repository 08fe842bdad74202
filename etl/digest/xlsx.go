package digest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/locale"
)

// Sheets of the attachment.
const (
	SheetSummary   = "TongHop"   // the digest's figures with their bases
	SheetUnits     = "DonVi"     // the quarter's figures per organisation
	SheetQuarters  = "TheoQuy"   // admissions by quarter (chart)
	SheetHistory   = "SoLieuGoc" // every organisation and quarter the comparisons use
	SheetTransfers = "ChuyenSH"  // transfer counts per organisation
	SheetSuperv    = "GiamSat"   // supervision, inspection and discipline counts per organisation
	SheetPeople    = "CanXuLy"   // people to act on (only with personal data)
)

// FormulaLike reports whether a text would be taken for a formula when
// typed into a spreadsheet: it starts with =, +, -, @, tab or CR.
func FormulaLike(s string) bool {
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

type book struct {
	f              *excelize.File
	header, quoted int
	lang           string
	err            error
}

func (b *book) cell(sheet string, col, row int, v any) {
	if b.err != nil {
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
		// cell keeps it text (shared/reliability.md §3.1).
		err = b.f.SetCellStr(sheet, name, x)
		if err == nil && FormulaLike(x) {
			err = b.f.SetCellStyle(sheet, name, name, b.quoted)
		}
	default:
		err = b.f.SetCellValue(sheet, name, x)
	}
	if err != nil {
		b.err = fmt.Errorf("%s!%s: %w", sheet, name, err)
	}
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
}

// streamTable writes a large sheet through excelize's StreamWriter (rows
// written once, in order, not kept in memory): the header row, then rows.
// Texts are inline strings, formula-like ones with the quote prefix.
func (b *book) streamTable(sheet string, headers []string, rows [][]any) {
	if b.err != nil {
		return
	}
	if _, err := b.f.NewSheet(sheet); err != nil {
		b.err = err
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
	cells := func(vals []any, style int) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			c := excelize.Cell{Value: v, StyleID: style}
			if s, ok := v.(string); ok && style == 0 && FormulaLike(s) {
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
	if err := sw.SetRow("A1", cells(hs, b.header)); err != nil {
		b.err = fmt.Errorf("%s: %w", sheet, err)
		return
	}
	for r, vals := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, cells(vals, 0)); err != nil {
			b.err = fmt.Errorf("%s row %d: %w", sheet, r+2, err)
			return
		}
	}
	b.err = sw.Flush()
}

func l(lang, vi, en string) string {
	if lang == "en" {
		return en
	}
	return vi
}

// XLSX writes the attachment: the digest's figures, the per-organisation
// figures behind them and native Excel charts.
func XLSX(d *Digest, lang string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, lang: lang}
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

	qn := func(q Quarter) string { return locale.Quarter(lang, q.Year, q.Q) }
	base := func(c Change) []any {
		if !c.OK {
			return []any{"—", "—", c.Orgs}
		}
		return []any{c.Base, c.Cur, c.Orgs}
	}
	// Summary.
	var sum [][]any
	add := func(label string, m Metric) {
		sum = append(sum, append(append([]any{label, m.Value}, base(m.QoQ)...), base(m.YoY)...))
	}
	add(tr(lang, "m_start"), d.MembersStart)
	add(tr(lang, "m_end"), d.MembersEnd)
	add(tr(lang, "m_net"), d.Net)
	add(tr(lang, "m_official"), d.Official)
	add(tr(lang, "m_prob"), d.Probationary)
	add(tr(lang, "m_recognised"), d.Recognised)
	add(tr(lang, "a_quarter"), d.Admissions)
	add(tr(lang, "a_ytd"), d.AdmissionsYTD)
	sum = append(sum, []any{tr(lang, "a_target"), d.Target})
	add(tr(lang, "t_in_total"), d.TransferIn)
	add(tr(lang, "t_out_total"), d.TransferOut)
	add(tr(lang, "t_temp_in"), d.TempIn)
	add(tr(lang, "t_temp_out"), d.TempOut)
	add(tr(lang, "g_superv"), d.Supervision)
	add(tr(lang, "g_inspect"), d.Inspection)
	add(tr(lang, "g_disc"), d.DisciplineTotal)
	cm := d.Completeness
	for _, x := range []struct {
		k string
		n int
	}{{"expected", cm.Expected}, {"reported", cm.Reported}, {"ontime", cm.OnTime}, {"late", cm.Late}, {"rejected", cm.Rejected}, {"missing", cm.Missing}} {
		sum = append(sum, []any{tr(lang, x.k), x.n})
	}
	b.table(SheetSummary, []string{
		fmt.Sprintf(tr(lang, "title"), qn(d.Quarter), d.Scope.Name), tr(lang, "value"),
		l(lang, "Quý trước (cùng đơn vị)", "Previous quarter (same units)"), l(lang, "Quý này (cùng đơn vị)", "This quarter (same units)"), l(lang, "Số đơn vị so sánh", "Units compared"),
		l(lang, "Cùng kỳ (cùng đơn vị)", "Last year (same units)"), l(lang, "Quý này (cùng đơn vị)", "This quarter (same units)"), l(lang, "Số đơn vị so sánh", "Units compared"),
	}, sum)
	if b.err == nil {
		b.err = f.DeleteSheet("Sheet1")
	}

	// Per organisation, the quarter.
	ytd, _ := ytdQuarters(d.Quarter)
	ytdBy := map[string]int{}
	for _, g := range d.AllFigures {
		for _, q := range ytd {
			if g.Quarter == q {
				ytdBy[repOf(d, g.Org)] += g.Admitted + g.Readmitted
			}
		}
	}
	var units [][]any
	for _, g := range d.Figures {
		o := d.Orgs[g.Org]
		onTime := l(lang, "C", "Y")
		if g.FirstReceivedAt.After(d.Deadline) {
			onTime = l(lang, "K", "N")
		}
		progress := any("—")
		if g.Target > 0 {
			progress = float64(int(10000*float64(ytdBy[g.Org])/float64(g.Target)+0.5)) / 100
		}
		units = append(units, []any{o.Name, g.Org, o.ParentCode, g.Version, locale.DateTime(g.FirstReceivedAt), onTime,
			g.Start(), g.End(), g.EndOfficial, g.EndProbationary, g.Admitted, g.Readmitted, ytdBy[g.Org], g.Target, progress,
			g.AdmissionRows, g.Women, g.Youth, g.Minority, g.Religious, g.NonState,
			g.TransferIn, g.TransferOut, g.TempIn, g.TempOut, g.Recognised, g.Warnings})
	}
	unitHeaders := []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Mã cấp trên", "Parent"), l(lang, "Lần nộp", "Version"),
		l(lang, "Nhận lần đầu", "First received"), tr(lang, "ontime"), tr(lang, "m_start"), tr(lang, "m_end"), tr(lang, "m_official"), tr(lang, "m_prob"),
		l(lang, "Kết nạp", "Admitted"), l(lang, "Kết nạp lại", "Readmitted"), tr(lang, "a_ytd"), tr(lang, "a_target"), l(lang, "% chỉ tiêu", "% of target"),
		l(lang, "Dòng KetNap", "KetNap rows"), tr(lang, "sh_women"), tr(lang, "sh_youth"), tr(lang, "sh_minority"), tr(lang, "sh_religious"), tr(lang, "sh_nonstate"),
		tr(lang, "t_in_total"), tr(lang, "t_out_total"), tr(lang, "t_temp_in"), tr(lang, "t_temp_out"), tr(lang, "m_recognised"), l(lang, "Cảnh báo", "Warnings")}
	b.table(SheetUnits, unitHeaders, units)
	// Missing organisations follow the table, so that every expected one is listed.
	row := len(units) + 3
	for _, u := range cm.MissingUnits {
		note := tr(lang, "not_received")
		if u.Reason != "" {
			note = fmt.Sprintf(tr(lang, "rejected_reason"), u.Reason)
		}
		b.cell(SheetUnits, 1, row, u.Name)
		b.cell(SheetUnits, 2, row, u.Code)
		b.cell(SheetUnits, 3, row, note)
		row++
	}

	// Admissions by quarter, with a native chart.
	var qrows [][]any
	for _, q := range d.ByQuarter {
		qrows = append(qrows, []any{qn(q.Quarter), q.Admissions, q.YTD, q.Target})
	}
	b.table(SheetQuarters, []string{l(lang, "Quý", "Quarter"), tr(lang, "chart_adm"), tr(lang, "chart_ytd"), tr(lang, "chart_target")}, qrows)
	if b.err == nil && len(qrows) > 0 {
		n := len(qrows) + 1
		cats := fmt.Sprintf("%s!$A$2:$A$%d", SheetQuarters, n)
		series := func(col, name string) excelize.ChartSeries {
			return excelize.ChartSeries{Name: fmt.Sprintf("%s!$%s$1", SheetQuarters, col), Categories: cats, Values: fmt.Sprintf("%s!$%s$2:$%s$%d", SheetQuarters, col, col, n)}
		}
		b.err = f.AddChart(SheetQuarters, "F2", &excelize.Chart{
			Type:      excelize.Col,
			Series:    []excelize.ChartSeries{series("B", ""), series("C", "")},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: tr(lang, "chart_title")}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 640, Height: 320},
		}, &excelize.Chart{Type: excelize.Line, Series: []excelize.ChartSeries{series("D", "")}})
	}

	// Progress by organisation, with a bar chart.
	if b.err == nil && len(units) > 0 {
		n := len(units) + 1
		b.err = f.AddChart(SheetUnits, fmt.Sprintf("A%d", row+2), &excelize.Chart{
			Type: excelize.Bar,
			Series: []excelize.ChartSeries{{Name: SheetUnits + "!$M$1", Categories: fmt.Sprintf("%s!$B$2:$B$%d", SheetUnits, n),
				Values: fmt.Sprintf("%s!$M$2:$M$%d", SheetUnits, n)}, {Name: SheetUnits + "!$N$1", Categories: fmt.Sprintf("%s!$B$2:$B$%d", SheetUnits, n),
				Values: fmt.Sprintf("%s!$N$2:$N$%d", SheetUnits, n)}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: l(lang, "Kết nạp lũy kế và chỉ tiêu theo đơn vị", "Admissions year to date and target by organisation")}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 720, Height: uint(max(320, min(4000, 18*len(units))))},
		})
	}

	// History: every organisation and quarter used by a comparison.
	var hist [][]any
	for _, g := range d.AllFigures {
		hist = append(hist, []any{orgName(d, g.Org), g.Org, repOf(d, g.Org), qn(g.Quarter), g.Version, g.Start(), g.End(), g.EndOfficial, g.EndProbationary,
			g.Admitted, g.Readmitted, g.Target, g.AdmissionRows, g.Women, g.Youth, g.Minority, g.Religious, g.NonState,
			g.TransferIn, g.TransferOut, g.TempIn, g.TempOut, g.Recognised, g.Warnings})
	}
	b.streamTable(SheetHistory, []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Tính vào đơn vị (sáp nhập)", "Counted in (merger)"), l(lang, "Quý", "Quarter"),
		l(lang, "Lần nộp", "Version"), tr(lang, "m_start"), tr(lang, "m_end"), tr(lang, "m_official"), tr(lang, "m_prob"), l(lang, "Kết nạp", "Admitted"),
		l(lang, "Kết nạp lại", "Readmitted"), tr(lang, "a_target"), l(lang, "Dòng KetNap", "KetNap rows"), tr(lang, "sh_women"), tr(lang, "sh_youth"),
		tr(lang, "sh_minority"), tr(lang, "sh_religious"), tr(lang, "sh_nonstate"), tr(lang, "t_in_total"), tr(lang, "t_out_total"),
		tr(lang, "t_temp_in"), tr(lang, "t_temp_out"), tr(lang, "m_recognised"), l(lang, "Cảnh báo", "Warnings")}, hist)

	countRows := func(cs []Count, keys int) [][]any {
		var out [][]any
		for _, c := range cs {
			r := []any{orgName(d, c.Org), c.Org, qn(c.Quarter)}
			for i := range keys {
				r = append(r, codeLabel(lang, c.Keys[i]))
			}
			out = append(out, append(r, c.N))
		}
		return out
	}
	b.streamTable(SheetTransfers, []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Quý", "Quarter"), l(lang, "Chiều", "Direction"),
		l(lang, "Hình thức", "Type"), l(lang, "Phạm vi", "Scope"), tr(lang, "count")}, countRows(d.TransferCounts, 3))
	sv := countRows(d.SupervCounts, 4)
	for _, r := range countRows(d.DisciplineCounts, 2) {
		sv = append(sv, []any{r[0], r[1], r[2], tr(lang, "g_disc"), r[3], "", r[4], r[5]})
	}
	b.streamTable(SheetSuperv, []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Quý", "Quarter"), tr(lang, "g_actor"), tr(lang, "g_activity"),
		tr(lang, "g_form"), tr(lang, "g_subject"), tr(lang, "count")}, sv)
	if len(d.People) > 0 {
		var ppl [][]any
		for _, p := range d.People {
			kind := tr(lang, "p_probation")
			if p.Kind == PersonUnmatchedTransfer {
				kind = tr(lang, "p_unmatched")
			}
			ppl = append(ppl, []any{orgName(d, p.Org), p.Org, kind, p.Name, p.Detail, locale.Date(p.Date)})
		}
		b.table(SheetPeople, []string{tr(lang, "unit"), l(lang, "Mã", "Code"), l(lang, "Việc", "Case"), l(lang, "Họ và tên", "Name"),
			l(lang, "Số giấy / quyết định", "Letter / decision"), l(lang, "Ngày", "Date")}, ppl)
	}
	if b.err == nil {
		// TongHop is the first sheet, and so the active one. (SetActiveSheet
		// would parse every streamed sheet back into memory.)
		b.err = f.SetDocProps(&excelize.DocProperties{Title: fmt.Sprintf(tr(lang, "title"), qn(d.Quarter), d.Scope.Name), Creator: "returns"})
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

// repOf is the organisation code stands for in the digest's quarter (its
// successor after a merger).
func repOf(d *Digest, code string) string {
	b := &builder{d: d}
	return b.rep(code)
}
