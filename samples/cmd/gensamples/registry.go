package main

import (
	"bytes"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/samples/generate"
	"github.com/returns-project/returns/schemas"
)

// RegistryOf is the province's organisation registry as a DONVI workbook
// holds it: every organisation of p.Orgs (the province committee, the
// committees above grassroots, the grassroots organisations and the đảng bộ
// bộ phận), with its validity quarters, the successor of the 2025 merger and
// its contact e-mails (the committees above grassroots have two). Cells (chi
// bộ trực thuộc) are not listed: they are not reporting organisations. The
// province committee, DANG_BO_TINH in the generator, is a
// DANG_BO_CAP_TREN_CS with no parent, as the org_type code list has it.
func RegistryOf(p *generate.Province) *registry.Registry {
	quarter := func(d time.Time) domain.Quarter {
		if d.IsZero() {
			return domain.Quarter{}
		}
		return domain.Quarter{Year: d.Year(), Q: (int(d.Month())-1)/3 + 1}
	}
	reg := &registry.Registry{}
	for _, o := range p.Orgs {
		typ := o.Type
		if typ == generate.OrgTypeProvince {
			typ = generate.OrgTypeDangBoCapTren
		}
		emails := []string{o.Email}
		if typ == generate.OrgTypeDangBoCapTren {
			emails = append(emails, strings.Replace(o.Email, "vanphong@", "bantochuc@", 1))
		}
		reg.Orgs = append(reg.Orgs, domain.Org{Code: o.Code, Name: o.Name, Type: typ, ParentCode: o.ParentCode,
			ValidFrom: quarter(o.ValidFrom), ValidTo: quarter(o.ValidTo), SuccessorCode: o.Successor, ContactEmails: emails})
	}
	return reg
}

// brokenRegistry is a registry sample that must be rejected.
type brokenRegistry struct {
	name  string
	what  string
	rules []string
	edit  func(r *registry.Registry)
}

func brokenRegistries() []brokenRegistry {
	find := func(r *registry.Registry, code string) *domain.Org {
		o := r.Org(code)
		if o == nil {
			panic("registry: no organisation " + code)
		}
		return o
	}
	return []brokenRegistry{
		{name: "bad_parent.xlsx", rules: []string{registry.RuleParentMissing},
			what: "GD-KCQ-001's parent_code is GD-KCQ-999, which is not in the registry",
			edit: func(r *registry.Registry) { find(r, "GD-KCQ-001").ParentCode = "GD-KCQ-999" }},
		{name: "cycle.xlsx", rules: []string{registry.RuleParentCycle},
			what: "GD-KCQ's parent is its own child GD-KCQ-001: GD-KCQ → GD-KCQ-001 → GD-KCQ",
			edit: func(r *registry.Registry) { find(r, "GD-KCQ").ParentCode = "GD-KCQ-001" }},
		{name: "duplicate_code.xlsx", rules: []string{"DV-01"},
			what: "GD-KCQ-002 renamed GD-KCQ-001: the code is on two rows",
			edit: func(r *registry.Registry) { find(r, "GD-KCQ-002").Code = "GD-KCQ-001" }},
		{name: "bad_quarter_email.xlsx", rules: []string{"DV-02", "DV-06"},
			what: "GD-TPG valid_from 2020-Q5; GD-KDN's second e-mail is \"bantochuc at gd-kdn\"",
			edit: func(r *registry.Registry) {
				find(r, "GD-TPG").ValidFrom = domain.Quarter{Year: 2020, Q: 5}
				find(r, "GD-KDN").ContactEmails[1] = "bantochuc at gd-kdn"
			}},
		{name: "successor_missing.xlsx", rules: []string{registry.RuleSuccessorMissing},
			what: "the merged " + generate.MergedA + " names successor GD-HSG-099, which is not in the registry",
			edit: func(r *registry.Registry) { find(r, generate.MergedA).SuccessorCode = "GD-HSG-099" }},
	}
}

// writeRegistryWorkbooks writes <out>/registry.xlsx and the rejected
// registries under <out>/broken/registry/ with their expected.json and README.md.
func writeRegistryWorkbooks(p *generate.Province, out string) error {
	set, err := schema.Load(schemas.FS)
	if err != nil {
		return err
	}
	write := func(path string, reg *registry.Registry) error {
		var buf bytes.Buffer
		if err := registry.Write(&buf, set, reg); err != nil {
			return err
		}
		return writeFile(path, buf.Bytes())
	}
	if err := write(filepath.Join(out, "registry.xlsx"), RegistryOf(p)); err != nil {
		return err
	}
	dir := filepath.Join(out, "broken", "registry")
	expected := map[string]Expect{}
	for _, b := range brokenRegistries() {
		reg := RegistryOf(p)
		b.edit(reg)
		if err := write(filepath.Join(dir, b.name), reg); err != nil {
			return err
		}
		expected[b.name] = Expect{Reason: "INVALID_DATA", Rules: b.rules, What: b.what}
	}
	if err := writeJSON(filepath.Join(dir, "expected.json"), expected); err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(expected))
	var sb strings.Builder
	sb.WriteString("# Rejected registry samples\n\nWritten by `go run ./samples/cmd/gensamples -out samples -seed 1`. Each file is `samples/registry.xlsx` " +
		"(the fictional province's organisation registry, template DONVI) with one thing broken; `returns registry import` must reject it. " +
		"They are not BCQ-1 returns: `returns validate` would call them TEMPLATE_MISMATCH. `expected.json` holds the same table for tests.\n\n" +
		"| file | reason | rules | what |\n|---|---|---|---|\n")
	for _, n := range names {
		e := expected[n]
		fmt.Fprintf(&sb, "| `%s` | %s | %s | %s |\n", n, e.Reason, strings.Join(e.Rules, ", "), strings.ReplaceAll(e.What, "|", "\\|"))
	}
	return writeFile(filepath.Join(dir, "README.md"), []byte(sb.String()))
}
