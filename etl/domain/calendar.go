package domain

import "time"

// The reporting calendar: when a quarter ends, when its returns are due,
// whether a return was late, and which quarter has last ended. The zone and
// the deadline days are the configuration's (time_zone, deadline_days); the
// callers pass them in. Every package that needs the calendar (the daemon's
// reminders, `returns status`, the console, the digest's lateness figures,
// and the SQL that counts late returns, which is given Deadline's instant)
// reckons with these functions, so that they agree to the instant.

// End is the first instant after quarter q, in loc.
func (q Quarter) End(loc *time.Location) time.Time {
	return time.Date(q.Year, time.Month(3*q.Q+1), 1, 0, 0, 0, 0, loc)
}

// Deadline is the instant from which a return of quarter q is late: the end
// of the day days days after the quarter's last day, in loc. A quarter ending
// 30/09 with 10 days is due on 10/10: returns received on 10/10 (up to
// 23:59:59.999…) are on time, from 11/10 00:00:00 late.
func Deadline(q Quarter, days int, loc *time.Location) time.Time {
	return q.End(loc).AddDate(0, 0, days)
}

// Late reports whether a return of quarter q received at received is late:
// received at or after [Deadline].
func Late(received time.Time, q Quarter, days int, loc *time.Location) bool {
	return !received.Before(Deadline(q, days, loc))
}

// QuarterAt is the quarter that contains the instant t, read in loc.
func QuarterAt(t time.Time, loc *time.Location) Quarter {
	t = t.In(loc)
	return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
}

// LastEnded is the latest quarter that has ended at now, in loc.
func LastEnded(now time.Time, loc *time.Location) Quarter {
	return QuarterAt(now, loc).Prev()
}
