package intake

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
)

// TestDBFindings judges the rules that need the database on facts given as
// plain values (dbrules_test.go runs them end to end).
func TestDBFindings(t *testing.T) {
	t.Parallel()
	day := func(d, m, y int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	now := day(15, 6, 2025)
	q := domain.Quarter{Year: 2025, Q: 2}
	me := store.Summary{OrgName: "Chi bộ Mẫu", ParentCode: "P1", StartOfficial: 10, StartProbationary: 2,
		EndOfficial: 12, EndProbationary: 1, Admitted: 1}
	clean := func() *store.RuleFacts {
		return &store.RuleFacts{Org: "C1", Quarter: q, Registry: true,
			Entry:    &domain.Org{Code: "C1", Name: "chi bo  mau", ParentCode: "P1", ValidFrom: domain.Quarter{Year: 2020, Q: 1}},
			Summary:  me,
			Previous: &store.PreviousEnd{Official: 10, Probationary: 2},
			Children: &store.Children{}}
	}
	rules := func(fs []finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Rule+" "+f.Severity+" "+f.Field+" "+f.Value+" "+f.Expected+" "+f.Other)
		}
		return out
	}
	require.Empty(t, dbFindings(clean(), now), "consistent facts; the name compares folded")
	require.Empty(t, dbFindings(nil, now), "no submission")

	f := clean()
	f.Registry, f.Entry, f.Children = false, nil, nil
	require.Equal(t, []string{"TH-07R warning org_code C1  "}, rules(dbFindings(f, now)))

	f = clean()
	f.Entry = nil
	require.Equal(t, []string{"TH-07 error org_code C1  "}, rules(dbFindings(f, now)))

	f = clean()
	f.Entry.ValidTo, f.Entry.ParentCode, f.Entry.Name = domain.Quarter{Year: 2025, Q: 1}, "P2", "Chi bộ Khác"
	require.Equal(t, []string{"TH-07 error org_code C1 2020-Q1 – 2025-Q1 ", "TH-07 error parent_code P1 P2 ",
		"TH-07W warning org_name Chi bộ Mẫu Chi bộ Khác "}, rules(dbFindings(f, now)))
	f.Entry.ValidFrom, f.Entry.ValidTo, f.Entry.ParentCode, f.Entry.Name = domain.Quarter{Year: 2025, Q: 3}, domain.Quarter{}, "P1", me.OrgName
	require.Equal(t, []string{"TH-07 error org_code C1 2025-Q3 – "}, rules(dbFindings(f, now)), "not yet active; open-ended")

	f = clean()
	f.Previous = &store.PreviousEnd{Official: 11, Probationary: 2}
	require.Equal(t, []string{"TH-02 error members_start_official 10 11 2025-Q1"}, rules(dbFindings(f, now)))
	f.Previous.Merged = []string{"A", "B"}
	require.Equal(t, []string{"TH-02 warning members_start_official 10 11 [A B] 2025-Q1"}, rules(dbFindings(f, now)))

	f = clean()
	f.Children = &store.Children{Count: 2, Reported: 2, EndOfficial: 12, EndProbationary: 1, Admitted: 3}
	require.Equal(t, []string{"TH-04 warning admitted 1 3 2"}, rules(dbFindings(f, now)))
	f.Children.Reported = 1
	require.Empty(t, dbFindings(f, now), "a child has not reported yet")

	f = clean()
	f.Earlier = []store.EarlierAdmission{{Row: 3, Name: "Nguyễn Văn Mẫu", Org: "C9", Quarter: domain.Quarter{Year: 2024, Q: 4}, OtherRow: 7}}
	require.Equal(t, []string{"KN-08 warning full_name Nguyễn Văn Mẫu  C9 2024-Q4 (dòng/row 7)"}, rules(dbFindings(f, now)))

	f = clean()
	f.Transfers = []store.TransferLetter{
		{Row: 3, Counterpart: "X", Event: day(1, 4, 2025)},                                                                                      // not in the registry
		{Row: 4, Counterpart: "C2", Event: day(1, 4, 2025), Known: true, CounterpartReported: true},                                             // 75 days, no match
		{Row: 5, Counterpart: "C2", Event: day(20, 5, 2025), Known: true, CounterpartReported: true},                                            // 26 days: not yet
		{Row: 6, Counterpart: "C2", Event: day(1, 4, 2025), Known: true},                                                                        // the other side not in yet
		{Row: 7, Counterpart: "C2", Event: day(1, 4, 2025), Known: true, Match: &store.TransferMatch{Org: "C2", Row: 9, Date: day(2, 5, 2025)}}, // 31 days apart
		{Row: 8, Counterpart: "C2", Event: day(2, 5, 2025), Known: true, Match: &store.TransferMatch{Org: "C2", Row: 9, Date: day(2, 4, 2025)}}, // 30 days apart
	}
	require.Equal(t, []string{"CS-07 warning counterpart_org_code X  ", "CS-07 warning event_date 01/04/2025  C2",
		"CS-03 warning event_date 01/04/2025 02/05/2025 C2 (dòng/row 9)"}, rules(dbFindings(f, now)))
}
