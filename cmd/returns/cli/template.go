package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/atomicfile"
	"github.com/returns-project/returns/etl/domain"
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
			err = atomicfile.Write(out, 0o644, func(w io.Writer) error { return template.Write(w, set, t, template.Options{}) })
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%s)\n", out, t.Version)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write (.xlsx)")
	cmd.Flags().StringVar(&id, "template", domain.ReturnTemplate, "template id")
	return cmd
}
