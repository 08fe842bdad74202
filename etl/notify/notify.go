// Package notify writes the mail a submitter gets once their file reached its
// terminal state: received and accepted (with the counts loaded and the
// version), rejected (with the top issues and the annotated workbook
// attached) or duplicate (of which submission). Vietnamese first, with an
// English summary; one thread per organisation and quarter.
//
// Recipients are the organisation's contacts in the registry, never an
// address read from a workbook; subjects carry the organisation code, the
// period and counts, never personal data; HTML is rendered with html/template.
package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/mail/outmail"
	"github.com/returns-project/returns/etl/report"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// Outcome is what happened to one file.
type Outcome struct {
	// Status is the file's outcome: [domain.Loaded], [domain.Rejected] or
	// [domain.Duplicate] (a quarantined file gets [QuarantineMail]).
	Status domain.Outcome
	// Zone is the zone the mail shows times in: the configuration's
	// time_zone. Required.
	Zone         *time.Location
	Result       *validate.Result
	ReceivedAt   time.Time
	SubmissionID int64 // loaded: the new submission; duplicate: the one it repeats
	Version      int   // version for its organisation and quarter: loaded, the new one; duplicate, the one it repeats
	DupReceived  time.Time
	// Unchanged: the duplicate is a return saved again without a change of
	// any value (not the very same file); the mail says "unchanged from
	// version N received on dd/mm/yyyy".
	Unchanged bool
	Org       string // organisation the mail is about (the result's, or the inbox folder's)
	OrgName   string // its name in the registry, which the mail greets; empty when unknown
	// Operators is set when the mail goes to the operators because no
	// organisation could be found for the file: the mail says so.
	Operators bool
}

// MaxListed is how many issues the mail lists; the attachment has them all.
const MaxListed = 10

// XLSXType is the content type of an attached workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ThreadID is the Message-ID every result mail of one organisation and
// quarter refers to, so that mail clients keep them in one thread.
func ThreadID(org string, year, quarter int) string {
	return fmt.Sprintf("<returns.%s.%d-q%d@returns.thread>", safeID(org), year, quarter)
}

func safeID(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// Mail builds the result mail of o for the contacts to. annotated, when not
// nil, is attached under annotatedName.
func Mail(o Outcome, to []string, annotated []byte, annotatedName string) (outmail.Mail, error) {
	res := o.Result
	if res == nil {
		return outmail.Mail{}, fmt.Errorf("notify: no result")
	}
	if o.Zone == nil {
		return outmail.Mail{}, fmt.Errorf("notify: no zone to show times in (Outcome.Zone)")
	}
	d := buildData(o)
	d.Attached = annotated != nil
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, d); err != nil {
		return outmail.Mail{}, fmt.Errorf("notify: text body: %w", err)
	}
	if err := htmlTmpl.Execute(&html, d); err != nil {
		return outmail.Mail{}, fmt.Errorf("notify: html body: %w", err)
	}
	m := outmail.Mail{
		Kind:      "result",
		DedupeKey: fmt.Sprintf("result:%s:%s:%d", res.SHA256, o.Status, o.ReceivedAt.UnixNano()),
		To:        to,
		Subject:   d.Subject,
		Text:      text.String(),
		HTML:      html.String(),
	}
	if res.Year > 0 && o.Org != "" {
		id := ThreadID(o.Org, res.Year, res.Quarter)
		m.InReplyTo, m.References = id, []string{id}
	}
	if annotated != nil {
		m.Attachments = append(m.Attachments, outmail.Attachment{Name: annotatedName, ContentType: XLSXType, Content: annotated})
	}
	return m, nil
}

type issueLine struct {
	Where, Rule, Severity, Message, Hint, Value string
}

type data struct {
	Subject, File, Org, OrgName, Period, PeriodEN, Received    string
	Status                                                     domain.Outcome
	Version                                                    int
	SubmissionID                                               int64
	DupReceived                                                string
	Unchanged                                                  bool
	DupText, DupTextEN                                         string
	Reason, ReasonTitle, ReasonFix, ReasonTitleEN, ReasonFixEN string
	Errors, Warnings, Omitted                                  int
	Rows                                                       []string
	Issues                                                     []issueLine
	Attached                                                   bool
	Operators                                                  bool
}

func buildData(o Outcome) data {
	res := o.Result
	d := data{File: res.File, Org: o.Org, OrgName: o.OrgName, Status: o.Status, Version: o.Version, SubmissionID: o.SubmissionID, Operators: o.Operators,
		Errors: res.Errors, Warnings: res.Warnings, Received: locale.DateTime(o.ReceivedAt, o.Zone)}
	if res.Year > 0 {
		d.Period, d.PeriodEN = locale.Quarter("vi", res.Year, res.Quarter), locale.Quarter("en", res.Year, res.Quarter)
	}
	if !o.DupReceived.IsZero() {
		d.DupReceived = locale.DateTime(o.DupReceived, o.Zone)
	}
	if o.Status == domain.Duplicate && o.Unchanged {
		d.Unchanged = true
		d.DupText = report.Duplicate("vi", o.SubmissionID, o.Version, o.DupReceived, o.Zone, true)
		d.DupTextEN = report.Duplicate("en", o.SubmissionID, o.Version, o.DupReceived, o.Zone, true)
	}
	if res.Reason != "" {
		d.Reason = string(res.Reason)
		d.ReasonTitle, d.ReasonFix = res.Reason.Title("vi"), res.Reason.Fix("vi")
		d.ReasonTitleEN, d.ReasonFixEN = res.Reason.Title("en"), res.Reason.Fix("en")
	}
	names := make([]string, 0, len(res.Rows))
	for k := range res.Rows {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		d.Rows = append(d.Rows, fmt.Sprintf("%s: %s", k, locale.Int("vi", int64(res.Rows[k]))))
	}
	// Errors first, then warnings, in file order.
	issues := append([]validate.Issue(nil), res.Issues...)
	sort.SliceStable(issues, func(i, j int) bool {
		return issues[i].Severity == schema.Error && issues[j].Severity != schema.Error
	})
	for i, is := range issues {
		if i == MaxListed {
			break
		}
		where := is.Sheet
		if is.Cell != "" {
			where += "!" + is.Cell
		}
		sev := "Lỗi"
		if is.Severity == schema.Warning {
			sev = "Cảnh báo"
		}
		d.Issues = append(d.Issues, issueLine{Where: where, Rule: is.Rule, Severity: sev, Message: is.Message.VI, Hint: is.Hint.VI, Value: clip(is.Value, 80)})
	}
	d.Omitted = res.Errors + res.Warnings - len(d.Issues)
	org := o.Org
	if org == "" {
		org = "Chưa rõ đơn vị"
	}
	period := d.Period
	if period == "" {
		period = "kỳ không xác định"
	}
	switch o.Status {
	case domain.Loaded:
		if res.Warnings > 0 {
			d.Subject = fmt.Sprintf("[Returns] %s · %s · Đã chấp nhận (lần %d), %d cảnh báo", org, period, o.Version, res.Warnings)
		} else {
			d.Subject = fmt.Sprintf("[Returns] %s · %s · Đã chấp nhận (lần %d)", org, period, o.Version)
		}
	case domain.Duplicate:
		if o.Unchanged {
			d.Subject = fmt.Sprintf("[Returns] %s · %s · Không thay đổi so với lần nộp số %d", org, period, o.Version)
			break
		}
		d.Subject = fmt.Sprintf("[Returns] %s · %s · Tệp trùng lần nộp số %d", org, period, o.SubmissionID)
	default:
		d.Subject = fmt.Sprintf("[Returns] %s · %s · Bị từ chối: %d lỗi", org, period, res.Errors)
	}
	return d
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

const textBody = `{{if .Operators}}Kính gửi quản trị viên,

Không xác định được đơn vị đã gửi tệp này (thư mục nhận, nội dung tệp và tên tệp đều không cho biết mã đơn vị), nên kết quả được gửi đến quản trị viên. Đề nghị chuyển thư này cho đơn vị đã gửi tệp.
{{else if .OrgName}}Kính gửi {{.OrgName}} ({{.Org}}),{{else}}Kính gửi đơn vị {{.Org}},
{{end}}
Hệ thống đã nhận tệp "{{.File}}" lúc {{.Received}}.
{{- if eq .Status "loaded"}}
Báo cáo {{.Period}} đã được CHẤP NHẬN và ghi nhận (lần nộp số {{.SubmissionID}}, phiên bản {{.Version}} của kỳ này).
Số dòng đã ghi nhận: {{range $i, $r := .Rows}}{{if $i}}; {{end}}{{$r}}{{end}}.
{{- if .Warnings}}
Có {{.Warnings}} cảnh báo (không chặn việc ghi nhận), xem bên dưới và tệp đính kèm.{{end}}
{{- else if .Unchanged}}
{{.DupText}} Không cần làm gì thêm.
{{- else if eq .Status "duplicate"}}
Tệp này giống hệt lần nộp số {{.SubmissionID}} (nhận lúc {{.DupReceived}}), nên không ghi nhận lại. Không cần làm gì thêm.
{{- else}}
Báo cáo BỊ TỪ CHỐI ({{.Reason}}): {{.ReasonTitle}}
Việc cần làm: {{.ReasonFix}}
Có {{.Errors}} lỗi và {{.Warnings}} cảnh báo.{{if .Attached}} Tệp đính kèm là chính tệp của đơn vị, các ô có lỗi được tô màu và ghi chú cách sửa; trang "Lỗi" liệt kê tất cả.{{end}}
{{- end}}
{{- if .Issues}}

Các vấn đề chính:
{{range .Issues}}- [{{.Rule}}] {{.Severity}} {{.Where}}: {{.Message}}{{if .Value}} (giá trị: "{{.Value}}"){{end}}
  Cách sửa: {{.Hint}}
{{end}}{{if gt .Omitted 0}}… và {{.Omitted}} vấn đề khác (xem tệp đính kèm).
{{end}}{{end}}
--
English: file "{{.File}}" received {{.Received}}{{if .PeriodEN}} for {{.PeriodEN}}{{end}}: {{if eq .Status "loaded"}}accepted (submission {{.SubmissionID}}, version {{.Version}}).{{else if .Unchanged}}{{.DupTextEN}}{{else if eq .Status "duplicate"}}duplicate of submission {{.SubmissionID}}, nothing loaded.{{else}}rejected ({{.Reason}}): {{.ReasonTitleEN}} {{.ReasonFixEN}}{{end}}
Thư này được gửi tự động; vui lòng không trả lời. / This mail is automatic; please do not reply.
`

const htmlBody = `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">
{{if .Operators}}<p>Kính gửi quản trị viên,</p>
<p>Không xác định được đơn vị đã gửi tệp này (thư mục nhận, nội dung tệp và tên tệp đều không cho biết mã đơn vị), nên kết quả được gửi đến quản trị viên. Đề nghị chuyển thư này cho đơn vị đã gửi tệp.</p>
{{else if .OrgName}}<p>Kính gửi <b>{{.OrgName}}</b> ({{.Org}}),</p>{{else}}<p>Kính gửi đơn vị <b>{{.Org}}</b>,</p>{{end}}
<p>Hệ thống đã nhận tệp <b>{{.File}}</b> lúc {{.Received}}.</p>
{{if eq .Status "loaded"}}
<p style="color:#1a7f37"><b>Báo cáo {{.Period}} đã được chấp nhận</b> và ghi nhận (lần nộp số {{.SubmissionID}}, phiên bản {{.Version}} của kỳ này).</p>
<p>Số dòng đã ghi nhận: {{range $i, $r := .Rows}}{{if $i}}; {{end}}{{$r}}{{end}}.</p>
{{if .Warnings}}<p>Có {{.Warnings}} cảnh báo (không chặn việc ghi nhận).</p>{{end}}
{{else if .Unchanged}}
<p>{{.DupText}} Không cần làm gì thêm.</p>
{{else if eq .Status "duplicate"}}
<p>Tệp này giống hệt lần nộp số {{.SubmissionID}} (nhận lúc {{.DupReceived}}), nên không ghi nhận lại. Không cần làm gì thêm.</p>
{{else}}
<p style="color:#b42318"><b>Báo cáo bị từ chối ({{.Reason}})</b>: {{.ReasonTitle}}</p>
<p><b>Việc cần làm:</b> {{.ReasonFix}}</p>
<p>Có {{.Errors}} lỗi và {{.Warnings}} cảnh báo.{{if .Attached}} Tệp đính kèm là chính tệp của đơn vị: các ô có lỗi được tô màu và ghi chú cách sửa; trang “Lỗi” liệt kê tất cả.{{end}}</p>
{{end}}
{{if .Issues}}
<table style="border-collapse:collapse" cellpadding="4">
<tr style="background:#eef"><th align="left">Quy tắc</th><th align="left">Mức</th><th align="left">Ô</th><th align="left">Vấn đề</th><th align="left">Cách sửa</th></tr>
{{range .Issues}}<tr style="border-top:1px solid #ddd"><td>{{.Rule}}</td><td>{{.Severity}}</td><td>{{.Where}}</td><td>{{.Message}}{{if .Value}}<br><small>giá trị: “{{.Value}}”</small>{{end}}</td><td>{{.Hint}}</td></tr>
{{end}}</table>
{{if gt .Omitted 0}}<p>… và {{.Omitted}} vấn đề khác (xem tệp đính kèm).</p>{{end}}
{{end}}
<hr>
<p style="color:#555"><small>English: file {{.File}} received {{.Received}}{{if .PeriodEN}} for {{.PeriodEN}}{{end}}:
{{if eq .Status "loaded"}}accepted (submission {{.SubmissionID}}, version {{.Version}}).{{else if .Unchanged}}{{.DupTextEN}}{{else if eq .Status "duplicate"}}duplicate of submission {{.SubmissionID}}, nothing loaded.{{else}}rejected ({{.Reason}}): {{.ReasonTitleEN}} {{.ReasonFixEN}}{{end}}<br>
Thư này được gửi tự động; vui lòng không trả lời. / This mail is automatic; please do not reply.</small></p>
</body></html>
`

var (
	textTmpl = template.Must(template.New("text").Parse(textBody))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(htmlBody))
)
