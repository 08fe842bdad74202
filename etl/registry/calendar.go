package registry

import (
	"fmt"
	"time"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/locale"
)

// BoardQuarter chooses the quarter a quarter board opens on when none is
// asked for, and says why in lang ("vi" or "en"), on the reporting calendar
// of etl/domain (zone loc and deadlineDays: the configuration's):
//   - the latest quarter that has ended while its returns are still due (now
//     is before its deadline): that is the quarter being collected;
//   - otherwise the latest quarter any return was decided for (latest, when
//     ok), if it is older: the board then shows data rather than an empty
//     quarter nobody reported for;
//   - otherwise the latest quarter that has ended.
func BoardQuarter(now time.Time, loc *time.Location, deadlineDays int, latest domain.Quarter, ok bool, lang string) (domain.Quarter, string) {
	last := domain.LastEnded(now, loc)
	due := domain.Deadline(last, deadlineDays, loc)
	dueDay := due.Add(-time.Second).In(loc).Format("02/01/2006")
	en := lang == "en"
	name := func(q domain.Quarter) string { return locale.Quarter(lang, q.Year, q.Q) }
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
