// Package schedules holds the daemon's job schedules as data: one YAML file
// per scheduled job (inbox-scan.yaml, outbox-delivery.yaml,
// quarterly-digest.yaml, reminders.yaml, housekeeping.yaml,
// daily-summary.yaml). The files are
// embedded in the binary; a deployment overrides any of them, or adds one,
// with a folder holding a file of the same name (returns --schedules DIR,
// or schedules.dir in the configuration), and disables one by overriding it
// with enabled: false. schedule.Load reads and checks them; README.md
// describes the format.
package schedules

import "embed"

// FS is the embedded schedule files, at its root.
//
//go:embed *.yaml
var FS embed.FS
