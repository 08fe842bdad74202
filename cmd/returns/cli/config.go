package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/schemas"
)

// loadConfig loads the configuration: defaults, then file (or
// $RETURNS_CONFIG), then the environment, then secret files. An invalid
// configuration is a usage error listing every problem.
func loadConfig(file string) (*config.Config, error) {
	cfg, err := config.Load(file, os.LookupEnv)
	if err != nil {
		return nil, &exitError{code: ExitUsage, err: problems("the configuration is not valid", err)}
	}
	return cfg, nil
}

// problems puts each of err's lines under a heading.
func problems(heading string, err error) error {
	return fmt.Errorf("%s:\n  %s", heading, strings.ReplaceAll(err.Error(), "\n", "\n  "))
}

func newConfigCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check the configuration",
		Long: `returns needs no configuration: every setting has a default. A YAML file
(--config or RETURNS_CONFIG) overrides the defaults, environment variables
RETURNS_<SECTION>_<KEY> override the file, and secrets may come from files
(database.url_file, smtp.password_file) that only their owner can read.
etl/config/returns.example.yaml documents every key.`,
	}
	cmd.AddCommand(newConfigCheckCmd(g))
	return cmd
}

func newConfigCheckCmd(g *globals) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "check [--config FILE]",
		Short: "Validate the configuration and print the effective one, secrets redacted",
		Long: `check loads the configuration as the daemon would (defaults, the file, the
environment, secret files), checks it, the schemas and the schedules it
names, and prints the effective configuration as YAML with its secrets
replaced by REDACTED.
Exit status: 0 valid, 2 with every problem listed otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(file)
			if err != nil {
				return err
			}
			if g.schemasDir != "" { // --schemas, else RETURNS_SCHEMAS_DIR as the config read it
				cfg.Schemas.Dir = g.schemasDir
			}
			var errs []error
			if err := checkFolder("schemas.dir", cfg.Schemas.Dir); err != nil {
				errs = append(errs, err)
			} else if _, err := schema.Load(schema.Overlay(cfg.Schemas.Dir, schemas.FS)); err != nil {
				errs = append(errs, fmt.Errorf("schemas: %w", err))
			}
			jobs, err := loadSchedules(cfg.Schedules.Dir)
			if err != nil {
				errs = append(errs, err)
			}
			if err := errors.Join(errs...); err != nil {
				return &exitError{code: ExitUsage, err: problems("the configuration is not valid", err)}
			}
			warnDigestDay(cmd.ErrOrStderr(), cfg, jobs)
			var out bytes.Buffer
			out.WriteString("# effective configuration of returns; secrets are REDACTED\n")
			enc := yaml.NewEncoder(&out)
			enc.SetIndent(2)
			if err := enc.Encode(cfg.Redacted()); err != nil {
				return fmt.Errorf("print the configuration: %w", err)
			}
			if err := enc.Close(); err != nil {
				return fmt.Errorf("print the configuration: %w", err)
			}
			if _, err := out.WriteTo(cmd.OutOrStdout()); err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "configuration is valid")
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "config", "", "configuration file (default: $"+config.EnvConfig+", else none)")
	return cmd
}

// checkFolder says whether an override folder, when set, is a folder: an
// overlay over a missing folder would silently be the embedded files alone.
func checkFolder(key, dir string) error {
	if dir == "" {
		return nil
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("%s: %q is not a readable folder", key, dir)
	}
	return nil
}

// warnDigestDay warns when an enabled digest schedule fires on another day
// of the month than digest.send_day: the two say the same thing twice.
func warnDigestDay(w io.Writer, cfg *config.Config, jobs []schedule.Job) {
	for _, j := range jobs {
		if j.Kind != schedule.KindDigest || !j.Enabled {
			continue
		}
		for _, t := range j.Next(time.Now(), 4) {
			if t.Day() != cfg.Digest.SendDay {
				fmt.Fprintf(w, "warning: schedule %s (%s) fires on day %d of the month, digest.send_day is %d\n",
					j.Name, j.File, t.Day(), cfg.Digest.SendDay)
				break
			}
		}
	}
}
