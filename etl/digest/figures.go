package digest

// The figures of the digest, each defined once: what it counts, from which
// sheet and field, with which filter, over which organisations and how its
// comparisons are formed, with its label and a one-line explanation for a
// manager in Vietnamese and English. [Build] computes every figure from
// this table, and every renderer (text, HTML, the xlsx summary, the key
// figures box) takes its rows from it, so that the definitions, the
// numbers and docs/figures.md (generated from it, see [FiguresMarkdown])
// cannot drift apart.

import "github.com/returns-project/returns/etl/facts"

// Kind says how a figure is computed and compared.
type Kind int

// Kinds of figures.
const (
	// KindSum is the sum of a ThongTin field over the returns of the
	// quarter, compared like for like with the previous quarter and the
	// same quarter last year.
	KindSum Kind = iota
	// KindNet is a difference (a net change): compared in absolute terms
	// only, a percentage of a difference says nothing.
	KindNet
	// KindRows counts detail rows matching a filter; an organisation with
	// a return and no such row counts 0 (a real zero).
	KindRows
	// KindYTD is a KindSum over Q1..q of the year, compared with last year
	// on the quarters both years have.
	KindYTD
	// KindShare is a part of the quarter's KetNap rows in percent,
	// compared in percentage points.
	KindShare
	// KindLevel is a count printed without comparisons.
	KindLevel
	// KindReturns counts returns of the quarter, with their share of the
	// expected ones; the key figures box compares it with the previous
	// quarter.
	KindReturns
	// KindProgress is admissions year to date against the annual target.
	KindProgress
)

// Section is where a figure is printed.
type Section string

// Sections of the digest, in order.
const (
	SecComplete   Section = "complete"
	SecMembers    Section = "members"
	SecLeft       Section = "left"
	SecAdmissions Section = "admissions"
	SecShares     Section = "shares"
	SecTransfers  Section = "transfers"
	SecSuperv     Section = "superv"
	SecOutcomes   Section = "outcomes"
	SecDiscipline Section = "discipline"
)

// Definition defines one figure of the digest.
type Definition struct {
	// ID is stable: the xlsx summary's "Mã chỉ tiêu" column and
	// docs/figures.md carry it.
	ID      string
	Section Section
	Kind    Kind
	// Label is what the digest prints, [vi, en].
	Label [2]string
	// Explain is one line for a manager, [vi, en].
	Explain [2]string
	// Sheet and Field: where the figure comes from in the return.
	Sheet, Field string
	// Filter: which rows or returns count.
	Filter string
	// Orgs: over which organisations (empty: the default of its kind).
	Orgs string

	value func(facts.Figures) int // KindSum, KindNet, KindYTD; the numerator of KindShare
	den   func(facts.Figures) int // KindShare
	rows  func(*facts.Facts) []facts.Count
	count func(facts.Count) int // KindRows: what a count adds (N, −N or 0)
	level func(*Digest) int
}

// Default organisations and comparisons of each kind, for docs/figures.md.
var kindOrgs = map[Kind]string{
	KindSum:      "grassroots organisations of the scope with an accepted, current return for the quarter",
	KindNet:      "grassroots organisations of the scope with an accepted, current return for the quarter",
	KindRows:     "grassroots organisations of the scope with an accepted, current return for the quarter (one without such rows counts 0)",
	KindYTD:      "grassroots organisations of the scope with an accepted, current return, each quarter of the year to date",
	KindShare:    "the KetNap rows of the quarter's current returns",
	KindLevel:    "grassroots organisations of the scope",
	KindReturns:  "grassroots organisations of the scope (and below) valid in the quarter (registry validity)",
	KindProgress: "grassroots organisations of the scope; each one's target from its latest return of the year",
}

var kindCompare = map[Kind]string{
	KindSum: "previous quarter (Q1: Q4 of the year before) and same quarter last year, like for like: only organisations with a return in both " +
		"periods, an organisation merged away counted in its successor; base, change and percentage, the percentage \"—\" on a base of 0, " +
		"\"— (no return)\" when no organisation has a return in both periods",
	KindNet:  "as a sum, but the change only (no percentage)",
	KindRows: "as a sum",
	KindYTD: "same quarters last year, on the (organisation, quarter) pairs with a return in both years; when the base year lacks a quarter " +
		"the comparison is restricted to the common quarters and labelled so (\"Q2–Q3 so với Q2–Q3/2024\"), or \"—\" with the reason",
	KindShare:    "previous quarter and same quarter last year in percentage points, like for like",
	KindLevel:    "none",
	KindReturns:  "in the key figures box: the previous quarter's count and rate (percentage points)",
	KindProgress: "in the key figures box: this quarter's admissions and the percentage points they added",
}

func transfers(f *facts.Facts) []facts.Count    { return f.Transfers }
func supervisions(f *facts.Facts) []facts.Count { return f.Supervisions }
func disciplines(f *facts.Facts) []facts.Count  { return f.Disciplines }
func outcomes(f *facts.Facts) []facts.Count     { return f.Outcomes }

func keyed(i int, v string) func(facts.Count) int {
	return func(c facts.Count) int {
		if c.Keys[i] == v {
			return c.N
		}
		return 0
	}
}

func transfer(dir, typ string) func(facts.Count) int {
	return func(c facts.Count) int {
		if c.Keys[0] == dir && c.Keys[1] == typ {
			return c.N
		}
		return 0
	}
}

const (
	expectedOrgs = "grassroots organisations (DANG_BO_CO_SO, CHI_BO_CO_SO) of the scope valid in the quarter (registry validity)"
	onTimeRule   = "first version received by the deadline (deadline_days after the quarter's end, 10 by default)"
)

// Definitions is every figure of the digest, in the order printed.
var Definitions = []Definition{
	// 1. Completeness.
	{ID: "returns_expected", Section: SecComplete, Kind: KindReturns, Label: [2]string{"Đơn vị phải nộp", "Expected"},
		Explain: [2]string{"Số tổ chức cơ sở đảng phải nộp báo cáo quý này.", "Grassroots organisations due to report this quarter."},
		Sheet:   "registry (DonVi)", Field: "org_type", Filter: expectedOrgs, Orgs: expectedOrgs,
		level: func(d *Digest) int { return d.Completeness.Expected }},
	{ID: "returns_reported", Section: SecComplete, Kind: KindReturns, Label: [2]string{"Đã nộp", "Reported"},
		Explain: [2]string{"Đơn vị đã có báo cáo được chấp nhận.", "Organisations with an accepted return."},
		Sheet:   "ThongTin", Field: "one accepted, current submission", Filter: "expected organisations with an accepted return for the quarter", Orgs: expectedOrgs,
		level: func(d *Digest) int { return d.Completeness.Reported }},
	{ID: "returns_on_time", Section: SecComplete, Kind: KindReturns, Label: [2]string{"Đúng hạn", "On time"},
		Explain: [2]string{"Đơn vị nộp bản đầu tiên trước hạn.", "Organisations whose first version came in by the deadline."},
		Sheet:   "ThongTin", Field: "received_at of the first version", Filter: onTimeRule, Orgs: expectedOrgs,
		level: func(d *Digest) int { return d.Completeness.OnTime }},
	{ID: "returns_late", Section: SecComplete, Kind: KindReturns, Label: [2]string{"Nộp muộn", "Late"},
		Explain: [2]string{"Đơn vị nộp bản đầu tiên sau hạn.", "Organisations whose first version came in after the deadline."},
		Sheet:   "ThongTin", Field: "received_at of the first version", Filter: "reported, not on time", Orgs: expectedOrgs,
		level: func(d *Digest) int { return d.Completeness.Late }},
	{ID: "returns_rejected", Section: SecComplete, Kind: KindReturns, Label: [2]string{"Bị từ chối (chưa có bản hợp lệ)", "Rejected (no valid return yet)"},
		Explain: [2]string{"Đơn vị chỉ có tệp bị từ chối.", "Organisations with only rejected files."},
		Sheet:   "file events", Field: "outcome = rejected", Filter: "expected organisations without an accepted return and with a rejected file for the quarter", Orgs: expectedOrgs,
		level: func(d *Digest) int { return d.Completeness.Rejected }},
	{ID: "returns_missing", Section: SecComplete, Kind: KindReturns, Label: [2]string{"Chưa có báo cáo", "Missing"},
		Explain: [2]string{"Đơn vị chưa có báo cáo hợp lệ (kể cả bị từ chối).", "Organisations without a valid return (rejected ones included)."},
		Sheet:   "registry (DonVi)", Field: "—", Filter: "expected organisations without an accepted return", Orgs: expectedOrgs,
		level: func(d *Digest) int { return d.Completeness.Missing }},

	// 2. Membership.
	{ID: "members_start", Section: SecMembers, Kind: KindSum, Label: [2]string{"Đầu quý", "At start of quarter"},
		Explain: [2]string{"Đảng viên đầu quý (chính thức và dự bị).", "Members at the start of the quarter (full and probationary)."},
		Sheet:   "ThongTin", Field: "members_start_official + members_start_probationary", Filter: "—",
		value: facts.Figures.Start},
	{ID: "members_end", Section: SecMembers, Kind: KindSum, Label: [2]string{"Cuối quý", "At end of quarter"},
		Explain: [2]string{"Đảng viên cuối quý (chính thức và dự bị).", "Members at the end of the quarter (full and probationary)."},
		Sheet:   "ThongTin", Field: "members_end_official + members_end_probationary", Filter: "—",
		value: facts.Figures.End},
	{ID: "members_net", Section: SecMembers, Kind: KindNet, Label: [2]string{"Tăng/giảm trong quý", "Net change"},
		Explain: [2]string{"Cuối quý trừ đầu quý.", "End of quarter minus start of quarter."},
		Sheet:   "ThongTin", Field: "members_end_* − members_start_*", Filter: "—",
		value: func(g facts.Figures) int { return g.End() - g.Start() }},
	{ID: "members_official", Section: SecMembers, Kind: KindSum, Label: [2]string{"Chính thức (cuối quý)", "Full members (end)"},
		Explain: [2]string{"Đảng viên chính thức cuối quý.", "Full members at the end of the quarter."},
		Sheet:   "ThongTin", Field: "members_end_official", Filter: "—",
		value: func(g facts.Figures) int { return g.EndOfficial }},
	{ID: "members_probationary", Section: SecMembers, Kind: KindSum, Label: [2]string{"Dự bị (cuối quý)", "Probationary (end)"},
		Explain: [2]string{"Đảng viên dự bị cuối quý.", "Probationary members at the end of the quarter."},
		Sheet:   "ThongTin", Field: "members_end_probationary", Filter: "—",
		value: func(g facts.Figures) int { return g.EndProbationary }},
	{ID: "members_recognised", Section: SecMembers, Kind: KindSum, Label: [2]string{"Công nhận chính thức trong quý", "Recognised as full members"},
		Explain: [2]string{"Đảng viên dự bị được công nhận chính thức trong quý.", "Probationary members recognised as full members in the quarter."},
		Sheet:   "ThongTin", Field: "recognised_official", Filter: "—",
		value: func(g facts.Figures) int { return g.Recognised }},

	// Members who left, by reason (next to the net change).
	{ID: "left_deceased", Section: SecLeft, Kind: KindSum, Label: [2]string{"Từ trần", "Deceased"},
		Explain: [2]string{"Đảng viên từ trần trong quý.", "Members who died in the quarter."},
		Sheet:   "ThongTin", Field: "deceased", Filter: "—", value: func(g facts.Figures) int { return g.Deceased }},
	{ID: "left_struck_off", Section: SecLeft, Kind: KindSum, Label: [2]string{"Xóa tên", "Struck off"},
		Explain: [2]string{"Đảng viên bị xóa tên khỏi danh sách (không phải kỷ luật).", "Members struck off the list (not a discipline)."},
		Sheet:   "ThongTin", Field: "struck_off", Filter: "—", value: func(g facts.Figures) int { return g.StruckOff }},
	{ID: "left_resigned", Section: SecLeft, Kind: KindSum, Label: [2]string{"Xin ra khỏi Đảng", "Resigned"},
		Explain: [2]string{"Đảng viên xin ra khỏi Đảng.", "Members who asked to leave the Party."},
		Sheet:   "ThongTin", Field: "resigned", Filter: "—", value: func(g facts.Figures) int { return g.Resigned }},
	{ID: "left_expelled", Section: SecLeft, Kind: KindSum, Label: [2]string{"Khai trừ", "Expelled"},
		Explain: [2]string{"Đảng viên bị khai trừ.", "Members expelled."},
		Sheet:   "ThongTin", Field: "expelled", Filter: "—", value: func(g facts.Figures) int { return g.Expelled }},
	{ID: "left_other", Section: SecLeft, Kind: KindSum, Label: [2]string{"Giảm khác", "Other decreases"},
		Explain: [2]string{"Giảm vì lý do khác (ghi rõ trong báo cáo).", "Decreases for other reasons (stated in the return)."},
		Sheet:   "ThongTin", Field: "decrease_other", Filter: "—", value: func(g facts.Figures) int { return g.DecreaseOther }},

	// 3. Admissions.
	{ID: "admissions_quarter", Section: SecAdmissions, Kind: KindSum, Label: [2]string{"Kết nạp trong quý", "Admitted in the quarter"},
		Explain: [2]string{"Kết nạp mới và kết nạp lại trong quý.", "New admissions and readmissions in the quarter."},
		Sheet:   "ThongTin", Field: "admitted + readmitted", Filter: "— (TH-03: equals the KetNap rows)",
		value: func(g facts.Figures) int { return g.Admitted + g.Readmitted }},
	{ID: "admissions_ytd", Section: SecAdmissions, Kind: KindYTD, Label: [2]string{"Lũy kế từ đầu năm", "Year to date"},
		Explain: [2]string{"Kết nạp từ Quý I đến quý này; so với cùng các quý năm trước.", "Admissions from Q1 to this quarter; compared with the same quarters last year."},
		Sheet:   "ThongTin", Field: "admitted + readmitted", Filter: "quarters Q1..q of the year",
		value: func(g facts.Figures) int { return g.Admitted + g.Readmitted }},
	{ID: "admissions_target", Section: SecAdmissions, Kind: KindLevel, Label: [2]string{"Chỉ tiêu năm", "Annual target"},
		Explain: [2]string{"Tổng chỉ tiêu kết nạp năm của các đơn vị.", "The organisations' annual admission targets added up."},
		Sheet:   "ThongTin", Field: "admission_target_year", Filter: "each organisation's latest return of the year up to the quarter (predecessors in their successor)",
		Orgs: kindOrgs[KindProgress], level: func(d *Digest) int { return d.Target }},
	{ID: "admissions_progress", Section: SecAdmissions, Kind: KindProgress, Label: [2]string{"Kết nạp lũy kế so với chỉ tiêu năm", "Admissions against the annual target"},
		Explain: [2]string{"Lũy kế từ đầu năm chia cho chỉ tiêu năm.", "Year-to-date admissions divided by the annual target."},
		Sheet:   "ThongTin", Field: "Σ(admitted + readmitted) Q1..q ÷ Σ admission_target_year", Filter: "—"},

	// Composition of the quarter's admissions.
	{ID: "share_women", Section: SecShares, Kind: KindShare, Label: [2]string{"Nữ", "Women"},
		Explain: [2]string{"Tỷ lệ nữ trong số đảng viên mới kết nạp.", "Share of women among the admitted."},
		Sheet:   "KetNap", Field: "gender", Filter: "gender = F", value: func(g facts.Figures) int { return g.Women }, den: admissionRows},
	{ID: "share_youth", Section: SecShares, Kind: KindShare, Label: [2]string{"Đoàn viên TNCS HCM", "Youth Union members"},
		Explain: [2]string{"Tỷ lệ đoàn viên trong số mới kết nạp.", "Share of Youth Union members among the admitted."},
		Sheet:   "KetNap", Field: "is_youth_union_member", Filter: "C", value: func(g facts.Figures) int { return g.Youth }, den: admissionRows},
	{ID: "share_minority", Section: SecShares, Kind: KindShare, Label: [2]string{"Dân tộc thiểu số", "Ethnic minorities"},
		Explain: [2]string{"Tỷ lệ người dân tộc thiểu số.", "Share of ethnic minorities."},
		Sheet:   "KetNap", Field: "ethnicity_code", Filter: "given and not 01 (Kinh)", value: func(g facts.Figures) int { return g.Minority }, den: admissionRows},
	{ID: "share_religious", Section: SecShares, Kind: KindShare, Label: [2]string{"Có đạo", "Religious"},
		Explain: [2]string{"Tỷ lệ người có đạo.", "Share of religious members."},
		Sheet:   "KetNap", Field: "religion_code", Filter: "given and not 00 (none)", value: func(g facts.Figures) int { return g.Religious }, den: admissionRows},
	{ID: "share_nonstate", Section: SecShares, Kind: KindShare, Label: [2]string{"Ngoài khu vực nhà nước / FDI", "Non-state sector / FDI"},
		Explain: [2]string{"Tỷ lệ người làm ở doanh nghiệp tư nhân, FDI, hợp tác xã.", "Share working in private, foreign-invested firms or cooperatives."},
		Sheet:   "KetNap", Field: "workplace_sector", Filter: "DN_TU_NHAN, DN_FDI, HTX", value: func(g facts.Figures) int { return g.NonState }, den: admissionRows},

	// 4. Transfers.
	{ID: "transfers_in", Section: SecTransfers, Kind: KindRows, Label: [2]string{"Chuyển đến chính thức", "Official transfers in"},
		Explain: [2]string{"Đảng viên chuyển sinh hoạt chính thức đến.", "Members transferred in officially."},
		Sheet:   "ChuyenSinhHoat", Field: "rows", Filter: "direction = DEN, transfer_type = CHINH_THUC", rows: transfers, count: transfer("DEN", "CHINH_THUC")},
	{ID: "transfers_out", Section: SecTransfers, Kind: KindRows, Label: [2]string{"Chuyển đi chính thức", "Official transfers out"},
		Explain: [2]string{"Đảng viên chuyển sinh hoạt chính thức đi.", "Members transferred out officially."},
		Sheet:   "ChuyenSinhHoat", Field: "rows", Filter: "direction = DI, transfer_type = CHINH_THUC", rows: transfers, count: transfer("DI", "CHINH_THUC")},
	{ID: "transfers_net", Section: SecTransfers, Kind: KindNet, Label: [2]string{"Chênh lệch chuyển chính thức", "Official transfers, net"},
		Explain: [2]string{"Chuyển đến trừ chuyển đi (chính thức).", "Official transfers in minus out."},
		Sheet:   "ChuyenSinhHoat", Field: "rows", Filter: "CHINH_THUC: DEN counts +1, DI −1", rows: transfers,
		count: func(c facts.Count) int { return transfer("DEN", "CHINH_THUC")(c) - transfer("DI", "CHINH_THUC")(c) }},
	{ID: "transfers_temp_in", Section: SecTransfers, Kind: KindRows, Label: [2]string{"Tạm thời đến", "Temporary in"},
		Explain: [2]string{"Chuyển sinh hoạt tạm thời đến (không tính vào số đảng viên).", "Temporary transfers in (not in the membership count)."},
		Sheet:   "ChuyenSinhHoat", Field: "rows", Filter: "direction = DEN, transfer_type = TAM_THOI", rows: transfers, count: transfer("DEN", "TAM_THOI")},
	{ID: "transfers_temp_out", Section: SecTransfers, Kind: KindRows, Label: [2]string{"Tạm thời đi", "Temporary out"},
		Explain: [2]string{"Chuyển sinh hoạt tạm thời đi.", "Temporary transfers out."},
		Sheet:   "ChuyenSinhHoat", Field: "rows", Filter: "direction = DI, transfer_type = TAM_THOI", rows: transfers, count: transfer("DI", "TAM_THOI")},

	// 5. Supervision, inspection and discipline.
	{ID: "supervisions", Section: SecSuperv, Kind: KindRows, Label: [2]string{"Giám sát (lượt)", "Supervisions"},
		Explain: [2]string{"Số lượt giám sát.", "Supervisions (occurrences)."},
		Sheet:   "GiamSat", Field: "rows", Filter: "activity = GIAM_SAT", rows: supervisions, count: keyed(1, "GIAM_SAT")},
	{ID: "inspections", Section: SecSuperv, Kind: KindRows, Label: [2]string{"Kiểm tra (lượt)", "Inspections"},
		Explain: [2]string{"Số lượt kiểm tra.", "Inspections (occurrences)."},
		Sheet:   "GiamSat", Field: "rows", Filter: "activity = KIEM_TRA", rows: supervisions, count: keyed(1, "KIEM_TRA")},
	{ID: "outcome_violation", Section: SecOutcomes, Kind: KindRows, Label: [2]string{"Kết luận có vi phạm", "Found in violation"},
		Explain: [2]string{"Lượt giám sát, kiểm tra kết luận có vi phạm.", "Supervisions and inspections that found a violation."},
		Sheet:   "GiamSat", Field: "result", Filter: "result = CO_VI_PHAM", rows: outcomes, count: keyed(1, "CO_VI_PHAM")},
	{ID: "outcome_signs", Section: SecOutcomes, Kind: KindRows, Label: [2]string{"Có dấu hiệu vi phạm", "With signs of violation"},
		Explain: [2]string{"Lượt giám sát phát hiện dấu hiệu vi phạm (chuyển kiểm tra).", "Supervisions that found signs of violation (passed to inspection)."},
		Sheet:   "GiamSat", Field: "result", Filter: "result = CO_DAU_HIEU_VI_PHAM", rows: outcomes, count: keyed(1, "CO_DAU_HIEU_VI_PHAM")},
	{ID: "outcome_disciplined", Section: SecOutcomes, Kind: KindRows, Label: [2]string{"Thi hành kỷ luật qua giám sát, kiểm tra", "Disciplined as a result"},
		Explain: [2]string{"Lượt giám sát, kiểm tra có quyết định kỷ luật.", "Supervisions and inspections that led to a discipline."},
		Sheet:   "GiamSat", Field: "discipline_form", Filter: "discipline_form given", rows: outcomes, count: keyed(2, "C")},
	{ID: "disciplines", Section: SecDiscipline, Kind: KindRows, Label: [2]string{"Kỷ luật", "Disciplinary measures"},
		Explain: [2]string{"Mọi quyết định kỷ luật trong quý: dòng KyLuat và dòng GiamSat có hình thức kỷ luật.", "Every discipline of the quarter: KyLuat rows and GiamSat rows with a discipline form."},
		Sheet:   "KyLuat + GiamSat", Field: "rows (reporting.disciplines_all)", Filter: "KyLuat: every row; GiamSat: discipline_form given",
		rows: disciplines, count: func(c facts.Count) int { return c.N }},
	{ID: "disciplines_giamsat", Section: SecDiscipline, Kind: KindRows, Label: [2]string{"trong đó qua giám sát, kiểm tra", "of which after supervision or inspection"},
		Explain: [2]string{"Kỷ luật ghi trên dòng GiamSat.", "Disciplines on a GiamSat row."},
		Sheet:   "GiamSat", Field: "discipline_form", Filter: "discipline_form given", rows: disciplines, count: keyed(2, "GiamSat")},
	{ID: "disciplines_kyluat", Section: SecDiscipline, Kind: KindRows, Label: [2]string{"trong đó kỷ luật khác (KyLuat)", "of which other (KyLuat)"},
		Explain: [2]string{"Kỷ luật không phát sinh từ giám sát, kiểm tra (sheet KyLuat).", "Disciplines not arising from a listed supervision (sheet KyLuat)."},
		Sheet:   "KyLuat", Field: "rows", Filter: "every row", rows: disciplines, count: keyed(2, "KyLuat")},
}

func admissionRows(g facts.Figures) int { return g.AdmissionRows }

// KeyFigures are the figures of the key-figures box at the top, each with
// its change against the previous quarter.
var KeyFigures = []string{"members_end", "admissions_progress", "transfers_net", "disciplines", "returns_on_time"}

// Breakdown defines a table of the digest: counts by codes.
type Breakdown struct {
	ID      string
	Section Section
	Label   [2]string
	Explain [2]string
	Sheet   string
	Keys    string // the codes it is broken down by
	Filter  string
}

// Breakdowns are the tables of the digest.
var Breakdowns = []Breakdown{
	{ID: "transfers_by_scope", Section: SecTransfers, Label: [2]string{"Chuyển sinh hoạt chính thức theo phạm vi", "Official transfers by scope"},
		Explain: [2]string{"Chuyển đến, chuyển đi và chênh lệch theo phạm vi.", "In, out and net by scope."},
		Sheet:   "ChuyenSinhHoat", Keys: "scope × direction", Filter: "transfer_type = CHINH_THUC"},
	{ID: "superv_by_actor", Section: SecSuperv, Label: [2]string{"Giám sát, kiểm tra theo chủ thể", "Supervision and inspection by actor"},
		Explain: [2]string{"Số lượt theo chủ thể, hoạt động và hình thức.", "Occurrences by actor, activity and form."},
		Sheet:   "GiamSat", Keys: "actor × activity × supervision_form or inspection_type", Filter: "every row"},
	{ID: "superv_by_subject", Section: SecSuperv, Label: [2]string{"Giám sát, kiểm tra theo đối tượng", "Supervision and inspection by subject"},
		Explain: [2]string{"Số lượt theo hoạt động và đối tượng (tổ chức, đảng viên).", "Occurrences by activity and subject (organisation, member)."},
		Sheet:   "GiamSat", Keys: "activity × subject_type", Filter: "every row"},
	{ID: "disciplines_by_form", Section: SecDiscipline, Label: [2]string{"Kỷ luật theo hình thức", "Disciplines by form"},
		Explain: [2]string{"Số kỷ luật theo hình thức và đối tượng.", "Disciplines by form and subject."},
		Sheet:   "KyLuat + GiamSat", Keys: "discipline_form × subject_type", Filter: "KyLuat rows; GiamSat rows with discipline_form"},
	{ID: "disciplines_by_body", Section: SecDiscipline, Label: [2]string{"Kỷ luật theo cấp quyết định", "Disciplines by who decided"},
		Explain: [2]string{"Số kỷ luật theo cấp quyết định (UBKT, BTV, cấp ủy, chi bộ) và nguồn.", "Disciplines by who decided (inspection commission, standing committee, committee, cell) and origin."},
		Sheet:   "KyLuat + GiamSat", Keys: "decided_by (from discipline_body) × origin", Filter: "KyLuat rows; GiamSat rows with discipline_form"},
}

// DefinitionOf returns the definition of id.
func DefinitionOf(id string) (Definition, bool) {
	for _, d := range Definitions {
		if d.ID == id {
			return d, true
		}
	}
	return Definition{}, false
}

// inSection lists the definitions of section s.
func inSection(s Section) []Definition {
	var out []Definition
	for _, d := range Definitions {
		if d.Section == s {
			out = append(out, d)
		}
	}
	return out
}
