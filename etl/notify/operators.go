package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/mail/outmail"
	"github.com/returns-project/returns/etl/reason"
)

// Quarantined is an inbox entry moved to quarantine/ without being opened.
type Quarantined struct {
	// Name is its cleaned name, as it is in quarantine/.
	Name string
	// Reason is its quarantine code (SYMLINK, SPECIAL_FILE, HARDLINK,
	// BAD_NAME, TOO_LARGE).
	Reason reason.Code
	// Org is the organisation its folder or name points to ("" for none).
	Org string
	// At is when it was quarantined, shown in Zone (the configuration's
	// time_zone; required).
	At   time.Time
	Zone *time.Location
	// Operators is set when the mail goes to the operators (no
	// organisation could be found).
	Operators bool
}

// QuarantineMail tells to that an entry was quarantined, why and what to
// do, Vietnamese first.
func QuarantineMail(q Quarantined, to []string) (outmail.Mail, error) {
	if q.Zone == nil {
		return outmail.Mail{}, fmt.Errorf("notify: no zone to show times in (Quarantined.Zone)")
	}
	var b strings.Builder
	if q.Operators {
		b.WriteString("Kính gửi quản trị viên,\n\nKhông xác định được đơn vị đã gửi mục này; đề nghị chuyển thư cho đơn vị đã gửi.\n\n")
	} else {
		fmt.Fprintf(&b, "Kính gửi đơn vị %s,\n\n", q.Org)
	}
	fmt.Fprintf(&b, "Mục \"%s\" đặt vào thư mục nhận lúc %s không được mở và đã được chuyển vào thư mục cách ly (%s).\n",
		q.Name, locale.DateTime(q.At, q.Zone), q.Reason)
	fmt.Fprintf(&b, "Lý do: %s\nViệc cần làm: %s\n\n", q.Reason.Title("vi"), q.Reason.Fix("vi"))
	fmt.Fprintf(&b, "--\nEnglish: the entry \"%s\" was quarantined unopened (%s): %s %s\n", q.Name, q.Reason, q.Reason.Title("en"), q.Reason.Fix("en"))
	b.WriteString("Thư này được gửi tự động; vui lòng không trả lời. / This mail is automatic; please do not reply.\n")
	who := q.Org
	if who == "" {
		who = "Chưa rõ đơn vị"
	}
	return outmail.Mail{
		Kind:      "quarantine",
		DedupeKey: fmt.Sprintf("quarantine:%s:%s:%d", q.Reason, q.Name, q.At.UnixNano()),
		To:        to,
		Subject:   fmt.Sprintf("[Returns] %s · Tệp bị cách ly: %s", who, q.Reason),
		Text:      b.String(),
	}, nil
}

// DayCounts are the files decided in one day.
type DayCounts struct {
	Received, Loaded, Duplicates, Rejected, Quarantined, Unanswered, Unattributed int
}

// AttentionLine is one file of the daily summary that needs a person.
type AttentionLine struct {
	Name    string
	Outcome string // rejected, quarantined, …
	Reason  reason.Code
	Org     string
	At      time.Time
}

// MaxAttention is how many files needing attention the daily summary lists.
const MaxAttention = 20

// DailySummary is the operators' short daily mail: the files received,
// loaded, rejected, quarantined and unanswered in the day that starts at
// day, with the files that need a person. Times are shown in day's zone
// (the day is midnight to midnight there).
func DailySummary(day time.Time, c DayCounts, attention []AttentionLine, to []string) outmail.Mail {
	n := func(v int) string { return locale.Int("vi", int64(v)) }
	var b strings.Builder
	fmt.Fprintf(&b, "Kính gửi quản trị viên,\n\nTình hình nhận báo cáo ngày %s:\n", locale.Date(day))
	fmt.Fprintf(&b, "- Tệp đã nhận: %s\n- Đã nạp: %s\n- Trùng (không nạp lại): %s\n- Bị từ chối: %s\n- Bị cách ly: %s\n- Chưa báo được cho ai: %s\n- Không xác định được đơn vị: %s\n",
		n(c.Received), n(c.Loaded), n(c.Duplicates), n(c.Rejected), n(c.Quarantined), n(c.Unanswered), n(c.Unattributed))
	if len(attention) > 0 {
		b.WriteString("\nCác tệp cần xử lý:\n")
		for i, a := range attention {
			if i == MaxAttention {
				fmt.Fprintf(&b, "… và %s tệp khác (xem lệnh returns status).\n", n(len(attention)-MaxAttention))
				break
			}
			org := a.Org
			if org == "" {
				org = "chưa rõ đơn vị"
			}
			fmt.Fprintf(&b, "- %s · %s · %s · %s\n", locale.DateTime(a.At, day.Location()), clip(a.Name, 80), org, a.Reason.Title("vi"))
		}
	}
	fmt.Fprintf(&b, "\n--\nEnglish: %s: %d received, %d loaded, %d duplicates, %d rejected, %d quarantined, %d unanswered, %d unattributed.\n",
		day.Format("2006-01-02"), c.Received, c.Loaded, c.Duplicates, c.Rejected, c.Quarantined, c.Unanswered, c.Unattributed)
	b.WriteString("Thư này được gửi tự động; vui lòng không trả lời. / This mail is automatic; please do not reply.\n")
	return outmail.Mail{
		Kind:      "daily_summary",
		DedupeKey: "daily-summary:" + day.Format("2006-01-02"),
		To:        to,
		Subject: fmt.Sprintf("[Returns] Tổng hợp ngày %s: nhận %s, nạp %s, từ chối %s, cách ly %s, chưa báo %s",
			locale.Date(day), n(c.Received), n(c.Loaded), n(c.Rejected), n(c.Quarantined), n(c.Unanswered)),
		Text: b.String(),
	}
}
