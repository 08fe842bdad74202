// Package recipients reads, checks and writes the recipients workbook of the
// quarterly digest (template NGUOINHAN, sheet NguoiNhan: one row per manager
// with their e-mail, name, the organisation whose subtree they see, their
// language and whether they are active).
//
// It is laid out and validated like the organisation registry (package
// registry): [Read] runs the same validator as the returns against
// schemas/recipients.yaml (same report, rule ids and cells) and then checks
// what needs more than one row or the registry: the scope organisation
// exists in the current registry (NN-10). [Write] writes the same layout,
// every text cell literal, never a formula.
//
// The package knows nothing of the database; the command line converts
// recipients to the store's rows.
package recipients

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// SheetName is the only sheet of the recipients' template
// ([domain.RecipientsTemplate], schemas/recipients.yaml).
const SheetName = "NguoiNhan"

// RuleScopeUnknown is the cross-check Read adds: scope_org_code names no
// organisation of the registry (E). NN-01 … NN-04 are in the schema.
const RuleScopeUnknown = "NN-10"

// Recipient is one manager who gets the digest.
type Recipient struct {
	Email, Name  string
	ScopeOrgCode string // they see this organisation and everything below it
	Language     string // "vi" or "en"
	Active       bool
	SourceRow    int // row of the workbook it was read from (0 when not read)
}

// List is the recipients of one workbook, in file order.
type List struct {
	Recipients []Recipient
}

// ReadFile validates the recipients workbook at path against the NGUOINHAN
// template of set, then checks every scope against orgExists (the current
// registry; nil skips that check). The List is nil unless the Result is
// accepted. An error means the workbook could not be judged.
func ReadFile(ctx context.Context, path string, set *schema.Set, orgExists func(code string) bool) (*List, *validate.Result, error) {
	c := &collector{}
	res, err := validate.CheckFile(ctx, path, set, validate.Options{Template: domain.RecipientsTemplate, Sink: c.sink()})
	if err != nil {
		return nil, nil, fmt.Errorf("recipients: read %s: %w", path, err)
	}
	return c.finish(res, orgExists)
}

// collector keeps the recipients of the NguoiNhan rows.
type collector struct {
	list []Recipient
}

func (c *collector) sink() *registry.SheetRows {
	return &registry.SheetRows{Sheet: SheetName, Add: func(r registry.FieldRow) {
		c.list = append(c.list, Recipient{Email: strings.TrimSpace(r.Text("email")), Name: r.Text("name"),
			ScopeOrgCode: r.Text("scope_org_code"), Language: r.Text("language"), Active: r.Bool("active"), SourceRow: r.SourceRow})
	}}
}

func (c *collector) finish(res *validate.Result, orgExists func(string) bool) (*List, *validate.Result, error) {
	if res.Reason != "" && res.Reason != reason.InvalidData {
		return nil, res, nil
	}
	if orgExists != nil {
		for _, r := range c.list {
			if r.ScopeOrgCode == "" || orgExists(r.ScopeOrgCode) {
				continue
			}
			cell, col, row := res.Cell(SheetName, "scope_org_code", r.SourceRow)
			res.AddIssue(validate.Issue{Sheet: SheetName, Cell: cell, Row: row, Col: col, Field: "scope_org_code",
				Rule: RuleScopeUnknown, Severity: schema.Error, Value: r.ScopeOrgCode,
				Message: schema.Text{VI: "Mã đơn vị phụ trách không có trong danh sách đơn vị hiện hành.", EN: "The scope organisation is not in the current registry."},
				Hint:    schema.Text{VI: "Sửa mã cho đúng (phân biệt chữ hoa, chữ thường), hoặc nhập danh sách đơn vị có đơn vị này trước.", EN: "Correct the code (it is case-sensitive), or import a registry that has this organisation first."}}, 0)
		}
	}
	if res.Status != validate.Accepted {
		return nil, res, nil
	}
	return &List{Recipients: c.list}, res, nil
}

// Write writes l as a NGUOINHAN workbook in the layout ReadFile expects
// (that of the registry: see [registry.WriteTable]).
func Write(w io.Writer, set *schema.Set, l *List) error {
	err := registry.WriteTable(w, set, domain.RecipientsTemplate, SheetName, len(l.Recipients), func(i int, field string) string {
		r := &l.Recipients[i]
		switch field {
		case "email":
			return r.Email
		case "name":
			return r.Name
		case "scope_org_code":
			return r.ScopeOrgCode
		case "language":
			return r.Language
		case "active":
			if r.Active {
				return "C"
			}
			return "K"
		}
		return ""
	})
	if err != nil {
		return fmt.Errorf("recipients: %w", err)
	}
	return nil
}
