package cli

import (
	"fmt"

	"github.com/google/renameio/v2"
	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/template"
)

func newTemplateCmd(g *globals) *cobra.Command {
	var out, id string
	cmd := &cobra.Command{
		Use:   "template --out FILE",
		Short: "Write the blank workbook of a template (default BCQ-1)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError("--out FILE is required")
			}
			set, err := g.loadSchemas()
			if err != nil {
				return err
			}
			t, ok := set.Templates[id]
			if !ok {
				return usageError("unknown template %q", id)
			}
			// Written beside the target and renamed, so a reader never sees half
			// a workbook; readable by everyone the umask allows (0644 under the
			// usual 022): the template is meant for operators on a share.
			pf, err := renameio.NewPendingFile(out, renameio.WithPermissions(0o644))
			if err != nil {
				return &exitError{code: ExitUsage, err: fmt.Errorf("write %s: %w", out, err)}
			}
			defer pf.Cleanup()
			if err := template.Write(pf, set, t, template.Options{}); err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			if err := pf.CloseAtomicallyReplace(); err != nil {
				return &exitError{code: ExitUsage, err: fmt.Errorf("write %s: %w", out, err)}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%s)\n", out, t.Version)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (.xlsx)")
	cmd.Flags().StringVar(&id, "template", "BCQ-1", "template id")
	return cmd
}
