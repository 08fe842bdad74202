package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/returns-project/returns/etl/annotate"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/intake"
	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/report"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

func newIngestCmd(g *globals) *cobra.Command {
	var (
		asJSON     bool
		lang       string
		notify     bool
		receivedAt string
		lim        limitFlags
	)
	cmd := &cobra.Command{
		Use:   "ingest [--json] [--lang vi|en] [--received-at DATE] [--notify] FILE...",
		Short: "Validate workbooks and load the accepted ones into the database",
		Long: `ingest validates each workbook and loads it in one transaction: every row or
none. The same content twice is a duplicate and loads nothing; a later return
for the same organisation and quarter supersedes the earlier one.
ingest sends no result mail unless --notify is given (the daemon, returns
serve, answers every file it takes from the inbox). --received-at records when
the returns were really received (back-loads of old quarters: the digest's
on-time figures use it); default now. A summary line ends the run (on
standard error with --json).
Exit status: 0 when every file is loaded or a duplicate, 1 when any file is
rejected, 2 for a usage error or when the database cannot be reached.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, cfg, err := g.load("")
			if err != nil {
				return err
			}
			loc, err := cfg.Location()
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			received, err := parseReceivedAt(receivedAt, loc)
			if err != nil {
				return usageError("--received-at: %v", err)
			}
			var operators []string
			if notify {
				operators = cfg.Operators.List()
			}
			vopts, err := lim.options(cmd, cfg)
			if err != nil {
				return err
			}
			return withDatabase(cmd, cfg, func(db *database) error {
				if err := db.store.CheckColumns(cmd.Context(), intake.StoreTemplate(set.Templates[domain.ReturnTemplate])); err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				opts := intake.Options{Notify: notify, Zone: loc, Operators: operators, ReceivedAt: received, Validate: vopts,
					Annotate: annotate.Options{Logger: db.log}}
				return ingestFiles(cmd, db.store, set, args, opts, asJSON, lang)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per file per line")
	cmd.Flags().StringVar(&lang, "lang", "vi", "language of messages: vi or en")
	cmd.Flags().StringVar(&receivedAt, "received-at", "", "when the files were really received, dd/mm/yyyy [hh:mm] in time_zone or RFC 3339 (back-loads); default now")
	lim.register(cmd)
	cmd.Flags().BoolVar(&notify, "notify", false, "queue each file's result mail to the organisation's registered contacts, or to operators.emails when none can be found (delivered by the outbox job)")
	return cmd
}

// ingestFiles judges and loads each file of paths in turn, prints each
// outcome and a summary line, and returns the exit status that says them.
func ingestFiles(cmd *cobra.Command, st *store.Store, set *schema.Set, paths []string, opts intake.Options, asJSON bool, lang string) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	code := ExitOK
	start := time.Now()
	counts := map[domain.Outcome]int{}
	summary := func() {
		w := out
		if asJSON {
			w = cmd.ErrOrStderr()
		}
		took := locale.Decimal(lang, time.Since(start).Seconds(), 1)
		if lang == "en" {
			fmt.Fprintf(w, "%d loaded, %d duplicates, %d rejected, in %s s\n", counts[domain.Loaded], counts[domain.Duplicate], counts[domain.Rejected], took)
		} else {
			fmt.Fprintf(w, "%s đã nạp, %s trùng, %s bị từ chối, trong %s giây\n", locale.Int(lang, int64(counts[domain.Loaded])),
				locale.Int(lang, int64(counts[domain.Duplicate])), locale.Int(lang, int64(counts[domain.Rejected])), took)
		}
	}
	progress := progressLine(cmd.ErrOrStderr(), len(paths), lang)
	for i, path := range paths {
		progress(i)
		res, err := intake.JudgeFile(ctx, path, set, st, opts)
		progress(-1)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) || errors.Is(err, validate.ErrNotRegular) {
				fmt.Fprintf(cmd.ErrOrStderr(), "returns: %v\n", err)
				code = ExitUsage
				continue
			}
			summary()
			return &exitError{code: ExitUsage, err: fmt.Errorf("%s could not be judged (not the file's fault; try again): %w", path, err)}
		}
		counts[res.Outcome]++
		jr := report.JSON(res.Result, lang)
		jr.Status = string(res.Outcome)
		jr.SubmissionID, jr.Version = res.SubmissionID, res.Version
		if res.DuplicateOf != nil {
			jr.DuplicateOf = duplicateText(lang, res, opts.Zone)
		}
		if asJSON {
			err = report.WriteJSONResult(out, jr)
		} else {
			err = writeIngestText(out, res, lang, opts.Zone)
		}
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		if res.Outcome == domain.Rejected && code == ExitOK {
			code = ExitRejected
		}
	}
	progress(-1)
	summary()
	if code != ExitOK {
		return &exitError{code: code}
	}
	return nil
}

func duplicateText(lang string, res *intake.Result, loc *time.Location) string {
	d := res.DuplicateOf
	return report.Duplicate(lang, d.SubmissionID, d.Version, d.ReceivedAt, loc, d.Unchanged)
}

func writeIngestText(w interface{ Write([]byte) (int, error) }, res *intake.Result, lang string, loc *time.Location) error {
	switch res.Outcome {
	case domain.Duplicate:
		_, err := fmt.Fprintf(w, "%s — %s\n", res.File, duplicateText(lang, res, loc))
		return err
	case domain.Loaded:
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

// parseReceivedAt reads --received-at: dd/mm/yyyy, dd/mm/yyyy hh:mm (in
// loc, the configuration's time_zone), or RFC 3339. "" is the zero time
// (now). A time in the future is refused.
func parseReceivedAt(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.After(time.Now()) {
			return time.Time{}, fmt.Errorf("%q is in the future", s)
		}
		return t, nil
	}
	for _, layout := range []string{"02/01/2006 15:04", "02/01/2006", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if t.After(time.Now()) {
				return time.Time{}, fmt.Errorf("%q is in the future", s)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: use dd/mm/yyyy, dd/mm/yyyy hh:mm or RFC 3339", s)
}

// progressLine returns a function that shows "i/n" on w while a long batch
// (over 20 files) runs, when w is a terminal; i < 0 clears it. Elsewhere (a
// file, a pipe) it does nothing, so that logs stay clean.
func progressLine(w io.Writer, n int, lang string) func(i int) {
	f, ok := w.(*os.File)
	if !ok || n <= 20 || !term.IsTerminal(int(f.Fd())) {
		return func(int) {}
	}
	word := "tệp"
	if lang == "en" {
		word = "files"
	}
	return func(i int) {
		if i < 0 {
			fmt.Fprint(w, "\r\033[K")
			return
		}
		fmt.Fprintf(w, "\r\033[K%s/%s %s", locale.Int(lang, int64(i+1)), locale.Int(lang, int64(n)), word)
	}
}
