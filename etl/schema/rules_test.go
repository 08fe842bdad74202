package schema_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
)

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

var (
	q3   = schema.NewPeriod(2025, 3)
	now0 = d(2025, 10, 15)
)

// Typical valid records of each sheet (fictional people).
func ketnapRow() map[string]any {
	return map[string]any{
		"full_name": "Nguyễn Văn Mẫu", "gender": "M", "birth_date": d(2001, 3, 14), "ethnicity_code": "01",
		"religion_code": "00", "general_education": "THPT", "professional_level": "DH", "political_theory": "SC",
		"occupation_group": "CONG_NHAN_LD", "workplace_sector": "DN_FDI", "is_youth_union_member": true,
		"is_readmission": false, "cell_code": "CB-VD-03", "decision_no": "27-QĐ/ĐU", "decision_date": d(2025, 9, 2),
		"deciding_body": "Đảng ủy Công ty Ví Dụ", "ceremony_date": d(2025, 9, 20), "profile_no": "VD-000123",
	}
}

func transferRow() map[string]any {
	return map[string]any{
		"full_name": "Trần Thị Thử", "birth_date": d(1990, 11, 5), "gender": "F", "member_status": "CT",
		"card_no": "01234567", "profile_no": "VD-004567", "join_date": d(2015, 5, 10), "official_date": d(2016, 5, 10),
		"direction": "DI", "transfer_type": "CHINH_THUC", "scope": "NGOAI_TINH", "reason": "CHUYEN_CONG_TAC",
		"counterpart_org_name": "Đảng bộ phường Hư Cấu", "letter_no": "14-GTSHĐ", "event_date": d(2025, 8, 12),
		"decision_date": d(2025, 8, 1), "dues_paid_through": d(2025, 8, 1), "cell_code": "CB-VD-01",
	}
}

func supervisionRow() map[string]any {
	return map[string]any{
		"actor": "UBKT", "activity": "GIAM_SAT", "supervision_form": "CHUYEN_DE", "subject_type": "DANG_VIEN",
		"subject_name": "Lê Văn Giả", "subject_member_id": "01239876", "subject_member_status": "CT",
		"is_committee_member": true, "topic": "Thực hiện quy định nêu gương", "decision_no": "05-KH/UBKT",
		"start_date": d(2025, 7, 3), "conclusion_date": d(2025, 8, 25), "result": "THUC_HIEN_TOT", "discipline_required": false,
	}
}

func disciplineRow() map[string]any {
	return map[string]any{
		"subject_type": "DANG_VIEN", "subject_name": "Phạm Văn Lỗi", "subject_member_id": "01234999",
		"subject_member_status": "CT", "is_committee_member": false, "violation_summary": "Vi phạm quy định",
		"discipline_form": "CANH_CAO", "discipline_body": "Ủy ban Kiểm tra Đảng ủy", "decision_no": "12-QĐ/UBKT",
		"decision_date": d(2025, 8, 20), "source": "TO_CAO",
	}
}

func infoRow() map[string]any {
	return map[string]any{
		"org_code": "GD-KCQ-01", "org_name": "Đảng bộ Công ty Ví Dụ", "org_type": "DANG_BO_CO_SO", "parent_code": "GD-KCQ",
		"year": int64(2025), "quarter": int64(3), "template_version": "BCQ-1", "cells_count": int64(5),
		"members_start_official": int64(100), "members_start_probationary": int64(6),
		"admitted": int64(2), "readmitted": int64(1), "recognised_official": int64(3),
		"transfer_in_official": int64(2), "transfer_out_official": int64(1), "deceased": int64(0), "expelled": int64(2),
		"struck_off": int64(0), "resigned": int64(0), "decrease_other": int64(0),
		// CT: 100 + 3 + 1 (in CT) - 1 (out CT) - 2 expelled = 101
		// DB: 6 + 2 + 1 - 3 + 1 (in DB) - 0 = 7
		"members_end_official": int64(101), "members_end_probationary": int64(7),
		"temp_in": int64(0), "temp_out": int64(0), "admission_target_year": int64(8),
		"preparer_name": "Hoàng Thị Lập", "phone": "0912 345 678", "email": "vanphong@vidu.example", "prepared_on": d(2025, 10, 3),
	}
}

// goodAgg matches infoRow.
func goodAgg() map[string]int64 {
	return map[string]int64{
		"ketnap_rows": 3, "ketnap_new": 2, "ketnap_readmitted": 1,
		"transfer_in_official": 2, "transfer_out_official": 1,
		"transfer_in_official_ct": 1, "transfer_in_official_db": 1,
		"transfer_out_official_ct": 1, "transfer_out_official_db": 0,
		"giamsat_expelled": 2, "kyluat_expelled": 0,
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := maps.Clone(m)
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
		} else {
			out[k] = kv[i+1]
		}
	}
	return out
}

func withAgg(m map[string]int64, kv ...any) map[string]int64 {
	out := maps.Clone(m)
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = int64(kv[i+1].(int))
	}
	return out
}

type ruleCase struct {
	sheet string // "" for a workbook rule
	id    string
	pass  []schema.Vars
	fail  []schema.Vars
}

func rowVars(row map[string]any) schema.Vars {
	return schema.Vars{Row: row, Info: infoRow(), Period: q3, Now: now0}
}

func infoVars(info map[string]any) schema.Vars {
	return schema.Vars{Row: info, Info: info, Period: q3, Now: now0}
}

func wbVars(info map[string]any, agg map[string]int64) schema.Vars {
	return schema.Vars{Info: info, Agg: agg, Period: q3, Now: now0}
}

func rows(f func(map[string]any) schema.Vars, ms ...map[string]any) []schema.Vars {
	out := make([]schema.Vars, len(ms))
	for i, m := range ms {
		out[i] = f(m)
	}
	return out
}

func ruleCases() []ruleCase {
	kn, cs, gs, kl, tt := ketnapRow(), transferRow(), supervisionRow(), disciplineRow(), infoRow()
	db := with(cs, "member_status", "DB", "card_no", nil, "official_date", nil)
	tam := with(cs, "transfer_type", "TAM_THOI", "reason", "DI_HOC", "temp_until", d(2026, 6, 30))
	kt := with(gs, "activity", "KIEM_TRA", "supervision_form", nil, "inspection_type", "KTDHVP")
	cbcs := with(tt, "org_type", "CHI_BO_CO_SO")
	return []ruleCase{
		// ThongTin record rules.
		{"ThongTin", "TH-01", rows(infoVars, tt, with(tt, "increase_other", int64(2), "members_end_official", int64(103))),
			rows(infoVars, with(tt, "members_end_official", int64(102)), with(tt, "increase_other", int64(1)))},
		{"ThongTin", "TH-05", rows(infoVars, tt, with(cbcs, "members_end_official", int64(25), "members_end_probationary", int64(4))),
			rows(infoVars, with(cbcs, "members_end_official", int64(28), "members_end_probationary", int64(2)))},
		{"ThongTin", "TH-05b", rows(infoVars, tt, with(tt, "members_end_official", int64(3))),
			rows(infoVars, with(tt, "members_end_official", int64(2)))},
		{"ThongTin", "TH-07", rows(infoVars, tt), rows(infoVars, with(tt, "template_version", "BCQ-2"), with(tt, "template_version", "bcq1"))},
		{"ThongTin", "TH-07b", rows(infoVars, tt, with(tt, "year", int64(2020))),
			rows(infoVars, with(tt, "year", int64(2019)), with(tt, "year", int64(2026)))},
		{"ThongTin", "TH-07c", []schema.Vars{infoVars(tt), {Row: tt, Period: schema.NewPeriod(2025, 4), Now: now0}},
			[]schema.Vars{{Row: tt, Period: schema.NewPeriod(2026, 1), Now: now0}}},
		{"ThongTin", "TT-01", rows(infoVars, tt, with(tt, "prepared_on", d(2025, 9, 25))),
			rows(infoVars, with(tt, "prepared_on", d(2025, 9, 24)), with(tt, "prepared_on", d(2025, 7, 1)))},

		// KetNap.
		{"KetNap", "KN-01", rows(rowVars, kn, with(kn, "birth_date", d(2007, 9, 2))),
			rows(rowVars, with(kn, "birth_date", d(2007, 9, 3)), with(kn, "birth_date", d(2010, 1, 1)))},
		{"KetNap", "KN-02", rows(rowVars, kn, with(kn, "birth_date", d(1965, 9, 2))),
			rows(rowVars, with(kn, "birth_date", d(1965, 8, 1)))},
		{"KetNap", "KN-03", rows(rowVars, kn, with(kn, "general_education", "THCS")),
			rows(rowVars, with(kn, "general_education", "TH"))},
		{"KetNap", "KN-04", rows(rowVars, kn, with(kn, "ceremony_date", d(2025, 7, 1)), with(kn, "ceremony_date", d(2025, 6, 26))),
			rows(rowVars, with(kn, "ceremony_date", d(2025, 10, 1)), with(kn, "ceremony_date", d(2025, 6, 25)))},
		{"KetNap", "KN-04W", rows(rowVars, kn, with(kn, "ceremony_date", d(2025, 7, 1)), with(kn, "ceremony_date", d(2025, 5, 1))),
			rows(rowVars, with(kn, "ceremony_date", d(2025, 6, 30)), with(kn, "ceremony_date", d(2025, 6, 26)))},
		// 02/09/2025 (Tue) + 30 working days = 14/10/2025.
		{"KetNap", "KN-05", rows(rowVars, kn, with(kn, "ceremony_date", d(2025, 10, 14))),
			rows(rowVars, with(kn, "ceremony_date", d(2025, 10, 15)))},
		{"KetNap", "KN-05b", rows(rowVars, kn, with(kn, "ceremony_date", d(2025, 9, 2))),
			rows(rowVars, with(kn, "ceremony_date", d(2025, 9, 1)))},

		// ChuyenSinhHoat.
		{"ChuyenSinhHoat", "CS-01", rows(rowVars, cs, with(cs, "event_date", d(2025, 9, 30))),
			rows(rowVars, with(cs, "event_date", d(2025, 6, 30)), with(cs, "event_date", d(2025, 10, 1)))},
		// 01/08/2025 (Fri) + 60 working days = 24/10/2025.
		{"ChuyenSinhHoat", "CS-02", rows(rowVars, cs, with(cs, "decision_date", d(2025, 7, 1), "event_date", d(2025, 9, 23)),
			with(cs, "transfer_type", "TAM_THOI", "decision_date", d(2025, 1, 1))),
			rows(rowVars, with(cs, "decision_date", d(2025, 5, 1)), with(cs, "decision_date", d(2025, 6, 16), "event_date", d(2025, 9, 9)))},
		{"ChuyenSinhHoat", "CS-04", rows(rowVars, cs, tam), rows(rowVars, with(tam, "temp_until", nil))},
		{"ChuyenSinhHoat", "CS-04W", rows(rowVars, tam, with(tam, "reason", "CHUYEN_CONG_TAC", "temp_until", d(2026, 8, 11)),
			with(tam, "temp_until", d(2027, 8, 12))),
			rows(rowVars, with(tam, "reason", "CHUYEN_CONG_TAC", "temp_until", d(2026, 8, 12)),
				with(tam, "temp_until", d(2025, 11, 11)), with(tam, "temp_until", d(2027, 8, 13)))},
		{"ChuyenSinhHoat", "CS-05", rows(rowVars, cs, db), rows(rowVars, with(db, "card_no", "01234567"))},
		{"ChuyenSinhHoat", "CS-05b", rows(rowVars, cs, db), rows(rowVars, with(db, "official_date", d(2025, 1, 1)))},
		{"ChuyenSinhHoat", "CS-05c", rows(rowVars, cs, db), rows(rowVars, with(cs, "official_date", nil))},
		{"ChuyenSinhHoat", "CS-05d", rows(rowVars, cs, db), rows(rowVars, with(cs, "card_no", nil))},
		{"ChuyenSinhHoat", "CS-05e", rows(rowVars, cs, with(cs, "official_date", d(2015, 5, 10))),
			rows(rowVars, with(cs, "official_date", d(2015, 5, 9)))},
		{"ChuyenSinhHoat", "CS-05f", rows(rowVars, cs, with(cs, "official_date", d(2015, 5, 9))),
			rows(rowVars, with(cs, "official_date", d(2016, 5, 9)))},
		{"ChuyenSinhHoat", "CS-09", rows(rowVars, cs, with(cs, "dues_paid_through", d(2025, 7, 1)), with(cs, "event_date", d(2025, 7, 1), "dues_paid_through", d(2025, 6, 1))),
			rows(rowVars, with(cs, "dues_paid_through", d(2025, 6, 1)), with(cs, "event_date", d(2025, 7, 15), "dues_paid_through", d(2025, 5, 1)))},

		// GiamSat.
		{"GiamSat", "GS-01", rows(rowVars, gs, kt), rows(rowVars, with(gs, "supervision_form", nil), with(kt, "supervision_form", "THUONG_XUYEN"))},
		{"GiamSat", "GS-01b", rows(rowVars, gs, kt), rows(rowVars, with(kt, "inspection_type", nil), with(gs, "inspection_type", "KTDHVP"))},
		{"GiamSat", "GS-02", rows(rowVars, gs, with(gs, "discipline_form", "KHAI_TRU"),
			with(gs, "subject_type", "TO_CHUC_DANG", "discipline_form", "GIAI_TAN"),
			with(gs, "subject_member_status", "DB", "discipline_form", "CANH_CAO")),
			rows(rowVars, with(gs, "subject_type", "TO_CHUC_DANG", "discipline_form", "KHAI_TRU"),
				with(gs, "subject_member_status", "DB", "discipline_form", "KHAI_TRU"),
				with(gs, "discipline_form", "GIAI_TAN"))},
		{"GiamSat", "GS-03", rows(rowVars, gs, with(gs, "discipline_form", "CACH_CHUC")),
			rows(rowVars, with(gs, "discipline_form", "CACH_CHUC", "is_committee_member", false), with(gs, "discipline_form", "CACH_CHUC", "is_committee_member", nil))},
		{"GiamSat", "GS-04", rows(rowVars, gs, with(gs, "conclusion_date", d(2025, 7, 3))),
			rows(rowVars, with(gs, "conclusion_date", d(2025, 7, 2)))},
		{"GiamSat", "GS-04b", rows(rowVars, gs, with(gs, "conclusion_date", nil)),
			rows(rowVars, with(gs, "conclusion_date", d(2025, 10, 1)), with(gs, "conclusion_date", d(2025, 6, 30)))},
		{"GiamSat", "GS-04c", rows(rowVars, gs, with(gs, "conclusion_date", nil), with(gs, "start_date", d(2025, 5, 1))),
			rows(rowVars, with(gs, "conclusion_date", nil, "start_date", d(2025, 6, 30)))},
		{"GiamSat", "GS-04d", rows(rowVars, gs, with(gs, "discipline_form", "CANH_CAO", "discipline_date", d(2025, 8, 25))),
			rows(rowVars, with(gs, "discipline_form", "CANH_CAO", "discipline_date", d(2025, 8, 24)))},
		{"GiamSat", "GS-05", rows(rowVars, gs, with(gs, "result", "CO_VI_PHAM", "discipline_required", true, "discipline_form", "KHIEN_TRACH"),
			with(gs, "result", "CO_VI_PHAM")),
			rows(rowVars, with(gs, "result", "CO_VI_PHAM", "discipline_required", true))},

		// KyLuat.
		{"KyLuat", "GS-02", rows(rowVars, kl, with(kl, "discipline_form", "KHAI_TRU")),
			rows(rowVars, with(kl, "subject_member_status", "DB", "discipline_form", "CACH_CHUC"))},
		{"KyLuat", "GS-03", rows(rowVars, kl, with(kl, "discipline_form", "CACH_CHUC", "is_committee_member", true)),
			rows(rowVars, with(kl, "discipline_form", "CACH_CHUC"))},
		{"KyLuat", "GS-04", rows(rowVars, kl, with(kl, "decision_date", d(2025, 7, 1))),
			rows(rowVars, with(kl, "decision_date", d(2025, 6, 30)))},

		// Workbook rules.
		{"", "KN-09", []schema.Vars{wbVars(tt, goodAgg())}, []schema.Vars{wbVars(tt, withAgg(goodAgg(), "ketnap_new", 3))}},
		{"", "KN-09b", []schema.Vars{wbVars(tt, goodAgg())}, []schema.Vars{wbVars(tt, withAgg(goodAgg(), "ketnap_readmitted", 0))}},
		{"", "TH-03", []schema.Vars{wbVars(tt, goodAgg())}, []schema.Vars{wbVars(tt, withAgg(goodAgg(), "transfer_in_official", 1))}},
		{"", "TH-03b", []schema.Vars{wbVars(tt, goodAgg())}, []schema.Vars{wbVars(tt, withAgg(goodAgg(), "transfer_out_official", 2))}},
		{"", "TH-03c", []schema.Vars{wbVars(tt, goodAgg()), wbVars(tt, withAgg(goodAgg(), "giamsat_expelled", 1, "kyluat_expelled", 1))},
			[]schema.Vars{wbVars(tt, withAgg(goodAgg(), "giamsat_expelled", 0))}},
		// Moving a transfer in between CT and DB keeps the total but breaks
		// the split (the only decreases are expulsions, which are CT).
		{"", "TH-01b", []schema.Vars{wbVars(tt, goodAgg())},
			[]schema.Vars{wbVars(tt, withAgg(goodAgg(), "transfer_in_official_ct", 2, "transfer_in_official_db", 0)),
				wbVars(with(tt, "members_end_official", int64(104)), goodAgg())}},
		{"", "TH-01c", []schema.Vars{wbVars(tt, goodAgg())},
			[]schema.Vars{wbVars(tt, withAgg(goodAgg(), "transfer_in_official_ct", 0, "transfer_in_official_db", 2)),
				wbVars(with(tt, "members_end_probationary", int64(5)), goodAgg())}},
	}
}

func findRule(t *testing.T, tmpl *schema.Template, sheet, id string) *schema.Rule {
	t.Helper()
	list := tmpl.Rules
	if sheet != "" {
		s := tmpl.Sheet(sheet)
		require.NotNil(t, s, sheet)
		list = s.Rules
	}
	for _, r := range list {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("rule %s not found on %q", id, sheet)
	return nil
}

// TestRules evaluates every CEL rule on records that pass and records that
// fail it.
func TestRules(t *testing.T) {
	t.Parallel()
	tmpl := sharedtest.Schemas(t).Templates["BCQ-1"]
	for _, c := range ruleCases() {
		t.Run(c.sheet+"/"+c.id, func(t *testing.T) {
			t.Parallel()
			r := findRule(t, tmpl, c.sheet, c.id)
			require.NotEmpty(t, c.pass)
			require.NotEmpty(t, c.fail)
			for i, v := range c.pass {
				ok, err := r.Eval(&v)
				require.NoError(t, err, "pass[%d]", i)
				require.True(t, ok, "pass[%d] should pass %s", i, c.id)
			}
			for i, v := range c.fail {
				ok, err := r.Eval(&v)
				require.NoError(t, err, "fail[%d]", i)
				require.False(t, ok, "fail[%d] should fail %s", i, c.id)
			}
		})
	}
}

// TestRulesNullSafe: every rule evaluates without error on empty records
// and on records with every field, and with the period unknown.
func TestRulesNullSafe(t *testing.T) {
	t.Parallel()
	tmpl := sharedtest.Schemas(t).Templates["BCQ-1"]
	full := map[string]map[string]any{"ThongTin": infoRow(), "KetNap": ketnapRow(), "ChuyenSinhHoat": transferRow(),
		"GiamSat": supervisionRow(), "KyLuat": disciplineRow()}
	for _, s := range tmpl.Sheets {
		for _, r := range s.Rules {
			for _, v := range []schema.Vars{{}, {Row: map[string]any{}}, {Row: full[s.Name], Info: infoRow(), Period: q3}, {Row: full[s.Name]}} {
				_, err := r.Eval(&v)
				require.NoError(t, err, "%s %s", s.Name, r.ID)
			}
		}
		for _, f := range s.Fields {
			if f.RequiredWhenProgram != nil {
				_, err := f.RequiredIn(&schema.Vars{})
				require.NoError(t, err, "%s.%s", s.Name, f.Name)
			}
		}
	}
	for _, r := range tmpl.Rules {
		for _, v := range []schema.Vars{{}, {Info: map[string]any{}, Agg: goodAgg()}, wbVars(infoRow(), goodAgg())} {
			_, err := r.Eval(&v)
			require.NoError(t, err, r.ID)
		}
	}
	for _, a := range tmpl.Aggregates {
		_, err := a.Matches(&schema.Vars{})
		require.NoError(t, err, a.Name)
	}
}

// TestRuleInventory lists every rule id the schemas implement, and where, so
// that none silently disappears.
func TestRuleInventory(t *testing.T) {
	t.Parallel()
	tmpl := sharedtest.Schemas(t).Templates["BCQ-1"]
	got := map[string][]string{}
	for _, s := range tmpl.Sheets {
		for _, r := range s.Rules {
			got["rule"] = append(got["rule"], s.Name+"/"+r.ID)
		}
		for _, u := range s.Unique {
			got["unique"] = append(got["unique"], s.Name+"/"+u.ID)
		}
		for _, f := range s.Fields {
			if f.Rule != "" && !(f.Type == schema.TypeCode && f.Rule == s.CodeRule) {
				got["field"] = append(got["field"], s.Name+"."+f.Name+"/"+f.Rule)
			}
		}
		if s.CodeRule != "" {
			got["code"] = append(got["code"], s.Name+"/"+s.CodeRule)
		}
	}
	for _, r := range tmpl.Rules {
		got["rule"] = append(got["rule"], "workbook/"+r.ID)
	}
	want := map[string][]string{
		"rule": {
			"ThongTin/TH-01", "ThongTin/TH-05", "ThongTin/TH-05b", "ThongTin/TH-07", "ThongTin/TH-07b", "ThongTin/TH-07c", "ThongTin/TT-01",
			"KetNap/KN-01", "KetNap/KN-02", "KetNap/KN-03", "KetNap/KN-04", "KetNap/KN-04W", "KetNap/KN-05", "KetNap/KN-05b",
			"ChuyenSinhHoat/CS-01", "ChuyenSinhHoat/CS-02", "ChuyenSinhHoat/CS-04", "ChuyenSinhHoat/CS-04W",
			"ChuyenSinhHoat/CS-05", "ChuyenSinhHoat/CS-05b", "ChuyenSinhHoat/CS-05c", "ChuyenSinhHoat/CS-05d",
			"ChuyenSinhHoat/CS-05e", "ChuyenSinhHoat/CS-05f", "ChuyenSinhHoat/CS-09",
			"GiamSat/GS-01", "GiamSat/GS-01b", "GiamSat/GS-02", "GiamSat/GS-03", "GiamSat/GS-04", "GiamSat/GS-04b",
			"GiamSat/GS-04c", "GiamSat/GS-04d", "GiamSat/GS-05",
			"KyLuat/GS-02", "KyLuat/GS-03", "KyLuat/GS-04",
			"workbook/KN-09", "workbook/KN-09b", "workbook/TH-03", "workbook/TH-03b", "workbook/TH-03c", "workbook/TH-01b", "workbook/TH-01c",
		},
		"unique": {"KetNap/KN-08", "KetNap/KN-08", "ChuyenSinhHoat/CS-08", "ChuyenSinhHoat/CS-08", "GiamSat/GS-06"},
		"field":  {"ThongTin.year/TH-07b", "ThongTin.quarter/TH-07b", "ThongTin.admission_target_year/TH-06", "KetNap.profile_no/KN-07"},
		"code":   {"KetNap/KN-10"},
	}
	require.Equal(t, want, got)

	// Every CEL rule has a pass/fail case in TestRules.
	tested := map[string]bool{}
	for _, c := range ruleCases() {
		s := c.sheet
		if s == "" {
			s = "workbook"
		}
		tested[s+"/"+c.id] = true
	}
	for _, r := range want["rule"] {
		require.True(t, tested[r], "no TestRules case for %s", r)
	}
	require.Len(t, tested, len(want["rule"]))
	require.True(t, slices.Contains(tmpl.Sheet("GiamSat").Unique[0].Fields, "discipline_date"))
	require.True(t, tmpl.Sheet("GiamSat").Unique[0].Blanks)
}
