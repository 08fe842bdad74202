// Package daemon runs returns unattended: a gocron scheduler fires the jobs
// of the schedule files (inbox scan, outbox delivery, reminders,
// housekeeping, the quarterly digest, the operators' daily summary), the
// inbox scan drives every ready file through its journey (etl/intake),
// and an HTTP listener
// serves /healthz, /readyz and /metrics. It never speaks SQL: what it needs
// from the database is in etl/store.
//
// # Files
//
// Each ready inbox entry goes through its journey in etl/intake
// (intake.Intake.Take): claimed through PostgreSQL before it is staged (a
// session advisory lock keyed by the entry: its path, device, inode, size
// and mtime, hashed), so two daemons sharing one inbox and one database
// never work on the same file; judged and loaded; its outcome recorded with
// that key and its result mail in the outcome's own transaction; then moved
// to archive/<year>-Q<q>/<org>/ (loaded or duplicate) or rejected/ with its
// reports. A daemon that crashed between the outcome and the move only
// redoes the move on the next scan. Entries quarantined by the scan are
// answered and recorded there too (intake.Intake.Quarantined). The daemon
// logs one line per file with its outcome and duration, and counts it.
//
// An error that is not a verdict on the file (the database is down, the
// disk failed) leaves the file in the inbox and backs the scan off, doubling
// from [Config.RetryBase] up to [Config.RetryCap]: an outage costs a few
// attempts, never a tight loop.
//
// # Answer time
//
// The inbox is watched ([inbox.Inbox.Watch], unless [Config.NoWatch]): when
// the kernel reports that a file's writer closed it, or that it was renamed
// in, the inbox scan runs at once and the file is ready without the
// stability rule (a lock file of an office program beside it still holds it
// back). After a scan that decided files, an outbox pass runs at once, so
// the result mail is sent or written as an .eml file within moments of the
// outcome. The periodic scan ([Config.ScanInterval]) stays as the safety
// net and decides, by the stability rule, the files whose close cannot be
// seen.
//
// # Schedules
//
// Every job runs in singleton mode (it never overlaps itself). Every job
// but the inbox scan (which every daemon runs: files are claimed one by
// one) runs through a distributed locker over PostgreSQL: a run claims its
// scheduled slot in returns.job_run (the slot is the run time rounded to the schedule's
// resolution), so with several daemons each scheduled run is executed once.
// The latest claimed slot is the job's last run: at start-up the missed
// runs since then are counted, logged and, for missed: run_once, made up
// for by one immediate run.
//
// # Lifecycle
//
// [Daemon.Start] recovers (orphaned staging copies and temp files are
// removed; with several daemons on one state directory this includes the
// copy another daemon is working on, which then fails once and is retried
// from the inbox), starts the scheduler and the listener, and returns. [Daemon.Stop]
// stops taking new work, lets the file in hand finish within
// [Config.StopTimeout], then cancels what is left and returns.
//
// Log lines carry no personal data: name hashes, content hashes,
// organisation codes, sheets, row counts, reason codes and durations only.
package daemon
