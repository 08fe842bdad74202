package generate

import "github.com/returns-project/returns/etl/domain"

// Kind is how a field's value is written into a cell.
type Kind int

// Field kinds.
const (
	KindText   Kind = iota // free text, shared or inline string
	KindCode               // a code from a code list, written as text ("01", "THPT")
	KindInt                // a count or a number, a number cell
	KindDate               // a date: a serial with a date style, or dd/mm/yyyy text
	KindBool               // C/K
	KindGender             // Nam/Nữ
	KindMonth              // MM/YYYY text (dues_paid_through)
)

// Field is one column of a table sheet or one line of the ThongTin sheet.
type Field struct {
	Name  string // machine name, written in the hidden field-name row (or column B of ThongTin)
	Label string // Vietnamese label from docs/domain.md §7 ("Nhãn (VI)")
	Kind  Kind
}

// Sheet names of the BCQ-1 workbook, in workbook order.
const (
	SheetThongTin       = "ThongTin"
	SheetKetNap         = "KetNap"
	SheetChuyenSinhHoat = "ChuyenSinhHoat"
	SheetGiamSat        = "GiamSat"
	SheetKyLuat         = "KyLuat"
	SheetDanhMuc        = "DanhMuc"
	SheetHuongDan       = "HuongDan"
)

// TemplateVersion is the stamp written in ThongTin.template_version.
const TemplateVersion = domain.ReturnTemplate

// ThongTinHeader is row 1 of the ThongTin sheet.
var ThongTinHeader = [3]string{"Chỉ tiêu", "Mã trường", "Giá trị"}

// Fields lists, per sheet, the fields of the BCQ-1 template exactly as
// docs/domain.md §7 defines them, in template column order. Where §7 prints two
// or more fields on one line ("Kết nạp mới / Kết nạp lại"), the label is
// split at " / " in the same order. The KyLuat labels are not printed in §7.5:
// they reuse the GiamSat label of the same field where there is one and are
// this package's own wording otherwise (marked below).
var Fields = map[string][]Field{
	SheetThongTin: {
		{"org_code", "Mã đơn vị", KindText},
		{"org_name", "Tên đơn vị", KindText},
		{"org_type", "Loại tổ chức", KindCode},
		{"parent_code", "Mã đơn vị cấp trên trực tiếp", KindText},
		{"year", "Năm báo cáo", KindInt},
		{"quarter", "Quý", KindInt},
		{"template_version", "Phiên bản mẫu", KindText},
		{"cells_count", "Số chi bộ trực thuộc", KindInt},
		{"members_start_official", "Đảng viên đầu kỳ – chính thức", KindInt},
		{"members_start_probationary", "Đảng viên đầu kỳ – dự bị", KindInt},
		{"admitted", "Kết nạp mới", KindInt},
		{"readmitted", "Kết nạp lại", KindInt},
		{"recognised_official", "Công nhận chính thức trong kỳ", KindInt},
		{"transfer_in_official", "Chuyển đến chính thức", KindInt},
		{"transfer_out_official", "Chuyển đi chính thức", KindInt},
		{"increase_other", "Tăng khác (ghi rõ)", KindInt},
		{"deceased", "Từ trần", KindInt},
		{"expelled", "Khai trừ", KindInt},
		{"struck_off", "Xóa tên", KindInt},
		{"resigned", "Xin ra khỏi Đảng", KindInt},
		{"decrease_other", "Giảm khác", KindInt},
		{"members_end_official", "Đảng viên cuối kỳ – chính thức", KindInt},
		{"members_end_probationary", "Đảng viên cuối kỳ – dự bị", KindInt},
		{"temp_in", "Chuyển đến tạm thời", KindInt},
		{"temp_out", "Chuyển đi tạm thời", KindInt},
		{"admission_target_year", "Chỉ tiêu kết nạp năm", KindInt},
		{"preparer_name", "Người lập biểu", KindText},
		{"phone", "Điện thoại", KindText},
		{"email", "Email", KindText},
		{"prepared_on", "Ngày lập", KindDate},
	},
	SheetKetNap: {
		{"full_name", "Họ và tên", KindText},
		{"gender", "Giới tính", KindGender},
		{"birth_date", "Ngày sinh", KindDate},
		{"citizen_id", "Số CCCD", KindText},
		{"ethnicity_code", "Dân tộc", KindCode},
		{"religion_code", "Tôn giáo", KindCode},
		{"general_education", "Trình độ GDPT", KindCode},
		{"professional_level", "Chuyên môn nghiệp vụ", KindCode},
		{"political_theory", "Lý luận chính trị", KindCode},
		{"occupation_group", "Đối tượng (nghề nghiệp)", KindCode},
		{"workplace_sector", "Khu vực công tác", KindCode},
		{"is_youth_union_member", "Đoàn viên TNCS HCM", KindBool},
		{"is_readmission", "Kết nạp lại", KindBool},
		{"cell_code", "Chi bộ sinh hoạt", KindText},
		{"decision_no", "Số quyết định kết nạp", KindText},
		{"decision_date", "Ngày quyết định kết nạp", KindDate},
		{"deciding_body", "Cấp ủy ra quyết định", KindText},
		{"ceremony_date", "Ngày lễ kết nạp (ngày vào Đảng)", KindDate},
		{"profile_no", "Số lý lịch đảng viên", KindText},
		{"note", "Ghi chú", KindText},
	},
	SheetChuyenSinhHoat: {
		{"full_name", "Họ và tên", KindText},
		{"birth_date", "Ngày sinh", KindDate},
		{"gender", "Giới tính", KindGender},
		{"member_status", "Loại đảng viên", KindCode},
		{"card_no", "Số thẻ đảng viên", KindText},
		{"profile_no", "Số lý lịch", KindText},
		{"join_date", "Ngày vào Đảng", KindDate},
		{"official_date", "Ngày chính thức", KindDate},
		{"direction", "Chiều", KindCode},
		{"transfer_type", "Hình thức", KindCode},
		{"scope", "Phạm vi", KindCode},
		{"reason", "Lý do", KindCode},
		{"counterpart_org_name", "Đơn vị đi (nếu DEN) / đến (nếu DI)", KindText},
		{"counterpart_org_code", "Mã đơn vị đối ứng (nếu trong hệ thống)", KindText},
		{"letter_no", "Số giấy giới thiệu (GTSHĐ)", KindText},
		{"event_date", "Ngày giới thiệu / tiếp nhận", KindDate},
		{"decision_date", "Ngày quyết định (nghỉ hưu, chuyển công tác…)", KindDate},
		{"temp_until", "Tạm thời đến ngày", KindDate},
		{"dues_paid_through", "Đảng phí đã đóng hết tháng", KindMonth},
		{"cell_code", "Chi bộ", KindText},
		{"note", "Ghi chú", KindText},
	},
	SheetGiamSat: {
		{"actor", "Chủ thể", KindCode},
		{"activity", "Hoạt động", KindCode},
		{"supervision_form", "Hình thức giám sát", KindCode},
		{"inspection_type", "Loại kiểm tra", KindCode},
		{"subject_type", "Đối tượng", KindCode},
		{"subject_name", "Tên tổ chức / họ tên đảng viên", KindText},
		{"subject_org_code", "Mã tổ chức được GS/KT", KindText},
		{"subject_member_id", "Số thẻ / số LL của đảng viên", KindText},
		{"subject_member_status", "Loại đảng viên", KindCode},
		{"is_committee_member", "Là cấp ủy viên", KindBool},
		{"topic", "Nội dung", KindText},
		{"decision_no", "Số quyết định/kế hoạch", KindText},
		{"start_date", "Ngày bắt đầu", KindDate},
		{"conclusion_date", "Ngày kết luận", KindDate},
		{"result", "Kết quả", KindCode},
		{"discipline_required", "Phải thi hành kỷ luật", KindBool},
		{"discipline_form", "Hình thức kỷ luật", KindCode},
		{"discipline_body", "Cấp quyết định kỷ luật", KindText},
		{"discipline_date", "Ngày quyết định", KindDate},
	},
	SheetKyLuat: {
		{"subject_type", "Đối tượng", KindCode},
		{"subject_name", "Tên tổ chức / họ tên đảng viên", KindText},
		{"subject_member_id", "Số thẻ / số LL của đảng viên", KindText},
		{"subject_member_status", "Loại đảng viên", KindCode},
		{"is_committee_member", "Là cấp ủy viên", KindBool},
		{"violation_summary", "Tóm tắt vi phạm", KindText}, // own wording (§7.5 prints no label)
		{"discipline_form", "Hình thức kỷ luật", KindCode},
		{"discipline_body", "Cấp quyết định kỷ luật", KindText},
		{"decision_no", "Số quyết định kỷ luật", KindText},     // own wording
		{"decision_date", "Ngày quyết định kỷ luật", KindDate}, // own wording
		{"source", "Nguồn phát hiện", KindCode},                // own wording
	},
}

// DataSheets are the table sheets, in workbook order.
var DataSheets = []string{SheetKetNap, SheetChuyenSinhHoat, SheetGiamSat, SheetKyLuat}

// FieldByName returns the field of sheet named name.
func FieldByName(sheet, name string) (Field, bool) {
	for _, f := range Fields[sheet] {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// CodeLists are the code lists written to the hidden DanhMuc sheet: code → Vietnamese label.
// Ethnicity follows QĐ 121-TCTK/PPCĐ (first nine codes as docs/domain.md §3.2 prints them).
var CodeLists = []CodeList{
	{"ethnicity", []Code{{"01", "Kinh"}, {"02", "Tày"}, {"03", "Thái"}, {"04", "Hoa"}, {"05", "Khơ-me"}, {"06", "Mường"}, {"07", "Nùng"}, {"08", "HMông"}, {"09", "Dao"}}},
	{"religion", []Code{{"00", "Không"}, {"01", "Phật giáo"}, {"02", "Công giáo"}, {"03", "Phật giáo Hoà Hảo"}, {"04", "Hồi giáo"}, {"05", "Cao Đài"}, {"08", "Tin Lành"}}},
	{"general_education", []Code{{"TH", "Tiểu học"}, {"THCS", "Trung học cơ sở"}, {"THPT", "Trung học phổ thông"}}},
	{"professional_level", []Code{{"CHUA", "Chưa qua đào tạo"}, {"SC", "Sơ cấp"}, {"TC", "Trung cấp"}, {"CD", "Cao đẳng"}, {"DH", "Đại học"}, {"THS", "Thạc sĩ"}, {"TS", "Tiến sĩ"}}},
	{"political_theory", []Code{{"CHUA", "Chưa qua đào tạo"}, {"SC", "Sơ cấp"}, {"TC", "Trung cấp"}, {"CC", "Cao cấp"}, {"CN", "Cử nhân"}}},
	{"occupation_group", []Code{{"NONG_DAN", "Nông dân"}, {"CONG_NHAN_LD", "Công nhân, lao động"}, {"CBCC", "Cán bộ, công chức"}, {"VIEN_CHUC", "Viên chức"}, {"QUAN_LY_DN", "Quản lý doanh nghiệp"}, {"CHU_DN_TU_NHAN", "Chủ doanh nghiệp tư nhân"}, {"LLVT", "Lực lượng vũ trang"}, {"HSSV", "Học sinh, sinh viên"}, {"HUU_TRI", "Hưu trí"}, {"KHAC", "Khác"}}},
	{"workplace_sector", []Code{{"CQ_NHA_NUOC", "Cơ quan nhà nước"}, {"DV_SU_NGHIEP", "Đơn vị sự nghiệp"}, {"DN_NHA_NUOC", "Doanh nghiệp nhà nước"}, {"DN_TU_NHAN", "Doanh nghiệp tư nhân"}, {"DN_FDI", "Doanh nghiệp FDI"}, {"HTX", "Hợp tác xã"}, {"LLVT", "Lực lượng vũ trang"}, {"TRUONG_HOC", "Trường học"}, {"XA_PHUONG_THON", "Xã, phường, thôn"}, {"KHAC", "Khác"}}},
	{"member_status", []Code{{"CT", "Chính thức"}, {"DB", "Dự bị"}}},
	{"direction", []Code{{"DEN", "Chuyển đến"}, {"DI", "Chuyển đi"}}},
	{"transfer_type", []Code{{"CHINH_THUC", "Chính thức"}, {"TAM_THOI", "Tạm thời"}, {"NOI_BO", "Nội bộ"}, {"NUOC_NGOAI", "Nước ngoài"}}},
	{"scope", []Code{{"NOI_BO", "Nội bộ"}, {"TRONG_TINH", "Trong tỉnh"}, {"NGOAI_TINH", "Ngoài tỉnh"}, {"NUOC_NGOAI", "Nước ngoài"}}},
	{"reason", []Code{{"CHUYEN_CONG_TAC", "Chuyển công tác"}, {"NGHI_HUU", "Nghỉ hưu"}, {"NGHI_MAT_SUC", "Nghỉ mất sức"}, {"THOI_VIEC", "Thôi việc"}, {"PHUC_VIEN", "Phục viên"}, {"DOI_NOI_CU_TRU", "Đổi nơi cư trú"}, {"DI_HOC", "Đi học"}, {"TOT_NGHIEP_HSSV", "Tốt nghiệp"}, {"BIET_PHAI_HOP_DONG", "Biệt phái, hợp đồng"}, {"LAO_DONG_LUU_DONG", "Lao động lưu động"}, {"KHAC", "Khác"}}},
	{"actor", []Code{{"CAP_UY", "Cấp ủy"}, {"BTV", "Ban thường vụ"}, {"CHI_BO", "Chi bộ"}, {"UBKT", "Ủy ban kiểm tra"}}},
	{"activity", []Code{{"GIAM_SAT", "Giám sát"}, {"KIEM_TRA", "Kiểm tra"}}},
	{"supervision_form", []Code{{"THUONG_XUYEN", "Thường xuyên"}, {"CHUYEN_DE", "Chuyên đề"}}},
	{"inspection_type", []Code{{"KT_CHAP_HANH", "Kiểm tra chấp hành"}, {"KTDHVP", "Kiểm tra khi có dấu hiệu vi phạm"}, {"KT_THUC_HIEN_NV_KTGS", "Kiểm tra thực hiện nhiệm vụ KT, GS"}, {"KT_THI_HANH_KY_LUAT", "Kiểm tra thi hành kỷ luật"}, {"KT_TAI_CHINH", "Kiểm tra tài chính đảng"}, {"KT_DANG_PHI", "Kiểm tra thu, nộp đảng phí"}, {"GQ_TO_CAO", "Giải quyết tố cáo"}, {"GQ_KHIEU_NAI", "Giải quyết khiếu nại kỷ luật"}}},
	{"subject_type", []Code{{"TO_CHUC_DANG", "Tổ chức đảng"}, {"DANG_VIEN", "Đảng viên"}}},
	{"result", []Code{{"THUC_HIEN_TOT", "Thực hiện tốt"}, {"CO_HAN_CHE_KHUYET_DIEM", "Có hạn chế, khuyết điểm"}, {"CO_DAU_HIEU_VI_PHAM", "Có dấu hiệu vi phạm"}, {"CO_VI_PHAM", "Có vi phạm"}, {"KHONG_VI_PHAM", "Không vi phạm"}, {"CHUA_KET_LUAN", "Chưa kết luận"}}},
	{"discipline_form", []Code{{"KHIEN_TRACH", "Khiển trách"}, {"CANH_CAO", "Cảnh cáo"}, {"CACH_CHUC", "Cách chức"}, {"KHAI_TRU", "Khai trừ"}, {"GIAI_TAN", "Giải tán"}}},
	{"discipline_source", []Code{{"TU_KIEM_TRA", "Tự kiểm tra"}, {"TO_CAO", "Tố cáo"}, {"KHAC", "Khác"}}},
	{"org_type", []Code{{"DANG_BO_CO_SO", "Đảng bộ cơ sở"}, {"CHI_BO_CO_SO", "Chi bộ cơ sở"}, {"DANG_BO_BO_PHAN", "Đảng bộ bộ phận"}, {"DANG_BO_CAP_TREN_CS", "Đảng bộ cấp trên cơ sở"}}},
}

// CodeList is a named list of codes.
type CodeList struct {
	ID    string
	Codes []Code
}

// Code is one code with its Vietnamese label.
type Code struct{ Code, Label string }
