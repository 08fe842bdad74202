package digest

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"

	"github.com/returns-project/returns/etl/locale"
)

// ChartCID is the Content-ID of the inline chart ("cid:" in the HTML).
const ChartCID = "admissions-chart@returns.digest"

// Rendered is a digest ready to mail.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	// Chart is the inline PNG, referenced by the HTML as cid:ChartCID.
	Chart []byte
	// XLSX is the attachment, named XLSXName.
	XLSX     []byte
	XLSXName string
}

// RenderOptions tune [Render].
type RenderOptions struct {
	Lang string // "vi" (default) or "en"
	Name string // the recipient's name, for the greeting; "" for none
}

// Render writes the digest as mail parts in the recipient's language.
func Render(d *Digest, opts RenderOptions) (*Rendered, error) {
	lang := opts.Lang
	if lang != "en" {
		lang = "vi"
	}
	v := newView(d, lang, opts.Name)
	r := &Rendered{Subject: v.Subject, XLSXName: v.XLSXName}
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, v); err != nil {
		return nil, fmt.Errorf("digest: text body: %w", err)
	}
	if err := htmlTmpl.Execute(&html, v); err != nil {
		return nil, fmt.Errorf("digest: html body: %w", err)
	}
	r.Text, r.HTML = text.String(), html.String()
	var err error
	if r.Chart, err = ChartPNG(d, lang); err != nil {
		return nil, err
	}
	if r.XLSX, err = XLSX(d, lang); err != nil {
		return nil, err
	}
	return r, nil
}

type row struct{ Label, Value, QoQ, YoY string }

type unitLine struct{ Code, Name, Note string }

type trow struct{ A, B, C, D string }

type view struct {
	Lang, Title, Subject, Greeting, Scope, Cutoff string
	QoQHead, YoYHead, LFL                         string
	T                                             map[string]string
	Restated                                      []string
	CompLine                                      string
	Completeness                                  []row
	Missing, Late                                 []unitLine
	Members, Admissions, Shares                   []row
	Readmitted, Progress                          string
	Top, Bottom                                   []unitLine
	Zero                                          string
	Transfers                                     []trow
	TransferTotals                                []row
	Unmatched                                     string
	Superv                                        []row
	ByActor, BySubject, Discipline                []trow
	Warnings                                      string
	WarnUnits                                     []unitLine
	Mismatch                                      []unitLine
	People                                        []trow
	ChartCID, ChartAlt, Attachment, XLSXName      string
}

func newView(d *Digest, lang, name string) *view {
	num := func(n int) string { return locale.Int(lang, int64(n)) }
	pct := func(x float64) string { return locale.Percent(lang, x) }
	ratio := func(a, b int) string {
		if b == 0 {
			return "—"
		}
		return pct(100 * float64(a) / float64(b))
	}
	signed := func(n int) string {
		if n > 0 {
			return "+" + num(n)
		}
		return num(n)
	}
	change := func(c Change) string {
		if !c.OK {
			return "—"
		}
		p := locale.Decimal(lang, c.Pct(), 2) + "%"
		if c.Pct() > 0 {
			p = "+" + p
		}
		return fmt.Sprintf("%s (%s)", signed(c.Delta()), p)
	}
	metric := func(key string, m Metric) row {
		return row{Label: tr(lang, key), Value: num(m.Value), QoQ: change(m.QoQ), YoY: change(m.YoY)}
	}
	pp := func(x float64, ok bool) string {
		if !ok {
			return "—"
		}
		s := locale.Decimal(lang, x, 2)
		if x > 0 {
			s = "+" + s
		}
		return s + " " + tr(lang, "pp")
	}
	qname := func(q Quarter) string { return locale.Quarter(lang, q.Year, q.Q) }
	period := qname(d.Quarter)
	below := 0
	for _, o := range d.Orgs {
		if o.Code != d.Scope.Code {
			below++
		}
	}
	cm := d.Completeness
	v := &view{Lang: lang, T: map[string]string{},
		Title:    fmt.Sprintf(tr(lang, "title"), period, d.Scope.Name),
		Subject:  fmt.Sprintf(tr(lang, "subject"), period, d.Scope.Name, cm.Reported, cm.Expected),
		Scope:    fmt.Sprintf(tr(lang, "scope"), d.Scope.Name, d.Scope.Code, below),
		Cutoff:   fmt.Sprintf(tr(lang, "cutoff"), locale.DateTime(d.Cutoff), locale.DateTime(d.Deadline)),
		QoQHead:  fmt.Sprintf(tr(lang, "qoq"), qname(d.Prev)),
		YoYHead:  fmt.Sprintf(tr(lang, "yoy"), qname(d.YearAgo)),
		LFL:      tr(lang, "lfl"),
		ChartCID: ChartCID, ChartAlt: tr(lang, "chart_alt"),
		XLSXName: fmt.Sprintf("BaoCaoNhanh_%s_%d-Q%d.xlsx", safeName(d.Scope.Code), d.Quarter.Year, d.Quarter.Q),
	}
	v.Attachment = fmt.Sprintf(tr(lang, "attachment"), v.XLSXName)
	for k := range texts {
		v.T[k] = tr(lang, k)
	}
	if name != "" {
		v.Greeting = fmt.Sprintf(tr(lang, "greeting"), name)
	}
	for _, r := range d.Restatements {
		v.Restated = append(v.Restated, fmt.Sprintf(tr(lang, "restated_line"), orgName(d, r.Org), qname(r.Quarter), r.Version, locale.DateTime(r.LoadedAt)))
	}
	v.CompLine = fmt.Sprintf(tr(lang, "complete_line"), cm.Reported, cm.Expected, ratio(cm.Reported, cm.Expected), cm.OnTime, ratio(cm.OnTime, cm.Expected))
	for _, x := range []struct {
		k string
		n int
	}{{"expected", cm.Expected}, {"reported", cm.Reported}, {"ontime", cm.OnTime}, {"late", cm.Late}, {"rejected", cm.Rejected}, {"missing", cm.Missing}} {
		v.Completeness = append(v.Completeness, row{Label: tr(lang, x.k), Value: num(x.n), QoQ: ratio(x.n, cm.Expected)})
	}
	for _, u := range cm.MissingUnits {
		note := tr(lang, "not_received")
		if u.Reason != "" {
			note = fmt.Sprintf(tr(lang, "rejected_reason"), u.Reason)
		}
		v.Missing = append(v.Missing, unitLine{Code: u.Code, Name: u.Name, Note: note})
	}
	for _, u := range cm.LateUnits {
		v.Late = append(v.Late, unitLine{Code: u.Code, Name: u.Name})
	}
	v.Members = []row{metric("m_start", d.MembersStart), metric("m_end", d.MembersEnd), metric("m_net", d.Net),
		metric("m_official", d.Official), metric("m_prob", d.Probationary), metric("m_recognised", d.Recognised)}
	// A net change compared in percent says nothing: the difference only.
	net := func(c Change) string {
		if !c.OK {
			return "—"
		}
		return signed(c.Delta())
	}
	v.Members[2].Value, v.Members[2].QoQ, v.Members[2].YoY = signed(d.Net.Value), net(d.Net.QoQ), net(d.Net.YoY)
	v.Admissions = []row{metric("a_quarter", d.Admissions), metric("a_ytd", d.AdmissionsYTD), {Label: tr(lang, "a_target"), Value: num(d.Target), QoQ: "", YoY: ""}}
	v.Admissions[1].QoQ = ""
	v.Readmitted = fmt.Sprintf(tr(lang, "a_readmitted"), num(d.Readmitted))
	switch {
	case !d.ProgressOK:
		v.Progress = tr(lang, "no_target")
	case d.Progress > 100:
		v.Progress = fmt.Sprintf(tr(lang, "progress_over"), num(d.AdmissionsYTD.Value), num(d.Target), pct(d.Progress), pct(d.Progress-100))
	default:
		v.Progress = fmt.Sprintf(tr(lang, "progress"), num(d.AdmissionsYTD.Value), num(d.Target), pct(d.Progress))
	}
	for _, s := range []struct {
		k string
		s Share
	}{{"sh_women", d.Women}, {"sh_youth", d.Youth}, {"sh_minority", d.Minority}, {"sh_religious", d.Religious}, {"sh_nonstate", d.NonState}} {
		val := "—"
		if s.s.Den > 0 {
			val = fmt.Sprintf("%s (%s/%s)", pct(s.s.Pct()), num(s.s.Num), num(s.s.Den))
		}
		v.Shares = append(v.Shares, row{Label: tr(lang, s.k), Value: val, QoQ: pp(s.s.QoQ, s.s.QoQOK), YoY: pp(s.s.YoY, s.s.YoYOK)})
	}
	rank := func(us []Unit) []unitLine {
		var out []unitLine
		for _, u := range us {
			out = append(out, unitLine{Code: u.Code, Name: u.Name, Note: fmt.Sprintf("%s (%s/%s)", pct(u.Progress), num(u.YTD), num(u.Target))})
		}
		return out
	}
	v.Top, v.Bottom = rank(d.Top), rank(d.Bottom)
	if len(d.ZeroAdmissionUnits) > 0 {
		v.Zero = fmt.Sprintf(tr(lang, "zero"), len(d.ZeroAdmissionUnits))
	}
	for _, t := range d.Transfers {
		v.Transfers = append(v.Transfers, trow{codeLabel(lang, t.Scope), num(t.In), num(t.Out), signed(t.In - t.Out)})
	}
	v.TransferTotals = []row{metric("t_in_total", d.TransferIn), metric("t_out_total", d.TransferOut), metric("t_temp_in", d.TempIn), metric("t_temp_out", d.TempOut)}
	v.Unmatched = fmt.Sprintf(tr(lang, "t_unmatched"), num(d.UnmatchedLetters))
	v.Superv = []row{metric("g_superv", d.Supervision), metric("g_inspect", d.Inspection), metric("g_disc", d.DisciplineTotal)}
	for _, t := range d.SupervisionByActor {
		v.ByActor = append(v.ByActor, trow{codeLabel(lang, t.Keys[0]), codeLabel(lang, t.Keys[1]), codeLabel(lang, t.Keys[2]), num(t.N)})
	}
	for _, t := range d.SupervisionBySubject {
		v.BySubject = append(v.BySubject, trow{codeLabel(lang, t.Keys[0]), codeLabel(lang, t.Keys[1]), num(t.N), ""})
	}
	for _, t := range d.DisciplineByForm {
		v.Discipline = append(v.Discipline, trow{codeLabel(lang, t.Keys[0]), codeLabel(lang, t.Keys[1]), num(t.N), ""})
	}
	v.Warnings = fmt.Sprintf(tr(lang, "q_warnings"), num(d.Warnings))
	for _, u := range d.WarningUnits[:min(10, len(d.WarningUnits))] {
		v.WarnUnits = append(v.WarnUnits, unitLine{Code: u.Code, Name: u.Name, Note: num(u.Warnings)})
	}
	for _, u := range d.BalanceMismatches {
		v.Mismatch = append(v.Mismatch, unitLine{Code: u.Code, Name: u.Name, Note: fmt.Sprintf(tr(lang, "q_mismatch_line"), num(u.Start), num(u.End))})
	}
	for _, p := range d.People {
		kind := tr(lang, "p_probation")
		if p.Kind == PersonUnmatchedTransfer {
			kind = tr(lang, "p_unmatched")
		}
		v.People = append(v.People, trow{orgName(d, p.Org), kind, p.Name, strings.TrimSpace(p.Detail + " " + locale.Date(p.Date))})
	}
	return v
}

func orgName(d *Digest, code string) string {
	if o, ok := d.Orgs[code]; ok && o.Name != "" {
		return o.Name
	}
	return code
}

// safeName keeps letters, digits, - and _ of a code, for file names.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

const textBody = `{{.Title}}
{{.Scope}}
{{.Cutoff}}
{{if .Greeting}}
{{.Greeting}}
{{end}}{{if .Restated}}
!! {{.T.restated}}
{{.T.restated_intro}}
{{range .Restated}}- {{.}}
{{end}}{{end}}
{{.T.s_complete}}
{{.CompLine}}
{{range .Completeness}}- {{.Label}}: {{.Value}} ({{.QoQ}})
{{end}}{{if .Missing}}{{.T.missing_list}}:
{{range .Missing}}- {{.Name}} ({{.Code}}): {{.Note}}
{{end}}{{end}}{{if .Late}}{{.T.late_list}}:
{{range .Late}}- {{.Name}} ({{.Code}})
{{end}}{{end}}
{{.T.s_members}}  [{{.QoQHead}} | {{.YoYHead}}]
{{range .Members}}- {{.Label}}: {{.Value}} | {{.QoQ}} | {{.YoY}}
{{end}}
{{.T.s_admissions}}  [{{.QoQHead}} | {{.YoYHead}}]
{{range .Admissions}}- {{.Label}}: {{.Value}} | {{or .QoQ "·"}} | {{or .YoY "·"}}
{{end}}  {{.Readmitted}}
  {{.Progress}}
{{.T.shares}}:
{{range .Shares}}- {{.Label}}: {{.Value}} | {{.QoQ}} | {{.YoY}}
{{end}}{{if .Top}}{{.T.top}}:
{{range .Top}}- {{.Name}}: {{.Note}}
{{end}}{{end}}{{if .Bottom}}{{.T.bottom}}:
{{range .Bottom}}- {{.Name}}: {{.Note}}
{{end}}{{end}}{{if .Zero}}{{.Zero}}
{{end}}
{{.T.s_transfers}}
{{range .Transfers}}- {{.A}}: {{$.T.t_in}} {{.B}}, {{$.T.t_out}} {{.C}}, {{$.T.t_net}} {{.D}}
{{end}}{{range .TransferTotals}}- {{.Label}}: {{.Value}} | {{.QoQ}} | {{.YoY}}
{{end}}{{.Unmatched}}

{{.T.s_superv}}
{{range .Superv}}- {{.Label}}: {{.Value}} | {{.QoQ}} | {{.YoY}}
{{end}}{{range .ByActor}}  {{.A}} – {{.B}} – {{.C}}: {{.D}}
{{end}}{{range .Discipline}}  {{$.T.g_disc}} {{.A}} – {{.B}}: {{.C}}
{{end}}
{{.T.s_quality}}
{{.Warnings}}
{{range .WarnUnits}}- {{.Name}} ({{.Code}}): {{.Note}}
{{end}}{{if .Mismatch}}{{.T.q_mismatch}}:
{{range .Mismatch}}- {{.Name}} ({{.Code}}): {{.Note}}
{{end}}{{else}}{{.T.q_none}}
{{end}}{{if .People}}
{{.T.s_people}}
{{range .People}}- {{.A}}: {{.B}}: {{.C}} {{.D}}
{{end}}{{end}}
{{.LFL}}
{{.Attachment}}
--
{{.T.footer}}
`

const htmlBody = `<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Title}}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7"><tr><td align="center" style="padding:16px">
<table role="presentation" width="760" cellpadding="0" cellspacing="0" style="max-width:760px;background:#ffffff;border:1px solid #dde1e6;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;color:#1f2328">
<tr><td style="background:#8b1c1c;color:#ffffff;padding:16px 20px">
<div style="font-size:20px;font-weight:bold">{{.Title}}</div>
<div style="font-size:13px;margin-top:4px">{{.Scope}}</div>
<div style="font-size:12px;margin-top:2px;color:#f3d9d9">{{.Cutoff}}</div>
</td></tr>
<tr><td style="padding:16px 20px">
{{if .Greeting}}<p style="margin:0 0 12px 0">{{.Greeting}}</p>{{end}}
{{if .Restated}}<div style="border:1px solid #d4a017;background:#fff8e1;padding:8px 12px;margin-bottom:14px"><b>{{.T.restated}}</b><br>{{.T.restated_intro}}<ul style="margin:6px 0 0 18px;padding:0">{{range .Restated}}<li>{{.}}</li>{{end}}</ul></div>{{end}}

<h2 style="font-size:16px;color:#8b1c1c;margin:8px 0 6px 0">{{.T.s_complete}}</h2>
<p style="margin:0 0 8px 0;font-size:15px"><b>{{.CompLine}}</b></p>
<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px">
{{range .Completeness}}<tr><td style="border-bottom:1px solid #eceff2">{{.Label}}</td><td align="right" style="border-bottom:1px solid #eceff2"><b>{{.Value}}</b></td><td align="right" style="border-bottom:1px solid #eceff2;color:#57606a">{{.QoQ}}</td></tr>
{{end}}</table>
{{if .Missing}}<p style="margin:10px 0 4px 0"><b>{{.T.missing_list}}</b></p>
<ul style="margin:0 0 0 18px;padding:0;font-size:13px">{{range .Missing}}<li>{{.Name}} ({{.Code}}): {{.Note}}</li>{{end}}</ul>{{end}}
{{if .Late}}<p style="margin:10px 0 4px 0"><b>{{.T.late_list}}</b></p>
<ul style="margin:0 0 0 18px;padding:0;font-size:13px">{{range .Late}}<li>{{.Name}} ({{.Code}})</li>{{end}}</ul>{{end}}

<h2 style="font-size:16px;color:#8b1c1c;margin:18px 0 6px 0">{{.T.s_members}}</h2>
{{template "metrics" (pair . .Members)}}

<h2 style="font-size:16px;color:#8b1c1c;margin:18px 0 6px 0">{{.T.s_admissions}}</h2>
{{template "metrics" (pair . .Admissions)}}
<p style="margin:8px 0 2px 0;font-size:15px"><b>{{.Progress}}</b></p>
<p style="margin:0 0 8px 0;color:#57606a;font-size:12px">{{.Readmitted}}</p>
<img src="cid:{{.ChartCID}}" width="720" height="320" alt="{{.ChartAlt}}" style="display:block;width:100%;max-width:720px;height:auto;border:1px solid #eceff2">
<p style="margin:12px 0 4px 0"><b>{{.T.shares}}</b></p>
{{template "metrics" (pair . .Shares)}}
{{if .Top}}<table cellpadding="0" cellspacing="0" width="100%" style="margin-top:10px"><tr>
<td valign="top" width="50%" style="padding-right:8px"><b>{{.T.top}}</b><ol style="margin:4px 0 0 20px;padding:0;font-size:13px">{{range .Top}}<li>{{.Name}}: {{.Note}}</li>{{end}}</ol></td>
<td valign="top" width="50%">{{if .Bottom}}<b>{{.T.bottom}}</b><ol style="margin:4px 0 0 20px;padding:0;font-size:13px">{{range .Bottom}}<li>{{.Name}}: {{.Note}}</li>{{end}}</ol>{{end}}</td>
</tr></table>{{end}}
{{if .Zero}}<p style="margin:6px 0;color:#8b1c1c;font-size:13px">{{.Zero}}</p>{{end}}

<h2 style="font-size:16px;color:#8b1c1c;margin:18px 0 6px 0">{{.T.s_transfers}}</h2>
<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px">
<tr style="background:#f0f2f5"><th align="left">{{.T.t_scope}}</th><th align="right">{{.T.t_in}}</th><th align="right">{{.T.t_out}}</th><th align="right">{{.T.t_net}}</th></tr>
{{range .Transfers}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.B}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.C}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.D}}</td></tr>
{{else}}<tr><td colspan="4">{{.T.none}}</td></tr>{{end}}</table>
<div style="height:8px"></div>
{{template "metrics" (pair . .TransferTotals)}}
<p style="margin:6px 0;font-size:13px">{{.Unmatched}}</p>

<h2 style="font-size:16px;color:#8b1c1c;margin:18px 0 6px 0">{{.T.s_superv}}</h2>
{{template "metrics" (pair . .Superv)}}
{{if .ByActor}}<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;margin-top:8px">
<tr style="background:#f0f2f5"><th align="left">{{.T.g_actor}}</th><th align="left">{{.T.g_activity}}</th><th align="left">{{.T.g_form}}</th><th align="right">{{.T.count}}</th></tr>
{{range .ByActor}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td style="border-bottom:1px solid #eceff2">{{.B}}</td><td style="border-bottom:1px solid #eceff2">{{.C}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.D}}</td></tr>
{{end}}</table>{{end}}
{{if .BySubject}}<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;margin-top:8px">
<tr style="background:#f0f2f5"><th align="left">{{.T.g_activity}}</th><th align="left">{{.T.g_subject}}</th><th align="right">{{.T.count}}</th></tr>
{{range .BySubject}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td style="border-bottom:1px solid #eceff2">{{.B}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.C}}</td></tr>
{{end}}</table>{{end}}
{{if .Discipline}}<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;margin-top:8px">
<tr style="background:#f0f2f5"><th align="left">{{.T.g_disc}}: {{.T.g_form}}</th><th align="left">{{.T.g_subject}}</th><th align="right">{{.T.count}}</th></tr>
{{range .Discipline}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td style="border-bottom:1px solid #eceff2">{{.B}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.C}}</td></tr>
{{end}}</table>{{end}}

<h2 style="font-size:16px;color:#8b1c1c;margin:18px 0 6px 0">{{.T.s_quality}}</h2>
<p style="margin:0 0 6px 0;font-size:13px">{{.Warnings}}</p>
{{if .WarnUnits}}<ul style="margin:0 0 6px 18px;padding:0;font-size:13px">{{range .WarnUnits}}<li>{{.Name}} ({{.Code}}): {{.Note}}</li>{{end}}</ul>{{end}}
{{if .Mismatch}}<p style="margin:0 0 4px 0;font-size:13px"><b>{{.T.q_mismatch}}</b></p><ul style="margin:0 0 0 18px;padding:0;font-size:13px">{{range .Mismatch}}<li>{{.Name}} ({{.Code}}): {{.Note}}</li>{{end}}</ul>
{{else}}<p style="margin:0;font-size:13px">{{.T.q_none}}</p>{{end}}

{{if .People}}<h2 style="font-size:16px;color:#8b1c1c;margin:18px 0 6px 0">{{.T.s_people}}</h2>
<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px">
<tr style="background:#f0f2f5"><th align="left">{{.T.unit}}</th><th align="left"></th><th align="left"></th><th align="left"></th></tr>
{{range .People}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td style="border-bottom:1px solid #eceff2">{{.B}}</td><td style="border-bottom:1px solid #eceff2">{{.C}}</td><td style="border-bottom:1px solid #eceff2">{{.D}}</td></tr>
{{end}}</table>{{end}}

<p style="margin:18px 0 4px 0;color:#57606a;font-size:12px">{{.LFL}}</p>
<p style="margin:0;color:#57606a;font-size:12px">{{.Attachment}}</p>
</td></tr>
<tr><td style="padding:10px 20px;border-top:1px solid #dde1e6;color:#8c959f;font-size:11px">{{.T.footer}}</td></tr>
</table></td></tr></table>
</body></html>
{{define "metrics"}}<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px">
<tr style="background:#f0f2f5"><th align="left">{{.V.T.figure}}</th><th align="right">{{.V.T.value}}</th><th align="right">{{.V.QoQHead}}</th><th align="right">{{.V.YoYHead}}</th></tr>
{{range .Rows}}<tr><td style="border-bottom:1px solid #eceff2">{{.Label}}</td><td align="right" style="border-bottom:1px solid #eceff2"><b>{{.Value}}</b></td><td align="right" style="border-bottom:1px solid #eceff2">{{.QoQ}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.YoY}}</td></tr>
{{end}}</table>{{end}}`

type pairT struct {
	V    *view
	Rows []row
}

var (
	textTmpl = template.Must(template.New("text").Parse(textBody))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Funcs(htmltemplate.FuncMap{
		"pair": func(v *view, rows []row) pairT { return pairT{V: v, Rows: rows} },
	}).Parse(htmlBody))
)
