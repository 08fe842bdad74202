// Package report renders validation results for people and programs: one
// JSON object per file per line, or a text report grouped by sheet and rule,
// in Vietnamese (default) or English.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/returns-project/returns/etl/locale"
	"github.com/returns-project/returns/etl/schema"
	"github.com/returns-project/returns/etl/validate"
)

// JSONIssue is one issue as the JSON report shows it.
type JSONIssue struct {
	Sheet    string          `json:"sheet"`
	Cell     string          `json:"cell"`
	Field    string          `json:"field"`
	Rule     string          `json:"rule"`
	Severity schema.Severity `json:"severity"`
	Value    string          `json:"value"`
	// Related are the other cells of Sheet the issue used (A1 names), e.g.
	// every input of a balance rule; absent when there are none.
	Related []string `json:"related,omitempty"`
	Message string   `json:"message"`
	Hint    string   `json:"hint,omitempty"`
}

// JSONResult is one file's line of the JSON report.
type JSONResult struct {
	File          string         `json:"file"`
	SHA256        string         `json:"sha256"`
	Status        string         `json:"status"`
	Reason        string         `json:"reason"`
	Org           string         `json:"org"`
	Period        string         `json:"period"`
	Template      string         `json:"template"`
	Rows          map[string]int `json:"rows"`
	Errors        int            `json:"errors"`
	Warnings      int            `json:"warnings"`
	Issues        []JSONIssue    `json:"issues"`
	IssuesOmitted int            `json:"issues_omitted,omitempty"`
	// Set by ingest: the submission loaded (or duplicated) and its version.
	SubmissionID int64  `json:"submission_id,omitempty"`
	Version      int    `json:"version,omitempty"`
	DuplicateOf  string `json:"duplicate_of,omitempty"`
}

// JSON converts a result to its JSON shape, messages in lang.
func JSON(res *validate.Result, lang string) JSONResult {
	out := JSONResult{
		File: res.File, SHA256: res.SHA256, Status: string(res.Status), Reason: string(res.Reason),
		Org: res.Org, Period: res.Period, Template: res.Template, Rows: res.Rows,
		Errors: res.Errors, Warnings: res.Warnings, IssuesOmitted: res.IssuesOmitted,
		Issues: make([]JSONIssue, 0, len(res.Issues)),
	}
	if out.Rows == nil {
		out.Rows = map[string]int{}
	}
	for _, is := range res.Issues {
		out.Issues = append(out.Issues, JSONIssue{
			Sheet: is.Sheet, Cell: is.Cell, Field: is.Field, Rule: is.Rule, Severity: is.Severity,
			Value: is.Value, Related: is.Related, Message: is.Message.In(lang), Hint: is.Hint.In(lang),
		})
	}
	return out
}

// WriteJSON writes one result as one line of JSON.
func WriteJSON(w io.Writer, res *validate.Result, lang string) error {
	return WriteJSONResult(w, JSON(res, lang))
}

// WriteJSONResult writes an already converted result as one line of JSON.
func WriteJSONResult(w io.Writer, r JSONResult) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode report of %q: %w", r.File, err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

type words struct {
	accepted, rejected, org, period, template, errors, warnings, rows, sheet, fileLevel, fix, omitted, cell, field, value, related string
}

var dict = map[string]words{
	"vi": {"ĐƯỢC CHẤP NHẬN", "BỊ TỪ CHỐI", "Đơn vị", "Kỳ báo cáo", "Mẫu", "lỗi", "cảnh báo", "dòng", "Trang", "Toàn tệp", "Cách sửa", "Còn %s vấn đề khác không được liệt kê (báo cáo chỉ giữ %s vấn đề đầu tiên).", "ô", "trường", "giá trị", "ô liên quan"},
	"en": {"ACCEPTED", "REJECTED", "Organisation", "Period", "Template", "errors", "warnings", "rows", "Sheet", "Whole file", "How to fix", "%s more issues are not listed (the report keeps the first %s).", "cell", "field", "value", "related cells"},
}

// plural is word for n things: English drops the plural "s" for one;
// Vietnamese nouns do not change.
func plural(lang string, n int, word string) string {
	if lang == "en" && n == 1 {
		return strings.TrimSuffix(word, "s")
	}
	return word
}

// WriteText writes a report for people: the verdict, then the issues grouped
// by sheet and by rule, with where each one is and how to fix it.
func WriteText(w io.Writer, res *validate.Result, lang string) error {
	d, ok := dict[lang]
	if !ok {
		lang, d = "vi", dict["vi"]
	}
	var b strings.Builder
	verdict := d.accepted
	if res.Status == validate.Rejected {
		verdict = d.rejected + " (" + string(res.Reason) + ")"
	}
	fmt.Fprintf(&b, "%s — %s\n", res.File, verdict)
	if res.Status == validate.Rejected {
		fmt.Fprintf(&b, "  %s\n", res.Reason.Title(lang))
	}
	var facts []string
	if res.Org != "" {
		facts = append(facts, d.org+": "+res.Org)
	}
	if res.Year > 0 {
		facts = append(facts, d.period+": "+locale.Quarter(lang, res.Year, res.Quarter))
	}
	facts = append(facts, d.template+": "+res.Template)
	facts = append(facts, fmt.Sprintf("%s %s, %s %s", locale.Int(lang, int64(res.Errors)), plural(lang, res.Errors, d.errors),
		locale.Int(lang, int64(res.Warnings)), plural(lang, res.Warnings, d.warnings)))
	fmt.Fprintf(&b, "  %s\n", strings.Join(facts, " · "))
	if len(res.Rows) > 0 {
		names := make([]string, 0, len(res.Rows))
		for k := range res.Rows {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, 0, len(names))
		for _, k := range names {
			parts = append(parts, fmt.Sprintf("%s %s", k, locale.Int(lang, int64(res.Rows[k]))))
		}
		fmt.Fprintf(&b, "  %s: %s\n", d.rows, strings.Join(parts, ", "))
	}

	// Group by sheet (in order of first appearance), then by rule.
	type group struct {
		rule   string
		issues []validate.Issue
	}
	type sheetGroup struct {
		sheet  string
		groups []*group
		byRule map[string]*group
	}
	var sheets []*sheetGroup
	bySheet := map[string]*sheetGroup{}
	for _, is := range res.Issues {
		sg, ok := bySheet[is.Sheet]
		if !ok {
			sg = &sheetGroup{sheet: is.Sheet, byRule: map[string]*group{}}
			bySheet[is.Sheet] = sg
			sheets = append(sheets, sg)
		}
		key := is.Rule + "\x00" + string(is.Severity)
		g, ok := sg.byRule[key]
		if !ok {
			g = &group{rule: is.Rule}
			sg.byRule[key] = g
			sg.groups = append(sg.groups, g)
		}
		g.issues = append(g.issues, is)
	}
	for _, sg := range sheets {
		title := d.fileLevel
		if sg.sheet != "" {
			title = d.sheet + " " + sg.sheet
		}
		fmt.Fprintf(&b, "\n  %s\n", title)
		for _, g := range sg.groups {
			first := g.issues[0]
			sev := d.errors
			if first.Severity == schema.Warning {
				sev = d.warnings
			}
			fmt.Fprintf(&b, "    [%s] %s — %s (%s)\n", g.rule, strings.ToUpper(sev[:1])+sev[1:], first.Message.In(lang), locale.Int(lang, int64(len(g.issues))))
			if h := first.Hint.In(lang); h != "" {
				fmt.Fprintf(&b, "      %s: %s\n", d.fix, h)
			}
			for _, is := range g.issues {
				if line := issueLine(d, lang, is, first); line != "" {
					fmt.Fprintf(&b, "      %s\n", line)
				}
			}
		}
	}
	if res.IssuesOmitted > 0 {
		fmt.Fprintf(&b, "\n  "+d.omitted+"\n", locale.Int(lang, int64(res.IssuesOmitted)), locale.Int(lang, int64(len(res.Issues))))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// issueLine is one issue's line under its group's heading: where it is, the
// field, the value as typed, the other cells it used, and its own message
// and fix when they are not the ones the heading (the group's first issue)
// already gives; "" when there is nothing to add.
func issueLine(d words, lang string, is, first validate.Issue) string {
	loc := is.Cell
	if loc == "" && is.Row > 0 {
		loc = fmt.Sprintf("%s %d", d.rows, is.Row)
	}
	var parts []string
	if loc != "" {
		parts = append(parts, loc)
	}
	if is.Field != "" {
		parts = append(parts, "("+is.Field+")")
	}
	if is.Value != "" {
		parts = append(parts, fmt.Sprintf("= %q", is.Value))
	}
	line := strings.Join(parts, " ")
	if len(is.Related) > 0 {
		rel := d.related + ": " + strings.Join(is.Related, ", ")
		if line != "" {
			line += "; "
		}
		line += rel
	}
	if m := is.Message.In(lang); m != "" && m != first.Message.In(lang) {
		if line != "" {
			line += " — "
		}
		line += m
	}
	if h := is.Hint.In(lang); h != "" && h != first.Hint.In(lang) {
		if line != "" {
			line += " — "
		}
		line += d.fix + ": " + h
	}
	return line
}

// Duplicate is the one sentence that tells the operator and the submitter
// that a file loaded nothing because its content is already there: the
// very same file (the same bytes) as submission id, or — unchanged set — a
// return saved again without a change of any value (store.Load.Unchanged),
// "unchanged from version N received on dd/mm/yyyy". lang is vi or en;
// received is shown in loc (the configuration's time_zone).
func Duplicate(lang string, id int64, version int, received time.Time, loc *time.Location, unchanged bool) string {
	day := locale.Date(received.In(loc))
	switch {
	case unchanged && lang == "en":
		return fmt.Sprintf("The return is unchanged from version %d received on %s (submission %d): every value is the same, only the way the file was saved differs, so no new version was created.", version, day, id)
	case unchanged:
		return fmt.Sprintf("Báo cáo không thay đổi so với lần nộp số %d ngày %s (mã lần nộp %d): mọi giá trị đều như cũ, chỉ khác cách lưu tệp, nên không tạo lần nộp mới.", version, day, id)
	case lang == "en":
		return fmt.Sprintf("duplicate of submission %d received on %s", id, locale.DateTime(received, loc))
	}
	return fmt.Sprintf("trùng với lần nộp số %d nhận ngày %s", id, locale.DateTime(received, loc))
}
