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
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

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
	// Defaults to a warn-level text handler on stderr.
	Logger *slog.Logger
}

// Limits bound what opening the original may cost.
type Limits struct {
	// MaxFileSize: a larger original is not opened (the issue list is written
	// alone). Defaults to 64 MiB, the validator's default.
	MaxFileSize int64
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
	if o.MaxComments <= 0 {
		o.MaxComments = 2000
	}
	if o.Limits.MaxFileSize <= 0 {
		o.Limits.MaxFileSize = 64 << 20
	}
	if o.Limits.UnzipSizeLimit <= 0 {
		o.Limits.UnzipSizeLimit = 512 << 20
	}
	if o.Limits.UnzipXMLSizeLimit <= 0 {
		o.Limits.UnzipXMLSizeLimit = min(16<<20, o.Limits.UnzipSizeLimit)
	}
	o.Limits.TmpDir = cmp.Or(o.Limits.TmpDir, os.TempDir())
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return o
}

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
// res, to dstPath: through a temporary file in the same folder, synced and
// renamed, so that dstPath is either the whole workbook or untouched. The
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
	tmp, err := os.CreateTemp(filepath.Dir(dstPath), "."+filepath.Base(dstPath)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if err := Write(bw, src, size, res, opts); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dstPath)
}

// Write writes the annotated workbook of the original (size bytes read
// through original), validated as res, to w. When [Openable] is false, or
// original is nil, or excelize cannot open it within opts.Limits, the
// workbook written holds only the issues sheet with the explanation. When
// res carries a SHA-256 the original must match it ([ErrContentChanged]).
func Write(w io.Writer, original io.ReaderAt, size int64, res *validate.Result, opts Options) error {
	if res == nil {
		return errors.New("annotate: nil result")
	}
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return err
	}
	b := newBuilder(res, opts)
	var (
		f   *excelize.File
		err error
	)
	if original != nil && Openable(res) {
		f, err = b.openOriginal(original, size)
		if err != nil {
			return err
		}
	}
	if f == nil && Openable(res) && b.note == "" {
		b.note = b.w.notOpenedNote
	}
	if f == nil {
		f = excelize.NewFile()
	} else {
		b.annotated = true
	}
	defer f.Close()
	if err := b.build(f); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("annotate: write workbook: %w", err)
	}
	return nil
}

// openOriginal reads the original, checks it is the validated content and
// opens it with excelize within the limits. A nil file with a nil error
// means it cannot be annotated (b.note says why); an error means nothing
// must be written.
func (b *builder) openOriginal(original io.ReaderAt, size int64) (*excelize.File, error) {
	lim := b.opts.Limits
	if size < 0 || size > lim.MaxFileSize {
		b.note = b.w.notOpenedNote
		return nil, nil
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(original, 0, size), buf); err != nil {
		return nil, fmt.Errorf("annotate: read original: %w", err)
	}
	if b.res.SHA256 != "" {
		sum := sha256.Sum256(buf)
		if !strings.EqualFold(hex.EncodeToString(sum[:]), b.res.SHA256) {
			return nil, ErrContentChanged
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf), excelize.Options{
		UnzipSizeLimit:    lim.UnzipSizeLimit,
		UnzipXMLSizeLimit: lim.UnzipXMLSizeLimit,
		TmpDir:            lim.TmpDir,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		b.opts.Logger.Warn("annotate: the original could not be opened; writing the issue list alone",
			slog.String("file", b.res.File), slog.String("sha256", b.res.SHA256), slog.Any("err", err))
		b.note = b.w.notOpenedNote
		return nil, nil
	}
	return f, nil
}
