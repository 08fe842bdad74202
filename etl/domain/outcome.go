package domain

// Outcome is where a file's journey ended: every file found in the inbox
// ends in exactly one of them. The values are also the outcome column of
// returns.file_event, the label of the files metric and the word the result
// mail is chosen by.
type Outcome string

// The outcomes.
const (
	Loaded      Outcome = "loaded"      // accepted and stored as a new version
	Rejected    Outcome = "rejected"    // judged and refused, with reasons
	Duplicate   Outcome = "duplicate"   // the same content (or the same values) as a version already stored
	Quarantined Outcome = "quarantined" // set aside unopened (a link, a special file, too large, a bad name)
)

// Outcomes lists every outcome, in the order reports count them.
var Outcomes = []Outcome{Loaded, Rejected, Duplicate, Quarantined}
