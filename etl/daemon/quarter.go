package daemon

import (
	"time"

	"github.com/returns-project/returns/etl/registry"
)

// QuarterEnd is the first instant after quarter q, in loc.
func QuarterEnd(q registry.Quarter, loc *time.Location) time.Time {
	return time.Date(q.Year, time.Month(3*q.Q+1), 1, 0, 0, 0, 0, loc)
}

// Deadline is the instant from which a return of quarter q is late: the
// end of the day days days after the quarter's last day, in loc. A quarter
// ending 30/09 with 10 days is due on 10/10: returns received on 10/10 are
// on time, from 11/10 00:00 late.
func Deadline(q registry.Quarter, days int, loc *time.Location) time.Time {
	return QuarterEnd(q, loc).AddDate(0, 0, days)
}

// LastEnded is the latest quarter that has ended at now, in loc.
func LastEnded(now time.Time, loc *time.Location) registry.Quarter {
	t := now.In(loc)
	cur := registry.Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
	return registry.QuarterOf(cur.Index() - 1)
}
