// Package reason is the catalogue of rejection reason codes: the stable,
// machine-readable word that says why a file was not accepted, with a
// Vietnamese and an English explanation a non-programmer can act on.
//
// Codes are part of the public contract (JSON reports, the database, metrics)
// and must never be renamed.
package reason

import (
	"errors"
	"fmt"
)

// Code is a rejection reason code such as "CORRUPT_ZIP".
type Code string

// The reason codes. Each one names a class of problem that a person fixes in
// the same way; the catalogue below says how.
const (
	NotXLSX          Code = "NOT_XLSX"          // not a zip at all: empty, garbage, a renamed text file
	FormatXLS        Code = "FORMAT_XLS"        // legacy binary Excel 97-2003 workbook
	FormatXLSB       Code = "FORMAT_XLSB"       // Excel binary workbook
	FormatXLSM       Code = "FORMAT_XLSM"       // macro-enabled workbook or template
	FormatODS        Code = "FORMAT_ODS"        // OpenDocument spreadsheet
	Encrypted        Code = "ENCRYPTED"         // password-protected workbook
	CorruptZip       Code = "CORRUPT_ZIP"       // truncated or damaged archive structure
	CorruptPart      Code = "CORRUPT_PART"      // bad deflate stream or CRC inside an entry
	CorruptXML       Code = "CORRUPT_XML"       // truncated or malformed XML part
	DTD              Code = "DTD"               // a DOCTYPE or entity declaration in any part
	CorruptSST       Code = "CORRUPT_SST"       // shared-string table damaged or index out of range
	CorruptRows      Code = "CORRUPT_ROWS"      // row numbers out of range or out of order
	CorruptCells     Code = "CORRUPT_CELLS"     // cell references out of order or not in their row
	TooLarge         Code = "TOO_LARGE"         // zip bomb, too many entries, size caps exceeded
	TooManyRows      Code = "TOO_MANY_ROWS"     // more data rows than the configured cap
	TemplateMismatch Code = "TEMPLATE_MISMATCH" // required sheet or column missing, unknown template version
	InvalidData      Code = "INVALID_DATA"      // cell, row or sheet rules failed
)

// Codes of what Excel would not show (the reader's block).
const (
	// ForeignMarkup: a row, cell or value inside markup of another or an
	// ignorable namespace (ECMA-376 Part 3, Markup Compatibility), which
	// Excel skips: what it shows is not what a plain reader would load.
	ForeignMarkup Code = "FOREIGN_MARKUP"
)

// The codes of a file's journey (etl/intake): what the database refused,
// what kept failing, and the entries quarantined unopened.
const (
	ValueRefused     Code = "VALUE_REFUSED"     // a value the checks accepted that the database cannot store
	ProcessingFailed Code = "PROCESSING_FAILED" // processing this file failed several times (a fault of the program on this file)
	Symlink          Code = "SYMLINK"           // a symbolic link in the inbox: never followed
	SpecialFile      Code = "SPECIAL_FILE"      // a pipe, socket or device in the inbox: never opened
	Hardlink         Code = "HARDLINK"          // a file with more than one hard link
	BadName          Code = "BAD_NAME"          // a file name with control or format characters, or not UTF-8
)

// Info explains a code to the person who sent the file.
type Info struct {
	Code Code
	// Title is a one-line explanation, Vietnamese and English.
	TitleVI, TitleEN string
	// Fix says what to do next, Vietnamese and English.
	FixVI, FixEN string
}

var catalogue = []Info{
	{NotXLSX,
		"Tệp không phải là bảng tính Excel (.xlsx): tệp rỗng, hỏng hoặc là loại tệp khác được đổi tên.",
		"The file is not an Excel workbook (.xlsx): it is empty, damaged or another kind of file renamed.",
		"Mở biểu mẫu BCQ-1 bằng Excel, nhập số liệu và lưu lại với kiểu \"Excel Workbook (*.xlsx)\", rồi gửi lại.",
		"Open the BCQ-1 template in Excel, enter the data, save it as \"Excel Workbook (*.xlsx)\" and send it again."},
	{FormatXLS,
		"Tệp là bảng tính Excel 97-2003 (.xls), hệ thống chỉ nhận .xlsx.",
		"The file is an Excel 97-2003 workbook (.xls); only .xlsx is accepted.",
		"Mở tệp trong Excel, chọn Tệp › Lưu thành › \"Excel Workbook (*.xlsx)\", rồi gửi lại tệp .xlsx.",
		"Open it in Excel, choose File › Save As › \"Excel Workbook (*.xlsx)\" and send the .xlsx file."},
	{FormatXLSB,
		"Tệp là bảng tính nhị phân Excel (.xlsb), hệ thống chỉ nhận .xlsx.",
		"The file is an Excel binary workbook (.xlsb); only .xlsx is accepted.",
		"Mở tệp trong Excel, chọn Tệp › Lưu thành › \"Excel Workbook (*.xlsx)\", rồi gửi lại.",
		"Open it in Excel, choose File › Save As › \"Excel Workbook (*.xlsx)\" and send it again."},
	{FormatXLSM,
		"Tệp có chứa macro hoặc là tệp mẫu (.xlsm/.xltx/.xltm); hệ thống không nhận tệp có macro.",
		"The file contains macros or is a template (.xlsm/.xltx/.xltm); macro files are not accepted.",
		"Lưu lại thành \"Excel Workbook (*.xlsx)\" (không có macro) rồi gửi lại.",
		"Save it as \"Excel Workbook (*.xlsx)\" (without macros) and send it again."},
	{FormatODS,
		"Tệp là bảng tính OpenDocument (.ods), hệ thống chỉ nhận .xlsx.",
		"The file is an OpenDocument spreadsheet (.ods); only .xlsx is accepted.",
		"Trong LibreOffice chọn Tệp › Lưu thành, kiểu \"Excel 2007-365 (.xlsx)\", rồi gửi lại.",
		"In LibreOffice choose File › Save As, type \"Excel 2007-365 (.xlsx)\", and send it again."},
	{Encrypted,
		"Tệp được đặt mật khẩu nên hệ thống không đọc được.",
		"The file is protected with a password, so it cannot be read.",
		"Gỡ mật khẩu (Tệp › Thông tin › Bảo vệ sổ làm việc › Mã hóa bằng mật khẩu, xóa mật khẩu), lưu lại và gửi lại. Không gửi mật khẩu qua hệ thống.",
		"Remove the password (File › Info › Protect Workbook › Encrypt with Password, clear it), save and send again. Never send the password."},
	{CorruptZip,
		"Tệp bị cắt cụt hoặc hỏng cấu trúc (có thể do sao chép hoặc tải lên chưa xong).",
		"The file is truncated or its structure is damaged (perhaps the copy or upload did not finish).",
		"Mở tệp gốc trên máy của bạn bằng Excel; nếu mở được, lưu lại và gửi lại; nếu không, lập lại từ biểu mẫu.",
		"Open the original on your computer in Excel; if it opens, save it again and resend; if not, fill in a fresh template."},
	{CorruptPart,
		"Một phần dữ liệu bên trong tệp bị hỏng (lỗi nén hoặc lỗi kiểm tra CRC).",
		"Part of the data inside the file is damaged (bad compression or CRC check).",
		"Mở tệp gốc bằng Excel, lưu lại thành tệp mới và gửi lại; nếu Excel báo lỗi, lập lại từ biểu mẫu.",
		"Open the original in Excel, save it as a new file and resend; if Excel reports damage, fill in a fresh template."},
	{CorruptXML,
		"Nội dung một trang tính bị cắt cụt hoặc sai cấu trúc.",
		"The content of a sheet is truncated or malformed.",
		"Mở tệp bằng Excel, lưu lại và gửi lại. Nếu tệp do phần mềm khác tạo ra, hãy báo cho người quản trị.",
		"Open the file in Excel, save it again and resend. If another program wrote it, tell the administrator."},
	{DTD,
		"Tệp chứa khai báo DOCTYPE/thực thể XML, không được phép vì lý do an toàn.",
		"The file contains an XML DOCTYPE or entity declaration, which is refused for safety.",
		"Mở tệp bằng Excel, lưu lại thành tệp .xlsx mới và gửi lại.",
		"Open the file in Excel, save it as a new .xlsx and send it again."},
	{CorruptSST,
		"Bảng chuỗi dùng chung của tệp bị hỏng: một số ô trỏ tới văn bản không tồn tại.",
		"The workbook's shared-string table is damaged: some cells point to text that does not exist.",
		"Mở tệp bằng Excel, lưu lại và gửi lại; nếu không được, lập lại từ biểu mẫu.",
		"Open the file in Excel, save it again and resend; if that fails, fill in a fresh template."},
	{CorruptRows,
		"Số thứ tự dòng trong tệp sai hoặc không theo thứ tự (tệp do phần mềm lỗi tạo ra).",
		"Row numbers in the file are invalid or out of order (a faulty program wrote it).",
		"Mở tệp bằng Excel, lưu lại và gửi lại.",
		"Open the file in Excel, save it again and resend."},
	{CorruptCells,
		"Địa chỉ ô trong tệp sai hoặc không theo thứ tự cột (tệp do phần mềm lỗi tạo ra).",
		"Cell references in the file are invalid or out of column order (a faulty program wrote it).",
		"Mở tệp bằng Excel, lưu lại và gửi lại.",
		"Open the file in Excel, save it again and resend."},
	{TooLarge,
		"Tệp quá lớn hoặc có dấu hiệu \"bom nén\" (dữ liệu giải nén vượt giới hạn cho phép).",
		"The file is too large or looks like a zip bomb (unpacked data exceeds the allowed limits).",
		"Chỉ gửi biểu mẫu BCQ-1 với số liệu của một quý; xóa hình ảnh, trang tính thừa rồi gửi lại.",
		"Send only the BCQ-1 template with one quarter's data; remove pictures and extra sheets and resend."},
	{TooManyRows,
		"Trang tính có nhiều dòng dữ liệu hơn mức cho phép.",
		"A sheet has more data rows than allowed.",
		"Kiểm tra và xóa các dòng thừa (kể cả dòng trống đã định dạng) rồi gửi lại; nếu số liệu thật sự lớn, hãy báo người quản trị.",
		"Remove surplus rows (including formatted empty rows) and resend; if the data really is that large, tell the administrator."},
	{TemplateMismatch,
		"Tệp không đúng biểu mẫu BCQ-1: thiếu trang tính hoặc cột bắt buộc, hoặc phiên bản mẫu không được hỗ trợ.",
		"The file does not follow the BCQ-1 template: a required sheet or column is missing, or the template version is not supported.",
		"Tải biểu mẫu BCQ-1 mới nhất, chép số liệu vào đúng các cột và gửi lại. Không đổi tên trang tính hoặc xóa cột.",
		"Download the latest BCQ-1 template, copy the data into the right columns and resend. Do not rename sheets or delete columns."},
	{InvalidData,
		"Số liệu trong tệp có lỗi: xem danh sách lỗi theo từng ô.",
		"The data contains errors: see the list of issues per cell.",
		"Sửa các ô được đánh dấu theo hướng dẫn trong danh sách lỗi rồi gửi lại toàn bộ tệp.",
		"Correct the marked cells as the issue list says and send the whole file again."},
	// The reader's block.
	{ForeignMarkup,
		"Trang tính có dòng hoặc ô nằm trong phần đánh dấu lạ (không thuộc chuẩn bảng tính) mà Excel không hiển thị, nên không biết số liệu nào là thật.",
		"A sheet holds rows or cells inside foreign markup (not part of the spreadsheet standard) that Excel does not show, so it is unclear which data is real.",
		"Mở tệp bằng Excel, kiểm tra số liệu hiển thị, lưu lại thành \"Excel Workbook (*.xlsx)\" và gửi lại. Nếu tệp do phần mềm khác tạo ra, hãy báo cho người quản trị.",
		"Open the file in Excel, check the data it shows, save it as \"Excel Workbook (*.xlsx)\" and send it again. If another program wrote it, tell the administrator."},
}

// journeyCatalogue explains the codes of a file's journey.
var journeyCatalogue = []Info{
	{ValueRefused,
		"Tệp có giá trị mà cơ sở dữ liệu không lưu được (số quá lớn, ngày ngoài phạm vi).",
		"The file holds a value the database cannot store (a number too large, a date out of range).",
		"Kiểm tra các ô số và ngày tháng được nêu trong báo cáo (số phải nhỏ hơn 2.147.483.647, ngày từ năm 1900 đến 2100), sửa rồi gửi lại.",
		"Check the number and date cells named in the report (numbers below 2,147,483,647, dates from 1900 to 2100), correct them and send again."},
	{ProcessingFailed,
		"Hệ thống đã thử xử lý tệp nhiều lần nhưng đều gặp lỗi, nên tạm dừng với tệp này.",
		"Processing this file failed several times, so the system stopped trying.",
		"Mở tệp bằng Excel, lưu lại thành tệp .xlsx mới và gửi lại; nếu vẫn bị từ chối, báo người quản trị (kèm tên tệp).",
		"Open the file in Excel, save it as a new .xlsx and send it again; if it is refused again, tell the administrator (with the file name)."},
	{Symlink,
		"Mục trong thư mục nhận là một liên kết (symlink), không phải tệp; vì an toàn, liên kết không bao giờ được mở.",
		"The inbox entry is a symbolic link, not a file; for safety, links are never followed.",
		"Sao chép chính tệp .xlsx vào thư mục nhận, không đặt liên kết.",
		"Copy the .xlsx file itself into the inbox, not a link to it."},
	{SpecialFile,
		"Mục trong thư mục nhận không phải tệp thông thường (ống dẫn, socket hoặc thiết bị) nên không được mở.",
		"The inbox entry is not a regular file (a pipe, socket or device), so it was not opened.",
		"Chỉ đặt tệp .xlsx vào thư mục nhận.",
		"Put only .xlsx files into the inbox."},
	{Hardlink,
		"Tệp có nhiều liên kết cứng nên nội dung có thể bị thay đổi từ nơi khác.",
		"The file has more than one hard link, so its content could be changed from elsewhere.",
		"Sao chép tệp (không tạo liên kết) vào thư mục nhận rồi gửi lại.",
		"Copy the file (do not link it) into the inbox and send it again."},
	{BadName,
		"Tên tệp có ký tự không hợp lệ (ký tự điều khiển, ký tự đảo chiều văn bản, hoặc không phải UTF-8).",
		"The file name holds invalid characters (control or text-direction characters, or bytes that are not UTF-8).",
		"Đổi tên tệp, chỉ dùng chữ, số, dấu cách, gạch ngang và gạch dưới, rồi gửi lại.",
		"Rename the file using only letters, digits, spaces, hyphens and underscores, and send it again."},
}

var byCode = func() map[Code]Info {
	m := make(map[Code]Info, len(catalogue)+len(journeyCatalogue))
	for _, i := range append(append([]Info(nil), catalogue...), journeyCatalogue...) {
		m[i.Code] = i
	}
	return m
}()

// All returns every code in catalogue order.
// These are the codes the validator gives a file; see [Journey] for the
// others.
func All() []Info { return append([]Info(nil), catalogue...) }

// Journey returns the codes a file's journey gives beyond the validator's:
// a value the database refused, repeated failure, and the quarantine codes.
func Journey() []Info { return append([]Info(nil), journeyCatalogue...) }

// Lookup returns the catalogue entry of c; ok is false for an unknown code.
func Lookup(c Code) (Info, bool) {
	i, ok := byCode[c]
	return i, ok
}

// Title returns the one-line explanation in lang ("vi" or "en"; anything else is Vietnamese).
func (c Code) Title(lang string) string {
	i, ok := byCode[c]
	if !ok {
		return string(c)
	}
	if lang == "en" {
		return i.TitleEN
	}
	return i.TitleVI
}

// Fix returns what to do next, in lang.
func (c Code) Fix(lang string) string {
	i, ok := byCode[c]
	if !ok {
		return ""
	}
	if lang == "en" {
		return i.FixEN
	}
	return i.FixVI
}

// Error is a rejection: a reason code with what was found and where. It is
// the error that every stage returns for a file that must go to rejected/
// and must not be retried.
type Error struct {
	Code   Code
	Part   string // zip entry or sheet concerned, if any
	Cell   string // A1 reference of the cell concerned in Part, if known
	Detail string // technical detail in English, for the administrator; never cell values
	Err    error  // underlying cause, if any
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.Part != "" {
		s += " in " + e.Part
	}
	if e.Cell != "" {
		s += " at " + e.Cell
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted detail.
func Errorf(c Code, part, format string, args ...any) *Error {
	return &Error{Code: c, Part: part, Detail: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error for code c caused by err.
func Wrap(c Code, part string, err error) *Error {
	return &Error{Code: c, Part: part, Err: err}
}

// Of returns the reason code carried by err, and false when err is not a rejection.
func Of(err error) (Code, bool) {
	var re *Error
	if errors.As(err, &re) {
		return re.Code, true
	}
	return "", false
}
