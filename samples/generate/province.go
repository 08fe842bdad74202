package generate

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Reporting quarters generated: six consecutive quarters, 2024-Q2 to 2025-Q3.
var (
	FirstQuarter = Quarter{2024, 2}
	LastQuarter  = Quarter{2025, 3}
)

// MergerDate is the day the merged commune committee starts (docs/domain.md §1.2):
// its two predecessors end the day before, on 30/06/2025.
var MergerDate = date(2025, 7, 1)

// Codes of the 2025 merger in the fictional province.
const (
	MergedA   = "GD-HSG-001" // Đảng bộ xã Sơn Thượng, ends 30/06/2025
	MergedB   = "GD-HSG-002" // Đảng bộ xã Sơn Hạ, ends 30/06/2025
	Successor = "GD-HSG-007" // Đảng bộ xã Sơn Hòa, from 01/07/2025
	BigOrg    = "GD-KDN-001" // the organisation with more than 1,000 members
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

type orgSpec struct {
	suffix, name, typ string
	members           int
	sector, occ       string
	cellPrefix        string // "thôn", "phòng", …
}

type upperSpec struct {
	code, name, decidingBody, suffix string
	children                         []orgSpec
}

var uppers = []upperSpec{
	{"GD-KCQ", "Đảng bộ Khối các cơ quan tỉnh Giả Định", "Ban Thường vụ Đảng ủy Khối các cơ quan tỉnh", "QĐ/ĐUK", []orgSpec{
		{"001", "Đảng bộ Sở Tài chính", OrgTypeDangBoCoSo, 62, "CQ_NHA_NUOC", "CBCC", "Phòng"},
		{"002", "Đảng bộ Sở Giáo dục và Đào tạo", OrgTypeDangBoCoSo, 85, "CQ_NHA_NUOC", "CBCC", "Phòng"},
		{"003", "Đảng bộ Bệnh viện Đa khoa tỉnh", OrgTypeDangBoCoSo, 240, "DV_SU_NGHIEP", "VIEN_CHUC", "Khoa"},
		{"004", "Chi bộ Sở Tư pháp", OrgTypeChiBoCoSo, 21, "CQ_NHA_NUOC", "CBCC", ""},
		{"005", "Chi bộ Ban Quản lý các khu công nghiệp", OrgTypeChiBoCoSo, 17, "CQ_NHA_NUOC", "CBCC", ""},
		{"006", "Đảng bộ Trường Đại học Giả Định", OrgTypeDangBoCoSo, 310, "TRUONG_HOC", "VIEN_CHUC", "Khoa"},
		{"007", "Chi bộ Thư viện tỉnh", OrgTypeChiBoCoSo, 12, "DV_SU_NGHIEP", "VIEN_CHUC", ""},
	}},
	{"GD-KDN", "Đảng bộ Khối doanh nghiệp tỉnh Giả Định", "Ban Thường vụ Đảng ủy Khối doanh nghiệp tỉnh", "QĐ/ĐUK", []orgSpec{
		{"001", "Đảng bộ Tổng công ty Dệt may Giả Định", OrgTypeDangBoCoSo, 1180, "DN_NHA_NUOC", "CONG_NHAN_LD", "Phân xưởng"},
		{"002", "Đảng bộ Công ty Cổ phần Cảng Giả Định", OrgTypeDangBoCoSo, 96, "DN_TU_NHAN", "CONG_NHAN_LD", "Đội"},
		{"003", "Chi bộ Công ty TNHH Điện tử Ánh Dương", OrgTypeChiBoCoSo, 19, "DN_FDI", "CONG_NHAN_LD", ""},
		{"004", "Đảng bộ Công ty Điện lực Giả Định", OrgTypeDangBoCoSo, 140, "DN_NHA_NUOC", "CONG_NHAN_LD", "Điện lực khu vực"},
		{"005", "Chi bộ Hợp tác xã Nông nghiệp Thuận Giả", OrgTypeChiBoCoSo, 11, "HTX", "NONG_DAN", ""},
		{"006", "Chi bộ Công ty Cổ phần Thủy sản Biển Giả", OrgTypeChiBoCoSo, 24, "DN_TU_NHAN", "CONG_NHAN_LD", ""},
	}},
	{"GD-TPG", "Đảng bộ thành phố Giả Định", "Ban Thường vụ Thành ủy Giả Định", "QĐ/THU", []orgSpec{
		{"001", "Đảng bộ phường Đông Giả", OrgTypeDangBoCoSo, 420, "XA_PHUONG_THON", "KHAC", "Khu phố"},
		{"002", "Đảng bộ phường Tây Giả", OrgTypeDangBoCoSo, 380, "XA_PHUONG_THON", "KHAC", "Khu phố"},
		{"003", "Đảng bộ phường Bến Mẫu", OrgTypeDangBoCoSo, 295, "XA_PHUONG_THON", "KHAC", "Khu phố"},
		{"004", "Chi bộ Trường THPT Chuyên Giả Định", OrgTypeChiBoCoSo, 26, "TRUONG_HOC", "VIEN_CHUC", ""},
		{"005", "Đảng bộ Công an thành phố", OrgTypeDangBoCoSo, 150, "LLVT", "LLVT", "Đội"},
	}},
	{"GD-HSG", "Đảng bộ huyện Sơn Giả", "Ban Thường vụ Huyện ủy Sơn Giả", "QĐ/HU", []orgSpec{
		{"001", "Đảng bộ xã Sơn Thượng", OrgTypeDangBoCoSo, 210, "XA_PHUONG_THON", "NONG_DAN", "Thôn"},
		{"002", "Đảng bộ xã Sơn Hạ", OrgTypeDangBoCoSo, 185, "XA_PHUONG_THON", "NONG_DAN", "Thôn"},
		{"003", "Đảng bộ thị trấn Giả Sơn", OrgTypeDangBoCoSo, 260, "XA_PHUONG_THON", "KHAC", "Khu phố"},
		{"004", "Đảng bộ xã Hòa Mẫu", OrgTypeDangBoCoSo, 170, "XA_PHUONG_THON", "NONG_DAN", "Thôn"},
		{"005", "Chi bộ Trung tâm Y tế huyện Sơn Giả", OrgTypeChiBoCoSo, 23, "DV_SU_NGHIEP", "VIEN_CHUC", ""},
		{"006", "Đảng bộ Quân sự huyện Sơn Giả", OrgTypeDangBoCoSo, 45, "LLVT", "LLVT", "Ban"},
		{"007", "Đảng bộ xã Sơn Hòa", OrgTypeDangBoCoSo, 0, "XA_PHUONG_THON", "NONG_DAN", "Thôn"},
	}},
}

var cellNames = map[string][]string{
	"Phòng":            {"Văn phòng", "Phòng Kế hoạch", "Phòng Tổ chức cán bộ", "Phòng Thanh tra", "Phòng Nghiệp vụ 1", "Phòng Nghiệp vụ 2", "Phòng Tổng hợp"},
	"Khoa":             {"Khoa Nội", "Khoa Ngoại", "Khoa Nhi", "Khoa Sản", "Khoa Dược", "Khoa Xét nghiệm", "Khoa Kinh tế", "Khoa Sư phạm", "Khoa Công nghệ", "Phòng Hành chính", "Khoa Ngoại ngữ", "Khoa Luật"},
	"Phân xưởng":       {"Phân xưởng Sợi 1", "Phân xưởng Sợi 2", "Phân xưởng Dệt", "Phân xưởng Nhuộm", "Phân xưởng May 1", "Phân xưởng May 2", "Phân xưởng May 3", "Phân xưởng Cơ điện", "Phòng Kỹ thuật", "Phòng Kinh doanh", "Văn phòng Tổng công ty", "Kho vận"},
	"Đội":              {"Đội Bốc xếp", "Đội Vận tải", "Đội Kỹ thuật", "Văn phòng", "Đội Cảnh sát trật tự", "Đội Điều tra", "Đội Tổng hợp"},
	"Điện lực khu vực": {"Điện lực Đông Giả", "Điện lực Tây Giả", "Điện lực Sơn Giả", "Phòng Kỹ thuật", "Văn phòng công ty"},
	"Khu phố":          {"Khu phố 1", "Khu phố 2", "Khu phố 3", "Khu phố 4", "Khu phố 5", "Khu phố 6", "Khu phố 7", "Khu phố 8", "Khu phố 9", "Khu phố 10", "Khu phố 11", "Khu phố 12"},
	"Thôn":             {"Thôn Đông", "Thôn Đoài", "Thôn Trung", "Thôn Thượng", "Thôn Hạ", "Thôn Bãi", "Thôn Mới", "Thôn Cầu", "Thôn Đình", "Thôn Chợ", "Thôn Gò", "Thôn Bến"},
	"Ban":              {"Ban Chỉ huy", "Ban Tham mưu", "Ban Hậu cần"},
}

// Generate builds the fictional province and its six quarters of returns
// from seed. The same seed always gives the same data, and nothing is shared
// between calls.
func Generate(seed int64) *Province {
	g := &gen{
		r:       rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		persons: map[string]bool{},
		cards:   map[string]bool{},
		profile: map[string]bool{},
		cccd:    map[string]bool{},
		letters: map[string]int{},
	}
	p := &Province{Code: "GD", Name: "Tỉnh Giả Định", Seed: seed}
	g.p = p
	g.buildOrgs()
	for q := FirstQuarter; ; q = q.Next() {
		p.Quarters = append(p.Quarters, q)
		if q == LastQuarter {
			break
		}
	}
	g.buildReturns()
	return p
}

// Org returns the organisation with code, or nil.
func (p *Province) Org(code string) *Org {
	for _, o := range p.Orgs {
		if o.Code == code {
			return o
		}
	}
	return nil
}

// Children returns the organisations whose parent is code.
func (p *Province) Children(code string) []*Org {
	var out []*Org
	for _, o := range p.Orgs {
		if o.ParentCode == code {
			out = append(out, o)
		}
	}
	return out
}

// Return returns the return of org code for quarter q, or nil.
func (p *Province) Return(code string, q Quarter) *Return {
	for _, r := range p.Returns {
		if r.Org.Code == code && r.Year == q.Year && r.Quarter == q.Q {
			return r
		}
	}
	return nil
}

// ReturnsIn returns every return of quarter q.
func (p *Province) ReturnsIn(q Quarter) []*Return {
	var out []*Return
	for _, r := range p.Returns {
		if r.Year == q.Year && r.Quarter == q.Q {
			out = append(out, r)
		}
	}
	return out
}

type gen struct {
	r       *rand.Rand
	p       *Province
	persons map[string]bool // full name + birth date, unique across the province
	cards   map[string]bool
	profile map[string]bool
	cccd    map[string]bool
	letters map[string]int // org code + year → last letter number issued
	decNo   map[string]int // org code + year → last decision number
	sizes   map[string]int // initial members
}

func emailOf(code string) string {
	return "vanphong@" + strings.ToLower(code) + ".example"
}

func (g *gen) phone() string {
	return fmt.Sprintf("0200 3%02d %03d", g.r.IntN(100), g.r.IntN(1000))
}

func (g *gen) mobile() string {
	pre := []string{"090", "091", "094", "097", "098", "086", "088"}
	return fmt.Sprintf("%s %d%02d %03d", pick(g.r, pre), 1+g.r.IntN(9), g.r.IntN(100), g.r.IntN(1000))
}

func (g *gen) buildOrgs() {
	p := g.p
	origin := date(2020, 10, 1)
	g.sizes = map[string]int{}
	g.decNo = map[string]int{}
	prov := &Org{Code: "GD", Name: "Đảng bộ tỉnh Giả Định", Type: OrgTypeProvince, Level: 0, ValidFrom: origin,
		Email: emailOf("GD"), Phone: g.phone(), Secretary: personName(g.r, "Nam"),
		DecidingBody: "Ban Thường vụ Tỉnh ủy Giả Định", DecisionSuffix: "QĐ/TU"}
	p.Orgs = append(p.Orgs, prov)
	var level2 []*Org
	for _, u := range uppers {
		up := &Org{Code: u.code, Name: u.name, Type: OrgTypeDangBoCapTren, ParentCode: "GD", Level: 1, ValidFrom: origin,
			Email: emailOf(u.code), Phone: g.phone(), Secretary: personName(g.r, pick(g.r, []string{"Nam", "Nữ"})),
			DecidingBody: u.decidingBody, DecisionSuffix: u.suffix}
		p.Orgs = append(p.Orgs, up)
		for _, c := range u.children {
			code := u.code + "-" + c.suffix
			o := &Org{Code: code, Name: c.name, Type: c.typ, ParentCode: u.code, Level: 2, ValidFrom: origin,
				Email: emailOf(code), Phone: g.phone(), Secretary: personName(g.r, pick(g.r, []string{"Nam", "Nữ"})),
				Sector: c.sector, Occupation: c.occ}
			if c.typ == OrgTypeDangBoCoSo {
				o.DecidingBody = "Đảng ủy " + strings.TrimPrefix(c.name, "Đảng bộ ")
				o.DecisionSuffix = "QĐ/ĐU"
			} else {
				o.DecidingBody = u.decidingBody
				o.DecisionSuffix = u.suffix
			}
			g.sizes[code] = c.members
			if c.typ == OrgTypeDangBoCoSo && c.members > 0 {
				n := c.members / 18
				n = max(3, min(n, 12))
				names := cellNames[c.cellPrefix]
				n = min(n, len(names))
				for i := 0; i < n; i++ {
					o.Cells = append(o.Cells, &Cell{Code: fmt.Sprintf("%s-CB%02d", code, i+1), Name: "Chi bộ " + names[i]})
				}
			}
			level2 = append(level2, o)
		}
	}
	// The merger: Sơn Thượng and Sơn Hạ end on 30/06/2025; Sơn Hòa takes over from 01/07/2025
	// with the cells of both (recoded).
	var succ, a, b *Org
	for _, o := range level2 {
		switch o.Code {
		case MergedA:
			a = o
		case MergedB:
			b = o
		case Successor:
			succ = o
		}
	}
	end := MergerDate.AddDate(0, 0, -1)
	a.ValidTo, b.ValidTo = end, end
	a.Successor, b.Successor = Successor, Successor
	succ.ValidFrom = MergerDate
	succ.Predecessors = []string{MergedA, MergedB}
	for i, c := range append(append([]*Cell{}, a.Cells...), b.Cells...) {
		succ.Cells = append(succ.Cells, &Cell{Code: fmt.Sprintf("%s-CB%02d", Successor, i+1), Name: c.Name})
	}
	// Both communes had a "Thôn Đông": the new names say which commune a cell came from.
	for i, c := range succ.Cells {
		if i < len(a.Cells) {
			c.Name += " (Sơn Thượng cũ)"
		} else {
			c.Name += " (Sơn Hạ cũ)"
		}
	}
	for _, o := range level2 {
		p.Orgs = append(p.Orgs, o)
		if o.Code == BigOrg {
			bp := &Org{Code: BigOrg + "-BP1", Name: "Đảng bộ bộ phận Nhà máy Sợi", Type: OrgTypeDangBoBoPhan,
				ParentCode: BigOrg, Level: 3, ValidFrom: origin, Email: emailOf(BigOrg + "-BP1"), Phone: g.phone(),
				Secretary: personName(g.r, "Nam"), Sector: o.Sector, Occupation: o.Occupation}
			for i := 0; i < 3; i++ {
				bp.Cells = append(bp.Cells, &Cell{Code: fmt.Sprintf("%s-CB%02d", bp.Code, i+1), Name: fmt.Sprintf("Chi bộ Tổ sợi %d", i+1)})
			}
			p.Orgs = append(p.Orgs, bp)
		}
	}
}
