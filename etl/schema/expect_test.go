package schema_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
)

// TestExpectMatchesCheck holds every rule's expect: to its check: over
// random records, the check fails exactly when the value given is outside
// the range the expect: works out. A sum that drifts from the check would
// print a wrong number to the operator.
func TestExpectMatchesCheck(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	tmpl := set.Templates["BCQ-1"]
	var rules []*schema.Rule
	for _, s := range tmpl.Sheets {
		rules = append(rules, s.Rules...)
	}
	rules = append(rules, tmpl.Rules...)
	want := map[string]bool{"TH-01": true, "TH-01b": true, "TH-01c": true, "KN-09": true, "KN-09b": true, "TH-03": true, "TH-03b": true, "TH-03c": true}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, r := range rules {
		if r.Expect == nil {
			continue
		}
		delete(want, r.ID)
		fails := 0
		for range 3000 {
			info := map[string]any{}
			for _, f := range tmpl.KeyValue().Fields {
				if f.Type == schema.TypeInt {
					info[f.Name] = int64(rng.IntN(6))
				}
			}
			if rng.IntN(4) == 0 {
				delete(info, "increase_other") // optional: blank counts as 0
			}
			agg := map[string]int64{}
			for _, a := range tmpl.Aggregates {
				agg[a.Name] = int64(rng.IntN(6))
			}
			// Nudge the given cells into the range now and then, so
			// both outcomes are tried.
			vars := schema.Vars{Info: info, Agg: agg}
			if r.Sheet != "" {
				vars.Row = info
			}
			if rng.IntN(2) == 0 {
				o := r.Expect.Work(vars)
				g := r.Expect.Given[0]
				v := g.Value(vars) + o.Lo + rng.Int64N(o.Hi-o.Lo+1) - o.Given
				if v >= 0 {
					info[g.Name] = v
				}
			}
			ok, err := r.Eval(&vars)
			require.NoError(t, err, r.ID)
			o := r.Expect.Work(vars)
			require.Equal(t, !ok, o.OutOfRange, "%s: check ok=%v but expect gives %d in %d…%d; info %v agg %v", r.ID, ok, o.Given, o.Lo, o.Hi, info, agg)
			if !ok {
				fails++
			}
		}
		require.Positive(t, fails, r.ID)
		require.Less(t, fails, 3000, r.ID)
	}
	require.Empty(t, want, "rules without expect:")
}

// TestExpectFields: the rule's fields are completed with every cell the
// sum reads, the cell pointed at first.
func TestExpectFields(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	th01 := set.Templates["BCQ-1"].Sheet("ThongTin").Rules
	var r *schema.Rule
	for _, x := range th01 {
		if x.ID == "TH-01" {
			r = x
		}
	}
	require.NotNil(t, r)
	require.Equal(t, "members_end_official", r.Fields[0])
	require.ElementsMatch(t, []string{
		"members_end_official", "members_end_probationary", "members_start_official", "members_start_probationary",
		"admitted", "readmitted", "transfer_in_official", "increase_other", "transfer_out_official", "deceased",
		"expelled", "struck_off", "resigned", "decrease_other"}, r.Fields)
	for _, w := range set.Templates["BCQ-1"].Rules {
		switch w.ID {
		case "KN-09":
			require.Equal(t, []string{"admitted"}, w.Fields) // the rows are on KetNap: no cell of ThongTin
		case "TH-01b":
			require.ElementsMatch(t, []string{"members_end_official", "members_start_official", "recognised_official",
				"deceased", "expelled", "struck_off", "resigned", "decrease_other", "increase_other"}, w.Fields)
		}
	}
}

func TestExpectLoadChecks(t *testing.T) {
	t.Parallel()
	const tt = "bcq-1/thongtin.yaml"
	cases := []struct {
		name string
		edit [3]string
		want string
	}{
		{"unknown field", [3]string{tt, "{add: row.admitted,", "{add: row.admited,"},
			`rule "TH-01": expect: sum[2]: "row.admited" names no int field or aggregate here`},
		{"not int", [3]string{tt, "{add: row.admitted,", "{add: row.org_name,"},
			`rule "TH-01": expect: sum[2]: "row.org_name" is a text field (want int)`},
		{"bad scope", [3]string{tt, "{add: row.admitted,", "{add: admitted,"},
			`rule "TH-01": expect: sum[2]: "admitted" names no int field`},
		{"both signs", [3]string{tt, "{add: row.admitted,", "{add: row.admitted, sub: row.readmitted,"},
			`rule "TH-01": expect: sum[2]: both add and sub`},
		{"aggregate unknown", [3]string{"bcq-1.yaml", "{add: agg.ketnap_new,", "{add: agg.ketnap_nw,"},
			`rule "KN-09": expect: sum[0]: "agg.ketnap_nw" names no int field or aggregate here`},
		{"aggregate without label", [3]string{"bcq-1.yaml",
			`{add: agg.ketnap_new, label: {vi: "số dòng ở trang KetNap có Kết nạp lại = K", en: "KetNap rows whose Readmission column is K"}}`,
			`{add: agg.ketnap_new}`},
			`rule "KN-09": expect: sum[0]: label: missing (want vi and en)`},
		{"agg in a sheet rule", [3]string{tt, "{add: row.admitted,", "{add: agg.ketnap_new,"},
			`rule "TH-01": expect: sum[2]: "agg.ketnap_new" names no int field`},
		{"misfiled without en", [3]string{"registry.yaml", `en: "This file is the organisation registry (template DONVI)"`, `en: ""`},
			`registry.yaml: misfiled: message: missing en`},
		{"given subtracted", [3]string{tt, "{add: row.members_end_official,", "{sub: row.members_end_official,"},
			`rule "TH-01": expect: given[0]: given terms are added (use add)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := schema.Load(mapFS(t, c.edit))
			require.ErrorIs(t, err, schema.ErrInvalidSchema)
			require.True(t, strings.Contains(err.Error(), c.want), "%v", err)
		})
	}
}
