package generate

import (
	"fmt"
	"time"

	"github.com/returns-project/returns/etl/domain"
)

// Org types used in ThongTin.org_type, plus the two this package adds for
// nodes that never submit a return (see OrgTypeProvince and OrgTypeCell).
const (
	OrgTypeDangBoCoSo    = "DANG_BO_CO_SO"
	OrgTypeChiBoCoSo     = "CHI_BO_CO_SO"
	OrgTypeDangBoBoPhan  = "DANG_BO_BO_PHAN"
	OrgTypeDangBoCapTren = "DANG_BO_CAP_TREN_CS"
	OrgTypeProvince      = "DANG_BO_TINH" // the province committee (not a BCQ-1 org_type)
	OrgTypeCell          = "CHI_BO"       // a chi bộ trực thuộc, used in cell_code (not a BCQ-1 org_type)
)

// Province is the whole fictional province: its registry and every return
// of every quarter generated for it.
type Province struct {
	Code     string    // "GD"
	Name     string    // "Tỉnh Giả Định"
	Seed     int64     // the seed it was generated from
	Orgs     []*Org    // the registry in tree order (parents before children); cells are in Org.Cells
	Quarters []Quarter // the reporting quarters, oldest first
	Returns  []*Return // one per grassroots organisation active in a quarter, by quarter then by org order
}

// Org is one party organisation of the registry.
type Org struct {
	Code       string // stable code, e.g. "GD-KCQ-001"
	Name       string // Vietnamese name
	Type       string // OrgType* constant
	ParentCode string // "" for the province
	Level      int    // 0 province, 1 cấp trên cơ sở, 2 TCCS, 3 đảng bộ bộ phận
	// ValidFrom is the first day the organisation exists; ValidTo the last,
	// or the zero time while it still exists.
	ValidFrom, ValidTo time.Time
	// Successor is the code of the organisation that took it over (merger), if any;
	// Predecessors lists the codes it took over.
	Successor    string
	Predecessors []string
	Email, Phone string
	Secretary    string  // bí thư, the name that signs decisions
	Cells        []*Cell // chi bộ trực thuộc (empty for a chi bộ cơ sở)
	// DecidingBody is the committee that signs admission decisions for this
	// organisation ("Đảng ủy …" for an đảng bộ cơ sở, the upper committee for a chi bộ cơ sở).
	DecidingBody string
	// DecisionSuffix ends its decision numbers, e.g. "QĐ/ĐU".
	DecisionSuffix string
	Sector         string // default workplace_sector of its members
	Occupation     string // default occupation_group of its members
}

// Cell is a chi bộ trực thuộc: the value of cell_code.
type Cell struct {
	Code, Name string
}

// Grassroots reports whether the organisation is a TCCS that submits BCQ-1 returns.
func (o *Org) Grassroots() bool {
	return domain.IsReportingType(o.Type)
}

// ActiveIn reports whether the organisation exists for the whole of quarter q.
func (o *Org) ActiveIn(q Quarter) bool {
	if o.ValidFrom.After(q.Start()) {
		return false
	}
	return o.ValidTo.IsZero() || !o.ValidTo.Before(q.End())
}

// CellCodes returns the codes usable as cell_code: its cells, or its own code for a chi bộ cơ sở.
func (o *Org) CellCodes() []string {
	if len(o.Cells) == 0 {
		return []string{o.Code}
	}
	out := make([]string, len(o.Cells))
	for i, c := range o.Cells {
		out[i] = c.Code
	}
	return out
}

// Quarter is a reporting period.
type Quarter struct {
	Year, Q int
}

// Start is the first day of the quarter (UTC).
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, time.UTC)
}

// End is the last day of the quarter (UTC midnight).
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, -1) }

// Contains reports whether the day t falls in the quarter.
func (q Quarter) Contains(t time.Time) bool { return !t.Before(q.Start()) && !t.After(q.End()) }

// Next is the following quarter.
func (q Quarter) Next() Quarter {
	if q.Q == 4 {
		return Quarter{q.Year + 1, 1}
	}
	return Quarter{q.Year, q.Q + 1}
}

// Prev is the preceding quarter.
func (q Quarter) Prev() Quarter {
	if q.Q == 1 {
		return Quarter{q.Year - 1, 4}
	}
	return Quarter{q.Year, q.Q - 1}
}

func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// Return is one BCQ-1 workbook's content: one organisation, one quarter.
type Return struct {
	Org          *Org
	Year         int
	Quarter      int
	Info         Info
	Admissions   []Admission
	Transfers    []Transfer
	Supervisions []Supervision
	Disciplines  []Discipline // KyLuat rows; the sheet is written only when there are some
}

// Period is the return's quarter.
func (r *Return) Period() Quarter { return Quarter{r.Year, r.Quarter} }

// FileName is the BCQ-1 file name, BCQ_<MaDonVi>_<YYYY>Q<q>.xlsx.
func (r *Return) FileName() string {
	return fmt.Sprintf("BCQ_%s_%dQ%d.xlsx", r.Org.Code, r.Year, r.Quarter)
}

// Info is the ThongTin sheet.
type Info struct {
	OrgCode, OrgName, OrgType, ParentCode string
	Year, Quarter                         int
	TemplateVersion                       string
	CellsCount                            int

	MembersStartOfficial, MembersStartProbationary int
	Admitted, Readmitted, RecognisedOfficial       int
	TransferInOfficial, TransferOutOfficial        int
	IncreaseOther                                  int
	Deceased, Expelled, StruckOff, Resigned        int
	DecreaseOther                                  int
	MembersEndOfficial, MembersEndProbationary     int
	TempIn, TempOut                                int
	AdmissionTargetYear                            int

	PreparerName, Phone, Email string
	PreparedOn                 time.Time
}

// MembersStart is the total at the start of the quarter.
func (i Info) MembersStart() int { return i.MembersStartOfficial + i.MembersStartProbationary }

// MembersEnd is the total at the end of the quarter.
func (i Info) MembersEnd() int { return i.MembersEndOfficial + i.MembersEndProbationary }

// BalanceEnd is the end-of-quarter total TH-01 derives from the other figures.
func (i Info) BalanceEnd() int {
	return i.MembersStart() + i.Admitted + i.Readmitted + i.TransferInOfficial + i.IncreaseOther -
		i.TransferOutOfficial - i.Deceased - i.Expelled - i.StruckOff - i.Resigned - i.DecreaseOther
}

// Admission is one KetNap row.
type Admission struct {
	FullName           string
	Gender             string // "Nam" or "Nữ"
	BirthDate          time.Time
	CitizenID          string // 12 digits, may be empty
	EthnicityCode      string
	ReligionCode       string
	GeneralEducation   string
	ProfessionalLevel  string
	PoliticalTheory    string
	OccupationGroup    string
	WorkplaceSector    string
	IsYouthUnionMember bool
	IsReadmission      bool
	CellCode           string
	DecisionNo         string
	DecisionDate       time.Time
	DecidingBody       string
	CeremonyDate       time.Time
	ProfileNo          string
	Note               string
}

// Transfer is one ChuyenSinhHoat row.
type Transfer struct {
	FullName           string
	BirthDate          time.Time
	Gender             string
	MemberStatus       string // CT or DB
	CardNo             string // CT only
	ProfileNo          string
	JoinDate           time.Time
	OfficialDate       time.Time // zero for DB
	Direction          string    // DEN or DI
	TransferType       string
	Scope              string
	Reason             string
	CounterpartOrgName string
	CounterpartOrgCode string
	LetterNo           string
	EventDate          time.Time
	DecisionDate       time.Time // may be zero
	TempUntil          time.Time // TAM_THOI only
	DuesPaidThrough    time.Time // first day of the month; written MM/YYYY
	CellCode           string
	Note               string
}

// Supervision is one GiamSat row.
type Supervision struct {
	Actor               string
	Activity            string
	SupervisionForm     string // GIAM_SAT only
	InspectionType      string // KIEM_TRA only
	SubjectType         string
	SubjectName         string
	SubjectOrgCode      string
	SubjectMemberID     string
	SubjectMemberStatus string
	IsCommitteeMember   *bool // nil for organisations
	Topic               string
	DecisionNo          string
	StartDate           time.Time
	ConclusionDate      time.Time // zero while CHUA_KET_LUAN
	Result              string
	DisciplineRequired  bool
	DisciplineForm      string
	DisciplineBody      string
	DisciplineDate      time.Time
}

// Discipline is one KyLuat row.
type Discipline struct {
	SubjectType         string
	SubjectName         string
	SubjectMemberID     string
	SubjectMemberStatus string
	IsCommitteeMember   *bool
	ViolationSummary    string
	DisciplineForm      string
	DisciplineBody      string
	DecisionNo          string
	DecisionDate        time.Time
	Source              string
}
