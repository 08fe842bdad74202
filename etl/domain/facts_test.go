package domain

import "testing"

// TestQuarterFromRegistry is what etl/registry tested of its own Quarter
// before it took this one: the registry's cells parse strictly (no
// surrounding space), Next crosses the year, and an organisation is active
// from its first quarter to its last, both included.
func TestQuarterFromRegistry(t *testing.T) {
	for _, bad := range []string{" 2024-Q1", "2024-Q1 ", "24-Q1"} {
		if _, err := ParseQuarter(bad); err == nil {
			t.Errorf("ParseQuarter(%q): no error", bad)
		}
	}
	if got := (Quarter{Year: 2024, Q: 4}).Next(); got != (Quarter{Year: 2025, Q: 1}) {
		t.Errorf("Next of 2024-Q4 = %v", got)
	}
	if (Quarter{Year: 2024, Q: 1}).Index() != 2024*4 {
		t.Error("Index of 2024-Q1")
	}
	o := Org{ValidFrom: Quarter{Year: 2024, Q: 2}, ValidTo: Quarter{Year: 2025, Q: 2}}
	if o.ActiveIn(Quarter{Year: 2024, Q: 1}) || !o.ActiveIn(Quarter{Year: 2025, Q: 2}) || o.ActiveIn(Quarter{Year: 2025, Q: 3}) {
		t.Error("ActiveIn at the ends of the validity")
	}
}
