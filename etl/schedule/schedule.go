package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	// The zones of time_zone load on machines without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Kind is what a job runs: one of a fixed set the daemon knows.
type Kind string

// The job kinds.
const (
	KindInboxScan      Kind = "inbox_scan"      // scan the inbox, validate and load
	KindOutboxDelivery Kind = "outbox_delivery" // deliver queued mail
	KindDigest         Kind = "digest"          // the managers' quarterly digest
	KindReminders      Kind = "reminders"       // remind late organisations
	KindHousekeeping   Kind = "housekeeping"    // retention and temporary files
	KindDailySummary   Kind = "daily_summary"   // the operators' daily summary mail
)

// Kinds lists every job kind.
func Kinds() []Kind {
	return []Kind{KindInboxScan, KindOutboxDelivery, KindDigest, KindReminders, KindHousekeeping, KindDailySummary}
}

// MissedPolicy says what to do about the runs a job missed while no daemon
// was running.
type MissedPolicy string

// The missed-run policies.
const (
	// MissedSkip forgets missed runs: the job next runs on its schedule.
	MissedSkip MissedPolicy = "skip"
	// MissedRunOnce runs the job once at start-up when it missed any run,
	// however many it missed, then on its schedule.
	MissedRunOnce MissedPolicy = "run_once"
)

// Text is a text in Vietnamese and English.
type Text struct {
	Vi string `yaml:"vi" json:"vi"`
	En string `yaml:"en" json:"en"`
}

// In returns the text in lang ("en" or else Vietnamese).
func (t Text) In(lang string) string {
	if lang == "en" {
		return t.En
	}
	return t.Vi
}

// Job is one scheduled job, as loaded from its file by [Load].
//
// It maps onto a gocron v2 job (github.com/go-co-op/gocron/v2):
//
//	s.NewJob(
//		gocron.CronJob(job.Crontab(), false), // the zone travels in the crontab
//		gocron.NewTask(run, job),             // run applies job.Timeout to its context
//		gocron.WithName(job.Name),            // also the key a distributed Locker locks
//		gocron.WithTags(string(job.Kind)),
//		gocron.WithSingletonMode(gocron.LimitModeReschedule), // never overlaps itself
//	)
//
// with, at start-up, gocron.WithStartAt(gocron.WithStartImmediately()) added
// when job.Missed(lastRun, now) says runOnce. Disabled jobs are not
// scheduled. gocron parses the crontab with the same robfig/cron parser, so
// its runs are the runs of [Job.Next].
type Job struct {
	// Name identifies the job: lowercase letters, digits and "-", unique
	// among the loaded jobs. It keys the job's last-run record and lock.
	Name string
	// Description says what the job does, for the schedules listing.
	Description Text
	// Cron is the standard 5-field expression (minute hour day-of-month
	// month day-of-week), read in Location.
	Cron string
	// TimeZone is the IANA name of Location. Defaults to the zone Load is
	// given (the configuration's time_zone).
	TimeZone string
	// Location is the zone Cron is read in.
	Location *time.Location
	// Kind is what runs.
	Kind Kind
	// OnMissed is the missed-run policy. Defaults to MissedSkip.
	OnMissed MissedPolicy
	// Enabled is false for a job that must not be scheduled. Defaults to
	// true.
	Enabled bool
	// Timeout bounds one run; 0 means none. Defaults to 0.
	Timeout time.Duration
	// File names the file the job came from, as an operator finds it.
	File string

	sched cron.Schedule
}

// Crontab returns Cron with its zone, in the form gocron.CronJob and
// robfig/cron read: "CRON_TZ=Asia/Ho_Chi_Minh 0 8 15 1,4,7,10 *".
func (j Job) Crontab() string {
	return "CRON_TZ=" + j.TimeZone + " " + j.Cron
}

// schedule returns the parsed schedule, parsing it when j was not made by
// Load; nil when it does not parse.
func (j Job) schedule() cron.Schedule {
	if j.sched != nil {
		return j.sched
	}
	s, err := parse(j.Cron, j.TimeZone)
	if err != nil {
		return nil
	}
	return s
}

// Next returns the job's next n runs strictly after after, in its zone;
// fewer when it has no more (none within five years of the last one).
func (j Job) Next(after time.Time, n int) []time.Time {
	s := j.schedule()
	if s == nil || n <= 0 {
		return nil
	}
	out := make([]time.Time, 0, n)
	t := after
	for range n {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t.In(j.Location))
	}
	return out
}

// MaxMissed caps the count [Job.Missed] returns, so that a job running
// every minute on a daemon that was down for years is not counted run by
// run.
const MaxMissed = 100000

// Missed reports how many scheduled runs fell after lastRun and at or
// before now (at most MaxMissed), and whether the policy says to run once
// now because of them. A zero lastRun (the job never ran here) or one after
// now missed nothing.
func (j Job) Missed(lastRun, now time.Time) (missed int, runOnce bool) {
	s := j.schedule()
	if s == nil || lastRun.IsZero() || !lastRun.Before(now) {
		return 0, false
	}
	for t := s.Next(lastRun); !t.IsZero() && !t.After(now) && missed < MaxMissed; t = s.Next(t) {
		missed++
	}
	return missed, missed > 0 && j.OnMissed == MissedRunOnce
}

// horizon is how far ahead a schedule must fire: robfig/cron gives up
// looking after five years, and so does Load.
const horizon = 5

// parse parses a standard 5-field expression in zone. It refuses the
// descriptors (@daily, @every) and a CRON_TZ= prefix: the zone is its own
// field. robfig/cron reports errors rather than panicking, but a parser
// panic on some odd input is turned into an error all the same.
func parse(expr, zone string) (s cron.Schedule, err error) {
	fields := strings.Fields(expr)
	switch {
	case strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ="):
		return nil, errors.New("the zone is not part of the expression: set time_zone")
	case strings.HasPrefix(strings.TrimSpace(expr), "@"):
		return nil, errors.New("descriptors such as @daily are not allowed: write the 5 fields")
	case len(fields) != 5:
		return nil, fmt.Errorf("has %d fields, want 5 (minute hour day-of-month month day-of-week)", len(fields))
	case strings.ContainsAny(zone, " \t") || zone == "":
		return nil, errors.New("bad time zone")
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cannot be parsed (%v)", r)
		}
	}()
	s, err = cron.ParseStandard("CRON_TZ=" + zone + " " + strings.Join(fields, " "))
	if err != nil {
		return nil, err
	}
	return s, nil
}
