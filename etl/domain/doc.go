// Package domain defines, once, the words every other package of Returns
// shares: a quarter and its reporting calendar (end, deadline, last ended),
// an organisation of the registry, the outcome of a file, and the template
// ids. It depends on nothing of ours, so any package may import it.
//
// What is not here on purpose: defaults. The zone the calendar is read in and
// the number of days a quarter's returns are due after its end are settings
// (etl/config: time_zone, deadline_days) and are passed in by the caller.
package domain
