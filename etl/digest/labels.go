package digest

// Texts of the digest in Vietnamese and English.
var texts = map[string][2]string{
	"title":           {"Báo cáo nhanh %s – %s", "Quarterly digest %s – %s"},
	"subject":         {"[Returns] Báo cáo nhanh %s – %s: đã nộp %d/%d", "[Returns] Digest %s – %s: %d/%d returns in"},
	"greeting":        {"Kính gửi %s,", "Dear %s,"},
	"scope":           {"Phạm vi: %s (%s) và %d đơn vị trực thuộc", "Scope: %s (%s) and %d organisations below it"},
	"cutoff":          {"Số liệu đến %s; hạn nộp %s. Chỉ tính các báo cáo đã được chấp nhận, bản hiện hành.", "Data as of %s; returns were due %s. Only accepted, current returns count."},
	"cutoff_none":     {"Chưa có số liệu: chưa nạp báo cáo nào của phạm vi này; hạn nộp %s.", "No data yet: no return of this scope was loaded; returns were due %s."},
	"restated":        {"Điều chỉnh số liệu đã báo cáo", "Restated figures"},
	"restated_intro":  {"Các báo cáo sau đến muộn hoặc được nộp lại sau bản báo cáo nhanh trước; số liệu các quý đó đã thay đổi:", "These returns arrived late or were corrected after the previous digest; the figures of those quarters have changed:"},
	"restated_line":   {"%s – %s: lần nộp %d, ghi nhận %s", "%s – %s: version %d, loaded %s"},
	"figure":          {"Chỉ tiêu", "Figure"},
	"value":           {"Quý này", "This quarter"},
	"qoq":             {"So với quý trước (%s)", "Vs previous quarter (%s)"},
	"yoy":             {"So với cùng kỳ (%s)", "Vs same quarter last year (%s)"},
	"lfl":             {"So sánh trên cùng tập đơn vị có số liệu ở cả hai kỳ (đơn vị sáp nhập tính vào đơn vị kế thừa): mức thay đổi (tỷ lệ %) từ số kỳ gốc; tỷ lệ «—» khi kỳ gốc bằng 0; «— (chưa có báo cáo)» khi không đơn vị nào có báo cáo ở cả hai kỳ. Lũy kế so với cùng kỳ chỉ tính các quý cả hai năm đều có báo cáo.", "Compared on the same organisations with figures in both periods (merged organisations counted in their successor): the change (percent) from the base; the percentage is «—» when the base is 0; «— (no return)» when no organisation has a return in both periods. Year to date is compared on the quarters both years have returns for."},
	"s_complete":      {"1. Tình hình nộp báo cáo", "1. Completeness"},
	"complete_line":   {"Đã nộp %d/%d đơn vị (%s); đúng hạn %d (%s)", "%d of %d returns in (%s); %d on time (%s)"},
	"expected":        {"Đơn vị phải nộp", "Expected"},
	"reported":        {"Đã nộp", "Reported"},
	"ontime":          {"Đúng hạn", "On time"},
	"late":            {"Nộp muộn", "Late"},
	"rejected":        {"Bị từ chối (chưa có bản hợp lệ)", "Rejected (no valid return yet)"},
	"missing":         {"Chưa có báo cáo", "Missing"},
	"missing_list":    {"Đơn vị chưa có báo cáo hợp lệ", "Organisations without a valid return"},
	"late_list":       {"Đơn vị nộp muộn", "Late organisations"},
	"not_received":    {"chưa nhận được", "nothing received"},
	"rejected_reason": {"bị từ chối: %s", "rejected: %s"},
	"s_members":       {"2. Đảng viên", "2. Membership"},
	"m_start":         {"Đầu quý", "At start of quarter"},
	"m_end":           {"Cuối quý", "At end of quarter"},
	"m_net":           {"Tăng/giảm trong quý", "Net change"},
	"m_official":      {"Chính thức (cuối quý)", "Full members (end)"},
	"m_prob":          {"Dự bị (cuối quý)", "Probationary (end)"},
	"m_recognised":    {"Công nhận chính thức trong quý", "Recognised as full members"},
	"s_admissions":    {"3. Kết nạp đảng viên", "3. Admissions"},
	"a_quarter":       {"Kết nạp trong quý", "Admitted in the quarter"},
	"a_ytd":           {"Lũy kế từ đầu năm", "Year to date"},
	"a_target":        {"Chỉ tiêu năm", "Annual target"},
	"a_readmitted":    {"trong đó kết nạp lại: %s", "of which readmissions: %s"},
	"progress":        {"Lũy kế %s/%s, đạt %s chỉ tiêu năm", "Year to date %s of %s: %s of the annual target"},
	"progress_over":   {"Lũy kế %s/%s, đạt %s chỉ tiêu năm (vượt %s)", "Year to date %s of %s: %s of the annual target (%s over)"},
	"no_target":       {"Chưa có chỉ tiêu năm.", "No annual target set."},
	"shares":          {"Cơ cấu đảng viên mới kết nạp trong quý", "Composition of the quarter's admissions"},
	"share":           {"Tỷ lệ", "Share"},
	"sh_women":        {"Nữ", "Women"},
	"sh_youth":        {"Đoàn viên TNCS HCM", "Youth Union members"},
	"sh_minority":     {"Dân tộc thiểu số", "Ethnic minorities"},
	"sh_religious":    {"Có đạo", "Religious"},
	"sh_nonstate":     {"Ngoài khu vực nhà nước / FDI", "Non-state sector / FDI"},
	"pp":              {"điểm %", "pp"},
	"top":             {"Đơn vị dẫn đầu theo tỷ lệ hoàn thành chỉ tiêu", "Top units by progress to target"},
	"bottom":          {"Đơn vị thấp nhất theo tỷ lệ hoàn thành chỉ tiêu", "Bottom units by progress to target"},
	"zero":            {"%d đơn vị chưa kết nạp đảng viên nào từ đầu năm.", "%d organisations have admitted nobody this year."},
	"unit":            {"Đơn vị", "Organisation"},
	"chart_title":     {"Kết nạp theo quý và lũy kế so với chỉ tiêu năm", "Admissions by quarter and year to date against the annual target"},
	"chart_alt":       {"Biểu đồ kết nạp theo quý", "Chart of admissions by quarter"},
	"chart_adm":       {"Kết nạp trong quý", "Admitted"},
	"chart_ytd":       {"Lũy kế năm", "Year to date"},
	"chart_target":    {"Chỉ tiêu năm", "Annual target"},
	"s_transfers":     {"4. Chuyển sinh hoạt đảng", "4. Transfers"},
	"t_scope":         {"Phạm vi (chính thức)", "Scope (official)"},
	"t_in":            {"Chuyển đến", "In"},
	"t_out":           {"Chuyển đi", "Out"},
	"t_net":           {"Chênh lệch", "Net"},
	"t_in_total":      {"Chuyển đến chính thức", "Official transfers in"},
	"t_out_total":     {"Chuyển đi chính thức", "Official transfers out"},
	"t_temp_in":       {"Tạm thời đến", "Temporary in"},
	"t_temp_out":      {"Tạm thời đi", "Temporary out"},
	"t_unmatched":     {"Giấy giới thiệu chưa khớp quá 30 ngày: %s", "Unmatched transfer letters older than 30 days: %s"},
	"s_superv":        {"5. Kiểm tra, giám sát, kỷ luật", "5. Supervision, inspection and discipline"},
	"g_superv":        {"Giám sát (lượt)", "Supervisions"},
	"g_inspect":       {"Kiểm tra (lượt)", "Inspections"},
	"g_disc":          {"Kỷ luật", "Disciplinary measures"},
	"g_actor":         {"Chủ thể", "Actor"},
	"g_activity":      {"Hoạt động", "Activity"},
	"g_subject":       {"Đối tượng", "Subject"},
	"g_form":          {"Hình thức", "Form"},
	"count":           {"Số lượt", "Count"},
	"s_quality":       {"6. Chất lượng số liệu", "6. Data quality"},
	"q_warnings":      {"Cảnh báo trong các báo cáo đã chấp nhận: %s", "Warnings in accepted returns: %s"},
	"q_mismatch":      {"Đơn vị có số đầu quý khác số cuối quý trước", "Organisations whose start of quarter differs from the previous end"},
	"q_mismatch_line": {"đầu quý %s, cuối quý trước %s", "start %s, previous end %s"},
	"q_none":          {"Không có chênh lệch số đầu quý.", "No start-of-quarter mismatches."},
	"s_people":        {"7. Việc cần xử lý theo từng người", "7. People to act on"},
	"p_unmatched":     {"Chuyển sinh hoạt chưa khớp", "Unmatched transfer"},
	"p_probation":     {"Hết thời gian dự bị, cần xét công nhận", "Probation ended: due for recognition"},
	"attachment":      {"Tệp đính kèm %s có số liệu chi tiết của từng đơn vị cho mọi con số trong thư này.", "The attached %s has the per-organisation figures behind every number in this mail."},
	"footer":          {"Thư này được gửi tự động; vui lòng không trả lời.", "This mail is automatic; please do not reply."},
	"none":            {"Không có.", "None."},
	"chg":             {"%s (%s) từ %s", "%s (%s) from %s"},
	"chg_net":         {"%s từ %s", "%s from %s"},
	"from":            {"từ %s", "from %s"},
	"no_base":         {"— (chưa có báo cáo)", "— (no return)"},
	"ytd_partial":     {"%s so với %s/%d", "%s vs %s %d"},
	"ytd_none":        {"— (năm %d không có báo cáo cùng quý)", "— (%d has no returns for the same quarters)"},
	"and_more":        {"và %d đơn vị khác", "and %d more"},
	"empty":           {"Phạm vi này chưa có báo cáo nào được chấp nhận cho %s: mọi số liệu bên dưới bằng 0 hoặc «—».", "No accepted return in this scope for %s yet: every figure below is 0 or «—»."},
	"s_keys":          {"Số liệu chính", "Key figures"},
	"s_left":          {"Đảng viên ra khỏi danh sách trong quý, theo lý do", "Members who left in the quarter, by reason"},
	"s_outcomes":      {"Kết quả giám sát, kiểm tra", "Outcomes of supervision and inspection"},
	"g_body":          {"Cấp quyết định", "Decided by"},
	"g_origin":        {"Nguồn", "Origin"},
	"no_target_short": {"chưa có chỉ tiêu", "no target"},
	"chart_partial":   {"* Lũy kế năm %d thiếu %s (không có báo cáo)", "* Year to date %d lacks %s (no returns)"},
}

// Code labels (schemas/codelists), for the tables.
var codeLabels = map[string][2]string{
	"NOI_BO": {"Nội bộ", "Internal"}, "TRONG_TINH": {"Trong tỉnh", "Within the province"}, "NGOAI_TINH": {"Ngoài tỉnh", "Other province"},
	"NUOC_NGOAI": {"Nước ngoài", "Abroad"}, "TRONG_HUYEN": {"Trong huyện (cũ)", "Within the district (legacy)"},
	"CAP_UY": {"Cấp ủy", "Party committee"}, "BTV": {"Ban thường vụ", "Standing committee"}, "CHI_BO": {"Chi bộ", "Party cell"},
	"UBKT": {"Ủy ban kiểm tra", "Inspection commission"}, "GIAM_SAT": {"Giám sát", "Supervision"}, "KIEM_TRA": {"Kiểm tra", "Inspection"},
	"TO_CHUC_DANG": {"Tổ chức đảng", "Party organisation"}, "DANG_VIEN": {"Đảng viên", "Party member"},
	"KHIEN_TRACH": {"Khiển trách", "Reprimand"}, "CANH_CAO": {"Cảnh cáo", "Warning"}, "CACH_CHUC": {"Cách chức", "Removal from post"},
	"THUONG_XUYEN": {"Thường xuyên", "Routine"}, "CHUYEN_DE": {"Chuyên đề", "Thematic"},
	"KT_CHAP_HANH": {"Kiểm tra chấp hành", "Compliance"}, "KTDHVP": {"Khi có dấu hiệu vi phạm", "On signs of violation"},
	"KT_THUC_HIEN_NV_KTGS": {"Việc thực hiện nhiệm vụ KT, GS", "Of inspection and supervision work"},
	"KT_THI_HANH_KY_LUAT":  {"Việc thi hành kỷ luật", "Of discipline enforcement"}, "KT_TAI_CHINH": {"Tài chính đảng", "Party finance"},
	"KT_DANG_PHI": {"Đảng phí", "Party dues"}, "GQ_TO_CAO": {"Giải quyết tố cáo", "Denunciation"}, "GQ_KHIEU_NAI": {"Giải quyết khiếu nại kỷ luật", "Discipline appeal"},
	"KHAI_TRU": {"Khai trừ", "Expulsion"}, "KHAC": {"Khác", "Other"},
	"CO_VI_PHAM": {"Có vi phạm", "Found in violation"}, "CO_DAU_HIEU_VI_PHAM": {"Có dấu hiệu vi phạm", "Signs of violation"},
	"KHONG_VI_PHAM": {"Không vi phạm", "No violation"}, "THUC_HIEN_TOT": {"Thực hiện tốt", "Done well"},
	"CO_HAN_CHE_KHUYET_DIEM": {"Có hạn chế, khuyết điểm", "Shortcomings"}, "CHUA_KET_LUAN": {"Chưa kết luận", "Not concluded"}, "GIAI_TAN": {"Giải tán", "Dissolution"}, "DEN": {"Đến", "In"}, "DI": {"Đi", "Out"},
}

func tr(lang, key string) string {
	t, ok := texts[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// tr2 picks the language of a [vi, en] pair.
func tr2(lang string, t [2]string) string {
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// originLabel names where a discipline was recorded.
func originLabel(lang, origin string) string {
	switch origin {
	case "GiamSat":
		return tr2(lang, [2]string{"Qua giám sát, kiểm tra (GiamSat)", "After supervision or inspection (GiamSat)"})
	case "KyLuat":
		return tr2(lang, [2]string{"Kỷ luật khác (KyLuat)", "Other discipline (KyLuat)"})
	}
	return codeLabel(lang, origin)
}

func codeLabel(lang, code string) string {
	t, ok := codeLabels[code]
	if !ok {
		if code == "" {
			return "—"
		}
		return code
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}
