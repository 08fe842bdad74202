package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/report"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

func newValidateCmd(g *globals) *cobra.Command {
	var (
		asJSON   bool
		lang     string
		lim      limitFlags
		annotDir string
	)
	cmd := &cobra.Command{
		Use:   "validate [--json] [--lang vi|en] [--annotate DIR] FILE...",
		Short: "Check workbooks against the schemas without touching a database",
		Long: `validate reads each workbook strictly, checks every cell and rule, and
reports every issue (not only the first). Exit status: 0 when every file is
accepted, 1 when any file is rejected, 2 for a usage error. Warnings alone do
not reject a file.

--annotate DIR writes, for each rejected file and each accepted file with
warnings, the operator's workbook annotated (cells with issues filled and
commented, an issues sheet "Lỗi" first) into DIR as NAME.loi.xlsx, or a
workbook explaining why the file could not be opened.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, cfg, err := g.load("")
			if err != nil {
				return err
			}
			opts, err := lim.options(cmd, cfg)
			if err != nil {
				return err
			}
			ann, err := newAnnotator(annotDir, lang, opts.Limits.MaxFileSize, commandLogger(cmd.ErrOrStderr(), cfg.Log))
			if err != nil {
				return err
			}
			defer ann.close()
			out := cmd.OutOrStdout()
			code := ExitOK
			for i, path := range args {
				res, err := validate.CheckFile(cmd.Context(), path, set, opts)
				if err != nil {
					if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) || errors.Is(err, validate.ErrNotRegular) {
						fmt.Fprintf(cmd.ErrOrStderr(), "returns: %s\n", displayName(err.Error()))
						code = ExitUsage
						continue
					}
					return &exitError{code: ExitUsage, err: errors.New(displayName(err.Error()))}
				}
				if asJSON {
					err = report.WriteJSON(out, res, lang)
				} else {
					if i > 0 {
						fmt.Fprintln(out)
					}
					// A file name may hold control characters (a newline, an
					// escape sequence, U+202E): shown escaped, never obeyed.
					shown := *res
					shown.File = displayName(res.File)
					err = report.WriteText(out, &shown, lang)
				}
				if err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				if err := ann.write(cmd, path, res, set); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "returns: %s\n", displayName(err.Error()))
					code = ExitUsage
				}
				if res.Status == validate.Rejected && code == ExitOK {
					code = ExitRejected
				}
			}
			if code != ExitOK {
				return &exitError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per file per line")
	cmd.Flags().StringVar(&lang, "lang", "vi", "language of messages: vi or en")
	lim.register(cmd)
	cmd.Flags().StringVar(&annotDir, "annotate", "", "write an annotated workbook (NAME.loi.xlsx) of each rejected file or file with warnings into `DIR`")
	return cmd
}

// annotator writes the annotated workbooks of --annotate.
type annotator struct {
	dir, lang, tmp string
	maxFile        int64
	used           map[string]bool // names written in this run
	log            *slog.Logger
}

// newAnnotator creates dir (when set) and a private folder for excelize's
// spills, removed by close. A nil annotator writes nothing.
func newAnnotator(dir, lang string, maxFile int64, log *slog.Logger) (*annotator, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usageError("--annotate: %v", err)
	}
	tmp, err := os.MkdirTemp("", "returns-annotate-")
	if err != nil {
		return nil, &exitError{code: ExitUsage, err: err}
	}
	return &annotator{dir: dir, lang: lang, tmp: tmp, maxFile: maxFile, used: map[string]bool{}, log: log}, nil
}

func (a *annotator) close() {
	if a != nil {
		os.RemoveAll(a.tmp)
	}
}

// write writes the annotated workbook of path when res needs one, and says where on stderr.
func (a *annotator) write(cmd *cobra.Command, path string, res *validate.Result, set *schema.Set) error {
	if a == nil || !annotate.Needed(res) {
		return nil
	}
	name := annotate.Name(path)
	for n := 2; a.used[name]; n++ {
		name = annotate.NameN(path, n)
	}
	a.used[name] = true
	dst := filepath.Join(a.dir, name)
	opts := annotate.Options{Lang: a.lang, Template: set.Templates[res.Template],
		Limits: annotate.Limits{MaxFileSize: a.maxFile, TmpDir: a.tmp}, Logger: a.log}
	if err := annotate.File(cmd.Context(), path, dst, res, opts); err != nil {
		return err
	}
	msg := "returns: bản đánh dấu lỗi của %s: %s\n"
	if a.lang == "en" {
		msg = "returns: annotated copy of %s: %s\n"
	}
	fmt.Fprintf(cmd.ErrOrStderr(), msg, displayName(path), displayName(dst))
	return nil
}

// displayName makes text from outside (a file name, an error naming one)
// safe for a terminal: control and format characters (C0, DEL, C1, U+202E
// and the other bidirectional controls, zero-width characters) and invalid
// UTF-8 are written as escapes such as \n, \x1b or \u202e.
func displayName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
