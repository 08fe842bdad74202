package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/returns-project/returns/etl/schedule"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/schedules"
)

// loadSchedules loads the embedded schedules, overlaid by dir when set: a
// file in dir wins over the embedded file of the same name. A schedule
// without its own time_zone takes zone, the configuration's.
func loadSchedules(dir, zone string) ([]schedule.Job, error) {
	if err := checkFolder("schedules.dir", dir); err != nil {
		return nil, err
	}
	jobs, err := schedule.Load(schema.Overlay(dir, schedules.FS), zone)
	if err != nil {
		return nil, problems("load schedules", err)
	}
	return jobs, nil
}

// scheduleJSON is the JSON line of one job.
type scheduleJSON struct {
	Name        string        `json:"name"`
	Job         schedule.Kind `json:"job"`
	Description schedule.Text `json:"description"`
	Cron        string        `json:"cron"`
	TimeZone    string        `json:"time_zone"`
	Missed      string        `json:"missed"`
	Enabled     bool          `json:"enabled"`
	Timeout     string        `json:"timeout,omitempty"`
	File        string        `json:"file"`
	Next        []time.Time   `json:"next"`
}

func newSchedulesCmd() *cobra.Command {
	var (
		dir, file, lang string
		asJSON          bool
	)
	cmd := &cobra.Command{
		Use:   "schedules [--schedules DIR] [--config FILE] [--json] [--lang vi|en]",
		Short: "List the scheduled jobs and their next three runs",
		Long: `schedules loads the job schedules (embedded, overridden by --schedules DIR,
else by schedules.dir of the configuration or RETURNS_SCHEDULES_DIR), checks
them and lists each job with its next three runs in its own time zone
(dd/mm/yyyy hh:mm). --json prints one object per job per line, the runs in
RFC 3339.
Exit status: 0, or 2 when a schedule or the configuration is not valid.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if lang != "vi" && lang != "en" {
				return usageError("--lang must be vi or en, not %q", lang)
			}
			cfg, err := loadConfig(file)
			if err != nil {
				return err
			}
			if dir == "" {
				dir = cfg.Schedules.Dir
			}
			jobs, err := loadSchedules(dir, cfg.TimeZone)
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			now := time.Now()
			if asJSON {
				return printSchedulesJSON(cmd.OutOrStdout(), jobs, now)
			}
			return printSchedules(cmd.OutOrStdout(), jobs, now, lang)
		},
	}
	cmd.Flags().StringVar(&dir, "schedules", "", "folder whose schedule files override the embedded ones (default: schedules.dir of the configuration)")
	cmd.Flags().StringVar(&file, "config", "", "configuration file (default: $RETURNS_CONFIG, else none)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "one JSON object per job per line")
	cmd.Flags().StringVar(&lang, "lang", "vi", "language of the listing: vi or en")
	return cmd
}

func printSchedulesJSON(w io.Writer, jobs []schedule.Job, now time.Time) error {
	enc := json.NewEncoder(w)
	for _, j := range jobs {
		line := scheduleJSON{
			Name: j.Name, Job: j.Kind, Description: j.Description, Cron: j.Cron, TimeZone: j.TimeZone,
			Missed: string(j.OnMissed), Enabled: j.Enabled, File: j.File, Next: []time.Time{},
		}
		if j.Timeout > 0 {
			line.Timeout = shortDuration(j.Timeout)
		}
		if j.Enabled {
			line.Next = j.Next(now, 3)
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}

// scheduleLabels are the words of the human listing.
var scheduleLabels = map[string]struct{ next, missed, timeout, disabled string }{
	"vi": {"lần chạy tới", "lỡ lịch", "thời hạn", "đã tắt (enabled: false)"},
	"en": {"next runs", "missed", "timeout", "disabled (enabled: false)"},
}

func printSchedules(w io.Writer, jobs []schedule.Job, now time.Time, lang string) error {
	l := scheduleLabels[lang]
	var b strings.Builder
	for i, j := range jobs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s (%s) %q %s, %s: %s", j.Name, j.Kind, j.Cron, j.TimeZone, l.missed, j.OnMissed)
		if j.Timeout > 0 {
			fmt.Fprintf(&b, ", %s: %s", l.timeout, shortDuration(j.Timeout))
		}
		fmt.Fprintf(&b, "\n  %s\n", j.Description.In(lang))
		if !j.Enabled {
			fmt.Fprintf(&b, "  %s\n", l.disabled)
			continue
		}
		var runs []string
		for _, t := range j.Next(now, 3) {
			runs = append(runs, t.Format("02/01/2006 15:04")) // already in the job's zone
		}
		fmt.Fprintf(&b, "  %s: %s\n", l.next, strings.Join(runs, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shortDuration prints 1h rather than 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
