package digest

import (
	"fmt"
	"strings"
)

var sectionTitles = map[Section][2]string{
	SecComplete:   {"1. Tình hình nộp báo cáo", "1. Completeness"},
	SecMembers:    {"2. Đảng viên", "2. Membership"},
	SecLeft:       {"2. Đảng viên ra khỏi danh sách, theo lý do", "2. Members who left, by reason"},
	SecAdmissions: {"3. Kết nạp đảng viên", "3. Admissions"},
	SecShares:     {"3. Cơ cấu đảng viên mới kết nạp", "3. Composition of the admissions"},
	SecTransfers:  {"4. Chuyển sinh hoạt đảng", "4. Transfers"},
	SecSuperv:     {"5. Giám sát, kiểm tra", "5. Supervision and inspection"},
	SecOutcomes:   {"5. Kết quả giám sát, kiểm tra", "5. Outcomes of supervision and inspection"},
	SecDiscipline: {"5. Kỷ luật", "5. Discipline"},
}

var sectionOrder = []Section{SecComplete, SecMembers, SecLeft, SecAdmissions, SecShares, SecTransfers, SecSuperv, SecOutcomes, SecDiscipline}

func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// FiguresMarkdown is docs/figures.md: every figure of [Definitions] and
// every table of [Breakdowns], explained to a manager in one line in
// Vietnamese and English, with its definition for a maintainer. A test
// keeps the page equal to it.
func FiguresMarkdown() string {
	var b strings.Builder
	b.WriteString(`# The figures of the quarterly digest / Các chỉ tiêu của báo cáo nhanh

<!-- Generated from etl/digest/figures.go (digest.FiguresMarkdown); do not edit by hand.
     After changing the definitions: RETURNS_UPDATE_DOCS=1 go test ./etl/digest -run TestFiguresPage -->

Every figure the digest prints (mail text and HTML, the chart, the .xlsx attachment) is defined once, in
` + "`etl/digest/figures.go`" + `; the renderers take their rows from there. The id is the "Mã chỉ tiêu" column of
the attachment's ` + "`TongHop`" + ` sheet.

Rules that hold for every figure:

- **Data**: only accepted, current returns (the newest accepted version of each organisation and quarter), as in
  the ` + "`reporting.*`" + ` views; a return's figures are its ThongTin values and its detail rows.
- **Organisations**: the recipient's organisation and every organisation below it in the current registry, and
  the predecessors of those (their history); an organisation merged away counts in its successor.
- **Like for like**: a comparison adds up, in both periods, only the organisations with a return in both
  (predecessors in their successor). The digest prints the change, its percentage and the base
  ("+34 (+54,84%) từ 62"); on a base of 0 only the percentage is "—" ("+5 (—) từ 0"); when no organisation
  has a return in both periods it prints "— (chưa có báo cáo)" / "— (no return)".
- **Previous quarter**: Q1 is compared with Q4 of the year before. **Same quarter last year**: (year − 1, q).
- **Year to date**: quarters Q1..q of the year. Against last year it adds up only the (organisation, quarter)
  pairs with a return in both years; when the base year lacks a quarter the comparison is restricted to the
  common quarters and labelled so ("Q2–Q3 so với Q2–Q3/2024"), or "— (năm 2024 không có báo cáo cùng quý)".
  The chart's year-to-date line restarts each year; a year that lacks a quarter is marked "*" and said.
- **Disciplines** are the KyLuat rows plus the GiamSat rows with a discipline form (` + "`reporting.disciplines_all`" + `):
  KyLuat holds only the discipline that is not on a GiamSat row (docs/domain.md §6.2, §7.5).
- **Restated figures**: a return of an earlier quarter loaded after the recipient's previous digest is listed
  only when a figure of the digest changed (a new phone number is not a restatement).

`)
	fmt.Fprintf(&b, "## Key figures / Số liệu chính\n\nAt the top of the digest, each with its change against the previous quarter: ")
	var keys []string
	for _, id := range KeyFigures {
		keys = append(keys, "`"+id+"`")
	}
	b.WriteString(strings.Join(keys, ", ") + ".\n\n")
	for _, s := range sectionOrder {
		t := sectionTitles[s]
		fmt.Fprintf(&b, "## %s / %s\n\n", t[1], t[0])
		b.WriteString("| id | Vietnamese | English | from (sheet: field) | filter | organisations | comparisons |\n|---|---|---|---|---|---|---|\n")
		for _, d := range inSection(s) {
			orgs := d.Orgs
			if orgs == "" {
				orgs = kindOrgs[d.Kind]
			}
			fmt.Fprintf(&b, "| `%s` | **%s**: %s | **%s**: %s | %s: %s | %s | %s | %s |\n", d.ID, mdCell(d.Label[0]), mdCell(d.Explain[0]),
				mdCell(d.Label[1]), mdCell(d.Explain[1]), mdCell(d.Sheet), mdCell(d.Field), mdCell(d.Filter), mdCell(orgs), mdCell(kindCompare[d.Kind]))
		}
		var tables []Breakdown
		for _, t := range Breakdowns {
			if t.Section == s {
				tables = append(tables, t)
			}
		}
		if len(tables) > 0 {
			b.WriteString("\nTables:\n\n| id | Vietnamese | English | from | by | filter |\n|---|---|---|---|---|---|\n")
			for _, t := range tables {
				fmt.Fprintf(&b, "| `%s` | **%s**: %s | **%s**: %s | %s | %s | %s |\n", t.ID, mdCell(t.Label[0]), mdCell(t.Explain[0]),
					mdCell(t.Label[1]), mdCell(t.Explain[1]), mdCell(t.Sheet), mdCell(t.Keys), mdCell(t.Filter))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(`## Who decided a discipline / Cấp quyết định kỷ luật

` + "`decided_by`" + ` classifies the free-text "Cấp quyết định kỷ luật" (discipline_body) after trimming:
UBKT (starts with "Ủy ban kiểm tra", "Uỷ ban kiểm tra" or "UBKT", any case), BTV ("Ban thường vụ" or "BTV"),
CHI_BO ("Chi bộ"), CAP_UY ("Đảng ủy", "Đảng bộ", "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy"),
KHAC (anything else). The function is ` + "`returns.decided_by`" + ` (migration 00022).
`)
	return b.String()
}
