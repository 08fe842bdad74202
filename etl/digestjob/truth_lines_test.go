package digestjob_test

// The text and HTML bodies as the independent model expects them: lines,
// each found by an anchor (its label) and carrying the figures it must
// print, in order. Every number printed in a body must be claimed by one
// of these lines; every line must be printed.

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// tLabels are the digest's labels (vi, en), tCodeLabels name the codes in
// the tables (schemas/codelists): words, not arithmetic. They are written
// out again, on purpose, in testdata/truth_labels.json (not taken from
// etl/digest), so that the truth test recomputes every line on its own.
var tLabels, tCodeLabels = truthLabels()

func truthLabels() (labels, codes map[string][2]string) {
	data, err := os.ReadFile(filepath.Join("testdata", "truth_labels.json"))
	if err != nil {
		panic(err)
	}
	var t struct{ Labels, Codes map[string][2]string }
	if err := json.Unmarshal(data, &t); err != nil {
		panic(fmt.Errorf("testdata/truth_labels.json: %w", err))
	}
	return t.Labels, t.Codes
}

func lbl(lang, k string) string {
	if lang == "en" {
		return tLabels[k][1]
	}
	return tLabels[k][0]
}

func code(lang, c string) string {
	t, ok := tCodeLabels[c]
	if !ok {
		if c == "" {
			return "—"
		}
		return c
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// tLine is one expected line: where it is (anchor) and the figures it prints.
type tLine struct {
	id     string // names the figure(s) in reports
	anchor *regexp.Regexp
	tokens []string
	// must, when set, is what else the line must say (a label that
	// carries quarter arithmetic, or why there is no base).
	must []string
}

// body is "text" or "html".
type bodyKind string

const (
	bodyText bodyKind = "text"
	bodyHTML bodyKind = "html"
)

// rowAnchor finds a labelled row: "- Label: …" in text, "Label | …" in HTML.
func rowAnchor(b bodyKind, label string) *regexp.Regexp {
	if b == bodyText {
		return regexp.MustCompile(`^- ` + regexp.QuoteMeta(label) + `: `)
	}
	return regexp.MustCompile(`^` + regexp.QuoteMeta(label) + ` \| `)
}

// tChangeTokens are the figures of one comparison cell: the change, the
// change in percent ("—" for a base of 0) and the base; "—" alone when
// there is no base.
func tChangeTokens(lang string, c tChange) []string {
	if !c.has {
		return []string{"—"}
	}
	p, ok := c.pct()
	pct := "—"
	if ok {
		pct = fSignedPct(lang, p)
	}
	return []string{fSigned(lang, c.delta()), pct, fInt(lang, c.base)}
}

// tNetTokens: a net change is compared by its difference only, from its
// base (itself a signed difference).
func tNetTokens(lang string, c tChange) []string {
	if !c.has {
		return []string{"—"}
	}
	return []string{fSigned(lang, c.delta()), fSigned(lang, c.base)}
}

func ratioTok(lang string, a, b int) string {
	if b == 0 {
		return "—"
	}
	return fPct(lang, 100*float64(a)/float64(b))
}

func ppTok(lang string, x float64, ok bool) string {
	if !ok {
		return "—"
	}
	return fSignedDec(lang, x)
}

// expectLines lists the lines a body must print for digest d, in the order
// printed (a label printed twice, in the key figures and in its section, is
// found first in the key figures).
func expectLines(w *tWorld, d *tDigest, lang string, b bodyKind) []tLine {
	var out []tLine
	add := func(id string, anchor *regexp.Regexp, toks ...string) {
		out = append(out, tLine{id: id, anchor: anchor, tokens: toks})
	}
	row := func(id, key string, toks ...string) { add(id, rowAnchor(b, lbl(lang, key)), toks...) }
	prefix := func(s string) *regexp.Regexp { return regexp.MustCompile(`^` + regexp.QuoteMeta(s)) }
	contains := func(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }
	noBase := "(chưa có báo cáo)"
	if lang == "en" {
		noBase = "(no return)"
	}
	needs := func(cs ...tChange) {
		for _, c := range cs {
			if !c.has {
				out[len(out)-1].must = []string{noBase}
			}
		}
	}
	metric := func(id, key string, m tMetric) {
		row(id, key, append(append([]string{fInt(lang, m.value)}, tChangeTokens(lang, m.qoq)...), tChangeTokens(lang, m.yoy)...)...)
		needs(m.qoq, m.yoy)
	}
	net := func(id, key string, m tMetric) {
		row(id, key, append(append([]string{fSigned(lang, m.value)}, tNetTokens(lang, m.qoq)...), tNetTokens(lang, m.yoy)...)...)
		needs(m.qoq, m.yoy)
	}

	add("scope.below", prefix(lbl(lang, "scope")), fInt(lang, d.below))
	if len(d.rets) == 0 {
		empty := "Phạm vi này chưa có báo cáo nào được chấp nhận cho "
		if lang == "en" {
			empty = "No accepted return in this scope for "
		}
		add("empty_scope", contains(empty))
		out[len(out)-1].must = []string{qname(lang, d.q)}
	}

	// Key figures, each against the previous quarter.
	row("key.members_end", "m_end", append([]string{fInt(lang, d.end.value)}, tChangeTokens(lang, d.end.qoq)...)...)
	needs(d.end.qoq)
	if d.progressOK {
		row("key.admissions_progress", "k_progress", fInt(lang, d.ytd.value), fInt(lang, d.target), fPct(lang, d.progress),
			fSigned(lang, d.adm.value), fSignedDec(lang, 100*float64(d.adm.value)/float64(d.target)))
	} else {
		row("key.admissions_progress", "k_progress", fInt(lang, d.ytd.value), fSigned(lang, d.adm.value))
	}
	row("key.transfers_net", "t_net_total", append([]string{fSigned(lang, d.tnet.value)}, tNetTokens(lang, d.tnet.qoq)...)...)
	needs(d.tnet.qoq)
	row("key.disciplines", "g_disc", append([]string{fInt(lang, d.disc.value)}, tChangeTokens(lang, d.disc.qoq)...)...)
	needs(d.disc.qoq)
	onTime := []string{fInt(lang, d.onTime), fInt(lang, d.expected), ratioTok(lang, d.onTime, d.expected)}
	if d.prevExpected == 0 {
		onTime = append(onTime, "—")
	} else {
		onTime = append(onTime, fSigned(lang, d.onTime-d.prevOnTime))
		if d.expected > 0 {
			onTime = append(onTime, fSignedDec(lang, 100*float64(d.onTime)/float64(d.expected)-100*float64(d.prevOnTime)/float64(d.prevExpected)))
		}
		onTime = append(onTime, fInt(lang, d.prevOnTime), fInt(lang, d.prevExpected))
	}
	row("key.returns_on_time", "ontime", onTime...)

	// Restated figures: earlier quarters whose figures changed after the previous digest.
	for _, r := range d.restated {
		add(fmt.Sprintf("restated.%s.%d-Q%d", r.org, r.q.year(), r.q.qn()),
			contains(w.orgs[r.org].name+" – "+qname(lang, r.q)+": "), fInt(lang, w.versions[r.org][r.q]))
	}

	// 1. Completeness.
	complete := regexp.MustCompile(`^Đã nộp \d`)
	if lang == "en" {
		complete = contains(" returns in (")
	}
	add("completeness.line", complete, fInt(lang, d.reported), fInt(lang, d.expected),
		ratioTok(lang, d.reported, d.expected), fInt(lang, d.onTime), ratioTok(lang, d.onTime, d.expected))
	for _, x := range []struct {
		k string
		n int
	}{{"expected", d.expected}, {"reported", d.reported}, {"ontime", d.onTime}, {"late", d.late}, {"rejected", d.rejected}, {"missing", d.missing}} {
		row("completeness."+x.k, x.k, fInt(lang, x.n), ratioTok(lang, x.n, d.expected))
	}
	unit := func(id string, u tUnit, toks ...string) {
		s := u.name + " (" + u.code + ")"
		if b == bodyText {
			s = "- " + s
		}
		add(id+"."+u.code, prefix(s), toks...)
	}
	more := func(id string, n int) {
		s := fmt.Sprintf("và %d đơn vị khác", n)
		if lang == "en" {
			s = fmt.Sprintf("and %d more", n)
		}
		add(id, contains(s), fInt(lang, n))
	}
	for i, u := range d.missingUnits {
		if i == 10 {
			more("completeness.missing_more", len(d.missingUnits)-10)
			break
		}
		unit("completeness.missing_unit", u)
		note := map[bool]string{true: "chưa nhận được", false: "bị từ chối: " + u.reason}
		if lang == "en" {
			note = map[bool]string{true: "nothing received", false: "rejected: " + u.reason}
		}
		out[len(out)-1].must = []string{note[u.reason == ""]}
	}
	for i, u := range d.lateUnits {
		if i == 10 {
			more("completeness.late_more", len(d.lateUnits)-10)
			break
		}
		unit("completeness.late_unit", u)
	}

	// 2. Membership, and who left by reason.
	metric("members.start", "m_start", d.start)
	metric("members.end", "m_end", d.end)
	net("members.net", "m_net", d.net)
	metric("members.official", "m_official", d.official)
	metric("members.probationary", "m_prob", d.prob)
	metric("members.recognised", "m_recognised", d.recognised)
	for _, k := range []string{"deceased", "struck_off", "resigned", "expelled", "decrease_other"} {
		metric("left."+k, "l_"+k, d.left[k])
	}

	// 3. Admissions.
	metric("admissions.quarter", "a_quarter", d.adm)
	ytd := []string{fInt(lang, d.ytd.value)}
	if d.ytd.yoy.has && len(d.ytdQuarters) < d.q.qn() {
		ytd = append(ytd, fInt(lang, d.ytd.yoy.cur))
	}
	row("admissions.ytd", "a_ytd", append(ytd, tChangeTokens(lang, d.ytd.yoy)...)...)
	switch {
	case !d.ytd.yoy.has:
		none := fmt.Sprintf("năm %d không có báo cáo cùng quý", d.q.year()-1)
		if lang == "en" {
			none = fmt.Sprintf("%d has no returns for the same quarters", d.q.year()-1)
		}
		out[len(out)-1].must = []string{none}
	case len(d.ytdQuarters) < d.q.qn():
		out[len(out)-1].must = []string{ytdLabel(lang, d)}
	}
	row("admissions.target", "a_target", fInt(lang, d.target))
	add("admissions.readmitted", contains(lbl(lang, "a_readmitted")), fInt(lang, d.readmitted))
	if d.progressOK {
		toks := []string{fInt(lang, d.ytd.value), fInt(lang, d.target), fPct(lang, d.progress)}
		if d.progress > 100 {
			toks = append(toks, fPct(lang, d.progress-100))
		}
		add("admissions.progress", regexp.MustCompile(`^\s*`+regexp.QuoteMeta(lbl(lang, "progress"))+`\d`), toks...)
	}
	for _, s := range []struct {
		k string
		s tShare
	}{{"sh_women", d.women}, {"sh_youth", d.youth}, {"sh_minority", d.minority}, {"sh_religious", d.religious}, {"sh_nonstate", d.nonState}} {
		toks := []string{"—"}
		if s.s.den > 0 {
			toks = []string{fPct(lang, 100*float64(s.s.num)/float64(s.s.den)), fInt(lang, s.s.num), fInt(lang, s.s.den)}
		}
		row("shares."+s.k, s.k, append(toks, ppTok(lang, s.s.qoq, s.s.qoqOK), ppTok(lang, s.s.yoy, s.s.yoyOK))...)
	}
	rank := func(id string, us []tUnit) {
		for _, u := range us {
			s := u.name + ":"
			if b == bodyText {
				s = "- " + s
			}
			add(id+"."+u.code, prefix(s), fPct(lang, u.progress), fInt(lang, u.ytd), fInt(lang, u.target))
		}
	}
	rank("ranking.top", d.top)
	rank("ranking.bottom", d.bottom)
	if len(d.zero) > 0 {
		add("ranking.zero", contains(lbl(lang, "zero")), fInt(lang, len(d.zero)))
	}

	// 4. Transfers.
	for _, t := range d.transfers {
		a := rowAnchor(b, code(lang, t.scope))
		if b == bodyHTML {
			a = regexp.MustCompile(`^` + regexp.QuoteMeta(code(lang, t.scope)) + ` \| \d`)
		}
		add("transfers.scope."+t.scope, a, fInt(lang, t.in), fInt(lang, t.out), fSigned(lang, t.in-t.out))
	}
	metric("transfers.in", "t_in_total", d.tin)
	metric("transfers.out", "t_out_total", d.tout)
	net("transfers.net", "t_net_total", d.tnet)
	metric("transfers.temp_in", "t_temp_in", d.tempIn)
	metric("transfers.temp_out", "t_temp_out", d.tempOut)
	add("transfers.unmatched", contains(lbl(lang, "t_unmatched")), fInt(lang, d.unmatched))

	// 5. Supervision, inspection, outcomes and discipline.
	metric("supervision.supervisions", "g_superv", d.superv)
	metric("supervision.inspections", "g_inspect", d.inspect)
	metric("outcomes.violation", "o_violation", d.violation)
	metric("outcomes.signs", "o_signs", d.signs)
	metric("outcomes.disciplined", "o_disciplined", d.discGS)
	metric("disciplines.total", "g_disc", d.disc)
	metric("disciplines.giamsat", "d_giamsat", d.discGS)
	metric("disciplines.kyluat", "d_kyluat", d.discKL)
	cells := func(parts ...string) *regexp.Regexp {
		if b == bodyText {
			return regexp.MustCompile(`^  ` + regexp.QuoteMeta(strings.Join(parts, " – ")) + `: `)
		}
		return regexp.MustCompile(`^` + regexp.QuoteMeta(strings.Join(parts, " | ")) + ` \| `)
	}
	for _, t := range d.byActor {
		add(fmt.Sprintf("supervision.by_actor.%s.%s.%s", t.keys[0], t.keys[1], t.keys[2]),
			cells(code(lang, t.keys[0]), code(lang, t.keys[1]), code(lang, t.keys[2])), fInt(lang, t.n))
	}
	for _, t := range d.bySubject {
		add(fmt.Sprintf("supervision.by_subject.%s.%s", t.keys[0], t.keys[1]), cells(code(lang, t.keys[0]), code(lang, t.keys[1])), fInt(lang, t.n))
	}
	for _, t := range d.discByForm {
		a := cells(code(lang, t.keys[0]), code(lang, t.keys[1]))
		if b == bodyText {
			a = regexp.MustCompile(`^  ` + regexp.QuoteMeta(lbl(lang, "g_disc")+" "+code(lang, t.keys[0])+" – "+code(lang, t.keys[1])) + `: `)
		}
		add(fmt.Sprintf("disciplines.by_form.%s.%s", t.keys[0], t.keys[1]), a, fInt(lang, t.n))
	}
	for _, t := range d.discByBody {
		a := cells(code(lang, t.keys[0]), origin(lang, t.keys[1]))
		if b == bodyText {
			a = regexp.MustCompile(`^  ` + regexp.QuoteMeta(lbl(lang, "g_disc")+" – "+lbl(lang, "g_body")+" "+code(lang, t.keys[0])+" – "+origin(lang, t.keys[1])) + `: `)
		}
		add(fmt.Sprintf("disciplines.by_body.%s.%s", t.keys[0], t.keys[1]), a, fInt(lang, t.n))
	}

	// 6. Data quality.
	add("quality.warnings", contains(lbl(lang, "q_warnings")), fInt(lang, d.warnings))
	for _, u := range d.warnUnits[:min(10, len(d.warnUnits))] {
		unit("quality.warning_unit", u, fInt(lang, u.warnings))
	}
	for _, u := range d.mismatches {
		unit("quality.mismatch", u, fInt(lang, u.start), fInt(lang, u.prevEnd))
	}

	// 7. People to act on (personal data allowed).
	for _, p := range d.people {
		kind := map[string][2]string{"unmatched": {"Chuyển sinh hoạt chưa khớp", "Unmatched transfer"},
			"probation": {"Hết thời gian dự bị, cần xét công nhận", "Probation ended: due for recognition"}}[p.kind]
		k := kind[0]
		if lang == "en" {
			k = kind[1]
		}
		a := regexp.MustCompile(`^- ` + regexp.QuoteMeta(w.orgs[p.org].name+": "+k+": "+p.name+" "))
		if b == bodyHTML {
			a = regexp.MustCompile(`^` + regexp.QuoteMeta(w.orgs[p.org].name+" | "+k+" | "+p.name+" | "))
		}
		add("people."+p.kind+"."+p.org, a, tokens(lang, p.detail)...)
		out[len(out)-1].must = []string{p.detail + " " + p.date.Format("02/01/2006")}
	}
	return out
}

// origin names where a discipline was recorded.
func origin(lang, o string) string {
	t := map[string][2]string{"GiamSat": {"Qua giám sát, kiểm tra (GiamSat)", "After supervision or inspection (GiamSat)"},
		"KyLuat": {"Kỷ luật khác (KyLuat)", "Other discipline (KyLuat)"}}[o]
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

// ytdLabel names the common quarters of a year-to-date comparison
// restricted to them: "Q2–Q3 so với Q2–Q3/2024".
func ytdLabel(lang string, d *tDigest) string {
	first, last := d.ytdQuarters[0], d.ytdQuarters[len(d.ytdQuarters)-1]
	qs := fmt.Sprintf("Q%d", first)
	if last != first {
		qs += fmt.Sprintf("–Q%d", last)
	}
	if lang == "en" {
		return fmt.Sprintf("%s vs %s %d", qs, qs, d.q.year()-1)
	}
	return fmt.Sprintf("%s so với %s/%d", qs, qs, d.q.year()-1)
}

// qname is "Quý III/2025" (vi) or "Q3 2025" (en).
func qname(lang string, q tq) string {
	if lang == "en" {
		return fmt.Sprintf("Q%d %d", q.qn(), q.year())
	}
	return fmt.Sprintf("Quý %s/%d", roman(q.qn()), q.year())
}

// bodyMusts are texts a body must contain: the quarter, the scope and the
// bases of the comparisons named by quarter arithmetic done here.
func bodyMusts(d *tDigest, lang string) map[string]string {
	if lang == "en" {
		return map[string]string{
			"title":    "Quarterly digest " + qname(lang, d.q) + " – " + d.scope.name,
			"head.qoq": "Vs previous quarter (" + qname(lang, d.q.prev()) + ")",
			"head.yoy": "Vs same quarter last year (" + qname(lang, d.q.yearAgo()) + ")",
		}
	}
	return map[string]string{
		"title":    "Báo cáo nhanh " + qname(lang, d.q) + " – " + d.scope.name,
		"head.qoq": "So với quý trước (" + qname(lang, d.q.prev()) + ")",
		"head.yoy": "So với cùng kỳ (" + qname(lang, d.q.yearAgo()) + ")",
	}
}

// masks remove what is printed with digits but is no figure: dates and
// times, quarter names, organisation codes, file names, section numbers
// and the fixed "30 days" of a label.
var masks = []*regexp.Regexp{
	regexp.MustCompile(`BaoCaoNhanh_[^\s<|]*`),
	regexp.MustCompile(`\d{2}/\d{2}/\d{4}( \d{2}:\d{2})?`),
	regexp.MustCompile(`Quý [IV]+/\d{4}`),
	regexp.MustCompile(`Q[1-4](–Q[1-4])?(/\d{4}| \d{4})?`),
	regexp.MustCompile(`\d{4}-Q[1-4]`),
	regexp.MustCompile(`[A-Z]{2,}(-[A-Z0-9]+)+`),
	regexp.MustCompile(`BaoCaoNhanh_[^\s<|]*`),
	regexp.MustCompile(`(?m)^\s*\d+\. `),
	regexp.MustCompile(`quá 30 ngày|older than 30 days`),
	regexp.MustCompile(`năm \d{4} không|\d{4} has no returns`),
	regexp.MustCompile(`kỳ gốc bằng 0|base is 0|bằng 0 hoặc|is 0 or`),
	regexp.MustCompile(`«—»|«— \((chưa có báo cáo|no return)\)»`),
}

var (
	tokVI = regexp.MustCompile(`[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?%?|—`)
	tokEN = regexp.MustCompile(`[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?|—`)
)

func tokens(lang, s string) []string {
	for _, m := range masks {
		s = m.ReplaceAllString(s, " ")
	}
	if lang == "en" {
		return tokEN.FindAllString(s, -1)
	}
	return tokVI.FindAllString(s, -1)
}

// htmlLines turns the HTML body into lines: a table row is one line with
// its cells joined by " | "; paragraphs, list items and breaks end lines.
func htmlLines(h string) []string {
	if i := strings.Index(h, "<body"); i >= 0 {
		h = h[i:]
	}
	r := strings.NewReplacer("</tr>", "\n", "</td>", " | ", "</th>", " | ", "<br>", "\n", "</li>", "\n", "</p>", "\n",
		"</div>", "\n", "</h2>", "\n", "</ul>", "\n", "</ol>", "\n", "<li>", "\n")
	h = r.Replace(h)
	h = regexp.MustCompile(`<[^>]*>`).ReplaceAllString(h, "")
	h = html.UnescapeString(h)
	var out []string
	for _, l := range strings.Split(h, "\n") {
		l = strings.TrimSpace(strings.Join(strings.Fields(l), " "))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func textLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	return out
}
