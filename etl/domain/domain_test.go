package domain

import (
	"testing"
	"time"
)

func TestQuarterIndexRoundTrip(t *testing.T) {
	for i := -9; i <= 9000; i++ {
		q := QuarterOf(i)
		if q.Q < 1 || q.Q > 4 || q.Index() != i {
			t.Fatalf("QuarterOf(%d) = %+v, index %d", i, q, q.Index())
		}
	}
	if got := QuarterOf(-1); got != (Quarter{Year: -1, Q: 4}) {
		t.Errorf("QuarterOf(-1) = %+v, want -1-Q4", got)
	}
	q := Quarter{2025, 1}
	if q.Prev() != (Quarter{2024, 4}) || q.Next() != (Quarter{2025, 2}) || q.YearAgo() != (Quarter{2024, 1}) {
		t.Errorf("neighbours of %v: %v %v %v", q, q.Prev(), q.Next(), q.YearAgo())
	}
}

func TestParseQuarter(t *testing.T) {
	q, err := ParseQuarter("2025-Q3")
	if err != nil || q != (Quarter{2025, 3}) || q.String() != "2025-Q3" {
		t.Fatalf("ParseQuarter: %v %v", q, err)
	}
	for _, bad := range []string{"", "2025Q3", "2025-Q5", "2025-Q0", "25-Q1", "2025-q1"} {
		if _, err := ParseQuarter(bad); err == nil {
			t.Errorf("ParseQuarter(%q): no error", bad)
		}
	}
	if (Quarter{}).String() != "" {
		t.Error("zero quarter prints")
	}
}

func TestCalendar(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	q := Quarter{2025, 3}
	if got := q.End(loc); !got.Equal(time.Date(2025, 10, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("End = %v", got)
	}
	due := Deadline(q, 10, loc)
	if !due.Equal(time.Date(2025, 10, 11, 0, 0, 0, 0, loc)) {
		t.Errorf("Deadline = %v", due)
	}
	// The instant itself is late; a nanosecond before is not.
	if !Late(due, q, 10, loc) || Late(due.Add(-time.Nanosecond), q, 10, loc) {
		t.Error("Late disagrees with Deadline at the instant")
	}
	if got := (Quarter{2025, 4}).End(loc); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("Q4 End = %v", got)
	}
	// 30/09 23:30 UTC is already 01/10 in Hanoi: Q3 has ended there.
	now := time.Date(2025, 9, 30, 23, 30, 0, 0, time.UTC)
	if got := LastEnded(now, loc); got != (Quarter{2025, 3}) {
		t.Errorf("LastEnded in ICT = %v", got)
	}
	if got := LastEnded(now, time.UTC); got != (Quarter{2025, 2}) {
		t.Errorf("LastEnded in UTC = %v", got)
	}
}

func TestOrg(t *testing.T) {
	o := Org{Type: "CHI_BO_CO_SO", ValidFrom: Quarter{2024, 2}, ValidTo: Quarter{2025, 1}}
	for q, want := range map[Quarter]bool{{2024, 1}: false, {2024, 2}: true, {2025, 1}: true, {2025, 2}: false} {
		if o.ActiveIn(q) != want {
			t.Errorf("ActiveIn(%v) = %v", q, !want)
		}
	}
	o.ValidTo = Quarter{}
	if !o.ActiveIn(Quarter{2030, 4}) {
		t.Error("open-ended org not active")
	}
	if !o.Reports() || (&Org{Type: "DANG_BO_XA"}).Reports() {
		t.Error("Reports")
	}
}
