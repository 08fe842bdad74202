package registry_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/sharedtest"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/registry"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/template"
	"github.com/returns-project/returns/etl/validate"
	"github.com/returns-project/returns/samples/generate"
)

// fromProvince is the fictional province's registry (as gensamples writes
// samples/registry.xlsx): every organisation but the cells, the province
// committee as a committee above grassroots with no parent.
func fromProvince(p *generate.Province) *registry.Registry {
	reg := &registry.Registry{}
	for _, o := range p.Orgs {
		typ := o.Type
		if typ == generate.OrgTypeProvince {
			typ = generate.OrgTypeDangBoCapTren
		}
		ro := domain.Org{Code: o.Code, Name: o.Name, Type: typ, ParentCode: o.ParentCode,
			ValidFrom:     domain.Quarter{Year: o.ValidFrom.Year(), Q: (int(o.ValidFrom.Month())-1)/3 + 1},
			SuccessorCode: o.Successor, ContactEmails: []string{o.Email}}
		if !o.ValidTo.IsZero() {
			ro.ValidTo = domain.Quarter{Year: o.ValidTo.Year(), Q: (int(o.ValidTo.Month())-1)/3 + 1}
		}
		reg.Orgs = append(reg.Orgs, ro)
	}
	return reg
}

func write(t *testing.T, set *schema.Set, reg *registry.Registry) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, registry.Write(&buf, set, reg))
	return buf.Bytes()
}

func read(t *testing.T, set *schema.Set, b []byte) (*registry.Registry, *validate.Result) {
	t.Helper()
	reg, res, err := registry.Read(context.Background(), bytes.NewReader(b), int64(len(b)), set)
	require.NoError(t, err)
	return reg, res
}

// withoutRows drops SourceRow, which Write does not carry.
func withoutRows(reg *registry.Registry) []domain.Org {
	out := make([]domain.Org, len(reg.Orgs))
	for i, o := range reg.Orgs {
		o.SourceRow = 0
		out[i] = o
	}
	return out
}

// rulesOf maps each rule id of res to its issues as "severity cell".
func rulesOf(res *validate.Result) map[string][]string {
	m := map[string][]string{}
	for _, is := range res.Issues {
		m[is.Rule] = append(m[is.Rule], string(is.Severity)+" "+is.Cell)
	}
	return m
}

func TestProvinceRoundTrip(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	want := fromProvince(generate.Generate(1))
	got, res := read(t, set, write(t, set, want))
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	require.Zero(t, res.Warnings, "%+v", res.Issues)
	require.Equal(t, domain.RegistryTemplate, res.Template)
	require.NotNil(t, got)
	require.Equal(t, want.Orgs, withoutRows(got))
	require.Equal(t, 3, got.Orgs[0].SourceRow)
	require.Equal(t, len(want.Orgs), res.Rows[registry.SheetName])
	succ := got.Org(generate.Successor)
	require.NotNil(t, succ)
	require.Equal(t, domain.Quarter{Year: 2025, Q: 3}, succ.ValidFrom)
	require.Equal(t, generate.Successor, got.Org(generate.MergedA).SuccessorCode)
	require.Equal(t, domain.Quarter{Year: 2025, Q: 2}, got.Org(generate.MergedA).ValidTo)
}

// TestEmptyRegistry: an empty registry, and the blank DONVI workbook that
// `returns template --template DONVI` writes, read as no organisations.
func TestEmptyRegistry(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	got, res := read(t, set, write(t, set, &registry.Registry{}))
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	require.Empty(t, got.Orgs)

	var buf bytes.Buffer
	require.NoError(t, template.Write(&buf, set, set.Templates[domain.RegistryTemplate], template.Options{}))
	got, res = read(t, set, buf.Bytes())
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	require.Empty(t, got.Orgs)
}

func TestRejected(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	base := fromProvince(generate.Generate(1))
	cases := []struct {
		name   string
		edit   func(r *registry.Registry)
		rule   string
		cell   string // "" when not checked
		reason reason.Code
	}{
		{"bad parent", func(r *registry.Registry) { r.Orgs[5].ParentCode = "GD-XXX" }, "DV-10", "D8", reason.InvalidData},
		{"cycle", func(r *registry.Registry) {
			// GD-KCQ's parent becomes one of its own children.
			r.Orgs[1].ParentCode = r.Orgs[5].Code
			require.Equal(t, r.Orgs[1].Code, r.Orgs[5].ParentCode)
		}, "DV-11", "D4", reason.InvalidData},
		{"duplicate code", func(r *registry.Registry) { r.Orgs[6].Code = r.Orgs[5].Code }, "DV-01", "A9", reason.InvalidData},
		{"duplicate code folded", func(r *registry.Registry) { r.Orgs[6].Code = strings.ToLower(r.Orgs[5].Code) }, "DV-01", "A9", reason.InvalidData},
		{"bad quarter", func(r *registry.Registry) { r.Orgs[3].ValidFrom = domain.Quarter{Year: 2024, Q: 5} }, "DV-02", "E6", reason.InvalidData},
		{"valid_to before valid_from", func(r *registry.Registry) { r.Orgs[3].ValidTo = domain.Quarter{Year: 2019, Q: 1} }, "DV-03", "F6", reason.InvalidData},
		{"own parent", func(r *registry.Registry) { r.Orgs[3].ParentCode = r.Orgs[3].Code }, "DV-04", "D6", reason.InvalidData},
		{"successor while active", func(r *registry.Registry) { r.Orgs[3].SuccessorCode = r.Orgs[4].Code }, "DV-05", "G6", reason.InvalidData},
		{"bad email", func(r *registry.Registry) { r.Orgs[3].ContactEmails = []string{"ok@gd.example", "not an address"} }, "DV-06", "H6", reason.InvalidData},
		{"bad code", func(r *registry.Registry) { r.Orgs[3].Code = "GD KCQ" }, "DV-07", "A6", reason.InvalidData},
		{"no parent", func(r *registry.Registry) { r.Orgs[5].ParentCode = "" }, "DV-08", "D8", reason.InvalidData},
		{"root of the wrong type", func(r *registry.Registry) { r.Orgs[0].Type = "DANG_BO_CO_SO" }, "DV-08", "D3", reason.InvalidData},
		{"bad type", func(r *registry.Registry) { r.Orgs[3].Type = "CHI_BO" }, "DV-09", "C6", reason.InvalidData},
		{"missing successor", func(r *registry.Registry) {
			o := r.Org(generate.MergedA)
			o.SuccessorCode = "GD-HSG-099"
		}, "DV-12", "", reason.InvalidData},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := &registry.Registry{Orgs: append([]domain.Org(nil), base.Orgs...)}
			tc.edit(reg)
			got, res := read(t, set, write(t, set, reg))
			require.Nil(t, got)
			require.Equal(t, validate.Rejected, res.Status)
			require.Equal(t, tc.reason, res.Reason)
			rules := rulesOf(res)
			require.Contains(t, rules, tc.rule, "%+v", res.Issues)
			if tc.cell != "" {
				require.Contains(t, rules[tc.rule], "error "+tc.cell, "%+v", res.Issues)
			}
			for _, is := range res.Issues {
				require.NotEmpty(t, is.Message.VI)
				require.NotEmpty(t, is.Message.EN)
				require.NotEmpty(t, is.Hint.VI)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	base := fromProvince(generate.Generate(1))

	// The successor starts a quarter late: a gap.
	reg := &registry.Registry{Orgs: append([]domain.Org(nil), base.Orgs...)}
	reg.Org(generate.Successor).ValidFrom = domain.Quarter{Year: 2025, Q: 4}
	got, res := read(t, set, write(t, set, reg))
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	require.NotNil(t, got)
	require.Contains(t, rulesOf(res), registry.RuleSuccessorStart)

	// An active organisation under a parent that has ended.
	reg = &registry.Registry{Orgs: append([]domain.Org(nil), base.Orgs...)}
	require.Equal(t, reg.Orgs[1].Code, reg.Orgs[5].ParentCode)
	reg.Orgs[1].ValidTo = domain.Quarter{Year: 2025, Q: 2}
	got, res = read(t, set, write(t, set, reg))
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	require.NotNil(t, got)
	require.Contains(t, rulesOf(res)[registry.RuleParentInactive], "warning D8")
}

func TestNotAWorkbook(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	got, res := read(t, set, []byte("org_code;org_name\n"))
	require.Nil(t, got)
	require.Equal(t, reason.NotXLSX, res.Reason)
}

// TestFormulaInjectionStaysText: names that start like formulas are written
// as string cells with the quote-prefix style, never as formulas, and read
// back as the same text.
func TestFormulaInjectionStaysText(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	payloads := []string{`=HYPERLINK("http://evil.example","x")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "=1+1"}
	reg := &registry.Registry{}
	for i, p := range payloads {
		reg.Orgs = append(reg.Orgs, domain.Org{Code: "X" + string(rune('A'+i)), Name: p, Type: "DANG_BO_CAP_TREN_CS",
			ValidFrom: domain.Quarter{Year: 2024, Q: 1}})
	}
	b := write(t, set, reg)

	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	part := func(name string) string {
		for _, f := range zr.File {
			if f.Name == name {
				rc, err := f.Open()
				require.NoError(t, err)
				defer rc.Close()
				data, err := io.ReadAll(rc)
				require.NoError(t, err)
				return string(data)
			}
		}
		t.Fatalf("no part %s", name)
		return ""
	}
	sheet := part("xl/worksheets/sheet1.xml")
	require.NotContains(t, sheet, "<f>")
	require.NotContains(t, sheet, "<f ")
	// The name cells (column B, rows 3…) are strings with the quote-prefix style.
	styles := part("xl/styles.xml")
	xfs := regexp.MustCompile(`(?s)<cellXfs[^>]*>(.*?)</cellXfs>`).FindStringSubmatch(styles)
	require.NotNil(t, xfs)
	xfList := regexp.MustCompile(`<xf [^>]*>`).FindAllString(xfs[1], -1)
	cellRE := regexp.MustCompile(`<c r="B(\d+)"([^>]*)>`)
	found := 0
	for _, m := range cellRE.FindAllStringSubmatch(sheet, -1) {
		if m[1] == "1" || m[1] == "2" {
			continue
		}
		found++
		attrs := m[2]
		require.Regexp(t, `t="(s|str|inlineStr)"`, attrs, "a string cell")
		sm := regexp.MustCompile(`s="(\d+)"`).FindStringSubmatch(attrs)
		require.NotNil(t, sm, attrs)
		var idx int
		for _, c := range sm[1] {
			idx = idx*10 + int(c-'0')
		}
		require.Less(t, idx, len(xfList))
		require.Regexp(t, `quotePrefix="(1|true)"`, xfList[idx])
	}
	require.Equal(t, len(payloads), found)
	// The texts are stored as written (shared strings), payload first.
	sst := part("xl/sharedStrings.xml")
	for _, p := range payloads {
		require.Contains(t, sst, "<t>"+xmlEscape(p)+"</t>")
	}

	got, res := read(t, set, b)
	require.Equal(t, validate.Accepted, res.Status, "%+v", res.Issues)
	for i, p := range payloads {
		require.Equal(t, p, got.Orgs[i].Name)
	}
}

// xmlEscape escapes s as excelize (encoding/xml) writes text.
func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func TestFormulaLike(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"=1", "+1", "-1", "@x", "\tx", "\rx"} {
		require.True(t, registry.FormulaLike(s), "%q", s)
	}
	for _, s := range []string{"", "Đảng bộ", "1=1", " =1"} {
		require.False(t, registry.FormulaLike(s), "%q", s)
	}
}

func TestUnknownTemplate(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	delete(set.Templates, domain.RegistryTemplate)
	_, _, err := registry.Read(context.Background(), bytes.NewReader(nil), 0, set)
	require.ErrorIs(t, err, validate.ErrUnknownTemplate)
	require.Error(t, registry.Write(io.Discard, set, &registry.Registry{}))
}
