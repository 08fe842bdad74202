package cli

import (
	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/etl/workbook"
)

// limitFlags are the caps every command that reads returns takes: the
// configuration's limits.* by default (as `returns serve` applies them), a
// flag overriding each.
type limitFlags struct {
	maxIssues, maxRows, maxMB int
}

func (l *limitFlags) register(cmd *cobra.Command) {
	d := config.Defaults().Limits
	cmd.Flags().IntVar(&l.maxIssues, "max-issues", d.MaxIssues, "issues kept per file; the rest are counted (default: limits.max_issues)")
	cmd.Flags().IntVar(&l.maxRows, "max-rows", d.MaxRows, "data rows allowed per sheet, TOO_MANY_ROWS above (default: limits.max_rows)")
	cmd.Flags().IntVar(&l.maxMB, "max-file-mb", d.MaxFileMB, "largest file accepted in MiB, TOO_LARGE above (default: limits.max_file_mb)")
}

// options returns the validation options: each limit from its flag when
// given, else from cfg.
func (l *limitFlags) options(cmd *cobra.Command, cfg *config.Config) (validate.Options, error) {
	issues, rows, mb := cfg.Limits.MaxIssues, cfg.Limits.MaxRows, cfg.Limits.MaxFileMB
	if cmd.Flags().Changed("max-issues") {
		issues = l.maxIssues
	}
	if cmd.Flags().Changed("max-rows") {
		rows = l.maxRows
	}
	if cmd.Flags().Changed("max-file-mb") {
		mb = l.maxMB
	}
	if mb <= 0 {
		return validate.Options{}, usageError("--max-file-mb must be positive")
	}
	if rows <= 0 {
		return validate.Options{}, usageError("--max-rows must be positive")
	}
	return validate.Options{MaxIssues: issues, MaxRows: rows, Limits: workbook.Limits{MaxFileSize: int64(mb) << 20}}, nil
}
