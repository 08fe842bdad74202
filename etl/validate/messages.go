package validate

import (
	"fmt"

	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/workbook"
)

// Built-in checks that every template gets, independent of its rules. Their
// ids are stable: reports, annotated workbooks and tests refer to them.
const (
	RuleSheetMissing    = "WB-SHEET-MISSING"
	RuleColumnMissing   = "WB-COLUMN-MISSING"
	RuleColumnDuplicate = "WB-COLUMN-DUPLICATE"
	RuleColumnUnknown   = "WB-COLUMN-UNKNOWN"
	RuleTemplateVersion = "TH-07"
	RuleHiddenSheet     = "WB-HIDDEN-SHEET"
	RuleHiddenRow       = "WB-HIDDEN-ROW"
	RuleHiddenColumn    = "WB-HIDDEN-COLUMN"
	RuleMerged          = "WB-MERGED"
	RuleFormula         = "WB-FORMULA"
	RuleErrorCell       = "WB-ERROR-CELL"
	RuleRequired        = "WB-REQUIRED"
	RuleType            = "WB-TYPE"
	RuleAmbiguousNumber = "AMBIGUOUS_NUMBER"
	RuleAmbiguousDate   = "AMBIGUOUS_DATE"
	RuleCode            = "WB-CODE"
	RulePattern         = "WB-PATTERN"
	RuleLength          = "WB-LENGTH"
	RuleRange           = "WB-RANGE"
	RuleUnique          = "WB-UNIQUE"
	RuleRuleFailed      = "WB-RULE-ERROR"

	// What Excel shows must be what is loaded (the reader's block).
	RuleSheetAmbiguous = "WB-SHEET-AMBIGUOUS"
	RuleHeaderMismatch = "WB-HEADER-MISMATCH"
	RuleFormulaRecalc  = "WB-FORMULA-RECALC"
	RuleDateRange      = "WB-DATE-RANGE"
	RuleHiddenValue    = "WB-HIDDEN-VALUE"

	// RuleOtherTemplate: the file is another of the deployment's
	// workbooks (the registry, the recipients list); its message is the
	// other template's Misfiled text.
	RuleOtherTemplate = "WB-OTHER-TEMPLATE"
)

type message struct{ msg, hint schema.Text }

var builtin = map[string]message{
	RuleSheetMissing: {
		schema.Text{VI: "Thiếu trang tính bắt buộc của biểu mẫu.", EN: "A required sheet of the template is missing."},
		schema.Text{VI: "Dùng biểu mẫu BCQ-1 mới nhất; không đổi tên hoặc xóa trang tính.", EN: "Use the latest BCQ-1 template; do not rename or delete sheets."}},
	RuleColumnMissing: {
		schema.Text{VI: "Thiếu cột bắt buộc của biểu mẫu.", EN: "A required column of the template is missing."},
		schema.Text{VI: "Chép số liệu vào biểu mẫu BCQ-1 mới nhất; không xóa hoặc đổi tên cột.", EN: "Copy the data into the latest BCQ-1 template; do not delete or rename columns."}},
	RuleColumnDuplicate: {
		schema.Text{VI: "Một cột xuất hiện hai lần trong dòng tiêu đề.", EN: "A column appears twice in the header row."},
		schema.Text{VI: "Xóa cột bị trùng, chỉ giữ một cột cho mỗi trường.", EN: "Delete the duplicate column; keep one column per field."}},
	RuleColumnUnknown: {
		schema.Text{VI: "Cột không thuộc biểu mẫu; số liệu trong cột này không được ghi nhận.", EN: "The column is not part of the template; its data is ignored."},
		schema.Text{VI: "Nếu số liệu cần thiết, hãy chuyển sang đúng cột của biểu mẫu; nếu không, xóa cột này.", EN: "If the data matters, move it to the right template column; otherwise delete this column."}},
	RuleTemplateVersion: {
		schema.Text{VI: "Phiên bản biểu mẫu không được hỗ trợ.", EN: "The template version is not supported."},
		schema.Text{VI: "Tải biểu mẫu BCQ-1 mới nhất và chép số liệu sang.", EN: "Download the latest BCQ-1 template and copy the data into it."}},
	RuleHiddenSheet: {
		schema.Text{VI: "Trang tính chứa số liệu đang bị ẩn.", EN: "A data sheet is hidden."},
		schema.Text{VI: "Bỏ ẩn trang tính (chuột phải vào tên trang › Bỏ ẩn) và kiểm tra lại số liệu.", EN: "Unhide the sheet (right-click a sheet tab › Unhide) and check its data."}},
	RuleHiddenRow: {
		schema.Text{VI: "Dòng bị ẩn nhưng vẫn có số liệu; dòng ẩn không được dùng để xóa số liệu.", EN: "A hidden row still holds data; hiding a row does not delete it."},
		schema.Text{VI: "Bỏ ẩn dòng; nếu số liệu không còn đúng thì xóa hẳn dòng (chuột phải › Xóa).", EN: "Unhide the row; if its data is no longer valid delete the row (right-click › Delete)."}},
	RuleHiddenColumn: {
		schema.Text{VI: "Cột bị ẩn nhưng vẫn có số liệu.", EN: "A hidden column still holds data."},
		schema.Text{VI: "Bỏ ẩn cột và kiểm tra lại số liệu trong cột.", EN: "Unhide the column and check its data."}},
	RuleMerged: {
		schema.Text{VI: "Vùng số liệu có ô bị gộp (Merge); mỗi ô chỉ được chứa một giá trị.", EN: "Cells are merged in the data area; each cell must hold its own value."},
		schema.Text{VI: "Chọn vùng ô, bỏ gộp ô (Merge & Center › Unmerge) và điền giá trị cho từng ô.", EN: "Select the cells, unmerge them and fill in every cell."}},
	RuleFormula: {
		schema.Text{VI: "Ô chứa công thức nhưng không có kết quả đã tính.", EN: "The cell holds a formula without a calculated result."},
		schema.Text{VI: "Mở tệp bằng Excel để tính lại rồi lưu, hoặc nhập trực tiếp giá trị thay cho công thức.", EN: "Open the file in Excel so it recalculates and save it, or type the value instead of the formula."}},
	RuleErrorCell: {
		schema.Text{VI: "Ô chứa giá trị lỗi của Excel (ví dụ #REF!, #VALUE!).", EN: "The cell holds an Excel error value (e.g. #REF!, #VALUE!)."},
		schema.Text{VI: "Sửa công thức gây lỗi hoặc nhập trực tiếp giá trị đúng.", EN: "Fix the formula that fails or type the right value."}},
	RuleRequired: {
		schema.Text{VI: "Ô bắt buộc nhưng đang để trống.", EN: "A required cell is empty."},
		schema.Text{VI: "Điền giá trị cho ô này theo hướng dẫn của biểu mẫu.", EN: "Fill in this cell as the template explains."}},
	RuleType: {
		schema.Text{VI: "Giá trị không đúng kiểu dữ liệu của cột.", EN: "The value does not have the column's type."},
		schema.Text{VI: "Nhập đúng kiểu: số nguyên (ví dụ 4.046), ngày dd/mm/yyyy, C/K cho Có/Không.", EN: "Use the right type: whole numbers (e.g. 4.046), dates dd/mm/yyyy, C/K for yes/no."}},
	RuleAmbiguousNumber: {
		schema.Text{VI: "Con số viết không rõ ràng, có thể hiểu theo hai cách (ví dụ 4.046 là bốn nghìn không trăm bốn mươi sáu hay bốn phẩy không bốn sáu?).", EN: "The number is ambiguous and could be read two ways (is 4.046 four thousand and forty-six or four point zero four six?)."},
		schema.Text{VI: "Nhập số dạng ô số (không phải văn bản), hoặc viết theo kiểu Việt Nam: dấu chấm ngăn cách hàng nghìn, dấu phẩy cho phần thập phân (89,51).", EN: "Enter it as a number cell, or write it the Vietnamese way: dots group thousands, a comma marks decimals (89,51)."}},
	RuleAmbiguousDate: {
		schema.Text{VI: "Ngày viết không rõ ràng hoặc có vẻ theo kiểu tháng/ngày (ví dụ 03/15/2025).", EN: "The date is ambiguous or looks like month/day (e.g. 03/15/2025)."},
		schema.Text{VI: "Nhập ngày theo dạng ngày/tháng/năm đủ 4 chữ số năm, ví dụ 15/03/2025, hoặc dùng ô kiểu ngày.", EN: "Write the date as day/month/four-digit year, e.g. 15/03/2025, or use a date cell."}},
	RuleCode: {
		schema.Text{VI: "Giá trị không có trong danh mục mã của cột.", EN: "The value is not in the column's code list."},
		schema.Text{VI: "Chọn giá trị từ danh sách thả xuống của ô (xem trang DanhMuc).", EN: "Pick a value from the cell's drop-down list (see the DanhMuc sheet)."}},
	RulePattern: {
		schema.Text{VI: "Giá trị không đúng định dạng quy định.", EN: "The value does not have the required format."},
		schema.Text{VI: "Xem ghi chú của cột trong biểu mẫu để nhập đúng định dạng.", EN: "See the column's note in the template for the format."}},
	RuleLength: {
		schema.Text{VI: "Độ dài giá trị không hợp lệ (quá ngắn hoặc quá dài).", EN: "The value is too short or too long."},
		schema.Text{VI: "Rút gọn hoặc bổ sung nội dung cho đúng độ dài cho phép.", EN: "Shorten or complete the text to the allowed length."}},
	RuleRange: {
		schema.Text{VI: "Giá trị nằm ngoài khoảng cho phép.", EN: "The value is outside the allowed range."},
		schema.Text{VI: "Kiểm tra lại con số; số lượng không được âm.", EN: "Check the number; counts cannot be negative."}},
	RuleUnique: {
		schema.Text{VI: "Giá trị bị trùng với một dòng khác trong cùng trang tính.", EN: "The value repeats another row of the same sheet."},
		schema.Text{VI: "Kiểm tra và xóa dòng trùng, hoặc sửa lại giá trị cho đúng.", EN: "Check and delete the duplicate row, or correct the value."}},
	RuleRuleFailed: {
		schema.Text{VI: "Không kiểm tra được quy tắc cho dòng này (lỗi nội bộ của bộ quy tắc).", EN: "A rule could not be evaluated on this row (an internal error of the rule set)."},
		schema.Text{VI: "Báo cho người quản trị hệ thống kèm tên tệp.", EN: "Tell the system administrator, giving the file name."}},
	RuleSheetAmbiguous: {
		schema.Text{VI: "Có nhiều trang tính cùng hiện tên này (khác nhau bởi dấu cách thừa, ký tự ẩn hoặc chữ cái trông giống nhau), nên không biết trang nào là trang số liệu.", EN: "Several sheets show this name (they differ by a trailing space, an invisible character or look-alike letters), so it is unclear which one holds the data."},
		schema.Text{VI: "Xóa hoặc đổi tên các trang thừa, chỉ giữ một trang đúng tên của biểu mẫu, rồi gửi lại.", EN: "Delete or rename the extra sheets, keep one sheet with the template's name, and send it again."}},
	RuleHeaderMismatch: {
		schema.Text{VI: "Tiêu đề cột hiển thị không khớp với mã trường (dòng mã trường bị ẩn hoặc bị sửa), nên số liệu trong cột sẽ bị hiểu sai.", EN: "The column heading shown does not match the field code (the field-code row is hidden or edited), so the column's data would be misread."},
		schema.Text{VI: "Chép số liệu vào biểu mẫu BCQ-1 mới nhất; không sửa dòng tiêu đề và dòng mã trường.", EN: "Copy the data into the latest BCQ-1 template; do not edit the heading row or the field-code row."}},
	RuleFormulaRecalc: {
		schema.Text{VI: "Ô chứa công thức trong khi tệp yêu cầu Excel tính lại mọi công thức khi mở; giá trị lưu sẵn trong tệp có thể khác giá trị Excel hiển thị.", EN: "The cell holds a formula while the file asks Excel to recalculate every formula on opening; the value stored in the file may differ from what Excel shows."},
		schema.Text{VI: "Thay công thức bằng giá trị: chọn ô, Sao chép rồi Dán đặc biệt › Giá trị; lưu lại và gửi lại.", EN: "Replace the formula by its value: select the cell, Copy, then Paste Special › Values; save and send again."}},
	RuleDateRange: {
		schema.Text{VI: "Ngày nằm ngoài khoảng cho phép (từ 01/03/1900 đến 31/12/2100).", EN: "The date is outside the allowed range (01/03/1900 to 31/12/2100)."},
		schema.Text{VI: "Kiểm tra lại ngày, tháng và năm (năm đủ 4 chữ số).", EN: "Check the day, month and four-digit year."}},
	RuleHiddenValue: {
		schema.Text{VI: "Ô có giá trị nhưng định dạng số của ô (ví dụ ;;;) làm Excel hiển thị ô trống.", EN: "The cell holds a value but its number format (e.g. ;;;) makes Excel show it empty."},
		schema.Text{VI: "Chọn ô, đặt lại định dạng General (Trang đầu › Định dạng số › General) và kiểm tra giá trị.", EN: "Select the cell, set the format back to General (Home › Number Format › General) and check the value."}},
}

// builtinIssue makes an issue of a built-in check.
func builtinIssue(rule string, sev schema.Severity) Issue {
	m := builtin[rule]
	return Issue{Rule: rule, Severity: sev, Message: m.msg, Hint: m.hint}
}

// missingColumn is the issue of a required column (table) or line
// (key-value sheet) that is not in the file: which one, and where it
// belongs, in words: where the template has it (column letter, or line
// number) and where it belongs in this file, next to the columns or lines
// found for its neighbours (found: 0 when not found). The issue points at
// that place (the heading cell of a table, column A of a key-value line).
func missingColumn(tmpl string, s *schema.Sheet, headerRow, i int, found []int) Issue {
	f := s.Fields[i]
	is := builtinIssue(RuleColumnMissing, schema.Error)
	is.Sheet, is.Field = s.Name, f.Name
	label := f.Label.VI
	enLabel, enCode := "“"+f.Label.VI+"”", "field code "+f.Name
	if f.Label.EN != "" && f.Label.EN != f.Label.VI {
		enCode = f.Label.EN + ", " + enCode
	}
	var prev, next = -1, -1
	for j := i - 1; j >= 0; j-- {
		if found[j] > 0 {
			prev = j
			break
		}
	}
	for j := i + 1; j < len(found); j++ {
		if found[j] > 0 {
			next = j
			break
		}
	}
	if s.Layout == schema.KeyValue {
		line := max(s.HeaderRow, 1) + 1 + i
		vi := fmt.Sprintf("Trang %s thiếu dòng «%s» (mã trường %s ở cột B, giá trị ở cột C); trong biểu mẫu đây là dòng %d", s.Name, label, f.Name, line)
		en := fmt.Sprintf("Sheet %s has no line %s (%s in column B, value in column C); in the template it is line %d", s.Name, enLabel, enCode, line)
		// The issue points at where the line belongs: below the line of
		// the field before it, or at the line of the field after it.
		switch {
		case prev >= 0:
			is.Row = found[prev] + 1
		case next >= 0:
			is.Row = found[next]
		}
		if is.Row > 0 {
			is.Col, is.Cell = 1, cellName(1, is.Row)
		}
		switch {
		case prev >= 0:
			vi += fmt.Sprintf(", ngay sau dòng %d («%s») của tệp này.", found[prev], s.Fields[prev].Label.VI)
			en += fmt.Sprintf(", right after line %d (“%s”) of this file.", found[prev], s.Fields[prev].Label.VI)
		case next >= 0:
			vi += fmt.Sprintf(", ngay trước dòng %d («%s») của tệp này.", found[next], s.Fields[next].Label.VI)
			en += fmt.Sprintf(", right before line %d (“%s”) of this file.", found[next], s.Fields[next].Label.VI)
		default:
			vi, en = vi+".", en+"."
		}
		is.Message = schema.Text{VI: vi, EN: en}
		is.Hint = schema.Text{
			VI: "Chép số liệu vào biểu mẫu " + tmpl + " mới nhất; không xóa dòng hoặc sửa mã trường ở cột B.",
			EN: "Copy the data into the latest " + tmpl + " template; do not delete lines or edit the field codes in column B."}
		return is
	}
	letter := colLetter(i + 1)
	// The issue points at the heading cell where the column belongs in
	// this file: right of the column before it, or at the column after it
	// (a column inserted there would push it right), else where the
	// template has it.
	is.Row, is.Col = headerRow, i+1
	switch {
	case prev >= 0:
		is.Col = found[prev] + 1
	case next >= 0:
		is.Col = found[next]
	}
	is.Cell = cellName(is.Col, is.Row)
	vi := fmt.Sprintf("Trang %s thiếu cột «%s» (mã trường %s); trong biểu mẫu đây là cột %s", s.Name, label, f.Name, letter)
	en := fmt.Sprintf("Sheet %s has no column %s (%s); in the template it is column %s", s.Name, enLabel, enCode, letter)
	switch {
	case prev >= 0:
		vi += fmt.Sprintf(", trong tệp này phải đứng ngay sau cột %s («%s»).", colLetter(found[prev]), s.Fields[prev].Label.VI)
		en += fmt.Sprintf(", and in this file it belongs right after column %s (“%s”).", colLetter(found[prev]), s.Fields[prev].Label.VI)
	case next >= 0:
		vi += fmt.Sprintf(", trong tệp này phải đứng ngay trước cột %s («%s»).", colLetter(found[next]), s.Fields[next].Label.VI)
		en += fmt.Sprintf(", and in this file it belongs right before column %s (“%s”).", colLetter(found[next]), s.Fields[next].Label.VI)
	default:
		vi, en = vi+".", en+"."
	}
	is.Message = schema.Text{VI: vi, EN: en}
	is.Hint = schema.Text{
		VI: "Chép số liệu vào biểu mẫu " + tmpl + " mới nhất; không xóa, đổi tên hoặc đổi chỗ cột.",
		EN: "Copy the data into the latest " + tmpl + " template; do not delete, rename or move columns."}
	return is
}

// colLetter is the letter of column c (1 = A).
func colLetter(c int) string {
	name, ok := workbook.ColumnName(c)
	if !ok {
		return fmt.Sprint(c)
	}
	return name
}
