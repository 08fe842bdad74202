package annotate

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/returns-project/returns/etl/atomicfile"
	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// Options tune an annotated workbook. Zero fields take the defaults noted on each.
type Options struct {
	// Lang is the language of every text written: "vi" or "en". Defaults to "vi".
	Lang string
	// MaxComments caps the cells that get a comment; cells past it are still
	// filled and their issues listed on the issues sheet. Defaults to 2,000.
	MaxComments int
	// Template, when set, gives the fields' labels ("Ngày sinh") shown next to
	// their machine names on the issues sheet. Optional.
	Template *schema.Template
	// Limits bound excelize when it opens the original.
	Limits Limits
	// Logger receives a warning when an original that passed validation
	// cannot be opened by excelize (the issue list is written alone then).
	// Defaults to a discarding logger (the command line passes its own).
	Logger *slog.Logger
}

// Limits bound what annotating an original may cost. An original past any
// of them gets the issue list alone, with a note that says why; see the
// package documentation for the budgets and what they guarantee.
type Limits struct {
	// MaxFileSize: a larger original is not opened. Defaults to
	// MaxUnpackedSize + 1 MiB (a zip is never much larger than its content).
	MaxFileSize int64
	// MaxUnpackedSize caps the total unpacked size of the original's parts
	// (worksheets, shared strings, styles, media...), read from the zip's
	// directory before anything is unpacked. Defaults to 16 MiB.
	MaxUnpackedSize int64
	// MaxSheetSize caps the unpacked size of each sheet that has cells to
	// mark: excelize holds such a sheet in memory at about 30 times its
	// size. Defaults to 2 MiB (about 80,000 cells).
	MaxSheetSize int64
	// MaxRows caps the last row number of each sheet that has cells to mark,
	// and the row of every cell to mark (excelize holds a row for every row
	// number up to it). Defaults to 50,000.
	MaxRows int
	// MaxColumn caps the column of every cell to mark (excelize fills a
	// marked cell's row with cells up to it). Defaults to 1,024.
	MaxColumn int
	// MaxMerges caps the merged ranges of the whole workbook (excelize's
	// handling of merges costs the square of their number). Defaults to 5,000.
	MaxMerges int
	// Time caps the whole annotation; past it the issue list is written
	// alone. Defaults to 60 s.
	Time time.Duration
	// UnzipSizeLimit caps the total unpacked size excelize accepts. Defaults to 512 MiB.
	UnzipSizeLimit int64
	// UnzipXMLSizeLimit: a worksheet or shared-string part larger than this
	// is spilled to TmpDir instead of memory. Defaults to 16 MiB. It must not
	// exceed UnzipSizeLimit.
	UnzipXMLSizeLimit int64
	// TmpDir receives those spills (removed when the workbook is closed).
	// Defaults to os.TempDir(); a daemon should give a dedicated directory
	// that it empties at start-up.
	TmpDir string
}

func (o Options) withDefaults() Options {
	o.Lang = cmp.Or(o.Lang, "vi")
	orDefault(&o.MaxComments, 2000)
	l := &o.Limits
	orDefault(&l.MaxUnpackedSize, DefaultMaxUnpackedSize)
	orDefault(&l.MaxFileSize, l.MaxUnpackedSize+1<<20)
	orDefault(&l.MaxSheetSize, DefaultMaxSheetSize)
	orDefault(&l.MaxRows, DefaultMaxRows)
	orDefault(&l.MaxColumn, DefaultMaxColumn)
	orDefault(&l.MaxMerges, DefaultMaxMerges)
	orDefault(&l.Time, DefaultTime)
	orDefault(&l.UnzipSizeLimit, 512<<20)
	orDefault(&l.UnzipXMLSizeLimit, min(16<<20, l.UnzipSizeLimit))
	l.TmpDir = cmp.Or(l.TmpDir, os.TempDir())
	o.Logger = cmp.Or(o.Logger, slog.New(slog.DiscardHandler))
	return o
}

// orDefault sets *v to def when it is zero or negative (not configured).
func orDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// The default budgets of [Limits].
const (
	DefaultMaxUnpackedSize = 16 << 20
	DefaultMaxSheetSize    = 2 << 20
	DefaultMaxRows         = 50_000
	DefaultMaxColumn       = 1_024
	DefaultMaxMerges       = 5_000
	DefaultTime            = 60 * time.Second
)

// BudgetError says which budget of [Limits] an original exceeded. [Write]
// does not return it: it writes the issue list alone, with a note.
type BudgetError struct {
	What       string // "file size", "unpacked size", "sheet size", "rows", "columns", "merged ranges", "time"
	Sheet      string // the sheet, for "sheet size"
	Limit, Got int64
}

func (e *BudgetError) Error() string {
	if e.What == budgetTime {
		return fmt.Sprintf("annotate: over the time budget of %s", time.Duration(e.Limit))
	}
	return fmt.Sprintf("annotate: %s %d over the budget of %d", e.What, e.Got, e.Limit)
}

// Is makes errors.Is(err, ErrBudget) true.
func (e *BudgetError) Is(target error) bool { return target == ErrBudget }

// ErrBudget matches every [BudgetError].
var ErrBudget = errors.New("annotate: over budget")

// What a [BudgetError] is about.
const (
	budgetTime   = "time"
	budgetSize   = "unpacked size"
	budgetFile   = "file size"
	budgetMerges = "merged ranges"
	budgetSheet  = "sheet size"
	budgetRows   = "rows"
	budgetCols   = "columns"
)

func (o Options) validate() error {
	if o.Lang != "vi" && o.Lang != "en" {
		return fmt.Errorf("annotate: language %q: want vi or en", o.Lang)
	}
	if o.Limits.UnzipXMLSizeLimit > o.Limits.UnzipSizeLimit {
		return fmt.Errorf("annotate: UnzipXMLSizeLimit %d exceeds UnzipSizeLimit %d", o.Limits.UnzipXMLSizeLimit, o.Limits.UnzipSizeLimit)
	}
	return nil
}

// ErrContentChanged is returned by [Write] and [File] when the original's
// SHA-256 is not the one of the result: the issues would point at cells of
// another content. Nothing is written.
var ErrContentChanged = errors.New("annotate: the file is not the content that was validated")

// Needed reports whether a result deserves an annotated workbook: the file
// was rejected, or accepted with warnings.
func Needed(res *validate.Result) bool {
	return res != nil && (res.Status == validate.Rejected || res.Warnings > 0)
}

// Openable reports whether the original of res may be opened to be
// annotated: validation got past every file-level check, so the result is
// accepted, INVALID_DATA or TEMPLATE_MISMATCH. Any other reason code means
// the file is not a sound workbook (or, for TOO_MANY_ROWS, was not read to
// its end) and only the issue list is written.
func Openable(res *validate.Result) bool {
	if res == nil {
		return false
	}
	switch res.Reason {
	case "", reason.InvalidData, reason.TemplateMismatch:
		return true
	}
	return false
}

// Suffix ends the name of every annotated workbook.
const Suffix = ".loi.xlsx"

// Name returns the file name of the annotated copy of file (a path or a
// name): its base name without a spreadsheet extension, plus [Suffix].
// "in/BCQ_GD-KCQ-001_2025Q3.xlsx" gives "BCQ_GD-KCQ-001_2025Q3.loi.xlsx".
// The name is cleaned so that it is always a plain file name: no folder
// part, no control or format characters, none of / \ : * ? " < > |, no
// leading dot, at most 200 bytes.
func Name(file string) string { return NameN(file, 1) }

// NameN is [Name] for the n-th file of a run with the same name: n > 1 gives
// "BCQ_GD-KCQ-001_2025Q3 (2).loi.xlsx".
func NameN(file string, n int) string {
	base := file
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".xlsx", ".xls", ".xlsm", ".xlsb", ".xltx", ".xltm", ".ods":
		base = base[:len(base)-len(filepath.Ext(base))]
	}
	base = normalize.Text(base)
	base = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, base)
	base = strings.TrimLeft(base, ". ")
	for len(base) > 200 {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	base = strings.TrimRight(base, ". ")
	if base == "" {
		base = "tep"
	}
	if n > 1 {
		base += fmt.Sprintf(" (%d)", n)
	}
	return base + Suffix
}

// File writes the annotated workbook of the file at srcPath, validated as
// res, to dstPath through etl/atomicfile (a temporary file in the same
// folder, synced and renamed), so that dstPath is either the whole workbook
// or untouched. The
// file is created with mode 0600 (it holds personal data). srcPath is opened
// only when [Openable] says so.
func File(ctx context.Context, srcPath, dstPath string, res *validate.Result, opts Options) (err error) {
	defer func() {
		if err != nil && !errors.Is(err, ErrContentChanged) {
			err = fmt.Errorf("annotate %q: %w", dstPath, err)
		}
	}()
	if err := ctx.Err(); err != nil {
		return err
	}
	var (
		src  io.ReaderAt
		size int64
	)
	if Openable(res) {
		f, err := os.Open(srcPath)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", srcPath)
		}
		src, size = f, st.Size()
	}
	return atomicfile.Write(dstPath, 0o600, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<16)
		if err := WriteContext(ctx, bw, src, size, res, opts); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return ctx.Err()
	})
}

// Write is [WriteContext] without a context: the time budget of
// opts.Limits still applies.
func Write(w io.Writer, original io.ReaderAt, size int64, res *validate.Result, opts Options) error {
	return WriteContext(context.Background(), w, original, size, res, opts)
}

// WriteContext writes the annotated workbook of the original (size bytes
// read through original), validated as res, to w. When [Openable] is false,
// or original is nil, or the original cannot be annotated within
// opts.Limits (a [BudgetError], a shape excelize cannot write back, even a
// panic inside excelize), the workbook written holds only the issues sheet
// with the explanation and a note that says why. When res carries a SHA-256
// the original must match it ([ErrContentChanged]). It returns ctx's error,
// having written nothing, when ctx ends first.
func WriteContext(ctx context.Context, w io.Writer, original io.ReaderAt, size int64, res *validate.Result, opts Options) error {
	if res == nil {
		return errors.New("annotate: nil result")
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	bctx, cancel := context.WithTimeoutCause(ctx, opts.Limits.Time,
		&BudgetError{What: budgetTime, Limit: int64(opts.Limits.Time)})
	defer cancel()

	note := ""
	if original != nil && Openable(res) {
		data, why, err := readOriginal(original, size, res, opts)
		if err != nil {
			return err
		}
		if data != nil {
			out, err := build(bctx, newBuilder(res, opts), data)
			if err == nil {
				_, err = w.Write(out)
				if err != nil {
					return fmt.Errorf("annotate: write workbook: %w", err)
				}
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
				err = context.Cause(bctx)
			}
			why = err
			attrs := []any{slog.String("sha256", res.SHA256), slog.Any("err", err)}
			if pe := (*PanicError)(nil); errors.As(err, &pe) {
				attrs = append(attrs, slog.String("stack", string(pe.Stack)))
			}
			opts.Logger.Warn("annotate: the original could not be annotated; writing the issue list alone", attrs...)
		}
		note = dict[opts.Lang].noteFor(why, opts.Lang)
	}
	b := newBuilder(res, opts)
	b.note = note
	out, err := build(ctx, b, nil)
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("annotate: write workbook: %w", err)
	}
	return nil
}

// PanicError is a panic inside the annotation (excelize's or ours), turned
// into an error; the issue list is written alone then.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("annotate: panic: %v", e.Value) }

// build writes the workbook into memory: the annotated original when data
// is the original's bytes, else a new workbook with the issues sheet alone.
// A panic becomes a [*PanicError].
func build(ctx context.Context, b *builder, data []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	var f *excelize.File
	if data != nil {
		pkg, sizes, err := prepare(ctx, data, b.opts.Limits, b.hasMarks)
		if err != nil {
			return nil, err
		}
		b.sizes = sizes
		lim := b.opts.Limits
		f, err = excelize.OpenReader(bytes.NewReader(pkg), excelize.Options{
			UnzipSizeLimit:    lim.UnzipSizeLimit,
			UnzipXMLSizeLimit: lim.UnzipXMLSizeLimit,
			TmpDir:            lim.TmpDir,
		})
		if err != nil {
			if f != nil {
				f.Close()
			}
			return nil, fmt.Errorf("open with excelize: %w", err)
		}
		b.annotated = true
	} else {
		f = excelize.NewFile()
	}
	defer f.Close()
	if err := b.build(ctx, f); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("write workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// readOriginal reads the original and checks it is the validated content.
// Nil data with a nil error means it is not opened (why says why); an
// error means nothing must be written.
func readOriginal(original io.ReaderAt, size int64, res *validate.Result, opts Options) (data []byte, why error, err error) {
	lim := opts.Limits
	if size < 0 || size > lim.MaxFileSize {
		return nil, &BudgetError{What: budgetFile, Limit: lim.MaxFileSize, Got: size}, nil
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(original, 0, size), buf); err != nil {
		return nil, nil, fmt.Errorf("annotate: read original: %w", err)
	}
	if res.SHA256 != "" {
		sum := sha256.Sum256(buf)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), res.SHA256) {
			return nil, nil, ErrContentChanged
		}
	}
	return buf, nil, nil
}
