package daemon

import (
	"time"

	"github.com/returns-project/returns/etl/registry"
)

// QuarterEnd is the first instant after quarter q, in loc (registry's
// calendar, [registry.Quarter.End]).
func QuarterEnd(q registry.Quarter, loc *time.Location) time.Time { return q.End(loc) }

// Deadline is [registry.Deadline]: the instant from which a return of q is late.
func Deadline(q registry.Quarter, days int, loc *time.Location) time.Time {
	return registry.Deadline(q, days, loc)
}

// LastEnded is [registry.LastEnded]: the latest quarter that has ended at now.
func LastEnded(now time.Time, loc *time.Location) registry.Quarter {
	return registry.LastEnded(now, loc)
}
