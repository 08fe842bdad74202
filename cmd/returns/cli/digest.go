package cli

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/recipients"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

func newRecipientsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "recipients",
		Short: "Import the digest recipients (template NGUOINHAN)",
		Long: `The recipients workbook lists the managers who get the quarterly digest: e-mail,
name, the organisation whose subtree they see, language (vi or en) and whether
they are active (C/K). It is laid out like the registry. Each import becomes a
new version; the latest is current. A blank workbook:
returns template --template NGUOINHAN.`,
	}
	cmd.AddCommand(newRecipientsImportCmd(g))
	return cmd
}

func newRecipientsImportCmd(g *globals) *cobra.Command {
	var (
		asJSON bool
		lang   string
	)
	cmd := &cobra.Command{
		Use:   "import [--json] [--lang vi|en] FILE",
		Short: "Validate a recipients workbook and make it the current recipients list",
		Long: `import validates the recipients workbook like a return (the same report) and
checks that every scope organisation is in the current registry. An accepted
list is stored as a new version in one transaction; the same content as the
current version changes nothing.
Exit status: 0 imported (or unchanged), 1 rejected, 2 for a usage error or
when the database cannot be reached.`,
		Args: cobra.ExactArgs(1),
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
			orgs, _, err := db.store.CurrentRegistry(ctx)
			if errors.Is(err, store.ErrNoRegistry) {
				return usageError("no registry imported yet: import the registry first (returns registry import FILE)")
			}
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			known := make(map[string]bool, len(orgs))
			for _, o := range orgs {
				known[o.Code] = true
			}
			path := args[0]
			list, res, err := recipients.ReadFile(ctx, path, set, func(c string) bool { return known[c] })
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			out := cmd.OutOrStdout()
			if res.Status != validate.Accepted {
				return writeRejected(out, res, asJSON, lang)
			}
			rows := make([]store.Recipient, len(list.Recipients))
			active := 0
			for i, r := range list.Recipients {
				rows[i] = store.Recipient{Email: r.Email, Name: r.Name, ScopeOrgCode: r.ScopeOrgCode, Language: r.Language, Active: r.Active, SourceRow: r.SourceRow}
				if r.Active {
					active++
				}
			}
			version, err := db.store.ImportRecipients(ctx, store.RecipientsMeta{SHA256: res.SHA256, FileName: res.File}, rows)
			unchanged := errors.Is(err, store.ErrRecipientsUnchanged)
			if err != nil && !unchanged {
				return &exitError{code: ExitUsage, err: fmt.Errorf("%s could not be imported (not the file's fault; try again): %w", path, err)}
			}
			return writeImported(out, res, asJSON, lang, version, len(rows), unchanged,
				fmt.Sprintf("recipients version %d: %d recipients (%d active)", version, len(rows), active))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as one JSON object (recipients count in organisations)")
	cmd.Flags().StringVar(&lang, "lang", "vi", "language of messages: vi or en")
	return cmd
}

func newDigestCmd() *cobra.Command {
	var (
		quarter, recipient, outDir, configFile string
		send, resend                           bool
	)
	cmd := &cobra.Command{
		Use:   "digest --quarter 2025-Q3 [--recipient EMAIL] [--out DIR] [--send] [--resend]",
		Short: "Preview the managers' quarterly digest to files, or queue it in the outbox now",
		Long: `digest builds each active recipient's digest of the quarter from the accepted,
current returns of their subtree (scoped by PostgreSQL).
With --out it writes, per recipient, digest.html, digest.txt, the chart PNG,
the .xlsx attachment and the whole mail as digest.eml, and queues nothing.
With --send it queues the mails in the outbox (delivered by the outbox job):
once per recipient and quarter; --resend queues a new one anyway.
Settings: digest.include_personal_data and deadline_days of the configuration.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := domain.ParseQuarter(quarter)
			if err != nil {
				return usageError("--quarter: %v", err)
			}
			if send == (outDir != "") {
				return usageError("give exactly one of --out DIR (preview) and --send (queue)")
			}
			if resend && !send {
				return usageError("--resend goes with --send")
			}
			cfg, err := loadConfig(configFile)
			if err != nil {
				return err
			}
			zone, err := cfg.Location()
			if err != nil {
				return usageError("time_zone: %v", err)
			}
			opts := digestjob.Options{SendDay: cfg.Digest.SendDay, SendWhenComplete: cfg.Digest.SendWhenComplete,
				IncludePersonalData: cfg.Digest.IncludePersonalData, DeadlineDays: cfg.DeadlineDays, Zone: zone,
				Recipient: recipient, Resend: resend, From: cfg.SMTP.From, Logger: slog.Default()}
			ctx := cmd.Context()
			db, err := openDatabaseAt(ctx, slog.Default(), cfg.Database.URL, cfg.State.Dir)
			if err != nil {
				return err
			}
			defer db.Close(ctx)
			out := cmd.OutOrStdout()
			if outDir != "" {
				// One recipient's failure does not hide the others' digests:
				// the written folders are listed, then the failures.
				dirs, err := digestjob.Preview(ctx, db.store, q, outDir, opts)
				for _, d := range dirs {
					fmt.Fprintln(out, d)
				}
				if err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				return nil
			}
			rep, err := digestjob.Send(ctx, db.store, q, opts)
			fmt.Fprintf(out, "digest %s: %d queued, %d already sent (--resend to send again), %d failed\n", q, rep.Queued, rep.AlreadySent, rep.Failed)
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&quarter, "quarter", "", "the quarter, e.g. 2025-Q3 (required)")
	cmd.Flags().StringVar(&recipient, "recipient", "", "only this recipient's digest (e-mail address)")
	cmd.Flags().StringVar(&outDir, "out", "", "write previews under DIR instead of queueing")
	cmd.Flags().BoolVar(&send, "send", false, "queue the digests in the outbox now")
	cmd.Flags().BoolVar(&resend, "resend", false, "with --send: queue again for recipients who already got this quarter's digest")
	cmd.Flags().StringVar(&configFile, "config", "", "configuration file (default: $"+config.EnvConfig+", else none)")
	_ = cmd.MarkFlagRequired("quarter")
	return cmd
}
