// Package registry reads, checks and writes organisation registry workbooks
// (template DONVI, sheet DonVi: one row per party organisation with its
// parent, validity quarters, successor and contact e-mails).
//
// [Read] validates a workbook against the DONVI schema with the same
// validator as the returns (so the same report, the same rule ids and cells)
// and then runs the checks that need every row at once: the parent exists
// (DV-10), no cycle of parents (DV-11), the successor exists (DV-12) and
// starts the quarter after its predecessor's last (DV-13, warning), and a
// parent exists over its child's whole validity (DV-14, warning). [Write]
// writes a registry in the same layout, every text cell literal (never a
// formula).
//
// The package knows nothing of the database: the command line converts a
// [Registry] to and from the store ([domain.Org] both).
package registry

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// SheetName is the only sheet of the registry's template
// ([domain.RegistryTemplate], schemas/registry.yaml).
const SheetName = "DonVi"

// Rule ids of the cross-row checks Read adds to the validator's (the per-row
// rules DV-01 … DV-09 are in schemas/registry/donvi.yaml).
const (
	RuleParentMissing    = "DV-10" // parent_code names no organisation of the registry (E)
	RuleParentCycle      = "DV-11" // following parent codes comes back to the organisation (E)
	RuleSuccessorMissing = "DV-12" // successor_code names no organisation of the registry (E)
	RuleSuccessorStart   = "DV-13" // the successor does not start the quarter after valid_to (W)
	RuleParentInactive   = "DV-14" // the parent does not exist over the organisation's whole validity (W)
)

// Registry is the list of organisations of one registry workbook, in file order.
type Registry struct {
	Orgs []domain.Org
}

// Org returns the organisation with code, or nil.
func (r *Registry) Org(code string) *domain.Org {
	for i := range r.Orgs {
		if r.Orgs[i].Code == code {
			return &r.Orgs[i]
		}
	}
	return nil
}

// Read validates the registry workbook of size bytes read through r against
// the DONVI template of set, then checks the rows against each other. The
// Result is the validator's, with the cross-row issues added (an error among
// them rejects it); its File and SHA256 are left for the caller (see
// [ReadFile]). The Registry is nil unless the Result is accepted. An error
// means the workbook could not be judged (set has no DONVI template, the
// context ended).
func Read(ctx context.Context, r io.ReaderAt, size int64, set *schema.Set) (*Registry, *validate.Result, error) {
	c := &collector{}
	res, err := validate.CheckReader(ctx, r, size, set, validate.Options{Template: domain.RegistryTemplate, Sink: c.sink()})
	if err != nil {
		return nil, nil, fmt.Errorf("registry: read: %w", err)
	}
	return c.finish(res)
}

// ReadFile is [Read] for the file at path, with the Result's File and SHA256 filled.
func ReadFile(ctx context.Context, path string, set *schema.Set) (*Registry, *validate.Result, error) {
	c := &collector{}
	res, err := validate.CheckFile(ctx, path, set, validate.Options{Template: domain.RegistryTemplate, Sink: c.sink()})
	if err != nil {
		return nil, nil, fmt.Errorf("registry: read: %w", err)
	}
	return c.finish(res)
}

// collector keeps the organisations of the DonVi rows.
type collector struct {
	orgs []domain.Org
}

func (c *collector) sink() *SheetRows {
	quarter := func(r FieldRow, name string) domain.Quarter {
		q, err := domain.ParseQuarter(r.Text(name))
		if err != nil {
			return domain.Quarter{} // blank, or reported by the schema (DV-02)
		}
		return q
	}
	return &SheetRows{Sheet: SheetName, Add: func(r FieldRow) {
		c.orgs = append(c.orgs, domain.Org{
			Code: r.Text("org_code"), Name: r.Text("org_name"), Type: r.Text("org_type"), ParentCode: r.Text("parent_code"),
			ValidFrom: quarter(r, "valid_from"), ValidTo: quarter(r, "valid_to"), SuccessorCode: r.Text("successor_code"),
			ContactEmails: SplitEmails(r.Text("contact_emails")), SourceRow: r.SourceRow,
		})
	}}
}

// SplitEmails splits a contact_emails cell on ";", trimming spaces and
// dropping empty parts.
func SplitEmails(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// JoinEmails is the cell text of a list of addresses.
func JoinEmails(emails []string) string { return strings.Join(emails, "; ") }

func (c *collector) finish(res *validate.Result) (*Registry, *validate.Result, error) {
	// A file-level rejection (not a workbook, template mismatch): the rows
	// are not all there, so checking them against each other says nothing.
	if res.Reason != "" && res.Reason != reason.InvalidData {
		return nil, res, nil
	}
	crossCheck(res, c.orgs)
	if res.Status != validate.Accepted {
		return nil, res, nil
	}
	return &Registry{Orgs: c.orgs}, res, nil
}
