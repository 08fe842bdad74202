package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/report"
)

func newIngestCmd(g *globals) *cobra.Command {
	var (
		asJSON bool
		lang   string
		notify bool
	)
	cmd := &cobra.Command{
		Use:   "ingest [--json] [--lang vi|en] FILE...",
		Short: "Validate workbooks and load the accepted ones into the database",
		Long: `ingest validates each workbook and loads it in one transaction: every row or
none. The same content twice is a duplicate and loads nothing; a later return
for the same organisation and quarter supersedes the earlier one.
Exit status: 0 when every file is loaded or a duplicate, 1 when any file is
rejected, 2 for a usage error or when the database cannot be reached.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if lang != "vi" && lang != "en" {
				return usageError("--lang must be vi or en, not %q", lang)
			}
			set, err := g.loadSchemas()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := openDatabase(ctx, slog.Default())
			if err != nil {
				return err
			}
			defer db.Close(ctx)
			if err := db.store.CheckColumns(ctx, set.Templates["BCQ-1"]); err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			out := cmd.OutOrStdout()
			code := ExitOK
			for _, path := range args {
				res, err := intake.File(ctx, path, set, db.store, intake.Options{Notify: notify})
				if err != nil {
					if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
						fmt.Fprintf(cmd.ErrOrStderr(), "returns: %v\n", err)
						code = ExitUsage
						continue
					}
					return &exitError{code: ExitUsage, err: fmt.Errorf("%s could not be judged (not the file's fault; try again): %w", path, err)}
				}
				jr := report.JSON(res.Result, lang)
				jr.Status = string(res.Outcome)
				jr.SubmissionID, jr.Version = res.SubmissionID, res.Version
				if res.DuplicateOf != nil {
					jr.DuplicateOf = duplicateText(lang, res)
				}
				if asJSON {
					err = report.WriteJSONResult(out, jr)
				} else {
					err = writeIngestText(out, res, lang)
				}
				if err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				if res.Outcome == intake.Rejected && code == ExitOK {
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
	cmd.Flags().BoolVar(&notify, "notify", false, "queue each file's result mail to the organisation's registered contacts (delivered by the outbox job)")
	return cmd
}

func duplicateText(lang string, res *intake.Result) string {
	d := res.DuplicateOf
	if lang == "en" {
		return fmt.Sprintf("duplicate of submission %d received on %s", d.SubmissionID, locale.DateTime(d.ReceivedAt))
	}
	return fmt.Sprintf("trùng với lần nộp số %d nhận ngày %s", d.SubmissionID, locale.DateTime(d.ReceivedAt))
}

func writeIngestText(w interface{ Write([]byte) (int, error) }, res *intake.Result, lang string) error {
	switch res.Outcome {
	case intake.Duplicate:
		_, err := fmt.Fprintf(w, "%s — %s\n", res.File, duplicateText(lang, res))
		return err
	case intake.Loaded:
		word := "ĐÃ NẠP (lần nộp %d, phiên bản %d)"
		if lang == "en" {
			word = "LOADED (submission %d, version %d)"
		}
		if _, err := fmt.Fprintf(w, word+"\n", res.SubmissionID, res.Version); err != nil {
			return err
		}
	}
	return report.WriteText(w, res.Result, lang)
}
