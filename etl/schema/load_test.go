package schema_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/sharedtest"
	"github.com/returns-project/returns/schemas"
)

// TestLoadEmbedded checks the sheets and fields of docs/domain.md §7, written out
// here from the document rather than derived from the YAML.
func TestLoadEmbedded(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	tmpl := set.Templates["BCQ-1"]
	require.NotNil(t, tmpl)
	require.Equal(t, "BCQ-1", tmpl.Version)
	want := []struct {
		sheet    string
		layout   schema.Layout
		optional bool
		fields   []string
	}{
		{"ThongTin", schema.KeyValue, false, []string{
			"org_code", "org_name", "org_type", "parent_code", "year", "quarter", "template_version", "cells_count",
			"members_start_official", "members_start_probationary", "admitted", "readmitted", "recognised_official",
			"transfer_in_official", "transfer_out_official", "increase_other", "deceased", "expelled", "struck_off",
			"resigned", "decrease_other", "members_end_official", "members_end_probationary", "temp_in", "temp_out",
			"admission_target_year", "preparer_name", "phone", "email", "prepared_on"}},
		{"KetNap", schema.Table, false, []string{
			"full_name", "gender", "birth_date", "citizen_id", "ethnicity_code", "religion_code", "general_education",
			"professional_level", "political_theory", "occupation_group", "workplace_sector", "is_youth_union_member",
			"is_readmission", "cell_code", "decision_no", "decision_date", "deciding_body", "ceremony_date", "profile_no", "note"}},
		{"ChuyenSinhHoat", schema.Table, false, []string{
			"full_name", "birth_date", "gender", "member_status", "card_no", "profile_no", "join_date", "official_date",
			"direction", "transfer_type", "scope", "reason", "counterpart_org_name", "counterpart_org_code", "letter_no",
			"event_date", "decision_date", "temp_until", "dues_paid_through", "cell_code", "note"}},
		{"GiamSat", schema.Table, false, []string{
			"actor", "activity", "supervision_form", "inspection_type", "subject_type", "subject_name", "subject_org_code",
			"subject_member_id", "subject_member_status", "is_committee_member", "topic", "decision_no", "start_date",
			"conclusion_date", "result", "discipline_required", "discipline_form", "discipline_body", "discipline_date"}},
		{"KyLuat", schema.Table, true, []string{
			"subject_type", "subject_name", "subject_member_id", "subject_member_status", "is_committee_member",
			"violation_summary", "discipline_form", "discipline_body", "decision_no", "decision_date", "source"}},
	}
	require.Len(t, tmpl.Sheets, len(want))
	for i, w := range want {
		s := tmpl.Sheets[i]
		require.Equal(t, w.sheet, s.Name)
		require.Equal(t, w.layout, s.Layout, s.Name)
		require.Equal(t, w.optional, s.Optional, s.Name)
		var got []string
		for _, f := range s.Fields {
			got = append(got, f.Name)
			require.NotEmpty(t, f.Label.VI, "%s.%s", s.Name, f.Name)
			require.NotEmpty(t, f.Label.EN, "%s.%s", s.Name, f.Name)
		}
		require.Equal(t, w.fields, got, s.Name)
	}
	tables := map[string]string{}
	for _, s := range tmpl.Sheets {
		tables[s.Name] = s.Table
	}
	require.Equal(t, map[string]string{"ThongTin": "summary", "KetNap": "admission", "ChuyenSinhHoat": "transfer",
		"GiamSat": "supervision", "KyLuat": "discipline"}, tables, "the table each sheet's records land in")

	// Labels of §7 ("Nhãn (VI)"), a sample.
	labels := map[string]string{
		"ThongTin.org_code": "Mã đơn vị", "ThongTin.members_start_official": "Đảng viên đầu kỳ – chính thức",
		"ThongTin.struck_off": "Xóa tên", "KetNap.ceremony_date": "Ngày lễ kết nạp (ngày vào Đảng)",
		"KetNap.citizen_id": "Số CCCD", "ChuyenSinhHoat.letter_no": "Số giấy giới thiệu (GTSHĐ)",
		"ChuyenSinhHoat.dues_paid_through": "Đảng phí đã đóng hết tháng", "GiamSat.subject_org_code": "Mã tổ chức được GS/KT",
	}
	for k, v := range labels {
		sheet, field, _ := strings.Cut(k, ".")
		require.Equal(t, v, tmpl.Sheet(sheet).Field(field).Label.VI, k)
	}

	// Personal data is marked.
	for _, k := range []string{"KetNap.full_name", "KetNap.birth_date", "KetNap.citizen_id", "KetNap.profile_no",
		"ChuyenSinhHoat.full_name", "ChuyenSinhHoat.card_no", "ChuyenSinhHoat.profile_no", "GiamSat.subject_name",
		"GiamSat.subject_member_id", "KyLuat.subject_name", "ThongTin.phone", "ThongTin.email", "ThongTin.preparer_name"} {
		sheet, field, _ := strings.Cut(k, ".")
		require.True(t, tmpl.Sheet(sheet).Field(field).Personal, k)
	}

	// Code fields name known lists; KetNap's report KN-10.
	for _, s := range tmpl.Sheets {
		for _, f := range s.Fields {
			if f.Type == schema.TypeCode {
				require.NotNil(t, set.CodeLists[f.CodeList], "%s.%s", s.Name, f.Name)
				if s.Name == "KetNap" {
					require.Equal(t, "KN-10", f.Rule, "%s.%s", s.Name, f.Name)
				}
			}
		}
	}
	require.Equal(t, "KN-07", tmpl.Sheet("KetNap").Field("profile_no").Rule)
	require.Equal(t, "TH-06", tmpl.Sheet("ThongTin").Field("admission_target_year").Rule)
}

func TestCodeLists(t *testing.T) {
	t.Parallel()
	set := sharedtest.Schemas(t)
	eth := set.CodeLists["ethnicity"]
	require.Len(t, eth.Codes, 55)
	require.Equal(t, "01", eth.Codes[0].Code)
	require.Equal(t, "Kinh", eth.Codes[0].Label.VI)
	require.Equal(t, "HMông", eth.Codes[7].Label.VI)
	require.Equal(t, "Rơ măm", eth.Codes[53].Label.VI)
	require.Equal(t, "55", eth.Codes[54].Code)
	for cell, want := range map[string]string{"H'Mông": "08", "HMông": "08", "Mông": "08", "hmong": "08", "Khmer": "05",
		"Khơ-me": "05", "khơ me": "05", "01": "01", "kinh": "01", "  KINH ": "01"} {
		got, ok := eth.Lookup(cell)
		require.True(t, ok, cell)
		require.Equal(t, want, got, cell)
	}
	_, ok := eth.Lookup("99")
	require.False(t, ok)

	gender := set.CodeLists["gender"]
	for cell, want := range map[string]string{"Nam": "M", "Nữ": "F", "NỮ": "F", "nu": "F", "Nu\u0303": "F", "M": "M", "F": "F", "Female": "F"} {
		got, ok := gender.Lookup(cell)
		require.True(t, ok, cell)
		require.Equal(t, want, got, cell)
	}
	rel := set.CodeLists["religion"]
	require.Len(t, rel.Codes, 15)
	got, ok := rel.Lookup("Không")
	require.True(t, ok)
	require.Equal(t, "00", got)
	got, ok = set.CodeLists["education"].Lookup("12/12")
	require.True(t, ok)
	require.Equal(t, "THPT", got)
	got, ok = set.CodeLists["scope"].Lookup("TRONG_HUYEN")
	require.True(t, ok)
	require.Equal(t, "TRONG_HUYEN", got)

	want := map[string][]string{
		"discipline_form":    {"KHIEN_TRACH", "CANH_CAO", "CACH_CHUC", "KHAI_TRU", "GIAI_TAN"},
		"discipline_source":  {"TU_KIEM_TRA", "TO_CAO", "KHAC"},
		"org_type":           {"DANG_BO_CO_SO", "CHI_BO_CO_SO", "DANG_BO_BO_PHAN", "DANG_BO_CAP_TREN_CS"},
		"member_status":      {"CT", "DB"},
		"professional_level": {"CHUA", "SC", "TC", "CD", "DH", "THS", "TS"},
		"political_theory":   {"CHUA", "SC", "TC", "CC", "CN"},
		"education":          {"TH", "THCS", "THPT"},
		"transfer_type":      {"CHINH_THUC", "TAM_THOI", "NOI_BO", "NUOC_NGOAI"},
		"direction":          {"DEN", "DI"},
		"scope":              {"NOI_BO", "TRONG_TINH", "NGOAI_TINH", "NUOC_NGOAI", "TRONG_HUYEN"},
	}
	for id, codes := range want {
		var got []string
		for _, c := range set.CodeLists[id].Codes {
			got = append(got, c.Code)
		}
		require.Equal(t, codes, got, id)
	}
}

// mapFS copies the embedded schemas into a MapFS, applying edits
// (file → old → new) that must each apply.
func mapFS(t *testing.T, edits ...[3]string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(schemas.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(schemas.FS, p)
		if err != nil {
			return err
		}
		m[p] = &fstest.MapFile{Data: data}
		return nil
	})
	require.NoError(t, err)
	for _, e := range edits {
		f := m[e[0]]
		require.NotNil(t, f, e[0])
		s := string(f.Data)
		require.Contains(t, s, e[1], "edit of %s", e[0])
		m[e[0]] = &fstest.MapFile{Data: []byte(strings.Replace(s, e[1], e[2], 1))}
	}
	return m
}

func TestLoadChecks(t *testing.T) {
	t.Parallel()
	const ketnap = "bcq-1/ketnap.yaml"
	cases := []struct {
		name string
		edit [3]string
		want string // the first line of the error must contain it
	}{
		{"unknown type", [3]string{ketnap, "name: birth_date\n    label: {vi: \"Ngày sinh\", en: \"Date of birth\"}\n    type: date",
			"name: birth_date\n    label: {vi: \"Ngày sinh\", en: \"Date of birth\"}\n    type: dat"},
			`bcq-1/ketnap.yaml: field "birth_date": unknown type "dat" (want text, int, decimal, date, bool, code, month, email)`},
		{"code without codelist", [3]string{ketnap, "    codelist: gender\n", ""},
			`bcq-1/ketnap.yaml: field "gender": type code needs a codelist`},
		{"unknown codelist", [3]string{ketnap, "codelist: ethnicity", "codelist: ethnicities"},
			`bcq-1/ketnap.yaml: field "ethnicity_code": unknown codelist "ethnicities"`},
		{"duplicate field", [3]string{ketnap, "name: note", "name: full_name"},
			`bcq-1/ketnap.yaml: field "full_name": duplicate field name`},
		{"duplicate rule id", [3]string{ketnap, "id: KN-02", "id: KN-01"},
			`bcq-1/ketnap.yaml: rule "KN-01": duplicate rule id`},
		{"unknown field in rule fields", [3]string{ketnap, "fields: [general_education]", "fields: [education]"},
			`bcq-1/ketnap.yaml: rule "KN-03": fields: unknown field "education"`},
		{"unknown field in CEL", [3]string{ketnap, `check: "row.general_education != 'TH'"`, `check: "row.general_educaton != 'TH'"`},
			`bcq-1/ketnap.yaml: rule "KN-03": check: unknown field row.general_educaton`},
		{"unknown field in unique", [3]string{ketnap, "fields: [citizen_id]", "fields: [cccd]"},
			`bcq-1/ketnap.yaml: unique "KN-08": unknown field "cccd"`},
		{"unknown sheet in aggregate", [3]string{"bcq-1.yaml", "sheet: GiamSat", "sheet: GiamSet"},
			`bcq-1.yaml: aggregate "giamsat_expelled": unknown sheet "GiamSet"`},
		{"unknown aggregate in rule", [3]string{"bcq-1.yaml", "agg.ketnap_new", "agg.ketnap_nw"},
			`bcq-1.yaml: rule "KN-09": check: unknown field agg.ketnap_nw`},
		{"bad severity", [3]string{ketnap, "severity: warning", "severity: warn"},
			`bcq-1/ketnap.yaml: rule "KN-02": bad severity "warn" (want error or warning)`},
		{"missing en message", [3]string{ketnap, `en: "The person was under 18 on the admission decision date."`, `en: ""`},
			`bcq-1/ketnap.yaml: rule "KN-01": message: missing en`},
		{"missing vi hint", [3]string{ketnap, `vi: "Kiểm tra lại ngày sinh và ngày quyết định kết nạp (dạng dd/mm/yyyy)."`, `vi: ""`},
			`bcq-1/ketnap.yaml: rule "KN-01": hint: missing vi`},
		{"bad pattern", [3]string{ketnap, `pattern: '^[0-9]{12}$'`, `pattern: '^[0-9{12}$'`},
			`bcq-1/ketnap.yaml: field "citizen_id": pattern "^[0-9{12}$": error parsing regexp`},
		{"CEL syntax", [3]string{ketnap, `check: "row.general_education != 'TH'"`, `check: "row.general_education != 'TH"`},
			`bcq-1/ketnap.yaml: rule "KN-03": check: ERROR: <input>:1:`},
		{"CEL type", [3]string{ketnap, `check: "row.general_education != 'TH'"`, `check: "age_months(row.general_education)"`},
			`bcq-1/ketnap.yaml: rule "KN-03": check: ERROR: <input>:1:11: found no matching overload for 'age_months'`},
		{"CEL not bool", [3]string{ketnap, `check: "row.general_education != 'TH'"`, `check: "1 + 2"`},
			`bcq-1/ketnap.yaml: rule "KN-03": check: gives int, want bool`},
		{"duplicate code", [3]string{"codelists/gender.yaml", `code: "F"`, `code: "M"`},
			`codelists/gender.yaml: code list "gender": duplicate code "M"`},
		{"empty label", [3]string{"codelists/gender.yaml", `vi: "Nữ"`, `vi: ""`},
			`codelists/gender.yaml: code list "gender": code "F": empty label (want vi and en)`},
		{"typo in key", [3]string{ketnap, "    required: true\n    max_len: 100", "    requird: true\n    max_len: 100"},
			`bcq-1/ketnap.yaml: yaml: unmarshal errors:`},
		{"unknown layout", [3]string{"bcq-1/thongtin.yaml", "layout: keyvalue", "layout: kv"},
			`bcq-1/thongtin.yaml: sheet "ThongTin": unknown layout "kv" (want table or keyvalue)`},
		{"missing sheet file", [3]string{"bcq-1.yaml", "bcq-1/kyluat.yaml", "bcq-1/kyluatt.yaml"},
			`bcq-1/kyluatt.yaml: open bcq-1/kyluatt.yaml: file does not exist`},
		{"max beyond the integer column", [3]string{"bcq-1/thongtin.yaml", "    min: 2020\n    max: 2100", "    min: 2020\n    max: 3000000000"},
			`bcq-1/thongtin.yaml: field "year": min/max outside the range of the integer column it is stored in (-2147483648 to 2147483647)`},
		{"sheet without a table", [3]string{"bcq-1/kyluat.yaml", "table: discipline\n", ""},
			`bcq-1.yaml: template "BCQ-1": 4 of its 5 sheets name a table: every sheet or none`},
		{"bad table name", [3]string{ketnap, "table: admission", "table: Admission; DROP"},
			`bcq-1/ketnap.yaml: sheet "KetNap": table "Admission; DROP": want lower case letters, digits and _`},
		{"row in workbook rule", [3]string{"bcq-1.yaml", `check: "info.admitted == agg.ketnap_new"`, `check: "row.admitted == agg.ketnap_new"`},
			`bcq-1.yaml: rule "KN-09": check: row is not available here`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := schema.Load(mapFS(t, c.edit))
			require.Error(t, err)
			require.ErrorIs(t, err, schema.ErrInvalidSchema)
			first, _, _ := strings.Cut(err.Error(), "\n")
			require.Contains(t, first, c.want)
		})
	}
}

func TestLoadManyProblems(t *testing.T) {
	t.Parallel()
	_, err := schema.Load(mapFS(t,
		[3]string{"bcq-1/ketnap.yaml", "severity: warning", "severity: warn"},
		[3]string{"bcq-1/giamsat.yaml", "codelist: actor", "codelist: actors"},
	))
	var le *schema.LoadError
	require.True(t, errors.As(err, &le))
	require.Len(t, le.Problems, 2)
	require.Len(t, strings.Split(err.Error(), "\n"), 2)
}

func TestOverlay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "codelists"), 0o755))
	// A deployment adds a code to the gender list, and breaks nothing else.
	data, err := fs.ReadFile(schemas.FS, "codelists/gender.yaml")
	require.NoError(t, err)
	data = append(data, []byte(`  - {code: "X", label: {vi: "Khác", en: "Other"}}`+"\n")...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "codelists", "gender.yaml"), data, 0o644))
	set, err := schema.Load(schema.Overlay(dir, schemas.FS))
	require.NoError(t, err)
	require.Len(t, set.CodeLists["gender"].Codes, 3)
	require.Len(t, set.CodeLists["ethnicity"].Codes, 55)
	require.NotNil(t, set.Templates["BCQ-1"])

	// A broken override is named by its path in the folder.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "codelists", "gender.yaml"), []byte("id: gender\ncodes: [{code: M}]\nbogus: 1\n"), 0o644))
	_, err = schema.Load(schema.Overlay(dir, schemas.FS))
	require.Error(t, err)
	require.Contains(t, err.Error(), filepath.Join(dir, "codelists", "gender.yaml")+":")

	require.Equal(t, schemas.FS, schema.Overlay("", schemas.FS))
}
