package annotate

import (
	"errors"
	"fmt"
	"time"

	"github.com/returns-project/returns/etl/locale"
)

// noteFor says why the original was not marked.
func (w *words) noteFor(why error, lang string) string {
	var be *BudgetError
	if !errors.As(why, &be) {
		return w.notOpenedNote
	}
	mb := func(n int64) string { return locale.Int(lang, (n+1<<20-1)>>20) }
	var detail string
	switch be.What {
	case budgetTime:
		detail = fmt.Sprintf(w.budgetTime, locale.Int(lang, int64(time.Duration(be.Limit)/time.Second)))
	case budgetMerges:
		detail = fmt.Sprintf(w.budgetMerges, locale.Int(lang, be.Got), locale.Int(lang, be.Limit))
	case budgetSheet:
		detail = fmt.Sprintf(w.budgetSheet, be.Sheet, mb(be.Got), mb(be.Limit))
	case budgetRows:
		detail = fmt.Sprintf(w.budgetRows, be.Sheet, locale.Int(lang, be.Got), locale.Int(lang, be.Limit))
	case budgetCols:
		detail = fmt.Sprintf(w.budgetCols, be.Sheet, locale.Int(lang, be.Got), locale.Int(lang, be.Limit))
	case budgetFile:
		detail = fmt.Sprintf(w.budgetFile, mb(be.Got), mb(be.Limit))
	default:
		detail = fmt.Sprintf(w.budgetSize, mb(be.Got), mb(be.Limit))
	}
	return fmt.Sprintf(w.budgetNote, detail)
}

// words are the texts of the annotated workbook in one language.
type words struct {
	sheetName string // the issues sheet
	title     string
	file      string
	org       string
	period    string
	verdict   string
	accepted  string
	rejected  string

	// counts: errors, warnings; then onSheets with the sheet list.
	counts   string
	onSheets string
	noIssues string

	todo            string // prefix of what to do
	todoErrors      string
	todoList        string // errors, none on a cell
	todoWarnings    string
	todoAccepted    string
	reasonLine      string // the reason's title, for a rejection other than INVALID_DATA
	notOpened       string // the file could not be opened at all
	notOpenedNote   string // it passed validation but could not be annotated
	budgetNote      string // it is past a budget: %s is budgetSize, budgetMerges, budgetTime or budgetFile
	budgetSize      string // unpacked MB, limit MB
	budgetFile      string // file MB, limit MB
	budgetSheet     string // sheet, MB, limit MB
	budgetRows      string // sheet, row, limit
	budgetCols      string // sheet, column, limit
	budgetMerges    string // merges, limit
	budgetTime      string // seconds
	noCell          string // issues that point at no cell
	omitted         string // issues left out past the cap: omitted, kept
	commentsCapped  string // comments: cap
	resendAnnotated string

	// issue table
	headers   []string
	sevError  string
	sevWarn   string
	wholeFile string
	wholeSht  string
	row       string // "Dòng %d"
	noSheet   string // the sheet is not in the file

	page string // "Trang" in the printed footer
	fix  string // "Cách sửa" in comments
	// relatedTo ends the comment of a cell the issue used (an input of a
	// balance rule): %s is the issue's own cell; relatedNone when it has none.
	relatedTo   string
	relatedNone string
	author      string // comment author
}

var dict = map[string]*words{
	"vi": {
		sheetName: "Lỗi",
		title:     "KẾT QUẢ KIỂM TRA BÁO CÁO",
		file:      "Tệp", org: "Đơn vị", period: "Kỳ báo cáo", verdict: "Kết quả",
		accepted: "ĐƯỢC CHẤP NHẬN", rejected: "BỊ TỪ CHỐI",
		counts:   "Có %s lỗi và %s cảnh báo",
		onSheets: ", ở các trang: %s.",
		noIssues: "Không có lỗi hay cảnh báo nào.",
		todo:     "Việc cần làm: ",
		todoErrors: "Sửa các ô tô đỏ theo cột \"Cách sửa\" ở bảng dưới đây (bấm vào địa chỉ ô để đến đúng ô; " +
			"di chuột lên ô để xem ghi chú), rồi gửi lại toàn bộ tệp.",
		todoList:        "Sửa theo hướng dẫn ở cột \"Cách sửa\" của bảng dưới đây, rồi gửi lại toàn bộ tệp.",
		todoWarnings:    "Các ô tô vàng là cảnh báo: kiểm tra lại; nếu số liệu đúng thì không phải sửa.",
		todoAccepted:    "Tệp đã được chấp nhận. Các ô tô vàng là cảnh báo: kiểm tra lại; nếu có sai sót, sửa rồi gửi lại toàn bộ tệp.",
		reasonLine:      "Lý do: ",
		notOpened:       "Hệ thống không mở được tệp này nên không đánh dấu được ô nào. Lý do: ",
		notOpenedNote:   "Không đánh dấu được trên chính tệp của bạn (tệp quá lớn hoặc không mở được); danh sách lỗi ở bảng dưới đây.",
		budgetNote:      "Không đánh dấu được trên chính tệp của bạn vì tệp quá lớn hoặc quá phức tạp để xử lý (%s); danh sách lỗi ở bảng dưới đây.",
		budgetSize:      "dung lượng khi giải nén %s MB, giới hạn %s MB",
		budgetFile:      "tệp %s MB, giới hạn %s MB",
		budgetSheet:     "trang %s có %s MB dữ liệu, giới hạn %s MB",
		budgetRows:      "trang %s có dữ liệu đến dòng %s, giới hạn %s",
		budgetCols:      "trang %s có ô cần đánh dấu ở cột thứ %s, giới hạn %s",
		budgetMerges:    "%s vùng ô gộp, giới hạn %s",
		budgetTime:      "xử lý quá %s giây",
		noCell:          "Những vấn đề không gắn với một ô (thiếu trang tính, thiếu cột, lỗi của cả tệp) được giải thích trong bảng dưới đây, ở cột \"Cách sửa\".",
		omitted:         "Còn %s vấn đề khác không được liệt kê (chỉ liệt kê %s vấn đề đầu tiên): sửa các lỗi trên rồi gửi lại để xem tiếp.",
		commentsCapped:  "Chỉ %s ô đầu tiên có ghi chú; các ô còn lại vẫn được tô màu và có trong bảng dưới đây.",
		resendAnnotated: "Có thể sửa ngay trên tệp này rồi gửi lại; trang \"Lỗi\" và các ghi chú không ảnh hưởng đến việc kiểm tra.",
		headers:         []string{"STT", "Trang", "Ô", "Trường", "Quy tắc", "Mức độ", "Giá trị đã nhập", "Nội dung", "Cách sửa"},
		sevError:        "Lỗi", sevWarn: "Cảnh báo",
		wholeFile: "Toàn tệp", wholeSht: "Cả trang", row: "Dòng %d", noSheet: "(không có trong tệp)",
		fix: "Cách sửa", author: "Returns", page: "Trang",
		relatedTo:   "Ô này là một số liệu mà phép kiểm tra đã dùng; lỗi được ghi ở ô %s. Sửa ô có số liệu sai (ô này hoặc ô %[1]s).",
		relatedNone: "Ô này là một số liệu mà phép kiểm tra đã dùng.",
	},
	"en": {
		sheetName: "Issues",
		title:     "RESULT OF THE RETURN CHECK",
		file:      "File", org: "Organisation", period: "Period", verdict: "Result",
		accepted: "ACCEPTED", rejected: "REJECTED",
		counts:   "%s errors and %s warnings",
		onSheets: ", on sheets: %s.",
		noIssues: "No errors or warnings.",
		todo:     "What to do: ",
		todoErrors: "Correct the red cells as the \"How to fix\" column below says (click a cell address to go to the cell; " +
			"hover over a cell to read its note), then send the whole file again.",
		todoList:        "Correct what the \"How to fix\" column of the table below says, then send the whole file again.",
		todoWarnings:    "Amber cells are warnings: check them; if the data is right, nothing needs changing.",
		todoAccepted:    "The file was accepted. Amber cells are warnings: check them; if something is wrong, correct it and send the whole file again.",
		reasonLine:      "Reason: ",
		notOpened:       "The file could not be opened, so no cell could be marked. Reason: ",
		notOpenedNote:   "Your own workbook could not be marked (it is too large or could not be opened); the issues are listed below.",
		budgetNote:      "Your own workbook could not be marked because it is too large or too complex to process (%s); the issues are listed below.",
		budgetSize:      "%s MB unpacked, the limit is %s MB",
		budgetFile:      "a file of %s MB, the limit is %s MB",
		budgetSheet:     "sheet %s holds %s MB, the limit is %s MB",
		budgetRows:      "sheet %s reaches row %s, the limit is %s",
		budgetCols:      "sheet %s has a cell to mark in column %s, the limit is %s",
		budgetMerges:    "%s merged ranges, the limit is %s",
		budgetTime:      "processing took over %s seconds",
		noCell:          "Issues that point at no cell (a missing sheet or column, a problem of the whole file) are explained in the table below, in the \"How to fix\" column.",
		omitted:         "%s more issues are not listed (only the first %s are): correct these and send the file again to see the rest.",
		commentsCapped:  "Only the first %s cells have a note; the others are still coloured and listed below.",
		resendAnnotated: "You may correct this very file and send it back; the \"Issues\" sheet and the notes do not affect the check.",
		headers:         []string{"No.", "Sheet", "Cell", "Field", "Rule", "Severity", "Value as typed", "Message", "How to fix"},
		sevError:        "Error", sevWarn: "Warning",
		wholeFile: "Whole file", wholeSht: "Whole sheet", row: "Row %d", noSheet: "(not in the file)",
		fix: "How to fix", author: "Returns", page: "Page",
		relatedTo:   "This cell is one of the figures the check used; the issue is recorded at %s. Correct whichever figure is wrong (this cell or %[1]s).",
		relatedNone: "This cell is one of the figures the check used.",
	},
}
