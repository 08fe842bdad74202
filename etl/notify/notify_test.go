package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/reason"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// ict is the users' zone, UTC+7.
var ict = time.FixedZone("ICT", 7*60*60)

// TestHostileValuesAreEscapedAndKeptOutOfTheSubject puts injection payloads
// (docs/reliability.md T25) in every workbook-derived text of a result.
func TestHostileValuesAreEscapedAndKeptOutOfTheSubject(t *testing.T) {
	t.Parallel()
	payload := `"><img src=x onerror=alert(1)><script>alert(2)</script>`
	res := &validate.Result{File: "BCQ_" + payload + ".xlsx", SHA256: strings.Repeat("b", 64), Status: validate.Rejected,
		Reason: reason.InvalidData, Org: "GD-KCQ-001", Year: 2025, Quarter: 3, Errors: 1,
		Issues: []validate.Issue{{Sheet: "KetNap", Cell: "A3", Rule: "KN-01", Severity: schema.Error, Value: payload + "\r\nBcc: x@evil.test",
			Message: schema.Text{VI: "Chưa đủ 18 tuổi.", EN: "Under 18."}}}}
	m, err := Mail(Outcome{Status: domain.Rejected, Zone: ict, Result: res, ReceivedAt: time.Date(2025, 10, 1, 2, 0, 0, 0, time.UTC), Org: "GD-KCQ-001"},
		[]string{"vanphong@gd-kcq-001.example"}, []byte("xlsx"), "x.loi.xlsx")
	require.NoError(t, err)
	require.NoError(t, m.Validate())
	require.NotContains(t, m.HTML, "<script>")
	require.NotContains(t, m.HTML, "<img")
	require.Contains(t, m.HTML, "&lt;script&gt;")
	require.NotContains(t, m.Subject, "<")
	require.NotContains(t, m.Subject, "\n")
	require.Equal(t, "[Returns] GD-KCQ-001 · Quý III/2025 · Bị từ chối: 1 lỗi", m.Subject)
	require.Equal(t, "<returns.gd-kcq-001.2025-q3@returns.thread>", m.InReplyTo)
	require.Contains(t, m.Text, "09:00", "times in Vietnam time")
	require.Len(t, m.Attachments, 1)
}

// TestGreetsTheRegistryName: the mail greets the unit by its registry name
// (with its code), not by its code alone, and falls back to the code when
// the registry does not know it.
func TestGreetsTheRegistryName(t *testing.T) {
	t.Parallel()
	res := &validate.Result{File: "BCQ_GD-TPG-001_2025Q3.xlsx", SHA256: strings.Repeat("c", 64), Status: validate.Accepted,
		Org: "GD-TPG-001", Year: 2025, Quarter: 3, Rows: map[string]int{"KetNap": 2}}
	o := Outcome{Status: domain.Loaded, Zone: ict, Result: res, ReceivedAt: time.Date(2025, 10, 1, 2, 0, 0, 0, time.UTC), Org: "GD-TPG-001",
		OrgName: "Đảng bộ Phường Tân Phong", Version: 1, SubmissionID: 7}
	m, err := Mail(o, []string{"vanphong@example.org"}, nil, "")
	require.NoError(t, err)
	require.Contains(t, m.Text, "Kính gửi Đảng bộ Phường Tân Phong (GD-TPG-001),")
	require.Contains(t, m.HTML, "Kính gửi <b>Đảng bộ Phường Tân Phong</b> (GD-TPG-001),")
	o.OrgName = ""
	m, err = Mail(o, []string{"vanphong@example.org"}, nil, "")
	require.NoError(t, err)
	require.Contains(t, m.Text, "Kính gửi đơn vị GD-TPG-001,")
}

// TestUnchangedSaysSoInWords: a return saved again without a change is told
// it is unchanged from version N received on its day (Vietnam time), in the
// subject, the text and the HTML, and not that it is the very same file.
func TestUnchangedSaysSoInWords(t *testing.T) {
	t.Parallel()
	res := &validate.Result{File: "saved-again.xlsx", SHA256: strings.Repeat("d", 64), Status: validate.Accepted,
		Org: "GD-TPG-001", Year: 2025, Quarter: 3, Rows: map[string]int{"KetNap": 2}}
	// 04/10/2025 20:00 UTC is 05/10/2025 in Vietnam.
	o := Outcome{Status: domain.Duplicate, Zone: ict, Result: res, ReceivedAt: time.Date(2025, 10, 7, 2, 0, 0, 0, time.UTC), Org: "GD-TPG-001",
		SubmissionID: 41, Version: 2, DupReceived: time.Date(2025, 10, 4, 20, 0, 0, 0, time.UTC), Unchanged: true}
	m, err := Mail(o, []string{"vanphong@example.org"}, nil, "")
	require.NoError(t, err)
	require.Equal(t, "[Returns] GD-TPG-001 · Quý III/2025 · Không thay đổi so với lần nộp số 2", m.Subject)
	for _, body := range []string{m.Text, m.HTML} {
		require.Contains(t, body, "Báo cáo không thay đổi so với lần nộp số 2 ngày 05/10/2025")
		require.Contains(t, body, "The return is unchanged from version 2 received on 05/10/2025")
		require.NotContains(t, body, "giống hệt")
	}
	o.Unchanged = false
	m, err = Mail(o, []string{"vanphong@example.org"}, nil, "")
	require.NoError(t, err)
	require.Contains(t, m.Text, "giống hệt lần nộp số 41")
	require.NotContains(t, m.Text, "không thay đổi")
}
