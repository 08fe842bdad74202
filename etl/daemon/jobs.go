package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/notify"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/store"
)

// deliver is the outbox-delivery job.
func (d *Daemon) deliver(ctx context.Context) error {
	if d.cfg.Sender == nil {
		d.log.InfoContext(ctx, "daemon: mail delivery is not configured: the outbox keeps its mail")
		return nil
	}
	sent, retried, failed, err := d.cfg.Sender.Deliver(ctx, d.cfg.Store)
	if sent+retried+failed > 0 {
		d.log.InfoContext(ctx, "daemon: outbox delivered", slog.Int("sent", sent), slog.Int("retried", retried), slog.Int("failed", failed))
	}
	d.metrics.mail.WithLabelValues("sent").Add(float64(sent))
	d.metrics.mail.WithLabelValues("retried").Add(float64(retried))
	d.metrics.mail.WithLabelValues("failed").Add(float64(failed))
	if err != nil {
		return fmt.Errorf("deliver outbox: %w", err)
	}
	return nil
}

// remind is the reminders job: once the deadline of the latest ended
// quarter has passed ([domain.Deadline]), every organisation expected to
// report that has no accepted return gets a reminder mail in Vietnamese
// through the outbox, to its registered contacts, once per organisation and
// quarter (the outbox's dedupe key); organisations without a contact are
// counted in the log.
func (d *Daemon) remind(ctx context.Context) error {
	now := d.cfg.Now()
	q := domain.LastEnded(now, d.cfg.Location)
	deadline := domain.Deadline(q, d.cfg.DeadlineDays, d.cfg.Location)
	if now.Before(deadline) {
		d.log.DebugContext(ctx, "daemon: reminders: the deadline has not passed", slog.String("quarter", q.String()))
		return nil
	}
	rows, err := d.cfg.Store.QuarterBoard(ctx, q.Year, q.Q)
	if errors.Is(err, store.ErrNoRegistry) {
		d.log.InfoContext(ctx, "daemon: reminders: no registry imported: nobody to remind")
		return nil
	}
	if err != nil {
		return err
	}
	queued, already, nobody := 0, 0, 0
	for _, r := range rows {
		if r.Current.SubmissionID.Valid {
			continue
		}
		if len(r.Emails) == 0 {
			nobody++
			continue
		}
		_, created, err := d.cfg.Store.EnqueueMail(ctx, nil, ReminderMail(r.Org, r.Name, q, deadline, r.Rejected > 0, r.Emails))
		if err != nil {
			return fmt.Errorf("reminder for %s: %w", r.Org, err)
		}
		if created {
			queued++
		} else {
			already++
		}
	}
	d.metrics.reminders.Add(float64(queued))
	d.log.InfoContext(ctx, "daemon: reminders", slog.String("quarter", q.String()), slog.Int("queued", queued),
		slog.Int("already_reminded", already), slog.Int("no_contact", nobody))
	return nil
}

// ReminderMail is the Vietnamese reminder to an organisation whose return
// of quarter q is missing (or was only rejected).
func ReminderMail(org, name string, q domain.Quarter, deadline time.Time, rejected bool, to []string) store.Mail {
	period := locale.Quarter("vi", q.Year, q.Q)
	due := deadline.AddDate(0, 0, -1).Format("02/01/2006")
	var b strings.Builder
	fmt.Fprintf(&b, "Kính gửi %s (%s),\n\n", name, org)
	if rejected {
		fmt.Fprintf(&b, "Báo cáo %s của đơn vị đã được gửi nhưng chưa được chấp nhận (xem thư kết quả kiểm tra và tệp đánh dấu lỗi đi kèm).\n", period)
	} else {
		fmt.Fprintf(&b, "Hệ thống chưa nhận được báo cáo %s của đơn vị.\n", period)
	}
	fmt.Fprintf(&b, "Hạn nộp là ngày %s. Đề nghị đơn vị hoàn thiện báo cáo theo mẫu %s và gửi vào thư mục nhận báo cáo sớm nhất có thể.\n\n", due, domain.ReturnTemplate)
	b.WriteString("Đây là thư tự động; xin đừng trả lời thư này.\n\n---\n")
	fmt.Fprintf(&b, "Reminder: the %d-Q%d return of %s has not been received (due %s).\n", q.Year, q.Q, org, due)
	return store.Mail{
		Kind:      "reminder",
		DedupeKey: fmt.Sprintf("reminder:%s:%s", org, q),
		To:        to,
		Subject:   fmt.Sprintf("Nhắc nộp báo cáo %s – %s", period, org),
		Text:      b.String(),
	}
}

var quarterDir = regexp.MustCompile(`^([0-9]{4})-Q([1-4])$`)

// housekeep is the housekeeping job: orphaned staging copies and temp
// files are removed (the scan is held off meanwhile, and copies younger
// than an hour are kept: another daemon sharing the state directory may be
// working on them), archive quarters older than Config.Retention are
// removed, and old scheduled-run records are pruned.
func (d *Daemon) housekeep(ctx context.Context) error {
	d.fileMu.Lock()
	removed, err := d.cfg.Inbox.Recover(ctx, func(id string) bool {
		if d.cfg.StateDir == "" {
			return true
		}
		fi, err := os.Stat(filepath.Join(d.cfg.StateDir, "staging", id+".xlsx"))
		return err == nil && d.cfg.Now().Sub(fi.ModTime()) < time.Hour
	})
	d.fileMu.Unlock()
	if err != nil {
		return err
	}
	gone := 0
	if d.cfg.Retention > 0 && d.cfg.StateDir != "" {
		dir := filepath.Join(d.cfg.StateDir, "archive")
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("housekeeping: read archive: %w", err)
		}
		cutoff := d.cfg.Now().Add(-d.cfg.Retention)
		for _, e := range entries {
			m := quarterDir.FindStringSubmatch(e.Name())
			if m == nil || !e.IsDir() {
				continue
			}
			y, _ := strconv.Atoi(m[1])
			qn, _ := strconv.Atoi(m[2])
			if (domain.Quarter{Year: y, Q: qn}).End(d.cfg.Location).Before(cutoff) {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return fmt.Errorf("housekeeping: remove archive %s: %w", e.Name(), err)
				}
				gone++
			}
		}
	}
	pruned, err := d.cfg.Store.PruneJobRuns(ctx, d.cfg.Now().AddDate(0, 0, -30))
	if err != nil {
		return err
	}
	d.log.InfoContext(ctx, "daemon: housekeeping", slog.Int("removed_temp", removed), slog.Int("archive_quarters_removed", gone),
		slog.Int64("job_runs_pruned", pruned))
	return nil
}

// dailySummary is the daily-summary job: the operators get one short mail
// through the outbox about the day before (midnight to midnight in
// Config.Location): files received, loaded, rejected, quarantined and
// unanswered, with the files that need a person. Once per day (the outbox's
// dedupe key); without operators' addresses it only logs the counts.
func (d *Daemon) dailySummary(ctx context.Context) error {
	now := d.cfg.Now().In(d.cfg.Location)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, d.cfg.Location)
	from := to.AddDate(0, 0, -1)
	c, err := d.cfg.Store.CountFiles(ctx, from, to)
	if err != nil {
		return err
	}
	attrs := []any{slog.String("day", from.Format("2006-01-02")), slog.Int("received", c.Received), slog.Int("loaded", c.Loaded),
		slog.Int("rejected", c.Rejected), slog.Int("quarantined", c.Quarantined), slog.Int("unanswered", c.Unanswered)}
	if len(d.cfg.Operators) == 0 {
		d.log.InfoContext(ctx, "daemon: daily summary: no operators' addresses (operators.emails): not mailed", attrs...)
		return nil
	}
	files, err := d.cfg.Store.AttentionFiles(ctx, from)
	if err != nil {
		return err
	}
	var lines []notify.AttentionLine
	for _, f := range files {
		if f.DecidedAt.Before(to) {
			lines = append(lines, notify.AttentionLine{Name: f.FileName, Outcome: f.Outcome, Reason: reason.Code(f.Reason), Org: f.Org, At: f.DecidedAt})
		}
	}
	m := notify.DailySummary(from, notify.DayCounts{Received: c.Received, Loaded: c.Loaded, Duplicates: c.Duplicates, Rejected: c.Rejected,
		Quarantined: c.Quarantined, Unanswered: c.Unanswered, Unattributed: c.Unattributed}, lines, d.cfg.Operators)
	_, created, err := d.cfg.Store.EnqueueMail(ctx, nil, m)
	if err != nil {
		return fmt.Errorf("daily summary: %w", err)
	}
	d.log.InfoContext(ctx, "daemon: daily summary", append(attrs, slog.Bool("queued", created))...)
	return nil
}
