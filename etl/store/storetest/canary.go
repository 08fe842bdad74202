package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/store"
)

// CanaryTree is a registry of 33 organisations (a province, four
// districts, seven grassroots organisations under each, two of the first
// district's merged in 2025-Q3 into a new one under the second district) in
// which every organisation has one marked member: an admission named
// "CANARY <code>" whose probation ends in 2025-Q3, in a submission of the
// organisation's own. Scope tests check that a recipient sees exactly the
// canaries of their subtree (docs/reliability.md §3.6).
type CanaryTree struct {
	Orgs []domain.Org
}

// CanaryName is the marked member of organisation code.
func CanaryName(code string) string { return "CANARY " + code }

// CanaryQuarter is the quarter whose digest lists the canaries (their
// probation ends in it).
const CanaryYear, CanaryQ = 2025, 3

// Canaries imports the canary tree into st and loads its canaries.
func Canaries(t testing.TB, st *store.Store) *CanaryTree {
	t.Helper()
	q := func(y, n int) domain.Quarter { return domain.Quarter{Year: y, Q: n} }
	c := &CanaryTree{}
	row := 3
	add := func(o domain.Org) {
		o.SourceRow = row
		row++
		if o.ValidFrom.IsZero() {
			o.ValidFrom = q(2020, 1)
		}
		c.Orgs = append(c.Orgs, o)
	}
	add(domain.Org{Code: "T", Name: "Đảng bộ tỉnh Thử", Type: "DANG_BO_CAP_TREN_CS"})
	for d := 1; d <= 4; d++ {
		dc := fmt.Sprintf("T-D%d", d)
		add(domain.Org{Code: dc, Name: fmt.Sprintf("Đảng bộ huyện %d", d), Type: "DANG_BO_CAP_TREN_CS", ParentCode: "T"})
		for g := 1; g <= 7; g++ {
			o := domain.Org{Code: fmt.Sprintf("%s-%d", dc, g), Name: fmt.Sprintf("Đảng bộ xã %d.%d", d, g), Type: "DANG_BO_CO_SO", ParentCode: dc}
			if d == 1 && g <= 2 {
				o.ValidTo, o.SuccessorCode = q(2025, 2), "T-D2-M"
			}
			add(o)
		}
	}
	add(domain.Org{Code: "T-D2-M", Name: "Đảng bộ xã Hợp Nhất", Type: "DANG_BO_CO_SO", ParentCode: "T-D2", ValidFrom: q(2025, 3)})
	ctx := context.Background()
	if _, err := st.ImportRegistry(ctx, store.RegistryMeta{SHA256: fmt.Sprintf("%064x", 33), FileName: "canary.xlsx"}, c.Orgs); err != nil {
		t.Fatalf("canary registry: %v", err)
	}
	db := st.DB()
	received := time.Date(2025, 10, 3, 9, 0, 0, 0, time.UTC)
	for i, o := range c.Orgs {
		year, quarter := CanaryYear, CanaryQ
		if !o.ValidTo.IsZero() {
			year, quarter = 2025, 2
		}
		var id int64
		if err := db.GetContext(ctx, &id, `INSERT INTO returns.submission (org_code, year, quarter, template_version, file_name, sha256,
				received_at, version, status) VALUES ($1, $2, $3, $6, 'canary.xlsx', $4, $5, 1, 'accepted') RETURNING id`,
			o.Code, year, quarter, fmt.Sprintf("%064x", 1000+i), received, domain.ReturnTemplate); err != nil {
			t.Fatalf("canary submission: %v", err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO returns.summary (submission_id, source_sheet, source_row, org_code, org_name,
				members_start_official, members_start_probationary, admitted, members_end_official, members_end_probationary, admission_target_year)
				VALUES ($1, 'ThongTin', 2, $2, $3, 10, 0, 1, 10, 1, 4)`, id, o.Code, o.Name); err != nil {
			t.Fatalf("canary summary: %v", err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO returns.admission (submission_id, source_sheet, source_row, full_name, gender,
				ethnicity_code, religion_code, workplace_sector, is_youth_union_member, is_readmission, decision_no, ceremony_date)
				VALUES ($1, 'KetNap', 3, $2, 'F', '01', '00', 'CQ_NHA_NUOC', true, false, '1-QĐ/ĐU', '2024-08-15')`, id, CanaryName(o.Code)); err != nil {
			t.Fatalf("canary admission: %v", err)
		}
	}
	return c
}

// Subtree is the codes a recipient of scope must see, computed here apart
// from the database: scope, every organisation below it by parent code, and
// the predecessors (by successor code) of any of them, sorted.
func (c *CanaryTree) Subtree(scope string) []string {
	in := map[string]bool{scope: true}
	for changed := true; changed; {
		changed = false
		for _, o := range c.Orgs {
			if !in[o.Code] && (in[o.ParentCode] || (o.SuccessorCode != "" && in[o.SuccessorCode])) {
				in[o.Code], changed = true, true
			}
		}
	}
	var out []string
	for code := range in {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}
