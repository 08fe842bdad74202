package schema_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
)

func TestAgeMonths(t *testing.T) {
	t.Parallel()
	cases := []struct {
		birth, at time.Time
		want      int
	}{
		{d(2007, 9, 2), d(2025, 9, 2), 216},
		{d(2007, 9, 3), d(2025, 9, 2), 215},
		{d(2007, 1, 31), d(2007, 2, 28), 1}, // last day of a shorter month completes it
		{d(2008, 1, 31), d(2008, 2, 28), 0}, // 2008 is a leap year: not yet
		{d(2008, 1, 31), d(2008, 2, 29), 1},
		{d(2000, 5, 15), d(2000, 5, 15), 0},
		{d(2000, 5, 15), d(2000, 4, 15), -1},
	}
	for _, c := range cases {
		require.Equal(t, c.want, schema.AgeMonths(c.birth, c.at), "%v %v", c.birth, c.at)
	}
}

func TestAddMonths(t *testing.T) {
	t.Parallel()
	require.Equal(t, d(2025, 2, 28), schema.AddMonths(d(2025, 1, 31), 1))
	require.Equal(t, d(2024, 2, 29), schema.AddMonths(d(2024, 1, 31), 1))
	require.Equal(t, d(2026, 8, 12), schema.AddMonths(d(2025, 8, 12), 12))
	require.Equal(t, d(2024, 12, 31), schema.AddMonths(d(2025, 3, 31), -3))
	require.Equal(t, d(2025, 8, 12), schema.AddMonths(d(2025, 8, 12).Add(13*time.Hour), 0))
}

func TestAddWorkingDays(t *testing.T) {
	t.Parallel()
	// 2025-09-05 is a Friday.
	require.Equal(t, d(2025, 9, 8), schema.AddWorkingDays(d(2025, 9, 5), 1))
	require.Equal(t, d(2025, 9, 12), schema.AddWorkingDays(d(2025, 9, 5), 5))
	require.Equal(t, d(2025, 9, 4), schema.AddWorkingDays(d(2025, 9, 5), -1))
	require.Equal(t, d(2025, 9, 5), schema.AddWorkingDays(d(2025, 9, 8), -1))
	require.Equal(t, d(2025, 9, 8), schema.AddWorkingDays(d(2025, 9, 6), 1)) // from a Saturday
	require.Equal(t, d(2025, 10, 14), schema.AddWorkingDays(d(2025, 9, 2), 30))
	// Against a day-by-day count.
	for start := d(2025, 1, 1); start.Before(d(2025, 1, 15)); start = start.AddDate(0, 0, 1) {
		for n := -40; n <= 40; n++ {
			want := start
			step, k := 1, n
			if k < 0 {
				step, k = -1, -k
			}
			for k > 0 {
				want = want.AddDate(0, 0, step)
				if want.Weekday() != time.Saturday && want.Weekday() != time.Sunday {
					k--
				}
			}
			require.Equal(t, want, schema.AddWorkingDays(start, n), "%v %+d", start, n)
		}
	}
}

func TestDaysBetween(t *testing.T) {
	t.Parallel()
	require.Equal(t, 0, schema.DaysBetween(d(2025, 7, 1), d(2025, 7, 1)))
	require.Equal(t, 5, schema.DaysBetween(d(2025, 6, 26), d(2025, 7, 1)))
	require.Equal(t, -92, schema.DaysBetween(d(2025, 10, 1), d(2025, 7, 1)))
	require.Equal(t, 1, schema.DaysBetween(d(1969, 12, 31), d(1970, 1, 1)))
}

func TestNewPeriod(t *testing.T) {
	t.Parallel()
	p := schema.NewPeriod(2025, 3)
	require.Equal(t, d(2025, 7, 1), p.Start)
	require.Equal(t, d(2025, 9, 30), p.End)
	p = schema.NewPeriod(2024, 1)
	require.Equal(t, d(2024, 3, 31), p.End)
	p = schema.NewPeriod(2025, 4)
	require.Equal(t, d(2025, 12, 31), p.End)
}

func TestEvalDetails(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	kn := set.Templates["BCQ-1"].Sheet("KetNap")
	var kn01 *schema.Rule
	for _, r := range kn.Rules {
		if r.ID == "KN-01" {
			kn01 = r
		}
	}
	// A value of the wrong Go type is an evaluation error naming the rule.
	_, err := kn01.Eval(&schema.Vars{Row: map[string]any{"birth_date": "14/03/2001", "decision_date": d(2025, 9, 2)}, Period: q3})
	require.ErrorContains(t, err, "rule KN-01")
	// When false: ok.
	ok, err := kn01.Eval(&schema.Vars{Row: map[string]any{}, Period: q3})
	require.NoError(t, err)
	require.True(t, ok)
	// Context variant.
	rv := rowVars(ketnapRow())
	ok, err = kn01.EvalContext(context.Background(), &rv)
	require.NoError(t, err)
	require.True(t, ok)
	// fold() is available to rules.
	c := schema.Rule{ID: "X", Check: "fold(row.full_name) == 'nguyenvanmau'"}
	_ = c // compiled only through Load; covered by the load checks
}

// BenchmarkRowRules evaluates every KetNap rule (and required_when) over one
// typical row, as the validator does for each row.
func BenchmarkRowRules(b *testing.B) {
	set := sharedtest.Schemas(b)
	kn := set.Templates["BCQ-1"].Sheet("KetNap")
	row := ketnapRow()
	info := infoRow()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		vars := schema.Vars{Row: row, Info: info, Period: q3, Now: now0}
		for _, r := range kn.Rules {
			ok, err := r.Eval(&vars)
			if err != nil || !ok {
				b.Fatal(r.ID, ok, err)
			}
		}
	}
	b.ReportMetric(float64(len(kn.Rules)), "rules/row")
}

// BenchmarkRowRulesAllSheets evaluates every row rule of the four table
// sheets over one typical row each.
func BenchmarkRowRulesAllSheets(b *testing.B) {
	set := sharedtest.Schemas(b)
	tmpl := set.Templates["BCQ-1"]
	rowsBy := map[string]map[string]any{"KetNap": ketnapRow(), "ChuyenSinhHoat": transferRow(), "GiamSat": supervisionRow(), "KyLuat": disciplineRow()}
	info := infoRow()
	b.ReportAllocs()
	for b.Loop() {
		for name, row := range rowsBy {
			vars := schema.Vars{Row: row, Info: info, Period: q3, Now: now0}
			for _, r := range tmpl.Sheet(name).Rules {
				if _, err := r.Eval(&vars); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

func TestLookupHandMade(t *testing.T) {
	t.Parallel()
	cl := &schema.CodeList{ID: "x", Codes: []schema.Code{{Code: "CT", Label: schema.Text{VI: "Chính thức", EN: "Full"}}}}
	got, ok := cl.Lookup("chinh thuc")
	require.True(t, ok)
	require.Equal(t, "CT", got)
	_, ok = cl.Lookup("")
	require.False(t, ok)
}
