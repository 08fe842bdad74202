package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/report"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/etl/workbook"
)

func newValidateCmd(g *globals) *cobra.Command {
	var (
		asJSON    bool
		lang      string
		maxIssues int
		maxRows   int
		maxMB     int
	)
	cmd := &cobra.Command{
		Use:   "validate [--json] [--lang vi|en] FILE...",
		Short: "Check workbooks against the schemas without touching a database",
		Long: `validate reads each workbook strictly, checks every cell and rule, and
reports every issue (not only the first). Exit status: 0 when every file is
accepted, 1 when any file is rejected, 2 for a usage error. Warnings alone do
not reject a file.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if lang != "vi" && lang != "en" {
				return usageError("--lang must be vi or en, not %q", lang)
			}
			set, err := g.loadSchemas()
			if err != nil {
				return err
			}
			if maxMB <= 0 {
				return usageError("--max-file-mb must be positive")
			}
			opts := validate.Options{MaxIssues: maxIssues, MaxRows: maxRows, Limits: workbook.Limits{MaxFileSize: int64(maxMB) << 20}}
			out := cmd.OutOrStdout()
			code := ExitOK
			for i, path := range args {
				res, err := validate.File(cmd.Context(), path, set, opts)
				if err != nil {
					if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
						fmt.Fprintf(cmd.ErrOrStderr(), "returns: %v\n", err)
						code = ExitUsage
						continue
					}
					return &exitError{code: ExitUsage, err: err}
				}
				if asJSON {
					err = report.WriteJSON(out, res, lang)
				} else {
					if i > 0 {
						fmt.Fprintln(out)
					}
					err = report.WriteText(out, res, lang)
				}
				if err != nil {
					return &exitError{code: ExitUsage, err: err}
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
	cmd.Flags().IntVar(&maxIssues, "max-issues", 1000, "issues kept per file; the rest are counted")
	cmd.Flags().IntVar(&maxRows, "max-rows", 200000, "data rows allowed per sheet (TOO_MANY_ROWS above)")
	cmd.Flags().IntVar(&maxMB, "max-file-mb", 64, "largest file accepted, in MiB (TOO_LARGE above)")
	return cmd
}
