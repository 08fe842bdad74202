// Package facts holds the values the managers' digest is computed from, as
// the store's scoped views return them for one scope and quarter: each
// organisation's figures, the counts of detail rows, the rejected files, the
// people a manager must act on and the restatements. The store fills them
// (etl/store, [Facts] through its scoped views) and the digest renders them
// (etl/digest); neither imports the other. It depends on etl/domain only.
package facts

import (
	"time"

	"github.com/returns-project/returns/etl/domain"
)

// Figures are one organisation's figures for one quarter, from its current
// accepted submission: the ThongTin counts and the KetNap composition.
type Figures struct {
	Org     string
	Quarter domain.Quarter
	Version int
	// SubmissionID and FileName identify the current submission, as the
	// reporting.* views carry them.
	SubmissionID int64
	FileName     string
	// ReceivedAt is when the current version was received, FirstReceivedAt
	// the first version (what on time is judged by); LoadedAt the load of
	// the current version.
	ReceivedAt, FirstReceivedAt, LoadedAt time.Time
	Errors, Warnings                      int

	StartOfficial, StartProbationary int
	EndOfficial, EndProbationary     int
	Admitted, Readmitted, Recognised int
	TransferIn, TransferOut          int // official, from ThongTin
	TempIn, TempOut                  int
	Deceased, Expelled, StruckOff    int
	Resigned                         int
	IncreaseOther, DecreaseOther     int
	Target                           int // admission_target_year

	// Composition of the KetNap rows.
	AdmissionRows, Women, Youth, Minority, Religious, NonState int
}

// Start is the members at the start of the quarter.
func (f Figures) Start() int { return f.StartOfficial + f.StartProbationary }

// End is the members at the end of the quarter.
func (f Figures) End() int { return f.EndOfficial + f.EndProbationary }

// Count is a number of detail rows of one organisation and quarter with the
// same keys: transfers (direction, transfer type, scope), supervisions
// (actor, activity, form or inspection type, subject type), disciplines
// (discipline form, subject type, origin KyLuat/GiamSat, decided by) or
// outcomes (activity, result, "C"/"K" discipline decided on the row).
type Count struct {
	Org     string
	Quarter domain.Quarter
	Keys    [4]string
	N       int
}

// Rejected is a rejected file of an organisation for a quarter.
type Rejected struct {
	Org     string
	Quarter domain.Quarter
	Reason  string
	At      time.Time
}

// Person is someone a manager must act on: only filled when personal data
// is allowed.
type Person struct {
	Org  string
	Kind string // PersonUnmatchedTransfer or PersonProbationEnded
	Name string
	// Detail is the letter number and direction (transfers) or the decision number (probation).
	Detail string
	Date   time.Time // the letter's date, or the end of probation
}

// Kinds of Person.
const (
	PersonUnmatchedTransfer = "unmatched_transfer"
	PersonProbationEnded    = "probation_ended"
)

// Restatement is a submission for an already digested quarter loaded after
// the previous digest's cut-off: a late or corrected return.
type Restatement struct {
	Org      string
	Quarter  domain.Quarter
	Version  int
	LoadedAt time.Time
}

// Facts is everything the digest of one scope and quarter is computed
// from, as read under that scope.
type Facts struct {
	Scope   domain.Org
	Quarter domain.Quarter
	// Cutoff is the data cut-off: the newest load the facts include.
	Cutoff time.Time
	// DeadlineDays and Zone are the reporting calendar the facts were read
	// under (the configuration's deadline_days and time_zone): a return is
	// on time when its first version was received before
	// [domain.Deadline] of its quarter ([domain.Late]). Zone is required;
	// DeadlineDays may be 0 (due at the quarter's end).
	DeadlineDays int
	Zone         *time.Location
	Orgs         []domain.Org // every organisation of the scope
	// Figures cover the quarters from Q1 of the year before to Quarter.
	Figures      []Figures
	Transfers    []Count
	Supervisions []Count
	// Disciplines are every discipline decided: KyLuat rows and GiamSat
	// rows with a discipline form (reporting.disciplines_all).
	Disciplines []Count
	// Outcomes are the GiamSat rows by activity, result and discipline.
	Outcomes []Count
	Rejected []Rejected
	// UnmatchedTransfers counts letters without their other side older than
	// 30 days at the cut-off, by organisation (no names).
	UnmatchedTransfers map[string]int
	People             []Person
	Restatements       []Restatement
	// PreviousDigest is the cut-off of the last digest sent to this
	// recipient, zero when none.
	PreviousDigest time.Time
}
