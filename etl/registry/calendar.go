package registry

import (
	"fmt"
	"time"

	"github.com/returns-project/returns/etl/locale"
)

// The reporting calendar: when a quarter ends, when its returns are due, which
// quarter has last ended, and which quarter a board opens on. The zone and the
// deadline days come from the configuration (time_zone, deadline_days); this
// is their one definition, shared by the daemon, `returns status` and the
// web console.

// End is the first instant after quarter q, in loc.
func (q Quarter) End(loc *time.Location) time.Time {
	return time.Date(q.Year, time.Month(3*q.Q+1), 1, 0, 0, 0, 0, loc)
}

// Deadline is the instant from which a return of quarter q is late: the end
// of the day days days after the quarter's last day, in loc. A quarter ending
// 30/09 with 10 days is due on 10/10: returns received on 10/10 are on time,
// from 11/10 00:00 late.
func Deadline(q Quarter, days int, loc *time.Location) time.Time {
	return q.End(loc).AddDate(0, 0, days)
}

// LastEnded is the latest quarter that has ended at now, in loc.
func LastEnded(now time.Time, loc *time.Location) Quarter {
	t := now.In(loc)
	cur := Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
	return QuarterOf(cur.Index() - 1)
}

// BoardQuarter chooses the quarter a quarter board opens on when none is
// asked for, and says why in lang ("vi" or "en"):
//   - the latest quarter that has ended while its returns are still due (now
//     is before its deadline): that is the quarter being collected;
//   - otherwise the latest quarter any return was decided for (latest, when
//     ok), if it is older: the board then shows data rather than an empty
//     quarter nobody reported for;
//   - otherwise the latest quarter that has ended.
func BoardQuarter(now time.Time, loc *time.Location, deadlineDays int, latest Quarter, ok bool, lang string) (Quarter, string) {
	last := LastEnded(now, loc)
	due := Deadline(last, deadlineDays, loc)
	dueDay := due.Add(-time.Second).In(loc).Format("02/01/2006")
	en := lang == "en"
	name := func(q Quarter) string { return locale.Quarter(lang, q.Year, q.Q) }
	switch {
	case now.Before(due):
		if en {
			return last, fmt.Sprintf("%s: its returns are due by %s", name(last), dueDay)
		}
		return last, fmt.Sprintf("%s: đang trong hạn nộp báo cáo (hạn %s)", name(last), dueDay)
	case ok && latest.Index() < last.Index():
		if en {
			return latest, fmt.Sprintf("%s: the latest quarter with returns (none yet for %s)", name(latest), name(last))
		}
		return latest, fmt.Sprintf("%s: quý gần nhất có báo cáo (%s chưa có báo cáo nào)", name(latest), name(last))
	default:
		if en {
			return last, fmt.Sprintf("%s: the latest quarter that has ended", name(last))
		}
		return last, fmt.Sprintf("%s: quý gần nhất đã kết thúc", name(last))
	}
}
