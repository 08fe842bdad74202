package registry

import (
	"fmt"
	"strings"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// crossCheck adds to res the issues that need every row: DV-10 … DV-14.
// Rows whose cells were themselves invalid (a blank value here) are checked
// only as far as their valid cells go; a repeated code (DV-01) is looked up
// as its first row.
func crossCheck(res *validate.Result, orgs []domain.Org) {
	byCode := make(map[string]*domain.Org, len(orgs))
	for i := range orgs {
		if o := &orgs[i]; o.Code != "" && byCode[o.Code] == nil {
			byCode[o.Code] = o
		}
	}
	add := func(o *domain.Org, field string, rule string, sev schema.Severity, value string, msg, hint schema.Text) {
		cell, col, row := res.Cell(SheetName, field, o.SourceRow)
		res.AddIssue(validate.Issue{Sheet: SheetName, Cell: cell, Row: row, Col: col, Field: field, Rule: rule,
			Severity: sev, Value: value, Message: msg, Hint: hint}, 0)
	}

	for i := range orgs {
		o := &orgs[i]
		if o.ParentCode != "" && o.ParentCode != o.Code && byCode[o.ParentCode] == nil {
			add(o, "parent_code", RuleParentMissing, schema.Error, o.ParentCode,
				schema.Text{VI: "Mã đơn vị cấp trên không có trong danh sách đơn vị.", EN: "The parent code is not an organisation of this registry."},
				schema.Text{VI: "Thêm đơn vị cấp trên vào danh sách, hoặc sửa mã cho đúng (phân biệt chữ hoa, chữ thường).", EN: "Add the parent to the registry, or correct the code (it is case-sensitive)."})
		}
		if o.SuccessorCode != "" && o.SuccessorCode != o.Code && byCode[o.SuccessorCode] == nil {
			add(o, "successor_code", RuleSuccessorMissing, schema.Error, o.SuccessorCode,
				schema.Text{VI: "Mã đơn vị kế thừa không có trong danh sách đơn vị.", EN: "The successor code is not an organisation of this registry."},
				schema.Text{VI: "Thêm đơn vị kế thừa vào danh sách, hoặc sửa mã cho đúng.", EN: "Add the successor to the registry, or correct the code."})
		}
		if succ := byCode[o.SuccessorCode]; succ != nil && succ != o && !o.ValidTo.IsZero() && !succ.ValidFrom.IsZero() &&
			succ.ValidFrom != o.ValidTo.Next() {
			add(o, "successor_code", RuleSuccessorStart, schema.Warning, o.SuccessorCode,
				schema.Text{VI: fmt.Sprintf("Đơn vị kế thừa bắt đầu hiệu lực từ %s, không phải quý ngay sau quý cuối cùng %s (%s).", succ.ValidFrom, o.ValidTo, o.ValidTo.Next()),
					EN: fmt.Sprintf("The successor starts in %s, not in the quarter right after the last one, %s (%s).", succ.ValidFrom, o.ValidTo, o.ValidTo.Next())},
				schema.Text{VI: "Nếu có quý trống hoặc chồng lấn giữa hai đơn vị, so sánh giữa các quý sẽ sai: kiểm tra lại hai quý.", EN: "A gap or an overlap between the two breaks quarter-on-quarter comparisons: check both quarters."})
		}
		if p := byCode[o.ParentCode]; p != nil && p != o && !covers(p, o) {
			span := o.ValidFrom.String() + " –"
			if !o.ValidTo.IsZero() {
				span += " " + o.ValidTo.String()
			}
			pspan := p.ValidFrom.String() + " –"
			if !p.ValidTo.IsZero() {
				pspan += " " + p.ValidTo.String()
			}
			add(o, "parent_code", RuleParentInactive, schema.Warning, o.ParentCode,
				schema.Text{VI: fmt.Sprintf("Đơn vị cấp trên (hiệu lực %s) không hoạt động suốt thời gian của đơn vị này (%s).", pspan, span),
					EN: fmt.Sprintf("The parent (valid %s) does not exist for the whole of this organisation's validity (%s).", pspan, span)},
				schema.Text{VI: "Chuyển đơn vị sang cấp trên mới (thường là đơn vị kế thừa), hoặc kiểm tra lại các quý.", EN: "Move the organisation to its new parent (usually the successor), or check the quarters."})
		}
	}

	// Cycles: every organisation has at most one parent, so following the
	// parents from any row either ends (a root, or a missing parent) or
	// enters a cycle. Each organisation on a cycle is reported once. An
	// organisation that is its own parent is DV-04, a row rule.
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[*domain.Org]int, len(orgs))
	for i := range orgs {
		var path []*domain.Org
		cur := &orgs[i]
		for cur != nil && state[cur] == unseen {
			state[cur] = onPath
			path = append(path, cur)
			cur = byCode[cur.ParentCode]
		}
		if cur != nil && state[cur] == onPath {
			start := 0
			for path[start] != cur {
				start++
			}
			cycle := path[start:]
			if len(cycle) > 1 {
				codes := make([]string, 0, len(cycle)+1)
				for _, o := range cycle {
					codes = append(codes, o.Code)
				}
				codes = append(codes, cycle[0].Code)
				chain := strings.Join(codes, " → ")
				for _, o := range cycle {
					add(o, "parent_code", RuleParentCycle, schema.Error, o.ParentCode,
						schema.Text{VI: "Vòng lặp đơn vị cấp trên: " + chain + ".", EN: "The parents form a cycle: " + chain + "."},
						schema.Text{VI: "Mỗi nhánh phải dẫn lên một đơn vị không có cấp trên (Đảng bộ tỉnh): sửa mã đơn vị cấp trên của một trong các đơn vị này.", EN: "Every branch must lead up to an organisation with no parent (the province committee): correct the parent of one of these."})
				}
			}
		}
		for _, o := range path {
			state[o] = done
		}
	}
}

// covers reports whether parent p exists over the whole validity of o
// (both with known first quarters).
func covers(p, o *domain.Org) bool {
	if p.ValidFrom.IsZero() || o.ValidFrom.IsZero() {
		return true // reported on its own (DV-02, required)
	}
	if p.ValidFrom.Index() > o.ValidFrom.Index() {
		return false
	}
	if p.ValidTo.IsZero() {
		return true
	}
	return !o.ValidTo.IsZero() && o.ValidTo.Index() <= p.ValidTo.Index()
}
