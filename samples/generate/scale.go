package generate

import (
	"fmt"
	"io"
)

// Scale is the size of a generated set of returns, for throughput
// measurements that anyone can reproduce: a province (Provinces 1) or a
// country of Provinces provinces, each with Orgs grassroots organisations
// (đảng bộ cơ sở, 50 under each committee above them), every organisation
// reporting Quarters consecutive quarters that end with LastQuarter, every
// return listing Rows admissions on KetNap (the other data sheets hold
// their headers only).
//
// Every return is valid on its own and against the earlier quarters of its
// organisation (the member balance carries over from quarter to quarter),
// and no person is admitted twice in the whole set.
type Scale struct {
	Provinces, Orgs, Quarters, Rows int
}

// orgsPerUpper is how many grassroots organisations a committee above
// grassroots has in a scaled set.
const orgsPerUpper = 50

// Registry returns the organisations of every province of the set, one
// Province each (province committee, committees above grassroots,
// grassroots organisations with 12 cells each; no returns), for the
// registry the returns are checked against.
func (s Scale) Registry() []*Province {
	var out []*Province
	for k := 1; k <= s.Provinces; k++ {
		code := fmt.Sprintf("P%02d", k)
		p := &Province{Code: code, Name: fmt.Sprintf("Tỉnh Mẫu %d", k)}
		origin := date(2020, 10, 1)
		p.Orgs = append(p.Orgs, &Org{Code: code, Name: "Đảng bộ " + p.Name, Type: OrgTypeProvince, ValidFrom: origin,
			Email: emailOf(code), Phone: "0200 300 000", Secretary: "Nguyễn Văn Mẫu"})
		var up *Org
		for i := 0; i < s.Orgs; i++ {
			if i%orgsPerUpper == 0 {
				uc := fmt.Sprintf("%s-U%02d", code, i/orgsPerUpper+1)
				up = &Org{Code: uc, Name: fmt.Sprintf("Đảng bộ Khối %d %s", i/orgsPerUpper+1, p.Name), Type: OrgTypeDangBoCapTren,
					ParentCode: code, Level: 1, ValidFrom: origin, Email: emailOf(uc), Phone: "0200 300 001", Secretary: "Trần Thị Mẫu"}
				p.Orgs = append(p.Orgs, up)
			}
			oc := fmt.Sprintf("%s-%03d", up.Code, i%orgsPerUpper+1)
			o := &Org{Code: oc, Name: fmt.Sprintf("Đảng bộ Công ty Mẫu %d", i+1), Type: OrgTypeDangBoCoSo, ParentCode: up.Code,
				Level: 2, ValidFrom: origin, Email: emailOf(oc), Phone: "0200 300 002", Secretary: "Lê Văn Mẫu",
				Sector: "DN_NHA_NUOC", Occupation: "CONG_NHAN_LD", DecidingBody: "Đảng ủy Công ty Mẫu", DecisionSuffix: "QĐ/ĐU"}
			for c := 1; c <= 12; c++ {
				o.Cells = append(o.Cells, &Cell{Code: fmt.Sprintf("%s-CB%02d", oc, c), Name: fmt.Sprintf("Chi bộ Phân xưởng %d", c)})
			}
			p.Orgs = append(p.Orgs, o)
		}
		out = append(out, p)
	}
	return out
}

// quarters returns the set's quarters, oldest first, ending with LastQuarter.
func (s Scale) quarters() []Quarter {
	qs := make([]Quarter, s.Quarters)
	q := LastQuarter
	for i := s.Quarters - 1; i >= 0; i-- {
		qs[i] = q
		q = q.Prev()
	}
	return qs
}

// Write writes every return of the set, oldest quarter first, then by
// province and organisation: create gives the writer for a file name
// (BCQ_<org>_<YYYY>Q<q>.xlsx) and Write closes it. The same Scale always
// gives the same files.
func (s Scale) Write(create func(name string) (io.WriteCloser, error)) error {
	provinces := s.Registry()
	person := 0
	for qi, q := range s.quarters() {
		for _, p := range provinces {
			for _, o := range p.Orgs {
				if o.Type != OrgTypeDangBoCoSo {
					continue
				}
				info := Info{OrgCode: o.Code, OrgName: o.Name, OrgType: o.Type, ParentCode: o.ParentCode,
					Year: q.Year, Quarter: q.Q, TemplateVersion: TemplateVersion, CellsCount: len(o.Cells),
					MembersStartOfficial: 2*s.Rows + 1000, MembersStartProbationary: 40 + qi*s.Rows, Admitted: s.Rows,
					MembersEndOfficial: 2*s.Rows + 1000, MembersEndProbationary: 40 + (qi+1)*s.Rows, AdmissionTargetYear: 4 * s.Rows,
					PreparerName: "Nguyễn Thị Mẫu", Phone: "0912 000 111", Email: o.Email, PreparedOn: q.End().AddDate(0, 0, 5)}
				name := fmt.Sprintf("BCQ_%s_%s.xlsx", o.Code, q)
				w, err := create(name)
				if err != nil {
					return err
				}
				err = writeSized(w, &info, bigPeople{org: o.Code, decidingBody: o.DecidingBody, rows: s.Rows, first: person})
				if cerr := w.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return fmt.Errorf("write %s: %w", name, err)
				}
				person += s.Rows
			}
		}
	}
	return nil
}
