package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/atomicfile"
	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/report"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

func newRegistryCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "registry",
		Short: "Import or export the organisation registry (template DONVI)",
		Long: `The organisation registry lists every reporting organisation with its parent,
the quarters it exists in, its successor after a merger and its contact
e-mails. Each import becomes a new version; the latest is the one returns are
checked against. A blank registry workbook: returns template --template DONVI.`,
	}
	cmd.AddCommand(newRegistryImportCmd(g), newRegistryExportCmd(g), newRegistryVersionsCmd())
	return cmd
}

// registryJSON is the JSON line of a registry import.
type registryJSON struct {
	report.JSONResult
	RegistryVersion int64 `json:"registry_version,omitempty"`
	Organisations   int   `json:"organisations,omitempty"`
}

// newImportCmd is an "import [--json] [--lang vi|en] FILE" command (the
// registry's, the recipients'): run reads, checks and stores the workbook
// at path and prints the outcome with [writeRejected] or [writeImport].
func newImportCmd(short, long, jsonHelp string, run func(cmd *cobra.Command, path string, asJSON bool, lang string) error) *cobra.Command {
	var (
		asJSON bool
		lang   string
	)
	cmd := &cobra.Command{
		Use:   "import [--json] [--lang vi|en] FILE",
		Short: short,
		Long: long + `
Exit status: 0 imported (or unchanged), 1 rejected, 2 for a usage error or
when the database cannot be reached.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return run(cmd, args[0], asJSON, lang) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, jsonHelp)
	cmd.Flags().StringVar(&lang, "lang", "vi", "language of messages: vi or en")
	return cmd
}

func newRegistryImportCmd(g *globals) *cobra.Command {
	return newImportCmd("Validate a registry workbook and make it the current registry",
		`import validates the registry workbook like a return (the same report) and
checks its rows against each other (parents exist, no cycles, successors).
An accepted registry is stored as a new version in one transaction; the same
content as the current version changes nothing.`,
		"print the result as one JSON object",
		func(cmd *cobra.Command, path string, asJSON bool, lang string) error {
			set, err := g.loadSchemas()
			if err != nil {
				return err
			}
			ctx, out := cmd.Context(), cmd.OutOrStdout()
			reg, res, err := registry.ReadFile(ctx, path, set)
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			if res.Status != validate.Accepted {
				return writeRejected(out, res, asJSON, lang)
			}
			cfg, err := loadConfig("")
			if err != nil {
				return err
			}
			return withDatabase(cmd, cfg, func(db *database) error {
				version, err := db.store.ImportRegistry(ctx, store.RegistryMeta{SHA256: res.SHA256, FileName: res.File}, reg.Orgs)
				return writeImport(out, res, asJSON, lang, path, version, len(reg.Orgs), err, store.ErrRegistryUnchanged,
					fmt.Sprintf("registry version %d: %d organisations", version, len(reg.Orgs)))
			})
		})
}

// writeRejected prints the report of a registry or recipients workbook that
// was not accepted, and returns the exit status that says so.
func writeRejected(out io.Writer, res *validate.Result, asJSON bool, lang string) error {
	var err error
	if asJSON {
		err = report.WriteJSON(out, res, lang)
	} else {
		err = report.WriteText(out, res, lang)
	}
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return &exitError{code: ExitRejected}
}

// writeImport prints the outcome of an accepted registry or recipients
// import of path: one JSON object, or line and then the warnings, if any.
// err is the store's answer: nil (a new version), unchangedErr (the same
// content as the current version) or why the import failed (exit 2).
func writeImport(out io.Writer, res *validate.Result, asJSON bool, lang, path string, version int64, count int, err, unchangedErr error, line string) error {
	unchanged := errors.Is(err, unchangedErr)
	if err != nil && !unchanged {
		return &exitError{code: ExitUsage, err: fmt.Errorf("%s could not be imported (not the file's fault; try again): %w", path, err)}
	}
	if asJSON {
		jr := registryJSON{JSONResult: report.JSON(res, lang), RegistryVersion: version, Organisations: count}
		jr.Status = "imported"
		if unchanged {
			jr.Status = "unchanged"
		}
		return writeJSONLine(out, jr)
	}
	if unchanged {
		line += " (unchanged: same content as the current version)"
	}
	fmt.Fprintln(out, line)
	if res.Warnings > 0 {
		return report.WriteText(out, res, lang)
	}
	return nil
}

// writeJSONLine writes v as one line of JSON, as report.WriteJSONResult does.
func writeJSONLine(w io.Writer, v registryJSON) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode report of %q: %w", v.File, err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func newRegistryExportCmd(g *globals) *cobra.Command {
	var outPath string
	cmd := &cobra.Command{
		Use:   "export --out FILE",
		Short: "Write the current registry as a DONVI workbook",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if outPath == "" {
				return usageError("--out is required")
			}
			set, cfg, err := g.load("")
			if err != nil {
				return err
			}
			return withDatabase(cmd, cfg, func(db *database) error {
				orgs, version, err := db.store.CurrentRegistry(cmd.Context())
				if errors.Is(err, store.ErrNoRegistry) {
					return usageError("no registry imported yet: nothing to export (returns registry import FILE)")
				}
				if err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				reg := &registry.Registry{Orgs: orgs}
				if err := atomicfile.Write(outPath, 0o644, func(w io.Writer) error { return registry.Write(w, set, reg) }); err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (registry version %d: %d organisations)\n", outPath, version, len(reg.Orgs))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&outPath, "out", "", "file to write (.xlsx)")
	return cmd
}

func newRegistryVersionsCmd() *cobra.Command {
	var (
		asJSON bool
		lang   string
	)
	cmd := &cobra.Command{
		Use:   "versions [--json] [--lang vi|en]",
		Short: "List the imported registry versions, newest (current) first",
		Long: `versions lists the imported registry versions, newest (the current one) first,
with when each was imported in the configured time zone (time_zone), how many
organisations it holds, its content hash and its file name. --json prints one
JSON object per version per line, times in RFC 3339 with their offset.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, loc, err := loadConfigZone("")
			if err != nil {
				return err
			}
			return withDatabase(cmd, cfg, func(db *database) error {
				versions, err := db.store.RegistryVersions(cmd.Context())
				if err != nil {
					return &exitError{code: ExitUsage, err: err}
				}
				return printRegistryVersions(cmd.OutOrStdout(), versions, loc, lang, asJSON)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per version per line")
	cmd.Flags().StringVar(&lang, "lang", "vi", "language of the headings: vi or en")
	return cmd
}

// printRegistryVersions writes versions for people (a table with headings,
// times in loc with the zone's name) or, with asJSON, for programs.
func printRegistryVersions(w io.Writer, versions []store.RegistryVersion, loc *time.Location, lang string, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, v := range versions {
			if err := enc.Encode(struct {
				ID            int64     `json:"id"`
				ImportedAt    time.Time `json:"imported_at"`
				Organisations int       `json:"organisations"`
				SHA256        string    `json:"sha256"`
				FileName      string    `json:"file_name"`
			}{v.ID, v.ImportedAt.In(loc), v.OrgCount, v.SHA256, v.FileName}); err != nil {
				return err
			}
		}
		return nil
	}
	if len(versions) == 0 {
		return nil
	}
	head := []string{"Phiên bản", "Nhập lúc", "Số đơn vị", "SHA-256", "Tệp"}
	if lang == "en" {
		head = []string{"Version", "Imported at", "Organisations", "SHA-256", "File"}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, v := range versions {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", v.ID, v.ImportedAt.In(loc).Format("02/01/2006 15:04:05 MST"),
			locale.Int(lang, int64(v.OrgCount)), v.SHA256[:min(12, len(v.SHA256))], printableName(v.FileName))
	}
	return tw.Flush()
}

// printableName is a file name as a terminal may show it: as it is when every
// character is printable, else quoted with its control characters escaped
// (a name is the submitter's input, and a terminal obeys escape sequences).
func printableName(name string) string {
	if strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return name
	}
	return strconv.QuoteToGraphic(name)
}
