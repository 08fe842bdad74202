package generate

import (
	"fmt"
	"math"
	"time"
)

// member is one party member as the generator knows them.
type member struct {
	name, gender    string
	birth           time.Time
	status          string // CT or DB
	card, profile   string
	join, official  time.Time
	committeeMember bool
}

type orgState struct {
	off, prob int
	target    map[int]int // year → admission target
}

func (g *gen) buildReturns() {
	p := g.p
	states := map[string]*orgState{}
	for _, q := range p.Quarters {
		var active []*Org
		for _, o := range p.Orgs {
			if o.Grassroots() && o.ActiveIn(q) {
				active = append(active, o)
			}
		}
		for _, o := range active {
			if states[o.Code] != nil {
				continue
			}
			st := &orgState{target: map[int]int{}}
			if len(o.Predecessors) > 0 {
				for _, pc := range o.Predecessors {
					st.off += states[pc].off
					st.prob += states[pc].prob
				}
			} else {
				size := g.sizes[o.Code]
				st.prob = int(math.Round(float64(size) * (0.025 + 0.03*g.r.Float64())))
				st.off = size - st.prob
			}
			states[o.Code] = st
		}
		planned := g.planTransfers(q, active, states)
		for _, o := range active {
			ret := g.buildReturn(o, q, states[o.Code], planned[o.Code])
			p.Returns = append(p.Returns, ret)
		}
	}
}

// planTransfers pairs official transfers between organisations of the
// province: a DI at A naming B and a DEN at B with the same card number, the
// same letter and a receipt 2–20 days after the letter, in the same quarter.
func (g *gen) planTransfers(q Quarter, active []*Org, states map[string]*orgState) map[string][]Transfer {
	out := map[string][]Transfer{}
	pairs := 2 + g.r.IntN(3)
	for k := 0; k < pairs; k++ {
		a := active[g.r.IntN(len(active))]
		b := active[g.r.IntN(len(active))]
		if a == b || states[a.Code].off < 40 || a.Type == OrgTypeChiBoCoSo && b.Type == OrgTypeChiBoCoSo {
			continue
		}
		if b.Type == OrgTypeChiBoCoSo && states[b.Code].off+states[b.Code].prob >= 26 {
			continue
		}
		latest := q.End().AddDate(0, 0, -22)
		d := weekday(randDay(g.r, q.Start().AddDate(0, 0, 3), latest))
		recv := weekday(d.AddDate(0, 0, 2+g.r.IntN(16)))
		if !q.Contains(recv) {
			continue
		}
		m := g.newMember("CT", d, "GD")
		reason := pick(g.r, []string{"CHUYEN_CONG_TAC", "CHUYEN_CONG_TAC", "DOI_NOI_CU_TRU"})
		letter := g.letter(q.Year, "")
		dues := monthOf(d)
		t := Transfer{FullName: m.name, BirthDate: m.birth, Gender: m.gender, MemberStatus: "CT", CardNo: m.card,
			ProfileNo: m.profile, JoinDate: m.join, OfficialDate: m.official, TransferType: "CHINH_THUC",
			Scope: "TRONG_TINH", Reason: reason, LetterNo: letter, DuesPaidThrough: dues}
		di := t
		di.Direction, di.CounterpartOrgName, di.CounterpartOrgCode, di.EventDate = "DI", b.Name, b.Code, d
		di.CellCode = pick(g.r, a.CellCodes())
		if reason == "CHUYEN_CONG_TAC" {
			di.DecisionDate = addWorkdays(d, -(3 + g.r.IntN(20)))
		}
		den := t
		den.Direction, den.CounterpartOrgName, den.CounterpartOrgCode, den.EventDate = "DEN", a.Name, a.Code, recv
		den.CellCode = pick(g.r, b.CellCodes())
		den.DecisionDate = di.DecisionDate
		out[a.Code] = append(out[a.Code], di)
		out[b.Code] = append(out[b.Code], den)
	}
	return out
}

var outsideOrgs = []struct{ name, prefix string }{
	{"Đảng bộ phường Hư Cấu, tỉnh Mẫu Thử", "MT"},
	{"Đảng bộ xã Tân Mẫu, tỉnh Mẫu Thử", "MT"},
	{"Đảng bộ Công ty Cổ phần Vận tải Hư Cấu, tỉnh Hư Cấu", "HC"},
	{"Đảng bộ Trường Đại học Ví Dụ, thành phố Ví Dụ", "VD"},
	{"Chi bộ Trường THCS Minh Họa, tỉnh Hư Cấu", "HC"},
}

func (g *gen) buildReturn(o *Org, q Quarter, st *orgState, planned []Transfer) *Return {
	r := g.r
	size := st.off + st.prob
	big := size >= 1000
	cbcs := o.Type == OrgTypeChiBoCoSo
	if _, ok := st.target[q.Year]; !ok {
		t := int(math.Round(float64(size) * 0.03))
		st.target[q.Year] = max(1, t)
	}
	info := Info{OrgCode: o.Code, OrgName: o.Name, OrgType: o.Type, ParentCode: o.ParentCode,
		Year: q.Year, Quarter: q.Q, TemplateVersion: TemplateVersion, CellsCount: len(o.Cells),
		MembersStartOfficial: st.off, MembersStartProbationary: st.prob,
		AdmissionTargetYear: st.target[q.Year],
		PreparerName:        personName(r, pick(r, []string{"Nam", "Nữ", "Nữ"})), Phone: g.mobile(), Email: o.Email,
		PreparedOn: weekday(q.End().AddDate(0, 0, 2+r.IntN(10)))}
	ret := &Return{Org: o, Year: q.Year, Quarter: q.Q}

	// Admissions.
	nAdm := 0
	expect := float64(st.target[q.Year]) / 4 * (0.4 + 1.3*r.Float64())
	nAdm = int(math.Round(expect))
	if r.IntN(5) == 0 && !big {
		nAdm = 0
	}
	if cbcs && size >= 26 {
		nAdm = 0
	}
	nAdm = min(nAdm, 10)
	nReadm := 0
	if !cbcs && size >= 100 && r.IntN(12) == 0 && nAdm < 10 {
		nReadm = 1
	}
	for i := 0; i < nAdm+nReadm; i++ {
		ret.Admissions = append(ret.Admissions, g.admission(o, q, i >= nAdm))
	}
	info.Admitted, info.Readmitted = nAdm, nReadm

	// Transfers: the planned in-province pairs, then outside the province and temporary ones.
	ret.Transfers = append(ret.Transfers, planned...)
	nDi, nDen, nTam := 0, 0, 0
	switch {
	case big:
		nDi, nDen, nTam = 2+r.IntN(3), 1+r.IntN(3), 1+r.IntN(2)
	case cbcs:
		if r.IntN(4) == 0 && size > 8 {
			nDi = 1
		}
		if r.IntN(4) == 0 && size < 26 {
			nDen = 1
		}
		if r.IntN(6) == 0 {
			nTam = 1
		}
	default:
		nDi, nDen, nTam = r.IntN(2+min(size/100, 2)), r.IntN(2+min(size/100, 2)), r.IntN(3)
	}
	probLeft := st.prob
	for i := 0; i < nDi && len(ret.Transfers) < 10; i++ {
		status := "CT"
		if probLeft > 1 && r.IntN(6) == 0 {
			status = "DB"
			probLeft--
		}
		ret.Transfers = append(ret.Transfers, g.outsideTransfer(o, q, "DI", "CHINH_THUC", status))
	}
	for i := 0; i < nDen && len(ret.Transfers) < 10; i++ {
		status := "CT"
		if r.IntN(6) == 0 {
			status = "DB"
		}
		ret.Transfers = append(ret.Transfers, g.outsideTransfer(o, q, "DEN", "CHINH_THUC", status))
	}
	for i := 0; i < nTam && len(ret.Transfers) < 10; i++ {
		ret.Transfers = append(ret.Transfers, g.outsideTransfer(o, q, pick(r, []string{"DI", "DEN"}), "TAM_THOI", "CT"))
	}
	diCT, diDB, denCT, denDB := 0, 0, 0, 0
	for _, t := range ret.Transfers {
		switch {
		case t.TransferType != "CHINH_THUC":
			if t.Direction == "DEN" {
				info.TempIn++
			} else {
				info.TempOut++
			}
		case t.Direction == "DEN" && t.MemberStatus == "CT":
			denCT++
		case t.Direction == "DEN":
			denDB++
		case t.MemberStatus == "CT":
			diCT++
		default:
			diDB++
		}
	}
	info.TransferInOfficial = denCT + denDB
	info.TransferOutOfficial = diCT + diDB

	// Supervision and discipline; expulsions feed the balance.
	g.supervisions(ret, o, q)
	if !cbcs && r.IntN(5) == 0 {
		g.disciplines(ret, o, q)
	}
	for _, s := range ret.Supervisions {
		if s.DisciplineForm == "KHAI_TRU" {
			info.Expelled++
		}
	}
	for _, d := range ret.Disciplines {
		if d.DisciplineForm == "KHAI_TRU" {
			info.Expelled++
		}
	}

	// Other decreases, all among full members.
	info.Deceased = poisson(r, float64(st.off)*0.0025)
	info.StruckOff = poisson(r, float64(st.off)*0.001)
	if !cbcs && r.IntN(40) == 0 {
		info.Resigned = 1
	}
	// Recognition of probationary members whose 12 months ended.
	if st.prob-diDB > 0 {
		info.RecognisedOfficial = min(st.prob-diDB, int(math.Round(float64(st.prob)*(0.15+0.25*r.Float64()))))
	}
	info.MembersEndOfficial = st.off + info.RecognisedOfficial + denCT - diCT - info.Deceased - info.Expelled - info.StruckOff - info.Resigned
	info.MembersEndProbationary = st.prob + nAdm + nReadm - info.RecognisedOfficial + denDB - diDB
	if info.MembersEndOfficial < 3 || info.MembersEndProbationary < 0 {
		panic(fmt.Sprintf("generate: %s %s: negative balance", o.Code, q))
	}
	ret.Info = info
	st.off, st.prob = info.MembersEndOfficial, info.MembersEndProbationary
	return ret
}

func poisson(r interface{ Float64() float64 }, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// newMember makes a new, unique person who is a member with status at day asOf.
// prefix is the profile-number prefix of their province.
func (g *gen) newMember(status string, asOf time.Time, prefix string) member {
	r := g.r
	m := member{status: status}
	m.gender = "Nam"
	if r.IntN(100) < 45 {
		m.gender = "Nữ"
	}
	for {
		m.name = personName(r, m.gender)
		var age int
		if status == "CT" {
			age = 24 + r.IntN(36)
		} else {
			age = 19 + r.IntN(20)
		}
		m.birth = asOf.AddDate(-age, -r.IntN(12), -r.IntN(28))
		key := m.name + "|" + m.birth.Format("2006-01-02")
		if !g.persons[key] {
			g.persons[key] = true
			break
		}
	}
	if status == "CT" {
		// joined at least 13 months ago and at 19 or later
		earliest := m.birth.AddDate(19, 0, 0)
		latest := asOf.AddDate(-1, -1, 0)
		m.join = weekday(randDay(g.r, earliest, latest))
		m.official = m.join.AddDate(1, 0, 0)
		m.card = g.uniq(g.cards, func() string { return fmt.Sprintf("%08d", 1_000_000+r.IntN(89_000_000)) })
	} else {
		m.join = weekday(asOf.AddDate(0, -(1 + r.IntN(10)), -r.IntN(20)))
	}
	m.profile = g.uniq(g.profile, func() string { return fmt.Sprintf("%s-%06d", prefix, 1+r.IntN(999_998)) })
	m.committeeMember = r.IntN(4) == 0
	return m
}

func (g *gen) uniq(set map[string]bool, f func() string) string {
	for {
		s := f()
		if !set[s] {
			set[s] = true
			return s
		}
	}
}

// letter issues a letter number unique in the province for year (in-province
// letters are numbered by one register: simpler than real life and never clashes).
func (g *gen) letter(year int, suffix string) string {
	key := fmt.Sprint(year, suffix)
	g.letters[key]++
	if suffix == "" {
		return fmt.Sprintf("%d-GTSHĐ", g.letters[key])
	}
	return fmt.Sprintf("%d-GTSHĐ/%s", g.letters[key], suffix)
}

func (g *gen) outsideTransfer(o *Org, q Quarter, dir, typ, status string) Transfer {
	r := g.r
	d := weekday(randDay(r, q.Start().AddDate(0, 0, 2), q.End().AddDate(0, 0, -3)))
	other := outsideOrgs[r.IntN(len(outsideOrgs))]
	prefix := "GD"
	if dir == "DEN" {
		prefix = other.prefix
	}
	m := g.newMember(status, d, prefix)
	t := Transfer{FullName: m.name, BirthDate: m.birth, Gender: m.gender, MemberStatus: status, CardNo: m.card,
		ProfileNo: m.profile, JoinDate: m.join, OfficialDate: m.official, Direction: dir, TransferType: typ,
		Scope: "NGOAI_TINH", CounterpartOrgName: other.name, EventDate: d, CellCode: pick(r, o.CellCodes())}
	if dir == "DI" {
		t.LetterNo = g.letter(q.Year, "")
	} else {
		t.LetterNo = g.letter(q.Year, other.prefix)
	}
	if typ == "TAM_THOI" {
		t.Reason = pick(r, []string{"DI_HOC", "LAO_DONG_LUU_DONG", "CHUYEN_CONG_TAC"})
		t.TempUntil = t.EventDate.AddDate(0, 3+r.IntN(9), r.IntN(20))
	} else {
		reasons := []string{"CHUYEN_CONG_TAC", "DOI_NOI_CU_TRU", "CHUYEN_CONG_TAC"}
		if status == "CT" && d.Sub(m.birth) > 56*365*24*time.Hour {
			reasons = append(reasons, "NGHI_HUU", "NGHI_HUU")
		}
		switch o.Sector {
		case "DN_NHA_NUOC", "DN_TU_NHAN", "DN_FDI":
			reasons = append(reasons, "THOI_VIEC")
		case "LLVT":
			reasons = append(reasons, "PHUC_VIEN")
		}
		t.Reason = pick(r, reasons)
		if t.Reason == "CHUYEN_CONG_TAC" || t.Reason == "NGHI_HUU" {
			t.DecisionDate = addWorkdays(d, -(3 + r.IntN(25)))
		}
	}
	t.DuesPaidThrough = monthOf(d)
	if r.IntN(3) == 0 {
		t.DuesPaidThrough = monthOf(d).AddDate(0, -1, 0)
	}
	return t
}

func (g *gen) decisionNo(o *Org, year int) string {
	key := fmt.Sprint(o.Code, year)
	if o.Type == OrgTypeChiBoCoSo {
		key = fmt.Sprint(o.ParentCode, year)
	}
	if g.decNo[key] == 0 {
		g.decNo[key] = 1 + g.r.IntN(9)
	}
	g.decNo[key] += 1 + g.r.IntN(3)
	return fmt.Sprintf("%d-%s", g.decNo[key], o.DecisionSuffix)
}

func (g *gen) admission(o *Org, q Quarter, readmission bool) Admission {
	r := g.r
	ceremony := weekday(randDay(r, q.Start().AddDate(0, 0, 1), q.End().AddDate(0, 0, -2)))
	if !q.Contains(ceremony) {
		ceremony = addWorkdays(ceremony, 2)
	}
	decision := addWorkdays(ceremony, -(5 + r.IntN(20)))
	a := Admission{Gender: "Nam", IsReadmission: readmission, DecisionDate: decision, CeremonyDate: ceremony,
		DecidingBody: o.DecidingBody, DecisionNo: g.decisionNo(o, decision.Year()),
		CellCode: pick(r, o.CellCodes()), OccupationGroup: o.Occupation, WorkplaceSector: o.Sector}
	if r.IntN(100) < 48 {
		a.Gender = "Nữ"
	}
	var ageYears int
	switch {
	case readmission:
		ageYears = 35 + r.IntN(20)
	case o.Sector == "TRUONG_HOC" && r.IntN(3) == 0:
		ageYears = 19 + r.IntN(3)
		a.OccupationGroup = "HSSV"
	default:
		ageYears = 20 + r.IntN(18)
		if r.IntN(10) == 0 {
			ageYears = 38 + r.IntN(15)
		}
	}
	for {
		a.FullName = personName(r, a.Gender)
		a.BirthDate = decision.AddDate(-ageYears, -1-r.IntN(11), -r.IntN(28))
		key := a.FullName + "|" + a.BirthDate.Format("2006-01-02")
		if !g.persons[key] {
			g.persons[key] = true
			break
		}
	}
	if r.IntN(10) < 8 {
		a.CitizenID = g.uniq(g.cccd, func() string {
			century := 0
			if a.BirthDate.Year() >= 2000 {
				century = 2
			}
			if a.Gender == "Nữ" {
				century++
			}
			return fmt.Sprintf("099%d%02d%06d", century, a.BirthDate.Year()%100, r.IntN(1_000_000))
		})
	}
	a.EthnicityCode = "01"
	if n := r.IntN(100); n < 12 {
		a.EthnicityCode = pick(r, []string{"02", "03", "04", "05", "06", "07", "08", "09"})
	}
	a.ReligionCode = "00"
	if n := r.IntN(100); n < 8 {
		a.ReligionCode = pick(r, []string{"01", "02", "01", "08", "05", "03"})
	}
	a.GeneralEducation = "THPT"
	if r.IntN(100) < 10 && (o.Occupation == "NONG_DAN" || o.Occupation == "CONG_NHAN_LD") {
		a.GeneralEducation = "THCS"
	}
	switch o.Occupation {
	case "CBCC", "VIEN_CHUC":
		a.ProfessionalLevel = pick(r, []string{"DH", "DH", "DH", "THS", "CD"})
	case "LLVT":
		a.ProfessionalLevel = pick(r, []string{"TC", "CD", "DH"})
	case "NONG_DAN":
		a.ProfessionalLevel = pick(r, []string{"CHUA", "CHUA", "SC", "TC"})
	default:
		a.ProfessionalLevel = pick(r, []string{"CHUA", "SC", "TC", "CD", "DH"})
	}
	if a.GeneralEducation == "THCS" {
		a.ProfessionalLevel = pick(r, []string{"CHUA", "SC"})
	}
	if a.OccupationGroup == "HSSV" {
		a.ProfessionalLevel = "CHUA"
	}
	a.PoliticalTheory = pick(r, []string{"SC", "SC", "SC", "CHUA"})
	if o.Sector == "DN_TU_NHAN" && r.IntN(8) == 0 {
		a.OccupationGroup = "QUAN_LY_DN"
	}
	age := ceremony.Year() - a.BirthDate.Year()
	a.IsYouthUnionMember = age <= 30 && r.IntN(10) < 8
	if r.IntN(10) < 8 {
		a.ProfileNo = g.uniq(g.profile, func() string { return fmt.Sprintf("GD-%06d", 1+r.IntN(999_998)) })
	}
	if readmission {
		a.Note = "Kết nạp lại theo Quy định 232-QĐ/TW"
		a.IsYouthUnionMember = false
	}
	return a
}

var (
	topicsGS = []string{"Thực hiện quy định nêu gương", "Việc chấp hành Điều lệ Đảng", "Thực hiện nghị quyết của chi bộ",
		"Việc giữ mối liên hệ với cấp ủy nơi cư trú", "Thực hiện chức trách, nhiệm vụ được giao", "Việc kê khai tài sản, thu nhập",
		"Lãnh đạo thực hiện nhiệm vụ chính trị", "Thực hiện chế độ sinh hoạt chi bộ"}
	topicsKT = map[string][]string{
		"KT_CHAP_HANH":        {"Chấp hành nghị quyết, chỉ thị của Đảng", "Thực hiện nguyên tắc tập trung dân chủ"},
		"KT_DANG_PHI":         {"Thu, nộp, quản lý đảng phí năm trước"},
		"KT_TAI_CHINH":        {"Quản lý, sử dụng tài chính đảng"},
		"KTDHVP":              {"Dấu hiệu vi phạm trong quản lý đất đai", "Dấu hiệu vi phạm quy định về những điều đảng viên không được làm", "Dấu hiệu vi phạm trong thực hiện nhiệm vụ được giao"},
		"GQ_TO_CAO":           {"Giải quyết đơn tố cáo đối với đảng viên"},
		"KT_THI_HANH_KY_LUAT": {"Thi hành kỷ luật trong Đảng"},
	}
)

func boolp(b bool) *bool { return &b }

func (g *gen) bodyFor(o *Org, actor string) (string, string) {
	short := o.Name
	switch actor {
	case "UBKT":
		return "Ủy ban Kiểm tra Đảng ủy " + trimPrefix(short), "UBKT"
	case "CHI_BO":
		return short, "CB"
	case "BTV":
		return "Ban Thường vụ Đảng ủy " + trimPrefix(short), "ĐU"
	}
	if o.Type == OrgTypeChiBoCoSo {
		return short, "CB"
	}
	return "Đảng ủy " + trimPrefix(short), "ĐU"
}

func trimPrefix(name string) string {
	for _, p := range []string{"Đảng bộ ", "Chi bộ "} {
		if len(name) > len(p) && name[:len(p)] == p {
			return name[len(p):]
		}
	}
	return name
}

func (g *gen) supervisions(ret *Return, o *Org, q Quarter) {
	r := g.r
	cbcs := o.Type == OrgTypeChiBoCoSo
	size := ret.Info.MembersStart()
	var n int
	switch {
	case size >= 1000:
		n = 4 + r.IntN(5)
	case cbcs:
		n = r.IntN(4)
	default:
		n = 1 + r.IntN(6)
	}
	plans := 0
	for i := 0; i < n; i++ {
		s := Supervision{Activity: "GIAM_SAT"}
		if r.IntN(100) < 35 {
			s.Activity = "KIEM_TRA"
		}
		switch {
		case cbcs:
			s.Actor = "CHI_BO"
		case s.Activity == "KIEM_TRA":
			s.Actor = pick(r, []string{"UBKT", "UBKT", "CAP_UY"})
		default:
			s.Actor = pick(r, []string{"CAP_UY", "BTV", "UBKT", "CHI_BO"})
		}
		var topic string
		if s.Activity == "GIAM_SAT" {
			s.SupervisionForm = pick(r, []string{"THUONG_XUYEN", "THUONG_XUYEN", "CHUYEN_DE"})
			topic = pick(r, topicsGS)
		} else {
			s.InspectionType = pick(r, []string{"KT_CHAP_HANH", "KT_CHAP_HANH", "KT_DANG_PHI", "KT_TAI_CHINH", "KTDHVP", "KTDHVP"})
			topic = pick(r, topicsKT[s.InspectionType])
		}
		s.Topic = topic
		orgSubject := !cbcs && len(o.Cells) > 0 && (s.InspectionType == "KT_DANG_PHI" || s.InspectionType == "KT_TAI_CHINH" || r.IntN(3) == 0)
		start := weekday(randDay(r, q.Start(), q.End().AddDate(0, 0, -30)))
		if orgSubject {
			c := o.Cells[r.IntN(len(o.Cells))]
			s.SubjectType, s.SubjectName, s.SubjectOrgCode = "TO_CHUC_DANG", c.Name, c.Code
		} else {
			status := "CT"
			if r.IntN(8) == 0 {
				status = "DB"
			}
			m := g.newMember(status, start, "GD")
			s.SubjectType, s.SubjectName, s.SubjectMemberStatus = "DANG_VIEN", m.name, status
			s.SubjectMemberID = m.card
			if status == "DB" {
				s.SubjectMemberID = m.profile
				m.committeeMember = false
			}
			s.IsCommitteeMember = boolp(m.committeeMember)
		}
		body, tag := g.bodyFor(o, s.Actor)
		if s.Activity == "KIEM_TRA" || s.SupervisionForm == "CHUYEN_DE" {
			plans++
			kind := "KH"
			if s.Activity == "KIEM_TRA" {
				kind = "QĐ"
			}
			s.DecisionNo = fmt.Sprintf("%02d-%s/%s", 1+q.Q*3+plans, kind, tag)
		}
		s.StartDate = start
		concl := weekday(start.AddDate(0, 0, 5+r.IntN(20)))
		if !q.Contains(concl) {
			concl = q.End()
		}
		switch {
		case r.IntN(100) < 8:
			s.Result = "CHUA_KET_LUAN"
		case s.InspectionType == "KTDHVP":
			s.Result = pick(r, []string{"CO_VI_PHAM", "CO_VI_PHAM", "KHONG_VI_PHAM"})
		case s.Activity == "KIEM_TRA":
			s.Result = pick(r, []string{"THUC_HIEN_TOT", "THUC_HIEN_TOT", "CO_HAN_CHE_KHUYET_DIEM", "CO_VI_PHAM"})
		default:
			s.Result = pick(r, []string{"THUC_HIEN_TOT", "THUC_HIEN_TOT", "THUC_HIEN_TOT", "CO_HAN_CHE_KHUYET_DIEM", "CO_DAU_HIEU_VI_PHAM"})
		}
		if s.Result != "CHUA_KET_LUAN" {
			s.ConclusionDate = concl
		}
		if s.Result == "CO_VI_PHAM" && r.IntN(10) < 7 {
			s.DisciplineRequired = true
			s.DisciplineForm = g.disciplineForm(s.SubjectType, s.SubjectMemberStatus, s.IsCommitteeMember)
			s.DisciplineBody = body
			if s.Actor == "CHI_BO" || cbcs {
				s.DisciplineBody = o.Name
			}
			if s.DisciplineForm == "KHAI_TRU" || s.DisciplineForm == "CACH_CHUC" {
				s.DisciplineBody, _ = g.bodyFor(o, "UBKT")
				if cbcs {
					s.DisciplineBody = o.DecidingBody
				}
			}
			dd := concl.AddDate(0, 0, 2+r.IntN(8))
			if dd.After(q.End()) {
				dd = q.End()
			}
			s.DisciplineDate = dd
		}
		ret.Supervisions = append(ret.Supervisions, s)
	}
}

// disciplineForm picks a form allowed by GS-02 (and GS-03 for CACH_CHUC).
func (g *gen) disciplineForm(subjectType, status string, committee *bool) string {
	r := g.r
	if subjectType == "TO_CHUC_DANG" {
		return pick(r, []string{"KHIEN_TRACH", "KHIEN_TRACH", "CANH_CAO"})
	}
	if status == "DB" {
		return pick(r, []string{"KHIEN_TRACH", "CANH_CAO"})
	}
	forms := []string{"KHIEN_TRACH", "KHIEN_TRACH", "KHIEN_TRACH", "KHIEN_TRACH", "CANH_CAO", "CANH_CAO", "CANH_CAO"}
	if r.IntN(4) == 0 {
		forms = append(forms, "KHAI_TRU")
	}
	if committee != nil && *committee {
		forms = append(forms, "CACH_CHUC", "CACH_CHUC")
	}
	return pick(r, forms)
}

func (g *gen) disciplines(ret *Return, o *Org, q Quarter) {
	r := g.r
	n := 1 + r.IntN(2)
	for i := 0; i < n; i++ {
		d := weekday(randDay(r, q.Start().AddDate(0, 0, 2), q.End().AddDate(0, 0, -2)))
		status := "CT"
		if r.IntN(6) == 0 {
			status = "DB"
		}
		m := g.newMember(status, d, "GD")
		k := Discipline{SubjectType: "DANG_VIEN", SubjectName: m.name, SubjectMemberStatus: status,
			SubjectMemberID: m.card, DecisionDate: d,
			Source: pick(r, []string{"TO_CAO", "TU_KIEM_TRA", "KHAC"})}
		if status == "DB" {
			k.SubjectMemberID = m.profile
			m.committeeMember = false
		}
		k.IsCommitteeMember = boolp(m.committeeMember)
		k.DisciplineForm = g.disciplineForm("DANG_VIEN", status, k.IsCommitteeMember)
		k.ViolationSummary = pick(r, []string{"Vi phạm quy định về những điều đảng viên không được làm",
			"Không thực hiện đúng chức trách, nhiệm vụ được giao", "Vi phạm quy định về sinh con thứ ba",
			"Vi phạm quy định về trật tự an toàn giao thông", "Thiếu trách nhiệm trong quản lý tài chính"})
		body, tag := g.bodyFor(o, "UBKT")
		if k.DisciplineForm == "KHIEN_TRACH" {
			body, tag = o.Name, "CB"
		}
		k.DisciplineBody = body
		k.DecisionNo = fmt.Sprintf("%d-QĐ/%s", 10+r.IntN(80), tag)
		ret.Disciplines = append(ret.Disciplines, k)
	}
}

// randDay returns a day uniformly between from and to (inclusive).
func randDay(r interface{ IntN(int) int }, from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.IntN(days+1))
}

// weekday moves a Saturday or Sunday back to the Friday before.
func weekday(t time.Time) time.Time {
	switch t.Weekday() {
	case time.Saturday:
		return t.AddDate(0, 0, -1)
	case time.Sunday:
		return t.AddDate(0, 0, -2)
	}
	return t
}

// addWorkdays adds n working days (Monday–Friday) to t; n may be negative.
func addWorkdays(t time.Time, n int) time.Time {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		t = t.AddDate(0, 0, step)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t
}

// WorkdaysBetween counts the working days after a up to and including b.
func WorkdaysBetween(a, b time.Time) int {
	n := 0
	for t := a; t.Before(b); {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n++
		}
	}
	return n
}

func monthOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }
