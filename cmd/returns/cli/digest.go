package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/digestjob"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
)

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
			cfg, zone, err := loadConfigZone(configFile)
			if err != nil {
				return err
			}
			return withDatabase(cmd, cfg, func(db *database) error {
				opts := digestjob.Options{SendDay: cfg.Digest.SendDay, SendWhenComplete: cfg.Digest.SendWhenComplete,
					IncludePersonalData: cfg.Digest.IncludePersonalData, DeadlineDays: cfg.DeadlineDays, Zone: zone,
					Recipient: recipient, Resend: resend, From: cfg.SMTP.From, Logger: db.log}
				return runDigest(cmd, db.store, q, outDir, opts)
			})
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

// runDigest writes the previews of quarter q under outDir or, when outDir
// is "", queues the digests in the outbox.
func runDigest(cmd *cobra.Command, st *store.Store, q domain.Quarter, outDir string, opts digestjob.Options) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	if outDir != "" {
		// One recipient's failure does not hide the others' digests: the
		// written folders are listed, then the failures.
		dirs, err := digestjob.Preview(ctx, st, q, outDir, opts)
		for _, d := range dirs {
			fmt.Fprintln(out, d)
		}
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		return nil
	}
	rep, err := digestjob.Send(ctx, st, q, opts)
	fmt.Fprintf(out, "digest %s: %d queued, %d already sent (--resend to send again), %d failed\n", q, rep.Queued, rep.AlreadySent, rep.Failed)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return nil
}
