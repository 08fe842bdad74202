package digest

import (
	"fmt"
	"time"
)

// Quarter is a calendar quarter.
type Quarter struct {
	Year, Q int // Q is 1..4
}

// Index is year*4 + quarter - 1 (the store's returns.qidx).
func (q Quarter) Index() int { return q.Year*4 + q.Q - 1 }

// QuarterOf is the quarter of index i.
func QuarterOf(i int) Quarter { return Quarter{Year: i / 4, Q: i%4 + 1} }

// Prev is the quarter before q (Q1's is Q4 of the year before).
func (q Quarter) Prev() Quarter { return QuarterOf(q.Index() - 1) }

// YearAgo is the same quarter of the year before.
func (q Quarter) YearAgo() Quarter { return Quarter{q.Year - 1, q.Q} }

// String is "2025-Q3".
func (q Quarter) String() string { return fmt.Sprintf("%04d-Q%d", q.Year, q.Q) }

// End is the last instant of the quarter in zone loc.
func (q Quarter) End(loc *time.Location) time.Time {
	return time.Date(q.Year, time.Month(3*q.Q+1), 1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
}

// ParseQuarter parses "2025-Q3".
func ParseQuarter(s string) (Quarter, error) {
	var q Quarter
	if n, err := fmt.Sscanf(s, "%4d-Q%1d", &q.Year, &q.Q); err != nil || n != 2 || q.Q < 1 || q.Q > 4 || len(s) != 7 {
		return Quarter{}, fmt.Errorf("quarter %q: want YYYY-Qn, e.g. 2025-Q3", s)
	}
	return q, nil
}

// Org is an organisation of the scope, from the current registry.
type Org struct {
	Code, Name, Type string
	ParentCode       string
	// FromQ and ToQ are quarter indexes of its validity; ToQ is 0 while it exists.
	FromQ, ToQ    int
	SuccessorCode string
}

// Reports says whether the organisation is a grassroots one that submits
// returns (đảng bộ cơ sở or chi bộ cơ sở).
func (o Org) Reports() bool { return o.Type == "DANG_BO_CO_SO" || o.Type == "CHI_BO_CO_SO" }

// ActiveIn says whether the organisation exists in quarter q.
func (o Org) ActiveIn(q Quarter) bool {
	i := q.Index()
	return o.FromQ <= i && (o.ToQ == 0 || i <= o.ToQ)
}

// Figures are one organisation's figures for one quarter, from its current
// accepted submission: the ThongTin counts and the KetNap composition.
type Figures struct {
	Org     string
	Quarter Quarter
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
	Quarter Quarter
	Keys    [4]string
	N       int
}

// Rejected is a rejected file of an organisation for a quarter.
type Rejected struct {
	Org     string
	Quarter Quarter
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
	Quarter  Quarter
	Version  int
	LoadedAt time.Time
}

// Facts is everything the digest of one scope and quarter is computed
// from, as read under that scope.
type Facts struct {
	Scope   Org
	Quarter Quarter
	// Cutoff is the data cut-off: the newest load the facts include.
	Cutoff time.Time
	// Deadline is when the quarter's returns were due (on time: first
	// received by then).
	Deadline time.Time
	// PrevDeadline is when the previous quarter's returns were due; zero:
	// three months before Deadline.
	PrevDeadline time.Time
	Orgs         []Org // every organisation of the scope
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
