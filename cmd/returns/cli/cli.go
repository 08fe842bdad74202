// Package cli is the returns command line: it parses flags and environment,
// wires the pipeline's packages together and maps outcomes to exit codes.
// Nothing else in the module imports it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/config"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/schemas"
)

// Exit codes.
const (
	ExitOK       = 0 // every file accepted (or the command succeeded)
	ExitRejected = 1 // at least one file rejected
	ExitUsage    = 2 // usage or configuration error; nothing was judged
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// Run runs the command line with args (without the program name) and returns
// the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "returns:", ee.err)
		}
		return ee.code
	}
	// Flag and argument errors from cobra are usage errors.
	fmt.Fprintln(stderr, "returns:", err)
	return ExitUsage
}

type globals struct {
	schemasDir string
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:   "returns",
		Short: "Quarterly Excel returns of party organisations: validate, load, report",
		Long: `returns turns the quarterly Excel returns (template BCQ-1) of party
organisations into trustworthy data: it proves each workbook is complete and
well-formed, checks every cell against declarative schemas and explains every
problem in Vietnamese (or English).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every command with --lang speaks Vietnamese or English.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if f := cmd.Flags().Lookup("lang"); f != nil && f.Value.String() != "vi" && f.Value.String() != "en" {
				return usageError("--lang must be vi or en, not %q", f.Value.String())
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&g.schemasDir, "schemas", os.Getenv("RETURNS_SCHEMAS_DIR"),
		"folder whose schema files override the embedded ones (env RETURNS_SCHEMAS_DIR)")
	root.AddCommand(newValidateCmd(g), newTemplateCmd(g), newIngestCmd(g), newMigrateCmd(), newVersionCmd(), newRegistryCmd(g), newConfigCmd(g), newSchedulesCmd(), newServeCmd(g), newStatusCmd(), newRecipientsCmd(g), newDigestCmd(), newAccountsCmd())
	return root
}

// loadSchemas loads the embedded schemas, overlaid by --schemas when set. A
// broken schema is a configuration error.
func (g *globals) loadSchemas() (*schema.Set, error) {
	var fsys = schemas.FS
	if g.schemasDir != "" {
		st, err := os.Stat(g.schemasDir)
		if err != nil || !st.IsDir() {
			return nil, usageError("schemas folder %q: not a readable folder", g.schemasDir)
		}
		set, err := schema.Load(schema.Overlay(g.schemasDir, fsys))
		if err != nil {
			return nil, &exitError{code: ExitUsage, err: fmt.Errorf("load schemas: %w", err)}
		}
		return set, nil
	}
	set, err := schema.Load(fsys)
	if err != nil {
		return nil, &exitError{code: ExitUsage, err: fmt.Errorf("load schemas: %w", err)}
	}
	return set, nil
}

// load loads the schemas (see [globals.loadSchemas]) and the configuration
// (file, else $RETURNS_CONFIG; see [loadConfig]).
func (g *globals) load(file string) (*schema.Set, *config.Config, error) {
	set, err := g.loadSchemas()
	if err != nil {
		return nil, nil, err
	}
	cfg, err := loadConfig(file)
	if err != nil {
		return nil, nil, err
	}
	return set, cfg, nil
}

// version may be set at build time with -ldflags "-X ...cli.version=...";
// otherwise it is read from the binary's build information (see
// [buildVersion]).
var version = ""

// buildVersion is the version to print: the one stamped at link time, else
// the module version of an installed binary (go install …@v1.2.3), else the
// VCS revision and time the go tool recorded (go build in a git checkout),
// else "dev".
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	if rev == "" {
		return "dev (" + bi.GoVersion + ")"
	}
	return fmt.Sprintf("dev-%.12s%s (%s, %s)", rev, modified, at, bi.GoVersion)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "returns", buildVersion())
			return err
		},
	}
}
