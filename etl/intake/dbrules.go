package intake

import (
	"fmt"
	"strconv"
	"time"

	"github.com/returns-project/returns/etl/normalize"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

// This file holds the rules that need the database (docs/domain.md §4):
// decided on what the store's queries found (store.RuleFacts, in
// etl/store/dbrules.go) and worded for the operator.

// Rule ids of the database checks.
const (
	ruleOrgRegistry  = "TH-07"  // organisation in the registry, active in the quarter, right parent (E)
	ruleOrgName      = "TH-07W" // organisation name differs from the registry (W)
	ruleNoRegistry   = "TH-07R" // no registry loaded: the organisation could not be checked (W)
	ruleStartBalance = "TH-02"  // start of quarter = previous quarter's end (E; W across a merger)
	ruleRollUp       = "TH-04"  // a parent's totals = the sum over its children (W)
	ruleEarlierAdmit = "KN-08"  // admitted in an earlier quarter already (W)
	ruleTransferPair = "CS-07"  // transfer letter without its counterpart after 30 days (W)
	ruleTransferLate = "CS-03"  // matched letters more than 30 days apart (W)
)

// finding is what a rule that needs the database found about the file.
type finding struct {
	Rule     string // e.g. "TH-02"
	Severity string // "error" or "warning"
	Sheet    string
	Row      int    // source row; 0 for the key-value sheet
	Field    string // the field the finding points at
	Value    string // the value in the file
	Expected string // what the database says it should be, when there is one
	Other    string // the other organisation, quarter or row concerned, when there is one
}

// letterDays is the time a transfer letter has to meet its counterpart
// (CS-07) and the most two matched letters may be apart (CS-03).
const letterDays = 30 * 24 * time.Hour

// dbFindings judges the rules that need the database on what the store
// found, at now (the clock of the rules).
func dbFindings(f *store.RuleFacts, now time.Time) []finding {
	if f == nil {
		return nil
	}
	var out []finding
	out = append(out, registryFindings(f)...)
	out = append(out, startBalance(f)...)
	out = append(out, rollUp(f)...)
	out = append(out, earlierAdmissions(f)...)
	return append(out, transferPairs(f, now)...)
}

// summaryFinding is a finding on field of the key-value sheet.
func summaryFinding(rule, severity, field, value string) finding {
	return finding{Rule: rule, Severity: severity, Sheet: "ThongTin", Field: field, Value: value}
}

// registryFindings (TH-07): the organisation exists, is active in the
// quarter, has the parent the file names, and (warning) the name the
// registry knows.
func registryFindings(f *store.RuleFacts) []finding {
	org, me := f.Entry, f.Summary
	switch {
	case !f.Registry:
		return []finding{summaryFinding(ruleNoRegistry, "warning", "org_code", f.Org)}
	case org == nil:
		return []finding{summaryFinding(ruleOrgRegistry, "error", "org_code", f.Org)}
	}
	var out []finding
	if !org.ActiveIn(f.Quarter) {
		x := summaryFinding(ruleOrgRegistry, "error", "org_code", f.Org)
		x.Expected = org.ValidFrom.String() + " –"
		if !org.ValidTo.IsZero() {
			x.Expected += " " + org.ValidTo.String()
		}
		out = append(out, x)
	}
	if org.ParentCode != me.ParentCode {
		x := summaryFinding(ruleOrgRegistry, "error", "parent_code", me.ParentCode)
		x.Expected = org.ParentCode
		out = append(out, x)
	}
	if normalize.Key(org.Name) != normalize.Key(me.OrgName) {
		x := summaryFinding(ruleOrgName, "warning", "org_name", me.OrgName)
		x.Expected = org.Name
		out = append(out, x)
	}
	return out
}

// startBalance (TH-02): the start of the quarter is the previous quarter's
// end; across a merger, the sum of the predecessors' ends (a warning then,
// as members may have moved elsewhere in the reorganisation).
func startBalance(f *store.RuleFacts) []finding {
	p := f.Previous
	if p == nil {
		return nil
	}
	severity, other := "error", f.Quarter.Prev().String()
	if len(p.Merged) > 0 {
		severity, other = "warning", fmt.Sprintf("%v %s", p.Merged, other)
	}
	return compare(ruleStartBalance, severity, other, []figure{
		{"members_start_official", f.Summary.StartOfficial, p.Official},
		{"members_start_probationary", f.Summary.StartProbationary, p.Probationary},
	})
}

// rollUp (TH-04): when every child active in the quarter has reported, the
// parent's end-of-quarter members and admissions equal the sum over its
// children.
func rollUp(f *store.RuleFacts) []finding {
	c, me := f.Children, f.Summary
	if c == nil || c.Count == 0 || c.Reported < c.Count {
		return nil
	}
	return compare(ruleRollUp, "warning", strconv.Itoa(c.Count), []figure{
		{"members_end_official", me.EndOfficial, c.EndOfficial},
		{"members_end_probationary", me.EndProbationary, c.EndProbationary},
		{"admitted", me.Admitted, c.Admitted},
	})
}

// figure is a number of the key-value sheet and the number the database
// says it should be.
type figure struct {
	field     string
	got, want int64
}

// compare finds each figure that is not what the database says.
func compare(rule, severity, other string, figures []figure) []finding {
	var out []finding
	for _, x := range figures {
		if x.got != x.want {
			y := summaryFinding(rule, severity, x.field, itoa(x.got))
			y.Expected, y.Other = itoa(x.want), other
			out = append(out, y)
		}
	}
	return out
}

// earlierAdmissions (KN-08): a person admitted in this file who was already
// admitted in an earlier quarter: a re-submission or a readmission to check.
func earlierAdmissions(f *store.RuleFacts) []finding {
	var out []finding
	for _, e := range f.Earlier {
		out = append(out, finding{Rule: ruleEarlierAdmit, Severity: "warning", Sheet: "KetNap", Row: e.Row, Field: "full_name", Value: e.Name,
			Other: fmt.Sprintf("%s %s (dòng/row %d)", e.Org, e.Quarter, e.OtherRow)})
	}
	return out
}

// transferPairs (CS-07, CS-03): a letter naming an organisation of the
// registry should meet the other side's for the same person within 30
// days. A letter older than that with no counterpart although the
// counterpart has reported the quarter it was due in is flagged, as is a
// pair more than 30 days apart.
func transferPairs(f *store.RuleFacts, now time.Time) []finding {
	var out []finding
	today := now.UTC().Truncate(24 * time.Hour)
	for _, t := range f.Transfers {
		x := finding{Severity: "warning", Sheet: "ChuyenSinhHoat", Row: t.Row, Field: "event_date", Value: t.Event.Format("02/01/2006")}
		switch m := t.Match; {
		case !t.Known:
			x.Rule, x.Field, x.Value = ruleTransferPair, "counterpart_org_code", t.Counterpart
		case m == nil:
			// Flagged only once the other side has reported the quarter in
			// which the letter was due (30 days after it), without it:
			// before that, the other side is simply not in yet.
			if !t.CounterpartReported || today.Sub(t.Event) <= letterDays {
				continue
			}
			x.Rule, x.Other = ruleTransferPair, t.Counterpart
		case t.Event.Sub(m.Date) > letterDays || m.Date.Sub(t.Event) > letterDays:
			x.Rule, x.Expected, x.Other = ruleTransferLate, m.Date.Format("02/01/2006"), fmt.Sprintf("%s (dòng/row %d)", m.Org, m.Row)
		default:
			continue
		}
		out = append(out, x)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// dbMessage words a finding of the database rules for the operator, in
// Vietnamese and English, with a fix hint.
func dbMessage(f finding) (msg, hint schema.Text) {
	switch f.Rule {
	case ruleNoRegistry:
		return schema.Text{VI: "Chưa có danh sách đơn vị nên chưa kiểm tra được mã đơn vị.", EN: "No organisation registry is loaded, so the organisation code was not checked."},
			schema.Text{VI: "Người quản trị cần nạp danh sách đơn vị (returns registry import).", EN: "The administrator should load the registry (returns registry import)."}
	case ruleOrgRegistry:
		switch {
		case f.Field == "parent_code":
			return schema.Text{VI: fmt.Sprintf("Mã đơn vị cấp trên không khớp danh sách đơn vị (đúng là %q).", f.Expected),
					EN: fmt.Sprintf("The parent organisation code does not match the registry (it is %q).", f.Expected)},
				schema.Text{VI: "Sửa mã đơn vị cấp trên trực tiếp theo danh sách đơn vị; nếu danh sách sai, báo người quản trị.", EN: "Correct the parent code as in the registry; if the registry is wrong, tell the administrator."}
		case f.Expected != "":
			return schema.Text{VI: fmt.Sprintf("Đơn vị không hoạt động trong quý báo cáo (hoạt động từ %s).", f.Expected),
					EN: fmt.Sprintf("The organisation is not active in this quarter (active %s).", f.Expected)},
				schema.Text{VI: "Kiểm tra năm, quý báo cáo và mã đơn vị; đơn vị đã sáp nhập thì báo cáo theo mã đơn vị mới.", EN: "Check the year, quarter and code; a merged organisation reports under its successor's code."}
		default:
			return schema.Text{VI: "Mã đơn vị không có trong danh sách đơn vị.", EN: "The organisation code is not in the registry."},
				schema.Text{VI: "Kiểm tra mã đơn vị (xem văn bản giao mã); nếu đơn vị mới thành lập, báo người quản trị bổ sung.", EN: "Check the code; for a newly formed organisation ask the administrator to add it."}
		}
	case ruleOrgName:
		return schema.Text{VI: fmt.Sprintf("Tên đơn vị khác với danh sách đơn vị (%q).", f.Expected), EN: fmt.Sprintf("The organisation name differs from the registry (%q).", f.Expected)},
			schema.Text{VI: "Ghi đúng tên theo danh sách đơn vị, hoặc báo người quản trị nếu đơn vị đã đổi tên.", EN: "Use the registry's name, or tell the administrator if the organisation was renamed."}
	case ruleStartBalance:
		if f.Severity == "warning" {
			return schema.Text{VI: fmt.Sprintf("Số đảng viên đầu kỳ khác tổng cuối kỳ trước của các đơn vị trước sáp nhập %s (%s).", f.Other, f.Expected),
					EN: fmt.Sprintf("Start-of-quarter members differ from the predecessors' end of last quarter %s (%s).", f.Other, f.Expected)},
				schema.Text{VI: "Kiểm tra số đảng viên nhận về khi sáp nhập; ghi chú nếu có đảng viên chuyển đi nơi khác.", EN: "Check the members taken over in the merger; note any who moved elsewhere."}
		}
		return schema.Text{VI: fmt.Sprintf("Số đảng viên đầu kỳ phải bằng số cuối kỳ của quý trước (%s: %s).", f.Other, f.Expected),
				EN: fmt.Sprintf("Start-of-quarter members must equal the end of the previous quarter (%s: %s).", f.Other, f.Expected)},
			schema.Text{VI: "Sửa số đầu kỳ cho khớp với báo cáo quý trước; nếu báo cáo quý trước sai, gửi lại báo cáo quý trước trước.", EN: "Correct the start figure; if last quarter's return was wrong, resend that one first."}
	case ruleRollUp:
		return schema.Text{VI: fmt.Sprintf("Số liệu tổng hợp khác tổng của %s đơn vị trực thuộc (%s).", f.Other, f.Expected),
				EN: fmt.Sprintf("The total differs from the sum over the %s subordinate organisations (%s).", f.Other, f.Expected)},
			schema.Text{VI: "Đối chiếu với báo cáo của các đơn vị trực thuộc.", EN: "Reconcile with the subordinate organisations' returns."}
	case ruleEarlierAdmit:
		return schema.Text{VI: fmt.Sprintf("Người này đã được báo cáo kết nạp ở quý trước (%s).", f.Other),
				EN: fmt.Sprintf("This person was already reported as admitted in an earlier quarter (%s).", f.Other)},
			schema.Text{VI: "Nếu là báo cáo lặp, xóa dòng này; nếu là kết nạp lại, ghi C ở cột Kết nạp lại.", EN: "If it is a repeat, delete the row; if it is a readmission, mark it C in the readmission column."}
	case ruleTransferPair:
		if f.Field == "counterpart_org_code" {
			return schema.Text{VI: "Mã đơn vị đối ứng không có trong danh sách đơn vị.", EN: "The counterpart organisation code is not in the registry."},
				schema.Text{VI: "Kiểm tra mã đơn vị đối ứng; để trống nếu đơn vị ngoài hệ thống.", EN: "Check the counterpart code; leave it blank for an organisation outside the system."}
		}
		return schema.Text{VI: fmt.Sprintf("Sau 30 ngày chưa thấy đơn vị %s báo cáo chiều ngược lại của giấy giới thiệu này.", f.Other),
				EN: fmt.Sprintf("After 30 days, %s has not reported the other side of this transfer letter.", f.Other)},
			schema.Text{VI: "Liên hệ đơn vị đối ứng để xác nhận đảng viên đã đến hoặc đã đi.", EN: "Contact the counterpart to confirm the member arrived or left."}
	case ruleTransferLate:
		return schema.Text{VI: fmt.Sprintf("Hai đầu giấy giới thiệu cách nhau quá 30 ngày (%s, ngày %s).", f.Other, f.Expected),
				EN: fmt.Sprintf("The two sides of the letter are more than 30 days apart (%s, on %s).", f.Other, f.Expected)},
			schema.Text{VI: "Đảng viên phải xuất trình giấy giới thiệu trong 30 ngày; kiểm tra lại ngày.", EN: "The letter must be presented within 30 days; check the dates."}
	}
	return schema.Text{VI: f.Rule, EN: f.Rule}, schema.Text{}
}

// addFindings turns the database rules' findings into issues of res.
func addFindings(res *validate.Result, findings []finding, maxIssues int) {
	for _, f := range findings {
		msg, hint := dbMessage(f)
		cell, col, row := res.Cell(f.Sheet, f.Field, f.Row)
		sev := schema.Error
		if f.Severity == "warning" {
			sev = schema.Warning
		}
		res.AddIssue(validate.Issue{Sheet: f.Sheet, Cell: cell, Col: col, Row: row, Field: f.Field, Rule: f.Rule,
			Severity: sev, Value: f.Value, Message: msg, Hint: hint}, maxIssues)
	}
}
