package intake

import (
	"fmt"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/store"
	"github.com/returns-project/returns/etl/validate"
)

// dbMessage words a finding of the database rules for the operator, in
// Vietnamese and English, with a fix hint.
func dbMessage(f store.Finding) (msg, hint schema.Text) {
	switch f.Rule {
	case store.RuleNoRegistry:
		return schema.Text{VI: "Chưa có danh sách đơn vị nên chưa kiểm tra được mã đơn vị.", EN: "No organisation registry is loaded, so the organisation code was not checked."},
			schema.Text{VI: "Người quản trị cần nạp danh sách đơn vị (returns registry import).", EN: "The administrator should load the registry (returns registry import)."}
	case store.RuleOrgRegistry:
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
	case store.RuleOrgName:
		return schema.Text{VI: fmt.Sprintf("Tên đơn vị khác với danh sách đơn vị (%q).", f.Expected), EN: fmt.Sprintf("The organisation name differs from the registry (%q).", f.Expected)},
			schema.Text{VI: "Ghi đúng tên theo danh sách đơn vị, hoặc báo người quản trị nếu đơn vị đã đổi tên.", EN: "Use the registry's name, or tell the administrator if the organisation was renamed."}
	case store.RuleStartBalance:
		if f.Severity == "warning" {
			return schema.Text{VI: fmt.Sprintf("Số đảng viên đầu kỳ khác tổng cuối kỳ trước của các đơn vị trước sáp nhập %s (%s).", f.Other, f.Expected),
					EN: fmt.Sprintf("Start-of-quarter members differ from the predecessors' end of last quarter %s (%s).", f.Other, f.Expected)},
				schema.Text{VI: "Kiểm tra số đảng viên nhận về khi sáp nhập; ghi chú nếu có đảng viên chuyển đi nơi khác.", EN: "Check the members taken over in the merger; note any who moved elsewhere."}
		}
		return schema.Text{VI: fmt.Sprintf("Số đảng viên đầu kỳ phải bằng số cuối kỳ của quý trước (%s: %s).", f.Other, f.Expected),
				EN: fmt.Sprintf("Start-of-quarter members must equal the end of the previous quarter (%s: %s).", f.Other, f.Expected)},
			schema.Text{VI: "Sửa số đầu kỳ cho khớp với báo cáo quý trước; nếu báo cáo quý trước sai, gửi lại báo cáo quý trước trước.", EN: "Correct the start figure; if last quarter's return was wrong, resend that one first."}
	case store.RuleRollUp:
		return schema.Text{VI: fmt.Sprintf("Số liệu tổng hợp khác tổng của %s đơn vị trực thuộc (%s).", f.Other, f.Expected),
				EN: fmt.Sprintf("The total differs from the sum over the %s subordinate organisations (%s).", f.Other, f.Expected)},
			schema.Text{VI: "Đối chiếu với báo cáo của các đơn vị trực thuộc.", EN: "Reconcile with the subordinate organisations' returns."}
	case store.RuleEarlierAdmit:
		return schema.Text{VI: fmt.Sprintf("Người này đã được báo cáo kết nạp ở quý trước (%s).", f.Other),
				EN: fmt.Sprintf("This person was already reported as admitted in an earlier quarter (%s).", f.Other)},
			schema.Text{VI: "Nếu là báo cáo lặp, xóa dòng này; nếu là kết nạp lại, ghi C ở cột Kết nạp lại.", EN: "If it is a repeat, delete the row; if it is a readmission, mark it C in the readmission column."}
	case store.RuleTransferPair:
		if f.Field == "counterpart_org_code" {
			return schema.Text{VI: "Mã đơn vị đối ứng không có trong danh sách đơn vị.", EN: "The counterpart organisation code is not in the registry."},
				schema.Text{VI: "Kiểm tra mã đơn vị đối ứng; để trống nếu đơn vị ngoài hệ thống.", EN: "Check the counterpart code; leave it blank for an organisation outside the system."}
		}
		return schema.Text{VI: fmt.Sprintf("Sau 30 ngày chưa thấy đơn vị %s báo cáo chiều ngược lại của giấy giới thiệu này.", f.Other),
				EN: fmt.Sprintf("After 30 days, %s has not reported the other side of this transfer letter.", f.Other)},
			schema.Text{VI: "Liên hệ đơn vị đối ứng để xác nhận đảng viên đã đến hoặc đã đi.", EN: "Contact the counterpart to confirm the member arrived or left."}
	case store.RuleTransferLate:
		return schema.Text{VI: fmt.Sprintf("Hai đầu giấy giới thiệu cách nhau quá 30 ngày (%s, ngày %s).", f.Other, f.Expected),
				EN: fmt.Sprintf("The two sides of the letter are more than 30 days apart (%s, on %s).", f.Other, f.Expected)},
			schema.Text{VI: "Đảng viên phải xuất trình giấy giới thiệu trong 30 ngày; kiểm tra lại ngày.", EN: "The letter must be presented within 30 days; check the dates."}
	}
	return schema.Text{VI: f.Rule, EN: f.Rule}, schema.Text{}
}

// addFindings turns the database rules' findings into issues of res.
func addFindings(res *validate.Result, findings []store.Finding, maxIssues int) {
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
