package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/recipients"
	"github.com/returns-project/returns/etl/schema"
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
	return newImportCmd("Validate a recipients workbook and make it the current recipients list",
		`import validates the recipients workbook like a return (the same report) and
checks that every scope organisation is in the current registry. An accepted
list is stored as a new version in one transaction; the same content as the
current version changes nothing.`,
		"print the result as one JSON object (recipients count in organisations)",
		func(cmd *cobra.Command, path string, asJSON bool, lang string) error {
			set, cfg, err := g.load("")
			if err != nil {
				return err
			}
			return withDatabase(cmd, cfg, func(db *database) error {
				return importRecipients(cmd, db.store, set, path, asJSON, lang)
			})
		})
}

// importRecipients validates the recipients workbook at path against the
// current registry and stores it as the new current recipients list.
func importRecipients(cmd *cobra.Command, st *store.Store, set *schema.Set, path string, asJSON bool, lang string) error {
	ctx := cmd.Context()
	orgs, _, err := st.CurrentRegistry(ctx)
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
	version, err := st.ImportRecipients(ctx, store.RecipientsMeta{SHA256: res.SHA256, FileName: res.File}, rows)
	return writeImport(out, res, asJSON, lang, path, version, len(rows), err, store.ErrRecipientsUnchanged,
		fmt.Sprintf("recipients version %d: %d recipients (%d active)", version, len(rows), active))
}
