// Package schedule loads the daemon's job schedules, which are data: one
// YAML file per job (see the schedules folder at the module root for the
// embedded ones). It checks every file strictly, computes the next runs of
// a job in its own zone and how many runs were missed while no daemon ran.
// It does not run anything: the daemon builds a gocron scheduler from the
// jobs (see [Job]).
//
// # Format
//
//	name: quarterly-digest          # required; lowercase letters, digits, -; unique
//	description:                    # required, both languages
//	  vi: Gửi bản tổng hợp quý …
//	  en: Send the quarterly digest …
//	cron: "0 8 15 1,4,7,10 *"       # required; standard 5 fields, no @descriptors, no CRON_TZ=
//	time_zone: Asia/Ho_Chi_Minh     # IANA zone the expression is read in; default: the configuration's time_zone
//	job: digest                     # required; inbox_scan, outbox_delivery, digest, reminders or housekeeping
//	missed: run_once                # skip (default) or run_once
//	enabled: true                   # default true; false keeps the job unscheduled
//	timeout: 1h                     # optional bound on one run
//
// The expression is parsed by github.com/robfig/cron/v3's standard parser,
// the one gocron uses, and must fire within five years (0 0 31 2 * never
// does and is refused).
package schedule
