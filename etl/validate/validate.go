package validate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/workbook"
)

// Options tune a validation. Zero fields take the defaults noted on each.
type Options struct {
	// Template is the template id to validate against. Defaults to [domain.ReturnTemplate].
	Template string
	// MaxIssues is how many issues a result keeps; the rest are counted in
	// Result.IssuesOmitted. Defaults to 1,000.
	MaxIssues int
	// MaxRows caps the data rows of each table sheet (TOO_MANY_ROWS above
	// it); a sheet's own max_rows wins when lower. Defaults to 200,000.
	MaxRows int
	// Limits bound the reader (zip and XML). Zero fields take the reader's defaults.
	Limits workbook.Limits
	// Now is the clock, for rules about the future. Defaults to time.Now.
	Now func() time.Time
	// Sink, when set, receives every typed record as it is validated, for
	// loading. It sees rows of files that end up rejected too: the caller
	// commits only when the result is accepted.
	Sink Sink
}

// Sink receives the typed records of a file while it is validated.
type Sink interface {
	// Record is called once for the key-value sheet and once per data row of
	// every table sheet, in file order. values is indexed like
	// sheet.Fields (nil for an empty cell) and is reused after the call.
	Record(ctx context.Context, sheet *schema.Sheet, sourceRow int, values []any) error
}

func (o Options) withDefaults() Options {
	if o.Template == "" {
		o.Template = domain.ReturnTemplate
	}
	if o.MaxIssues <= 0 {
		o.MaxIssues = 1000
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 200_000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// ErrUnknownTemplate is returned by [CheckFile] and [CheckReader] when Options.Template
// names no template of the schema set.
var ErrUnknownTemplate = errors.New("unknown template")

// CheckFile validates the workbook at path. A problem with the file itself is
// reported in the Result, never as an error; an error means the validation
// could not run (the file could not be read from disk, it is not a regular
// file, the context ended, the sink failed).
//
// The size cap (Options.Limits.MaxFileSize) applies before the file is
// hashed: a file past it is rejected TOO_LARGE without reading a byte of it,
// and its Result has no SHA256.
func CheckFile(ctx context.Context, path string, set *schema.Set, opts Options) (*Result, error) {
	f, st, err := openRegular(path)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	defer f.Close()
	if st.Size() > opts.Limits.FileCap() {
		// Rejected on its size alone; not a byte is read.
		res, err := CheckReader(ctx, f, st.Size(), set, opts)
		if res != nil {
			res.File = filepath.Base(path)
		}
		return res, err
	}
	sha, err := hashFile(f, path)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	res, err := CheckReader(ctx, f, st.Size(), set, opts)
	if res != nil {
		res.File, res.SHA256 = filepath.Base(path), sha
	}
	return res, err
}

// ErrNotRegular is returned by [CheckFile] and [OpenHashed] for a path that is
// not a regular file: a FIFO, a device, a socket or a directory. It is
// refused before it is opened, as opening a FIFO for reading blocks until
// someone writes to it.
var ErrNotRegular = errors.New("not a regular file")

// openRegular opens path for reading only if it is a regular file: checked
// on the path before opening (a FIFO or device is never opened), and again
// on the open handle (the path may have been swapped in between; the open
// itself does not block, O_NONBLOCK).
func openRegular(path string) (*os.File, os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: %w (%v)", path, ErrNotRegular, st.Mode().Type())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err = f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s: %w (%v)", path, ErrNotRegular, st.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// OpenHashed opens the regular file at path and reads it once to hash it:
// the SHA-256 is what identifies a content for ever. The caller closes f.
// A path that is not a regular file gives ErrNotRegular without being opened.
func OpenHashed(path string) (f *os.File, size int64, sha string, err error) {
	f, st, err := openRegular(path)
	if err != nil {
		return nil, 0, "", err
	}
	sha, err = hashFile(f, path)
	if err != nil {
		f.Close()
		return nil, 0, "", err
	}
	return f, st.Size(), sha, nil
}

func hashFile(f *os.File, path string) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, 1<<62)); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckReader validates a workbook of size bytes read through r. The Result's
// File and SHA256 are left for the caller to fill.
func CheckReader(ctx context.Context, r io.ReaderAt, size int64, set *schema.Set, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	tmpl, ok := set.Templates[opts.Template]
	if !ok {
		return nil, fmt.Errorf("validate: %w %q", ErrUnknownTemplate, opts.Template)
	}
	v := &validator{opts: opts, tmpl: tmpl, set: set, now: opts.Now().UTC()}
	v.res = &Result{Template: tmpl.ID, Rows: map[string]int{}}
	err := v.run(ctx, r, size)
	if err != nil {
		if code, ok := reason.Of(err); ok {
			v.reject(code, err)
			return v.res, nil
		}
		return nil, err
	}
	v.finish()
	return v.res, nil
}

type validator struct {
	opts Options
	tmpl *schema.Template
	set  *schema.Set
	now  time.Time
	res  *Result
	book workbook.Book
	// date1904 is read once: the reader's goroutine owns the book while a
	// sheet streams.
	date1904 bool
	// recalc: the workbook asks Excel to recalculate on load, so cached
	// formula results may not be what Excel shows.
	recalc bool

	info   map[string]any
	period schema.Period
	// Where the key-value record's fields are, and their texts, so that
	// workbook rules point at the cells they are about.
	infoSheet string
	infoCols  map[string]cellRef
	infoRaw   map[string]string
	agg       map[string]int64
	// cur is the Vars of the record being checked (see vars).
	cur schema.Vars
	// templateMismatch is set by issues that make the file a different
	// template rather than bad data.
	templateMismatch bool
}

func (v *validator) run(ctx context.Context, r io.ReaderAt, size int64) (err error) {
	book, err := workbook.Open(ctx, r, size, v.opts.Limits)
	if err != nil {
		return err
	}
	v.book = book
	v.date1904 = book.Date1904()
	v.recalc = book.RecalcOnLoad()
	defer func() {
		// Close reads every entry not yet read to its end: damage anywhere
		// in the file rejects it, even in parts nobody looked at.
		if cerr := book.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()

	// Sheets are found by the name Excel shows on the tab: two tabs that
	// look the same (a trailing space, a zero-width or direction mark, a
	// Cyrillic letter) make the file ambiguous, never a guess.
	present := map[string][]workbook.SheetInfo{}
	for _, s := range book.Sheets() {
		k := sheetKey(s.Name)
		present[k] = append(present[k], s)
	}
	if other := v.misfiled(present); other != nil {
		// Another of the deployment's workbooks (the registry, the
		// recipients) given where this template is expected: say so in
		// words rather than list its sheets as missing.
		m := other.Misfiled.Message
		v.issue(Issue{Rule: RuleOtherTemplate, Severity: schema.Error, Hint: other.Misfiled.Hint,
			Message: schema.Text{
				VI: strings.TrimRight(m.VI, ". ") + ", không phải " + lowerFirst(v.tmpl.Title.VI) + ".",
				EN: strings.TrimRight(m.EN, ". ") + ", not the " + lowerFirst(v.tmpl.Title.EN) + "."}})
		v.templateMismatch = true
		return nil
	}
	v.agg = make(map[string]int64, len(v.tmpl.Aggregates))
	for _, a := range v.tmpl.Aggregates {
		v.agg[a.Name] = 0
	}
	// The key-value sheet comes first: its organisation and period are what
	// the row rules check against.
	order := make([]*schema.Sheet, 0, len(v.tmpl.Sheets))
	for _, s := range v.tmpl.Sheets {
		if s.Layout == schema.KeyValue {
			order = append(order, s)
		}
	}
	for _, s := range v.tmpl.Sheets {
		if s.Layout != schema.KeyValue {
			order = append(order, s)
		}
	}
	for _, s := range order {
		cands := present[sheetKey(s.Name)]
		if len(cands) == 0 {
			if !s.Optional {
				is := builtinIssue(RuleSheetMissing, schema.Error)
				is.Sheet = s.Name
				v.issue(is)
				v.templateMismatch = true
			}
			continue
		}
		if len(cands) > 1 {
			names := make([]string, len(cands))
			for i, c := range cands {
				names[i] = strconv.QuoteToGraphic(c.Name)
			}
			is := builtinIssue(RuleSheetAmbiguous, schema.Error)
			is.Sheet, is.Value = s.Name, strings.Join(names, ", ")
			v.issue(is)
			v.templateMismatch = true
			continue
		}
		info := cands[0]
		if info.State != workbook.Visible {
			is := builtinIssue(RuleHiddenSheet, schema.Error)
			is.Sheet = s.Name
			v.issue(is)
		}
		var err error
		if s.Layout == schema.KeyValue {
			err = v.keyValue(ctx, info.Name, s)
		} else {
			err = v.table(ctx, info.Name, s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// misfiled returns the template, other than the one expected, whose
// required sheets the workbook has while it lacks one of the expected
// template's, if that template says what to tell (Template.Misfiled).
func (v *validator) misfiled(present map[string][]workbook.SheetInfo) *schema.Template {
	has := func(t *schema.Template) bool {
		for _, s := range t.Required() {
			if len(present[sheetKey(s.Name)]) == 0 {
				return false
			}
		}
		return true
	}
	if has(v.tmpl) {
		return nil
	}
	ids := make([]string, 0, len(v.set.Templates))
	for id := range v.set.Templates {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		t := v.set.Templates[id]
		if t != v.tmpl && t.Misfiled != nil && len(t.Required()) > 0 && has(t) {
			return t
		}
	}
	return nil
}

// lowerFirst lowers the first letter of a title for use inside a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// issue records is.
func (v *validator) issue(is Issue) { v.res.addIssue(is, v.opts.MaxIssues) }

// reject turns a file-level rejection into the result.
func (v *validator) reject(code reason.Code, err error) {
	res := v.res
	res.Status = Rejected
	res.Reason = code
	var re *reason.Error
	if errors.As(err, &re) {
		res.Detail = re.Error()
	}
	is := Issue{Rule: string(code), Severity: schema.Error, Sheet: partSheet(v.book, re),
		Message: schema.Text{VI: code.Title("vi"), EN: code.Title("en")},
		Hint:    schema.Text{VI: code.Fix("vi"), EN: code.Fix("en")}}
	if re != nil && re.Cell != "" && is.Sheet != "" {
		// The reader knows the cell: point at it.
		if col, row, ok := workbook.ParseCellName(re.Cell); ok {
			is.Cell, is.Row, is.Col = re.Cell, row, col
		}
	}
	// A file-level reason comes first: it is the one thing to fix.
	res.Errors++
	res.Issues = append([]Issue{is}, res.Issues...)
	if len(res.Issues) > v.opts.MaxIssues {
		res.IssuesOmitted += len(res.Issues) - v.opts.MaxIssues
		res.Issues = res.Issues[:v.opts.MaxIssues]
	}
}

// partSheet names the sheet whose part a rejection is about, if any.
func partSheet(book workbook.Book, re *reason.Error) string {
	if book == nil || re == nil || re.Part == "" {
		return ""
	}
	for _, s := range book.Sheets() {
		if s.Part == re.Part || s.Name == re.Part {
			return s.Name
		}
	}
	return ""
}

// finish runs the workbook rules and decides the status.
func (v *validator) finish() {
	if v.info != nil && !v.templateMismatch {
		vars := v.vars(nil)
		for _, rule := range v.tmpl.Rules {
			v.evalRule(rule, vars, v.infoSheet, 0, v.infoCols, v.infoRaw)
		}
	}
	res := v.res
	switch {
	case v.templateMismatch:
		res.Status, res.Reason = Rejected, reason.TemplateMismatch
	case res.Errors > 0:
		res.Status, res.Reason = Rejected, reason.InvalidData
	default:
		res.Status = Accepted
	}
}

// vars returns the Vars of a record, for its rules: one per validator,
// overwritten by the next call (rules are evaluated on one goroutine, and
// a Vars made per call cost an allocation per rule and row).
func (v *validator) vars(row map[string]any) *schema.Vars {
	v.cur = schema.Vars{Row: row, Info: v.info, Period: v.period, Agg: v.agg, Now: v.now}
	return &v.cur
}

// evalRule runs one rule and records an issue when it fails. sheet, rowNum
// and cols say where the issue points (cols maps field to column; nil for
// records without columns); raw gives the cell texts.
func (v *validator) evalRule(rule *schema.Rule, vars *schema.Vars, sheet string, rowNum int, cols map[string]cellRef, raw map[string]string) {
	ok, err := rule.Eval(vars)
	if err != nil {
		is := builtinIssue(RuleRuleFailed, schema.Error)
		is.Sheet, is.Row = sheet, rowNum
		is.Rule = rule.ID
		v.issue(is)
		return
	}
	if ok {
		return
	}
	is := Issue{Sheet: sheet, Row: rowNum, Rule: rule.ID, Severity: rule.Severity, Message: rule.Message, Hint: rule.Hint}
	if len(rule.Fields) > 0 {
		f := rule.Fields[0]
		is.Field = f
		if ref, ok := cols[f]; ok {
			is.Row, is.Col, is.Cell = ref.row, ref.col, cellName(ref.col, ref.row)
		}
		is.Value = raw[f]
		// Every other cell the rule reads is part of the issue too.
		for _, f := range rule.Fields[1:] {
			if ref, ok := cols[f]; ok {
				if c := cellName(ref.col, ref.row); c != is.Cell && !slices.Contains(is.Related, c) {
					is.Related = append(is.Related, c)
				}
			}
		}
	}
	if e := rule.Expect; e != nil {
		o := e.Work(*vars)
		if o.OutOfRange {
			// The number expected and the sum behind it, after what is
			// wrong (a rule whose check and expect disagree keeps its
			// message alone rather than print a wrong sum).
			x := expectText(e, o)
			is.Message = schema.Text{VI: is.Message.VI + " " + x.VI, EN: is.Message.EN + " " + x.EN}
		}
	}
	v.issue(is)
}

type cellRef struct{ row, col int }
