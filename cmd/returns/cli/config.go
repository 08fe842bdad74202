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

// loadConfigZone loads the configuration (as [loadConfig]) and its time
// zone (time_zone).
func loadConfigZone(file string) (*config.Config, *time.Location, error) {
	cfg, err := loadConfig(file)
	if err != nil {
		return nil, nil, err
	}
	loc, err := cfg.Location()
	if err != nil {
		return nil, nil, &exitError{code: ExitUsage, err: err}
	}
	return cfg, loc, nil
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
` + "`returns config example`" + ` prints a commented file with every key and its default.`,
	}
	cmd.AddCommand(newConfigCheckCmd(g), newConfigExampleCmd())
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
			jobs, err := loadSchedules(cfg.Schedules.Dir, cfg.TimeZone)
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

func newConfigExampleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "example",
		Short: "Print an example configuration file with every key, its default and what it does",
		Long: `example prints the documented configuration file; save it, keep the keys you
change and run: returns serve --config returns.yaml
  returns config example > returns.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := cmd.OutOrStdout().Write(config.Example)
			return err
		},
	}
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

// warnDigestDay warns when an enabled digest schedule would send a
// quarter's digest later than digest.send_day of the month after the quarter
// (the job sends at its first run on or after that day). A daily schedule,
// the shipped one, never warns; a monthly one on another day, or one that
// skips the months after the quarters, does.
func warnDigestDay(w io.Writer, cfg *config.Config, jobs []schedule.Job) {
	for _, j := range jobs {
		if j.Kind != schedule.KindDigest || !j.Enabled {
			continue
		}
		due, first, late := lateDigest(j, cfg.Digest.SendDay, time.Now())
		switch {
		case late && first.IsZero():
			fmt.Fprintf(w, "warning: schedule %s (%s) never runs on or after %s, when the digest is due (digest.send_day %d)\n",
				j.Name, j.File, due.Format("02/01/2006"), cfg.Digest.SendDay)
		case late:
			fmt.Fprintf(w, "warning: schedule %s (%s) first runs on %s, after the digest is due on %s (digest.send_day %d): make it fire on that day, or daily\n",
				j.Name, j.File, first.Format("02/01/2006"), due.Format("02/01/2006"), cfg.Digest.SendDay)
		}
	}
}

// lateDigest looks at the next four quarters' due dates (send day of the
// month after each quarter, in the job's zone) and reports the first whose
// first run on or after it falls on a later day.
func lateDigest(j schedule.Job, sendDay int, now time.Time) (due, first time.Time, late bool) {
	loc := time.UTC
	if j.TimeZone != "" {
		if l, err := time.LoadLocation(j.TimeZone); err == nil {
			loc = l
		}
	}
	now = now.In(loc)
	// The month after the quarter now running, then the next three.
	m := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	for m.Month()%3 != 1 {
		m = m.AddDate(0, 1, 0)
	}
	for range 4 {
		due = time.Date(m.Year(), m.Month(), sendDay, 0, 0, 0, 0, loc)
		runs := j.Next(due.Add(-time.Nanosecond), 1)
		if len(runs) == 0 {
			return due, time.Time{}, true
		}
		first = runs[0].In(loc)
		if y, mo, d := first.Date(); y != due.Year() || mo != due.Month() || d != due.Day() {
			return due, first, true
		}
		m = m.AddDate(0, 3, 0)
	}
	return time.Time{}, time.Time{}, false
}
