package digest

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"

	"github.com/returns-project/returns/etl/domain"
	"github.com/returns-project/returns/etl/facts"
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

type row struct{ ID, Label, Value, QoQ, YoY string }

type unitLine struct{ Code, Name, Note string }

type trow struct{ A, B, C, D string }

type keyRow struct{ ID, Label, Value, Change string }

type view struct {
	Lang, Title, Subject, Greeting, Scope, Cutoff string
	QoQHead, YoYHead, LFL, KeyHead                string
	T                                             map[string]string
	Empty                                         string
	Keys                                          []keyRow
	Restated                                      []string
	CompLine                                      string
	Completeness                                  []row
	Missing, Late                                 []unitLine
	MissingMore, LateMore                         string
	Members, Left, Admissions, Shares             []row
	Readmitted, Progress                          string
	Top, Bottom                                   []unitLine
	Zero                                          string
	Transfers                                     []trow
	TransferTotals                                []row
	Unmatched                                     string
	Superv, Outcomes, Disciplines                 []row
	ByActor, BySubject, Discipline, DiscBody      []trow
	Warnings                                      string
	WarnUnits                                     []unitLine
	Mismatch                                      []unitLine
	People                                        []trow
	ChartCID, ChartAlt, Attachment, XLSXName      string
	// B are the headings of the tables, from [Breakdowns].
	B map[string]string
}

// ListCap is how many late or missing organisations the body lists; the
// attachment lists them all.
const ListCap = 10

// formatter prints the digest's numbers and comparisons in one language.
type formatter struct {
	lang string
	d    *Digest
}

func (f formatter) num(n int) string { return locale.Int(f.lang, int64(n)) }

func (f formatter) pct(x float64) string { return locale.Percent(f.lang, x) }

func (f formatter) signed(n int) string {
	if n > 0 {
		return "+" + f.num(n)
	}
	return f.num(n)
}

func (f formatter) signedPct(x float64) string {
	p := locale.Decimal(f.lang, x, 2) + "%"
	if x > 0 {
		p = "+" + p
	}
	return p
}

func (f formatter) pp(x float64) string {
	s := locale.Decimal(f.lang, x, 2)
	if x > 0 {
		s = "+" + s
	}
	return s + " " + tr(f.lang, "pp")
}

func (f formatter) ratio(a, b int) string {
	if b == 0 {
		return "—"
	}
	return f.pct(100 * float64(a) / float64(b))
}

// quarterRange is "Q2–Q3" (consecutive) or "Q1, Q3".
func quarterRange(qs []int) string {
	if len(qs) == 0 {
		return ""
	}
	consecutive := true
	for i := 1; i < len(qs); i++ {
		consecutive = consecutive && qs[i] == qs[i-1]+1
	}
	if len(qs) == 1 {
		return fmt.Sprintf("Q%d", qs[0])
	}
	if consecutive {
		return fmt.Sprintf("Q%d–Q%d", qs[0], qs[len(qs)-1])
	}
	parts := make([]string, len(qs))
	for i, q := range qs {
		parts[i] = fmt.Sprintf("Q%d", q)
	}
	return strings.Join(parts, ", ")
}

// YTDLabel is how a restricted year-to-date comparison is labelled:
// "Q2–Q3 so với Q2–Q3/2024" (vi), "Q2–Q3 vs Q2–Q3 2024" (en).
func YTDLabel(lang string, quarters []int, baseYear int) string {
	r := quarterRange(quarters)
	return fmt.Sprintf(tr(lang, "ytd_partial"), r, r, baseYear)
}

// change prints a comparison: the change, its percentage and the base;
// the percentage alone is "—" on a base of 0; "— (no return)" when no
// organisation has figures in both periods. A net change has no
// percentage. A year to date restricted to the common quarters says so.
func (f formatter) change(def Definition, c Change) string {
	if !c.HasBase() {
		if def.Kind == KindYTD {
			return fmt.Sprintf(tr(f.lang, "ytd_none"), f.d.Quarter.Year-1)
		}
		return tr(f.lang, "no_base")
	}
	var s string
	if def.Kind == KindNet {
		s = fmt.Sprintf(tr(f.lang, "chg_net"), f.signed(c.Delta()), f.signed(c.Base))
	} else {
		p := "—"
		if c.OK {
			p = f.signedPct(c.Pct())
		}
		s = fmt.Sprintf(tr(f.lang, "chg"), f.signed(c.Delta()), p, f.num(c.Base))
	}
	if c.Partial {
		s = YTDLabel(f.lang, c.Quarters, f.d.Quarter.Year-1) + ": " + f.num(c.Cur) + ", " + s
	}
	return s
}

// value prints a figure's value of this quarter.
func (f formatter) value(def Definition) string {
	d := f.d
	switch def.Kind {
	case KindNet:
		return f.signed(d.Values[def.ID].Value)
	case KindShare:
		s := d.Shares[def.ID]
		if s.Den == 0 {
			return "—"
		}
		return fmt.Sprintf("%s (%s/%s)", f.pct(s.Pct()), f.num(s.Num), f.num(s.Den))
	case KindProgress:
		if !d.ProgressOK {
			return fmt.Sprintf("%s (%s)", f.num(d.AdmissionsYTD.Value), tr(f.lang, "no_target_short"))
		}
		return fmt.Sprintf("%s/%s (%s)", f.num(d.AdmissionsYTD.Value), f.num(d.Target), f.pct(d.Progress))
	case KindReturns:
		return f.num(d.Values[def.ID].Value)
	}
	return f.num(d.Values[def.ID].Value)
}

// row is a definition's line in a section table.
func (f formatter) row(def Definition) row {
	r := row{ID: def.ID, Label: tr2(f.lang, def.Label), Value: f.value(def)}
	switch def.Kind {
	case KindSum, KindNet, KindRows:
		m := f.d.Values[def.ID]
		r.QoQ, r.YoY = f.change(def, m.QoQ), f.change(def, m.YoY)
	case KindYTD:
		r.YoY = f.change(def, f.d.Values[def.ID].YoY)
	case KindShare:
		s := f.d.Shares[def.ID]
		r.QoQ, r.YoY = "—", "—"
		if s.QoQOK {
			r.QoQ = f.pp(s.QoQ)
		}
		if s.YoYOK {
			r.YoY = f.pp(s.YoY)
		}
	}
	return r
}

// keyRow is a figure of the key-figures box with its change against the
// previous quarter.
func (f formatter) keyRow(def Definition) keyRow {
	d := f.d
	k := keyRow{ID: def.ID, Label: tr2(f.lang, def.Label), Value: f.value(def)}
	switch def.Kind {
	case KindProgress:
		k.Change = f.signed(d.Admissions.Value)
		if d.ProgressOK {
			k.Change += " (" + f.pp(100*float64(d.Admissions.Value)/float64(d.Target)) + ")"
		}
	case KindReturns:
		cm, pm := d.Completeness, d.PrevCompleteness
		k.Value = fmt.Sprintf("%s/%s (%s)", f.num(d.Values[def.ID].Value), f.num(cm.Expected), f.ratio(d.Values[def.ID].Value, cm.Expected))
		if pm.Expected == 0 {
			k.Change = tr(f.lang, "no_base")
			break
		}
		n := pm.OnTime
		k.Change = f.signed(d.Values[def.ID].Value - n)
		if cm.Expected > 0 {
			k.Change += " (" + f.pp(100*float64(d.Values[def.ID].Value)/float64(cm.Expected)-100*float64(n)/float64(pm.Expected)) + ")"
		}
		k.Change += " " + fmt.Sprintf(tr(f.lang, "from"), f.num(n)+"/"+f.num(pm.Expected))
	default:
		k.Change = f.change(def, d.Values[def.ID].QoQ)
	}
	return k
}

func (f formatter) section(s Section) []row {
	var out []row
	for _, def := range inSection(s) {
		out = append(out, f.row(def))
	}
	return out
}

// newView is the digest as the mail's templates show it, in a language,
// greeting name (none: no greeting).
func newView(d *Digest, lang, name string) *view {
	f := formatter{lang: lang, d: d}
	v := f.viewHeader(name)
	v.Keys = f.viewKeys()
	v.Restated = f.viewRestated()
	f.viewCompleteness(v)
	f.viewAdmissions(v)
	f.viewTransfers(v)
	f.viewSupervision(v)
	f.viewQuality(v)
	v.People = f.viewPeople()
	return v
}

// quarter is a quarter's name in the formatter's language.
func (f formatter) quarter(q domain.Quarter) string { return locale.Quarter(f.lang, q.Year, q.Q) }

// viewHeader is the view with what frames the figures filled in: title,
// subject, scope, cut-off, column heads, attachment, the translated texts
// and breakdown labels, greeting and the note of an empty quarter.
func (f formatter) viewHeader(name string) *view {
	d, lang := f.d, f.lang
	period := f.quarter(d.Quarter)
	cm := d.Completeness
	v := &view{Lang: lang, T: map[string]string{},
		Title:    fmt.Sprintf(tr(lang, "title"), period, d.Scope.Name),
		Subject:  fmt.Sprintf(tr(lang, "subject"), period, d.Scope.Name, cm.Reported, cm.Expected),
		Scope:    fmt.Sprintf(tr(lang, "scope"), d.Scope.Name, d.Scope.Code, d.Below),
		Cutoff:   fmt.Sprintf(tr(lang, "cutoff"), locale.DateTime(d.Cutoff, d.Zone), d.due()),
		QoQHead:  fmt.Sprintf(tr(lang, "qoq"), f.quarter(d.Prev)),
		YoYHead:  fmt.Sprintf(tr(lang, "yoy"), f.quarter(d.YearAgo)),
		KeyHead:  fmt.Sprintf(tr(lang, "qoq"), f.quarter(d.Prev)),
		LFL:      tr(lang, "lfl"),
		ChartCID: ChartCID, ChartAlt: tr(lang, "chart_alt"),
		XLSXName: fmt.Sprintf("BaoCaoNhanh_%s_%d-Q%d.xlsx", SafeName(d.Scope.Code), d.Quarter.Year, d.Quarter.Q),
	}
	if d.Cutoff.Year() < 2000 {
		// No load at all in the scope: no cut-off to state.
		v.Cutoff = fmt.Sprintf(tr(lang, "cutoff_none"), d.due())
	}
	v.Attachment = fmt.Sprintf(tr(lang, "attachment"), v.XLSXName)
	for k := range texts {
		v.T[k] = tr(lang, k)
	}
	v.B = map[string]string{}
	for _, t := range Breakdowns {
		v.B[t.ID] = tr2(lang, t.Label)
	}
	if name != "" {
		v.Greeting = fmt.Sprintf(tr(lang, "greeting"), name)
	}
	if d.Empty {
		v.Empty = fmt.Sprintf(tr(lang, "empty"), period)
	}
	return v
}

// viewKeys are the rows of the key-figures box, in the order of
// [KeyFigures].
func (f formatter) viewKeys() []keyRow {
	var keys []keyRow
	for _, id := range KeyFigures {
		if def, ok := DefinitionOf(id); ok {
			keys = append(keys, f.keyRow(def))
		}
	}
	return keys
}

// viewRestated are the lines on returns restated since the last digest.
func (f formatter) viewRestated() []string {
	d := f.d
	var lines []string
	for _, r := range d.Restatements {
		lines = append(lines, fmt.Sprintf(tr(f.lang, "restated_line"), orgName(d, r.Org), f.quarter(r.Quarter), r.Version, locale.DateTime(r.LoadedAt, d.Zone)))
	}
	return lines
}

// viewCompleteness fills in the completeness section: its line, its
// figures and the missing and late lists, each capped at [ListCap].
func (f formatter) viewCompleteness(v *view) {
	d, lang := f.d, f.lang
	cm := d.Completeness
	v.CompLine = fmt.Sprintf(tr(lang, "complete_line"), cm.Reported, cm.Expected, f.ratio(cm.Reported, cm.Expected), cm.OnTime, f.ratio(cm.OnTime, cm.Expected))
	for _, def := range inSection(SecComplete) {
		n := d.Values[def.ID].Value
		v.Completeness = append(v.Completeness, row{ID: def.ID, Label: tr2(lang, def.Label), Value: f.num(n), QoQ: f.ratio(n, cm.Expected)})
	}
	for i, u := range cm.MissingUnits {
		if i == ListCap {
			v.MissingMore = fmt.Sprintf(tr(lang, "and_more"), len(cm.MissingUnits)-ListCap)
			break
		}
		note := tr(lang, "not_received")
		if u.Reason != "" {
			note = fmt.Sprintf(tr(lang, "rejected_reason"), u.Reason)
		}
		v.Missing = append(v.Missing, unitLine{Code: u.Code, Name: u.Name, Note: note})
	}
	for i, u := range cm.LateUnits {
		if i == ListCap {
			v.LateMore = fmt.Sprintf(tr(lang, "and_more"), len(cm.LateUnits)-ListCap)
			break
		}
		v.Late = append(v.Late, unitLine{Code: u.Code, Name: u.Name})
	}
}

// viewAdmissions fills in the members, left, admissions and shares
// sections: the admissions figures, readmissions, the progress towards
// the target and the top and bottom organisations by progress.
func (f formatter) viewAdmissions(v *view) {
	d, lang, num := f.d, f.lang, f.num
	v.Members = f.section(SecMembers)
	v.Left = f.section(SecLeft)
	for _, def := range inSection(SecAdmissions) {
		if def.Kind != KindProgress {
			v.Admissions = append(v.Admissions, f.row(def))
		}
	}
	v.Readmitted = fmt.Sprintf(tr(lang, "a_readmitted"), num(d.Readmitted))
	switch {
	case !d.ProgressOK:
		v.Progress = tr(lang, "no_target")
	case d.Progress > 100:
		v.Progress = fmt.Sprintf(tr(lang, "progress_over"), num(d.AdmissionsYTD.Value), num(d.Target), f.pct(d.Progress), f.pct(d.Progress-100))
	default:
		v.Progress = fmt.Sprintf(tr(lang, "progress"), num(d.AdmissionsYTD.Value), num(d.Target), f.pct(d.Progress))
	}
	v.Shares = f.section(SecShares)
	v.Top, v.Bottom = f.progressLines(d.Top), f.progressLines(d.Bottom)
	if len(d.ZeroAdmissionUnits) > 0 {
		v.Zero = fmt.Sprintf(tr(lang, "zero"), len(d.ZeroAdmissionUnits))
	}
}

// progressLines are organisations with their progress towards the
// admissions target: percentage (year to date/target).
func (f formatter) progressLines(us []Unit) []unitLine {
	var out []unitLine
	for _, u := range us {
		out = append(out, unitLine{Code: u.Code, Name: u.Name, Note: fmt.Sprintf("%s (%s/%s)", f.pct(u.Progress), f.num(u.YTD), f.num(u.Target))})
	}
	return out
}

// viewTransfers fills in the transfers section: in, out and net by scope,
// the totals and the unmatched letters.
func (f formatter) viewTransfers(v *view) {
	d := f.d
	for _, t := range d.Transfers {
		v.Transfers = append(v.Transfers, trow{codeLabel(f.lang, t.Scope), f.num(t.In), f.num(t.Out), f.signed(t.In - t.Out)})
	}
	v.TransferTotals = f.section(SecTransfers)
	v.Unmatched = fmt.Sprintf(tr(f.lang, "t_unmatched"), f.num(d.UnmatchedLetters))
}

// viewSupervision fills in the supervision, outcomes and discipline
// sections and their breakdowns (by actor, subject, form and body).
func (f formatter) viewSupervision(v *view) {
	d, lang, num := f.d, f.lang, f.num
	v.Superv = f.section(SecSuperv)
	v.Outcomes = f.section(SecOutcomes)
	v.Disciplines = f.section(SecDiscipline)
	for _, t := range d.SupervisionByActor {
		v.ByActor = append(v.ByActor, trow{codeLabel(lang, t.Keys[0]), codeLabel(lang, t.Keys[1]), codeLabel(lang, t.Keys[2]), num(t.N)})
	}
	for _, t := range d.SupervisionBySubject {
		v.BySubject = append(v.BySubject, trow{codeLabel(lang, t.Keys[0]), codeLabel(lang, t.Keys[1]), num(t.N), ""})
	}
	for _, t := range d.DisciplineByForm {
		v.Discipline = append(v.Discipline, trow{codeLabel(lang, t.Keys[0]), codeLabel(lang, t.Keys[1]), num(t.N), ""})
	}
	for _, t := range d.DisciplineByBody {
		v.DiscBody = append(v.DiscBody, trow{codeLabel(lang, t.Keys[0]), originLabel(lang, t.Keys[1]), num(t.N), ""})
	}
}

// viewQuality fills in the data quality section: the warnings, the ten
// organisations with the most and the balance mismatches.
func (f formatter) viewQuality(v *view) {
	d, num := f.d, f.num
	v.Warnings = fmt.Sprintf(tr(f.lang, "q_warnings"), num(d.Warnings))
	for _, u := range d.WarningUnits[:min(10, len(d.WarningUnits))] {
		v.WarnUnits = append(v.WarnUnits, unitLine{Code: u.Code, Name: u.Name, Note: num(u.Warnings)})
	}
	for _, u := range d.BalanceMismatches {
		v.Mismatch = append(v.Mismatch, unitLine{Code: u.Code, Name: u.Name, Note: fmt.Sprintf(tr(f.lang, "q_mismatch_line"), num(u.Start), num(u.End))})
	}
}

// viewPeople are the people to act on (only with personal data).
func (f formatter) viewPeople() []trow {
	d, lang := f.d, f.lang
	var people []trow
	for _, p := range d.People {
		kind := tr(lang, "p_probation")
		if p.Kind == facts.PersonUnmatchedTransfer {
			kind = tr(lang, "p_unmatched")
		}
		people = append(people, trow{orgName(d, p.Org), kind, p.Name, strings.TrimSpace(p.Detail + " " + locale.Date(p.Date))})
	}
	return people
}

func orgName(d *Digest, code string) string {
	if o, ok := d.Orgs[code]; ok && o.Name != "" {
		return o.Name
	}
	return code
}

// SafeName keeps the ASCII letters, digits, - and _ of a code and turns
// every other character into _, for file and folder names.
func SafeName(s string) string {
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
{{end}}{{if .Empty}}
!! {{.Empty}}
{{end}}
{{.T.s_keys}}  [{{.KeyHead}}]
{{range .Keys}}- {{.Label}}: {{.Value}} | {{.Change}}
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
{{end}}{{if .MissingMore}}- {{.MissingMore}}
{{end}}{{end}}{{if .Late}}{{.T.late_list}}:
{{range .Late}}- {{.Name}} ({{.Code}})
{{end}}{{if .LateMore}}- {{.LateMore}}
{{end}}{{end}}
{{.T.s_members}}  [{{.QoQHead}} | {{.YoYHead}}]
{{template "rows" .Members}}{{.T.s_left}}:
{{template "rows" .Left}}
{{.T.s_admissions}}  [{{.QoQHead}} | {{.YoYHead}}]
{{template "rows" .Admissions}}  {{.Readmitted}}
  {{.Progress}}
{{.T.shares}}:
{{template "rows" .Shares}}{{if .Top}}{{.T.top}}:
{{range .Top}}- {{.Name}}: {{.Note}}
{{end}}{{end}}{{if .Bottom}}{{.T.bottom}}:
{{range .Bottom}}- {{.Name}}: {{.Note}}
{{end}}{{end}}{{if .Zero}}{{.Zero}}
{{end}}
{{.T.s_transfers}}
{{if .Transfers}}{{.B.transfers_by_scope}}:
{{end}}{{range .Transfers}}- {{.A}}: {{$.T.t_in}} {{.B}}, {{$.T.t_out}} {{.C}}, {{$.T.t_net}} {{.D}}
{{end}}{{template "rows" .TransferTotals}}{{.Unmatched}}

{{.T.s_superv}}  [{{.QoQHead}} | {{.YoYHead}}]
{{template "rows" .Superv}}{{if .ByActor}}{{.B.superv_by_actor}}:
{{end}}{{range .ByActor}}  {{.A}} – {{.B}} – {{.C}}: {{.D}}
{{end}}{{if .BySubject}}{{.B.superv_by_subject}}:
{{end}}{{range .BySubject}}  {{.A}} – {{.B}}: {{.C}}
{{end}}{{.T.s_outcomes}}:
{{template "rows" .Outcomes}}{{template "rows" .Disciplines}}{{if .Discipline}}{{.B.disciplines_by_form}}:
{{end}}{{range .Discipline}}  {{$.T.g_disc}} {{.A}} – {{.B}}: {{.C}}
{{end}}{{if .DiscBody}}{{.B.disciplines_by_body}}:
{{end}}{{range .DiscBody}}  {{$.T.g_disc}} – {{$.T.g_body}} {{.A}} – {{.B}}: {{.C}}
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
{{define "rows"}}{{range .}}- {{.Label}}: {{.Value}} | {{or .QoQ "·"}} | {{or .YoY "·"}}
{{end}}{{end}}`

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
{{if .Empty}}<div style="border:1px solid #8b1c1c;background:#fdecec;padding:8px 12px;margin-bottom:14px"><b>{{.Empty}}</b></div>{{end}}
<h2 style="font-size:16px;color:#8b1c1c;margin:8px 0 6px 0">{{.T.s_keys}}</h2>
<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:14px;border:1px solid #dde1e6;margin-bottom:14px">
<tr style="background:#f0f2f5"><th align="left">{{.T.figure}}</th><th align="right">{{.T.value}}</th><th align="right">{{.KeyHead}}</th></tr>
{{range .Keys}}<tr><td style="border-bottom:1px solid #eceff2">{{.Label}}</td><td align="right" style="border-bottom:1px solid #eceff2"><b>{{.Value}}</b></td><td align="right" style="border-bottom:1px solid #eceff2">{{.Change}}</td></tr>
{{end}}</table>
{{if .Restated}}<div style="border:1px solid #d4a017;background:#fff8e1;padding:8px 12px;margin-bottom:14px"><b>{{.T.restated}}</b><br>{{.T.restated_intro}}<ul style="margin:6px 0 0 18px;padding:0">{{range .Restated}}<li>{{.}}</li>{{end}}</ul></div>{{end}}

<h2 style="font-size:16px;color:#8b1c1c;margin:8px 0 6px 0">{{.T.s_complete}}</h2>
<p style="margin:0 0 8px 0;font-size:15px"><b>{{.CompLine}}</b></p>
<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px">
{{range .Completeness}}<tr><td style="border-bottom:1px solid #eceff2">{{.Label}}</td><td align="right" style="border-bottom:1px solid #eceff2"><b>{{.Value}}</b></td><td align="right" style="border-bottom:1px solid #eceff2;color:#57606a">{{.QoQ}}</td></tr>
{{end}}</table>
{{if .Missing}}<p style="margin:10px 0 4px 0"><b>{{.T.missing_list}}</b></p>
<ul style="margin:0 0 0 18px;padding:0;font-size:13px">{{range .Missing}}<li>{{.Name}} ({{.Code}}): {{.Note}}</li>{{end}}{{if .MissingMore}}<li>{{.MissingMore}}</li>{{end}}</ul>{{end}}
{{if .Late}}<p style="margin:10px 0 4px 0"><b>{{.T.late_list}}</b></p>
<ul style="margin:0 0 0 18px;padding:0;font-size:13px">{{range .Late}}<li>{{.Name}} ({{.Code}})</li>{{end}}{{if .LateMore}}<li>{{.LateMore}}</li>{{end}}</ul>{{end}}

<h2 style="font-size:16px;color:#8b1c1c;margin:18px 0 6px 0">{{.T.s_members}}</h2>
{{template "metrics" (pair . .Members)}}
<p style="margin:10px 0 4px 0"><b>{{.T.s_left}}</b></p>
{{template "metrics" (pair . .Left)}}

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
<p style="margin:0 0 4px 0"><b>{{.B.transfers_by_scope}}</b></p>
<table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px">
<tr style="background:#f0f2f5"><th align="left">{{.T.t_scope}}</th><th align="right">{{.T.t_in}}</th><th align="right">{{.T.t_out}}</th><th align="right">{{.T.t_net}}</th></tr>
{{range .Transfers}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.B}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.C}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.D}}</td></tr>
{{else}}<tr><td colspan="4">{{.T.none}}</td></tr>{{end}}</table>
<div style="height:8px"></div>
{{template "metrics" (pair . .TransferTotals)}}
<p style="margin:6px 0;font-size:13px">{{.Unmatched}}</p>

<h2 style="font-size:16px;color:#8b1c1c;margin:18px 0 6px 0">{{.T.s_superv}}</h2>
{{template "metrics" (pair . .Superv)}}
<p style="margin:10px 0 4px 0"><b>{{.T.s_outcomes}}</b></p>
{{template "metrics" (pair . .Outcomes)}}
<div style="height:8px"></div>
{{template "metrics" (pair . .Disciplines)}}
{{if .ByActor}}<p style="margin:10px 0 4px 0"><b>{{.B.superv_by_actor}}</b></p><table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;margin-top:8px">
<tr style="background:#f0f2f5"><th align="left">{{.T.g_actor}}</th><th align="left">{{.T.g_activity}}</th><th align="left">{{.T.g_form}}</th><th align="right">{{.T.count}}</th></tr>
{{range .ByActor}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td style="border-bottom:1px solid #eceff2">{{.B}}</td><td style="border-bottom:1px solid #eceff2">{{.C}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.D}}</td></tr>
{{end}}</table>{{end}}
{{if .BySubject}}<p style="margin:10px 0 4px 0"><b>{{.B.superv_by_subject}}</b></p><table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;margin-top:8px">
<tr style="background:#f0f2f5"><th align="left">{{.T.g_activity}}</th><th align="left">{{.T.g_subject}}</th><th align="right">{{.T.count}}</th></tr>
{{range .BySubject}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td style="border-bottom:1px solid #eceff2">{{.B}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.C}}</td></tr>
{{end}}</table>{{end}}
{{if .Discipline}}<p style="margin:10px 0 4px 0"><b>{{.B.disciplines_by_form}}</b></p><table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;margin-top:8px">
<tr style="background:#f0f2f5"><th align="left">{{.T.g_disc}}: {{.T.g_form}}</th><th align="left">{{.T.g_subject}}</th><th align="right">{{.T.count}}</th></tr>
{{range .Discipline}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td style="border-bottom:1px solid #eceff2">{{.B}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.C}}</td></tr>
{{end}}</table>{{end}}
{{if .DiscBody}}<p style="margin:10px 0 4px 0"><b>{{.B.disciplines_by_body}}</b></p><table cellpadding="5" cellspacing="0" width="100%" style="border-collapse:collapse;font-size:13px;margin-top:8px">
<tr style="background:#f0f2f5"><th align="left">{{.T.g_disc}}: {{.T.g_body}}</th><th align="left">{{.T.g_origin}}</th><th align="right">{{.T.count}}</th></tr>
{{range .DiscBody}}<tr><td style="border-bottom:1px solid #eceff2">{{.A}}</td><td style="border-bottom:1px solid #eceff2">{{.B}}</td><td align="right" style="border-bottom:1px solid #eceff2">{{.C}}</td></tr>
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
