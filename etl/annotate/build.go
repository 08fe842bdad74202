package annotate

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// Fill colours of marked cells (ARGB without alpha): Excel's own light red of
// "Bad" for errors, an amber for warnings.
const (
	ErrorFill   = "FFC7CE"
	WarningFill = "FFD966"
)

// builder writes one annotated workbook.
type builder struct {
	res  *validate.Result
	opts Options
	w    *words
	// annotated is true when f is the original (false: a new workbook).
	annotated bool
	// note explains why the original was not annotated, if it passed validation.
	note string

	f      *excelize.File
	sheets map[string]string // normalize.Text(name) → the workbook's own sheet name
	styles map[styleKey]int  // marked-cell styles: (original style, severity) → style
	sizes  map[string]int64  // the original's sheet name → unpacked size of its part
}

type styleKey struct {
	style int
	sev   schema.Severity
}

func newBuilder(res *validate.Result, opts Options) *builder {
	return &builder{res: res, opts: opts, w: dict[opts.Lang], styles: map[styleKey]int{}}
}

// hasMarks reports whether an issue has a cell to mark on the sheet.
func (b *builder) hasMarks(sheet string) bool {
	key := normalize.Text(sheet)
	for _, is := range b.res.Issues {
		if !strings.EqualFold(normalize.Text(is.Sheet), key) {
			continue
		}
		if _, _, ok := parseRef(is.Cell); ok {
			return true
		}
		for _, r := range is.Related {
			if _, _, ok := parseRef(r); ok {
				return true
			}
		}
	}
	return false
}

// target is where an issue points in the workbook.
type target struct {
	sheet string // the workbook's own sheet name; "" when the sheet is not in it
	cell  string // the cell to mark; "" when the issue has no cell or its sheet is not there
	where string // the issue's cell ("C5") for the table, even when cell is ""
	link  string // hyperlink location ("'KetNap'!C5"); "" when there is nothing to go to
	// related are the other cells the issue is about (the inputs of a
	// balance rule), canonical, without cell and without repeats; marked
	// like cell, never linked. Empty when the sheet is not there.
	related []string
}

// cells returns every cell the target marks: its cell, then the related ones.
func (t target) cells() []string {
	if t.cell == "" {
		return t.related
	}
	return append([]string{t.cell}, t.related...)
}

// build annotates the original (when b.annotated) and adds the issues sheet
// first. It never calls excelize's MoveSheet, UngroupSheets or
// SetActiveSheet: they read every worksheet of the workbook (memory) and
// panic on a sheet without the optional <sheetViews>. prepare has cleared
// tabSelected on every sheet, so the issues sheet is the one selected.
func (b *builder) build(ctx context.Context, f *excelize.File) error {
	b.f = f
	b.sheets = map[string]string{}
	var fresh string
	if b.annotated {
		for _, name := range f.GetSheetList() {
			b.sheets[normalize.Text(name)] = name
		}
	} else {
		fresh = f.GetSheetName(0)
	}
	targets := make([]target, len(b.res.Issues))
	for i, is := range b.res.Issues {
		targets[i] = b.target(is)
	}
	if b.annotated {
		if err := b.mark(ctx, targets); err != nil {
			return err
		}
	}
	name := b.w.sheetName
	if fresh != "" {
		if err := f.SetSheetName(fresh, name); err != nil {
			return fmt.Errorf("name the issues sheet: %w", err)
		}
	} else {
		name = b.freeSheetName(name)
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("add the issues sheet: %w", err)
		}
		if err := b.moveFirst(name); err != nil {
			return err
		}
	}
	if err := b.activate(name); err != nil {
		return err
	}
	return b.issuesSheet(ctx, name, targets)
}

// activate makes the first sheet, name, the active and only selected one.
func (b *builder) activate(name string) error {
	if wb := b.f.WorkBook; wb != nil && wb.BookViews != nil {
		for i := range wb.BookViews.WorkBookView {
			wb.BookViews.WorkBookView[i].ActiveTab = 0
			wb.BookViews.WorkBookView[i].FirstSheet = 0
		}
	}
	if b.f.GetActiveSheetIndex() != 0 {
		return fmt.Errorf("activate the issues sheet: active sheet is %d", b.f.GetActiveSheetIndex())
	}
	// GroupSheets of the active sheet alone sets its tabSelected and reads
	// no other sheet.
	if err := b.f.GroupSheets([]string{name}); err != nil {
		return fmt.Errorf("select the issues sheet: %w", err)
	}
	return nil
}

// freeSheetName returns name, or "name (2)", … when the workbook already has
// a sheet of that name (an earlier feedback sheet sent back, or the
// operator's own): an existing sheet is never replaced.
func (b *builder) freeSheetName(name string) string {
	taken := func(n string) bool {
		for _, s := range b.f.GetSheetList() {
			if strings.EqualFold(s, n) {
				return true
			}
		}
		return false
	}
	out := name
	for i := 2; taken(out); i++ {
		out = fmt.Sprintf("%s (%d)", name, i)
	}
	return out
}

// moveFirst moves the sheet, the last one, to the front of the workbook's
// sheet list. Sheet-scoped defined names (print areas, filters, local
// names) refer to sheets by position: every one moves one place on.
// excelize's MoveSheet is not used: it calls UngroupSheets, which reads
// every worksheet and panics on one without <sheetViews>.
func (b *builder) moveFirst(name string) error {
	wb := b.f.WorkBook
	if wb == nil {
		return fmt.Errorf("move the issues sheet first: no workbook")
	}
	list := wb.Sheets.Sheet
	last := len(list) - 1
	if last <= 0 {
		return nil
	}
	if list[last].Name != name {
		return fmt.Errorf("move the issues sheet first: %q is not the last sheet", name)
	}
	moved := list[last]
	copy(list[1:], list[:last])
	list[0] = moved
	if wb.DefinedNames != nil {
		for i := range wb.DefinedNames.DefinedName {
			if id := wb.DefinedNames.DefinedName[i].LocalSheetID; id != nil {
				n := *id + 1
				wb.DefinedNames.DefinedName[i].LocalSheetID = &n
			}
		}
	}
	return nil
}

// sheetOf returns the workbook's own name of the issue's sheet, or "".
func (b *builder) sheetOf(name string) string {
	if name == "" {
		return ""
	}
	key := normalize.Text(name)
	if s, ok := b.sheets[key]; ok {
		return s
	}
	for k, s := range b.sheets {
		if strings.EqualFold(k, key) {
			return s
		}
	}
	return ""
}

// target finds where is points. The link is built from the workbook's own
// sheet name and a checked A1 reference only.
func (b *builder) target(is validate.Issue) target {
	first, last, hasCell := parseRef(is.Cell)
	sheet := b.sheetOf(is.Sheet)
	if sheet == "" {
		return target{where: first}
	}
	t := target{sheet: sheet, where: first}
	ref := "A1"
	if hasCell {
		t.cell, ref = first, first
		if last != "" {
			ref = first + ":" + last
		}
	} else if is.Row > 0 && is.Row <= excelize.TotalRows {
		ref = fmt.Sprintf("A%d", is.Row)
	}
	t.link = quoteSheet(sheet) + "!" + ref
	for _, r := range is.Related {
		// A1 names; of a range, its first cell.
		c, _, ok := parseRef(r)
		if ok && c != t.cell && !slices.Contains(t.related, c) {
			t.related = append(t.related, c)
		}
	}
	return t
}

var a1 = regexp.MustCompile(`^\$?[A-Za-z]{1,3}\$?[1-9][0-9]{0,6}$`)

// parseRef checks an A1 reference or range ("C5", "E3:E4") and returns its
// cells in canonical form.
func parseRef(ref string) (first, last string, ok bool) {
	a, z, isRange := strings.Cut(ref, ":")
	first, ok = canonical(a)
	if !ok {
		return "", "", false
	}
	if isRange {
		if last, ok = canonical(z); !ok {
			return first, "", true
		}
	}
	return first, last, true
}

func canonical(cell string) (string, bool) {
	if !a1.MatchString(cell) {
		return "", false
	}
	col, row, err := excelize.CellNameToCoordinates(strings.ReplaceAll(cell, "$", ""))
	if err != nil {
		return "", false
	}
	name, err := excelize.CoordinatesToCellName(col, row)
	return name, err == nil
}

// quoteSheet quotes a sheet name for a reference: 'Sheet ”1”'.
func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

// mark fills every cell with an issue and adds a comment to the first
// MaxComments of them. Only the sheets with marks are read.
func (b *builder) mark(ctx context.Context, targets []target) error {
	type cellMark struct {
		sheet, cell string
		sev         schema.Severity
		issues      []issueAt
	}
	var marks []*cellMark
	byCell := map[string]*cellMark{}
	merges := map[string][]rect{}
	for i, t := range targets {
		for n, cell := range t.cells() {
			if err := ctx.Err(); err != nil {
				return err
			}
			mark, err := b.mergeStartOf(t.sheet, cell, merges)
			if err != nil {
				return err
			}
			key := t.sheet + "!" + mark
			m, ok := byCell[key]
			if !ok {
				m = &cellMark{sheet: t.sheet, cell: mark, sev: schema.Warning}
				byCell[key] = m
				marks = append(marks, m)
			}
			if k := len(m.issues); k > 0 && m.issues[k-1].i == i {
				continue // two cells of one issue under one merge
			}
			if b.res.Issues[i].Severity != schema.Warning {
				m.sev = schema.Error
			}
			m.issues = append(m.issues, issueAt{i: i, related: n > 0 || t.cell == ""})
		}
	}
	existing := map[string]map[string]excelize.Comment{}
	for n, m := range marks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.fill(m.sheet, m.cell, m.sev); err != nil {
			return err
		}
		if n >= b.opts.MaxComments {
			continue
		}
		cmts, ok := existing[m.sheet]
		if !ok {
			cmts = map[string]excelize.Comment{}
			list, err := b.f.GetComments(m.sheet)
			if err != nil {
				return fmt.Errorf("read the comments of %q: %w", m.sheet, err)
			}
			for _, c := range list {
				cmts[c.Cell] = c
			}
			existing[m.sheet] = cmts
		}
		if err := b.comment(m.sheet, m.cell, m.issues, cmts); err != nil {
			return err
		}
	}
	return nil
}

// issueAt is one issue on a marked cell: related when the cell is one the
// issue used (an input of its rule), not the cell it points at.
type issueAt struct {
	i       int
	related bool
}

// mergeStartOf checks cell against the budgets of its sheet (read once, into
// merges) and returns the cell that carries its mark: a cell covered by a
// merge is not seen, the merge's first cell is marked.
func (b *builder) mergeStartOf(sheet, cell string, merges map[string][]rect) (string, error) {
	ms, ok := merges[sheet]
	if !ok {
		if size, lim := b.sizes[sheet], b.opts.Limits.MaxSheetSize; size > lim {
			return "", &BudgetError{What: budgetSheet, Sheet: sheet, Limit: lim, Got: size}
		}
		list, err := b.f.GetMergeCells(sheet, true)
		if err != nil {
			return "", fmt.Errorf("merged cells of %q: %w", sheet, err)
		}
		ms = rects(list)
		merges[sheet] = ms
	}
	if col, row, err := excelize.CellNameToCoordinates(cell); err == nil {
		if lim := b.opts.Limits.MaxRows; row > lim {
			return "", &BudgetError{What: budgetRows, Sheet: sheet, Limit: int64(lim), Got: int64(row)}
		}
		if lim := b.opts.Limits.MaxColumn; col > lim {
			return "", &BudgetError{What: budgetCols, Sheet: sheet, Limit: int64(lim), Got: int64(col)}
		}
	}
	return mergeStart(ms, cell), nil
}

// rect is a merged range: first and last column and row.
type rect struct{ c1, r1, c2, r2 int }

func rects(list []excelize.MergeCell) []rect {
	out := make([]rect, 0, len(list))
	for _, m := range list {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, rect{min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)})
	}
	return out
}

// mergeStart returns the first cell of the merged range that covers cell,
// or cell itself.
func mergeStart(merges []rect, cell string) string {
	col, row, err := excelize.CellNameToCoordinates(cell)
	if err != nil {
		return cell
	}
	for _, m := range merges {
		if col >= m.c1 && col <= m.c2 && row >= m.r1 && row <= m.r2 {
			if name, err := excelize.CoordinatesToCellName(m.c1, m.r1); err == nil {
				return name
			}
		}
	}
	return cell
}

// fill gives the cell its style with the severity's fill: a copy of the
// cell's own style (number format, font, borders, alignment, protection
// kept), one per original style and severity.
func (b *builder) fill(sheet, cell string, sev schema.Severity) error {
	orig, err := b.f.GetCellStyle(sheet, cell)
	if err != nil {
		return fmt.Errorf("style of %s!%s: %w", sheet, cell, err)
	}
	key := styleKey{orig, sev}
	id, ok := b.styles[key]
	if !ok {
		st, err := b.f.GetStyle(orig)
		if err != nil || st == nil {
			st = &excelize.Style{}
		}
		cp := *st
		color := ErrorFill
		if sev == schema.Warning {
			color = WarningFill
		}
		cp.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
		if id, err = b.f.NewStyle(&cp); err != nil {
			return fmt.Errorf("marked style for %s!%s: %w", sheet, cell, err)
		}
		b.styles[key] = id
	}
	return b.f.SetCellStyle(sheet, cell, cell, id)
}

// commentMark separates the operator's own comment, kept on top, from ours.
const commentMark = "— Returns —"

// comment sets the cell's comment to its issues' messages and fixes. A
// comment already there (the operator's) is kept on top, above commentMark;
// our part from an earlier round (a feedback workbook sent back) is replaced.
func (b *builder) comment(sheet, cell string, issues []issueAt, existing map[string]excelize.Comment) error {
	lang := b.opts.Lang
	var runs []excelize.RichTextRun
	lines := 0
	if old, ok := existing[cell]; ok {
		if err := b.f.DeleteComment(sheet, cell); err != nil {
			return fmt.Errorf("replace the comment of %s!%s: %w", sheet, cell, err)
		}
		text := commentText(old)
		if old.Author == b.w.author {
			// Ours from an earlier round: keep only the operator's part.
			before, _, found := strings.Cut(text, commentMark)
			text = ""
			if found {
				text = before
			}
		} else if old.Author != "" && strings.TrimSpace(text) != "" {
			text = old.Author + ": " + text
		}
		if text = strings.TrimSpace(text); text != "" {
			runs = append(runs, excelize.RichTextRun{Text: text + "\n\n" + commentMark + "\n"})
			lines += 3 + len(text)/40
		}
	}
	for n, at := range issues {
		is := b.res.Issues[at.i]
		sev := b.w.sevError
		if is.Severity == schema.Warning {
			sev = b.w.sevWarn
		}
		head := sev
		if is.Rule != "" {
			head += " [" + is.Rule + "]"
		}
		if n > 0 {
			head = "\n\n" + head
		}
		msg := ": " + is.Message.In(lang)
		runs = append(runs,
			excelize.RichTextRun{Text: head, Font: &excelize.Font{Bold: true}},
			excelize.RichTextRun{Text: msg})
		lines += 1 + len(head+msg)/40
		if at.related {
			// The message speaks of the issue's own cell: say this one is
			// an input of the rule, and where the issue is.
			rel := b.w.relatedNone
			if c, _, ok := parseRef(is.Cell); ok {
				rel = fmt.Sprintf(b.w.relatedTo, c)
			}
			runs = append(runs, excelize.RichTextRun{Text: "\n" + rel})
			lines += 1 + len(rel)/40
		}
		if h := is.Hint.In(lang); h != "" {
			runs = append(runs, excelize.RichTextRun{Text: "\n" + b.w.fix + ": " + h})
			lines += 1 + len(h)/40
		}
	}
	height := min(40+16*lines, 480)
	err := b.f.AddComment(sheet, excelize.Comment{
		Cell: cell, Author: b.w.author, Paragraph: runs, Width: 320, Height: uint(height),
	})
	if err != nil {
		return fmt.Errorf("comment on %s!%s: %w", sheet, cell, err)
	}
	return nil
}

func commentText(c excelize.Comment) string {
	var s strings.Builder
	s.WriteString(c.Text)
	for _, r := range c.Paragraph {
		s.WriteString(r.Text)
	}
	return s.String()
}

// Column widths of the issues sheet.
var colWidths = []float64{6, 16, 14, 28, 14, 11, 24, 60, 60}

// issuesSheet writes the summary and the table of issues, ready to print.
// The sheet is written with excelize's StreamWriter: its texts are inline
// strings, so the workbook's shared-string table is never read (a hostile
// one may unpack to hundreds of megabytes).
func (b *builder) issuesSheet(ctx context.Context, name string, targets []target) error {
	st, err := b.sheetStyles()
	if err != nil {
		return err
	}
	g := &issueGrid{row: 1}
	b.issuesSummary(g, st, targets)
	g.row++
	header := g.row
	for c, h := range b.w.headers {
		g.put(c+1, h, st.header)
	}
	g.row++
	for i, is := range b.res.Issues {
		if i&0xff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b.issueRow(g, st, i, is, targets[i])
		g.row++
	}
	return b.streamIssuesSheet(name, g, header)
}

// issueGrid is the issues sheet as it is built, before it is streamed:
// its cells by row, the row being written and the links to set.
type issueGrid struct {
	row   int         // the row being written, from 1
	cells [][]any     // excelize.Cell values by row and column, from 0
	links []issueLink // cells linking to the issue's cell, at most excelize allows
}

// issueLink is a cell of the issues sheet linking to a place in the
// workbook.
type issueLink struct{ cell, to string }

// at sets the cell of column col (from 1) of the row being written.
func (g *issueGrid) at(col int, v excelize.Cell) {
	for len(g.cells) < g.row {
		g.cells = append(g.cells, nil)
	}
	r := g.cells[g.row-1]
	for len(r) < col {
		r = append(r, nil)
	}
	r[col-1] = v
	g.cells[g.row-1] = r
}

// put sets a text of column col (from 1) of the row being written, made
// safe from being taken for a formula.
func (g *issueGrid) put(col int, text string, style int) {
	g.at(col, excelize.Cell{StyleID: style, Value: safe(text)})
}

// line writes a text in column A of the row being written and moves to
// the next row.
func (g *issueGrid) line(text string, style int) {
	g.put(1, text, style)
	g.row++
}

// issuesSummary writes the top of the issues sheet: the title, the file's
// facts and verdict, how many issues and where, and what to do.
func (b *builder) issuesSummary(g *issueGrid, st sheetStyles, targets []target) {
	g.line(b.w.title, st.title)
	g.line(b.fileFacts(), st.bold)
	g.line(b.issueCounts(), st.bold)
	for _, t := range b.todoLines(targets) {
		g.line(t, 0)
	}
}

// fileFacts is the line of the file's facts: file, organisation, period
// and verdict (with the reason of a rejection).
func (b *builder) fileFacts() string {
	w, lang, res := b.w, b.opts.Lang, b.res
	var facts []string
	if res.File != "" {
		facts = append(facts, w.file+": "+res.File)
	}
	if res.Org != "" {
		facts = append(facts, w.org+": "+res.Org)
	}
	if res.Year > 0 {
		facts = append(facts, w.period+": "+locale.Quarter(lang, res.Year, res.Quarter))
	} else if res.Period != "" {
		facts = append(facts, w.period+": "+res.Period)
	}
	verdict := w.accepted
	if res.Status == validate.Rejected {
		verdict = w.rejected
		if res.Reason != "" {
			verdict += " (" + string(res.Reason) + ")"
		}
	}
	facts = append(facts, w.verdict+": "+verdict)
	return strings.Join(facts, " · ")
}

// issueCounts is the summary line: how many errors and warnings, and on
// which sheets.
func (b *builder) issueCounts() string {
	w, lang, res := b.w, b.opts.Lang, b.res
	summary := w.noIssues
	if res.Errors+res.Warnings > 0 {
		summary = fmt.Sprintf(w.counts, locale.Int(lang, int64(res.Errors)), locale.Int(lang, int64(res.Warnings)))
		if sheets := issueSheets(res.Issues); len(sheets) > 0 {
			summary += fmt.Sprintf(w.onSheets, strings.Join(sheets, ", "))
		} else {
			summary += "."
		}
	}
	return summary
}

// todoLines are the lines telling the sender what to do: the reason of a
// rejection and its fix, where the marked cells are, the builder's note,
// and what the sheet leaves out (issues without a cell, comments over the
// cap, issues omitted).
func (b *builder) todoLines(targets []target) []string {
	w, lang, res := b.w, b.opts.Lang, b.res
	var todo []string
	switch {
	case !Openable(res):
		todo = append(todo, w.notOpened+res.Reason.Title(lang), w.todo+res.Reason.Fix(lang))
	case res.Status == validate.Rejected:
		if res.Reason != reason.InvalidData && res.Reason != "" {
			todo = append(todo, w.reasonLine+res.Reason.Title(lang), w.todo+res.Reason.Fix(lang))
		}
		redCells, amberCells := b.markedCells(targets)
		if redCells {
			todo = append(todo, w.todo+w.todoErrors)
		} else if res.Reason == reason.InvalidData {
			todo = append(todo, w.todo+w.todoList)
		}
		if amberCells {
			todo = append(todo, w.todoWarnings)
		}
	case res.Warnings > 0:
		todo = append(todo, w.todoAccepted)
	}
	if b.note != "" {
		todo = append(todo, b.note)
	}
	noCell := false
	for _, t := range targets {
		// In the issue list alone no cell is marked: only issues without
		// a cell of their own need the explanation.
		if t.cell == "" && (b.annotated || t.where == "") {
			noCell = true
		}
	}
	if noCell && Openable(res) {
		todo = append(todo, w.noCell)
	}
	if n := countCells(targets); b.annotated && n > b.opts.MaxComments {
		todo = append(todo, fmt.Sprintf(w.commentsCapped, locale.Int(lang, int64(b.opts.MaxComments))))
	}
	if res.IssuesOmitted > 0 {
		todo = append(todo, fmt.Sprintf(w.omitted, locale.Int(lang, int64(res.IssuesOmitted)), locale.Int(lang, int64(len(res.Issues)))))
	}
	if b.annotated && res.Errors+res.Warnings > 0 {
		todo = append(todo, w.resendAnnotated)
	}
	return todo
}

// issueRow writes the table row of issue i (from 0) and its target: number,
// sheet, where, field, rule, severity, value, message and hint, with a link
// to the marked cell when there is one.
func (b *builder) issueRow(g *issueGrid, st sheetStyles, i int, is validate.Issue, t target) {
	w, lang := b.w, b.opts.Lang
	g.at(1, excelize.Cell{StyleID: st.text, Value: int64(i + 1)})
	sheet := is.Sheet
	if is.Sheet != "" && t.sheet == "" && b.annotated {
		sheet += " " + w.noSheet
	}
	where := w.wholeFile
	switch {
	case t.where != "":
		where = t.where
	case is.Row > 0:
		where = fmt.Sprintf(w.row, is.Row)
	case is.Sheet != "":
		where = w.wholeSht
	}
	sev, sevStyle := w.sevError, st.sevError
	if is.Severity == schema.Warning {
		sev, sevStyle = w.sevWarn, st.sevWarn
	}
	cells := []struct {
		text  string
		style int
	}{
		{sheet, st.text},
		{where, st.text},
		{b.fieldLabel(is.Sheet, is.Field), st.text},
		{is.Rule, st.text},
		{sev, sevStyle},
		{is.Value, st.text},
		{is.Message.In(lang), st.text},
		{is.Hint.In(lang), st.text},
	}
	for c, v := range cells {
		g.put(c+2, v.text, v.style)
	}
	if t.link != "" && len(g.links) < excelize.TotalSheetHyperlinks-1 {
		g.links = append(g.links, issueLink{fmt.Sprintf("C%d", g.row), t.link})
		g.cells[g.row-1][2] = excelize.Cell{StyleID: st.link, Value: g.cells[g.row-1][2].(excelize.Cell).Value}
	}
}

// streamIssuesSheet writes the built grid to the issues sheet name through
// excelize's StreamWriter, with what it takes from the sheet set before it
// starts (links, print setup), column widths and the panes frozen below
// the table's header row.
func (b *builder) streamIssuesSheet(name string, g *issueGrid, header int) error {
	last := g.row - 1
	f := b.f
	for _, l := range g.links {
		if err := f.SetCellHyperLink(name, l.cell, l.to, "Location"); err != nil {
			return fmt.Errorf("link to %s: %w", l.to, err)
		}
	}
	if err := b.printSetup(name, header, last); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("write the issues sheet: %w", err)
	}
	for c, width := range colWidths {
		if err := sw.SetColWidth(c+1, c+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: header, TopLeftCell: fmt.Sprintf("A%d", header+1), ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: fmt.Sprintf("A%d", header+1), ActiveCell: fmt.Sprintf("A%d", header+1), Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	for r, cells := range g.cells {
		if len(cells) == 0 {
			continue
		}
		for c, v := range cells {
			if v == nil {
				cells[c] = excelize.Cell{}
			}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", r+1), cells); err != nil {
			return fmt.Errorf("write the issues sheet: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("write the issues sheet: %w", err)
	}
	return nil
}

// printSetup makes the issues sheet print on pages one wide, landscape (the
// table is wider than a portrait page), A4, with the table's header row
// repeated on every page, and page numbers in the footer. The print area is
// the summary and the table (columns A to I, rows 1 to last).
func (b *builder) printSetup(name string, header, last int) error {
	f := b.f
	size, landscape, one, zero := 9, "landscape", 1, 0
	if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{
		Size: &size, Orientation: &landscape, FitToWidth: &one, FitToHeight: &zero,
	}); err != nil {
		return fmt.Errorf("page layout of the issues sheet: %w", err)
	}
	fit := true
	if err := f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("fit the issues sheet to the page: %w", err)
	}
	m := 0.4
	if err := f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: &m, Bottom: &m}); err != nil {
		return fmt.Errorf("margins of the issues sheet: %w", err)
	}
	if err := f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: "&L&A&R" + b.w.page + " &P / &N"}); err != nil {
		return fmt.Errorf("footer of the issues sheet: %w", err)
	}
	lastCol, _ := excelize.ColumnNumberToName(len(colWidths))
	q := quoteSheet(name)
	for _, dn := range []excelize.DefinedName{
		{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("%s!$A$1:$%s$%d", q, lastCol, max(last, header)), Scope: name},
		{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("%s!$%d:$%d", q, header, header), Scope: name},
	} {
		if err := f.SetDefinedName(&dn); err != nil {
			return fmt.Errorf("%s of the issues sheet: %w", dn.Name, err)
		}
	}
	return nil
}

type sheetStyles struct {
	title, bold, header, text, link, sevError, sevWarn int
}

func (b *builder) sheetStyles() (sheetStyles, error) {
	var s sheetStyles
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	for _, d := range []struct {
		id *int
		st *excelize.Style
	}{
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&s.bold, &excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top, Border: border,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}}},
		{&s.text, &excelize.Style{Alignment: top, Border: border}},
		{&s.link, &excelize.Style{Alignment: top, Border: border, Font: &excelize.Font{Color: "0563C1", Underline: "single"}}},
		{&s.sevError, &excelize.Style{Alignment: top, Border: border, Font: &excelize.Font{Bold: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{ErrorFill}}}},
		{&s.sevWarn, &excelize.Style{Alignment: top, Border: border, Font: &excelize.Font{Bold: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{WarningFill}}}},
	} {
		id, err := b.f.NewStyle(d.st)
		if err != nil {
			return s, fmt.Errorf("issues sheet style: %w", err)
		}
		*d.id = id
	}
	return s, nil
}

// fieldLabel names a field for people: "Ngày sinh (birth_date)" when the
// template knows it, else the machine name.
func (b *builder) fieldLabel(sheet, field string) string {
	if field == "" || b.opts.Template == nil {
		return field
	}
	key := normalize.Text(sheet)
	for _, s := range b.opts.Template.Sheets {
		if normalize.Text(s.Name) != key {
			continue
		}
		for _, fd := range s.Fields {
			if fd.Name == field {
				if l := fd.Label.In(b.opts.Lang); l != "" {
					return l + " (" + field + ")"
				}
			}
		}
	}
	return field
}

// issueSheets lists the sheets that have issues, in order of first appearance.
func issueSheets(issues []validate.Issue) []string {
	var out []string
	seen := map[string]bool{}
	for _, is := range issues {
		if is.Sheet != "" && !seen[is.Sheet] {
			seen[is.Sheet] = true
			out = append(out, is.Sheet)
		}
	}
	return out
}

// markedCells reports whether cells were filled red (an error) or amber
// (warnings only) in the original.
func (b *builder) markedCells(targets []target) (red, amber bool) {
	if !b.annotated {
		return false, false
	}
	sev := map[string]schema.Severity{}
	for i, t := range targets {
		for _, cell := range t.cells() {
			key := t.sheet + "!" + cell
			if b.res.Issues[i].Severity != schema.Warning {
				sev[key] = schema.Error
			} else if sev[key] == "" {
				sev[key] = schema.Warning
			}
		}
	}
	for _, s := range sev {
		red = red || s == schema.Error
		amber = amber || s == schema.Warning
	}
	return red, amber
}

func countCells(targets []target) int {
	seen := map[string]bool{}
	for _, t := range targets {
		for _, cell := range t.cells() {
			seen[t.sheet+"!"+cell] = true
		}
	}
	return len(seen)
}

// safe makes text safe to write into a cell: a text that a spreadsheet could
// take for a formula (it starts with = + - @, a tab, CR, LF or NUL) gets a
// leading apostrophe, as OWASP advises, so that it stays text even when a
// user edits the cell and presses Enter.
func safe(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r\n\x00", s[0]) >= 0 {
		return "'" + s
	}
	return s
}
