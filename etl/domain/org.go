package domain

// Org is one organisation of the registry: who reports, who is whose parent,
// and in which quarters it exists.
type Org struct {
	Code, Name string
	Type       string // a code of the org_type list, e.g. DANG_BO_CO_SO
	ParentCode string // "" only for a root (the province committee)
	// ValidFrom is the first quarter the organisation exists, ValidTo the
	// last; ValidTo is zero while it exists.
	ValidFrom, ValidTo Quarter
	SuccessorCode      string   // who took over when it ended (merger), or ""
	ContactEmails      []string // the addresses results are sent to
	SourceRow          int      // row of the registry workbook it was read from (0 when not read)
}

// ActiveIn reports whether the organisation exists in quarter q.
func (o *Org) ActiveIn(q Quarter) bool {
	return o.ValidFrom.Index() <= q.Index() && (o.ValidTo.IsZero() || q.Index() <= o.ValidTo.Index())
}

// Reports says whether the organisation is a grassroots one that submits a
// quarterly return: its type is one of [ReportingTypes].
func (o *Org) Reports() bool { return IsReportingType(o.Type) }

// ReportingTypes are the org_type codes of the organisations that submit a
// quarterly return (đảng bộ cơ sở and chi bộ cơ sở); the others only
// aggregate their children's. Callers that pass the list to SQL must not
// change it.
var ReportingTypes = []string{"DANG_BO_CO_SO", "CHI_BO_CO_SO"}

// IsReportingType says whether org_type code t is one of [ReportingTypes].
func IsReportingType(t string) bool {
	for _, r := range ReportingTypes {
		if t == r {
			return true
		}
	}
	return false
}
