package cli

import (
	"fmt"
	"time"

	"github.com/returns-project/returns/etl/daemon"
	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/registry"
)

// boardQuarter chooses the quarter `returns status` opens on when none is
// asked for, and says why in lang:
//   - the latest quarter that has ended while its returns are still due
//     (now is before its deadline): that is the quarter being collected;
//   - otherwise the latest quarter any return was decided for (latest, when
//     ok), if it is not older than that: the board then shows data rather
//     than an empty quarter nobody reported for;
//   - otherwise the latest quarter that has ended.
func boardQuarter(now time.Time, loc *time.Location, deadlineDays int, latest int, ok bool, lang string) (registry.Quarter, string) {
	last := daemon.LastEnded(now, loc)
	due := daemon.Deadline(last, deadlineDays, loc)
	name := func(q registry.Quarter) string { return locale.Quarter(lang, q.Year, q.Q) }
	en := lang == "en"
	switch {
	case now.Before(due):
		if en {
			return last, fmt.Sprintf("%s: its returns are due by %s", name(last), due.Add(-time.Second).In(loc).Format("02/01/2006"))
		}
		return last, fmt.Sprintf("%s: đang trong hạn nộp báo cáo (hạn %s)", name(last), due.Add(-time.Second).In(loc).Format("02/01/2006"))
	case ok && latest < last.Index():
		q := registry.QuarterOf(latest)
		if en {
			return q, fmt.Sprintf("%s: the latest quarter with returns (none yet for %s)", name(q), name(last))
		}
		return q, fmt.Sprintf("%s: quý gần nhất có báo cáo (%s chưa có báo cáo nào)", name(q), name(last))
	default:
		if en {
			return last, fmt.Sprintf("%s: the latest quarter that has ended", name(last))
		}
		return last, fmt.Sprintf("%s: quý gần nhất đã kết thúc", name(last))
	}
}
